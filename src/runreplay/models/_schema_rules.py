"""Rules derived from a vendored JSON Schema: an endpoint's types, required keys, enums, bounds, patterns.

Nothing here knows an endpoint. `SchemaRules(schema, file=...)` compiles a draft 2020-12 document (with
its `$defs` and `$ref`s) once into nodes, registers one `SchemaRule` per constraint with a stable id
derived from where the constraint lives (`temperature.maximum`, `FunctionTool.name.required`,
`Tool.type.tag`), and `check(body)` lists every `Violation` with its rule id and JSON path.

How the schema is read:

* `anyOf: [X, {"type": "null"}]` is X with null allowed; any other `anyOf`/`oneOf` is a union. A
  value matches a union through the branch its JSON type (or its `type` tag) selects; when several
  fit, the first that passes wins, else the one with the fewest violations is reported. `oneOf` is
  read as `anyOf`: OpenAPI's `discriminator` picks one branch, and some spec branches overlap.
* Objects with `properties` are closed: `additionalProperties: false` is origin `schema`, an object
  that does not say is closed by the house rule "no coercion, no unknown keys" (origin `house`).
* Strict JSON types: `integer` is an int that is not a bool (1.0 is not an integer), `number` an int
  or float, `boolean` only True/False. `format` is an annotation and is not checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from runreplay._json_type import schema_type as json_type

__all__ = ["NULLABLE", "Node", "SchemaRule", "SchemaRules", "Violation", "describe", "json_type"]

Origin = Literal["schema", "house", "prose"]
NULLABLE = "\0null"
"""`Node.tag` of the node that wraps X of `anyOf: [X, {"type": "null"}]` (X is its one branch)."""
_TYPE_ORDER = ("object", "array", "string", "integer", "number", "boolean", "null")
_KEYWORDS = {
    "minimum": "minimum",
    "maximum": "maximum",
    "minLength": "min_length",
    "maxLength": "max_length",
    "minItems": "min_items",
    "maxItems": "max_items",
    "maxProperties": "max_properties",
}


@dataclass(frozen=True)
class SchemaRule:
    """One rule: its id, kind, limits, the schema location it comes from and whether the schema says it."""

    id: str
    kind: str
    description: str
    limits: Mapping[str, Any]
    origin: Origin
    source: str


@dataclass(frozen=True)
class Violation:
    """One broken rule at one place of a body: `path` is a JSON path such as `$.tools[0].name`."""

    rule: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: [{self.rule}] {self.message}"


def describe(value: Any, limit: int = 60) -> str:
    """A short readable rendering of a value for messages."""
    shown = repr(value)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _accepts(types: frozenset[str] | None, kind: str) -> bool:
    """Whether a value of JSON type `kind` fits `types` (an integer fits number)."""
    return types is None or kind in types or (kind == "integer" and "number" in types)


@dataclass(eq=False)
class Node:
    """One compiled schema location: its checks, its children, and the ids of the rules it enforces."""

    pointer: str
    name: str
    types: frozenset[str] | None = None
    type_order: tuple[str, ...] = ()
    """The JSON types as the schema lists them (`types` is for lookups)."""
    type_rule: str | None = None
    enum: tuple[Any, ...] | None = None
    enum_rule: str | None = None
    bounds: list[tuple[str, Any, str]] = field(default_factory=list)  # (kind, limit, rule id)
    pattern: re.Pattern[str] | None = None
    pattern_rule: str | None = None
    items: Node | None = None
    properties: dict[str, Node] = field(default_factory=dict)
    required: dict[str, str] = field(default_factory=dict)  # key -> rule id
    additional: Node | None = None
    closed_rule: str | None = None
    closed_by_schema: bool = False
    """`additionalProperties: false` (not the house rule that closes undocumented objects)."""
    key_node: Node | None = None
    all_of: list[Node] = field(default_factory=list)
    branches: list[Node] = field(default_factory=list)
    union_rule: str | None = None
    tag: str | None = None
    tags: dict[Any, list[Node]] = field(default_factory=dict)
    tag_rule: str | None = None
    target: Node | None = None  # for a $ref
    title: str | None = None

    def resolved(self) -> Node:
        """The node itself, or what its `$ref` chain points at."""
        node = self
        while node.target is not None:
            node = node.target
        return node

    def static_types(self, depth: int = 0) -> frozenset[str] | None:
        """The JSON types this node can accept (None: any), without looking at the value."""
        node = self.resolved()
        if node.types is not None:
            return node.types
        if node.enum is not None:
            return frozenset(json_type(v) for v in node.enum)
        if node.branches and depth < 20:
            found: set[str] = set()
            for branch in node.branches:
                types = branch.static_types(depth + 1)
                if types is None:
                    return None
                found |= types
            return frozenset(found)
        if node.all_of and depth < 20:
            for part in node.all_of:
                types = part.static_types(depth + 1)
                if types is not None:
                    return types
        if node.properties:
            return frozenset({"object"})
        return None

    def has_own_checks(self) -> bool:
        """A union node that also states its own type and properties (`type: object` next to `oneOf`)."""
        return self.tag != NULLABLE and bool(self.properties or self.types)

    def known_keys(self) -> set[str]:
        """Every property name the object may have: its own and those of its `allOf` parts."""
        keys = set(self.properties)
        for part in self.all_of:
            keys |= part.resolved().known_keys()
        return keys

    def tag_values(self, tag: str) -> tuple[Any, ...]:
        """The values the `tag` property may take in this (object) node, through `allOf` parts."""
        node = self.resolved()
        if node.branches and node.tag != NULLABLE:
            return tuple(dict.fromkeys(v for b in node.branches for v in b.tag_values(tag)))
        prop = node.properties.get(tag)
        if prop is not None:
            enum = prop.resolved().enum
            return enum if enum is not None else ()
        for part in node.all_of:
            found = part.tag_values(tag)
            if found:
                return found
        return ()


class _Found(list[Violation]):
    """The violations found so far, and whether house rules (closed objects) apply to this check."""

    def __init__(self, *, house: bool) -> None:
        super().__init__()
        self.house = house


class SchemaRules:
    """A compiled JSON Schema: its node tree, its rule registry (`rules`) and a checker (`check`)."""

    def __init__(self, schema: Mapping[str, Any], *, file: str, root_defs: tuple[str, ...] = ()) -> None:
        self.schema = schema
        self.file = file
        self.rules: dict[str, SchemaRule] = {}
        self._defs: Mapping[str, Any] = schema.get("$defs", {})
        self._by_pointer: dict[str, Node] = {}
        self._root_defs = set(root_defs)
        self.root = self._compile(schema, "#", "")
        live = _live_rules(self.root)
        self.shadowed: dict[str, SchemaRule] = {k: v for k, v in self.rules.items() if k not in live}
        """Constraints of the schema the checker can never report: a union reports them first (a
        branch's own type, its tag property's type, enum and required key). Kept for reference."""
        self.rules = {k: v for k, v in self.rules.items() if k in live}

    # -- compiling ------------------------------------------------------------------------------

    def _add(
        self, id: str, kind: str, description: str, pointer: str, origin: Origin = "schema", **limits: Any
    ) -> str:
        """Register a rule; the same id from two places with the same meaning is one rule."""
        entry = SchemaRule(id, kind, description, limits, origin, f"{self.file}{pointer}")
        known = self.rules.get(id)
        if known is None:
            self.rules[id] = entry
        elif (known.kind, known.limits) != (kind, limits):
            suffixed = f"{id}@{pointer.removeprefix('#/$defs/').split('/')[0]}"
            self.rules[suffixed] = SchemaRule(suffixed, kind, description, limits, origin, entry.source)
            return suffixed
        elif entry.source not in known.source:
            self.rules[id] = SchemaRule(
                id, kind, description, limits, origin, f"{known.source}; {entry.source}"
            )
        return id

    def _drop_type_rule(self, node: Node) -> None:
        """Forget an inline branch's own type rule: the union that dispatches to it checks types."""
        own = f"{self.file}{node.pointer}/type"
        if node.type_rule is not None and self.rules.get(node.type_rule, None) is not None:
            if self.rules[node.type_rule].source == own:
                del self.rules[node.type_rule]
            node.type_rule = None

    def _ref(self, ref: str) -> Node:
        """The node of a `#/$defs/<Name>` reference, compiled once."""
        if not ref.startswith("#/$defs/"):
            raise ValueError(f"unsupported $ref {ref!r}: expected '#/$defs/<Name>'")
        name = ref.removeprefix("#/$defs/")
        pointer = f"#/$defs/{name}"
        node = self._by_pointer.get(pointer)
        if node is None:
            node = self._compile(self._defs[name], pointer, "" if name in self._root_defs else name)
        return node

    def _compile(self, raw: Mapping[str, Any], pointer: str, name: str) -> Node:
        """One schema location as a node: its own rules registered, its children compiled."""
        if "$ref" in raw:
            node = Node(pointer, name)
            if pointer.startswith("#/$defs/") and pointer.count("/") == 2:
                self._by_pointer[pointer] = node
            node.target = self._ref(raw["$ref"])
            return node
        node = Node(pointer, name, title=raw.get("title"))
        if pointer.startswith("#/$defs/") and pointer.count("/") == 2:
            self._by_pointer[pointer] = node
        for key, options in [(key, raw[key]) for key in ("anyOf", "oneOf") if key in raw]:
            non_null = [o for o in options if o != {"type": "null"}]
            if len(non_null) == 1 and len(options) == 2 and not (set(raw) & {"type", "properties", "enum"}):
                # `X or null`: compile X in place with null added to its types.
                inner = self._compile(non_null[0], f"{pointer}/{key}/{options.index(non_null[0])}", name)
                wrapper = self._nullable(inner, pointer, name)
                if self._by_pointer.get(pointer) is node:  # later `$ref`s to this def get the wrapper too
                    self._by_pointer[pointer] = wrapper
                return wrapper
            self._union(node, key, options, pointer, name, raw.get("discriminator"))
        self._scalars(node, raw, pointer, name)
        self._object(node, raw, pointer, name)
        if "items" in raw:
            node.items = self._compile(raw["items"], f"{pointer}/items", f"{name}[]")
        for index, part in enumerate(raw.get("allOf", ())):
            node.all_of.append(self._compile(part, f"{pointer}/allOf/{index}", name))
        return node

    def _nullable(self, inner: Node, pointer: str, name: str) -> Node:
        """A node that accepts null, then checks anything else against `inner`."""
        node = Node(pointer, name)
        node.branches = [inner]
        self._drop_type_rule(inner)
        types = inner.static_types()
        where = _label(name)
        if types is not None:
            allowed = frozenset(types | {"null"})
            node.union_rule = self._add(
                _own(name, "type"),
                "json_type",
                f"{where} is {_words(allowed)}.",
                pointer,
                types=_sorted(allowed),
            )
        node.enum = None
        node.tag = NULLABLE  # marks the nullable wrapper
        return node

    def _union(
        self, node: Node, key: str, options: list[Any], pointer: str, name: str, discriminator: Any
    ) -> None:
        """An `anyOf`/`oneOf` node: its branches, the JSON types they take, and its tag if it has one."""
        labels = _branch_labels(options, key)
        node.branches = [
            self._compile(
                option,
                f"{pointer}/{key}/{index}",
                f"{name}~{labels[index]}" if "$ref" not in option else name,
            )
            for index, option in enumerate(options)
        ]
        for branch in node.branches:
            self._drop_type_rule(branch)
        types: set[str] = set()
        for branch in node.branches:
            branch_types = branch.static_types()
            if branch_types is None:
                return
            types |= branch_types
        allowed = frozenset(types)
        node.union_rule = self._add(
            _own(name, "type"),
            "json_type",
            f"{_label(name)} is {_words(allowed)}.",
            f"{pointer}/{key}",
            types=_sorted(allowed),
        )
        tag = discriminator.get("propertyName") if isinstance(discriminator, Mapping) else None
        objects = [b for b in node.branches if b.static_types() in (None, frozenset({"object"}))]
        if tag is None and objects and all(b.tag_values("type") for b in objects):
            tag = "type"
        if tag is not None and objects:
            for branch in objects:
                for value in branch.tag_values(tag):
                    node.tags.setdefault(value, []).append(branch)
            if node.tags:
                node.tag = tag
                node.tag_rule = self._add(
                    _own(name, f"{tag}.tag"),
                    "tag",
                    f"{_label(name)} has a `{tag}` naming one of its kinds.",
                    f"{pointer}/{key}",
                    values=tuple(node.tags),
                )

    def _scalars(self, node: Node, raw: Mapping[str, Any], pointer: str, name: str) -> None:
        """Type, enum, numeric and length bounds, and pattern rules of a node."""
        where = _label(name)
        if "type" in raw:
            declared = raw["type"]
            node.type_order = (declared,) if isinstance(declared, str) else tuple(declared)
            types = frozenset(node.type_order)
            node.types = types
            node.type_rule = self._add(
                _own(name, "type"),
                "json_type",
                f"{where} is {_words(types)}.",
                f"{pointer}/type",
                types=_sorted(types),
            )
        if "enum" in raw or "const" in raw:
            values = tuple(raw["enum"]) if "enum" in raw else (raw["const"],)
            node.enum = values
            node.enum_rule = self._add(
                _own(name, "enum"),
                "enum",
                f"{where} is one of {list(values)!r}.",
                f"{pointer}/enum",
                enum=values,
            )
        for keyword, kind in _KEYWORDS.items():
            if keyword in raw and keyword != "maxProperties":
                limit = raw[keyword]
                rule_id = self._add(
                    _own(name, kind),
                    kind,
                    f"{where}: {kind.replace('_', ' ')} {limit}.",
                    f"{pointer}/{keyword}",
                    limit=limit,
                )
                node.bounds.append((kind, limit, rule_id))
        if "pattern" in raw:
            node.pattern = re.compile(raw["pattern"])
            node.pattern_rule = self._add(
                _own(name, "pattern"),
                "pattern",
                f"{where} matches {raw['pattern']}.",
                f"{pointer}/pattern",
                pattern=raw["pattern"],
            )

    def _object(self, node: Node, raw: Mapping[str, Any], pointer: str, name: str) -> None:
        """Properties, required keys, additional properties, key names and closedness of an object node."""
        for key, sub in raw.get("properties", {}).items():
            node.properties[key] = self._compile(sub, f"{pointer}/properties/{key}", f"{_dot(name)}{key}")
        for key in raw.get("required", ()):
            node.required[key] = self._add(
                f"{_dot(name)}{key}.required",
                "required",
                f"`{key}` is given.",
                f"{pointer}/required",
                key=key,
            )
        extra = raw.get("additionalProperties")
        if isinstance(extra, Mapping) and extra:
            node.additional = self._compile(extra, f"{pointer}/additionalProperties", f"{_dot(name)}*")
        if "maxProperties" in raw:
            limit = raw["maxProperties"]
            node.bounds.append(
                (
                    "max_properties",
                    limit,
                    self._add(
                        _own(name, "max_properties"),
                        "max_properties",
                        f"at most {limit} keys.",
                        f"{pointer}/maxProperties",
                        limit=limit,
                    ),
                )
            )
        if "propertyNames" in raw:
            node.key_node = self._compile(
                raw["propertyNames"], f"{pointer}/propertyNames", f"{_dot(name)}<key>"
            )
        node.closed_by_schema = extra is False
        if extra is False or (extra is None and ("properties" in raw or "allOf" in raw)):
            origin: Origin = "schema" if extra is False else "house"
            node.closed_rule = self._add(
                _own(name, "closed"),
                "closed",
                f"{_label(name)} has no keys besides the documented ones.",
                f"{pointer}/additionalProperties" if extra is False else f"{pointer}/properties",
                origin=origin,
            )

    # -- checking -------------------------------------------------------------------------------

    def check(self, value: Any, *, house: bool = True) -> list[Violation]:
        """Every violation of the schema's rules in `value`, without repeats.

        `house=False` leaves objects the schema does not close open, as a plain JSON Schema validator does.
        """
        found = _Found(house=house)
        self._check(self.root, value, "$", found, part=False, typed=False)
        unique: dict[tuple[str, str], Violation] = {}
        for violation in found:
            unique.setdefault((violation.rule, violation.path), violation)
        return list(unique.values())

    def _check(self, node: Node, value: Any, path: str, out: _Found, *, part: bool, typed: bool) -> None:
        """Check `value` against `node`, appending violations (`part`: an allOf part, `typed`: type known)."""
        node = node.resolved()
        kind = json_type(value)
        if node.branches:
            self._check_union(node, value, kind, path, out)
            if not node.has_own_checks():
                return
        if node.types is not None and not typed and not _accepts(node.types, kind):
            out.append(
                _v(node.type_rule, path, f"expected {_words(node.types)}, got {kind} {describe(value)}")
            )
            return
        if node.enum is not None and not any(value == v and json_type(v) == kind for v in node.enum):
            out.append(
                _v(node.enum_rule, path, f"expected one of {list(node.enum)!r}, got {describe(value)}")
            )
        for bound, limit, rule_id in node.bounds:
            problem = _bound_problem(bound, limit, value, kind)
            if problem:
                out.append(Violation(rule_id, path, problem))
        if node.pattern is not None and kind == "string" and node.pattern.search(value) is None:
            out.append(
                _v(
                    node.pattern_rule,
                    path,
                    f"expected a match of {node.pattern.pattern}, got {describe(value)}",
                )
            )
        if kind == "array" and node.items is not None:
            for index, item in enumerate(value):
                self._check(node.items, item, f"{path}[{index}]", out, part=False, typed=False)
        if kind == "object":
            self._check_object(node, value, path, out, part=part)
        for sub in node.all_of:
            self._check(sub, value, path, out, part=True, typed=False)

    def _check_object(self, node: Node, value: dict[str, Any], path: str, out: _Found, *, part: bool) -> None:
        """Required keys, each member, and unknown keys of an object value."""
        for key, rule_id in node.required.items():
            if key not in value:
                out.append(
                    Violation(
                        rule_id,
                        f"{path}.{key}" if _plain(key) else f"{path}[{key!r}]",
                        f"`{key}` is required",
                    )
                )
        closed = node.closed_rule is not None and not part
        if closed and not out.house and self.rules[node.closed_rule or ""].origin == "house":
            closed = False
        known = node.known_keys() if closed else None
        for key, item in value.items():
            where = f"{path}.{key}" if _plain(key) else f"{path}[{key!r}]"
            if node.key_node is not None:
                self._check(node.key_node, key, f"{where}<key>", out, part=False, typed=False)
            sub = node.properties.get(key)
            if sub is not None:
                self._check(sub, item, where, out, part=False, typed=False)
            elif node.additional is not None:
                self._check(node.additional, item, where, out, part=False, typed=False)
            elif known is not None and key not in known:
                allowed = ", ".join(sorted(known))
                out.append(_v(node.closed_rule, where, f"unknown key {key!r}; the object takes: {allowed}"))

    def _check_union(self, node: Node, value: Any, kind: str, path: str, out: _Found) -> None:
        """Check a value against the union branch its type or tag selects (or the best fitting one)."""
        if node.tag == NULLABLE:
            if value is None:
                return
            inner = node.branches[0]
            types = inner.static_types()
            if types is not None and not _accepts(types, kind):
                out.append(
                    _v(
                        node.union_rule,
                        path,
                        f"expected {_words(types | {'null'})}, got {kind} {describe(value)}",
                    )
                )
                return
            self._check(inner, value, path, out, part=False, typed=types is not None)
            return
        fits = [b for b in node.branches if _accepts(b.static_types(), kind)]
        if not fits:
            types = node.static_types() or frozenset()
            out.append(_v(node.union_rule, path, f"expected {_words(types)}, got {kind} {describe(value)}"))
            return
        if kind == "object" and node.tag is not None:
            chosen = self._by_tag(node, value, fits, path, out)
            if chosen is None:
                return
            fits = chosen
        best: list[Violation] | None = None
        for branch in fits:
            trial = _Found(house=out.house)
            self._check(branch, value, path, trial, part=False, typed=len(fits) == 1)
            if not trial:
                return
            if best is None or len(trial) < len(best):
                best = trial
        out.extend(best or ())

    @staticmethod
    def _by_tag(
        node: Node, value: dict[str, Any], fits: list[Node], path: str, out: _Found
    ) -> list[Node] | None:
        """The branches an object's tag selects (or, without a tag, those that need none); None: reported."""
        assert node.tag is not None
        given = value.get(node.tag)
        tagged = node.tags.get(given) if _hashable(given) else None
        if tagged:
            return tagged
        untagged = [b for b in fits if node.tag not in _required_keys(b)]
        if node.tag in value or not untagged:
            shown = describe(given) if node.tag in value else "nothing"
            out.append(
                _v(node.tag_rule, f"{path}.{node.tag}", f"expected one of {list(node.tags)!r}, got {shown}")
            )
            return None
        return untagged

    # -- walking --------------------------------------------------------------------------------

    def nodes(self) -> Iterator[Node]:
        """Every compiled node reachable from the root, each once."""
        seen: set[int] = set()
        stack = [self.root]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            yield node
            stack.extend(children(node))


def _live_rules(root: Node) -> set[str]:
    """The ids of every rule `check` can report, found by walking the nodes as `_check` would."""
    live: set[str] = set()
    seen: set[tuple[int, bool, str | None]] = set()
    stack: list[tuple[Node, bool, str | None]] = [(root, False, None)]
    while stack:
        node, typed, guarded = stack.pop()
        if (id(node), typed, guarded) in seen:
            continue
        seen.add((id(node), typed, guarded))
        if node.target is not None:
            stack.append((node.target, typed, guarded))
            continue
        if node.branches:
            if not any(_empty(b.resolved()) for b in node.branches):  # else nothing in the union can fail
                live.update(r for r in (None if typed else node.union_rule, node.tag_rule) if r is not None)
                tag = node.tag if node.tag != NULLABLE else None
                stack.extend(
                    (b, b.static_types() is not None, tag if b.tag_values(tag or "") else None)
                    for b in node.branches
                )
            if not node.has_own_checks():
                continue
        own = [node.enum_rule, node.pattern_rule, node.closed_rule, *(r for _, _, r in node.bounds)]
        live.update(r for r in [*own, None if typed else node.type_rule] if r is not None)
        live.update(rule for key, rule in node.required.items() if key != guarded)
        stack.extend((child, False, None) for key, child in node.properties.items() if key != guarded)
        stack.extend((child, False, None) for child in (node.items, node.additional, node.key_node) if child)
        stack.extend((part, False, guarded) for part in node.all_of)
    return live


def _empty(node: Node) -> bool:
    """Whether a node takes any value (`{}`, or a keyword this reader ignores such as `$recursiveRef`)."""
    return not (node.types or node.enum or node.properties or node.branches or node.all_of or node.items)


def children(node: Node) -> list[Node]:
    """The nodes directly below `node`."""
    found = [*node.properties.values(), *node.all_of, *node.branches]
    found += [n for n in (node.items, node.additional, node.key_node, node.target) if n is not None]
    return found


def _required_keys(node: Node) -> set[str]:
    """The required keys of a node and of its allOf parts."""
    node = node.resolved()
    keys = set(node.required)
    for part in node.all_of:
        keys |= _required_keys(part)
    return keys


_SIZED = {"min_length": ("string", " characters"), "max_length": ("string", " characters")}
_SIZED |= {
    "min_items": ("array", " items"),
    "max_items": ("array", " items"),
    "max_properties": ("object", " keys"),
}


def _bound_problem(bound: str, limit: Any, value: Any, kind: str) -> str | None:
    """What is wrong with `value` for one bound, or None (bounds only apply to their JSON type)."""
    if bound in ("minimum", "maximum"):
        if kind not in ("integer", "number"):
            return None
        size, unit, shown = value, "", repr(value)
    else:
        wanted, unit = _SIZED[bound]
        if kind != wanted:
            return None
        size = len(value)
        shown = str(size)
    low = bound.startswith("min")
    if (low and size < limit) or (not low and size > limit):
        return f"expected {'at least' if low else 'at most'} {limit}{unit}, got {shown}"
    return None


def _v(rule_id: str | None, path: str, message: str) -> Violation:
    """A violation of a rule that must exist."""
    if rule_id is None:  # pragma: no cover - every check that can fail has a rule
        raise AssertionError(f"no rule for {message}")
    return Violation(rule_id, path, message)


def _plain(key: str) -> bool:
    return key.isidentifier()


def _hashable(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) or value is None


def _dot(name: str) -> str:
    return f"{name}." if name else ""


def _own(name: str, suffix: str) -> str:
    """The id of a rule about the node itself: `temperature.maximum`, or `request.closed` at the root."""
    return f"{name or 'request'}.{suffix}"


def _label(name: str) -> str:
    return f"`{name}`" if name else "The body"


def _sorted(types: frozenset[str] | set[str]) -> tuple[str, ...]:
    return tuple(t for t in _TYPE_ORDER if t in types)


def _words(types: frozenset[str] | set[str]) -> str:
    names = list(_sorted(types)) or ["anything"]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _branch_labels(options: list[Any], key: str) -> list[str]:
    """Readable names for inline union branches: their JSON type when that is unique, else `anyOf<i>`."""
    kinds = [o.get("type") if isinstance(o.get("type"), str) else None for o in options]
    return [
        kind if kind is not None and kinds.count(kind) == 1 else f"{key}{index}"
        for index, kind in enumerate(kinds)
    ]
