"""Cassettes: the in-memory model, the versioned YAML file format, the request index and the vcrpy importer.

from runreplay.cassette import load, save
cassette = load("cassettes/test_runs.yaml")
save("cassettes/test_runs.yaml", cassette)   # atomic
"""

from __future__ import annotations

from runreplay.cassette._convert import convert_vcrpy_file, from_vcrpy
from runreplay.cassette._format import dumps, load, loads, save
from runreplay.cassette._index import (
    DEFAULT_MATCH_ON,
    MATCH_ON_NAMES,
    CassetteIndex,
    KeyFunction,
    KeyTable,
    make_key_function,
    request_key,
)
from runreplay.cassette.model import (
    FORMAT_VERSION,
    Cassette,
    Chunk,
    Interaction,
    RecordedRequest,
    RecordedResponse,
    StreamError,
)
from runreplay.errors import CassetteFormatError

__all__ = [
    "DEFAULT_MATCH_ON",
    "FORMAT_VERSION",
    "MATCH_ON_NAMES",
    "Cassette",
    "CassetteFormatError",
    "CassetteIndex",
    "Chunk",
    "Interaction",
    "KeyFunction",
    "KeyTable",
    "RecordedRequest",
    "RecordedResponse",
    "StreamError",
    "convert_vcrpy_file",
    "dumps",
    "from_vcrpy",
    "load",
    "loads",
    "make_key_function",
    "request_key",
    "save",
]
