"""`runreplay report PATH... -o report.html`: one static, self-contained HTML page to look at recordings.

For each cassette and each interaction: an SVG timeline of chunk arrival with each event placed in
the lane of its type and coloured by it, the assembled answer, the tool calls, the token usage, and
the partial / error / cut-off flags. The page has no script and loads nothing: styles are inline,
the timelines are inline SVG, so it opens offline and can be attached to a CI run as it is.
"""

from __future__ import annotations

import html
import json
import zlib
from pathlib import Path
from urllib.parse import urlsplit

from runreplay._cli.console import Console
from runreplay._cli.paths import CommandError, cassette_files, load_cassette
from runreplay._cli.timeline import StreamView, body_summary, decode_stream, duration_ms
from runreplay.cassette._diff import view_response
from runreplay.cassette._usage import Usage, cassette_usage
from runreplay.cassette.model import Cassette, Interaction

__all__ = ["EVENT_COLOURS", "colour_of", "html_report", "run_report"]

EVENT_COLOURS: tuple[tuple[str, str], ...] = (
    ("error", "#d62728"),
    ("done", "#7f7f7f"),
    ("thread.message.delta", "#2ca02c"),
    ("response.output_text.delta", "#2ca02c"),
    ("thread.run.step.delta", "#ff7f0e"),
    ("response.function_call_arguments.delta", "#ff7f0e"),
    ("thread.run.requires_action", "#e377c2"),
    ("thread.run.failed", "#d62728"),
    ("thread.message.", "#17becf"),
    ("thread.run.step.", "#bcbd22"),
    ("thread.run.", "#1f77b4"),
    ("thread.", "#9467bd"),
    ("response.", "#8c564b"),
)
"""Event type (or prefix) and its colour in the timelines; the first match wins."""

_OTHER = ("#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173")
_WIDTH, _LANE, _LEFT, _RIGHT, _TOP = 860, 16, 230, 20, 10

_STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #1b1f24; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 6px; }
h3 { font-size: 14px; margin: 18px 0 4px; font-family: ui-monospace, monospace; }
.muted { color: #57606a; } .flag { display: inline-block; padding: 0 6px; border-radius: 8px;
  font-size: 12px; margin-left: 6px; color: #fff; } .partial { background: #bf8700; }
.error { background: #cf222e; } .cutoff { background: #8250df; } .ok { background: #1a7f37; }
section.cassette { border-top: 2px solid #d0d7de; } .answer { white-space: pre-wrap;
  background: #f6f8fa; border-left: 4px solid #2ca02c; padding: 6px 10px; margin: 6px 0; }
table { border-collapse: collapse; margin: 6px 0; } td, th { border: 1px solid #d0d7de;
  padding: 2px 8px; text-align: left; font-size: 13px; } code { font-family: ui-monospace, monospace; }
.key { display: inline-block; margin-right: 12px; }
.swatch { display: inline-block; width: 10px; height: 10px; }
svg { display: block; margin: 6px 0; } svg text { font: 11px ui-monospace, monospace; fill: #1b1f24; }
"""


def colour_of(event: str) -> str:
    """The colour of an event type: from `EVENT_COLOURS`, else a stable pick from a small palette."""
    for name, colour in EVENT_COLOURS:
        if event == name or (name.endswith(".") and event.startswith(name)):
            return colour
    return _OTHER[zlib.crc32(event.encode()) % len(_OTHER)]


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _timeline(view: StreamView, interaction: Interaction) -> str:
    """An SVG: one lane per event type (in order of first appearance), a mark per event at its arrival."""
    response = interaction.response
    lanes: list[str] = []
    for event in view.events:
        if event.event not in lanes:
            lanes.append(event.event)
    end = max(duration_ms(response), 1e-9)
    span = _WIDTH - _LEFT - _RIGHT
    height = _TOP + _LANE * max(len(lanes), 1) + 34

    def x(ms: float) -> float:
        return round(_LEFT + span * min(max(ms / end, 0.0), 1.0), 2)

    parts = [
        f'<svg class="timeline" width="{_WIDTH}" height="{height}" '
        f'viewBox="0 0 {_WIDTH} {height}" role="img" aria-label="timeline of {len(view.events)} events">'
    ]
    for row, lane in enumerate(lanes):
        y = _TOP + row * _LANE
        parts.append(f'<rect x="{_LEFT}" y="{y}" width="{span}" height="{_LANE - 2}" fill="#f6f8fa"/>')
        parts.append(f'<text x="{_LEFT - 6}" y="{y + 11}" text-anchor="end">{_e(lane)}</text>')
    for event in view.events:
        y = _TOP + lanes.index(event.event) * _LANE
        parts.append(
            f'<rect class="event" x="{x(event.offset_ms) - 2}" y="{y}" width="5" height="{_LANE - 2}" '
            f'fill="{colour_of(event.event)}"><title>#{event.index + 1} {_e(event.event)} at '
            f"{event.offset_ms:.1f} ms</title></rect>"
        )
    axis = _TOP + _LANE * max(len(lanes), 1) + 4
    parts.append(f'<line x1="{_LEFT}" y1="{axis}" x2="{_LEFT + span}" y2="{axis}" stroke="#57606a"/>')
    for chunk in response.chunks:
        at = x(chunk.offset_ms)
        parts.append(f'<line x1="{at}" y1="{axis}" x2="{at}" y2="{axis + 6}" stroke="#57606a"/>')
    parts.append(f'<text x="{_LEFT}" y="{axis + 20}">0 ms</text>')
    parts.append(f'<text x="{_LEFT + span}" y="{axis + 20}" text-anchor="end">{end:.1f} ms</text>')
    parts.append(f'<text x="{_LEFT - 6}" y="{axis + 10}" text-anchor="end">chunks</text>')
    parts.append("</svg>")
    return "".join(parts)


def _flags(interaction: Interaction, view: StreamView | None) -> str:
    response = interaction.response
    flags = []
    if response.error is not None:
        error = response.error
        flags.append(
            f'<span class="flag error">error {_e(error.type)} after chunk {error.after_chunk}</span>'
        )
    elif not response.complete:
        flags.append('<span class="flag partial">partial</span>')
    if view is not None and view.cut_off is not None:
        flags.append('<span class="flag cutoff">cut off mid-event</span>')
    return "".join(flags) or '<span class="flag ok">complete</span>'


def _usage(usage: Usage | None) -> str:
    if not usage:
        return ""
    return (
        f'<p class="usage">usage: <b>{usage.prompt}</b> prompt + <b>{usage.completion}</b> completion = '
        f"<b>{usage.total}</b> tokens</p>"
    )


def _interaction(index: int, interaction: Interaction) -> str:
    response = interaction.response
    split = urlsplit(interaction.request.url)
    stream = decode_stream(response) if response.is_event_stream else None
    details = view_response(response)
    out = [
        f"<h3>#{index} {_e(interaction.request.method)} {_e(split.path or interaction.request.url)} → "
        f"{response.status} {_e(response.reason)}{_flags(interaction, stream)}</h3>"
    ]
    if stream is not None:
        out.append(
            f'<p class="muted">{len(stream.events)} events in {len(response.chunks)} chunks, headers at '
            f"{response.headers_ms:.1f} ms, last chunk at {duration_ms(response):.1f} ms</p>"
        )
        out.append(_timeline(stream, interaction))
    else:
        summary = body_summary(response)
        if summary:
            out.append(f'<p class="muted">{_e(summary)}</p>')
    if details.text:
        out.append(f'<div class="answer">{_e(details.text)}</div>')
    if details.tool_calls:
        rows = "".join(
            f"<tr><td><code>{_e(call.name)}</code></td><td><code>"
            f"{_e(json.dumps(call.arguments, ensure_ascii=False))}</code></td></tr>"
            for call in details.tool_calls
        )
        out.append(f'<table class="tools"><tr><th>tool call</th><th>arguments</th></tr>{rows}</table>')
    out.append(_usage(details.usage))
    return "".join(out)


def _legend() -> str:
    items = "".join(
        f'<span class="key"><span class="swatch" style="background:{colour}"></span> '
        f"<code>{_e(name)}{'*' if name.endswith('.') else ''}</code></span>"
        for name, colour in EVENT_COLOURS
    )
    return f'<p class="legend">{items}</p>'


def html_report(cassettes: list[tuple[str, Cassette]]) -> str:
    """The whole page for the named cassettes."""
    total = Usage()
    sections = []
    for name, cassette in cassettes:
        usage = cassette_usage(cassette)
        total = total + usage
        count = len(cassette.interactions)
        body = "".join(_interaction(i, item) for i, item in enumerate(cassette.interactions))
        sections.append(
            f'<section class="cassette"><h2>{_e(name)}</h2><p class="muted">{count} interaction'
            f"{'s' if count != 1 else ''}</p>{_usage(usage)}{body}</section>"
        )
    interactions = sum(len(c.interactions) for _, c in cassettes)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>runreplay report</title><style>{_STYLE}</style></head><body>"
        f'<h1>runreplay report</h1><p class="muted">{len(cassettes)} cassette'
        f"{'s' if len(cassettes) != 1 else ''}, {interactions} interactions</p>{_usage(total)}{_legend()}"
        + "".join(sections)
        + "</body></html>\n"
    )


def run_report(paths: list[str], output: str, console: Console) -> int:
    """Write the report of the cassettes under `paths` to `output`; exit 0."""
    target = Path(output)
    if target.is_dir():
        raise CommandError(
            f"report: -o {output} is a directory; expected an HTML file name such as report.html"
        )
    files = cassette_files("report", paths)
    cassettes = [(str(path), load_cassette("report", path)) for path in files]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html_report(cassettes), encoding="utf-8")
    count = sum(len(c.interactions) for _, c in cassettes)
    console.print(f"report: wrote {target} ({len(cassettes)} cassettes, {count} interactions)")
    return 0
