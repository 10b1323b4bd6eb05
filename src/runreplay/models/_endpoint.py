"""An endpoint as data: its vendored request JSON Schema and the rules only its prose states.

Everything else is generic: `Endpoint.compiled` is the one schema compiler's output (`SchemaRules`:
types, required keys, enums, bounds, patterns, closed objects), `Endpoint.rules` the registry (schema
rules, then prose rules) and `Endpoint.check(body)` every broken rule. The factories build the edge and
invalid catalogs from an `Endpoint` (`runreplay.factories._schema_cases.catalog`), an `EndpointKit`
(`runreplay.factories._kit`) gives it the generic factories and a `Drawing`
(`runreplay._strategies_endpoint`) the generic strategies. Adding an endpoint: vendor its schema,
write its prose rules, declare `Endpoint(...)` and its kit.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from runreplay.models._schema_rules import SchemaRule, SchemaRules, Violation

__all__ = ["Endpoint", "ProseRule", "prose_rule", "vendored_schema"]


@dataclass(frozen=True)
class ProseRule(SchemaRule):
    """A rule the spec states in words: a `SchemaRule` with origin `prose` and a check of its own."""

    check: Callable[[Any], Iterator[Violation]] = lambda body: iter(())


def prose_rule(
    id: str,
    kind: str,
    description: str,
    *,
    file: str,
    pointer: str,
    quote: str,
    check: Callable[[Any], Iterator[Violation]],
    **limits: Any,
) -> ProseRule:
    """A prose rule whose source is the schema location of the words and the words themselves, quoted."""
    return ProseRule(id, kind, description, limits, "prose", f'{file}{pointer}: "{quote}"', check)


def vendored_schema(file: str, *, folder: str = "_schemas") -> Mapping[str, Any]:
    """A JSON Schema vendored in the package (`runreplay/models/<folder>/<file>`)."""
    text = resources.files("runreplay.models").joinpath(folder, file).read_text("utf-8")
    loaded: Mapping[str, Any] = json.loads(text)
    return loaded


@dataclass(frozen=True, eq=False)
class Endpoint:
    """One endpoint: its name, request schema (and the file sources cite), prose rules and catalog data."""

    name: str
    """How messages name it: `POST /v1/responses`."""
    schema: Mapping[str, Any]
    schema_file: str
    prose: tuple[ProseRule, ...] = ()
    root_defs: tuple[str, ...] = ()
    """`$defs` whose properties sit at the body's top level: their rule ids start without the def name."""
    case_prefix: str = ""
    """Put before every catalog case id, so the catalogs of two endpoints never share an id."""
    base: Mapping[str, Any] = field(default_factory=dict)
    """A small valid body the catalogs build on (empty: the schema's smallest valid body)."""
    examples: Mapping[str, Any] = field(default_factory=dict)
    """Valid values by schema pointer, for places whose smallest value the schema alone cannot give."""
    rules_name: str = ""
    """Where users find the rule ids, for error messages (empty: "the rules of <name>")."""

    @functools.cached_property
    def compiled(self) -> SchemaRules:
        """The schema compiled into nodes and schema rules, once per endpoint."""
        return SchemaRules(self.schema, file=self.schema_file, root_defs=self.root_defs)

    @functools.cached_property
    def rules(self) -> Mapping[str, SchemaRule]:
        """Every rule by id: the schema's, then the prose rules."""
        table: dict[str, SchemaRule] = dict(self.compiled.rules)
        for entry in self.prose:
            table[entry.id] = entry
        return table

    def check(self, body: Any) -> list[Violation]:
        """Every broken rule in a wire body (schema rules first, then prose rules); [] when it is valid."""
        return self.compiled.check(body) + [v for entry in self.prose for v in entry.check(body)]

    def __repr__(self) -> str:
        return f"Endpoint({self.name!r}, {self.schema_file!r}, {len(self.prose)} prose rules)"
