"""The create-thread-and-run endpoint as data: its vendored JSON Schema, its rule names, its prose rules.

The schema-origin rules (types, required keys, enums, bounds, closed objects) are derived from the
vendored schema at import (`runreplay.models._derive`); this module only names them (`SUBJECTS`) and
adds the eight rules that only the spec's descriptions state (`PROSE`), each citing the schema
location and quoting the sentence it comes from. `UNION_TAGS` tells `json_path` where the request
models' unions put a tag into pydantic's error locations. `runreplay.models.rules` is the API over
these tables and holds nothing specific to this endpoint.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from runreplay.models._derive import schema_rules
from runreplay.models._endpoint import Endpoint, vendored_schema
from runreplay.models._rule import Rule, RuleKind, freeze

__all__ = [
    "ENDPOINT",
    "NAME_PATTERN",
    "PROSE",
    "RENAMED",
    "RULE_LIST",
    "SCHEMA",
    "SCHEMA_FILE",
    "SUBJECTS",
    "UNION_TAGS",
]

SCHEMA_FILE: Final = "create_thread_and_run_request.schema.json"
"""The vendored schema's file name (in `runreplay/models/schemas/`), as rule sources cite it."""

SCHEMA: Final[Mapping[str, Any]] = vendored_schema(SCHEMA_FILE, folder="schemas")
"""The official JSON Schema of the request body (OpenAPI 3.1 converted to draft 2020-12)."""

NAME_PATTERN: Final = "^[a-zA-Z0-9_-]{1,64}$"
"""Function and json_schema names (prose: "a-z, A-Z, 0-9, underscores and dashes, at most 64")."""

# JSON-path patterns of the objects that carry rules.
_TR = "$.thread.tool_resources"
_MSG = "$.thread.messages[*]"
_PART = f"{_MSG}.content[*]"
_ATT = f"{_MSG}.attachments[*]"
_FN = "$.tools[*].function"
_FS = "$.tools[*].file_search"
_VS = f"{_TR}.file_search.vector_stores[*]"
_CHUNK = f"{_VS}.chunking_strategy"

SUBJECTS: Final[Mapping[str, tuple[str, ...]]] = {
    "request": ("$",),
    "assistant_id": ("$.assistant_id",),
    "thread": ("$.thread",),
    "model": ("$.model",),
    "instructions": ("$.instructions",),
    "tools": ("$.tools",),
    "tool_resources": ("$.tool_resources", _TR),
    "metadata": ("$.metadata", "$.thread.metadata", f"{_MSG}.metadata", f"{_VS}.metadata"),
    "temperature": ("$.temperature",),
    "top_p": ("$.top_p",),
    "stream": ("$.stream",),
    "max_prompt_tokens": ("$.max_prompt_tokens",),
    "max_completion_tokens": ("$.max_completion_tokens",),
    "parallel_tool_calls": ("$.parallel_tool_calls",),
    "truncation_strategy": ("$.truncation_strategy",),
    "truncation_strategy.type": ("$.truncation_strategy.type",),
    "last_messages": ("$.truncation_strategy.last_messages",),
    "tool_choice": ("$.tool_choice",),
    "tool_choice.type": ("$.tool_choice.type",),
    "tool_choice.function": ("$.tool_choice.function",),
    "tool_choice.function.name": ("$.tool_choice.function.name",),
    "response_format": ("$.response_format",),
    "response_format.type": ("$.response_format.type",),
    "json_schema": ("$.response_format.json_schema",),
    "json_schema.name": ("$.response_format.json_schema.name",),
    "json_schema.description": ("$.response_format.json_schema.description",),
    "json_schema.schema": ("$.response_format.json_schema.schema",),
    "json_schema.strict": ("$.response_format.json_schema.strict",),
    "tool": ("$.tools[*]",),
    "tool.type": ("$.tools[*].type",),
    "tool.file_search": (_FS,),
    "max_num_results": (f"{_FS}.max_num_results",),
    "ranking_options": (f"{_FS}.ranking_options",),
    "ranker": (f"{_FS}.ranking_options.ranker",),
    "score_threshold": (f"{_FS}.ranking_options.score_threshold",),
    "function": (_FN,),
    "function.name": (f"{_FN}.name",),
    "function.description": (f"{_FN}.description",),
    "function.parameters": (f"{_FN}.parameters",),
    "function.strict": (f"{_FN}.strict",),
    "code_interpreter": ("$.tool_resources.code_interpreter", f"{_TR}.code_interpreter"),
    "code_interpreter.file_ids": (
        "$.tool_resources.code_interpreter.file_ids",
        f"{_TR}.code_interpreter.file_ids",
    ),
    "code_interpreter.file_ids.items": (
        "$.tool_resources.code_interpreter.file_ids[*]",
        f"{_TR}.code_interpreter.file_ids[*]",
    ),
    "tool_resources.file_search": ("$.tool_resources.file_search", f"{_TR}.file_search"),
    "vector_store_ids": (
        "$.tool_resources.file_search.vector_store_ids",
        f"{_TR}.file_search.vector_store_ids",
    ),
    "vector_store_ids.items": (
        "$.tool_resources.file_search.vector_store_ids[*]",
        f"{_TR}.file_search.vector_store_ids[*]",
    ),
    "vector_stores": (f"{_TR}.file_search.vector_stores",),
    "vector_store": (_VS,),
    "vector_store.file_ids": (f"{_VS}.file_ids",),
    "vector_store.file_ids.items": (f"{_VS}.file_ids[*]",),
    "chunking": (_CHUNK,),
    "chunking.type": (f"{_CHUNK}.type",),
    "chunking.static": (f"{_CHUNK}.static",),
    "max_chunk_size_tokens": (f"{_CHUNK}.static.max_chunk_size_tokens",),
    "chunk_overlap_tokens": (f"{_CHUNK}.static.chunk_overlap_tokens",),
    "messages": ("$.thread.messages",),
    "message": (_MSG,),
    "role": (f"{_MSG}.role",),
    "content": (f"{_MSG}.content",),
    "content_part": (_PART,),
    "content_part.type": (f"{_PART}.type",),
    "content_part.text": (f"{_PART}.text",),
    "image_file": (f"{_PART}.image_file",),
    "image_file.file_id": (f"{_PART}.image_file.file_id",),
    "image_file.detail": (f"{_PART}.image_file.detail",),
    "image_url": (f"{_PART}.image_url",),
    "image_url.url": (f"{_PART}.image_url.url",),
    "image_url.detail": (f"{_PART}.image_url.detail",),
    "attachments": (f"{_MSG}.attachments",),
    "attachment": (_ATT,),
    "attachment.file_id": (f"{_ATT}.file_id",),
    "attachment.tools": (f"{_ATT}.tools",),
    "attachment_tool": (f"{_ATT}.tools[*]",),
    "attachment_tool.type": (f"{_ATT}.tools[*].type",),
}
"""Subject (a rule id without its last part) -> the path patterns it names, in the registry's order."""

RENAMED: Final[Mapping[tuple[str, str], str]] = {
    ("required", _FN): "tool.function.required",
    ("exactly_one", f"{_TR}.file_search"): "thread.file_search.exactly_one",
}
"""The two derived rules whose ids do not follow `<subject>.<kind>`."""

# --- the rules only the prose states -----------------------------------------------------------------

_D = "#/$defs"
_METADATA = f"{_D}/Metadata/anyOf/0/description"
_STATIC = (
    f"{_D}/CreateThreadRequest/properties/tool_resources/anyOf/0/properties/file_search/properties/"
    "vector_stores/items/properties/chunking_strategy/oneOf/1/properties/static"
)
_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"
_NAME_QUOTE = "Must be a-z, A-Z, 0-9, or contain underscores and dashes, with a maximum length of 64."


def _prose(
    id: str,
    kind: RuleKind,
    paths: tuple[str, ...],
    description: str,
    *,
    pointer: str,
    quote: str,
    json_schema: Mapping[str, Any] | None,
    **limits: Any,
) -> Rule:
    """A rule only the spec's prose states; its source is the schema location and the quoted words."""
    return Rule(
        id=id,
        kind=kind,
        description=description,
        paths=paths,
        limits=freeze(limits),
        origin="prose",
        source=f'{SCHEMA_FILE}{pointer}: "{quote}"',
        json_schema=freeze(json_schema) if json_schema is not None else None,
    )


_META_PATHS = SUBJECTS["metadata"]


def _metadata(
    id: str, kind: RuleKind, description: str, quote: str, json_schema: Mapping[str, Any], **limits: Any
) -> Rule:
    """A rule of every metadata object, stated in the `Metadata` description."""
    return _prose(
        id, kind, _META_PATHS, description, pointer=_METADATA, quote=quote, json_schema=json_schema, **limits
    )


def _name_pattern(id: str, path: str, name: str, pointer: str) -> Rule:
    """The naming rule of function and json_schema names (1 to 64 of a-z, A-Z, 0-9, `_` and `-`)."""
    return _prose(
        id,
        "pattern",
        (path,),
        f"{name} is 1 to 64 letters, digits, underscores or dashes.",
        pointer=pointer,
        quote=_NAME_QUOTE,
        json_schema={"pattern": NAME_PATTERN},
        pattern=NAME_PATTERN,
        min_length=1,
        max_length=64,
        alphabet=_ALPHABET,
    )


PROSE: Final[tuple[Rule, ...]] = (
    _metadata(
        "metadata.max_pairs",
        "max_properties",
        "metadata has at most 16 key-value pairs.",
        "Set of 16 key-value pairs that can be attached to an object.",
        {"maxProperties": 16},
        max_properties=16,
    ),
    _metadata(
        "metadata.key_length",
        "key_length",
        "Every metadata key has at most 64 characters.",
        "Keys are strings with a maximum length of 64 characters.",
        {"propertyNames": {"maxLength": 64}},
        max_length=64,
    ),
    _metadata(
        "metadata.value_length",
        "value_length",
        "Every metadata value has at most 512 characters.",
        "Values are strings with a maximum length of 512 characters.",
        {"additionalProperties": {"maxLength": 512}},
        max_length=512,
    ),
    _prose(
        "tool_choice.function_name_required",
        "required_if",
        ("$.tool_choice",),
        "A tool_choice of type function names the function (function.name).",
        pointer=f"{_D}/AssistantsNamedToolChoice/properties/type/description",
        quote="If type is `function`, the function name must be set",
        json_schema={
            "if": {"type": "object", "properties": {"type": {"const": "function"}}, "required": ["type"]},
            "then": {"required": ["function"]},
        },
        required=("function",),
        **{"if": {"type": "function"}},
    ),
    _name_pattern(
        "json_schema.name_pattern",
        "$.response_format.json_schema.name",
        "response_format.json_schema.name",
        f"{_D}/ResponseFormatJsonSchema/properties/json_schema/properties/name/description",
    ),
    _name_pattern(
        "function.name_pattern",
        f"{_FN}.name",
        "function.name",
        f"{_D}/FunctionObject/properties/name/description",
    ),
    _prose(
        "chunking.overlap_half",
        "max_fraction",
        (f"{_CHUNK}.static.chunk_overlap_tokens",),
        "chunk_overlap_tokens is at most half of max_chunk_size_tokens.",
        pointer=f"{_STATIC}/properties/chunk_overlap_tokens/description",
        quote="Note that the overlap must not exceed half of `max_chunk_size_tokens`.",
        json_schema=None,  # a comparison of two keys: JSON Schema cannot say it
        field="chunk_overlap_tokens",
        fraction=0.5,
        of="max_chunk_size_tokens",
    ),
    _prose(
        "attachment.required_fields",
        "required_keys",
        (_ATT,),
        "Every attachment has both file_id and tools.",
        pointer=f"{_D}/CreateMessageRequest/properties/attachments/anyOf/0/required",
        quote='["file_id", "tools"]',  # written on the array, where JSON Schema ignores it
        json_schema={"required": ["file_id", "tools"]},
        required=("file_id", "tools"),
    ),
)
"""The rules only the spec's descriptions state; each source quotes them."""

ENDPOINT: Final = Endpoint(
    name="POST /v1/threads/runs",
    schema=SCHEMA,
    schema_file=SCHEMA_FILE,
    root_defs=("CreateThreadAndRunRequest",),
)
"""The endpoint as data for the generic machinery (`.compiled`, `.check`); its rule ids are `RULE_LIST`'s."""

RULE_LIST: Final[tuple[Rule, ...]] = tuple(
    schema_rules(ENDPOINT.compiled, subjects=SUBJECTS, renamed=RENAMED, source_file=SCHEMA_FILE, prose=PROSE)
)
"""Every rule of the endpoint, derived and prose, in registry order."""

UNION_TAGS: Final[Mapping[str, tuple[frozenset[str], ...]]] = MappingProxyType(
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
"""Where the request models' unions put a tag into pydantic's `loc`, level by level (read by `json_path`)."""
