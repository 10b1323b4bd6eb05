"""A made-up client adapter for tests/recording/test_adapters.py: the shape every adapter module has."""

from __future__ import annotations

from runreplay.recording._current import current_session

events: list[str] = []
"""What happened to the patch, in order, with the session current at that moment."""


class FakePatch:
    """Notes install and uninstall instead of wrapping a client library."""

    def install(self) -> None:
        session = current_session()
        events.append(f"install {session.path.name if session is not None else None}")

    def uninstall(self) -> None:
        events.append("uninstall")


def patches() -> list[FakePatch]:
    """One patch (a real adapter returns none when its library is not installed)."""
    return [FakePatch()]
