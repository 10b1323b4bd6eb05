"""The exception hierarchy: one base, `RunreplayError`, and one subclass per kind of failure.

    RunreplayError
    ├── ConfigurationError     (also a ValueError)   bad option, marker argument, fixture value or argument
    │   └── ListenError        (also an OSError)     an embedded server's port that cannot be listened on
    ├── CassetteFormatError                          a cassette file that cannot be loaded
    ├── UnmatchedRequestError                        no recording matches, in a mode that may not record
    ├── NetworkBlockedError                          a connection or DNS lookup while the network is blocked
    ├── SecretLeakError                              a cassette that would carry a secret to disk
    ├── RuleLookupError        (also a LookupError)  a validation error that no rule of the registry explains
    │   └── UnknownRuleError   (also a KeyError)     a rule id the registry does not have
    └── ServerStateError       (also a RuntimeError) an embedded server used out of order

Elsewhere: `runreplay.models.EventDataError` (stream event data), `runreplay.strategies`'s
`InvalidStrategyArgument` (also hypothesis's `InvalidArgument`), the CLI's `CommandError` and the fake
server's API errors; all derive from `RunreplayError` (a test walks the package to check).

Each subclass that also derives from a built-in keeps code that caught the built-in working. Only
`ListenError`, raised when a server starts and never inside a client, derives from `OSError`: the
others must not, nor from an HTTP client's error type, since clients such as the `openai` SDK retry on
those and wrap them as "Connection error.", which would hide the reason.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "DOCS_URL",
    "CassetteFormatError",
    "ConfigurationError",
    "ListenError",
    "NetworkBlockedError",
    "RuleLookupError",
    "RunreplayError",
    "SecretLeakError",
    "ServerStateError",
    "UnknownRuleError",
    "UnmatchedRequestError",
    "docs_link",
]

DOCS_URL = "https://pypi.org/project/pytest-runreplay/"


def docs_link(anchor: str) -> str:
    """The README section that explains `anchor`, for the last line of an error message."""
    return f"{DOCS_URL}#{anchor}"


class RunreplayError(Exception):
    """Base class of every error runreplay raises on purpose."""


class ConfigurationError(RunreplayError, ValueError):
    """An option, marker argument, fixture value, factory argument or value to encode that cannot be used."""


class ListenError(ConfigurationError, OSError):
    """A port an embedded server cannot listen on (in use, or not allowed); `errno` is the socket's."""


class CassetteFormatError(RunreplayError):
    """A cassette file that is missing pieces, has an unknown version, or is not valid YAML.

    The message names the file, the line (when known), what was found and what was expected.
    """

    def __init__(
        self,
        path: str | Path,
        problem: str,
        *,
        line: int | None = None,
        expected: str | None = None,
    ) -> None:
        self.path = str(path)
        self.line = line
        self.problem = problem
        self.expected = expected
        where = self.path if line is None else f"{self.path}, line {line}"
        message = f"cannot load cassette {where}: {problem}"
        if expected:
            message += f"; expected {expected}"
        message += (
            ". Fix or delete the file and record it again (--record-mode=rewrite); "
            "nothing was loaded from it."
        )
        super().__init__(message)


class UnmatchedRequestError(RunreplayError):
    """A request that no recorded interaction matches, in a record mode that may not record it."""


class NetworkBlockedError(RunreplayError):
    """A connection or DNS lookup while the network is blocked (replay, or --runreplay-block-network).

    `allowed` is the allow-list in force (in --allowed-hosts syntax), so the suggested fix keeps it;
    `suite_wide` says the block comes from --runreplay-block-network rather than the test's cassette.
    """

    def __init__(
        self,
        host: str,
        port: int | None = None,
        *,
        test: str | None = None,
        allowed: str = "localhost,127.0.0.0/8,::1/128",
        suite_wide: bool = False,
    ) -> None:
        self.host = host
        self.port = port
        self.test = test
        self.allowed = allowed
        self.suite_wide = suite_wide
        target = host if port is None else f"{host}:{port}"
        who = f" in {test}" if test else ""
        now = allowed or "nothing"
        widened = f"{allowed},{host}" if allowed else host
        if suite_wide:
            why = "--runreplay-block-network blocks the network for the whole run"
            fix = (
                "If it calls an HTTP API, add @pytest.mark.cassette to record and replay it; if it needs "
                "the network, add @pytest.mark.allow_network; or allow the host with "
                f"--runreplay-allowed-hosts={widened}."
            )
        else:
            why = "record mode is 'none' (replay only)"
            fix = "Record the exchange with --record-mode=once, or allow the host with "
            fix += "--runreplay-allowed-hosts="
            fix += f"{widened}."
        super().__init__(
            f"network access to {target!r} blocked{who}: {why} and {host!r} is not in "
            f"--runreplay-allowed-hosts "
            f"(now: {now}). {fix} See {docs_link('allowed-hosts')}"
        )


class SecretLeakError(RunreplayError):
    """A cassette that still holds a secret after redaction; it is not written."""


class RuleLookupError(RunreplayError, LookupError):
    """A request-model validation error that no rule of `runreplay.models.RULES` explains."""


class UnknownRuleError(RuleLookupError, KeyError):
    """A rule id that `runreplay.models.RULES` does not have; the message lists close ids."""


class ServerStateError(RunreplayError, RuntimeError):
    """An embedded server used out of order: asked for its port before start, or started twice."""
