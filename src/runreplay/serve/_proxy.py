"""`RecordingProxy`: a reverse proxy that records what passes through it into a cassette, as the tee does.

Each chunk from the target is written to the client the moment it arrives and noted with its offset
by the session's own `StreamRecorder`; redaction, record modes and the atomic save are the session's.
The cassette is saved once, when the proxy stops (`with` block end, SIGINT or SIGTERM): a stream still
open then is cut there and stored as broken at that point, so replaying it raises where it was cut.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import ssl
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import urlsplit

from runreplay.cassette.model import RecordedRequest
from runreplay.errors import ConfigurationError, RunreplayError, UnmatchedRequestError
from runreplay.recording._config import RECORD_MODES, resolve
from runreplay.recording._recorder import StreamRecorder
from runreplay.recording._replay import BROKEN_STREAM_MESSAGE
from runreplay.serve._http import (
    HOP_BY_HOP,
    Exchange,
    LoopbackServer,
    answer_preflight,
    check_host,
    cors_headers,
)
from runreplay.serve._play import play, read_body
from runreplay.serve._sessions import Record, RecordingBook

__all__ = ["CUT_MESSAGE", "RecordingProxy"]

CUT_MESSAGE = "runreplay record stopped while this stream was being recorded; the recording was cut here"
"""The error a replay of a stream cut by the proxy's shutdown raises at the cut."""

_READ_SIZE = 65536
_NOT_FORWARDED = HOP_BY_HOP | {"host", "expect"}


def _stream_error(name: str, message: str) -> BaseException:
    """An exception that records as `httpx.<name>`: the name every replay adapter maps to its client's own
    error (httpx/httpx2 raise theirs, requests a urllib3 ProtocolError/ReadTimeoutError)."""
    cls: type[Exception] = type(name, (Exception,), {"__module__": "httpx", "__qualname__": name})
    return cls(message)


@dataclass(slots=True, eq=False)
class _Live:
    """One response being passed through and recorded."""

    recorder: StreamRecorder
    connection: http.client.HTTPConnection
    lock: threading.Lock = field(default_factory=threading.Lock)
    cut: bool = False


class RecordingProxy(LoopbackServer):
    """Forwards every request to `target` and records the exchange into `cassette` (saved on stop).

        with RecordingProxy("https://api.openai.com", "cassettes/frontend.yaml") as proxy:
            run_frontend(api_base=proxy.base_url + "/v1")

    `record_mode` is a session record mode (default `new_episodes`: recordings already in the
    cassette are replayed, new requests are forwarded and recorded). `options` are cassette options
    (`filter_headers`, `secret_patterns`, ...). `ca_file` trusts an extra CA for an HTTPS target.
    """

    def __init__(
        self,
        target: str,
        cassette: str | os.PathLike[str],
        *,
        port: int = 0,
        host: str = "127.0.0.1",
        record_mode: str = "new_episodes",
        options: Mapping[str, Any] | None = None,
        ca_file: str | os.PathLike[str] | None = None,
        timeout: float = 300.0,
        cors: bool = True,
        allow_remote: bool = False,
        log: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(host=check_host(host, allow_any=allow_remote), port=port, name="runreplay-record")
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(
                f"--target must be an http:// or https:// URL such as https://api.openai.com, got {target!r}."
            )
        if record_mode not in RECORD_MODES or record_mode == "none":
            raise ConfigurationError(
                f"record mode must be one of {', '.join(m for m in RECORD_MODES if m != 'none')} for "
                f"recording, got {record_mode!r}; to replay only, use 'runreplay serve'."
            )
        self.target = target
        self._scheme = parts.scheme
        self._netloc = parts.netloc
        self._host_name = parts.hostname
        self._port_number = parts.port or (443 if parts.scheme == "https" else 80)
        self._prefix = parts.path.rstrip("/")
        self._timeout = timeout
        self._context: ssl.SSLContext | None = None
        if parts.scheme == "https":
            self._context = ssl.create_default_context(cafile=os.fspath(ca_file) if ca_file else None)
        self.book = RecordingBook(cassette, resolve(dict(options or {}), {"record_mode": record_mode}))
        self.cassette = self.book.path
        self.cors = cors
        self._log = log
        self._live: set[_Live] = set()
        self._live_lock = threading.Lock()
        self.saved = False

    # -- lifecycle -------------------------------------------------------------------------------

    def before_connections_close(self) -> None:
        """Cut every stream still being recorded: stored as broken here, so a replay raises at the cut."""
        with self._live_lock:
            live = list(self._live)
        for item in live:
            with item.lock:
                item.cut = True
                item.recorder.fail(_stream_error("RemoteProtocolError", CUT_MESSAGE))
            sock = item.connection.sock
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        """Stop serving, cut open streams, then save the cassette atomically (once)."""
        super().stop()
        if not self.saved:
            self.saved = True
            self.book.close()

    def counts(self) -> tuple[int, int]:
        """(interactions recorded, interactions replayed) so far."""
        return self.book.counts()

    # -- answering -------------------------------------------------------------------------------

    def answer(self, exchange: Exchange) -> None:
        """Replay what the record mode replays, forward and record the rest."""
        if self.cors and answer_preflight(exchange):
            return
        body = read_body(exchange, "record", lambda message: self._error(exchange, 400, message))
        if body is None:
            return
        started = time.perf_counter()
        path = self._prefix + exchange.path
        headers = [(n, v) for n, v in exchange.headers.items() if n.lower() not in _NOT_FORWARDED]
        headers.insert(0, ("Host", self._netloc))
        if body or exchange.command in ("POST", "PUT", "PATCH"):
            headers.append(("Content-Length", str(len(body))))
        request = RecordedRequest(exchange.command, f"{self._scheme}://{self._netloc}{path}", headers, body)
        try:
            decision = self.book.decide(request)
        except UnmatchedRequestError as exc:
            self._error(exchange, 404, str(exc), code="unmatched_request")
            return
        if not isinstance(decision, Record):
            replayed, plan = self.book.plan(decision, speed=0.0)
            play(exchange, replayed, plan, started=started, stopping=self.stopping, cors=self.cors)
            return
        self._forward(exchange, decision, path, headers, body, started)

    def _connect(self) -> http.client.HTTPConnection:
        """A connection to the target with the standard library's own classes (never a recorder's patch)."""
        if self._context is not None:
            secure: Any = getattr(http.client.HTTPSConnection, "_baseclass", http.client.HTTPSConnection)
            return cast(
                http.client.HTTPConnection,
                secure(self._host_name, self._port_number, timeout=self._timeout, context=self._context),
            )
        plain: Any = getattr(http.client.HTTPConnection, "_baseclass", http.client.HTTPConnection)
        return cast(
            http.client.HTTPConnection, plain(self._host_name, self._port_number, timeout=self._timeout)
        )

    def _forward(
        self,
        exchange: Exchange,
        decision: Record,
        path: str,
        headers: Sequence[tuple[str, str]],
        body: bytes,
        started: float,
    ) -> None:
        """Send the request to the target, then pass the response through chunk by chunk, recording it."""
        connection = self._connect()
        try:
            connection.putrequest(exchange.command, path, skip_host=True, skip_accept_encoding=True)
            for name, value in headers:
                connection.putheader(name, value)
            connection.endheaders(body or None)
            upstream = connection.getresponse()
        except (OSError, http.client.HTTPException, RunreplayError) as exc:
            connection.close()
            self._error(exchange, 502, f"runreplay record: cannot reach the target {self.target}: {exc}")
            return
        upstream_headers = upstream.getheaders()
        with self._live_lock:
            # Registered under the lock that stopping takes after setting `stopping`: a response that
            # arrives once stopping began is not recorded at all (never stored as if complete).
            if self.stopping.is_set():
                connection.close()
                exchange.close_connection = True
                return
            recorder = self.book.recorder_for(
                decision,
                started=started,
                status=upstream.status,
                reason=upstream.reason,
                http_version="HTTP/1.0" if upstream.version == 10 else "HTTP/1.1",
                headers=list(upstream_headers),
            )
            live = _Live(recorder, connection)
            self._live.add(live)
        try:
            self._pass_through(exchange, upstream, upstream_headers, live)
        finally:
            with self._live_lock:
                self._live.discard(live)
            connection.close()

    def _pass_through(
        self,
        exchange: Exchange,
        upstream: http.client.HTTPResponse,
        upstream_headers: list[tuple[str, str]],
        live: _Live,
    ) -> None:
        """Each piece read from the target goes to the recorder and, at once, to the client."""
        length_header = upstream.getheader("content-length")
        length = int(length_header) if length_header is not None and not upstream.chunked else None
        headers = cors_headers(exchange, upstream_headers) if self.cors else upstream_headers
        try:
            writer = exchange.start_response(upstream.status, upstream.reason, headers, length=length)
        except OSError:
            live.recorder.finish(complete=False)
            raise
        error: BaseException | None = None
        while True:
            try:
                data = upstream.read1(_READ_SIZE)
            except (OSError, http.client.HTTPException) as exc:
                error = exc
                break
            if not data:
                if upstream.length:  # the target closed before its Content-Length was sent
                    error = http.client.IncompleteRead(b"", upstream.length)
                break
            with live.lock:
                if live.cut:
                    break
                live.recorder.chunk(data)
            try:
                writer.write(data)
            except OSError:  # the client went away: the recording is partial, as in-process
                live.recorder.finish(complete=False)
                raise
        with live.lock:
            if live.cut:
                writer.abort()
                return
            if error is not None:
                timeout = isinstance(error, TimeoutError)
                live.recorder.fail(
                    _stream_error(
                        "ReadTimeout" if timeout else "RemoteProtocolError",
                        "The read operation timed out" if timeout else BROKEN_STREAM_MESSAGE,
                    )
                )
            else:
                live.recorder.finish(complete=True)
        if error is not None:
            writer.abort()
        else:
            writer.finish()

    def _error(
        self, exchange: Exchange, status: int, message: str, *, code: str = "runreplay_record"
    ) -> None:
        if self._log is not None:
            self._log(message.splitlines()[0])
        document = {"error": {"message": message, "type": "runreplay_record", "param": None, "code": code}}
        body = (json.dumps(document, indent=2) + "\n").encode()
        headers = [("content-type", "application/json")]
        exchange.send_bytes(status, cors_headers(exchange, headers) if self.cors else headers, body)
