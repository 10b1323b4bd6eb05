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
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from runreplay._json_type import json_type
from runreplay.models._registry import RuleHit, RuleRegistry, path_pattern
from runreplay.models._rule import Origin, Rule, RuleKind, describe_types
from runreplay.models._thread_and_run import NAME_PATTERN, RULE_LIST, UNION_TAGS

__all__ = [
    "NAME_PATTERN",
    "REGISTRY",
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


REGISTRY: RuleRegistry = RuleRegistry(RULE_LIST, union_tags=UNION_TAGS, name="runreplay.models")
"""The create-thread-and-run endpoint's registry; the functions below are its API."""

RULES: Mapping[str, Rule] = REGISTRY.rules
"""Every request rule, by id, in the order of the request body."""


def rule(id: str) -> Rule:
    """The rule with this id; a KeyError that lists close ids when there is none."""
    return REGISTRY.rule(id)


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


def json_path(loc: Iterable[int | str]) -> str:
    """The JSON path of a pydantic error location from the request models (union tags removed)."""
    return REGISTRY.json_path(loc)


def rule_ids_for(error: ValidationError) -> list[RuleHit]:
    """Name the rule behind every error of a request-model ValidationError, in pydantic's order.

    Raises LookupError for an error that no rule explains (an error from some other model, or a
    gap in the registry).
    """
    return REGISTRY.rule_ids_for(error)
