"""The journal beside a cassette: what a run recorded, appended cheaply, folded into the file once.

Re-rendering a whole cassette for every test that records into it costs O(N²) over a suite. A run
instead appends each test's new interactions to ``.NAME.yaml.journal`` next to ``NAME.yaml`` (one
record per save, a few milliseconds however big the cassette is) and folds the journal into the
cassette once, at the end of the run, with one atomic save.

A record is a line feed, a header line and a payload::

    #%runreplay-journal 1 run=RUN mode=append|rewrite size=BYTES crc=CRC32
    <the interactions, as the text of a cassette file>

Crash safety (SIGKILL at any moment):

* an append that was cut off leaves a record whose size or checksum does not match: it is skipped,
  and the records after it are found again by their header line (each starts on a new line, also
  after a payload cut off mid-line);
* a fold writes the cassette atomically and only then removes the journal. A fold killed in between
  leaves a cassette that already ends with the journal's interactions: the next fold sees that and
  only removes the journal, so nothing is recorded twice (interactions carry their timings and
  `recorded_at`, so two different recordings are never equal);
* every append and fold holds the cassette folder's lock (``.runreplay.lock``, beside the cassettes),
  so no append lands between a fold's read and its removal of the journal.

The journal, the lock and the temporary files are never committed (see the project's .gitignore).
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runreplay._version import __version__
from runreplay.cassette.model import Cassette, Interaction
from runreplay.errors import CassetteFormatError, RunreplayError

__all__ = [
    "LOCK_NAME",
    "Known",
    "Record",
    "already_folded",
    "append",
    "cassette_lock",
    "combine",
    "encode_record",
    "fold",
    "fold_folder",
    "journal_path",
    "parse_records",
    "remove_temporaries",
    "temporaries",
]

LOCK_NAME = ".runreplay.lock"
"""The lock file of a cassette folder: one per folder, so they never pile up anywhere."""

_LOCK_TIMEOUT_S = 120.0
_MAGIC = b"#%runreplay-journal "
_HEADER = re.compile(rb"#%runreplay-journal 1 run=(\S*) mode=(append|rewrite) size=(\d+) crc=([0-9a-f]{8})")


@dataclass(frozen=True, slots=True)
class Record:
    """One save of one session: its run, whether it replaces earlier runs' content, its interactions."""

    run: str
    rewrite: bool
    interactions: list[Interaction]


def journal_path(path: Path) -> Path:
    """Where the journal of cassette `path` lives (hidden, beside it)."""
    return path.with_name(f".{path.name}.journal")


@contextmanager
def cassette_lock(path: Path) -> Iterator[None]:
    """An inter-process lock for the cassettes of one folder, held by every append, fold and merge.

    `flock` on ``.runreplay.lock`` beside the cassettes (the kernel drops it when its holder dies,
    so a killed process never leaves the folder locked); `filelock` where there is no `fcntl`.
    """
    lock_file = path.parent / LOCK_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        with _filelock(path, lock_file):
            yield
        return
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        deadline = time.monotonic() + _LOCK_TIMEOUT_S
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise _timeout(path, lock_file) from None
                time.sleep(0.002)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _timeout(path: Path, lock_file: Path) -> RunreplayError:
    return RunreplayError(
        f"could not lock cassette {path} within {_LOCK_TIMEOUT_S:.0f} s: another process holds it. "
        f"If no other pytest process is running, delete {lock_file} and try again."
    )


@contextmanager
def _filelock(path: Path, lock_file: Path) -> Iterator[None]:  # pragma: no cover - Windows
    from filelock import FileLock, Timeout

    try:
        with FileLock(str(lock_file), timeout=_LOCK_TIMEOUT_S):
            yield
    except Timeout:
        raise _timeout(path, lock_file) from None


def encode_record(
    run: str,
    interactions: Sequence[Interaction],
    *,
    rewrite: bool = False,
    rendered: list[str] | None = None,
) -> bytes:
    """The bytes of one journal record (`rendered`: `render_interaction` of each, if already done)."""
    from runreplay.cassette._format import dumps

    if not run or any(c.isspace() for c in run):
        raise ValueError(f"a journal record needs a run id without spaces; got {run!r}.")
    payload = dumps(Cassette(interactions=list(interactions)), rendered=rendered).encode("utf-8")
    mode = "rewrite" if rewrite else "append"
    header = (
        f"\n#%runreplay-journal 1 run={run} mode={mode} size={len(payload)} crc={zlib.crc32(payload):08x}\n"
    )
    return header.encode("ascii") + payload


def parse_records(data: bytes, *, path: str = "<journal>") -> tuple[list[Record], int]:
    """The whole records in `data`, and the offset just past the last one.

    A record cut off or damaged in the middle is skipped (the next header line is searched for); one
    still being written at the end is left for later: the offset stops before it.
    """
    from runreplay.cassette._format import loads

    records: list[Record] = []
    position = 0
    end = 0
    separator = b"\n" + _MAGIC
    while True:
        found = data.find(separator, position)
        if found < 0:
            break
        line_end = data.find(b"\n", found + 1)
        if line_end < 0:
            break
        header = _HEADER.fullmatch(data, found + 1, line_end)
        start = line_end + 1
        stop = start + int(header.group(3)) if header else -1
        if header is None or stop > len(data) or zlib.crc32(data[start:stop]) != int(header.group(4), 16):
            # Cut off (the next record starts inside it) or still being written (nothing follows).
            position = found + 1
            continue
        try:
            cassette = loads(data[start:stop], path=path)
        except CassetteFormatError:  # pragma: no cover - the checksum matched, so we wrote it whole
            position = stop
            continue
        run, mode = header.group(1).decode("ascii", "replace"), header.group(2)
        records.append(Record(run, mode == b"rewrite", cassette.interactions))
        position = end = stop
    return records, end


def already_folded(base: list[Interaction], records: Sequence[Record]) -> int:
    """How many leading `records` a fold killed after its save (before removing the journal) wrote.

    That fold left a cassette ending with exactly those records' interactions; records appended
    after the kill are not in it. Interactions carry their timings and `recorded_at`, so a recording
    is never equal to another one by chance.
    """
    if not base:
        return 0
    last = base[-1]
    for count in range(len(records), 0, -1):
        prefix = records[:count]
        if not prefix[-1].interactions or prefix[-1].interactions[-1] != last:
            continue
        if any(record.rewrite for record in prefix):
            continue  # folding a rewrite again gives the same file (see `combine`)
        new = [item for record in prefix for item in record.interactions]
        if len(base) >= len(new) and base[len(base) - len(new) :] == new:
            return count
    return 0


def combine(base: list[Interaction], records: Sequence[Record]) -> list[Interaction] | None:
    """The interactions after folding `records` into `base`; None when `base` already holds them all.

    Records that a killed fold already wrote into `base` are skipped (`already_folded`). A rewrite
    record of run R drops everything before it that run R did not record itself (an earlier run's
    recordings, or the file's old content), as `--record-mode=rewrite` promises; folding it again
    into its own result drops and adds back the same interactions.
    """
    done = already_folded(base, records)
    if done and done == len(records):
        return None
    items: list[tuple[str | None, Interaction]] = [(None, item) for item in base]
    for record in records[done:]:
        if record.rewrite:
            items = [(run, item) for run, item in items if run == record.run]
        items.extend((record.run, item) for item in record.interactions)
    return [item for _, item in items]


def append(path: Path, record: bytes) -> None:
    """Append one encoded record to the journal of `path` (the caller holds the cassette lock).

    One write to a file opened for appending: a process killed mid-write leaves a record that
    `parse_records` skips. No fsync: a killed process loses nothing the kernel already has, and
    the fold's save is what must be durable.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_BINARY", 0)
    fd = os.open(journal_path(path), flags, 0o666)
    try:
        view = memoryview(record)
        while view:
            written = os.write(fd, view)
            view = view[written:]
    finally:
        os.close(fd)


def temporaries(path: Path) -> list[Path]:
    """The temporary files of saves of `path` in its folder (under the lock: leftovers of killed saves)."""
    return list(path.parent.glob(f".{glob.escape(path.name)}.*.tmp"))


def remove_temporaries(path: Path, leftovers: list[Path] | None = None) -> None:
    """Delete the temporary files that killed saves of `path` left, whatever their age.

    Called under the cassette lock, where no save of this cassette can be under way (the recorder
    saves only under the lock), so every temporary file found is a leftover. `leftovers` is what a
    caller that listed the folder once for many cassettes found for this one.
    """
    for leftover in temporaries(path) if leftovers is None else leftovers:
        with contextlib.suppress(OSError):
            leftover.unlink()


@dataclass(frozen=True, slots=True)
class Known:
    """What the caller already holds of a cassette: the fold result while the files are as they were."""

    signature: tuple[int, int, int] | None
    journal_size: int
    interactions: list[Interaction]
    meta: dict[str, Any]
    rendered: list[str | None]


def _signature(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


@dataclass(slots=True)
class _Plan:
    """What folding one cassette writes: the new file's bytes (None: remove the file), or nothing."""

    path: Path
    data: bytes | None
    items: list[Interaction] | None
    changed: bool


def _plan(
    path: Path,
    *,
    extra: Record | None,
    keep_unreadable: bool,
    leftovers: list[Path] | None,
    known: Known | None,
) -> _Plan:
    """Work out a fold of `path` (the caller holds the cassette lock); writes nothing but leftovers."""
    from runreplay.cassette._format import dumps, load

    remove_temporaries(path, leftovers)
    journal = journal_path(path)
    journal_signature = _signature(journal)
    if (
        known is not None
        and extra is None
        and journal_signature is not None
        and journal_signature[1] == known.journal_size
        and _signature(path) == known.signature
    ):
        items: list[Interaction] | None = known.interactions
        base = Cassette(meta=known.meta)
        texts = known.rendered
    else:
        try:
            data = journal.read_bytes()
        except FileNotFoundError:
            data = b""
        records, _ = parse_records(data, path=str(journal))
        if extra is not None:
            records.append(extra)
        if not records:
            return _Plan(path, None, None, changed=False)
        texts = []
        base = Cassette()
        if path.exists():
            try:
                base = load(path)
            except CassetteFormatError:
                if keep_unreadable and not any(record.rewrite for record in records):
                    raise
        items = combine(base.interactions, records)
        if items is None:
            return _Plan(path, None, base.interactions, changed=False)
    if not items:
        return _Plan(path, None, items, changed=True)
    meta = dict(base.meta)
    meta.pop("run_id", None)  # written by runreplay 0.1; a run's identity stays out of the file
    meta["recorded_with"] = f"runreplay {__version__}"
    rendered = [text for text in texts if text is not None]
    whole = rendered if len(rendered) == len(items) else None  # else some came from the file
    data = dumps(Cassette(interactions=items, meta=meta), rendered=whole).encode("utf-8")
    return _Plan(path, data, items, changed=True)


def fold(
    path: Path,
    *,
    extra: Record | None = None,
    keep_unreadable: bool = True,
    leftovers: list[Path] | None = None,
    known: Known | None = None,
) -> list[Interaction] | None:
    """Fold the journal (and `extra`, not journaled) into cassette `path` with one atomic save.

    Takes the cassette lock. Returns the interactions now in the file, or None when there was nothing
    to fold. An unreadable cassette raises `CassetteFormatError`, unless a rewrite record replaces
    it anyway (`keep_unreadable=False` never raises). `known` (the shared copy's view of the files)
    is used instead of reading them again when the cassette and the journal have not changed since.
    """
    from runreplay.cassette._atomic import write_atomically

    with cassette_lock(path):
        plan = _plan(path, extra=extra, keep_unreadable=keep_unreadable, leftovers=leftovers, known=known)
        if plan.changed:
            if plan.data is not None:
                write_atomically(path, plan.data)
            else:
                path.unlink(missing_ok=True)
        journal_path(path).unlink(missing_ok=True)
        return plan.items


def fold_folder(
    folder: Path, names: list[str], known: Callable[[Path], Known | None] = lambda path: None
) -> None:
    """Fold the journals of the cassettes `names` of one folder: one lock, one listing, one sync.

    Also removes the temporary files that killed saves of these cassettes left, whatever their age
    (under the lock no save of them is under way), also when there is nothing to fold.

    The end of a run may fold hundreds of cassettes of one folder (one per test). Each new file is
    written to its temporary file, then one `os.sync` makes them all durable (instead of one fsync
    each), then each is renamed over its cassette and its journal removed, and the folder is fsynced
    once. A kill at any point leaves every cassette old or new, and its journal for the next fold.
    """
    from runreplay.cassette._atomic import fsync_directory, write_temporary

    wanted = set(names)

    def look() -> tuple[set[str], dict[str, list[Path]]]:
        try:
            listing = os.listdir(folder)
        except FileNotFoundError:
            return set(), {}
        leftovers: dict[str, list[Path]] = {}
        for entry in listing:
            if entry.startswith(".") and entry.endswith(".tmp"):
                owner = entry[1:].rsplit(".", 2)[0]
                if owner in wanted:
                    leftovers.setdefault(owner, []).append(folder / entry)
        return set(listing), leftovers

    present, leftovers = look()
    if not leftovers and not any(journal_path(folder / name).name in present for name in names):
        return  # nothing to fold or clean up: no lock taken (a replay-only run)
    with cassette_lock(folder / names[0]):
        present, leftovers = look()
        for name, found in leftovers.items():
            if journal_path(folder / name).name not in present:
                remove_temporaries(folder / name, found)  # a killed save's, whatever its age
        plans = []
        for name in names:
            path = folder / name
            if journal_path(path).name in present:
                plans.append(
                    _plan(
                        path,
                        extra=None,
                        keep_unreadable=True,
                        leftovers=leftovers.get(name, []),
                        known=known(path),
                    )
                )
        written: list[tuple[_Plan, Path]] = []
        try:
            for plan in plans:
                if plan.changed and plan.data is not None:
                    written.append((plan, write_temporary(plan.path, plan.data)))
            if written:
                os.sync()
            for plan, temporary in written:
                os.replace(temporary, plan.path)
            written = []
        finally:
            for _, temporary in written:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
        for plan in plans:
            if plan.changed and plan.data is None:
                plan.path.unlink(missing_ok=True)
            journal_path(plan.path).unlink(missing_ok=True)
        if plans:
            fsync_directory(folder)
