"""The message for a request that no recording matches: what was asked, where we looked, what came closest.

Modelled on the best anchors (vcrpy 9.4's "closest recorded requests" and pytest-httpx's candidate
list): the request, the cassette file and its counts, the match_on parts, up to three closest
recordings with a unified diff of what differs, and concrete ways to fix it.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from runreplay.cassette.model import Cassette, Interaction, RecordedRequest
from runreplay.errors import docs_link
from runreplay.recording._config import CassetteConfig

__all__ = ["body_text", "closest", "describe", "unmatched_message"]

_MAX_CANDIDATES = 3
_MAX_DIFF_LINES = 40
_MAX_SCORED = 2000


_MAX_LINE = 500
"""Error messages show at most this many characters of one URL or diff line (messages stay readable)."""


def body_text(request: RecordedRequest) -> str:
    """The body as a reader wants it in a diff: pretty, key-sorted JSON when it is JSON, else text."""
    if not request.body:
        return ""
    try:
        return json.dumps(json.loads(request.body), indent=2, sort_keys=True, ensure_ascii=False)
    except ValueError:
        return request.body.decode("utf-8", errors="replace")


def describe(request: RecordedRequest) -> str:
    """`METHOD URL` on one line (a URL longer than `_MAX_LINE` characters is cut)."""
    url = (
        request.url
        if len(request.url) <= _MAX_LINE
        else f"{request.url[:_MAX_LINE]}... ({len(request.url)} characters)"
    )
    return f"{request.method[:_MAX_LINE]} {url}"


def _score(wanted: RecordedRequest, candidate: RecordedRequest) -> float:
    """How alike two requests are: method, host and path weigh most, then body similarity."""
    a, b = urlsplit(wanted.url), urlsplit(candidate.url)
    score = 0.0
    score += 4.0 if wanted.method == candidate.method else 0.0
    score += 2.0 if a.path == b.path else 0.0
    score += 1.0 if a.netloc == b.netloc else 0.0
    score += 0.5 if a.query == b.query else 0.0
    if wanted.body or candidate.body:
        score += 2.0 * difflib.SequenceMatcher(None, wanted.body[:4000], candidate.body[:4000]).quick_ratio()
    return score


def closest(
    request: RecordedRequest, interactions: Sequence[Interaction], *, limit: int = _MAX_CANDIDATES
) -> list[int]:
    """Positions of the `limit` recordings most like `request`, best first (ties: recorded order)."""
    scored = sorted(
        ((_score(request, i.request), p) for p, i in enumerate(interactions[:_MAX_SCORED])),
        key=lambda pair: (-pair[0], pair[1]),
    )
    return [position for _, position in scored[:limit]]


def _diff(recorded: RecordedRequest, wanted: RecordedRequest) -> list[str]:
    """Unified-diff lines (URL, then body) between a recording and the request, capped in length."""
    lines: list[str] = []
    if describe(recorded) != describe(wanted):
        lines += ["- " + describe(recorded), "+ " + describe(wanted)]
    body_diff = list(
        difflib.unified_diff(
            body_text(recorded).splitlines(),
            body_text(wanted).splitlines(),
            fromfile="recorded body",
            tofile="this request's body",
            lineterm="",
            n=1,
        )
    )
    lines += body_diff
    lines = [
        line if len(line) <= _MAX_LINE else f"{line[:_MAX_LINE]}... ({len(line)} characters)"
        for line in lines
    ]
    if len(lines) > _MAX_DIFF_LINES:
        lines = [*lines[:_MAX_DIFF_LINES], f"... ({len(lines) - _MAX_DIFF_LINES} more diff lines)"]
    return lines


def unmatched_message(
    request: RecordedRequest,
    *,
    cassette: Cassette,
    path: Path,
    existed: bool,
    config: CassetteConfig,
    played: set[int],
    key: Hashable,
    key_function: Callable[[RecordedRequest], Hashable],
) -> str:
    """The whole explanation for an unmatched request in a mode that may not record it."""
    mode = config.record_mode
    head = [
        f"runreplay: no recorded response for this request, and record mode {mode!r} "
        "does not record new ones.",
        "",
        f"  {describe(request)}",
    ]
    interactions = cassette.interactions
    if not existed:
        head += [
            "",
            f"Cassette: {path} does not exist.",
            "",
            "How to fix:",
            "  * record it: run this test once with --record-mode=once (the server or API must be reachable)",
            f"See {docs_link('record-mode')}",
        ]
        return "\n".join(head)
    same_key = [p for p, i in enumerate(interactions) if key_function(i.request) == key]
    head += [
        "",
        f"Cassette: {path} ({len(interactions)} interactions, {len(played)} played)",
        f"  record_mode: {mode}",
        f"  match_on: {', '.join(config.match_on)}",
    ]
    fixes = ["", "How to fix:"]
    if same_key:
        head += [
            "",
            f"It matches {len(same_key)} recorded interaction(s) (#{', #'.join(map(str, same_key))}), "
            "but all of them were already played.",
        ]
        fixes += [
            "  * if the same response may answer every repeat, set allow_playback_repeats=True",
            "  * otherwise record the extra request: run with --record-mode=new_episodes",
        ]
    else:
        nearest = closest(request, interactions)
        if nearest:
            head += ["", "Closest recorded requests:"]
            for position in nearest:
                state = "played" if position in played else "not played"
                recorded = interactions[position].request
                head.append(f"  #{position} {describe(recorded)} ({state})")
                head += ["      " + line for line in _diff(recorded, request)]
        fixes += [
            "  * record it: run with --record-mode=new_episodes (keeps the other recordings)",
            "  * if the difference is volatile, leave that part out of match_on",
        ]
    return "\n".join([*head, *fixes, f"See {docs_link('unmatched-requests')}"])
