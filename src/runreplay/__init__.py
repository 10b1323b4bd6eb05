"""runreplay: record and replay OpenAI-compatible HTTP and SSE exchanges in pytest.

The public facade. Sub-packages carry the bulk of the API: `runreplay.models`,
`runreplay.factories`, `runreplay.strategies`, `runreplay.sse`, `runreplay.cassette`,
`runreplay.faults`, `runreplay.fakeserver`.
"""

from __future__ import annotations

from runreplay._version import __version__
from runreplay.errors import (
    CassetteFormatError,
    ConfigurationError,
    NetworkBlockedError,
    RunreplayError,
    SecretLeakError,
    UnmatchedRequestError,
)

__all__ = [
    "CassetteFormatError",
    "ConfigurationError",
    "NetworkBlockedError",
    "RunreplayError",
    "SecretLeakError",
    "UnmatchedRequestError",
    "__version__",
]
