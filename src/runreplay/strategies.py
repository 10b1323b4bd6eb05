"""Hypothesis strategies for create-thread-and-run bodies: valid, edge and invalid, all shrinking.

* `requests()` draws valid `CreateThreadAndRunRequest` models and `bodies()` their wire dicts. They run
  the very generator `build_request` runs, with hypothesis answering its decisions, so every example
  is valid by construction (no filtering) and shrinks key by key to `{"assistant_id": "asst_000…"}`.
* `edge_requests()` draws from the edge catalog (shrinking towards its first case).
* `invalid_requests()` draws a rule, one of its paths, and an offending value: a catalog value, or a
  freshly drawn one (any too-large number, any wrong-typed value, any unknown key, any bad name...).
  Every example breaks exactly its `rule`, at its `path`.

The edge and invalid strategies draw `Case`s: `case.body` is the wire dict, `case.rule` the rule id.
Arguments are keyword-only and checked when the strategy is made (`InvalidStrategyArgument`, which is
both hypothesis's `InvalidArgument`, as hypothesis users expect, and a `runreplay.errors.ConfigurationError`).
The `POST /v1/responses` strategies (`responses_requests()`, `responses_bodies()`,
`responses_edge_requests()`, `responses_invalid_requests()`) live in `runreplay._strategies_responses`.
"""

from __future__ import annotations

import functools
import math
import string
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from runreplay._strategies_endpoint import (
    Drawing,
    bodies_of,
    edge_requests_of,
    invalid_requests_of,
    requests_of,
)
from runreplay._strategies_responses import (
    responses_bodies,
    responses_edge_requests,
    responses_invalid_requests,
    responses_requests,
)
from runreplay.errors import ConfigurationError
from runreplay.factories._case import Case, HugeList, case_id, copy_json, minimal
from runreplay.factories._kit import EndpointKit, catalog_cases
from runreplay.factories._shape import SHAPE_DEFAULTS, shape_keywords, unknown_keyword_problem
from runreplay.factories.invalid import breach, catalog_values
from runreplay.factories.valid import KIT, shape_problem
from runreplay.models import RULES, CreateThreadAndRunRequest, Rule

__all__ = [
    "DRAWING",
    "bodies",
    "edge_requests",
    "invalid_requests",
    "requests",
    "responses_bodies",
    "responses_edge_requests",
    "responses_invalid_requests",
    "responses_requests",
]

T = TypeVar("T")


class InvalidStrategyArgument(ConfigurationError, InvalidArgument):
    """A strategy argument that cannot be met: hypothesis's `InvalidArgument` in runreplay's error tree."""


_PERCENT = st.integers(0, 99)
_FREE_TEXT = st.text(max_size=40)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
_FRACTION_OF = {str(entry.limits["of"]) for entry in RULES.values() if entry.kind == "max_fraction"}


_CACHE: dict[Any, st.SearchStrategy[Any]] = {}


def _cached(key: Any, make: Callable[[], st.SearchStrategy[T]]) -> st.SearchStrategy[T]:
    """One strategy object per key: building and validating strategies per draw is most of the cost."""
    try:
        return _CACHE[key]
    except KeyError:
        strategy = _CACHE[key] = make()
        return strategy
    except TypeError:  # unhashable options (lists of dicts): build afresh
        return make()


class _DrawSource:
    """The generator's decisions, drawn from hypothesis: each shrinks to "absent", "fewest", "first"."""

    __slots__ = ("_draw",)

    def __init__(self, draw: st.DrawFn) -> None:
        self._draw = draw

    def chance(self, p: float) -> bool:
        """True with probability about `p`; shrinks to False."""
        return bool(self._draw(_PERCENT) >= 100 - round(p * 100))

    def integer(self, low: int, high: int) -> int:
        """An integer in [low, high]; shrinks to low."""
        return int(self._draw(_cached(("integers", low, high), lambda: st.integers(low, high))))

    def size(self, low: int, high: int) -> int:
        """A size in [low, high], half the time near low; shrinks to low."""
        if high <= low:
            return low
        sizes = _cached(
            ("size", low, high), lambda: st.integers(low, min(high, low + 3)) | st.integers(low, high)
        )
        return int(self._draw(sizes))

    def choice(self, options: Sequence[T]) -> T:
        """One of `options`; shrinks to the first."""
        return self._draw(_cached(("choice", options), lambda: st.sampled_from(options)))

    def sample(self, options: Sequence[T], k: int) -> list[T]:
        """`k` distinct members; shrinks to the first `k`."""
        last = len(options) - 1
        indexes = self._draw(
            _cached(
                ("sample", last, k),
                lambda: st.lists(st.integers(0, last), min_size=k, max_size=k, unique=True),
            )
        )
        return [options[index] for index in indexes]

    def real(self, low: float, high: float) -> float:
        """A float in [low, high]."""
        return float(self._draw(_cached(("floats", low, high), lambda: st.floats(low, high))))

    def token(self, alphabet: str, length: int) -> str:
        """`length` characters of `alphabet`."""
        strategy = _cached(
            ("text", alphabet, length), lambda: st.text(alphabet, min_size=length, max_size=length)
        )
        return str(self._draw(strategy))

    def text(self, options: Sequence[str]) -> str:
        """A pool entry, or any text at all; shrinks to the first entry."""
        return str(self._draw(_cached(("free", options), lambda: st.sampled_from(options) | _FREE_TEXT)))


def _shape(caller: str, values: dict[str, Any]) -> dict[str, Any]:
    """The non-default shape arguments, or InvalidStrategyArgument saying why they cannot be met."""
    problem = unknown_keyword_problem(caller, list(values)) or shape_problem(caller, values)
    if problem is not None:
        raise InvalidStrategyArgument(problem)
    return {key: value for key, value in values.items() if value != SHAPE_DEFAULTS[key]}


@shape_keywords
def requests(**shape: Any) -> st.SearchStrategy[CreateThreadAndRunRequest]:
    """Valid requests (models), built like `build_request` builds them, shrinking to minimal bodies.

    The traits and bounds (the keywords of `Shape`) mean what they mean for `build_request`: True
    requires a trait, False rules it out, None leaves it open. Unknown keywords and impossible
    combinations raise InvalidStrategyArgument.
    """
    request: st.SearchStrategy[CreateThreadAndRunRequest] = requests_of(
        DRAWING, **_shape("requests()", shape)
    )
    return request


@shape_keywords
def bodies(**shape: Any) -> st.SearchStrategy[dict[str, Any]]:
    """Valid wire bodies (dicts), exactly as `requests()` would build them; arguments as for `requests()`."""
    body: st.SearchStrategy[dict[str, Any]] = bodies_of(DRAWING, **_shape("bodies()", shape))
    return body


def _rules(caller: str, rules: Iterable[str] | None, pool: Iterable[str]) -> list[str]:
    """The rule ids to draw from, or InvalidArgument for unknown or empty ones."""
    known = list(pool)
    if rules is None:
        return known
    if isinstance(rules, str):
        raise InvalidStrategyArgument(
            f"{caller} got rules={rules!r}, a single string; expected an iterable of rule ids. "
            f"Pass rules=[{rules!r}]."
        )
    chosen = list(rules)
    unknown = [rule_id for rule_id in chosen if rule_id not in RULES]
    if unknown:
        raise InvalidStrategyArgument(
            f"{caller} got unknown rule ids {', '.join(map(repr, unknown))}; expected ids from "
            "runreplay.models.RULES, such as 'temperature.range' or 'metadata.max_pairs'."
        )
    missing = [rule_id for rule_id in chosen if rule_id not in known]
    if missing or not chosen:
        raise InvalidStrategyArgument(
            f"{caller} got rules={chosen!r}, but the catalog has no case for "
            f"{', '.join(map(repr, missing)) or 'an empty list'}; pick rules that have cases."
        )
    return chosen


def _check(caller: str, rules: Iterable[str] | None, kit: EndpointKit, valid: bool) -> tuple[str, ...] | None:
    """This endpoint's rule check: the ids of `rules` (None: all), every one with a case in the catalog."""
    if rules is None:
        return None
    known = dict.fromkeys(case.rule for case in catalog_cases(kit, valid=True)) if valid else RULES
    return tuple(_rules(caller, rules, known))


def edge_requests(*, rules: Iterable[str] | None = None) -> st.SearchStrategy[Case]:
    """Edge cases (valid `Case`s) from `edge_cases()`, optionally only those of the given rule ids."""
    return edge_requests_of(DRAWING, rules)


# --- drawn offending values -------------------------------------------------------------------------

_LETTERS = string.ascii_letters + "é𝔘🙂"


def _wrong_type(draw: st.DrawFn, entry: Rule, example: Any) -> Any:
    """A value of a JSON type the rule does not allow (a fraction inside the bounds for integers)."""
    allowed = set(entry.limits["types"])
    kinds = ["null", "boolean", "integer", "number", "string", "array", "object"]
    wrong = [
        kind
        for kind in kinds
        if not ({kind} | ({"number"} if kind == "integer" else set())) & allowed
        and not (kind == "number" and "number" in allowed)
    ]
    kind = draw(st.sampled_from(wrong))
    if kind == "number" and "integer" in allowed:  # a fraction inside the bounds: only the type is wrong
        return example + draw(st.sampled_from((0.5, 0.25, 0.75, 0.125)))
    strategies: dict[str, st.SearchStrategy[Any]] = {
        "null": st.none(),
        "boolean": st.booleans(),
        "integer": st.integers(),
        "number": st.floats(allow_nan=False, allow_infinity=False).filter(
            lambda value: not value.is_integer()
        ),
        "string": st.text(max_size=20),
        "array": st.lists(_SCALARS, max_size=3),
        "object": st.dictionaries(st.text(max_size=8), _SCALARS, max_size=3),
    }
    return draw(strategies[kind])


def _out_of_range(draw: st.DrawFn, entry: Rule) -> Any:
    """A number beyond the rule's bounds (integers also as integral floats)."""
    low: Any = entry.limits["minimum"]
    high: Any = entry.limits.get("maximum")
    type_rule = RULES[f"{entry.subject}.json_type"]
    floor = 0 if entry.subject in _FRACTION_OF else -(10**12)
    if "integer" in type_rule.limits["types"]:
        below: st.SearchStrategy[int] = (
            st.integers(floor, int(low) - 1) if int(low) - 1 >= floor else st.nothing()
        )
        above: st.SearchStrategy[int] = (
            st.integers(int(high) + 1, 10**12) if high is not None else st.nothing()
        )
        value = draw(below | above)
        return float(value) if draw(st.booleans()) else value
    under = st.floats(min_value=-1e12, max_value=math.nextafter(float(low), -math.inf))
    over = st.floats(min_value=math.nextafter(float(high), math.inf), max_value=1e12)
    return draw(under | over)


def _bad_name(draw: st.DrawFn, entry: Rule) -> str:
    """A name off the pattern: a stray character, too long, or empty."""
    alphabet, longest = entry.limits["alphabet"], entry.limits["max_length"]
    name = draw(st.text(alphabet, min_size=1, max_size=longest - 1))
    bad = draw(st.characters(codec="utf-8", exclude_characters=alphabet))
    at = draw(st.integers(0, len(name)))
    spliced = name[:at] + bad + name[at:]
    too_long = st.text(alphabet, min_size=longest + 1, max_size=longest + 30)
    return str(draw(st.just(spliced) | too_long | st.just("")))


def _drawn_value(draw: st.DrawFn, entry: Rule, pattern: str, example: Any) -> Any:
    """A fresh offending value for `breach`, or NotImplemented where the catalog has every variant."""
    kind, limits = entry.kind, entry.limits
    if kind == "json_type":
        return _wrong_type(draw, entry, example)
    if kind == "value_type":
        key = draw(st.text(max_size=10))
        return {
            key: draw(
                _SCALARS.filter(lambda value: not isinstance(value, str)) | st.lists(_SCALARS, max_size=2)
            )
        }
    if kind in ("range", "minimum"):
        return _out_of_range(draw, entry)
    if kind == "enum":
        return draw(st.text(max_size=16).filter(lambda value: value not in limits["enum"]))
    if kind == "pattern":
        return _bad_name(draw, entry)
    if kind == "closed" and not isinstance(limits["properties"], dict):
        allowed = set(limits["properties"])
        # No "]" in keys: runreplay.models.rule_ids_for cannot name the error for a key holding one
        # (its path `$["a]"]` defeats the parent-path regex); reported to the models' owner. No lone
        # surrogates anywhere (utf-8 codec): pydantic rejects them as string_unicode, which no rule names.
        keys = st.text(st.characters(codec="utf-8", exclude_characters="]"), min_size=1, max_size=12).filter(
            lambda key: key not in allowed
        )
        return {draw(keys): draw(_SCALARS)}
    if kind == "max_properties":
        count = draw(st.integers(limits["max_properties"] + 1, limits["max_properties"] + 8))
        return {f"key_{index:02d}": draw(st.text(max_size=12)) for index in range(count)}
    if kind == "key_length":
        key = draw(st.text(_LETTERS, min_size=limits["max_length"] + 1, max_size=limits["max_length"] + 40))
        return {key: "value"}
    if kind == "value_length":
        return {"note": draw(st.text(min_size=limits["max_length"] + 1, max_size=limits["max_length"] + 100))}
    if kind == "max_items":
        items = list(example)
        extra = draw(st.integers(0, 3))
        if isinstance(example, HugeList):
            return HugeList(items, example.length + extra)
        return items + [copy_json(items[-1]) for _ in range(extra)]
    if kind == "max_fraction":
        whole = draw(
            st.integers(
                RULES["max_chunk_size_tokens.range"].limits["minimum"],
                RULES["max_chunk_size_tokens.range"].limits["maximum"],
            )
        )
        return whole, draw(st.integers(math.floor(whole * limits["fraction"]) + 1, whole * 2))
    return NotImplemented


@functools.cache
def _invalid_targets() -> dict[str, list[tuple[str, list[tuple[str, Any]]]]]:
    """For each rule id: its paths, each with the catalog's (variant, value) pairs."""
    return {
        entry.id: [(pattern, catalog_values(entry, pattern)) for pattern in entry.paths]
        for entry in RULES.values()
    }


@functools.cache
def _example(pattern: str) -> Any:
    """The anchor's value at `pattern` (shared: never mutate it)."""
    return minimal(pattern, whole=True)


def _draw_invalid(draw: st.DrawFn, rules: tuple[str, ...] | None = None) -> Case:
    """A rule, one of its paths, and a catalog or freshly drawn value that breaks it."""
    rule_id = draw(st.sampled_from(rules if rules is not None else tuple(RULES)))
    entry = RULES[rule_id]
    pattern, variants = draw(st.sampled_from(_invalid_targets()[rule_id]))
    variant, value = draw(st.sampled_from(variants))
    if draw(st.booleans()):
        drawn = _drawn_value(draw, entry, pattern, value if entry.kind == "max_items" else _example(pattern))
        if drawn is not NotImplemented:
            variant, value = "drawn", drawn
    body, path = breach(entry, pattern, value)
    return Case(case_id(entry, pattern, variant), body, entry.id, False, path)


def invalid_requests(*, rules: Iterable[str] | None = None) -> st.SearchStrategy[Case]:
    """Invalid `Case`s, each breaking exactly one rule (of `rules`, default all) with a drawn value."""
    return invalid_requests_of(DRAWING, rules)


DRAWING = Drawing(KIT, choices=_DrawSource, check=_check, draw_invalid=_draw_invalid)
"""Create-thread-and-run's strategies as data: shaped draws, its rule checks, fresh offending values."""
