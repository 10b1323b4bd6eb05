"""Request factories: realistic valid bodies, a named edge catalog and a named invalid catalog.

* `build_request(seed=..., **overrides)` and `RequestFactory(seed).build()`: valid, realistic
  `CreateThreadAndRunRequest`s (Faker text, plausible ids, real JSON Schemas), the same for the same
  seed in any process and in any order; keyword traits (`streaming=True`, `function_tool=True`, ...)
  and overrides by wire key (`temperature=0.5`, `thread__metadata={...}`, `tools=OMIT`).
* `edge_cases()`: valid `Case`s at every bound, branch and enum value of the rule registry.
* `invalid_cases()`: `Case`s that each break exactly one registry rule, at `case.path`.

`Case(id, body, rule, valid, path)`: `body` is the wire dict, `rule` a registry rule id, `id` a stable
name usable as a pytest id (`temperature.range.just_above_max`). Hypothesis strategies over the same
generators live in `runreplay.strategies`.
"""

from __future__ import annotations

from runreplay.factories._case import Case, HugeList
from runreplay.factories.valid import (
    OMIT,
    TRAITS,
    RequestFactory,
    build_request,
    derive_seed,
    edge_cases,
    invalid_cases,
)

__all__ = [
    "OMIT",
    "TRAITS",
    "Case",
    "HugeList",
    "RequestFactory",
    "build_request",
    "derive_seed",
    "edge_cases",
    "invalid_cases",
]
