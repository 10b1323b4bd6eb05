"""`runreplay serve PATH...`: replay cassettes over HTTP on 127.0.0.1 until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from runreplay._cli.console import Console
from runreplay._cli.paths import CommandError
from runreplay._cli.serving import add_listen_arguments, announce_and_wait, stop_on_signals
from runreplay.errors import RunreplayError

if TYPE_CHECKING:
    from runreplay.serve import CassetteServer

__all__ = ["add_arguments", "run_serve"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `runreplay serve`."""
    parser.add_argument("paths", nargs="+", metavar="PATH", help="cassette files or folders (*.yaml, *.yml)")
    parser.add_argument(
        "--replay-speed",
        type=float,
        default=0.0,
        metavar="X",
        help="0 sends every chunk at once (default), 1 at the recorded times, 2 twice as fast",
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        help="inject a fault (repeatable): NAME:KEY=VALUE,... with NAME one of drop_after, stall, "
        "error_event, http_error, e.g. drop_after:events=3",
    )
    parser.add_argument(
        "--match-on",
        default="method,path,query,body",
        metavar="PARTS",
        help="request parts that select a recording (default method,path,query,body)",
    )
    parser.add_argument(
        "--allow-playback-repeats",
        action="store_true",
        help="once every recording of a request was played, play the last one again for repeats",
    )
    add_listen_arguments(parser, remote_risk="read")


def run_serve(args: argparse.Namespace, console: Console) -> int:
    """Serve until SIGINT/SIGTERM/SIGHUP, then print what was played and what was never played."""
    with stop_on_signals() as stop:
        server = _start_server(args, console)
        with server:
            files = len(server.cassettes.files)
            banner = (
                f"runreplay serve: {len(server.cassettes.interactions)} interactions from {files} "
                f"cassette{'s' if files != 1 else ''} at {server.base_url} (stats: {server.base_url}"
                "/__runreplay__/stats); Ctrl-C or SIGTERM stops"
            )
            announce_and_wait(console, server.base_url, banner, stop)
    for problem in server.errors:  # a bug while answering: the client saw a dropped connection
        console.warn(f"runreplay serve: internal error:\n{problem}")
    stats = server.stats()
    console.err.write(
        f"runreplay serve: stopped; {stats['requests']} requests, {stats['played']} played, "
        f"{stats['unmatched']} unmatched, {stats['never_played']} recordings never played\n"
    )
    return 0


def _start_server(args: argparse.Namespace, console: Console) -> CassetteServer:
    """The running server for the command's arguments; a usage error (exit 2) if they cannot work."""
    from runreplay.serve import CassetteServer, parse_fault

    try:
        server = CassetteServer(
            *args.paths,
            port=args.port,
            host=args.host,
            replay_speed=args.replay_speed,
            faults=[parse_fault(spec) for spec in args.fault],
            match_on=[part.strip() for part in args.match_on.split(",") if part.strip()],
            allow_playback_repeats=args.allow_playback_repeats,
            cors=not args.no_cors,
            allow_remote=args.allow_remote,
            log=lambda line: console.warn(f"runreplay serve: {line}"),
        )
        return server.start()
    except RunreplayError as error:
        raise CommandError(f"serve: {error}") from None
