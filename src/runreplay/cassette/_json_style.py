"""JSON bodies in a cassette: which `json.dumps` style gives back the recorded bytes, and the pretty form."""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["NOT_LITERAL", "Style", "detect_json", "json_dumps", "pretty_json"]

Style = tuple[str, int | None, bool, bool]
"""(separators `compact` or `spaced`, indent, ensure_ascii, trailing newline)."""

# Characters a YAML literal block holds verbatim in both LibYAML and PyYAML (besides the line feed):
# printable ASCII and non-ASCII printables other than the Unicode line/paragraph separators and the BOM.
NOT_LITERAL = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
# What pretty JSON must escape so that it stays a literal block: the same set, as \\uXXXX escapes
# (such characters can only occur inside JSON strings, where the escape means the same character).
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]")


def json_dumps(value: Any, style: Style) -> str:
    """`value` serialized in `style` = (separators, indent, ensure_ascii, trailing newline)."""
    separators, indent, ascii_only, newline = style
    if indent is not None:
        text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    elif separators == "compact":
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=ascii_only)
    else:
        text = json.dumps(value, ensure_ascii=ascii_only)
    return text + "\n" if newline else text


def _style_name(style: Style) -> str:
    """The name a cassette stores for `style` (`compact`, `spaced` or `indent=N`, then `ascii`, `newline`)."""
    separators, indent, ascii_only, newline = style
    words = [f"indent={indent}" if indent is not None else separators]
    if ascii_only:
        words.append("ascii")
    if newline:
        words.append("newline")
    return " ".join(words)


def detect_json(raw: bytes, *, any_value: bool) -> tuple[Any, str] | None:
    """(value, style name) when `raw` is JSON that re-serializes to exactly `raw`, else None."""
    if not raw or (not any_value and raw[:1] not in b"{["):
        return None
    try:
        text = raw.decode("utf-8")
        newline = text.endswith("\n")
        body = text[:-1] if newline else text
        value = json.loads(body)
    except ValueError:  # also UnicodeDecodeError and JSONDecodeError
        return None
    if "\n" in body:
        if not NOT_LITERAL.search(body):
            return None  # already pretty and shown verbatim as text; no need to rebuild it on load
        second = body.split("\n", 2)[1]
        layouts: list[tuple[str, int | None]] = [("spaced", len(second) - len(second.lstrip(" ")))]
    elif ", " in body or ": " in body:
        layouts = [("spaced", None), ("compact", None)]
    else:
        layouts = [("compact", None), ("spaced", None)]
    for separators, indent in layouts:
        for ascii_only in (False, True) if body.isascii() else (False,):
            style = (separators, indent, ascii_only, newline)
            if json_dumps(value, style) == text:
                return value, _style_name(style)
    return None


def pretty_json(value: Any) -> str:
    """`value` as indented JSON that a YAML literal block can hold verbatim."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
