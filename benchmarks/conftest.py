"""Benchmark helpers: collect each benchmark's median and print runreplay-vs-anchor ratios at the end."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

_MEDIANS: dict[str, dict[str, float]] = {}
_BASELINES = ("vcrpy", "openai-sdk", "mocktransport", "http.server")


@pytest.fixture
def record() -> Callable[[Any, str, str], None]:
    """Call as ``record(benchmark, group, tool)`` after a benchmark ran, to enter it in the ratio table."""

    def enter(benchmark: Any, group: str, tool: str) -> None:
        stats = getattr(benchmark, "stats", None)
        if stats is not None:  # None under --benchmark-disable
            _MEDIANS.setdefault(group, {})[tool] = stats.stats.median

    return enter


def _time(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds * 1e9:.3g} ns"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print, per group, the medians and how many times faster runreplay is than the anchor."""
    if not _MEDIANS:
        return
    write = terminalreporter.write_line
    terminalreporter.section("runreplay vs anchors (medians; ratio = anchor / runreplay)")
    write(f"{'group':<18} {'runreplay':>12} {'anchor':>12} {'anchor time':>12} {'ratio':>9}")
    for group in sorted(_MEDIANS, key=lambda name: (name.split("-")[0], int(name.rsplit("-", 1)[-1]))):
        tools = _MEDIANS[group]
        ours = tools.get("runreplay")
        for anchor in _BASELINES:
            if anchor in tools and ours:
                ratio = tools[anchor] / ours
                write(f"{group:<18} {_time(ours):>12} {anchor:>12} {_time(tools[anchor]):>12} {ratio:>8.1f}x")
