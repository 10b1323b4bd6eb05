"""`runreplay.serve.CassetteServer` and `runreplay serve`: recordings over a real port, chunk for chunk.

Cassettes here are written by hand from the model, so the expected chunks, timing and counts are
the test's own, not computed by the code under test.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _serve_clients import Observed, free_port, raw_request, run_until_client_done
from runreplay.cassette import Cassette, Chunk, Interaction, RecordedRequest, RecordedResponse, save
from runreplay.cli import main
from runreplay.errors import ConfigurationError
from runreplay.faults import drop_after, error_event, http_error, stall
from runreplay.serve import CassetteServer, parse_fault

API = "https://api.example.test"
RUNS = "/v1/threads/runs"
SSE = [("content-type", "text/event-stream; charset=utf-8"), ("x-request-id", "req_1")]
EVENTS = [
    b'event: thread.created\ndata: {"id":"thread_1"}\n\n',
    b'event: thread.run.created\ndata: {"id":"run_1"}\n\n',
    b'event: thread.message.delta\ndata: {"delta":"Hel',
    b'lo"}\n\nevent: thread.run.completed\ndata: {"id":"run_1"}\n\n',
    b"event: done\ndata: [DONE]\n\n",
]


def _request(assistant: str, method: str = "POST", path: str = RUNS) -> RecordedRequest:
    body = json.dumps({"assistant_id": assistant, "stream": True}).encode() if method == "POST" else b""
    return RecordedRequest(method, API + path, [("content-type", "application/json")], body)


def _stream(chunks: list[bytes], offsets: list[float] | None = None) -> RecordedResponse:
    offsets = offsets if offsets is not None else [float(n) for n in range(len(chunks))]
    return RecordedResponse(
        status=200,
        reason="OK",
        headers=[*SSE, ("transfer-encoding", "chunked")],
        chunks=[Chunk(data, offset) for data, offset in zip(chunks, offsets, strict=True)],
    )


def _json(document: object, status: int = 200) -> RecordedResponse:
    body = json.dumps(document).encode()
    headers = [("content-type", "application/json"), ("content-length", str(len(body)))]
    return RecordedResponse(status=status, reason="OK", headers=headers, chunks=[Chunk(body, 1.0)])


def _cassette(path: Path, *interactions: tuple[RecordedRequest, RecordedResponse]) -> Path:
    save(path, Cassette(interactions=[Interaction(request, response) for request, response in interactions]))
    return path


def _body(assistant: str) -> bytes:
    return json.dumps({"stream": True, "assistant_id": assistant}).encode()  # other key order: still a match


@pytest.fixture
def stream_cassette(tmp_path: Path) -> Path:
    return _cassette(tmp_path / "stream.yaml", (_request("asst_1"), _stream(EVENTS)))


def test_each_recorded_chunk_is_sent_as_its_own_http_chunk(stream_cassette: Path) -> None:
    with CassetteServer(stream_cassette) as server:
        seen = raw_request(server.base_url, RUNS, _body("asst_1"))
    assert seen.status == 200
    assert seen.chunks == EVENTS
    assert seen.complete
    assert seen.headers["transfer-encoding"] == "chunked"
    assert seen.headers["x-request-id"] == "req_1"
    assert "content-length" not in seen.headers


def test_a_recorded_content_length_body_keeps_its_framing(tmp_path: Path) -> None:
    path = _cassette(
        tmp_path / "json.yaml", (_request("asst_1", "GET", "/v1/threads/thread_1"), _json({"id": "t"}))
    )
    with CassetteServer(path) as server:
        seen = raw_request(server.base_url, "/v1/threads/thread_1", method="GET", headers={})
    assert (seen.status, seen.body, seen.headers["content-length"]) == (200, b'{"id": "t"}', "11")


def test_identical_requests_play_in_recorded_order_then_are_unmatched(tmp_path: Path) -> None:
    first, second = _stream([b"data: 1\n\n"]), _stream([b"data: 2\n\n"])
    path = _cassette(tmp_path / "twice.yaml", (_request("asst_1"), first), (_request("asst_1"), second))
    with CassetteServer(path) as server:
        bodies = [raw_request(server.base_url, RUNS, _body("asst_1")) for _ in range(3)]
    assert [b.body for b in bodies[:2]] == [b"data: 1\n\n", b"data: 2\n\n"]
    assert bodies[2].status == 404
    message = json.loads(bodies[2].body)["error"]["message"]
    assert "It matches 2 recorded interaction(s) (#0, #1), but all of them were already played." in message


def test_an_unmatched_request_gets_a_json_error_naming_the_closest_recordings(tmp_path: Path) -> None:
    path = _cassette(
        tmp_path / "runs.yaml",
        (_request("asst_1"), _stream([b"data: 1\n\n"])),
        (_request("asst_2", "GET", "/v1/threads/thread_1"), _json({"id": "thread_1"})),
    )
    with CassetteServer(path) as server:
        seen = raw_request(server.base_url, RUNS, _body("asst_9"))
    assert seen.status == 404
    assert seen.headers["x-runreplay"] == "unmatched"
    error = json.loads(seen.body)["error"]
    assert error["type"] == "runreplay_unmatched_request"
    assert error["code"] == "unmatched_request"
    assert error["closest"] == [
        {"cassette": str(path), "interaction": 0, "request": f"POST {API}{RUNS}", "played": False},
        {
            "cassette": str(path),
            "interaction": 1,
            "request": f"GET {API}/v1/threads/thread_1",
            "played": False,
        },
    ]
    lines = error["message"].splitlines()
    assert lines[:8] == [
        "runreplay: no recorded response for this request, and record mode 'none' does not record new ones.",
        "",
        f"  POST {API}{RUNS}",
        "",
        f"Cassette: {path} (2 interactions, 0 played)",
        "  record_mode: none",
        "  match_on: method, path, query, body",
        "",
    ]
    assert '      -  "assistant_id": "asst_1",' in lines
    assert '      +  "assistant_id": "asst_9",' in lines


def test_stats_say_what_was_played_and_never_played_per_cassette_and_reset_starts_over(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "cassettes"
    folder.mkdir()
    a = _cassette(folder / "a.yaml", (_request("asst_1"), _stream([b"data: a\n\n"])))
    b = _cassette(
        folder / "b.yaml",
        (_request("asst_1"), _stream([b"data: b0\n\n"])),
        (_request("asst_2"), _stream([b"data: b1\n\n"])),
    )
    with CassetteServer(folder) as server:
        played = [raw_request(server.base_url, RUNS, _body("asst_1")).body for _ in range(2)]
        raw_request(server.base_url, RUNS, _body("asst_3"))
        stats = json.loads(
            raw_request(server.base_url, "/__runreplay__/stats", method="GET", headers={}).body
        )
        reset = raw_request(server.base_url, "/__runreplay__/reset", b"")
        again = raw_request(server.base_url, RUNS, _body("asst_1")).body
    assert played == [b"data: a\n\n", b"data: b0\n\n"]  # files in order, then recorded order
    assert stats == {
        "requests": 3,
        "played": 2,
        "unmatched": 1,
        "faults_applied": 0,
        "never_played": 1,
        "cassettes": [
            {"path": str(a), "interactions": 1, "played": [0], "never_played": []},
            {"path": str(b), "interactions": 2, "played": [0], "never_played": [1]},
        ],
    }
    assert json.loads(reset.body) == {"reset": True}
    assert again == b"data: a\n\n"


def test_replay_speed_one_sends_each_chunk_at_its_recorded_time(tmp_path: Path) -> None:
    offsets = [300.0, 600.0, 900.0, 1200.0, 1500.0]
    path = _cassette(tmp_path / "slow.yaml", (_request("asst_1"), _stream(EVENTS, offsets)))
    with CassetteServer(path, replay_speed=1) as server:
        started = time.perf_counter()
        seen = raw_request(server.base_url, RUNS, _body("asst_1"))
        elapsed = time.perf_counter() - started
    assert seen.chunks == EVENTS
    assert 1.5 * 0.8 <= elapsed <= 1.5 * 1.2


def test_cli_fault_specs_build_the_same_faults_as_the_python_api() -> None:
    assert parse_fault("drop_after:events=3") == drop_after(events=3)
    assert parse_fault("drop_after:events=3,times=1") == drop_after(events=3, times=1)
    assert parse_fault("stall:before_chunk=2,seconds=1.5") == stall(before_chunk=2, seconds=1.5)
    assert parse_fault("http_error:status=429,times=2,retry_after=none") == http_error(
        status=429, times=2, retry_after=None
    )
    assert parse_fault("error_event:after=1,message=Busy, try later,code=none") == error_event(
        after=1, message="Busy, try later", code=None
    )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "drop:events=3",
            "unknown fault 'drop' in --fault 'drop:events=3'; expected NAME:KEY=VALUE,... with NAME one of "
            "drop_after, stall, error_event, http_error (e.g. drop_after:events=3, stall:before_chunk=2,"
            "seconds=1.5, http_error:status=429,times=2). See https://pypi.org/project/pytest-runreplay/#faults",
        ),
        (
            "drop_after:event=3",
            "--fault 'drop_after:event=3': drop_after has no argument event; its arguments are events, times.",
        ),
        (
            "drop_after:events=-1",
            "--fault 'drop_after:events=-1': drop_after(events=...) must be an integer >= 0, got -1.",
        ),
        (
            "stall:3",
            "--fault 'stall:3': '3' is not KEY=VALUE; expected NAME:KEY=VALUE,... with NAME one of drop_after, "
            "stall, error_event, http_error (e.g. drop_after:events=3, stall:before_chunk=2,seconds=1.5, "
            "http_error:status=429,times=2).",
        ),
    ],
)
def test_a_bad_fault_spec_says_what_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        parse_fault(spec)
    assert str(caught.value) == message


def test_drop_after_cuts_the_stream_without_its_end(stream_cassette: Path) -> None:
    with CassetteServer(stream_cassette, faults=[drop_after(events=2)]) as server:
        seen = raw_request(server.base_url, RUNS, _body("asst_1"))
    assert seen.chunks == EVENTS[:2]
    assert not seen.complete


def test_http_error_answers_first_then_the_recording_plays(stream_cassette: Path) -> None:
    with CassetteServer(stream_cassette, faults=[http_error(status=429, retry_after=1)]) as server:
        first = raw_request(server.base_url, RUNS, _body("asst_1"))
        second = raw_request(server.base_url, RUNS, _body("asst_1"))
        stats = server.stats()
    assert (first.status, first.headers["retry-after"]) == (429, "1")
    assert json.loads(first.body)["error"]["code"] == "rate_limit_exceeded"
    assert (second.status, second.chunks) == (200, EVENTS)
    assert stats["faults_applied"] == 1


def test_a_browser_preflight_is_answered_and_responses_allow_the_origin(stream_cassette: Path) -> None:
    origin = {"origin": "http://localhost:5173"}
    with CassetteServer(stream_cassette) as server:
        preflight = raw_request(
            server.base_url,
            RUNS,
            method="OPTIONS",
            headers={
                **origin,
                "access-control-request-method": "POST",
                "access-control-request-headers": "content-type",
            },
        )
        seen = raw_request(
            server.base_url, RUNS, _body("asst_1"), headers={**origin, "content-type": "application/json"}
        )
    assert preflight.status == 204
    assert preflight.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert preflight.headers["access-control-allow-headers"] == "content-type"
    assert seen.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert seen.chunks == EVENTS


def test_it_listens_on_loopback_only_unless_told(stream_cassette: Path) -> None:
    with pytest.raises(ConfigurationError) as caught:
        CassetteServer(stream_cassette, host="0.0.0.0")
    assert str(caught.value) == (
        "refusing to listen on '0.0.0.0': runreplay serves cassettes on loopback only (127.0.0.1, ::1). "
        "Use --host 127.0.0.1, or pass --allow-remote if other machines must reach it (anyone who can "
        "connect can read the cassettes)."
    )


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_the_command_prints_its_url_and_stops_cleanly_on_a_signal(stream_cassette: Path, stop: int) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "runreplay.cli",
            "serve",
            str(stream_cassette),
            "--fault",
            "drop_after:events=1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "error"},
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        seen = raw_request(base_url, RUNS, _body("asst_1"))
    finally:
        process.send_signal(stop)
        out, err = process.communicate(timeout=30)
    assert (seen.chunks, seen.complete) == (EVENTS[:1], False)
    assert process.returncode == 0
    assert out == ""
    assert err.splitlines() == [
        f"runreplay serve: 1 interactions from 1 cassette at {base_url} (stats: {base_url}/__runreplay__/stats); "
        "Ctrl-C or SIGTERM stops",
        "runreplay serve: stopped; 1 requests, 1 played, 0 unmatched, 0 recordings never played",
    ]


def test_the_command_reports_bad_arguments_with_exit_status_2(
    tmp_path: Path, stream_cassette: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", str(tmp_path / "missing.yaml")]) == 2
    assert capsys.readouterr().err == (
        f"runreplay: serve: no such file or directory: {tmp_path / 'missing.yaml'}; expected a cassette file "
        "or a folder of cassettes. Check the path (record cassettes first with pytest --record-mode=once).\n"
    )
    assert main(["serve", str(stream_cassette), "--fault", "drop_after"]) == 2
    assert capsys.readouterr().err == (
        "runreplay: serve: --fault 'drop_after': drop_after() missing 1 required keyword-only argument: "
        "'events'; expected NAME:KEY=VALUE,... with NAME one of drop_after, stall, error_event, http_error "
        "(e.g. drop_after:events=3, stall:before_chunk=2,seconds=1.5, http_error:status=429,times=2).\n"
    )


def test_a_bodyless_response_keeps_the_connection_usable(tmp_path: Path) -> None:
    deleted = RecordedResponse(status=204, reason="No Content", headers=[("x-request-id", "req_9")])
    path = _cassette(
        tmp_path / "bodyless.yaml",
        (_request("asst_1", "DELETE", "/v1/threads/thread_1"), deleted),
        (_request("asst_1", "GET", "/v1/threads/thread_1"), _json({"id": "thread_1"})),
    )
    with CassetteServer(path) as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("DELETE", "/v1/threads/thread_1")
        first = connection.getresponse()
        first_body = first.read()
        connection.request("GET", "/v1/threads/thread_1")  # the same kept-alive connection
        second = connection.getresponse()
        second_body = second.read()
        connection.close()
    assert (first.status, first_body, first.getheader("transfer-encoding")) == (204, b"", None)
    assert (second.status, second_body) == (200, b'{"id": "thread_1"}')


def test_the_command_in_process_serves_until_sigint(
    stream_cassette: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    status, seen = run_until_client_done(
        ["serve", str(stream_cassette)], port, lambda base: raw_request(base, RUNS, _body("asst_1"))
    )
    out, err = capsys.readouterr()
    assert status == 0
    assert isinstance(seen, Observed)
    assert seen.chunks == EVENTS
    assert out == f"http://127.0.0.1:{port}\n"
    assert (
        err.splitlines()[-1]
        == "runreplay serve: stopped; 1 requests, 1 played, 0 unmatched, 0 recordings never played"
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chunks=st.lists(st.binary(min_size=1, max_size=200), max_size=10))
def test_any_recorded_chunks_arrive_as_the_same_http_chunks(chunks: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = _cassette(Path(folder) / "any.yaml", (_request("asst_1"), _stream(chunks)))
        with CassetteServer(path) as server:
            seen = raw_request(server.base_url, RUNS, _body("asst_1"))
    assert seen.chunks == chunks
    assert seen.complete


_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters=",=\r\n"), min_size=1, max_size=30
).filter(lambda text: text == text.strip() and text.lower() not in ("none", "null"))


@given(
    events=st.integers(0, 10**6),
    times=st.none() | st.integers(1, 100),
    seconds=st.floats(0, 1e6, allow_nan=False),
    status=st.integers(400, 599),
    message=_TEXT,
)
def test_fault_specs_round_trip_to_the_python_api(
    events: int, times: int | None, seconds: float, status: int, message: str
) -> None:
    assert parse_fault(f"drop_after:events={events},times={times}") == drop_after(events=events, times=times)
    assert parse_fault(f"stall:before_chunk={events},seconds={seconds!r}") == stall(
        before_chunk=events, seconds=seconds
    )
    assert parse_fault(f"http_error:status={status},message={message}") == http_error(
        status=status, message=message
    )
    assert parse_fault(f"error_event:after={events},message={message},type=server_error") == error_event(
        after=events, message=message, type="server_error"
    )


def test_a_chunked_request_body_matches_and_a_malformed_one_gets_a_400(stream_cassette: Path) -> None:
    body = _body("asst_1")
    chunked = b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (5, body[:5], len(body) - 5, body[5:])
    with CassetteServer(stream_cassette) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            head = b"POST /v1/threads/runs HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n"
            sock.sendall(head + b"transfer-encoding: chunked\r\nconnection: close\r\n\r\n" + chunked)
            answer = b"".join(iter(lambda: sock.recv(65536), b""))
        bad = raw_request(server.base_url, RUNS, headers={"content-length": "-5"})
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"event: done" in answer
    assert bad.status == 400
    assert json.loads(bad.body) == {
        "error": {"message": "runreplay serve: malformed request: invalid Content-Length -5"}
    }
