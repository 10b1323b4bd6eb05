"""The project's own test configuration: pytester for plugin tests run from the outside."""

from __future__ import annotations

import os
from typing import Any

# Imported here, before any in-process pytester session: pytester drops the modules a session
# imported when it ends.
# - PyYAML's C extension cannot be imported twice (a second `import yaml` pairs the old `_yaml` emitter
#   with new node classes: "expected SCALAR, SEQUENCE-START, ..."); runreplay's plugin no longer imports
#   PyYAML at start-up, so the first inner session would.
# - httpx2 and httpx import their HTTP cores on their first request: were an inner session the first to
#   send, the outer process would go on with exception classes from a dropped copy of httpcore2, and
#   httpx2 would no longer map a broken stream to `httpx2.RemoteProtocolError`.
import httpcore  # noqa: F401
import httpcore2  # noqa: F401
import pytest
import yaml  # noqa: F401

pytest_plugins = ["pytester"]

_INNER_OPTIONS = ("-o", "asyncio_default_fixture_loop_scope=function")
# pytest-recording is installed for the coexistence tests, which load it with `-p recording`; every
# other inner session runs without it, as the outer suite does (`-p no:recording` in addopts).
_WITHOUT_RECORDING = ("-p", "no:recording")


@pytest.fixture(autouse=True)
def _quiet_inner_sessions(request: pytest.FixtureRequest) -> None:
    """Inner pytester sessions have no ini: set pytest-asyncio's loop scope so it does not warn there."""
    if "pytester" not in request.fixturenames:
        return
    pytester: pytest.Pytester = request.getfixturevalue("pytester")
    monkeypatch: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
    run = pytester.runpytest

    def runpytest(*args: Any, **kwargs: Any) -> pytest.RunResult:
        if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):  # pytest-asyncio is not loaded then
            return run(*_WITHOUT_RECORDING, *args, **kwargs)
        return run(*_INNER_OPTIONS, *_WITHOUT_RECORDING, *args, **kwargs)

    monkeypatch.setattr(pytester, "runpytest", runpytest)
