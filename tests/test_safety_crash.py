"""Crash safety: a process killed with SIGKILL at any moment of a save leaves the old cassette or the new
one on disk, whole, never a mix or a partial file.

`tests/_helpers/save_worker.py` saves large and small cassettes in turn (under the cassette lock, on
a disk slowed down so that the write and fsync windows are wide). This test starts it, lets it run
for a random moment, kills it with SIGKILL, and then checks the file byte for byte against the two
contents it may hold: the last version whose save returned, or the version being saved (killed
after the rename but before the worker could report it). Workers are started ahead of time, so a
kill costs no interpreter start-up. Leftover temporary files are allowed (nothing can delete them
after SIGKILL) but must be unmistakable: named ``.NAME.<hex>.tmp``, ignored by everything that
looks for cassettes, and never loadable as anything but a whole version.
"""

from __future__ import annotations

import collections
import importlib.util
import json
import os
import random
import re
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

import runreplay.cassette._journal as journal_module
from runreplay.cassette import Cassette, dumps, load, loads, save
from runreplay.cassette._audit import audit_paths
from runreplay.cassette._journal import LOCK_NAME, fold, journal_path
from runreplay.errors import CassetteFormatError
from runreplay.recording._session import cassette_lock

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")

HELPER = Path(__file__).resolve().parent / "_helpers" / "save_worker.py"
JOURNAL_HELPER = HELPER.with_name("journal_worker.py")
KILLS = 40
SECONDS = 30.0
MIN_KILLS = 20  # reached in about 10 s on two idle cores; the margin is for a busy machine
TEMPORARY = re.compile(r"\.c\.yaml\.[0-9a-f]{12}\.tmp")


def helper_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("runreplay_test_save_worker", HELPER)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Worker:
    """One save_worker process: started at once, told to go later, killed at a random moment."""

    def __init__(self, path: Path, start: int, helper: Path = HELPER) -> None:
        self.start = start
        self.result: tuple[int, bytes, bytes] | None = None
        self.process = subprocess.Popen(
            [sys.executable, str(helper), str(path), str(start)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Block until the worker printed `ready` (it has imported everything and built its cassettes)."""
        assert self.process.stdout is not None
        received = b""
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            while not received.endswith(b"\n"):
                left = deadline - time.monotonic()
                assert left > 0, f"the worker did not start within {timeout} s"
                if selector.select(left):
                    part = os.read(self.process.stdout.fileno(), 64)
                    assert part, f"the worker exited: {self.finish()}"
                    received += part
        assert received == b"ready\n"

    def go(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(b"go\n")
        self.process.stdin.flush()

    def finish(self) -> tuple[int, bytes, bytes]:
        """Kill the worker (if still running) and collect its exit status and output (once)."""
        if self.result is None:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGKILL)
            stdout, stderr = self.process.communicate(timeout=30)
            self.result = self.process.returncode, stdout, stderr
        return self.result

    def kill(self) -> int:
        """SIGKILL now; returns how many saves had returned (and been reported) before the kill."""
        status, stdout, stderr = self.finish()
        assert (status, stderr) == (-signal.SIGKILL, b"")
        lines = stdout.decode().splitlines()
        assert lines == [f"saved {n}" for n in range(len(lines))]
        return len(lines)


def test_sigkill_during_saves_leaves_the_old_or_the_new_file_never_a_partial_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(journal_module, "_LOCK_TIMEOUT_S", 10.0)
    versions: list[Cassette] = helper_module().versions()
    texts = [dumps(version).encode() for version in versions]
    loaded = [loads(text) for text in texts]
    assert len(texts[0]) > 800_000  # large and small alternate
    assert len(texts[1]) < 5_000
    path = tmp_path / "c.yaml"
    save(path, versions[3])
    on_disk = 3
    rng = random.Random(20260101)
    outcome: collections.Counter[str] = collections.Counter()
    strays: dict[str, str] = {}
    pool = [Worker(path, rng.randrange(len(versions))) for _ in range(2)]
    deadline = time.monotonic() + SECONDS
    try:
        while outcome.total() < KILLS and time.monotonic() < deadline:
            worker = pool[0]
            pool.append(Worker(path, rng.randrange(len(versions))))
            worker.wait_ready()
            worker.go()
            time.sleep(rng.uniform(0.0, 0.3))
            saved = worker.kill()
            pool.remove(worker)

            last = on_disk if saved == 0 else (worker.start + saved - 1) % len(versions)
            in_flight = (worker.start + saved) % len(versions)
            data = path.read_bytes()
            assert data in (texts[last], texts[in_flight]), f"partial or mixed file after {saved} saves"
            on_disk = last if data == texts[last] else in_flight
            outcome["old" if on_disk == last else "new"] += 1
            assert load(path) == loaded[on_disk]

            # The dead worker's lock went with it: the next writer gets it at once.
            started = time.monotonic()
            with cassette_lock(path):
                assert time.monotonic() - started < 5

            for name in sorted(os.listdir(tmp_path)):
                if name in ("c.yaml", LOCK_NAME) or name in strays:
                    continue
                assert TEMPORARY.fullmatch(name), f"unexpected file {name}"
                strays[name] = classify(tmp_path / name, texts)
    finally:
        for left in pool:
            left.finish()

    print(
        f"\n{outcome.total()} kills: {dict(outcome)}; temporary files left: {dict(collections.Counter(strays.values()))}"
    )
    assert outcome.total() >= MIN_KILLS, f"only {outcome.total()} kills in {SECONDS} s"
    assert outcome["old"] > 0
    # Whatever is left over is not taken for a cassette by anything that searches folders.
    assert audit_paths([tmp_path]) == []
    assert load(path) == loaded[on_disk]


def classify(path: Path, texts: list[bytes]) -> str:
    """What a leftover temporary file holds: a whole version, or a part that refuses to load."""
    data = path.read_bytes()
    if data in texts:
        return "complete"
    assert any(text.startswith(data) for text in texts), f"{path.name} is not a prefix of any version"
    with pytest.raises(CassetteFormatError) as info:
        load(path)
    assert info.value.path == str(path)
    return "partial (refuses to load)"


def test_sigkill_while_recording_into_the_journal_loses_nothing_and_duplicates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers keep interactions in the journal (folding now and then) and are killed at random moments;
    after each kill, the fold that the next run does must leave every interaction whose keeping
    returned exactly once, the one being kept at the kill at most once, and nothing else."""
    monkeypatch.setattr(journal_module, "_LOCK_TIMEOUT_S", 10.0)
    path = tmp_path / "c.yaml"
    rng = random.Random(20261206)
    kept: collections.Counter[int] = collections.Counter()
    maybe: set[int] = set()
    outcome: collections.Counter[str] = collections.Counter()
    starts = iter(range(0, 10_000_000, 100_000))
    pool = [Worker(path, next(starts), JOURNAL_HELPER) for _ in range(2)]
    deadline = time.monotonic() + SECONDS
    try:
        while outcome.total() < KILLS and time.monotonic() < deadline:
            worker = pool[0]
            pool.append(Worker(path, next(starts), JOURNAL_HELPER))
            worker.wait_ready()
            worker.go()
            time.sleep(rng.uniform(0.0, 0.4))
            status, stdout, stderr = worker.finish()
            pool.remove(worker)
            assert (status, stderr) == (-signal.SIGKILL, b"")
            lines = stdout.decode().splitlines()
            done = [int(line.split()[1]) for line in lines if line.startswith("kept ")]
            assert done == list(range(len(done)))
            kept.update(worker.start + n for n in done)
            maybe.add(worker.start + len(done))
            outcome["torn journal" if journal_path(path).exists() else "no journal"] += 1

            if rng.random() < 0.5:  # half the time the next run folds at once, else a worker goes first
                fold(path)
                assert not journal_path(path).exists()
                found = collections.Counter(
                    int(json.loads(i.request.body)["assistant_id"].removeprefix("asst_"))
                    for i in load(path).interactions
                )
                extra = found - kept
                assert set(extra) <= maybe, "recorded twice"
                assert max(extra.values(), default=1) == 1, "recorded twice"
                assert found & kept == kept, f"lost {sorted((kept - found).elements())[:5]}"
                for name in os.listdir(tmp_path):
                    assert name in ("c.yaml", LOCK_NAME), f"unexpected file {name}"
    finally:
        for left in pool:
            left.finish()
    print(f"\n{outcome.total()} kills: {dict(outcome)}; {kept.total()} interactions kept")
    assert outcome.total() >= MIN_KILLS, f"only {outcome.total()} kills in {SECONDS} s"
    assert outcome["torn journal"] > 0
