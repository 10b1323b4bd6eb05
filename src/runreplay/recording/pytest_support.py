"""The pieces of pytest integration that are logic, kept out of `plugin.py`: paths, seeds, the summary.

`plugin.py` only declares options and fixtures and calls into here, so each piece can be tested
without running pytest inside pytest.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runreplay.errors import ConfigurationError, RunreplayError
from runreplay.recording.active import activate, deactivate
from runreplay.recording.config import CassetteConfig
from runreplay.recording.session import CassetteSession, SessionStats

if TYPE_CHECKING:
    from runreplay.recording.guard import NetworkGuard

__all__ = ["RunContext", "RunSummary", "as_stats", "cassette_path", "safe_name", "seed_for_test"]

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
    """`<cassette_dir>/<module>/<test name>.yaml`; `name` replaces the test name, and a `name` with a `/`
    is taken relative to the cassette folder (for a cassette shared by several modules)."""
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


def seed_for_test(session_seed: int, nodeid: str) -> int:
    """The seed of one test: the session seed mixed with the test's node id, independent of test order."""
    return (session_seed * 1_000_003 + zlib.crc32(nodeid.encode())) % 2**32


@dataclass(slots=True)
class RunSummary:
    """Collects per-test cassette stats (also from xdist workers) for the end-of-run summary line."""

    stats: dict[str, SessionStats] = field(default_factory=dict)

    def add(self, item: SessionStats) -> None:
        """Merge one session's stats (the same cassette may serve several tests)."""
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


def _relative(path: str, rootdir: Path) -> str:
    """`path` relative to rootdir when it is inside it."""
    try:
        return str(Path(path).resolve().relative_to(rootdir.resolve()))
    except ValueError:
        return path


def as_stats(data: dict[str, Any]) -> SessionStats:
    """Rebuild SessionStats sent from an xdist worker as a plain dict."""
    return SessionStats(
        path=str(data["path"]),
        existed=bool(data.get("existed", False)),
        total=int(data.get("total", 0)),
        played=int(data.get("played", 0)),
        recorded=int(data.get("recorded", 0)),
        unplayed=[int(p) for p in data.get("unplayed", [])],
    )


@dataclass(slots=True)
class RunContext:
    """runreplay's set-up for one test: the resolved options, the cassette session, the network guard."""

    config: CassetteConfig
    test: str
    allowed_hosts_default: str | None
    session: CassetteSession | None = None
    guard: NetworkGuard | None = None

    def start_cassette(self, path: Path, *, run_id: str | None) -> CassetteSession:
        """Open the test's cassette and make it the active one."""
        if self.session is None:
            self.session = CassetteSession(path, self.config, test=self.test, run_id=run_id)
            activate(self.session)
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
        from runreplay.recording.guard import AllowedHosts, NetworkGuard

        if self.config.allowed_hosts is not None:
            allowed = AllowedHosts.parse(self.config.allowed_hosts)
        elif self.allowed_hosts_default is not None:
            allowed = AllowedHosts.parse(self.allowed_hosts_default)
        else:
            allowed = AllowedHosts.default()
        self.guard = NetworkGuard(allowed, test=self.test)
        self.guard.install()

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
        if stats.unplayed:
            return (
                f"runreplay strict: {len(stats.unplayed)} recorded interaction(s) in "
                f"{self.session.path} were "
                f"never played: #{', #'.join(map(str, stats.unplayed))}. Remove them (re-record with "
                "--record-mode=rewrite) or make the test send those requests."
            )
        return None

    def stop(self) -> SessionStats | None:
        """Remove the guard, deactivate and save the cassette; returns its stats."""
        if self.guard is not None:
            self.guard.uninstall()
        if self.session is None:
            return None
        deactivate(self.session)
        self.session.close()
        return self.session.stats()
