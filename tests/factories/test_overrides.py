"""Tests of `runreplay.factories._overrides`: override names checked against the models, applied in place."""

from __future__ import annotations

import random
from typing import Any

import pytest

from runreplay.errors import ConfigurationError
from runreplay.factories._generator import Generator
from runreplay.factories._overrides import OMIT, apply_overrides, parse_override
from runreplay.factories._shape import Shape
from runreplay.factories._source import RandomSource


def _generator() -> Generator:
    return Generator(RandomSource(random.Random(0)), Shape())


def test_an_override_name_becomes_its_key_path() -> None:
    assert parse_override("f()", "temperature") == ("temperature",)
    assert parse_override("f()", "tool_choice__function__name") == ("tool_choice", "function", "name")


def test_a_misspelt_nested_key_names_the_keys_that_exist() -> None:
    with pytest.raises(ConfigurationError) as caught:
        parse_override("f()", "truncation_strategy__last_mesages")
    assert str(caught.value) == (
        "f() got an unknown override 'truncation_strategy__last_mesages': truncation_strategy has no key "
        "'last_mesages'; its keys are type, last_messages. Did you mean 'truncation_strategy__last_messages'?"
    )


def test_overrides_apply_shallow_first_and_pick_the_branch_they_reach_into() -> None:
    body: dict[str, Any] = {"assistant_id": "asst_1", "tool_choice": "auto", "tools": []}
    overrides = [(("tool_choice", "function", "name"), "lookup"), (("tools",), OMIT), (("temperature",), 0.5)]
    apply_overrides(body, overrides, _generator())
    assert body == {
        "assistant_id": "asst_1",
        "tool_choice": {"type": "function", "function": {"name": "lookup"}},
        "temperature": 0.5,
    }


def test_override_values_are_copied_not_aliased() -> None:
    metadata = {"team": "a"}
    body: dict[str, Any] = {"assistant_id": "asst_1"}
    apply_overrides(body, [(("metadata",), metadata)], _generator())
    metadata["team"] = "b"
    assert body["metadata"] == {"team": "a"}
    assert repr(OMIT) == "OMIT"
