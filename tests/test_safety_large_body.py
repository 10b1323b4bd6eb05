"""Linear replay of a large one-chunk body through every adapter (timings live in
benchmarks/bench_large_body.py; here the structure that makes it linear is checked).

A body recorded (or imported) as one chunk is handed to requests without copying when it is read
whole, and cut for a streaming reader through a memoryview, so each piece copies only itself and
never the rest of the body (before, each read copied the remainder: quadratic).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import httpx
import pytest
import requests

from _echo_server import EchoServer
from runreplay.cassette import Cassette, Chunk, Interaction, RecordedRequest, RecordedResponse, load, save
from runreplay.recording import use_cassette
from runreplay.recording._replay import build_plan
from runreplay.recording._requests_adapter import _ReplayRaw

SIZE = 4_000_000


@pytest.fixture
def echo() -> Iterator[EchoServer]:
    server = EchoServer()
    try:
        yield server
    finally:
        server.stop()


def one_chunk(size: int) -> RecordedResponse:
    return RecordedResponse(
        200, headers=[("content-type", "application/octet-stream")], chunks=[Chunk(b"z" * size, 0.0)]
    )


def test_streaming_a_big_chunk_never_copies_the_rest_of_it() -> None:
    response = one_chunk(SIZE)
    recorded = response.chunks[0].data
    raw = _ReplayRaw(response, build_plan(response, (), 0.0), 0.0, None, "http://x/")
    pieces = 0
    total = 0
    for piece in raw.stream(10_240):
        pieces += 1
        total += len(piece)
        assert len(piece) <= 10_240
        if total < SIZE:  # what is left is a view of the recorded bytes, not a copy
            pending = raw._pending
            assert isinstance(pending, memoryview)
            assert pending.obj is recorded
            assert len(pending) == SIZE - total
    assert (pieces, total) == (-(-SIZE // 10_240), SIZE)


def test_small_reads_from_a_big_chunk_never_copy_the_rest_of_it() -> None:
    response = one_chunk(SIZE)
    raw = _ReplayRaw(response, build_plan(response, (), 0.0), 0.0, None, "http://x/")
    assert raw.read(3) == b"zzz"
    assert isinstance(raw._pending, memoryview)
    assert raw._pending.obj is response.chunks[0].data
    assert len(raw.read(SIZE)) == SIZE - 3
    assert raw.read(5) == b""


def test_a_big_body_records_and_replays_through_every_client(echo: EchoServer, tmp_path: Path) -> None:
    url = f"{echo.base_url}/big?size={SIZE}"
    path = tmp_path / "big.yaml"

    async def aiohttp_get() -> bytes:
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            return await response.read()

    with use_cassette(path, record_mode="once"):
        assert len(requests.get(url, timeout=10).content) == SIZE
    # one chunk, as an import makes it
    cassette = load(path)
    cassette.interactions[0].response.chunks = [Chunk(cassette.interactions[0].response.body, 0.0)]
    save(path, Cassette(cassette.interactions * 4))
    echo.stop()
    with use_cassette(path) as session:
        recorded = session.cassette.interactions[0].response.chunks[0].data
        whole = requests.get(url, timeout=10).content
        assert whole is recorded  # read whole: handed over without a copy
        streamed = b"".join(requests.get(url, stream=True, timeout=10).iter_content(65_536))
        assert streamed == recorded
        assert httpx.get(url).content == recorded
        assert asyncio.run(aiohttp_get()) == recorded
    assert session.stats().played == 4


def test_a_body_read_whole_with_an_error_or_timing_still_plays_chunk_by_chunk(tmp_path: Path) -> None:
    response = one_chunk(100)
    response.chunks = [Chunk(b"a" * 50, 0.0), Chunk(b"b" * 50, 1.0)]
    response.complete = False
    from runreplay.cassette import StreamError

    response.error = StreamError("urllib3.exceptions.ProtocolError", "gone", after_chunk=1)
    path = tmp_path / "err.yaml"
    save(path, Cassette([Interaction(RecordedRequest("GET", "http://127.0.0.1:9/x"), response)]))
    with use_cassette(path), pytest.raises(requests.exceptions.ChunkedEncodingError, match="gone"):
        requests.get("http://127.0.0.1:9/x", timeout=10)
