"""What installing runreplay costs a suite that does not use it: 2,000 trivial tests, with and without it.

The same generated suite (20 files of 100 `def test_n(): pass`) runs in a fresh `python -m pytest`
process, alternately with runreplay loaded and with `-p no:runreplay`; every other plugin installed
is loaded in both. The result is the ratio of the median wall times (target: at most 1.05).

    .venv/bin/python benchmarks/bench_plugin_overhead.py [ROUNDS]     # prints the ratio
    .venv/bin/python -m pytest benchmarks/bench_plugin_overhead.py -p no:randomly -s
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FILES = 20
TESTS_PER_FILE = 100
COMMON = ("-q", "-p", "no:cacheprovider", "-p", "no:randomly", "-p", "no:recording")


def write_suite(folder: Path) -> None:
    """2,000 trivial tests in 20 files, plus an empty ini so the folder is its own rootdir."""
    (folder / "pytest.ini").write_text("[pytest]\n")
    body = "\n".join(f"def test_{n}():\n    pass\n" for n in range(TESTS_PER_FILE))
    for index in range(FILES):
        (folder / f"test_trivial_{index}.py").write_text(body)


def _children_cpu() -> float:
    """CPU seconds (user + system) used so far by finished child processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(folder: Path, *extra: str) -> tuple[float, float]:
    """Wall and CPU time of one pytest process over the suite; fails loudly if the suite did not pass."""
    cpu = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *COMMON, *extra],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    elapsed = time.perf_counter() - started, _children_cpu() - cpu
    if done.returncode != 0 or f"{FILES * TESTS_PER_FILE} passed" not in done.stdout:
        raise RuntimeError(f"the trivial suite did not pass:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return elapsed


def measure(rounds: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """Median (wall, CPU) times with runreplay and without it, rounds interleaved so load hits both."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_suite(folder)
        run_once(folder)  # warm the file system cache and the bytecode of the generated files
        run_once(folder, "-p", "no:runreplay")
        with_plugin: list[tuple[float, float]] = []
        without: list[tuple[float, float]] = []
        for _ in range(rounds):
            with_plugin.append(run_once(folder))
            without.append(run_once(folder, "-p", "no:runreplay"))

    def medians(times: list[tuple[float, float]]) -> tuple[float, float]:
        return statistics.median(t[0] for t in times), statistics.median(t[1] for t in times)

    return medians(with_plugin), medians(without)


def report(rounds: int) -> str:
    """Two lines: wall and CPU medians, each with its ratio (CPU time is less sensitive to machine load)."""
    ours, bare = measure(rounds)
    head = f"plugin overhead, {FILES * TESTS_PER_FILE} trivial tests, median of {rounds}"
    return "\n".join(
        f"{head}, {kind}: with runreplay {ours[i]:.3f} s, with -p no:runreplay {bare[i]:.3f} s, "
        f"ratio {ours[i] / bare[i]:.3f}x (target <= 1.05x)"
        for i, kind in enumerate(("wall", "CPU"))
    )


def test_plugin_overhead_on_2000_trivial_tests() -> None:
    """Run the comparison inside the benchmark session and print the line (no timed assertion)."""
    print("\n" + report(rounds=5))


if __name__ == "__main__":
    print(report(rounds=int(sys.argv[1]) if len(sys.argv) > 1 else 9))
