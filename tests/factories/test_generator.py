"""Tests of `runreplay.factories._generator`: valid bodies by construction, from any source of decisions."""

from __future__ import annotations

import random

from runreplay.factories._generator import generate
from runreplay.factories._shape import Shape
from runreplay.factories._source import RandomSource
from runreplay.models import CreateThreadAndRunRequest


def test_generated_bodies_are_valid_and_meet_the_shape() -> None:
    shape = Shape(streaming=True, function_tool=False, min_messages=2, max_messages=3)
    for seed in range(40):
        body = generate(RandomSource(random.Random(seed)), shape)
        assert (
            CreateThreadAndRunRequest.model_validate(body).model_dump(mode="json", exclude_unset=True) == body
        )
        assert body["stream"] is True
        assert all(tool["type"] != "function" for tool in body.get("tools") or [])
        assert 2 <= len(body["thread"]["messages"]) <= 3


def test_a_forced_function_name_is_the_function_tool_chosen() -> None:
    body = generate(RandomSource(random.Random(1)), Shape(function_tool=True), forced_function_name="lookup")
    names = [tool["function"]["name"] for tool in body["tools"] if tool["type"] == "function"]
    assert "lookup" in names
    assert body["tool_choice"] == {"type": "function", "function": {"name": "lookup"}}
