#!/usr/bin/env python3
"""Developer entry point: creates `.venv`, installs the project, runs the examples, tests, lint or benchmarks.

Usage (from the repository root, with nothing but Python 3.11+ installed):

    python3 dev.py example   # the main job: the example downstream suite, replayed offline
    python3 dev.py test      # the project's test suite
    python3 dev.py lint      # ruff check, ruff format --check, mypy --strict src
    python3 dev.py bench     # side-by-side benchmarks against the anchors (slow)
    python3 dev.py record-examples   # re-record cassettes/examples/ from the embedded server
    python3 dev.py setup     # create .venv and install the project, nothing else

Extra arguments after the command are passed on to pytest.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def _python(venv_dir: Path) -> Path:
    """The interpreter inside a virtual environment."""
    return venv_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _install_fingerprint() -> str:
    """Hash of what decides the installed set, so a changed pyproject reinstalls."""
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_venv(venv_dir: Path, extras: str) -> Path:
    """Create `venv_dir`, install the project with `extras` once per pyproject change, return its Python."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py must explain itself on old Pythons
        sys.exit(f"runreplay needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    python = _python(venv_dir)
    if not python.exists():
        print(f"creating {venv_dir} ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(venv_dir)
    stamp = venv_dir / ".runreplay-installed"
    want = f"{_install_fingerprint()} {extras}"
    if stamp.exists() and stamp.read_text() == want:
        return python
    print(f"installing pytest-runreplay[{extras}] into {venv_dir.name} ...", flush=True)
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-e", f"{ROOT}[{extras}]"], check=True)
    stamp.write_text(want)
    return python


def run(python: Path, *args: str) -> int:
    """Run `python args...` in the repository root and return its exit code."""
    return subprocess.run([str(python), *args], cwd=ROOT).returncode


SCRIPT_BENCHMARKS = ("benchmarks/bench_open.py", "benchmarks/bench_suite.py")
"""Benchmarks that time whole fresh processes (opening files, whole pytest runs): run as scripts."""


def bench_args(extra: list[str]) -> list[str]:
    """The interpreter arguments of `dev.py bench`: every pytest-benchmark `benchmarks/bench_*.py`.

    The files are named on the command line because pytest collects only `test_*.py` from a folder.
    """
    files = sorted(path.relative_to(ROOT).as_posix() for path in (ROOT / "benchmarks").glob("bench_*.py"))
    files = [name for name in files if name not in SCRIPT_BENCHMARKS]
    return ["-m", "pytest", *files, "-p", "no:cacheprovider", "-p", "no:randomly", *extra]


def setup(extra: list[str]) -> int:
    """Create `.venv` and install the project with its test extras, nothing else."""
    ensure_venv(ROOT / ".venv", "test")
    return 0


def example(extra: list[str]) -> int:
    """The main job: the example downstream suite, replayed offline."""
    python = ensure_venv(ROOT / ".venv", "test")
    # Replay only (the default record mode `none`): no network, cassettes from cassettes/examples/.
    return run(python, "-m", "pytest", "examples", "-p", "no:cacheprovider", *extra)


def test(extra: list[str]) -> int:
    """The project's test suite with branch coverage; the floor is `fail_under` in pyproject.toml."""
    python = ensure_venv(ROOT / ".venv", "test")
    coverage = ("--cov=runreplay", "--cov-branch", "--cov-report=term:skip-covered")
    return run(python, "-m", "pytest", *coverage, *extra)


def lint(extra: list[str]) -> int:
    """ruff check, ruff format --check, mypy --strict src; the first failure's exit code."""
    python = ensure_venv(ROOT / ".venv", "test")
    paths = ("src", "tests", "examples", "benchmarks", "docs", "tools", "dev.py")
    for step in (
        ("-m", "ruff", "check", *paths),
        ("-m", "ruff", "format", "--check", *paths),
        ("-m", "mypy", "--strict", "src"),
    ):
        code = run(python, *step)
        if code:
            return code
    return 0


def bench(extra: list[str]) -> int:
    """Side-by-side benchmarks against the anchors (slow)."""
    python = ensure_venv(ROOT / ".venv", "test")
    code = run(python, *bench_args(extra))
    for script in SCRIPT_BENCHMARKS:  # each prints its own table of ratios
        code = code or run(python, script)
    return code


def record_examples(extra: list[str]) -> int:
    """Re-record cassettes/examples/ from the embedded server (tools/record_examples.py)."""
    python = ensure_venv(ROOT / ".venv", "test")
    return run(python, str(ROOT / "tools" / "record_examples.py"), *extra)


COMMANDS: dict[str, Callable[[list[str]], int]] = {
    "example": example,
    "test": test,
    "lint": lint,
    "bench": bench,
    "setup": setup,
    "record-examples": record_examples,
}
"""Every command dev.py knows, by the name given on the command line."""


def main(argv: list[str]) -> int:
    """Run the named command with the remaining arguments; print the usage for anything else."""
    if not argv or argv[0] not in COMMANDS:
        print(__doc__)
        return 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
