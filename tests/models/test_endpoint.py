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

from runreplay import factories as thread_and_run_factories
from runreplay import strategies as thread_and_run_strategies
from runreplay._strategies_endpoint import (
    Drawing,
    bodies_of,
    edge_requests_of,
    endpoint_bodies,
    endpoint_edge_requests,
    endpoint_invalid_requests,
    invalid_requests_of,
    requests_of,
)
from runreplay._strategies_responses import DRAWING as RESPONSES_DRAWING
from runreplay.errors import ConfigurationError
from runreplay.factories import responses as responses_factories
from runreplay.factories import valid as thread_and_run_valid
from runreplay.factories._case import Case
from runreplay.factories._kit import EndpointKit, SeededFactory, build, edge_cases, invalid_cases
from runreplay.factories._schema_bodies import build_body
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


# --- the same generic factories and strategies the two public endpoints are bound to -----------------

ORDER_REQUEST = request_model(ORDERS, "CreateOrderRequest")
LEADING_ZERO = Case("orders.sku.no_leading_zero.zero", {"sku": "0A"}, "sku.no_leading_zero", False, "$.sku")
KIT = EndpointKit(ORDERS, model_class=ORDER_REQUEST, title="order", extra_cases=lambda: [LEADING_ZERO])
DRAWING = Drawing(KIT, prefix="orders_")


class OrderFactory(SeededFactory):
    kit = KIT


def test_the_public_endpoints_are_kits_bound_to_the_same_generic_functions() -> None:
    assert thread_and_run_valid.KIT.endpoint.name == "POST /v1/threads/runs"
    assert responses_factories.KIT.endpoint.name == "POST /v1/responses"
    assert thread_and_run_strategies.DRAWING.kit is thread_and_run_valid.KIT
    assert RESPONSES_DRAWING.kit is responses_factories.KIT
    assert issubclass(thread_and_run_factories.RequestFactory, SeededFactory)
    tar = thread_and_run_factories.build_request(seed=5, streaming=True)
    assert build(thread_and_run_valid.KIT, "build_request()", 5, {"streaming": True}) == tar
    assert build(responses_factories.KIT, "build_request()", 5, {}) == responses_factories.build_request(
        seed=5
    )
    assert [c.id for c in edge_cases(responses_factories.KIT)] == [
        c.id for c in responses_factories.edge_cases()
    ]
    assert [c.id for c in invalid_cases(thread_and_run_valid.KIT)] == [
        c.id for c in thread_and_run_factories.invalid_cases()
    ]


def test_build_writes_the_schema_body_of_the_seed_and_validates_it_with_the_kit_model() -> None:
    order = build(KIT, "build_request()", 7, {})
    assert isinstance(order, ORDER_REQUEST)
    assert order.model_dump(mode="json", exclude_unset=True) == build_body(ORDERS, seed=7)
    assert build(KIT, "build_request()", 7, {}) == order
    changed = build(KIT, "build_request()", 7, {"quantity": 5, "notes": ["gift"]})
    assert (changed.quantity, changed.notes) == (5, ["gift"])
    factory, again = OrderFactory(3), OrderFactory(3)
    assert [factory.build(), factory.build()] == [again.build(), again.build()]
    assert repr(factory) == "OrderFactory(seed=3)"


def test_build_refuses_unknown_keys_invalid_overrides_and_bad_seeds_saying_what_to_do() -> None:
    with pytest.raises(ConfigurationError) as unknown:
        build(KIT, "build_request()", 1, {"size": 3})
    assert str(unknown.value) == (
        "build_request() got an unknown override 'size'; expected a key of the order request body "
        "(colour, notes, quantity, sku), with `__` to reach nested keys."
    )
    with pytest.raises(ConfigurationError) as invalid:
        build(KIT, "build_request()", 1, {"quantity": 100, "sku": "0A"})
    assert str(invalid.value) == (
        "build_request() overrides ['quantity', 'sku'] make the body invalid: quantity.maximum at $.quantity; "
        "sku.no_leading_zero at $.sku. Pass values the rules allow (see the rules of POST /v1/orders)."
    )
    with pytest.raises(ConfigurationError) as seed:
        OrderFactory(seed="7")  # type: ignore[arg-type]
    assert str(seed.value) == (
        "OrderFactory() got seed='7'; expected an integer (or None for a fresh seed). Pass e.g. seed=42."
    )


def test_the_catalogs_are_the_schema_catalogs_then_the_hand_designed_cases_fresh_each_call() -> None:
    schema_cases = catalog(ORDERS)
    assert [c.id for c in edge_cases(KIT)] == [c.id for c in schema_cases.edge]
    assert [c.id for c in invalid_cases(KIT)] == [c.id for c in schema_cases.invalid] + [LEADING_ZERO.id]
    first = invalid_cases(KIT)[-1]
    first.body["sku"] = "changed"
    assert invalid_cases(KIT)[-1].body == {"sku": "0A"}
    assert [(v.rule, v.path) for v in ORDERS.check(first.body | {"sku": "0A"})] == [
        ("sku.no_leading_zero", "$.sku")
    ]


@settings(max_examples=30, deadline=None)
@given(requests_of(DRAWING), bodies_of(DRAWING), edge_requests_of(DRAWING))
def test_the_generic_strategies_draw_valid_models_bodies_and_edge_cases(
    order: Any, body: dict[str, Any], edge: Case
) -> None:
    assert isinstance(order, ORDER_REQUEST)
    assert ORDERS.check(body) == []
    assert ORDERS.check(edge.body) == []
    assert edge.valid


@settings(max_examples=40, deadline=None)
@given(invalid_requests_of(DRAWING, rules=["quantity.maximum", "sku.no_leading_zero"]))
def test_the_generic_invalid_strategy_draws_schema_and_hand_designed_cases(case: Case) -> None:
    assert [(v.rule, v.path) for v in ORDERS.check(case.body)] == [(case.rule, case.path)]


def test_the_generic_strategies_are_named_by_the_drawing_and_check_rules_and_shapes_against_the_kit() -> None:
    assert repr(bodies_of(DRAWING)) == "orders_bodies()"
    assert repr(edge_requests_of(DRAWING, ["colour.enum"])) == "orders_edge_requests(rules=('colour.enum',))"
    with pytest.raises(InvalidArgument) as caught:
        edge_requests_of(DRAWING, ["sku.no_leading_zero"])
    assert str(caught.value) == (
        "orders_edge_requests() has no case for rules ['sku.no_leading_zero']; pick rules that have cases"
    )
    with pytest.raises(ConfigurationError) as shaped:
        KIT.body(KIT.random_source(1), streaming=True)
    assert str(shaped.value) == (
        "POST /v1/orders bodies got shape keywords ['streaming']; expected none: the schema's writer takes "
        "no shape. Declare the endpoint's own writer to use them."
    )
