"""`requests` and `httpx-sse` consumers record live and replay chunk by chunk, over real sockets."""

from __future__ import annotations

import json
from pathlib import Path

import httpx2
import httpx_sse
import pytest
import requests

from runreplay.cassette import load
from runreplay.fakeserver import FakeAssistantsServer
from runreplay.recording import use_cassette

BODY = {
    "assistant_id": "asst_abc",
    "stream": True,
    "thread": {"messages": [{"role": "user", "content": "Hi"}]},
}


def _lines(url: str) -> list[bytes]:
    with requests.post(url, json=BODY, stream=True, timeout=10) as response:
        assert response.status_code == 200
        return list(response.iter_lines())


def _pieces(url: str) -> list[bytes]:
    with requests.post(url, json=BODY, stream=True, timeout=10) as response:
        return list(response.iter_content(chunk_size=None))


def test_requests_iter_lines_replays_what_it_saw_live(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    with FakeAssistantsServer(seed=11) as server:
        url = f"{server.base_url}/threads/runs"
        with use_cassette(path, record_mode="once"):
            live = _lines(url)
    with use_cassette(path):
        replayed = _lines(url)
    assert replayed == live
    assert live[0].startswith(b"event: thread.created")


def test_requests_iter_content_keeps_the_chunk_boundaries(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    with FakeAssistantsServer(seed=12, chunking="split_utf8") as server:
        url = f"{server.base_url}/threads/runs"
        with use_cassette(path, record_mode="once"):
            live = _pieces(url)
    with use_cassette(path):
        replayed = _pieces(url)
    assert replayed == live
    assert len(live) > 20
    assert [c.data for c in load(path).interactions[0].response.chunks] == live


def test_a_non_streamed_requests_call_replays_json_and_cookies(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    payload = {"assistant_id": "asst_abc"}
    with FakeAssistantsServer(seed=13) as server:
        url = f"{server.base_url}/threads/runs"
        with use_cassette(path, record_mode="once"):
            live = requests.post(url, json=payload, timeout=10)
    with use_cassette(path), requests.Session() as session:
        replayed = session.post(url, json=payload, timeout=10)
    assert replayed.status_code == live.status_code == 200
    assert replayed.json() == live.json()
    assert replayed.headers["content-type"] == live.headers["content-type"]
    # The recorded cookie value is redacted, but the cookie itself is still set on replay.
    assert set(session.cookies.keys()) == set(live.cookies.keys())


def test_a_broken_connection_replays_as_requests_chunked_encoding_error(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    with FakeAssistantsServer(seed=14, drop_after_events=3) as server:
        url = f"{server.base_url}/threads/runs"
        live: list[bytes] = []
        with use_cassette(path, record_mode="once"), pytest.raises(requests.exceptions.ChunkedEncodingError):
            with requests.post(url, json=BODY, stream=True, timeout=10) as response:
                live.extend(response.iter_content(chunk_size=None))
    replayed: list[bytes] = []
    with use_cassette(path), pytest.raises(requests.exceptions.ChunkedEncodingError):
        with requests.post(url, json=BODY, stream=True, timeout=10) as response:
            replayed.extend(response.iter_content(chunk_size=None))
    assert replayed == live


def test_httpx_sse_reads_the_same_events_on_replay(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"

    def events(url: str) -> list[tuple[str, str]]:
        with httpx2.Client() as client, httpx_sse.connect_sse(client, "POST", url, json=BODY) as source:  # type: ignore[arg-type]
            return [(sse.event, sse.data) for sse in source.iter_sse()]

    with FakeAssistantsServer(seed=15, chunking="split_lines") as server:
        url = f"{server.base_url}/threads/runs"
        with use_cassette(path, record_mode="once"):
            live = events(url)
    with use_cassette(path):
        replayed = events(url)
    assert replayed == live
    assert live[-1] == ("done", "[DONE]")
    assert json.loads(live[0][1])["object"] == "thread"
