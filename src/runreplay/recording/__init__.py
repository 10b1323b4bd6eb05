"""The record/replay engine: cassette sessions, client interception, matching, faults and the network guard.

`use_cassette(path, **options)` runs a block of code against a cassette outside pytest (the plugin
uses the same machinery per test):

    with use_cassette("cassettes/demo.yaml", record_mode="once") as session:
        client.beta.threads.create_and_run(...)
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import fields
from typing import Any

from runreplay.recording._active import activate as activate  # importable here before the lifecycle moved
from runreplay.recording._active import deactivate as deactivate
from runreplay.recording._active import open_session
from runreplay.recording._config import DEFAULT_MATCH_ON, RECORD_MODES, CassetteConfig, resolve
from runreplay.recording._current import current_session
from runreplay.recording._session import CassetteSession, SessionStats

__all__ = [
    "DEFAULT_MATCH_ON",
    "RECORD_MODES",
    "CassetteConfig",
    "CassetteSession",
    "SessionStats",
    "current_session",
    "resolve",
    "use_cassette",
]


@contextmanager
def use_cassette(
    path: str | os.PathLike[str],
    config: CassetteConfig | Mapping[str, Any] | None = None,
    *,
    test: str | None = None,
    run_id: str | None = None,
    **options: Any,
) -> Iterator[CassetteSession]:
    """Replay (or record, per `record_mode`) every httpx, httpx2 and requests exchange in the block.

    The cassette is saved when the block ends, also when it raised, so nothing recorded is lost.
    """
    if not isinstance(config, CassetteConfig):
        config = resolve(config, options)
    elif options:
        config = resolve(
            {f.name: getattr(config, f.name) for f in fields(config) if f.name != "extra"}, options
        )
    with open_session(path, config, test=test, run_id=run_id) as session:
        yield session
