#!/usr/bin/env python3
"""Developer entry point: creates `.venv`, installs the project, runs the examples, tests, lint or benchmarks.

Usage (from the repository root, with nothing but Python 3.11+ installed):

    python3 dev.py example   # the main job: the example downstream suite, replayed offline
    python3 dev.py test      # the project's test suite
    python3 dev.py lint      # ruff check, ruff format --check, mypy --strict src
    python3 dev.py bench     # side-by-side benchmarks against the anchors (slow)

Extra arguments after the command are passed on to pytest.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".runreplay-installed"


def _install_fingerprint() -> str:
    """Hash of what decides the installed set, so a changed pyproject reinstalls."""
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_venv() -> None:
    """Create `.venv` and install the project with its test extras, once per pyproject change."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py must explain itself on old Pythons
        sys.exit(f"runreplay needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        print(f"creating {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    want = _install_fingerprint()
    if STAMP.exists() and STAMP.read_text() == want:
        return
    print("installing pytest-runreplay[test] into .venv ...", flush=True)
    pip = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(want)


def run(*args: str) -> int:
    """Run a command from the venv's Python in the repository root and return its exit code."""
    return subprocess.run([str(PYTHON), *args], cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    """Dispatch the sub-command."""
    if not argv or argv[0] not in {"example", "test", "lint", "bench", "setup"}:
        print(__doc__)
        return 2
    command, extra = argv[0], argv[1:]
    ensure_venv()
    if command == "setup":
        return 0
    if command == "example":
        # Replay only (the default record mode `none`): no network, cassettes from cassettes/examples/.
        return run("-m", "pytest", "examples", "-p", "no:cacheprovider", *extra)
    if command == "test":
        return run("-m", "pytest", *extra)
    if command == "bench":
        return run("-m", "pytest", "benchmarks", "-p", "no:cacheprovider", *extra)
    for step in (
        ("-m", "ruff", "check", "src", "tests", "examples", "benchmarks", "dev.py"),
        ("-m", "ruff", "format", "--check", "src", "tests", "examples", "benchmarks", "dev.py"),
        ("-m", "mypy", "--strict", "src"),
    ):
        code = run(*step)
        if code:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
