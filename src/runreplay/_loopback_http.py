"""The stdlib HTTP/1.1 parts both loopback servers (the fake API and `runreplay serve`) build on."""

from __future__ import annotations

import http.server
import re
import socket
import socketserver
from typing import Any

from runreplay.errors import RunreplayError

__all__ = ["BadRequestBody", "LoopbackHandler", "LoopbackListener"]


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
