"""Writing cassette files: each interaction rendered once as YAML, in the layout `_format` describes."""

from __future__ import annotations

import base64
import math
import os
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import Node

from runreplay._version import __version__
from runreplay.cassette import _literal as literal
from runreplay.cassette._atomic import write_atomically
from runreplay.cassette._json_style import NOT_LITERAL, detect_json, pretty_json
from runreplay.cassette.model import FORMAT_VERSION, Cassette, Interaction, RecordedRequest, RecordedResponse

__all__ = ["dumps", "render_interaction", "save"]

_HEADER = (
    "# runreplay cassette (https://pypi.org/project/pytest-runreplay/). Bodies are rebuilt byte for\n"
    "# byte from `json`/`text`/`base64` and `chunks`; `runreplay inspect FILE` lists the events.\n"
)

_STR = "tag:yaml.org,2002:str"
_DUMPER_BASE: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Pair(tuple[str, str]):
    """A header written as a flow-style ``[name, value]`` pair (the fallback header form)."""

    __slots__ = ()


def _represent_str(dumper: Any, data: str) -> Node:
    """Multi-line strings as literal blocks when they can be held verbatim; the emitter quotes the rest."""
    block = literal.represent_block(dumper, data)  # emoji, tabs, trailing spaces: still a literal block
    if block is not None:
        return block
    special = NOT_LITERAL.search(data)
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
        found = detect_json(raw, any_value=_is_json_type(headers))
        if found is not None:
            value, style = found
            return {"style": style, "json": pretty_json(value)}
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


def save(path: str | os.PathLike[str], cassette: Cassette) -> None:
    """Write `cassette` to `path` atomically: a crash or error mid-save leaves the old file intact.

    The text is written to a new temporary file in the same folder (created with the usual
    permissions), flushed and fsynced, then renamed over `path`; the folder is fsynced where the
    platform allows it. Parent folders are created. On any error the temporary file is removed.
    """
    write_atomically(Path(path), dumps(cassette).encode("utf-8"))
