"""The cassette file: one YAML document per cassette, written for code review and loaded fast.

Layout (format 1)::

    # runreplay cassette ...                      (a comment; ignored)
    format_version: 1
    runreplay: 0.1.0                              (the version that wrote it)
    meta: {...}                                   (Cassette.meta, plain YAML)
    interactions:
    - recorded_at: '2026-01-01T00:00:00Z'
      request:
        method: POST
        url: https://api.openai.com/v1/threads/runs
        headers: |-                               (one "Name: value" line per header, in order)
          Content-Type: application/json
        body:
          style: compact                          (how to turn the JSON below back into the exact bytes)
          json: |-
            {
              "assistant_id": "asst_1"
            }
      response:
        status: 200
        reason: OK
        http_version: HTTP/1.1
        headers: |-
          content-type: text/event-stream
        headers_ms: 52.25                         (milliseconds from sending to the response headers)
        complete: true                            (false: the client stopped reading early)
        error: {type, message, after_chunk}       (only when the connection failed mid-body)
        body:
          chunks: 134@52.3 271@312.4              (each chunk as BYTES@MILLISECONDS, in order)
          text: |+                                (the whole body; the chunks are slices of it)
            event: thread.created
            ...
    ...                                           (YAML document end: a file without it was cut off)

Rules, all chosen so that ``load(save(c)) == c`` for every cassette (times rounded to 3 decimals):

* **Bodies** are stored in the most readable faithful form: ``json`` (pretty-printed, one field per
  line, so a diff shows the field that changed) when the body is compact JSON (objects and arrays;
  any JSON value when the content type says JSON) and re-serializing it in the recorded ``style``
  (``compact``/``spaced``/``indent=N``, plus ``ascii`` and ``newline``) gives back the exact bytes;
  JSON that is already indented is shown as it is, as ``text``; else ``text`` (UTF-8); else
  ``base64`` (76-character lines). JSON is kept as pretty JSON text rather than as a YAML mapping: it
  keeps JSON's exact types (no YAML 1.1 surprises such as ``no`` or ``1e3``), and it is one YAML node
  instead of hundreds, which is what makes loading fast. Bodies of ``text/event-stream`` responses
  are always ``text`` (or ``base64``).
* **Chunks.** A response body is stored whole, and ``chunks`` gives each chunk's size in bytes and its
  arrival time, so chunks that split a multi-byte character still rebuild every byte, and non-SSE
  bodies that arrived in several pieces keep their boundaries too.
* **Headers** are one ``Name: value`` line each, in the recorded order, with the recorded case and
  duplicates (``set-cookie`` twice is two lines). Headers that cannot be written that way (a name
  with ``:`` or a line break in a name or value) are written as a list of ``[name, value]`` pairs.
* **No events view.** Files written before 0.2 also held ``events:``, a derived list of each SSE
  event; parsing it was 44% of a load, so it is no longer written (``runreplay inspect`` shows the
  events). It is still accepted on load and ignored (only its type is checked).

`load` raises `runreplay.errors.CassetteFormatError` (naming the file, the line and what was expected)
for anything it cannot load exactly, never returning an empty or partial cassette. A missing file
raises `FileNotFoundError` instead: "not recorded yet" is not a format problem, and the recorder
checks for the file first.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import gc
import json
import math
import os
import re
import secrets
from collections.abc import Hashable
from pathlib import Path
from typing import Any, NoReturn

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from runreplay._version import __version__
from runreplay.cassette import _literal as literal
from runreplay.cassette._safe_yaml import MAX_MILLISECONDS, check_plain
from runreplay.cassette.model import (
    FORMAT_VERSION,
    Cassette,
    Interaction,
    RecordedRequest,
    RecordedResponse,
    StreamError,
)
from runreplay.errors import CassetteFormatError

__all__ = ["dumps", "load", "loads", "save"]

_HEADER = (
    "# runreplay cassette (https://pypi.org/project/pytest-runreplay/). Bodies are rebuilt byte for\n"
    "# byte from `json`/`text`/`base64` and `chunks`; `runreplay inspect FILE` lists the events.\n"
)

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"

# Characters a YAML literal block holds verbatim in both LibYAML and PyYAML (besides the line feed):
# printable ASCII and non-ASCII printables other than the Unicode line/paragraph separators and the BOM.
_NOT_LITERAL = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
# What pretty JSON must escape so that it stays a literal block: the same set, as \\uXXXX escapes
# (such characters can only occur inside JSON strings, where the escape means the same character).
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]")

_DUMPER_BASE: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

_REQUEST_KEYS = ("method", "url", "headers", "body")
_RESPONSE_KEYS = ("status", "reason", "http_version", "headers", "headers_ms", "complete", "body")
_BODY_FORMS = ("text", "json", "base64")


# --------------------------------------------------------------------------------------------- save


class _Pair(tuple[str, str]):
    """A header written as a flow-style ``[name, value]`` pair (the fallback header form)."""

    __slots__ = ()


def _represent_str(dumper: Any, data: str) -> Node:
    """Multi-line strings as literal blocks when they can be held verbatim; the emitter quotes the rest."""
    block = literal.represent_block(dumper, data)  # emoji, tabs, trailing spaces: still a literal block
    if block is not None:
        return block
    special = _NOT_LITERAL.search(data)
    # Quoted when special: PyYAML's pure-Python emitter writes NEL/LS/PS unescaped in plain scalars,
    # and its scanner then reads them as line breaks.
    style = '"' if special else "|" if "\n" in data else None
    node: Node = dumper.represent_scalar(_STR, data, style=style)
    return node


def _represent_pair(dumper: Any, data: _Pair) -> Node:
    node: Node = dumper.represent_sequence("tag:yaml.org,2002:seq", list(data), flow_style=True)
    return node


def _make_dumper(base: Any) -> Any:
    """A dumper class on `base` (LibYAML's or PyYAML's safe dumper) with runreplay's string styles."""
    dumper: Any = type("_CassetteDumper", (base,), {})
    dumper.add_representer(str, _represent_str)
    dumper.add_representer(_Pair, _represent_pair)
    literal.register(dumper)
    return dumper


_DUMPER: Any = _make_dumper(_DUMPER_BASE)


def _ms(value: float, what: str) -> float:
    """A time in milliseconds rounded to 3 decimals; refuses NaN and infinities."""
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"cannot save {what}={value!r}: times must be finite numbers of milliseconds.")
    return round(number, 3)


def _headers_out(headers: list[tuple[str, str]]) -> str | list[_Pair]:
    """Headers as ``Name: value`` lines, or as ``[name, value]`` pairs when a line cannot hold one."""
    lines = []
    for name, value in headers:
        if not name or ":" in name or "\n" in name or "\r" in name or "\n" in value or "\r" in value:
            return [_Pair((name, value)) for name, value in headers]
        lines.append(f"{name}: {value}" if value else f"{name}:")
    return "\n".join(lines)


def _json_dumps(value: Any, style: tuple[str, int | None, bool, bool]) -> str:
    """`value` serialized in `style` = (separators, indent, ensure_ascii, trailing newline)."""
    separators, indent, ascii_only, newline = style
    if indent is not None:
        text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    elif separators == "compact":
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=ascii_only)
    else:
        text = json.dumps(value, ensure_ascii=ascii_only)
    return text + "\n" if newline else text


def _style_name(style: tuple[str, int | None, bool, bool]) -> str:
    separators, indent, ascii_only, newline = style
    words = [f"indent={indent}" if indent is not None else separators]
    if ascii_only:
        words.append("ascii")
    if newline:
        words.append("newline")
    return " ".join(words)


def _detect_json(raw: bytes, *, any_value: bool) -> tuple[Any, str] | None:
    """(value, style name) when `raw` is JSON that re-serializes to exactly `raw`, else None."""
    if not raw or (not any_value and raw[:1] not in b"{["):
        return None
    try:
        text = raw.decode("utf-8")
        newline = text.endswith("\n")
        body = text[:-1] if newline else text
        value = json.loads(body)
    except ValueError:  # also UnicodeDecodeError and JSONDecodeError
        return None
    if "\n" in body:
        if not _NOT_LITERAL.search(body):
            return None  # already pretty and shown verbatim as text; no need to rebuild it on load
        second = body.split("\n", 2)[1]
        layouts: list[tuple[str, int | None]] = [("spaced", len(second) - len(second.lstrip(" ")))]
    elif ", " in body or ": " in body:
        layouts = [("spaced", None), ("compact", None)]
    else:
        layouts = [("compact", None), ("spaced", None)]
    for separators, indent in layouts:
        for ascii_only in (False, True) if body.isascii() else (False,):
            style = (separators, indent, ascii_only, newline)
            if _json_dumps(value, style) == text:
                return value, _style_name(style)
    return None


def _pretty_json(value: Any) -> str:
    """`value` as indented JSON that a YAML literal block can hold verbatim."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _text_or_base64(raw: bytes) -> dict[str, str]:
    """The body as literal text, as quoted text with a comment saying why, or as base64 (also explained)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        key = literal.Commented("base64", "not UTF-8 text, so kept as base64")
        return {key: base64.encodebytes(raw).decode("ascii").rstrip("\n")}
    why = literal.why_not_literal(text)
    if why is None:
        return {"text": literal.BodyText(text)}
    return {literal.Commented("text", f"text is quoted, not a literal block: {why}"): text}


def _is_json_type(headers: list[tuple[str, str]]) -> bool:
    for name, value in headers:
        if name.lower() == "content-type":
            media = value.split(";", 1)[0].strip().lower()
            return media == "application/json" or media.endswith("+json")
    return False


def _body_out(raw: bytes, headers: list[tuple[str, str]], *, event_stream: bool) -> dict[str, Any]:
    """The readable, faithful form of a body: json (with its style), text or base64."""
    if not event_stream:
        found = _detect_json(raw, any_value=_is_json_type(headers))
        if found is not None:
            value, style = found
            return {"style": style, "json": _pretty_json(value)}
    return _text_or_base64(raw)


def _request_out(request: RecordedRequest) -> dict[str, Any]:
    return {
        "method": request.method,
        "url": request.url,
        "headers": _headers_out(request.headers),
        "body": _body_out(request.body, request.headers, event_stream=False),
    }


def _response_out(response: RecordedResponse) -> dict[str, Any]:
    out: dict[str, Any] = {
        "status": response.status,
        "reason": response.reason,
        "http_version": response.http_version,
        "headers": _headers_out(response.headers),
        "headers_ms": _ms(response.headers_ms, "headers_ms"),
        "complete": response.complete,
    }
    if response.error is not None:
        error = response.error
        out["error"] = {"type": error.type, "message": error.message, "after_chunk": error.after_chunk}
    chunks = response.chunks
    layout = " ".join(f"{len(chunk.data)}@{_ms(chunk.offset_ms, 'offset_ms')!r}" for chunk in chunks)
    event_stream = response.is_event_stream
    body: dict[str, Any] = {"chunks": layout}
    body.update(_body_out(response.body, response.headers, event_stream=event_stream))
    out["body"] = body
    return out


def _yaml(data: Any, *, explicit_end: bool = False) -> str:
    text: str = yaml.dump(
        data,
        Dumper=_DUMPER,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=110,
        explicit_end=explicit_end,
    )
    return literal.finish(text)


def render_interaction(interaction: Interaction) -> str:
    """One interaction as it appears in the ``interactions:`` list of a file (a ``- `` item).

    A file is its head plus these texts plus the end marker, so an interaction rendered once (when
    it is written to the journal) is not rendered again when the run's end writes the file.
    """
    item = {
        "recorded_at": interaction.recorded_at,
        "request": _request_out(interaction.request),
        "response": _response_out(interaction.response),
    }
    return _part(_yaml([item]))


def _part(text: str) -> str:
    """`text` without the document end marker the emitter adds after an open-ended scalar.

    A scalar kept with its final line breaks (``|+``) is open-ended, so the emitter closes the
    document after it; inside a file the next part (or the file's own end marker) follows instead.
    """
    return text[:-4] if text.endswith("\n...\n") else text


def dumps(cassette: Cassette, *, rendered: list[str] | None = None) -> str:
    """The cassette as the text of a cassette file (see the module docstring for the layout).

    `rendered` holds `render_interaction` of each interaction when the caller already has them.
    """
    head = {"format_version": FORMAT_VERSION, "runreplay": __version__, "meta": cassette.meta}
    if not cassette.interactions:
        return _HEADER + _yaml({**head, "interactions": []}, explicit_end=True)
    items = rendered if rendered is not None else [render_interaction(i) for i in cassette.interactions]
    return "".join([_HEADER, _part(_yaml(head)), "interactions:\n", *items, "...\n"])


def fsync_directory(directory: Path) -> None:
    """Make a rename in `directory` durable, where the platform allows opening a directory."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def save(path: str | os.PathLike[str], cassette: Cassette) -> None:
    """Write `cassette` to `path` atomically: a crash or error mid-save leaves the old file intact.

    The text is written to a new temporary file in the same folder (created with the usual
    permissions), flushed and fsynced, then renamed over `path`; the folder is fsynced where the
    platform allows it. Parent folders are created. On any error the temporary file is removed.
    """
    write_atomically(Path(path), dumps(cassette).encode("utf-8"))


def write_atomically(target: Path, data: bytes) -> None:
    """`save`'s atomic write of ready bytes: a temporary file, fsynced, renamed over `target`."""
    temporary = write_temporary(target, data, sync=True)
    try:
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    fsync_directory(target.parent)


def write_temporary(target: Path, data: bytes, *, sync: bool = False) -> Path:
    """A new temporary file ``.NAME.<hex>.tmp`` beside `target` holding `data` (removed on error)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    while True:
        temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        except FileExistsError:  # pragma: no cover - 48 random bits collided
            continue
        break
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            if sync:
                os.fsync(file.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return temporary


# --------------------------------------------------------------------------------------------- load


def _make_loader(base: Any) -> Any:
    """A loader class on `base` whose tag resolution remembers the tags of short plain scalars.

    A cassette repeats the same keys and small values thousands of times; resolving each one again
    with YAML 1.1's regular expressions is about a fifth of the load time. The tag of a plain scalar
    depends only on its text, so a bounded cache gives the same result.
    """
    cache: dict[str, str] = {}
    base_resolve = base.resolve

    def resolve(self: Any, kind: type[Node], value: str, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            if not implicit[0]:
                return _STR
            tag = cache.get(value)
            if tag is None:
                tag = base_resolve(self, kind, value, implicit)
                if len(value) <= 64 and len(cache) < 4096:
                    cache[value] = tag
            return tag
        result: str = base_resolve(self, kind, value, implicit)
        return result

    def no_path_resolvers(self: Any, *args: Any) -> None:
        """Cassettes use no path resolvers, so there is no resolver state to track per node."""

    namespace = {
        "resolve": resolve,
        "descend_resolver": no_path_resolvers,
        "ascend_resolver": no_path_resolvers,
    }
    loader: Any = type("_CassetteLoader", (base,), namespace)
    return loader


_HEADER_LINE = re.compile(r"^([^:\n]+): ?(.*)$", re.MULTILINE)
"""One header line: a name without colons, a colon, one optional space, then the value."""


def _fast_layout(value: str) -> tuple[list[int], list[float]] | None:
    """(sizes, offsets) of a chunk layout as runreplay writes it (``SIZE@MS`` items, one space apart),
    parsed by the JSON parser in one call; None for anything else (the careful path decides)."""
    if not value or value.count("@") != value.count(" ") + 1:
        return None
    try:
        numbers = json.loads("[" + value.replace("@", ",").replace(" ", ",") + "]")
    except ValueError:
        return None
    sizes = numbers[0::2]
    if not all(type(size) is int for size in sizes) or (sizes and min(sizes) < 0):
        return None
    if not all(type(offset) in (int, float) for offset in numbers[1::2]):
        return None
    offsets = list(map(float, numbers[1::2]))
    if offsets and not (min(offsets) >= 0.0 and max(offsets) <= MAX_MILLISECONDS):
        return None  # out of range (or not finite): the careful path names the item
    return sizes, offsets


_LOADER: Any = _make_loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader))


class _Reader:
    """Turns the composed YAML node tree into model objects, raising precise format errors."""

    def __init__(self, path: str, loader: Any) -> None:
        self.path = path
        self.loader = loader

    def fail(
        self, node: Node | None, problem: str, expected: str | None = None, *, line: int | None = None
    ) -> NoReturn:
        if line is None and node is not None:
            line = node.start_mark.line + 1
        raise CassetteFormatError(self.path, problem, line=line, expected=expected)

    def mapping(
        self, node: Node, where: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict[str, Node]:
        """The keys of mapping `node` (all `required` present, nothing outside `required + optional`)."""
        if not isinstance(node, MappingNode):
            self.fail(node, f"{where} is {_describe(node)}", f"a mapping with the keys {_names(required)}")
        found: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if key_node.tag == _STR and isinstance(key_node, ScalarNode) else None
            if key not in required and key not in optional:
                allowed = _names(required + optional)
                self.fail(key_node, f"{where} has an unknown key {_show(key_node)}", f"only {allowed}")
            if key in found:
                self.fail(key_node, f"{where} has the key {key!r} twice", "each key once")
            found[key] = value_node
        for key in required:
            if key not in found:
                self.fail(node, f"{where} has no {key!r}", f"the keys {_names(required)}")
        return found

    def string(self, node: Node, where: str) -> str:
        if isinstance(node, ScalarNode) and node.tag == _STR:
            value: str = node.value
            return value
        self.fail(
            node,
            f"{where} is {_describe(node)}",
            "a string (put it in quotes if YAML reads it as another type)",
        )

    def integer(self, node: Node, where: str, expected: str) -> int:
        if isinstance(node, ScalarNode) and node.tag == _INT:
            text: str = node.value
            try:
                number: int = int(text) if text.isdigit() else self.loader.construct_yaml_int(node)
            except ValueError:  # more digits than int() converts (sys.get_int_max_str_digits())
                pass
            else:
                if number.bit_length() < 64:  # larger ones are no count or status (and may not print)
                    return number
        self.fail(node, f"{where} is {_describe(node)}", expected)

    def milliseconds(self, node: Node, where: str) -> float:
        if isinstance(node, ScalarNode) and node.tag in (_FLOAT, _INT):
            number = float(self.loader.construct_yaml_float(node))
            if 0.0 <= number <= MAX_MILLISECONDS:
                return number
        self.fail(
            node,
            f"{where} is {_describe(node)}",
            f"a number of milliseconds from 0 to {MAX_MILLISECONDS:.0f} such as 12.5",
        )

    def boolean(self, node: Node, where: str) -> bool:
        if isinstance(node, ScalarNode) and node.tag == _BOOL:
            value: bool = self.loader.construct_yaml_bool(node)
            return value
        self.fail(node, f"{where} is {_describe(node)}", "true or false")

    def headers(self, node: Node, where: str) -> list[tuple[str, str]]:
        if isinstance(node, ScalarNode) and node.tag == _STR:
            text: str = node.value
            if not text:
                return []
            if text[-1] == "\n":
                text = text[:-1]
            headers: list[tuple[str, str]] = _HEADER_LINE.findall(text)
            if len(headers) != text.count("\n") + 1:
                for number, line in enumerate(text.split("\n")):
                    if not _HEADER_LINE.fullmatch(line):
                        line_number = node.start_mark.line + 1 + (number + 1 if node.style == "|" else 0)
                        self.fail(
                            None,
                            f"{where} has the line {line!r}",
                            'one "Name: value" line per header',
                            line=line_number,
                        )
            return headers
        if isinstance(node, SequenceNode):
            pairs = []
            for item in node.value:
                if not (isinstance(item, SequenceNode) and len(item.value) == 2):
                    self.fail(
                        item, f"{where} has the item {_describe(item)}", "a [name, value] pair of strings"
                    )
                name_node, value_node = item.value
                pairs.append(
                    (self.string(name_node, f"{where} name"), self.string(value_node, f"{where} value"))
                )
            return pairs
        self.fail(
            node,
            f"{where} is {_describe(node)}",
            'a block of "Name: value" lines or a list of [name, value] pairs',
        )

    def body(self, mapping: Node, keys: dict[str, Node], where: str) -> bytes:
        """The bytes of a body mapping whose form key is one of text, json (with style) or base64."""
        forms = [form for form in _BODY_FORMS if form in keys]
        if len(forms) != 1:
            got = "both " + " and ".join(forms) if forms else "none of them"
            self.fail(mapping, f"{where} has {got}", "exactly one of text, json or base64")
        form = forms[0]
        node = keys[form]
        if "style" in keys and form != "json":
            self.fail(keys["style"], f"{where} has a style but no json", "style only next to json")
        if form == "text":
            text = self.string(node, f"{where}.text")
            try:
                return text.encode("utf-8")
            except UnicodeEncodeError as error:
                self.fail(node, f"{where}.text holds {error.object[error.start]!r}, a lone surrogate", "text")
        if form == "base64":
            text = self.string(node, f"{where}.base64")
            try:
                return base64.b64decode("".join(text.split()), validate=True)
            except binascii.Error as error:
                self.fail(
                    node,
                    f"{where}.base64 is not valid base64 ({error})",
                    "base64 text (A-Z, a-z, 0-9, +, / and = padding)",
                )
        if "style" not in keys:
            self.fail(node, f"{where} has json but no style", "a style such as 'compact' next to json")
        style = self.json_style(keys["style"], f"{where}.style")
        text = self.string(node, f"{where}.json")
        try:
            value = json.loads(text)
        except ValueError as error:
            offset = getattr(error, "lineno", 1) if getattr(node, "style", None) == "|" else 0
            self.fail(
                None,
                f"{where}.json is not valid JSON ({error})",
                "JSON text",
                line=node.start_mark.line + 1 + offset,
            )
        return _json_dumps(value, style).encode("utf-8")

    def json_style(self, node: Node, where: str) -> tuple[str, int | None, bool, bool]:
        text = self.string(node, where)
        words = text.split()
        expected = (
            "'compact', 'spaced' or 'indent=N', then optionally 'ascii' and 'newline' (e.g. 'compact ascii')"
        )
        if not words:
            self.fail(node, f"{where} is empty", expected)
        layout, flags = words[0], words[1:]
        indent: int | None = None
        if layout.startswith("indent="):
            digits = layout[len("indent=") :]
            if not (digits.isascii() and digits.isdigit()):
                self.fail(node, f"{where} is {text!r}", expected)
            indent = int(digits)
            layout = "spaced"
        elif layout not in ("compact", "spaced"):
            self.fail(node, f"{where} is {text!r}", expected)
        if len(set(flags)) != len(flags) or not set(flags) <= {"ascii", "newline"}:
            self.fail(node, f"{where} is {text!r}", expected)
        return layout, indent, "ascii" in flags, "newline" in flags

    def chunks(self, node: Node, where: str, body: bytes) -> tuple[list[int], list[float]]:
        expected = "a string of BYTES@MILLISECONDS items such as '134@0.5 271@312.25'"
        if not (isinstance(node, ScalarNode) and node.tag == _STR):
            self.fail(node, f"{where} is {_describe(node)}", expected)
        value: str = node.value
        layout = _fast_layout(value)
        sizes, offsets = layout if layout is not None else self.careful_layout(node, where, value, expected)
        total = sum(sizes)
        if total != len(body):
            self.fail(
                node,
                f"{where} add up to {total} bytes but the body has {len(body)}",
                "chunk sizes that add up to the body's length (the file may have been cut off or edited)",
            )
        return sizes, offsets  # cut into chunks when first read (RecordedResponse.from_layout)

    def careful_layout(
        self, node: Node, where: str, value: str, expected: str
    ) -> tuple[list[int], list[float]]:
        """The chunk layout item by item (any white space, Python's float syntax), naming a bad item."""
        items: list[str] = value.split()
        fields = value.replace("@", " ").split()
        try:
            if len(fields) != 2 * len(items) or not all(map(str.isdecimal, fields[0::2])):
                raise ValueError
            sizes = list(map(int, fields[0::2]))
            offsets = list(map(float, fields[1::2]))
            if not all(0.0 <= offset <= MAX_MILLISECONDS for offset in offsets):
                raise ValueError
        except ValueError:
            for item in items:
                size, at, offset = item.partition("@")
                try:
                    if not (at and size.isdecimal() and 0.0 <= float(offset) <= MAX_MILLISECONDS):
                        raise ValueError
                    int(size)  # fails too when it has more digits than int() converts
                except ValueError:
                    self.fail(node, f"{where} has the item {item!r}", expected)
            raise  # pragma: no cover - one of the items above is always the bad one
        return sizes, offsets

    def request(self, node: Node, where: str) -> RecordedRequest:
        keys = self.mapping(node, where, _REQUEST_KEYS)
        headers = self.headers(keys["headers"], f"{where}.headers")
        body_keys = self.mapping(keys["body"], f"{where}.body", (), ("text", "json", "style", "base64"))
        return RecordedRequest(
            self.string(keys["method"], f"{where}.method"),
            self.string(keys["url"], f"{where}.url"),
            headers,
            self.body(keys["body"], body_keys, f"{where}.body"),
        )

    def response(self, node: Node, where: str) -> RecordedResponse:
        keys = self.mapping(node, where, _RESPONSE_KEYS, ("error",))
        status = self.integer(keys["status"], f"{where}.status", "an integer HTTP status such as 200")
        if not 100 <= status <= 599:
            self.fail(keys["status"], f"{where}.status is {status}", "an HTTP status from 100 to 599")
        headers = self.headers(keys["headers"], f"{where}.headers")
        body_keys = self.mapping(
            keys["body"], f"{where}.body", ("chunks",), ("text", "json", "style", "base64", "events")
        )
        raw = self.body(keys["body"], body_keys, f"{where}.body")
        if "events" in body_keys:
            self.string(body_keys["events"], f"{where}.body.events")
        layout = self.chunks(body_keys["chunks"], f"{where}.body.chunks", raw)
        count = len(layout[0])
        error = None
        if "error" in keys:
            error_keys = self.mapping(keys["error"], f"{where}.error", ("type", "message", "after_chunk"))
            after = self.integer(
                error_keys["after_chunk"], f"{where}.error.after_chunk", "a chunk count, 0 or more"
            )
            if not 0 <= after <= count:
                self.fail(
                    error_keys["after_chunk"],
                    f"{where}.error.after_chunk is {after} but the body has {count} chunks",
                    f"a chunk count from 0 to {count}",
                )
            error = StreamError(
                self.string(error_keys["type"], f"{where}.error.type"),
                self.string(error_keys["message"], f"{where}.error.message"),
                after,
            )
        return RecordedResponse.from_layout(
            status,
            self.string(keys["reason"], f"{where}.reason"),
            self.string(keys["http_version"], f"{where}.http_version"),
            headers,
            raw,
            layout,
            headers_ms=self.milliseconds(keys["headers_ms"], f"{where}.headers_ms"),
            complete=self.boolean(keys["complete"], f"{where}.complete"),
            error=error,
        )

    def cassette(self, root: Node) -> Cassette:
        if not isinstance(root, MappingNode):
            self.fail(
                root, f"the document is {_describe(root)}", "a mapping that starts with format_version: 1"
            )
        version_node = next(
            (
                value
                for key, value in root.value
                if isinstance(key, ScalarNode) and key.value == "format_version"
            ),
            None,
        )
        if version_node is None:
            self.fail(
                root,
                "there is no format_version, so this is not a runreplay cassette (a vcrpy cassette can be "
                "converted with runreplay.cassette.convert_vcrpy_file)",
                f"format_version: {FORMAT_VERSION} at the top",
            )
        if not (
            isinstance(version_node, ScalarNode)
            and version_node.tag == _INT
            and version_node.value == str(FORMAT_VERSION)
        ):
            try:
                newer = (
                    isinstance(version_node, ScalarNode)
                    and version_node.value.isdecimal()
                    and int(version_node.value) > FORMAT_VERSION
                )
            except ValueError:  # more digits than int() converts: certainly newer than this version
                newer = True
            hint = " (written by a newer runreplay: upgrade runreplay to read it)" if newer else ""
            self.fail(
                version_node,
                f"format_version is {_show(version_node)}{hint}",
                f"format_version: {FORMAT_VERSION}",
            )
        keys = self.mapping(root, "the document", ("format_version", "runreplay", "meta", "interactions"))
        self.string(keys["runreplay"], "runreplay")
        meta_node = keys["meta"]
        if not isinstance(meta_node, MappingNode):
            self.fail(meta_node, f"meta is {_describe(meta_node)}", "a mapping (use {} for none)")
        try:
            meta = self.loader.construct_document(meta_node)
        except ValueError as error:  # an integer with more digits than int() converts
            self.fail(meta_node, f"meta cannot be read ({_one_line(error)})", "plain YAML values")
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            self.fail(
                meta_node,
                f"meta cannot be read ({_one_line(error)})",
                "plain YAML values",
                line=mark.line + 1 if mark else None,
            )
        items_node = keys["interactions"]
        if not isinstance(items_node, SequenceNode):
            self.fail(
                items_node,
                f"interactions is {_describe(items_node)}",
                "a list of interactions (use [] for none)",
            )
        interactions = []
        for index, item in enumerate(items_node.value):
            where = f"interactions[{index}]"
            item_keys = self.mapping(item, where, ("recorded_at", "request", "response"))
            interactions.append(
                Interaction(
                    self.request(item_keys["request"], f"{where}.request"),
                    self.response(item_keys["response"], f"{where}.response"),
                    self.string(item_keys["recorded_at"], f"{where}.recorded_at"),
                )
            )
        return Cassette(interactions, meta)


def _describe(node: Node) -> str:
    """A short description of what a node holds, for error messages."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    kind = {
        _STR: "a string",
        _INT: "an integer",
        _FLOAT: "a number",
        _BOOL: "a boolean",
        "tag:yaml.org,2002:null": "null",
    }.get(node.tag, f"a {node.tag.rsplit(':', 1)[-1]} value")
    text = node.value if len(node.value) <= 40 else node.value[:37] + "..."
    return f"{text!r} ({kind})" if kind != "null" else "null (empty)"


def _show(node: Node) -> str:
    if isinstance(node, ScalarNode):
        text = (
            node.value if len(node.value) <= 200 else f"{node.value[:200]}... ({len(node.value)} characters)"
        )
        return repr(text)
    return _describe(node)


def _names(keys: tuple[str, ...]) -> str:
    return ", ".join(keys)


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())


def _ends_with_document_end(data: bytes) -> bool:
    """True when the last non-blank line is the YAML document end marker ``...`` (cheap on big files)."""
    tail = data[-4096:].rstrip()
    if not tail and len(data) > 4096:
        tail = data.rstrip()[-8:]
    return tail.endswith(b"\n...") or tail == b"..."


def _parse(path: str, data: bytes) -> Cassette:
    """Compose `data` into YAML nodes (LibYAML when present) and read a cassette from them."""
    if not data or data.isspace():  # (no strip(): it would copy a large file)
        raise CassetteFormatError(
            path,
            "the file is empty",
            expected=f"a runreplay cassette starting with format_version: {FORMAT_VERSION}",
        )
    check_plain(path, data)
    gc_was_enabled = gc.isenabled()
    gc.disable()  # parsing makes many objects and no cycles; a collection pass would triple the time
    try:
        loader = _LOADER(data)
        try:
            try:
                root = loader.get_single_node()
            except yaml.MarkedYAMLError as error:
                mark = error.problem_mark or error.context_mark
                line = mark.line + 1 if mark is not None else None
                problem = error.problem or _one_line(error)
                raise CassetteFormatError(
                    path, f"invalid YAML: {problem}", line=line, expected="a YAML document"
                ) from None
            except yaml.YAMLError as error:
                raise CassetteFormatError(
                    path, f"invalid YAML: {_one_line(error)}", expected="a YAML document"
                ) from None
            if root is None:
                raise CassetteFormatError(
                    path,
                    "the file holds no YAML document, only comments or blank lines",
                    expected=f"a runreplay cassette starting with format_version: {FORMAT_VERSION}",
                )
            reader = _Reader(path, loader)
            cassette = reader.cassette(root)
            if not _ends_with_document_end(data):
                raise CassetteFormatError(
                    path,
                    "the file does not end with the line '...' that runreplay writes after the last "
                    "interaction, so it was probably cut off",
                    line=data.count(b"\n") + 1,
                    expected="'...' as the last line",
                )
            return cassette
        finally:
            loader.dispose()
    finally:
        if gc_was_enabled:
            gc.enable()


def loads(text: str | bytes, *, path: str = "<string>") -> Cassette:
    """The cassette in `text` (the content of a cassette file); `path` names it in error messages."""
    return _parse(path, text.encode("utf-8") if isinstance(text, str) else text)


def load(path: str | os.PathLike[str]) -> Cassette:
    """Read the cassette file at `path`.

    Raises `FileNotFoundError` when there is no file, and `CassetteFormatError` (naming the file, the
    line and what was expected) when the file cannot be loaded exactly, including an empty file.
    A large cassette is read from its index cache when that matches the file (`cassette.cache`).
    """
    return load_indexed(path)[0]


def load_indexed(path: str | os.PathLike[str]) -> tuple[Cassette, list[Hashable] | None]:
    """`load`, plus the request keys for the default `match_on` when the index cache had them."""
    from runreplay.cassette import _cache as cache

    name = os.fspath(path)
    try:
        with open(name, "rb") as file:
            stat = os.fstat(file.fileno())
            if stat.st_size >= cache.MIN_BYTES:
                cached = cache.read(name, stat)
                if cached is not None:
                    return cached
            data = file.read()
    except FileNotFoundError as error:
        raise FileNotFoundError(
            error.errno,
            f"no cassette at {name}; record it first (e.g. --record-mode=once)",
            name,
        ) from None
    cassette = _parse(name, data)
    if stat.st_size >= cache.MIN_BYTES:
        from runreplay.cassette._index import make_key_function

        key = make_key_function()
        keys: list[Hashable] = [key(interaction.request) for interaction in cassette.interactions]
        cache.write(name, data, stat, cassette, keys)
        return cassette, keys
    return cassette, None
