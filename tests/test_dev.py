"""Tests of `dev.py` and `tools/record_examples.py`: the developer entry, commands named in one table."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import coverage
import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_commands_are_named_in_one_table() -> None:
    dev = _load(ROOT / "dev.py")
    assert list(dev.COMMANDS) == ["example", "test", "lint", "bench", "setup", "record-examples"]
    for name, command in dev.COMMANDS.items():
        assert f"python3 dev.py {name}" in dev.__doc__, name
        assert command.__doc__, name


def test_an_unknown_command_prints_the_usage_and_exits_2() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "dev.py"), "deploy"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "python3 dev.py example   # the main job" in result.stdout


def test_the_coverage_floor_lives_in_the_coverage_configuration() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["tool"]["coverage"]["report"]["fail_under"] == 94
    assert coverage.Coverage(config_file=str(ROOT / "pyproject.toml")).get_option("report:fail_under") == 94
    assert "fail-under" not in (ROOT / "dev.py").read_text(encoding="utf-8")


def test_no_program_lives_inside_a_string_in_dev_py() -> None:
    text = (ROOT / "dev.py").read_text(encoding="utf-8")
    assert '"-c"' not in text
    assert "import subprocess, sys" not in text


def test_the_ci_script_and_the_tests_run_python_programs_from_files() -> None:
    shapes = ('sys.executable, "-c"', "python3 -c", "python -c")
    places = [ROOT / ".ci" / "run", *(ROOT / "tests").rglob("*.py")]
    inline = {
        path.relative_to(ROOT).as_posix()
        for path in places
        if path != Path(__file__).resolve()
        and any(shape in path.read_text(encoding="utf-8") for shape in shapes)
    }
    assert inline == set()


def test_record_examples_serves_while_pytest_rewrites_the_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    tool = _load(ROOT / "tools" / "record_examples.py")
    seen: list[list[str]] = []

    def call(command: list[str]) -> int:
        seen.append(command)
        return 3

    monkeypatch.setattr(tool, "PORT", 0)  # any free port: the real one may be busy on a shared machine
    monkeypatch.setattr(tool.subprocess, "call", call)
    assert tool.main(["-k", "streams"]) == 3
    assert seen == [
        [
            sys.executable,
            "-m",
            "pytest",
            "examples",
            "-p",
            "no:cacheprovider",
            "--record-mode=rewrite",
            "-m",
            "not replay_only",
            "-k",
            "streams",
        ]
    ]
