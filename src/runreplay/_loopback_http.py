"""The stdlib HTTP/1.1 parts both loopback servers (the fake API and `runreplay serve`) build on."""

from __future__ import annotations

import abc
import http.server
import re
import socket
import socketserver
import threading
from types import TracebackType
from typing import Any, Self

from runreplay._acceptor import Acceptor
from runreplay.errors import ListenError, RunreplayError, ServerStateError

__all__ = ["BadRequestBody", "LoopbackHandler", "LoopbackListener", "LoopbackService"]


class BadRequestBody(RunreplayError, ValueError):
    """A request body that cannot be read: a malformed length or chunk size, or more than the limit."""


class LoopbackHandler(http.server.BaseHTTPRequestHandler):
    """One kept-alive connection: quiet, unbuffered writes, and request bodies up to `max_body` bytes."""

    protocol_version = "HTTP/1.1"
    max_body = 16 * 1024 * 1024

    def setup(self) -> None:
        """Send every write at once (TCP_NODELAY), so each chunk leaves when it is written."""
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: the servers report through their owners, and tests own stderr."""

    def read_body(self) -> bytes:
        """The body, from Content-Length or chunked transfer encoding (BadRequestBody if malformed)."""
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            return self._read_chunked()
        raw = (self.headers.get("content-length") or "0").strip()
        if re.fullmatch(r"-?[0-9]+", raw) is None or not 0 <= int(raw) <= self.max_body:
            raise BadRequestBody(f"invalid Content-Length {raw}")
        return self.rfile.read(int(raw))

    def _read_chunked(self) -> bytes:
        """A chunked body: each size line, its data and CRLF, until the zero chunk and its trailers."""
        parts: list[bytes] = []
        total = 0
        while total <= self.max_body:
            line = self.rfile.readline(1024).split(b";")[0].strip().decode("latin-1")
            if not line or line.strip("0123456789abcdefABCDEF"):
                raise BadRequestBody(f"invalid chunk size {line!r}")
            size = int(line, 16)
            if size > self.max_body - total:
                break
            if size == 0:
                while self.rfile.readline(1024).strip():
                    pass
                return b"".join(parts)
            parts.append(self.rfile.read(size))
            total += size
            self.rfile.readline(1024)
        raise BadRequestBody("request body too large")


class LoopbackListener(http.server.HTTPServer):
    """A listening socket whose connections an `Acceptor` serves; it binds without reverse DNS."""

    request_queue_size = 64

    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse DNS lookup of the host, which can be slow."""
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])


class LoopbackService(abc.ABC):
    """A listener served from daemon threads: started once (or by `with`), stopped at once.

    Subclasses bind in `_listen()`. `stopping` is set when `stop()` begins, so long answers end early;
    every open connection is then shut down and its thread joined. `errors` holds tracebacks of bugs.
    """

    def __init__(
        self,
        *,
        name: str,
        host: str,
        port: int,
        join_timeout: float,
        thread_name: str | None = None,
        port_option: str = "port",
    ) -> None:
        self._name = name
        self._thread_name = thread_name or name
        self._port_option = port_option
        self._host = host
        self._port = port
        self._join_timeout = join_timeout
        self.stopping = threading.Event()
        self.errors: list[str] = []
        self._listener: LoopbackListener | None = None
        self._acceptor: Acceptor | None = None

    @abc.abstractmethod
    def _listen(self) -> LoopbackListener:
        """A listener bound to `_host`:`_port` whose connections this service answers."""

    @property
    def port(self) -> int:
        """The TCP port listened on (known once started)."""
        if self._listener is None:
            raise ServerStateError(f"{self._name} is not started; use `with` or call start() first")
        return self._listener.server_port

    def start(self) -> Self:
        """Bind and start accepting connections in a daemon thread."""
        if self._listener is not None or self.stopping.is_set():
            raise ServerStateError(f"{self._name} can be started once; create a new one to start again")
        try:
            self._listener = self._listen()
        except OSError as exc:
            error = ListenError(
                f"cannot listen on {self._host}:{self._port}: {exc.strerror or exc}; "
                f"choose another {self._port_option} (0 picks a free one)."
            )
            error.errno = exc.errno  # `except OSError` code that reads errno keeps working
            raise error from None
        self._acceptor = Acceptor(
            self._listener,
            name=self._thread_name,
            stopping=self.stopping,
            errors=self.errors,
            join_timeout=self._join_timeout,
        )
        self._acceptor.start()
        return self

    def stop(self) -> None:
        """Stop at once: close the listening socket and every open connection, then join the threads."""
        if self._listener is None or self.stopping.is_set():
            return
        self.stopping.set()
        self.before_connections_close()
        assert self._acceptor is not None
        self._acceptor.stop()

    def before_connections_close(self) -> None:  # noqa: B027 - an optional hook, empty by default
        """A hook run when stopping begins, before open connections are shut down."""

    def __enter__(self) -> Self:
        """Start (unless `start()` was already called) for the `with` block; a stopped one cannot be."""
        if self.stopping.is_set():
            raise ServerStateError(f"{self._name} was stopped; create a new one to start again")
        return self if self._listener is not None else self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Stop when the `with` block ends."""
        self.stop()
