"""The registry of request rules: one stable id per rule, shared by models, factories, docs and errors.

Every rule the request models enforce is an entry in `RULES`, and every entry is enforced (a test
checks both directions). An entry says where the rule applies (JSON-path patterns such as
`$.thread.messages[*].metadata`), what it allows (machine-readable `limits`), and whether the
official JSON Schema encodes it (`origin="schema"`) or only the spec's prose does (`origin="prose"`).

The entries are not written here: the schema-origin rules are derived from the vendored JSON Schema
(`runreplay.models._derive`), and the endpoint module (`runreplay.models._thread_and_run`) names them
and adds the prose rules. This module is the registry's API.

Errors name their rule in one of two ways:

* rules that need code of ours (bounds, prose rules, nulls where the schema allows none) raise a
  `PydanticCustomError` whose `type` is the rule id, whose message starts with the id, and whose
  `ctx` carries `rule`, `given` and `limit`;
* rules pydantic checks itself (JSON types, enums, required keys, closed objects, union tags) raise
  pydantic's own errors, and `rule_ids_for` maps them to rule ids by error type and location.

Paths use `$` for the body, `.key` for object members and `[*]` for any array index.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from runreplay._json_type import json_type
from runreplay.errors import RuleLookupError, UnknownRuleError
from runreplay.models._rule import Origin, Rule, RuleKind, describe_types
from runreplay.models._thread_and_run import NAME_PATTERN, RULE_LIST, UNION_TAGS

__all__ = [
    "NAME_PATTERN",
    "RULES",
    "Origin",
    "Rule",
    "RuleHit",
    "RuleKind",
    "describe_types",
    "describe_value",
    "json_path",
    "path_pattern",
    "rule",
    "rule_ids_for",
    "violation",
]


def _build(entries: Iterable[Rule]) -> Mapping[str, Rule]:
    """The registry by id; a duplicate id is a bug in the endpoint's tables."""
    table: dict[str, Rule] = {}
    for entry in entries:
        if entry.id in table:  # pragma: no cover - guarded by the tests
            raise RuntimeError(f"duplicate rule id {entry.id!r}")
        table[entry.id] = entry
    return MappingProxyType(table)


RULES: Mapping[str, Rule] = _build(RULE_LIST)
"""Every request rule, by id, in the order of the request body."""


def rule(id: str) -> Rule:
    """The rule with this id; a KeyError that lists close ids when there is none."""
    try:
        return RULES[id]
    except KeyError:
        prefix = id.split(".", 1)[0]
        close = sorted(key for key in RULES if key.split(".", 1)[0] == prefix) or sorted(RULES)[:10]
        raise UnknownRuleError(
            f"unknown rule id {id!r}; expected one of runreplay.models.RULES, "
            f"for example {', '.join(close[:12])}"
        ) from None


# --- errors that name their rule ----------------------------------------------------------------


def describe_value(value: Any, *, limit: int = 60) -> str:
    """A short, JSON-like rendering of `value` with its JSON type, for error messages."""
    if value is None:
        return "null"
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=True, default=repr)
    except (TypeError, ValueError):  # pragma: no cover - circular structures
        text = repr(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"{text} ({json_type(value)})"


def violation(rule_id: str, message: str, *, given: Any = None, limit: Any = None) -> PydanticCustomError:
    """The pydantic error for a broken rule: type = rule id, message = "<rule id>: <message>".

    `ctx` carries `rule`, `given` and `limit` for programs; the message is inserted last so that
    braces in user data are never mistaken for placeholders.
    """
    known = rule(rule_id)  # fail loudly on a typo in the models
    return PydanticCustomError(
        known.id,
        "{message}",
        {"rule": known.id, "given": given, "limit": limit, "message": f"{known.id}: {message}"},
    )


# --- from pydantic's error locations to JSON paths and rule ids ----------------------------------


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _step(path: str, segment: int | str) -> str:
    if isinstance(segment, int):
        return f"{path}[{segment}]"
    if _IDENTIFIER.fullmatch(segment):
        return f"{path}.{segment}"
    return f"{path}[{json.dumps(segment, ensure_ascii=False)}]"


def path_pattern(path: str) -> str:
    """`$.thread.messages[3].content[0]` -> `$.thread.messages[*].content[*]`."""
    return re.sub(r"\[\d+\]", "[*]", path)


def json_path(loc: Iterable[int | str]) -> str:
    """The JSON path of a pydantic error location from the request models (union tags removed)."""
    path = "$"
    segments = list(loc)
    index = 0
    while index < len(segments):
        path = _step(path, segments[index])
        index += 1
        for tags in UNION_TAGS.get(path_pattern(path), ()):
            if index < len(segments) and isinstance(segments[index], str) and segments[index] in tags:
                index += 1
            else:
                break
    return path


class RuleHit(NamedTuple):
    """One validation error named by its rule: rule id, JSON path where the rule applies, loc, message.

    `path` is concrete (`$.tools[3].type`) and always matches one of the rule's `paths` patterns:
    for an unknown key it is the closed object, for a missing union tag it is the `type` key.
    """

    rule: str
    path: str
    loc: tuple[int | str, ...]
    message: str


_TYPE_ERRORS = frozenset(
    {
        "string_type",
        "string_unicode",  # a lone surrogate such as "\ud800": not a valid string
        "bool_type",
        "int_type",
        "float_type",
        "list_type",
        "dict_type",
        "model_type",
        "model_attributes_type",
    }
)
_BY_KIND_AND_PATH: dict[tuple[str, str], str] = {}
for _entry in RULES.values():
    if _entry.kind in ("json_type", "required", "closed", "enum"):
        for _path in _entry.paths:
            _BY_KIND_AND_PATH.setdefault((_entry.kind, _path), _entry.id)


def rule_ids_for(error: ValidationError) -> list[RuleHit]:
    """Name the rule behind every error of a request-model ValidationError, in pydantic's order.

    Raises LookupError for an error that no rule explains (an error from some other model, or a
    gap in the registry).
    """
    hits: list[RuleHit] = []
    for detail in error.errors():
        loc = tuple(detail["loc"])
        path = json_path(loc)
        error_type = detail["type"]
        if error_type in RULES:
            hits.append(RuleHit(error_type, path, loc, detail["msg"]))
            continue
        kind: str | None = None
        if error_type == "missing":
            kind = "required"
        elif error_type == "extra_forbidden":
            # The closed object is the location minus the unknown key (computed from loc, not by
            # parsing the path text, so keys such as "x]" cannot confuse it).
            kind, path = "closed", json_path(loc[:-1])
        elif error_type == "union_tag_not_found":
            kind, path = "required", f"{path}.type"
        elif error_type == "union_tag_invalid":
            kind, path = "enum", f"{path}.type"
        elif error_type == "literal_error":
            kind = "enum"
        elif error_type in _TYPE_ERRORS:
            kind = "json_type"
        rule_id = _BY_KIND_AND_PATH.get((kind, path_pattern(path))) if kind else None
        if rule_id is None:
            raise RuleLookupError(
                f"no rule explains the pydantic error {error_type!r} at {json_path(loc)} ({detail['msg']}); "
                "rule_ids_for only understands errors from the runreplay.models request models"
            )
        hits.append(RuleHit(rule_id, path, loc, detail["msg"]))
    return hits
