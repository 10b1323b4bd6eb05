"""Tests of `runreplay.models._rule`: what a rule is, apart from any endpoint."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from runreplay.models._rule import Rule, describe_types, freeze


def test_freeze_makes_nested_json_read_only() -> None:
    frozen = freeze({"a": [1, {"b": 2}]})
    assert isinstance(frozen, MappingProxyType)
    assert frozen["a"] == (1, MappingProxyType({"b": 2}))
    with pytest.raises(TypeError):
        frozen["a"] = 1


def test_a_rules_subject_is_its_id_without_the_last_part() -> None:
    entry = Rule("tool.type.enum", "enum", "d.", ("$.tools[*].type",), freeze({"enum": ["x"]}), "schema", "s")
    assert entry.subject == "tool.type"


def test_describe_types_joins_the_words() -> None:
    assert describe_types(["integer"]) == "an integer"
    assert describe_types(["array", "boolean", "null"]) == "an array, a boolean or null"
