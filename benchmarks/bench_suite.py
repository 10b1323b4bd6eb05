"""Suite-scale benchmarks: whole pytest runs of a generated suite, timed with their peak memory.

    .venv/bin/python benchmarks/bench_suite.py                    # shared vs own cassettes, 100 and 1,000 tests
    .venv/bin/python benchmarks/bench_suite.py --tests 1000 --rounds 3
    .venv/bin/python benchmarks/bench_suite.py --peer       # also per-test recording vs pytest-recording

Each measurement is a fresh `python -m pytest` process (its wall time, and its peak resident memory,
``VmHWM``, written by the suite's conftest; Linux) running N tests that each send one `POST /v1/threads/runs` through httpx to the embedded
`runreplay.fakeserver.FakeAssistantsServer` (every tenth streamed), which runs in this process on one
port for the whole benchmark so that the recorded URLs replay. Only the plugin measured is loaded
(`PYTEST_DISABLE_PLUGIN_AUTOLOAD=1`, then `-p runreplay.plugin` or `-p pytest_recording.plugin`).

* **shared** (`@pytest.mark.cassette(name="shared/all")`: all N tests record into one cassette) against
  **own** (one cassette per test): `--record-mode=once` into an empty folder, then `--record-mode=none`.
* **peer** (`--peer`, needs pytest-recording, in the `test` extra): the own-cassette
  suite recorded by runreplay against the same suite with `@pytest.mark.vcr` recorded by
  pytest-recording (`--record-mode=once`), and the same suite with no plugin and no marker (`plain`),
  so the per-test recording cost is (run - plain) / N for each.

Reported: the median of `--rounds` runs per cell (the kinds take turns within a round), and the
ratios the issue asks for.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from runreplay.fakeserver import FakeAssistantsServer

CONFTEST = """
import os
import httpx
import pytest

@pytest.fixture(scope="session")
def client():
    with httpx.Client(timeout=30) as client:
        yield client

@pytest.fixture
def base_url():
    return os.environ["BENCH_BASE_URL"]

def pytest_unconfigure(config):
    # The peak resident memory of this process (VmHWM; ru_maxrss would include the parent's at fork).
    with open("/proc/self/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    with open(os.environ["BENCH_PEAK_FILE"], "w") as out:
        out.write(peak)
"""

TEST = """
import pytest

@pytest.mark.parametrize("i", range({n}))
{marker}
def test_call(client, base_url, i):
    body = {{"assistant_id": f"asst_{{i:05d}}", "stream": i % 10 == 0}}
    with client.stream("POST", f"{{base_url}}/threads/runs", json=body) as response:
        assert response.status_code == 200
        response.read()
"""

MARKERS = {
    "shared": '@pytest.mark.cassette(name="shared/all")',
    "own": "@pytest.mark.cassette",
    "vcr": "@pytest.mark.vcr",
    "plain": "",
}
PLUGINS = {
    "shared": ["-p", "runreplay.plugin"],
    "own": ["-p", "runreplay.plugin"],
    "vcr": ["-p", "pytest_recording.plugin"],
    "plain": [],
}


def make_suite(root: Path, kind: str, tests: int) -> Path:
    """A folder holding a conftest and one test module of `tests` tests with the `kind` marker."""
    folder = root / f"{kind}-{tests}"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / "conftest.py").write_text(CONFTEST)
    (folder / "test_suite.py").write_text(TEST.format(n=tests, marker=MARKERS[kind]))
    (folder / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n")
    return folder


def run(folder: Path, kind: str, mode: str, base_url: str) -> tuple[float, float]:
    """(seconds, peak MiB) of one pytest process over the suite in `folder`."""
    peak_file = folder / "peak.txt"
    env = dict(
        os.environ,
        PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
        BENCH_BASE_URL=base_url,
        BENCH_PEAK_FILE=str(peak_file),
    )
    command = [sys.executable, "-m", "pytest", "-q", "-x", *PLUGINS[kind]]
    if kind != "plain":
        command.append(f"--record-mode={mode}")
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert process.stdout is not None
    output = process.stdout.read()
    status = process.wait()
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{kind} {mode} failed in {folder}:\n{output.decode()[-3000:]}")
    return seconds, int(peak_file.read_text()) / 1024.0


def measure(
    root: Path, kinds: list[str], tests: int, rounds: int, base_url: str
) -> dict[str, dict[str, tuple[float, float]]]:
    """Per kind, the median (seconds, MiB) of recording into an empty folder, then of replaying.

    The kinds take turns within each round, so a change in the machine's load hits all of them alike.
    """
    results: dict[str, dict[str, list[tuple[float, float]]]] = {kind: {} for kind in kinds}
    for _ in range(rounds):
        for kind in kinds:
            folder = make_suite(root, kind, tests)
            results[kind].setdefault("record", []).append(run(folder, kind, "once", base_url))
            if kind in ("shared", "own"):
                results[kind].setdefault("replay", []).append(run(folder, kind, "none", base_url))
    return {
        kind: {
            mode: (statistics.median(t for t, _ in values), statistics.median(m for _, m in values))
            for mode, values in modes.items()
        }
        for kind, modes in results.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tests", type=int, nargs="*", default=[100, 1000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--peer", action="store_true", help="also pytest-recording (needs the bench extra)")
    args = parser.parse_args()
    kinds = ["shared", "own"] + (["vcr", "plain"] if args.peer else [])
    with FakeAssistantsServer(seed=1) as server, tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        table: dict[tuple[str, int], dict[str, tuple[float, float]]] = {}
        for tests in args.tests:
            for kind, modes in measure(root, kinds, tests, args.rounds, server.base_url).items():
                table[kind, tests] = modes
                for mode, (seconds, mib) in modes.items():
                    print(
                        f"{kind:>6} {tests:>5} tests {mode:>6}: {seconds:7.2f} s  {mib:7.1f} MiB", flush=True
                    )
    print("\nratios (shared / own; the issue's targets: record <= 1.5x, replay <= 1.2x time, <= 1.5x memory)")
    for tests in args.tests:
        shared, own = table["shared", tests], table["own", tests]
        for mode in ("record", "replay"):
            time_ratio = shared[mode][0] / own[mode][0]
            memory_ratio = shared[mode][1] / own[mode][1]
            print(f"  {tests:>5} tests {mode:>6}: time {time_ratio:.2f}x  peak memory {memory_ratio:.2f}x")
    if args.peer:
        print("\nper-test recording cost, one cassette per test: (run - plain run) / tests")
        for tests in args.tests:
            plain = table["plain", tests]["record"][0]
            ours = (table["own", tests]["record"][0] - plain) / tests
            theirs = (table["vcr", tests]["record"][0] - plain) / tests
            whole = table["own", tests]["record"][0] / table["vcr", tests]["record"][0]
            print(
                f"  {tests:>5} tests: runreplay {ours * 1e3:.2f} ms, pytest-recording {theirs * 1e3:.2f} ms: "
                f"{ours / theirs:.2f}x per test ({whole:.2f}x the whole run)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
