"""Turning the paths a user typed into cassette files, and loading them with messages that say how to fix."""

from __future__ import annotations

import os
from pathlib import Path

from runreplay.cassette import Cassette, load
from runreplay.cassette._audit import CASSETTE_SUFFIXES
from runreplay.errors import CassetteFormatError, RunreplayError

__all__ = ["CommandError", "cassette_files", "load_cassette", "load_problem"]


class CommandError(RunreplayError):
    """A problem with what the user asked for (exit status 2); the message says what, expected, how to fix."""


def cassette_files(
    command: str, paths: list[str], suffixes: tuple[str, ...] = CASSETTE_SUFFIXES
) -> list[Path]:
    """Each file as given and the files with `suffixes` under each directory (recursively, sorted)."""
    files: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)
            if not found:
                raise CommandError(
                    f"{command}: no cassette files ({', '.join('*' + s for s in suffixes)}) under {item}; "
                    "expected a folder of cassettes or cassette files. Check the path."
                )
            files += found
        elif path.exists():
            files.append(path)
        else:
            raise CommandError(
                f"{command}: no such file or directory: {item}; expected a cassette file or a folder of "
                "cassettes. Check the path (record cassettes first with pytest --record-mode=once)."
            )
    unique = {file.resolve(): file for file in reversed(files)}  # the same file named twice: once
    return [file for file in files if unique.get(file.resolve()) is file]


def load_problem(error: BaseException, path: Path | str) -> str:
    """What went wrong loading `path`, as one message that names the file and how to fix it."""
    name = os.fspath(path)
    if isinstance(error, CassetteFormatError):
        message = str(error)
        if error.problem.startswith("there is no format_version"):
            message += f" If it is a vcrpy or pytest-recording cassette, convert it: runreplay import {name}"
        return message
    if isinstance(error, FileNotFoundError):
        return (
            f"no such file: {name}; expected a runreplay cassette file. Check the path, or record it first "
            "(pytest --record-mode=once)."
        )
    if isinstance(error, IsADirectoryError):
        return (
            f"{name} is a directory; expected one cassette file such as {name}/NAME.yaml (to check a "
            f"whole folder, run 'runreplay validate {name}' or 'runreplay audit {name}')."
        )
    if isinstance(error, OSError):
        return f"cannot read {name}: {error.strerror or error}; expected a readable cassette file."
    return f"cannot load {name}: {error}"


def load_cassette(command: str, path: Path | str) -> Cassette:
    """`load(path)`, with every failure turned into a `CommandError` that names the command and file."""
    try:
        return load(path)
    except (CassetteFormatError, OSError) as error:
        raise CommandError(f"{command}: {load_problem(error, path)}") from None
