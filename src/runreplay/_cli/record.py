"""`runreplay record --target URL --cassette FILE`: a recording reverse proxy until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from runreplay._cli.console import Console
from runreplay._cli.paths import CommandError
from runreplay._cli.serving import add_listen_arguments, announce_and_wait, stop_on_signals
from runreplay.errors import RunreplayError

if TYPE_CHECKING:
    from runreplay.serve import RecordingProxy

__all__ = ["add_arguments", "run_record"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `runreplay record`."""
    parser.add_argument(
        "--target", required=True, metavar="URL", help="where to forward, e.g. https://api.openai.com"
    )
    parser.add_argument("--cassette", required=True, metavar="FILE", help="the cassette to record into")
    parser.add_argument(
        "--record-mode",
        default="new_episodes",
        choices=("once", "new_episodes", "all", "rewrite"),
        help="new_episodes (default): replay what the cassette has, record the rest; "
        "once, all and rewrite as in pytest",
    )
    parser.add_argument("--ca-file", metavar="FILE", help="also trust this CA bundle for an https target")
    parser.add_argument(
        "--filter-header",
        action="append",
        default=[],
        metavar="NAME",
        help="redact this header too (repeatable)",
    )
    add_listen_arguments(parser, remote_risk="use it")


def run_record(args: argparse.Namespace, console: Console) -> int:
    """Proxy and record until SIGINT/SIGTERM/SIGHUP, then save the cassette atomically."""
    with stop_on_signals() as stop:
        proxy = _start_proxy(args, console)
        try:
            banner = (
                f"runreplay record: forwarding {proxy.base_url} to {args.target}, recording into "
                f"{args.cassette} ({args.record_mode}); Ctrl-C or SIGTERM stops and saves"
            )
            announce_and_wait(console, proxy.base_url, banner, stop)
        finally:
            try:
                proxy.stop()
            except RunreplayError as error:
                raise CommandError(f"record: {error}") from None
    for problem in proxy.errors:  # a bug while answering: the client saw a dropped connection
        console.warn(f"runreplay record: internal error:\n{problem}")
    recorded, played = proxy.counts()
    where = f"saved to {args.cassette}" if recorded else "nothing new to save"
    console.err.write(f"runreplay record: stopped; {recorded} recorded, {played} replayed; {where}\n")
    return 0


def _start_proxy(args: argparse.Namespace, console: Console) -> RecordingProxy:
    """The running proxy for the command's arguments; a usage error (exit 2) if they cannot work."""
    from runreplay.serve import RecordingProxy

    try:
        proxy = RecordingProxy(
            args.target,
            args.cassette,
            port=args.port,
            host=args.host,
            record_mode=args.record_mode,
            options={"filter_headers": args.filter_header},
            ca_file=args.ca_file,
            cors=not args.no_cors,
            allow_remote=args.allow_remote,
            log=lambda line: console.warn(f"runreplay record: {line}"),
        )
        return proxy.start()
    except RunreplayError as error:
        raise CommandError(f"record: {error}") from None
