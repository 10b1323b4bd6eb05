"""A process that records into a cassette's journal in a loop, to be killed with SIGKILL at random moments.

    python journal_worker.py PATH FIRST

It prints ``ready``, waits for a line on stdin, then for n = 0, 1, 2, ... keeps one recorded
interaction numbered FIRST + n the way a pytest run does (`runreplay.recording._store.save` inside an
active run: one record appended to the journal under the cassette lock) and prints ``kept N`` after
it returned; after every fourth it folds the journal into the cassette (alone, or as the end of
a run does, with `fold_folder`)
and prints ``folded N``. Writes reach the OS in small pieces with pauses, and fsync pauses too, so
that kills land inside an append, inside a save and between a fold's save and its removal of the
journal. It stops by itself after `MAX_SECONDS`.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from save_worker import _interaction, slow_disk  # type: ignore[import-not-found]

from runreplay.cassette._journal import fold, fold_folder
from runreplay.recording import _store as store

MAX_SECONDS = 60.0
PIECE = 512
PAUSE = 0.001


def slow_writes() -> None:
    """`os.write` sends at most PIECE bytes, then pauses: appends take long enough to be cut."""
    real_write = os.write

    def write(fd: int, data: bytes | memoryview, /) -> int:
        written = real_write(fd, bytes(data[:PIECE]))
        time.sleep(PAUSE)
        return written

    os.write = write  # type: ignore[assignment]


def main() -> int:
    path, first = Path(sys.argv[1]), int(sys.argv[2])
    run = f"run{first}"
    slow_disk()
    slow_writes()
    store.begin_run(run)
    print("ready", flush=True)
    if not sys.stdin.readline():
        return 0
    deadline = time.monotonic() + MAX_SECONDS
    number = 0
    while time.monotonic() < deadline:
        store.save(path, [_interaction(first + number, 6)], run_id=run, rewrite=False)
        print(f"kept {number}", flush=True)
        if number % 8 == 3:
            fold(path)
            print(f"folded {number}", flush=True)
        elif number % 8 == 7:  # as the end of a run does: the whole folder at once, one sync
            fold_folder(path.parent, [path.name])
            print(f"folded {number}", flush=True)
        number += 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
