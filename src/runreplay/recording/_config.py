"""Cassette options, their defaults, and the one precedence rule.

An option given on the command line > marker > `runreplay_config` fixture > ini > default (so CI's
`--record-mode=none` always holds).

`resolve()` is the only place options are merged and checked; every other module receives a frozen
`CassetteConfig` and never looks at pytest, markers or fixtures.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from runreplay.errors import ConfigurationError, docs_link
from runreplay.faults import DropAfter, ErrorEvent, Fault, HttpError, Stall

__all__ = ["DEFAULT_MATCH_ON", "RECORD_MODES", "CassetteConfig", "did_you_mean", "resolve"]

RECORD_MODES = ("none", "once", "new_episodes", "all", "rewrite")
"""Record modes, as in vcrpy and pytest-recording; `none` (replay only, network blocked) is the default."""

DEFAULT_MATCH_ON = ("method", "url", "body")
"""Request parts that select a recording: method, URL (scheme, host, port, path, query) and parsed body."""

MATCH_ON_NAMES = ("method", "scheme", "host", "port", "path", "query", "url", "body")
_VCRPY_MATCHERS = {"uri": "url", "raw_body": "body", "json_body": "body"}
"""vcrpy's matcher names that differ from runreplay's, for the did-you-mean of `match_on`."""


@dataclass(frozen=True, slots=True)
class CassetteConfig:
    """Every option of one cassette, already checked; see README "Configuration" for each one."""

    record_mode: str = "none"
    match_on: tuple[str, ...] = DEFAULT_MATCH_ON
    allow_playback_repeats: bool = False
    replay_speed: float = 0.0
    faults: tuple[Fault, ...] = ()
    ignore_hosts: tuple[str, ...] = ()
    filter_headers: tuple[str, ...] = ()
    filter_response_headers: tuple[str, ...] = ()
    filter_query_parameters: tuple[str, ...] = ()
    filter_json_fields: tuple[str, ...] = ()
    secret_patterns: tuple[str, ...] = ()
    env_secrets: tuple[str, ...] = ()
    decode_compressed: bool = True
    strict: bool = False
    allowed_hosts: tuple[str, ...] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def replays(self) -> bool:
        """Whether recorded interactions may be played back in this mode (`all` and `rewrite` never do)."""
        return self.record_mode in ("none", "once", "new_episodes")

    def records(self, *, cassette_exists: bool) -> bool:
        """Whether a request with no recording goes to the network and is recorded."""
        if self.record_mode == "once":
            return not cassette_exists
        return self.record_mode in ("new_episodes", "all", "rewrite")


_OPTION_NAMES = tuple(f.name for f in fields(CassetteConfig) if f.name != "extra")


def did_you_mean(given: object, known: Iterable[str]) -> str:
    """` Did you mean 'x'?` for the known name closest to `given`, or an empty string."""
    if not isinstance(given, str):
        return ""
    close = difflib.get_close_matches(given, list(known), n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""


def _unknown_option(key: str) -> ConfigurationError:
    """The error for an option name runreplay does not know, with the closest known names."""
    return ConfigurationError(
        f"unknown cassette option {key!r}.{did_you_mean(key, _OPTION_NAMES)} "
        f"Known options: {', '.join(_OPTION_NAMES)}. "
        f"See {docs_link('configuration')}"
    )


def _strings(key: str, value: object) -> tuple[str, ...]:
    """A tuple of strings from a string (comma-separated) or an iterable of strings."""
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, Iterable) and not isinstance(value, bytes | Mapping):
        items = tuple(value)
        if all(isinstance(item, str) for item in items):
            return items
    raise ConfigurationError(
        f"cassette option {key!r} must be a list of strings, got {value!r}. See {docs_link('configuration')}"
    )


def _bool(key: str, value: object) -> bool:
    """A real bool (no truthy strings: "false" would otherwise read as True)."""
    if isinstance(value, bool):
        return value
    raise ConfigurationError(f"cassette option {key!r} must be True or False, got {value!r}.")


def _check(key: str, value: object) -> object:
    """Check one option value and return it in its stored form."""
    if key == "record_mode":
        if value not in RECORD_MODES:
            raise ConfigurationError(
                f"record_mode must be one of {', '.join(RECORD_MODES)}; got {value!r}."
                f"{did_you_mean(value, RECORD_MODES)} "
                f"See {docs_link('record-mode')}"
            )
        return value
    if key == "match_on":
        names = _strings(key, value)
        bad = [name for name in names if name not in MATCH_ON_NAMES]
        if bad or not names:
            hint = did_you_mean(_VCRPY_MATCHERS.get(bad[0], bad[0]), MATCH_ON_NAMES) if bad else ""
            raise ConfigurationError(
                f"match_on must name request parts from {', '.join(MATCH_ON_NAMES)}; got {value!r}.{hint} "
                f"See {docs_link('match-on')}"
            )
        return names
    if key == "replay_speed":
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value < 0
        ):
            raise ConfigurationError(
                f"replay_speed must be a number >= 0 (0 = instant, 1 = recorded timing); got {value!r}. "
                f"See {docs_link('replay-speed')}"
            )
        return float(value)
    if key == "faults":
        if isinstance(value, DropAfter | Stall | ErrorEvent | HttpError):
            value = [value]
        if isinstance(value, Iterable) and not isinstance(value, str | bytes | Mapping):
            items = tuple(value)
            for item in items:
                if not isinstance(item, DropAfter | Stall | ErrorEvent | HttpError):
                    raise ConfigurationError(
                        f"faults must be a list of runreplay.faults specs (drop_after, stall, error_event, "
                        f"http_error); got {item!r}. See {docs_link('faults')}"
                    )
            return items
        raise ConfigurationError(f"faults must be a list of runreplay.faults specs; got {value!r}.")
    if key in ("allow_playback_repeats", "decode_compressed", "strict"):
        return _bool(key, value)
    return _strings(key, value)


def resolve(*layers: Mapping[str, Any] | None) -> CassetteConfig:
    """Merge option layers, lowest precedence first (ini, fixture, marker, command line), and check them.

    `None` values in a layer mean "not set here" so that, e.g., an unset CLI option does not hide
    the ini value below it. Unknown names raise ConfigurationError with the closest known name.
    Keys starting with `x_` are kept in `extra` for extensions and never checked.
    """
    merged: dict[str, object] = {}
    extra: dict[str, Any] = {}
    for layer in layers:
        if not layer:
            continue
        for key, value in layer.items():
            if value is None:
                continue
            if key.startswith("x_"):
                extra[key] = value
            elif key in _OPTION_NAMES:
                merged[key] = _check(key, value)
            else:
                raise _unknown_option(key)
    return replace(CassetteConfig(), **merged, extra=extra)  # type: ignore[arg-type]
