"""Record and replay through httpx2 and httpx, sync and async, over real sockets, chunk by chunk."""

from __future__ import annotations

import time
from pathlib import Path

import anyio
import httpx
import httpx2
import pytest

from runreplay.cassette import load
from runreplay.fakeserver import FakeAssistantsServer
from runreplay.recording import use_cassette

BODY = {
    "assistant_id": "asst_abc",
    "stream": True,
    "thread": {"messages": [{"role": "user", "content": "Hi"}]},
}


def _chunks_sync(module: object, base_url: str) -> list[bytes]:
    with module.Client() as client, client.stream("POST", f"{base_url}/threads/runs", json=BODY) as response:  # type: ignore[attr-defined]
        assert response.status_code == 200
        return list(response.iter_raw())


async def _chunks_async(module: object, base_url: str) -> list[bytes]:
    async with module.AsyncClient() as client:  # type: ignore[attr-defined]
        async with client.stream("POST", f"{base_url}/threads/runs", json=BODY) as response:
            return [part async for part in response.aiter_raw()]


@pytest.mark.parametrize("module", [httpx2, httpx], ids=["httpx2", "httpx"])
def test_sync_stream_replays_the_same_chunks_without_the_server(module: object, tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    with FakeAssistantsServer(seed=1) as server:
        live = _chunks_sync(module, server.base_url)
        with use_cassette(path, record_mode="once"):
            recorded = _chunks_sync(module, server.base_url)
        base_url = server.base_url
        sent = len(server.requests)
    # The server numbers its ids per request, so the recorded call differs from the first in ids only.
    assert [len(part) for part in recorded] == [len(part) for part in live]
    assert len(recorded) > 10  # one chunk per SSE event from the embedded server
    with use_cassette(path) as session:
        replayed = _chunks_sync(module, base_url)
    assert replayed == recorded
    assert session.stats().played == 1
    assert sent == 2  # the replay never reached the (stopped) server
    cassette = load(path)
    assert [c.data for c in cassette.interactions[0].response.chunks] == recorded


@pytest.mark.parametrize("module", [httpx2, httpx], ids=["httpx2", "httpx"])
def test_async_stream_replays_the_same_chunks(module: object, tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    with FakeAssistantsServer(seed=2) as server:
        with use_cassette(path, record_mode="once"):
            recorded = anyio.run(_chunks_async, module, server.base_url)
        base_url = server.base_url
    with use_cassette(path):
        replayed = anyio.run(_chunks_async, module, base_url)
    assert replayed == recorded
    assert len(recorded) > 10


def _first_and_total(url: str) -> tuple[float, float]:
    """Seconds to the first chunk and to the end of the body of one streamed POST."""
    started = time.perf_counter()
    with httpx2.Client() as client, client.stream("POST", url, json=BODY) as response:
        stream = response.iter_raw()
        next(stream)
        first = time.perf_counter() - started
        for _ in stream:
            pass
    return first, time.perf_counter() - started


def test_recording_passes_each_chunk_through_as_it_arrives(tmp_path: Path) -> None:
    with FakeAssistantsServer(seed=3, chunk_delay=0.05) as server:
        url = f"{server.base_url}/threads/runs"
        _first_and_total(url)  # warm the server up (its first reply builds its text generator)
        live_first, _ = _first_and_total(url)
        with use_cassette(tmp_path / "c.yaml", record_mode="all"):
            first, total = _first_and_total(url)
    # vcrpy hands over the first byte only after the whole stream; the tee hands it over as it arrives.
    assert first < live_first + 0.04
    assert first < total / 4


def test_replay_speed_one_reproduces_the_recorded_timing(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    with FakeAssistantsServer(seed=4, chunk_delay=0.02) as server:
        with use_cassette(path, record_mode="once"):
            _chunks_sync(httpx2, server.base_url)
        base_url = server.base_url
    offsets = [c.offset_ms for c in load(path).interactions[0].response.chunks]
    with use_cassette(path, replay_speed=1):
        started = time.perf_counter()
        arrivals = []
        with (
            httpx2.Client() as client,
            client.stream("POST", f"{base_url}/threads/runs", json=BODY) as response,
        ):
            for _ in response.iter_raw():
                arrivals.append((time.perf_counter() - started) * 1000)
    assert len(arrivals) == len(offsets)
    assert abs(arrivals[-1] - offsets[-1]) <= 0.2 * offsets[-1]
    with use_cassette(path, replay_speed=0):
        started = time.perf_counter()
        _chunks_sync(httpx2, base_url)
        assert time.perf_counter() - started < offsets[-1] / 1000 / 2


def test_a_connection_broken_mid_stream_is_recorded_and_raised_again_after_the_same_chunk(
    tmp_path: Path,
) -> None:
    path = tmp_path / "c.yaml"
    with FakeAssistantsServer(seed=5, drop_after_events=4) as server:
        base_url = server.base_url
        live: list[bytes] = []
        with (
            use_cassette(path, record_mode="once"),
            pytest.raises(httpx2.RemoteProtocolError) as recorded_error,
            httpx2.Client() as client,
            client.stream("POST", f"{base_url}/threads/runs", json=BODY) as response,
        ):
            for part in response.iter_raw():
                live.append(part)
    replayed: list[bytes] = []
    with use_cassette(path), pytest.raises(httpx2.RemoteProtocolError) as replay_error:
        with (
            httpx2.Client() as client,
            client.stream("POST", f"{base_url}/threads/runs", json=BODY) as response,
        ):
            for part in response.iter_raw():
                replayed.append(part)
    assert replayed == live
    assert str(replay_error.value) == str(recorded_error.value)
    interaction = load(path).interactions[0]
    assert interaction.response.error is not None
    assert interaction.response.error.type == "httpx2.RemoteProtocolError"
    assert interaction.response.complete is False


def test_a_stream_the_client_closes_early_is_kept_as_a_partial_recording(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    with FakeAssistantsServer(seed=6, chunk_delay=0.01) as server:
        with (
            use_cassette(path, record_mode="once"),
            httpx2.Client() as client,
            client.stream("POST", f"{server.base_url}/threads/runs", json=BODY) as response,
        ):
            stream = response.iter_raw()
            first_two = [next(stream), next(stream)]
        base_url = server.base_url
    response_on_file = load(path).interactions[0].response
    assert response_on_file.complete is False
    assert [c.data for c in response_on_file.chunks] == first_two
    with use_cassette(path):
        assert _chunks_sync(httpx2, base_url) == first_two
