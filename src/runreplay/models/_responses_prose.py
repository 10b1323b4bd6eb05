"""The prose rules of `POST /v1/responses`: what the spec's descriptions say and its JSON Schema does not.

Each rule has an id, the words of the spec it comes from (quoted, with the schema location of the
description), and a check over a whole body that reports `Violation`s. Checks only look at values of
the right JSON type: a wrong type is the schema rules' business, so one bad value breaks one rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from runreplay.models._endpoint import ProseRule, prose_rule
from runreplay.models._schema_rules import Violation, describe

__all__ = ["NAME_PATTERN", "PROSE_RULES", "ProseRule", "check_prose"]

_Check = Callable[[Any], Iterator[Violation]]

_FILE = "create_response_request.schema.json"
NAME_PATTERN = re.compile(r"[a-zA-Z0-9_-]{1,64}")
"""Function and json_schema names: 1 to 64 of a-z, A-Z, 0-9, `_` and `-` (matched whole)."""


def _dicts(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    """The (index, item) pairs of a list's object items; nothing for anything else."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield index, item


def _metadata(body: Any) -> dict[str, Any] | None:
    value = body.get("metadata") if isinstance(body, dict) else None
    return value if isinstance(value, dict) else None


def _max_pairs(body: Any) -> Iterator[Violation]:
    metadata = _metadata(body)
    if metadata is not None and len(metadata) > 16:
        yield Violation("metadata.max_pairs", "$.metadata", f"expected at most 16 pairs, got {len(metadata)}")


def _key_length(body: Any) -> Iterator[Violation]:
    for key in _metadata(body) or {}:
        if len(key) > 64:
            yield Violation(
                "metadata.key_length", "$.metadata", f"expected keys of at most 64 characters, got {len(key)}"
            )


def _value_length(body: Any) -> Iterator[Violation]:
    for key, value in (_metadata(body) or {}).items():
        if isinstance(value, str) and len(value) > 512:
            where = f"$.metadata.{key}" if key.isidentifier() else f"$.metadata[{key!r}]"
            yield Violation(
                "metadata.value_length", where, f"expected at most 512 characters, got {len(value)}"
            )


def _exclusive(body: Any) -> Iterator[Violation]:
    if (
        isinstance(body, dict)
        and body.get("previous_response_id") is not None
        and body.get("conversation") is not None
    ):
        yield Violation(
            "previous_response_id.conversation",
            "$.previous_response_id",
            "previous_response_id cannot be used together with conversation; send one of them",
        )


def _bad_name(value: Any) -> bool:
    return isinstance(value, str) and NAME_PATTERN.fullmatch(value) is None


def _json_schema_name(body: Any) -> Iterator[Violation]:
    text = body.get("text") if isinstance(body, dict) else None
    fmt = text.get("format") if isinstance(text, dict) else None
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema" and _bad_name(fmt.get("name")):
        yield Violation(
            "text.format.name.pattern",
            "$.text.format.name",
            f"expected 1 to 64 of a-z, A-Z, 0-9, '_' and '-', got {describe(fmt['name'])}",
        )


def _tools(body: Any, kind: str) -> Iterator[tuple[int, dict[str, Any]]]:
    for index, tool in _dicts(body.get("tools") if isinstance(body, dict) else None):
        if tool.get("type") == kind:
            yield index, tool


def _function_name(body: Any) -> Iterator[Violation]:
    for index, tool in _tools(body, "function"):
        if _bad_name(tool.get("name")):
            yield Violation(
                "function.name.pattern",
                f"$.tools[{index}].name",
                f"expected 1 to 64 of a-z, A-Z, 0-9, '_' and '-', got {describe(tool['name'])}",
            )


def _file_search_bound(rule_id: str, keys: tuple[str, ...], low: int, high: int, *, integers: bool) -> _Check:
    """A check that every file_search tool's number at `keys` is in [low, high] (other types: schema)."""

    def check(body: Any) -> Iterator[Violation]:
        for index, tool in _tools(body, "file_search"):
            value: Any = tool
            for key in keys:
                value = value.get(key) if isinstance(value, dict) else None
            numeric = isinstance(value, int) if integers else isinstance(value, int | float)
            if numeric and not isinstance(value, bool) and not low <= value <= high:
                where = f"$.tools[{index}]." + ".".join(keys)
                yield Violation(rule_id, where, f"expected {low} to {high}, got {value!r}")

    return check


_MCP_SERVERS = ("server_url", "connector_id", "tunnel_id")


def _mcp_server(body: Any) -> Iterator[Violation]:
    for index, tool in _tools(body, "mcp"):
        if not any(key in tool for key in _MCP_SERVERS):
            yield Violation(
                "mcp.server.required",
                f"$.tools[{index}]",
                "expected one of server_url, connector_id or tunnel_id",
            )


def _compaction_last(body: Any) -> Iterator[Violation]:
    items = list(_dicts(body.get("input") if isinstance(body, dict) else None))
    total = len(body["input"]) if items else 0
    for index, item in items:
        if item.get("type") == "compaction_trigger" and index != total - 1:
            yield Violation(
                "input.compaction_trigger.last",
                f"$.input[{index}]",
                f"a compaction_trigger item must be the final input item; it is item {index} of {total}",
            )


def _rule(
    id: str,
    kind: str,
    description: str,
    pointer: str,
    quote: str,
    check: Callable[[Any], Iterator[Violation]],
    **limits: Any,
) -> ProseRule:
    return prose_rule(id, kind, description, file=_FILE, pointer=pointer, quote=quote, check=check, **limits)


_META = "#/$defs/Metadata/anyOf/0/description"
_META_QUOTE = (
    "Set of 16 key-value pairs ... Keys are strings with a maximum length of 64 characters. "
    "Values are strings with a maximum length of 512 characters."
)
_NAME_QUOTE = "Must be a-z, A-Z, 0-9, or contain underscores and dashes, with a maximum length of 64."
_FILE_SEARCH = "#/$defs/FileSearchTool/properties"
_MCP_QUOTE = "One of `server_url`, `connector_id`, or `tunnel_id` must be provided."

PROSE_RULES: tuple[ProseRule, ...] = (
    _rule(
        "metadata.max_pairs",
        "max_properties",
        "metadata has at most 16 pairs.",
        _META,
        _META_QUOTE,
        _max_pairs,
        limit=16,
    ),
    _rule(
        "metadata.key_length",
        "key_length",
        "metadata keys have at most 64 characters.",
        _META,
        _META_QUOTE,
        _key_length,
        limit=64,
    ),
    _rule(
        "metadata.value_length",
        "max_length",
        "metadata values have at most 512 characters.",
        _META,
        _META_QUOTE,
        _value_length,
        limit=512,
    ),
    _rule(
        "previous_response_id.conversation",
        "exclusive",
        "previous_response_id and conversation are not both given.",
        "#/$defs/ResponseProperties/properties/previous_response_id/anyOf/0/description",
        "Cannot be used in conjunction with `conversation`.",
        _exclusive,
        keys=("previous_response_id", "conversation"),
    ),
    _rule(
        "text.format.name.pattern",
        "pattern",
        "A json_schema format's name is 1 to 64 of a-z, A-Z, 0-9, '_' and '-'.",
        "#/$defs/TextResponseFormatJsonSchema/properties/name/description",
        _NAME_QUOTE,
        _json_schema_name,
        pattern=NAME_PATTERN.pattern,
        max_length=64,
    ),
    _rule(
        "function.name.pattern",
        "pattern",
        "A function tool's name is 1 to 64 of a-z, A-Z, 0-9, '_' and '-'.",
        "#/$defs/FunctionToolParam/properties/name/pattern (^[a-zA-Z0-9_-]+$) and "
        "#/$defs/TextResponseFormatJsonSchema/properties/name/description",
        _NAME_QUOTE,
        _function_name,
        pattern=NAME_PATTERN.pattern,
        max_length=64,
    ),
    _rule(
        "file_search.max_num_results.range",
        "range",
        "A file_search tool's max_num_results is 1 to 50.",
        f"{_FILE_SEARCH}/max_num_results/description",
        "This number should be between 1 and 50 inclusive.",
        _file_search_bound("file_search.max_num_results.range", ("max_num_results",), 1, 50, integers=True),
        minimum=1,
        maximum=50,
    ),
    _rule(
        "file_search.ranking_options.score_threshold.range",
        "range",
        "A file_search ranking score_threshold is 0 to 1.",
        "#/$defs/RankingOptions/properties/score_threshold/description",
        "The score threshold for the file search, a number between 0 and 1.",
        _file_search_bound(
            "file_search.ranking_options.score_threshold.range",
            ("ranking_options", "score_threshold"),
            0,
            1,
            integers=False,
        ),
        minimum=0,
        maximum=1,
    ),
    _rule(
        "mcp.server.required",
        "one_of_keys",
        "An mcp tool names its server by server_url, connector_id or tunnel_id.",
        "#/$defs/MCPTool/properties/server_url/description",
        _MCP_QUOTE,
        _mcp_server,
        keys=_MCP_SERVERS,
    ),
    _rule(
        "input.compaction_trigger.last",
        "position",
        "A compaction_trigger input item is the last one.",
        "#/$defs/CompactionTriggerItemParam/description",
        "Compacts the current context. Must be the final input item.",
        _compaction_last,
    ),
)


def check_prose(body: Any) -> list[Violation]:
    """Every prose-rule violation in `body`."""
    return [violation for entry in PROSE_RULES for violation in entry.check(body)]
