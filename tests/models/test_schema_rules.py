"""The generic, endpoint-independent `SchemaRules` and `SchemaCatalog`, on a small schema written here and on
the thread-and-run schema (the endpoint that may move onto them next)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from runreplay.factories import build_request
from runreplay.factories._schema_cases import SchemaCatalog
from runreplay.models._schema_rules import SchemaRules

REFERENCE = Path(__file__).resolve().parent.parent / "data" / "reference"

SCHEMA: dict[str, Any] = {
    "$ref": "#/$defs/Order",
    "$defs": {
        "Order": {
            "allOf": [
                {"$ref": "#/$defs/Base"},
                {
                    "type": "object",
                    "properties": {
                        "items": {
                            "type": "array",
                            "items": {"$ref": "#/$defs/Item"},
                            "minItems": 1,
                            "maxItems": 3,
                        },
                        "note": {"anyOf": [{"type": "string", "maxLength": 5}, {"type": "null"}]},
                        "code": {"type": "string", "pattern": "^[A-Z]{3}$"},
                    },
                    "required": ["items"],
                },
            ]
        },
        "Base": {"type": "object", "properties": {"id": {"type": "integer", "minimum": 1}}},
        "Item": {
            "oneOf": [{"$ref": "#/$defs/Book"}, {"$ref": "#/$defs/Pen"}],
            "discriminator": {"propertyName": "type"},
        },
        "Book": {
            "type": "object",
            "properties": {
                "type": {"type": "string", "enum": ["book"]},
                "pages": {"type": "integer", "maximum": 900},
            },
            "required": ["type", "pages"],
            "additionalProperties": False,
        },
        "Pen": {
            "type": "object",
            "properties": {
                "type": {"type": "string", "enum": ["pen"]},
                "color": {"type": "string", "enum": ["red", "blue"]},
            },
            "required": ["type"],
        },
    },
}
RULES = SchemaRules(SCHEMA, file="order.json", root_defs=("Order", "Base"))
VALID = {"id": 1, "items": [{"type": "book", "pages": 900}, {"type": "pen"}], "note": None, "code": "ABC"}


def _found(body: Any, *, house: bool = True) -> list[tuple[str, str]]:
    return [(v.rule, v.path) for v in RULES.check(body, house=house)]


def test_rule_ids_name_where_the_constraint_lives() -> None:
    assert sorted(RULES.rules) == [
        "Book.closed",
        "Book.pages.maximum",
        "Book.pages.required",
        "Book.pages.type",
        "Item.type",
        "Item.type.tag",
        "Pen.closed",
        "Pen.color.enum",
        "Pen.color.type",
        "code.pattern",
        "code.type",
        "id.minimum",
        "id.type",
        "items.max_items",
        "items.min_items",
        "items.required",
        "items.type",
        "note.max_length",
        "note.type",
        "request.closed",
        "request.type",
    ]
    assert RULES.rules["Book.closed"].origin == "schema"
    assert RULES.rules["Pen.closed"].origin == "house"
    assert RULES.rules["note.type"].limits == {"types": ("string", "null")}
    # A branch's own type and its tag property are checked by the union first.
    assert sorted(RULES.shadowed) == [
        "Book.type",
        "Book.type.enum",
        "Book.type.required",
        "Book.type.type",
        "Pen.type",
        "Pen.type.enum",
        "Pen.type.required",
        "Pen.type.type",
    ]
    assert RULES.rules["id.minimum"].source == "order.json#/$defs/Base/properties/id/minimum"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({}, []),
        ({"id": 0}, [("id.minimum", "$.id")]),
        ({"id": True}, [("id.type", "$.id")]),
        ({"id": 1.0}, [("id.type", "$.id")]),
        ({"note": "toolong"}, [("note.max_length", "$.note")]),
        ({"note": 5}, [("note.type", "$.note")]),
        ({"code": "ABCD"}, [("code.pattern", "$.code")]),
        ({"items": []}, [("items.min_items", "$.items")]),
        ({"items": [{"type": "pen"}] * 4}, [("items.max_items", "$.items")]),
        ({"items": [{"type": "mug"}]}, [("Item.type.tag", "$.items[0].type")]),
        ({"items": [{"pages": 3}]}, [("Item.type.tag", "$.items[0].type")]),
        ({"items": ["book"]}, [("Item.type", "$.items[0]")]),
        ({"items": [{"type": "book"}]}, [("Book.pages.required", "$.items[0].pages")]),
        ({"items": [{"type": "book", "pages": 901}]}, [("Book.pages.maximum", "$.items[0].pages")]),
        ({"items": [{"type": "pen", "color": "green"}]}, [("Pen.color.enum", "$.items[0].color")]),
        ({"items": [{"type": "pen", "ink": 1}]}, [("Pen.closed", "$.items[0].ink")]),
        ({"other": 1}, [("request.closed", "$.other")]),
    ],
)
def test_each_broken_rule_is_reported_once_at_its_path(
    change: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    assert _found({**VALID, **change}) == expected


def test_house_closed_objects_open_when_house_rules_are_off() -> None:
    body = {**VALID, "other": 1, "items": [{"type": "pen", "ink": 1}, {"type": "book", "pages": 1, "x": 2}]}
    assert _found(body, house=False) == [("Book.closed", "$.items[1].x")]
    assert [str(v) for v in RULES.check(["x"])] == ["$: [request.type] expected object, got array ['x']"]


def test_the_catalog_isolates_every_rule_of_the_small_schema() -> None:
    catalog = SchemaCatalog(RULES, RULES.check, prefix="order.", base={"items": [{"type": "pen"}]})
    assert catalog.uncovered == []
    for case in catalog.invalid:
        assert _found(case.body) == [(case.rule, case.path)], case
    for case in catalog.edge:
        assert _found(case.body) == [], case
    assert {case.id for case in catalog.edge} >= {
        "order.Book.pages.maximum.at_max",
        "order.Pen.color.enum.value_red",
    }


def test_the_thread_and_run_schema_compiles_and_its_factory_bodies_pass() -> None:
    schema = json.loads((REFERENCE / "create_thread_and_run_request.schema.json").read_text())
    rules = SchemaRules(
        schema, file="create_thread_and_run_request.schema.json", root_defs=("CreateThreadAndRunRequest",)
    )
    assert len(rules.rules) > 100
    for seed in range(100):
        body = build_request(seed=seed).model_dump(mode="json", exclude_unset=True)
        assert rules.check(body) == [], seed


def test_a_nullable_definition_referenced_twice_is_checked_at_both_places() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"$ref": "#/$defs/Tags"}, "b": {"$ref": "#/$defs/Tags"}},
        "$defs": {
            "Tags": {
                "anyOf": [{"type": "object", "additionalProperties": {"type": "string"}}, {"type": "null"}]
            }
        },
    }
    compiled = SchemaRules(schema, file="tags.json")
    assert [str(v) for v in compiled.check({"a": {"x": 1}, "b": {"y": 2}})] == [
        "$.a.x: [Tags.*.type] expected string, got integer 1",
        "$.b.y: [Tags.*.type] expected string, got integer 2",
    ]


def test_an_object_with_its_own_properties_next_to_one_of_checks_both() -> None:
    schema = {
        "type": "object",
        "properties": {"card": {"type": "string"}, "cash": {"type": "boolean"}},
        "oneOf": [{"required": ["card"]}, {"required": ["cash"]}],
    }
    compiled = SchemaRules(schema, file="pay.json")
    assert [str(v) for v in compiled.check({"card": 5})] == [
        "$.card: [card.type] expected string, got integer 5"
    ]
    assert [str(v) for v in compiled.check([])] == ["$: [request.type] expected object, got array []"]
    assert compiled.check({"cash": True}) == []
    assert {"card.type", "cash.type", "request.type"} <= set(compiled.rules)
