"""`runreplay serve` per-request overhead, side by side with a bare `http.server` sending the same bytes.

    .venv/bin/python -m pytest benchmarks/bench_serve.py -p no:randomly
    .venv/bin/python benchmarks/bench_serve.py        # the same, printed as overhead per request

Both servers run in this process on 127.0.0.1 and are asked by the same kept-alive `http.client`
connection, which reads each body to the end. The anchor, `http.server`, is the standard library's
`ThreadingHTTPServer` with a handler that reads the request and writes the recorded status line,
headers and chunks with the same framing (one HTTP chunk per recorded chunk), and nothing else: the
floor for a Python server. runreplay's `CassetteServer` does the rest of the work of a replay on top:
matching the request (the session's index, body parsed as JSON), the replay plan, header filtering.

Groups (ratio = anchor time / runreplay time, so below 1 means runreplay is slower):

* ``serve-json-1``: a non-streamed JSON run object (~800 bytes, Content-Length framing).
* ``serve-stream-26``: a 26-chunk SSE stream (~8.7 KB), as the embedded server sends one run.
"""

from __future__ import annotations

import http.client
import http.server
import json
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from runreplay.cassette import Cassette, Chunk, Interaction, RecordedRequest, RecordedResponse, save
from runreplay.serve import CassetteServer

PATH = "/v1/threads/runs"
API = "https://api.openai.com"


def _exchanges() -> dict[str, tuple[bytes, RecordedResponse]]:
    """Per group: the request body, and the recorded response both servers send."""
    run = {
        "id": "run_" + "0" * 24,
        "object": "thread.run",
        "created_at": 1767225600,
        "assistant_id": "asst_" + "0" * 24,
        "thread_id": "thread_" + "0" * 24,
        "status": "queued",
        "model": "gpt-4o",
        "instructions": "You are a helpful assistant. " * 8,
        "tools": [],
        "metadata": {},
        "temperature": 1.0,
        "top_p": 1.0,
        "truncation_strategy": {"type": "auto", "last_messages": None},
        "response_format": "auto",
        "tool_choice": "auto",
        "parallel_tool_calls": True,
    }
    body = json.dumps(run, indent=2).encode()
    plain = RecordedResponse(
        status=200,
        reason="OK",
        headers=[
            ("content-type", "application/json"),
            ("content-length", str(len(body))),
            ("x-request-id", "req_1"),
        ],
        chunks=[Chunk(body, 1.0)],
    )
    frames = [
        b"event: thread.message.delta\ndata: "
        + json.dumps(
            {"id": "msg_1", "object": "thread.message.delta", "delta": {"content": [{"text": "word " * 40}]}}
        ).encode()
        + b"\n\n"
        for _ in range(25)
    ] + [b"event: done\ndata: [DONE]\n\n"]
    stream = RecordedResponse(
        status=200,
        reason="OK",
        headers=[("content-type", "text/event-stream; charset=utf-8"), ("x-request-id", "req_2")],
        chunks=[Chunk(frame, float(n)) for n, frame in enumerate(frames)],
    )
    return {
        "serve-json-1": (json.dumps({"assistant_id": "asst_json"}).encode(), plain),
        "serve-stream-26": (json.dumps({"assistant_id": "asst_stream", "stream": True}).encode(), stream),
    }


EXCHANGES = _exchanges()


class _Bare(http.server.BaseHTTPRequestHandler):
    """The anchor: read the request, write the same status, headers and chunks; nothing else."""

    protocol_version = "HTTP/1.1"
    responses_by_body: ClassVar[dict[bytes, RecordedResponse]] = dict(EXCHANGES.values())

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        response = self.responses_by_body[body]
        length = response.header("content-length")
        head = [f"HTTP/1.1 {response.status} {response.reason}\r\n"]
        head += [f"{name}: {value}\r\n" for name, value in response.headers]
        head.append("" if length else "transfer-encoding: chunked\r\n")
        self.wfile.write(("".join(head) + "\r\n").encode("latin-1"))
        for chunk in response.chunks:
            self.wfile.write(chunk.data if length else b"%x\r\n%s\r\n" % (len(chunk.data), chunk.data))
        if not length:
            self.wfile.write(b"0\r\n\r\n")


def _ask(connection: http.client.HTTPConnection, body: bytes) -> bytes:
    connection.request("POST", PATH, body, {"content-type": "application/json"})
    return connection.getresponse().read()


def _cassette(folder: Path) -> Path:
    path = folder / "bench.yaml"
    interactions = [
        Interaction(
            RecordedRequest("POST", API + PATH, [("content-type", "application/json")], body), response
        )
        for body, response in EXCHANGES.values()
    ]
    save(path, Cassette(interactions=interactions))
    return path


def _servers() -> Iterator[tuple[str, int]]:
    """(tool, port) for runreplay's CassetteServer and the bare http.server, both running."""
    with tempfile.TemporaryDirectory() as folder:
        bare = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Bare)
        bare.daemon_threads = True
        thread = threading.Thread(target=bare.serve_forever, daemon=True)
        thread.start()
        try:
            with CassetteServer(_cassette(Path(folder)), allow_playback_repeats=True) as server:
                yield "runreplay", server.port
                yield "http.server", bare.server_address[1]  # type: ignore[misc]
        finally:
            bare.shutdown()
            bare.server_close()


@pytest.fixture(scope="module")
def ports() -> Iterator[dict[str, int]]:
    servers = _servers()
    found = dict(next(servers) for _ in range(2))
    yield found
    servers.close()


@pytest.mark.parametrize("group", sorted(EXCHANGES))
@pytest.mark.parametrize("tool", ["runreplay", "http.server"])
def test_serve(
    benchmark: Any, record: Callable[[Any, str, str], None], ports: dict[str, int], group: str, tool: str
) -> None:
    body, response = EXCHANGES[group]
    connection = http.client.HTTPConnection("127.0.0.1", ports[tool], timeout=30)
    try:
        assert _ask(connection, body) == response.body
        benchmark.group = group
        benchmark(_ask, connection, body)
        record(benchmark, group, tool)
    finally:
        connection.close()


def main(rounds: int = 3000) -> None:
    """Median time per request for each server and group, and runreplay's overhead over the anchor.

    The two servers are asked in turns (one request each per round), so load from other processes
    falls on both alike.
    """
    servers = _servers()
    ports = dict(next(servers) for _ in range(2))
    try:
        for group, (body, _) in EXCHANGES.items():
            connections = {
                tool: http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                for tool, port in ports.items()
            }
            times: dict[str, list[float]] = {tool: [] for tool in ports}
            for _ in range(rounds):
                for tool, connection in connections.items():
                    started = time.perf_counter()
                    _ask(connection, body)
                    times[tool].append(time.perf_counter() - started)
            for connection in connections.values():
                connection.close()
            ours, anchor = (statistics.median(times[tool]) for tool in ("runreplay", "http.server"))
            print(
                f"{group:<16} runreplay {ours * 1e6:7.0f} µs   http.server {anchor * 1e6:7.0f} µs   "
                f"overhead {(ours - anchor) * 1e6:+6.0f} µs per request ({ours / anchor:.2f}×)"
            )
    finally:
        servers.close()


if __name__ == "__main__":
    main()
