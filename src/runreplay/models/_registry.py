"""A registry of path-named rules: one stable id per rule, and the lookups models, catalogs and errors share.

`RuleRegistry(rules, union_tags=..., name=...)` takes an endpoint's rules (`Rule`s whose paths are
JSON-path patterns such as `$.thread.messages[*].metadata`) and where its pydantic models' unions put a
tag into error locations. `runreplay.models.rules` is the create-thread-and-run instance and its API.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import NamedTuple

from pydantic import ValidationError

from runreplay.errors import RuleLookupError, UnknownRuleError
from runreplay.models._rule import Rule

__all__ = ["RuleHit", "RuleRegistry", "path_pattern"]

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
_BY_ERROR: Mapping[str, str] = {
    "missing": "required",
    "literal_error": "enum",
    **dict.fromkeys(_TYPE_ERRORS, "json_type"),
}
"""The rule kind a pydantic error type stands for (the union-tag and unknown-key errors move the path too)."""


class RuleRegistry:
    """An endpoint's rules by id (`rules`), with `rule`, `json_path` and `rule_ids_for` over them."""

    def __init__(
        self, entries: Iterable[Rule], *, union_tags: Mapping[str, tuple[frozenset[str], ...]], name: str
    ) -> None:
        table: dict[str, Rule] = {}
        for entry in entries:
            if entry.id in table:  # pragma: no cover - guarded by the tests
                raise RuntimeError(f"duplicate rule id {entry.id!r}")
            table[entry.id] = entry
        self.rules: Mapping[str, Rule] = MappingProxyType(table)
        self.union_tags = union_tags
        self.name = name
        """The module that publishes the registry and its models, as messages name it: `runreplay.models`."""
        self._by_kind_and_path: dict[tuple[str, str], str] = {}
        for entry in table.values():
            if entry.kind in ("json_type", "required", "closed", "enum"):
                for path in entry.paths:
                    self._by_kind_and_path.setdefault((entry.kind, path), entry.id)

    def rule(self, id: str) -> Rule:
        """The rule with this id; a KeyError that lists close ids when there is none."""
        try:
            return self.rules[id]
        except KeyError:
            prefix = id.split(".", 1)[0]
            close = sorted(key for key in self.rules if key.split(".", 1)[0] == prefix)[:12]
            examples = ", ".join(close or sorted(self.rules)[:10])
            raise UnknownRuleError(
                f"unknown rule id {id!r}; expected one of {self.name}.RULES, for example {examples}"
            ) from None

    def json_path(self, loc: Iterable[int | str]) -> str:
        """The JSON path of a pydantic error location from the endpoint's models (union tags removed)."""
        path = "$"
        segments = list(loc)
        index = 0
        while index < len(segments):
            path = _step(path, segments[index])
            index += 1
            for tags in self.union_tags.get(path_pattern(path), ()):
                if index < len(segments) and isinstance(segments[index], str) and segments[index] in tags:
                    index += 1
                else:
                    break
        return path

    def rule_ids_for(self, error: ValidationError) -> list[RuleHit]:
        """Name the rule behind every error of a request-model ValidationError, in pydantic's order.

        Raises LookupError for an error that no rule explains (an error from some other model, or a
        gap in the registry).
        """
        hits: list[RuleHit] = []
        for detail in error.errors():
            loc = tuple(detail["loc"])
            path = self.json_path(loc)
            error_type = detail["type"]
            if error_type in self.rules:
                hits.append(RuleHit(error_type, path, loc, detail["msg"]))
                continue
            kind = _BY_ERROR.get(error_type)
            if error_type == "extra_forbidden":
                # The closed object is the location minus the unknown key (computed from loc, not by
                # parsing the path text, so keys such as "x]" cannot confuse it).
                kind, path = "closed", self.json_path(loc[:-1])
            elif error_type == "union_tag_not_found":
                kind, path = "required", f"{path}.type"
            elif error_type == "union_tag_invalid":
                kind, path = "enum", f"{path}.type"
            rule_id = self._by_kind_and_path.get((kind, path_pattern(path))) if kind else None
            if rule_id is None:
                raise RuleLookupError(
                    f"no rule explains the pydantic error {error_type!r} at {self.json_path(loc)} "
                    f"({detail['msg']}); rule_ids_for only understands errors from the {self.name} "
                    "request models"
                )
            hits.append(RuleHit(rule_id, path, loc, detail["msg"]))
        return hits
