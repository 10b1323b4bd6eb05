"""Tests of `runreplay.cassette._json_style`: a JSON body's style is found so its bytes come back exactly."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from runreplay.cassette._json_style import NOT_LITERAL, detect_json, json_dumps, pretty_json

values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
containers = st.lists(values, max_size=3) | st.dictionaries(st.text(max_size=5), values, max_size=3)


@given(value=containers, compact=st.booleans(), ascii_only=st.booleans(), newline=st.booleans())
def test_a_detected_style_gives_back_the_exact_bytes(
    value: Any, compact: bool, ascii_only: bool, newline: bool
) -> None:
    separators = (",", ":") if compact else (", ", ": ")
    text = json.dumps(value, separators=separators, ensure_ascii=ascii_only) + ("\n" if newline else "")
    found = detect_json(text.encode(), any_value=False)
    assert found is not None
    parsed, name = found
    assert parsed == value
    words = name.split()
    style = (words[0], None, "ascii" in words, "newline" in words)
    assert json_dumps(parsed, style) == text


def test_what_is_not_json_in_a_known_style_is_not_detected() -> None:
    assert detect_json(b'{"a":1, "b":2}', any_value=False) is None  # mixed separators
    assert detect_json(b'"a string"', any_value=False) is None  # only containers unless the type says JSON
    assert detect_json(b'"a string"', any_value=True) == ("a string", "compact")
    assert detect_json(b"\xff{}", any_value=True) is None
    assert detect_json(b'{\n  "a": 1\n}', any_value=False) is None  # already pretty: kept as text


@given(value=containers)
def test_pretty_json_is_the_same_value_and_fits_a_literal_block(value: Any) -> None:
    text = pretty_json(value)
    assert json.loads(text) == value
    assert NOT_LITERAL.search(text) is None
