"""Hypothesis strategies for `POST /v1/responses` bodies; re-exported by `runreplay.strategies`.

* `responses_bodies()` draws valid wire dicts and `responses_requests()` `CreateResponseRequest`s. They
  run the generator `runreplay.factories.responses.build_request` runs, with hypothesis taking its
  decisions, so every example is valid by construction and shrinks towards `{"model": "gpt-4o",
  "input": [<one user message with one text part>]}`.
* `responses_edge_requests(rules=None)` draws `Case`s from the edge catalog, and
  `responses_invalid_requests(rules=None)` from the invalid catalog, where a numeric bound's case gets
  a freshly drawn value past its limit (any integer below a minimum, any float above a maximum...).
  Both optionally keep to the given rule ids; every invalid example breaks exactly its rule.

All four are the generic strategies of `runreplay._strategies_endpoint` bound to `DRAWING`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from hypothesis import strategies as st

from runreplay._strategies_endpoint import (
    Drawing,
    bodies_of,
    edge_requests_of,
    invalid_requests_of,
    requests_of,
)
from runreplay.factories import responses as factories
from runreplay.factories._case import Case
from runreplay.models import responses as model

__all__ = [
    "DRAWING",
    "responses_bodies",
    "responses_edge_requests",
    "responses_invalid_requests",
    "responses_requests",
]

DRAWING = Drawing(factories.KIT, prefix="responses_")
"""The Responses kit with every strategy default (fair-coin draws, the generic rule checks)."""


def responses_bodies() -> st.SearchStrategy[dict[str, Any]]:
    """Valid, realistic `POST /v1/responses` wire bodies."""
    return bodies_of(DRAWING)


def responses_requests() -> st.SearchStrategy[model.CreateResponseRequest]:
    """Valid, realistic `CreateResponseRequest` models."""
    return requests_of(DRAWING)


def responses_edge_requests(*, rules: Iterable[str] | None = None) -> st.SearchStrategy[Case]:
    """Valid boundary `Case`s from `runreplay.factories.responses.edge_cases()`."""
    return edge_requests_of(DRAWING, rules)


def responses_invalid_requests(*, rules: Iterable[str] | None = None) -> st.SearchStrategy[Case]:
    """`Case`s that each break exactly one rule, from `runreplay.factories.responses.invalid_cases()`."""
    return invalid_requests_of(DRAWING, rules)
