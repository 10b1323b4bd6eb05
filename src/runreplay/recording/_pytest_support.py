"""The pieces of pytest integration that are logic, kept out of `plugin.py`: paths, seeds, a test's
cassette set-up, the run's summary.

`plugin.py` only declares options and fixtures and calls into here, so each piece can be tested
without running pytest inside pytest.
"""

from __future__ import annotations

import hashlib
import os
import re
import zlib
from collections.abc import Iterator, MutableMapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from runreplay.errors import ConfigurationError, RunreplayError
from runreplay.recording._config import CassetteConfig

if TYPE_CHECKING:
    import pytest

    from runreplay.cassette.model import Cassette
    from runreplay.recording._guard import AllowedHosts, NetworkGuard
    from runreplay.recording._session import CassetteSession, SessionStats

__all__ = [
    "PLACEHOLDER_API_KEY",
    "RunContext",
    "RunSummary",
    "add_worker_output",
    "as_stats",
    "base_layers",
    "cassette_context",
    "cassette_path",
    "cassette_path_for",
    "finish_session",
    "module_key",
    "open_context",
    "own_error",
    "recorded_base_url",
    "safe_name",
    "seed_for_test",
    "start_run",
    "stats_as_dict",
    "trimmed",
    "write_summary",
]

_UNSAFE = re.compile(r"[<>?%*:|\"'/\\\s]")
_MAX_NAME = 200


def safe_name(name: str) -> str:
    """A file-system-safe cassette name (`test_x[a/b]` -> `test_x[a-b]`), shortened if very long."""
    cleaned = _UNSAFE.sub("-", name)
    if len(cleaned) > _MAX_NAME:
        digest = hashlib.sha256(cleaned.encode()).hexdigest()[:12]
        cleaned = f"{cleaned[: _MAX_NAME - 13]}-{digest}"
    return cleaned


def cassette_path(cassette_dir: Path, module: str, test_name: str, name: str | None = None) -> Path:
    """`<cassette_dir>/<module>/<test name>.yaml`, where `module` is the test file's POSIX path relative
    to rootdir without `.py` (`tests/unit/test_client`); `name` replaces the test name, and a `name` with
    a `/` is taken relative to the cassette folder (for a cassette shared by several modules)."""
    if name is None:
        return cassette_dir / module / f"{safe_name(test_name)}.yaml"
    if (
        not isinstance(name, str)
        or not name.strip()
        or name.startswith(("/", "\\"))
        or ".." in Path(name).parts
    ):
        raise ConfigurationError(
            "cassette name must be a relative file name such as 'my_cassette' or 'shared/runs'; "
            f"got {name!r}."
        )
    file_name = name if name.endswith((".yaml", ".yml")) else f"{name}.yaml"
    if "/" in name:
        return cassette_dir / file_name
    return cassette_dir / module / file_name


def module_key(rootdir: Path, test_file: Path) -> str:
    """The test file's path relative to `rootdir`, POSIX, without `.py` (its stem when outside rootdir)."""
    try:
        relative = test_file.resolve().relative_to(rootdir.resolve())
    except ValueError:
        return test_file.stem
    return relative.with_suffix("").as_posix() if relative.suffix == ".py" else relative.as_posix()


def cassette_path_for(
    rootdir: Path, cassette_dir: str, test_file: Path, test_name: str, *, cls: str | None, name: str | None
) -> Path:
    """The cassette of one test: the single place the plugin turns a test into a cassette path."""
    full_name = test_name if cls is None else f"{cls}.{test_name}"
    return cassette_path(rootdir / cassette_dir, module_key(rootdir, test_file), full_name, name)


def _check_layer(where: str, layer: dict[str, Any]) -> None:
    """Check one settings layer now, as a usage error naming where the bad value came from."""
    import pytest

    from runreplay.recording._config import resolve

    try:
        resolve(layer)
    except ConfigurationError as error:
        raise pytest.UsageError(f"runreplay: {where}: {error}") from None


def base_layers(
    *, ini: dict[str, Any], cli: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any], AllowedHosts | None]:
    """The ini and command-line layers, checked once at start-up, and the allow-list they give.

    A bad value is a `pytest.UsageError` before any test runs (not one error per test), with the
    closest valid name when there is one.
    """
    import pytest

    ini = dict(ini)
    speed = ini.get("replay_speed")
    if isinstance(speed, str):
        try:
            ini["replay_speed"] = float(speed)
        except ValueError:
            raise pytest.UsageError(
                f"runreplay: ini runreplay_replay_speed: expected a number >= 0 (0 = instant, 1 = recorded "
                f"timing), got {speed!r}."
            ) from None
    _check_layer("ini (runreplay_* keys)", ini)
    _check_layer("command line", cli)
    spec = cli.get("allowed_hosts") if cli.get("allowed_hosts") is not None else ini.get("allowed_hosts")
    allowed: AllowedHosts | None = None
    if spec is not None:
        from runreplay.recording._guard import AllowedHosts

        try:
            allowed = AllowedHosts.parse(spec)
        except ConfigurationError as error:
            raise pytest.UsageError(
                f"runreplay: --allowed-hosts / runreplay_allowed_hosts: {error}"
            ) from None
    return ini, cli, allowed


def open_context(
    *,
    marker_args: tuple[Any, ...],
    marker_options: dict[str, Any],
    fixture_options: Any,
    layers: tuple[dict[str, Any], dict[str, Any], AllowedHosts | None],
    test: str,
    rootdir: Path,
    cassette_dir: str,
    test_file: Path,
    cls: str | None,
    test_name: str,
    run_id: str,
    guard: bool,
    environ: MutableMapping[str, str],
) -> RunContext:
    """Resolve a test's options (command line > marker > fixture > ini), open its cassette, guard it."""
    from runreplay.recording._config import resolve

    __tracebackhide__ = True
    if marker_args:
        raise ConfigurationError(
            f"@pytest.mark.cassette takes keyword arguments only (name=..., record_mode=..., ...); "
            f"got positional {marker_args!r}."
        )
    name = marker_options.pop("name", None)
    ini, cli, allowed = layers
    context = RunContext(
        config=resolve(ini, fixture_options, marker_options, cli), test=test, allowed=allowed
    )
    path = cassette_path_for(rootdir, cassette_dir, test_file, test_name, cls=cls, name=name)
    context.run_judged = name is not None and context.config.strict
    context.start_cassette(path, run_id=run_id)
    try:
        context.set_replay_environment(environ)
        if guard:
            context.start_guard()
    except BaseException:
        context.stop(environ)
        raise
    return context


def _is_internal(filename: str) -> bool:
    """Whether a traceback frame belongs to runreplay, an installed library or the standard library."""
    import sysconfig

    if filename.startswith(_PACKAGE_DIR):
        return True
    paths = sysconfig.get_paths()
    return any(filename.startswith(paths[key]) for key in ("stdlib", "purelib", "platlib") if key in paths)


_PACKAGE_DIR = str(Path(__file__).resolve().parent.parent)


def own_error(exc: BaseException, context: RunContext) -> RunreplayError | None:
    """The runreplay error behind a test failure: raised, wrapped by a client, or swallowed and recorded."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending and len(seen) < 50:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, RunreplayError):
            return current
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)
        pending.extend(getattr(current, "exceptions", ()))
    problems = context.violations()
    return problems[0] if problems else None


def trimmed(error: RunreplayError) -> RunreplayError:
    """`error` with a traceback of the user's frames only (no runreplay, client library or stdlib frames)."""
    kept: list[TracebackType] = []
    entry = error.__traceback__
    while entry is not None:
        if not _is_internal(entry.tb_frame.f_code.co_filename):
            kept.append(entry)
        entry = entry.tb_next
    rebuilt: TracebackType | None = None
    for entry in reversed(kept):
        rebuilt = TracebackType(rebuilt, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    return error.with_traceback(rebuilt)


def seed_for_test(session_seed: int, nodeid: str) -> int:
    """The seed of one test: the session seed mixed with the test's node id, independent of test order."""
    return (session_seed * 1_000_003 + zlib.crc32(nodeid.encode())) % 2**32


@dataclass(slots=True)
class RunSummary:
    """Collects per-test cassette stats (also from xdist workers) for the end-of-run summary line.

    `run_judged` holds the cassettes that --runreplay-strict judges over the whole run (those chosen
    with `name=`, which several tests may share) rather than test by test.
    """

    stats: dict[str, SessionStats] = field(default_factory=dict)
    run_judged: set[str] = field(default_factory=set)

    def add(self, item: SessionStats, *, run_judged: bool = False) -> None:
        """Merge one session's stats (the same cassette may serve several tests)."""
        if run_judged:
            self.run_judged.add(item.path)
        known = self.stats.get(item.path)
        if known is None:
            self.stats[item.path] = item
            return
        known.played += item.played
        known.recorded += item.recorded
        known.total = max(known.total, item.total)
        known.unplayed = (
            sorted(set(known.unplayed) & set(item.unplayed)) if known.existed and item.existed else []
        )

    def lines(self, rootdir: Path) -> list[str]:
        """The summary: counts first, then each cassette with interactions that were never played."""
        if not self.stats:
            return []
        replayed = sum(1 for s in self.stats.values() if s.played)
        recorded = sum(1 for s in self.stats.values() if s.recorded)
        unplayed = [s for s in self.stats.values() if s.unplayed]
        count = sum(len(s.unplayed) for s in unplayed)
        lines = [
            f"runreplay: {len(self.stats)} cassettes: {replayed} replayed, {recorded} recorded; "
            f"{count} recorded interactions never played"
        ]
        for s in sorted(unplayed, key=lambda s: s.path):
            lines.append(f"  {_relative(s.path, rootdir)}: never played #{', #'.join(map(str, s.unplayed))}")
        return lines

    def strict_failures(self, rootdir: Path) -> list[str]:
        """--runreplay-strict over the run: the shared cassettes with interactions no test played."""
        return [
            f"runreplay strict: {len(s.unplayed)} recorded interaction(s) in {_relative(s.path, rootdir)} "
            f"were never played by any test of this run: #{', #'.join(map(str, s.unplayed))}. Remove them "
            "(re-record with --record-mode=rewrite) or make a test send those requests."
            for path, s in sorted(self.stats.items())
            if path in self.run_judged and s.unplayed
        ]


def _relative(path: str, rootdir: Path) -> str:
    """`path` relative to rootdir when it is inside it."""
    try:
        return str(Path(path).resolve().relative_to(rootdir.resolve()))
    except ValueError:
        return path


def stats_as_dict(stats: SessionStats) -> dict[str, Any]:
    """SessionStats as a plain dict an xdist worker can send (see `as_stats`)."""
    return {
        "path": stats.path,
        "existed": stats.existed,
        "total": stats.total,
        "played": stats.played,
        "recorded": stats.recorded,
        "unplayed": list(stats.unplayed),
    }


def as_stats(data: dict[str, Any]) -> SessionStats:
    """Rebuild SessionStats sent from an xdist worker as a plain dict."""
    from runreplay.recording._session import SessionStats

    return SessionStats(
        path=str(data["path"]),
        existed=bool(data.get("existed", False)),
        total=int(data.get("total", 0)),
        played=int(data.get("played", 0)),
        recorded=int(data.get("recorded", 0)),
        unplayed=[int(p) for p in data.get("unplayed", [])],
    )


PLACEHOLDER_API_KEY = "sk-runreplay-replay-placeholder"
"""The OPENAI_API_KEY a replaying test gets when none is set: the SDK needs one, replay never sends it."""


def recorded_base_url(cassette: Cassette) -> str | None:
    """The base URL the cassette was recorded against (`scheme://host:port` plus the path up to `/v1`)."""
    for interaction in cassette.interactions:
        parts = urlsplit(interaction.request.url)
        if not parts.scheme or not parts.netloc:
            continue
        segments = parts.path.split("/")
        prefix = "/".join(segments[: segments.index("v1") + 1]) if "v1" in segments else ""
        return f"{parts.scheme}://{parts.netloc}{prefix}"
    return None


@dataclass(slots=True)
class RunContext:
    """runreplay's set-up for one test that uses a cassette: options, the session, the guard, the env.

    `run_judged` marks a cassette chosen with `name=`: --runreplay-strict judges its unplayed
    interactions over the whole run (see `RunSummary.strict_failures`), not test by test.
    """

    config: CassetteConfig
    test: str
    allowed: AllowedHosts | None = None
    run_judged: bool = False
    session: CassetteSession | None = None
    guard: NetworkGuard | None = None
    _saved_env: dict[str, str | None] = field(default_factory=dict)
    _scope: ExitStack = field(default_factory=ExitStack)

    def start_cassette(self, path: Path, *, run_id: str | None) -> CassetteSession:
        """Open the test's cassette and make it the current one (closed and saved by `stop()`)."""
        if self.session is None:
            from runreplay.recording._active import open_session

            scope = open_session(path, self.config, test=self.test, run_id=run_id)
            self.session = self._scope.enter_context(scope)
        return self.session

    def blocks_network(self) -> bool:
        """Whether the network is blocked: replay-only modes block it, recording modes do not."""
        if self.session is not None:
            return not self.session.may_record
        return self.config.record_mode == "none"

    def start_guard(self) -> None:
        """Install the network guard if this test replays only."""
        if self.guard is not None or not self.blocks_network():
            return
        from runreplay.recording._guard import AllowedHosts, NetworkGuard

        if self.config.allowed_hosts is not None:
            allowed = AllowedHosts.parse(self.config.allowed_hosts)
        else:
            allowed = self.allowed if self.allowed is not None else AllowedHosts.default()
        self.guard = NetworkGuard(allowed, test=self.test)
        self.guard.install()

    def set_replay_environment(self, environ: MutableMapping[str, str]) -> None:
        """In replay, give clients built from the environment what they need and nothing they would send.

        Unset OPENAI_API_KEY becomes a placeholder (the SDK refuses to start without one; no request
        leaves the process), and unset OPENAI_BASE_URL becomes the base URL the cassette was recorded
        against, so `openai.OpenAI()` replays with no OPENAI_* variables at all. Undone by `stop()`.
        """
        if self.session is None or self.session.may_record:
            return
        wanted = {"OPENAI_API_KEY": PLACEHOLDER_API_KEY}
        base_url = recorded_base_url(self.session.cassette)
        if base_url is not None:
            wanted["OPENAI_BASE_URL"] = base_url
        for key, value in wanted.items():
            if not environ.get(key):
                self._saved_env[key] = environ.get(key)
                environ[key] = value

    def _restore_environment(self, environ: MutableMapping[str, str]) -> None:
        """Put back the variables `set_replay_environment` changed."""
        for key, value in self._saved_env.items():
            if value is None:
                environ.pop(key, None)
            else:
                environ[key] = value
        self._saved_env.clear()

    def violations(self) -> list[RunreplayError]:
        """Errors raised inside clients (blocked connections, unmatched requests), maybe caught by code."""
        found: list[RunreplayError] = []
        if self.guard is not None:
            found.extend(self.guard.violations)
        if self.session is not None:
            found.extend(self.session.errors)
        return found

    def strict_problems(self) -> str | None:
        """Why this test breaks --runreplay-strict (unplayed interactions, or no cassette), or None."""
        if self.session is None:
            return None
        stats = self.session.stats()
        if not self.session.existed and not stats.recorded:
            return (
                f"runreplay strict: cassette {self.session.path} does not exist and nothing was recorded. "
                "Record it with --record-mode=once, or remove the cassette marker."
            )
        if stats.unplayed and not self.run_judged:
            return (
                f"runreplay strict: {len(stats.unplayed)} recorded interaction(s) in "
                f"{self.session.path} were "
                f"never played: #{', #'.join(map(str, stats.unplayed))}. Remove them (re-record with "
                "--record-mode=rewrite) or make the test send those requests."
            )
        return None

    def stop(self, environ: MutableMapping[str, str]) -> SessionStats | None:
        """Remove the guard, restore the environment, deactivate and save the cassette; returns its stats."""
        # Hidden from tracebacks: pytest prints a frame's arguments, and `environ` holds the secrets.
        __tracebackhide__ = True
        if self.guard is not None:
            self.guard.uninstall()
        self._restore_environment(environ)
        if self.session is None:
            return None
        self._scope.close()
        return self.session.stats()

    def own_failure(self, exc: BaseException) -> RunreplayError | None:
        """What to raise instead of `exc` ending the test's call, if anything (runreplay's own error).

        Ctrl-C or SystemExit (e.g. a SIGTERM handler that exits) marks the session interrupted, so
        the streams it cut are not saved as if complete.
        """
        if not isinstance(exc, Exception):
            if self.session is not None and isinstance(exc, KeyboardInterrupt | SystemExit):
                self.session.interrupted = True
            return None
        error = own_error(exc, self)
        return None if error is None else trimmed(error)

    def check_call(self) -> None:
        """After a call that passed: raise an error code swallowed, or fail it under --runreplay-strict."""
        __tracebackhide__ = True
        problems = self.violations()
        if problems:
            raise trimmed(problems[0]) from None
        if self.config.strict:
            why = self.strict_problems()
            if why:
                import pytest

                pytest.fail(why, pytrace=False)


def start_run(run_id: str) -> RunSummary:
    """The run's summary, made when the first test uses a cassette: recordings go to journals from then."""
    from runreplay.recording._store import begin_run

    begin_run(run_id)
    return RunSummary()


@contextmanager
def cassette_context(
    request: pytest.FixtureRequest,
    *,
    layers: tuple[dict[str, Any], dict[str, Any], AllowedHosts | None],
    run_id: str,
    summary: RunSummary,
) -> Iterator[RunContext]:
    """A test's cassette set-up, from its fixtures' set-up to their teardown, with its stats kept."""
    import pytest

    from runreplay.recording._pytest_guard import SUITE_GUARD

    __tracebackhide__ = True
    node, config = request.node, request.config
    marker = node.get_closest_marker("cassette")
    try:
        context = open_context(
            marker_args=marker.args if marker is not None else (),
            marker_options=dict(marker.kwargs) if marker is not None else {},
            fixture_options=request.getfixturevalue("runreplay_config"),
            layers=layers,
            test=node.nodeid,
            rootdir=config.rootpath,
            cassette_dir=config.getini("runreplay_cassette_dir"),
            test_file=node.path,
            cls=request.cls.__name__ if request.cls is not None else None,
            test_name=node.name,
            run_id=run_id,
            guard=node.get_closest_marker("allow_network") is None,
            environ=os.environ,
        )
    except ConfigurationError as error:
        # A settings mistake, not a failure inside runreplay: the message alone, no frames.
        pytest.fail(f"runreplay.errors.ConfigurationError: {error}", pytrace=False)
    suite = config.pluginmanager.get_plugin(SUITE_GUARD)
    lifted = suite is not None and context.blocks_network() is False and suite.lift()
    try:
        yield context
    finally:
        if lifted and suite is not None:
            suite.restore()
        stats = context.stop(os.environ)
        if stats is not None:
            summary.add(stats, run_judged=context.run_judged)


def add_worker_output(summary: RunSummary, output: dict[str, Any]) -> None:
    """Merge the cassette stats an xdist worker sent when it finished."""
    judged = set(output.get("runreplay_run_judged", []))
    for data in output.get("runreplay_stats", []):
        summary.add(as_stats(data), run_judged=data["path"] in judged)


def finish_session(session: pytest.Session, summary: RunSummary, run_id: str) -> list[str]:
    """Fold the run's journals (or hand the stats to the xdist controller); the strict failures."""
    import pytest

    from runreplay.recording._store import finish_run

    config = session.config
    if hasattr(config, "workeroutput"):
        config.workeroutput["runreplay_stats"] = [stats_as_dict(s) for s in summary.stats.values()]
        config.workeroutput["runreplay_run_judged"] = sorted(summary.run_judged)
        finish_run(run_id, summary.stats, fold_journals=False)  # the controller folds
        return []
    finish_run(run_id, summary.stats)  # journals folded into their cassettes, once
    failures = summary.strict_failures(config.rootpath)
    if failures and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    return failures


def write_summary(terminalreporter: Any, summary: RunSummary, rootdir: Path, failures: list[str]) -> None:
    """The end-of-run lines: cassette counts, never-played interactions, strict failures, token totals."""
    from runreplay.recording._usage_line import usage_line  # the recorded tokens replays did not spend

    for line in summary.lines(rootdir):
        terminalreporter.write_line(line)
    for line in failures:
        terminalreporter.write_line(line, red=True)
    if (usage := usage_line(summary.stats.values())) is not None:
        terminalreporter.write_line(usage)
