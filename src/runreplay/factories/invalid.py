"""The invalid catalog: for every rule of the registry, at every path it names, bodies that break it alone.

Each case starts from the smallest valid body that holds the rule's path (see `_case.py`) and changes
one thing there, chosen from the rule's kind and limits: just past a bound (floats by one ulp), a
wrong JSON type, an unknown key, a missing key, both or neither of an exclusive pair, a bad name.
`breach(rule, path, value)` does the change, so the hypothesis strategy can reuse it with drawn values.

The model rejects every case with exactly one error, naming the case's rule at the case's path; the
official JSON Schema rejects it too unless the rule is prose-only (the tests check both).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterator, Mapping
from typing import Any

from runreplay.factories._case import (
    Case,
    HugeList,
    case_id,
    concrete,
    copy_json,
    fresh,
    locate,
    minimal,
    place,
    remove,
    value_at,
)
from runreplay.factories.edge import items_at_limit
from runreplay.models import RULES, Rule, rule

__all__ = ["MISTAKEN_KEYS", "MISTAKEN_VALUES", "breach", "catalog_values", "invalid_cases"]

MISTAKEN_KEYS: Mapping[str, tuple[str, Any]] = {
    "$": ("messages", [{"role": "user", "content": "Hi"}]),
    "$.thread": ("instructions", "Answer briefly."),
    "$.thread.messages[*]": ("file_ids", ["file-Rg7TnB2xQw5LmZ8vKc3PdJ"]),
    "$.thread.tool_resources.file_search.vector_stores[*].chunking_strategy.static": ("chunk_size", 800),
}
"""Unknown keys people really send: `messages` at the top level, the v1 `file_ids` on a message, ..."""

MISTAKEN_VALUES: Mapping[str, str] = {
    "$.thread.messages[*].role": "system",
    "$.tools[*].type": "retrieval",
    "$.tool_choice": "any",
    "$.tool_choice.type": "web_search",
    "$.response_format": "json",
    "$.response_format.type": "json",
    "$.truncation_strategy.type": "last_n",
    "$.thread.messages[*].content[*].type": "image",
    "$.thread.messages[*].attachments[*].tools[*].type": "function",
    "$.thread.messages[*].content[*].image_file.detail": "medium",
    "$.thread.messages[*].content[*].image_url.detail": "medium",
    "$.tools[*].file_search.ranking_options.ranker": "default",
    "$.thread.tool_resources.file_search.vector_stores[*].chunking_strategy.type": "fixed",
}
"""Enum values people really send: `role: system`, the v1 tool `retrieval`, `tool_choice: any`, ..."""

_FRACTION_OF = {str(entry.limits["of"]) for entry in RULES.values() if entry.kind == "max_fraction"}


def _anchor_value(pattern: str) -> Any:
    """The anchor's whole value at `pattern`: what wrong-typed values are made from."""
    return minimal(pattern, whole=True)


def _nullable(pattern: str) -> bool:
    """Whether some json_type rule lets the value at `pattern` be null."""
    return any(
        entry.kind == "json_type" and pattern in entry.paths and "null" in entry.limits["types"]
        for entry in RULES.values()
    )


def _is_integer(entry: Rule) -> bool:
    """Whether the rule's value must be a JSON integer."""
    type_rule = RULES.get(f"{entry.subject}.json_type")
    return type_rule is not None and "integer" in type_rule.limits["types"]


def _floor(entry: Rule) -> float:
    """The lowest value that breaks only `entry`: a chunk size below 0 would also break the overlap rule."""
    return 0 if entry.subject in _FRACTION_OF else -math.inf


def _wrong_types(entry: Rule, pattern: str) -> Iterator[tuple[str, Any]]:
    """A value of each JSON type the rule does not allow, made from the anchor's value."""
    allowed = set(entry.limits["types"])
    example = _anchor_value(pattern)
    integer_rule = allowed == {"integer"} or allowed == {"integer", "null"}
    # A fractional number inside the bounds, so that only the type is wrong.
    fraction = example + 0.5 if isinstance(example, int) and not isinstance(example, bool) else 0.5
    candidates: list[tuple[str, set[str], Any]] = [
        ("null", {"null"}, None),
        ("boolean", {"boolean"}, True),
        ("integer", {"integer", "number"}, 42),
        ("number", {"number"} | (set() if integer_rule else {"integer"}), fraction),
        ("string", {"string"}, json.dumps(example) if not isinstance(example, str) else "x"),
        ("array", {"array"}, [example] if not isinstance(example, list) else []),
        ("object", {"object"}, {"value": example} if not isinstance(example, dict) else {}),
    ]
    for name, types, value in candidates:
        if not types & allowed:
            yield name, value


def _too_many(entry: Rule, pattern: str) -> Any:
    """One item more than the limit (a HugeList for 100,000,001 file ids)."""
    limit = int(entry.limits["max_items"])
    if entry.id == "vector_store.file_ids.max_items":
        return HugeList(["file-Zt5YuI9oP2aS6dF1gH4jKl"], limit + 1)
    items = items_at_limit(entry, pattern)[1]
    extra = copy_json(items[-1])
    if isinstance(extra, str):
        extra = extra[:-4] + "ZZZZ"
    elif isinstance(extra, dict) and extra.get("type") == "function":
        extra["function"]["name"] = "one_tool_too_many"
    return [*items, extra]


def catalog_values(entry: Rule, pattern: str) -> list[tuple[str, Any]]:
    """The named ways the catalog breaks `entry` at `pattern`: (variant, value for `breach`)."""
    kind, limits = entry.kind, entry.limits
    found: list[tuple[str, Any]] = []
    if kind == "json_type":
        found.extend(_wrong_types(entry, pattern))
    elif kind == "value_type":
        found += [
            ("integer_value", {"retries": 3}),
            ("boolean_value", {"beta": True}),
            ("null_value", {"note": None}),
            ("object_value", {"nested": {"a": "b"}}),
        ]
    elif kind in ("required", "min_items"):
        found.append(("missing" if kind == "required" else "empty", None if kind == "required" else []))
    elif kind == "closed":
        found.append(("unknown_key", {"unknown_key": "unexpected"}))
        if pattern in MISTAKEN_KEYS:
            key, value = MISTAKEN_KEYS[pattern]
            found.append((f"mistaken_{key}", {key: value}))
        properties = limits["properties"]
        if isinstance(properties, Mapping):
            everything = {key for keys in properties.values() for key in keys}
            for variant, keys in properties.items():
                for key in sorted(everything - set(keys)):
                    found.append(
                        (f"{variant}_with_{key}", {"type": variant, key: _anchor_value(f"{pattern}.{key}")})
                    )
    elif kind == "enum":
        found.append(("unknown_value", MISTAKEN_VALUES.get(pattern, "unknown")))
        first = str(limits["enum"][0])
        if first.upper() != first:
            found.append(("wrong_case", first.upper()))
        if not _nullable(pattern):
            found.append(("null", None))
    elif kind in ("range", "minimum"):
        low: Any = limits["minimum"]
        high: Any = limits.get("maximum")
        if _is_integer(entry):
            found.append(("just_below_min", int(low) - 1))
            if int(low) - 1 > 0 and _floor(entry) <= 0:
                found.append(("zero", 0))
            if int(low) - 1 > -1 and _floor(entry) < 0:
                found.append(("negative", -1))
            if high is not None:
                found += [("just_above_max", int(high) + 1), ("far_above_max", int(high) * 10)]
        else:
            found += [("just_below_min", math.nextafter(float(low), -math.inf)), ("negative", -1.0)]
            found += [
                ("just_above_max", math.nextafter(float(high), math.inf)),
                ("far_above_max", float(high) * 50),
            ]
    elif kind == "max_items":
        found.append(("just_above_max", _too_many(entry, pattern)))
    elif kind == "max_properties":
        pairs = int(limits["max_properties"]) + 1
        found.append(("just_above_max", {f"key_{index:02d}": f"value {index}" for index in range(pairs)}))
    elif kind == "key_length":
        size = int(limits["max_length"]) + 1
        found += [("just_above_max", {"k" * size: "value"}), ("astral_above_max", {"𝔘" * size: "value"})]
    elif kind == "value_length":
        size = int(limits["max_length"]) + 1
        found += [("just_above_max", {"note": "v" * size}), ("astral_above_max", {"note": "🙂" * size})]
    elif kind == "pattern":
        too_long = (str(limits["alphabet"]) * 2)[: int(limits["max_length"]) + 1]
        found += [
            ("empty", ""),
            ("too_long", too_long),
            ("space", "get weather"),
            ("dot", "weather.get"),
            ("trailing_newline", "get_weather\n"),
            ("non_ascii", "météo_du_jour"),
        ]
    elif kind == "exactly_one":
        first, second = limits["one_of"]
        both = {first: _anchor_value(f"{pattern}.{first}"), second: _anchor_value(f"{pattern}.{second}")}
        found += [("neither", {}), ("both", both)]
    elif kind == "required_if":
        found.append(("condition_without_required", dict(limits["if"])))
    elif kind == "required_keys":
        found += [(f"missing_{key}", key) for key in limits["required"]]
    elif kind == "max_fraction":
        fraction = float(limits["fraction"])
        found += [
            ("just_above_fraction", (800, math.floor(800 * fraction) + 1)),
            ("equal_to_whole", (800, 800)),
            ("odd_whole_just_above_fraction", (4095, math.floor(4095 * fraction) + 1)),
        ]
    else:  # pragma: no cover - every kind is handled above
        raise AssertionError(f"no invalid values for rule kind {kind!r}")
    return found


def breach(entry: Rule, pattern: str, value: Any) -> tuple[Any, str]:
    """The smallest body that breaks `entry` at `pattern` with `value`, and the path of the breach.

    `value` means what the rule's kind needs: the offending value (types, bounds, enums, names,
    metadata, arrays), keys to merge in (closed), the object to put there (exactly_one, required_if),
    the key to drop (required_keys), a (whole, part) pair (max_fraction), nothing (required).
    """
    kind = entry.kind
    if kind == "required":
        return remove(pattern)
    if kind in ("exactly_one", "required_if"):
        return place(pattern, copy_json(value))
    body, keys = locate(pattern)
    if kind == "closed":
        value_at(body, keys).update(copy_json(value))
    elif kind == "required_keys":
        del value_at(body, keys)[value]
    elif kind == "max_fraction":
        whole, part = value
        value_at(body, keys[:-1]).update({entry.limits["of"]: whole, entry.limits["field"]: part})
    else:
        if not keys:
            return copy_json(value), "$"
        value_at(body, keys[:-1])[keys[-1]] = copy_json(value)
        if kind in ("range", "minimum") and entry.subject in _FRACTION_OF:
            value_at(body, keys[:-1])[rule("chunking.overlap_half").limits["field"]] = 0
    return body, concrete(keys)


@functools.cache
def _catalog() -> tuple[Case, ...]:
    """Every invalid case, built once per process (shared: copy a body before changing it)."""
    cases: list[Case] = []
    for entry in RULES.values():
        for pattern in entry.paths:
            for variant, value in catalog_values(entry, pattern):
                body, path = breach(entry, pattern, value)
                cases.append(Case(case_id(entry, pattern, variant), body, entry.id, False, path))
    if len({case.id for case in cases}) != len(cases):  # pragma: no cover - guarded by the tests
        raise RuntimeError("duplicate invalid case ids")
    return tuple(cases)


def invalid_cases() -> list[Case]:
    """Every invalid case: each body breaks exactly one rule of the registry, at `case.path`.

    Fresh copies, the same order every call: the list `runreplay.factories.invalid_cases()` gives. One
    body holds a `HugeList` (100,000,001 file ids that are not there): do not send bodies anywhere,
    they are for validators.
    """
    return fresh(_catalog())
