"""`runreplay import` on folders: `-o` as a folder, and pytest-recording suites migrated in place."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import vcr

from _import_shapes import FOLDER as SHAPES_FOLDER
from runreplay.cassette import load
from runreplay.cli import main
from runreplay.fakeserver import FakeAssistantsServer

THREAD = {"messages": [{"role": "user", "content": "Hello?"}]}
TEST_MODULE = """
import os

import httpx
import pytest

BASE = os.environ["MIGRATION_BASE_URL"]


@pytest.mark.vcr
def test_streams_an_answer():
    body = {"assistant_id": "asst_1", "stream": True, "thread": THREAD}
    with httpx.stream("POST", BASE + "/threads/runs", json=body) as response:
        text = response.read().decode()
    assert "thread.run.completed" in text


class TestRuns:
    @pytest.mark.vcr
    def test_creates_a_run(self):
        body = {"assistant_id": "asst_1", "thread": THREAD}
        run = httpx.post(BASE + "/threads/runs", json=body).json()
        assert run["object"] == "thread.run"
""".replace("THREAD", repr(THREAD))


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], list[str]]:
    """`main(args)`: its exit status and its stdout and stderr lines."""
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out.splitlines(), captured.err.splitlines()


def _copy_shapes(folder: Path, *names: str) -> Path:
    folder.mkdir(parents=True)
    for name in names:
        (folder / name).write_bytes((SHAPES_FOLDER / name).read_bytes())
    return folder


def test_output_without_yaml_suffix_is_a_folder_even_for_one_cassette(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = _copy_shapes(tmp_path / "vcr", "pydantic_ai.yaml")
    output = tmp_path / "cassettes"
    status, out, err = run(capsys, "import", str(source), "-o", str(output))
    assert (status, err) == (0, [])
    assert output.is_dir()
    assert out[0].startswith(
        f"wrote {output / 'pydantic_ai.yaml'} (2 interactions, 1 stream, 3 events; 2 secrets redacted)"
    )
    assert json.loads(load(output / "pydantic_ai.yaml").interactions[1].response.body)["id"] == "run_1"


def test_output_naming_a_yaml_file_takes_one_cassette(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = _copy_shapes(tmp_path / "vcr", "vcrpy.yaml.gz", "vcrpy.json.gz")
    target = tmp_path / "one.yaml"
    assert run(capsys, "import", str(source / "vcrpy.json.gz"), "-o", str(target))[0] == 0
    assert len(load(target).interactions) == 2
    assert run(capsys, "import", str(source), "-o", str(target)) == (
        2,
        [],
        [
            f"runreplay: import: --output {target} names a .yaml file but there are 2 cassettes to convert; "
            "expected a folder for several cassettes. Give a folder (it is created if missing)."
        ],
    )


def test_gzipped_cassettes_in_a_folder_are_found(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = _copy_shapes(tmp_path / "vcr", "vcrpy.yaml.gz", "vcrpy.json.gz")
    status, out, err = run(capsys, "import", str(source))
    target = source / "vcrpy.runreplay.yaml"
    assert status == 2
    assert out == [
        f"wrote {target} (2 interactions, 1 stream, 3 events; 2 secrets redacted) from {source / 'vcrpy.json.gz'}",
        "import: wrote 1 cassette; 1 not converted (see above)",
    ]
    assert err == [
        f"runreplay: import: {target} is also the destination of another source; give another --output"
    ]


def _record_pytest_recording_suite(root: Path, server: FakeAssistantsServer) -> None:
    """What pytest-recording leaves after `--record-mode=once`: cassettes beside the test module."""
    (root / "pytest.ini").write_text("[pytest]\n")
    package = root / "tests" / "unit"
    package.mkdir(parents=True)
    (package / "test_client.py").write_text(TEST_MODULE)
    folder = package / "cassettes" / "test_client"
    recorder = vcr.VCR(record_mode="once")
    with recorder.use_cassette(str(folder / "test_streams_an_answer.yaml")):
        body = {"assistant_id": "asst_1", "stream": True, "thread": THREAD}
        with httpx.stream("POST", server.base_url + "/threads/runs", json=body) as response:
            response.read()
    with recorder.use_cassette(str(folder / "TestRuns.test_creates_a_run.yaml")):
        httpx.post(server.base_url + "/threads/runs", json={"assistant_id": "asst_1", "thread": THREAD})


def test_a_pytest_recording_suite_lands_where_the_plugin_looks(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with FakeAssistantsServer(seed=1) as server:
        _record_pytest_recording_suite(tmp_path, server)
    status, out, err = run(capsys, "import", str(tmp_path / "tests"))
    assert (status, err) == (0, [])
    expected = tmp_path / "cassettes" / "tests" / "unit" / "test_client"
    source = tmp_path / "tests" / "unit" / "cassettes" / "test_client"
    assert [line.split(" (")[0] + " from " + line.split(" from ")[1] for line in out[:-1]] == [
        f"wrote {expected / 'TestRuns.test_creates_a_run.yaml'} from {source / 'TestRuns.test_creates_a_run.yaml'}",
        f"wrote {expected / 'test_streams_an_answer.yaml'} from {source / 'test_streams_an_answer.yaml'}",
    ]
    assert out[-1] == "import: wrote 2 cassettes"
    # --rootdir and --cassette-dir follow the suite's configuration.
    status, out, err = run(
        capsys,
        "import",
        str(tmp_path / "tests"),
        "--rootdir",
        str(tmp_path / "tests"),
        "--cassette-dir",
        "rec",
    )
    assert (status, err) == (0, [])
    assert (tmp_path / "tests" / "rec" / "unit" / "test_client" / "test_streams_an_answer.yaml").is_file()


def test_a_migrated_suite_replays_once_vcr_marks_become_cassette_marks(
    pytester: pytest.Pytester, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeAssistantsServer(seed=1) as server:
        _record_pytest_recording_suite(pytester.path, server)
        base_url = server.base_url
    assert run(capsys, "import", "tests")[0] == 0
    module = pytester.path / "tests" / "unit" / "test_client.py"
    module.write_text(module.read_text().replace("@pytest.mark.vcr", "@pytest.mark.cassette"))
    monkeypatch.setenv("MIGRATION_BASE_URL", base_url)  # the server is gone: only a replay can pass
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["runreplay: 2 cassettes: 2 replayed, 0 recorded; *"])
