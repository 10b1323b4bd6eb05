import pytest
from hypothesis import given
from pydantic import ValidationError

from runreplay.factories import build_request, edge_cases, invalid_cases
from runreplay.models import CreateThreadAndRunRequest, rule_ids_for
from runreplay.strategies import requests


def test_build_a_realistic_request():
    request = build_request(seed=7, streaming=True, function_tool=True, temperature=0.2)
    body = request.model_dump(mode="json", exclude_unset=True)  # the wire body
    assert body["stream"] is True and body["temperature"] == 0.2
    assert body["tool_choice"]["type"] == "function"


def test_fixtures_are_seeded_per_test(run_request: CreateThreadAndRunRequest, request_factory):
    # Same data on every run (--runreplay-seed, default 0), whatever ran before and under xdist.
    assert run_request.assistant_id.startswith("asst_")
    assert request_factory.build() != run_request


@pytest.mark.parametrize("case", edge_cases(), ids=lambda case: case.id)
def test_every_edge_case_is_valid(case):
    CreateThreadAndRunRequest.model_validate(case.body)


@pytest.mark.parametrize("case", invalid_cases(), ids=lambda case: case.id)
def test_every_invalid_case_names_its_rule(case):
    with pytest.raises(ValidationError) as excinfo:
        CreateThreadAndRunRequest.model_validate(case.body)
    assert [(hit.rule, hit.path) for hit in rule_ids_for(excinfo.value)] == [(case.rule, case.path)]


@given(requests())
def test_round_trip(request):
    body = request.model_dump(mode="json", exclude_unset=True)
    assert CreateThreadAndRunRequest.model_validate(body) == request
