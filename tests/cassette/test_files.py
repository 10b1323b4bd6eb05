"""Tests of `runreplay.cassette._files`: the cassette files a list of paths names, each once."""

from __future__ import annotations

from pathlib import Path

import pytest

from runreplay.cassette._files import CassettePathError, cassette_files
from runreplay.errors import ConfigurationError


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name in ("b.yaml", "a.yml", "sub/c.YAML", "notes.txt", "sub/d.json"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    return tmp_path


def test_a_folder_gives_its_cassettes_sorted_and_a_file_is_taken_as_given(folder: Path) -> None:
    assert cassette_files([folder]) == [folder / "a.yml", folder / "b.yaml", folder / "sub" / "c.YAML"]
    assert cassette_files([str(folder / "notes.txt")]) == [folder / "notes.txt"]


def test_a_file_named_twice_is_kept_once_where_it_was_first_named(folder: Path) -> None:
    assert cassette_files([folder / "b.yaml", folder, folder / "sub" / ".." / "a.yml"]) == [
        folder / "b.yaml",
        folder / "a.yml",
        folder / "sub" / "c.YAML",
    ]


def test_a_missing_path_or_an_empty_folder_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(CassettePathError) as caught:
        cassette_files([tmp_path / "nope"])
    assert isinstance(caught.value, ConfigurationError)
    assert str(caught.value) == (
        f"no such file or directory: {tmp_path / 'nope'}; expected a cassette file or a folder of cassettes. "
        "Check the path (record cassettes first with pytest --record-mode=once)."
    )
    with pytest.raises(CassettePathError) as caught:
        cassette_files([tmp_path])
    assert str(caught.value) == (
        f"no cassette files (*.yaml, *.yml) under {tmp_path}; expected a folder of cassettes or cassette files. "
        "Check the path, or record some first (pytest --record-mode=once)."
    )


def test_lenient_keeps_a_missing_path_for_loading_to_report_and_skips_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert cassette_files([tmp_path / "empty", tmp_path / "nope.yaml"], strict=False) == [
        tmp_path / "nope.yaml"
    ]
