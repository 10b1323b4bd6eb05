"""Pieces of the `runreplay` command line, one job per module; `runreplay.cli` wires them to argparse."""

from __future__ import annotations
