"""`runreplay demo --suite`: record an example suite from the embedded server, replay it unreachable.

The contract with the suite: its conftest points its clients at `RUNREPLAY_EXAMPLE_BASE_URL` (the
embedded server's `/v1` URL while recording; the same, now dead, URL while replaying).
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import runreplay
from runreplay._cli.console import Console
from runreplay._cli.inspect import render
from runreplay._cli.paths import CommandError
from runreplay.cassette import load
from runreplay.fakeserver import FakeAssistantsServer

__all__ = ["BASE_URL_VARIABLE", "default_suite", "run_suite"]

BASE_URL_VARIABLE = "RUNREPLAY_EXAMPLE_BASE_URL"
"""The environment variable through which the example suite learns the embedded server's base URL."""

_TIMEOUT_S = 600


def default_suite() -> Path:
    """The repository's `examples/` folder next to the package source (present in a source checkout only)."""
    return Path(runreplay.__file__).resolve().parents[2] / "examples"


def _pytest(suite: Path, cassettes: Path, mode_args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run pytest on `suite` in a child process; its exit status and its combined output."""
    suite, cassettes = suite.resolve(), cassettes.resolve()  # the child runs in the suite's folder
    command = [
        sys.executable,
        "-m",
        "pytest",
        str(suite),
        "-p",
        "no:cacheprovider",
        "-o",
        f"runreplay_cassette_dir={cassettes}",
        "-q",
        "--color=no",
        *mode_args,
    ]
    done = subprocess.run(
        command,
        env=env,
        # As if run from the suite's folder: without an ini file pytest takes the common ancestor of
        # the working directory and the suite as rootdir, and cassette paths mirror test files from it.
        cwd=suite if suite.is_dir() else suite.parent,
        capture_output=True,
        text=True,
        timeout=_TIMEOUT_S,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    return done.returncode, done.stdout + done.stderr


_SUMMARY = re.compile(r"\d+ (passed|failed|errors?|skipped|deselected|xfailed|xpassed)\b.* in [\d.]+s")


def _last_line(output: str) -> str:
    """pytest's summary line (`2 passed in 1.2s`), else the last non-blank line of its output.

    Plugins may print warnings to stderr after it (pytest-asyncio does on configure), so the line is
    looked for, not assumed to be last.
    """
    lines = [line.strip("= ") for line in output.splitlines() if line.strip()]
    for line in reversed(lines):
        if _SUMMARY.search(line):
            return line
    return lines[-1] if lines else "(no output)"


def run_suite(suite: str, keep: str | None, console: Console) -> int:
    """Record the suite (--record-mode=once), stop the server, replay (--allowed-hosts=); 0 if both pass."""
    folder_given = Path(suite)
    if not folder_given.is_dir():
        raise CommandError(
            f"demo: --suite {suite} is not a folder; expected a pytest suite folder whose conftest reads "
            f"{BASE_URL_VARIABLE} (such as the repository's examples/). Check the path."
        )
    style = console.style
    console.print(style("runreplay demo --suite", "bold") + f": {folder_given}")
    with contextlib.ExitStack() as stack:
        if keep is None:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="runreplay-suite-")))
        else:
            folder = Path(keep)
        cassettes = folder / "cassettes"
        if cassettes.is_dir() and any(cassettes.iterdir()):
            raise CommandError(
                f"demo: {cassettes} already holds cassettes; expected a new or empty --keep folder, so that "
                "the suite records from scratch. Give another folder or empty this one."
            )
        cassettes.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        with FakeAssistantsServer(seed=7) as server:
            env[BASE_URL_VARIABLE] = server.base_url
            console.print(
                f"{style('1. record', 'bold')}  pytest --record-mode=once against {server.base_url} "
                f"({BASE_URL_VARIABLE})"
            )
            status, output = _pytest(folder_given, cassettes, ["--runreplay-record-mode=once"], env)
        console.print(f"           {_last_line(output)}")
        if status != 0:
            console.print(output.rstrip())
            console.print(
                style("demo FAILED", "bold", "red") + ": the suite failed while recording (output above)"
            )
            return 1
        files = sorted(cassettes.rglob("*.yaml"))
        if not files:
            console.print(
                style("demo FAILED", "bold", "red")
                + f": the suite recorded no cassettes; expected its tests "
                f"to use @pytest.mark.cassette and a client pointed at {BASE_URL_VARIABLE}"
            )
            return 1
        console.print(f"           → {len(files)} cassette{'s' if len(files) != 1 else ''} in {cassettes}")
        console.print(f"{style('2. stop', 'bold')}    the server is stopped")
        console.print(
            f"{style('3. replay', 'bold')}  pytest --record-mode=none --allowed-hosts= (nothing reachable)"
        )
        # The --runreplay- names: with pytest-recording installed the short ones are its own.
        status, output = _pytest(
            folder_given, cassettes, ["--runreplay-record-mode=none", "--runreplay-allowed-hosts="], env
        )
        console.print(f"           {_last_line(output)}")
        if status != 0:
            console.print(output.rstrip())
            console.print(style("demo FAILED", "bold", "red") + ": the suite failed on replay (output above)")
            return 1
        for file in files:
            console.print("")
            for line in render(load(file), str(file.relative_to(folder)), style, unicode=console.unicode):
                console.print(line)
        console.print("")
        kept = f"; the cassettes are kept in {cassettes}" if keep is not None else ""
        console.print(
            style("demo OK", "bold", "green")
            + f": the suite passed live and on replay with nothing reachable{kept}"
        )
        return 0
