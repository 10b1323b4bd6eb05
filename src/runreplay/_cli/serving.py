"""What `runreplay serve` and `runreplay record` share: start a server, print its URL, run until a signal."""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from runreplay._cli.console import Console

__all__ = ["add_listen_arguments", "announce_and_wait", "stop_on_signals"]

_POLL_S = 0.5


def add_listen_arguments(parser: argparse.ArgumentParser, *, remote_risk: str) -> None:
    """`--port`, `--host`, `--no-cors` and `--allow-remote` (`remote_risk`: what anyone could then do)."""
    parser.add_argument("--port", type=int, default=0, help="TCP port (default 0: any free port)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--no-cors", action="store_true", help="do not answer browsers' CORS requests")
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help=f"allow a --host that is not loopback (anyone can {remote_risk})",
    )


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """An event that SIGINT, SIGTERM and SIGHUP set instead of raising or killing, for the block.

    Installed before the server starts, so a signal that comes early still stops it cleanly (and
    `record` still saves); the old handlers come back after. SIGHUP too: closing the terminal must
    not kill `runreplay record` without its save.
    """
    stop = threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    wanted = [signal.SIGINT, signal.SIGTERM, *([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])]
    saved = {sig: signal.signal(sig, handler) for sig in wanted}
    try:
        yield stop
    finally:
        for sig, old in saved.items():
            signal.signal(sig, old)


def announce_and_wait(console: Console, base_url: str, banner: str, stop: threading.Event) -> None:
    """Print `base_url` alone on stdout (scripts read that line) and `banner` on stderr, then block
    until `stop` is set."""
    console.out.write(base_url + "\n")
    console.out.flush()
    console.err.write(banner + "\n")
    console.err.flush()
    while not stop.wait(_POLL_S):
        pass
