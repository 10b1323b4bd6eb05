"""Realistic valid requests: `build_request(seed=..., **overrides)` and `RequestFactory(seed).build()`.

One generator writes every body (`_generator.py`). It asks an entropy `Source` (`_source.py`) for each
decision (is this key present, how many tools, which model), and two sources answer: `RandomSource`
(a per-call `random.Random`, used here) and the hypothesis source in `runreplay.strategies` (so
strategies shrink). Traits and size bounds are a `Shape` (`_shape.py`); overrides by wire key are
parsed and applied by `_overrides.py`. This module is the public API over those pieces.
Text comes from pools sampled from Faker once and shipped as data (`_text.py`).

Determinism: a body depends only on its seed. Each call makes its own `random.Random(seed)`; nothing
global is read or advanced (with `seed=None` the seed itself is drawn from the `random` module, see
`build_request`).
"""

from __future__ import annotations

import hashlib
import itertools
import random
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import ValidationError

from runreplay.errors import ConfigurationError
from runreplay.factories._case import Case
from runreplay.factories._generator import Generator, generate
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
from runreplay.models import CreateThreadAndRunRequest, rule_ids_for

__all__ = [
    "OMIT",
    "TRAITS",
    "RandomSource",
    "RequestFactory",
    "Shape",
    "Source",
    "build_request",
    "derive_seed",
    "generate",
    "shape_problem",
]


def derive_seed(seed: int, index: int) -> int:
    """The seed of build number `index` of `RequestFactory(seed)`: stable across processes and versions."""
    digest = hashlib.blake2b(f"runreplay:{seed}:{index}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _check_seed(caller: str, seed: Any) -> int:
    """The seed to use: `seed` itself, or a draw from the `random` module for None."""
    if seed is None:
        return random.getrandbits(64)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ConfigurationError(
            f"{caller} got seed={seed!r}; expected an integer (or None for a fresh seed). Pass e.g. seed=42."
        )
    return seed


def _build(
    caller: str, seed: int, shape_values: Mapping[str, Any], overrides: Mapping[str, Any]
) -> CreateThreadAndRunRequest:
    """Generate with the traits, apply the overrides, check the traits still hold, validate."""
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
    try:
        return CreateThreadAndRunRequest.model_validate(body)
    except ValidationError as error:
        if not parsed:
            raise
        problems = "; ".join(f"{hit.message} (at {hit.path})" for hit in rule_ids_for(error))
        given = shown(overrides, list(overrides))
        raise ConfigurationError(
            f"{caller} got overrides ({given}) that make the request invalid: {problems}. "
            "Give each override a valid wire value; for deliberately invalid bodies use invalid_cases()."
        ) from error


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
    caller = "build_request()"
    shape_values, overrides = split_shape(overrides)
    return _build(caller, _check_seed(caller, seed), shape_values, overrides)


class RequestFactory:
    """Deterministic requests from one seed: build number n uses `derive_seed(seed, n)`.

    Two factories with the same seed give the same sequence, whatever else was built in between.
    """

    def __init__(self, seed: int | None) -> None:
        self._seed = _check_seed("RequestFactory()", seed)
        self._counter: Iterator[int] = itertools.count()

    @property
    def seed(self) -> int:
        """The seed this factory derives every build from."""
        return self._seed

    @shape_keywords
    def build(self, **overrides: Any) -> CreateThreadAndRunRequest:
        """The next request: different from the previous ones, the same on every run with this seed."""
        caller = "RequestFactory.build()"
        if "seed" in overrides:
            raise ConfigurationError(
                f"{caller} got seed={overrides['seed']!r}; its seeds derive from the factory's seed "
                f"({self._seed}). Make a RequestFactory(seed=...) or call build_request(seed=...) instead."
            )
        shape_values, overrides = split_shape(overrides)
        return _build(caller, derive_seed(self._seed, next(self._counter)), shape_values, overrides)

    def edge_cases(self) -> list[Case]:
        """`runreplay.factories.edge_cases()` (the catalog does not depend on the seed)."""
        from runreplay.factories.edge import edge_cases

        return list(edge_cases())

    def invalid_cases(self) -> list[Case]:
        """`runreplay.factories.invalid_cases()` (the catalog does not depend on the seed)."""
        from runreplay.factories.invalid import invalid_cases

        return list(invalid_cases())

    def __repr__(self) -> str:
        return f"RequestFactory(seed={self._seed})"
