"""The README's front-end example (docs/examples/test_frontend_e2e.py) records once, then replays offline."""

from __future__ import annotations

from pathlib import Path

import pytest

from runreplay.fakeserver import FakeAssistantsServer

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "test_frontend_e2e.py"


def test_the_front_end_fixture_records_through_the_proxy_then_serves_the_cassette(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(test_frontend_e2e=EXAMPLE.read_text(encoding="utf-8"))
    with FakeAssistantsServer(seed=2) as api:
        monkeypatch.setenv("OPENAI_BASE_URL", api.base_url)
        monkeypatch.setenv("RECORD", "1")
        pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=1)
        assert len(api.requests) == 1
    monkeypatch.delenv("RECORD")
    cassette = pytester.path / "cassettes" / "frontend" / "chat.yaml"
    assert cassette.exists()
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=1)
