"""Interception for httpx and httpx2 (the `openai` SDK's client), sync and async, at the transport level.

`HTTPTransport.handle_request` and `AsyncHTTPTransport.handle_async_request` are wrapped while a
cassette is active. Unlike vcrpy's stub, which reads a streamed body to the end before the caller
sees a byte, a recorded response is handed to the caller at once with a tee stream that passes each
chunk through as it arrives and notes it; a replayed response yields the recorded chunks one by one.
`MockTransport`, ASGI and WSGI transports are left alone, so users' own mocks keep working.
"""

from __future__ import annotations

import importlib
import importlib.util
import time
from collections.abc import AsyncIterator, Callable, Iterator
from functools import cache
from types import ModuleType
from typing import Any

from runreplay.cassette.model import RecordedRequest, RecordedResponse
from runreplay.recording._current import current_session
from runreplay.recording._recorder import StreamRecorder
from runreplay.recording._replay import Data, Plan, Raise, Sleep
from runreplay.recording._session import CassetteSession, Record, Replay, Synthetic

__all__ = ["HttpxPatch", "patches"]

_FAMILY = ("httpx", "httpx2")


def _request_of(module: ModuleType, request: Any, body: bytes) -> RecordedRequest:
    """A RecordedRequest from an httpx(2) Request whose body has been read."""
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
    return RecordedRequest(method=request.method, url=str(request.url), headers=headers, body=body)


def _read_timeout(request: Any) -> float | None:
    """The client's read timeout for this request, from the timeout extension httpx sets."""
    timeout = request.extensions.get("timeout") or {}
    value = timeout.get("read")
    return float(value) if isinstance(value, int | float) else None


_OWN_ERRORS = frozenset(
    [
        "RemoteProtocolError",
        "LocalProtocolError",
        "ProtocolError",
        "ReadError",
        "WriteError",
        "ConnectError",
        "NetworkError",
        "TransportError",
        "ProxyError",
        "DecodingError",
        "CloseError",
        "ReadTimeout",
        "WriteTimeout",
        "ConnectTimeout",
        "PoolTimeout",
        "TimeoutException",
    ]
)
"""httpx(2) error classes a recording may name (`KNOWN_ERRORS`); each takes `(message, request=...)`."""


def error_for(module: ModuleType, end: Raise, request: Any) -> Exception:
    """The exception a client of `module` raises for this end of a body (never a class from a cassette).

    A recorded httpx/httpx2 error is raised as `module`'s class of the same name; any other recorded
    network error as `module`'s class for its kind (`RemoteProtocolError` or `ReadTimeout`).
    """
    name = end.class_name
    family = (end.type or "").partition(".")[0] in _FAMILY
    if name is None or not family or name not in _OWN_ERRORS:
        name = "ReadTimeout" if end.effective_kind == "read_timeout" else "RemoteProtocolError"
    cls = getattr(module, name, None) or module.ReadError
    return cls(end.message, request=request)  # type: ignore[no-any-return]


@cache
def _stream_classes(module: ModuleType) -> tuple[type, type, type, type]:
    """Tee and replay stream classes deriving from `module`'s own byte-stream base classes."""

    class SyncTee(module.SyncByteStream):  # type: ignore[misc, name-defined]
        """Passes the live body to the client chunk by chunk while the recorder notes each chunk."""

        def __init__(self, inner: Any, recorder: StreamRecorder) -> None:
            self._inner = inner
            self._recorder = recorder

        def __iter__(self) -> Iterator[bytes]:
            return self._recorder.tee(self._inner)

        def close(self) -> None:
            try:
                self._inner.close()
            finally:
                self._recorder.finish(complete=False)

    class AsyncTee(module.AsyncByteStream):  # type: ignore[misc, name-defined]
        """The async twin of SyncTee."""

        def __init__(self, inner: Any, recorder: StreamRecorder) -> None:
            self._inner = inner
            self._recorder = recorder

        async def __aiter__(self) -> AsyncIterator[bytes]:
            with self._recorder.reading():
                async for part in self._inner:
                    self._recorder.chunk(part)
                    yield part

        async def aclose(self) -> None:
            try:
                await self._inner.aclose()
            finally:
                self._recorder.finish(complete=False)

    class SyncReplay(module.SyncByteStream):  # type: ignore[misc, name-defined]
        """Yields the recorded chunks with their boundaries, timing and faults."""

        def __init__(self, plan: Plan, started: float, request: Any) -> None:
            self._plan = plan
            self._started = started
            self._request = request

        def __iter__(self) -> Iterator[bytes]:
            for action in self._plan.actions(self._started, _read_timeout(self._request)):
                if isinstance(action, Data):
                    yield action.data
                elif isinstance(action, Sleep):
                    time.sleep(action.seconds)
                else:
                    raise error_for(module, action, self._request)

    class AsyncReplay(module.AsyncByteStream):  # type: ignore[misc, name-defined]
        """The async twin of SyncReplay; sleeps with anyio so asyncio and trio both work."""

        def __init__(self, plan: Plan, started: float, request: Any) -> None:
            self._plan = plan
            self._started = started
            self._request = request

        async def __aiter__(self) -> AsyncIterator[bytes]:
            import anyio

            for action in self._plan.actions(self._started, _read_timeout(self._request)):
                if isinstance(action, Data):
                    yield action.data
                elif isinstance(action, Sleep):
                    await anyio.sleep(action.seconds)
                else:
                    raise error_for(module, action, self._request)

    return SyncTee, AsyncTee, SyncReplay, AsyncReplay


def _response(module: ModuleType, recorded: RecordedResponse, stream: Any, request: Any) -> Any:
    """An httpx(2) Response with the recorded status line and headers over `stream`."""
    return module.Response(
        status_code=recorded.status,
        headers=[(k.encode("latin-1"), v.encode("latin-1")) for k, v in recorded.headers],
        stream=stream,
        request=request,
        extensions={
            "http_version": recorded.http_version.encode("ascii", "replace"),
            "reason_phrase": recorded.reason.encode("latin-1", "replace"),
        },
    )


def _replay_parts(
    session: CassetteSession, decision: Replay | Synthetic, started: float
) -> tuple[Plan, RecordedResponse, float]:
    """The playback plan, the recorded response, and how long to wait before handing over headers."""
    recorded, plan = session.plan(decision)
    return plan, recorded, started + plan.headers_at - time.perf_counter()


def _tee(session: CassetteSession, decision: Record, started: float, response: Any, tee: type) -> Any:
    """Wrap a live response's stream so each chunk is recorded as the client reads it."""
    status, reason, version, headers = _live_headers(response)
    recorder = session.recorder_for(
        decision, started=started, status=status, reason=reason, http_version=version, headers=headers
    )
    response.stream = tee(response.stream, recorder)
    return response


def _live_headers(response: Any) -> tuple[int, str, str, list[tuple[str, str]]]:
    """Status, reason, HTTP version and headers of a live httpx(2) response."""
    reason = response.extensions.get("reason_phrase", b"")
    version = response.extensions.get("http_version", b"HTTP/1.1")
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw]
    return (
        response.status_code,
        reason.decode("latin-1") if isinstance(reason, bytes) else str(reason),
        version.decode("ascii") if isinstance(version, bytes) else str(version),
        headers,
    )


class HttpxPatch:
    """Wraps one module's (httpx or httpx2) HTTP transports; `install()`/`uninstall()` are reversible."""

    def __init__(self, module_name: str) -> None:
        self.module_name = module_name
        self._saved: tuple[Callable[..., Any], Callable[..., Any]] | None = None

    def install(self) -> None:
        """Replace the transports' request handlers with cassette-aware ones."""
        if self._saved is not None:
            return
        module = importlib.import_module(self.module_name)
        sync_cls, async_cls = module.HTTPTransport, module.AsyncHTTPTransport
        original_sync = sync_cls.handle_request
        original_async = async_cls.handle_async_request
        sync_tee, async_tee, sync_replay, async_replay = _stream_classes(module)

        def handle_request(transport: Any, request: Any) -> Any:
            session = current_session()
            if session is None or session.ignores(request.url.host):
                return original_sync(transport, request)
            started = time.perf_counter()
            decision = session.decide(_request_of(module, request, request.read()))
            if isinstance(decision, Record):
                return _tee(session, decision, started, original_sync(transport, request), sync_tee)
            plan, recorded, wait = _replay_parts(session, decision, started)
            if wait > 0:
                time.sleep(wait)
            return _response(module, recorded, sync_replay(plan, started, request), request)

        async def handle_async_request(transport: Any, request: Any) -> Any:
            session = current_session()
            if session is None or session.ignores(request.url.host):
                return await original_async(transport, request)
            started = time.perf_counter()
            decision = session.decide(_request_of(module, request, await request.aread()))
            if isinstance(decision, Record):
                return _tee(session, decision, started, await original_async(transport, request), async_tee)
            plan, recorded, wait = _replay_parts(session, decision, started)
            if wait > 0:
                import anyio

                await anyio.sleep(wait)
            return _response(module, recorded, async_replay(plan, started, request), request)

        handle_request.__wrapped__ = original_sync  # type: ignore[attr-defined]
        handle_async_request.__wrapped__ = original_async  # type: ignore[attr-defined]
        sync_cls.handle_request = handle_request
        async_cls.handle_async_request = handle_async_request
        self._saved = (original_sync, original_async)

    def uninstall(self) -> None:
        """Put the original handlers back."""
        if self._saved is None:
            return
        module = importlib.import_module(self.module_name)
        module.HTTPTransport.handle_request, module.AsyncHTTPTransport.handle_async_request = self._saved
        self._saved = None


def patches() -> list[HttpxPatch]:
    """One patch per installed module of the family: httpx2 (the openai SDK's) first, then httpx."""
    return [HttpxPatch(name) for name in ("httpx2", "httpx") if importlib.util.find_spec(name) is not None]
