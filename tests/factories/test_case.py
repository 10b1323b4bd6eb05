"""Tests of `runreplay.factories._case`: what the edge and invalid catalogs share."""

from __future__ import annotations

from collections import Counter

from runreplay.factories import edge_cases, invalid_cases


def test_every_case_id_is_unique_across_the_edge_and_invalid_catalogs() -> None:
    # Suites parametrize over both catalogs together, so an id in both would name two tests.
    counts = Counter(case.id for case in edge_cases() + invalid_cases())
    assert [case_id for case_id, count in counts.items() if count > 1] == []


def test_the_odd_whole_overlap_cases_have_distinct_ids_and_verdicts() -> None:
    edge = {case.id: case for case in edge_cases() if case.rule == "chunking.overlap_half"}
    invalid = {case.id: case for case in invalid_cases() if case.rule == "chunking.overlap_half"}
    assert edge["chunking.overlap_half.odd_whole"].valid is True
    assert invalid["chunking.overlap_half.odd_whole_just_above_fraction"].valid is False
    assert "chunking.overlap_half.odd_whole" not in invalid
