"""Tests of `runreplay.models._checks`: the bases and rule-named checks the request models are built from."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from runreplay.models import RULES
from runreplay.models._checks import Closed, Open, expectation, quote


def test_expectation_words_a_type_rule_and_an_enum_rule() -> None:
    assert expectation("model.json_type") == "a string or null"
    assert expectation("role.enum") == "one of 'user', 'assistant'"
    assert RULES["role.enum"].limits["enum"] == ("user", "assistant")


def test_quote_cuts_long_text_inside_the_quotes() -> None:
    assert quote("short") == '"short"'
    assert quote("x" * 50, limit=10) == '"xxxxxxx…"'  # 10 characters in all


def test_closed_objects_reject_unknown_keys_and_open_ones_keep_them() -> None:
    class ClosedThing(Closed):
        a: int

    class OpenThing(Open):
        a: int

    with pytest.raises(ValidationError) as caught:
        ClosedThing.model_validate({"a": 1, "b": 2})
    assert [error["type"] for error in caught.value.errors()] == ["extra_forbidden"]
    assert OpenThing.model_validate({"a": 1, "b": 2}).model_dump() == {"a": 1, "b": 2}
    with pytest.raises(ValidationError):
        OpenThing.model_validate({"a": "1"})  # strict: no coercion
    assert issubclass(ClosedThing, BaseModel)
