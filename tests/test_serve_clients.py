"""Clients that are not Python, live through `runreplay record` and then from `runreplay serve`.

The whole loop of the issue: record through the proxy from the embedded server (with real gaps
between chunks), stop the server, serve the cassette with the command line at recorded speed, and
check that curl, Node's fetch and a headless Chromium page observe exactly what they observed live:
the same chunks (count, sizes, bytes) and the same rendered events. The loop runs once for the
module with the clients that are installed; each client's test skips when its tool is missing
(and fails when env CI is set).
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass

import pytest

from _serve_clients import Observed, Rendered, browser, curl_observed, node_fetch, raw_request, require
from runreplay.cassette import RecordedResponse, load
from runreplay.fakeserver import FakeAssistantsServer
from runreplay.serve import RecordingProxy

RUNS = "/v1/threads/runs"
TOOLS = {"raw": None, "curl_raw": "curl", "curl": "curl", "node": "node", "browser": "chromium"}


def _body(name: str) -> bytes:
    return json.dumps({"assistant_id": f"asst_{name}", "stream": True}).encode()


def _observe(base_url: str, name: str) -> Observed | Rendered:
    """One client's view of its own request (distinct bodies, so each matches its own recording)."""
    if name == "raw":
        return raw_request(base_url, RUNS, _body(name))
    if name.startswith("curl"):
        return curl_observed(base_url + RUNS, _body(name), raw=name == "curl_raw")
    if name == "node":
        return node_fetch(base_url + RUNS, _body(name))
    return browser(base_url, _body(name))


@dataclass
class Loop:
    """What each client saw live and replayed, what was recorded, and how `runreplay serve` ended."""

    live: dict[str, Observed | Rendered]
    replayed: dict[str, Observed | Rendered]
    recorded: dict[str, RecordedResponse]
    upstream_requests: int
    returncode: int
    stderr: str


@pytest.fixture(scope="module")
def loop(tmp_path_factory: pytest.TempPathFactory) -> Loop:
    names = [name for name, tool in TOOLS.items() if tool is None or shutil.which(tool)]
    cassette = tmp_path_factory.mktemp("clients") / "frontend.yaml"
    # 2,500-byte chunks 0.2 s apart: every chunk reaches each client as a read of its own.
    with FakeAssistantsServer(seed=5, chunking="bytes:2500", chunk_delay=0.2) as upstream:
        with RecordingProxy(upstream.url, cassette) as proxy:
            live = {name: _observe(proxy.base_url, name) for name in names}
        upstream_requests = len(upstream.requests)
    recorded = {json.loads(i.request.body)["assistant_id"]: i.response for i in load(cassette).interactions}
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
        replayed = {name: _observe(base_url, name) for name in names}
    finally:
        serve.send_signal(signal.SIGTERM)
        _, err = serve.communicate(timeout=30)
    return Loop(live, replayed, recorded, upstream_requests, serve.returncode, err)


def _check_chunks(loop: Loop, name: str) -> None:
    live, replayed = loop.live[name], loop.replayed[name]
    assert isinstance(live, Observed)
    response = loop.recorded[f"asst_{name}"]
    assert (live.status, live.complete) == (200, True)
    assert live.body == response.body  # what the upstream sent, passed through
    if name != "curl":  # plain curl -N shows the decoded body as one piece
        assert len(live.chunks) == len(response.chunks) >= 3
        assert live.chunks == [chunk.data for chunk in response.chunks]
    assert isinstance(replayed, Observed)
    # Headers differ only where redaction replaced a value (e.g. openai-organization), so not compared.
    assert (replayed.status, replayed.chunks, replayed.complete) == (live.status, live.chunks, live.complete)


def test_a_raw_socket_sees_every_recorded_chunk_again(loop: Loop) -> None:
    _check_chunks(loop, "raw")


def test_curl_raw_shows_the_same_chunk_framing_live_and_served(loop: Loop) -> None:
    require("curl")
    _check_chunks(loop, "curl_raw")


def test_curl_n_delivers_the_same_bytes_live_and_served(loop: Loop) -> None:
    require("curl")
    _check_chunks(loop, "curl")


def test_node_fetch_reads_the_same_chunks_live_and_served(loop: Loop) -> None:
    require("node")
    _check_chunks(loop, "node")


def test_a_browser_page_renders_the_same_events_live_and_served(loop: Loop) -> None:
    require("chromium")
    live, replayed = loop.live["browser"], loop.replayed["browser"]
    assert isinstance(live, Rendered)
    assert live.status == "done 200"
    assert live.events[0] == "thread.created"
    assert live.events[-1] == "done"
    assert live.reads == len(loop.recorded["asst_browser"].chunks)
    assert replayed == live


def test_the_proxy_answered_the_preflight_and_serve_played_everything(loop: Loop) -> None:
    count = len(loop.live)
    # The browser's CORS preflight was answered by the proxy itself, not forwarded or recorded.
    assert loop.upstream_requests == count
    assert sorted(loop.recorded) == sorted(f"asst_{name}" for name in loop.live)
    assert loop.returncode == 0, loop.stderr
    assert loop.stderr.splitlines()[-1] == (
        f"runreplay serve: stopped; {count} requests, {count} played, 0 unmatched, 0 recordings never played"
    )
