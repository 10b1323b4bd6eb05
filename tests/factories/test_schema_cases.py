"""Tests of `runreplay.factories._schema_cases`: the schema-rule catalogs of any endpoint."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from typing import Any

import pytest

from runreplay.errors import ConfigurationError
from runreplay.factories._schema_cases import HugeText, catalog, minimal_string
from runreplay.models._endpoint import Endpoint, prose_rule
from runreplay.models._schema_rules import Violation

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["code"],
    "properties": {"code": {"type": "string", "maxLength": 200_000}},
}


def _upper(body: Any) -> Iterator[Violation]:
    code = body.get("code") if isinstance(body, dict) else None
    if isinstance(code, str) and not code.isupper():
        yield Violation("code.upper", "$.code", f"expected upper-case letters, got {code!r}")


UPPER = prose_rule(
    "code.upper",
    "pattern",
    "code is upper-case.",
    file="c.json",
    pointer="#/properties/code",
    quote="X",
    check=_upper,
)


@pytest.mark.parametrize(
    ("pattern", "length", "expected"),
    [
        (None, 1, "x"),
        (None, 3, "xxx"),
        ("^[A-Z0-9]+$", 1, "A"),
        ("^sk-[a-z]{4}$", 1, "sk-aaaa"),
        ("^ab[0-9]*$", 5, "abbbb"),
    ],
)
def test_minimal_string_is_the_shortest_string_a_simple_pattern_accepts(
    pattern: str | None, length: int, expected: str
) -> None:
    assert minimal_string(pattern, length) == expected


def test_huge_text_reports_its_length_and_pickles() -> None:
    text = HugeText("abcdefgh", 200_001)
    assert len(text) == 200_001
    assert str.__len__(text) == 8
    assert repr(pickle.loads(pickle.dumps(text))) == "HugeText('abcdefgh', length=200001)"


def test_a_length_too_large_to_build_is_a_huge_text_case() -> None:
    cases = catalog(
        Endpoint(name="POST /v1/codes", schema=SCHEMA, schema_file="c.json", case_prefix="codes.")
    )
    too_long = next(case for case in cases.invalid if case.rule == "code.max_length")
    assert (too_long.id, len(too_long.body["code"]), type(too_long.body["code"])) == (
        "codes.code.max_length.length_200001",
        200_001,
        HugeText,
    )


def test_a_starting_body_a_prose_rule_breaks_is_refused_with_the_fix() -> None:
    endpoint = Endpoint(name="POST /v1/codes", schema=SCHEMA, schema_file="c.json", prose=(UPPER,))
    with pytest.raises(ConfigurationError) as caught:
        catalog(endpoint)
    assert str(caught.value) == (
        "the catalogs of POST /v1/codes would start from {'code': 'x'}, which breaks $.code: [code.upper] "
        "expected upper-case letters, got 'x'; give its Endpoint a valid base= (a whole small body) or "
        "examples= (a valid value by schema pointer) for that place"
    )
    fixed = Endpoint(
        name="POST /v1/codes",
        schema=SCHEMA,
        schema_file="c.json",
        prose=(UPPER,),
        examples={"#/properties/code": "AB"},
    )
    # A too-long code is built from "x"s, which the prose rule refuses too: reported, never dropped.
    assert catalog(fixed).uncovered == ["code.max_length"]
    assert {case.rule for case in catalog(fixed).invalid} == {
        "code.type",
        "code.required",
        "request.type",
        "request.closed",
    }
