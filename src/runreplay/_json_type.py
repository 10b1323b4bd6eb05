"""The JSON type name of a parsed value, worded as error messages say it (one helper for the package)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["json_type"]


def json_type(value: Any, *, article: bool = True) -> str:
    """`"a string"`, `"an array"`, `"null"`, ... (no article: `"string"`); a non-JSON value `"a Python X"`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        name = "boolean"
    elif isinstance(value, int | float):
        name = "number"
    elif isinstance(value, str):
        name = "string"
    elif isinstance(value, list | tuple):
        name = "array"
    elif isinstance(value, Mapping):
        name = "object"
    else:
        name = f"Python {type(value).__name__}"
    if not article:
        return name
    return ("an " if name[0] in "aeiou" else "a ") + name
