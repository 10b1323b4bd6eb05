"""runreplay dropped into a real project: the README's quick start run verbatim in an empty folder,
the embedded server started with `&`, interrupted recordings, a light plugin, and `dev.py bench`."""

from __future__ import annotations

import importlib.util
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from runreplay.cassette import Cassette, Chunk, Interaction, RecordedRequest, RecordedResponse, load, save
from runreplay.cli import main as cli_main
from runreplay.fakeserver import FakeAssistantsServer

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

pytestmark = pytest.mark.filterwarnings("ignore:The Assistants API is deprecated:DeprecationWarning")


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment of a user's shell: no OPENAI_* variables, no pytest options from this run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "PYTEST_"))}
    env.update(extra)
    return env


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_server(*args: str, stdin: int = subprocess.DEVNULL) -> tuple[subprocess.Popen[str], str]:
    """`python -m runreplay.fakeserver ARGS` as a background job (stdin closed, as with `&` in a script)."""
    child = subprocess.Popen(
        [sys.executable, "-m", "runreplay.fakeserver", *args],
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_clean_env(),
    )
    assert child.stdout is not None
    base_url = child.stdout.readline().strip()
    assert re.fullmatch(r"http://127\.0\.0\.1:[0-9]+/v1", base_url), (
        child.stderr.read() if child.stderr else ""
    )
    return child, base_url


def _post_run(base_url: str) -> int:
    """Status of one non-streamed create-and-run against the server (a real request on a real socket)."""
    import httpx

    with httpx.Client(timeout=5) as client:
        return client.post(f"{base_url}/threads/runs", json={"assistant_id": "asst_1"}).status_code


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_the_server_keeps_serving_with_stdin_closed_and_stops_cleanly_on_a_signal(
    stop: signal.Signals,
) -> None:
    child, base_url = _start_server("--port", "0")
    with child:
        try:
            time.sleep(0.5)  # the old server had returned by now: it stopped when stdin closed
            assert child.poll() is None
            assert _post_run(base_url) == 200
            child.send_signal(stop)
            assert child.wait(timeout=10) == 0
            assert child.stderr is not None
            assert "Traceback" not in child.stderr.read()
        finally:
            if child.poll() is None:
                child.kill()


def _readme_quick_start() -> tuple[str, list[str]]:
    """The Quick start's test file and its shell commands, as printed in the README."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Install and quick start") :]
    section = section[: section.index("\n## ", 5)]
    python = re.search(r"```python\n(.*?)```", section, re.S)
    shell = re.search(r"```sh\n(.*?)```", section[section.index("```python") :], re.S)
    assert python is not None
    assert shell is not None
    commands = [line.split("  #", 1)[0].strip() for line in shell[1].splitlines()]
    return python[1], [command for command in commands if command]


QUICK_START_COMMANDS = [
    "pip install pytest-runreplay",
    "python -m runreplay.fakeserver --port 8765 &",
    "OPENAI_BASE_URL=http://127.0.0.1:8765/v1 OPENAI_API_KEY=sk-test pytest --record-mode=once",
    "kill %1",
    "pytest",
]


def test_the_readme_quick_start_records_then_replays_with_no_openai_variables(tmp_path: Path) -> None:
    code, commands = _readme_quick_start()
    assert commands == QUICK_START_COMMANDS  # the steps below are exactly these
    (tmp_path / "test_quickstart.py").write_text(code, encoding="utf-8")
    port = str(_free_port())  # 8765 in the README; a free one here, as other runs may hold 8765
    server, base_url = _start_server("--port", port)
    with server:
        record = subprocess.run(
            [sys.executable, "-m", "pytest", "--record-mode=once", "-p", "no:cacheprovider"],
            cwd=tmp_path,
            env=_clean_env(OPENAI_BASE_URL=base_url, OPENAI_API_KEY="sk-test"),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        server.send_signal(signal.SIGTERM)  # `kill %1`
        assert server.wait(timeout=10) == 0
        assert record.returncode == 0, record.stdout + record.stderr
    cassette = tmp_path / "cassettes" / "test_quickstart" / "test_the_assistant_answers.yaml"
    assert len(load(cassette).interactions) == 1
    assert "sk-test" not in cassette.read_text(encoding="utf-8")
    replay = subprocess.run(  # `env -u OPENAI_API_KEY -u OPENAI_BASE_URL pytest`
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert replay.returncode == 0, replay.stdout + replay.stderr
    assert "1 passed" in replay.stdout
    assert "runreplay: 1 cassettes: 1 replayed, 0 recorded" in replay.stdout


INTERRUPTED = """
import os
import signal
import time

import openai
import pytest

THREAD = {"messages": [{"role": "user", "content": "Hello"}]}


@pytest.mark.cassette
def test_stream():
    base_url = os.environ["RUNREPLAY_TEST_BASE_URL"]
    with openai.OpenAI(base_url=base_url, api_key="sk-test", max_retries=0) as client:
        client.beta.threads.create_and_run(assistant_id="asst_whole")  # a complete exchange first
        stream = client.beta.threads.create_and_run(assistant_id="asst_cut", thread=THREAD, stream=True)
        for number, event in enumerate(stream):
            if number == 2:
                os.kill(os.getpid(), signal.SIGNAL)
                time.sleep(10)  # the signal lands here, mid-stream
"""


@pytest.fixture
def slow_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAssistantsServer]:
    """A server that sends one stream chunk every 50 ms, its URL handed to the inner test session."""
    with FakeAssistantsServer(seed=31, chunk_delay=0.05) as server:
        monkeypatch.setenv("RUNREPLAY_TEST_BASE_URL", server.base_url)
        yield server


def test_ctrl_c_while_recording_does_not_save_the_cut_stream(
    pytester: pytest.Pytester, slow_server: FakeAssistantsServer
) -> None:
    pytester.makepyfile(test_cut=INTERRUPTED.replace("SIGNAL", "SIGINT"))
    result = pytester.runpytest_subprocess("--record-mode=once", "-p", "no:recording", timeout=120)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*KeyboardInterrupt*"])
    interactions = load(pytester.path / "cassettes" / "test_cut" / "test_stream.yaml").interactions
    assert [(b"asst_whole" in i.request.body, i.response.complete) for i in interactions] == [(True, True)]


def test_sigterm_while_recording_saves_nothing(
    pytester: pytest.Pytester, slow_server: FakeAssistantsServer
) -> None:
    pytester.makepyfile(test_cut=INTERRUPTED.replace("SIGNAL", "SIGTERM"))
    result = pytester.runpytest_subprocess("--record-mode=once", "-p", "no:recording", timeout=120)
    assert result.ret == -signal.SIGTERM
    assert not (pytester.path / "cassettes").exists()


def test_validate_reports_partial_recordings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = "http://127.0.0.1:8765/v1/threads/runs"
    stream = [("content-type", "text/event-stream")]
    partial = RecordedResponse(
        200, "OK", headers=stream, chunks=[Chunk(b"event: thread.created\ndata: {}\n\n", 1.0)], complete=False
    )
    path = tmp_path / "cut.yaml"
    save(path, Cassette([Interaction(RecordedRequest("GET", url.replace("runs", "thread_1")), partial)]))
    assert cli_main(["validate", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{path}: interaction 0: note: partial recording: the body stops after 1 chunk(s) and the server never "
        "ended it (the client closed it early, or the run was interrupted); replay ends it at the same place. "
        "Re-record it if the whole body matters",
        "validate: no problems, 1 note in 1 file (0 request bodies, 1 stream (1 event))",
    ]


def test_importing_the_plugin_loads_no_heavy_dependency() -> None:
    helper = Path(__file__).resolve().parent / "_helpers" / "heavy_imports.py"
    done = subprocess.run(
        [sys.executable, str(helper), "runreplay.plugin"], capture_output=True, text=True, check=True
    )
    assert done.stdout == "[]\n"


def test_dev_bench_collects_every_benchmark() -> None:
    spec = importlib.util.spec_from_file_location("dev", ROOT / "dev.py")
    assert spec is not None
    assert spec.loader is not None
    dev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dev)
    done = subprocess.run(
        [sys.executable, *dev.bench_args(["--collect-only", "-q"])],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=_clean_env(),
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    files = {line.split("::")[0] for line in done.stdout.splitlines() if "::" in line}
    every = {path.relative_to(ROOT).as_posix() for path in (ROOT / "benchmarks").glob("bench_*.py")}
    assert files == every - set(dev.SCRIPT_BENCHMARKS)
    for script in dev.SCRIPT_BENCHMARKS:  # the rest run as scripts, after the pytest ones
        assert 'if __name__ == "__main__":' in (ROOT / script).read_text()


def test_a_suite_without_cassettes_loads_only_the_plugin_module(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
import sys

def pytest_unconfigure():
    loaded = sorted(name for name in sys.modules if name.startswith("runreplay"))
    print("RUNREPLAY MODULES", loaded)
"""
    )
    pytester.makepyfile("def test_one(): pass\ndef test_two(): pass\n")
    result = pytester.runpytest_subprocess("-p", "no:recording", "-s")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        [
            "RUNREPLAY MODULES ['runreplay', 'runreplay._pytest_options', 'runreplay._version', "
            "'runreplay.errors', 'runreplay.plugin']"
        ]
    )


def test_a_test_ended_by_system_exit_mid_stream_does_not_save_the_cut_stream(
    pytester: pytest.Pytester, slow_server: FakeAssistantsServer
) -> None:
    # A SIGTERM handler that exits (as some CI runners install) ends the test with SystemExit.
    handler = "import sys\nsignal.signal(signal.SIGTERM, lambda *args: sys.exit(1))\n"
    pytester.makepyfile(
        test_cut=INTERRUPTED.replace("SIGNAL", "SIGTERM").replace("\n\n@pytest", f"\n{handler}\n@pytest", 1)
    )
    result = pytester.runpytest_subprocess("--record-mode=once", "-p", "no:recording", timeout=120)
    result.assert_outcomes(failed=1)
    interactions = load(pytester.path / "cassettes" / "test_cut" / "test_stream.yaml").interactions
    assert [(b"asst_whole" in i.request.body, i.response.complete) for i in interactions] == [(True, True)]
