"""`runreplay demo` (built-in scenario and --suite) and smoke tests of the installed console script."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from runreplay import __version__
from runreplay._cli import demo
from runreplay.cassette import load
from runreplay.cli import main
from runreplay.errors import UnmatchedRequestError

SUITE_CONFTEST = """
import os

import openai
import pytest


@pytest.fixture
def client():
    with openai.OpenAI(
        base_url=os.environ["RUNREPLAY_EXAMPLE_BASE_URL"], api_key="sk-test-0123456789abcdefghijkl", max_retries=0
    ) as client:
        yield client
"""

SUITE_TEST = """
import pytest

THREAD = {"messages": [{"role": "user", "content": "Hi"}]}


@pytest.mark.cassette
def test_streamed_run_completes(client):
    with client.beta.threads.create_and_run(assistant_id="asst_1", thread=THREAD, stream=True) as stream:
        names = [event.event for event in stream]
    assert names[-1] == "thread.run.completed"


@pytest.mark.cassette
def test_queued_run(client):
    assert client.beta.threads.create_and_run(assistant_id="asst_1", thread=THREAD).status == "queued"
"""


def test_demo_records_replays_blocked_and_matches(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    keep = tmp_path / "kept"
    started = time.perf_counter()
    status = main(["demo", "--keep", str(keep)])
    elapsed = time.perf_counter() - started
    captured = capsys.readouterr()
    out = captured.out.splitlines()
    assert (status, captured.err) == (0, "")
    assert elapsed < 30
    port = re.fullmatch(
        r"1\. record  FakeAssistantsServer at http://127\.0\.0\.1:(\d+)/v1 \(seed 7, no API key\)", out[1]
    )
    assert port is not None
    assert out[0] == "runreplay demo: record from the embedded server, then replay with the network blocked"
    assert re.fullmatch(r" {11}streamed create_and_run {14}\d+ events, ends thread\.run\.completed", out[2])
    assert re.fullmatch(
        r" {11}function tool \+ submit_tool_outputs  requires_action \(get_weather\) then completed, \d+ events",
        out[3],
    )
    assert re.fullmatch(r" {11}non-streamed create_and_run {10}run_\w+ queued", out[4])
    assert re.fullmatch(
        rf" {{11}}→ {re.escape(str(keep / 'demo.yaml'))}: 4 interactions, 3 streams \([\d.]+ s\)", out[5]
    )
    assert out[6] == f"2. stop    the server is stopped; nothing listens on 127.0.0.1:{port[1]}"
    assert out[7] == "3. replay  network blocked: no host allowed, not even 127.0.0.1"
    assert out[8] == f"           a connect to 127.0.0.1:{port[1]} now: blocked"
    assert re.fullmatch(
        r" {11}4 of 4 interactions replayed, 0 unplayed, 0 network attempts \([\d.]+ s\)", out[9]
    )
    assert re.fullmatch(
        r" {11}the replay matched the live run: 3 steps, \d+ streamed events identical", out[10]
    )
    # Then the cassette's timeline, as `inspect` shows it.
    assert re.fullmatch(
        rf"{re.escape(str(keep / 'demo.yaml'))}: 4 interactions, 3 streams on http://127\.0\.0\.1:{port[1]}; "
        r"recorded usage \d+ prompt \+ \d+ completion = \d+ tokens",
        out[12],
    )
    assert out[13].split() == [
        "#",
        "method",
        "url",
        "status",
        "bytes",
        "chunks",
        "events",
        "duration",
        "flags",
    ]
    assert any(line.startswith("#0 POST /v1/threads/runs → 200 OK: ") for line in out)
    assert (
        out[-1]
        == f"demo OK: the replay matched the live run and nothing was reachable; the cassette is kept in {keep}"
    )

    # What the demo keeps is a clean, valid cassette.
    assert len(load(keep / "demo.yaml").interactions) == 4
    assert main(["audit", str(keep)]) == 0
    assert main(["validate", str(keep)]) == 0


def test_demo_reports_a_replay_that_differs(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = demo.scenario
    calls: list[int] = []

    def drifting(client: Any) -> list[demo.Step]:
        steps = real(client)
        calls.append(1)
        if len(calls) == 2:  # the replay: pretend the non-streamed step came back different
            steps[2] = demo.Step(steps[2].title, steps[2].result, {"changed": True})
        return steps

    monkeypatch.setattr(demo, "scenario", drifting)
    assert main(["demo"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert "           the replay differs from the live run in: non-streamed create_and_run" in out
    assert out[-1] == "demo FAILED: see above"


def test_demo_reports_a_replay_that_raises(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any) -> Any:
        raise UnmatchedRequestError("no recording matches POST /v1/threads/runs")

    monkeypatch.setattr(demo, "_replay", broken)
    assert main(["demo"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == (
        "demo FAILED: the replay raised UnmatchedRequestError: no recording matches POST /v1/threads/runs"
    )


def _write_suite(folder: Path, test: str) -> Path:
    folder.mkdir()
    (folder / "conftest.py").write_text(SUITE_CONFTEST)
    (folder / "test_example.py").write_text(test)
    return folder


def test_demo_suite_records_then_replays_with_nothing_reachable(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    suite = _write_suite(tmp_path / "examples", SUITE_TEST)
    keep = tmp_path / "kept"
    status = main(["demo", "--suite", str(suite), "--keep", str(keep)])
    captured = capsys.readouterr()
    out = captured.out.splitlines()
    assert (status, captured.err) == (0, ""), captured.out
    assert out[0] == f"runreplay demo --suite: {suite}"
    assert re.fullmatch(
        r"1\. record  pytest --record-mode=once against http://127\.0\.0\.1:\d+/v1 \(RUNREPLAY_EXAMPLE_BASE_URL\)",
        out[1],
    )
    assert re.fullmatch(r" {11}2 passed in [\d.]+s", out[2])
    assert out[3] == f"           → 2 cassettes in {keep / 'cassettes'}"
    assert out[4] == "2. stop    the server is stopped"
    assert out[5] == "3. replay  pytest --record-mode=none --allowed-hosts= (nothing reachable)"
    assert re.fullmatch(r" {11}2 passed in [\d.]+s", out[6])
    assert (
        "cassettes/test_example/test_queued_run.yaml: 1 interaction, 0 streams on http://127.0.0.1:"
        in "\n".join(out)
    )
    assert out[-1] == (
        f"demo OK: the suite passed live and on replay with nothing reachable; the cassettes are kept in "
        f"{keep / 'cassettes'}"
    )
    assert sorted(p.name for p in (keep / "cassettes").rglob("*.yaml")) == [
        "test_queued_run.yaml",
        "test_streamed_run_completes.yaml",
    ]


def test_demo_suite_that_fails_while_recording(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    suite = _write_suite(tmp_path / "broken", "def test_fails():\n    assert False\n")
    (suite / "conftest.py").write_text("")
    status = main(["demo", "--suite", str(suite)])
    out = capsys.readouterr().out.splitlines()
    assert status == 1
    assert re.fullmatch(r" {11}1 failed in [\d.]+s", out[2])
    assert out[-1] == "demo FAILED: the suite failed while recording (output above)"


def test_demo_suite_usage_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["demo", "--suite", str(tmp_path / "nope")]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"runreplay: demo: --suite {tmp_path / 'nope'} is not a folder; expected a pytest suite folder whose "
        "conftest reads RUNREPLAY_EXAMPLE_BASE_URL (such as the repository's examples/). Check the path."
    ]
    monkeypatch.setattr("runreplay._cli.suite.default_suite", lambda: tmp_path / "examples")
    assert main(["demo", "--suite"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "runreplay: demo: --suite without a PATH uses the repository's examples/ folder, but "
        f"{tmp_path / 'examples'} does not exist (it is not installed with the package); give the suite's "
        "folder: --suite PATH"
    ]
    kept = tmp_path / "kept" / "cassettes"
    kept.mkdir(parents=True)
    (kept / "old.yaml").write_text("")
    suite = _write_suite(tmp_path / "suite", "")
    assert main(["demo", "--suite", str(suite), "--keep", str(tmp_path / "kept")]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"runreplay: demo: {kept} already holds cassettes; expected a new or empty --keep folder, so that the "
        "suite records from scratch. Give another folder or empty this one."
    ]


# ------------------------------------------------------------------------------- console script


def test_the_installed_console_script_prints_its_version() -> None:
    script = Path(sys.executable).parent / "runreplay"
    if not script.exists():
        pytest.skip(f"no console script next to {sys.executable}")
    done = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"runreplay {__version__}\n", "")


def test_python_dash_m_reports_errors_without_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "x.yaml"
    done = subprocess.run(
        [sys.executable, "-m", "runreplay.cli", "inspect", str(missing)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"runreplay: inspect: no such file: {missing}; expected a runreplay cassette file. Check the path, or "
        "record it first (pytest --record-mode=once).\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "runreplay.cli", "demo", "--frob"], capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stderr) == (
        2,
        "runreplay: demo: unrecognized arguments: --frob; run 'runreplay demo --help' for usage\n",
    )
