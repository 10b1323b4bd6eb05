"""Tests of `runreplay.recording._current`: which session is current, per context, with a fallback for threads."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from pathlib import Path

import pytest

from runreplay.recording import _current, resolve
from runreplay.recording._current import current_session, open_sessions, pop, push
from runreplay.recording._session import CassetteSession


def _session(tmp_path: Path, name: str) -> CassetteSession:
    return CassetteSession(tmp_path / f"{name}.yaml", resolve({"record_mode": "rewrite"}))


@pytest.fixture(autouse=True)
def _nothing_open() -> None:
    assert open_sessions() == []


def test_nothing_is_current_outside_any_session() -> None:
    assert current_session() is None


def test_push_and_pop_nest_and_report_the_first_and_the_last(tmp_path: Path) -> None:
    outer, inner = _session(tmp_path, "outer"), _session(tmp_path, "inner")
    assert push(outer) is True
    assert push(inner) is False
    assert current_session() is inner
    assert open_sessions() == [outer, inner]
    assert pop(inner) is False
    assert current_session() is outer
    assert pop(outer) is True
    assert current_session() is None


def test_a_plain_thread_sees_the_innermost_open_session(tmp_path: Path) -> None:
    session = _session(tmp_path, "threads")
    seen: list[CassetteSession | None] = []
    push(session)
    try:
        worker = threading.Thread(target=lambda: seen.append(current_session()))
        worker.start()
        worker.join(timeout=10)
    finally:
        pop(session)
    assert seen == [session]


def test_concurrent_tasks_each_see_the_session_they_opened(tmp_path: Path) -> None:
    sessions = [_session(tmp_path, f"task{n}") for n in range(3)]

    async def task(session: CassetteSession, started: asyncio.Barrier) -> CassetteSession | None:
        push(session)
        try:
            await started.wait()  # every task has pushed before any looks
            return current_session()
        finally:
            pop(session)

    async def main() -> list[CassetteSession | None]:
        started = asyncio.Barrier(len(sessions))
        return await asyncio.gather(*(task(session, started) for session in sessions))

    assert asyncio.run(main()) == sessions
    assert current_session() is None


def test_a_session_closed_from_another_context_is_no_longer_current_in_the_one_that_opened_it(
    tmp_path: Path,
) -> None:
    session = _session(tmp_path, "elsewhere")
    push(session)
    contextvars.Context().run(pop, session)  # e.g. a teardown run in another context
    assert current_session() is None
    assert _current._here.get() is session  # the stale pointer is there, and ignored


def test_popping_a_session_that_is_not_open_changes_nothing(tmp_path: Path) -> None:
    assert pop(_session(tmp_path, "never")) is True
    assert open_sessions() == []
