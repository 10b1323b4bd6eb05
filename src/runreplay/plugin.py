"""The pytest surface of runreplay: options, ini keys, markers and fixtures. No logic lives here."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    """Declare runreplay's command-line options and ini keys."""
    group = parser.getgroup("runreplay", "runreplay: record and replay HTTP/SSE cassettes")
    group.addoption(
        "--record-mode",
        dest="runreplay_record_mode",
        choices=["none", "once", "new_episodes", "all", "rewrite"],
        default=None,
        help="none (default): replay only, network blocked; once: record missing cassettes; "
        "new_episodes: record unmatched requests; all: record everything; rewrite: delete, then record.",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker."""
    config.addinivalue_line(
        "markers",
        "cassette(name=None, **options): replay (or record) this test's HTTP exchanges "
        "from cassettes/<module>/<name>.yaml.",
    )
