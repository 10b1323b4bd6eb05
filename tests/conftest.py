"""Shared fixtures for the project's own tests: the embedded server and cassette paths."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from runreplay.fakeserver import FakeAssistantsServer


@pytest.fixture
def server() -> Iterator[FakeAssistantsServer]:
    """A fresh embedded Assistants API server on 127.0.0.1 (one event per chunk, seed 0)."""
    with FakeAssistantsServer(seed=0) as fake:
        yield fake
