"""Realistic valid requests: `build_request(seed=..., **overrides)` and `RequestFactory(seed).build()`.

One generator writes every body (`_generator.py`). It asks an entropy `Source` (`_source.py`) for each
decision (is this key present, how many tools, which model), and two sources answer: `RandomSource`
(a per-call `random.Random`, used here) and the hypothesis source in `runreplay.strategies` (so
strategies shrink). Traits and size bounds are a `Shape` (`_shape.py`); overrides by wire key are
parsed and applied by `_overrides.py`. This module declares those pieces as the endpoint's
`EndpointKit` (`KIT`, with the hand-designed catalogs of `edge.py` and `invalid.py`) and binds the
generic factories of `_kit.py` to it: `build_request`, `RequestFactory`, `edge_cases`, `invalid_cases`.
Text comes from pools sampled from Faker once and shipped as data (`_text.py`).

Determinism: a body depends only on its seed. Each call makes its own `random.Random(seed)`; nothing
global is read or advanced (with `seed=None` the seed itself is drawn from the `random` module, see
`build_request`).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from runreplay.errors import ConfigurationError
from runreplay.factories import edge, invalid
from runreplay.factories._case import Case
from runreplay.factories._generator import Generator, generate
from runreplay.factories._kit import EndpointKit, SeededFactory, build, derive_seed
from runreplay.factories._kit import edge_cases as kit_edge_cases
from runreplay.factories._kit import invalid_cases as kit_invalid_cases
from runreplay.factories._overrides import OMIT, apply_overrides, parse_override
from runreplay.factories._shape import (
    TRAITS,
    Shape,
    check_conflicts,
    checked_shape,
    shape_keywords,
    shape_problem,
    shown,
    split_shape,
)
from runreplay.factories._source import RandomSource, Source
from runreplay.models import RULES, CreateThreadAndRunRequest, rule_ids_for
from runreplay.models._thread_and_run import ENDPOINT

__all__ = [
    "KIT",
    "OMIT",
    "TRAITS",
    "RandomSource",
    "RequestFactory",
    "Shape",
    "Source",
    "build_request",
    "derive_seed",
    "edge_cases",
    "generate",
    "invalid_cases",
    "shape_problem",
]


def _write(src: Source, **shape: Any) -> dict[str, Any]:
    """A realistic body with the traits and bounds of `shape`, every decision taken from `src`."""
    return generate(src, Shape(**shape))


def _compose(caller: str, seed: int, keywords: Mapping[str, Any]) -> dict[str, Any]:
    """Generate with the traits, apply the overrides, check the traits still hold."""
    shape_values, overrides = split_shape(keywords)
    shape = checked_shape(caller, shape_values)
    parsed = [(parse_override(caller, name), value) for name, value in overrides.items()]
    forced_name = None
    if shape.function_tool and "tools" not in overrides:
        named = overrides.get("tool_choice__function__name")
        forced_name = named if isinstance(named, str) and named else None
    gen = Generator(RandomSource(random.Random(seed)), shape, forced_name)
    body = gen.body()
    if parsed:
        apply_overrides(body, parsed, gen)
        check_conflicts(caller, shape, body, overrides)
    return body


def _explain(caller: str, keywords: Mapping[str, Any], error: ValidationError) -> None:
    """Name the rules the overrides broke; a body the traits alone made invalid keeps its ValidationError."""
    overrides = split_shape(keywords)[1]
    if not overrides:
        return
    problems = "; ".join(f"{hit.message} (at {hit.path})" for hit in rule_ids_for(error))
    given = shown(overrides, list(overrides))
    raise ConfigurationError(
        f"{caller} got overrides ({given}) that make the request invalid: {problems}. "
        "Give each override a valid wire value; for deliberately invalid bodies use invalid_cases()."
    ) from error


KIT = EndpointKit(
    ENDPOINT,
    model_class=CreateThreadAndRunRequest,
    write=_write,
    source=lambda seed: RandomSource(random.Random(seed)),
    compose=_compose,
    explain=_explain,
    rules=RULES,
    edge=edge._catalog,
    invalid=invalid._catalog,
)
"""Create-thread-and-run's factories as data: its model, generator, traits and hand-designed catalogs."""


@shape_keywords
def build_request(*, seed: int | None = None, **overrides: Any) -> CreateThreadAndRunRequest:
    """A realistic, valid request, the same for the same seed in any process and in any order.

    * `seed=None` draws the seed from the `random` module (`random.getrandbits(64)`): a fresh body each
      call, reproducible when the test run seeds `random` (as pytest-randomly does per test). Pass a
      seed, or use the `request_factory` fixture, to pin it.
    * Traits (True: required, False: ruled out, None: either): `streaming` ("stream": true),
      `function_tool` (a function tool and a tool_choice forcing it), `file_search` (the tool plus a
      vector store on the thread), `json_schema` (a json_schema response format), `code_interpreter`
      (the tool plus its files). `min_tools`..`max_tools` and `min_messages`..`max_messages` bound sizes.
    * Overrides set wire keys after generation: `temperature=0.5`, `thread={...}` (replace),
      `thread__metadata={...}` or `tool_choice__function__name="lookup"` (nested keys, creating the
      objects on the way), `tools=OMIT` (remove). Pydantic models are accepted and dumped.

    Raises ConfigurationError for an unknown override, impossible traits or sizes, a trait an override
    contradicts, or overrides that make the request invalid (naming the rule broken).
    """
    request: CreateThreadAndRunRequest = build(KIT, "build_request()", seed, overrides)
    return request


class RequestFactory(SeededFactory):
    """Deterministic requests from one seed: build number n uses `derive_seed(seed, n)`.

    Two factories with the same seed give the same sequence, whatever else was built in between.
    """

    kit = KIT

    @shape_keywords
    def build(self, **overrides: Any) -> CreateThreadAndRunRequest:
        """The next request: different from the previous ones, the same on every run with this seed."""
        request: CreateThreadAndRunRequest = super().build(**overrides)
        return request


def edge_cases() -> list[Case]:
    """Every edge case: valid bodies at the registry's bounds, branches and enum values, plus hostile text.

    Each call returns fresh copies of the bodies (mutate them freely), in the same order every time.
    """
    return kit_edge_cases(KIT)


def invalid_cases() -> list[Case]:
    """Every invalid case: each breaks exactly one rule of the registry, at `path`, and nothing else.

    Each call returns fresh copies of the bodies, in the same order every time. One body holds a
    `HugeList` (100,000,001 file ids that are not there): do not send bodies anywhere, they are for
    validators.
    """
    return kit_invalid_cases(KIT)
