"""The command-line spelling of `runreplay.faults`: `NAME:KEY=VALUE,KEY=VALUE`, e.g. `drop_after:events=3`.

Each spec is built by the same factory a cassette marker uses (`drop_after`, `stall`, `error_event`,
`http_error`), so its arguments are checked the same way. Values are integers, decimals, `none`, or
text (`message`, `code` and `type` are always text; a message may contain commas not followed by
`key=`).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

from runreplay import faults
from runreplay.errors import ConfigurationError, docs_link
from runreplay.faults import Fault

__all__ = ["FAULT_SYNTAX", "parse_fault"]

FAULT_SYNTAX = (
    "NAME:KEY=VALUE,... with NAME one of drop_after, stall, error_event, http_error "
    "(e.g. drop_after:events=3, stall:before_chunk=2,seconds=1.5, http_error:status=429,times=2)"
)

_FACTORIES: dict[str, Callable[..., Fault]] = {
    "drop_after": faults.drop_after,
    "stall": faults.stall,
    "error_event": faults.error_event,
    "http_error": faults.http_error,
}
_TEXT_KEYS = frozenset({"message", "code", "type"})
_PAIR_SPLIT = re.compile(r",(?=\s*[a-z_]+\s*=)")
_INT = re.compile(r"[+-]?\d+")


def _value(key: str, text: str) -> Any:
    """The typed value of one `key=text` pair."""
    if text.lower() in ("none", "null"):
        return None
    if key in _TEXT_KEYS:
        return text
    if _INT.fullmatch(text):
        return int(text)
    try:
        return float(text)
    except ValueError:
        return text


def parse_fault(spec: str) -> Fault:
    """A fault from its command-line spec; ConfigurationError saying what is wrong and the syntax."""
    name, _, rest = spec.strip().partition(":")
    factory = _FACTORIES.get(name.strip())
    if factory is None:
        raise ConfigurationError(
            f"unknown fault {name.strip()!r} in --fault {spec!r}; expected {FAULT_SYNTAX}. "
            f"See {docs_link('faults')}"
        )
    arguments: dict[str, Any] = {}
    for pair in _PAIR_SPLIT.split(rest) if rest.strip() else []:
        key, equals, text = pair.partition("=")
        key = key.strip()
        if not equals or not key:
            raise ConfigurationError(f"--fault {spec!r}: {pair!r} is not KEY=VALUE; expected {FAULT_SYNTAX}.")
        arguments[key] = _value(key, text.strip())
    known = list(inspect.signature(factory).parameters)
    unknown = sorted(set(arguments) - set(known))
    if unknown:
        raise ConfigurationError(
            f"--fault {spec!r}: {name} has no argument {', '.join(unknown)}; its arguments are "
            f"{', '.join(known)}."
        )
    try:
        return factory(**arguments)
    except TypeError as exc:  # a required argument is missing
        raise ConfigurationError(f"--fault {spec!r}: {exc}; expected {FAULT_SYNTAX}.") from None
    except ConfigurationError as exc:
        raise ConfigurationError(f"--fault {spec!r}: {exc}") from None
