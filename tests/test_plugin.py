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
            "  --runreplay-record-mode={none,once,new_episodes,all,rewrite}, --record-mode={none,once,new_episodes,all,rewrite}",
            "*none (default): replay only, network blocked. once:",
            "  --runreplay-replay-speed=FACTOR, --replay-speed=FACTOR",
            "  --runreplay-seed=N*",
            "  --runreplay-allowed-hosts=HOST,..., --allowed-hosts=HOST,...",
            "*--runreplay-strict*",
            "*--runreplay-block-network*",
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


PRECEDENCE_TEST = """
import pytest

@pytest.fixture
def runreplay_config():
    return {"record_mode": "new_episodes", "replay_speed": 2}

def test_fixture(cassette):
    assert (cassette.config.record_mode, cassette.config.replay_speed) == (EXPECTED_FIXTURE)

@pytest.mark.cassette(record_mode="all", replay_speed=3)
def test_marker(cassette):
    assert (cassette.config.record_mode, cassette.config.replay_speed) == (EXPECTED_MARKER)
"""


@pytest.mark.parametrize(
    ("ini", "args", "fixture", "marker"),
    [
        # no command line: marker > fixture > ini
        ("", [], ("new_episodes", 2.0), ("all", 3.0)),
        (
            "runreplay_record_mode = rewrite\nrunreplay_replay_speed = 5\n",
            [],
            ("new_episodes", 2.0),
            ("all", 3.0),
        ),
        # an option given on the command line beats marker, fixture and ini (CI's --record-mode=none holds)
        ("runreplay_record_mode = rewrite\n", ["--record-mode=none"], ("none", 2.0), ("none", 3.0)),
        ("", ["--runreplay-record-mode=once", "--replay-speed=0.5"], ("once", 0.5), ("once", 0.5)),
    ],
)
def test_precedence_command_line_then_marker_then_fixture_then_ini(
    pytester: pytest.Pytester,
    ini: str,
    args: list[str],
    fixture: tuple[str, float],
    marker: tuple[str, float],
) -> None:
    pytester.makeini("[pytest]\n" + ini)
    pytester.makepyfile(
        test_prec=PRECEDENCE_TEST.replace("EXPECTED_FIXTURE", repr(fixture)).replace(
            "EXPECTED_MARKER", repr(marker)
        )
    )
    pytester.runpytest(*args).assert_outcomes(passed=2)


def test_precedence_ini_then_default(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_prec="""
import pytest

@pytest.mark.cassette
def test_mode(cassette, pytestconfig):
    assert cassette.config.record_mode == pytestconfig.getini("runreplay_record_mode")
"""
    )
    pytester.runpytest().assert_outcomes(passed=1)  # the default: none
    pytester.makeini("[pytest]\nrunreplay_record_mode = new_episodes\n")
    pytester.runpytest().assert_outcomes(passed=1)


def test_x_keys_reach_the_test_through_the_cassette_fixture(pytester: pytest.Pytester) -> None:
    """`x_` keys are the users' own: not checked, merged with the same precedence, read as `config.extra`."""
    pytester.makepyfile(
        test_extra="""
import pytest

@pytest.fixture
def runreplay_config():
    return {"x_team": "search", "x_owner": "ana"}

@pytest.mark.cassette(x_team="billing")
def test_marker_wins(cassette):
    assert dict(cassette.config.extra) == {"x_team": "billing", "x_owner": "ana"}

@pytest.mark.cassette
def test_fixture_only(cassette):
    assert dict(cassette.config.extra) == {"x_team": "search", "x_owner": "ana"}
"""
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_the_readme_precedence_table_is_the_order_tested_above() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index('<a id="precedence"></a>') :].split("\n\n")
    table = next(part for part in section if part.startswith("| wins"))
    rows = table.splitlines()[2:]
    assert [row.split("|")[2].strip() for row in rows] == [
        "an option given on the command line (`--record-mode=none`)",
        'the `cassette` marker\'s keyword (`@pytest.mark.cassette(record_mode="once")`)',
        'the `runreplay_config` fixture (`{"record_mode": "once"}`)',
        "the ini key (`runreplay_record_mode = once`)",
        "the default (`none`)",
    ]


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
            "runreplay.errors.ConfigurationError: @pytest.mark.cassette takes keyword arguments only "
            "(name=..., record_mode=..., ...); got positional ('name.yaml',).",
            "runreplay.errors.ConfigurationError: unknown cassette option 'record_mod'. Did you mean 'record_mode'?*",
        ]
    )


GUARD_TESTS = """
import socket

import pytest

from runreplay.recording._guard import active_guard


@pytest.fixture
def db_host():
    # a function-scoped fixture that resolves a docker-compose host: no cassette, so not guarded
    return active_guard()


def test_unmarked(db_host):
    assert db_host is None and active_guard() is None


@pytest.mark.cassette
def test_swallowed():
    assert active_guard() is not None
    try:
        socket.create_connection(("192.0.2.1", 443), timeout=1)
    except Exception:
        pass  # application code that hides failures


@pytest.mark.cassette
def test_loopback_is_allowed_by_default():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        socket.create_connection(server.getsockname(), timeout=1).close()


@pytest.mark.cassette
@pytest.mark.allow_network
def test_opted_out():
    assert active_guard() is None
"""


def test_in_replay_only_tests_that_use_a_cassette_are_guarded(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_guarded=GUARD_TESTS)
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        [
            "E*runreplay.errors.NetworkBlockedError: network access to '192.0.2.1:443' blocked in "
            "test_guarded.py::test_swallowed: record mode is 'none' (replay only) and '192.0.2.1' is not in "
            "--runreplay-allowed-hosts (now: localhost,127.0.0.0/8,::1/128). Record the exchange with "
            "--record-mode=once, or allow the host with --runreplay-allowed-hosts=localhost,127.0.0.0/8,::1/128,192.0.2.1. "
            "See https://pypi.org/project/pytest-runreplay/#allowed-hosts"
        ]
    )
    # An allow-list replaces the default: the suggested fix keeps what is allowed now.
    allowed = pytester.runpytest("-p", "no:randomly", "--allowed-hosts=db,10.0.0.0/8", "-k", "swallowed")
    allowed.stdout.fnmatch_lines(
        [
            "E*'192.0.2.1' is not in --runreplay-allowed-hosts (now: db,10.0.0.0/8). *--runreplay-allowed-hosts=db,10.0.0.0/8,192.0.2.1. *"
        ]
    )
    emptied = pytester.runpytest("-p", "no:randomly", "--allowed-hosts=")
    emptied.assert_outcomes(passed=2, failed=2)
    emptied.stdout.fnmatch_lines(
        [
            "E*'127.0.0.1' is not in --runreplay-allowed-hosts (now: nothing). *--runreplay-allowed-hosts=127.0.0.1. *"
        ]
    )
    wider = pytester.runpytest("--runreplay-allowed-hosts=192.0.2.0/24,127.0.0.1", "-k", "loopback")
    wider.assert_outcomes(passed=1, deselected=3)


BLOCK_NETWORK_TESTS = """
import socket

import pytest

from runreplay.recording._guard import active_guard


@pytest.fixture(scope="session")
def database():
    return socket.getaddrinfo("db.example", 5432)


def test_uses_the_session_fixture(database):
    pass


def test_guarded_without_marker():
    assert active_guard() is not None


@pytest.mark.allow_network
def test_opted_out():
    assert active_guard() is None
"""


@pytest.mark.parametrize("how", [["--runreplay-block-network"], ["-o", "runreplay_block_network=true"]])
def test_block_network_guards_the_whole_run_from_session_start(
    pytester: pytest.Pytester, how: list[str]
) -> None:
    pytester.makepyfile(test_block=BLOCK_NETWORK_TESTS)
    result = pytester.runpytest("-p", "no:randomly", *how)
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "E*runreplay.errors.NetworkBlockedError: network access to 'db.example:5432' blocked in "
            "test_block.py::test_uses_the_session_fixture: --runreplay-block-network blocks the network "
            "for the whole run and 'db.example' is not in --runreplay-allowed-hosts (now: localhost,127.0.0.0/8,::1/128). "
            "If it calls an HTTP API, add @pytest.mark.cassette to record and replay it; if it needs the "
            "network, add @pytest.mark.allow_network; or allow the host with "
            "--runreplay-allowed-hosts=localhost,127.0.0.0/8,::1/128,db.example. "
            "See https://pypi.org/project/pytest-runreplay/#allowed-hosts"
        ]
    )
    without = pytester.runpytest("-p", "no:randomly", "-k", "not session_fixture and not opted_out")
    without.assert_outcomes(failed=1, deselected=2)


def test_a_test_without_a_cassette_gets_no_runreplay_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_plain="""
import pytest

def test_plain(request):
    assert "_runreplay_context" not in request.fixturenames

@pytest.mark.parametrize("n", [1, 2])
def test_param(request, n):
    assert "_runreplay_context" not in request.fixturenames

@pytest.mark.cassette
def test_marked(request):
    assert request.fixturenames[0] == "_runreplay_context"

def test_fixture_only(cassette, request):
    assert "_runreplay_context" in request.fixturenames
"""
    )
    pytester.runpytest().assert_outcomes(passed=5)


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


def test_same_named_modules_in_different_folders_get_different_cassettes(
    pytester: pytest.Pytester, live: FakeAssistantsServer
) -> None:
    pytester.makeconftest(CONFTEST)
    (pytester.path / "tests").mkdir()
    (pytester.path / "tests" / "__init__.py").write_text("")
    for folder in ("unit", "integration"):
        (pytester.path / "tests" / folder).mkdir()
        (pytester.path / "tests" / folder / "__init__.py").write_text("")
        (pytester.path / "tests" / folder / "test_client.py").write_text(
            SDK_TEST.replace('"asst_1"', f'"asst_{folder}"')
        )
    pytester.runpytest("--record-mode=once", "-p", "no:randomly").assert_outcomes(passed=2)
    for folder in ("unit", "integration"):
        path = pytester.path / "cassettes" / "tests" / folder / "test_client" / "test_stream.yaml"
        assert f"asst_{folder}" in load(path).interactions[0].request.body.decode()
    live.stop()
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


def test_bad_settings_are_one_usage_error_at_start_up(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_a(): pass\ndef test_b(): pass\n")
    pytester.makeini("[pytest]\nrunreplay_record_mode = onse\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert (
        result.stderr.lines.count(
            "ERROR: runreplay: ini (runreplay_* keys): record_mode must be one of none, once, new_episodes, all, "
            "rewrite; got 'onse'. Did you mean 'once'? See https://pypi.org/project/pytest-runreplay/#record-mode"
        )
        == 1
    )
    pytester.makeini("[pytest]\n")
    hosts = pytester.runpytest("--allowed-hosts=https://api.example.com")
    assert hosts.ret == pytest.ExitCode.USAGE_ERROR
    hosts.stderr.fnmatch_lines(
        [
            "ERROR: runreplay: --allowed-hosts / runreplay_allowed_hosts: allowed host "
            "'https://api.example.com' cannot be used: it is a URL; give only the host name. *"
        ]
    )
    speed = pytester.runpytest("-o", "runreplay_replay_speed=fast")
    assert speed.ret == pytest.ExitCode.USAGE_ERROR
    speed.stderr.fnmatch_lines(
        [
            "ERROR: runreplay: ini runreplay_replay_speed: expected a number >= 0 (0 = instant, 1 = recorded "
            "timing), got 'fast'."
        ]
    )


def test_vcrpy_matcher_names_get_a_did_you_mean(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import pytest

@pytest.mark.cassette(match_on=["method", "uri"])
def test_uri():
    pass
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "runreplay.errors.ConfigurationError: match_on must name request parts from method, scheme, host, "
            "port, path, query, url, body; got ['method', 'uri']. Did you mean 'url'? "
            "See https://pypi.org/project/pytest-runreplay/#match-on"
        ]
    )


def test_a_failure_shows_runreplays_message_and_the_tests_frame_only(
    pytester: pytest.Pytester, live: FakeAssistantsServer
) -> None:
    pytester.makeconftest(CONFTEST)
    # The SDK retries and wraps the error as APIConnectionError; the test sees that, pytest shows ours.
    pytester.makepyfile(test_runs=SDK_TEST.replace("max_retries=0", "max_retries=2"))
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    failure = result.stdout.str().split(" test_stream ")[1].split("short test summary")[0]
    assert "openai" + "/_base_client.py" not in failure
    assert "runreplay/recording" not in failure
    assert "APIConnectionError" not in failure
    lines = failure.splitlines()
    first_error = next(line for line in lines if line.startswith("E "))
    assert first_error.split(":")[0].split() == ["E", "runreplay.errors.UnmatchedRequestError"]
    assert len(lines) < 45, failure


def test_strict_judges_a_shared_cassette_over_the_whole_run(
    pytester: pytest.Pytester, live: FakeAssistantsServer
) -> None:
    pytester.makeconftest(CONFTEST)
    shared = """
import openai
import pytest

@pytest.mark.cassette(name="shared/runs")
def test_ASSISTANT(base_url):
    with openai.OpenAI(base_url=base_url, api_key="sk-test", max_retries=0) as client:
        assert client.beta.threads.create_and_run(assistant_id="ASSISTANT").assistant_id == "ASSISTANT"
"""
    pytester.makepyfile(
        test_one=shared.replace("ASSISTANT", "asst_one"), test_two=shared.replace("ASSISTANT", "asst_two")
    )
    pytester.runpytest("--record-mode=once", "-p", "no:randomly").assert_outcomes(passed=2)
    live.stop()
    pytester.runpytest("--runreplay-strict").assert_outcomes(passed=2)
    pytester.runpytest("--runreplay-strict", "-n", "2").assert_outcomes(passed=2)
    alone = pytester.runpytest("--runreplay-strict", "test_one.py")
    alone.assert_outcomes(passed=1)
    assert alone.ret == pytest.ExitCode.TESTS_FAILED
    alone.stdout.fnmatch_lines(
        [
            "runreplay strict: 1 recorded interaction(s) in cassettes/shared/runs.yaml were never played by any "
            "test of this run: #1. Remove them (re-record with --record-mode=rewrite) or make a test send those "
            "requests."
        ]
    )


MIXED_TESTS = """
import openai
import pytest
import requests

THREAD = {"messages": [{"role": "user", "content": "Hello"}]}


@pytest.mark.vcr
def test_with_vcr(base_url):
    response = requests.post(f"{base_url}/threads/runs", json={"assistant_id": "asst_vcr"}, timeout=5)
    assert response.json()["assistant_id"] == "asst_vcr"


@pytest.mark.cassette
def test_with_runreplay(base_url):
    with openai.OpenAI(base_url=base_url, api_key="sk-test", max_retries=0) as client:
        events = [e.event for e in client.beta.threads.create_and_run(assistant_id="asst_rr", thread=THREAD, stream=True)]
    assert events[-1] == "thread.run.completed"
"""


def test_coexists_with_pytest_recording_and_one_record_mode_drives_both(
    pytester: pytest.Pytester, live: FakeAssistantsServer
) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_mixed=MIXED_TESTS)
    # `-p recording` after the project's `-p no:recording` loads pytest-recording for this session.
    recorded = pytester.runpytest("-p", "recording", "--record-mode=once", "-p", "no:randomly")
    recorded.assert_outcomes(passed=2)
    recorded.stdout.fnmatch_lines(["runreplay: --runreplay-seed=0 --record-mode=once cassettes=cassettes"])
    assert len(live.requests) == 2
    assert (pytester.path / "cassettes" / "test_mixed" / "test_with_vcr.yaml").is_file()
    assert (
        len(load(pytester.path / "cassettes" / "test_mixed" / "test_with_runreplay.yaml").interactions) == 1
    )
    live.stop()
    replayed = pytester.runpytest("-p", "recording", "--record-mode=none", "-p", "no:randomly")
    replayed.assert_outcomes(passed=2)
    replayed.stdout.fnmatch_lines(
        ["runreplay: 1 cassettes: 1 replayed, 0 recorded; 0 recorded interactions never played"]
    )
    # pytest-recording owns --record-mode and --allowed-hosts; runreplay's own names still work.
    helped = pytester.runpytest("-p", "recording", "--help")
    helped.stdout.fnmatch_lines(
        [
            "  --runreplay-record-mode={none,once,new_episodes,all,rewrite}",
            "  --runreplay-replay-speed=FACTOR, --replay-speed=FACTOR",
            "  --runreplay-allowed-hosts=HOST,...",
        ]
    )
    ours = pytester.runpytest("-p", "recording", "--runreplay-record-mode=none", "-k", "runreplay")
    ours.assert_outcomes(passed=1, deselected=1)


def test_block_network_lets_a_cassette_test_record(
    pytester: pytest.Pytester, live: FakeAssistantsServer
) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_runs=SDK_TEST)
    # The embedded server is on loopback, so an empty allow-list is what makes this test meaningful.
    args = ("--runreplay-block-network", "--allowed-hosts=")
    pytester.runpytest("--record-mode=once", *args).assert_outcomes(passed=1)
    assert len(live.requests) == 1
    live.stop()
    replayed = pytester.runpytest(*args)
    replayed.assert_outcomes(passed=1)


def test_cassette_path_takes_the_relative_module_path(tmp_path: Path) -> None:
    from runreplay.recording._pytest_support import cassette_path, cassette_path_for, module_key

    folder = tmp_path / "cassettes"
    assert cassette_path(folder, "tests/unit/test_client", "test_create") == (
        folder / "tests" / "unit" / "test_client" / "test_create.yaml"
    )
    assert cassette_path(folder, "tests/unit/test_client", "t", name="other") == (
        folder / "tests" / "unit" / "test_client" / "other.yaml"
    )
    assert (
        cassette_path(folder, "tests/unit/test_client", "t", name="shared/x") == folder / "shared" / "x.yaml"
    )
    test_file = tmp_path / "tests" / "unit" / "test_client.py"
    assert module_key(tmp_path, test_file) == "tests/unit/test_client"
    assert module_key(tmp_path / "elsewhere", test_file) == "test_client"  # outside rootdir: the stem
    assert cassette_path_for(tmp_path, "cassettes", test_file, "test_a", cls="TestGroup", name=None) == (
        folder / "tests" / "unit" / "test_client" / "TestGroup.test_a.yaml"
    )
