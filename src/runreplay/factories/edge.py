"""The edge catalog: named valid bodies at every bound, branch and enum value of the rule registry.

Most cases are derived from the registry, rule by rule (`temperature.range.just_below_max` comes from
`temperature.range`'s limits), and placed in the smallest valid body that holds the rule's path; a few
hand-picked ones add what no limit says: hostile text, very long text, deep nesting, every model name,
unknown keys on open objects, and one body with everything at its limit at once.

The catalog has no randomness beyond fixed seeds: the same list, in the same order, everywhere.
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Iterator
from typing import Any

from runreplay.factories._case import (
    FULL_ANCHOR,
    Case,
    case_id,
    concrete,
    copy_json,
    fresh,
    locate,
    minimal,
    place,
    value_at,
)
from runreplay.factories._text import ALNUM, HOSTILE, NOUNS, VERBS, pools
from runreplay.models import ASSISTANT_MODELS, RULES, Rule, rule

__all__ = ["VECTOR_STORE_FILE_IDS_CAP", "edge_cases", "items_at_limit"]

VECTOR_STORE_FILE_IDS_CAP = 10_000
"""`vector_stores[].file_ids` allows 100,000,000 ids; the catalog stops at the pre-2025 limit of 10,000.

A real list of 100,000,000 ids would take gigabytes and minutes to validate, so that exact limit is
checked only as the invalid case (with a list that reports its length, see `HugeList`).
"""

_LONG_INSTRUCTIONS = 256_000
"""Assistant-level instructions allow 256,000 characters; run-level ones have no limit at all."""

_DEEP = 32
"""Nesting depth of the deep function-parameter and response schemas."""

_CLOSED = {path for entry in RULES.values() if entry.kind == "closed" for path in entry.paths}
_FREE_FORM = {path for entry in RULES.values() if entry.kind == "value_type" for path in entry.paths} | {
    *rule("function.parameters.json_type").paths,
    *rule("json_schema.schema.json_type").paths,
}


def _rng(label: str) -> random.Random:
    """A generator seeded by a label: the same draws in every process, whatever was built before."""
    return random.Random(f"runreplay-edge:{label}")


def _ids(prefix: str, count: int, label: str, length: int = 24) -> list[str]:
    """`count` realistic ids with this prefix, the same for the same label."""
    rng = _rng(label)
    return [prefix + "".join(rng.choices(ALNUM, k=length)) for _ in range(count)]


def _text_of_length(length: int, label: str) -> str:
    """Realistic English text (Faker sentences) of exactly `length` characters."""
    rng = _rng(label)
    sentences = pools().sentences
    text = ""
    while len(text) < length:
        text += rng.choice(sentences) + " "
    return text[:length]


def _name(index: int, length: int) -> str:
    """A distinct function or schema name of exactly `length` characters from the name alphabet."""
    rng = _rng(f"name:{index}")
    words = [rng.choice(VERBS), *(rng.choice(NOUNS) for _ in range(8))]
    stem = f"{'_'.join(words)}_{index:02d}"
    return (stem + "_" * length)[:length] if len(stem) < length else stem[: length - 3] + f"_{index:02d}"


def _metadata_at_limit(label: str) -> dict[str, str]:
    """16 pairs of 64-character keys and 512-character values."""
    pairs = rule("metadata.max_pairs").limits["max_properties"]
    key_length = rule("metadata.key_length").limits["max_length"]
    value_length = rule("metadata.value_length").limits["max_length"]
    keys = [(f"{index:02d}_" + _name(index, key_length))[:key_length] for index in range(pairs)]
    return {key: _text_of_length(value_length, f"{label}:{index}") for index, key in enumerate(keys)}


def _nested_schema(depth: int) -> dict[str, Any]:
    """A JSON Schema nested `depth` objects deep."""
    schema: dict[str, Any] = {"type": "string", "description": "The innermost value."}
    for level in range(depth, 0, -1):
        schema = {
            "type": "object",
            "description": f"Level {level} of {depth}.",
            "properties": {f"level_{level}": schema},
            "required": [f"level_{level}"],
        }
    return schema


def _tools_at_limit() -> list[dict[str, Any]]:
    """20 tools: one code_interpreter, one file_search with every option at its maximum, 18 functions."""
    results = rule("max_num_results.range").limits["maximum"]
    score = rule("score_threshold.range").limits["maximum"]
    name_length = rule("function.name_pattern").limits["max_length"]
    ranker = rule("ranker.enum").limits["enum"][-1]
    tools: list[dict[str, Any]] = [
        {"type": "code_interpreter"},
        {
            "type": "file_search",
            "file_search": {
                "max_num_results": results,
                "ranking_options": {"ranker": ranker, "score_threshold": float(score)},
            },
        },
    ]
    function = FULL_ANCHOR["tools"][2]["function"]
    for index in range(rule("tools.max_items").limits["max_items"] - len(tools)):
        tools.append(
            {
                "type": "function",
                "function": {**copy_json(function), "name": _name(index, name_length)},
            }
        )
    return tools


def items_at_limit(entry: Rule, pattern: str) -> tuple[str, list[Any]]:
    """The variant name and the items of an array at its `max_items`, each item as large as allowed."""
    limit = int(entry.limits["max_items"])
    if entry.id == "tools.max_items":
        return "at_limit", _tools_at_limit()
    if entry.id == "vector_store.file_ids.max_items":
        return f"capped_{VECTOR_STORE_FILE_IDS_CAP}", _ids("file-", VECTOR_STORE_FILE_IDS_CAP, pattern, 22)
    sample = minimal(pattern, whole=True)[0]
    if isinstance(sample, str):
        prefix = sample.split("_", 1)[0] + "_" if sample.startswith("vs_") else "file-"
        return "at_limit", _ids(prefix, limit, pattern, len(sample) - len(prefix))
    store = copy_json(sample)
    store["file_ids"] = _ids(
        "file-", rule("code_interpreter.file_ids.max_items").limits["max_items"], pattern, 22
    )
    store["metadata"] = _metadata_at_limit(pattern)
    chunk = rule("max_chunk_size_tokens.range").limits["maximum"]
    half = int(chunk * rule("chunking.overlap_half").limits["fraction"])
    store["chunking_strategy"] = {
        "type": "static",
        "static": {"max_chunk_size_tokens": chunk, "chunk_overlap_tokens": half},
    }
    return "at_limit", [store] * limit


# --- per rule kind --------------------------------------------------------------------------------

Variant = tuple[str, Any]


def _json_type(entry: Rule, pattern: str) -> Iterator[Variant]:
    """One valid value per JSON type a multi-type rule allows (ints and floats for numbers)."""
    types = entry.limits["types"]
    if len(types) == 1 and types[0] not in ("number", "integer", "boolean"):
        return
    for kind in types:
        if kind == "null":
            yield "null", None
        elif kind == "boolean":
            yield "true", True
            yield "false", False
        elif kind == "number":
            bounds = RULES.get(f"{entry.subject}.range")
            whole = (
                1 if bounds is None else int(bounds.limits["maximum"] + bounds.limits["minimum"]) // 2 or 1
            )
            yield "integer_form", whole
            yield "float_form", float(_anchor_value(pattern, float))
        elif kind == "integer":
            value = int(_anchor_value(pattern, int))
            yield "integer", value
            yield "integral_float", float(value)
        else:
            python = {"string": str, "object": dict, "array": list}[kind]
            yield kind, _anchor_value(pattern, python, whole=True)


def _anchor_value(pattern: str, python: type, *, whole: bool = False) -> Any:
    """The anchor's value at `pattern` of the given Python type."""
    body, keys = locate(
        pattern,
        lambda value: isinstance(value, python) and not isinstance(value, bool) and value is not None,
        whole=whole,
    )
    return value_at(body, keys)


def _range(entry: Rule, pattern: str) -> Iterator[Variant]:
    """The bounds, and the values just inside them (one ulp for floats, 1 for integers)."""
    integer = "integer" in rule(f"{entry.subject}.json_type").limits["types"]
    low: Any = entry.limits["minimum"]
    high: Any = entry.limits.get("maximum")
    if integer:
        yield "min", int(low)
        yield "just_above_min", int(low) + 1
        if high is None:
            yield "max_safe_integer", 2**53 - 1
        else:
            yield "just_below_max", int(high) - 1
            yield "max", int(high)
        return
    yield "min", float(low)
    yield "just_above_min", math.nextafter(float(low), math.inf)
    if low == 0:
        yield "negative_zero", -0.0
    yield "just_below_max", math.nextafter(float(high), -math.inf)
    yield "max", float(high)


def _enum_body(pattern: str, value: str) -> tuple[Any, str]:
    """A body with `value` at `pattern`; a union tag (`.type`) comes with its branch's object."""
    if not pattern.endswith(".type"):
        return place(pattern, value)
    parent = pattern[: -len(".type")]
    try:
        body, keys = locate(parent, lambda found: isinstance(found, dict) and found.get("type") == value)
    except LookupError:
        body, path = place(parent, {"type": value})
        return body, path + ".type"
    return body, concrete(keys) + ".type"


def _holds(key: str, value: Any) -> bool:
    """Whether `value` is an object holding `key`."""
    return isinstance(value, dict) and key in value


def _rule_cases(entry: Rule, pattern: str) -> Iterator[Case]:
    """The edge cases one rule yields at one of its paths."""

    def case(variant: str, body: Any, path: str) -> Case:
        """An edge case of this rule at this path."""
        return Case(case_id(entry, pattern, variant), body, entry.id, True, path)

    kind, limits = entry.kind, entry.limits
    if kind == "json_type":
        for variant, value in _json_type(entry, pattern):
            yield case(variant, *place(pattern, value))
        if "object" in limits["types"] and pattern not in _CLOSED | _FREE_FORM:
            body, keys = locate(pattern, lambda value: isinstance(value, dict))
            value_at(body, keys)["x_runreplay_extension"] = {"kept": ["text", 1, 2.5, None, True]}
            yield case("unknown_key_kept", body, concrete(keys))
    elif kind == "value_type":
        yield case("empty_strings", *place(pattern, {"": ""}))
    elif kind == "required":
        parent, key = pattern.rsplit(".", 1)
        body, keys = locate(parent, functools.partial(_holds, key))
        yield case("only_required_keys", body, f"{concrete(keys)}.{key}")
    elif kind == "closed":
        body, keys = locate(pattern, whole=True)
        yield case("every_key", body, concrete(keys))
    elif kind == "enum":
        for value in limits["enum"]:
            yield case(value, *_enum_body(pattern, value))
    elif kind in ("range", "minimum"):
        for variant, value in _range(entry, pattern):
            body, keys = locate(pattern)
            value_at(body, keys[:-1])[keys[-1]] = value
            if entry.subject == rule("chunking.overlap_half").limits["of"]:
                value_at(body, keys[:-1])[rule("chunking.overlap_half").limits["field"]] = 0
            yield case(variant, body, concrete(keys))
    elif kind == "max_items":
        yield case("empty", *place(pattern, []))
        variant, items = items_at_limit(entry, pattern)
        yield case(variant, *place(pattern, items))
    elif kind == "min_items":
        yield case("at_limit", *place(pattern, minimal(pattern, whole=True)[: limits["min_items"]]))
    elif kind == "max_properties":
        yield case("at_limit", *place(pattern, _metadata_at_limit(pattern)))
    elif kind == "key_length":
        size = limits["max_length"]
        yield case("at_limit", *place(pattern, {_name(0, size): "value"}))
        yield case("astral_at_limit", *place(pattern, {"𝔘" * size: "64 code points, 128 UTF-16 units"}))
        yield case("combining_at_limit", *place(pattern, {"e\u0301" * (size // 2): "64 code points"}))
    elif kind == "value_length":
        size = limits["max_length"]
        yield case("at_limit", *place(pattern, {"note": _text_of_length(size, pattern)}))
        yield case("astral_at_limit", *place(pattern, {"note": "🙂" * size}))
    elif kind == "pattern":
        alphabet = limits["alphabet"]
        yield case("max_length", *place(pattern, (alphabet * 2)[: limits["max_length"]]))
        yield case("min_length", *place(pattern, alphabet[-2] * limits["min_length"]))
        yield case("dashes_and_digits", *place(pattern, "2-step-lookup_v2"))
    elif kind == "exactly_one":
        for option in limits["one_of"]:
            body, keys = locate(pattern, functools.partial(_holds, option))
            yield case(option, body, concrete(keys))
    elif kind == "required_if":
        body, keys = locate(pattern, lambda value: isinstance(value, dict) and "function" in value)
        yield case("function_named", body, concrete(keys))
        yield case("other_type", *place(pattern, {"type": "file_search"}))
    elif kind == "required_keys":
        body, keys = locate(pattern)
        yield case("both_keys", body, concrete(keys))
        yield case("empty_tools", *place(pattern, {"file_id": "file-Rg7TnB2xQw5LmZ8vKc3PdJ", "tools": []}))
    elif kind == "max_fraction":
        sizes = rule("max_chunk_size_tokens.range").limits
        for variant, whole in (
            ("exactly_half", 800),
            ("odd_whole", 4095),
            ("min_whole", sizes["minimum"]),
            ("max_whole", sizes["maximum"]),
            ("zero", 800),
        ):
            part = 0 if variant == "zero" else math.floor(whole * limits["fraction"])
            body, keys = locate(pattern)
            value_at(body, keys[:-1]).update({limits["of"]: whole, limits["field"]: part})
            yield case(variant, body, concrete(keys))


# --- hand-picked cases ----------------------------------------------------------------------------

_TEXT = "$.thread.messages[*].content[*].text"
_PARAMETERS = "$.tools[*].function.parameters"
_SCHEMA = "$.response_format.json_schema.schema"


def _at(case_id: str, rule_id: str, pattern: str, value: Any) -> Case:
    """An edge case with `value` at `pattern` in the smallest body that holds it."""
    body, path = place(pattern, value)
    return Case(case_id, body, rule(rule_id).id, True, path)


def _extra_cases() -> Iterator[Case]:
    """What no single limit says: minimal bodies, hostile and long text, deep nesting, model names."""
    asst = FULL_ANCHOR["assistant_id"]
    yield Case(
        "assistant_id.empty_string", {"assistant_id": ""}, "assistant_id.json_type", True, "$.assistant_id"
    )
    yield Case(
        "thread.empty_object", {"assistant_id": asst, "thread": {}}, "thread.json_type", True, "$.thread"
    )
    yield _at("messages.empty_array", "messages.json_type", "$.thread.messages", [])
    yield _at("content.empty_string", "content.json_type", "$.thread.messages[*].content", "")
    yield _at("content_part.text.empty_string", "content_part.text.json_type", _TEXT, "")
    for name, text in HOSTILE.items():
        yield _at(f"instructions.hostile.{name}", "instructions.json_type", "$.instructions", text)
        yield _at(f"content.hostile.{name}", "content.json_type", "$.thread.messages[*].content", text)
        yield _at(f"metadata.hostile.{name}", "metadata.value_length", "$.metadata", {name: text})
    long_text = _text_of_length(_LONG_INSTRUCTIONS, "long-instructions")
    yield _at(
        f"instructions.long_{_LONG_INSTRUCTIONS}", "instructions.json_type", "$.instructions", long_text
    )
    parameters = {"type": "object", "properties": {"root": _nested_schema(_DEEP)}}
    yield _at(f"function.parameters.nested_{_DEEP}", "function.parameters.json_type", _PARAMETERS, parameters)
    yield _at(
        f"json_schema.schema.nested_{_DEEP}", "json_schema.schema.json_type", _SCHEMA, _nested_schema(_DEEP)
    )
    for model in ASSISTANT_MODELS:
        yield Case(
            f"model.known.{model}", {"assistant_id": asst, "model": model}, "model.json_type", True, "$.model"
        )
    for variant, model in (
        ("fine_tuned", "ft:gpt-4o-mini-2024-07-18:acme::9xYz8WvU"),
        ("unlisted", "o3-mini"),
    ):
        yield Case(
            f"model.{variant}", {"assistant_id": asst, "model": model}, "model.json_type", True, "$.model"
        )
    yield Case("request.every_key_at_limits", _everything_at_limits(), "request.closed", True, "$")


def _everything_at_limits() -> dict[str, Any]:
    """FULL_ANCHOR with every collection, bound and name at its limit at once."""
    body: dict[str, Any] = copy_json(FULL_ANCHOR)
    thread = body["thread"]
    store = items_at_limit(
        rule("vector_stores.max_items"), "$.thread.tool_resources.file_search.vector_stores"
    )[1][0]
    thread["tool_resources"]["file_search"]["vector_stores"] = [store]
    files = rule("code_interpreter.file_ids.max_items").limits["max_items"]
    thread["tool_resources"]["code_interpreter"]["file_ids"] = _ids("file-", files, "thread-files", 22)
    body["tool_resources"]["code_interpreter"]["file_ids"] = _ids("file-", files, "run-files", 22)
    for index, holder in enumerate((body, thread, thread["messages"][0])):
        holder["metadata"] = _metadata_at_limit(f"all-limits:{index}")
    body["tools"] = _tools_at_limit()
    body["tool_choice"] = {"type": "function", "function": {"name": body["tools"][-1]["function"]["name"]}}
    name_length = rule("json_schema.name_pattern").limits["max_length"]
    body["response_format"]["json_schema"]["name"] = _name(99, name_length)
    body["temperature"] = float(rule("temperature.range").limits["maximum"])
    body["top_p"] = float(rule("top_p.range").limits["maximum"])
    return body


@functools.cache
def _catalog() -> tuple[Case, ...]:
    """Every edge case, built once per process (shared: copy a body before changing it)."""
    cases = [
        case for entry in RULES.values() for pattern in entry.paths for case in _rule_cases(entry, pattern)
    ]
    cases.extend(_extra_cases())
    seen: set[str] = set()
    for case in cases:
        if case.id in seen:  # pragma: no cover - guarded by the tests
            raise RuntimeError(f"duplicate edge case id {case.id!r}")
        seen.add(case.id)
    return tuple(cases)


def edge_cases() -> list[Case]:
    """Every edge case: valid bodies at the registry's bounds, branches and enum values, plus hostile text.

    Fresh copies, the same order every call: the list `runreplay.factories.edge_cases()` gives.
    """
    return fresh(_catalog())
