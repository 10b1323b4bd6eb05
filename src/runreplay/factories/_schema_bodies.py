"""Valid bodies for any endpoint declared as data: one random walk over its compiled schema.

`write_body(endpoint, src)` walks `endpoint.compiled` from the root and takes every decision from a
`Choices` (a seeded `random.Random` in `build_body`, hypothesis's draws in the strategies): which
optional keys to give, which union branch, which enum value, a number within the bounds, a list
within its sizes, a string within its lengths that the node's (simple) pattern accepts; a place with
an `Endpoint.examples` value gets that value. The result is checked with `endpoint.check`, which also
runs the prose rules; a body that breaks one is drawn again, a bounded number of times, before the
catalogs' smallest valid body is used instead.
"""

from __future__ import annotations

import random
import string
from collections.abc import Mapping
from typing import Any

from runreplay.factories._case import copy_json
from runreplay.factories._schema_cases import catalog, minimal_string
from runreplay.factories._source import Choices, RandomSource
from runreplay.models._endpoint import Endpoint
from runreplay.models._schema_rules import NULLABLE, Node

__all__ = ["build_body", "write_body"]

_ATTEMPTS = 20
"""Bodies drawn before falling back to the smallest valid body (prose rules can refuse a draw)."""
_DEPTH = 6
"""Below this depth objects get only their required keys and lists their fewest items."""
_WORDS = ("alpha", "bravo", "delta", "lisbon", "order", "report", "summary", "weather")


class _Writer:
    """One body: every method writes the value of one kind of node."""

    def __init__(self, src: Choices, examples: Mapping[str, Any]) -> None:
        self.src = src
        self.examples = examples

    def value(self, node: Node, depth: int) -> Any:
        if node.pointer in self.examples:
            return copy_json(self.examples[node.pointer])
        node = node.resolved()
        src = self.src
        if node.tag == NULLABLE:
            return None if src.chance(0.2) else self.value(node.branches[0], depth)
        if node.branches and not node.has_own_checks():
            return self.value(src.choice(node.branches), depth + 1)
        if node.enum is not None:
            return src.choice(node.enum)
        types = [kind for kind in node.type_order if kind != "null"] or [
            "object" if node.properties else "string"
        ]
        kind = src.choice(types)
        bounds = {bound: limit for bound, limit, _ in node.bounds}
        if kind == "object":
            return self.object(node, depth)
        if kind == "array":
            low = int(bounds.get("min_items", 0))
            high = min(int(bounds.get("max_items", low + 3)), low + (3 if depth < _DEPTH else 0))
            item = node.items
            return [self.value(item, depth + 1) if item else "x" for _ in range(src.integer(low, high))]
        if kind == "string":
            return self.string(node, bounds)
        if kind in ("integer", "number"):
            low, high = (
                bounds.get("minimum", 0),
                bounds.get("maximum", max(bounds.get("minimum", 0), 0) + 100),
            )
            return (
                src.integer(int(low), int(high)) if kind == "integer" else src.real(float(low), float(high))
            )
        return src.chance(0.5) if kind == "boolean" else None

    def object(self, node: Node, depth: int) -> dict[str, Any]:
        body: dict[str, Any] = {}
        for part in node.all_of:
            made = self.value(part, depth + 1)
            if isinstance(made, dict):
                body.update(made)
        for key, child in node.properties.items():
            if key in node.required or (depth < _DEPTH and self.src.chance(0.5)):
                body[key] = self.value(child, depth + 1)
        for key in node.required:
            body.setdefault(key, "x")
        return body

    def string(self, node: Node, bounds: dict[str, Any]) -> str:
        low = int(bounds.get("min_length", 1))
        high = min(int(bounds.get("max_length", low + 24)), low + 24)
        if node.pattern is not None:
            return minimal_string(node.pattern.pattern, low)
        words = " ".join(self.src.choice(_WORDS) for _ in range(4))
        text = words[: self.src.integer(low, max(low, min(high, len(words))))]
        return (
            text if len(text) >= low else text + self.src.choice(string.ascii_lowercase) * (low - len(text))
        )


def write_body(endpoint: Endpoint, src: Choices) -> Any:
    """A valid wire body of the endpoint, every decision taken from `src`."""
    writer = _Writer(src, endpoint.examples)
    for _ in range(_ATTEMPTS):
        body = writer.value(endpoint.compiled.root, 0)
        if not endpoint.check(body):
            return body
    return copy_json(catalog(endpoint).base)


def build_body(endpoint: Endpoint, *, seed: int) -> Any:
    """A valid wire body of the endpoint, the same for the same seed in any process and in any order."""
    return write_body(endpoint, RandomSource(random.Random(f"runreplay-endpoint:{endpoint.name}:{seed}")))
