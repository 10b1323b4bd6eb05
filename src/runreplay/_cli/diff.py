"""`runreplay diff OLD NEW [--json]`: what a re-recording changed, per interaction, and a verdict."""

from __future__ import annotations

import json
from pathlib import Path

from runreplay._cli.console import Console
from runreplay._cli.paths import CommandError, load_cassette
from runreplay.cassette._diff import CassetteDiff, PairDiff, diff_cassettes

__all__ = ["render", "run_diff"]

_COLOURS = ("green", "yellow", "red")
_MAX_CHANGES = 8


def _heading(pair: PairDiff) -> str:
    """`#old→#new METHOD /path (status)`: which interactions were compared."""
    numbers = {
        (True, True): f"#{pair.old}→#{pair.new}",
        (True, False): f"#{pair.old} removed",
        (False, True): f"#{pair.new} added",
    }[(pair.old is not None, pair.new is not None)]
    old, new = pair.status
    status = str(new if old is None else old if new is None or new == old else f"{old}→{new}")
    return f"{numbers} {pair.method} {pair.url} ({status})"


def render(result: CassetteDiff, old: str, new: str, console: Console) -> list[str]:
    """The per-interaction summary: a heading and verdict each, then what changed, then the verdict."""
    style = console.style
    lines = [style(f"diff {old} → {new}: {len(result.pairs)} interaction pairs", "bold")]
    for pair in result.pairs:
        level = pair.level
        verdict = {0: "same", 1: "content changed", 2: "shape changed"}[level]
        lines.append(f"  {_heading(pair)}: {style(verdict, _COLOURS[level])}")
        important = [c for c in pair.changes if c.level > 0 and c.what not in ("added", "removed")]
        for change in important[:_MAX_CHANGES]:
            marker = "!" if change.level == 2 else "~"
            lines.append(f"      {marker} {change.describe()}")
        if len(important) > _MAX_CHANGES:
            lines.append(f"      … {len(important) - _MAX_CHANGES} more changes (see --json)")
        volatile = [c.what for c in pair.changes if c.level == 0]
        if volatile:
            lines.append(style(f"      (ignored: {', '.join(volatile)})", "dim"))
    level = result.level
    words = {0: "same (only volatile fields and timing changed)", 1: "content changed", 2: "shape changed"}
    lines.append(style(f"verdict: {words[level]} (exit {level})", "bold", _COLOURS[level]))
    return lines


def run_diff(old: str, new: str, as_json: bool, console: Console) -> int:
    """Compare two cassette files; exit 0 same, 1 content changed, 2 shape changed."""
    for path in (old, new):
        if Path(path).is_dir():
            raise CommandError(
                f"diff: {path} is a directory; expected two cassette files such as OLD.yaml NEW.yaml "
                "(keep the old one with 'git show HEAD:PATH > old.yaml')"
            )
    result = diff_cassettes(load_cassette("diff", old), load_cassette("diff", new))
    if as_json:
        document = result.document(old, new)
        console.out.write(json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n")
    else:
        for line in render(result, old, new, console):
            console.print(line)
    return result.level
