"""The pytest surface, tested from the outside with pytester: options, marker, fixtures, precedence,
the network guard per test, the summary and strict mode. The embedded server runs in this process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from runreplay.cassette import load
from runreplay.fakeserver import FakeAssistantsServer

pytestmark = pytest.mark.filterwarnings("ignore:The Assistants API is deprecated:DeprecationWarning")

CONFTEST = """
import os
import pytest

@pytest.fixture
def base_url():
    return os.environ["RUNREPLAY_TEST_BASE_URL"]
"""

SDK_TEST = """
import openai
import pytest

THREAD = {"messages": [{"role": "user", "content": "Hello"}]}

@pytest.mark.cassette
def test_stream(base_url):
    with openai.OpenAI(base_url=base_url, api_key="sk-test", max_retries=0) as client:
        events = [e.event for e in client.beta.threads.create_and_run(assistant_id="asst_1", thread=THREAD, stream=True)]
    assert events[0] == "thread.created" and events[-1] == "thread.run.completed"
"""


@pytest.fixture
def live(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAssistantsServer]:
    """The embedded server, its URL handed to the inner test session through the environment."""
    with FakeAssistantsServer(seed=31) as server:
        monkeypatch.setenv("RUNREPLAY_TEST_BASE_URL", server.base_url)
        yield server


def test_help_lists_the_options(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(
        [
            "runreplay: record and replay HTTP/SSE cassettes:",
            "  --record-mode={none,once,new_episodes,all,rewrite}",
            "*none (default): replay only, network blocked. once:",
            "  --replay-speed=FACTOR*",
            "  --runreplay-seed=N*",
            "  --allowed-hosts=HOST,...*",
            "*--runreplay-strict*",
        ]
    )


def test_header_prints_the_seed_mode_and_folder(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest("--runreplay-seed=1234")
    result.stdout.fnmatch_lines(["runreplay: --runreplay-seed=1234 --record-mode=none cassettes=cassettes"])


def test_record_once_then_replay_offline(pytester: pytest.Pytester, live: FakeAssistantsServer) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_runs=SDK_TEST)
    recorded = pytester.runpytest("--record-mode=once")
    recorded.assert_outcomes(passed=1)
    path = pytester.path / "cassettes" / "test_runs" / "test_stream.yaml"
    assert len(load(path).interactions) == 1
    recorded.stdout.fnmatch_lines(
        ["runreplay: 1 cassettes: 0 replayed, 1 recorded; 0 recorded interactions never played"]
    )
    live.stop()
    replayed = pytester.runpytest()
    replayed.assert_outcomes(passed=1)
    replayed.stdout.fnmatch_lines(
        ["runreplay: 1 cassettes: 1 replayed, 0 recorded; 0 recorded interactions never played"]
    )


def test_a_missing_cassette_fails_with_how_to_record_it(
    pytester: pytest.Pytester, live: FakeAssistantsServer
) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_runs=SDK_TEST)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    path = pytester.path / "cassettes" / "test_runs" / "test_stream.yaml"
    result.stdout.fnmatch_lines(
        [
            "E*runreplay.errors.UnmatchedRequestError: runreplay: no recorded response for this request, "
            "and record mode 'none' does not record new ones.",
            f"E*POST {live.base_url}/threads/runs",
            f"E*Cassette: {path} does not exist.",
            "E*How to fix:",
            "E** record it: run this test once with --record-mode=once (the server or API must be reachable)",
            "E*See https://pypi.org/project/pytest-runreplay/#record-mode",
        ]
    )
    assert live.requests == []


def test_a_changed_request_shows_the_closest_recording_with_a_diff(
    pytester: pytest.Pytester, live: FakeAssistantsServer
) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_runs=SDK_TEST)
    pytester.runpytest("--record-mode=once").assert_outcomes(passed=1)
    pytester.makepyfile(test_runs=SDK_TEST.replace('"asst_1"', '"asst_2"'))
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E*Closest recorded requests:",
            f"E*#0 POST {live.base_url}/threads/runs (not played)",
            "E*--- recorded body",
            "E*+++ this request's body",
            'E*-  "assistant_id": "asst_1",',
            'E*+  "assistant_id": "asst_2",',
            "E** record it: run with --record-mode=new_episodes (keeps the other recordings)",
        ]
    )


def test_precedence_marker_over_fixture_over_command_line(
    pytester: pytest.Pytester, live: FakeAssistantsServer
) -> None:
    pytester.makeconftest(
        CONFTEST
        + """
@pytest.fixture
def runreplay_config():
    return {"record_mode": "once"}
"""
    )
    pytester.makepyfile(
        test_prec="""
import pytest
from runreplay.recording import current_session

def test_fixture_wins_over_cli(cassette):
    assert cassette.config.record_mode == "once"

@pytest.mark.cassette(record_mode="all")
def test_marker_wins_over_fixture(cassette):
    assert cassette.config.record_mode == "all"
    assert current_session() is cassette
"""
    )
    pytester.runpytest("--record-mode=none").assert_outcomes(passed=2)


def test_marker_name_and_shared_cassettes(pytester: pytest.Pytester, live: FakeAssistantsServer) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(
        test_names="""
import pytest

@pytest.mark.cassette(name="custom")
def test_custom(cassette):
    pass

@pytest.mark.cassette(name="shared/runs")
def test_shared(cassette):
    pass

@pytest.mark.parametrize("x", ["a/b"])
@pytest.mark.cassette
def test_param(cassette, x):
    pass
"""
    )
    result = pytester.runpytest("-p", "no:randomly", "-q", "--co")
    assert result.ret == 0
    pytester.makepyfile(
        test_paths="""
import pytest
from pathlib import Path

@pytest.mark.cassette(name="custom")
def test_custom(cassette, pytestconfig):
    assert cassette.path == pytestconfig.rootpath / "cassettes" / "test_paths" / "custom.yaml"

@pytest.mark.cassette(name="shared/runs")
def test_shared(cassette, pytestconfig):
    assert cassette.path == pytestconfig.rootpath / "cassettes" / "shared" / "runs.yaml"

@pytest.mark.parametrize("x", ["a/b"])
@pytest.mark.cassette
def test_param(cassette, pytestconfig, x):
    assert cassette.path == pytestconfig.rootpath / "cassettes" / "test_paths" / "test_param[a-b].yaml"

class TestGroup:
    @pytest.mark.cassette
    def test_method(self, cassette, pytestconfig):
        assert cassette.path.name == "TestGroup.test_method.yaml"
"""
    )
    pytester.runpytest("test_paths.py").assert_outcomes(passed=4)


def test_bad_marker_arguments_fail_with_a_clear_message(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import pytest

@pytest.mark.cassette("name.yaml")
def test_positional():
    pass

@pytest.mark.cassette(record_mod="once")
def test_typo():
    pass
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            "E*runreplay.errors.ConfigurationError: @pytest.mark.cassette takes keyword arguments only "
            "(name=..., record_mode=..., ...); got positional ('name.yaml',).",
            "E*runreplay.errors.ConfigurationError: unknown cassette option 'record_mod'. Did you mean 'record_mode'?*",
        ]
    )


def test_network_is_blocked_in_replay_even_when_the_code_swallows_the_error(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
import socket

def test_swallowed():
    try:
        socket.create_connection(("192.0.2.1", 443), timeout=1)
    except Exception:
        pass  # application code that hides failures

def test_loopback_is_allowed_by_default():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        socket.create_connection(server.getsockname(), timeout=1).close()
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "E*runreplay.errors.NetworkBlockedError: network access to '192.0.2.1:443' blocked in "
            "test_network_is_blocked_in_replay_even_when_the_code_swallows_the_error.py::test_swallowed: "
            "record mode is 'none' (replay only) and '192.0.2.1' is not in --allowed-hosts.*"
        ]
    )
    blocked = pytester.runpytest("--allowed-hosts=")
    blocked.assert_outcomes(failed=2)
    allowed = pytester.runpytest("--allowed-hosts=192.0.2.0/24,127.0.0.1", "-k", "loopback")
    allowed.assert_outcomes(passed=1, deselected=1)


def test_strict_fails_unplayed_interactions_and_missing_cassettes(
    pytester: pytest.Pytester, live: FakeAssistantsServer
) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_runs=SDK_TEST)
    pytester.runpytest("--record-mode=once").assert_outcomes(passed=1)
    pytester.makepyfile(
        test_runs="""
import pytest

@pytest.mark.cassette
def test_stream():
    pass  # sends nothing: the recorded interaction is never played

@pytest.mark.cassette
def test_nothing():
    pass
"""
    )
    relaxed = pytester.runpytest()
    relaxed.assert_outcomes(passed=2)
    relaxed.stdout.fnmatch_lines(
        [
            "runreplay: 2 cassettes: 0 replayed, 0 recorded; 1 recorded interactions never played",
            "  cassettes/test_runs/test_stream.yaml: never played #0",
        ]
    )
    strict = pytester.runpytest("--runreplay-strict")
    strict.assert_outcomes(failed=2)
    path = pytester.path / "cassettes" / "test_runs"
    strict.stdout.fnmatch_lines(
        [
            f"*runreplay strict: 1 recorded interaction(s) in {path / 'test_stream.yaml'} were never played: #0.*",
            f"*runreplay strict: cassette {path / 'test_nothing.yaml'} does not exist and nothing was recorded.*",
        ]
    )


def test_works_under_xdist(pytester: pytest.Pytester, live: FakeAssistantsServer) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_runs=SDK_TEST, test_more=SDK_TEST.replace("test_stream", "test_other"))
    pytester.runpytest("-n", "2", "--record-mode=once").assert_outcomes(passed=2)
    live.stop()
    result = pytester.runpytest("-n", "2")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        ["runreplay: 2 cassettes: 2 replayed, 0 recorded; 0 recorded interactions never played"]
    )


def test_cassette_dir_ini_is_relative_to_rootdir(
    pytester: pytest.Pytester, live: FakeAssistantsServer
) -> None:
    pytester.makeini("[pytest]\nrunreplay_cassette_dir = tests/recordings\n")
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_runs=SDK_TEST)
    pytester.runpytest("--record-mode=once").assert_outcomes(passed=1)
    assert (pytester.path / "tests" / "recordings" / "test_runs" / "test_stream.yaml").is_file()


def test_recorded_cassettes_carry_no_secret(pytester: pytest.Pytester, live: FakeAssistantsServer) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(
        test_runs=SDK_TEST.replace('api_key="sk-test"', 'api_key="sk-proj-abcdefghijklmnopqrstuvwxyz012345"')
    )
    pytester.runpytest("--record-mode=once").assert_outcomes(passed=1)
    text = Path(pytester.path / "cassettes" / "test_runs" / "test_stream.yaml").read_text()
    assert "sk-proj-abcdefghijklmnopqrstuvwxyz012345" not in text
    assert "Bearer <REDACTED>" in text


def test_async_tests_under_pytest_asyncio_and_anyio_replay(
    pytester: pytest.Pytester, live: FakeAssistantsServer
) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(
        test_async="""
import openai
import pytest

THREAD = {"messages": [{"role": "user", "content": "Hello"}]}


async def events(base_url):
    async with openai.AsyncOpenAI(base_url=base_url, api_key="sk-test", max_retries=0) as client:
        stream = await client.beta.threads.create_and_run(assistant_id="asst_1", thread=THREAD, stream=True)
        return [event.event async for event in stream]


@pytest.mark.asyncio
@pytest.mark.cassette
async def test_with_pytest_asyncio(base_url):
    assert (await events(base_url))[-1] == "thread.run.completed"


@pytest.mark.anyio
@pytest.mark.cassette
async def test_with_anyio(base_url):
    assert (await events(base_url))[-1] == "thread.run.completed"


@pytest.fixture
def anyio_backend():
    return "asyncio"
"""
    )
    pytester.runpytest("--record-mode=once", "-p", "anyio").assert_outcomes(passed=2)
    live.stop()
    result = pytester.runpytest("-p", "anyio")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        ["runreplay: 2 cassettes: 2 replayed, 0 recorded; 0 recorded interactions never played"]
    )


def test_once_lets_every_test_of_the_run_record_into_a_shared_cassette(
    pytester: pytest.Pytester, live: FakeAssistantsServer
) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(
        test_shared="""
import openai
import pytest

@pytest.mark.parametrize("n", range(3))
@pytest.mark.cassette(name="shared/runs")
def test_run(base_url, n):
    with openai.OpenAI(base_url=base_url, api_key="sk-test", max_retries=0) as client:
        run = client.beta.threads.create_and_run(assistant_id=f"asst_{n}")
    assert run.assistant_id == f"asst_{n}"
"""
    )
    pytester.runpytest("--record-mode=once", "-p", "no:randomly").assert_outcomes(passed=3)
    assert len(load(pytester.path / "cassettes" / "shared" / "runs.yaml").interactions) == 3
    # A later run finds the cassette written by another run: `once` replays it and records nothing.
    live.stop()
    result = pytester.runpytest("--record-mode=once", "-p", "no:randomly")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(
        ["runreplay: 1 cassettes: 1 replayed, 0 recorded; 0 recorded interactions never played"]
    )
