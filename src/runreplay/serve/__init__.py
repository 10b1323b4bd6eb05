"""Cassettes behind a real port: `CassetteServer` replays them to any client, `RecordingProxy` records.

Both are thin layers over the cassette session (matching, record modes, faults, redaction, atomic
saves) and run in-process as context managers with a `.base_url`, or from the command line as
`runreplay serve` and `runreplay record`. They listen on 127.0.0.1 only, unless told otherwise.
"""

from __future__ import annotations

from runreplay.serve._faults import FAULT_SYNTAX, parse_fault
from runreplay.serve._proxy import CUT_MESSAGE, RecordingProxy
from runreplay.serve._server import STATS_PATH, CassetteServer

__all__ = ["CUT_MESSAGE", "FAULT_SYNTAX", "STATS_PATH", "CassetteServer", "RecordingProxy", "parse_fault"]
