"""Faults on replay, driven through the real `openai` SDK and httpx2: what a client sees is what a
misbehaving server would make it see."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import openai
import pytest

from runreplay.fakeserver import FakeAssistantsServer
from runreplay.faults import drop_after, error_event, http_error, stall
from runreplay.recording import use_cassette
from runreplay.recording._replay import BROKEN_STREAM_MESSAGE

pytestmark = pytest.mark.filterwarnings("ignore:The Assistants API is deprecated:DeprecationWarning")

THREAD = {"messages": [{"role": "user", "content": "What is the capital of France?"}]}


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A cassette with one streamed create-and-run and one plain one, recorded from the embedded server."""
    path = tmp_path_factory.mktemp("faults") / "run.yaml"
    with FakeAssistantsServer(seed=21) as server:
        with (
            use_cassette(path, record_mode="once"),
            openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0) as client,
        ):
            list(client.beta.threads.create_and_run(assistant_id="asst_1", thread=THREAD, stream=True))
            client.beta.threads.create_and_run(assistant_id="asst_1", thread=THREAD)
        yield path, server.base_url


def _client(base_url: str, **kwargs: Any) -> openai.OpenAI:
    return openai.OpenAI(base_url=base_url, api_key="sk-test", **{"max_retries": 0, **kwargs})


def test_drop_after_breaks_the_stream_after_n_events_as_a_dropped_connection_does(
    recorded: tuple[Path, str],
) -> None:
    path, base_url = recorded
    seen: list[str] = []
    with use_cassette(path, faults=[drop_after(events=3)]):
        stream = _client(base_url).beta.threads.create_and_run(
            assistant_id="asst_1", thread=THREAD, stream=True
        )
        with pytest.raises(openai.APIConnectionError) as excinfo:
            for event in stream:
                seen.append(event.event)
    assert seen == ["thread.created", "thread.run.created", "thread.run.queued"]
    # The SDK wraps transport errors mid-stream, exactly as it does on a real dropped connection.
    assert isinstance(excinfo.value.__cause__, httpx2.RemoteProtocolError)
    assert str(excinfo.value.__cause__) == BROKEN_STREAM_MESSAGE


def test_error_event_ends_the_stream_with_the_apis_error_object(recorded: tuple[Path, str]) -> None:
    path, base_url = recorded
    with use_cassette(path, faults=[error_event(after=2, message="Sorry, something went wrong.")]):
        events = list(
            _client(base_url).beta.threads.create_and_run(assistant_id="asst_1", thread=THREAD, stream=True)
        )
    assert [event.event for event in events] == ["thread.created", "thread.run.created", "error"]
    error = events[-1].data
    assert (error.message, error.code, error.type) == (
        "Sorry, something went wrong.",
        "server_error",
        "server_error",
    )


def test_stall_longer_than_the_read_timeout_raises_the_clients_timeout(recorded: tuple[Path, str]) -> None:
    path, base_url = recorded
    client = _client(base_url, timeout=httpx2.Timeout(5.0, read=0.2))
    with use_cassette(path, faults=[stall(before_chunk=2, seconds=30)]):
        stream = client.beta.threads.create_and_run(assistant_id="asst_1", thread=THREAD, stream=True)
        started = time.perf_counter()
        with pytest.raises(openai.APITimeoutError) as excinfo:
            list(stream)
    assert isinstance(excinfo.value.__cause__, httpx2.ReadTimeout)
    assert 0.15 < time.perf_counter() - started < 5


def test_stall_shorter_than_the_timeout_only_delays_the_stream(recorded: tuple[Path, str]) -> None:
    path, base_url = recorded
    with use_cassette(path, faults=[stall(before_chunk=1, seconds=0.3)]):
        started = time.perf_counter()
        gaps: list[float] = []
        for _ in _client(base_url).beta.threads.create_and_run(
            assistant_id="asst_1", thread=THREAD, stream=True
        ):
            gaps.append(time.perf_counter() - started)
    assert len(gaps) > 10
    assert gaps[1] - gaps[0] >= 0.25


def test_http_429_is_answered_first_and_the_sdk_retries_into_the_recording(
    recorded: tuple[Path, str],
) -> None:
    path, base_url = recorded
    with use_cassette(path, faults=[http_error(status=429, times=1)]) as session:
        run = _client(base_url, max_retries=1).beta.threads.create_and_run(
            assistant_id="asst_1", thread=THREAD
        )
        assert run.status == "queued"
        assert (session.faults_applied, session.played) == (1, 1)  # the 429, then the recording
    with use_cassette(path, faults=[http_error(status=429, times=2, message="Slow down.")]):
        with pytest.raises(openai.RateLimitError) as excinfo:
            _client(base_url, max_retries=1).beta.threads.create_and_run(assistant_id="asst_1", thread=THREAD)
    assert excinfo.value.status_code == 429
    assert excinfo.value.message == "Error code: 429 - Slow down."
    assert excinfo.value.code == "rate_limit_exceeded"


def test_http_500_then_success_with_the_sdk_default_retry(recorded: tuple[Path, str]) -> None:
    path, base_url = recorded
    with use_cassette(path, faults=[http_error(status=500, times=2, retry_after=0.01)]):
        run = _client(base_url, max_retries=2).beta.threads.create_and_run(
            assistant_id="asst_1", thread=THREAD
        )
    assert run.status == "queued"
