"""Tests of `runreplay.cassette._journal`: records encoded, found again after damage, and folded once."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest

from runreplay.cassette import Chunk, Interaction, RecordedRequest, RecordedResponse
from runreplay.cassette._journal import Record, combine, encode_record, journal_path, parse_records


def interaction(number: int) -> Interaction:
    """A small recording told apart from the others by its URL and its time."""
    return Interaction(
        request=RecordedRequest(
            "POST", f"https://api.example/v1/{number}", [("content-type", "text/plain")], b"hi"
        ),
        response=RecordedResponse(200, "OK", "HTTP/1.1", [], [Chunk(f"answer {number}".encode(), 1.5)]),
        recorded_at=f"2026-01-01T00:00:{number:02d}Z",
    )


def test_the_journal_is_hidden_beside_its_cassette(tmp_path: Path) -> None:
    assert journal_path(tmp_path / "runs.yaml") == tmp_path / ".runs.yaml.journal"


def test_a_record_names_its_run_mode_size_and_checksum() -> None:
    data = encode_record("run-1", [interaction(1)])
    header, payload = data[1:].split(b"\n", 1)
    assert data[:1] == b"\n"
    assert (
        header
        == f"#%runreplay-journal 1 run=run-1 mode=append size={len(payload)} crc={zlib.crc32(payload):08x}".encode()
    )
    assert (
        encode_record("run-1", [], rewrite=True)
        .split(b"\n")[1]
        .startswith(b"#%runreplay-journal 1 run=run-1 mode=rewrite ")
    )


def test_records_are_read_back_in_order() -> None:
    first, second = (
        encode_record("a", [interaction(1)]),
        encode_record("b", [interaction(2), interaction(3)], rewrite=True),
    )
    records, end = parse_records(first + second)
    assert records == [
        Record("a", False, [interaction(1)]),
        Record("b", True, [interaction(2), interaction(3)]),
    ]
    assert end == len(first + second)


def test_a_record_cut_off_by_a_kill_is_skipped_and_the_next_one_is_found() -> None:
    cut = encode_record("a", [interaction(1)])[:-7]
    whole = encode_record("b", [interaction(2)])
    records, end = parse_records(cut + whole)
    assert records == [Record("b", False, [interaction(2)])]
    assert end == len(cut + whole)


def test_a_record_still_being_written_at_the_end_is_left_for_later() -> None:
    whole = encode_record("a", [interaction(1)])
    records, end = parse_records(whole + encode_record("b", [interaction(2)])[:-3])
    assert records == [Record("a", False, [interaction(1)])]
    assert end == len(whole)


def test_a_run_id_with_spaces_is_refused() -> None:
    with pytest.raises(ValueError) as caught:
        encode_record("two words", [])
    assert str(caught.value) == "a journal record needs a run id without spaces; got 'two words'."


def test_folding_appends_and_a_rewrite_keeps_only_its_own_runs_recordings() -> None:
    base = [interaction(0)]
    appended = combine(base, [Record("a", False, [interaction(1)]), Record("b", False, [interaction(2)])])
    assert appended == [interaction(0), interaction(1), interaction(2)]
    rewritten = combine(base, [Record("a", False, [interaction(1)]), Record("b", True, [interaction(2)])])
    assert rewritten == [interaction(2)]


def test_records_a_killed_fold_already_wrote_are_not_added_twice() -> None:
    records = [Record("a", False, [interaction(1)]), Record("a", False, [interaction(2)])]
    assert combine([interaction(0), interaction(1), interaction(2)], records) is None
    later = [*records, Record("b", False, [interaction(3)])]
    assert combine([interaction(0), interaction(1), interaction(2)], later) == [
        interaction(0),
        interaction(1),
        interaction(2),
        interaction(3),
    ]
