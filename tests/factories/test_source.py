"""Tests of `runreplay.factories._source`: the seeded entropy every factory body is drawn from."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from runreplay.factories._source import RandomSource


def _decisions(seed: int) -> list[object]:
    src = RandomSource(random.Random(seed))
    return [
        src.chance(0.5),
        src.integer(1, 9),
        src.size(0, 20),
        src.choice("abc"),
        src.sample(range(10), 3),
        src.real(0, 2),
        src.token("xyz", 5),
        src.text(["one", "two"]),
    ]


def test_the_same_seed_gives_the_same_decisions() -> None:
    assert _decisions(7) == _decisions(7)
    assert _decisions(7) != _decisions(8)


@given(st.integers(0, 2**32), st.integers(0, 30), st.integers(0, 30))
def test_a_size_is_always_within_its_bounds(seed: int, low: int, span: int) -> None:
    src = RandomSource(random.Random(seed))
    assert low <= src.size(low, low + span) <= low + span
    assert src.size(low, low) == low
