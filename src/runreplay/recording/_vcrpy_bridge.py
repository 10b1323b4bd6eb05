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

import functools
import http.client
import io
import json
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

from runreplay.cassette.model import RecordedRequest, RecordedResponse
from runreplay.errors import ConfigurationError, RunreplayError, docs_link
from runreplay.recording._current import current_session
from runreplay.recording._recorder import qualified_name
from runreplay.recording._replay import cap_message, error_kind
from runreplay.recording._session import CassetteSession, Record, Replay, Synthetic

__all__ = ["VcrBridge", "VcrPatch", "patches"]

_DECISION = "_runreplay_decision"
_STARTED = "_runreplay_started"


def _body_bytes(body: Any) -> bytes:
    """A vcrpy request body as bytes, whatever the client gave: bytes, str, a form as a mapping or pairs."""
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, bytes | bytearray | memoryview):
        return bytes(body)
    if isinstance(body, Mapping):
        return urlencode(list(body.items()), doseq=True).encode()
    if isinstance(body, list | tuple) and all(isinstance(p, tuple) and len(p) == 2 for p in body):
        return urlencode(list(body), doseq=True).encode()
    if isinstance(body, list | tuple) and all(isinstance(p, bytes | str) for p in body):
        return b"".join(_body_bytes(p) for p in body)
    raise ConfigurationError(
        f"runreplay cannot record a request body of type {type(body).__name__} ({body!r:.80}) sent through "
        "vcrpy's patches; expected bytes, str, a form (dict or list of pairs) or JSON. Send the body as "
        "bytes, or use a client runreplay has its own adapter for (httpx, requests). "
        f"See {docs_link('bridged-clients')}"
    )


def _recorded(request: Any) -> RecordedRequest:
    """A RecordedRequest from a vcrpy Request."""
    headers = [(str(name), str(value)) for name, value in request.headers.items()]
    body = _body_bytes(request.body)
    return RecordedRequest(method=request.method.upper(), url=request.uri, headers=headers, body=body)


_FORM_BOUNDARY = "runreplay-form-boundary-7c4f0e3d"
"""The multipart boundary of aiohttp forms sent in a cassette (aiohttp picks a random one each time,
which would never match its recording)."""


async def _aiohttp_plain_body(session: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    """aiohttp request arguments with the body (`json=`, `data=` str, dict, pairs or FormData) turned into
    the bytes and Content-Type aiohttp itself would send, so vcrpy records bytes that replay matches."""
    import aiohttp
    from aiohttp import hdrs
    from multidict import CIMultiDict

    json_value, data = kwargs.get("json"), kwargs.get("data")
    if (json_value is None and (data is None or isinstance(data, bytes))) or (
        json_value is not None and data is not None  # aiohttp refuses both with its own error
    ):
        return kwargs
    headers: CIMultiDict[str] = CIMultiDict(kwargs.get("headers") or {})
    content_type: str | None = None
    if json_value is not None and data is None:
        dumps = getattr(session, "_json_serialize", json.dumps)
        body, content_type = dumps(json_value).encode("utf-8"), "application/json"
    elif isinstance(data, str):
        body, content_type = data.encode("utf-8"), "text/plain; charset=utf-8"
    elif isinstance(data, bytearray | memoryview):
        body = bytes(data)
    elif isinstance(data, aiohttp.FormData | Mapping) or (
        isinstance(data, list | tuple) and all(isinstance(p, tuple) and len(p) == 2 for p in data)
    ):
        form = data if isinstance(data, aiohttp.FormData) else aiohttp.FormData(data)
        if form.is_multipart:
            form._writer = aiohttp.MultipartWriter("form-data", boundary=_FORM_BOUNDARY)
        payload = form()
        body = await payload.as_bytes()
        content_type = (
            payload.content_type if not form.is_multipart else form._writer.headers[hdrs.CONTENT_TYPE]
        )
    else:
        return kwargs  # a stream or payload object: left to vcrpy
    if (
        content_type is not None
        and hdrs.CONTENT_TYPE not in headers
        and hdrs.CONTENT_TYPE not in session.headers
    ):
        headers[hdrs.CONTENT_TYPE] = content_type
    return {**kwargs, "json": None, "data": body, "headers": headers}


class _Described:
    """What `_broken_body_error` needs of a request: its method and URL."""

    def __init__(self, method: str, uri: str) -> None:
        self.method = method.upper()
        self.uri = uri


class _AiohttpBodies:
    """Wraps `aiohttp.ClientSession._request` (outside vcrpy's patch) with `_aiohttp_plain_body`, and
    turns a body that breaks while vcrpy records it into the clear error of `_broken_body_error`."""

    def __init__(self) -> None:
        self._saved: Any = None

    def install(self) -> None:
        """Wrap the (vcrpy-patched) `_request`, when aiohttp is installed."""
        try:
            import aiohttp
        except ImportError:
            return
        inner = aiohttp.ClientSession._request

        @functools.wraps(inner)
        async def _request(session: Any, method: str, url: Any, **kwargs: Any) -> Any:
            active = current_session()
            if active is None:
                return await inner(session, method, url, **kwargs)
            kwargs = await _aiohttp_plain_body(session, kwargs)
            try:
                return await inner(session, method, url, **kwargs)
            except aiohttp.ClientPayloadError as exc:  # the live body broke while vcrpy read it whole
                if not active.may_record:
                    raise
                error = _broken_body_error(_Described(method, str(url)), exc)
                active.errors.append(error)
                raise error from exc

        aiohttp.ClientSession._request = _request  # type: ignore[method-assign, assignment]
        self._saved = inner

    def uninstall(self) -> None:
        """Put vcrpy's `_request` back."""
        if self._saved is None:
            return
        import aiohttp

        aiohttp.ClientSession._request = self._saved  # type: ignore[method-assign]
        self._saved = None


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


def _broken_body_error(request: Any, exc: BaseException) -> RunreplayError:
    """The error for a live body that broke while vcrpy read it whole (it cannot be recorded)."""
    return RunreplayError(
        f"runreplay cannot record {request.method} {cap_message(request.uri, 300)}: the connection broke "
        f"while vcrpy read the body ({qualified_name(exc)}: {cap_message(str(exc), 300)}). Clients "
        "recorded through vcrpy's patches (urllib.request, http.client, aiohttp, ...) are recorded with "
        "whole bodies: of the ways a body can break, only one cut short over http.client (IncompleteRead) "
        "is recorded and replayed; nothing was recorded for this request. Record the failure through "
        "httpx or requests (runreplay's own adapters record it chunk by chunk), or replay a healthy "
        "recording with faults.drop_after(...). "
        f"See {docs_link('bridged-clients')}"
    )


def _record_drop(
    session: CassetteSession, decision: Record, request: Any, live: Any, exc: http.client.IncompleteRead
) -> None:
    """Record a live http.client body that broke: its status, headers, the bytes that came, the error."""
    recorder = session.recorder_for(
        decision,
        started=getattr(request, _STARTED, time.perf_counter()),
        status=int(live.status),
        reason=str(live.reason or ""),
        http_version="HTTP/1.1" if getattr(live, "version", 11) == 11 else "HTTP/1.0",
        headers=[(str(name), str(value)) for name, value in live.getheaders()],
        already_decoded=True,
    )
    recorder.chunk(bytes(exc.partial))
    recorder.fail(exc)


class _BrokenBody(io.BytesIO):
    """The body of a replayed http.client response that broke: the recorded bytes, then the error.

    Reading to the end raises what http.client raises on a dropped connection (`IncompleteRead`, with
    the bytes of that read as `partial`; `TimeoutError` for a recorded timeout).
    """

    def __init__(self, recorded: RecordedResponse, source: str, position: int) -> None:
        error = recorded.error
        assert error is not None
        self._kind = error_kind(error.type, source=source, position=position)
        self._message = cap_message(error.message)
        super().__init__(b"".join(chunk.data for chunk in recorded.chunks[: error.after_chunk]))
        length = recorded.header("content-length")
        self._expected = int(length) if length and length.strip().isdecimal() else None

    def _fail(self, partial: bytes) -> Exception:
        if self._kind == "read_timeout":
            return TimeoutError(self._message)
        left = None if self._expected is None else max(self._expected - self.tell(), 0)
        return http.client.IncompleteRead(partial, left)

    def read(self, size: int | None = -1) -> bytes:
        """Like http.client: everything left raises with it as `partial`; a short read at the end raises."""
        data = super().read(size)
        if size is None or size < 0 or (size > 0 and not data):
            raise self._fail(data)
        return data

    def read1(self, size: int | None = -1) -> bytes:
        """See `read`."""
        return self.read(size)

    def readinto(self, buffer: Any) -> int:
        """Fill `buffer`; at the end, raise."""
        count = super().readinto(buffer)
        if count == 0 and len(buffer) > 0:
            raise self._fail(b"")
        return count

    def readline(self, size: int | None = -1) -> bytes:
        """One line; at the end, raise."""
        line = super().readline(size)
        if not line and size != 0:
            raise self._fail(b"")
        return line


class _HttpClientDrops:
    """Wraps vcrpy's `VCRConnection.getresponse`: a body that breaks mid-stream (`IncompleteRead`) while
    recording is recorded with the bytes that came and replayed breaking at the same byte; any other
    error in the body fails with a clear `RunreplayError` (also kept in the session's errors) instead
    of passing unrecorded."""

    def __init__(self) -> None:
        self._saved: Any = None
        self._cls: Any = None

    def install(self) -> None:
        """Wrap `getresponse` of the `VCRConnection` the patchers were built from.

        That class is kept from the first install, as the patchers are: `vcr.stubs` may since have been
        imported afresh (pytester's in-process runs drop the modules imported inside them).
        """
        if self._cls is None:
            from vcr.stubs import VCRConnection

            self._cls = VCRConnection
        inner = self._cls.getresponse

        @functools.wraps(inner)
        def getresponse(connection: Any, *args: Any, **kwargs: Any) -> Any:
            request = getattr(connection, "_vcr_request", None)
            real = getattr(connection, "real_connection", None)
            if request is None or real is None or current_session() is None:
                return inner(connection, *args, **kwargs)
            got: list[Any] = []
            real_getresponse = real.getresponse

            def capture(*a: Any, **k: Any) -> Any:
                got.append(real_getresponse(*a, **k))
                return got[-1]

            had_own = "getresponse" in vars(real)
            real.getresponse = capture
            try:
                response = inner(connection, *args, **kwargs)
            except (OSError, http.client.HTTPException) as exc:
                session = current_session()
                decision = getattr(request, _DECISION, None)
                if not got or not isinstance(decision, Record) or session is None:
                    raise
                if isinstance(exc, http.client.IncompleteRead):
                    _record_drop(session, decision, request, got[-1], exc)
                    raise  # recorded: the test sees the drop as it would without a cassette
                error = _broken_body_error(request, exc)
                session.errors.append(error)
                raise error from exc
            finally:
                if had_own:
                    real.getresponse = real_getresponse
                else:
                    del real.getresponse
            decision = getattr(request, _DECISION, None)
            if isinstance(decision, Replay) and decision.interaction.response.error is not None:
                session = current_session()
                source = "<cassette>" if session is None else str(session.path)
                response._content = _BrokenBody(decision.interaction.response, source, decision.position)
            return response

        self._cls.getresponse = getresponse
        self._saved = inner

    def uninstall(self) -> None:
        """Put vcrpy's `getresponse` back."""
        if self._saved is None:
            return
        self._cls.getresponse = self._saved
        self._saved = None


class VcrPatch:
    """Installs vcrpy's patchers (but those for httpx, httpx2, requests, urllib3) on a `VcrBridge`."""

    def __init__(self) -> None:
        self._bridge = VcrBridge()
        self._built: list[Any] | None = None
        self._started: list[Any] = []
        self._bodies = _AiohttpBodies()
        self._drops = _HttpClientDrops()

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
        self._bodies.install()
        self._drops.install()

    def uninstall(self) -> None:
        """Stop them, last started first."""
        self._drops.uninstall()
        self._bodies.uninstall()
        while self._started:
            self._started.pop().stop()


def patches() -> list[VcrPatch]:
    """The bridge: every client library vcrpy patches that the adapters before it do not cover."""
    return [VcrPatch()]
