#!/usr/bin/env python3
"""Developer entry point: creates `.venv`, installs the project, runs the examples, tests, lint or benchmarks.

Usage (from the repository root, with nothing but Python 3.11+ installed):

    python3 dev.py example   # the main job: the example downstream suite, replayed offline
    python3 dev.py test      # the project's test suite
    python3 dev.py lint      # ruff check, ruff format --check, mypy --strict src
    python3 dev.py bench     # side-by-side benchmarks against the anchors (slow)
    python3 dev.py record-examples   # re-record cassettes/examples/ from the embedded server

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


def bench_args(extra: list[str]) -> list[str]:
    """The interpreter arguments of `dev.py bench`: every `benchmarks/bench_*.py`, named explicitly.

    The files are named on the command line because pytest collects only `test_*.py` from a folder.
    """
    files = sorted(path.relative_to(ROOT).as_posix() for path in (ROOT / "benchmarks").glob("bench_*.py"))
    return ["-m", "pytest", *files, "-p", "no:cacheprovider", "-p", "no:randomly", *extra]


def main(argv: list[str]) -> int:
    """Dispatch the sub-command."""
    if not argv or argv[0] not in {"example", "test", "lint", "bench", "setup", "record-examples"}:
        print(__doc__)
        return 2
    command, extra = argv[0], argv[1:]
    python = ensure_venv(ROOT / ".venv", "test")
    if command == "bench":
        return run(python, *bench_args(extra))
    if command == "setup":
        return 0
    if command == "example":
        # Replay only (the default record mode `none`): no network, cassettes from cassettes/examples/.
        return run(python, "-m", "pytest", "examples", "-p", "no:cacheprovider", *extra)
    if command == "test":
        # Branch coverage of the package, with a floor that only goes up (measured: 94%).
        coverage = ("--cov=runreplay", "--cov-branch", "--cov-report=term:skip-covered")
        coverage += ("--cov-fail-under=92",)
        return run(python, "-m", "pytest", *coverage, *extra)
    if command == "record-examples":
        # The embedded server on the port the example cassettes name; rewrite replaces old recordings.
        script = (
            "import subprocess, sys\n"
            "from runreplay.fakeserver import FakeAssistantsServer\n"
            "with FakeAssistantsServer(seed=0, port=8765):\n"
            "    sys.exit(subprocess.call([sys.executable, '-m', 'pytest', 'examples',"
            " '-p', 'no:cacheprovider', '--record-mode=rewrite', '-m', 'not replay_only', *sys.argv[1:]]))\n"
        )
        return run(python, "-c", script, *extra)
    sources = ("src", "tests", "examples", "benchmarks", "docs", "tools", "dev.py")
    for step in (
        ("-m", "ruff", "check", *sources),
        ("-m", "ruff", "format", "--check", *sources),
        ("-m", "mypy", "--strict", "src"),
    ):
        code = run(python, *step)
        if code:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
