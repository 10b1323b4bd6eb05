"""The example downstream suite: an application's tests, replayed offline from cassettes/.

Run it with `python3 dev.py example` (or `pytest examples`): record mode `none` replays only and
blocks the network, so these tests pass on a machine with no API key and no connection.
"""

from __future__ import annotations

import httpx2
import openai
import pytest
from assistant_app import InvalidRequest, ask, ask_with_retry, check_request
from hypothesis import given, settings

from runreplay.factories import Case, RequestFactory, edge_cases, invalid_cases
from runreplay.faults import drop_after, error_event, http_error, stall
from runreplay.models import CreateThreadAndRunRequest
from runreplay.strategies import requests

QUESTION = "What is the capital of France?"


@pytest.mark.cassette
def test_streams_an_answer(client: openai.OpenAI) -> None:
    answer = ask(client, QUESTION, tools=False)
    assert answer.status == "completed"
    assert "capital of France" in answer.text
    assert answer.tool_calls == []


@pytest.mark.cassette
def test_answers_a_weather_question_with_the_tool(client: openai.OpenAI) -> None:
    answer = ask(client, "What's the weather in Paris?")
    assert answer.status == "completed"
    assert len(answer.tool_calls) == 1
    assert answer.tool_calls[0].startswith("get_weather(")
    assert answer.text


# Faults replay the same recording with a misbehaving server in front of it (replay only: while
# recording, `python3 dev.py record-examples` deselects them with -m "not replay_only").


@pytest.mark.replay_only
@pytest.mark.cassette(
    name="test_streams_an_answer", faults=[drop_after(events=4, times=1)], allow_playback_repeats=True
)
def test_retry_loop_survives_a_dropped_stream(client: openai.OpenAI) -> None:
    answer, tries = ask_with_retry(client, QUESTION, tools=False)
    assert tries == 2
    assert answer.status == "completed"


@pytest.mark.replay_only
@pytest.mark.cassette(name="test_streams_an_answer", faults=[http_error(status=429, times=2)])
def test_retry_loop_waits_out_rate_limits(client: openai.OpenAI) -> None:
    answer, tries = ask_with_retry(client, QUESTION, tools=False)
    assert tries == 3
    assert "capital of France" in answer.text


@pytest.mark.replay_only
@pytest.mark.cassette(name="test_streams_an_answer", faults=[http_error(status=429, times=5)])
def test_retry_loop_gives_up_after_three_attempts(client: openai.OpenAI) -> None:
    with pytest.raises(openai.RateLimitError):
        ask_with_retry(client, QUESTION, tools=False)


@pytest.mark.replay_only
@pytest.mark.cassette(name="test_streams_an_answer", faults=[stall(before_chunk=3, seconds=5)])
def test_a_stalled_stream_hits_the_read_timeout(client: openai.OpenAI) -> None:
    # Mid-stream, the SDK's helper raises httpx2's own timeout, not openai.APITimeoutError.
    with pytest.raises(httpx2.ReadTimeout):
        ask(client.with_options(timeout=openai.Timeout(10.0, read=0.2)), QUESTION, tools=False)


@pytest.mark.replay_only
@pytest.mark.cassette(
    name="test_streams_an_answer", faults=[error_event(after=5, message="Server overloaded.")]
)
def test_an_error_event_ends_the_answer_early(client: openai.OpenAI) -> None:
    events = list(
        client.beta.threads.create_and_run(
            assistant_id="asst_example",
            thread={"messages": [{"role": "user", "content": QUESTION}]},
            stream=True,
        )
    )
    assert events[-1].event == "error"
    assert events[-1].data.message == "Server overloaded."


# Factories: generated requests, the edge catalog, and the invalid catalog.


@pytest.mark.cassette
def test_a_generated_request_is_accepted_by_the_api(
    client: openai.OpenAI, request_factory: RequestFactory
) -> None:
    body = request_factory.build(stream=False).model_dump(mode="json", exclude_unset=True)
    run = client.beta.threads.create_and_run(**body)
    assert run.assistant_id == body["assistant_id"]
    assert run.status == "queued"


def test_the_session_seed_makes_factory_data_repeatable(
    run_request: CreateThreadAndRunRequest, request_factory: RequestFactory
) -> None:
    # The fixtures are seeded from --runreplay-seed and this test's node id: the same data every run.
    assert RequestFactory(seed=request_factory.seed).build() == run_request


@pytest.mark.parametrize("case", edge_cases(), ids=lambda case: case.id)
def test_every_edge_case_passes_the_applications_check(case: Case) -> None:
    check_request(case.body)


@pytest.mark.parametrize("case", invalid_cases(), ids=lambda case: case.id)
def test_every_invalid_case_is_refused_naming_its_rule(case: Case) -> None:
    with pytest.raises(InvalidRequest) as excinfo:
        check_request(case.body)
    assert case.rule in excinfo.value.rules


@settings(max_examples=50, deadline=None)
@given(request=requests())
def test_any_valid_request_passes_the_check_unchanged(request: CreateThreadAndRunRequest) -> None:
    body = request.model_dump(mode="json", exclude_unset=True)
    assert check_request(body).model_dump(mode="json", exclude_unset=True) == body
