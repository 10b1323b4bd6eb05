"""Interception for `requests`: `HTTPAdapter.send` is wrapped while a cassette is active.

Recording wraps the live urllib3 response in a tee that notes each chunk the caller reads (so
`iter_lines()` / `iter_content()` still stream live); replay hands requests a raw object whose
`stream()` yields the recorded chunks with their boundaries (split further only where the caller
asks for smaller pieces, as urllib3 does with a chunked body) and raises the recorded error where
the recording broke.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Iterator
from email.message import Message
from typing import Any

from runreplay.cassette.model import RecordedRequest, RecordedResponse
from runreplay.recording._current import current_session
from runreplay.recording._recorder import StreamRecorder
from runreplay.recording._replay import Data, Plan, Raise, Sleep
from runreplay.recording._session import Record

__all__ = ["RequestsPatch", "patches"]


def _body_bytes(request: Any) -> bytes:
    """The body of a PreparedRequest as bytes; an iterator body is read once and put back as bytes."""
    body = request.body
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        data = body.read()
    else:
        data = b"".join(part.encode("utf-8") if isinstance(part, str) else part for part in body)
    data = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    request.body = data
    request.headers.pop("Transfer-Encoding", None)
    request.headers["Content-Length"] = str(len(data))
    return data


def _read_timeout(timeout: Any) -> float | None:
    """The read timeout out of whatever `requests` was given (a number, a pair, or a urllib3 Timeout)."""
    if isinstance(timeout, tuple):
        timeout = timeout[1] if len(timeout) > 1 else timeout[0]
    read = getattr(timeout, "read_timeout", timeout)
    return float(read) if isinstance(read, int | float) else None


def _error(end: Raise, url: str) -> Exception:
    """The urllib3 exception that requests turns into what its users see for this end of a body.

    Only urllib3's own classes are raised, chosen by the kind of the recorded error (see
    `runreplay.recording._replay.KNOWN_ERRORS`): nothing named in a cassette is imported.
    """
    from urllib3 import exceptions

    if end.effective_kind == "read_timeout":
        return exceptions.ReadTimeoutError(None, url, f"Read timed out. ({end.message})")  # type: ignore[arg-type]
    if end.class_name == "SSLError" and (end.type or "").startswith("urllib3."):
        return exceptions.SSLError(end.message)
    if end.class_name == "ProtocolError" and (end.type or "").startswith("urllib3."):
        return exceptions.ProtocolError(end.message)
    return exceptions.ProtocolError(f"Connection broken: {end.message}")


class _TeeRaw:
    """Stands in for urllib3's response, passing reads through and noting every chunk read."""

    def __init__(self, raw: Any, recorder: StreamRecorder) -> None:
        self._raw = raw
        self._recorder = recorder

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)

    def stream(self, amt: int | None = 2**16, decode_content: bool | None = None) -> Iterator[bytes]:
        """Yield the live body as urllib3 does, noting each piece."""
        return self._recorder.tee(self._raw.stream(amt, decode_content=decode_content))

    def read(
        self, amt: int | None = None, decode_content: bool | None = None, cache_content: bool = False
    ) -> bytes:
        """Read from the live body, noting what was read."""
        try:
            data: bytes = self._raw.read(amt=amt, decode_content=decode_content, cache_content=cache_content)
        except Exception as exc:
            self._recorder.fail(exc)
            raise
        if data:
            self._recorder.chunk(data)
        if amt is None or not data:
            self._recorder.finish(complete=True)
        return data

    def close(self) -> None:
        """Close the live response; a body not read to its end is saved as closed by the client."""
        try:
            self._raw.close()
        finally:
            self._recorder.finish(complete=False)


class _OriginalResponse:
    """Just enough of http.client's response for requests' cookie extraction (`.msg`)."""

    def __init__(self, headers: list[tuple[str, str]]) -> None:
        self.msg = Message()
        for name, value in headers:
            self.msg[name] = value

    def info(self) -> Message:
        """The headers, as http.client exposes them."""
        return self.msg


class _ReplayRaw:
    """A urllib3-like response whose `stream()` yields the recorded chunks, timing and faults."""

    def __init__(
        self, recorded: RecordedResponse, plan: Plan, started: float, read_timeout: float | None, url: str
    ):
        from urllib3 import HTTPHeaderDict

        self.status = recorded.status
        self.reason = recorded.reason
        self.version = 11 if recorded.http_version.endswith("1.1") else 10
        self.headers = HTTPHeaderDict()
        for name, value in recorded.headers:
            self.headers.add(name, value)
        self.decode_content = True
        self._original_response = _OriginalResponse(recorded.headers)
        self._actions = plan.actions(started, read_timeout)
        self._url = url
        self._pending: memoryview | None = None  # the unread rest of the current chunk (no copies)
        self._closed = False

    def _next(self, limit: int | None = None) -> bytes | None:
        """Up to `limit` bytes (None: the rest of the current chunk) of the body; None at the end.

        The current chunk is held as a memoryview, so taking a piece copies only that piece: reading a
        body of any size in small pieces costs time linear in its size.
        """
        pending = self._pending
        if pending is None:
            if self._closed:
                return None
            data = self._advance()
            if data is None:
                return None
            if limit is None or len(data) <= limit:
                return data
            pending = memoryview(data)
        if limit is None or len(pending) <= limit:
            self._pending = None
            return pending.tobytes()
        self._pending = pending[limit:]
        return pending[:limit].tobytes()

    def _advance(self) -> bytes | None:
        """The next recorded chunk, after its due time; None at the end (a recorded error is raised)."""
        for action in self._actions:
            if isinstance(action, Data):
                if action.data:
                    return action.data
                continue
            if isinstance(action, Sleep):
                time.sleep(action.seconds)
            else:
                self._closed = True
                raise _error(action, self._url)
        self._closed = True
        return None

    def stream(self, amt: int | None = 2**16, decode_content: bool | None = None) -> Iterator[bytes]:
        """Yield the recorded chunks, split no finer than `amt` asks for."""
        while (data := self._next(amt or None)) is not None:
            yield data

    def read(
        self, amt: int | None = None, decode_content: bool | None = None, cache_content: bool = False
    ) -> bytes:
        """File-like read: everything left, or up to `amt` bytes."""
        parts: list[bytes] = []
        size = 0
        while amt is None or size < amt:
            data = self._next(None if amt is None else amt - size)
            if data is None:
                break
            parts.append(data)
            size += len(data)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def close(self) -> None:
        """Stop playing."""
        self._closed = True
        self._pending = None

    def release_conn(self) -> None:
        """Nothing to release: no connection was made."""

    def isclosed(self) -> bool:
        """Whether playback has ended."""
        return self._closed

    @property
    def closed(self) -> bool:
        """Whether playback has ended."""
        return self._closed

    def readable(self) -> bool:
        """Always readable, like a file."""
        return True

    def getheaders(self) -> Any:
        """The headers (urllib3 API)."""
        return self.headers

    def getheader(self, name: str, default: str | None = None) -> str | None:
        """One header (urllib3 API)."""
        value = self.headers.get(name, default)
        return value if value is None else str(value)


class RequestsPatch:
    """Wraps `requests.adapters.HTTPAdapter.send`; `install()`/`uninstall()` are reversible."""

    def __init__(self) -> None:
        self._saved: Any = None

    def install(self) -> None:
        """Replace `HTTPAdapter.send` with a cassette-aware one."""
        if self._saved is not None:
            return
        from requests.adapters import HTTPAdapter

        original = HTTPAdapter.send

        def send(
            adapter: Any, request: Any, stream: bool = False, timeout: Any = None, *args: Any, **kwargs: Any
        ) -> Any:
            from urllib.parse import urlsplit

            session = current_session()
            if session is None or session.ignores(urlsplit(request.url).hostname or ""):
                return original(adapter, request, stream, timeout, *args, **kwargs)
            started = time.perf_counter()
            recorded_request = RecordedRequest(
                method=request.method or "GET",
                url=request.url,
                headers=[(str(k), str(v)) for k, v in request.headers.items()],
                body=_body_bytes(request),
            )
            decision = session.decide(recorded_request)
            if isinstance(decision, Record):
                response = original(adapter, request, stream, timeout, *args, **kwargs)
                headers = [(str(k), str(v)) for k, v in response.raw.headers.items()]
                recorder = session.recorder_for(
                    decision,
                    started=started,
                    status=response.status_code,
                    reason=response.reason or "",
                    http_version="HTTP/1.1" if getattr(response.raw, "version", 11) == 11 else "HTTP/1.0",
                    headers=headers,
                    already_decoded=True,
                )
                response.raw = _TeeRaw(response.raw, recorder)
                return response
            recorded, plan = session.plan(decision)
            wait = started + plan.headers_at - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            raw = _ReplayRaw(recorded, plan, started, _read_timeout(timeout), request.url)
            response = adapter.build_response(request, raw)
            if not stream and plan.instant:
                # requests reads the whole body right away: hand it over as recorded, without copying
                # it piece by piece (a one-chunk body of any size is then not copied at all).
                response._content = b"".join(data for _, data in plan.chunks)
                raw.close()
            return response

        send.__wrapped__ = original  # type: ignore[attr-defined]
        HTTPAdapter.send = send  # type: ignore[method-assign, assignment]
        self._saved = original

    def uninstall(self) -> None:
        """Put the original `send` back."""
        if self._saved is None:
            return
        from requests.adapters import HTTPAdapter

        HTTPAdapter.send = self._saved  # type: ignore[method-assign]
        self._saved = None


def patches() -> list[RequestsPatch]:
    """The `requests` patch, when requests is installed."""
    return [RequestsPatch()] if importlib.util.find_spec("requests") is not None else []
