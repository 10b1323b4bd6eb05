"""What a rule is (`Rule`, its kinds and origins), apart from any endpoint's list of rules."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

__all__ = ["Origin", "Rule", "RuleKind", "describe_types", "freeze"]

Origin = Literal["schema", "prose"]
"""`schema`: the official JSON Schema encodes the rule; `prose`: only the spec's descriptions state it."""

RuleKind = Literal[
    "json_type",  # limits["types"]: the JSON types allowed at the path
    "value_type",  # limits["types"]: the JSON types allowed for every value of the object at the path
    "required",  # the key at the path must be present
    "closed",  # limits["properties"]: the only keys the object at the path may have
    "enum",  # limits["enum"]: the only values allowed at the path
    "range",  # limits["minimum"], limits["maximum"]: inclusive numeric bounds
    "minimum",  # limits["minimum"]: inclusive lower bound
    "max_items",  # limits["max_items"]: longest array allowed
    "min_items",  # limits["min_items"]: shortest array allowed
    "max_properties",  # limits["max_properties"]: most keys allowed
    "key_length",  # limits["max_length"]: longest key allowed (in code points)
    "value_length",  # limits["max_length"]: longest string value allowed (in code points)
    "pattern",  # limits["pattern"] (ECMA-262, whole string), plus min_length/max_length/alphabet
    "exactly_one",  # limits["one_of"]: exactly one of these keys must be present
    "required_if",  # limits["if"] (key -> value) and limits["required"]: keys needed when it holds
    "required_keys",  # limits["required"]: keys that must all be present
    "max_fraction",  # limits["field"] <= limits["fraction"] * limits["of"] (sibling keys)
]


@dataclass(frozen=True)
class Rule:
    """One rule of the request body: where it applies, what it allows, and where it comes from."""

    id: str
    kind: RuleKind
    description: str
    paths: tuple[str, ...]
    limits: Mapping[str, Any]
    origin: Origin
    source: str
    json_schema: Mapping[str, Any] | None = field(default=None)
    """For prose rules: the rule written as JSON Schema at each path (None: JSON Schema cannot say it)."""

    @property
    def subject(self) -> str:
        """The thing the rule is about, as error messages name it (the id without its last part)."""
        return self.id.rsplit(".", 1)[0]


def freeze(value: Any) -> Any:
    """A read-only copy of a JSON-like value: mappings become MappingProxyType, lists tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: freeze(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(item) for item in value)
    return value


_TYPE_WORDS = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "boolean": "a boolean",
    "null": "null",
}


def describe_types(types: Iterable[str]) -> str:
    """`("string", "null")` -> `"a string or null"`, for error messages."""
    words = [_TYPE_WORDS[name] for name in types]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
