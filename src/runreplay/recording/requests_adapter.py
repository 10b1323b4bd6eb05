"""Interception for `requests`: `HTTPAdapter.send` is wrapped while a cassette is active.

Recording wraps the live urllib3 response in a tee that notes each chunk the caller reads (so
`iter_lines()` / `iter_content()` still stream live); replay hands requests a raw object whose
`stream()` yields the recorded chunks with their boundaries (split further only where the caller
asks for smaller pieces, as urllib3 does with a chunked body) and raises the recorded error where
the recording broke.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Iterator
from email.message import Message
from typing import Any

from runreplay.cassette.model import RecordedRequest, RecordedResponse
from runreplay.recording.active import current_session
from runreplay.recording.recorder import StreamRecorder
from runreplay.recording.replay import Data, Plan, Raise, Sleep, build_plan
from runreplay.recording.session import Record, Synthetic

__all__ = ["RequestsPatch"]


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
    """The urllib3 exception that requests turns into what its users see for this end of a body."""
    from urllib3 import exceptions

    if end.kind == "recorded" and end.type:
        package, _, name = end.type.rpartition(".")
        if package.split(".")[0] in ("urllib3", "requests"):
            try:
                cls = getattr(importlib.import_module(package), name)
                return cls(end.message)  # type: ignore[no-any-return]
            except (ImportError, AttributeError, TypeError):
                pass
        kind = "read_timeout" if "timeout" in name.lower() else "protocol"
    else:
        kind = end.kind
    if kind == "read_timeout":
        return exceptions.ReadTimeoutError(None, url, f"Read timed out. ({end.message})")  # type: ignore[arg-type]
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
        try:
            for part in self._raw.stream(amt, decode_content=decode_content):
                self._recorder.chunk(part)
                yield part
        except Exception as exc:
            self._recorder.fail(exc)
            self._recorder.finish(complete=False)
            raise
        self._recorder.finish(complete=True)

    def read(
        self, amt: int | None = None, decode_content: bool | None = None, cache_content: bool = False
    ) -> bytes:
        """Read from the live body, noting what was read."""
        try:
            data: bytes = self._raw.read(amt=amt, decode_content=decode_content, cache_content=cache_content)
        except Exception as exc:
            self._recorder.fail(exc)
            self._recorder.finish(complete=False)
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
        self._pending = b""
        self._closed = False

    def _next(self) -> bytes | None:
        """The next recorded chunk, after its due time; None at the end."""
        if self._pending:
            data, self._pending = self._pending, b""
            return data
        if self._closed:
            return None
        for action in self._actions:
            if isinstance(action, Data):
                return action.data
            if isinstance(action, Sleep):
                time.sleep(action.seconds)
            else:
                self._closed = True
                raise _error(action, self._url)
        self._closed = True
        return None

    def stream(self, amt: int | None = 2**16, decode_content: bool | None = None) -> Iterator[bytes]:
        """Yield the recorded chunks, split no finer than `amt` asks for."""
        while (data := self._next()) is not None:
            while amt and len(data) > amt:
                yield data[:amt]
                data = data[amt:]
            if data:
                yield data

    def read(
        self, amt: int | None = None, decode_content: bool | None = None, cache_content: bool = False
    ) -> bytes:
        """File-like read: everything left, or up to `amt` bytes."""
        parts: list[bytes] = []
        size = 0
        while amt is None or size < amt:
            data = self._next()
            if data is None:
                break
            if amt is not None and size + len(data) > amt:
                self._pending = data[amt - size :]
                data = data[: amt - size]
            parts.append(data)
            size += len(data)
        return b"".join(parts)

    def close(self) -> None:
        """Stop playing."""
        self._closed = True
        self._pending = b""

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
            if isinstance(decision, Synthetic):
                recorded = decision.response
                plan = build_plan(recorded, (), 0.0)
            else:
                recorded = decision.interaction.response
                plan = build_plan(recorded, decision.faults, session.config.replay_speed)
            wait = started + plan.headers_at - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            raw = _ReplayRaw(recorded, plan, started, _read_timeout(timeout), request.url)
            return adapter.build_response(request, raw)

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
