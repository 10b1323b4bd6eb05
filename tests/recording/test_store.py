"""The process-wide shared cassette copy and the run's journal (`runreplay.recording._store`).

Sessions here are real `use_cassette` blocks sending real requests through httpx to the embedded
server; the files are real files.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import runreplay.cassette._format as format_module
from runreplay.cassette import Cassette, load, save
from runreplay.cassette._journal import LOCK_NAME, append, encode_record, fold, journal_path, parse_records
from runreplay.errors import UnmatchedRequestError
from runreplay.fakeserver import FakeAssistantsServer
from runreplay.recording import _store as store
from runreplay.recording import use_cassette


@pytest.fixture
def server() -> Iterator[FakeAssistantsServer]:
    with FakeAssistantsServer(seed=3) as live:
        yield live


@pytest.fixture
def loads_counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every `load` of a cassette file, by path."""
    calls: list[str] = []
    real = format_module.load_indexed

    def counting(path: Any) -> Any:
        calls.append(os.fspath(path))
        return real(path)

    monkeypatch.setattr(format_module, "load_indexed", counting)
    return calls


def send(server: FakeAssistantsServer, number: int, *, stream: bool = False) -> bytes:
    body = {"assistant_id": f"asst_{number}", "stream": stream}
    return httpx.post(f"{server.base_url}/threads/runs", json=body, timeout=30).content


def record(path: Path, server: FakeAssistantsServer, *numbers: int, **options: Any) -> None:
    with use_cassette(path, record_mode=options.pop("record_mode", "new_episodes"), **options):
        for number in numbers:
            send(server, number)


def asked(path: Path) -> list[str]:
    return [i.request.body.decode() for i in load(path).interactions]


def test_sessions_over_one_cassette_share_one_load_and_keep_their_own_play_state(
    tmp_path: Path, server: FakeAssistantsServer, loads_counted: list[str]
) -> None:
    path = tmp_path / "shared.yaml"
    record(path, server, 1, 2)
    loads_counted.clear()
    answers = []
    for _ in range(3):  # three "tests" each play interaction 1, and only once each
        with use_cassette(path) as session:
            answers.append(send(server, 1))
            with pytest.raises(UnmatchedRequestError):
                send(server, 1)
            stats = session.stats()
            assert (stats.played, stats.unplayed, stats.total) == (1, [1], 2)
    assert loads_counted == [str(path)]
    assert answers[0] == answers[1] == answers[2]
    assert len(server.requests) == 2


def test_a_changed_file_is_loaded_again(tmp_path: Path, server: FakeAssistantsServer) -> None:
    path = tmp_path / "c.yaml"
    record(path, server, 1)
    with use_cassette(path) as session:
        assert len(session.cassette.interactions) == 1
    other = load(path)
    save(path, Cassette(other.interactions * 2))
    with use_cassette(path) as session:
        assert len(session.cassette.interactions) == 2


def test_inside_a_run_recordings_go_to_the_journal_and_are_folded_once_at_its_end(
    tmp_path: Path, server: FakeAssistantsServer, loads_counted: list[str]
) -> None:
    path = tmp_path / "c.yaml"
    record(path, server, 0)
    before = path.read_bytes()
    store.begin_run("run-a")
    try:
        for number in (1, 2, 3):
            record(path, server, number, run_id="run-a")
        assert path.read_bytes() == before  # not rewritten per test
        records, _ = parse_records(journal_path(path).read_bytes())
        assert [len(r.interactions) for r in records] == [1, 1, 1]
        assert {r.run for r in records} == {"run-a"}
        with use_cassette(path, record_mode="none", run_id="run-a") as session:
            send(server, 2)  # recorded earlier in this run: replayed, not sent
            assert session.stats().total == 4
    finally:
        store.finish_run("run-a", [str(path)])
    assert loads_counted == [str(path)]  # the first open; the fold writes from the shared copy
    assert not journal_path(path).exists()
    assert asked(path) == [f'{{"assistant_id":"asst_{n}","stream":false}}' for n in range(4)]
    assert load(path).meta == {"recorded_with": load(path).meta["recorded_with"]}  # no run id
    assert len(server.requests) == 4


def test_once_records_into_a_cassette_this_run_wrote_also_from_another_process(
    tmp_path: Path, server: FakeAssistantsServer
) -> None:
    path = tmp_path / "c.yaml"
    record(path, server, 1)
    written = load(path).interactions
    path.unlink()
    append(path, encode_record("run-b", written))  # "another worker" of run-b kept interaction 1
    store.begin_run("run-b")
    try:
        with use_cassette(path, record_mode="once", run_id="run-b") as session:
            assert session.may_record
            send(server, 1)  # replayed from the other worker's journal record
            send(server, 2)  # recorded
        with use_cassette(path, record_mode="once", run_id="run-c") as session:
            assert not session.may_record  # another run: the cassette exists
    finally:
        store.finish_run("run-b", [str(path)])
        store.finish_run("run-c")
    assert len(asked(path)) == 2
    assert len(server.requests) == 2  # interaction 1 once, then interaction 2


def test_rerecording_the_same_exchange_changes_only_timings_and_dates(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    texts = []
    for run in ("run-1", "run-2"):
        store.begin_run(run)
        with FakeAssistantsServer(seed=3) as server, use_cassette(path, record_mode="rewrite", run_id=run):
            send(server, 1, stream=True)
        store.finish_run(run, [str(path)])
        text = path.read_text()
        text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", text)  # each server gets a free port
        text = re.sub(r"(\d+)@[0-9.]+", r"\1@MS", text)
        text = re.sub(r"\n +(?=\d+@MS)", " ", text)  # where a long chunks line wraps depends on the times
        text = re.sub(r"(headers_ms|recorded_at): .*", r"\1: X", text)
        texts.append(text)
    assert texts[0] == texts[1]
    assert "run" not in load(path).meta


def test_the_fold_removes_leftover_temporaries_whatever_their_age(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    save(path, Cassette())
    fresh = tmp_path / ".c.yaml.0123456789ab.tmp"
    other = tmp_path / ".other.yaml.0123456789ab.tmp"
    fresh.write_text("partial")
    other.write_text("partial")
    now = time.time()
    os.utime(fresh, (now, now))
    fold(path)
    assert not fresh.exists()  # no save of c.yaml can be under way while the fold holds the lock
    assert other.exists()  # another cassette's
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([LOCK_NAME, "c.yaml", other.name])


def test_journal_records_cut_off_are_skipped_and_one_being_written_is_left_for_later(
    tmp_path: Path, server: FakeAssistantsServer
) -> None:
    path = tmp_path / "c.yaml"
    record(path, server, 1, 2, 3)
    one, two, three = ([i] for i in load(path).interactions)
    first, second, third = encode_record("r", one), encode_record("r", two), encode_record("r", three)
    whole, _ = parse_records(first + second)
    assert [r.interactions for r in whole] == [one, two]
    # A record cut off mid-payload, then a later one: the cut one is skipped, the later one found.
    records, end = parse_records(first + second[: len(second) // 2] + third)
    assert [r.interactions for r in records] == [one, three]
    assert end == len(first) + len(second) // 2 + len(third)
    # A record still being written at the end: not a record yet, and the offset stops before it.
    records, end = parse_records(first + third[:-1])
    assert ([r.interactions for r in records], end) == ([one], len(first))
    # A damaged byte: the checksum does not match.
    damaged = bytearray(second)
    damaged[-5] ^= 1
    records, _ = parse_records(first + bytes(damaged) + third)
    assert [r.interactions for r in records] == [one, three]


def test_a_fold_killed_after_its_save_is_not_folded_twice(
    tmp_path: Path, server: FakeAssistantsServer
) -> None:
    path = tmp_path / "c.yaml"
    record(path, server, 1, 2, 3)
    one, two, three = ([i] for i in load(path).interactions)
    save(path, Cassette(one + two))  # as if a fold of [two] was killed before removing its journal
    append(path, encode_record("r", two))
    append(path, encode_record("r", three))  # appended by the next run, before its fold
    fold(path)
    assert load(path).interactions == one + two + three
    assert not journal_path(path).exists()


def test_the_fold_reads_the_journal_again_when_another_process_appended_to_it(
    tmp_path: Path, server: FakeAssistantsServer
) -> None:
    path = tmp_path / "c.yaml"
    record(path, server, 1, 2)
    two = load(path).interactions[1:]
    path.unlink()
    store.begin_run("run-d")
    try:
        with use_cassette(path, record_mode="new_episodes", run_id="run-d"):
            send(server, 3)
        append(path, encode_record("run-d", two))  # another worker, after this process's last read
    finally:
        store.finish_run("run-d", [str(path)])
    assert [json_of(b) for b in asked(path)] == [3, 2]


def json_of(body: str) -> int:
    return int(body.split('"asst_')[1].split('"')[0])


def test_the_end_of_a_replay_run_removes_what_killed_saves_left(
    tmp_path: Path, server: FakeAssistantsServer
) -> None:
    path = tmp_path / "c.yaml"
    record(path, server, 1)
    leftover = tmp_path / ".c.yaml.0123456789ab.tmp"
    leftover.write_text("partial")  # fresh: a killed save's, as no save runs outside the lock
    other = tmp_path / ".other.yaml.0123456789ab.tmp"
    other.write_text("partial")
    store.begin_run("run-e")
    with use_cassette(path, record_mode="none", run_id="run-e"):
        send(server, 1)
    store.finish_run("run-e", [str(path)])
    assert not leftover.exists()
    assert other.exists()  # not a cassette this run used


def test_a_held_cassette_lock_times_out_with_a_message_that_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    import runreplay.cassette._journal as journal_module
    from runreplay.cassette._journal import cassette_lock
    from runreplay.errors import RunreplayError

    monkeypatch.setattr(journal_module, "_LOCK_TIMEOUT_S", 0.1)
    path = tmp_path / "c.yaml"
    errors: list[str] = []

    def other() -> None:
        try:
            with cassette_lock(path):
                pass
        except RunreplayError as error:
            errors.append(str(error))

    with cassette_lock(path):
        thread = threading.Thread(target=other)
        thread.start()
        thread.join(timeout=10)
    assert errors == [
        f"could not lock cassette {path} within 0 s: another process holds it. If no other pytest "
        f"process is running, delete {tmp_path / LOCK_NAME} and try again."
    ]
    with cassette_lock(path):  # released: free again at once
        pass


def test_a_file_rewritten_in_place_with_the_same_size_and_mtime_is_loaded_again(
    tmp_path: Path, server: FakeAssistantsServer
) -> None:
    # Within the file system's mtime granularity a same-size rewrite looks unchanged by stat alone.
    path = tmp_path / "c.yaml"
    record(path, server, 1)
    first = path.read_bytes()
    with use_cassette(path) as session:
        assert session.cassette.interactions[0].request.body == b'{"assistant_id":"asst_1","stream":false}'
    stat = path.stat()
    changed = first.replace(b'"asst_1"', b'"asst_7"')
    assert len(changed) == len(first)
    path.write_bytes(changed)  # the same inode
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (path.stat().st_ino, path.stat().st_size, path.stat().st_mtime_ns) == (
        stat.st_ino,
        stat.st_size,
        stat.st_mtime_ns,
    )
    with use_cassette(path) as session:
        assert session.cassette.interactions[0].request.body == b'{"assistant_id":"asst_7","stream":false}'
