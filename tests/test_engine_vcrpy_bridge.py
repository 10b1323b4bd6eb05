"""Clients without a runreplay adapter of their own (urllib.request through http.client) record and
replay through vcrpy's patches, with runreplay's format, redaction, matching and errors."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from runreplay.cassette import load
from runreplay.errors import UnmatchedRequestError
from runreplay.fakeserver import FakeAssistantsServer
from runreplay.recording import use_cassette


def _post(url: str, body: dict[str, object]) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={
            "content-type": "application/json",
            "authorization": "Bearer sk-live-0123456789abcdefghijkl",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def test_urllib_records_then_replays_without_the_server(tmp_path: Path) -> None:
    path = tmp_path / "urllib.yaml"
    with FakeAssistantsServer(seed=41) as server:
        url = f"{server.base_url}/threads/runs"
        with use_cassette(path, record_mode="once"):
            live = _post(url, {"assistant_id": "asst_1"})
            live_error = _post(url, {"assistant_id": "asst_1", "temperature": 3})
    with use_cassette(path) as session:
        assert _post(url, {"assistant_id": "asst_1"}) == live
        assert _post(url, {"assistant_id": "asst_1", "temperature": 3}) == live_error
        assert session.stats().unplayed == []
    assert live[0] == 200
    assert live_error[0] == 400
    cassette = load(path)
    assert [i.request.header("authorization") for i in cassette.interactions] == ["Bearer <REDACTED>"] * 2
    assert "sk-live" not in path.read_text()


def test_urllib_requests_without_a_recording_fail_with_runreplays_message(tmp_path: Path) -> None:
    path = tmp_path / "urllib.yaml"
    with FakeAssistantsServer(seed=42) as server:
        url = f"{server.base_url}/threads/runs"
        with use_cassette(path, record_mode="once"):
            _post(url, {"assistant_id": "asst_1"})
        with use_cassette(path), pytest.raises(UnmatchedRequestError) as excinfo:
            _post(url, {"assistant_id": "asst_2"})
        assert len(server.requests) == 1
    assert str(excinfo.value).startswith(
        "runreplay: no recorded response for this request, and record mode 'none' does not record new ones.\n\n"
        f"  POST {url}\n"
    )


def test_vcrpys_patchers_are_built_once_and_started_per_activation(monkeypatch: pytest.MonkeyPatch) -> None:
    import http.client

    import vcr.patch

    from runreplay.recording._vcrpy_bridge import VcrPatch

    builds = []
    real_build = vcr.patch.CassettePatcherBuilder.build

    def counting_build(self: object) -> object:
        builds.append(self)
        return real_build(self)  # type: ignore[arg-type]

    monkeypatch.setattr(vcr.patch.CassettePatcherBuilder, "build", counting_build)
    original = http.client.HTTPConnection
    patch = VcrPatch()
    for _ in range(3):
        patch.install()
        assert http.client.HTTPConnection is not original
        patch.uninstall()
        assert http.client.HTTPConnection is original
    assert len(builds) == 1
