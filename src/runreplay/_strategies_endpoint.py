"""Hypothesis strategies for any endpoint declared as data (`runreplay.models._endpoint.Endpoint`).

* `endpoint_bodies(endpoint)`: valid wire bodies written from the compiled schema (`_schema_bodies`).
* `endpoint_edge_requests(endpoint, rules=None)` / `endpoint_invalid_requests(endpoint, rules=None)`:
  `Case`s of the endpoint's schema-rule catalogs (`runreplay.factories._schema_cases.catalog`); an
  invalid case of a numeric bound may get any value past the bound instead of the catalog's.
* `DrawChoices`, `pick_cases` and `vary` are the pieces the Responses strategies reuse.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from runreplay.factories._case import Case, copy_json
from runreplay.factories._schema_bodies import write_body
from runreplay.factories._schema_cases import catalog
from runreplay.models._endpoint import Endpoint
from runreplay.models._schema_rules import SchemaRule

T = TypeVar("T")

__all__ = [
    "DrawChoices",
    "endpoint_bodies",
    "endpoint_edge_requests",
    "endpoint_invalid_requests",
    "pick_cases",
    "vary",
]


class DrawChoices:
    """`Choices` answered by hypothesis: each decision is a draw, so examples shrink decision by decision."""

    def __init__(self, draw: st.DrawFn) -> None:
        self._draw = draw

    def chance(self, p: float) -> bool:
        """A boolean (shrinks to False)."""
        return bool(self._draw(st.booleans()))

    def integer(self, low: int, high: int) -> int:
        """An integer in [low, high] (shrinks to low)."""
        return int(self._draw(st.integers(low, high)))

    def choice(self, options: Sequence[T]) -> T:
        """One of `options` (shrinks to the first)."""
        return options[self._draw(st.integers(0, len(options) - 1))]

    def real(self, low: float, high: float) -> float:
        """A float in [low, high]."""
        return float(self._draw(st.floats(low, high, allow_nan=False, allow_infinity=False)))


def pick_cases(
    caller: str, cases: list[Case], rules: Iterable[str] | None, endpoint: Endpoint
) -> st.SearchStrategy[Case]:
    """A strategy over the cases of the given rules, checking the argument."""
    if rules is None:
        return st.sampled_from(cases)
    if isinstance(rules, str):
        raise InvalidArgument(
            f"{caller} got rules={rules!r}; expected an iterable of rule ids, e.g. rules=[{rules!r}]"
        )
    wanted = set(rules)
    unknown = sorted(wanted - set(endpoint.rules))
    if unknown:
        raise InvalidArgument(
            f"{caller} got unknown rule ids {unknown}; expected ids of "
            f"{endpoint.rules_name or f'the rules of {endpoint.name}'}"
        )
    chosen = [case for case in cases if case.rule in wanted]
    if not chosen:
        raise InvalidArgument(f"{caller} has no case for rules {sorted(wanted)}; pick rules that have cases")
    return st.sampled_from(chosen)


_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


def _keys(path: str) -> list[int | str]:
    """The keys of a simple JSON path (`$.tools[0].name` -> ["tools", 0, "name"])."""
    return [int(index) if index else key for key, index in _STEP.findall(path.removeprefix("$"))]


def _past(entry: SchemaRule, example: Any) -> st.SearchStrategy[Any] | None:
    """Values past a numeric schema bound, of the example's JSON type; None for other rules."""
    if entry.origin != "schema" or entry.kind not in ("minimum", "maximum"):
        return None
    limit = entry.limits["limit"]
    below = entry.kind == "minimum"
    if isinstance(example, int) and not isinstance(example, bool):
        return st.integers(max_value=limit - 1) if below else st.integers(min_value=limit + 1)
    edge = math.nextafter(limit, -math.inf if below else math.inf)
    if below:
        return st.floats(max_value=edge, allow_nan=False, allow_infinity=False)
    return st.floats(min_value=edge, allow_nan=False, allow_infinity=False)


@st.composite
def _drawn(draw: st.DrawFn, case: Case, entry: SchemaRule) -> Case:
    """The case with a drawn value past its bound at its path."""
    keys = _keys(case.path or "$")
    body = copy_json(case.body)
    holder = body
    for key in keys[:-1]:
        holder = holder[key]
    values = _past(entry, holder[keys[-1]])
    assert values is not None
    holder[keys[-1]] = draw(values)
    return Case(case.id, body, case.rule, False, case.path)


def vary(case: Case, registry: Mapping[str, SchemaRule]) -> st.SearchStrategy[Case]:
    """The catalog case itself, or (for a numeric bound) the case with any value past the bound."""
    keys = _keys(case.path or "$")
    if not keys:
        return st.just(case)
    holder: Any = case.body
    for key in keys[:-1]:
        holder = holder[key]
    entry = registry[case.rule]
    if _past(entry, holder[keys[-1]]) is None:
        return st.just(case)
    return st.just(case) | _drawn(case, entry)


# --- any endpoint declared as data ------------------------------------------------------------------


@st.composite
def _bodies(draw: st.DrawFn, endpoint: Endpoint) -> Any:
    return write_body(endpoint, DrawChoices(draw))


def endpoint_bodies(endpoint: Endpoint) -> st.SearchStrategy[Any]:
    """Valid wire bodies of any endpoint, written from its compiled schema (shrinking to the smallest)."""
    return _bodies(endpoint)


def endpoint_edge_requests(
    endpoint: Endpoint, *, rules: Iterable[str] | None = None
) -> st.SearchStrategy[Case]:
    """Valid boundary `Case`s of any endpoint's schema rules."""
    return pick_cases("endpoint_edge_requests()", catalog(endpoint).edge, rules, endpoint)


def endpoint_invalid_requests(
    endpoint: Endpoint, *, rules: Iterable[str] | None = None
) -> st.SearchStrategy[Case]:
    """`Case`s that each break exactly one schema rule of any endpoint (numeric bounds: any value past it)."""
    picked = pick_cases("endpoint_invalid_requests()", catalog(endpoint).invalid, rules, endpoint)
    return picked.flatmap(functools.partial(vary, registry=endpoint.rules))
