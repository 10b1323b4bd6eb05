"""The Responses side of the example suite: added next to the Assistants tests, replayed offline.

Same habits as `test_assistant_app.py`: cassettes recorded once from the embedded server (or the real
API), the request models and catalogs of `runreplay.models.responses` and
`runreplay.factories.responses`, and hypothesis strategies from `runreplay.strategies`.
"""

from __future__ import annotations

import openai
import pytest
from assistant_app import InvalidRequest
from hypothesis import given, settings
from responses_app import Forecast, ask, check_request, forecast

from runreplay.factories import Case
from runreplay.factories.responses import build_request, edge_cases, invalid_cases
from runreplay.models.responses import CreateResponseRequest
from runreplay.strategies import responses_requests


@pytest.mark.cassette
def test_streams_an_answer(client: openai.OpenAI) -> None:
    answer = ask(client, "What is the capital of France?", tools=False)
    assert answer.status == "completed"
    assert "capital of France" in answer.text
    assert answer.tool_calls == []


@pytest.mark.cassette
def test_parses_a_structured_forecast(client: openai.OpenAI) -> None:
    result = forecast(client, "Lisbon")
    assert isinstance(result, Forecast)
    assert result.city


@pytest.mark.cassette
def test_a_generated_request_is_accepted_by_the_api(client: openai.OpenAI) -> None:
    body = build_request(seed=7, stream=False).model_dump(mode="json", exclude_unset=True)
    body.pop("previous_response_id", None)  # the recorded server knows no earlier responses
    response = client.responses.create(**body)
    assert response.status == "completed"


@pytest.mark.parametrize("case", edge_cases()[:200], ids=lambda case: case.id)
def test_edge_cases_pass_the_applications_check(case: Case) -> None:
    check_request(case.body)


@pytest.mark.parametrize("case", invalid_cases()[:200], ids=lambda case: case.id)
def test_invalid_cases_are_refused_naming_their_rule(case: Case) -> None:
    with pytest.raises(InvalidRequest) as excinfo:
        check_request(case.body)
    assert excinfo.value.rules == [case.rule]


@settings(max_examples=30, deadline=None)
@given(request=responses_requests())
def test_any_valid_request_passes_the_check_unchanged(request: CreateResponseRequest) -> None:
    body = request.model_dump(mode="json", exclude_unset=True)
    assert check_request(body).model_dump(mode="json", exclude_unset=True) == body
