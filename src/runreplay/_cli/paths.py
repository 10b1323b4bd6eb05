"""Turning the paths a user typed into cassette files, and loading them with messages that say how to fix."""

from __future__ import annotations

import os
from pathlib import Path

from runreplay.cassette import Cassette, load
from runreplay.cassette._files import CassettePathError
from runreplay.cassette._files import cassette_files as files_under
from runreplay.errors import CassetteFormatError, RunreplayError

__all__ = ["CommandError", "cassette_files", "load_cassette", "load_problem"]


class CommandError(RunreplayError):
    """A problem with what the user asked for (exit status 2); the message says what, expected, how to fix."""


def cassette_files(command: str, paths: list[str]) -> list[Path]:
    """Each file as given and the cassettes under each folder; a `CommandError` for a path without any."""
    try:
        return files_under(paths)
    except CassettePathError as error:
        raise CommandError(f"{command}: {error}") from None


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
