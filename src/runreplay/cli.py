"""The `runreplay` command line."""

from __future__ import annotations

import sys

from runreplay._version import __version__


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `runreplay` console script."""
    args = sys.argv[1:] if argv is None else argv
    if args in (["--version"], []):
        print(f"runreplay {__version__}")
        return 0
    print(f"runreplay {__version__}: unknown command {' '.join(args)!r}", file=sys.stderr)
    return 2
