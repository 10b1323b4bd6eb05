"""The request models against the official JSON Schema (jsonschema, draft 2020-12).

* Every rule in the registry, at every path it names, is broken once by a body derived from the rule's
  own kind and limits (as the factories will do): the model rejects it with exactly one error that
  names the rule at that path, and the schema rejects it too unless the rule is prose-only.
* Every rule with a limit is tried exactly at the limit (accepted by model and schema) and just beyond
  it (rejected; floats use the nearest representable value, `math.nextafter`).
* A hypothesis property: on rich bodies (valid ones, and valid ones with random mutations) the model
  accepts exactly what the schema plus the prose rules accepts, is never looser than the schema,
  is stricter only through prose rules, names a registered rule for every error, and round-trips
  every body it accepts.

The prose rules are added to the schema from their `Rule.json_schema` fragments; `chunking.overlap_half`
(a comparison between two keys) cannot be written in JSON Schema and is checked by hand.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from runreplay.models import (
    ASSISTANT_MODELS,
    RULES,
    CreateThreadAndRunRequest,
    Rule,
    path_pattern,
    rule_ids_for,
)

REFERENCE = Path(__file__).resolve().parent / "data" / "reference"
SCHEMA: dict[str, Any] = json.loads((REFERENCE / "create_thread_and_run_request.schema.json").read_text())

Keys = tuple[int | str, ...]

# --- two anchor bodies that together reach every path of the registry -----------------------------

FULL: dict[str, Any] = {
    "assistant_id": "asst_abc123",
    "thread": {
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "image_file", "image_file": {"file_id": "file-img", "detail": "low"}},
                    {
                        "type": "image_url",
                        "image_url": {"url": "https://example.com/a.png", "detail": "high"},
                    },
                    {"type": "text", "text": "What is in these images?"},
                ],
                "attachments": [
                    {"file_id": "file-doc", "tools": [{"type": "code_interpreter"}, {"type": "file_search"}]}
                ],
                "metadata": {"topic": "images"},
            }
        ],
        "tool_resources": {
            "code_interpreter": {"file_ids": ["file-1"]},
            "file_search": {
                "vector_stores": [
                    {
                        "file_ids": ["file-2"],
                        "chunking_strategy": {
                            "type": "static",
                            "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400},
                        },
                        "metadata": {"store": "docs"},
                    }
                ]
            },
        },
        "metadata": {"thread": "t1"},
    },
    "model": "gpt-4o",
    "instructions": "Answer briefly.",
    "tools": [
        {"type": "code_interpreter"},
        {
            "type": "file_search",
            "file_search": {
                "max_num_results": 10,
                "ranking_options": {"ranker": "auto", "score_threshold": 0.5},
            },
        },
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "description": "The weather in a city.",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
                "strict": True,
            },
        },
    ],
    "tool_resources": {
        "code_interpreter": {"file_ids": ["file-3"]},
        "file_search": {"vector_store_ids": ["vs_1"]},
    },
    "metadata": {"run": "r1"},
    "temperature": 1,
    "top_p": 0.9,
    "stream": False,
    "max_prompt_tokens": 1000,
    "max_completion_tokens": 1000,
    "truncation_strategy": {"type": "last_messages", "last_messages": 5},
    "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
    "parallel_tool_calls": True,
    "response_format": {
        "type": "json_schema",
        "json_schema": {
            "name": "answer",
            "description": "The answer.",
            "schema": {"type": "object"},
            "strict": True,
        },
    },
}

ALT: dict[str, Any] = {
    "assistant_id": "asst_abc123",
    "thread": {
        "messages": [{"role": "assistant", "content": "Hello"}],
        "tool_resources": {"file_search": {"vector_store_ids": ["vs_2"]}},
    },
    "tool_choice": "auto",
    "response_format": "auto",
}

ANCHORS = (FULL, ALT)

# --- walking bodies by path -----------------------------------------------------------------------

_TOKEN = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[\*\]")


def tokens(pattern: str) -> list[str | None]:
    """`$.a[*].b` -> ["a", None, "b"] (None stands for any array index)."""
    assert pattern.startswith("$")
    found = [match.group(1) for match in _TOKEN.finditer(pattern)]
    assert "".join(f".{t}" if t else "[*]" for t in found) == pattern[1:], pattern
    return found


def find(value: Any, parts: list[str | None], prefix: Keys = ()) -> Iterator[Keys]:
    """Every concrete key path in `value` that matches the pattern parts."""
    if not parts:
        yield prefix
        return
    head, rest = parts[0], parts[1:]
    if head is None and isinstance(value, list):
        for index, item in enumerate(value):
            yield from find(item, rest, (*prefix, index))
    elif isinstance(head, str) and isinstance(value, dict) and head in value:
        yield from find(value[head], rest, (*prefix, head))


def locate(pattern: str) -> tuple[dict[str, Any], Keys]:
    """A deep copy of the first anchor holding `pattern`, and the concrete keys of its first instance."""
    for anchor in ANCHORS:
        for keys in find(anchor, tokens(pattern)):
            return copy.deepcopy(anchor), keys
    raise AssertionError(f"no anchor body reaches {pattern}")


def get(body: Any, keys: Keys) -> Any:
    for key in keys:
        body = body[key]
    return body


def put(body: Any, keys: Keys, value: Any) -> Any:
    """`body` with the value at `keys` replaced (the root itself when keys is empty)."""
    if not keys:
        return value
    get(body, keys[:-1])[keys[-1]] = value
    return body


def drop(body: Any, keys: Keys) -> Any:
    del get(body, keys[:-1])[keys[-1]]
    return body


def concrete(keys: Keys) -> str:
    return "$" + "".join(f"[{key}]" if isinstance(key, int) else f".{key}" for key in keys)


# --- the schema, and the schema plus the prose rules ----------------------------------------------


def _descend(schema: dict[str, Any], node: Any, token: str | None) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
    if token is None and isinstance(node, dict) and "items" in node:
        return node["items"]
    if token is not None and isinstance(node, dict) and token in node.get("properties", {}):
        return node["properties"][token]
    for branch in node.get("anyOf", []) + node.get("oneOf", []):
        found = _descend(schema, branch, token)
        if found is not None:
            return found
    return None


def _python_regex(fragment: Any) -> Any:
    """ECMA-262 `$` is end of string; Python's `$` also matches before a final newline: use `\\Z`."""
    if isinstance(fragment, dict):
        return {
            key: (re.sub(r"\$$", r"\\Z", value) if key == "pattern" else _python_regex(value))
            for key, value in fragment.items()
        }
    if isinstance(fragment, list | tuple):
        return [_python_regex(item) for item in fragment]
    return fragment


def with_prose_rules() -> dict[str, Any]:
    """The reference schema with every prose rule that JSON Schema can express added at its paths."""
    schema = copy.deepcopy(SCHEMA)
    for entry in RULES.values():
        if entry.origin != "prose" or entry.json_schema is None:
            continue
        fragment = _python_regex(json.loads(json.dumps(entry.json_schema, default=dict)))
        for path in entry.paths:
            node: Any = schema["$defs"]["CreateThreadAndRunRequest"]
            for token in tokens(path):
                node = _descend(schema, node, token)
                assert node is not None, path
            node.setdefault("allOf", []).append(fragment)
    return schema


STRICT = Draft202012Validator(SCHEMA)
PROSE = Draft202012Validator(with_prose_rules())


def overlap_ok(body: Any) -> bool:
    """chunking.overlap_half, checked by hand wherever both numbers are valid JSON numbers."""
    for keys in find(
        body, tokens("$.thread.tool_resources.file_search.vector_stores[*].chunking_strategy.static")
    ):
        static = get(body, keys)
        if not isinstance(static, dict):
            continue
        size, overlap = static.get("max_chunk_size_tokens"), static.get("chunk_overlap_tokens")
        numbers = all(isinstance(n, int | float) and not isinstance(n, bool) for n in (size, overlap))
        if numbers and overlap * 2 > size:
            return False
    return True


def same_json(left: Any, right: Any) -> bool:
    """Equal as JSON text (so 1 and 1.0, or True and 1, differ)."""
    return json.dumps(left, sort_keys=True) == json.dumps(right, sort_keys=True)


def model_errors(body: Any) -> list[tuple[str, str]] | None:
    """None if the model accepts the body, else the (rule id, JSON path) of every error."""
    try:
        CreateThreadAndRunRequest.model_validate(body)
    except ValidationError as error:
        return [(hit.rule, hit.path) for hit in rule_ids_for(error)]
    return None


def test_anchors_are_valid_everywhere() -> None:
    for anchor in ANCHORS:
        assert STRICT.is_valid(anchor)
        assert PROSE.is_valid(anchor)
        request = CreateThreadAndRunRequest.model_validate(anchor)
        assert same_json(request.model_dump(mode="json", exclude_unset=True), anchor)


def test_prose_schema_rejects_what_the_prose_rules_forbid() -> None:
    assert not PROSE.is_valid({"assistant_id": "a", "metadata": {f"k{i}": "v" for i in range(17)}})
    assert not PROSE.is_valid({"assistant_id": "a", "tool_choice": {"type": "function"}})
    assert not PROSE.is_valid(
        {"assistant_id": "a", "tools": [{"type": "function", "function": {"name": "a\n"}}]}
    )
    assert PROSE.is_valid({"assistant_id": "a", "tool_choice": {"type": "file_search"}})


# --- one broken body per rule and path ------------------------------------------------------------


class LongList(list[Any]):
    """A list that reports a huge length, to reach the 100,000,000-item limit without building it."""

    def __init__(self, items: list[Any], length: int) -> None:
        super().__init__(items)
        self.length = length

    def __len__(self) -> int:
        return self.length


def _json_types(value: Any) -> set[str]:
    if value is None:
        return {"null"}
    if isinstance(value, bool):
        return {"boolean"}
    if isinstance(value, int):
        return {"integer", "number"}
    if isinstance(value, float):
        return {"integer", "number"} if value.is_integer() else {"number"}
    if isinstance(value, str):
        return {"string"}
    return {"array"} if isinstance(value, list) else {"object"}


def _integer_rule(entry: Rule) -> bool:
    type_rule = RULES.get(f"{entry.subject}.json_type")
    return type_rule is not None and "integer" in type_rule.limits["types"]


def _beyond(entry: Rule, limit: float, direction: float) -> float:
    return limit + direction if _integer_rule(entry) else math.nextafter(limit, direction * math.inf)


def _fix_siblings(entry: Rule, body: Any, keys: Keys) -> None:
    """Keep a chunk size test from tripping the overlap rule."""
    if entry.id == "max_chunk_size_tokens.range":
        get(body, keys[:-1])["chunk_overlap_tokens"] = 0


def breaking_bodies(entry: Rule, pattern: str) -> Iterator[tuple[str, Any, str]]:
    """(case id, body, JSON path of the expected error) for every way this rule is broken here."""
    body, keys = locate(pattern)
    where = concrete(keys)
    limits = entry.limits

    def case(name: str, value: Any, path: str = where) -> tuple[str, Any, str]:
        fresh = copy.deepcopy(body)
        _fix_siblings(entry, fresh, keys)
        return name, put(fresh, keys, value), path

    if entry.kind == "json_type":
        for wrong in (None, 5, 2.5, "x", True, [], {}):
            if not _json_types(wrong) & set(limits["types"]):
                yield case(f"{type(wrong).__name__}", wrong)
    elif entry.kind == "value_type":
        yield case("number-value", {"k": 5})
    elif entry.kind == "required":
        yield "missing", drop(body, keys), where
    elif entry.kind == "closed":
        yield case("unknown-key", {**get(body, keys), "unexpected_key": 1})
    elif entry.kind == "enum":
        yield case("bogus", "bogus")
        if pattern not in ("$.tool_choice", "$.response_format"):
            yield case("null", None)
    elif entry.kind in ("range", "minimum"):
        yield case("below", _beyond(entry, limits["minimum"], -1))
        if "maximum" in limits:
            yield case("above", _beyond(entry, limits["maximum"], +1))
    elif entry.kind == "max_items":
        items = get(body, keys)
        if limits["max_items"] > 1000:
            yield case("too-many", LongList(items, limits["max_items"] + 1))
        else:
            yield case("too-many", items[:1] * (limits["max_items"] + 1))
    elif entry.kind == "min_items":
        yield case("empty", [])
    elif entry.kind == "max_properties":
        yield case("too-many", {f"k{i}": "v" for i in range(limits["max_properties"] + 1)})
    elif entry.kind == "key_length":
        yield case("long-key", {"k" * (limits["max_length"] + 1): "v"})
    elif entry.kind == "value_length":
        yield case("long-value", {"k": "v" * (limits["max_length"] + 1)})
    elif entry.kind == "pattern":
        for name, wrong in (
            ("space", "get weather"),
            ("empty", ""),
            ("long", "a" * (limits["max_length"] + 1)),
            ("newline", "name\n"),
            ("dot", "a.b"),
        ):
            yield case(name, wrong)
    elif entry.kind == "exactly_one":
        yield case("neither", {})
        yield case("both", {"vector_store_ids": ["vs_1"], "vector_stores": [{}]})
    elif entry.kind == "required_if":
        current = get(body, keys)
        kept = {k: v for k, v in current.items() if k not in limits["required"]}
        yield case("condition-without-key", {**kept, **limits["if"]})
    elif entry.kind == "required_keys":
        for key in limits["required"]:
            yield f"no-{key}", drop(copy.deepcopy(body), (*keys, key)), where
    elif entry.kind == "max_fraction":
        parent = get(body, keys[:-1])
        whole = parent[limits["of"]]
        yield case("over-half", math.floor(whole * limits["fraction"]) + 1)
    else:  # pragma: no cover - every kind is handled above
        raise AssertionError(entry.kind)


BREAKING = [
    pytest.param(entry, body, path, id=f"{entry.id}@{pattern}:{name}")
    for entry in RULES.values()
    for pattern in entry.paths
    for name, body, path in breaking_bodies(entry, pattern)
]


def test_every_rule_and_path_has_a_breaking_body() -> None:
    covered = {param.values[0].id for param in BREAKING}
    assert covered == set(RULES)


@pytest.mark.parametrize(("entry", "body", "path"), BREAKING)
def test_breaking_a_rule_is_reported_as_that_rule(entry: Rule, body: Any, path: str) -> None:
    assert model_errors(body) == [(entry.id, path)]
    assert path_pattern(path) in entry.paths
    if any(isinstance(value, LongList) for value in _walk_values(body)):
        return  # jsonschema would index all 100,000,001 items; tests/models/test_rules.py checks the bound itself
    if entry.origin == "schema":
        assert not STRICT.is_valid(body)
    else:
        assert STRICT.is_valid(body), "a prose rule is not in the schema"
        assert PROSE.is_valid(body) is (entry.id == "chunking.overlap_half")
        assert overlap_ok(body) is (entry.id != "chunking.overlap_half")


def _walk_values(value: Any) -> Iterator[Any]:
    yield value
    if isinstance(value, dict):
        for item in value.values():
            yield from _walk_values(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk_values(item)


# --- at the limit and just beyond it --------------------------------------------------------------


def limit_bodies(entry: Rule, pattern: str) -> Iterator[tuple[str, Any, bool]]:
    """(case id, body, valid?) at and around the limits of one rule at one path."""
    body, keys = locate(pattern)
    limits = entry.limits

    def case(name: str, value: Any, valid: bool) -> tuple[str, Any, bool]:
        fresh = copy.deepcopy(body)
        _fix_siblings(entry, fresh, keys)
        return name, put(fresh, keys, value), valid

    if entry.kind in ("range", "minimum"):
        bounds = [("min", limits["minimum"], -1)]
        if "maximum" in limits:
            bounds.append(("max", limits["maximum"], +1))
        for name, limit, direction in bounds:
            yield case(f"{name}-int", int(limit), True)
            yield case(f"{name}-float", float(limit), True)
            yield case(f"{name}-beyond", _beyond(entry, limit, direction), False)
            if not _integer_rule(entry):
                yield case(f"{name}-inside", math.nextafter(limit, -direction * math.inf), True)
    elif entry.kind == "max_items":
        items = get(body, keys)
        if limits["max_items"] > 1000:
            yield case("at", LongList(items, limits["max_items"]), True)
            yield case("beyond", LongList(items, limits["max_items"] + 1), False)
        else:
            yield case("at", items[:1] * limits["max_items"], True)
            yield case("beyond", items[:1] * (limits["max_items"] + 1), False)
    elif entry.kind == "min_items":
        yield case("at", get(body, keys)[: limits["min_items"]], True)
        yield case("beyond", [], False)
    elif entry.kind == "max_properties":
        yield case("at", {f"k{i}": "v" for i in range(limits["max_properties"])}, True)
        yield case("beyond", {f"k{i}": "v" for i in range(limits["max_properties"] + 1)}, False)
    elif entry.kind == "key_length":
        yield case("at", {"k" * limits["max_length"]: "v", "é" * limits["max_length"]: "v"}, True)
        yield case("beyond", {"k" * (limits["max_length"] + 1): "v"}, False)
    elif entry.kind == "value_length":
        yield case("at", {"k": "v" * limits["max_length"], "e": "é" * limits["max_length"]}, True)
        yield case("beyond", {"k": "v" * (limits["max_length"] + 1)}, False)
    elif entry.kind == "pattern":
        alphabet = limits["alphabet"]
        yield case("at-max", alphabet[: limits["max_length"]], True)
        yield case("at-min", alphabet[-1] * limits["min_length"], True)
        yield case("beyond-max", alphabet[: limits["max_length"]] + "a", False)
        yield case("beyond-min", "", False)
    elif entry.kind == "max_fraction":
        parent_keys, field = keys[:-1], keys[-1]
        for whole in (800, 801, 100, 4096):
            at = math.floor(whole * limits["fraction"])
            for part, valid in ((at, True), (at + 1, False)):
                fresh = copy.deepcopy(body)
                put(fresh, parent_keys, {limits["of"]: whole, field: part})
                yield f"{whole}-{part}", fresh, valid
        fresh = copy.deepcopy(body)
        put(fresh, parent_keys, {limits["of"]: 800, field: -1})
        yield "negative", fresh, True  # the schema sets no lower bound on the overlap


LIMITS = [
    pytest.param(entry, body, valid, id=f"{entry.id}@{pattern}:{name}")
    for entry in RULES.values()
    for pattern in entry.paths
    for name, body, valid in limit_bodies(entry, pattern)
]


def test_every_rule_with_a_limit_has_limit_cases() -> None:
    with_limits = {
        entry.id
        for entry in RULES.values()
        if entry.kind
        in (
            "range",
            "minimum",
            "max_items",
            "min_items",
            "max_properties",
            "key_length",
            "value_length",
            "pattern",
        )
        or entry.kind == "max_fraction"
    }
    assert {param.values[0].id for param in LIMITS} == with_limits


@pytest.mark.parametrize(("entry", "body", "valid"), LIMITS)
def test_limits_are_exact(entry: Rule, body: Any, valid: bool) -> None:
    errors = model_errors(body)
    if valid:
        assert errors is None
        dumped = CreateThreadAndRunRequest.model_validate(body).model_dump(mode="json", exclude_unset=True)
        if not any(isinstance(value, LongList) for value in _walk_values(body)):
            assert same_json(dumped, body)
    else:
        assert errors is not None
        assert [rule_id for rule_id, _ in errors] == [entry.id]
    if any(isinstance(value, LongList) for value in _walk_values(body)):
        return
    if entry.origin == "schema":
        assert STRICT.is_valid(body) is valid
    else:
        assert STRICT.is_valid(body)
        assert (PROSE.is_valid(body) and overlap_ok(body)) is valid


# --- the property: model == schema + prose rules ---------------------------------------------------

FIELD_KEYS = st.one_of(
    st.text(max_size=8),
    st.sampled_from(["schema_", "function", "file_search", "static", "vector_stores", "index", "type_"]),
)
JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)
TEXT = st.text(max_size=12)
NAMES = st.from_regex(r"[a-zA-Z0-9_-]{1,64}", fullmatch=True)


@st.composite
def open_object(
    draw: st.DrawFn,
    required: dict[str, st.SearchStrategy[Any]],
    optional: dict[str, st.SearchStrategy[Any]],
    reserved_extra: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """An object of the schema's open kind: its keys plus, sometimes, unknown keys with any values.

    `reserved_extra` names keys that must not appear as "unknown" extras (a sibling branch's key).
    """
    body = draw(st.fixed_dictionaries(required, optional=optional))
    reserved = set(required) | set(optional) | reserved_extra
    extras = draw(
        st.dictionaries(FIELD_KEYS.filter(lambda key: key not in reserved), JSON_VALUES, max_size=2)
    )
    return {**extras, **body} if draw(st.integers(0, 3)) == 0 else body


METADATA = st.dictionaries(
    st.text(max_size=6) | st.sampled_from(["k" * 64, "é" * 63 + "k", "ключ" * 16]),
    st.text(max_size=6) | st.sampled_from(["v" * 512, "é" * 512]),
    max_size=16,
)


def integers(low: int, high: int | None = None) -> st.SearchStrategy[int | float]:
    """JSON integers, sometimes written as integral floats (256.0), which JSON Schema also accepts."""
    ints = st.integers(min_value=low, max_value=high)
    return ints | ints.map(float)


def numbers(low: float, high: float) -> st.SearchStrategy[int | float]:
    return st.floats(min_value=low, max_value=high) | st.integers(min_value=int(low), max_value=int(high))


@st.composite
def static_chunking(draw: st.DrawFn) -> dict[str, Any]:
    size = draw(st.integers(100, 4096))
    overlap = draw(st.integers(-3, size // 2) | st.just(size // 2))
    return {
        "type": "static",
        "static": {
            "max_chunk_size_tokens": draw(st.just(size) | st.just(float(size))),
            "chunk_overlap_tokens": overlap,
        },
    }


def valid_bodies(*, rich: bool) -> st.SearchStrategy[dict[str, Any]]:
    """Valid bodies; `rich` ones have every optional key and at least one item in every array."""

    def obj(
        required: dict[str, st.SearchStrategy[Any]],
        optional: dict[str, st.SearchStrategy[Any]] | None = None,
        *,
        closed: bool = False,
    ) -> st.SearchStrategy[dict[str, Any]]:
        optional = optional or {}
        if rich:
            required, optional = {**required, **optional}, {}
        if closed:
            return st.fixed_dictionaries(required, optional=optional)
        return open_object(required, optional)

    def lists(
        items: st.SearchStrategy[Any], max_size: int, min_size: int = 0
    ) -> st.SearchStrategy[list[Any]]:
        return st.lists(items, min_size=max(min_size, 1 if rich else 0), max_size=max_size)

    def nullable(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return values if rich else st.none() | values

    code = obj({"type": st.just("code_interpreter")})
    file_search_type_only = obj({"type": st.just("file_search")})
    ranking = obj(
        {"score_threshold": numbers(0, 1)}, {"ranker": st.sampled_from(["auto", "default_2024_08_21"])}
    )
    file_search = obj(
        {"type": st.just("file_search")},
        {"file_search": obj({}, {"max_num_results": integers(1, 50), "ranking_options": ranking})},
    )
    function = obj(
        {
            "type": st.just("function"),
            "function": obj(
                {"name": NAMES},
                {
                    "description": TEXT,
                    "parameters": st.dictionaries(TEXT, JSON_VALUES, max_size=3),
                    "strict": st.none() | st.booleans(),
                },
            ),
        }
    )
    tools = nullable(
        lists(function | file_search | code, max_size=4) | st.just([{"type": "code_interpreter"}] * 20)
    )
    detail = st.sampled_from(["auto", "low", "high"])
    part = st.one_of(
        obj({"type": st.just("image_file"), "image_file": obj({"file_id": TEXT}, {"detail": detail})}),
        obj({"type": st.just("image_url"), "image_url": obj({"url": TEXT}, {"detail": detail})}),
        obj({"type": st.just("text"), "text": TEXT}),
    )
    attachment = obj({"file_id": TEXT, "tools": lists(code | file_search_type_only, max_size=2)})
    message = obj(
        {
            "role": st.sampled_from(["user", "assistant"]),
            "content": lists(part, min_size=1, max_size=3) | TEXT,
        },
        {"attachments": nullable(lists(attachment, max_size=2)), "metadata": nullable(METADATA)},
        closed=True,
    )
    vector_store = obj(
        {},
        {
            "file_ids": lists(TEXT, max_size=3),
            "chunking_strategy": static_chunking() | st.just({"type": "auto"}),
            "metadata": nullable(METADATA),
        },
    )
    code_resources = obj({}, {"file_ids": lists(TEXT, max_size=20)})
    thread_resources = nullable(
        obj(
            {},
            {
                "code_interpreter": code_resources,
                "file_search": open_object(
                    {"vector_stores": lists(vector_store, max_size=1)}, {}, frozenset({"vector_store_ids"})
                )
                | open_object(
                    {"vector_store_ids": lists(TEXT, max_size=1)}, {}, frozenset({"vector_stores"})
                ),
            },
        )
    )
    run_resources = nullable(
        obj(
            {},
            {
                "code_interpreter": code_resources,
                "file_search": obj({}, {"vector_store_ids": lists(TEXT, 1)}),
            },
        )
    )
    thread = obj(
        {},
        {
            "messages": lists(message, max_size=3),
            "tool_resources": thread_resources,
            "metadata": nullable(METADATA),
        },
        closed=True,
    )
    tool_choice = st.one_of(
        obj({"type": st.just("function"), "function": obj({"name": TEXT})}),
        obj(
            {"type": st.sampled_from(["code_interpreter", "file_search"])}, {"function": obj({"name": TEXT})}
        ),
        st.sampled_from(["none", "auto", "required"]),
        st.none(),
    )
    response_format = st.one_of(
        obj(
            {
                "type": st.just("json_schema"),
                "json_schema": obj(
                    {"name": NAMES},
                    {
                        "description": TEXT,
                        "schema": st.dictionaries(TEXT, JSON_VALUES, max_size=3),
                        "strict": st.none() | st.booleans(),
                    },
                ),
            }
        ),
        obj({"type": st.sampled_from(["text", "json_object"])}),
        st.just("auto"),
        st.none(),
    )
    return obj(
        {"assistant_id": TEXT},
        {
            "thread": thread,
            "model": nullable(TEXT | st.sampled_from(ASSISTANT_MODELS)),
            "instructions": nullable(TEXT),
            "tools": tools,
            "tool_resources": run_resources,
            "metadata": nullable(METADATA),
            "temperature": nullable(numbers(0, 2)),
            "top_p": nullable(numbers(0, 1)),
            "stream": nullable(st.booleans()),
            "max_prompt_tokens": nullable(integers(256, 10**9)),
            "max_completion_tokens": nullable(integers(256, 10**9)),
            "truncation_strategy": nullable(
                obj(
                    {"type": st.sampled_from(["auto", "last_messages"])},
                    {"last_messages": nullable(integers(1, 100))},
                )
            ),
            "tool_choice": tool_choice,
            "parallel_tool_calls": st.booleans(),
            "response_format": response_format,
        },
        closed=True,
    )


RICH_BODIES = valid_bodies(rich=True)
SPARSE_BODIES = valid_bodies(rich=False)
VALID_BODIES = RICH_BODIES | SPARSE_BODIES

EDGE_VALUES = st.sampled_from(
    [  # copied on every draw: the mutations below change containers in place
        None,
        True,
        False,
        0,
        1,
        -1,
        2,
        0.5,
        2.5,
        50,
        51,
        99,
        100,
        255,
        256,
        256.0,
        4096,
        4097,
        -5e-324,
        1.0000000000000002,
        2.0000000000000004,
        1e300,
        "",
        "x",
        "auto",
        "function",
        "file_search",
        "text",
        "static",
        "get weather",
        "name\n",
        "a" * 64,
        "a" * 65,
        [],
        [{}],
        {},
        {"type": "function"},
        {"type": "auto"},
        {"type": "code_interpreter"},
        {"name": "f"},
    ]
).map(copy.deepcopy)


def all_keys(value: Any, prefix: Keys = ()) -> Iterator[Keys]:
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from all_keys(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from all_keys(item, (*prefix, index))


def near_limits(entry: Rule, current: Any, sibling: Any) -> list[Any]:
    """Values at, inside and just beyond one rule's limits, for the value the rule is about."""
    limits = entry.limits
    if entry.kind == "json_type":
        return [None, 5, 2.5, "x", True, [], {}]
    if entry.kind == "value_type":
        return [{"k": 5}, {"k": "5"}]
    if entry.kind in ("range", "minimum"):
        values: list[Any] = []
        for limit, direction in ((limits["minimum"], -1), (limits.get("maximum"), +1)):
            if limit is not None:
                values += [
                    limit,
                    float(limit),
                    _beyond(entry, limit, direction),
                    _beyond(entry, limit, -direction),
                ]
        return values
    if entry.kind == "max_items" and isinstance(current, list) and current and limits["max_items"] <= 1000:
        return [current[:1] * limits["max_items"], current[:1] * (limits["max_items"] + 1)]
    if entry.kind == "min_items":
        return [[], current]
    if entry.kind == "max_properties":
        return [{f"k{i}": "v" for i in range(count)} for count in (16, 17)]
    if entry.kind in ("key_length", "value_length"):
        size = limits["max_length"]
        if entry.kind == "key_length":
            return [{"k" * size: "v"}, {"k" * (size + 1): "v"}]
        return [{"k": "v" * size}, {"k": "v" * (size + 1)}]
    if entry.kind == "pattern":
        alphabet = limits["alphabet"]
        return [alphabet[:64], alphabet[:64] + "a", "", "get weather", "name\n", "-"]
    if entry.kind == "enum":
        return [*limits["enum"], "bogus", None]
    if entry.kind == "exactly_one":
        return [{}, {"vector_store_ids": [], "vector_stores": []}, {"vector_store_ids": ["vs"]}]
    if entry.kind == "required_if":
        return [dict(limits["if"]), {**limits["if"], "function": {"name": "f"}}]
    if entry.kind == "required_keys" and isinstance(current, dict):
        return [{k: v for k, v in current.items() if k != key} for key in limits["required"]]
    if entry.kind == "max_fraction" and isinstance(sibling, int | float) and not isinstance(sibling, bool):
        half = math.floor(sibling * limits["fraction"])
        return [half, half + 1, float(half), -1]
    return [current]


@st.composite
def bodies(draw: st.DrawFn) -> Any:
    """A valid body, or a valid body with up to three mutations: at rule limits, or anywhere at random."""
    rich = draw(st.integers(0, 3)) > 0
    body = copy.deepcopy(draw(RICH_BODIES if rich else SPARSE_BODIES))  # st.just values are shared
    for _ in range(draw(st.integers(0, 3))):
        if draw(st.booleans()):  # pick a rule that applies somewhere in the body and go to its limits
            present = [
                (entry, pattern)
                for entry in RULES.values()
                for pattern in entry.paths
                if next(find(body, tokens(pattern)), None) is not None
            ]
            entry, pattern = draw(st.sampled_from(present))
            keys = draw(st.sampled_from(list(find(body, tokens(pattern)))))
            current = get(body, keys)
            if entry.kind == "required" and keys:
                drop(body, keys)
            elif entry.kind == "closed" and isinstance(current, dict):
                current[draw(FIELD_KEYS)] = draw(EDGE_VALUES | JSON_VALUES)
            else:
                parent = get(body, keys[:-1]) if keys else None
                of = entry.limits.get("of")
                sibling = parent.get(of) if isinstance(parent, dict) and isinstance(of, str) else None
                body = put(
                    body, keys, copy.deepcopy(draw(st.sampled_from(near_limits(entry, current, sibling))))
                )
            continue
        keys = draw(st.sampled_from(list(all_keys(body))[1:] or [()]))
        current = get(body, keys) if keys else body
        operation = draw(
            st.sampled_from(["replace", "replace", "delete", "add", "grow", "nudge", "stretch", "rename"])
        )
        if operation == "replace" or (operation == "delete" and not keys):
            body = put(body, keys, draw(EDGE_VALUES | JSON_VALUES))
        elif operation == "delete" and isinstance(get(body, keys[:-1]), dict):
            drop(body, keys)
        elif operation == "add" and isinstance(current, dict):
            current[draw(FIELD_KEYS)] = draw(EDGE_VALUES | JSON_VALUES)
        elif operation == "grow" and isinstance(current, list):
            filler = current[:1] or [draw(EDGE_VALUES)]
            size = draw(st.integers(len(current) + 1, 21))
            body = put(body, keys, [copy.deepcopy(filler[0]) for _ in range(size)])
        elif operation == "grow" and isinstance(current, dict):
            body = put(body, keys, {**current, **{f"g{i}": "v" for i in range(draw(st.integers(1, 17)))}})
        elif operation == "nudge" and isinstance(current, int | float) and not isinstance(current, bool):
            direction = draw(st.sampled_from([-1.0, 1.0]))
            step = draw(st.sampled_from(["next", "one"]))
            body = put(
                body,
                keys,
                math.nextafter(current, direction * math.inf) if step == "next" else current + direction,
            )
        elif operation == "rename" and isinstance(current, dict) and current:
            old = draw(st.sampled_from(sorted(current)))
            current[draw(st.sampled_from([old * 70, (old or "k") * 65, old + "_"]))] = current.pop(old)
        elif operation == "stretch" and isinstance(current, str):
            body = put(
                body, keys, draw(st.sampled_from([current * 70, (current or "a") * 600, current + " ", ""]))
            )
    return body


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(body=bodies())
def test_model_is_the_schema_plus_the_prose_rules(body: Any) -> None:
    errors = model_errors(body)  # raises LookupError if some error names no rule
    schema_ok = STRICT.is_valid(body)
    prose_ok = PROSE.is_valid(body) and overlap_ok(body)
    assert (errors is None) is prose_ok, errors
    if errors is None:
        assert schema_ok, "the model accepted a body the schema rejects"
        dumped = CreateThreadAndRunRequest.model_validate(body).model_dump(mode="json", exclude_unset=True)
        assert same_json(dumped, body)
    else:
        for rule_id, path in errors:
            assert path_pattern(path) in RULES[rule_id].paths, (rule_id, path)
        if schema_ok:
            assert all(RULES[rule_id].origin == "prose" for rule_id, _ in errors), errors


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=VALID_BODIES)
def test_valid_bodies_round_trip(body: Any) -> None:
    assert overlap_ok(body)
    assert PROSE.is_valid(body)
    assert STRICT.is_valid(body)
    request = CreateThreadAndRunRequest.model_validate(body)
    assert same_json(request.model_dump(mode="json", exclude_unset=True), body)
    again = CreateThreadAndRunRequest.model_validate_json(request.model_dump_json(exclude_unset=True))
    assert same_json(again.model_dump(mode="json", exclude_unset=True), body)
