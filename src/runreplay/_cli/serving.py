"""What `runreplay serve` and `runreplay record` share: start a server, print its URL, run until a signal."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from runreplay._cli.console import Console

__all__ = ["until_signal"]

_POLL_S = 0.5


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP set `stop` instead of raising or killing; old handlers come back after."""

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    # SIGHUP too: closing the terminal must not kill `runreplay record` without its save.
    wanted = [signal.SIGINT, signal.SIGTERM, *([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])]
    saved = {sig: signal.signal(sig, handler) for sig in wanted}
    try:
        yield
    finally:
        for sig, old in saved.items():
            signal.signal(sig, old)


def until_signal(console: Console, base_url: str, banner: str) -> None:
    """Print `base_url` alone on stdout (scripts read that line), `banner` on stderr, then block until
    SIGINT or SIGTERM."""
    stop = threading.Event()
    with _stop_on_signals(stop):
        console.out.write(base_url + "\n")
        console.out.flush()
        console.err.write(banner + "\n")
        console.err.flush()
        while not stop.wait(_POLL_S):
            pass
