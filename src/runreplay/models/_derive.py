"""Rules named by JSON path: the compiled schema's types, required keys, enums, bounds and closed objects.

There is one schema compiler, `runreplay.models._schema_rules.SchemaRules`; it names each rule by
where the schema writes it (`Metadata.*.type`). This module is the other way to name the same
compiled constraints, for an endpoint whose rule ids were fixed before by JSON path: `derive(schema)`
walks the compiled nodes from the root and returns one `Fact` per constraint, at a JSON-path pattern
(`$.a[*].b`), with the JSON pointers that say it, and `schema_rules` names the facts through the
endpoint's subjects table (see `runreplay.models._thread_and_run`).

What becomes a fact, at each place a value can go:

* `json_type`: the JSON types allowed there (through `$ref`, `anyOf`, `oneOf`), unless every
  alternative is a string enum (then the `enum` fact says it all);
* `enum`: the values of a string enum, when no free string is also allowed there;
* `range` / `minimum`: `minimum` and `maximum` of a number (both, or the minimum alone);
* `max_items` / `min_items`: `maxItems` / `minItems` of an array;
* `required`: a key an object requires (in a union of objects: a key one member requires);
* `closed`: `additionalProperties: false`: the keys allowed (per member, for a union of objects);
* `value_type`: `additionalProperties: {schema}`: the types every value of the object must have;
* `exactly_one`: `oneOf: [{"required": [a]}, {"required": [b]}]` on an object.

A union of objects (`oneOf` of objects that each fix one `type` value) is merged at one path: its
`type` enum is the union of the members' values, and the members' keys are merged below it.
Keywords this module cannot turn into a fact (`pattern`, `maxLength`, `exclusiveMinimum`, ...) raise
`SchemaDeriveError`, so a new schema never loses a constraint silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from runreplay.errors import RunreplayError
from runreplay.models._rule import Rule, RuleKind, describe_types, freeze
from runreplay.models._schema_rules import NULLABLE, Node, SchemaRules

__all__ = ["SUFFIXES", "Fact", "SchemaDeriveError", "derive", "resolve", "schema_rules"]

_ANNOTATIONS = frozenset(
    {
        "description",
        "title",
        "default",
        "examples",
        "deprecated",
        "$comment",
        "format",
        "readOnly",
        "writeOnly",
    }
)
"""Keywords that constrain nothing (format is annotation-only in draft 2020-12 without a checker)."""

_UNDERSTOOD = frozenset(
    {
        "$ref",
        "$defs",
        "$schema",
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "anyOf",
        "oneOf",
        "enum",
        "minimum",
        "maximum",
        "maxItems",
        "minItems",
    }
)


class SchemaDeriveError(RunreplayError):
    """A schema keyword or shape that `derive` cannot turn into rules; the message names where."""


@dataclass(frozen=True)
class Fact:
    """One constraint of the schema: its kind, where it applies, what it allows, and where it is written."""

    kind: RuleKind
    path: str
    limits: Mapping[str, Any]
    pointers: tuple[str, ...]


def resolve(schema: Mapping[str, Any], pointer: str) -> Any:
    """The node a `#/...` JSON pointer names in `schema`."""
    node: Any = schema
    for part in pointer.removeprefix("#").split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


@dataclass(frozen=True)
class _Leaf:
    """One alternative of a value position, after `$ref`, `anyOf` and `oneOf` are expanded."""

    node: Node | None
    """The compiled alternative (None: the `null` of an `X or null` the compiler folded into X)."""
    pointer: str
    via: str | None = None
    """The innermost `anyOf` / `oneOf` list this alternative was taken from (None: it was the only one)."""

    @property
    def types(self) -> tuple[str, ...]:
        return ("null",) if self.node is None else self.node.type_order


def _list_of(branch: Node) -> str:
    """The `anyOf` / `oneOf` list a union branch was written in (its pointer without the index)."""
    return branch.pointer.rsplit("/", 1)[0]


def _requires_one_key_only(branch: Node) -> bool:
    """A branch written as `{"required": [key]}` and nothing else."""
    return (
        len(branch.required) == 1
        and branch.target is None
        and branch.types is None
        and branch.enum is None
        and not (branch.properties or branch.branches or branch.bounds or branch.all_of or branch.items)
    )


class _Walker:
    """Collects facts while walking the compiled schema (`SchemaRules`) from its root."""

    def __init__(self, compiled: SchemaRules) -> None:
        self.schema = compiled.schema
        self.root = compiled.root
        self.facts: list[Fact] = []

    def add(self, kind: RuleKind, path: str, pointers: tuple[str, ...], **limits: Any) -> None:
        self.facts.append(Fact(kind, path, limits, pointers))

    # -- alternatives ----------------------------------------------------------------------------

    def leaves(self, node: Node) -> list[_Leaf]:
        """The alternatives at `node`: `$ref`s followed, `anyOf` / `oneOf` flattened."""
        self.check(node.pointer)
        if node.target is not None:
            return self.leaves(node.target)
        if node.branches and not self.is_object_with_alternatives(node):
            return self.branches(node)
        return [_Leaf(node, node.pointer)]

    def branches(self, node: Node) -> list[_Leaf]:
        """The leaves of every branch of the union at `node`, in the order the schema lists them."""
        found = [
            [
                leaf if leaf.via else _Leaf(leaf.node, leaf.pointer, _list_of(branch))
                for leaf in self.leaves(branch)
            ]
            for branch in node.branches
        ]
        if node.tag == NULLABLE:  # the compiler keeps X of `X or null`; put the null back where it was
            where = _list_of(node.branches[0])
            index = 1 - int(node.branches[0].pointer.rsplit("/", 1)[1])
            found.insert(index, [_Leaf(None, f"{where}/{index}", where)])
        return [leaf for leaves in found for leaf in leaves]

    @staticmethod
    def is_object_with_alternatives(node: Node) -> bool:
        """An object node whose own `oneOf` picks members (`type: object` next to `oneOf`)."""
        return node.type_order == ("object",) and bool(node.branches)

    def check(self, pointer: str) -> None:
        node = resolve(self.schema, pointer)
        unknown = sorted(set(node) - _UNDERSTOOD - _ANNOTATIONS - {k for k in node if k.startswith("x-")})
        if unknown:
            raise SchemaDeriveError(
                f"cannot derive rules from {pointer}: the keyword{'s' if len(unknown) > 1 else ''} "
                f"{', '.join(unknown)} {'are' if len(unknown) > 1 else 'is'} not supported; expected only "
                f"{', '.join(sorted(_UNDERSTOOD))} and annotations. Write the rule by hand in the "
                "endpoint's prose rules, or teach runreplay.models._derive the keyword."
            )

    # -- one value position ----------------------------------------------------------------------

    def value(self, path: str, node: Node) -> None:
        """Every fact about the value at `path`, whose compiled schema is `node`."""
        leaves = self.leaves(node)
        types = tuple(dict.fromkeys(kind for leaf in leaves for kind in leaf.types))
        enums = [leaf for leaf in leaves if leaf.node is not None and leaf.node.enum is not None]
        free_strings = [leaf for leaf in leaves if "string" in leaf.types and leaf not in enums]
        if enums and not free_strings:
            values = tuple(value for leaf in enums for value in leaf.node.enum or ())  # type: ignore[union-attr]
            self.add("enum", path, tuple(leaf.pointer for leaf in enums), enum=values)
        if not (enums and len(enums) == len(leaves)):
            where = leaves[0].pointer if len(leaves) == 1 else node.pointer
            self.add("json_type", path, (where,), types=types)
        for leaf in leaves:
            self.bounds(path, leaf)
        objects = [leaf for leaf in leaves if "object" in leaf.types]
        if len(objects) == 1 and objects[0].node and self.is_object_with_alternatives(objects[0].node):
            self.object_members(path, objects[0])
        elif objects:
            self.object(path, objects)
        for leaf in leaves:
            if "array" in leaf.types and leaf.node is not None and leaf.node.items is not None:
                self.value(f"{path}[*]", leaf.node.items)

    def bounds(self, path: str, leaf: _Leaf) -> None:
        if leaf.node is None:
            return
        limits = {kind: limit for kind, limit, _ in leaf.node.bounds}
        pointer = (leaf.pointer,)
        if "minimum" in limits and "maximum" in limits:
            self.add("range", path, pointer, minimum=limits["minimum"], maximum=limits["maximum"])
        elif "minimum" in limits:
            self.add("minimum", path, pointer, minimum=limits["minimum"])
        elif "maximum" in limits:
            raise SchemaDeriveError(
                f"cannot derive rules from {leaf.pointer}: a maximum without a minimum has no rule kind; "
                "expected both or only a minimum. Write the rule by hand in the endpoint's prose rules."
            )
        if "max_items" in limits:
            self.add("max_items", path, pointer, max_items=limits["max_items"])
        if "min_items" in limits:
            self.add("min_items", path, pointer, min_items=limits["min_items"])

    # -- objects ---------------------------------------------------------------------------------

    def object_members(self, path: str, leaf: _Leaf) -> None:
        """An object node with `oneOf`: exactly-one-of keys, or a union of whole members."""
        assert leaf.node is not None
        branches = leaf.node.branches
        if all(_requires_one_key_only(branch) for branch in branches):
            keys = tuple(next(iter(branch.required)) for branch in branches)
            self.add("exactly_one", path, (_list_of(branches[0]),), one_of=keys)
            self.object(path, [leaf])
            return
        self.object(path, self.branches(leaf.node), union_pointer=leaf.pointer)

    def object(self, path: str, members: list[_Leaf], union_pointer: str | None = None) -> None:
        """The facts of an object: one schema, or the union of several members told apart by a tag."""
        nodes = [member.node for member in members if member.node is not None]
        tag = self.tag(nodes) if len(members) > 1 else None
        if len(members) > 1 and tag is None:
            raise SchemaDeriveError(
                f"cannot derive rules at {path}: its {len(members)} object alternatives "
                f"({', '.join(m.pointer for m in members)}) share no key that fixes one value each; "
                "expected a union told apart by a tag such as `type`."
            )
        keys: dict[str, dict[str, Node]] = {}
        required: dict[str, list[str]] = {}
        for member in nodes:
            for key, child in member.properties.items():
                keys.setdefault(key, {})[child.pointer] = child
            for key in member.required:
                required.setdefault(key, []).append(f"{member.pointer}/required")
        self.closed(path, nodes, tag)
        for key, children in keys.items():
            if key in required:
                self.add("required", f"{path}.{key}", tuple(required[key]))
            if key == tag:
                values = tuple(_tag_value(member, tag) for member in nodes)
                where = union_pointer or self.union_pointer(path, members)
                self.add("enum", f"{path}.{key}", (where,), enum=values)
                continue
            for child in children.values():
                self.value(f"{path}.{key}", child)
        for member in nodes:
            if member.additional is not None:
                pointer = f"{member.pointer}/additionalProperties"
                self.add("value_type", path, (pointer,), types=member.additional.type_order)

    @staticmethod
    def tag(members: list[Node]) -> str | None:
        """The key every member fixes to one value of its own (`type`), or None."""
        for key in members[0].properties:
            values = [_tag_value(member, key) for member in members]
            if None not in values and len(set(values)) == len(members):
                return str(key)
        return None

    @staticmethod
    def union_pointer(path: str, members: list[_Leaf]) -> str:
        """The one `anyOf` / `oneOf` list all the members come from, which states their tags together."""
        lists = {member.via for member in members}
        if len(lists) != 1 or None in lists:
            raise SchemaDeriveError(
                f"cannot derive rules at {path}: its object alternatives come from different lists "
                f"({', '.join(sorted(str(item) for item in lists))}); expected one anyOf or oneOf."
            )
        return str(lists.pop())

    def closed(self, path: str, members: list[Node], tag: str | None) -> None:
        shut = [member for member in members if member.closed_by_schema]
        if not shut:
            return
        pointers = tuple(f"{member.pointer}/additionalProperties" for member in shut)
        if tag is None:
            self.add("closed", path, pointers, properties=tuple(shut[0].properties))
        else:
            by_tag = {_tag_value(member, tag): tuple(member.properties) for member in shut}
            self.add("closed", path, pointers, properties=by_tag)


def _tag_value(member: Node, key: str) -> Any:
    """The one value `member` fixes `key` to with a one-value enum written in place, or None."""
    prop = member.properties.get(key)
    enum = prop.enum if prop is not None else None
    return enum[0] if enum is not None and len(enum) == 1 else None


def derive(schema: Mapping[str, Any] | SchemaRules) -> list[Fact]:
    """Every fact the schema (raw, or compiled once by its `Endpoint`) states about a body, root first."""
    walker = _Walker(schema if isinstance(schema, SchemaRules) else SchemaRules(schema, file=""))
    walker.value("$", walker.root)
    return walker.facts


# --- from facts to named rules ---------------------------------------------------------------------

SUFFIXES: Mapping[RuleKind, str] = {
    "json_type": "json_type",
    "value_type": "value_type",
    "required": "required",
    "closed": "closed",
    "enum": "enum",
    "range": "range",
    "minimum": "min",
    "max_items": "max_items",
    "min_items": "min_items",
    "exactly_one": "exactly_one",
}
"""The last part of a derived rule's id, by kind: `temperature.range`, `max_prompt_tokens.min`."""


def _label(subject: str, paths: tuple[str, ...]) -> str:
    """How a description names its subject: `The body`, `every item of tools`, `temperature`."""
    if paths == ("$",):
        return "The body"
    if subject.endswith(".items"):
        return f"every item of {subject.removesuffix('.items')}"
    return subject


def _keys(keys: Any) -> str:
    """The keys a closed object allows: a list, or per tag value for a union of objects."""
    if isinstance(keys, Mapping):
        shown = "; ".join(f"{tag}: {', '.join(names)}" for tag, names in keys.items())
        return f"has only the keys of its type ({shown})"
    return f"has no keys besides {', '.join(keys)}"


_SAYS: Mapping[str, Callable[[Mapping[str, Any]], str]] = {
    "json_type": lambda limits: f"is {describe_types(limits['types'])}",
    "required": lambda limits: "is present",
    "closed": lambda limits: _keys(limits["properties"]),
    "enum": lambda limits: f"is one of {', '.join(map(str, limits['enum']))}",
    "range": lambda limits: f"is between {limits['minimum']} and {limits['maximum']} inclusive",
    "minimum": lambda limits: f"is at least {limits['minimum']}",
    "max_items": lambda limits: f"has at most {limits['max_items']:,} items",
    "min_items": lambda limits: (
        f"has at least {limits['min_items']} item{'s' if limits['min_items'] != 1 else ''}"
    ),
    "exactly_one": lambda limits: f"has exactly one of {' and '.join(limits['one_of'])}",
}
"""What a derived rule says about its subject, by kind (`value_type` is said of every value)."""


def _describe(subject: str, paths: tuple[str, ...], kind: RuleKind, limits: Mapping[str, Any]) -> str:
    """A one-line description of a derived rule, from its subject, paths and limits."""
    label = _label(subject, paths)
    if kind == "value_type":
        return f"every value of {label} {_SAYS['json_type'](limits)}."
    return f"{label} {_SAYS[kind](limits)}."


def schema_rules(
    schema: Mapping[str, Any] | SchemaRules,
    *,
    subjects: Mapping[str, Iterable[str]],
    source_file: str,
    renamed: Mapping[tuple[str, str], str] | None = None,
    prose: Iterable[Rule] = (),
) -> list[Rule]:
    """The rules of a schema, named by `subjects`, with the endpoint's `prose` rules placed among them.

    * `subjects` maps a subject (the id without its last part: `temperature`, `tool.type`) to the
      path patterns it names; a rule's id is `<subject>.<SUFFIXES[kind]>`, and facts of one kind at
      several paths of one subject become one rule with those paths (their limits must agree).
    * `renamed` gives the id of a (kind, path) whose id does not follow that pattern.
    * `source_file` is cited before each JSON pointer in `Rule.source`.
    * Rules come in the order of `subjects`; each prose rule follows the rules of the subject whose
      paths hold its first path (or ends the list).

    Raises SchemaDeriveError for a fact no subject names, a subject path the schema lacks, or one id
    given to facts that disagree.
    """
    renamed = renamed or {}
    subject_of: dict[str, str] = {}
    for subject, paths in subjects.items():
        for path in paths:
            subject_of[path] = subject
    grouped: dict[str, list[Fact]] = {}
    for fact in derive(schema):
        rule_id = renamed.get((fact.kind, fact.path))
        if rule_id is None:
            if fact.path not in subject_of:
                raise SchemaDeriveError(
                    f"the schema states a {fact.kind} rule at {fact.path} ({'; '.join(fact.pointers)}) "
                    "but no subject names that path; add it to the endpoint's subjects table."
                )
            rule_id = f"{subject_of[fact.path]}.{SUFFIXES[fact.kind]}"
        grouped.setdefault(rule_id, []).append(fact)
    unused = [path for path in subject_of if not any(f.path == path for fs in grouped.values() for f in fs)]
    if unused:
        raise SchemaDeriveError(
            f"the subjects table names {', '.join(unused)}, where the schema states no rule; "
            "remove the path or fix its spelling."
        )
    order = {path: index for index, path in enumerate(subject_of)}
    by_subject: dict[str, list[Rule]] = {subject: [] for subject in subjects}
    for rule_id, facts in grouped.items():
        first = facts[0]
        if any(f.kind != first.kind or f.limits != first.limits for f in facts[1:]):
            raise SchemaDeriveError(
                f"the facts named {rule_id} disagree: "
                + "; ".join(f"{f.kind} {dict(f.limits)} at {f.path}" for f in facts)
            )
        facts = sorted(facts, key=lambda f: order[f.path])
        paths = tuple(f.path for f in facts)
        pointers = dict.fromkeys(pointer for f in facts for pointer in f.pointers)
        by_subject[subject_of[facts[0].path]].append(
            Rule(
                id=rule_id,
                kind=first.kind,
                description=_describe(rule_id.rsplit(".", 1)[0], paths, first.kind, first.limits),
                paths=paths,
                limits=freeze(first.limits),
                origin="schema",
                source="; ".join(f"{source_file}{pointer}" for pointer in pointers),
            )
        )
    extra: list[Rule] = []
    for entry in prose:
        home = subject_of.get(entry.paths[0])
        (by_subject[home] if home else extra).append(entry)
    return [entry for rules in by_subject.values() for entry in rules] + extra
