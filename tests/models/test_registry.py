"""Tests of `runreplay.models._registry`: a registry of path-named rules built from any endpoint's rules."""

from __future__ import annotations

from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from runreplay.errors import RuleLookupError, UnknownRuleError
from runreplay.models._registry import RuleHit, RuleRegistry
from runreplay.models._rule import Rule


def _rule(id: str, kind: str, *paths: str) -> Rule:
    return Rule(id, kind, f"{id}.", paths, {}, "schema", f"order.json#/{id}")  # type: ignore[arg-type]


class Pen(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    type: Literal["pen"]
    colour: str


class Order(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    sku: str
    items: list[Pen] = Field(default_factory=list)


REGISTRY = RuleRegistry(
    [
        _rule("order.closed", "closed", "$"),
        _rule("sku.required", "required", "$.sku"),
        _rule("sku.json_type", "json_type", "$.sku"),
        _rule("item.type.enum", "enum", "$.items[*].type"),
        _rule("colour.json_type", "json_type", "$.items[*].colour"),
    ],
    union_tags={},
    name="orders.models",
)


def test_rule_ids_for_names_each_pydantic_error_by_kind_and_path() -> None:
    with pytest.raises(ValidationError) as caught:
        Order.model_validate({"extra": 1, "items": [{"type": "book", "colour": 3}]})
    assert REGISTRY.rule_ids_for(caught.value) == [
        RuleHit("sku.required", "$.sku", ("sku",), "Field required"),
        RuleHit("item.type.enum", "$.items[0].type", ("items", 0, "type"), "Input should be 'pen'"),
        RuleHit(
            "colour.json_type", "$.items[0].colour", ("items", 0, "colour"), "Input should be a valid string"
        ),
        RuleHit("order.closed", "$", ("extra",), "Extra inputs are not permitted"),
    ]


def test_unknown_ids_and_unexplained_errors_name_the_registry() -> None:
    with pytest.raises(UnknownRuleError) as unknown:
        REGISTRY.rule("sku.pattern")
    assert unknown.value.args[0] == (
        "unknown rule id 'sku.pattern'; expected one of orders.models.RULES, for example sku.json_type, sku.required"
    )
    with pytest.raises(ValidationError) as caught:
        Order.model_validate({"sku": "A", "items": "x"})
    with pytest.raises(RuleLookupError) as lookup:
        REGISTRY.rule_ids_for(caught.value)
    assert str(lookup.value) == (
        "no rule explains the pydantic error 'list_type' at $.items (Input should be a valid list); "
        "rule_ids_for only understands errors from the orders.models request models"
    )
