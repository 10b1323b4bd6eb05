"""Recorded token usage: counted once per run from run-level objects, and totalled in the pytest summary."""

from __future__ import annotations

import json
import socket
from typing import Any

import openai
import pytest

from runreplay import sse
from runreplay.cassette import Cassette, Chunk, Interaction, RecordedRequest, RecordedResponse
from runreplay.cassette._usage import Usage, cassette_usage
from runreplay.fakeserver import FakeAssistantsServer

pytestmark = pytest.mark.filterwarnings("ignore:The Assistants API is deprecated:DeprecationWarning")

THREAD: Any = {"messages": [{"role": "user", "content": "What is the capital of France?"}]}


def _stream(*events: tuple[str, Any]) -> RecordedResponse:
    body = sse.encode([sse.Event(name, json.dumps(data)) for name, data in events])
    return RecordedResponse(
        200, "OK", headers=[("content-type", "text/event-stream")], chunks=[Chunk(body, 1.0)]
    )


def _json(data: Any) -> RecordedResponse:
    headers = [("content-type", "application/json")]
    return RecordedResponse(200, "OK", headers=headers, chunks=[Chunk(json.dumps(data).encode(), 1.0)])


def _cassette(*responses: RecordedResponse) -> Cassette:
    return Cassette([Interaction(RecordedRequest("POST", "https://api.example/v1"), r) for r in responses])


def _run(run_id: str, prompt: int, completion: int) -> dict[str, Any]:
    usage = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
    return {"id": run_id, "object": "thread.run", "status": "completed", "usage": usage}


def test_steps_are_not_counted_and_a_polled_run_counts_once() -> None:
    step = {
        "id": "step_1",
        "object": "thread.run.step",
        "usage": {"prompt_tokens": 5, "completion_tokens": 5},
    }
    cassette = _cassette(
        _stream(("thread.run.step.completed", step), ("thread.run.completed", _run("run_1", 10, 3))),
        _json(_run("run_1", 10, 3)),  # the same run, polled afterwards
        _json(_run("run_2", 1, 2)),
    )
    assert cassette_usage(cassette) == Usage(11, 5, 16)
    assert cassette_usage(cassette, [2]) == Usage(1, 2, 3)


def test_responses_and_chat_completions() -> None:
    response = {
        "object": "response",
        "id": "resp_1",
        "usage": {"input_tokens": 7, "output_tokens": 2, "total_tokens": 9},
    }
    chat = {
        "object": "chat.completion",
        "id": "chatcmpl_1",
        "usage": {"prompt_tokens": 4, "completion_tokens": 1},
    }
    cassette = _cassette(
        _stream(("response.completed", {"type": "response.completed", "response": response})), _json(chat)
    )
    assert cassette_usage(cassette) == Usage(11, 3, 14)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


INNER = """
import os

import openai
import pytest

from runreplay.fakeserver import FakeAssistantsServer

PORT = int(os.environ["USAGE_PORT"])
THREAD = {"messages": [{"role": "user", "content": "What is the capital of France?"}]}


@pytest.mark.cassette
def test_streams():
    server = FakeAssistantsServer(seed=4, port=PORT).start() if os.environ.get("USAGE_RECORD") else None
    try:
        client = openai.OpenAI(base_url=f"http://127.0.0.1:{PORT}/v1", api_key="sk-test", max_retries=0)
        with client.beta.threads.create_and_run(assistant_id="asst_1", thread=THREAD, stream=True) as stream:
            assert list(stream)
    finally:
        if server is not None:
            server.stop()
"""


def test_the_summary_totals_what_the_replays_recorded(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    with (
        FakeAssistantsServer(seed=4) as server,
        openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0) as client,
        client.beta.threads.create_and_run(assistant_id="asst_1", thread=THREAD, stream=True) as stream,
    ):
        usage = next(event.data.usage for event in stream if event.event == "thread.run.completed")
    assert usage is not None
    pytester.makepyfile(test_inner=INNER)
    monkeypatch.setenv("USAGE_PORT", str(_free_port()))
    monkeypatch.setenv("USAGE_RECORD", "1")
    recorded = pytester.runpytest("-p", "no:randomly", "--record-mode=once")
    recorded.assert_outcomes(passed=1)
    assert "replays carried" not in recorded.stdout.str()  # recorded now: those tokens were spent
    monkeypatch.delenv("USAGE_RECORD")
    replayed = pytester.runpytest("-p", "no:randomly")
    replayed.assert_outcomes(passed=1)
    replayed.stdout.fnmatch_lines(
        [
            f"runreplay: replays carried {usage.total_tokens:,} recorded tokens ({usage.prompt_tokens:,} prompt + "
            f"{usage.completion_tokens:,} completion), not spent in this run"
        ]
    )
