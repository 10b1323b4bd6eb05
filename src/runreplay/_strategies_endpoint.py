"""Hypothesis strategies for any endpoint, from its factories as data (`factories._kit.EndpointKit`).

A `Drawing` is a kit plus what hypothesis needs of it: how draws answer its writer's decisions
(`choices`, default `DrawChoices`), the prefix of its strategies' names, and optionally its own rule
checks and invalid draws. One generic set of strategies takes a `Drawing`: `bodies_of` and
`requests_of` (the kit's writer with hypothesis deciding, so examples shrink), `edge_requests_of` and
`invalid_requests_of` (the kit's catalogs; an invalid case of a numeric bound may get any value past
the bound). `runreplay.strategies` binds them to create-thread-and-run and to `POST /v1/responses`;
`endpoint_bodies(endpoint)` and friends bind them to an `Endpoint` with every default.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from runreplay.factories._case import Case, copy_json
from runreplay.factories._kit import EndpointKit, catalog_cases
from runreplay.factories._source import Choices
from runreplay.models._endpoint import Endpoint
from runreplay.models._schema_rules import SchemaRule

T = TypeVar("T")

__all__ = [
    "DrawChoices",
    "Drawing",
    "bodies_of",
    "edge_requests_of",
    "endpoint_bodies",
    "endpoint_edge_requests",
    "endpoint_invalid_requests",
    "invalid_requests_of",
    "requests_of",
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


def check_rules(
    caller: str, rules: Iterable[str] | None, kit: EndpointKit, *, valid: bool
) -> tuple[str, ...] | None:
    """The rule ids to keep (None: all), or InvalidArgument for a string, unknown ids or no case."""
    if rules is None:
        return None
    if isinstance(rules, str):
        raise InvalidArgument(
            f"{caller} got rules={rules!r}; expected an iterable of rule ids, e.g. rules=[{rules!r}]"
        )
    wanted = set(rules)
    unknown = sorted(wanted - set(kit.registry))
    if unknown:
        raise InvalidArgument(f"{caller} got unknown rule ids {unknown}; expected ids of {kit.rules_name}")
    if not any(case.rule in wanted for case in catalog_cases(kit, valid=valid)):
        raise InvalidArgument(f"{caller} has no case for rules {sorted(wanted)}; pick rules that have cases")
    return tuple(sorted(wanted))


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
    if keys[-1] not in holder:  # a missing required key: nothing at the path to vary
        return st.just(case)
    entry = registry[case.rule]
    if _past(entry, holder[keys[-1]]) is None:
        return st.just(case)
    return st.just(case) | _drawn(case, entry)


# --- the generic strategies over a Drawing ----------------------------------------------------------

RulesCheck = Callable[[str, Iterable[str] | None, EndpointKit, bool], tuple[str, ...] | None]
InvalidDraw = Callable[[st.DrawFn, tuple[str, ...] | None], Case]


def _default_check(
    caller: str, rules: Iterable[str] | None, kit: EndpointKit, valid: bool
) -> tuple[str, ...] | None:
    return check_rules(caller, rules, kit, valid=valid)


@dataclass(frozen=True, eq=False)
class Drawing:
    """An endpoint's strategies as data: its kit, and how hypothesis answers and checks it."""

    kit: EndpointKit
    prefix: str = ""
    """Put before every strategy name (`responses_` gives `responses_bodies()`), in reprs and messages."""
    choices: Callable[[st.DrawFn], Choices] = DrawChoices
    """Hypothesis answering the writer's decisions, so that examples shrink decision by decision."""
    check: RulesCheck = _default_check
    """(caller, rules, kit, valid) -> the rule ids to keep (None: all), raising InvalidArgument."""
    draw_invalid: InvalidDraw | None = None
    """Draws one invalid case itself (default: a catalog case, numeric bounds varied by `vary`)."""

    def __repr__(self) -> str:
        return f"Drawing({self.kit!r}, prefix={self.prefix!r})"


def _draw_body(drawing: Drawing, draw: st.DrawFn, **shape: Any) -> Any:
    return drawing.kit.body(drawing.choices(draw), **shape)


def _draw_request(drawing: Drawing, draw: st.DrawFn, **shape: Any) -> Any:
    return drawing.kit.model.model_validate(_draw_body(drawing, draw, **shape))


def _draw_edge(drawing: Drawing, draw: st.DrawFn, rules: tuple[str, ...] | None = None) -> Case:
    cases = catalog_cases(drawing.kit, valid=True)
    case = draw(st.sampled_from(cases if rules is None else [c for c in cases if c.rule in rules]))
    return Case(case.id, copy_json(case.body), case.rule, True, case.path)


def _draw_invalid(drawing: Drawing, draw: st.DrawFn, rules: tuple[str, ...] | None = None) -> Case:
    if drawing.draw_invalid is not None:
        return drawing.draw_invalid(draw, rules)
    cases = catalog_cases(drawing.kit, valid=False)
    case = draw(st.sampled_from(cases if rules is None else [c for c in cases if c.rule in rules]))
    return draw(vary(Case(case.id, copy_json(case.body), case.rule, False, case.path), drawing.kit.registry))


Job = Callable[..., Any]


@functools.cache
def _composite(drawing: Drawing, name: str, job: Job) -> Callable[..., st.SearchStrategy[Any]]:
    """A composite strategy named `<prefix><name>` (its repr reads like the public call) running `job`."""

    def draw_one(draw: st.DrawFn, **keywords: Any) -> Any:
        return job(drawing, draw, **keywords)

    draw_one.__name__ = draw_one.__qualname__ = drawing.prefix + name
    return st.composite(draw_one)


def bodies_of(drawing: Drawing, /, **shape: Any) -> st.SearchStrategy[Any]:
    """Valid wire bodies of the endpoint, written by its kit's writer with hypothesis deciding."""
    return _composite(drawing, "bodies", _draw_body)(**shape)


def requests_of(drawing: Drawing, /, **shape: Any) -> st.SearchStrategy[Any]:
    """Valid request models of the endpoint (the bodies of `bodies_of`, validated by its model)."""
    return _composite(drawing, "requests", _draw_request)(**shape)


def edge_requests_of(drawing: Drawing, /, rules: Iterable[str] | None = None) -> st.SearchStrategy[Case]:
    """Valid boundary `Case`s of the endpoint's edge catalog (fresh copies), optionally only of `rules`."""
    wanted = drawing.check(f"{drawing.prefix}edge_requests()", rules, drawing.kit, True)
    strategy = _composite(drawing, "edge_requests", _draw_edge)
    return strategy() if wanted is None else strategy(rules=wanted)


def invalid_requests_of(drawing: Drawing, /, rules: Iterable[str] | None = None) -> st.SearchStrategy[Case]:
    """`Case`s that each break exactly one rule of the endpoint (of `rules`, default all)."""
    wanted = drawing.check(f"{drawing.prefix}invalid_requests()", rules, drawing.kit, False)
    strategy = _composite(drawing, "invalid_requests", _draw_invalid)
    return strategy() if wanted is None else strategy(rules=wanted)


# --- any endpoint declared as data ------------------------------------------------------------------


@functools.cache
def _drawing(endpoint: Endpoint) -> Drawing:
    """The endpoint with every default: schema writer, schema catalogs, `endpoint_` names."""
    return Drawing(EndpointKit(endpoint), prefix="endpoint_")


def endpoint_bodies(endpoint: Endpoint) -> st.SearchStrategy[Any]:
    """Valid wire bodies of any endpoint, written from its compiled schema (shrinking to the smallest)."""
    return bodies_of(_drawing(endpoint))


def endpoint_edge_requests(
    endpoint: Endpoint, *, rules: Iterable[str] | None = None
) -> st.SearchStrategy[Case]:
    """Valid boundary `Case`s of any endpoint's schema rules."""
    return edge_requests_of(_drawing(endpoint), rules)


def endpoint_invalid_requests(
    endpoint: Endpoint, *, rules: Iterable[str] | None = None
) -> st.SearchStrategy[Case]:
    """`Case`s that each break exactly one schema rule of any endpoint (numeric bounds: any value past it)."""
    return invalid_requests_of(_drawing(endpoint), rules)
