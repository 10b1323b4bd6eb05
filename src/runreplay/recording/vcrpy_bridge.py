"""vcrpy's patches for the clients runreplay has no adapter of its own for, answered by the active session.

vcrpy intercepts `http.client` (so `urllib.request`), aiohttp, httplib2, tornado and boto3. Its stubs
talk to a cassette object through a small interface (`can_play_response_for`, `play_response`,
`append`, `filter_request`, `write_protected`); `VcrBridge` implements that interface on top of the
active `CassetteSession`, so those clients get runreplay's format, matching, redaction, record modes
and error messages. They are recorded and replayed whole (vcrpy reads a body to its end before the
caller sees it). httpx, httpx2 and requests keep runreplay's own chunk-faithful adapters, so vcrpy's
patchers for them are skipped; so is its urllib3 patcher, because requests sends through urllib3 and
vcrpy's urllib3 stub would read a live stream to its end underneath runreplay's requests adapter.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from runreplay.cassette.model import RecordedRequest, RecordedResponse
from runreplay.recording.active import current_session
from runreplay.recording.session import Record, Replay, Synthetic

__all__ = ["VcrBridge", "VcrPatch"]

_DECISION = "_runreplay_decision"
_STARTED = "_runreplay_started"


def _recorded(request: Any) -> RecordedRequest:
    """A RecordedRequest from a vcrpy Request."""
    headers = [(str(name), str(value)) for name, value in request.headers.items()]
    body = request.body
    if body is None:
        body = b""
    elif isinstance(body, str):
        body = body.encode("utf-8")
    return RecordedRequest(method=request.method.upper(), url=request.uri, headers=headers, body=bytes(body))


def _as_vcr_response(response: RecordedResponse) -> dict[str, Any]:
    """A recorded response in the shape vcrpy's stubs play back (the body whole)."""
    headers: dict[str, list[str]] = {}
    for name, value in response.headers:
        if name.lower() == "transfer-encoding":
            continue  # the body is handed over whole, not chunked
        headers.setdefault(name, []).append(value)
    return {
        "status": {"code": response.status, "message": response.reason},
        "headers": headers,
        "body": {"string": response.body},
    }


class VcrBridge:
    """The cassette interface vcrpy's stubs expect, delegating every decision to the active session."""

    _path = "runreplay"
    custom_patches: tuple[Any, ...] = ()
    skip_patchers = ("httpx", "httpx2", "requests", "urllib3")
    write_protected = False  # refusals are raised by the session, with runreplay's message
    allow_playback_repeats = False

    def filter_request(self, request: Any) -> Any:
        """The request, or None when the active session does not handle it (so vcrpy sends it live)."""
        session = current_session()
        if session is None or session.ignores(urlsplit(request.uri).hostname or ""):
            return None
        return request

    def can_play_response_for(self, request: Any) -> bool:
        """Decide once per request (vcrpy asks several times) whether a recording answers it."""
        if self.filter_request(request) is None:
            return False
        decision = getattr(request, _DECISION, None)
        if decision is None:
            setattr(request, _STARTED, time.perf_counter())
            session = current_session()
            assert session is not None
            decision = session.decide(_recorded(request))
            setattr(request, _DECISION, decision)
        return not isinstance(decision, Record)

    def play_response(self, request: Any) -> dict[str, Any]:
        """The recorded (or fault) response for a request `can_play_response_for` accepted."""
        decision = getattr(request, _DECISION)
        if isinstance(decision, Synthetic):
            return _as_vcr_response(decision.response)
        assert isinstance(decision, Replay)
        return _as_vcr_response(decision.interaction.response)

    def append(self, request: Any, response: dict[str, Any]) -> None:
        """Record what vcrpy received live for a request the session chose to record."""
        decision = getattr(request, _DECISION, None)
        session = current_session()
        if not isinstance(decision, Record) or session is None:
            return
        headers = [
            (name, str(value)) for name, values in response.get("headers", {}).items() for value in values
        ]
        status = response.get("status", {})
        recorder = session.recorder_for(
            decision,
            started=getattr(request, _STARTED, time.perf_counter()),
            status=int(status.get("code", 0)),
            reason=str(status.get("message", "")),
            http_version="HTTP/1.1",
            headers=headers,
            already_decoded=False,
        )
        body = response.get("body", {}).get("string", b"")
        recorder.chunk(body.encode("utf-8") if isinstance(body, str) else body)
        recorder.finish(complete=True)

    def find_requests_with_most_matches(self, request: Any) -> list[Any]:
        """Used by vcrpy's aiohttp stub only to word an error that runreplay raises itself instead."""
        return []


class VcrPatch:
    """Installs vcrpy's patchers (but those for httpx, httpx2, requests, urllib3) on a `VcrBridge`."""

    def __init__(self) -> None:
        self._bridge = VcrBridge()
        self._built: list[Any] | None = None
        self._started: list[Any] = []

    def install(self) -> None:
        """Start vcrpy's patchers for every client library it knows that is installed.

        They are built once per process (building them imports and subclasses every client's
        connection classes, several milliseconds) and only started and stopped per activation.
        """
        if self._started:
            return
        if self._built is None:
            from vcr.patch import CassettePatcherBuilder

            self._built = list(CassettePatcherBuilder(self._bridge).build())
        for patcher in self._built:
            patcher.start()
            self._started.append(patcher)

    def uninstall(self) -> None:
        """Stop them, last started first."""
        while self._started:
            self._started.pop().stop()
