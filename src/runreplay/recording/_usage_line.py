"""The pytest summary line of token usage: what the replayed interactions recorded, so not spent this run."""

from __future__ import annotations

from collections.abc import Iterable

from runreplay.cassette._format import load
from runreplay.cassette._usage import Usage, cassette_usage
from runreplay.errors import CassetteFormatError
from runreplay.recording._session import SessionStats

__all__ = ["replayed_usage", "usage_line"]


def replayed_usage(stats: Iterable[SessionStats]) -> Usage:
    """The usage recorded in the interactions that were replayed (not those recorded in this run)."""
    total = Usage()
    for item in stats:
        if not (item.existed and item.played):
            continue
        try:
            cassette = load(item.path)
        except (OSError, CassetteFormatError):
            continue  # the run already reported it; a summary line is no place for a second error
        unplayed = set(item.unplayed)
        on_file = max(item.total - item.recorded, 0)  # recordings of this run are appended at the end
        positions = [p for p in range(min(on_file, len(cassette.interactions))) if p not in unplayed]
        total = total + cassette_usage(cassette, positions)
    return total


def usage_line(stats: Iterable[SessionStats]) -> str | None:
    """`runreplay: replays carried N recorded tokens (P prompt + C completion), not spent`, or None."""
    usage = replayed_usage(stats)
    if not usage:
        return None
    return (
        f"runreplay: replays carried {usage.total:,} recorded tokens ({usage.prompt:,} prompt + "
        f"{usage.completion:,} completion), not spent in this run"
    )
