"""Edge and invalid cases for any endpoint compiled by `SchemaRules`: one rule, one place, one value.

For each rule the catalog finds the schema node that owns it, the shortest way from the body's root
to that node (properties, array items, union branches, `allOf` parts), and builds the smallest body
that reaches it: every object on the way holds only its required keys, each with its smallest valid
value. Then the rule's value goes in: at its limit for an edge case, just past it for an invalid one.
Every case is checked with the endpoint's own `check` before it is kept: an edge case must pass, and
an invalid case must break exactly its rule at exactly its path. Rules no such body can isolate are
reported by `SchemaCatalog.uncovered`, never silently dropped.
"""

from __future__ import annotations

import functools
import math
import re
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from runreplay.errors import ConfigurationError
from runreplay.factories._case import Case, copy_json
from runreplay.models._endpoint import Endpoint
from runreplay.models._schema_rules import Node, SchemaRules, Violation, json_type

__all__ = ["HugeText", "SchemaCatalog", "catalog", "minimal_string"]

Keys = tuple[int | str, ...]
Edge = tuple[str, Any, Node]  # (kind, label, child): prop/items/add/branch/part/ref
Check = Callable[[Any], list[Violation]]
_WRONG_VALUES: tuple[Any, ...] = ("not-a-valid-value", 7, 1.5, True, None, [], {})
_UNKNOWN_KEY = "unexpected_key"


_HUGE = 100_000


class HugeText(str):
    """A short string that reports `length` as its size, for length limits too large to build (73 MB).

    Like `HugeList`: validators that count see the length; `json.dumps` writes only the real text, so
    do not send such a body anywhere.
    """

    length: int

    def __new__(cls, text: str, length: int) -> HugeText:
        made = super().__new__(cls, text)
        made.length = length
        return made

    def __len__(self) -> int:
        return self.length

    def __reduce__(self) -> tuple[Any, ...]:
        return (HugeText, (str(self), self.length))

    def __repr__(self) -> str:
        return f"HugeText({str.__repr__(self)}, length={self.length})"


def _text(pattern: str | None, length: int) -> str:
    """`length` characters a simple pattern accepts (a `HugeText` beyond 100,000 characters)."""
    if length > _HUGE:
        return HugeText(minimal_string(pattern, 8)[:8], length)
    return minimal_string(pattern, length)[: max(length, 0)]


def minimal_string(pattern: str | None, length: int = 1) -> str:
    """The shortest string of at least `length` characters that a simple anchored pattern accepts."""
    if pattern is None:
        return "x" * max(length, 1)
    out: list[str] = []
    for literal, chars, quantifier in re.findall(
        r"([^\[\]^$\\{}+*?])|\[([^\]]+)\]([+*?]|\{\d+(?:,\d*)?\})?", pattern
    ):
        if literal:
            out.append(literal)
            continue
        first = chars[0] if chars[0] != "^" else "x"
        count = 1
        if quantifier.startswith("{"):
            count = int(quantifier[1:-1].split(",")[0])
        elif quantifier in ("*", "?"):
            count = 0
        out.append(first * count)
    text = "".join(out)
    return text + (text[-1:] or "x") * max(0, length - len(text))


def _edges(node: Node) -> Iterator[Edge]:
    """The edges from a node to its children: (kind, key or index, child)."""
    if node.target is not None:
        yield ("ref", None, node.target)
    for key, child in node.properties.items():
        yield ("prop", key, child)
    if node.items is not None:
        yield ("items", 0, node.items)
    if node.additional is not None:
        yield ("add", "extra_key", node.additional)
    for index, child in enumerate(node.all_of):
        yield ("part", index, child)
    for index, child in enumerate(node.branches):
        yield ("branch", index, child)


@dataclass
class _Target:
    """One rule to build cases for: its id, what kind of check it is, its node and its limit or key."""

    rule: str
    kind: str
    node: Node
    detail: Any = None


class SchemaCatalog:
    """The edge and invalid catalogs of one endpoint, built from its compiled rules and its full check."""

    def __init__(
        self,
        rules: SchemaRules,
        check: Check,
        *,
        prefix: str,
        base: Mapping[str, Any],
        examples: Mapping[str, Any] | None = None,
        build: bool = True,
    ) -> None:
        self.rules = rules
        self.check = check
        self.prefix = prefix
        self.base = dict(base)
        self.examples = dict(examples or {})
        self.routes = self._routes()
        self.edge: list[Case] = []
        self.invalid: list[Case] = []
        self.uncovered: list[str] = []
        if build:
            self._build()

    # -- the way to every node ------------------------------------------------------------------

    def _routes(self) -> dict[int, list[Edge]]:
        """The shortest way (edges) from the root to every node, breadth first."""
        routes: dict[int, list[Edge]] = {id(self.rules.root): []}
        queue = deque([self.rules.root])
        while queue:
            node = queue.popleft()
            for edge in _edges(node):
                child = edge[2]
                if id(child) not in routes:
                    routes[id(child)] = [*routes[id(node)], edge]
                    queue.append(child)
        return routes

    def minimal(self, node: Node, depth: int = 0) -> Any:
        """The smallest valid value of a node: required keys only, first enum value, shortest string."""
        if node.pointer in self.examples:
            return copy_json(self.examples[node.pointer])
        if depth > 25:
            raise RecursionError(f"no finite example for {node.pointer}")
        if node.target is not None:
            return self.minimal(node.target, depth + 1)
        if node.branches:
            return self.minimal(node.branches[0], depth + 1)
        if node.enum is not None:
            return node.enum[0]
        types = node.static_types() or frozenset({"object"} if node.all_of else {"string"})
        kind = next(
            t for t in ("object", "array", "string", "integer", "number", "boolean", "null") if t in types
        )
        bounds = {bound: limit for bound, limit, _ in node.bounds}
        if kind == "object":
            value: dict[str, Any] = {}
            for part in node.all_of:
                part_value = self.minimal(part, depth + 1)
                if isinstance(part_value, dict):
                    value.update(part_value)
            for key in node.required:
                if key in node.properties:
                    value[key] = self.minimal(node.properties[key], depth + 1)
                elif node.additional is not None:
                    value[key] = self.minimal(node.additional, depth + 1)
                else:
                    value[key] = "x"
            return value
        if kind == "array":
            count = int(bounds.get("min_items", 0))
            return [self.minimal(node.items, depth + 1) if node.items else "x" for _ in range(count)]
        if kind == "string":
            return minimal_string(
                node.pattern.pattern if node.pattern else None, int(bounds.get("min_length", 1))
            )
        if kind in ("integer", "number"):
            low, high = bounds.get("minimum"), bounds.get("maximum")
            start = low if low is not None else (0 if high is None or high >= 0 else high)
            return int(start) if kind == "integer" and float(start).is_integer() else start
        return False if kind == "boolean" else None

    def reach(self, node: Node) -> tuple[Any, Keys]:
        """The smallest valid body holding `node`, and the keys from the root to it."""
        route = self.routes[id(node)]
        value, keys = self._build_along(self.rules.root, route)
        if isinstance(value, dict):
            value = {**copy_json(self.base), **value}
        return value, keys

    def _build_along(self, node: Node, route: list[Edge]) -> tuple[Any, Keys]:
        """The smallest value of `node` that follows `route`, and the keys it took."""
        if not route:
            return self.minimal(node), ()
        (kind, label, child), rest = route[0], route[1:]
        inner, keys = self._build_along(child, rest)
        if kind in ("ref", "branch"):
            return inner, keys
        if kind == "part":
            base = self.minimal(node)
            return ({**base, **inner} if isinstance(base, dict) and isinstance(inner, dict) else inner), keys
        if kind == "items":
            count = max(1, next((int(limit) for b, limit, _ in node.bounds if b == "min_items"), 1))
            return [inner] + [copy_json(inner) for _ in range(count - 1)], (0, *keys)
        base = self.minimal(node)
        base[label] = inner
        return base, (label, *keys)

    # -- the catalogs ---------------------------------------------------------------------------

    def _targets(self) -> Iterator[_Target]:
        """Every rule of every reachable node, with what is needed to break it."""
        for node in self.rules.nodes():
            if id(node) not in self.routes:
                continue
            for rule_id in (node.type_rule, node.union_rule):
                if rule_id is not None:
                    yield _Target(rule_id, "json_type", node)
            if node.enum_rule is not None:
                yield _Target(node.enum_rule, "enum", node)
            if node.tag_rule is not None:
                yield _Target(node.tag_rule, "tag", node)
            for bound, limit, rule_id in node.bounds:
                yield _Target(rule_id, bound, node, limit)
            if node.pattern_rule is not None:
                yield _Target(node.pattern_rule, "pattern", node)
            for key, rule_id in node.required.items():
                yield _Target(rule_id, "required", node, key)
            if node.closed_rule is not None:
                yield _Target(node.closed_rule, "closed", node)
            for bound, limit, rule_id in node.key_node.bounds if node.key_node is not None else ():
                if bound == "max_length":
                    yield _Target(rule_id, "key_max_length", node, limit)

    def _build(self) -> None:
        """Fill the edge and invalid catalogs: the first value that isolates each rule wins."""
        done_invalid: set[str] = set()
        done_edge: set[str] = set()
        for target in self._targets():
            if target.rule in done_invalid:
                continue
            try:
                body, keys = self.reach(target.node)
            except (RecursionError, KeyError, TypeError):
                continue
            if self.check(body):
                continue
            for variant, broken, path in _safely(self._breakers(target, body, keys)):
                if self._only(broken, target.rule, path):
                    self.invalid.append(
                        Case(f"{self.prefix}{target.rule}.{variant}", broken, target.rule, False, path)
                    )
                    done_invalid.add(target.rule)
                    break
            if target.rule in done_edge:
                continue
            for variant, edge, path in _safely(self._edges_of(target, body, keys)):
                case_id = f"{self.prefix}{target.rule}.{variant}"
                if not self.check(edge) and case_id not in done_edge:
                    self.edge.append(Case(case_id, edge, target.rule, True, path))
                    done_edge.add(case_id)
            done_edge.add(target.rule)
        self.uncovered = sorted(set(self.rules.rules) - done_invalid)

    def _only(self, body: Any, rule: str, path: str) -> bool:
        """True when `body` breaks only `rule` at `path` (a schema rule: also without the house rules)."""
        found = self.check(body)
        if not (len(found) == 1 and found[0].rule == rule and found[0].path == path):
            return False
        entry = self.rules.rules.get(rule)
        if entry is None or entry.origin != "schema":
            return True
        return any(v.rule == rule for v in self.rules.check(body, house=False))

    def _breakers(self, target: _Target, body: Any, keys: Keys) -> Iterator[tuple[str, Any, str]]:
        """(variant, body, path) candidates that break the target's rule just past its limit."""
        node, kind, limit = target.node, target.kind, target.detail
        path = _path(keys)
        if kind == "json_type":
            for wrong in _WRONG_VALUES:
                yield f"wrong_type_{json_type(wrong)}", _put(body, keys, wrong), path
        elif kind == "enum":
            yield "not_in_enum", _put(body, keys, "not-a-valid-value"), path
            yield "not_in_enum_number", _put(body, keys, 987654), path
        elif kind == "tag":
            tag = node.tag or "type"
            example = self.minimal(next(iter(node.tags.values()))[0])
            tagged = _put(body, keys, example)
            yield "unknown_kind", _put(tagged, (*keys, tag), "unknown_kind"), _path((*keys, tag))
            yield "kind_missing", _drop(tagged, (*keys, tag)), _path((*keys, tag))
        elif kind == "required":
            yield "missing", _drop(body, (*keys, limit)), _path((*keys, limit))
        elif kind == "closed":
            yield "unknown_key", _put(body, (*keys, _UNKNOWN_KEY), 1), _path((*keys, _UNKNOWN_KEY))
        elif kind in ("minimum", "maximum"):
            integer = node.types is not None and "number" not in node.types
            step = 1 if integer else None
            below = limit - 1 if step else math.nextafter(limit, -math.inf)
            above = limit + 1 if step else math.nextafter(limit, math.inf)
            yield (
                ("just_below_min", _put(body, keys, below), path)
                if kind == "minimum"
                else (
                    "just_above_max",
                    _put(body, keys, above),
                    path,
                )
            )
        elif kind in ("min_length", "max_length"):
            size = limit - 1 if kind == "min_length" else limit + 1
            if size >= 0:
                yield f"length_{size}", _put(body, keys, _text(_pattern(node), size)), path
        elif kind in ("min_items", "max_items"):
            size = limit - 1 if kind == "min_items" else limit + 1
            item = self.minimal(node.items) if node.items is not None else "x"
            if size >= 0:
                yield f"items_{size}", _put(body, keys, [copy_json(item) for _ in range(size)]), path
        elif kind == "max_properties":
            yield f"keys_{limit + 1}", _put(body, keys, {f"k{i}": "v" for i in range(limit + 1)}), path
        elif kind == "pattern":
            yield "mismatch", _put(body, keys, "not valid!"), path
        elif kind == "key_max_length":
            key = "k" * (limit + 1)
            yield f"key_length_{limit + 1}", _put(body, keys, {key: "v"}), f"{path}.{key}<key>"

    def _edges_of(self, target: _Target, body: Any, keys: Keys) -> Iterator[tuple[str, Any, str]]:
        """(variant, body, path) candidates at the target's limits, enum values, kinds and null."""
        node, kind, limit = target.node, target.kind, target.detail
        path = _path(keys)
        if kind == "enum" and node.enum is not None:
            for value in node.enum:
                yield f"value_{_slug(value)}", _put(body, keys, value), path
        elif kind == "json_type" and node.union_rule is not None and node.tag == "\0null":
            yield "null", _put(body, keys, None), path
        elif kind == "tag":
            for value in node.tags:
                branch = node.tags[value][0]
                try:
                    example = self.minimal(branch)
                except (RecursionError, KeyError, TypeError):
                    continue
                if isinstance(example, dict):
                    yield (
                        f"kind_{_slug(value)}",
                        _put(body, keys, {**example, node.tag or "type": value}),
                        path,
                    )
        elif kind in ("minimum", "maximum"):
            yield ("at_min" if kind == "minimum" else "at_max"), _put(body, keys, limit), path
        elif kind in ("min_length", "max_length"):
            yield f"length_{limit}_ok", _put(body, keys, _text(_pattern(node), limit)), path
        elif kind in ("min_items", "max_items"):
            item = self.minimal(node.items) if node.items is not None else "x"
            yield f"items_{limit}_ok", _put(body, keys, [copy_json(item) for _ in range(limit)]), path
        elif kind == "max_properties":
            yield f"keys_{limit}_ok", _put(body, keys, {f"k{i}": "v" for i in range(limit)}), path
        elif kind == "key_max_length":
            yield f"key_length_{limit}_ok", _put(body, keys, {"k" * limit: "v"}), path


def _safely(cases: Iterator[tuple[str, Any, str]]) -> Iterator[tuple[str, Any, str]]:
    """The cases a generator yields until one cannot be placed (a value of another shape on the way)."""
    try:
        yield from cases
    except (TypeError, KeyError, IndexError, RecursionError):
        return


def _pattern(node: Node) -> str | None:
    return node.pattern.pattern if node.pattern is not None else None


def _slug(value: Any) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(value)) or "empty"


def _path(keys: Keys) -> str:
    out = "$"
    for key in keys:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if key.isidentifier() else f"[{key!r}]")
    return out


def _put(body: Any, keys: Keys, value: Any) -> Any:
    """A copy of `body` with `value` at `keys` (the root itself for no keys)."""
    if not keys:
        return value
    copied = copy_json(body)
    holder = copied
    for key in keys[:-1]:
        holder = holder[key]
    holder[keys[-1]] = value
    return copied


def _drop(body: Any, keys: Keys) -> Any:
    """A copy of `body` without the key at `keys`."""
    copied = copy_json(body)
    holder = copied
    for key in keys[:-1]:
        holder = holder[key]
    if isinstance(holder, dict):
        holder.pop(keys[-1], None)
    return copied


@functools.cache
def catalog(endpoint: Endpoint) -> SchemaCatalog:
    """The schema rules' edge and invalid cases of an endpoint, built once per process.

    Raises ConfigurationError when the smallest body the catalog would start from is not valid (a
    prose rule the schema does not know, say): the endpoint then needs a `base` or `examples`.
    """
    compiled = endpoint.compiled
    cases = SchemaCatalog(
        compiled,
        endpoint.check,
        prefix=endpoint.case_prefix,
        base=endpoint.base,
        examples=endpoint.examples,
        build=False,
    )
    start, _ = cases.reach(compiled.root)
    broken = endpoint.check(start)
    if broken:
        raise ConfigurationError(
            f"the catalogs of {endpoint.name} would start from {start!r}, which breaks "
            f"{'; '.join(str(v) for v in broken)}; give its Endpoint a valid base= (a whole small body) "
            "or examples= (a valid value by schema pointer) for that place"
        )
    cases.base = start if isinstance(start, dict) else cases.base
    cases._build()
    return cases
