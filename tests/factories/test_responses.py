"""`runreplay.factories.responses` and the Responses strategies: realistic, reproducible, valid bodies; overrides;
catalogs shaped like the thread-and-run ones; strategies that shrink and check their arguments."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import find, given, settings
from hypothesis.errors import InvalidArgument

from runreplay.errors import ConfigurationError
from runreplay.factories import Case
from runreplay.factories import responses as factories
from runreplay.factories._schema_cases import HugeText, minimal_string
from runreplay.factories._text import pools
from runreplay.models import responses
from runreplay.strategies import (
    responses_bodies,
    responses_edge_requests,
    responses_invalid_requests,
    responses_requests,
)


def _body(seed: int) -> dict[str, Any]:
    return factories.build_request(seed=seed).model_dump(mode="json", exclude_unset=True)


def test_the_same_seed_gives_the_same_body_in_another_process() -> None:
    fresh = Path(__file__).resolve().parent.parent / "_helpers" / "fresh_factories.py"
    other = subprocess.run(
        [sys.executable, str(fresh), "responses", "99"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert json.loads(other.stdout) == _body(99)
    assert _body(1) != _body(2)


def test_bodies_cover_the_realistic_features() -> None:
    seen: Counter[str] = Counter()
    for seed in range(300):
        body = _body(seed)
        seen["string input"] += isinstance(body["input"], str)
        seen["message list"] += isinstance(body["input"], list)
        parts = (
            [p for m in body["input"] if isinstance(m.get("content"), list) for p in m["content"]]
            if isinstance(body["input"], list)
            else []
        )
        seen["image url"] += any(
            p["type"] == "input_image" and p["image_url"].startswith("https://") for p in parts
        )
        seen["file input"] += any(p["type"] == "input_file" for p in parts)
        kinds = {tool["type"] for tool in body.get("tools", [])}
        seen["function tool"] += "function" in kinds
        seen["built-in tool"] += bool(
            kinds
            & {"web_search", "web_search_preview", "file_search", "code_interpreter", "image_generation"}
        )
        seen["json_schema format"] += body.get("text", {}).get("format", {}).get("type") == "json_schema"
        seen["reasoning"] += "reasoning" in body
        seen["metadata"] += "metadata" in body
    assert set(seen) == {
        "string input",
        "message list",
        "image url",
        "file input",
        "function tool",
        "built-in tool",
        "json_schema format",
        "reasoning",
        "metadata",
    }
    assert min(seen.values()) >= 10, seen


def test_overrides_set_nested_keys_and_omit_removes() -> None:
    request = factories.build_request(
        seed=3, temperature=0.5, text__format={"type": "json_object"}, model="gpt-4.1", tools=factories.OMIT
    )
    body = request.model_dump(mode="json", exclude_unset=True)
    assert (body["temperature"], body["text"], body["model"]) == (
        0.5,
        {"format": {"type": "json_object"}},
        "gpt-4.1",
    )
    assert "tools" not in body


def test_an_unknown_override_names_the_keys() -> None:
    with pytest.raises(ConfigurationError) as caught:
        factories.build_request(seed=1, temprature=1)
    keys = ", ".join(sorted(responses.CreateResponseRequest.model_fields))
    assert str(caught.value) == (
        f"build_request() got an unknown override 'temprature'; expected a key of the Responses request body ({keys}), "
        "with `__` to reach nested keys."
    )


def test_an_invalid_override_names_the_rule() -> None:
    with pytest.raises(ConfigurationError) as caught:
        factories.build_request(seed=1, max_output_tokens=3)
    assert str(caught.value) == (
        "build_request() overrides ['max_output_tokens'] make the body invalid: max_output_tokens.minimum at "
        "$.max_output_tokens. Pass values the rules allow (see runreplay.models.responses.RULES)."
    )


@pytest.mark.parametrize("seed", ["1", 1.5, True])
def test_a_bad_seed_says_what_to_pass(seed: Any) -> None:
    with pytest.raises(ConfigurationError) as caught:
        factories.build_request(seed=seed)
    assert str(caught.value) == (
        f"build_request() got seed={seed!r}; expected an integer (or None for a fresh seed). Pass e.g. seed=42."
    )


def test_catalogs_are_cases_with_fresh_bodies() -> None:
    first, second = factories.invalid_cases(), factories.invalid_cases()
    assert all(isinstance(case, Case) and not case.valid for case in first)
    assert all(case.valid for case in factories.edge_cases())
    first[0].body["changed"] = True
    assert "changed" not in second[0].body
    assert {case.rule for case in first} >= {entry.id for entry in responses.PROSE_RULES}


def test_huge_text_counts_as_long_but_stays_small() -> None:
    text = HugeText("xxxxxxxx", 73_400_321)
    assert (len(text), str(text), repr(text)) == (
        73_400_321,
        "xxxxxxxx",
        "HugeText('xxxxxxxx', length=73400321)",
    )
    case = next(
        c for c in factories.invalid_cases() if c.rule == "InputFileContentParam.file_data.max_length"
    )
    assert [(v.rule, v.path) for v in responses.check(case.body)] == [(case.rule, case.path)]


@pytest.mark.parametrize(
    ("pattern", "length", "expected"),
    [(None, 3, "xxx"), ("^[a-zA-Z0-9_-]+$", 1, "a"), ("^tunnel_[a-z0-9]{32}$", 1, "tunnel_" + "a" * 32)],
)
def test_minimal_strings_fit_their_pattern(pattern: str | None, length: int, expected: str) -> None:
    assert minimal_string(pattern, length) == expected


@settings(max_examples=25, deadline=None)
@given(responses_requests())
def test_the_strategy_draws_valid_models(request: responses.CreateResponseRequest) -> None:
    assert responses.check(request.model_dump(mode="json", exclude_unset=True)) == []


class _Smallest:
    """The answer hypothesis shrinks every decision towards: False, the low end, the first option."""

    def chance(self, p: float) -> bool:
        return False

    def integer(self, low: int, high: int) -> int:
        return low

    def choice(self, options: Any) -> Any:
        return options[0]

    def real(self, low: float, high: float) -> float:
        return low


def test_the_body_strategy_shrinks_towards_a_tiny_body() -> None:
    # The strategy draws each decision as booleans(), integers(low, high) and an index, whose simplest
    # values are these; so the shrink target is the body below.
    sentence = pools().sentences[0]
    message = {"role": "user", "content": [{"type": "input_text", "text": sentence}]}
    assert factories.generate(_Smallest()) == {"model": "gpt-4o", "input": [message]}
    smallest = find(responses_bodies(), lambda body: "input" in body, settings=settings(database=None))
    assert responses.check(smallest) == []


@settings(max_examples=25, deadline=None)
@given(responses_invalid_requests(rules=["temperature.maximum", "metadata.max_pairs"]))
def test_the_invalid_strategy_breaks_one_rule(case: Case) -> None:
    assert [(v.rule, v.path) for v in responses.check(case.body)] == [(case.rule, case.path)]


@settings(max_examples=25, deadline=None)
@given(responses_invalid_requests(rules=["ModerationConfigParam.mode.required", "temperature.maximum"]))
def test_the_invalid_strategy_draws_cases_whose_key_is_missing(case: Case) -> None:
    assert [(v.rule, v.path) for v in responses.check(case.body)] == [(case.rule, case.path)]


@settings(max_examples=25, deadline=None)
@given(responses_edge_requests())
def test_the_edge_strategy_draws_valid_bodies(case: Case) -> None:
    assert responses.check(case.body) == []


def test_strategy_arguments_are_checked() -> None:
    with pytest.raises(InvalidArgument) as caught:
        responses_invalid_requests(rules="temperature.maximum")
    assert str(caught.value) == (
        "responses_invalid_requests() got rules='temperature.maximum'; expected an iterable of rule ids, "
        "e.g. rules=['temperature.maximum']"
    )
    with pytest.raises(InvalidArgument) as caught:
        responses_edge_requests(rules=["no.such.rule"])
    assert str(caught.value) == (
        "responses_edge_requests() got unknown rule ids ['no.such.rule']; expected ids of "
        "runreplay.models.responses.RULES"
    )
    with pytest.raises(InvalidArgument) as caught:
        responses_edge_requests(rules=["request.closed"])
    assert str(caught.value) == (
        "responses_edge_requests() has no case for rules ['request.closed']; pick rules that have cases"
    )


@settings(max_examples=200, deadline=None)
@given(
    responses_invalid_requests(
        rules=[r.id for r in responses.RULES.values() if r.kind in ("minimum", "maximum")]
    )
)
def test_drawn_values_past_a_bound_break_exactly_that_bound(case: Case) -> None:
    assert [(v.rule, v.path) for v in responses.check(case.body)] == [(case.rule, case.path)]


def test_the_invalid_strategy_draws_values_beyond_the_catalog() -> None:
    found = find(
        responses_invalid_requests(rules=["temperature.maximum"]),
        lambda case: case.body["temperature"] > 1000,
        settings=settings(database=None, max_examples=1000),
    )
    assert found.rule == "temperature.maximum"
