"""A hostile loopback server for the safety tests: it reflects whatever the client sent back at it.

`EchoServer` (a context manager; `.base_url`) serves on 127.0.0.1 in a thread:

- `/echo`: 200, every request header back as `X-Echo-<Name>`, and a JSON body with the method, the
  path with its query, the headers and the body as text;
- `/sse`: an event stream whose `data:` carries the request's Authorization header and body, cut into
  chunks at fixed byte offsets (`?cut=N,M,...`), so a secret is split across chunk boundaries; with
  `?open=1` the stream never ends (for a client that leaves it open); `?env=NAME` adds the value of
  environment variable NAME as this process sees it (a server that leaks a key it was given);
- `/401`: the API's "Incorrect API key provided: <Authorization>" error, with a WWW-Authenticate header;
- `/redirect`: 302 to `/echo?access_token=<the bearer token>`;
- `/drop`: announces 1,000 bytes, sends 100, and closes the connection;
- `/reset`: the same, but resets the connection (the client sees `ConnectionResetError`);
- `/big?size=N`: N bytes of `a`, in one write.

Every request is kept in `.requests` as `(method, path, headers, body)`.
"""

from __future__ import annotations

import json
import os
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["EchoServer", "echo_server"]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def _body(self) -> bytes:
        size = int(self.headers.get("content-length") or 0)
        return self.rfile.read(size) if size else b""

    def _send(self, status: int, body: bytes, headers: list[tuple[str, str]]) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _handle(self) -> None:
        body = self._body()
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        headers = [(name, value) for name, value in self.headers.items()]
        self.server.requests.append((self.command, self.path, headers, body))
        authorization = self.headers.get("authorization", "")
        if url.path == "/echo":
            echoed = [(f"X-Echo-{name}", value) for name, value in headers]
            payload = {
                "method": self.command,
                "url": self.path,
                "headers": dict(headers),
                "body": body.decode("utf-8", "replace"),
            }
            self._send(200, json.dumps(payload).encode(), [("Content-Type", "application/json"), *echoed])
        elif url.path == "/sse":
            reflected = {"authorization": authorization, "body": body.decode("utf-8", "replace")}
            for name in query.get("env", []):  # what the server's process sees (the client's, here)
                reflected[name] = os.environ.get(name, "")
            data = json.dumps(reflected)
            stream = f"event: echo\ndata: {data}\n\n".encode()
            if "open" not in query:
                stream += b"data: [DONE]\n\n"
            cuts = [int(c) for c in query.get("cut", ["0"])[0].split(",") if c]
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            start = 0
            for cut in [*cuts, len(stream)]:
                if cut > start:
                    self._chunk(stream[start:cut])
                    time.sleep(0.02)  # each piece arrives as its own read
                    start = cut
            if "open" in query:
                self.server.hold.wait(5.0)
            self.wfile.write(b"0\r\n\r\n")
        elif url.path == "/401":
            message = f"Incorrect API key provided: {authorization}. You can find your API key online."
            error = {
                "error": {"message": message, "type": "invalid_request_error", "code": "invalid_api_key"}
            }
            self._send(
                401,
                json.dumps(error).encode(),
                [
                    ("Content-Type", "application/json"),
                    ("WWW-Authenticate", 'Bearer realm="api", error="invalid_token"'),
                ],
            )
        elif url.path == "/redirect":
            token = authorization.partition(" ")[2]
            self._send(302, b"", [("Location", f"/echo?access_token={token}")])
        elif url.path == "/drop":
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"x" * 100)
            self.wfile.flush()
            self.close_connection = True
        elif url.path == "/reset":
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"x" * 100)
            self.wfile.flush()
            time.sleep(0.05)
            # an abortive close: the client's next read fails with ConnectionResetError
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
        elif url.path == "/big":
            size = int(query.get("size", ["0"])[0])
            self._send(200, b"a" * size, [("Content-Type", "application/octet-stream")])
        else:
            self._send(404, b"not found", [("Content-Type", "text/plain")])

    do_GET = do_POST = do_PUT = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet: /reset breaks its own connection on purpose."""

    requests: list[tuple[str, str, list[tuple[str, str]], bytes]]
    hold: threading.Event


class EchoServer:
    """The running server: `.base_url` (http://127.0.0.1:PORT), `.requests`, `.stop()`."""

    def __init__(self) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.requests = []
        self._server.hold = threading.Event()
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True
        self._thread.start()
        host, port = self._server.server_address[:2]
        self.base_url = f"http://{host!s}:{port}"

    @property
    def requests(self) -> list[tuple[str, str, list[tuple[str, str]], bytes]]:
        """Every request received, in order."""
        return self._server.requests

    def stop(self) -> None:
        """Release held streams, stop serving and close the socket."""
        self._server.hold.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5.0)


@contextmanager
def echo_server() -> Iterator[EchoServer]:
    """An `EchoServer` for the duration of the block."""
    server = EchoServer()
    try:
        yield server
    finally:
        server.stop()
