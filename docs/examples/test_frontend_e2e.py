import json
import os
import urllib.request

import pytest

from runreplay.serve import CassetteServer, RecordingProxy

CASSETTE = "cassettes/frontend/chat.yaml"


@pytest.fixture(scope="session")
def api_base_url():
    """The API the front end talks to: recorded through a proxy with RECORD=1, else replayed on a port."""
    if os.environ.get("RECORD"):
        target = os.environ["OPENAI_BASE_URL"].removesuffix("/v1")  # e.g. https://api.openai.com
        with RecordingProxy(target, CASSETTE) as proxy:
            yield proxy.base_url + "/v1"
    else:
        with CassetteServer(CASSETTE, replay_speed=1) as server:  # recorded chunks at recorded times
            yield server.base_url + "/v1"


def test_the_chat_streams_an_answer(api_base_url):
    # A browser suite hands api_base_url to the front end instead, e.g. with Playwright:
    # page.goto(f"http://localhost:5173/?api={api_base_url}"), then expects the rendered answer.
    body = json.dumps({"assistant_id": "asst_frontend", "stream": True}).encode()
    request = urllib.request.Request(
        api_base_url + "/threads/runs", data=body, headers={"content-type": "application/json"}
    )
    with urllib.request.urlopen(request) as response:
        events = [line for line in response.read().decode().splitlines() if line.startswith("event: ")]
    assert events[0] == "event: thread.created"
    assert events[-1] == "event: done"
