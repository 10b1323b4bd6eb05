"""The pytest surface of runreplay: options, ini keys, the marker, fixtures, header and summary.

No logic lives here: paths, seeds, option precedence, sessions and the guard are in
`runreplay.recording`. Precedence, applied once in `runreplay.recording.config.resolve`:
marker > `runreplay_config` fixture > command line > ini > default.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from runreplay.errors import ConfigurationError

if TYPE_CHECKING:
    from runreplay.factories import RequestFactory
    from runreplay.models import CreateThreadAndRunRequest
    from runreplay.recording.pytest_support import RunContext, RunSummary  # noqa: F401 - used in StashKey
    from runreplay.recording.session import CassetteSession

_SEED = pytest.StashKey[int]()
_RUN_ID = pytest.StashKey[str]()
_SUMMARY = pytest.StashKey["RunSummary"]()
_CONTEXT = pytest.StashKey["RunContext"]()
DEFAULT_SEED = 0
"""The session seed when --runreplay-seed is not given: fixed, so recorded factory data replays."""
_DEPRECATION_FILTER = "ignore:The Assistants API is deprecated:DeprecationWarning"


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


def _refuse_pytest_recording(pluginmanager: pytest.PytestPluginManager) -> None:
    """Stop with a clear message when pytest-recording would load too: both define --record-mode."""
    import importlib.util
    import os

    if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD") or pluginmanager.is_blocked("recording"):
        return
    if pluginmanager.get_plugin("recording") is not None or importlib.util.find_spec("pytest_recording"):
        raise pytest.UsageError(
            "pytest-runreplay and pytest-recording are both installed, and both define --record-mode and "
            "--allowed-hosts. Disable pytest-recording with `-p no:recording` (e.g. in addopts) or uninstall "
            "it. See https://pypi.org/project/pytest-runreplay/#migrating-from-pytest-recording"
        )


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
    """Declare runreplay's command-line options and ini keys."""
    _refuse_pytest_recording(pluginmanager)
    group = parser.getgroup("runreplay", "runreplay: record and replay HTTP/SSE cassettes")
    group.addoption(
        "--record-mode",
        dest="runreplay_record_mode",
        choices=["none", "once", "new_episodes", "all", "rewrite"],
        default=None,
        help="none (default): replay only, network blocked. once: record cassettes that do not exist. "
        "new_episodes: also record requests with no recording. all: record every request. "
        "rewrite: replace cassettes with what this run records.",
    )
    group.addoption(
        "--replay-speed",
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
        "--allowed-hosts",
        dest="runreplay_allowed_hosts",
        default=None,
        metavar="HOST,...",
        help="hosts reachable while replaying: names, addresses or CIDRs, comma-separated "
        "(default: loopback; empty blocks loopback too; * allows all).",
    )
    group.addoption(
        "--runreplay-strict",
        dest="runreplay_strict",
        action="store_true",
        default=None,
        help="fail tests that leave recorded interactions unplayed or whose cassette does not exist.",
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
    parser.addini(
        "runreplay_filter_assistants_deprecation",
        "ignore the openai SDK's 'Assistants API is deprecated' DeprecationWarning",
        type="bool",
        default=True,
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker, fix the session seed, and prepare the run summary."""
    from runreplay.recording.pytest_support import RunSummary
    from runreplay.recording.store import begin_run

    config.addinivalue_line(
        "markers",
        "cassette(name=None, **options): replay (or record) this test's HTTP exchanges from "
        "<cassette dir>/<module>/<name or test name>.yaml; options as in runreplay_config. "
        "See https://pypi.org/project/pytest-runreplay/#the-cassette-marker",
    )
    if config.getini("runreplay_filter_assistants_deprecation"):
        config.addinivalue_line("filterwarnings", _DEPRECATION_FILTER)
    workerinput: dict[str, Any] = getattr(config, "workerinput", {})
    # A worker takes the controller's seed, so --runreplay-seed=random is drawn once per run.
    seed = workerinput.get("runreplay_seed", config.getoption("runreplay_seed"))
    if seed is None:
        seed = DEFAULT_SEED
    config.stash[_SEED] = int(seed)
    config.stash[_RUN_ID] = str(
        workerinput.get("testrunuid") or workerinput.get("runreplay_run_id") or uuid.uuid4().hex
    )
    config.stash[_SUMMARY] = RunSummary()
    begin_run(config.stash[_RUN_ID])  # recordings go to journals, folded in at sessionfinish
    if config.pluginmanager.hasplugin("xdist") or config.pluginmanager.hasplugin("xdist.plugin"):
        config.pluginmanager.register(_XdistHooks(config), "runreplay-xdist")


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
        from runreplay.recording.pytest_support import as_stats

        for data in getattr(node, "workeroutput", {}).get("runreplay_stats", []):
            self.config.stash[_SUMMARY].add(as_stats(data))


def pytest_report_header(config: pytest.Config) -> str:
    """Print the seed (to reproduce factory data), the record mode and the cassette folder."""
    mode = config.getoption("runreplay_record_mode") or config.getini("runreplay_record_mode")
    folder = config.getini("runreplay_cassette_dir")
    return f"runreplay: --runreplay-seed={config.stash[_SEED]} --record-mode={mode} cassettes={folder}"


def _base_options(config: pytest.Config) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ini layer and the command-line layer of cassette options (None = not set)."""
    speed = config.getini("runreplay_replay_speed")
    ini = {
        "record_mode": config.getini("runreplay_record_mode"),
        "replay_speed": _replay_speed(speed) if isinstance(speed, str) else speed,
        "strict": config.getini("runreplay_strict"),
    }
    cli = {
        "record_mode": config.getoption("runreplay_record_mode"),
        "replay_speed": config.getoption("runreplay_replay_speed"),
        "strict": config.getoption("runreplay_strict"),
        "allowed_hosts": config.getoption("runreplay_allowed_hosts"),
    }
    return ini, cli


@pytest.fixture
def runreplay_config() -> dict[str, Any]:
    """Cassette options for the tests in scope; override it in a conftest or module (any scope)."""
    return {}


@pytest.fixture(autouse=True)
def _runreplay_context(request: pytest.FixtureRequest) -> Iterator[RunContext]:
    """Sets up each test: resolves its options, opens its cassette if marked, blocks the network in replay."""
    from runreplay.recording.config import resolve
    from runreplay.recording.pytest_support import RunContext, cassette_path

    __tracebackhide__ = True
    config = request.config
    ini, cli = _base_options(config)
    marker = request.node.get_closest_marker("cassette")
    marker_options = dict(marker.kwargs) if marker else {}
    name = marker_options.pop("name", None)
    if marker is not None and marker.args:
        raise ConfigurationError(
            f"@pytest.mark.cassette takes keyword arguments only (name=..., record_mode=..., ...); "
            f"got positional {marker.args!r}."
        )
    fixture_options = request.getfixturevalue("runreplay_config")
    context = RunContext(
        config=resolve(ini, cli, fixture_options, marker_options),
        test=request.node.nodeid,
        allowed_hosts_default=config.getini("runreplay_allowed_hosts"),
    )
    request.node.stash[_CONTEXT] = context
    if marker is not None:
        module = Path(str(request.node.path)).stem
        test_name = (
            request.node.name if request.cls is None else f"{request.cls.__name__}.{request.node.name}"
        )
        folder = config.rootpath / config.getini("runreplay_cassette_dir")
        context.start_cassette(cassette_path(folder, module, test_name, name), run_id=config.stash[_RUN_ID])
    context.start_guard()
    try:
        yield context
    finally:
        stats = context.stop()
        if stats is not None:
            config.stash[_SUMMARY].add(stats)


@pytest.fixture
def cassette(_runreplay_context: RunContext, request: pytest.FixtureRequest) -> CassetteSession:
    """The test's active cassette session (opened here for tests without the marker)."""
    from runreplay.recording.pytest_support import cassette_path

    if _runreplay_context.session is None:
        config = request.config
        module = Path(str(request.node.path)).stem
        test_name = (
            request.node.name if request.cls is None else f"{request.cls.__name__}.{request.node.name}"
        )
        folder = config.rootpath / config.getini("runreplay_cassette_dir")
        _runreplay_context.start_cassette(
            cassette_path(folder, module, test_name), run_id=config.stash[_RUN_ID]
        )
        _runreplay_context.start_guard()
    assert _runreplay_context.session is not None
    return _runreplay_context.session


@pytest.fixture
def request_factory(request: pytest.FixtureRequest) -> RequestFactory:
    """A request factory seeded from the session seed and this test's node id (order-independent)."""
    from runreplay.factories import RequestFactory
    from runreplay.recording.pytest_support import seed_for_test

    return RequestFactory(seed=seed_for_test(request.config.stash[_SEED], request.node.nodeid))


@pytest.fixture
def run_request(request_factory: RequestFactory) -> CreateThreadAndRunRequest:
    """One valid create-thread-and-run request, the same for this test on every run with the same seed."""
    return request_factory.build()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """Fail a test whose code swallowed a runreplay error, or that breaks --runreplay-strict."""
    result = yield
    context = item.stash.get(_CONTEXT, None)
    if context is not None:
        problems = context.violations()
        if problems:
            raise problems[0]
        if context.config.strict:
            why = context.strict_problems()
            if why:
                pytest.fail(why, pytrace=False)
    return result


def pytest_sessionfinish(session: pytest.Session) -> None:
    """On an xdist worker, hand the cassette stats to the controller; fold the run's journals."""
    config = session.config
    if hasattr(config, "workeroutput"):
        config.workeroutput["runreplay_stats"] = [
            {
                "path": s.path,
                "existed": s.existed,
                "total": s.total,
                "played": s.played,
                "recorded": s.recorded,
                "unplayed": list(s.unplayed),
            }
            for s in config.stash[_SUMMARY].stats.values()
        ]
    from runreplay.recording.store import finish_run  # the controller folds the journals, once

    finish_run(
        config.stash[_RUN_ID], config.stash[_SUMMARY].stats, fold_journals=not hasattr(config, "workeroutput")
    )


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """One line of cassette counts, then the cassettes with never-played interactions."""
    for line in config.stash[_SUMMARY].lines(config.rootpath):
        terminalreporter.write_line(line)
