"""The invalid catalog: each case breaks exactly its rule, at its path, for the model and (where it can
say so) the official JSON Schema; and no rule of the registry is left without a case."""

from __future__ import annotations

import copy
import json
import math
import pickle
import re
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from _factories_oracle import overlap_ok, prose, strict
from runreplay.factories import Case, HugeList, invalid_cases
from runreplay.factories.invalid import breach, catalog_values
from runreplay.models import RULES, CreateThreadAndRunRequest, path_pattern, rule_ids_for

CASES = invalid_cases()
BY_ID = {case.id: case for case in CASES}


def model_errors(body: Any) -> list[tuple[str, str]] | None:
    """None if the model accepts the body, else (rule id, JSON path) of every error."""
    try:
        CreateThreadAndRunRequest.model_validate(body)
    except ValidationError as error:
        return [(hit.rule, hit.path) for hit in rule_ids_for(error)]
    return None


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_every_invalid_case_breaks_exactly_its_rule_at_its_path(case: Case) -> None:
    assert case.valid is False
    assert model_errors(case.body) == [(case.rule, case.path)]
    assert case.path is not None
    assert path_pattern(case.path) in RULES[case.rule].paths
    entry = RULES[case.rule]
    if case.id == "vector_store.file_ids.max_items.just_above_max":
        # jsonschema's `items` indexes all 100,000,001 items; its `maxItems` alone counts them.
        files = case.body["thread"]["tool_resources"]["file_search"]["vector_stores"][0]["file_ids"]
        assert not Draft202012Validator({"maxItems": entry.limits["max_items"]}).is_valid(files)
    elif entry.origin == "schema":
        assert not strict().is_valid(case.body)
    else:
        assert strict().is_valid(case.body), "a prose rule is not in the official schema"
        assert not (prose().is_valid(case.body) and overlap_ok(case.body))


def test_no_rule_is_left_without_an_invalid_case() -> None:
    uncovered = sorted(set(RULES) - {case.rule for case in CASES})
    assert uncovered == []
    every_path = {(entry.id, pattern) for entry in RULES.values() for pattern in entry.paths}
    covered = {(case.rule, path_pattern(case.path or "")) for case in CASES}
    assert sorted(every_path - covered) == []


def test_ids_are_unique_readable_and_stable() -> None:
    assert len(BY_ID) == len(CASES) == 574
    for case in CASES:
        assert re.fullmatch(rf"{re.escape(case.rule)}\.[a-z_]+(@[a-z_.\[\]*]+)?", case.id), case.id
    assert [case.id for case in invalid_cases()] == list(BY_ID)


def test_the_catalog_hands_out_fresh_bodies() -> None:
    first = [case for case in invalid_cases() if isinstance(case.body, dict)]
    first[0].body["changed"] = True
    first[-1].body.clear()
    assert all(json.dumps(a.body) == json.dumps(b.body) for a, b in zip(invalid_cases(), CASES, strict=True))


def test_bounds_are_broken_by_the_smallest_step() -> None:
    above = BY_ID["temperature.range.just_above_max"].body["temperature"]
    below = BY_ID["temperature.range.just_below_min"].body["temperature"]
    assert above == math.nextafter(2, math.inf) == 2.0000000000000004
    assert below == -5e-324
    assert BY_ID["max_prompt_tokens.min.just_below_min"].body["max_prompt_tokens"] == 255
    assert len(BY_ID["tools.max_items.just_above_max"].body["tools"]) == 21
    assert len(BY_ID["metadata.max_pairs.just_above_max"].body["metadata"]) == 17
    assert len(next(iter(BY_ID["metadata.key_length.just_above_max"].body["metadata"]))) == 65
    assert len(BY_ID["metadata.value_length.just_above_max"].body["metadata"]["note"]) == 513
    name = BY_ID["function.name_pattern.too_long"].body["tools"][0]["function"]["name"]
    assert len(name) == 65


def test_the_cases_people_really_get_wrong_are_there() -> None:
    assert BY_ID["role.enum.unknown_value"].body["thread"]["messages"][0]["role"] == "system"
    assert BY_ID["tool.type.enum.unknown_value"].body["tools"][0]["type"] == "retrieval"
    assert BY_ID["request.closed.mistaken_messages"].body["messages"] == [{"role": "user", "content": "Hi"}]
    assert "file_ids" in BY_ID["message.closed.mistaken_file_ids"].body["thread"]["messages"][0]
    assert BY_ID["temperature.json_type.string"].body["temperature"] == "0.7"
    assert BY_ID["temperature.json_type.boolean"].body["temperature"] is True
    assert (
        BY_ID["function.name_pattern.trailing_newline"].body["tools"][0]["function"]["name"]
        == "get_weather\n"
    )
    assert BY_ID["tool_choice.function_name_required.condition_without_required"].body["tool_choice"] == {
        "type": "function"
    }
    file_search = BY_ID["thread.file_search.exactly_one.both"].body["thread"]["tool_resources"]["file_search"]
    assert set(file_search) == {"vector_store_ids", "vector_stores"}


def test_the_hundred_million_file_limit_is_checked_with_a_list_that_reports_its_length() -> None:
    case = BY_ID["vector_store.file_ids.max_items.just_above_max"]
    files = case.body["thread"]["tool_resources"]["file_search"]["vector_stores"][0]["file_ids"]
    assert isinstance(files, HugeList)
    assert len(files) == 100_000_001
    assert json.loads(json.dumps(files)) == ["file-Zt5YuI9oP2aS6dF1gH4jKl"]
    assert repr(files) == "HugeList(['file-Zt5YuI9oP2aS6dF1gH4jKl'], length=100000001)"
    copied = copy.deepcopy(files)
    assert isinstance(copied, HugeList)
    assert len(copied) == 100_000_001
    assert pickle.loads(pickle.dumps(case)).body == case.body


def test_breach_places_any_value_the_way_the_catalog_does() -> None:
    entry = RULES["top_p.range"]
    body, path = breach(entry, "$.top_p", 7.5)
    assert body == {"assistant_id": "asst_Q6pW2xR8tY4uI0oP3aS7dF1g", "top_p": 7.5}
    assert path == "$.top_p"
    assert [variant for variant, _ in catalog_values(entry, "$.top_p")] == [
        "just_below_min",
        "negative",
        "just_above_max",
        "far_above_max",
    ]


def test_case_repr_is_short_and_cases_hash_without_their_body() -> None:
    case = BY_ID["tools.max_items.just_above_max"]
    shown = repr(case)
    assert shown.startswith(
        "Case(id='tools.max_items.just_above_max', rule='tools.max_items', valid=False, path='$.tools', body={"
    )
    assert len(shown) < 450
    assert shown.endswith("…)")
    assert len({case, BY_ID[case.id], BY_ID["temperature.range.just_above_max"]}) == 2
