"""Cassette benchmarks, side by side with vcrpy in the same run (pytest-benchmark).

    .venv/bin/python -m pytest benchmarks/bench_cassette.py -p no:randomly
    .venv/bin/python benchmarks/bench_cassette.py      # load-1000 alone, in a fresh process

Groups (the ratio table at the end of the run is printed by benchmarks/conftest.py):

* ``load-1000``: load a 1,000-interaction cassette written by each tool's own saver. The interactions
  are the same for both: JSON ``POST /v1/threads/runs`` requests, half answered with a ~9 KB SSE stream
  (the reference transcripts, one chunk per event), half with a ~1 KB JSON run object.
  runreplay: `runreplay.cassette.load`; vcrpy: ``vcr.cassette.Cassette.load(path=..., record_mode="none")``.
* ``lookup-N`` (N = 10, 100, 1,000, 10,000): find the response for the request recorded *last* in a
  cassette of N distinct requests (the worst position for vcrpy's linear scan). runreplay: key the
  request with `make_key_function()` (method, url, body) and `CassetteIndex.take`; vcrpy:
  ``Cassette.play_response`` with its default matchers (method, scheme, host, port, path, query: fewer
  than runreplay's, which favours vcrpy) and ``allow_playback_repeats=True`` so it can be timed again.
* ``sse-decode-2000``: decode a 2,000-event stream fed one chunk per event: `runreplay.sse.Decoder`
  against the openai SDK's ``SSEDecoder``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from vcr.cassette import Cassette as VcrCassette
from vcr.persisters.filesystem import FilesystemPersister
from vcr.request import Request as VcrRequest
from vcr.serializers import yamlserializer

from runreplay import sse
from runreplay.cassette import (
    Cassette,
    CassetteIndex,
    Chunk,
    Interaction,
    RecordedRequest,
    RecordedResponse,
    load,
    make_key_function,
    save,
)

EXAMPLES = Path(__file__).resolve().parents[1] / "tests" / "data" / "reference" / "examples"
URL = "https://api.openai.com/v1/threads/runs"

REQUEST_HEADERS = [
    ("Host", "api.openai.com"),
    ("Accept", "application/json"),
    ("Content-Type", "application/json"),
    ("User-Agent", "OpenAI/Python 3.51.0"),
    ("X-Stainless-Lang", "python"),
    ("X-Stainless-Package-Version", "3.51.0"),
    ("X-Stainless-OS", "Linux"),
    ("X-Stainless-Arch", "x64"),
    ("X-Stainless-Runtime", "CPython"),
    ("X-Stainless-Runtime-Version", "3.11.7"),
    ("Authorization", "<redacted>"),
    ("OpenAI-Beta", "assistants=v2"),
]
RESPONSE_HEADERS = [
    ("date", "Thu, 01 Jan 2026 00:00:00 GMT"),
    ("transfer-encoding", "chunked"),
    ("connection", "keep-alive"),
    ("openai-version", "2020-10-01"),
    ("openai-organization", "<redacted>"),
    ("x-request-id", "req_5b3c6a1f0e2d4c7b9a8f6e5d4c3b2a10"),
    ("openai-processing-ms", "123"),
    ("strict-transport-security", "max-age=31536000; includeSubDomains; preload"),
    ("cf-cache-status", "DYNAMIC"),
    ("set-cookie", "<redacted>"),
    ("server", "cloudflare"),
    ("cf-ray", "8f1e2d3c4b5a6978-SJC"),
    ("alt-svc", 'h3=":443"; ma=86400'),
]


def _streams() -> list[bytes]:
    names = ["create_thread_and_run_stream_text.sse", "create_thread_and_run_stream_tool_call.sse"]
    if not all((EXAMPLES / name).exists() for name in names):
        pytest.skip(f"the reference transcripts are not in {EXAMPLES}")
    return [(EXAMPLES / name).read_bytes() for name in names]


def build_interaction(i: int, streams: list[bytes]) -> Interaction:
    """Interaction `i`: a distinct create-thread-and-run request; even ones stream, odd ones do not."""
    streaming = i % 2 == 0
    body = {
        "assistant_id": f"asst_{i:024d}",
        "model": "gpt-4o",
        "stream": streaming,
        "instructions": "You are a concise geography tutor.",
        "thread": {
            "messages": [{"role": "user", "content": f"Question number {i}: what is the capital of France?"}]
        },
        "metadata": {"case": str(i)},
        "temperature": 0.5,
    }
    request = RecordedRequest(
        "POST", f"{URL}?i={i}", REQUEST_HEADERS, json.dumps(body, separators=(",", ":")).encode()
    )
    if streaming:
        stream = streams[(i // 2) % len(streams)]
        pieces = [piece + b"\n\n" for piece in stream.split(b"\n\n")[:-1]]
        chunks = [Chunk(piece, round(300.0 + 25.5 * n, 3)) for n, piece in enumerate(pieces)]
        headers = [("content-type", "text/event-stream; charset=utf-8"), *RESPONSE_HEADERS]
    else:
        run = json.loads(streams[0].split(b"\n\n")[1].split(b"data: ", 1)[1])
        run["id"] = f"run_{i:024d}"
        chunks = [Chunk(json.dumps(run, indent=2).encode() + b"\n", 412.25)]
        headers = [("content-type", "application/json"), *RESPONSE_HEADERS]
    response = RecordedResponse(200, "OK", "HTTP/1.1", headers, chunks, 290.125)
    return Interaction(request, response, "2026-01-01T00:00:00Z")


def to_vcrpy(interaction: Interaction) -> tuple[VcrRequest, dict[str, Any]]:
    """The same interaction as vcrpy records it: joined body, headers as name -> [values]."""
    request = interaction.request
    headers: dict[str, list[str]] = {}
    for name, value in interaction.response.headers:
        headers.setdefault(name, []).append(value)
    return (
        VcrRequest(request.method, request.url, request.body, dict(request.headers)),
        {
            "status": {"code": interaction.response.status, "message": interaction.response.reason},
            "headers": headers,
            "body": {"string": interaction.response.body},
        },
    )


@pytest.fixture(scope="module")
def cassette_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same 1,000 interactions saved by runreplay and by vcrpy (each with its own saver)."""
    streams = _streams()
    interactions = [build_interaction(i, streams) for i in range(1000)]
    folder = tmp_path_factory.mktemp("load")
    ours = folder / "runreplay.yaml"
    save(ours, Cassette(interactions))
    theirs = folder / "vcrpy.yaml"
    pairs = [to_vcrpy(interaction) for interaction in interactions]
    FilesystemPersister.save_cassette(
        theirs, {"requests": [p[0] for p in pairs], "responses": [p[1] for p in pairs]}, yamlserializer
    )
    assert len(load(ours).interactions) == 1000
    return {"runreplay": ours, "vcrpy": theirs}


def test_load_1000_runreplay(
    benchmark: Any, cassette_files: dict[str, Path], record: Callable[..., None]
) -> None:
    benchmark.group = "load-1000"
    path = cassette_files["runreplay"]
    benchmark.extra_info["file_bytes"] = path.stat().st_size
    result = benchmark.pedantic(load, args=(path,), rounds=7, iterations=1, warmup_rounds=1)
    assert len(result.interactions) == 1000
    record(benchmark, "load-1000", "runreplay")


def test_load_1000_vcrpy(
    benchmark: Any, cassette_files: dict[str, Path], record: Callable[..., None]
) -> None:
    benchmark.group = "load-1000"
    path = cassette_files["vcrpy"]
    benchmark.extra_info["file_bytes"] = path.stat().st_size

    def vcrpy_load() -> VcrCassette:
        return VcrCassette.load(path=str(path), record_mode="none")

    result = benchmark.pedantic(vcrpy_load, rounds=5, iterations=1, warmup_rounds=1)
    assert len(result) == 1000
    record(benchmark, "load-1000", "vcrpy")


SIZES = [10, 100, 1000, 10000]
TAKES_PER_ROUND = 100
ROUNDS = 30


@pytest.fixture(scope="module")
def lookup_interactions() -> list[Interaction]:
    streams = _streams()
    return [build_interaction(i, streams) for i in range(max(SIZES))]


@pytest.mark.parametrize("size", SIZES)
def test_lookup_runreplay(
    benchmark: Any, size: int, lookup_interactions: list[Interaction], record: Callable[..., None]
) -> None:
    benchmark.group = f"lookup-{size}"
    key = make_key_function()
    index = CassetteIndex(lookup_interactions[:size], key)
    last = lookup_interactions[size - 1]
    # The last request's key gets extra recordings queued behind it so it can be taken once per timed
    # call; every other key keeps one. A take touches one queue, so the extra copies change nothing.
    for _ in range((ROUNDS + 1) * TAKES_PER_ROUND):
        index.add(last, played=False)
    request = last.request

    def lookup() -> tuple[int, Interaction] | None:
        return index.take(key(request))

    hit = benchmark.pedantic(lookup, rounds=ROUNDS, iterations=TAKES_PER_ROUND, warmup_rounds=1)
    assert hit is not None
    assert hit[1] is last
    record(benchmark, f"lookup-{size}", "runreplay")


@pytest.mark.parametrize("size", SIZES)
def test_lookup_vcrpy(
    benchmark: Any, size: int, lookup_interactions: list[Interaction], record: Callable[..., None]
) -> None:
    benchmark.group = f"lookup-{size}"
    cassette = VcrCassette(f"vcrpy-{size}.yaml", record_mode="none", allow_playback_repeats=True)
    for interaction in lookup_interactions[:size]:
        cassette.append(*to_vcrpy(interaction))
    request = to_vcrpy(lookup_interactions[size - 1])[0]
    # A call scans all `size` recordings; keep the slowest sizes to a few rounds.
    rounds, iterations = {10: (30, 20), 100: (20, 5), 1000: (7, 1), 10000: (3, 1)}[size]
    response = benchmark.pedantic(
        cassette.play_response, args=(request,), rounds=rounds, iterations=iterations, warmup_rounds=1
    )
    assert response["body"]["string"] == lookup_interactions[size - 1].response.body
    record(benchmark, f"lookup-{size}", "vcrpy")


@pytest.fixture(scope="module")
def stream_chunks() -> list[bytes]:
    event = sse.Event(
        "thread.message.delta",
        json.dumps(
            {
                "id": "msg_abc",
                "object": "thread.message.delta",
                "delta": {"content": [{"index": 0, "type": "text", "text": {"value": "x" * 120}}]},
            },
            separators=(",", ":"),
        ),
    )
    return [sse.encode([event])] * 2000 + [sse.encode([sse.Event("done", "[DONE]")])]


def test_sse_decode_runreplay(
    benchmark: Any, stream_chunks: list[bytes], record: Callable[..., None]
) -> None:
    benchmark.group = "sse-decode-2000"

    def decode() -> int:
        decoder = sse.Decoder()
        count = sum(len(decoder.feed(chunk)) for chunk in stream_chunks)
        decoder.close()
        return count

    assert benchmark.pedantic(decode, rounds=20, iterations=1, warmup_rounds=1) == 2001
    record(benchmark, "sse-decode-2000", "runreplay")


def test_sse_decode_openai_sdk(
    benchmark: Any, stream_chunks: list[bytes], record: Callable[..., None]
) -> None:
    from openai._streaming import SSEDecoder

    benchmark.group = "sse-decode-2000"

    def decode() -> int:
        return sum(1 for _ in SSEDecoder().iter_bytes(iter(stream_chunks)))

    assert benchmark.pedantic(decode, rounds=20, iterations=1, warmup_rounds=1) == 2001
    record(benchmark, "sse-decode-2000", "openai-sdk")


def main() -> None:
    """Script mode: the load-1000 comparison alone in a fresh process (a smaller heap than a test run).

    vcrpy's load slows down as the process holds more objects (the cyclic GC walks them), so this is
    the conservative ratio; the pytest run above measures inside a test session.
    """
    import gc
    import statistics
    import tempfile
    import time

    streams = _streams()
    interactions = [build_interaction(i, streams) for i in range(1000)]
    with tempfile.TemporaryDirectory() as folder:
        ours, theirs = Path(folder, "runreplay.yaml"), Path(folder, "vcrpy.yaml")
        save(ours, Cassette(interactions))
        pairs = [to_vcrpy(interaction) for interaction in interactions]
        FilesystemPersister.save_cassette(
            theirs, {"requests": [p[0] for p in pairs], "responses": [p[1] for p in pairs]}, yamlserializer
        )
        del interactions, pairs
        timings: dict[str, list[float]] = {"runreplay": [], "vcrpy": []}
        loaders: dict[str, Callable[[], object]] = {
            "runreplay": lambda: load(ours),
            "vcrpy": lambda: VcrCassette.load(path=str(theirs), record_mode="none"),
        }
        for _ in range(7):
            for tool, run in loaders.items():
                gc.collect()
                start = time.perf_counter()
                run()
                timings[tool].append(time.perf_counter() - start)
        medians = {tool: statistics.median(times) for tool, times in timings.items()}
        print(
            f"load-1000, fresh process, medians of 7 "
            f"(files: runreplay {ours.stat().st_size:,} B, vcrpy {theirs.stat().st_size:,} B)"
        )
        print(
            f"  runreplay {medians['runreplay'] * 1e3:.0f} ms, vcrpy {medians['vcrpy'] * 1e3:.0f} ms, "
            f"ratio {medians['vcrpy'] / medians['runreplay']:.1f}x"
        )


if __name__ == "__main__":
    main()
