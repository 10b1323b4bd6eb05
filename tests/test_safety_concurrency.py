"""Concurrency: xdist workers recording into one cassette, or into one folder, never corrupt or lose an
interaction.

Each inner run is a real `pytest -n 4` session (pytester; xdist spawns real worker processes) of 50
parametrized tests that all record into one cassette (`name="shared/all"`), and, in two of the runs,
50 more that record one cassette each into one folder. Every test sends one distinct request (its
index and the run's tag in the JSON body) to the embedded server, which runs here in the outer
process. After each run the cassettes are loaded and the multiset of recorded requests must be
exactly the ones sent (plus, in modes that keep old recordings, the earlier runs'), each once. While
the workers write, a reader thread here loads the shared cassette and parses its journal over and
over: every load must succeed (or find no file yet), the number of interactions in the file must
never go down, and neither must the number of whole records in the journal (workers append to it;
the controller folds it into the file once, at the end of the run).

Modes: `new_episodes` into nothing, `rewrite` twice in a row, then `all` on top, and `once` into a
new shared cassette: a cassette written earlier in the same run stays recordable in `once`, also
when another worker wrote it (the journal records carry the run id xdist shares with its workers).
"""

from __future__ import annotations

import collections
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from runreplay import sse
from runreplay._version import __version__
from runreplay.cassette import Cassette, load
from runreplay.cassette._journal import LOCK_NAME, journal_path, parse_records
from runreplay.errors import CassetteFormatError
from runreplay.fakeserver import FakeAssistantsServer

N = 50
WORKERS = "4"

CONFTEST = """
import os
import httpx
import pytest

@pytest.fixture(scope="session")
def client():
    # One client per worker: creating one loads the CA bundle, 25 ms of CPU each time.
    with httpx.Client(timeout=30) as client:
        yield client

@pytest.fixture
def base_url():
    return os.environ["RUNREPLAY_SAFETY_BASE_URL"]

@pytest.fixture
def tag():
    return os.environ["RUNREPLAY_SAFETY_TAG"]
"""

# The same test twice: every test of test_shared records into one cassette, every test of test_folder
# into its own cassette in one folder (cassettes/test_folder/test_send[i].yaml).
INNER = """
import pytest

def send(client, base_url, tag, i):
    # Every tenth request streams (SSE through the recording tee); the others get a JSON run object
    # (small, so that the cassette, which every save rewrites whole, stays small).
    body = {"assistant_id": f"asst_{i:03d}", "stream": i % 10 == 0, "metadata": {"tag": tag, "i": str(i)}}
    with client.stream("POST", f"{base_url}/threads/runs", json=body) as response:
        assert response.status_code == 200
        return response.read()

@pytest.mark.parametrize("i", range(N_TESTS))
@pytest.mark.cassette(MARKER)
def test_send(client, base_url, tag, i):
    data = send(client, base_url, tag, i)
    if i % 10 == 0:
        assert data.endswith(b"event: done\\ndata: [DONE]\\n\\n")
    else:
        assert f'"assistant_id": "asst_{i:03d}"'.encode() in data
"""


def inner_module(marker: str) -> str:
    return INNER.replace("N_TESTS", str(N)).replace("MARKER", marker)


def keys(cassette: Cassette) -> collections.Counter[tuple[str, int]]:
    """The (tag, index) of every recorded request, with how often each was recorded."""
    found: collections.Counter[tuple[str, int]] = collections.Counter()
    for interaction in cassette.interactions:
        metadata = json.loads(interaction.request.body)["metadata"]
        found[metadata["tag"], int(metadata["i"])] += 1
    return found


def sent(*tags: str) -> collections.Counter[tuple[str, int]]:
    return collections.Counter({(tag, i): 1 for tag in tags for i in range(N)})


def check_responses(cassette: Cassette) -> None:
    """Every recorded response is whole and belongs to its own request (no bodies mixed up)."""
    for interaction in cassette.interactions:
        request = json.loads(interaction.request.body)
        response = interaction.response
        assert (response.status, response.complete, response.error) == (200, True, None)
        if request["stream"]:
            decoder = sse.Decoder()
            events = [e for chunk in response.chunks for e in decoder.feed(chunk.data)] + decoder.close()
            assert decoder.truncated is None
            assert [events[0].event, events[-1].event] == ["thread.created", "done"]
            assert events[1].json()["assistant_id"] == request["assistant_id"]
        else:
            assert json.loads(response.body)["assistant_id"] == request["assistant_id"]


class Watcher:
    """Loads a cassette over and over from another thread while workers write it (bounded in time)."""

    def __init__(self, path: Path, *, seconds: float = 120.0) -> None:
        self.path = path
        self.deadline = time.monotonic() + seconds
        self.stop = threading.Event()
        self.loads = 0
        self.counts: list[int] = []
        self.journal_counts: list[int] = []
        self.failures: list[str] = []
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.stop.is_set() and time.monotonic() < self.deadline:
            try:
                cassette = load(self.path)
            except FileNotFoundError:
                pass
            except CassetteFormatError as error:  # a torn read: what this test exists to rule out
                self.failures.append(str(error))
            else:
                self.loads += 1
                self.counts.append(len(cassette.interactions))
            try:
                records, _ = parse_records(journal_path(self.path).read_bytes())
            except FileNotFoundError:
                pass
            else:
                self.loads += 1
                self.journal_counts.append(len(records))
            self.stop.wait(0.05)

    def __enter__(self) -> Watcher:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop.set()
        self.thread.join(timeout=30)
        assert not self.thread.is_alive()


@pytest.fixture
def live(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAssistantsServer]:
    with FakeAssistantsServer(seed=7) as server:
        monkeypatch.setenv("RUNREPLAY_SAFETY_BASE_URL", server.base_url)
        yield server


def run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tag: str, *args: str) -> pytest.RunResult:
    """One `pytest -n 4` run of the inner suite with requests tagged `tag`.

    Only runreplay and xdist are loaded (the way xdist documents for PYTEST_DISABLE_PLUGIN_AUTOLOAD):
    starting four workers with every installed plugin (hypothesis, Faker, ...) takes several times
    longer on a busy machine and tests nothing more here.
    """
    monkeypatch.setenv("RUNREPLAY_SAFETY_TAG", tag)
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    options = ("-p", "xdist.plugin", "-p", "runreplay.plugin", "-p", "no:cacheprovider", "-W", "error")
    return pytester.runpytest("-n", WORKERS, *options, *args)


def files(folder: Path) -> list[str]:
    """The files in `folder`, except the folder's lock file (it stays, one per folder)."""
    return sorted(p.name for p in folder.iterdir() if p.name != LOCK_NAME)


def test_workers_recording_into_one_cassette_or_one_folder_never_lose_or_duplicate_an_interaction(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, live: FakeAssistantsServer
) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_shared=inner_module('name="shared/all"'), test_folder=inner_module(""))
    shared = pytester.path / "cassettes" / "shared" / "all.yaml"
    folder = pytester.path / "cassettes" / "test_folder"
    separate = [f"test_send[{i}].yaml" for i in range(N)]

    def separate_keys() -> collections.Counter[tuple[str, int]]:
        found: collections.Counter[tuple[str, int]] = collections.Counter()
        for i, name in enumerate(separate):
            cassette = load(folder / name)
            assert {i} == {index for _, index in keys(cassette)}  # nothing from another test's file
            found += keys(cassette)
        return found

    # new_episodes into cassettes that do not exist yet: 4 workers create the shared cassette and
    # append to it, and create 50 cassettes side by side in one folder.
    with Watcher(shared) as watcher:
        result = run(pytester, monkeypatch, "a", "--record-mode=new_episodes")
    result.assert_outcomes(passed=2 * N)
    result.stdout.fnmatch_lines(  # the workers' cassette counts reach the controller
        [f"runreplay: {N + 1} cassettes: 0 replayed, {N + 1} recorded; 0 recorded interactions never played"]
    )
    first = load(shared)
    assert keys(first) == sent("a")
    check_responses(first)
    assert separate_keys() == sent("a")
    assert files(folder) == sorted(separate)  # no temporary file or journal left behind
    assert files(shared.parent) == ["all.yaml"]
    assert len(live.requests) == 2 * N
    assert watcher.failures == []
    assert watcher.counts == sorted(watcher.counts)
    assert watcher.journal_counts == sorted(watcher.journal_counts)
    assert watcher.loads > 0

    # rewrite, twice in a row: each run drops what earlier runs recorded but keeps everything its own
    # workers recorded (their journal records carry the run id, which xdist shares with all workers).
    run(pytester, monkeypatch, "b", "--record-mode=rewrite", "test_shared.py").assert_outcomes(passed=N)
    rewritten = load(shared)
    assert keys(rewritten) == sent("b")
    run(pytester, monkeypatch, "c", "--record-mode=rewrite", "test_shared.py").assert_outcomes(passed=N)
    again = load(shared)
    assert keys(again) == sent("c")
    check_responses(again)
    # Nothing about a run is written into the file: re-recording changes only timings and dates.
    assert [first.meta, rewritten.meta, again.meta] == [{"recorded_with": f"runreplay {__version__}"}] * 3
    assert len(live.requests) == 4 * N

    # all: every request goes live again and is appended to what each cassette held.
    with Watcher(shared) as watcher:
        run(pytester, monkeypatch, "d", "--record-mode=all").assert_outcomes(passed=2 * N)
    final = load(shared)
    assert keys(final) == sent("c", "d")
    check_responses(final)
    assert separate_keys() == sent("a", "d")
    assert watcher.failures == []
    assert watcher.counts == sorted(watcher.counts)
    assert len(live.requests) == 6 * N
    assert watcher.journal_counts == sorted(watcher.journal_counts)
    assert files(shared.parent) == ["all.yaml"]
    assert files(folder) == sorted(separate)

    # once, into a new shared cassette: the tests after the first (on any worker) may record too.
    pytester.makepyfile(test_once=inner_module('name="shared/once"'))
    run(pytester, monkeypatch, "e", "--record-mode=once", "test_once.py").assert_outcomes(passed=N)
    assert keys(load(shared.parent / "once.yaml")) == sent("e")
    run(pytester, monkeypatch, "e", "test_once.py").assert_outcomes(passed=N)  # replays, offline
    assert len(live.requests) == 7 * N
    assert files(shared.parent) == ["all.yaml", "once.yaml"]
