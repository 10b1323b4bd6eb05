"""The edge catalog: every case valid for the model and the official schema, and every bound covered."""

from __future__ import annotations

import hashlib
import json
import math
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from _factories_oracle import assert_valid_everywhere, prose, sdk_round_trip, strict
from runreplay.factories import Case, edge_cases
from runreplay.factories._text import HOSTILE
from runreplay.factories.edge import VECTOR_STORE_FILE_IDS_CAP
from runreplay.models import ASSISTANT_MODELS, RULES, path_pattern

CASES = edge_cases()
BY_ID = {case.id: case for case in CASES}


def at(case: Case) -> Any:
    """The value at the case's path."""
    value = case.body
    for part in re.findall(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]", case.path or "$"):
        value = value[part[0]] if part[0] else value[int(part[1])]
    return value


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_every_edge_case_is_valid_for_the_model_and_the_schema(case: Case) -> None:
    assert case.valid is True
    assert_valid_everywhere(case.body)
    assert strict().is_valid(case.body)
    assert case.rule in RULES
    assert case.path is not None
    assert path_pattern(case.path) in RULES[case.rule].paths


def test_ids_are_unique_readable_and_name_their_rule() -> None:
    assert len(BY_ID) == len(CASES) == 314
    for case in CASES:
        assert re.fullmatch(r"[a-z_]+(\.[A-Za-z0-9_.\-]+)+(@[a-z_.\[\]*]+)?", case.id), case.id
        assert case.id.startswith(case.rule.split(".")[0])


def test_the_catalog_is_the_same_every_call_and_hands_out_fresh_bodies() -> None:
    again = edge_cases()
    assert [(case.id, case.rule, case.path) for case in again] == [(c.id, c.rule, c.path) for c in CASES]
    assert all(json.dumps(a.body) == json.dumps(b.body) for a, b in zip(again, CASES, strict=True))
    again[0].body["assistant_id"] = "changed"
    assert edge_cases()[0].body["assistant_id"] != "changed"


def test_the_catalogs_are_the_same_in_a_fresh_process() -> None:
    from runreplay.factories import invalid_cases

    here = hashlib.sha256(
        json.dumps([[c.id, c.body, c.rule, c.path] for c in edge_cases() + invalid_cases()]).encode()
    ).hexdigest()
    fresh = Path(__file__).resolve().parent.parent / "_helpers" / "fresh_factories.py"
    result = subprocess.run(
        [sys.executable, str(fresh), "catalogs"], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(result.stdout) == here


def test_every_bound_is_met_exactly_and_from_just_inside() -> None:
    for entry in RULES.values():
        if entry.kind not in ("range", "minimum"):
            continue
        low = BY_ID[f"{entry.id}.min"]
        assert at(low) == entry.limits["minimum"]
        inside = at(BY_ID[f"{entry.id}.just_above_min"])
        if isinstance(inside, float):
            assert inside == math.nextafter(entry.limits["minimum"], math.inf)
        else:
            assert inside == entry.limits["minimum"] + 1
        if "maximum" in entry.limits:
            assert at(BY_ID[f"{entry.id}.max"]) == entry.limits["maximum"]
            below = at(BY_ID[f"{entry.id}.just_below_max"])
            assert below in (math.nextafter(entry.limits["maximum"], -math.inf), entry.limits["maximum"] - 1)
    assert math.copysign(1, at(BY_ID["temperature.range.negative_zero"])) == -1
    assert at(BY_ID["temperature.range.just_above_min"]) == 5e-324


def test_every_collection_is_at_its_maximum_with_members_at_their_longest() -> None:
    for entry in RULES.values():
        if entry.kind != "max_items":
            continue
        for pattern in entry.paths:
            suffix = "" if pattern == entry.paths[0] else "@" + pattern[2:]
            variant = (
                f"capped_{VECTOR_STORE_FILE_IDS_CAP}"
                if entry.id.startswith("vector_store.file_ids")
                else "at_limit"
            )
            items = at(BY_ID[f"{entry.id}.{variant}{suffix}"])
            expected = min(entry.limits["max_items"], VECTOR_STORE_FILE_IDS_CAP)
            assert len(items) == expected
            assert at(BY_ID[f"{entry.id}.empty{suffix}"]) == []
    tools = at(BY_ID["tools.max_items.at_limit"])
    names = [tool["function"]["name"] for tool in tools if tool["type"] == "function"]
    assert len(tools) == 20
    assert len(names) == 18
    assert len(set(names)) == 18
    assert {len(name) for name in names} == {64}
    assert {tool["type"] for tool in tools} == {"code_interpreter", "file_search", "function"}
    for entry_id in ("metadata.max_pairs",):
        for pattern in RULES[entry_id].paths:
            suffix = "" if pattern == "$.metadata" else "@" + pattern[2:]
            metadata = at(BY_ID[f"{entry_id}.at_limit{suffix}"])
            assert len(metadata) == 16
            assert {len(key) for key in metadata} == {64}
            assert {len(value) for value in metadata.values()} == {512}
    assert len(at(BY_ID["content.min_items.at_limit"])) == 1


def test_text_limits_count_code_points_not_bytes_or_utf16_units() -> None:
    key = next(iter(at(BY_ID["metadata.key_length.astral_at_limit"])))
    assert len(key) == 64
    assert len(key.encode("utf-16-le")) == 256
    assert len(key.encode()) == 256
    value = at(BY_ID["metadata.value_length.astral_at_limit"])["note"]
    assert len(value) == 512
    assert len(next(iter(at(BY_ID["metadata.key_length.combining_at_limit"])))) == 64
    assert at(BY_ID["function.name_pattern.max_length"]) == RULES["function.name_pattern"].limits["alphabet"]


def test_every_enum_value_and_every_union_branch_appears() -> None:
    for entry in RULES.values():
        if entry.kind == "enum":
            for value in entry.limits["enum"]:
                case = BY_ID[f"{entry.id}.{value}"]
                assert at(case) == value
        if entry.kind == "json_type" and len(entry.limits["types"]) > 1:
            for kind in entry.limits["types"]:
                names = {"number": ("integer_form", "float_form"), "integer": ("integer", "integral_float")}
                for variant in names.get(kind, ("true", "false") if kind == "boolean" else (kind,)):
                    assert f"{entry.id}.{variant}" in BY_ID, (entry.id, variant)
    forms = [
        at(BY_ID[f"response_format.type.enum.{kind}"]) for kind in ("text", "json_object", "json_schema")
    ]
    assert forms == ["text", "json_object", "json_schema"]
    assert BY_ID["thread.file_search.exactly_one.vector_stores"].body["thread"]["tool_resources"][
        "file_search"
    ].keys() == {"vector_stores"}


def test_minimal_hostile_long_and_deep_cases_are_there() -> None:
    assert BY_ID["assistant_id.empty_string"].body == {"assistant_id": ""}
    assert BY_ID["assistant_id.required.only_required_keys"].body == {
        "assistant_id": "asst_Q6pW2xR8tY4uI0oP3aS7dF1g"
    }
    assert BY_ID["thread.empty_object"].body["thread"] == {}
    assert at(BY_ID["content.empty_string"]) == ""
    for name, text in HOSTILE.items():
        assert at(BY_ID[f"instructions.hostile.{name}"]) == text
        assert at(BY_ID[f"content.hostile.{name}"]) == text
    assert "\u0000" in at(BY_ID["content.hostile.nul"])
    assert len(at(BY_ID["instructions.long_256000"])) == 256_000
    depth, schema = 0, at(BY_ID["json_schema.schema.nested_32"])
    while schema.get("type") == "object":
        schema = next(iter(schema["properties"].values()))
        depth += 1
    assert depth == 32
    assert {BY_ID[f"model.known.{model}"].body["model"] for model in ASSISTANT_MODELS} == set(
        ASSISTANT_MODELS
    )
    everything = BY_ID["request.every_key_at_limits"].body
    assert len(everything) == 16
    assert len(everything["tools"]) == 20
    assert prose().is_valid(everything)


def test_unknown_keys_on_open_objects_are_kept() -> None:
    kept = [case for case in CASES if case.id.split("@")[0].endswith("unknown_key_kept")]
    assert len(kept) >= 15
    for case in kept:
        assert at(case)["x_runreplay_extension"] == {"kept": ["text", 1, 2.5, None, True]}


@pytest.mark.filterwarnings("ignore:The Assistants API is deprecated:DeprecationWarning")
def test_the_openai_sdk_sends_every_edge_case_unchanged() -> None:
    bodies = [case.body for case in CASES]
    assert sdk_round_trip(bodies) == bodies


def test_the_module_level_catalog_functions_are_the_package_ones() -> None:
    from runreplay.factories import edge as edge_module
    from runreplay.factories import edge_cases as package_edge_cases
    from runreplay.factories import invalid as invalid_module
    from runreplay.factories import invalid_cases as package_invalid_cases

    for module_cases, package_cases in (
        (edge_module.edge_cases(), package_edge_cases()),
        (invalid_module.invalid_cases(), package_invalid_cases()),
    ):
        assert [(c.id, c.body, c.rule, c.valid, c.path) for c in module_cases] == [
            (c.id, c.body, c.rule, c.valid, c.path) for c in package_cases
        ]
    first = edge_module.edge_cases()
    first[0].body["assistant_id"] = "changed"
    assert edge_module.edge_cases()[0].body["assistant_id"] != "changed"
