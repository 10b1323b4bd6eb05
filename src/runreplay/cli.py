"""The `runreplay` command line: inspect, audit, validate and import cassettes, and a no-key demo.

Exit status: 0 when all is well; 1 when `audit` finds a secret, `validate` a problem, or `demo` a
mismatch; 2 for a usage error or a file that cannot be loaded (the message names it and says why).
Each command lives in `runreplay._cli`; this module only parses arguments and reports errors.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable
from typing import NoReturn, TextIO

from runreplay._cli.console import COLOR_CHOICES, Console, Style, wants_color
from runreplay._cli.paths import CommandError
from runreplay._version import __version__

__all__ = ["build_parser", "main"]

_EPILOG = """\
exit status: 0 all is well; 1 audit found a secret, validate a problem, or demo a mismatch;
2 a usage error or a file that cannot be loaded.
Run 'runreplay COMMAND --help' for a command's options."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors become `CommandError` (exit 2) naming the command and its help."""

    command: str | None = None

    def error(self, message: str) -> NoReturn:
        """Raise instead of printing usage and exiting, so `main` reports every error the same way."""
        where = f"{self.command}: " if self.command else ""
        help_command = f"runreplay {self.command} --help" if self.command else "runreplay --help"
        raise CommandError(f"{where}{message}; run '{help_command}' for usage")


def _color_option(parser: argparse.ArgumentParser, default: str | None) -> None:
    """`--color`, accepted before and after the command (the subcommands leave the default alone)."""
    parser.add_argument(
        "--color",
        choices=COLOR_CHOICES,
        default=argparse.SUPPRESS if default is None else default,
        help="colour the output: auto (a terminal with NO_COLOR unset, the default), always or never",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `runreplay` and its subcommands."""
    parser = _Parser(
        prog="runreplay",
        description="Inspect, audit, validate and import runreplay cassettes; 'demo' shows the whole loop.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"runreplay {__version__}")
    _color_option(parser, "auto")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help_text: str, handler: Callable[[argparse.Namespace, Console], int]) -> _Parser:
        """Add a subcommand that runs `handler` and takes `--color`."""
        sub: _Parser = commands.add_parser(name, help=help_text, description=help_text)
        sub.command = name
        sub.set_defaults(handler=handler)
        _color_option(sub, None)
        return sub

    inspect = command("inspect", "show a cassette's interactions and each stream's timeline", _inspect)
    inspect.add_argument("path", metavar="PATH", help="a runreplay cassette file")
    inspect.add_argument("--json", action="store_true", help="print a machine-readable JSON document instead")

    audit = command("audit", "look for secrets in cassettes (prints where, never the secret)", _audit)
    audit.add_argument("paths", nargs="+", metavar="PATH", help="cassette files or folders (*.yaml, *.yml)")

    validate = command(
        "validate", "check recorded request bodies and stream events against runreplay's models", _validate
    )
    validate.add_argument(
        "paths", nargs="+", metavar="PATH", help="cassette files or folders (*.yaml, *.yml)"
    )

    importer = command("import", "convert vcrpy / pytest-recording cassettes (YAML or JSON)", _import)
    importer.add_argument(
        "paths", nargs="+", metavar="PATH", help="vcrpy cassette files or folders (*.yaml, *.yml, *.json)"
    )
    importer.add_argument(
        "-o",
        "--output",
        metavar="FILE|DIR",
        help="where to write: FILE.yaml for one cassette, else a folder (NAME.yaml, keeping sub-folders; "
        "for pytest-recording's layout, the cassette folder); default: where runreplay's plugin looks for "
        "the same test (pytest-recording's layout), else next to each source as NAME.runreplay.yaml",
    )
    importer.add_argument("--force", action="store_true", help="overwrite files that already exist")
    importer.add_argument(
        "--rootdir", metavar="DIR", help="the pytest rootdir (default: found as pytest finds it)"
    )
    importer.add_argument(
        "--cassette-dir",
        metavar="DIR",
        default="cassettes",
        help="the runreplay_cassette_dir ini value, relative to the rootdir (default: cassettes)",
    )

    demo = command(
        "demo", "record from the embedded server, then replay with the network blocked (no API key)", _demo
    )
    demo.add_argument("--keep", metavar="DIR", help="write the cassettes into DIR and keep them")
    demo.add_argument(
        "--suite",
        nargs="?",
        const="",
        metavar="PATH",
        help="record and replay a pytest example suite instead (default: the repository's examples/); "
        "its conftest reads RUNREPLAY_EXAMPLE_BASE_URL",
    )
    _add_review_commands(command)
    _serving_commands(command)
    return parser


def _add_review_commands(command: Callable[..., _Parser]) -> None:
    """`diff` and `report`: reviewing recordings (issue 12)."""
    diff = command(
        "diff",
        "compare two recordings: exit 0 same (volatile fields and timing only), 1 content, 2 shape changed",
        _diff,
    )
    diff.add_argument("old", metavar="OLD", help="the earlier cassette file")
    diff.add_argument("new", metavar="NEW", help="the re-recorded cassette file")
    diff.add_argument("--json", action="store_true", help="print a machine-readable JSON document instead")
    report = command(
        "report", "write one self-contained HTML page: timelines, answers, tool calls, usage", _report
    )
    report.add_argument("paths", nargs="+", metavar="PATH", help="cassette files or folders (*.yaml, *.yml)")
    report.add_argument("-o", "--output", metavar="FILE", required=True, help="the HTML file to write")


def _diff(args: argparse.Namespace, console: Console) -> int:
    """`runreplay diff OLD NEW [--json]`."""
    from runreplay._cli.diff import run_diff

    return run_diff(args.old, args.new, args.json, console)


def _report(args: argparse.Namespace, console: Console) -> int:
    """`runreplay report PATH... -o FILE`."""
    from runreplay._cli.report import run_report

    return run_report(args.paths, args.output, console)


def _serving_commands(command: Callable[..., _Parser]) -> None:
    """`serve` and `record`: cassettes behind a real port (see `runreplay.serve`)."""
    from runreplay._cli import record, serve

    serve.add_arguments(
        command("serve", "replay cassettes over HTTP on 127.0.0.1 to any client, until Ctrl-C", _serve)
    )
    record.add_arguments(
        command("record", "a reverse proxy that records what passes through into a cassette", _record)
    )


def _serve(args: argparse.Namespace, console: Console) -> int:
    """`runreplay serve PATH... [--port N] [--replay-speed X] [--fault SPEC]...`."""
    from runreplay._cli.serve import run_serve

    return run_serve(args, console)


def _record(args: argparse.Namespace, console: Console) -> int:
    """`runreplay record --target URL --cassette FILE [--port N] [--record-mode MODE]`."""
    from runreplay._cli.record import run_record

    return run_record(args, console)


def _inspect(args: argparse.Namespace, console: Console) -> int:
    """`runreplay inspect PATH [--json]`."""
    from runreplay._cli.inspect import document, render
    from runreplay._cli.paths import load_cassette

    path: str = args.path
    cassette = load_cassette("inspect", path)
    if args.json:
        console.out.write(
            json.dumps(document(cassette, path), indent=2, ensure_ascii=False, default=str) + "\n"
        )
        return 0
    for line in render(cassette, path, console.style, unicode=console.unicode):
        console.print(line)
    return 0


def _audit(args: argparse.Namespace, console: Console) -> int:
    """`runreplay audit PATH...`."""
    from runreplay._cli.audit import run_audit

    return run_audit(args.paths, console)


def _validate(args: argparse.Namespace, console: Console) -> int:
    """`runreplay validate PATH...`."""
    from runreplay._cli.validate import run_validate

    return run_validate(args.paths, console)


def _import(args: argparse.Namespace, console: Console) -> int:
    """`runreplay import PATH... [-o FILE|DIR] [--force]`."""
    from runreplay._cli.importer import run_import

    return run_import(
        args.paths, args.output, args.force, console, rootdir=args.rootdir, cassette_dir=args.cassette_dir
    )


def _demo(args: argparse.Namespace, console: Console) -> int:
    """`runreplay demo [--keep DIR] [--suite [PATH]]`."""
    if args.suite is None:
        from runreplay._cli.demo import run_demo

        return run_demo(args.keep, console)
    from runreplay._cli.suite import default_suite, run_suite

    suite = args.suite
    if not suite:
        found = default_suite()
        if not found.is_dir():
            raise CommandError(
                f"demo: --suite without a PATH uses the repository's examples/ folder, but {found} does not "
                "exist (it is not installed with the package); give the suite's folder: --suite PATH"
            )
        suite = str(found)
    return run_suite(suite, args.keep, console)


def _run(argv: list[str], out: TextIO, err: TextIO) -> int:
    """Parse `argv` and run the command; usage problems raise CommandError."""
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
    except SystemExit as stop:  # --help and --version print, then exit 0
        return stop.code if isinstance(stop.code, int) else 0
    if extra:  # reported by the subcommand, whose help lists its options
        where = f"{args.command}: " if args.command else ""
        raise CommandError(
            f"{where}unrecognized arguments: {' '.join(extra)}; "
            f"run 'runreplay {args.command + ' ' if args.command else ''}--help' for usage"
        )
    if args.command is None:
        parser.print_help(err)
        return 2
    console = Console(out, err, Style(wants_color(args.color, out)))
    handler: Callable[[argparse.Namespace, Console], int] = args.handler
    return handler(args, console)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `runreplay` console script; returns the exit status."""
    out, err = sys.stdout, sys.stderr
    try:
        return _run(sys.argv[1:] if argv is None else list(argv), out, err)
    except CommandError as error:
        err.write(f"runreplay: {error}\n")
        return 2
    except KeyboardInterrupt:
        err.write("runreplay: interrupted\n")
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `runreplay inspect x.yaml | head`): stop quietly, no traceback.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
