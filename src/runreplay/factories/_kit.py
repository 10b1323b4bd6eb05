"""An endpoint's factories as data (`EndpointKit`), and the generic functions its public factories bind.

A kit is an `Endpoint` plus what only that endpoint knows: its request model, its realistic body writer
(default: `_schema_bodies.write_body`, from the compiled schema), how a seed becomes a random source,
and its hand-designed catalog cases (default: the schema-derived `_schema_cases.catalog`). The generic
functions take a kit: `build` (seed + overrides -> a validated model), `edge_cases` / `invalid_cases`
(fresh copies of the catalogs) and `SeededFactory` (numbered builds from one seed). The public factories
of `POST /v1/threads/runs` (`runreplay.factories`) and `POST /v1/responses`
(`runreplay.factories.responses`) are these functions bound to their kit.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import random
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, ValidationError

from runreplay.errors import ConfigurationError
from runreplay.factories._case import Case, fresh
from runreplay.factories._overrides import OMIT
from runreplay.factories._schema_bodies import write_body
from runreplay.factories._schema_cases import catalog
from runreplay.factories._source import Choices, RandomSource
from runreplay.models._endpoint import Endpoint
from runreplay.models._endpoint_model import request_model, rule_ids_for

__all__ = [
    "EndpointKit",
    "SeededFactory",
    "build",
    "catalog_cases",
    "check_seed",
    "derive_seed",
    "edge_cases",
    "fresh",
    "invalid_cases",
    "set_override",
]

Compose = Callable[[str, int, Mapping[str, Any]], Any]
Explain = Callable[[str, Mapping[str, Any], ValidationError], None]


@dataclass(frozen=True, eq=False)
class EndpointKit:
    """An endpoint with the pieces only it knows; every field but `endpoint` has a generic default."""

    endpoint: Endpoint
    model_class: type[BaseModel] | None = None
    """The request model (default: `request_model(endpoint, ...)`, strict and running every rule)."""
    write: Callable[..., Any] | None = None
    """The realistic body writer: `write(src, **shape)`, every decision taken from `src` (default: from
    the schema, which takes no shape keywords)."""
    source: Callable[[int], Choices] | None = None
    """A seed -> the writer's decisions (default: `RandomSource`, `runreplay-endpoint:<name>:<seed>`)."""
    compose: Compose | None = None
    """(caller, seed, overrides) -> wire body, for endpoints whose keywords mean more than wire keys."""
    explain: Explain | None = None
    """Raises the error for overrides that made the body invalid (returns: the ValidationError stands)."""
    title: str = ""
    """How messages name the request body (default: the endpoint's name)."""
    rules: Mapping[str, Any] | None = None
    """The rule registry by id (default: `endpoint.rules`)."""
    edge: Callable[[], Sequence[Case]] | None = None
    """The whole edge catalog, hand-designed (default: the schema-derived one)."""
    invalid: Callable[[], Sequence[Case]] | None = None
    """The whole invalid catalog, hand-designed (default: the schema-derived one)."""
    extra_cases: Callable[[], Iterable[Case]] | None = None
    """Hand-designed cases (prose rules) put after the schema-derived ones: valid to edge, else invalid."""

    @functools.cached_property
    def model(self) -> type[BaseModel]:
        """The request model."""
        return self.model_class or request_model(self.endpoint, "EndpointRequest")

    @property
    def registry(self) -> Mapping[str, Any]:
        """Every rule of the endpoint by id."""
        return self.rules if self.rules is not None else self.endpoint.rules

    @property
    def rules_name(self) -> str:
        """Where users find the rule ids, for error messages."""
        return self.endpoint.rules_name or f"the rules of {self.endpoint.name}"

    def random_source(self, seed: int) -> Choices:
        """The writer's decisions for one seed, the same in any process."""
        if self.source is not None:
            return self.source(seed)
        return RandomSource(random.Random(f"runreplay-endpoint:{self.endpoint.name}:{seed}"))

    def body(self, src: Choices, **shape: Any) -> Any:
        """One realistic valid wire body, every decision taken from `src` (random or hypothesis)."""
        if self.write is not None:
            return self.write(src, **shape)
        if shape:
            raise ConfigurationError(
                f"{self.endpoint.name} bodies got shape keywords {sorted(shape)}; expected none: the "
                "schema's writer takes no shape. Declare the endpoint's own writer to use them."
            )
        return write_body(self.endpoint, src)

    def __repr__(self) -> str:
        return f"EndpointKit({self.endpoint.name!r})"


def derive_seed(seed: int, index: int) -> int:
    """The seed of build number `index` of a `SeededFactory(seed)`: stable across processes and versions."""
    digest = hashlib.blake2b(f"runreplay:{seed}:{index}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def check_seed(caller: str, seed: Any) -> int:
    """The seed to use: `seed` itself, or a draw from the `random` module for None."""
    if seed is None:
        return random.getrandbits(64)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ConfigurationError(
            f"{caller} got seed={seed!r}; expected an integer (or None for a fresh seed). Pass e.g. seed=42."
        )
    return seed


def set_override(body: dict[str, Any], name: str, value: Any) -> None:
    """Set (or with OMIT remove) the key an `a__b` override names, making objects on the way."""
    keys = name.split("__")
    holder = body
    for key in keys[:-1]:
        nxt = holder.get(key)
        if not isinstance(nxt, dict):
            nxt = holder[key] = {}
        holder = nxt
    if value is OMIT:
        holder.pop(keys[-1], None)
    else:
        holder[keys[-1]] = (
            value.model_dump(mode="json", exclude_unset=True) if hasattr(value, "model_dump") else value
        )


def _compose(kit: EndpointKit, caller: str, seed: int, overrides: Mapping[str, Any]) -> Any:
    """The written body with the overrides set by wire key (`a__b` nested, OMIT removes)."""
    known = set(kit.model.model_fields)
    body = kit.body(kit.random_source(seed))
    for name, value in overrides.items():
        if name.split("__")[0] not in known:
            raise ConfigurationError(
                f"{caller} got an unknown override {name!r}; expected a key of the "
                f"{kit.title or kit.endpoint.name} request body ({', '.join(sorted(known))}), with `__` "
                "to reach nested keys."
            )
        set_override(body, name, value)
    return body


def _explain(kit: EndpointKit, caller: str, overrides: Mapping[str, Any], error: ValidationError) -> None:
    """Raise the ConfigurationError naming every rule the overrides broke."""
    broken = "; ".join(f"{rule} at {path}" for rule, path in rule_ids_for(error))
    raise ConfigurationError(
        f"{caller} overrides {sorted(overrides)} make the body invalid: {broken}. "
        f"Pass values the rules allow (see {kit.rules_name})."
    ) from None


def build(kit: EndpointKit, caller: str, seed: int | None, overrides: Mapping[str, Any]) -> Any:
    """A realistic, valid request model of the kit's endpoint, the same for the same seed in any process."""
    checked = check_seed(caller, seed)
    if kit.compose is not None:
        body = kit.compose(caller, checked, overrides)
    else:
        body = _compose(kit, caller, checked, overrides)
    try:
        return kit.model.model_validate(body)
    except ValidationError as error:
        if kit.explain is not None:
            kit.explain(caller, overrides, error)
            raise
        _explain(kit, caller, overrides, error)
        raise  # pragma: no cover - _explain always raises


@functools.cache
def _catalogs(kit: EndpointKit) -> tuple[tuple[Case, ...], tuple[Case, ...]]:
    """The kit's edge and invalid catalogs, built once per process."""
    extra = tuple(kit.extra_cases()) if kit.extra_cases is not None else ()
    edge = tuple(kit.edge()) if kit.edge is not None else tuple(catalog(kit.endpoint).edge)
    invalid = tuple(kit.invalid()) if kit.invalid is not None else tuple(catalog(kit.endpoint).invalid)
    edge += tuple(case for case in extra if case.valid)
    invalid += tuple(case for case in extra if not case.valid)
    return edge, invalid


def edge_cases(kit: EndpointKit) -> list[Case]:
    """The kit's valid cases at every limit, enum value and branch (fresh copies, the same order)."""
    return fresh(_catalogs(kit)[0])


def invalid_cases(kit: EndpointKit) -> list[Case]:
    """The kit's cases that each break exactly one rule, at `case.path` (fresh copies, the same order)."""
    return fresh(_catalogs(kit)[1])


def catalog_cases(kit: EndpointKit, *, valid: bool) -> tuple[Case, ...]:
    """The kit's cached edge (valid=True) or invalid catalog itself: copy a case before changing it."""
    return _catalogs(kit)[0 if valid else 1]


class SeededFactory:
    """Deterministic requests from one seed: build number n uses `derive_seed(seed, n)`.

    Two factories with the same seed give the same sequence, whatever else was built in between.
    Subclasses bind `kit`.
    """

    kit: ClassVar[EndpointKit]

    def __init__(self, seed: int | None) -> None:
        self._seed = check_seed(f"{type(self).__name__}()", seed)
        self._counter: Iterator[int] = itertools.count()

    @property
    def seed(self) -> int:
        """The seed this factory derives every build from."""
        return self._seed

    def build(self, **overrides: Any) -> Any:
        """The next request: different from the previous ones, the same on every run with this seed."""
        caller = f"{type(self).__name__}.build()"
        if "seed" in overrides:
            raise ConfigurationError(
                f"{caller} got seed={overrides['seed']!r}; its seeds derive from the factory's seed "
                f"({self._seed}). Make a {type(self).__name__}(seed=...) or call build_request(seed=...) "
                "instead."
            )
        return build(self.kit, caller, derive_seed(self._seed, next(self._counter)), overrides)

    def edge_cases(self) -> list[Case]:
        """The kit's edge catalog (it does not depend on the seed)."""
        return edge_cases(self.kit)

    def invalid_cases(self) -> list[Case]:
        """The kit's invalid catalog (it does not depend on the seed)."""
        return invalid_cases(self.kit)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(seed={self._seed})"
