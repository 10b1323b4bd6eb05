"""The one place `serve` and `record` touch the cassette session: building it, asking it, reading its counts.

Both commands are thin layers over `runreplay.recording._session.CassetteSession`: matching (the
index and `match_on`), record modes, faults, redaction and atomic saves are the session's, exactly
as in pytest. Keeping every use of that API here lets it change in one place.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from runreplay.cassette._format import load
from runreplay.cassette.model import Cassette, Interaction, RecordedRequest, RecordedResponse
from runreplay.errors import UnmatchedRequestError
from runreplay.faults import Fault
from runreplay.recording._config import resolve
from runreplay.recording._matching import closest, describe
from runreplay.recording._replay import Plan
from runreplay.recording._session import CassetteSession, Record

__all__ = [
    "SERVE_MATCH_ON",
    "Record",
    "RecordingBook",
    "ServedCassettes",
    "origin_of",
]

SERVE_MATCH_ON = ("method", "path", "query", "body")
"""What `serve` matches on by default: pytest's default minus scheme, host and port (the server's own)."""


def origin_of(url: str) -> str:
    """`scheme://host[:port]` of `url`."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class ServedCassettes:
    """Cassette files replayed as one: identical requests play in file order, then recorded order."""

    def __init__(
        self,
        files: Sequence[str | os.PathLike[str]],
        *,
        replay_speed: float = 0.0,
        faults: Sequence[Fault] = (),
        match_on: Sequence[str] = SERVE_MATCH_ON,
        allow_playback_repeats: bool = False,
        options: Mapping[str, Any] | None = None,
    ) -> None:
        self.files = [Path(file) for file in files]
        self.config = resolve(
            dict(options or {}),
            {
                "record_mode": "none",
                "replay_speed": replay_speed,
                "faults": list(faults),
                "match_on": list(match_on),
                "allow_playback_repeats": allow_playback_repeats,
            },
        )
        merged = Cassette()
        self._spans: list[tuple[Path, int, int]] = []
        for file in self.files:
            loaded = load(file)
            start = len(merged.interactions)
            merged.interactions += loaded.interactions
            self._spans.append((file, start, len(merged.interactions)))
        self._merged = merged
        origins = {origin_of(i.request.url) for i in merged.interactions}
        self.origin = origins.pop() if len(origins) == 1 else None
        self._label = str(self.files[0]) if len(self.files) == 1 else f"{len(self.files)} cassettes"
        self.requests = 0
        self.unmatched = 0
        self._counts = threading.Lock()
        self.session = self._new_session()

    def _new_session(self) -> CassetteSession:
        return CassetteSession(Path(self._label), self.config, cassette=self._merged)

    def reset(self) -> None:
        """Start over: every recording may play again, and the counts go back to zero."""
        with self._counts:
            self.session = self._new_session()
            self.requests = self.unmatched = 0

    def request(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes, *, own_origin: str
    ) -> RecordedRequest:
        """The request as a recording would hold it: the path on the recorded origin, when all share one."""
        base = self.origin or own_origin
        return RecordedRequest(method=method, url=base + target, headers=headers, body=body)

    def answer(self, request: RecordedRequest) -> tuple[RecordedResponse, Plan]:
        """The recording (or injected error) that answers `request`, and how to play it.

        UnmatchedRequestError when nothing does (counted, and left to the client rather than the session).
        """
        with self._counts:
            self.requests += 1
            session = self.session
        try:
            decision = session.decide(request)
        except UnmatchedRequestError:
            with self._counts:
                self.unmatched += 1
            session.errors.clear()  # a server answers many; the error went to the client
            raise
        assert not isinstance(decision, Record), "serve never records (record mode none)"
        return session.plan(decision)

    def locate(self, position: int) -> tuple[str, int]:
        """(cassette file, position in that file) of a position among all the served interactions."""
        for file, start, end in self._spans:
            if start <= position < end:
                return str(file), position - start
        raise IndexError(position)

    def closest(self, request: RecordedRequest) -> list[dict[str, object]]:
        """The closest recordings to an unmatched request, as JSON-ready entries."""
        stats = self.session.stats()
        unplayed = set(stats.unplayed)
        found: list[dict[str, object]] = []
        for position in closest(request, self._merged.interactions):
            file, index = self.locate(position)
            recorded = self._merged.interactions[position].request
            found.append(
                {
                    "cassette": file,
                    "interaction": index,
                    "request": describe(recorded),
                    "played": position not in unplayed,
                }
            )
        return found

    def stats(self) -> dict[str, object]:
        """What was played and never played, per cassette file (positions within each file)."""
        stats = self.session.stats()
        unplayed = set(stats.unplayed)
        cassettes = []
        for file, start, end in self._spans:
            cassettes.append(
                {
                    "path": str(file),
                    "interactions": end - start,
                    "played": [p - start for p in range(start, end) if p not in unplayed],
                    "never_played": [p - start for p in range(start, end) if p in unplayed],
                }
            )
        return {
            "requests": self.requests,
            "played": stats.played,
            "unmatched": self.unmatched,
            "faults_applied": self.session.faults_applied,
            "never_played": len(unplayed),
            "cassettes": cassettes,
        }

    @property
    def interactions(self) -> list[Interaction]:
        """Every served interaction, in play order."""
        return self._merged.interactions


class RecordingBook(CassetteSession):
    """The cassette a `RecordingProxy` records into: one ordinary session, saved atomically on close."""

    def counts(self) -> tuple[int, int]:
        """(recorded, played) so far."""
        stats = self.stats()
        return stats.recorded, stats.played
