"""A third endpoint declared as data (a small vendored schema plus one prose rule) gets everything else generically."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis.errors import InvalidArgument
from pydantic import ValidationError

from runreplay._strategies_endpoint import endpoint_bodies, endpoint_edge_requests, endpoint_invalid_requests
from runreplay.factories._case import Case
from runreplay.factories._schema_cases import catalog
from runreplay.models._endpoint import Endpoint, prose_rule
from runreplay.models._endpoint_model import request_model, rule_ids_for
from runreplay.models._schema_rules import Violation

SCHEMA_FILE = "create_order.schema.json"
SCHEMA = json.loads((Path(__file__).parent.parent / "data" / "endpoints" / SCHEMA_FILE).read_text("utf-8"))


def _no_leading_zero(body: Any) -> Iterator[Violation]:
    sku = body.get("sku") if isinstance(body, dict) else None
    if isinstance(sku, str) and sku.startswith("0"):
        yield Violation(
            "sku.no_leading_zero", "$.sku", f"expected a sku that does not start with 0, got {sku!r}"
        )


ORDERS = Endpoint(
    name="POST /v1/orders",
    schema=SCHEMA,
    schema_file=SCHEMA_FILE,
    prose=(
        prose_rule(
            "sku.no_leading_zero",
            "pattern",
            "sku never starts with 0.",
            file=SCHEMA_FILE,
            pointer="#/$defs/CreateOrder/properties/sku/description",
            quote="Never starts with 0.",
            check=_no_leading_zero,
        ),
    ),
    root_defs=("CreateOrder",),
    case_prefix="orders.",
)


def test_the_rules_are_derived_from_the_schema_and_cite_it() -> None:
    assert {rule_id: entry.kind for rule_id, entry in ORDERS.rules.items()} == {
        "request.type": "json_type",
        "sku.type": "json_type",
        "sku.max_length": "max_length",
        "sku.pattern": "pattern",
        "quantity.minimum": "minimum",
        "quantity.maximum": "maximum",
        "quantity.type": "json_type",
        "colour.type": "json_type",
        "colour.enum": "enum",
        "notes.type": "json_type",
        "notes.max_items": "max_items",
        "notes[].type": "json_type",
        "sku.required": "required",
        "request.closed": "closed",
        "sku.no_leading_zero": "pattern",
    }
    assert ORDERS.rules["quantity.maximum"].source == (
        "create_order.schema.json#/$defs/CreateOrder/properties/quantity/anyOf/0/maximum"
    )
    assert ORDERS.rules["sku.no_leading_zero"].source == (
        'create_order.schema.json#/$defs/CreateOrder/properties/sku/description: "Never starts with 0."'
    )


def test_check_reports_schema_and_prose_rules_with_paths() -> None:
    assert [str(v) for v in ORDERS.check({"sku": "0A", "quantity": 100, "extra": 1})] == [
        "$.quantity: [quantity.maximum] expected at most 99, got 100",
        "$.extra: [request.closed] unknown key 'extra'; the object takes: colour, notes, quantity, sku",
        "$.sku: [sku.no_leading_zero] expected a sku that does not start with 0, got '0A'",
    ]
    assert ORDERS.check({"sku": "A1", "quantity": None, "colour": "red", "notes": ["gift"]}) == []


def test_the_catalogs_cover_every_schema_rule_each_case_valid_or_breaking_exactly_its_rule() -> None:
    cases = catalog(ORDERS)
    assert cases.uncovered == []
    assert {case.rule for case in cases.invalid} == set(ORDERS.rules) - {"sku.no_leading_zero"}
    for case in cases.edge:
        assert case.valid, case.id
        assert case.id.startswith("orders."), case.id
        assert ORDERS.check(case.body) == [], case.id
    for case in cases.invalid:
        found = ORDERS.check(case.body)
        assert [(v.rule, v.path) for v in found] == [(case.rule, case.path)], case.id
    ids = [case.id for case in cases.edge + cases.invalid]
    assert len(ids) == len(set(ids))


@settings(max_examples=30, deadline=None)
@given(endpoint_bodies(ORDERS))
def test_drawn_bodies_are_valid(body: dict[str, Any]) -> None:
    assert ORDERS.check(body) == []


@settings(max_examples=30, deadline=None)
@given(endpoint_edge_requests(ORDERS))
def test_drawn_edge_cases_are_valid(case: Case) -> None:
    assert ORDERS.check(case.body) == []


@settings(max_examples=60, deadline=None)
@given(endpoint_invalid_requests(ORDERS, rules=["quantity.minimum", "quantity.maximum", "sku.pattern"]))
def test_drawn_invalid_cases_break_exactly_their_rule(case: Case) -> None:
    assert [v.rule for v in ORDERS.check(case.body)] == [case.rule]


def test_a_rule_the_endpoint_does_not_have_is_refused_with_its_name() -> None:
    with pytest.raises(InvalidArgument) as caught:
        endpoint_invalid_requests(ORDERS, rules=["sku.pattern", "sku.colour"])
    assert str(caught.value) == (
        "endpoint_invalid_requests() got unknown rule ids ['sku.colour']; expected ids of the rules of POST /v1/orders"
    )


def test_the_endpoint_model_is_strict_closed_and_names_every_broken_rule() -> None:
    order_request = request_model(ORDERS, "CreateOrderRequest")
    assert list(order_request.model_fields) == ["sku", "quantity", "colour", "notes"]
    body = {"sku": "A1", "quantity": 3}
    assert order_request.model_validate(body).model_dump(mode="json", exclude_unset=True) == body
    with pytest.raises(ValidationError) as caught:
        order_request.model_validate({"sku": "0A", "quantity": 0})
    assert caught.value.errors()[0]["type"] == "quantity.minimum"
    assert rule_ids_for(caught.value) == [
        ("quantity.minimum", "$.quantity"),
        ("sku.no_leading_zero", "$.sku"),
    ]
    assert caught.value.errors()[0]["msg"] == (
        "2 rule(s) of POST /v1/orders broken: $.quantity: [quantity.minimum] expected at least 1, got 0; "
        "$.sku: [sku.no_leading_zero] expected a sku that does not start with 0, got '0A'"
    )
