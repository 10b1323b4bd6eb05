"""The generator's entropy: the `Source` protocol and `RandomSource`, its seeded `random.Random` answer.

The hypothesis answer, `_DrawSource`, lives in `runreplay.strategies`, so that strategies shrink.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Protocol, TypeVar

__all__ = ["Choices", "RandomSource", "Source"]

T = TypeVar("T")


class Choices(Protocol):
    """Where a generator's decisions come from: a seeded `random.Random`, or hypothesis's `draw`."""

    def chance(self, p: float) -> bool:
        """True with probability about `p` (hypothesis: shrinks to False)."""
        ...

    def integer(self, low: int, high: int) -> int:
        """An integer in [low, high]."""
        ...

    def choice(self, options: Sequence[T]) -> T:
        """One of `options` (hypothesis: shrinks to the first)."""
        ...

    def real(self, low: float, high: float) -> float:
        """A float in [low, high]."""
        ...


class Source(Choices, Protocol):
    """The thread-and-run generator's decisions: `Choices` plus sizes, samples, tokens and free text."""

    def size(self, low: int, high: int) -> int:
        """A collection size in [low, high], spread over small, typical and maximal sizes."""
        ...

    def sample(self, options: Sequence[T], k: int) -> list[T]:
        """`k` distinct members of `options`."""
        ...

    def token(self, alphabet: str, length: int) -> str:
        """`length` characters of `alphabet`."""
        ...

    def text(self, options: Sequence[str]) -> str:
        """Free text: one of `options` (hypothesis: sometimes any text at all)."""
        ...


class RandomSource:
    """A `Source` over one `random.Random`: the factories' entropy, a few hundred nanoseconds a decision."""

    __slots__ = ("_random",)

    def __init__(self, rng: random.Random) -> None:
        self._random = rng

    def chance(self, p: float) -> bool:
        """True with probability `p`."""
        return self._random.random() < p

    def integer(self, low: int, high: int) -> int:
        """Uniform in [low, high]."""
        return self._random.randint(low, high)

    def size(self, low: int, high: int) -> int:
        """15% the minimum, 7% the maximum, 53% just above the minimum, 25% uniform."""
        if high <= low:
            return low
        draw = self._random.random()
        if draw < 0.15:
            return low
        if draw < 0.22:
            return high
        if draw < 0.75:
            return min(high, low + 1 + int(self._random.expovariate(0.6)))
        return self._random.randint(low, high)

    def choice(self, options: Sequence[T]) -> T:
        """Uniform over `options`."""
        return options[int(self._random.random() * len(options))]

    def sample(self, options: Sequence[T], k: int) -> list[T]:
        """`k` distinct members, in random order."""
        return self._random.sample(options, k)

    def real(self, low: float, high: float) -> float:
        """Uniform in [low, high]."""
        return self._random.uniform(low, high)

    def token(self, alphabet: str, length: int) -> str:
        """Uniform characters."""
        return "".join(self._random.choices(alphabet, k=length))

    def text(self, options: Sequence[str]) -> str:
        """One of `options`."""
        return self.choice(options)
