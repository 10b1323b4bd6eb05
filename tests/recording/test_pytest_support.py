"""Tests of `runreplay.recording._pytest_support`: the plugin's logic without pytest inside pytest.

Paths are tested in tests/test_plugin.py (with the plugin), the README's summary lines in test_readme.py.
"""

from __future__ import annotations

from pathlib import Path

from runreplay.recording._pytest_support import (
    RunSummary,
    add_worker_output,
    as_stats,
    seed_for_test,
    stats_as_dict,
    write_summary,
)
from runreplay.recording._session import SessionStats


class _Reporter:
    def __init__(self) -> None:
        self.lines: list[tuple[str, bool]] = []

    def write_line(self, line: str, red: bool = False) -> None:
        self.lines.append((line, red))


def test_stats_survive_the_trip_from_an_xdist_worker() -> None:
    stats = SessionStats(path="/c/a.yaml", existed=True, total=3, played=2, recorded=1, unplayed=[2])
    assert as_stats(stats_as_dict(stats)) == stats


def test_worker_outputs_merge_and_keep_which_cassettes_the_run_judges(tmp_path: Path) -> None:
    shared = str(tmp_path / "shared.yaml")
    summary = RunSummary()
    for unplayed in ([1, 2], [2]):  # two workers played different parts of one shared cassette
        stats = SessionStats(path=shared, existed=True, total=3, played=1, unplayed=unplayed)
        output = {"runreplay_stats": [stats_as_dict(stats)], "runreplay_run_judged": [shared]}
        add_worker_output(summary, output)
    merged = summary.stats[shared]
    assert (merged.played, merged.unplayed) == (2, [2])
    assert summary.strict_failures(tmp_path) == [
        "runreplay strict: 1 recorded interaction(s) in shared.yaml were never played by any test of this "
        "run: #2. Remove them (re-record with --record-mode=rewrite) or make a test send those requests."
    ]


def test_write_summary_prints_counts_then_strict_failures_in_red(tmp_path: Path) -> None:
    summary = RunSummary()
    summary.add(
        SessionStats(path=str(tmp_path / "t" / "a.yaml"), existed=True, total=2, played=1, unplayed=[1])
    )
    reporter = _Reporter()
    write_summary(reporter, summary, tmp_path, ["strict failure"])
    assert reporter.lines == [
        ("runreplay: 1 cassettes: 1 replayed, 0 recorded; 1 recorded interactions never played", False),
        ("  t/a.yaml: never played #1", False),
        ("strict failure", True),
    ]


def test_a_tests_seed_depends_on_the_session_seed_and_its_node_id_only() -> None:
    assert seed_for_test(0, "t.py::a") == seed_for_test(0, "t.py::a")
    assert len({seed_for_test(s, n) for s in (0, 1) for n in ("t.py::a", "t.py::b")}) == 4
    assert all(0 <= seed_for_test(2**40, n) < 2**32 for n in ("t.py::a", "x"))
