"""Tests of `runreplay.recording._active`: the one session lifecycle and the reference-counted patches."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from runreplay.cassette import load
from runreplay.fakeserver import FakeAssistantsServer
from runreplay.recording import _active, resolve, use_cassette
from runreplay.recording._active import activate, deactivate, open_session
from runreplay.recording._current import current_session, open_sessions
from runreplay.recording._session import CassetteSession

ORIGINAL = httpx.HTTPTransport.handle_request


def test_open_session_makes_the_session_current_patches_clients_then_saves(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    with FakeAssistantsServer(seed=3) as server:
        with open_session(path, resolve({"record_mode": "once"}), test="t") as session:
            assert current_session() is session
            assert httpx.HTTPTransport.handle_request is not ORIGINAL
            assert httpx.get(f"{server.base_url}/threads/thread_1").status_code == 404  # no such thread yet
        assert current_session() is None
        assert httpx.HTTPTransport.handle_request is ORIGINAL
    assert session.closed
    assert len(load(path).interactions) == 1


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, SystemExit])
def test_an_interruption_in_the_block_marks_the_session_and_still_closes_it(
    tmp_path: Path, interruption: type[BaseException]
) -> None:
    with pytest.raises(interruption), open_session(tmp_path / "c.yaml", resolve({})) as session:
        raise interruption()
    assert session.interrupted
    assert session.closed
    assert open_sessions() == []


def test_an_ordinary_error_does_not_mark_the_session_interrupted(tmp_path: Path) -> None:
    with pytest.raises(ValueError), use_cassette(tmp_path / "c.yaml") as session:
        raise ValueError("boom")
    assert not session.interrupted
    assert session.closed


def test_patches_stay_until_the_last_session_is_deactivated(tmp_path: Path) -> None:
    config = resolve({"record_mode": "rewrite"})
    first, second = (CassetteSession(tmp_path / f"{n}.yaml", config) for n in "ab")
    activate(first)
    activate(second)
    try:
        deactivate(first)
        assert httpx.HTTPTransport.handle_request is not ORIGINAL
        assert current_session() is second
    finally:
        deactivate(first)
        deactivate(second)
    assert httpx.HTTPTransport.handle_request is ORIGINAL
    assert _active._patches  # built once, kept for the next activation


class _Breaks:
    """A patch whose install fails, as a client library's would on an incompatible version."""

    def __init__(self) -> None:
        self.installs = 0

    def install(self) -> None:
        self.installs += 1
        raise OSError("cannot patch")

    def uninstall(self) -> None:  # pragma: no cover - never installed
        raise AssertionError("uninstalled a patch that was never installed")


def test_a_patch_that_cannot_install_leaves_no_session_open_and_the_next_one_retries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = _Breaks()
    monkeypatch.setattr(_active, "_patches", [])
    monkeypatch.setattr(_active, "available_patches", lambda: [_active_patches()[0], broken])
    with pytest.raises(OSError, match="cannot patch"), open_session(tmp_path / "a.yaml", resolve({})):
        pass  # pragma: no cover - not reached
    assert current_session() is None
    assert open_sessions() == []
    assert httpx.HTTPTransport.handle_request is ORIGINAL  # the patch installed before it was undone
    with pytest.raises(OSError, match="cannot patch"), open_session(tmp_path / "b.yaml", resolve({})):
        pass  # pragma: no cover - not reached
    assert broken.installs == 2
    assert open_sessions() == []


def _active_patches() -> list[_active.Patch]:
    from runreplay.recording._adapters import available_patches

    return available_patches()
