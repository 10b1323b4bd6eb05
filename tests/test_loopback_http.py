"""Tests of `runreplay._loopback_http`: request bodies and the start/stop lifecycle both loopback servers share."""

from __future__ import annotations

import errno
import json
import os
import socket
from pathlib import Path

import pytest

from runreplay._fakeserver_wire import Handler
from runreplay.cassette import Cassette, save
from runreplay.errors import ConfigurationError, ListenError, ServerStateError
from runreplay.fakeserver import FakeAssistantsServer
from runreplay.serve import CassetteServer


def exchange(port: int, request: bytes) -> tuple[str, dict[str, object]]:
    """Send raw request bytes; the status line and the JSON body of the answer (the server then closes)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0].decode(), json.loads(body)


def error_message(answer: dict[str, object]) -> object:
    error = answer["error"]
    assert isinstance(error, dict)
    return error["message"]


@pytest.mark.parametrize(
    ("framing", "message"),
    [
        (b"content-length: -5\r\n\r\n", "invalid Content-Length -5"),
        (b"content-length: 12abc\r\n\r\n", "invalid Content-Length 12abc"),
        (b"transfer-encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", "invalid chunk size 'zz'"),
    ],
)
def test_a_malformed_body_is_answered_with_the_apis_400(framing: bytes, message: str) -> None:
    with FakeAssistantsServer() as server:
        status, answer = exchange(server.port, b"POST /v1/threads/runs HTTP/1.1\r\nhost: x\r\n" + framing)
    assert status == "HTTP/1.1 400 Bad Request"
    assert error_message(answer) == message


def test_a_chunked_body_over_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Handler, "max_body", 8)
    request = b"POST /v1/threads/runs HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n"
    with FakeAssistantsServer() as server:
        status, answer = exchange(server.port, request + b"5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n")
    assert status == "HTTP/1.1 400 Bad Request"
    assert error_message(answer) == "request body too large"


@pytest.mark.parametrize(
    "size",
    [b"9", b"ffffffffffffffffffff", b"7fffffffffffffff"],
    ids=["one-chunk-past-the-limit", "larger-than-an-index", "larger-than-memory"],
)
def test_a_chunk_size_past_the_limit_is_refused_before_reading(
    monkeypatch: pytest.MonkeyPatch, size: bytes
) -> None:
    monkeypatch.setattr(Handler, "max_body", 8)
    request = b"POST /v1/threads/runs HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n"
    with FakeAssistantsServer() as server:
        status, answer = exchange(server.port, request + size + b"\r\nhello")  # the data never comes
    assert status == "HTTP/1.1 400 Bad Request"
    assert error_message(answer) == "request body too large"
    assert server.errors == []


def test_a_port_in_use_is_a_configuration_error_naming_it_and_still_an_os_error() -> None:
    with FakeAssistantsServer() as first:
        second = FakeAssistantsServer(port=first.port)
        with pytest.raises(ConfigurationError) as caught:
            second.start()
        with pytest.raises(OSError, match="cannot listen") as as_before:
            FakeAssistantsServer(port=first.port).start()
    assert str(caught.value) == (
        f"cannot listen on 127.0.0.1:{first.port}: {os.strerror(errno.EADDRINUSE)}; "
        "choose another port (0 picks a free one)."
    )
    assert isinstance(caught.value, ListenError)
    assert as_before.value.errno == errno.EADDRINUSE


def test_the_serve_command_names_its_port_option_when_the_port_is_taken(tmp_path: Path) -> None:
    save(tmp_path / "empty.yaml", Cassette())
    with FakeAssistantsServer() as first, pytest.raises(ListenError) as caught:
        CassetteServer(tmp_path / "empty.yaml", port=first.port).start()
    assert str(caught.value) == (
        f"cannot listen on 127.0.0.1:{first.port}: {os.strerror(errno.EADDRINUSE)}; "
        "choose another --port (0 picks a free one)."
    )


def test_a_stopped_server_cannot_enter_a_with_block_again() -> None:
    with FakeAssistantsServer() as server:
        pass
    with pytest.raises(ServerStateError) as caught, server:
        pass  # pragma: no cover - not reached
    assert str(caught.value) == "FakeAssistantsServer was stopped; create a new one to start again"


def test_the_accepting_thread_keeps_its_name() -> None:
    import threading

    with FakeAssistantsServer():
        assert "runreplay-fakeserver" in {thread.name for thread in threading.enumerate()}


def test_a_started_server_enters_its_with_block_as_it_is_and_starts_only_once() -> None:
    server = FakeAssistantsServer().start()
    with server as entered:
        assert entered is server
        with pytest.raises(ServerStateError) as caught:
            server.start()
    assert str(caught.value) == "FakeAssistantsServer can be started once; create a new one to start again"
    assert server.stopping.is_set()
