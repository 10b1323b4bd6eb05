"""--runreplay-block-network: one network guard for the whole run, registered by the plugin as a plugin.

Loaded only when the option (or its ini key) is set, so other runs never import the guard.
"""

from __future__ import annotations

from collections.abc import Generator

import pytest

from runreplay.recording._guard import AllowedHosts, NetworkGuard

__all__ = ["SUITE_GUARD", "SuiteGuard"]

SUITE_GUARD = "runreplay-block-network"
"""The name the suite guard is registered under (tests that record look it up to lift it)."""


class SuiteGuard:
    """One guard from session start to finish; `allow_network` tests opt out, recording tests lift it."""

    def __init__(self, allowed: AllowedHosts | None) -> None:
        self.allowed = allowed
        self.guard: NetworkGuard | None = None

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """Install the guard before collection and before any session- or module-scoped fixture."""
        self.guard = NetworkGuard(self.allowed, suite_wide=True)
        self.guard.install()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None]:
        """Name the running test in errors; lift the guard for a test marked `allow_network`."""
        guard = self.guard
        assert guard is not None
        guard.test = item.nodeid
        if item.get_closest_marker("allow_network") is None:
            return (yield)
        guard.uninstall()
        try:
            return (yield)
        finally:
            guard.install()

    def lift(self) -> bool:
        """Let a test that records reach the network (its cassette session records what it sends)."""
        if self.guard is None or not self.guard.installed:
            return False
        self.guard.uninstall()
        return True

    def restore(self) -> None:
        """Block again after `lift()`."""
        if self.guard is not None:
            self.guard.install()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None]:
        """Fail a test whose code swallowed a blocked connection."""
        guard = self.guard
        before = len(guard.violations) if guard is not None else 0
        result = yield
        if guard is not None and len(guard.violations) > before:
            __tracebackhide__ = True
            raise guard.violations[before]
        return result

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Remove the guard."""
        if self.guard is not None:
            self.guard.uninstall()
