"""The registry of request rules: one stable id per rule, shared by models, factories, docs and errors.

Every rule the request models enforce is an entry in `RULES`, and every entry is enforced (a test
checks both directions). An entry says where the rule applies (JSON-path patterns such as
`$.thread.messages[*].metadata`), what it allows (machine-readable `limits`), and whether the
official JSON Schema encodes it (`origin="schema"`) or only the spec's prose does (`origin="prose"`).

Errors name their rule in one of two ways:

* rules that need code of ours (bounds, prose rules, nulls where the schema allows none) raise a
  `PydanticCustomError` whose `type` is the rule id, whose message starts with the id, and whose
  `ctx` carries `rule`, `given` and `limit`;
* rules pydantic checks itself (JSON types, enums, required keys, closed objects, union tags) raise
  pydantic's own errors, and `rule_ids_for` maps them to rule ids by error type and location.

Paths use `$` for the body, `.key` for object members and `[*]` for any array index.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from runreplay._json_type import json_type
from runreplay.errors import RuleLookupError, UnknownRuleError

__all__ = [
    "NAME_PATTERN",
    "RULES",
    "Origin",
    "Rule",
    "RuleHit",
    "RuleKind",
    "describe_types",
    "describe_value",
    "json_path",
    "path_pattern",
    "rule",
    "rule_ids_for",
    "violation",
]

Origin = Literal["schema", "prose"]
"""`schema`: the official JSON Schema encodes the rule; `prose`: only the spec's descriptions state it."""

RuleKind = Literal[
    "json_type",  # limits["types"]: the JSON types allowed at the path
    "value_type",  # limits["types"]: the JSON types allowed for every value of the object at the path
    "required",  # the key at the path must be present
    "closed",  # limits["properties"]: the only keys the object at the path may have
    "enum",  # limits["enum"]: the only values allowed at the path
    "range",  # limits["minimum"], limits["maximum"]: inclusive numeric bounds
    "minimum",  # limits["minimum"]: inclusive lower bound
    "max_items",  # limits["max_items"]: longest array allowed
    "min_items",  # limits["min_items"]: shortest array allowed
    "max_properties",  # limits["max_properties"]: most keys allowed
    "key_length",  # limits["max_length"]: longest key allowed (in code points)
    "value_length",  # limits["max_length"]: longest string value allowed (in code points)
    "pattern",  # limits["pattern"] (ECMA-262, whole string), plus min_length/max_length/alphabet
    "exactly_one",  # limits["one_of"]: exactly one of these keys must be present
    "required_if",  # limits["if"] (key -> value) and limits["required"]: keys needed when it holds
    "required_keys",  # limits["required"]: keys that must all be present
    "max_fraction",  # limits["field"] <= limits["fraction"] * limits["of"] (sibling keys)
]

NAME_PATTERN = "^[a-zA-Z0-9_-]{1,64}$"
"""Function and json_schema names (prose: "a-z, A-Z, 0-9, underscores and dashes, at most 64")."""

_SCHEMA = "create_thread_and_run_request.schema.json"
_RESEARCH = "research/openai_create_thread_and_run.md"


@dataclass(frozen=True)
class Rule:
    """One rule of the request body: where it applies, what it allows, and where it comes from."""

    id: str
    kind: RuleKind
    description: str
    paths: tuple[str, ...]
    limits: Mapping[str, Any]
    origin: Origin
    source: str
    json_schema: Mapping[str, Any] | None = field(default=None)
    """For prose rules: the rule written as JSON Schema at each path (None: JSON Schema cannot say it)."""

    @property
    def subject(self) -> str:
        """The thing the rule is about, as error messages name it (the id without its last part)."""
        return self.id.rsplit(".", 1)[0]


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({key: _freeze(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(item) for item in value)
    return value


_ENTRIES: list[Rule] = []


def _add(
    id: str,
    kind: RuleKind,
    paths: str | Iterable[str],
    description: str,
    *,
    source: str | Iterable[str],
    origin: Origin = "schema",
    json_schema: Mapping[str, Any] | None = None,
    **limits: Any,
) -> None:
    sources = (source,) if isinstance(source, str) else tuple(source)
    if origin == "schema":
        sources = tuple(f"{_SCHEMA}{pointer}" for pointer in sources)
    _ENTRIES.append(
        Rule(
            id=id,
            kind=kind,
            description=description,
            paths=(paths,) if isinstance(paths, str) else tuple(paths),
            limits=_freeze(limits),
            origin=origin,
            source="; ".join(sources),
            json_schema=_freeze(json_schema) if json_schema is not None else None,
        )
    )


# JSON-path patterns of the objects that carry rules.
_MSG = "$.thread.messages[*]"
_PART = _MSG + ".content[*]"
_ATT = _MSG + ".attachments[*]"
_TOOL = "$.tools[*]"
_TR = ("$.tool_resources", "$.thread.tool_resources")
_VS = "$.thread.tool_resources.file_search.vector_stores[*]"
_CHUNK = _VS + ".chunking_strategy"
_METADATA = ("$.metadata", "$.thread.metadata", _MSG + ".metadata", _VS + ".metadata")

# JSON pointers into the reference schema.
_D = "#/$defs"
_REQ = f"{_D}/CreateThreadAndRunRequest"
_P = f"{_REQ}/properties"
_THR = f"{_D}/CreateThreadRequest"
_MSGD = f"{_D}/CreateMessageRequest"
_RUN_TR = f"{_P}/tool_resources/properties"
_THR_TR = f"{_THR}/properties/tool_resources/anyOf/0/properties"
_VSD = f"{_THR_TR}/file_search/properties/vector_stores/items"
_CHUNKD = f"{_VSD}/properties/chunking_strategy"
_STATIC = f"{_CHUNKD}/oneOf/1/properties/static"
_ATTD = f"{_MSGD}/properties/attachments/anyOf/0"
_FS = f"{_D}/AssistantToolsFileSearch/properties/file_search"
_JS = f"{_D}/ResponseFormatJsonSchema/properties/json_schema"
_NTC = f"{_D}/AssistantsNamedToolChoice"
_PROSE_META = f"{_RESEARCH} §1.8 item 1; {_SCHEMA}#/$defs/Metadata description"

_REQUEST_KEYS = (
    "assistant_id",
    "thread",
    "model",
    "instructions",
    "tools",
    "tool_resources",
    "metadata",
    "temperature",
    "top_p",
    "stream",
    "max_prompt_tokens",
    "max_completion_tokens",
    "truncation_strategy",
    "tool_choice",
    "parallel_tool_calls",
    "response_format",
)

# --- the request object -------------------------------------------------------------------------
_add("request.json_type", "json_type", "$", "The body is a JSON object.", source=_REQ, types=("object",))
_add(
    "request.closed",
    "closed",
    "$",
    "The body has no keys besides the documented ones.",
    source=f"{_REQ}/additionalProperties",
    properties=_REQUEST_KEYS,
)
_add(
    "assistant_id.required", "required", "$.assistant_id", "assistant_id is given.", source=f"{_REQ}/required"
)
_add(
    "assistant_id.json_type",
    "json_type",
    "$.assistant_id",
    "assistant_id is a string.",
    source=f"{_P}/assistant_id",
    types=("string",),
)
_add(
    "thread.json_type",
    "json_type",
    "$.thread",
    "thread is an object (it may be left out, but not null).",
    source=f"{_P}/thread",
    types=("object",),
)
_add(
    "model.json_type",
    "json_type",
    "$.model",
    "model is a string (any model name) or null.",
    source=f"{_P}/model",
    types=("string", "null"),
)
_add(
    "instructions.json_type",
    "json_type",
    "$.instructions",
    "instructions is a string or null.",
    source=f"{_P}/instructions",
    types=("string", "null"),
)
_add(
    "tools.json_type",
    "json_type",
    "$.tools",
    "tools is an array of tools or null.",
    source=f"{_P}/tools",
    types=("array", "null"),
)
_add(
    "tools.max_items",
    "max_items",
    "$.tools",
    "A run has at most 20 tools.",
    source=f"{_P}/tools",
    max_items=20,
)
_add(
    "tool_resources.json_type",
    "json_type",
    _TR,
    "tool_resources is an object or null.",
    source=(f"{_P}/tool_resources", f"{_THR}/properties/tool_resources"),
    types=("object", "null"),
)

# --- metadata (top level, thread, message, vector_stores item) -----------------------------------
_add(
    "metadata.json_type",
    "json_type",
    _METADATA,
    "metadata is an object of string values, or null.",
    source=f"{_D}/Metadata",
    types=("object", "null"),
)
_add(
    "metadata.value_type",
    "value_type",
    _METADATA,
    "Every metadata value is a string.",
    source=f"{_D}/Metadata/anyOf/0/additionalProperties",
    types=("string",),
)
_add(
    "metadata.max_pairs",
    "max_properties",
    _METADATA,
    "metadata has at most 16 key-value pairs.",
    origin="prose",
    source=_PROSE_META,
    json_schema={"maxProperties": 16},
    max_properties=16,
)
_add(
    "metadata.key_length",
    "key_length",
    _METADATA,
    "Every metadata key has at most 64 characters.",
    origin="prose",
    source=_PROSE_META,
    json_schema={"propertyNames": {"maxLength": 64}},
    max_length=64,
)
_add(
    "metadata.value_length",
    "value_length",
    _METADATA,
    "Every metadata value has at most 512 characters.",
    origin="prose",
    source=_PROSE_META,
    json_schema={"additionalProperties": {"maxLength": 512}},
    max_length=512,
)

# --- sampling and limits ------------------------------------------------------------------------
_add(
    "temperature.json_type",
    "json_type",
    "$.temperature",
    "temperature is a number or null.",
    source=f"{_P}/temperature",
    types=("number", "null"),
)
_add(
    "temperature.range",
    "range",
    "$.temperature",
    "temperature is between 0 and 2 inclusive.",
    source=f"{_P}/temperature",
    minimum=0,
    maximum=2,
)
_add(
    "top_p.json_type",
    "json_type",
    "$.top_p",
    "top_p is a number or null.",
    source=f"{_P}/top_p",
    types=("number", "null"),
)
_add(
    "top_p.range",
    "range",
    "$.top_p",
    "top_p is between 0 and 1 inclusive.",
    source=f"{_P}/top_p",
    minimum=0,
    maximum=1,
)
_add(
    "stream.json_type",
    "json_type",
    "$.stream",
    "stream is a boolean or null.",
    source=f"{_P}/stream",
    types=("boolean", "null"),
)
for _name in ("max_prompt_tokens", "max_completion_tokens"):
    _add(
        f"{_name}.json_type",
        "json_type",
        f"$.{_name}",
        f"{_name} is an integer or null.",
        source=f"{_P}/{_name}",
        types=("integer", "null"),
    )
    _add(
        f"{_name}.min",
        "minimum",
        f"$.{_name}",
        f"{_name} is at least 256.",
        source=f"{_P}/{_name}",
        minimum=256,
    )
_add(
    "parallel_tool_calls.json_type",
    "json_type",
    "$.parallel_tool_calls",
    "parallel_tool_calls is a boolean (it may be left out, but not null).",
    source=f"{_D}/ParallelToolCalls",
    types=("boolean",),
)

# --- truncation_strategy ------------------------------------------------------------------------
_add(
    "truncation_strategy.json_type",
    "json_type",
    "$.truncation_strategy",
    "truncation_strategy is an object or null.",
    source=f"{_P}/truncation_strategy",
    types=("object", "null"),
)
_add(
    "truncation_strategy.type.required",
    "required",
    "$.truncation_strategy.type",
    "truncation_strategy has a type.",
    source=f"{_D}/TruncationObject/required",
)
_add(
    "truncation_strategy.type.enum",
    "enum",
    "$.truncation_strategy.type",
    "truncation_strategy.type is auto or last_messages.",
    source=f"{_D}/TruncationObject/properties/type",
    enum=("auto", "last_messages"),
)
_add(
    "last_messages.json_type",
    "json_type",
    "$.truncation_strategy.last_messages",
    "truncation_strategy.last_messages is an integer or null.",
    source=f"{_D}/TruncationObject/properties/last_messages",
    types=("integer", "null"),
)
_add(
    "last_messages.min",
    "minimum",
    "$.truncation_strategy.last_messages",
    "truncation_strategy.last_messages is at least 1.",
    source=f"{_D}/TruncationObject/properties/last_messages/anyOf/0",
    minimum=1,
)

# --- tool_choice --------------------------------------------------------------------------------
_add(
    "tool_choice.json_type",
    "json_type",
    "$.tool_choice",
    "tool_choice is a string, an object or null.",
    source=f"{_P}/tool_choice",
    types=("string", "object", "null"),
)
_add(
    "tool_choice.enum",
    "enum",
    "$.tool_choice",
    "A string tool_choice is none, auto or required.",
    source=f"{_D}/AssistantsApiToolChoiceOption/oneOf/0",
    enum=("none", "auto", "required"),
)
_add(
    "tool_choice.type.required",
    "required",
    "$.tool_choice.type",
    "An object tool_choice has a type.",
    source=f"{_NTC}/required",
)
_add(
    "tool_choice.type.enum",
    "enum",
    "$.tool_choice.type",
    "tool_choice.type is function, code_interpreter or file_search.",
    source=f"{_NTC}/properties/type",
    enum=("function", "code_interpreter", "file_search"),
)
_add(
    "tool_choice.function.json_type",
    "json_type",
    "$.tool_choice.function",
    "tool_choice.function is an object.",
    source=f"{_NTC}/properties/function",
    types=("object",),
)
_add(
    "tool_choice.function.name.required",
    "required",
    "$.tool_choice.function.name",
    "tool_choice.function has a name.",
    source=f"{_NTC}/properties/function/required",
)
_add(
    "tool_choice.function.name.json_type",
    "json_type",
    "$.tool_choice.function.name",
    "tool_choice.function.name is a string.",
    source=f"{_NTC}/properties/function/properties/name",
    types=("string",),
)
_add(
    "tool_choice.function_name_required",
    "required_if",
    "$.tool_choice",
    "A tool_choice of type function names the function (function.name).",
    origin="prose",
    source=f"{_RESEARCH} §1.8 item 4; {_SCHEMA}{_NTC}/properties/type description",
    json_schema={
        "if": {"type": "object", "properties": {"type": {"const": "function"}}, "required": ["type"]},
        "then": {"required": ["function"]},
    },
    required=("function",),
    **{"if": {"type": "function"}},
)

# --- response_format ----------------------------------------------------------------------------
_add(
    "response_format.json_type",
    "json_type",
    "$.response_format",
    "response_format is a string, an object or null.",
    source=f"{_P}/response_format",
    types=("string", "object", "null"),
)
_add(
    "response_format.enum",
    "enum",
    "$.response_format",
    'A string response_format is "auto".',
    source=f"{_D}/AssistantsApiResponseFormatOption/oneOf/0",
    enum=("auto",),
)
_add(
    "response_format.type.required",
    "required",
    "$.response_format.type",
    "An object response_format has a type.",
    source=(f"{_D}/ResponseFormatText/required", f"{_D}/ResponseFormatJsonSchema/required"),
)
_add(
    "response_format.type.enum",
    "enum",
    "$.response_format.type",
    "response_format.type is text, json_object or json_schema.",
    source=f"{_D}/AssistantsApiResponseFormatOption/oneOf",
    enum=("text", "json_object", "json_schema"),
)
_add(
    "json_schema.required",
    "required",
    "$.response_format.json_schema",
    "A json_schema response_format has a json_schema object.",
    source=f"{_D}/ResponseFormatJsonSchema/required",
)
_add(
    "json_schema.json_type",
    "json_type",
    "$.response_format.json_schema",
    "response_format.json_schema is an object.",
    source=_JS,
    types=("object",),
)
_add(
    "json_schema.name.required",
    "required",
    "$.response_format.json_schema.name",
    "response_format.json_schema has a name.",
    source=f"{_JS}/required",
)
_add(
    "json_schema.name.json_type",
    "json_type",
    "$.response_format.json_schema.name",
    "response_format.json_schema.name is a string.",
    source=f"{_JS}/properties/name",
    types=("string",),
)
_add(
    "json_schema.name_pattern",
    "pattern",
    "$.response_format.json_schema.name",
    "response_format.json_schema.name is 1 to 64 letters, digits, underscores or dashes.",
    origin="prose",
    source=f"{_RESEARCH} §1.7, §1.8 item 2; {_SCHEMA}{_JS}/properties/name description",
    json_schema={"pattern": NAME_PATTERN},
    pattern=NAME_PATTERN,
    min_length=1,
    max_length=64,
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-",
)
_add(
    "json_schema.description.json_type",
    "json_type",
    "$.response_format.json_schema.description",
    "response_format.json_schema.description is a string.",
    source=f"{_JS}/properties/description",
    types=("string",),
)
_add(
    "json_schema.schema.json_type",
    "json_type",
    "$.response_format.json_schema.schema",
    "response_format.json_schema.schema is an object (a JSON Schema).",
    source=f"{_D}/ResponseFormatJsonSchemaSchema",
    types=("object",),
)
_add(
    "json_schema.strict.json_type",
    "json_type",
    "$.response_format.json_schema.strict",
    "response_format.json_schema.strict is a boolean or null.",
    source=f"{_JS}/properties/strict",
    types=("boolean", "null"),
)

# --- tools[] ------------------------------------------------------------------------------------
_add(
    "tool.json_type",
    "json_type",
    _TOOL,
    "Every tool is an object.",
    source=f"{_P}/tools/items",
    types=("object",),
)
_add(
    "tool.type.required",
    "required",
    f"{_TOOL}.type",
    "Every tool has a type.",
    source=f"{_D}/AssistantToolsCode/required",
)
_add(
    "tool.type.enum",
    "enum",
    f"{_TOOL}.type",
    "A tool's type is code_interpreter, file_search or function.",
    source=f"{_P}/tools/items/oneOf",
    enum=("code_interpreter", "file_search", "function"),
)
_add(
    "tool.file_search.json_type",
    "json_type",
    f"{_TOOL}.file_search",
    "A file_search tool's file_search overrides are an object.",
    source=_FS,
    types=("object",),
)
_add(
    "max_num_results.json_type",
    "json_type",
    f"{_TOOL}.file_search.max_num_results",
    "file_search.max_num_results is an integer.",
    source=f"{_FS}/properties/max_num_results",
    types=("integer",),
)
_add(
    "max_num_results.range",
    "range",
    f"{_TOOL}.file_search.max_num_results",
    "file_search.max_num_results is between 1 and 50 inclusive.",
    source=f"{_FS}/properties/max_num_results",
    minimum=1,
    maximum=50,
)
_add(
    "ranking_options.json_type",
    "json_type",
    f"{_TOOL}.file_search.ranking_options",
    "file_search.ranking_options is an object.",
    source=f"{_D}/FileSearchRankingOptions",
    types=("object",),
)
_add(
    "ranker.enum",
    "enum",
    f"{_TOOL}.file_search.ranking_options.ranker",
    "ranking_options.ranker is auto or default_2024_08_21.",
    source=f"{_D}/FileSearchRanker",
    enum=("auto", "default_2024_08_21"),
)
_add(
    "score_threshold.required",
    "required",
    f"{_TOOL}.file_search.ranking_options.score_threshold",
    "ranking_options has a score_threshold.",
    source=f"{_D}/FileSearchRankingOptions/required",
)
_add(
    "score_threshold.json_type",
    "json_type",
    f"{_TOOL}.file_search.ranking_options.score_threshold",
    "ranking_options.score_threshold is a number.",
    source=f"{_D}/FileSearchRankingOptions/properties/score_threshold",
    types=("number",),
)
_add(
    "score_threshold.range",
    "range",
    f"{_TOOL}.file_search.ranking_options.score_threshold",
    "ranking_options.score_threshold is between 0 and 1 inclusive.",
    source=f"{_D}/FileSearchRankingOptions/properties/score_threshold",
    minimum=0,
    maximum=1,
)
_add(
    "tool.function.required",
    "required",
    f"{_TOOL}.function",
    "A function tool has a function object.",
    source=f"{_D}/AssistantToolsFunction/required",
)
_add(
    "function.json_type",
    "json_type",
    f"{_TOOL}.function",
    "A function tool's function is an object.",
    source=f"{_D}/FunctionObject",
    types=("object",),
)
_add(
    "function.name.required",
    "required",
    f"{_TOOL}.function.name",
    "A function has a name.",
    source=f"{_D}/FunctionObject/required",
)
_add(
    "function.name.json_type",
    "json_type",
    f"{_TOOL}.function.name",
    "function.name is a string.",
    source=f"{_D}/FunctionObject/properties/name",
    types=("string",),
)
_add(
    "function.name_pattern",
    "pattern",
    f"{_TOOL}.function.name",
    "function.name is 1 to 64 letters, digits, underscores or dashes.",
    origin="prose",
    source=f"{_RESEARCH} §1.5, §1.8 item 2; {_SCHEMA}{_D}/FunctionObject/properties/name description",
    json_schema={"pattern": NAME_PATTERN},
    pattern=NAME_PATTERN,
    min_length=1,
    max_length=64,
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-",
)
_add(
    "function.description.json_type",
    "json_type",
    f"{_TOOL}.function.description",
    "function.description is a string.",
    source=f"{_D}/FunctionObject/properties/description",
    types=("string",),
)
_add(
    "function.parameters.json_type",
    "json_type",
    f"{_TOOL}.function.parameters",
    "function.parameters is an object (a JSON Schema).",
    source=f"{_D}/FunctionParameters",
    types=("object",),
)
_add(
    "function.strict.json_type",
    "json_type",
    f"{_TOOL}.function.strict",
    "function.strict is a boolean or null.",
    source=f"{_D}/FunctionObject/properties/strict",
    types=("boolean", "null"),
)

# --- tool_resources (run level and thread level) ------------------------------------------------
_CI = tuple(f"{p}.code_interpreter" for p in _TR)
_FSR = tuple(f"{p}.file_search" for p in _TR)
_add(
    "code_interpreter.json_type",
    "json_type",
    _CI,
    "tool_resources.code_interpreter is an object.",
    source=(f"{_RUN_TR}/code_interpreter", f"{_THR_TR}/code_interpreter"),
    types=("object",),
)
_add(
    "code_interpreter.file_ids.json_type",
    "json_type",
    tuple(f"{p}.file_ids" for p in _CI),
    "code_interpreter.file_ids is an array of file ids.",
    source=(
        f"{_RUN_TR}/code_interpreter/properties/file_ids",
        f"{_THR_TR}/code_interpreter/properties/file_ids",
    ),
    types=("array",),
)
_add(
    "code_interpreter.file_ids.items.json_type",
    "json_type",
    tuple(f"{p}.file_ids[*]" for p in _CI),
    "Every code_interpreter file id is a string.",
    source=(
        f"{_RUN_TR}/code_interpreter/properties/file_ids/items",
        f"{_THR_TR}/code_interpreter/properties/file_ids/items",
    ),
    types=("string",),
)
_add(
    "code_interpreter.file_ids.max_items",
    "max_items",
    tuple(f"{p}.file_ids" for p in _CI),
    "code_interpreter has at most 20 files.",
    source=(
        f"{_RUN_TR}/code_interpreter/properties/file_ids",
        f"{_THR_TR}/code_interpreter/properties/file_ids",
    ),
    max_items=20,
)
_add(
    "tool_resources.file_search.json_type",
    "json_type",
    _FSR,
    "tool_resources.file_search is an object.",
    source=(f"{_RUN_TR}/file_search", f"{_THR_TR}/file_search"),
    types=("object",),
)
_add(
    "vector_store_ids.json_type",
    "json_type",
    tuple(f"{p}.vector_store_ids" for p in _FSR),
    "file_search.vector_store_ids is an array of vector store ids.",
    source=(
        f"{_RUN_TR}/file_search/properties/vector_store_ids",
        f"{_THR_TR}/file_search/properties/vector_store_ids",
    ),
    types=("array",),
)
_add(
    "vector_store_ids.items.json_type",
    "json_type",
    tuple(f"{p}.vector_store_ids[*]" for p in _FSR),
    "Every vector store id is a string.",
    source=(
        f"{_RUN_TR}/file_search/properties/vector_store_ids/items",
        f"{_THR_TR}/file_search/properties/vector_store_ids/items",
    ),
    types=("string",),
)
_add(
    "vector_store_ids.max_items",
    "max_items",
    tuple(f"{p}.vector_store_ids" for p in _FSR),
    "file_search has at most 1 vector store id.",
    source=(
        f"{_RUN_TR}/file_search/properties/vector_store_ids",
        f"{_THR_TR}/file_search/properties/vector_store_ids",
    ),
    max_items=1,
)
_add(
    "thread.file_search.exactly_one",
    "exactly_one",
    "$.thread.tool_resources.file_search",
    "thread.tool_resources.file_search has exactly one of vector_store_ids and vector_stores.",
    source=f"{_THR_TR}/file_search/oneOf",
    one_of=("vector_store_ids", "vector_stores"),
)
_add(
    "vector_stores.json_type",
    "json_type",
    "$.thread.tool_resources.file_search.vector_stores",
    "file_search.vector_stores is an array of vector store helpers.",
    source=f"{_THR_TR}/file_search/properties/vector_stores",
    types=("array",),
)
_add(
    "vector_stores.max_items",
    "max_items",
    "$.thread.tool_resources.file_search.vector_stores",
    "file_search.vector_stores has at most 1 item.",
    source=f"{_THR_TR}/file_search/properties/vector_stores",
    max_items=1,
)
_add(
    "vector_store.json_type",
    "json_type",
    _VS,
    "Every vector_stores item is an object.",
    source=_VSD,
    types=("object",),
)
_add(
    "vector_store.file_ids.json_type",
    "json_type",
    f"{_VS}.file_ids",
    "vector_stores[].file_ids is an array of file ids.",
    source=f"{_VSD}/properties/file_ids",
    types=("array",),
)
_add(
    "vector_store.file_ids.items.json_type",
    "json_type",
    f"{_VS}.file_ids[*]",
    "Every vector_stores[].file_ids item is a string.",
    source=f"{_VSD}/properties/file_ids/items",
    types=("string",),
)
_add(
    "vector_store.file_ids.max_items",
    "max_items",
    f"{_VS}.file_ids",
    "A vector store helper has at most 100,000,000 files.",
    source=f"{_VSD}/properties/file_ids",
    max_items=100_000_000,
)
_add(
    "chunking.json_type",
    "json_type",
    _CHUNK,
    "chunking_strategy is an object.",
    source=_CHUNKD,
    types=("object",),
)
_add(
    "chunking.type.required",
    "required",
    f"{_CHUNK}.type",
    "chunking_strategy has a type.",
    source=(f"{_CHUNKD}/oneOf/0/required", f"{_CHUNKD}/oneOf/1/required"),
)
_add(
    "chunking.type.enum",
    "enum",
    f"{_CHUNK}.type",
    "chunking_strategy.type is auto or static.",
    source=_CHUNKD,
    enum=("auto", "static"),
)
_add(
    "chunking.closed",
    "closed",
    _CHUNK,
    "An auto chunking_strategy has only type; a static one only type and static.",
    source=(f"{_CHUNKD}/oneOf/0/additionalProperties", f"{_CHUNKD}/oneOf/1/additionalProperties"),
    properties={"auto": ("type",), "static": ("type", "static")},
)
_add(
    "chunking.static.required",
    "required",
    f"{_CHUNK}.static",
    "A static chunking_strategy has a static object.",
    source=f"{_CHUNKD}/oneOf/1/required",
)
_add(
    "chunking.static.json_type",
    "json_type",
    f"{_CHUNK}.static",
    "chunking_strategy.static is an object.",
    source=_STATIC,
    types=("object",),
)
_add(
    "chunking.static.closed",
    "closed",
    f"{_CHUNK}.static",
    "chunking_strategy.static has only max_chunk_size_tokens and chunk_overlap_tokens.",
    source=f"{_STATIC}/additionalProperties",
    properties=("max_chunk_size_tokens", "chunk_overlap_tokens"),
)
for _name in ("max_chunk_size_tokens", "chunk_overlap_tokens"):
    _add(
        f"{_name}.required",
        "required",
        f"{_CHUNK}.static.{_name}",
        f"chunking_strategy.static has {_name}.",
        source=f"{_STATIC}/required",
    )
    _add(
        f"{_name}.json_type",
        "json_type",
        f"{_CHUNK}.static.{_name}",
        f"chunking_strategy.static.{_name} is an integer.",
        source=f"{_STATIC}/properties/{_name}",
        types=("integer",),
    )
_add(
    "max_chunk_size_tokens.range",
    "range",
    f"{_CHUNK}.static.max_chunk_size_tokens",
    "max_chunk_size_tokens is between 100 and 4096 inclusive.",
    source=f"{_STATIC}/properties/max_chunk_size_tokens",
    minimum=100,
    maximum=4096,
)
_add(
    "chunking.overlap_half",
    "max_fraction",
    f"{_CHUNK}.static.chunk_overlap_tokens",
    "chunk_overlap_tokens is at most half of max_chunk_size_tokens.",
    origin="prose",
    source=f"{_RESEARCH} §1.2, §1.8 item 3; {_SCHEMA}{_STATIC}/properties/chunk_overlap_tokens description",
    field="chunk_overlap_tokens",
    fraction=0.5,
    of="max_chunk_size_tokens",
)

# --- thread and messages ------------------------------------------------------------------------
_add(
    "thread.closed",
    "closed",
    "$.thread",
    "thread has only messages, tool_resources and metadata.",
    source=f"{_THR}/additionalProperties",
    properties=("messages", "tool_resources", "metadata"),
)
_add(
    "messages.json_type",
    "json_type",
    "$.thread.messages",
    "thread.messages is an array of messages.",
    source=f"{_THR}/properties/messages",
    types=("array",),
)
_add("message.json_type", "json_type", _MSG, "Every message is an object.", source=_MSGD, types=("object",))
_add(
    "message.closed",
    "closed",
    _MSG,
    "A message has only role, content, attachments and metadata.",
    source=f"{_MSGD}/additionalProperties",
    properties=("role", "content", "attachments", "metadata"),
)
_add("role.required", "required", f"{_MSG}.role", "A message has a role.", source=f"{_MSGD}/required")
_add(
    "role.enum",
    "enum",
    f"{_MSG}.role",
    "A message's role is user or assistant.",
    source=f"{_MSGD}/properties/role",
    enum=("user", "assistant"),
)
_add("content.required", "required", f"{_MSG}.content", "A message has content.", source=f"{_MSGD}/required")
_add(
    "content.json_type",
    "json_type",
    f"{_MSG}.content",
    "A message's content is a string or an array of content parts.",
    source=f"{_MSGD}/properties/content",
    types=("string", "array"),
)
_add(
    "content.min_items",
    "min_items",
    f"{_MSG}.content",
    "An array content has at least 1 content part.",
    source=f"{_MSGD}/properties/content/oneOf/1",
    min_items=1,
)
_add(
    "content_part.json_type",
    "json_type",
    _PART,
    "Every content part is an object.",
    source=f"{_MSGD}/properties/content/oneOf/1/items",
    types=("object",),
)
_add(
    "content_part.type.required",
    "required",
    f"{_PART}.type",
    "Every content part has a type.",
    source=f"{_D}/MessageRequestContentTextObject/required",
)
_add(
    "content_part.type.enum",
    "enum",
    f"{_PART}.type",
    "A content part's type is image_file, image_url or text.",
    source=f"{_MSGD}/properties/content/oneOf/1/items/oneOf",
    enum=("image_file", "image_url", "text"),
)
_add(
    "content_part.text.required",
    "required",
    f"{_PART}.text",
    "A text content part has text.",
    source=f"{_D}/MessageRequestContentTextObject/required",
)
_add(
    "content_part.text.json_type",
    "json_type",
    f"{_PART}.text",
    "A text content part's text is a string.",
    source=f"{_D}/MessageRequestContentTextObject/properties/text",
    types=("string",),
)
for _kind, _key, _def in (
    ("image_file", "file_id", "MessageContentImageFileObject"),
    ("image_url", "url", "MessageContentImageUrlObject"),
):
    _inner = f"{_D}/{_def}/properties/{_kind}"
    _add(
        f"{_kind}.required",
        "required",
        f"{_PART}.{_kind}",
        f"An {_kind} content part has an {_kind} object.",
        source=f"{_D}/{_def}/required",
    )
    _add(
        f"{_kind}.json_type",
        "json_type",
        f"{_PART}.{_kind}",
        f"A content part's {_kind} is an object.",
        source=_inner,
        types=("object",),
    )
    _add(
        f"{_kind}.{_key}.required",
        "required",
        f"{_PART}.{_kind}.{_key}",
        f"{_kind} has a {_key}.",
        source=f"{_inner}/required",
    )
    _add(
        f"{_kind}.{_key}.json_type",
        "json_type",
        f"{_PART}.{_kind}.{_key}",
        f"{_kind}.{_key} is a string.",
        source=f"{_inner}/properties/{_key}",
        types=("string",),
    )
    _add(
        f"{_kind}.detail.enum",
        "enum",
        f"{_PART}.{_kind}.detail",
        f"{_kind}.detail is auto, low or high.",
        source=f"{_inner}/properties/detail",
        enum=("auto", "low", "high"),
    )
_add(
    "attachments.json_type",
    "json_type",
    f"{_MSG}.attachments",
    "A message's attachments is an array or null.",
    source=f"{_MSGD}/properties/attachments",
    types=("array", "null"),
)
_add(
    "attachment.json_type",
    "json_type",
    _ATT,
    "Every attachment is an object.",
    source=f"{_ATTD}/items",
    types=("object",),
)
_add(
    "attachment.required_fields",
    "required_keys",
    _ATT,
    "Every attachment has both file_id and tools.",
    origin="prose",
    source=(
        f"{_RESEARCH} §1.3 (the schema puts required at the array level, where it has no effect); "
        f"{_SCHEMA}{_ATTD}/required"
    ),
    json_schema={"required": ["file_id", "tools"]},
    required=("file_id", "tools"),
)
_add(
    "attachment.file_id.json_type",
    "json_type",
    f"{_ATT}.file_id",
    "An attachment's file_id is a string.",
    source=f"{_ATTD}/items/properties/file_id",
    types=("string",),
)
_add(
    "attachment.tools.json_type",
    "json_type",
    f"{_ATT}.tools",
    "An attachment's tools is an array.",
    source=f"{_ATTD}/items/properties/tools",
    types=("array",),
)
_add(
    "attachment_tool.json_type",
    "json_type",
    f"{_ATT}.tools[*]",
    "Every attachment tool is an object.",
    source=f"{_ATTD}/items/properties/tools/items",
    types=("object",),
)
_add(
    "attachment_tool.type.required",
    "required",
    f"{_ATT}.tools[*].type",
    "Every attachment tool has a type.",
    source=f"{_D}/AssistantToolsFileSearchTypeOnly/required",
)
_add(
    "attachment_tool.type.enum",
    "enum",
    f"{_ATT}.tools[*].type",
    "An attachment tool's type is code_interpreter or file_search (not function).",
    source=f"{_ATTD}/items/properties/tools/items/oneOf",
    enum=("code_interpreter", "file_search"),
)


def _build() -> Mapping[str, Rule]:
    table: dict[str, Rule] = {}
    for entry in _ENTRIES:
        if entry.id in table:  # pragma: no cover - guarded by the tests
            raise RuntimeError(f"duplicate rule id {entry.id!r}")
        table[entry.id] = entry
    return MappingProxyType(table)


RULES: Mapping[str, Rule] = _build()
"""Every request rule, by id, in the order of the request body."""


def rule(id: str) -> Rule:
    """The rule with this id; a KeyError that lists close ids when there is none."""
    try:
        return RULES[id]
    except KeyError:
        prefix = id.split(".", 1)[0]
        close = sorted(key for key in RULES if key.split(".", 1)[0] == prefix) or sorted(RULES)[:10]
        raise UnknownRuleError(
            f"unknown rule id {id!r}; expected one of runreplay.models.RULES, "
            f"for example {', '.join(close[:12])}"
        ) from None


# --- errors that name their rule ----------------------------------------------------------------

_TYPE_WORDS = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "boolean": "a boolean",
    "null": "null",
}


def describe_types(types: Iterable[str]) -> str:
    """`("string", "null")` -> `"a string or null"`, for error messages."""
    words = [_TYPE_WORDS[name] for name in types]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def describe_value(value: Any, *, limit: int = 60) -> str:
    """A short, JSON-like rendering of `value` with its JSON type, for error messages."""
    if value is None:
        return "null"
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=True, default=repr)
    except (TypeError, ValueError):  # pragma: no cover - circular structures
        text = repr(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"{text} ({json_type(value)})"


def violation(rule_id: str, message: str, *, given: Any = None, limit: Any = None) -> PydanticCustomError:
    """The pydantic error for a broken rule: type = rule id, message = "<rule id>: <message>".

    `ctx` carries `rule`, `given` and `limit` for programs; the message is inserted last so that
    braces in user data are never mistaken for placeholders.
    """
    known = rule(rule_id)  # fail loudly on a typo in the models
    return PydanticCustomError(
        known.id,
        "{message}",
        {"rule": known.id, "given": given, "limit": limit, "message": f"{known.id}: {message}"},
    )


# --- from pydantic's error locations to JSON paths and rule ids ----------------------------------

_UNION_TAGS: Mapping[str, tuple[frozenset[str], ...]] = MappingProxyType(
    {
        "$.tools[*]": (frozenset({"code_interpreter", "file_search", "function"}),),
        f"{_MSG}.content": (frozenset({"string", "array"}),),
        f"{_PART}": (frozenset({"image_file", "image_url", "text"}),),
        f"{_ATT}.tools[*]": (frozenset({"code_interpreter", "file_search"}),),
        "$.tool_choice": (frozenset({"string", "object"}),),
        "$.response_format": (
            frozenset({"string", "object"}),
            frozenset({"text", "json_object", "json_schema"}),
        ),
        _CHUNK: (frozenset({"auto", "static"}),),
    }
)
"""Where the request models' unions put a tag into pydantic's `loc`, level by level."""

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _step(path: str, segment: int | str) -> str:
    if isinstance(segment, int):
        return f"{path}[{segment}]"
    if _IDENTIFIER.fullmatch(segment):
        return f"{path}.{segment}"
    return f"{path}[{json.dumps(segment, ensure_ascii=False)}]"


def path_pattern(path: str) -> str:
    """`$.thread.messages[3].content[0]` -> `$.thread.messages[*].content[*]`."""
    return re.sub(r"\[\d+\]", "[*]", path)


def json_path(loc: Iterable[int | str]) -> str:
    """The JSON path of a pydantic error location from the request models (union tags removed)."""
    path = "$"
    segments = list(loc)
    index = 0
    while index < len(segments):
        path = _step(path, segments[index])
        index += 1
        for tags in _UNION_TAGS.get(path_pattern(path), ()):
            if index < len(segments) and isinstance(segments[index], str) and segments[index] in tags:
                index += 1
            else:
                break
    return path


class RuleHit(NamedTuple):
    """One validation error named by its rule: rule id, JSON path where the rule applies, loc, message.

    `path` is concrete (`$.tools[3].type`) and always matches one of the rule's `paths` patterns:
    for an unknown key it is the closed object, for a missing union tag it is the `type` key.
    """

    rule: str
    path: str
    loc: tuple[int | str, ...]
    message: str


_TYPE_ERRORS = frozenset(
    {
        "string_type",
        "string_unicode",  # a lone surrogate such as "\ud800": not a valid string
        "bool_type",
        "int_type",
        "float_type",
        "list_type",
        "dict_type",
        "model_type",
        "model_attributes_type",
    }
)
_BY_KIND_AND_PATH: dict[tuple[str, str], str] = {}
for _entry in RULES.values():
    if _entry.kind in ("json_type", "required", "closed", "enum"):
        for _path in _entry.paths:
            _BY_KIND_AND_PATH.setdefault((_entry.kind, _path), _entry.id)


def rule_ids_for(error: ValidationError) -> list[RuleHit]:
    """Name the rule behind every error of a request-model ValidationError, in pydantic's order.

    Raises LookupError for an error that no rule explains (an error from some other model, or a
    gap in the registry).
    """
    hits: list[RuleHit] = []
    for detail in error.errors():
        loc = tuple(detail["loc"])
        path = json_path(loc)
        error_type = detail["type"]
        if error_type in RULES:
            hits.append(RuleHit(error_type, path, loc, detail["msg"]))
            continue
        kind: str | None = None
        if error_type == "missing":
            kind = "required"
        elif error_type == "extra_forbidden":
            # The closed object is the location minus the unknown key (computed from loc, not by
            # parsing the path text, so keys such as "x]" cannot confuse it).
            kind, path = "closed", json_path(loc[:-1])
        elif error_type == "union_tag_not_found":
            kind, path = "required", f"{path}.type"
        elif error_type == "union_tag_invalid":
            kind, path = "enum", f"{path}.type"
        elif error_type == "literal_error":
            kind = "enum"
        elif error_type in _TYPE_ERRORS:
            kind = "json_type"
        rule_id = _BY_KIND_AND_PATH.get((kind, path_pattern(path))) if kind else None
        if rule_id is None:
            raise RuleLookupError(
                f"no rule explains the pydantic error {error_type!r} at {json_path(loc)} ({detail['msg']}); "
                "rule_ids_for only understands errors from the runreplay.models request models"
            )
        hits.append(RuleHit(rule_id, path, loc, detail["msg"]))
    return hits
