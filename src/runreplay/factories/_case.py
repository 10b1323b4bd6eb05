"""What the edge and invalid catalogs share: `Case`, the anchor bodies, and placing a value at a rule's path.

The catalogs never hand-write a body per case. They take a rule's path pattern from the registry
(`$.thread.messages[*].metadata`), find it in one of two realistic anchor bodies, and cut the anchor
down to the smallest valid body that still holds that path: each object on the way keeps only the keys
the registry says it needs (`required`, `required_keys`, `exactly_one`, `required_if` rules). The case's
value then goes in at the path. So a failing case shows the offending value in a body of a few lines.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from runreplay.models import RULES, Rule

__all__ = [
    "ALT_ANCHOR",
    "FULL_ANCHOR",
    "Case",
    "HugeList",
    "case_id",
    "concrete",
    "copy_json",
    "fresh",
    "locate",
    "minimal",
    "place",
    "remove",
    "tokens",
    "value_at",
]

Keys = tuple[int | str, ...]


@dataclass(frozen=True, repr=False)
class Case:
    """One named request body: `id` for pytest, the wire `body`, the `rule` it exercises, and its verdict.

    `path` is the JSON path of the value the case is about (for an invalid case: where the model
    reports the broken rule). `body` takes no part in hashing, so cases can go in sets.
    """

    id: str
    body: Any = field(hash=False)
    rule: str
    valid: bool
    path: str | None = None

    def __repr__(self) -> str:
        shown = json.dumps(self.body, ensure_ascii=False, default=repr)
        if len(shown) > 300:
            shown = shown[:299] + "…"
        where = f", path={self.path!r}" if self.path else ""
        return f"Case(id={self.id!r}, rule={self.rule!r}, valid={self.valid}{where}, body={shown})"


class HugeList(list[Any]):
    """A list that holds a few items but reports `length` as its size, for limits too large to build.

    It stands in for the 100,000,001 file ids that break `vector_store.file_ids.max_items` (a real
    list would take 800 MB). Validators that count see the length; `json.dumps` writes only the real
    items, so do not send such a body anywhere: it exists to check validators.
    """

    def __init__(self, items: Iterable[Any] = (), length: int | None = None) -> None:
        super().__init__(items)
        self.length = super().__len__() if length is None else length

    def __len__(self) -> int:
        return self.length

    def __reduce__(self) -> tuple[Any, ...]:
        return (HugeList, (list(self), self.length))

    def __repr__(self) -> str:
        return f"HugeList({list(self)!r}, length={self.length})"


def copy_json(value: Any) -> Any:
    """A deep copy of a JSON value (dicts and lists copied, scalars shared), much faster than deepcopy."""
    if isinstance(value, dict):
        return {key: copy_json(item) for key, item in value.items()}
    if isinstance(value, HugeList):
        return HugeList([copy_json(item) for item in value], value.length)
    if isinstance(value, list):
        return [copy_json(item) for item in value]
    return value


# --- the two anchor bodies: together they reach every path of the registry -----------------------

_STRICT_WEATHER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "description": "City name, e.g. Lisbon"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
    },
    "required": ["city", "unit"],
    "additionalProperties": False,
}

FULL_ANCHOR: Mapping[str, Any] = {
    "assistant_id": "asst_Q6pW2xR8tY4uI0oP3aS7dF1g",
    "thread": {
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Compare these two charts: which region grew faster in Q3?"},
                    {
                        "type": "image_url",
                        "image_url": {
                            "url": "https://cdn.example.com/charts/q3-revenue.png",
                            "detail": "high",
                        },
                    },
                    {
                        "type": "image_file",
                        "image_file": {"file_id": "file-Kp3mZq8RtY2wXv9LbN4cHs", "detail": "low"},
                    },
                ],
                "attachments": [
                    {
                        "file_id": "file-Rg7TnB2xQw5LmZ8vKc3PdJ",
                        "tools": [{"type": "code_interpreter"}, {"type": "file_search"}],
                    }
                ],
                "metadata": {"channel": "web"},
            }
        ],
        "tool_resources": {
            "code_interpreter": {"file_ids": ["file-Wm4XcV8bN1qA6sD3fG7hJk"]},
            "file_search": {
                "vector_stores": [
                    {
                        "file_ids": ["file-Zt5YuI9oP2aS6dF1gH4jKl"],
                        "chunking_strategy": {
                            "type": "static",
                            "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 40},
                        },
                        "metadata": {"source": "employee-handbook"},
                    }
                ]
            },
        },
        "metadata": {"conversation_id": "conv_8812"},
    },
    "model": "gpt-4o",
    "instructions": "You are a careful financial analyst. Cite the figures you use.",
    "tools": [
        {"type": "code_interpreter"},
        {
            "type": "file_search",
            "file_search": {
                "max_num_results": 8,
                "ranking_options": {"ranker": "auto", "score_threshold": 0.4},
            },
        },
        {
            "type": "function",
            "function": {
                "name": "get_current_weather",
                "description": "Get the current weather in a city.",
                "parameters": _STRICT_WEATHER_SCHEMA,
                "strict": True,
            },
        },
    ],
    "tool_resources": {
        "code_interpreter": {"file_ids": ["file-Hb6NmQ2wE8rT4yU1iO5pAs"]},
        "file_search": {"vector_store_ids": ["vs_Xc3Vb7Nm1Qw5Er9Ty2Ui6Op"]},
    },
    "metadata": {"user_id": "user_4821"},
    "temperature": 0.7,
    "top_p": 0.9,
    "stream": True,
    "max_prompt_tokens": 20000,
    "max_completion_tokens": 4000,
    "truncation_strategy": {"type": "last_messages", "last_messages": 10},
    "tool_choice": {"type": "function", "function": {"name": "get_current_weather"}},
    "parallel_tool_calls": False,
    "response_format": {
        "type": "json_schema",
        "json_schema": {
            "name": "weather_report",
            "description": "The weather, as the function reported it.",
            "schema": {
                "type": "object",
                "properties": {"summary": {"type": "string"}, "temperature_c": {"type": "number"}},
                "required": ["summary", "temperature_c"],
                "additionalProperties": False,
            },
            "strict": True,
        },
    },
}
"""A realistic body with every key, reaching every path except the ones only ALT_ANCHOR has."""

ALT_ANCHOR: Mapping[str, Any] = {
    "assistant_id": "asst_Lk9Jh3Gf7Ds1Aq5Zw8Xe2Cv",
    "thread": {
        "messages": [{"role": "user", "content": "What does our refund policy say about opened items?"}],
        "tool_resources": {"file_search": {"vector_store_ids": ["vs_Pl0Ok9Ij8Uh7Yg6Tf5Rd4Es3"]}},
    },
    "tools": [{"type": "file_search"}],
    "tool_choice": "auto",
    "response_format": "auto",
}
"""The other branches: string content, string tool_choice and response_format, thread vector_store_ids."""

_ANCHORS = (FULL_ANCHOR, ALT_ANCHOR)

# --- paths ----------------------------------------------------------------------------------------

_TOKEN = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[\*\]")


def tokens(pattern: str) -> list[str | None]:
    """`$.a[*].b` -> ["a", None, "b"]: the keys of a registry path pattern (None: any array index)."""
    found = [match.group(1) for match in _TOKEN.finditer(pattern)]
    if not pattern.startswith("$") or "".join(f".{t}" if t else "[*]" for t in found) != pattern[1:]:
        raise ValueError(f"not a registry path pattern: {pattern!r}")
    return found


def concrete(keys: Keys) -> str:
    """("thread", "messages", 0) -> `$.thread.messages[0]`, the notation of `runreplay.models.json_path`."""
    return "$" + "".join(f"[{key}]" if isinstance(key, int) else f".{key}" for key in keys)


def case_id(entry: Rule, pattern: str, variant: str) -> str:
    """`<rule id>.<variant>`, plus `@<where>` when the rule has several paths and this is not the first."""
    suffix = "" if pattern == entry.paths[0] else "@" + pattern[2:]
    return f"{entry.id}.{variant}{suffix}"


def _find(value: Any, parts: list[str | None], prefix: Keys = ()) -> Iterator[Keys]:
    """Every concrete key path in `value` matching the pattern's keys."""
    if not parts:
        yield prefix
        return
    head, rest = parts[0], parts[1:]
    if head is None and isinstance(value, list):
        for index, item in enumerate(value):
            yield from _find(item, rest, (*prefix, index))
    elif isinstance(head, str) and isinstance(value, Mapping) and head in value:
        yield from _find(value[head], rest, (*prefix, head))


def value_at(body: Any, keys: Keys) -> Any:
    """The value at `keys` (as `locate` returns them) inside `body`."""
    for key in keys:
        body = body[key]
    return body


# --- which keys an object needs, from the registry -----------------------------------------------

_NEEDS: dict[str, list[Rule]] = {}
for _entry in RULES.values():
    if _entry.kind == "required":
        for _path in _entry.paths:
            _NEEDS.setdefault(_path.rsplit(".", 1)[0], []).append(_entry)
    elif _entry.kind in ("required_keys", "exactly_one", "required_if"):
        for _path in _entry.paths:
            _NEEDS.setdefault(_path, []).append(_entry)


def _needed(obj: Mapping[str, Any], pattern: str, on_path: str | None) -> set[str]:
    """The keys of `obj` (at `pattern`) that a valid body must keep, besides the one on the path."""
    keep: set[str] = set()
    for entry in _NEEDS.get(pattern, ()):
        if entry.kind == "required":
            keep.add(entry.paths[0].rsplit(".", 1)[1])
        elif entry.kind == "required_keys":
            keep.update(entry.limits["required"])
        elif entry.kind == "required_if":
            if all(obj.get(key) == value for key, value in entry.limits["if"].items()):
                keep.update(entry.limits["required"])
        else:  # exactly_one: the one on the path, else the first one present
            options = entry.limits["one_of"]
            if on_path not in options:
                keep.update([key for key in options if key in obj][:1])
    return keep


def _min_items(pattern: str) -> int:
    """The fewest items the registry allows in the array at `pattern`."""
    for entry in RULES.values():
        if entry.kind == "min_items" and pattern in entry.paths:
            return int(entry.limits["min_items"])
    return 0


def _smallest(value: Any, pattern: str) -> Any:
    """The smallest valid form of a value the anchor holds at `pattern` (required keys only, fewest items)."""
    if isinstance(value, Mapping):
        needed = _needed(value, pattern, None)
        return {key: _smallest(item, f"{pattern}.{key}") for key, item in value.items() if key in needed}
    if isinstance(value, list):
        return [_smallest(item, f"{pattern}[*]") for item in value[: _min_items(pattern)]]
    return value


def _cut(value: Any, keys: Keys, pattern: str, whole: bool) -> Any:
    """`value` cut down to the path `keys` plus what each object on the way must keep."""
    if not keys:
        return copy_json(value) if whole else _smallest(value, pattern)
    head, rest = keys[0], keys[1:]
    if isinstance(head, int):
        return [_cut(value[head], rest, f"{pattern}[*]", whole)]
    needed = _needed(value, pattern, head)
    return {
        key: _cut(item, rest, f"{pattern}.{key}", whole)
        if key == head
        else _smallest(item, f"{pattern}.{key}")
        for key, item in value.items()
        if key == head or key in needed
    }


def locate(
    pattern: str, where: Callable[[Any], bool] | None = None, *, whole: bool = False
) -> tuple[dict[str, Any], Keys]:
    """The smallest valid body holding the first anchor value at `pattern` (that `where` accepts).

    Returns the body and the concrete keys of the value in it (every array index is 0). The value
    itself is cut down to its required keys too, unless `whole`.
    """
    parts = tokens(pattern)
    for anchor in _ANCHORS:
        for keys in _find(anchor, parts):
            if where is None or where(value_at(anchor, keys)):
                body = _cut(anchor, keys, "$", whole)
                return body, tuple(0 if isinstance(key, int) else key for key in keys)
    raise LookupError(f"no anchor body holds a value at {pattern}")


def minimal(pattern: str, *, whole: bool = False) -> Any:
    """The anchor's value at `pattern`, cut down to what it must keep (all of it if `whole`)."""
    body, keys = locate(pattern, whole=whole)
    return value_at(body, keys)


def place(pattern: str, value: Any, *, where: Callable[[Any], bool] | None = None) -> tuple[Any, str]:
    """The smallest valid body with `value` at `pattern`, and the concrete JSON path of that value."""
    body, keys = locate(pattern, where)
    if not keys:
        return value, "$"
    value_at(body, keys[:-1])[keys[-1]] = value
    return body, concrete(keys)


def remove(pattern: str) -> tuple[dict[str, Any], str]:
    """The smallest valid body whose object at the parent of `pattern` lacks the key, and the key's path."""
    body, keys = locate(pattern)
    del value_at(body, keys[:-1])[keys[-1]]
    return body, concrete(keys)


def fresh(cases: Iterable[Case]) -> list[Case]:
    """Fresh copies of cases, so a caller changing a body never changes a cached catalog."""
    return [Case(c.id, copy_json(c.body), c.rule, c.valid, c.path) for c in cases]
