"""The JSON type name of a parsed value, worded as error messages say it (one helper for the package)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["json_type", "schema_type"]


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


_SCHEMA_TYPES: tuple[tuple[type, str], ...] = (
    (bool, "boolean"),
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (list, "array"),
    (dict, "object"),
)


def schema_type(value: Any) -> str:
    """The strict JSON Schema type of a parsed value: `integer` apart from `number`, bool is `boolean`.

    A value that is not JSON gives its Python type name (`bytes`), as schema error messages show it.
    """
    if value is None:
        return "null"
    for kind, name in _SCHEMA_TYPES:
        if isinstance(value, kind):
            return name
    return type(value).__name__
