"""Tests of `runreplay._json_type`: the one JSON type-name helper the server, rules and events share."""

from __future__ import annotations

from typing import Any

import pytest

from runreplay._json_type import json_type, schema_type


@pytest.mark.parametrize(
    ("value", "with_article", "bare"),
    [
        (None, "null", "null"),
        (True, "a boolean", "boolean"),
        (0, "a number", "number"),
        (1.5, "a number", "number"),
        ("x", "a string", "string"),
        ([1], "an array", "array"),
        ((1,), "an array", "array"),
        ({"a": 1}, "an object", "object"),
        (b"x", "a Python bytes", "Python bytes"),
    ],
)
def test_json_type_names_a_value_as_error_messages_do(value: Any, with_article: str, bare: str) -> None:
    assert json_type(value) == with_article
    assert json_type(value, article=False) == bare


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (None, "null"),
        (False, "boolean"),
        (0, "integer"),
        (1.0, "number"),
        ("x", "string"),
        ([1], "array"),
        ({"a": 1}, "object"),
        ((1,), "tuple"),
        (b"x", "bytes"),
    ],
)
def test_schema_type_tells_integers_from_numbers_as_json_schema_does(value: Any, name: str) -> None:
    assert schema_type(value) == name
