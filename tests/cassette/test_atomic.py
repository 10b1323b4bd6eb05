"""Tests of `runreplay.cassette._atomic`: a write replaces a file whole or leaves it as it was."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from runreplay.cassette._atomic import write_atomically, write_temporary


def test_a_write_replaces_the_file_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "c.yaml"
    write_atomically(target, b"first")
    write_atomically(target, b"second")
    assert target.read_bytes() == b"second"
    assert sorted(p.name for p in target.parent.iterdir()) == ["c.yaml"]


def test_a_failed_rename_keeps_the_old_file_and_removes_the_temporary_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "c.yaml"
    target.write_bytes(b"old")

    def refuse(source: object, destination: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="No space left on device"):
        write_atomically(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["c.yaml"]


def test_a_temporary_file_is_hidden_beside_its_target(tmp_path: Path) -> None:
    temporary = write_temporary(tmp_path / "c.yaml", b"data")
    assert temporary.parent == tmp_path
    assert temporary.name.startswith(".c.yaml.")
    assert temporary.name.endswith(".tmp")
    assert temporary.read_bytes() == b"data"
