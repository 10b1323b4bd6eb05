"""One loaded copy of each cassette per process, shared by every session that opens it, and the run's writes.

A suite where 1,000 tests share a cassette used to load (and keep) 1,000 copies of it and re-render
the whole file after each test. Here:

* `open_shared(path, ...)` loads a cassette once per process and indexes it once per `match_on`;
  later sessions get the same copy after two `stat` calls (the cassette and its journal), and a
  changed file (another size, mtime or inode) is loaded again. Sessions keep their own cursors
  (`CassetteIndex.over`), so play counts, faults and strictness stay per test.
* While a pytest run is active (`begin_run` .. `finish_run`), sessions append what they recorded to
  the cassette's journal (`runreplay.cassette._journal`) instead of saving the whole file; the run
  folds every journal once at its end. Other processes' journal records (xdist workers) are read
  incrementally on the next open, so a shared cassette written by another worker is seen as today.
* Which cassettes this run wrote ("written this run", for `once` mode) is known from the journal
  records (they carry the run id, which xdist shares with its workers) and from this process's own
  saves: nothing about a run is written into the cassette itself.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runreplay.cassette._index import DEFAULT_MATCH_ON, KeyFunction, KeyTable
from runreplay.cassette._journal import (
    Known,
    Record,
    already_folded,
    append,
    cassette_lock,
    encode_record,
    fold,
    fold_folder,
    journal_path,
    parse_records,
)
from runreplay.cassette.model import Interaction
from runreplay.errors import CassetteFormatError

__all__ = ["SharedView", "begin_run", "finish_run", "open_shared", "save"]

_Signature = tuple[int, int, int]

_lock = threading.RLock()
_entries: dict[str, _Entry] = {}
_active_runs: dict[str, set[str]] = {}
_written: set[tuple[str, str]] = set()


@dataclass(slots=True)
class _Entry:
    """The shared copy of one cassette: its file's content plus the journal records read so far."""

    signature: _Signature | None
    meta: dict[str, Any]
    interactions: list[Interaction]
    origins: list[str | None]
    rendered: list[str | None] = field(default_factory=list)
    journal_offset: int = 0
    journal_inode: int | None = None
    runs: set[str] = field(default_factory=set)
    tables: dict[tuple[str, ...], KeyTable] = field(default_factory=dict)
    default_keys: list[Hashable] | None = None
    digest: str | None = None  # of the file, while its mtime is too recent to tell a rewrite apart


@dataclass(frozen=True, slots=True)
class SharedView:
    """What a session needs from the shared copy: the key table, the metadata and what the file holds."""

    table: KeyTable
    meta: dict[str, Any]
    existed: bool
    written_this_run: bool


def _signature(path: str) -> _Signature | None:
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


def _load(path: str, signature: _Signature | None) -> _Entry:
    from runreplay.cassette import _format as cassette_format

    if signature is None:
        return _Entry(None, {}, [], [])
    digest = _digest(path) if _racy(signature) else None
    cassette, keys = cassette_format.load_indexed(path)
    count = len(cassette.interactions)
    entry = _Entry(signature, cassette.meta, cassette.interactions, [None] * count, [None] * count)
    entry.default_keys = keys
    entry.digest = digest
    return entry


_RACY_NS = 2_000_000_000


def _racy(signature: _Signature) -> bool:
    """Whether a file was modified so recently that a rewrite in place might keep size and mtime.

    File systems stamp mtimes with a coarse clock; within that window a same-size rewrite of the same
    inode looks unchanged, so such a file is also compared by content until its mtime is old enough.
    """
    return time.time_ns() - signature[2] < _RACY_NS


def _digest(path: str) -> str | None:
    try:
        with open(path, "rb") as file:
            return hashlib.sha256(file.read()).hexdigest()
    except FileNotFoundError:
        return None


def _unchanged(entry: _Entry, name: str, signature: _Signature | None) -> bool:
    """Whether the file is still the one `entry` was loaded from."""
    if entry.signature != signature:
        return False
    if entry.digest is None or signature is None:
        return True
    if _digest(name) != entry.digest:
        return False
    if not _racy(signature):
        entry.digest = None  # old enough now: size and mtime tell from here on
    return True


def _apply(
    entry: _Entry, records: Sequence[Record], *, from_start: bool, rendered: list[str] | None = None
) -> None:
    """Add journal records to the shared copy, as the fold at the end of the run will.

    `rendered` is the text of each new interaction when this process wrote the record (one record).
    """
    entry.runs.update(record.run for record in records)
    if from_start:
        records = records[already_folded(entry.interactions, records) :]  # a killed fold wrote them
    if any(record.rewrite for record in records):
        items = list(zip(entry.origins, entry.interactions, entry.rendered, strict=True))
        for record in records:
            if record.rewrite:
                items = [item for item in items if item[0] == record.run]
            texts: list[str | None] = list(rendered) if rendered else [None] * len(record.interactions)
            items.extend(
                zip([record.run] * len(record.interactions), record.interactions, texts, strict=True)
            )
        entry.origins = [run for run, _, _ in items]
        entry.interactions = [item for _, item, _ in items]
        entry.rendered = [text for _, _, text in items]
        entry.tables = {}  # sessions already open keep their own (old) list and table
        entry.default_keys = None  # they were the old list's
        return
    for record in records:
        entry.interactions.extend(record.interactions)
        entry.origins.extend([record.run] * len(record.interactions))
        entry.rendered.extend(rendered if rendered else [None] * len(record.interactions))


def _refresh(path: Path) -> _Entry:
    """The shared copy of `path`, loaded again if the file changed, with new journal records read."""
    name = os.path.abspath(path)
    journal = str(journal_path(Path(name)))
    entry = _entries.get(name)
    signature = _signature(name)
    journal_signature = _signature(journal)
    if (
        entry is None
        or not _unchanged(entry, name, signature)
        or (journal_signature is None and entry.journal_offset)
        or (
            journal_signature is not None
            and entry.journal_offset
            and (journal_signature[0] != entry.journal_inode or journal_signature[1] < entry.journal_offset)
        )
    ):
        entry = _load(name, signature)
        _entries[name] = entry
    if journal_signature is not None and journal_signature[1] > entry.journal_offset:
        try:
            with open(journal, "rb") as file:
                file.seek(entry.journal_offset)
                data = file.read()
        except FileNotFoundError:  # folded by another process just now: the file changed too
            return _refresh(path)
        records, end = parse_records(data, path=journal)
        _apply(entry, records, from_start=entry.journal_offset == 0)
        entry.journal_offset += end
        entry.journal_inode = journal_signature[0]
    return entry


def open_shared(
    path: Path, match_on: Sequence[str], key_fn: KeyFunction, *, run_id: str | None
) -> SharedView:
    """The shared, indexed copy of cassette `path` (loaded at most once per change of the file)."""
    with _lock:
        entry = _refresh(path)
        names = tuple(match_on)
        table = entry.tables.get(names)
        if table is None or table.interactions is not entry.interactions:
            keys = entry.default_keys if names == DEFAULT_MATCH_ON else None
            table = entry.tables[names] = KeyTable(entry.interactions, key_fn, keys=keys)
        else:
            table.extend()
        written = run_id is not None and (run_id in entry.runs or (os.path.abspath(path), run_id) in _written)
        return SharedView(
            table=table,
            meta=entry.meta,
            existed=entry.signature is not None or bool(entry.interactions),
            written_this_run=written,
        )


def begin_run(run_id: str) -> None:
    """Start deferring the saves of sessions with this run id to the journal (the plugin's run)."""
    with _lock:
        _active_runs.setdefault(run_id, set())


def save(path: Path, new: list[Interaction], *, run_id: str | None, rewrite: bool) -> None:
    """Keep what a session recorded: appended to the journal during a run, else folded in at once."""
    name = os.path.abspath(path)
    with _lock:
        if run_id is not None and run_id in _active_runs:
            from runreplay.cassette._format import render_interaction

            rendered = [render_interaction(interaction) for interaction in new]
            record = encode_record(run_id, new, rewrite=rewrite, rendered=rendered)
            with cassette_lock(path):
                try:
                    entry: _Entry | None = _refresh(path)
                except CassetteFormatError:  # rewrite replaces it at the fold; other modes failed earlier
                    entry = None
                append(path, record)
                if entry is not None:
                    _apply(entry, [Record(run_id, rewrite, new)], from_start=False, rendered=rendered)
                    entry.journal_offset += len(record)
                    entry.journal_inode = os.stat(journal_path(Path(name))).st_ino
            _active_runs[run_id].add(name)
            return
        # Outside a run (use_cassette): one merge now. Rewrite keeps what this run already wrote.
        written = run_id is not None and (name, run_id) in _written
        fold(path, extra=Record(run_id or "-", rewrite and not written, new))
        if run_id is not None:
            _written.add((name, run_id))


def finish_run(run_id: str, paths: Iterable[str] = (), *, fold_journals: bool = True) -> None:
    """End a run: fold the journals of every cassette it wrote or used (`paths`) into their files,
    and remove the temporary files killed saves of them left.

    xdist workers pass `fold_journals=False`: the controller folds once, after all workers ended.
    Each folder is locked, listed and synced once, however many cassettes it holds
    (`fold_folder`); a cassette whose files did not change since this process last read them is
    written from the shared copy, without parsing its journal again.
    """
    with _lock:
        written = _active_runs.pop(run_id, set())
    if not fold_journals:
        return
    folders: dict[str, list[str]] = {}
    for name in sorted(written | {os.path.abspath(p) for p in paths}):
        folders.setdefault(os.path.dirname(name), []).append(os.path.basename(name))
    for folder, names in folders.items():
        fold_folder(Path(folder), names, lambda path: _known(str(path)))


def _known(name: str) -> Known | None:
    """The shared copy of cassette `name` as the fold result, if this process holds one."""
    with _lock:
        entry = _entries.get(name)
        if entry is None or not entry.journal_offset:
            return None
        return Known(
            entry.signature, entry.journal_offset, list(entry.interactions), entry.meta, list(entry.rendered)
        )
