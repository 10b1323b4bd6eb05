"""The HTTP/1.1 plumbing `CassetteServer` and `RecordingProxy` share: a stoppable threaded listener,
request bodies, response heads and a body writer that sends each piece as its own flushed chunk.

Stdlib only (`http.server`), so `runreplay serve` needs no HTTP client library installed.
"""

from __future__ import annotations

import abc
import contextlib
import http
import socket
import threading
from typing import cast

from runreplay._loopback_http import LoopbackHandler, LoopbackListener, LoopbackService
from runreplay.errors import ConfigurationError

__all__ = [
    "HOP_BY_HOP",
    "BodyWriter",
    "Exchange",
    "LoopbackServer",
    "answer_preflight",
    "check_host",
    "cors_headers",
]

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "content-length",
    }
)
"""Headers that describe one connection's framing; they are never copied from a recording or upstream."""

_LOOPBACK = ("127.0.0.1", "::1", "localhost")


def check_host(host: str, *, allow_any: bool) -> str:
    """`host` if it is loopback (or `allow_any`), else a ConfigurationError saying how to allow it."""
    if host in _LOOPBACK or host.startswith("127.") or allow_any:
        return host
    raise ConfigurationError(
        f"refusing to listen on {host!r}: runreplay serves cassettes on loopback only (127.0.0.1, ::1). "
        "Use --host 127.0.0.1, or pass --allow-remote if other machines must reach it (anyone who can "
        "connect can read the cassettes)."
    )


class BodyWriter:
    """Writes a response body piece by piece: chunked framing, or as-is under a Content-Length."""

    def __init__(self, exchange: Exchange, *, chunked: bool, bodyless: bool = False) -> None:
        self._exchange = exchange
        self._chunked = chunked and not bodyless
        self._bodyless = bodyless

    def write(self, data: bytes) -> None:
        """Send `data` now (one HTTP chunk when chunked); empty pieces are skipped (0 ends a body)."""
        if not data or self._bodyless:
            return
        wfile = self._exchange.wfile
        if self._chunked:
            wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        else:
            wfile.write(data)

    def finish(self) -> None:
        """End the body normally (the terminating zero chunk when chunked)."""
        if self._chunked:
            self._exchange.wfile.write(b"0\r\n\r\n")

    def abort(self) -> None:
        """End the body as a dropped connection does: no terminating chunk, the socket shut down."""
        self._exchange.close_connection = True
        with contextlib.suppress(OSError):
            self._exchange.connection.shutdown(socket.SHUT_RDWR)


class Exchange(LoopbackHandler):
    """One kept-alive client connection; each request is handed to the owning server's `answer`."""

    timeout = 300  # an idle kept-alive connection is closed after this many seconds
    max_body = 64 * 1024 * 1024

    @property
    def owner(self) -> LoopbackServer:
        """The LoopbackServer this connection belongs to."""
        return cast(_Listener, self.server).owner

    def _handle(self) -> None:
        self.owner.answer(self)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle

    def start_response(
        self, status: int, reason: str, headers: list[tuple[str, str]], *, length: int | None
    ) -> BodyWriter:
        """Send the status line and headers (framing headers are ours); `length` None means chunked.

        A response that never has a body (to HEAD, 1xx, 204, 304) gets no framing header and no body.
        """
        bodyless = self.command == "HEAD" or status in (204, 304) or 100 <= status < 200
        lines = [f"{self.protocol_version} {status} {reason or _phrase(status)}\r\n"]
        lines += [f"{name}: {value}\r\n" for name, value in headers if name.lower() not in HOP_BY_HOP]
        if not bodyless:
            lines.append(
                "transfer-encoding: chunked\r\n" if length is None else f"content-length: {length}\r\n"
            )
        lines.append(f"connection: {'close' if self.close_connection else 'keep-alive'}\r\n\r\n")
        self.wfile.write("".join(lines).encode("latin-1", "replace"))
        return BodyWriter(self, chunked=length is None, bodyless=bodyless)

    def send_bytes(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        """A whole response at once, framed by Content-Length."""
        self.start_response(status, "", headers, length=len(body)).write(body)


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class _Listener(LoopbackListener):
    """The listening socket; connections are accepted and served by LoopbackServer itself."""

    address_family = socket.AF_INET

    def __init__(self, owner: LoopbackServer, host: str, port: int) -> None:
        self.owner = owner
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), Exchange)


class LoopbackServer(LoopbackService):
    """A threaded HTTP/1.1 server that starts in `__enter__` and stops at once in `__exit__`.

    Subclasses implement `answer(exchange)`. `stopping` is set when `stop()` begins, so long replays
    and proxied streams can end early; every open connection is then shut down and its thread joined.
    """

    def __init__(self, *, host: str, port: int, name: str) -> None:
        super().__init__(name=name, host=host, port=port, join_timeout=5, port_option="--port")
        self._lock = threading.Lock()

    def _listen(self) -> _Listener:
        """A listener on `host`:`port` whose connections this server answers."""
        return _Listener(self, self._host, self._port)

    @abc.abstractmethod
    def answer(self, exchange: Exchange) -> None:
        """Answer one request on `exchange`."""

    @property
    def base_url(self) -> str:
        """`http://HOST:PORT`, the root URL clients use (add the API's path prefix, e.g. `/v1`)."""
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self.port}"


def cors_headers(exchange: Exchange, headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """`headers` plus `Access-Control-Allow-Origin` for a browser's request, unless already there."""
    origin = exchange.headers.get("origin")
    if origin is None or any(name.lower() == "access-control-allow-origin" for name, _ in headers):
        return headers
    return [
        *headers,
        ("access-control-allow-origin", origin),
        ("access-control-expose-headers", "*"),
        ("vary", "origin"),
    ]


def answer_preflight(exchange: Exchange) -> bool:
    """Answer a browser's CORS preflight (OPTIONS + Access-Control-Request-Method); False if not one."""
    if exchange.command != "OPTIONS" or "access-control-request-method" not in exchange.headers:
        return False
    exchange.read_body()
    headers = [
        ("access-control-allow-origin", exchange.headers.get("origin", "*")),
        ("access-control-allow-methods", exchange.headers["access-control-request-method"]),
        ("access-control-allow-headers", exchange.headers.get("access-control-request-headers", "*")),
        ("access-control-max-age", "600"),
        ("vary", "origin"),
    ]
    exchange.send_bytes(204, headers, b"")
    return True
