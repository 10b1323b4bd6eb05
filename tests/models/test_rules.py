"""The rule registry: well formed, true to the reference JSON Schema, the single source of rule ids."""

from __future__ import annotations

import ast
import json
import re
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

import runreplay.models.request as request_module
from runreplay.models import (
    NAME_PATTERN,
    RULES,
    CreateThreadAndRunRequest,
    Rule,
    json_path,
    path_pattern,
    rule,
    rule_ids_for,
)
from runreplay.models.rules import RuleKind, describe_types, describe_value, violation

REFERENCE = Path(__file__).resolve().parent.parent / "data" / "reference"
SCHEMA: dict[str, Any] = json.loads((REFERENCE / "create_thread_and_run_request.schema.json").read_text())
SCHEMA_FILE = "create_thread_and_run_request.schema.json"

LIMIT_KEYS: dict[str, set[str]] = {
    "json_type": {"types"},
    "value_type": {"types"},
    "required": set(),
    "closed": {"properties"},
    "enum": {"enum"},
    "range": {"minimum", "maximum"},
    "minimum": {"minimum"},
    "max_items": {"max_items"},
    "min_items": {"min_items"},
    "max_properties": {"max_properties"},
    "key_length": {"max_length"},
    "value_length": {"max_length"},
    "pattern": {"pattern", "min_length", "max_length", "alphabet"},
    "exactly_one": {"one_of"},
    "required_if": {"if", "required"},
    "required_keys": {"required"},
    "max_fraction": {"field", "fraction", "of"},
}


def resolve(pointer: str) -> Any:
    """The node a `#/...` JSON pointer names in the reference schema."""
    assert pointer.startswith("#/"), pointer
    node: Any = SCHEMA
    for part in pointer[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def deref(node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        node = resolve(node["$ref"])
    return node


def schema_types(node: Any) -> set[str]:
    """The JSON types a schema node allows (through $ref, anyOf and oneOf)."""
    node = deref(node)
    if "type" in node:
        kinds = node["type"]
        return {kinds} if isinstance(kinds, str) else set(kinds)
    branches = node.get("anyOf") or node.get("oneOf")
    assert branches, node
    return set().union(*(schema_types(branch) for branch in branches))


def schema_enum(node: Any) -> set[Any]:
    """The values an enum node allows, or for a oneOf of objects the union of their `type` enums."""
    node = deref(node)
    if isinstance(node, dict) and "enum" in node:
        return set(node["enum"])
    branches = node if isinstance(node, list) else node["oneOf"]
    values: set[Any] = set()
    for branch in map(deref, branches):
        if "properties" in branch and "type" in branch["properties"]:
            values |= set(branch["properties"]["type"]["enum"])
    return values


def pointers(entry: Rule) -> list[str]:
    return [part.split(SCHEMA_FILE, 1)[1] for part in entry.source.split("; ") if SCHEMA_FILE in part]


# --- the registry's shape -------------------------------------------------------------------------


def test_rule_ids_are_stable_dotted_names() -> None:
    for rule_id, entry in RULES.items():
        assert entry.id == rule_id
        assert re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", rule_id), rule_id


def test_every_rule_is_complete() -> None:
    kinds = set(typing.get_args(RuleKind))
    for entry in RULES.values():
        assert entry.kind in kinds, entry.id
        assert set(entry.limits) == LIMIT_KEYS[entry.kind], entry.id
        assert entry.description.endswith("."), entry.id
        assert "\n" not in entry.description, entry.id
        assert entry.paths, entry.id
        for path in entry.paths:
            assert path.startswith("$"), entry.id
            assert path_pattern(path) == path, f"{entry.id}: {path} is not a pattern"
        assert entry.origin in ("schema", "prose")
        assert entry.source


def test_registry_is_read_only() -> None:
    with pytest.raises(TypeError):
        RULES["x.y"] = RULES["tools.max_items"]  # type: ignore[index]
    with pytest.raises(TypeError):
        rule("tools.max_items").limits["max_items"] = 21  # type: ignore[index]


def test_the_brief_rule_ids_exist() -> None:
    for rule_id in (
        "temperature.range",
        "top_p.range",
        "max_prompt_tokens.min",
        "tools.max_items",
        "metadata.max_pairs",
        "metadata.key_length",
        "metadata.value_length",
        "function.name_pattern",
        "json_schema.name_pattern",
        "chunking.overlap_half",
        "thread.file_search.exactly_one",
        "tool_choice.function_name_required",
        "attachment.required_fields",
        "request.closed",
    ):
        assert rule_id in RULES


def test_rule_lookup() -> None:
    assert rule("temperature.range").limits == {"minimum": 0, "maximum": 2}
    with pytest.raises(KeyError) as caught:
        rule("temperature.max")
    assert caught.value.args[0] == (
        "unknown rule id 'temperature.max'; expected one of runreplay.models.RULES, "
        "for example temperature.json_type, temperature.range"
    )


def test_prose_rules_say_where_they_come_from() -> None:
    prose = {key for key, entry in RULES.items() if entry.origin == "prose"}
    assert prose == {
        "metadata.max_pairs",
        "metadata.key_length",
        "metadata.value_length",
        "function.name_pattern",
        "json_schema.name_pattern",
        "chunking.overlap_half",
        "tool_choice.function_name_required",
        "attachment.required_fields",
    }
    for key in prose:
        entry = RULES[key]
        # The source cites the schema location and quotes the words there that state the rule.
        match = re.fullmatch(rf'{re.escape(SCHEMA_FILE)}(#/[^:]+): "(.+)"', entry.source)
        assert match, entry.source
        node = resolve(match.group(1))
        written = " ".join(node.split()) if isinstance(node, str) else json.dumps(node)
        assert match.group(2) in written, key
        # Everything but the cross-field overlap rule can be written as JSON Schema.
        assert (entry.json_schema is None) == (key == "chunking.overlap_half"), key
    assert all(entry.json_schema is None for entry in RULES.values() if entry.origin == "schema")


def test_name_pattern_limits_agree() -> None:
    for key in ("function.name_pattern", "json_schema.name_pattern"):
        limits = RULES[key].limits
        assert limits["pattern"] == NAME_PATTERN == "^[a-zA-Z0-9_-]{1,64}$"
        assert (limits["min_length"], limits["max_length"]) == (1, 64)
        assert re.fullmatch(f"[{re.escape(limits['alphabet'])}]+", limits["alphabet"])
        assert len(limits["alphabet"]) == 64


# --- the registry against the reference schema ----------------------------------------------------


@pytest.mark.parametrize("rule_id", [key for key, entry in RULES.items() if entry.origin == "schema"])
def test_schema_rules_match_the_reference_schema(rule_id: str) -> None:
    entry = RULES[rule_id]
    sources = pointers(entry)
    assert sources, f"{rule_id} names no schema location"
    for pointer in sources:
        node = resolve(pointer)
        limits = entry.limits
        if entry.kind == "json_type":
            assert schema_types(node) == set(limits["types"]), pointer
        elif entry.kind == "value_type":
            assert deref(node) == {"type": "string"}
        elif entry.kind == "required":
            assert entry.paths[0].rsplit(".", 1)[1] in node, pointer
        elif entry.kind == "closed":
            assert node is False, pointer
            parent = resolve(pointer.rsplit("/", 1)[0])
            expected = limits["properties"]
            if isinstance(expected, typing.Mapping):
                expected = expected[parent["properties"]["type"]["enum"][0]]
            assert tuple(parent["properties"]) == tuple(expected), pointer
        elif entry.kind == "enum":
            assert schema_enum(node) == set(limits["enum"]), pointer
        elif entry.kind in ("range", "minimum"):
            node = deref(node)
            node = next((branch for branch in node.get("anyOf", [node]) if "minimum" in branch), node)
            assert node["minimum"] == limits["minimum"], pointer
            assert node.get("maximum") == limits.get("maximum"), pointer
        elif entry.kind == "max_items":
            assert node["maxItems"] == limits["max_items"], pointer
        elif entry.kind == "min_items":
            assert node["minItems"] == limits["min_items"], pointer
        elif entry.kind == "exactly_one":
            assert node == [{"required": [key]} for key in limits["one_of"]], pointer
        else:  # pragma: no cover - every schema kind is handled above
            raise AssertionError(entry.kind)


def test_every_schema_bound_has_a_rule() -> None:
    """Every minimum/maximum/maxItems/minItems/additionalProperties:false of the schema is registered."""
    found: set[str] = set()

    def walk(node: Any, pointer: str) -> None:
        if isinstance(node, dict):
            for keyword in ("minimum", "maximum", "maxItems", "minItems"):
                if keyword in node:
                    found.add(pointer)
            if node.get("additionalProperties") is False:
                found.add(f"{pointer}/additionalProperties")
            for key, value in node.items():
                walk(value, f"{pointer}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{pointer}/{index}")

    walk(SCHEMA["$defs"], "#/$defs")
    registered = {
        pointer
        for entry in RULES.values()
        if entry.kind in ("range", "minimum", "max_items", "min_items", "closed")
        for pointer in pointers(entry)
    }
    assert found == registered


# --- errors name their rules ----------------------------------------------------------------------


def test_violation_carries_rule_given_and_limit() -> None:
    error = violation("tools.max_items", "tools has 21 items; at most 20 are allowed", given=21, limit=20)
    assert error.type == "tools.max_items"
    assert error.message() == "tools.max_items: tools has 21 items; at most 20 are allowed"
    assert error.context is not None
    assert (error.context["rule"], error.context["given"], error.context["limit"]) == (
        "tools.max_items",
        21,
        20,
    )


def test_violation_message_keeps_braces_from_user_data() -> None:
    error = violation("metadata.value_type", 'metadata["{rule}"] is {given}', given="{limit}")
    assert error.message() == 'metadata.value_type: metadata["{rule}"] is {given}'


def test_violation_rejects_unknown_rule_ids() -> None:
    with pytest.raises(KeyError):
        violation("metadata.too_many", "x")


def test_error_context_names_the_rule() -> None:
    body = {"assistant_id": "a", "metadata": {f"k{i}": "v" for i in range(17)}}
    with pytest.raises(ValidationError) as caught:
        CreateThreadAndRunRequest.model_validate(body)
    (detail,) = caught.value.errors()
    assert detail["type"] == "metadata.max_pairs"
    assert detail["msg"] == "metadata.max_pairs: metadata has 17 pairs; at most 16 are allowed"
    assert detail["ctx"]["rule"] == "metadata.max_pairs"
    assert (detail["ctx"]["given"], detail["ctx"]["limit"]) == (17, 16)


def test_json_path_drops_union_tags() -> None:
    assert json_path(()) == "$"
    assert json_path(("tools", 2, "function", "function", "name")) == "$.tools[2].function.name"
    assert json_path(("response_format", "object", "json_schema", "json_schema", "name")) == (
        "$.response_format.json_schema.name"
    )
    assert json_path(("response_format", "string")) == "$.response_format"
    assert json_path(("thread", "messages", 0, "content", "array", 1, "text", "text")) == (
        "$.thread.messages[0].content[1].text"
    )
    chunking = ("thread", "tool_resources", "file_search", "vector_stores", 0, "chunking_strategy")
    assert json_path((*chunking, "static", "static", "x")) == (
        "$.thread.tool_resources.file_search.vector_stores[0].chunking_strategy.static.x"
    )
    assert json_path(("a b", 3)) == '$["a b"][3]'


def test_path_pattern() -> None:
    assert path_pattern("$.thread.messages[12].content[0]") == "$.thread.messages[*].content[*]"


def test_rule_ids_for_maps_pydantic_errors() -> None:
    body = {
        "assistant_id": 5,
        "surprise": 1,
        "tools": [{"type": "code_interpreter"}, {"type": "web"}, {}],
        "tool_choice": {"type": "function"},
        "response_format": "json",
        "thread": {"messages": [{"role": "system", "content": [{"type": "text"}]}]},
    }
    with pytest.raises(ValidationError) as caught:
        CreateThreadAndRunRequest.model_validate(body)
    hits = sorted((hit.rule, hit.path) for hit in rule_ids_for(caught.value))
    assert hits == [
        ("assistant_id.json_type", "$.assistant_id"),
        ("content_part.text.required", "$.thread.messages[0].content[0].text"),
        ("request.closed", "$"),
        ("response_format.enum", "$.response_format"),
        ("role.enum", "$.thread.messages[0].role"),
        ("tool.type.enum", "$.tools[1].type"),
        ("tool.type.required", "$.tools[2].type"),
        ("tool_choice.function_name_required", "$.tool_choice"),
    ]


def test_rule_ids_for_refuses_foreign_errors() -> None:
    from pydantic import BaseModel

    class Other(BaseModel):
        size: int

    with pytest.raises(ValidationError) as caught:
        Other.model_validate({"size": "big"})
    with pytest.raises(LookupError) as lookup:
        rule_ids_for(caught.value)
    assert str(lookup.value) == (
        "no rule explains the pydantic error 'int_parsing' at $.size (Input should be a valid integer, "
        "unable to parse string as an integer); rule_ids_for only understands errors from the "
        "runreplay.models request models"
    )


def test_describe_helpers() -> None:
    assert describe_types(["string"]) == "a string"
    assert describe_types(["string", "object", "null"]) == "a string, an object or null"
    assert describe_value(None) == "null"
    assert describe_value(True) == "true (a boolean)"
    assert describe_value("x" * 100) == '"' + "x" * 58 + "… (a string)"
    assert describe_value({"a": [1]}) == '{"a": [1]} (an object)'


# --- every rule id the models use is registered (the runtime side is in test_models_conformance) --


def test_models_only_name_registered_rules() -> None:
    tree = ast.parse(Path(request_module.__file__).read_text())
    named: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args:
            first = node.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            if node.func.id in ("violation", "not_null", "max_items", "name_pattern", "rule", "shape"):
                named.add(first.value)
            elif node.func.id == "number":
                named.add(f"{first.value}.json_type")
                for keyword in node.keywords:
                    if keyword.arg == "bounds" and isinstance(keyword.value, ast.Constant):
                        named.add(str(keyword.value.value))
    assert named
    assert named <= set(RULES), named - set(RULES)
