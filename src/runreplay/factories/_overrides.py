"""Overrides by wire key: `temperature=0.5`, `thread__metadata={...}`, `tools=OMIT`.

An override name is checked against the request models' fields (wire names, unions merged), so a typo
gets the closest valid name; setting a nested key creates or re-branches the objects on the way.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from pydantic import BaseModel

from runreplay.errors import ConfigurationError
from runreplay.factories._case import copy_json
from runreplay.factories._generator import Generator
from runreplay.factories._shape import SIZES, TRAITS
from runreplay.models import RULES, CreateThreadAndRunRequest

__all__ = ["OMIT", "apply_overrides", "parse_override"]


class _Omit:
    """The type of `OMIT`."""

    _instance: _Omit | None = None

    def __new__(cls) -> _Omit:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "OMIT"

    def __reduce__(self) -> str:
        return "OMIT"


OMIT: Final = _Omit()
"""An override value that removes the key from the generated body: `build_request(thread=OMIT)`."""


@dataclass(frozen=True)
class _Node:
    """What an override path can reach below one key: a model's keys, or nothing (a leaf)."""

    kind: str  # "object", "array", "map" or "value"
    children: Mapping[str, _Node]


def _models_in(annotation: Any) -> tuple[str, list[type[BaseModel]]]:
    """The kind of a field ('object', 'array', 'map', 'value') and the models it can hold."""
    found: list[type[BaseModel]] = []
    kind = "value"
    stack = [annotation]
    while stack:
        current = stack.pop()
        origin = typing.get_origin(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            found.append(current)
            kind = "object"
        elif origin is list:
            kind = "array" if kind == "value" else kind
        elif origin is dict:
            kind = "map" if kind == "value" else kind
        elif origin is typing.Annotated:
            stack.append(typing.get_args(current)[0])
        elif origin in (typing.Union, types.UnionType):
            stack.extend(reversed(typing.get_args(current)))
    return kind, found


def _tree(models: Sequence[type[BaseModel]], seen: tuple[type[BaseModel], ...] = ()) -> Mapping[str, _Node]:
    """The keys an override path can name below these models (wire names, unions merged)."""
    children: dict[str, _Node] = {}
    for model in models:
        for name, info in model.model_fields.items():
            wire = info.alias or name
            kind, inner = _models_in(info.annotation)
            fresh = [cls for cls in inner if cls not in seen]
            if wire in children and children[wire].kind == "object" and kind == "object":
                merged = {**children[wire].children, **_tree(fresh, (*seen, *fresh))}
                children[wire] = _Node("object", merged)
            elif wire not in children or children[wire].kind != "object":
                children[wire] = _Node(kind, _tree(fresh, (*seen, *fresh)) if kind == "object" else {})
    return children


_FIELDS: Final = _tree([CreateThreadAndRunRequest])
_BRANCHES: Final[Mapping[tuple[str, ...], str]] = {
    ("tool_choice", "function"): "function",
    ("response_format", "json_schema"): "json_schema",
    ("truncation_strategy", "last_messages"): "last_messages",
}
"""Setting a key below one of these paths picks the branch: the object's `type` becomes the value."""

_EXACTLY_ONE: Final = {
    tuple(part for part in entry.paths[0][2:].split(".")): tuple(entry.limits["one_of"])
    for entry in RULES.values()
    if entry.kind == "exactly_one"
}
_OVERRIDE_HELP: Final = (
    "a request key ({keys}), a nested key joined with double underscores (thread__metadata, "
    "tool_choice__function__name), or one of {traits}"
)


def _unknown(caller: str, name: str, problem: str, candidates: Sequence[str]) -> ConfigurationError:
    """An unknown-override error with the closest valid name, if one is close."""
    close = difflib.get_close_matches(name, candidates, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return ConfigurationError(f"{caller} got an unknown override {name!r}: {problem}.{hint}")


def parse_override(caller: str, name: str) -> tuple[str, ...]:
    """The key path of an override name, or a ConfigurationError saying what is wrong and what would work."""
    parts = tuple(name.split("__"))
    if parts[0] not in _FIELDS:
        expected = _OVERRIDE_HELP.format(keys=", ".join(_FIELDS), traits=", ".join((*TRAITS, *SIZES)))
        raise _unknown(caller, name, f"expected {expected}", [*_FIELDS, *TRAITS, *SIZES])
    node = _FIELDS[parts[0]]
    for depth, part in enumerate(parts[1:], start=1):
        prefix = "__".join(parts[:depth])
        if node.kind != "object":
            what, example = {
                "array": ("an array", "[...]"),
                "map": ("an object of your own keys", "{...}"),
                "value": ("a single value", "..."),
            }[node.kind]
            raise ConfigurationError(
                f"{caller} got an unknown override {name!r}: {prefix} is {what}, so an override cannot reach "
                f"inside it; pass the whole value instead: {prefix}={example}."
            )
        if part not in node.children:
            keys = ", ".join(node.children)
            raise _unknown(
                caller,
                name,
                f"{prefix} has no key {part!r}; its keys are {keys}",
                [f"{prefix}__{key}" for key in node.children],
            )
        node = node.children[part]
    return parts


def _wire(value: Any) -> Any:
    """An override value as wire JSON: models dumped, dicts and lists copied (never aliased)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_unset=True)
    return copy_json(value)


def apply_overrides(
    body: dict[str, Any], overrides: Sequence[tuple[tuple[str, ...], Any]], gen: Generator
) -> None:
    """Set each override in the body, shallow ones first, creating or re-branching the objects on the way."""
    explicit = {path for path, _ in overrides}
    for path, value in sorted(overrides, key=lambda item: len(item[0])):
        host = body
        for depth, key in enumerate(path[:-1]):
            prefix = path[: depth + 1]
            branch = _BRANCHES.get((*prefix, path[depth + 1]))
            current = host.get(key)
            if not isinstance(current, dict) or (
                branch is not None and current.get("type") != branch and (*prefix, "type") not in explicit
            ):
                current = {"type": branch} if branch is not None and (*prefix, "type") not in explicit else {}
                if prefix == ("response_format", "json_schema"):
                    current["name"] = gen.json_schema_name()
                host[key] = current
            host = current
        leaf = path[-1]
        if value is OMIT:
            host.pop(leaf, None)
            continue
        host[leaf] = _wire(value)
        for other in _EXACTLY_ONE.get(path[:-1], ()):
            if other != leaf and (*path[:-1], other) not in explicit:
                host.pop(other, None)
