"""One active cassette: what to do with each request (replay, record, fault, refuse) and saving at the end.

The session is client-agnostic: adapters turn a client's request into a `RecordedRequest`, ask
`decide()`, then either play the returned interaction or record the live response through a
`StreamRecorder` from `recorder_for()`. The cassette comes from the process-wide shared copy
(`runreplay.recording._store`), so N sessions over one cassette cost one load and one index. `close()`
keeps new interactions: appended to the cassette's journal during a pytest run (folded in once, by
`finish_run`), or merged into the file at once (atomically, under the cassette lock) otherwise.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from runreplay.cassette._journal import cassette_lock
from runreplay.cassette.model import Cassette, Chunk, Interaction, RecordedRequest, RecordedResponse
from runreplay.errors import RunreplayError, SecretLeakError, UnmatchedRequestError
from runreplay.faults import DropAfter, ErrorEvent, Fault, HttpError, Stall
from runreplay.recording._config import CassetteConfig
from runreplay.recording._matching import unmatched_message
from runreplay.recording._recorder import StreamRecorder
from runreplay.recording._replay import Plan, build_plan

__all__ = [
    "CassetteSession",
    "Record",
    "Replay",
    "SessionStats",
    "Synthetic",
    "cassette_lock",
]


@dataclass(frozen=True, slots=True)
class Replay:
    """Play this recorded interaction (cassette position `position`) with these stream faults."""

    interaction: Interaction
    position: int
    faults: tuple[Fault, ...]


@dataclass(frozen=True, slots=True)
class Record:
    """Send the request live and record the response under sequence number `seq`."""

    request: RecordedRequest
    seq: int


@dataclass(frozen=True, slots=True)
class Synthetic:
    """Answer with this made-up response (an `http_error` fault) instead of the recording."""

    response: RecordedResponse


@dataclass(slots=True)
class SessionStats:
    """What happened in one session, for the end-of-run summary and `--runreplay-strict`."""

    path: str
    existed: bool
    total: int = 0
    played: int = 0
    recorded: int = 0
    unplayed: list[int] = field(default_factory=list)


def _now_iso() -> str:
    """The current UTC time as ISO-8601 with seconds, for `recorded_at`."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _error_body(fault: HttpError) -> bytes:
    """The API's error JSON for an injected HTTP error."""
    import json

    kind = {429: ("requests", "rate_limit_exceeded")}.get(fault.status, ("server_error", None))
    body = {"error": {"message": fault.message, "type": kind[0], "param": None, "code": kind[1]}}
    return json.dumps(body, indent=2).encode() + b"\n"


class CassetteSession:
    """The state of one cassette while a test (or a `use_cassette` block) runs."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        config: CassetteConfig,
        *,
        test: str | None = None,
        run_id: str | None = None,
        cassette: Cassette | None = None,
    ) -> None:
        """`cassette`, when given, is used instead of reading `path` (`runreplay serve` merges files)."""
        from runreplay.cassette._index import CassetteIndex, KeyTable, make_key_function
        from runreplay.recording import _store as store
        from runreplay.recording._redaction import redactor_for

        self.path = Path(path)
        self.config = config
        self.test = test
        self.run_id = run_id
        self._lock = threading.RLock()
        self._seq = itertools.count()
        self._key = make_key_function(config.match_on)
        if cassette is not None:  # given whole (`runreplay serve`): not shared, never written back
            self.existed = True
            table = KeyTable(list(cassette.interactions), self._key)
            self._meta: dict[str, object] = dict(cassette.meta)
            written_this_run = False
        elif config.record_mode == "rewrite":
            self.existed = self.path.exists()
            table = KeyTable([], self._key)
            self._meta = {}
            written_this_run = False
        else:
            view = store.open_shared(self.path, config.match_on, self._key, run_id=run_id)
            self.existed = view.existed
            table = view.table
            self._meta = view.meta
            # A cassette written earlier in this same run (another test, or another xdist worker,
            # sharing it by name) is still being recorded: in `once` the tests after the first may too.
            written_this_run = view.written_this_run
        self._index = CassetteIndex.over(table)
        self._last_for_key: dict[object, int] = {}
        self.redactor = redactor_for(config)
        self._learned: set[str] = set()  # secrets learned from recorded requests (see Redactor.learn)
        self._may_replay = config.replays
        self._may_record = config.records(cassette_exists=self.existed and not written_this_run)
        self._http_errors = [[fault, fault.times] for fault in config.faults if isinstance(fault, HttpError)]
        self._stream_faults: list[list[DropAfter | Stall | ErrorEvent | int | None]] = [
            [f, f.times] for f in config.faults if isinstance(f, DropAfter | Stall | ErrorEvent)
        ]
        self._new: list[tuple[int, Interaction]] = []
        self._recorders: list[StreamRecorder] = []
        self.errors: list[RunreplayError] = []
        self.played = 0
        self.faults_applied = 0
        self.closed = False
        self.interrupted = False
        """Set when the run was interrupted (Ctrl-C, SIGTERM): cut-off streams are then not saved."""

    @property
    def cassette(self) -> Cassette:
        """The interactions this session sees (the file's, then its own new ones) and the metadata."""
        return Cassette(interactions=self._index.interactions, meta=self._meta)

    @property
    def may_record(self) -> bool:
        """Whether a request with no recording goes to the network and is recorded in this session."""
        return self._may_record

    # -- deciding -------------------------------------------------------------------------------

    def ignores(self, host: str) -> bool:
        """Whether requests to `host` bypass the cassette entirely (`ignore_hosts`)."""
        return host.lower() in self.config.ignore_hosts

    def decide(self, request: RecordedRequest) -> Replay | Record | Synthetic:
        """Choose what answers `request` (already as sent by the client, not yet redacted)."""
        redacted = self._matching_view(request)
        with self._lock:
            for entry in self._http_errors:
                fault, left = entry
                if isinstance(fault, HttpError) and isinstance(left, int) and left > 0:
                    entry[1] = left - 1
                    self.faults_applied += 1
                    return Synthetic(self._synthetic(fault))
            key = self._key(redacted)
            if self._may_replay:
                hit = self._index.take(key)
                if hit is not None:
                    position, interaction = hit
                    self._last_for_key[key] = position
                    self.played += 1
                    return Replay(interaction, position, self._faults_for(interaction))
                if self.config.allow_playback_repeats and key in self._last_for_key:
                    position = self._last_for_key[key]
                    self.played += 1
                    interaction = self._index.interaction(position)
                    return Replay(interaction, position, self._faults_for(interaction))
            if self._may_record:
                redacted_request, learned = self.redactor.learn(request)
                self._learned.update(learned)
                return Record(redacted_request, next(self._seq))
            error = UnmatchedRequestError(
                unmatched_message(
                    redacted,
                    cassette=self.cassette,
                    path=self.path,
                    existed=self.existed,
                    config=self.config,
                    played=set(self._index.played_positions()),
                    key=key,
                    key_function=self._key,
                )
            )
            self.errors.append(error)
            raise error

    def plan(
        self, decision: Replay | Synthetic, *, speed: float | None = None
    ) -> tuple[RecordedResponse, Plan]:
        """The response that answers `decision` and how to play it: chunk timing at `speed` (the
        session's replay speed unless given), the stream faults, and how the body ends."""
        if isinstance(decision, Synthetic):
            return decision.response, build_plan(decision.response, (), 0.0)
        response = decision.interaction.response
        speed = self.config.replay_speed if speed is None else speed
        plan = build_plan(response, decision.faults, speed, source=str(self.path), position=decision.position)
        return response, plan

    def _matching_view(self, request: RecordedRequest) -> RecordedRequest:
        """What matching looks at, redacted as the recordings were: method, URL, content type and body.

        Headers other than the content type never take part in matching, so they are not redacted on
        this hot path; a request that is recorded is redacted whole.
        """
        scanner = self.redactor.scanner()
        content_type = request.header("content-type")
        form = (content_type or "").split(";", 1)[0].strip().lower() == "application/x-www-form-urlencoded"
        return RecordedRequest(
            method=request.method,
            url=scanner.redact_url(request.url),
            headers=[("content-type", content_type)] if content_type is not None else [],
            body=scanner.redact_body(request.body, form=form),
        )

    def _faults_for(self, interaction: Interaction) -> tuple[Fault, ...]:
        """The stream faults that apply to this replay, counting down those limited by `times`."""
        chosen: list[Fault] = []
        for entry in self._stream_faults:
            fault, left = entry
            assert isinstance(fault, DropAfter | Stall | ErrorEvent)
            if not isinstance(fault, Stall) and not interaction.response.is_event_stream:
                continue
            if isinstance(left, int):
                if left <= 0:
                    continue
                entry[1] = left - 1
            chosen.append(fault)
            self.faults_applied += 1
        return tuple(chosen)

    def _synthetic(self, fault: HttpError) -> RecordedResponse:
        """The response for an `http_error` fault: the API's error body, `retry-after` when asked."""
        headers = [("content-type", "application/json"), ("x-request-id", "req_runreplay_fault")]
        if fault.retry_after is not None:
            headers.append(("retry-after-ms", str(round(fault.retry_after * 1000))))
            headers.append(("retry-after", str(max(1, round(fault.retry_after)))))
        reasons = {
            429: "Too Many Requests",
            500: "Internal Server Error",
            502: "Bad Gateway",
            503: "Service Unavailable",
        }
        return RecordedResponse(
            status=fault.status,
            reason=reasons.get(fault.status, "Error"),
            headers=headers,
            chunks=[Chunk(data=_error_body(fault), offset_ms=0.0)],
        )

    # -- recording ------------------------------------------------------------------------------

    def recorder_for(
        self,
        decision: Record,
        *,
        started: float,
        status: int,
        reason: str,
        http_version: str,
        headers: list[tuple[str, str]],
        already_decoded: bool = False,
    ) -> StreamRecorder:
        """A recorder for the live response to `decision`; it hands its interaction back on finish."""

        def on_finish(interaction: Interaction) -> None:
            with self._lock:
                learned = frozenset(self._learned)
            interaction.response = self.redactor.scanner(learned).response(interaction.response)
            interaction.recorded_at = _now_iso()
            with self._lock:
                self._new.append((decision.seq, interaction))
                self._index.add(interaction, played=True)

        recorder = StreamRecorder(
            decision.request,
            started=started,
            status=status,
            reason=reason,
            http_version=http_version,
            headers=headers,
            decode_compressed=self.config.decode_compressed,
            already_decoded=already_decoded,
            on_finish=on_finish,
        )
        with self._lock:
            self._recorders.append(recorder)
        return recorder

    # -- closing --------------------------------------------------------------------------------

    def stats(self) -> SessionStats:
        """Counts for the summary: interactions on file, played, recorded now, and never played."""
        with self._lock:
            played = set(self._index.played_positions())
            total = len(self._index)
            return SessionStats(
                path=str(self.path),
                existed=self.existed,
                total=total,
                played=self.played,
                recorded=len(self._new),
                unplayed=[p for p in range(total) if p not in played] if self._may_replay else [],
            )

    def close(self) -> None:
        """Finish streams the client never closed, then save what was recorded (if anything)."""
        with self._lock:
            if self.closed:
                return
            self.closed = True
            pending = [r for r in self._recorders if not r.finished]
        for recorder in pending:
            recorder.finish(complete=False)
        with self._lock:
            new = [interaction for _, interaction in sorted(self._new, key=lambda pair: pair[0])]
        if self.interrupted:
            # A stream cut by the interruption would replay as if the server had ended it: drop it.
            new = [i for i in new if i.response.complete or i.response.error is not None]
        if new or (self.config.record_mode == "rewrite" and self.existed):
            self._save(new)

    def _save(self, new: list[Interaction]) -> None:
        """Audit what is new, then keep it: in the run's journal, or merged into the file at once."""
        from runreplay.cassette._audit import format_findings, scan_cassette
        from runreplay.recording import _store as store
        from runreplay.recording._redaction import redaction_config_for

        with self._lock:
            learned = frozenset(self._learned)
        if learned:  # a secret learned from a later request may have come back in an earlier response
            new = [self.redactor.scrub_learned(interaction, learned) for interaction in new]
        findings = scan_cassette(
            Cassette(interactions=new),
            config=redaction_config_for(self.config),
            path=str(self.path),
            learned=learned,
        )
        if findings:
            raise SecretLeakError(
                f"refusing to write cassette {self.path}: the audit found {len(findings)} secret(s) that "
                f"redaction did not remove:\n{format_findings(findings)}\n"
                "Add the header to filter_headers / the pattern to secret_patterns in runreplay_config, "
                "then record again. Nothing was written."
            )
        store.save(self.path, new, run_id=self.run_id, rewrite=self.config.record_mode == "rewrite")


def started_now() -> float:
    """The clock reading adapters take when a request is sent (monotonic, high resolution)."""
    return time.perf_counter()
