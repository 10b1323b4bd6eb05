"""A process that saves cassettes in a loop, to be killed with SIGKILL at random moments.

    python save_worker.py PATH START

It builds the cassettes of `versions()`, prints ``ready``, waits for a line on stdin, then saves
``versions()[(START + n) % len(versions())]`` for n = 0, 1, 2, ... to PATH (each save under the
cassette's inter-process lock, as the recorder does), printing ``saved N`` after save N returned.
It stops by itself after `MAX_SAVES` saves or `MAX_SECONDS`, in case nobody kills it.

The disk is made slow (`slow_disk`): file writes go out in 64 KiB pieces, each flushed to the OS and
followed by a short pause, and fsync pauses too. `save` itself is unchanged; this only widens the
windows in which a kill leaves a partly written or a complete but not yet renamed temporary file,
which on a fast disk last a millisecond and would rarely be hit.

`tests/test_safety_crash.py` imports `versions()` from this file to know every content the file
may legally hold.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from runreplay import sse
from runreplay.cassette import Cassette, Chunk, Interaction, RecordedRequest, RecordedResponse, save
from runreplay.recording._session import cassette_lock

MAX_SAVES = 10_000
MAX_SECONDS = 60.0
PIECE = 64 * 1024
PAUSE = 0.002


def _interaction(number: int, events: int) -> Interaction:
    """A streamed create-thread-and-run exchange with `events` events, deterministic in `number`."""
    body = json.dumps({"assistant_id": f"asst_{number}", "stream": True}, separators=(",", ":"))
    request = RecordedRequest(
        "POST",
        "https://api.openai.com/v1/threads/runs",
        [("Content-Type", "application/json"), ("Authorization", "Bearer <REDACTED>")],
        body.encode(),
    )
    frames = [
        sse.encode(
            [
                sse.Event(
                    "thread.message.delta",
                    json.dumps(
                        {
                            "id": f"msg_{number}",
                            "object": "thread.message.delta",
                            "delta": {"content": [{"index": 0, "type": "text", "text": {"value": f"w{k} "}}]},
                        }
                    ),
                )
            ]
        )
        for k in range(events)
    ]
    frames.append(sse.encode([sse.Event("done", "[DONE]")]))
    response = RecordedResponse(
        200,
        "OK",
        "HTTP/1.1",
        [("content-type", "text/event-stream; charset=utf-8")],
        [Chunk(frame, 10.0 + 1.5 * k) for k, frame in enumerate(frames)],
        headers_ms=9.25,
    )
    return Interaction(request, response, "2026-01-01T00:00:00Z")


def versions() -> list[Cassette]:
    """The contents the worker cycles through: large and small alternate, so saves take long enough
    (the large one is over 800 KB) to be interrupted anywhere, also right after a rename."""
    sizes = [(160, 24), (1, 3), (80, 24), (0, 0)]
    return [
        Cassette([_interaction(n, events) for n in range(count)], {"version": index})
        for index, (count, events) in enumerate(sizes)
    ]


class _SlowFile:
    """A binary file whose writes reach the OS piece by piece, with a pause after each piece."""

    def __init__(self, file: Any) -> None:
        self._file = file

    def write(self, data: bytes) -> int:
        view = memoryview(data)
        for start in range(0, len(view), PIECE):
            self._file.write(view[start : start + PIECE])
            self._file.flush()
            time.sleep(PAUSE)
        return len(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)

    def __enter__(self) -> _SlowFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._file.close()


def slow_disk() -> None:
    """Slow down `os.fdopen` files and `os.fsync` in this process (see the module docstring)."""
    real_fdopen, real_fsync = os.fdopen, os.fsync

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        return _SlowFile(real_fdopen(fd, *args, **kwargs))

    def fsync(fd: int) -> None:
        time.sleep(5 * PAUSE)
        real_fsync(fd)

    os.fdopen = fdopen  # type: ignore[assignment]
    os.fsync = fsync


def main() -> int:
    path, start = sys.argv[1], int(sys.argv[2])
    cassettes = versions()
    slow_disk()
    print("ready", flush=True)
    if not sys.stdin.readline():
        return 0
    deadline = time.monotonic() + MAX_SECONDS
    for number in range(MAX_SAVES):
        if time.monotonic() > deadline:
            break
        with cassette_lock(Path(path)):
            save(path, cassettes[(start + number) % len(cassettes)])
        print(f"saved {number}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
