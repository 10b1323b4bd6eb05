"""Replaying one large one-chunk body through every client adapter, side by side with httpx2.

    .venv/bin/python benchmarks/bench_large_body.py 200      # 200 MB, each client in a fresh process
    .venv/bin/python -m pytest benchmarks/bench_large_body.py -p no:randomly   # 20 MB, pytest-benchmark

One GET whose recorded response is one chunk of N MB (what `runreplay import` produces for a vcrpy
cassette), replayed and read whole by `requests` (`.content`, which reads in 10 KB pieces), `httpx`,
`httpx2` (`.content`) and aiohttp (`await response.read()`, through the vcrpy bridge). The cassette
is loaded once, outside the timed part; each client then replays it `REPEATS` times. The anchor is
httpx2, the openai SDK's client: the target is every adapter within 2x of its time, and memory during
a replay of about one copy of the body (tracemalloc's peak above what was allocated before it).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from runreplay.cassette import Cassette, Chunk, Interaction, RecordedRequest, RecordedResponse, save
from runreplay.recording import use_cassette

URL = "http://large.example.test/blob"
CLIENTS = ("httpx2", "httpx", "requests", "aiohttp")
REPEATS = 3


def write_cassette(path: Path, size: int) -> None:
    """A cassette with one GET answered by `size` bytes in a single chunk."""
    body = (b"0123456789abcdef" * (size // 16 + 1))[:size]
    response = RecordedResponse(
        200,
        reason="OK",
        headers=[("content-type", "application/octet-stream"), ("content-length", str(size))],
        chunks=[Chunk(body, 1.0)],
    )
    save(path, Cassette([Interaction(RecordedRequest("GET", URL), response)]))


PIECE = 65_536


def reader(client: str, *, pieces: bool = False) -> Callable[[], int]:
    """A function that replays the GET through `client` and returns the number of bytes read.

    Whole (`.content`, `read()`), or with `pieces` through the client's streaming API in 64 KB
    pieces, which makes the replay cut the one recorded chunk into thousands of pieces.
    """
    if client in ("httpx", "httpx2"):
        module: Any = __import__(client)
        http = module.Client()
        if not pieces:
            return lambda: len(http.get(URL).content)

        def stream() -> int:
            with http.stream("GET", URL) as response:
                return sum(len(piece) for piece in response.iter_bytes(PIECE))

        return stream
    if client == "requests":
        import requests

        session = requests.Session()
        if not pieces:
            return lambda: len(session.get(URL).content)
        return lambda: sum(len(p) for p in session.get(URL, stream=True).iter_content(PIECE))
    import aiohttp

    async def fetch() -> int:
        async with aiohttp.ClientSession() as session, session.get(URL) as response:
            if not pieces:
                return len(await response.read())
            return sum([len(piece) async for piece in response.content.iter_chunked(PIECE)])

    return lambda: asyncio.run(fetch())


def measure(path: Path, client: str, size: int, *, pieces: bool) -> dict[str, float]:
    """Median seconds and peak extra memory (in body sizes) of `REPEATS` replays through `client`."""
    with use_cassette(path, allow_playback_repeats=True):
        read = reader(client, pieces=pieces)
        assert read() == size  # warm up (imports, first-call set-up)
        times = []
        peaks = []
        for _ in range(REPEATS):
            tracemalloc.start()
            started = time.perf_counter()
            assert read() == size
            times.append(time.perf_counter() - started)
            peaks.append(tracemalloc.get_traced_memory()[1] / size)
            tracemalloc.stop()
        # a second pass without tracemalloc, which slows allocation-heavy clients
        plain = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            assert read() == size
            plain.append(time.perf_counter() - started)
    return {
        "seconds": statistics.median(plain),
        "peak_bodies": max(peaks),
        "traced_seconds": statistics.median(times),
    }


def main(argv: list[str]) -> int:
    """Script mode: each client in a fresh process against one cassette; print a table with ratios."""
    if len(argv) > 1 and argv[1] == "--child":
        path, client, size = Path(argv[2]), argv[3], int(argv[4])
        results = {mode: measure(path, client, size, pieces=mode == "pieces") for mode in ("whole", "pieces")}
        print(json.dumps(results))
        return 0
    megabytes = int(argv[1]) if len(argv) > 1 else 200
    size = megabytes * 1_000_000
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "large.yaml"
        write_cassette(path, size)
        results = {}
        for client in CLIENTS:
            child = subprocess.run(
                [sys.executable, __file__, "--child", str(path), client, str(size)],
                check=False,
                capture_output=True,
                text=True,
            )
            if child.returncode != 0:
                print(f"{client} failed:\n{child.stderr}", file=sys.stderr)
                return 1
            results[client] = json.loads(child.stdout.strip().splitlines()[-1])
    print(f"{megabytes} MB in one chunk, median of {REPEATS} replays each (ratio = time / httpx2's time)")
    for mode, title in (("whole", "read whole"), ("pieces", "read in 64 KB pieces")):
        anchor = results["httpx2"][mode]["seconds"]
        print(f"\n{title}:\n{'client':<10} {'time':>11} {'ratio':>7} {'peak memory (bodies)':>22}")
        for client, result in results.items():
            row = result[mode]
            print(
                f"{client:<10} {row['seconds'] * 1000:>8.1f} ms {row['seconds'] / anchor:>6.2f}x "
                f"{row['peak_bodies']:>21.2f}x"
            )
    return 0


@pytest.fixture(scope="module")
def cassette(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("large") / "large.yaml"
    write_cassette(path, 20_000_000)
    return path


@pytest.mark.parametrize("pieces", [False, True], ids=["whole", "pieces"])
@pytest.mark.parametrize("client", CLIENTS)
def test_large_body(benchmark: Any, cassette: Path, client: str, pieces: bool) -> None:
    """pytest-benchmark mode, 20 MB: compare the medians of one group (httpx2 is the anchor)."""
    benchmark.group = f"large-body-20-{'pieces' if pieces else 'whole'}"
    with use_cassette(cassette, allow_playback_repeats=True):
        read = reader(client, pieces=pieces)
        assert benchmark.pedantic(read, rounds=REPEATS, warmup_rounds=1) == 20_000_000


if __name__ == "__main__":
    sys.exit(main(sys.argv))
