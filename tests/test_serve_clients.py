"""Clients that are not Python, live through `runreplay record` and then from `runreplay serve`.

The whole loop of the issue: record through the proxy from the embedded server (with real gaps
between chunks), stop the server, serve the cassette with the command line at recorded speed, and
check that curl, Node's fetch and a headless Chromium page observe exactly what they observed live:
the same chunks (count, sizes, bytes) and the same rendered events.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from _serve_clients import Observed, browser, curl_observed, node_fetch, raw_request, require
from runreplay.cassette import load
from runreplay.fakeserver import FakeAssistantsServer
from runreplay.serve import RecordingProxy

RUNS = "/v1/threads/runs"


def _body(name: str) -> bytes:
    return json.dumps({"assistant_id": f"asst_{name}", "stream": True}).encode()


def _observe(base_url: str, names: list[str]) -> dict[str, Observed]:
    """Each client's view of its own request (distinct bodies, so each matches its own recording)."""
    seen: dict[str, Observed] = {}
    for name in names:
        if name == "raw":
            seen[name] = raw_request(base_url, RUNS, _body(name))
        elif name.startswith("curl"):
            seen[name] = curl_observed(base_url + RUNS, _body(name), raw=name == "curl_raw")
        else:
            seen[name] = node_fetch(base_url + RUNS, _body(name))
    return seen


@pytest.fixture
def clients() -> list[str]:
    """The clients of this run; each one missing is skipped (a failure when env CI is set)."""
    require("curl")
    require("node")
    require("chromium")
    return ["raw", "curl_raw", "curl", "node"]


def test_record_stop_the_server_serve_and_every_client_sees_what_it_saw_live(
    tmp_path: Path, clients: list[str]
) -> None:
    cassette = tmp_path / "frontend.yaml"
    # 2,500-byte chunks 0.2 s apart: every chunk reaches each client as a read of its own.
    with FakeAssistantsServer(seed=5, chunking="bytes:2500", chunk_delay=0.2) as upstream:
        with RecordingProxy(upstream.url, cassette) as proxy:
            live = _observe(proxy.base_url, clients)
            live_page = browser(proxy.base_url, _body("browser"))
        upstream_requests = len(upstream.requests)
    assert upstream_requests == 5  # the browser's CORS preflight was answered by the proxy itself

    recorded = {json.loads(i.request.body)["assistant_id"]: i.response for i in load(cassette).interactions}
    assert sorted(recorded) == ["asst_browser", "asst_curl", "asst_curl_raw", "asst_node", "asst_raw"]
    for name, seen in live.items():
        response = recorded[f"asst_{name}"]
        assert (seen.status, seen.complete) == (200, True)
        assert seen.body == response.body, name
        if name != "curl":  # plain curl -N shows the decoded body only
            assert len(seen.chunks) == len(response.chunks) >= 3, name
            assert seen.chunks == [chunk.data for chunk in response.chunks], name
    assert live_page.status == "done 200"
    assert live_page.events[0] == "thread.created"
    assert live_page.events[-1] == "done"
    assert live_page.reads == len(recorded["asst_browser"].chunks)

    serve = subprocess.Popen(
        [sys.executable, "-m", "runreplay.cli", "serve", str(cassette), "--replay-speed", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert serve.stdout is not None
        base_url = serve.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:")
        replayed = _observe(base_url, clients)
        replayed_page = browser(base_url, _body("browser"))
    finally:
        serve.send_signal(signal.SIGTERM)
        _, err = serve.communicate(timeout=30)
    assert serve.returncode == 0, err
    for name in clients:
        assert replayed[name].chunks == live[name].chunks, name
        assert (replayed[name].status, replayed[name].complete) == (200, True)
    assert replayed_page == live_page
    assert err.splitlines()[-1] == (
        "runreplay serve: stopped; 5 requests, 5 played, 0 unmatched, 0 recordings never played"
    )
