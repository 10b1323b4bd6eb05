"""Reading cassette files: YAML composed (LibYAML when present), checked node by node, turned into models."""

from __future__ import annotations

import base64
import binascii
import gc
import json
import os
import re
from collections.abc import Hashable
from typing import Any, NoReturn

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from runreplay.cassette._json_style import Style, json_dumps
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

__all__ = ["load", "load_indexed", "loads"]

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"

_REQUEST_KEYS = ("method", "url", "headers", "body")
_RESPONSE_KEYS = ("status", "reason", "http_version", "headers", "headers_ms", "complete", "body")
_BODY_FORMS = ("text", "json", "base64")


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
        return json_dumps(value, style).encode("utf-8")

    def json_style(self, node: Node, where: str) -> Style:
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
        sizes: list[int] = []
        offsets: list[float] = []
        for item in value.split():
            size, at, offset = item.partition("@")
            try:  # float() refuses what is not a number; int() a size with more digits than it converts
                ok = bool(at) and size.isdecimal() and 0.0 <= float(offset) <= MAX_MILLISECONDS
                number = int(size) if ok else -1
            except ValueError:
                number = -1
            if number < 0:
                self.fail(node, f"{where} has the item {item!r}", expected)
            sizes.append(number)
            offsets.append(float(offset))
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
    A large cassette is read from its index cache when that matches the file (`cassette._cache`).
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
