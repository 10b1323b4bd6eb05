"""README.md is tested: every Python block is a file under docs/examples/ that runs here, and every
README anchor that an error message links to exists."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import find, settings

from runreplay.factories import edge_cases, invalid_cases
from runreplay.fakeserver import FakeAssistantsServer
from runreplay.strategies import requests

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
EXAMPLES = ROOT / "docs" / "examples"
BLOCK = re.compile(r"<!-- file: (?P<file>[^ ]+) -->\n```(?P<lang>\w*)\n(?P<code>.*?)```", re.S)

pytestmark = pytest.mark.filterwarnings("ignore:The Assistants API is deprecated:DeprecationWarning")


def _blocks() -> list[tuple[str, str, str]]:
    text = README.read_text(encoding="utf-8")
    return [(m["file"], m["lang"], m["code"]) for m in BLOCK.finditer(text)]


def test_every_python_block_is_an_example_file_verbatim() -> None:
    text = README.read_text(encoding="utf-8")
    python_blocks = re.findall(r"```python\n", text)
    blocks = [b for b in _blocks() if b[1] == "python"]
    assert len(blocks) == len(python_blocks), "a ```python block in README.md has no <!-- file: ... --> line"
    for name, _, code in blocks:
        assert (ROOT / name).read_text(encoding="utf-8") == code, f"README block differs from {name}"


def test_every_anchor_that_the_code_links_to_exists() -> None:
    text = README.read_text(encoding="utf-8")
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', text))
    linked: set[str] = set()
    for path in (ROOT / "src" / "runreplay").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        linked |= set(re.findall(r"docs_link\(\s*[\"']([^\"']+)[\"']", source))
        linked |= set(re.findall(r"pypi\.org/project/pytest-runreplay/#([a-z0-9-]+)", source))
    assert linked, "no links found: the pattern is wrong"
    assert sorted(linked - anchors) == []


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> FakeAssistantsServer:
    """The embedded server as the API the examples talk to (the SDK reads these variables)."""
    server = FakeAssistantsServer(seed=3).start()
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-readme-0123456789abcdefghijkl")
    return server


def test_the_pytest_examples_record_once_then_replay_offline(
    pytester: pytest.Pytester, api: FakeAssistantsServer
) -> None:
    # Warm hypothesis's per-process caches (built on first use), so the inner run's health check
    # measures the strategy rather than that one-time cost.
    find(requests(), lambda request: True, settings=settings(database=None))
    for name in ("conftest.py", "test_quickstart.py", "test_retries.py", "test_factories.py"):
        (pytester.path / name).write_text((EXAMPLES / name).read_text(encoding="utf-8"), encoding="utf-8")
    recorded = pytester.runpytest("--record-mode=once", "-p", "no:randomly")
    outcomes = recorded.parseoutcomes()
    assert outcomes.get("failed", 0) == 0
    # quick start 1, retries 3, factories 2 + the two catalogs + 1 property test
    assert outcomes["passed"] == 1 + 3 + 2 + len(edge_cases()) + len(invalid_cases()) + 1
    api.stop()
    replayed = pytester.runpytest("-p", "no:randomly")
    assert replayed.parseoutcomes()["passed"] == outcomes["passed"]
    assert "sk-readme-0123456789abcdefghijkl" not in "".join(
        p.read_text() for p in (pytester.path / "cassettes").rglob("*.yaml")
    )


def test_the_responses_example_records_once_then_replays_offline(
    pytester: pytest.Pytester, api: FakeAssistantsServer
) -> None:
    for name in ("conftest.py", "test_responses.py"):
        (pytester.path / name).write_text((EXAMPLES / name).read_text(encoding="utf-8"), encoding="utf-8")
    recorded = pytester.runpytest("--record-mode=once", "-p", "no:randomly")
    recorded.assert_outcomes(passed=3 + 50)
    api.stop()
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=3 + 50)


def test_the_use_cassette_script_records_then_replays(tmp_path: Path, api: FakeAssistantsServer) -> None:
    script = tmp_path / "use_cassette.py"
    script.write_text((EXAMPLES / "use_cassette.py").read_text(encoding="utf-8"))
    env = {**os.environ, "PYTHONWARNINGS": "ignore::DeprecationWarning"}
    first = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert first.stdout == "queued 0 1\n", first.stderr
    api.stop()
    second = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert second.stdout == "queued 1 0\n", second.stderr


def _text_block_after(heading_anchor: str) -> str:
    """The first plain ``` block after the anchor `heading_anchor` in README.md."""
    text = README.read_text(encoding="utf-8")
    start = text.index(f'<a id="{heading_anchor}"></a>')
    match = re.compile(r"```\n(.*?)```", re.S).search(text, start)
    assert match is not None
    return match[1]


def test_the_readmes_unmatched_request_message_is_what_runreplay_prints() -> None:
    from runreplay.cassette._index import make_key_function
    from runreplay.cassette.model import Cassette, Interaction, RecordedRequest, RecordedResponse
    from runreplay.recording._config import resolve
    from runreplay.recording._matching import unmatched_message

    url = "https://api.openai.com/v1/threads/runs"

    def request(assistant: str) -> RecordedRequest:
        body = f'{{"assistant_id":"{assistant}","stream":true}}'.encode()
        return RecordedRequest("POST", url, [("content-type", "application/json")], body)

    key = make_key_function()
    cassette = Cassette(interactions=[Interaction(request("asst_1"), RecordedResponse(status=200))])
    message = unmatched_message(
        request("asst_2"),
        cassette=cassette,
        path=Path("cassettes/test_runs/test_stream.yaml"),
        existed=True,
        config=resolve(),
        played=set(),
        key=key(request("asst_2")),
        key_function=key,
    )
    shown = _text_block_after("unmatched-requests")
    # The README shows the message up to the diff's first context lines; everything shown is verbatim.
    head, _, tail = shown.partition('      +  "assistant_id": "asst_2",\n')
    assert message.startswith(head + '      +  "assistant_id": "asst_2",\n')
    assert tail.strip() in message


def test_the_readmes_summary_lines_are_what_runreplay_prints() -> None:
    from runreplay.recording._pytest_support import RunSummary
    from runreplay.recording._session import SessionStats

    summary = RunSummary()
    for n in range(10):
        summary.add(
            SessionStats(path=str(ROOT / f"cassettes/test_runs/test_{n}.yaml"), existed=True, played=1)
        )
    summary.add(SessionStats(path=str(ROOT / "cassettes/test_runs/test_new.yaml"), existed=False, recorded=1))
    summary.add(
        SessionStats(
            path=str(ROOT / "cassettes/test_runs/test_stream.yaml"), existed=True, played=1, unplayed=[2]
        )
    )
    assert "\n".join(summary.lines(ROOT)) + "\n" == _text_block_after("runreplay-strict")
