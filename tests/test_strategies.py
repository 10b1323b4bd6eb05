"""The hypothesis strategies: valid, edge and invalid examples by the thousand, shrinking, derandomizing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from pydantic import ValidationError

from _factories_oracle import assert_valid_everywhere, overlap_ok, prose, strict
from runreplay.factories import Case, HugeList
from runreplay.models import RULES, CreateThreadAndRunRequest, path_pattern, rule_ids_for
from runreplay.strategies import bodies, edge_requests, invalid_requests, requests

THOUSAND = settings(max_examples=1000, deadline=None, database=None)
QUICK = settings(max_examples=150, deadline=None, database=None)
QUIET = settings(database=None, deadline=None)


def wire(request: CreateThreadAndRunRequest) -> dict[str, Any]:
    return request.model_dump(mode="json", exclude_unset=True)


def model_errors(body: Any) -> list[tuple[str, str]] | None:
    try:
        CreateThreadAndRunRequest.model_validate(body)
    except ValidationError as error:
        return [(hit.rule, hit.path) for hit in rule_ids_for(error)]
    return None


def holds_huge_list(value: Any) -> bool:
    if isinstance(value, HugeList):
        return True
    if isinstance(value, dict):
        return any(holds_huge_list(item) for item in value.values())
    if isinstance(value, list):
        return any(holds_huge_list(item) for item in value)
    return False


# --- a thousand examples each ---------------------------------------------------------------------


@THOUSAND
@given(requests())
def test_requests_are_valid_for_the_model_and_the_schema(request: CreateThreadAndRunRequest) -> None:
    assert_valid_everywhere(wire(request))


@THOUSAND
@given(edge_requests())
def test_edge_requests_are_valid_for_the_model_and_the_schema(case: Case) -> None:
    assert case.valid is True
    assert_valid_everywhere(case.body)


@THOUSAND
@given(invalid_requests())
def test_invalid_requests_break_exactly_their_rule_at_their_path(case: Case) -> None:
    assert case.valid is False
    assert model_errors(case.body) == [(case.rule, case.path)]
    assert path_pattern(case.path or "") in RULES[case.rule].paths
    if holds_huge_list(case.body):
        return  # jsonschema's `items` would index all 100,000,001 items (see tests/factories/test_invalid.py)
    if RULES[case.rule].origin == "schema":
        assert not strict().is_valid(case.body)
    else:
        assert strict().is_valid(case.body)
        assert not (prose().is_valid(case.body) and overlap_ok(case.body))


@QUICK
@given(bodies(streaming=True, function_tool=True, json_schema=True, max_tools=4, min_messages=1))
def test_bodies_are_wire_dicts_that_keep_the_traits(body: dict[str, Any]) -> None:
    assert_valid_everywhere(body)
    assert body["stream"] is True
    assert body["response_format"]["type"] == "json_schema"
    assert body["tool_choice"]["type"] == "function"
    assert 1 <= len(body["tools"]) <= 4
    assert len(body["thread"]["messages"]) >= 1


@QUICK
@given(requests(function_tool=False, file_search=False, code_interpreter=False, streaming=False))
def test_traits_can_rule_things_out(request: CreateThreadAndRunRequest) -> None:
    assert request.tools in (None, [])
    assert request.stream is not True
    text = json.dumps(wire(request))
    for kind in ("file_search", "code_interpreter"):
        assert f'"type": "{kind}"' not in text
        assert f'"{kind}":' not in text


@QUICK
@given(
    invalid_requests(rules=["temperature.range", "metadata.max_pairs"]), edge_requests(rules=["role.enum"])
)
def test_rules_restrict_what_is_drawn(invalid: Case, edge: Case) -> None:
    assert invalid.rule in ("temperature.range", "metadata.max_pairs")
    assert edge.rule == "role.enum"


# --- shrinking, variety, determinism ----------------------------------------------------------------


def test_a_failing_example_shrinks_to_a_small_readable_body() -> None:
    found = find(
        requests(), lambda request: request.tools is not None and len(request.tools) >= 3, settings=QUIET
    )
    body = wire(found)
    assert set(body) == {"assistant_id", "tools"}
    assert len(body["tools"]) == 3
    assert all(len(json.dumps(tool)) < 60 for tool in body["tools"]), body
    assert len(json.dumps(body)) < 250, body


def test_the_smallest_request_is_just_an_assistant_id() -> None:
    assert wire(find(requests(), lambda request: True, settings=QUIET)) == {
        "assistant_id": "asst_000000000000000000000000"
    }
    rules = ["top_p.range", "temperature.range"]
    case = find(invalid_requests(rules=rules), lambda case: case.rule == "temperature.range", settings=QUIET)
    assert case.id == "temperature.range.just_below_min"
    assert find(edge_requests(), lambda case: True, settings=QUIET).id == "request.closed.every_key"


def test_invalid_requests_draw_fresh_values_beyond_the_catalog() -> None:
    seen: list[Case] = []

    @settings(max_examples=400, deadline=None, database=None)
    @given(invalid_requests(rules=["temperature.range", "function.name_pattern", "request.closed"]))
    def collect(case: Case) -> None:
        seen.append(case)

    collect()
    drawn = [case for case in seen if case.id.startswith(tuple(f"{rule}.drawn" for rule in RULES))]
    temperatures = {case.body["temperature"] for case in seen if case.rule == "temperature.range"}
    assert len(drawn) > 50
    assert len(temperatures) > 20
    assert {case.rule for case in drawn} == {"temperature.range", "function.name_pattern", "request.closed"}


def test_derandomize_gives_the_same_examples_every_run() -> None:
    def run() -> list[str]:
        seen: list[str] = []

        @settings(max_examples=40, deadline=None, database=None, derandomize=True)
        @given(requests(), invalid_requests())
        def collect(request: CreateThreadAndRunRequest, case: Case) -> None:
            seen.append(json.dumps([wire(request), case.id, case.body], sort_keys=True, default=repr))

        collect()
        return seen

    first = run()
    assert run() == first
    assert len(set(first)) > 20


# --- arguments --------------------------------------------------------------------------------------


def test_reprs_read_like_the_call() -> None:
    assert repr(requests()) == "requests()"
    assert repr(requests(streaming=True, max_tools=3)) == "requests(max_tools=3, streaming=True)"
    assert repr(bodies(min_messages=2)) == "bodies(min_messages=2)"
    assert repr(edge_requests()) == "edge_requests()"
    assert repr(invalid_requests(rules=["top_p.range"])) == "invalid_requests(rules=('top_p.range',))"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: requests(min_tools=3, max_tools=2),
            "requests() got min_tools=3 and max_tools=2; expected min_tools <= max_tools. Raise max_tools or "
            "lower min_tools.",
        ),
        (
            lambda: bodies(max_tools=25),
            "bodies() got max_tools=25; a run has at most 20 tools (rule tools.max_items). Use max_tools <= 20; "
            "for bodies with too many tools use invalid_cases() or invalid_requests().",
        ),
        (
            lambda: requests(streaming=1),  # type: ignore[arg-type]
            "requests() got streaming=1; expected True, False or None. Pass streaming=True to require it, "
            "streaming=False to rule it out, or leave it out.",
        ),
        (
            lambda: requests(function_tool=True, max_tools=0),
            "requests() got function_tool=True and max_tools=0; those traits need at least 1 tool. Raise "
            "max_tools or drop a trait.",
        ),
        (
            lambda: invalid_requests(rules=["temperature.rnage"]),
            "invalid_requests() got unknown rule ids 'temperature.rnage'; expected ids from "
            "runreplay.models.RULES, such as 'temperature.range' or 'metadata.max_pairs'.",
        ),
        (
            lambda: invalid_requests(rules="temperature.range"),
            "invalid_requests() got rules='temperature.range', a single string; expected an iterable of rule "
            "ids. Pass rules=['temperature.range'].",
        ),
        (
            lambda: edge_requests(rules=[]),
            "edge_requests() got rules=[], but the catalog has no case for an empty list; pick rules that have "
            "cases.",
        ),
    ],
    ids=["tool-bounds", "max-tools", "non-bool", "no-room", "unknown-rule", "string-rules", "no-rules"],
)
def test_impossible_arguments_raise_invalid_argument_at_once(make: Any, message: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        make()
    assert str(raised.value) == message


def test_strategies_compose_with_other_strategies() -> None:
    pairs = st.tuples(requests(max_tools=1), st.integers(0, 3))
    request, number = find(pairs, lambda pair: pair[1] == 2, settings=settings(QUIET, max_examples=1000))
    assert number == 2
    assert wire(request) == {"assistant_id": "asst_000000000000000000000000"}
