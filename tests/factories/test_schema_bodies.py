"""Tests of `runreplay.factories._schema_bodies`: valid bodies of any endpoint, from its compiled schema."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from runreplay.factories._schema_bodies import build_body
from runreplay.models._endpoint import Endpoint, prose_rule
from runreplay.models._schema_rules import Violation

SCHEMA = json.loads(
    (Path(__file__).parent.parent / "data" / "endpoints" / "create_order.schema.json").read_text("utf-8")
)
ORDERS = Endpoint(name="POST /v1/orders", schema=SCHEMA, schema_file="create_order.schema.json")


def test_bodies_are_valid_reproducible_and_use_every_optional_key_and_value_kind() -> None:
    bodies = [build_body(ORDERS, seed=seed) for seed in range(200)]
    assert all(ORDERS.check(body) == [] for body in bodies)
    assert bodies == [build_body(ORDERS, seed=seed) for seed in range(200)]
    for key in ("quantity", "colour", "notes"):
        assert 20 < sum(key in body for body in bodies) < 180, key
    quantities = [body["quantity"] for body in bodies if "quantity" in body]
    assert None in quantities
    assert {type(q) for q in quantities} == {int, type(None)}
    assert {body["colour"] for body in bodies if "colour" in body} == {"red", "blue"}
    assert {len(body["notes"]) for body in bodies if "notes" in body} == {0, 1, 2, 3}


def _never(body: Any) -> Iterator[Violation]:
    if isinstance(body, dict) and len(body) > 1:
        yield Violation("order.one_key", "$", "expected only the sku")


def test_a_body_the_prose_rules_keep_refusing_falls_back_to_the_smallest_valid_one() -> None:
    strict = Endpoint(
        name="POST /v1/orders",
        schema=SCHEMA,
        schema_file="create_order.schema.json",
        prose=(
            prose_rule(
                "order.one_key",
                "closed",
                "Only sku.",
                file="o.json",
                pointer="#",
                quote="only sku",
                check=_never,
            ),
        ),
    )
    assert [build_body(strict, seed=seed) for seed in range(30)] == [{"sku": "A"}] * 30


def test_a_place_with_an_example_gets_the_example() -> None:
    named = Endpoint(
        name="POST /v1/orders",
        schema=SCHEMA,
        schema_file="create_order.schema.json",
        examples={"#/$defs/CreateOrder/properties/sku": "B7"},
    )
    assert {build_body(named, seed=seed)["sku"] for seed in range(20)} == {"B7"}
