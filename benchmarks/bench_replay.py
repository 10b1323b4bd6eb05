"""Replay benchmarks through the real `openai` SDK, side by side with httpx2.MockTransport and vcrpy.

    .venv/bin/python -m pytest benchmarks/bench_replay.py -p no:randomly

Groups (ratios printed at the end by benchmarks/conftest.py; ratio = anchor time / runreplay time, so
a ratio below 1 means runreplay is slower than the anchor):

* ``sdk-call-N`` (N = 10, 100, 1,000, 10,000): one non-streamed ``create_and_run`` whose recording is
  the *last* of N distinct interactions. runreplay replays it from the cassette (opened once, outside
  the timed loop); the anchor ``mocktransport`` answers the same SDK call with the same bytes from an
  ``httpx2.MockTransport`` handler (the physical floor of a replay); ``vcrpy`` replays the same
  interactions from its own cassette with ``match_on`` including the body (what pytest-recording runs;
  N <= 1,000 only: it scans every recording per request).
* ``sdk-stream-2000``: a 2,000-event ``create_and_run(stream=True)`` iterated to the end. runreplay
  replays the recorded chunks (one per event); ``mocktransport`` yields the same chunks from a handler.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2
import openai
import pytest
import vcr
import yaml

from runreplay.cassette import Cassette, Chunk, Interaction, RecordedRequest, RecordedResponse, save
from runreplay.recording import use_cassette

URL = "http://api.example.test/v1/threads/runs"
BASE_URL = "http://api.example.test/v1"
THREAD = {"messages": [{"role": "user", "content": "What is the capital of France?"}]}
SIZES = (10, 100, 1_000, 10_000)
VCR_SIZES = (10, 100, 1_000)

pytestmark = pytest.mark.filterwarnings("ignore:The Assistants API is deprecated:DeprecationWarning")


def _run_json(index: int) -> bytes:
    """A realistic queued RunObject, about 800 bytes."""
    run = {
        "id": f"run_{index:024d}",
        "object": "thread.run",
        "created_at": 1767225600,
        "assistant_id": f"asst_{index:024d}",
        "thread_id": f"thread_{index:024d}",
        "status": "queued",
        "started_at": None,
        "expires_at": 1767226200,
        "cancelled_at": None,
        "failed_at": None,
        "completed_at": None,
        "required_action": None,
        "last_error": None,
        "model": "gpt-4o",
        "instructions": "You are a helpful assistant.",
        "tools": [],
        "tool_resources": {},
        "metadata": {},
        "usage": None,
        "temperature": 1.0,
        "top_p": 1.0,
        "max_prompt_tokens": None,
        "max_completion_tokens": None,
        "truncation_strategy": {"type": "auto", "last_messages": None},
        "incomplete_details": None,
        "response_format": "auto",
        "tool_choice": "auto",
        "parallel_tool_calls": True,
    }
    return json.dumps(run).encode()


def _request_body(index: int, *, stream: bool = False) -> bytes:
    """The body the SDK sends for `create_and_run(assistant_id=..., thread=THREAD)` (its key order)."""
    body: dict[str, Any] = {"assistant_id": f"asst_{index:024d}", "thread": THREAD}
    if stream:
        body["stream"] = True
    return json.dumps(body, separators=(",", ":")).encode()


RESPONSE_HEADERS = [("content-type", "application/json"), ("x-request-id", "req_0123456789abcdef")]


def _interaction(index: int) -> Interaction:
    return Interaction(
        request=RecordedRequest("POST", URL, [("content-type", "application/json")], _request_body(index)),
        response=RecordedResponse(
            status=200, reason="OK", headers=list(RESPONSE_HEADERS), chunks=[Chunk(_run_json(index), 1.0)]
        ),
    )


def _stream_chunks(events: int = 2_000) -> list[bytes]:
    """`events` message deltas (about 200-byte data lines each, as in perf_baseline.md) and `done`."""
    chunks = []
    for index in range(events):
        delta = {
            "id": "msg_0123456789abcdefghijklmn",
            "object": "thread.message.delta",
            "delta": {"content": [{"index": 0, "type": "text", "text": {"value": f"token {index} "}}]},
        }
        chunks.append(f"event: thread.message.delta\ndata: {json.dumps(delta)}\n\n".encode())
    chunks.append(b"event: done\ndata: [DONE]\n\n")
    return chunks


@pytest.fixture(scope="module")
def cassettes(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """runreplay cassettes of N distinct non-streamed interactions."""
    folder = tmp_path_factory.mktemp("replay")
    paths = {}
    for size in SIZES:
        paths[size] = folder / f"calls-{size}.yaml"
        save(paths[size], Cassette(interactions=[_interaction(i) for i in range(size)]))
    return paths


@pytest.fixture(scope="module")
def vcr_cassettes(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """The same interactions as vcrpy cassettes (its YAML format, as pytest-recording writes it)."""
    folder = tmp_path_factory.mktemp("vcr")
    paths = {}
    for size in VCR_SIZES:
        interactions = [
            {
                "request": {
                    "body": _request_body(i).decode(),
                    "headers": {"content-type": ["application/json"]},
                    "method": "POST",
                    "uri": URL,
                },
                "response": {
                    "status": {"code": 200, "message": "OK"},
                    "headers": {k: [v] for k, v in RESPONSE_HEADERS},
                    "body": {"string": _run_json(i).decode()},
                },
            }
            for i in range(size)
        ]
        paths[size] = folder / f"calls-{size}.yaml"
        paths[size].write_text(yaml.safe_dump({"interactions": interactions, "version": 1}))
    return paths


def _sdk(**kwargs: Any) -> openai.OpenAI:
    return openai.OpenAI(base_url=BASE_URL, api_key="sk-bench", max_retries=0, **kwargs)


def _call(client: openai.OpenAI, index: int) -> Callable[[], Any]:
    def once() -> Any:
        return client.beta.threads.create_and_run(assistant_id=f"asst_{index:024d}", thread=THREAD)

    return once


@pytest.mark.parametrize("size", SIZES)
def test_sdk_call_runreplay(benchmark: Any, record: Any, cassettes: dict[int, Path], size: int) -> None:
    with use_cassette(cassettes[size], allow_playback_repeats=True), _sdk() as client:
        run = benchmark(_call(client, size - 1))
    assert run.id == f"run_{size - 1:024d}"
    record(benchmark, f"sdk-call-{size}", "runreplay")


@pytest.mark.parametrize("size", SIZES)
def test_sdk_call_mocktransport(benchmark: Any, record: Any, size: int) -> None:
    body = _run_json(size - 1)

    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, headers=RESPONSE_HEADERS, content=body)

    with _sdk(http_client=httpx2.Client(transport=httpx2.MockTransport(handler))) as client:
        run = benchmark(_call(client, size - 1))
    assert run.id == f"run_{size - 1:024d}"
    record(benchmark, f"sdk-call-{size}", "mocktransport")


@pytest.mark.parametrize("size", VCR_SIZES)
def test_sdk_call_vcrpy(benchmark: Any, record: Any, vcr_cassettes: dict[int, Path], size: int) -> None:
    recorder = vcr.VCR(
        record_mode="none", match_on=["method", "scheme", "host", "port", "path", "query", "body"]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with recorder.use_cassette(str(vcr_cassettes[size]), allow_playback_repeats=True), _sdk() as client:
            run = benchmark(_call(client, size - 1))
    assert run.id == f"run_{size - 1:024d}"
    record(benchmark, f"sdk-call-{size}", "vcrpy")


@pytest.fixture(scope="module")
def stream_cassette(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One recorded 2,000-event stream, one chunk per event."""
    path = tmp_path_factory.mktemp("stream") / "stream.yaml"
    response = RecordedResponse(
        status=200,
        reason="OK",
        headers=[("content-type", "text/event-stream; charset=utf-8")],
        chunks=[Chunk(data, float(i)) for i, data in enumerate(_stream_chunks())],
    )
    request = RecordedRequest(
        "POST", URL, [("content-type", "application/json")], _request_body(0, stream=True)
    )
    save(path, Cassette(interactions=[Interaction(request, response)]))
    return path


def _stream(client: openai.OpenAI) -> Callable[[], int]:
    def once() -> int:
        stream = client.beta.threads.create_and_run(assistant_id=f"asst_{0:024d}", thread=THREAD, stream=True)
        return sum(1 for _ in stream)

    return once


def test_sdk_stream_runreplay(benchmark: Any, record: Any, stream_cassette: Path) -> None:
    with use_cassette(stream_cassette, allow_playback_repeats=True), _sdk() as client:
        count = benchmark(_stream(client))
    assert count == 2_000
    record(benchmark, "sdk-stream-2000", "runreplay")


def test_sdk_stream_mocktransport(benchmark: Any, record: Any) -> None:
    chunks = _stream_chunks()

    def handler(request: httpx2.Request) -> httpx2.Response:
        def body() -> Iterator[bytes]:
            yield from chunks

        return httpx2.Response(200, headers=[("content-type", "text/event-stream")], content=body())

    with _sdk(http_client=httpx2.Client(transport=httpx2.MockTransport(handler))) as client:
        count = benchmark(_stream(client))
    assert count == 2_000
    record(benchmark, "sdk-stream-2000", "mocktransport")
