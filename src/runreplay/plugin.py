"""The pytest surface of runreplay: options, ini keys, markers, fixtures, header and summary.

No logic lives here: paths, seeds, option precedence, sessions and the guard are in
`runreplay.recording`. Precedence, applied once in `runreplay.recording._config.resolve`:
an option given on the command line > marker > `runreplay_config` fixture > ini > default.

A test that uses no cassette (no `cassette` marker, no `cassette` fixture) costs one check at
collection and one stash lookup per call: no fixture, no guard, no configuration work.
"""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from runreplay.errors import ConfigurationError

if TYPE_CHECKING:
    from runreplay.factories import RequestFactory
    from runreplay.models import CreateThreadAndRunRequest
    from runreplay.recording._guard import AllowedHosts, NetworkGuard
    from runreplay.recording._pytest_support import RunContext, RunSummary
    from runreplay.recording._session import CassetteSession

_SEED = pytest.StashKey[int]()
_RUN_ID = pytest.StashKey[str]()
_SUMMARY = pytest.StashKey["RunSummary"]()
_CONTEXT = pytest.StashKey["RunContext"]()
_LAYERS = pytest.StashKey[tuple[dict[str, Any], dict[str, Any], "AllowedHosts | None"]]()
_OPEN = pytest.StashKey[list["RunContext"]]()
_STRICT_FAILURES = pytest.StashKey[list[str]]()
_FIXTURE = "_runreplay_context"
DEFAULT_SEED = 0
"""The session seed when --runreplay-seed is not given: fixed, so recorded factory data replays."""
_DEPRECATION_FILTER = "ignore:The Assistants API is deprecated:DeprecationWarning"
_SHORT_NAMES_OF_RECORDING = ("--record-mode", "--allowed-hosts")
"""The short option names pytest-recording also defines; runreplay leaves them to it when it loads."""


def _replay_speed(value: str) -> float:
    """argparse type for --replay-speed: a finite number >= 0."""
    try:
        speed = float(value)
    except ValueError:
        speed = -1.0
    if not 0 <= speed < float("inf"):
        import argparse

        raise argparse.ArgumentTypeError(
            f"expected a number >= 0 (0 = instant, 1 = recorded timing), got {value!r}"
        )
    return speed


def _recording_loads(pluginmanager: pytest.PytestPluginManager) -> bool:
    """Whether pytest-recording is (or will be) loaded in this run, so it owns its option names."""
    if pluginmanager.is_blocked("recording"):
        return False
    if pluginmanager.get_plugin("recording") is not None:
        return True
    if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        return False
    import importlib.util

    return importlib.util.find_spec("pytest_recording") is not None


def _seed(value: str) -> int:
    """argparse type for --runreplay-seed: a non-negative integer, or 'random' for a fresh one."""
    if value == "random":
        return random.randrange(2**32)
    try:
        seed = int(value)
    except ValueError:
        seed = -1
    if seed < 0:
        import argparse

        raise argparse.ArgumentTypeError(f"expected a non-negative integer or 'random', got {value!r}")
    return seed


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    """Declare runreplay's options (`--runreplay-*`, plus short aliases no other plugin owns) and ini keys."""
    taken = _SHORT_NAMES_OF_RECORDING if _recording_loads(pluginmanager) else ()

    def names(name: str) -> list[str]:
        return [f"--runreplay-{name}"] + ([f"--{name}"] if f"--{name}" not in taken else [])

    group = parser.getgroup("runreplay", "runreplay: record and replay HTTP/SSE cassettes")
    group.addoption(
        *names("record-mode"),
        dest="runreplay_record_mode",
        choices=["none", "once", "new_episodes", "all", "rewrite"],
        default=None,
        help="none (default): replay only, network blocked. once: record cassettes that do not exist. "
        "new_episodes: also record requests with no recording. all: record every request. "
        "rewrite: replace cassettes with what this run records. With pytest-recording loaded, its "
        "--record-mode drives both.",
    )
    group.addoption(
        *names("replay-speed"),
        dest="runreplay_replay_speed",
        type=_replay_speed,
        default=None,
        metavar="FACTOR",
        help="factor applied to recorded delays: 0 (default) plays instantly, 1 plays the recorded timing.",
    )
    group.addoption(
        "--runreplay-seed",
        dest="runreplay_seed",
        type=_seed,
        default=None,
        metavar="N",
        help="session seed for request factories: an integer, or 'random' (default: 0, so factory data "
        "and cassettes agree from run to run; printed in the header).",
    )
    group.addoption(
        *names("allowed-hosts"),
        dest="runreplay_allowed_hosts",
        default=None,
        metavar="HOST,...",
        help="hosts reachable while the network is blocked: names, addresses or CIDRs, comma-separated. "
        "Replaces the default (loopback); empty allows nothing; * allows all.",
    )
    group.addoption(
        "--runreplay-strict",
        dest="runreplay_strict",
        action="store_true",
        default=None,
        help="fail tests that leave recorded interactions unplayed or whose cassette does not exist "
        "(shared cassettes are judged over the whole run).",
    )
    group.addoption(
        "--runreplay-block-network",
        dest="runreplay_block_network",
        action="store_true",
        default=None,
        help="block the network for the whole run from session start, not only in tests that replay a "
        "cassette (@pytest.mark.allow_network opts a test out).",
    )
    parser.addini("runreplay_cassette_dir", "cassette folder, relative to rootdir", default="cassettes")
    parser.addini(
        "runreplay_record_mode",
        "default record mode (none, once, new_episodes, all, rewrite)",
        default="none",
    )
    parser.addini(
        "runreplay_allowed_hosts", "hosts reachable while replaying (see --allowed-hosts)", default=None
    )
    parser.addini("runreplay_replay_speed", "default replay speed (see --replay-speed)", default="0")
    parser.addini("runreplay_strict", "like --runreplay-strict", type="bool", default=False)
    parser.addini("runreplay_block_network", "like --runreplay-block-network", type="bool", default=False)
    parser.addini(
        "runreplay_filter_assistants_deprecation",
        "ignore the openai SDK's 'Assistants API is deprecated' DeprecationWarning",
        type="bool",
        default=True,
    )


_DEFAULT_INI = {"record_mode": "none", "replay_speed": "0", "strict": False, "allowed_hosts": None}
"""The ini layer when no runreplay_* key is set: valid by construction, so nothing is imported to check it."""


def _layers(config: pytest.Config) -> tuple[dict[str, Any], dict[str, Any], AllowedHosts | None]:
    """The ini and command-line layers, checked once (a usage error now rather than one per test)."""
    cli_mode = config.getoption("runreplay_record_mode")
    if cli_mode is None and config.pluginmanager.hasplugin("recording"):
        cli_mode = config.getoption("record_mode", None)  # pytest-recording's --record-mode drives both
    ini = {
        "record_mode": config.getini("runreplay_record_mode"),
        "replay_speed": config.getini("runreplay_replay_speed"),
        "strict": config.getini("runreplay_strict"),
        "allowed_hosts": config.getini("runreplay_allowed_hosts"),
    }
    cli = {
        "record_mode": cli_mode,
        "replay_speed": config.getoption("runreplay_replay_speed"),
        "strict": config.getoption("runreplay_strict"),
        "allowed_hosts": config.getoption("runreplay_allowed_hosts"),
    }
    if ini == _DEFAULT_INI and all(value is None for value in cli.values()):
        return {**ini, "replay_speed": 0.0}, cli, None  # a suite that sets nothing imports nothing here
    from runreplay.recording._pytest_support import base_layers

    return base_layers(ini=ini, cli=cli)


def _summary(config: pytest.Config) -> RunSummary:
    """The run's cassette summary, created when the first cassette is used."""
    summary = config.stash.get(_SUMMARY, None)
    if summary is None:
        from runreplay.recording._pytest_support import RunSummary
        from runreplay.recording._store import begin_run

        summary = config.stash[_SUMMARY] = RunSummary()
        begin_run(config.stash[_RUN_ID])  # from now on recordings go to journals, folded at sessionfinish
    return summary


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers, check the settings once, fix the seed, prepare xdist and the suite guard."""
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
    layers = config.stash[_LAYERS] = _layers(config)
    workerinput: dict[str, Any] = getattr(config, "workerinput", {})
    # A worker takes the controller's seed, so --runreplay-seed=random is drawn once per run.
    seed = workerinput.get("runreplay_seed", config.getoption("runreplay_seed"))
    if seed is None:
        seed = DEFAULT_SEED
    config.stash[_SEED] = int(seed)
    config.stash[_RUN_ID] = str(
        workerinput.get("testrunuid") or workerinput.get("runreplay_run_id") or uuid.uuid4().hex
    )
    config.stash[_OPEN] = []
    if config.pluginmanager.hasplugin("xdist") or config.pluginmanager.hasplugin("xdist.plugin"):
        config.pluginmanager.register(_XdistHooks(config), "runreplay-xdist")
    if config.getoption("runreplay_block_network") or config.getini("runreplay_block_network"):
        config.pluginmanager.register(_SuiteGuard(layers[2]), "runreplay-block-network")


class _XdistHooks:
    """Hands the session seed and run id to xdist workers and collects their cassette stats."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    def pytest_configure_node(self, node: Any) -> None:
        """Send the seed and run id to a worker."""
        node.workerinput["runreplay_seed"] = self.config.stash[_SEED]
        node.workerinput["runreplay_run_id"] = self.config.stash[_RUN_ID]

    def pytest_testnodedown(self, node: Any, error: object) -> None:
        """Merge a finished worker's cassette stats into the summary."""
        from runreplay.recording._pytest_support import as_stats

        output = getattr(node, "workeroutput", {})
        judged = set(output.get("runreplay_run_judged", []))
        for data in output.get("runreplay_stats", []):
            _summary(self.config).add(as_stats(data), run_judged=data["path"] in judged)


class _SuiteGuard:
    """--runreplay-block-network: one guard from session start to finish; `allow_network` tests opt out."""

    def __init__(self, allowed: AllowedHosts | None) -> None:
        self.allowed = allowed
        self.guard: NetworkGuard | None = None

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """Install the guard before collection and before any session- or module-scoped fixture."""
        from runreplay.recording._guard import NetworkGuard

        self.guard = NetworkGuard(self.allowed, suite_wide=True)
        self.guard.install()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None]:
        """Name the running test in errors; lift the guard for a test marked `allow_network`."""
        guard = self.guard
        assert guard is not None
        guard.test = item.nodeid
        if item.get_closest_marker("allow_network") is None:
            return (yield)
        guard.uninstall()
        try:
            return (yield)
        finally:
            guard.install()

    def lift(self) -> bool:
        """Let a test that records reach the network (its cassette session records what it sends)."""
        if self.guard is None or not self.guard.installed:
            return False
        self.guard.uninstall()
        return True

    def restore(self) -> None:
        """Block again after `lift()`."""
        if self.guard is not None:
            self.guard.install()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None]:
        """Fail a test whose code swallowed a blocked connection."""
        guard = self.guard
        before = len(guard.violations) if guard is not None else 0
        result = yield
        if guard is not None and len(guard.violations) > before:
            __tracebackhide__ = True
            raise guard.violations[before]
        return result

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Remove the guard."""
        if self.guard is not None:
            self.guard.uninstall()


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
    from runreplay.recording._pytest_support import open_context

    __tracebackhide__ = True
    node = request.node
    marker = node.get_closest_marker("cassette")
    if marker is None and "cassette" not in request.fixturenames:
        yield None  # a parametrized sibling of a marked test (they share their fixture names)
        return
    config = request.config
    summary = _summary(config)  # first use: the run's recordings go to journals from here on
    try:
        context = open_context(
            marker_args=marker.args if marker is not None else (),
            marker_options=dict(marker.kwargs) if marker is not None else {},
            fixture_options=request.getfixturevalue("runreplay_config"),
            layers=config.stash[_LAYERS],
            test=node.nodeid,
            rootdir=config.rootpath,
            cassette_dir=config.getini("runreplay_cassette_dir"),
            test_file=node.path,
            cls=request.cls.__name__ if request.cls is not None else None,
            test_name=node.name,
            run_id=config.stash[_RUN_ID],
            guard=node.get_closest_marker("allow_network") is None,
            environ=os.environ,
        )
    except ConfigurationError as error:
        # A settings mistake, not a failure inside runreplay: the message alone, no frames.
        pytest.fail(f"runreplay.errors.ConfigurationError: {error}", pytrace=False)
    node.stash[_CONTEXT] = context
    config.stash[_OPEN].append(context)
    suite: _SuiteGuard | None = config.pluginmanager.get_plugin("runreplay-block-network")
    lifted = suite is not None and context.blocks_network() is False and suite.lift()
    try:
        yield context
    finally:
        if lifted and suite is not None:
            suite.restore()
        config.stash[_OPEN].remove(context)
        stats = context.stop(os.environ)
        if stats is not None:
            summary.add(stats, run_judged=context.run_judged)


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
    from runreplay.recording._pytest_support import own_error, trimmed

    __tracebackhide__ = True
    try:
        result = yield
    except (KeyboardInterrupt, SystemExit):
        if context.session is not None:
            context.session.interrupted = True  # e.g. a SIGTERM handler that exits: drop cut streams
        raise
    except Exception as exc:
        error = own_error(exc, context)
        if error is None:
            raise
        raise trimmed(error) from None
    problems = context.violations()
    if problems:
        raise trimmed(problems[0]) from None
    if context.config.strict:
        why = context.strict_problems()
        if why:
            pytest.fail(why, pytrace=False)
    return result


def pytest_keyboard_interrupt(excinfo: pytest.ExceptionInfo[BaseException]) -> None:
    """Ctrl-C (or SIGTERM turned into an exception): cut-off streams of open cassettes are not saved."""
    from runreplay.recording._active import open_sessions

    for session in open_sessions():
        session.interrupted = True


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Hand the stats to the xdist controller, or judge shared cassettes under --runreplay-strict."""
    config = session.config
    summary = config.stash.get(_SUMMARY, None)
    if summary is None:
        return  # no test used a cassette
    from runreplay.recording._store import finish_run

    if hasattr(config, "workeroutput"):
        from runreplay.recording._pytest_support import stats_as_dict

        config.workeroutput["runreplay_stats"] = [stats_as_dict(s) for s in summary.stats.values()]
        config.workeroutput["runreplay_run_judged"] = sorted(summary.run_judged)
        finish_run(config.stash[_RUN_ID], summary.stats, fold_journals=False)  # the controller folds
        return
    finish_run(config.stash[_RUN_ID], summary.stats)  # journals folded into their cassettes, once
    failures = summary.strict_failures(config.rootpath)
    config.stash[_STRICT_FAILURES] = failures
    if failures and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """One line of cassette counts, the cassettes with never-played interactions, strict failures."""
    summary = config.stash.get(_SUMMARY, None)
    if summary is None:
        return
    for line in summary.lines(config.rootpath):
        terminalreporter.write_line(line)
    for line in config.stash.get(_STRICT_FAILURES, []):
        terminalreporter.write_line(line, red=True)
    from runreplay.recording._usage_line import usage_line  # the recorded tokens replays did not spend

    if (usage := usage_line(summary.stats.values())) is not None:
        terminalreporter.write_line(usage)
