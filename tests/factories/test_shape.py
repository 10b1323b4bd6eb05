"""Tests of `runreplay.factories._shape`: the nine shape keywords, written once and shown everywhere."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable

import pytest
from hypothesis.errors import InvalidArgument

from runreplay.factories import RequestFactory, build_request
from runreplay.factories._shape import SHAPE_DEFAULTS, Shape, split_shape
from runreplay.strategies import bodies, requests

KEYWORDS = [
    "streaming",
    "function_tool",
    "file_search",
    "json_schema",
    "code_interpreter",
    "min_tools",
    "max_tools",
    "min_messages",
    "max_messages",
]


@pytest.mark.parametrize(
    ("function", "before", "after"),
    [
        (build_request, ["seed"], ["overrides"]),
        (RequestFactory(0).build, [], ["overrides"]),
        (requests, [], ["shape"]),
        (bodies, [], ["shape"]),
    ],
)
def test_every_factory_and_strategy_shows_the_shape_keywords_in_its_signature(
    function: Callable[..., object], before: list[str], after: list[str]
) -> None:
    params = inspect.signature(function).parameters
    assert list(params) == [*before, *KEYWORDS, *after]
    for name in KEYWORDS:
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY
        assert params[name].default == SHAPE_DEFAULTS[name]


def test_the_defaults_are_shapes_defaults() -> None:
    assert {field.name: field.default for field in dataclasses.fields(Shape)} == SHAPE_DEFAULTS
    assert SHAPE_DEFAULTS["max_tools"] == 20
    assert SHAPE_DEFAULTS["max_messages"] == 8


def test_split_shape_separates_shape_keywords_from_overrides_in_order() -> None:
    shape, rest = split_shape({"temperature": 0.5, "streaming": True, "max_tools": 3, "thread__metadata": {}})
    assert shape == {"streaming": True, "max_tools": 3}
    assert rest == {"temperature": 0.5, "thread__metadata": {}}


def test_a_strategy_given_an_unknown_keyword_says_which_it_expected() -> None:
    with pytest.raises(InvalidArgument) as caught:
        requests(streamin=True)
    assert str(caught.value) == (
        "requests() got an unexpected keyword 'streamin'; expected one of streaming, function_tool, "
        "file_search, json_schema, code_interpreter, min_tools, max_tools, min_messages, max_messages. "
        "Did you mean 'streaming'?"
    )


def test_the_shape_keywords_still_work_through_the_factory() -> None:
    body = build_request(seed=3, streaming=True, max_tools=0).model_dump(mode="json", exclude_unset=True)
    assert body["stream"] is True
    assert "tools" not in body or body["tools"] in (None, [])
