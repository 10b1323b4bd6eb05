"""Tests of `runreplay.models._derive`: rules derived from any request JSON Schema, named by an endpoint."""

from __future__ import annotations

from typing import Any

import pytest

from runreplay.models._derive import Fact, SchemaDeriveError, derive, resolve, schema_rules

# A small endpoint of its own, not the Assistants one: every kind of fact the deriver knows.
SCHEMA: dict[str, Any] = {
    "$ref": "#/$defs/Order",
    "$defs": {
        "Order": {
            "type": "object",
            "additionalProperties": False,
            "required": ["id"],
            "properties": {
                "id": {"type": "string", "description": "Any id."},
                "size": {"type": ["integer", "null"], "minimum": 1, "maximum": 9},
                "tip": {"type": "number", "minimum": 0},
                "colour": {"type": "string", "enum": ["red", "blue"]},
                "label": {"anyOf": [{"type": "string"}, {"type": "string", "enum": ["x"]}, {"type": "null"}]},
                "items": {"type": "array", "minItems": 1, "maxItems": 3, "items": {"$ref": "#/$defs/Item"}},
                "tags": {"type": "object", "additionalProperties": {"type": "string"}},
                "pay": {
                    "type": "object",
                    "properties": {"card": {"type": "string"}, "cash": {"type": "boolean"}},
                    "oneOf": [{"required": ["card"]}, {"required": ["cash"]}],
                },
            },
        },
        "Item": {
            "oneOf": [
                {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {"type": {"type": "string", "enum": ["book"]}, "isbn": {"type": "string"}},
                    "required": ["type", "isbn"],
                },
                {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {"type": {"type": "string", "enum": ["pen"]}},
                    "required": ["type"],
                },
            ]
        },
    },
}

ORDER = "#/$defs/Order"
PROPS = f"{ORDER}/properties"


def test_derive_states_every_constraint_of_the_schema_where_it_is_written() -> None:
    assert derive(SCHEMA) == [
        Fact("json_type", "$", {"types": ("object",)}, (ORDER,)),
        Fact(
            "closed",
            "$",
            {"properties": ("id", "size", "tip", "colour", "label", "items", "tags", "pay")},
            (f"{ORDER}/additionalProperties",),
        ),
        Fact("required", "$.id", {}, (f"{ORDER}/required",)),
        Fact("json_type", "$.id", {"types": ("string",)}, (f"{PROPS}/id",)),
        Fact("json_type", "$.size", {"types": ("integer", "null")}, (f"{PROPS}/size",)),
        Fact("range", "$.size", {"minimum": 1, "maximum": 9}, (f"{PROPS}/size",)),
        Fact("json_type", "$.tip", {"types": ("number",)}, (f"{PROPS}/tip",)),
        Fact("minimum", "$.tip", {"minimum": 0}, (f"{PROPS}/tip",)),
        Fact("enum", "$.colour", {"enum": ("red", "blue")}, (f"{PROPS}/colour",)),
        Fact("json_type", "$.label", {"types": ("string", "null")}, (f"{PROPS}/label",)),
        Fact("json_type", "$.items", {"types": ("array",)}, (f"{PROPS}/items",)),
        Fact("max_items", "$.items", {"max_items": 3}, (f"{PROPS}/items",)),
        Fact("min_items", "$.items", {"min_items": 1}, (f"{PROPS}/items",)),
        Fact("json_type", "$.items[*]", {"types": ("object",)}, (f"{PROPS}/items/items",)),
        Fact(
            "closed",
            "$.items[*]",
            {"properties": {"book": ("type", "isbn"), "pen": ("type",)}},
            ("#/$defs/Item/oneOf/0/additionalProperties", "#/$defs/Item/oneOf/1/additionalProperties"),
        ),
        Fact(
            "required",
            "$.items[*].type",
            {},
            ("#/$defs/Item/oneOf/0/required", "#/$defs/Item/oneOf/1/required"),
        ),
        Fact("enum", "$.items[*].type", {"enum": ("book", "pen")}, ("#/$defs/Item/oneOf",)),
        Fact("required", "$.items[*].isbn", {}, ("#/$defs/Item/oneOf/0/required",)),
        Fact(
            "json_type", "$.items[*].isbn", {"types": ("string",)}, ("#/$defs/Item/oneOf/0/properties/isbn",)
        ),
        Fact("json_type", "$.tags", {"types": ("object",)}, (f"{PROPS}/tags",)),
        Fact("value_type", "$.tags", {"types": ("string",)}, (f"{PROPS}/tags/additionalProperties",)),
        Fact("json_type", "$.pay", {"types": ("object",)}, (f"{PROPS}/pay",)),
        Fact("exactly_one", "$.pay", {"one_of": ("card", "cash")}, (f"{PROPS}/pay/oneOf",)),
        Fact("json_type", "$.pay.card", {"types": ("string",)}, (f"{PROPS}/pay/properties/card",)),
        Fact("json_type", "$.pay.cash", {"types": ("boolean",)}, (f"{PROPS}/pay/properties/cash",)),
    ]


def test_every_pointer_a_fact_cites_exists_in_the_schema() -> None:
    for fact in derive(SCHEMA):
        for pointer in fact.pointers:
            assert resolve(SCHEMA, pointer) is not None


SUBJECTS = {
    "order": ("$",),
    "id": ("$.id",),
    "size": ("$.size",),
    "tip": ("$.tip",),
    "colour": ("$.colour",),
    "label": ("$.label",),
    "items": ("$.items",),
    "item": ("$.items[*]",),
    "item.type": ("$.items[*].type",),
    "isbn": ("$.items[*].isbn",),
    "tags": ("$.tags",),
    "pay": ("$.pay",),
    "pay.card": ("$.pay.card",),
    "pay.cash": ("$.pay.cash",),
}


def test_schema_rules_names_merges_describes_and_cites_each_fact() -> None:
    rules = schema_rules(
        SCHEMA, subjects=SUBJECTS, source_file="order.json", renamed={("minimum", "$.tip"): "tip.floor"}
    )
    by_id = {entry.id: entry for entry in rules}
    assert list(by_id)[:4] == ["order.json_type", "order.closed", "id.required", "id.json_type"]
    assert by_id["tip.floor"].limits == {"minimum": 0}
    assert by_id["size.range"].description == "size is between 1 and 9 inclusive."
    assert by_id["item.type.enum"].description == "item.type is one of book, pen."
    assert by_id["order.json_type"].description == "The body is an object."
    assert (
        by_id["item.closed"].description
        == "item has only the keys of its type (book: type, isbn; pen: type)."
    )
    assert by_id["items.max_items"].source == "order.json#/$defs/Order/properties/items"
    assert by_id["item.type.required"].source == (
        "order.json#/$defs/Item/oneOf/0/required; order.json#/$defs/Item/oneOf/1/required"
    )
    assert all(entry.origin == "schema" and entry.description.endswith(".") for entry in rules)


def test_one_subject_at_several_paths_gives_one_rule_with_every_path() -> None:
    schema = {
        "type": "object",
        "properties": {
            "a": {"type": "object", "properties": {"note": {"type": "string"}}},
            "b": {"type": "object", "properties": {"note": {"type": "string"}}},
        },
    }
    subjects = {"body": ("$",), "a": ("$.a",), "b": ("$.b",), "note": ("$.b.note", "$.a.note")}
    rules = {entry.id: entry for entry in schema_rules(schema, subjects=subjects, source_file="s.json")}
    assert rules["note.json_type"].paths == ("$.b.note", "$.a.note")  # the subjects table's order
    assert (
        rules["note.json_type"].source
        == "s.json#/properties/b/properties/note; s.json#/properties/a/properties/note"
    )


def test_a_fact_no_subject_names_is_refused() -> None:
    subjects = {key: value for key, value in SUBJECTS.items() if key != "tags"}
    with pytest.raises(SchemaDeriveError) as caught:
        schema_rules(SCHEMA, subjects=subjects, source_file="order.json")
    assert str(caught.value) == (
        "the schema states a json_type rule at $.tags (#/$defs/Order/properties/tags) but no subject names "
        "that path; add it to the endpoint's subjects table."
    )


def test_a_subject_path_the_schema_lacks_is_refused() -> None:
    with pytest.raises(SchemaDeriveError) as caught:
        schema_rules(SCHEMA, subjects={**SUBJECTS, "ghost": ("$.ghost",)}, source_file="order.json")
    assert str(caught.value) == (
        "the subjects table names $.ghost, where the schema states no rule; remove the path or fix its spelling."
    )


def test_one_name_for_facts_that_disagree_is_refused() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
    }
    with pytest.raises(SchemaDeriveError) as caught:
        schema_rules(schema, subjects={"body": ("$",), "x": ("$.a", "$.b")}, source_file="s.json")
    assert str(caught.value) == (
        "the facts named x.json_type disagree: json_type {'types': ('string',)} at $.a; "
        "json_type {'types': ('integer',)} at $.b"
    )


def test_a_keyword_the_deriver_does_not_know_is_never_dropped_silently() -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string", "maxLength": 64, "pattern": "^a"}}}
    with pytest.raises(SchemaDeriveError) as caught:
        derive(schema)
    assert str(caught.value) == (
        "cannot derive rules from #/properties/name: the keywords maxLength, pattern are not supported; "
        "expected only $defs, $ref, $schema, additionalProperties, anyOf, enum, items, maxItems, maximum, "
        "minItems, minimum, oneOf, properties, required, type and annotations. Write the rule by hand in "
        "the endpoint's prose rules, or teach runreplay.models._derive the keyword."
    )


def test_a_maximum_alone_has_no_rule_kind_and_says_so() -> None:
    with pytest.raises(SchemaDeriveError) as caught:
        derive({"type": "object", "properties": {"n": {"type": "integer", "maximum": 3}}})
    assert str(caught.value) == (
        "cannot derive rules from #/properties/n: a maximum without a minimum has no rule kind; expected "
        "both or only a minimum. Write the rule by hand in the endpoint's prose rules."
    )


def test_a_union_of_objects_without_a_tag_is_refused() -> None:
    schema = {
        "oneOf": [
            {"type": "object", "properties": {"a": {"type": "string"}}},
            {"type": "object", "properties": {"b": {"type": "string"}}},
        ]
    }
    with pytest.raises(SchemaDeriveError) as caught:
        derive(schema)
    assert str(caught.value) == (
        "cannot derive rules at $: its 2 object alternatives (#/oneOf/0, #/oneOf/1) share no key that "
        "fixes one value each; expected a union told apart by a tag such as `type`."
    )
