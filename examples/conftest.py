"""The example suite's configuration, as a downstream project would write it.

Cassettes live in `<rootdir>/cassettes/examples/<test module>/` (`test_assistant_app/` for the
Assistants tests, `test_responses_app/` and `test_weather_migration/` for the Responses ones). They
were recorded from runreplay's embedded server at `RUNREPLAY_EXAMPLE_BASE_URL` (see
`python3 dev.py record-examples`);
against the real API you would point the client at https://api.openai.com/v1 and record once with
`--record-mode=once` and a real OPENAI_API_KEY, which never reaches the cassette.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import openai
import pytest

BASE_URL = os.environ.get("RUNREPLAY_EXAMPLE_BASE_URL", "http://127.0.0.1:8765/v1")


def pytest_configure(config: pytest.Config) -> None:
    """Register `replay_only`: tests that replay another test's cassette with faults injected."""
    config.addinivalue_line("markers", "replay_only: replays a recording with faults; skipped when recording")


@pytest.fixture
def client() -> Iterator[openai.OpenAI]:
    """The application's client; the key is only used while recording and is redacted on disk."""
    api_key = os.environ.get("OPENAI_API_KEY", "sk-example-not-a-real-key-0000000000")
    with openai.OpenAI(base_url=BASE_URL, api_key=api_key, max_retries=0) as sdk_client:
        yield sdk_client


@pytest.fixture(scope="module")
def runreplay_config() -> dict[str, Any]:
    """Options for every cassette in this folder (a marker can still override them per test)."""
    return {"filter_headers": ["x-example-tenant"]}
