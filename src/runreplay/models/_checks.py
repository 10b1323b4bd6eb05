"""The pieces the request models are built from: closed and open bases, and checks named by their rule.

Each check raises a pydantic error whose type is a rule id of `runreplay.models.rules` (see
`violation`), so `rule_ids_for` and the factories can tell which rule a body broke.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, PlainValidator

from runreplay.models.rules import NAME_PATTERN, describe_types, describe_value, rule, violation

__all__ = [
    "Closed",
    "Open",
    "check_content",
    "check_metadata",
    "expectation",
    "max_items",
    "name_pattern",
    "not_null",
    "number",
    "quote",
    "shape",
    "string_or_array",
    "string_or_object",
]


class Closed(BaseModel):
    """An object the schema closes: unknown keys are errors."""

    model_config = ConfigDict(strict=True, extra="forbid")


class Open(BaseModel):
    """An object the schema leaves open: unknown keys are kept and sent back unchanged."""

    model_config = ConfigDict(strict=True, extra="allow")


# --- reusable checks (each raises an error named by its rule) ------------------------------------


def expectation(rule_id: str) -> str:
    """What a json_type or enum rule allows, as error messages word it ("a string or null", "one of ...")."""
    entry = rule(rule_id)
    if entry.kind == "enum":
        return "one of " + ", ".join(repr(value) for value in entry.limits["enum"])
    return describe_types(entry.limits["types"])


def quote(text: str, limit: int = 40) -> str:
    """`text` as a JSON string, cut to `limit` characters with an ellipsis, for error messages."""
    shown = json.dumps(text, ensure_ascii=False)
    return shown if len(shown) <= limit else shown[: limit - 2] + '…"'


def not_null(rule_id: str) -> BeforeValidator:
    """Reject an explicit null for a key the schema lets you leave out but not set to null."""
    subject = rule(rule_id).subject
    expected = expectation(rule_id)

    def check(value: Any) -> Any:
        if value is None:
            raise violation(
                rule_id,
                f"{subject} is null; expected {expected}. Leave the key out instead of sending null",
                given=None,
                limit=expected,
            )
        return value

    return BeforeValidator(check)


def max_items(rule_id: str) -> BeforeValidator:
    """Reject an array longer than the rule's `max_items`."""
    entry = rule(rule_id)
    limit: int = entry.limits["max_items"]
    verb = "is" if limit == 1 else "are"

    def check(value: Any) -> Any:
        if isinstance(value, list) and len(value) > limit:
            raise violation(
                rule_id,
                f"{entry.subject} has {len(value)} items; at most {limit} {verb} allowed",
                given=len(value),
                limit=limit,
            )
        return value

    return BeforeValidator(check)


def number(
    prefix: str, *, nullable: bool, integer: bool = False, bounds: str | None = None
) -> PlainValidator:
    """Check a JSON number (or integer) by hand, so ints stay ints and floats stay floats."""
    type_rule = rule(f"{prefix}.json_type")
    expected = describe_types(type_rule.limits["types"])
    bounds_rule = rule(bounds) if bounds else None

    def check(value: Any) -> Any:
        if value is None:
            if nullable:
                return None
            raise violation(
                type_rule.id,
                f"{prefix} is null; expected {expected}. Leave the key out instead of sending null",
                given=None,
                limit=expected,
            )
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (isinstance(value, float) and not math.isfinite(value))
        ):
            raise violation(
                type_rule.id,
                f"{prefix} is {describe_value(value)}; expected {expected}",
                given=value,
                limit=expected,
            )
        if integer and isinstance(value, float) and not value.is_integer():
            raise violation(
                type_rule.id,
                f"{prefix} is {value!r}, which has a fractional part; expected {expected}",
                given=value,
                limit=expected,
            )
        if bounds_rule is not None:
            low = bounds_rule.limits.get("minimum")
            high = bounds_rule.limits.get("maximum")
            if (low is not None and value < low) or (high is not None and value > high):
                wanted = f"at least {low}" if high is None else f"between {low} and {high} inclusive"
                raise violation(
                    bounds_rule.id,
                    f"{prefix} is {value!r}; it must be {wanted}",
                    given=value,
                    limit={"minimum": low, "maximum": high} if high is not None else {"minimum": low},
                )
        return value

    return PlainValidator(check, json_schema_input_type=float | int | None if nullable else float | int)


_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")
_NOT_NAME_CHARS = re.compile(r"[^a-zA-Z0-9_-]")


def name_pattern(rule_id: str, label: str) -> AfterValidator:
    """Check a function or json_schema name against the prose rule `^[a-zA-Z0-9_-]{1,64}$`."""

    def check(value: str) -> str:
        if _NAME.fullmatch(value):
            return value
        if not value:
            reason = "it is empty"
        elif len(value) > 64:
            reason = f"it has {len(value)} characters"
        else:
            bad = sorted(set(_NOT_NAME_CHARS.findall(value)))
            reason = "it contains " + ", ".join(repr(char) for char in bad)
        raise violation(
            rule_id,
            f"{label} {describe_value(value)} is not 1 to 64 letters, digits, underscores or dashes "
            f"({reason}); it must match {NAME_PATTERN}",
            given=value,
            limit=NAME_PATTERN,
        )

    return AfterValidator(check)


def check_metadata(value: Any) -> Any:
    """The Metadata rules: an object of at most 16 string pairs, keys ≤ 64 and values ≤ 512 characters."""
    if value is None:
        return None
    if not isinstance(value, dict) or not all(isinstance(key, str) for key in value):
        raise violation(
            "metadata.json_type",
            f"metadata is {describe_value(value)}; expected an object of string values, or null",
            given=value,
            limit=("object", "null"),
        )
    max_pairs: int = rule("metadata.max_pairs").limits["max_properties"]
    _at_most(
        "metadata.max_pairs", len(value), max_pairs, "metadata has {size} pairs; at most {limit} are allowed"
    )
    max_key: int = rule("metadata.key_length").limits["max_length"]
    max_value: int = rule("metadata.value_length").limits["max_length"]
    for key, item in value.items():
        if not isinstance(item, str):
            raise violation(
                "metadata.value_type",
                f"metadata[{quote(key)}] is {describe_value(item)}; metadata values must be strings",
                given=item,
                limit="string",
            )
        _at_most(
            "metadata.key_length",
            len(key),
            max_key,
            "metadata key {key} has {size} characters; keys may have at most {limit}",
            key=key,
        )
        _at_most(
            "metadata.value_length",
            len(item),
            max_value,
            "metadata[{key}] has {size} characters; values may have at most {limit}",
            key=key,
        )
    return value


def _at_most(rule_id: str, size: int, limit: int, message: str, *, key: str = "") -> None:
    """Raise the rule's violation when `size` is over `limit`; `message` names {size}, {limit}, {key}."""
    if size > limit:
        raise violation(
            rule_id, message.format(size=size, limit=limit, key=quote(key)), given=size, limit=limit
        )


def string_or_object(value: Any) -> str | None:
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict | BaseModel):
        return "object"
    return None


def string_or_array(value: Any) -> str | None:
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return None


def shape(rule_id: str, what: str) -> BeforeValidator:
    """Reject a value that is neither a string nor an object, before the union looks at it."""

    def check(value: Any) -> Any:
        if string_or_object(value) is None:
            raise violation(
                rule_id,
                f"{what} is {describe_value(value)}; expected a string, an object or null",
                given=value,
            )
        return value

    return BeforeValidator(check)


def check_content(value: Any) -> Any:
    """A message's content: a string, or an array of at least one content part."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        minimum: int = rule("content.min_items").limits["min_items"]
        if len(value) < minimum:
            raise violation(
                "content.min_items",
                f"content is an empty array; give at least {minimum} content part, or a string",
                given=len(value),
                limit=minimum,
            )
        return value
    raise violation(
        "content.json_type",
        f"content is {describe_value(value)}; expected a string or an array of content parts",
        given=value,
    )
