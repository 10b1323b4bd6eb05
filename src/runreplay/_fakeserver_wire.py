"""The fake server's HTTP side: one connection's requests read, handed to the server, and replies written."""

from __future__ import annotations

import http
import json
import socket
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from runreplay import _fakeserver_payloads as payloads
from runreplay._fakeserver_chunking import Chunker
from runreplay._loopback_http import LoopbackHandler, LoopbackListener

__all__ = ["Handler", "Listener", "Owner", "Reply"]

_HOST = "127.0.0.1"


@dataclass
class Reply:
    """A response before it is written: a JSON body, or SSE frames to send chunked."""

    status: int
    body: Any = None
    frames: list[bytes] | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)


class Owner(Protocol):
    """What a connection needs from the server that owns it (`FakeAssistantsServer`)."""

    stopping: threading.Event

    def _answer(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> Reply:
        """The reply to one request."""
        ...

    def _stream_settings(self) -> tuple[Chunker, float, int | None]:
        """The chunker, delay and drop point for the stream about to be written."""
        ...


class Handler(LoopbackHandler):
    """Parses one HTTP/1.1 request at a time on a kept-alive connection and writes the reply."""

    timeout = 60  # an idle kept-alive connection is closed after this many seconds

    @property
    def owner(self) -> Owner:
        """The FakeAssistantsServer this connection belongs to."""
        return cast(Listener, self.server).owner

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Malformed requests get the API's JSON error envelope instead of an HTML page."""
        self.close_connection = True
        text = message or http.HTTPStatus(code).phrase
        self._write(Reply(code, payloads.error_body(text, type_="invalid_request_error")), head_only=False)

    def _handle(self) -> None:
        """Read the body, let the owner answer, write the answer."""
        try:
            raw = self.read_body()
        except ValueError as exc:
            self.send_error(400, str(exc))
            return
        reply = self.owner._answer(self.command, self.path, dict(self.headers.items()), raw)
        self._write(reply, head_only=self.command == "HEAD")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle

    def _write(self, reply: Reply, *, head_only: bool) -> None:
        """Write the status line, headers and body: Content-Length for JSON, chunked frames for SSE."""
        headers = list(reply.headers)
        if reply.frames is None:
            body = (
                b""
                if reply.body is None
                else (json.dumps(reply.body, indent=2, ensure_ascii=False) + "\n").encode()
            )
            headers = [("content-type", "application/json"), *headers] if reply.body is not None else headers
            if reply.status != 204:
                headers.append(("content-length", str(len(body))))
        else:
            headers = [("content-type", "text/event-stream; charset=utf-8"), *headers]
            headers.append(("transfer-encoding", "chunked"))
        headers.append(("connection", "close" if self.close_connection else "keep-alive"))
        status = f"{self.protocol_version} {reply.status} {http.HTTPStatus(reply.status).phrase}\r\n"
        head = status + "".join(f"{name}: {value}\r\n" for name, value in headers) + "\r\n"
        if reply.frames is None:
            self.wfile.write(head.encode("latin-1") + (b"" if head_only else body))
        else:
            self.wfile.write(head.encode("latin-1"))
            if not head_only:
                self._write_chunks(reply.frames)

    def _write_chunks(self, frames: list[bytes]) -> None:
        """Send SSE frames as HTTP chunks, with the configured cuts, delays and abrupt drop."""
        chunker, delay, drop = self.owner._stream_settings()
        dropped = drop is not None and drop < len(frames)
        for number, chunk in enumerate(chunker(frames[:drop] if dropped else frames)):
            if number and delay > 0 and self.owner.stopping.wait(delay):
                dropped = True
                break
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        if dropped:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        else:
            self.wfile.write(b"0\r\n\r\n")


class Listener(LoopbackListener):
    """The listening socket on 127.0.0.1; connections are accepted and served by its owner."""

    def __init__(self, owner: Owner, port: int) -> None:
        self.owner = owner
        super().__init__((_HOST, port), Handler)
