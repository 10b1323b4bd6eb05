"""Hypothesis strategies for `POST /v1/responses` bodies; re-exported by `runreplay.strategies`.

* `responses_bodies()` draws valid wire dicts and `responses_requests()` `CreateResponseRequest`s. They
  run the generator `runreplay.factories.responses.build_request` runs, with hypothesis taking its
  decisions, so every example is valid by construction and shrinks towards `{"model": "gpt-4o",
  "input": "<first sentence>"}`.
* `responses_edge_requests(rules=None)` and `responses_invalid_requests(rules=None)` draw `Case`s from
  the edge and invalid catalogs (optionally only those of the given rule ids).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from runreplay.factories import responses as factories
from runreplay.factories._case import Case
from runreplay.models import responses as model

__all__ = ["responses_bodies", "responses_edge_requests", "responses_invalid_requests", "responses_requests"]

T = TypeVar("T")


class _Draws:
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


@st.composite
def _bodies(draw: st.DrawFn) -> dict[str, Any]:
    return factories.generate(_Draws(draw))


def responses_bodies() -> st.SearchStrategy[dict[str, Any]]:
    """Valid, realistic `POST /v1/responses` wire bodies."""
    return _bodies()


def responses_requests() -> st.SearchStrategy[model.CreateResponseRequest]:
    """Valid, realistic `CreateResponseRequest` models."""
    return _bodies().map(model.CreateResponseRequest.model_validate)


def _pick(caller: str, cases: list[Case], rules: Iterable[str] | None) -> st.SearchStrategy[Case]:
    """A strategy over the cases of the given rules, checking the argument."""
    if rules is None:
        return st.sampled_from(cases)
    if isinstance(rules, str):
        raise InvalidArgument(
            f"{caller} got rules={rules!r}; expected an iterable of rule ids, e.g. rules=[{rules!r}]"
        )
    wanted = set(rules)
    unknown = sorted(wanted - set(model.RULES))
    if unknown:
        raise InvalidArgument(
            f"{caller} got unknown rule ids {unknown}; expected ids of runreplay.models.responses.RULES"
        )
    chosen = [case for case in cases if case.rule in wanted]
    if not chosen:
        raise InvalidArgument(f"{caller} has no case for rules {sorted(wanted)}; pick rules that have cases")
    return st.sampled_from(chosen)


def responses_edge_requests(*, rules: Iterable[str] | None = None) -> st.SearchStrategy[Case]:
    """Valid boundary `Case`s from `runreplay.factories.responses.edge_cases()`."""
    return _pick("responses_edge_requests()", factories.edge_cases(), rules)


def responses_invalid_requests(*, rules: Iterable[str] | None = None) -> st.SearchStrategy[Case]:
    """`Case`s that each break exactly one rule, from `runreplay.factories.responses.invalid_cases()`."""
    return _pick("responses_invalid_requests()", factories.invalid_cases(), rules)
