"""The pytest surface of runreplay: options, ini keys, markers, fixtures and the hooks that call in.

No logic lives here: paths, seeds, option precedence, a test's cassette set-up, the guard and the
summary are in `runreplay.recording` (`_pytest_support`, `_pytest_guard`). Precedence, applied once in
`runreplay.recording._config.resolve`: command line > marker > `runreplay_config` fixture > ini > default.

A test that uses no cassette (no `cassette` marker, no `cassette` fixture) costs one check at
collection and one stash lookup per call: no fixture, no guard, no configuration work, no import.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from runreplay._pytest_options import (
    OPTION_HELP,
    layers,
    recording_loads,
    replay_speed,
    seed,
    seed_and_run_id,
)

if TYPE_CHECKING:
    from runreplay.factories import RequestFactory
    from runreplay.models import CreateThreadAndRunRequest
    from runreplay.recording._guard import AllowedHosts
    from runreplay.recording._pytest_support import RunContext, RunSummary
    from runreplay.recording._session import CassetteSession

_SEED = pytest.StashKey[int]()
_RUN_ID = pytest.StashKey[str]()
_SUMMARY = pytest.StashKey["RunSummary"]()
_CONTEXT = pytest.StashKey["RunContext"]()
_LAYERS = pytest.StashKey[tuple[dict[str, Any], dict[str, Any], "AllowedHosts | None"]]()
_STRICT_FAILURES = pytest.StashKey[list[str]]()
_FIXTURE = "_runreplay_context"
_DEPRECATION_FILTER = "ignore:The Assistants API is deprecated:DeprecationWarning"
_SHORT_NAMES_OF_RECORDING = ("--record-mode", "--allowed-hosts")
"""The short option names pytest-recording also defines; runreplay leaves them to it when it loads."""


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    """Declare runreplay's options (`--runreplay-*`, plus short aliases no other plugin owns) and ini keys."""
    taken = _SHORT_NAMES_OF_RECORDING if recording_loads(pluginmanager) else ()
    group = parser.getgroup("runreplay", "runreplay: record and replay HTTP/SSE cassettes")

    def option(name: str, short: bool, **kwargs: Any) -> None:
        names = [f"--runreplay-{name}"] + ([f"--{name}"] if short and f"--{name}" not in taken else [])
        dest = f"runreplay_{name.replace('-', '_')}"
        group.addoption(*names, dest=dest, default=None, help=OPTION_HELP[name], **kwargs)

    option("record-mode", True, choices=["none", "once", "new_episodes", "all", "rewrite"])
    option("replay-speed", True, type=replay_speed, metavar="FACTOR")
    option("seed", False, type=seed, metavar="N")
    option("allowed-hosts", True, metavar="HOST,...")
    option("strict", False, action="store_true")
    option("block-network", False, action="store_true")
    parser.addini("runreplay_cassette_dir", "cassette folder, relative to rootdir", default="cassettes")
    modes = "default record mode (none, once, new_episodes, all, rewrite)"
    parser.addini("runreplay_record_mode", modes, default="none")
    hosts = "hosts reachable while replaying (see --allowed-hosts)"
    parser.addini("runreplay_allowed_hosts", hosts, default=None)
    parser.addini("runreplay_replay_speed", "default replay speed (see --replay-speed)", default="0")
    parser.addini("runreplay_strict", "like --runreplay-strict", type="bool", default=False)
    parser.addini("runreplay_block_network", "like --runreplay-block-network", type="bool", default=False)
    deprecation = "ignore the openai SDK's 'Assistants API is deprecated' DeprecationWarning"
    parser.addini("runreplay_filter_assistants_deprecation", deprecation, type="bool", default=True)


def _summary(config: pytest.Config) -> RunSummary:
    """The run's cassette summary, started when the first cassette is used."""
    if _SUMMARY not in config.stash:
        from runreplay.recording._pytest_support import start_run

        config.stash[_SUMMARY] = start_run(config.stash[_RUN_ID])
    return config.stash[_SUMMARY]


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers, check the settings once, fix the seed and run id, start the suite guard."""
    config.addinivalue_line(
        "markers",
        "cassette(name=None, **options): replay (or record) this test's HTTP exchanges from "
        "<cassette dir>/<test file path>/<name or test name>.yaml; options as in runreplay_config. "
        "See https://pypi.org/project/pytest-runreplay/#the-cassette-marker",
    )
    config.addinivalue_line(
        "markers",
        "allow_network: let this test use the network although runreplay blocks it (replay, or "
        "--runreplay-block-network). See https://pypi.org/project/pytest-runreplay/#network-guard",
    )
    if config.getini("runreplay_filter_assistants_deprecation"):
        config.addinivalue_line("filterwarnings", _DEPRECATION_FILTER)
    config.stash[_LAYERS] = layers(config)
    config.stash[_SEED], config.stash[_RUN_ID] = seed_and_run_id(config)
    if config.getoption("runreplay_block_network") or config.getini("runreplay_block_network"):
        from runreplay.recording._pytest_guard import SUITE_GUARD, SuiteGuard

        config.pluginmanager.register(SuiteGuard(config.stash[_LAYERS][2]), SUITE_GUARD)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist: send the seed and run id to a worker."""
    node.workerinput["runreplay_seed"] = node.config.stash[_SEED]
    node.workerinput["runreplay_run_id"] = node.config.stash[_RUN_ID]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """xdist: merge a finished worker's cassette stats into the summary."""
    output = getattr(node, "workeroutput", {})
    if output.get("runreplay_stats"):
        from runreplay.recording._pytest_support import add_worker_output

        add_worker_output(_summary(node.config), output)


def pytest_report_header(config: pytest.Config) -> str:
    """Print the seed (to reproduce factory data), the record mode and the cassette folder."""
    ini, cli, _ = config.stash[_LAYERS]
    mode = cli.get("record_mode") or ini.get("record_mode") or "none"
    folder = config.getini("runreplay_cassette_dir")
    return f"runreplay: --runreplay-seed={config.stash[_SEED]} --record-mode={mode} cassettes={folder}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give the tests that use a cassette runreplay's set-up, as their first function-scoped fixture."""
    for item in items:
        names: list[str] | None = getattr(item, "fixturenames", None)
        if names is None or _FIXTURE in names:
            continue
        if "cassette" in names or item.get_closest_marker("cassette") is not None:
            names.insert(0, _FIXTURE)


@pytest.fixture
def runreplay_config() -> dict[str, Any]:
    """Cassette options for the tests in scope; override it in a conftest or module (any scope)."""
    return {}


@pytest.fixture
def _runreplay_context(request: pytest.FixtureRequest) -> Iterator[RunContext | None]:
    """Sets up a test that uses a cassette: its options, its cassette, the guard in replay, the env."""
    from runreplay.recording._pytest_support import cassette_context

    __tracebackhide__ = True
    if request.node.get_closest_marker("cassette") is None and "cassette" not in request.fixturenames:
        yield None  # a parametrized sibling of a marked test (they share their fixture names)
        return
    config = request.config
    summary = _summary(config)  # first use: the run's recordings go to journals from here on
    run_id = config.stash[_RUN_ID]
    with cassette_context(request, layers=config.stash[_LAYERS], run_id=run_id, summary=summary) as context:
        request.node.stash[_CONTEXT] = context
        yield context


@pytest.fixture
def cassette(_runreplay_context: RunContext | None) -> CassetteSession:
    """The test's active cassette session (requesting it opens the default cassette without the marker)."""
    assert _runreplay_context is not None
    assert _runreplay_context.session is not None
    return _runreplay_context.session


@pytest.fixture
def request_factory(request: pytest.FixtureRequest) -> RequestFactory:
    """A request factory seeded from the session seed and this test's node id (order-independent)."""
    from runreplay.factories import RequestFactory
    from runreplay.recording._pytest_support import seed_for_test

    return RequestFactory(seed=seed_for_test(request.config.stash[_SEED], request.node.nodeid))


@pytest.fixture
def run_request(request_factory: RequestFactory) -> CreateThreadAndRunRequest:
    """One valid create-thread-and-run request, the same for this test on every run with the same seed."""
    return request_factory.build()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None]:
    """Show runreplay's error first: also when code swallowed it, a client wrapped it, or strict fails."""
    context = item.stash.get(_CONTEXT, None)
    if context is None:
        return (yield)
    __tracebackhide__ = True
    try:
        result = yield
    except BaseException as exc:
        error = context.own_failure(exc)  # also marks the session interrupted on Ctrl-C or SystemExit
        if error is None:
            raise
        raise error from None
    context.check_call()
    return result


def pytest_keyboard_interrupt(excinfo: pytest.ExceptionInfo[BaseException]) -> None:
    """Ctrl-C (or SIGTERM turned into an exception): cut-off streams of open cassettes are not saved."""
    from runreplay.recording._current import open_sessions

    for session in open_sessions():
        session.interrupted = True


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Fold the run's journals (or hand the stats to the xdist controller); judge shared cassettes."""
    summary = session.config.stash.get(_SUMMARY, None)
    if summary is not None:  # some test used a cassette
        from runreplay.recording._pytest_support import finish_session

        run_id = session.config.stash[_RUN_ID]
        session.config.stash[_STRICT_FAILURES] = finish_session(session, summary, run_id)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """One line of cassette counts, the cassettes with never-played interactions, strict failures."""
    summary = config.stash.get(_SUMMARY, None)
    if summary is not None:
        from runreplay.recording._pytest_support import write_summary

        write_summary(terminalreporter, summary, config.rootpath, config.stash.get(_STRICT_FAILURES, []))
