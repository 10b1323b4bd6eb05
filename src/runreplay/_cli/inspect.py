"""`runreplay inspect`: a cassette as a table of interactions and a timeline per stream, or as JSON."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from runreplay._cli.console import Style
from runreplay._cli.timeline import StreamView, body_summary, decode_stream, duration_ms, summarize
from runreplay.cassette import FORMAT_VERSION, Cassette, Interaction
from runreplay.cassette._usage import cassette_usage
from runreplay.cassette.model import RecordedResponse
from runreplay.sse import Truncated

__all__ = ["document", "format_ms", "render"]

_BAR_WIDTH = 20
_EIGHTHS = " ▏▎▍▌▋▊▉█"
_COLUMNS = ("#", "method", "url", "status", "bytes", "chunks", "events", "duration", "flags")
_RIGHT = {"#", "bytes", "chunks", "events", "duration"}


def format_ms(value: float) -> str:
    """Milliseconds for people: `12.3 ms` below a second, `1.25 s` from there on."""
    return f"{value:.1f} ms" if abs(value) < 1000 else f"{value / 1000:.2f} s"


def _flags(response: RecordedResponse, view: StreamView | None) -> list[str]:
    """`partial` (closed by the client), `error=TYPE` (failed mid-body), `cut-off` (stopped mid-event)."""
    flags = []
    if response.error is not None:
        flags.append(f"error={response.error.type}")
    elif not response.complete:
        flags.append("partial")
    if view is not None and view.cut_off is not None:
        flags.append("cut-off")
    return flags


def _status_text(response: RecordedResponse) -> str:
    """`200 OK`: the status and its reason phrase."""
    return f"{response.status} {response.reason}".strip()


def _bar(fraction: float, *, unicode: bool) -> str:
    """A bar of `fraction` x `_BAR_WIDTH` cells, in eighths of a cell when Unicode can be printed."""
    fraction = min(max(fraction, 0.0), 1.0)
    if not unicode:
        return ("#" * round(fraction * _BAR_WIDTH)).ljust(_BAR_WIDTH)
    eighths = round(fraction * _BAR_WIDTH * 8)
    full, part = divmod(eighths, 8)
    return ("█" * full + (_EIGHTHS[part] if part else "")).ljust(_BAR_WIDTH)


_LONG_ID = re.compile(r"\b([a-z]+_)([A-Za-z0-9]{4})[A-Za-z0-9]{8,}")


def _origin(url: str) -> str:
    """`scheme://host:port` of `url` (empty for a relative URL)."""
    split = urlsplit(url)
    return f"{split.scheme}://{split.netloc}" if split.scheme else ""


def _short_url(url: str, origin: str | None) -> str:
    """The URL for the table: without the origin all rows share, API ids shortened (`run_abcd…`)."""
    if origin and url.startswith(origin):
        url = url[len(origin) :] or "/"
    return _LONG_ID.sub(lambda match: f"{match.group(1)}{match.group(2)}…", url)


def _views(cassette: Cassette) -> list[StreamView | None]:
    """The decoded events of each SSE response (None for the other responses), decoded once."""
    return [
        decode_stream(item.response) if item.response.is_event_stream else None
        for item in cassette.interactions
    ]


def _table(cassette: Cassette, views: Sequence[StreamView | None], style: Style) -> list[str]:
    """The interaction table, columns aligned, colour applied after padding."""
    origins = {_origin(item.request.url) for item in cassette.interactions}
    origin = origins.pop() if len(origins) == 1 else None
    rows: list[list[str]] = []
    for index, (item, view) in enumerate(zip(cassette.interactions, views, strict=True)):
        response = item.response
        rows.append(
            [
                str(index),
                item.request.method,
                _short_url(item.request.url, origin),
                _status_text(response),
                str(len(response.body)),
                str(len(response.chunks)),
                str(len(view.events)) if view is not None else "-",
                format_ms(duration_ms(response)),
                ",".join(_flags(response, view)),
            ]
        )
    widths = [max(len(name), *(len(row[i]) for row in rows)) for i, name in enumerate(_COLUMNS)]

    def line(cells: Sequence[str], styled: Sequence[str]) -> str:
        """One row: plain `cells` give the padding, `styled` is what is printed."""
        padded = []
        for name, width, cell, shown in zip(_COLUMNS, widths, cells, styled, strict=True):
            pad = " " * (width - len(cell))
            padded.append(pad + shown if name in _RIGHT else shown + pad)
        return "  " + "  ".join(padded).rstrip()

    lines = [line(_COLUMNS, [style(name, "bold") for name in _COLUMNS])]
    for item, row in zip(cassette.interactions, rows, strict=True):
        styled = list(row)
        styled[3] = style.status(item.response.status, row[3])
        styled[8] = style(row[8], "red" if "error" in row[8] else "yellow")
        lines.append(line(row, styled))
    return lines


def _where(item: Interaction) -> str:
    """`METHOD /path → STATUS`: the heading of an interaction's detail."""
    split = urlsplit(item.request.url)
    path = split.path + (f"?{split.query}" if split.query else "")
    return f"{item.request.method} {path or item.request.url} → {_status_text(item.response)}"


def _cut_off(cut: Truncated) -> str:
    """How a stream that stopped mid-event ended: inside which event, or in which line."""
    if cut.event is not None:
        return f"the stream stopped inside a {cut.event.event} event (its closing blank line never came)"
    if cut.partial_line:
        line = cut.partial_line.decode("utf-8", "replace")
        shown = line if len(line) <= 40 else line[:39] + "…"
        return f"the stream stopped in the middle of the line {shown!r}"
    return "the stream stopped inside an event that had no data line yet"


def _timeline(index: int, item: Interaction, view: StreamView, style: Style, *, unicode: bool) -> list[str]:
    """The heading of one stream and one line per event: number, offset, bar, name, summary."""
    response = item.response
    count = len(view.events)
    end = duration_ms(response)
    timing = (
        f"headers at {format_ms(response.headers_ms)}, last chunk at {format_ms(end)}"
        if end
        else "no timing recorded"
    )
    heading = f"#{index} {_where(item)}: {count} event{'s' if count != 1 else ''}, {timing}"
    lines = [style(heading, "bold")]
    numbers = [f"#{event.index + 1}" for event in view.events]
    offsets = [f"+{format_ms(event.offset_ms)}" for event in view.events]
    number_width = max(map(len, numbers), default=0)
    offset_width = max(map(len, offsets), default=0)
    name_width = max((len(event.event) for event in view.events), default=0)
    for event, number, offset in zip(view.events, numbers, offsets, strict=True):
        bar = f"{style(_bar(event.offset_ms / end, unicode=unicode), 'blue')}  " if end else ""
        name_colour = "red" if event.event == "error" else "cyan"
        text = (
            f"  {number.rjust(number_width)}  {style(offset.rjust(offset_width), 'dim')}  {bar}"
            f"{style(event.event.ljust(name_width), name_colour)}  {summarize(event.event, event.data)}"
        )
        lines.append(text.rstrip())
    if view.cut_off is not None:
        lines.append(style(f"  cut off: {_cut_off(view.cut_off)}", "yellow"))
    if response.error is not None:
        error = response.error
        lines.append(style(f"  error after chunk {error.after_chunk}: {error.type}: {error.message}", "red"))
    elif not response.complete:
        lines.append(style("  partial: the client closed the stream before the server ended it", "dim"))
    return lines


def render(cassette: Cassette, path: str, style: Style, *, unicode: bool = True) -> list[str]:
    """The text of `runreplay inspect`: a summary line, the table, then each interaction's detail."""
    views = _views(cassette)
    streams = sum(view is not None for view in views)
    total = len(cassette.interactions)
    origins = {_origin(item.request.url) for item in cassette.interactions}
    where = f" on {origins.pop()}" if len(origins) == 1 else ""
    usage = cassette_usage(cassette)
    spent = (
        f"; recorded usage {usage.prompt} prompt + {usage.completion} completion = {usage.total} tokens"
        if usage
        else ""
    )
    lines = [
        style(f"{path}: {total} interaction{'s' if total != 1 else ''}", "bold")
        + f", {streams} stream{'s' if streams != 1 else ''}{where}{spent}"
    ]
    if not total:
        return lines
    lines += _table(cassette, views, style)
    for index, (item, view) in enumerate(zip(cassette.interactions, views, strict=True)):
        lines.append("")
        if view is not None:
            lines += _timeline(index, item, view, style, unicode=unicode)
        else:
            summary = body_summary(item.response)
            lines.append(style(f"#{index} {_where(item)}", "bold") + (f": {summary}" if summary else ""))
    return lines


def _data(text: str) -> Any:
    """Event data as its JSON value when it is JSON, else as the string."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def document(cassette: Cassette, path: str) -> dict[str, Any]:
    """The machine-readable form of `runreplay inspect --json` (keys are stable; events are 0-based)."""
    interactions = []
    for index, (item, view) in enumerate(zip(cassette.interactions, _views(cassette), strict=True)):
        response = item.response
        error = response.error
        interactions.append(
            {
                "index": index,
                "method": item.request.method,
                "url": item.request.url,
                "status": response.status,
                "reason": response.reason,
                "bytes": len(response.body),
                "chunks": len(response.chunks),
                "headers_ms": response.headers_ms,
                "duration_ms": duration_ms(response),
                "complete": response.complete,
                "error": None
                if error is None
                else {"type": error.type, "message": error.message, "after_chunk": error.after_chunk},
                "event_stream": view is not None,
                "cut_off": view is not None and view.cut_off is not None,
                "events": []
                if view is None
                else [
                    {"index": e.index, "event": e.event, "offset_ms": e.offset_ms, "data": _data(e.data)}
                    for e in view.events
                ],
            }
        )
    usage = cassette_usage(cassette)
    return {
        "path": path,
        "format_version": FORMAT_VERSION,
        "meta": cassette.meta,
        "usage": {
            "prompt_tokens": usage.prompt,
            "completion_tokens": usage.completion,
            "total_tokens": usage.total,
        },
        "interactions": interactions,
    }
