"""Cassette files named by a user: each file as given, and the cassettes under each folder, each once."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from runreplay.errors import ConfigurationError

__all__ = ["CASSETTE_SUFFIXES", "CassettePathError", "cassette_files"]

CASSETTE_SUFFIXES = (".yaml", ".yml")
"""File suffixes picked up under a folder."""


class CassettePathError(ConfigurationError):
    """A path that names no cassette: nothing is there, or a folder holds no cassette file."""


def cassette_files(paths: Iterable[str | os.PathLike[str]], *, strict: bool = True) -> list[Path]:
    """Each file as given and the cassettes under each folder (recursively, sorted); a file named twice once.

    `strict` raises `CassettePathError` for a path that does not exist or a folder without cassettes;
    otherwise such a folder adds nothing and a missing path is kept (loading it says what is wrong).
    """
    files: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in CASSETTE_SUFFIXES
            )
            if strict and not found:
                raise CassettePathError(
                    f"no cassette files (*.yaml, *.yml) under {os.fspath(item)}; expected a folder of "
                    "cassettes or cassette files. Check the path, or record some first "
                    "(pytest --record-mode=once)."
                )
            files += found
        elif path.exists() or not strict:
            files.append(path)
        else:
            raise CassettePathError(
                f"no such file or directory: {os.fspath(item)}; expected a cassette file or a folder of "
                "cassettes. Check the path (record cassettes first with pytest --record-mode=once)."
            )
    unique = {file.resolve(): file for file in reversed(files)}  # the first time each file is named
    return [file for file in files if unique.get(file.resolve()) is file]
