"""Strict pydantic models of the `POST /v1/threads/runs` request body and every part it references.

Class names follow the OpenAPI spec's components (`CreateThreadAndRunRequest`, `FunctionObject`, …);
inline objects the spec leaves anonymous get descriptive names (`MessageAttachment`, `ThreadVectorStore`,
`StaticChunkingStrategy`, …).

How the models read the wire:

* The wire body is `req.model_dump(mode="json", exclude_unset=True)`; validating a valid body and
  dumping it this way gives the same body back: explicit nulls, key presence and the extra keys of
  open objects included.
* Objects the schema closes (`additionalProperties: false`: the request, `thread`, messages and the
  chunking strategies) reject unknown keys; every other object keeps unknown keys as extras.
* No coercion: a bool is not a number, a number is not a string, `"1"` is not an integer
  (pydantic strict mode plus our own number checks).
* An optional key the schema does not make nullable (`thread`, `parallel_tool_calls`, most nested
  keys) may be left out but may not be null. Its attribute reads `None` when it was left out.
* Integer keys accept integral floats such as `256.0`, as JSON Schema does (they are integers in
  JSON's data model), and keep them as floats so the body round-trips byte for byte. Their Python
  type is therefore `int | float`. Non-finite numbers (NaN, Infinity) are rejected: they are not JSON.
* Every bound of the schema and every prose-only rule that constrains the body is checked, each under
  a stable rule id (`runreplay.models.rules`). Not checked, on purpose: image URL file types (a URL
  need not end in .png), the advice to change temperature *or* top_p, and "type last_messages needs
  last_messages", which the spec does not state (TruncationObject's description only implies it).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    ModelWrapValidatorHandler,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from runreplay.models._checks import (
    Closed,
    Open,
    check_content,
    check_metadata,
    max_items,
    name_pattern,
    not_null,
    number,
    shape,
    string_or_array,
    string_or_object,
)
from runreplay.models.rules import violation

__all__ = [
    "ASSISTANT_MODELS",
    "AssistantTool",
    "AssistantToolsCode",
    "AssistantToolsFileSearch",
    "AssistantToolsFileSearchOptions",
    "AssistantToolsFileSearchTypeOnly",
    "AssistantToolsFunction",
    "AssistantsApiResponseFormatOption",
    "AssistantsApiToolChoiceOption",
    "AssistantsNamedToolChoice",
    "AssistantsNamedToolChoiceFunction",
    "AutoChunkingStrategy",
    "ChunkingStrategy",
    "CreateMessageRequest",
    "CreateThreadAndRunRequest",
    "CreateThreadAndRunToolResources",
    "CreateThreadRequest",
    "CreateThreadToolResources",
    "FileSearchRanker",
    "FileSearchRankingOptions",
    "FunctionObject",
    "FunctionParameters",
    "JsonSchemaDefinition",
    "MessageAttachment",
    "MessageAttachmentTool",
    "MessageContentImageFile",
    "MessageContentImageFileObject",
    "MessageContentImageUrl",
    "MessageContentImageUrlObject",
    "MessageContentPart",
    "MessageRequestContent",
    "MessageRequestContentTextObject",
    "Metadata",
    "ParallelToolCalls",
    "ResponseFormatJsonObject",
    "ResponseFormatJsonSchema",
    "ResponseFormatJsonSchemaSchema",
    "ResponseFormatObject",
    "ResponseFormatText",
    "StaticChunkingStrategy",
    "StaticChunkingStrategyOptions",
    "ThreadToolResourcesFileSearch",
    "ThreadVectorStore",
    "ToolResourcesCodeInterpreter",
    "ToolResourcesFileSearch",
    "TruncationObject",
]

ASSISTANT_MODELS: tuple[str, ...] = (
    "gpt-5",
    "gpt-5-mini",
    "gpt-5-nano",
    "gpt-5-2025-08-07",
    "gpt-5-mini-2025-08-07",
    "gpt-5-nano-2025-08-07",
    "gpt-4.1",
    "gpt-4.1-mini",
    "gpt-4.1-nano",
    "gpt-4.1-2025-04-14",
    "gpt-4.1-mini-2025-04-14",
    "gpt-4.1-nano-2025-04-14",
    "gpt-4o",
    "gpt-4o-2024-11-20",
    "gpt-4o-2024-08-06",
    "gpt-4o-2024-05-13",
    "gpt-4o-mini",
    "gpt-4o-mini-2024-07-18",
    "gpt-4.5-preview",
    "gpt-4.5-preview-2025-02-27",
    "gpt-4-turbo",
    "gpt-4-turbo-2024-04-09",
    "gpt-4-0125-preview",
    "gpt-4-turbo-preview",
    "gpt-4-1106-preview",
    "gpt-4-vision-preview",
    "gpt-4",
    "gpt-4-0314",
    "gpt-4-0613",
    "gpt-4-32k",
    "gpt-4-32k-0314",
    "gpt-4-32k-0613",
    "gpt-3.5-turbo",
    "gpt-3.5-turbo-16k",
    "gpt-3.5-turbo-0613",
    "gpt-3.5-turbo-1106",
    "gpt-3.5-turbo-0125",
    "gpt-3.5-turbo-16k-0613",
)
"""The model names the spec lists for `model` (any other string is valid too)."""


# --- shared components --------------------------------------------------------------------------

Metadata = Annotated[dict[str, str] | None, BeforeValidator(check_metadata)]
"""Up to 16 string pairs (keys ≤ 64, values ≤ 512 characters), or null."""

ParallelToolCalls = bool
"""Whether the model may call functions in parallel (server default: true; never null)."""

FunctionParameters = dict[str, Any]
"""A JSON Schema object describing a function's parameters (kept as given)."""

ResponseFormatJsonSchemaSchema = dict[str, Any]
"""The JSON Schema a json_schema response format must follow (kept as given)."""

FileSearchRanker = Literal["auto", "default_2024_08_21"]
"""The file search ranker."""


class FileSearchRankingOptions(Open):
    """File search ranking: a ranker and a score threshold between 0 and 1."""

    ranker: Annotated[FileSearchRanker | None, not_null("ranker.enum")] = None
    score_threshold: Annotated[
        float | int, number("score_threshold", nullable=False, bounds="score_threshold.range")
    ]


# --- tools --------------------------------------------------------------------------------------


class AssistantToolsCode(Open):
    """The code_interpreter tool."""

    type: Literal["code_interpreter"]


class AssistantToolsFileSearchOptions(Open):
    """Overrides for the file_search tool: how many results and how to rank them."""

    max_num_results: Annotated[
        int | float | None,
        number("max_num_results", nullable=False, integer=True, bounds="max_num_results.range"),
    ] = None
    ranking_options: Annotated[FileSearchRankingOptions | None, not_null("ranking_options.json_type")] = None


class AssistantToolsFileSearch(Open):
    """The file_search tool, with optional overrides."""

    type: Literal["file_search"]
    file_search: Annotated[AssistantToolsFileSearchOptions | None, not_null("tool.file_search.json_type")] = (
        None
    )


class AssistantToolsFileSearchTypeOnly(Open):
    """The file_search tool as an attachment names it (type only)."""

    type: Literal["file_search"]


class FunctionObject(Open):
    """A function the model may call: its name, description and JSON Schema parameters."""

    name: Annotated[str, name_pattern("function.name_pattern", "function name")]
    description: Annotated[str | None, not_null("function.description.json_type")] = None
    parameters: Annotated[FunctionParameters | None, not_null("function.parameters.json_type")] = None
    strict: bool | None = None


class AssistantToolsFunction(Open):
    """A function tool."""

    type: Literal["function"]
    function: FunctionObject


AssistantTool = Annotated[
    AssistantToolsCode | AssistantToolsFileSearch | AssistantToolsFunction, Field(discriminator="type")
]
"""One entry of `tools`, chosen by its `type`."""


# --- tool_resources -----------------------------------------------------------------------------


class ToolResourcesCodeInterpreter(Open):
    """Files for the code_interpreter tool (at most 20)."""

    file_ids: Annotated[
        list[str] | None,
        not_null("code_interpreter.file_ids.json_type"),
        max_items("code_interpreter.file_ids.max_items"),
    ] = None


class ToolResourcesFileSearch(Open):
    """The run-level file_search resources: at most one vector store id."""

    vector_store_ids: Annotated[
        list[str] | None, not_null("vector_store_ids.json_type"), max_items("vector_store_ids.max_items")
    ] = None


class CreateThreadAndRunToolResources(Open):
    """The run-level `tool_resources`."""

    code_interpreter: Annotated[
        ToolResourcesCodeInterpreter | None, not_null("code_interpreter.json_type")
    ] = None
    file_search: Annotated[
        ToolResourcesFileSearch | None, not_null("tool_resources.file_search.json_type")
    ] = None


class StaticChunkingStrategyOptions(Closed):
    """Static chunking: chunk size 100–4096 tokens, overlap at most half of it."""

    max_chunk_size_tokens: Annotated[
        int | float,
        number("max_chunk_size_tokens", nullable=False, integer=True, bounds="max_chunk_size_tokens.range"),
    ]
    chunk_overlap_tokens: Annotated[int | float, number("chunk_overlap_tokens", nullable=False, integer=True)]

    @field_validator("chunk_overlap_tokens")
    @classmethod
    def _overlap_at_most_half(cls, value: int | float, info: ValidationInfo) -> int | float:
        size = info.data.get("max_chunk_size_tokens")
        if size is not None and value * 2 > size:
            half = size / 2
            shown = repr(int(half)) if half.is_integer() else repr(half)
            raise violation(
                "chunking.overlap_half",
                f"chunk_overlap_tokens is {value!r} but max_chunk_size_tokens is {size!r}; the overlap may "
                f"be at most half of max_chunk_size_tokens ({shown})",
                given=value,
                limit=half,
            )
        return value


class AutoChunkingStrategy(Closed):
    """The default chunking strategy (800-token chunks, 400-token overlap)."""

    type: Literal["auto"]


class StaticChunkingStrategy(Closed):
    """A static chunking strategy with explicit sizes."""

    type: Literal["static"]
    static: StaticChunkingStrategyOptions


ChunkingStrategy = Annotated[AutoChunkingStrategy | StaticChunkingStrategy, Field(discriminator="type")]
"""How a vector store helper chunks its files, chosen by `type`."""


class ThreadVectorStore(Open):
    """A `vector_stores` helper: create a vector store from files and attach it to the thread."""

    file_ids: Annotated[
        list[str] | None,
        not_null("vector_store.file_ids.json_type"),
        max_items("vector_store.file_ids.max_items"),
    ] = None
    chunking_strategy: Annotated[ChunkingStrategy | None, not_null("chunking.json_type")] = None
    metadata: Metadata = None


class ThreadToolResourcesFileSearch(Open):
    """The thread-level file_search resources: exactly one of vector_store_ids and vector_stores."""

    vector_store_ids: Annotated[
        list[str] | None, not_null("vector_store_ids.json_type"), max_items("vector_store_ids.max_items")
    ] = None
    vector_stores: Annotated[
        list[ThreadVectorStore] | None,
        not_null("vector_stores.json_type"),
        max_items("vector_stores.max_items"),
    ] = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        given = [key for key in ("vector_store_ids", "vector_stores") if key in self.model_fields_set]
        if len(given) != 1:
            found = (
                "both vector_store_ids and vector_stores"
                if given
                else "neither vector_store_ids nor vector_stores"
            )
            raise violation(
                "thread.file_search.exactly_one",
                f"thread.tool_resources.file_search has {found}; give exactly one of them "
                "(vector_store_ids to attach an existing store, vector_stores to create one)",
                given=tuple(given),
                limit=("vector_store_ids", "vector_stores"),
            )
        return self


class CreateThreadToolResources(Open):
    """The thread-level `tool_resources`."""

    code_interpreter: Annotated[
        ToolResourcesCodeInterpreter | None, not_null("code_interpreter.json_type")
    ] = None
    file_search: Annotated[
        ThreadToolResourcesFileSearch | None, not_null("tool_resources.file_search.json_type")
    ] = None


# --- messages -----------------------------------------------------------------------------------


class MessageRequestContentTextObject(Open):
    """A text content part."""

    type: Literal["text"]
    text: str


class MessageContentImageFile(Open):
    """An uploaded image file and the detail level to read it at."""

    file_id: str
    detail: Annotated[Literal["auto", "low", "high"] | None, not_null("image_file.detail.enum")] = None


class MessageContentImageFileObject(Open):
    """An image file content part."""

    type: Literal["image_file"]
    image_file: MessageContentImageFile


class MessageContentImageUrl(Open):
    """An image URL and the detail level to read it at."""

    url: str
    detail: Annotated[Literal["auto", "low", "high"] | None, not_null("image_url.detail.enum")] = None


class MessageContentImageUrlObject(Open):
    """An image URL content part."""

    type: Literal["image_url"]
    image_url: MessageContentImageUrl


MessageContentPart = Annotated[
    MessageContentImageFileObject | MessageContentImageUrlObject | MessageRequestContentTextObject,
    Field(discriminator="type"),
]
"""One content part of a message, chosen by its `type`."""

MessageRequestContent = Annotated[
    Annotated[str, Tag("string")] | Annotated[list[MessageContentPart], Tag("array")],
    Discriminator(string_or_array),
    BeforeValidator(check_content),
]
"""A message's content: a string, or a non-empty array of content parts."""

MessageAttachmentTool = Annotated[
    AssistantToolsCode | AssistantToolsFileSearchTypeOnly, Field(discriminator="type")
]
"""A tool an attached file is added to (code_interpreter or file_search; never function)."""


class MessageAttachment(Open):
    """A file attached to a message, and the tools it is added to."""

    file_id: str
    tools: list[MessageAttachmentTool]

    @model_validator(mode="before")
    @classmethod
    def _required_fields(cls, data: Any) -> Any:
        if isinstance(data, dict):
            missing = [key for key in ("file_id", "tools") if key not in data]
            if missing:
                what = " and ".join(missing)
                raise violation(
                    "attachment.required_fields",
                    f"the attachment has no {what}; an attachment needs both file_id and tools "
                    '(for example {"file_id": "file-abc", "tools": [{"type": "file_search"}]})',
                    given=tuple(sorted(data, key=str)),
                    limit=("file_id", "tools"),
                )
        return data


class CreateMessageRequest(Closed):
    """A message to start the thread with."""

    role: Literal["user", "assistant"]
    content: MessageRequestContent
    attachments: list[MessageAttachment] | None = None
    metadata: Metadata = None


class CreateThreadRequest(Closed):
    """The thread to create (`{}` creates an empty one)."""

    messages: Annotated[list[CreateMessageRequest] | None, not_null("messages.json_type")] = None
    tool_resources: CreateThreadToolResources | None = None
    metadata: Metadata = None


# --- truncation, tool choice, response format ---------------------------------------------------


class TruncationObject(Open):
    """How to truncate the thread before the run: `auto`, or keep the `last_messages` most recent."""

    type: Literal["auto", "last_messages"]
    last_messages: Annotated[
        int | float | None, number("last_messages", nullable=True, integer=True, bounds="last_messages.min")
    ] = None


class AssistantsNamedToolChoiceFunction(Open):
    """The function a named tool choice forces."""

    name: str


class AssistantsNamedToolChoice(Open):
    """Force one tool; a `function` choice must name the function."""

    type: Literal["function", "code_interpreter", "file_search"]
    function: Annotated[
        AssistantsNamedToolChoiceFunction | None, not_null("tool_choice.function.json_type")
    ] = None

    @model_validator(mode="after")
    def _function_named(self) -> Self:
        if self.type == "function" and self.function is None:
            raise violation(
                "tool_choice.function_name_required",
                'tool_choice has type "function" but no function; add "function": {"name": "<function to '
                'call>"}, or use the string "required" to let the model pick a tool',
                given=self.type,
                limit=("function",),
            )
        return self


AssistantsApiToolChoiceOption = Annotated[
    Annotated[Literal["none", "auto", "required"], Tag("string")]
    | Annotated[AssistantsNamedToolChoice, Tag("object")],
    Discriminator(string_or_object),
    shape("tool_choice.json_type", "tool_choice"),
]
"""`none`, `auto`, `required`, or a named tool."""


class ResponseFormatText(Open):
    """Answer in plain text."""

    type: Literal["text"]


class ResponseFormatJsonObject(Open):
    """JSON mode: answer with a JSON object (instruct the model to do so, too)."""

    type: Literal["json_object"]


class JsonSchemaDefinition(Open):
    """The json_schema of a json_schema response format: a name, a description and the schema."""

    model_config = ConfigDict(serialize_by_alias=True)

    name: Annotated[str, name_pattern("json_schema.name_pattern", "json_schema name")]
    description: Annotated[str | None, not_null("json_schema.description.json_type")] = None
    schema_: Annotated[ResponseFormatJsonSchemaSchema | None, not_null("json_schema.schema.json_type")] = (
        Field(default=None, alias="schema")
    )
    strict: bool | None = None

    @model_validator(mode="wrap")
    @classmethod
    def _schema_given_only_as_schema(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        # An unknown wire key "schema_" is an extra, but pydantic also records it in model_fields_set
        # under the field's Python name, which would make the unset "schema" field dump as null.
        model = handler(data)
        if isinstance(data, dict) and "schema" not in data:
            model.__pydantic_fields_set__.discard("schema_")
        return model


class ResponseFormatJsonSchema(Open):
    """Structured Outputs: answer with JSON that follows the given schema."""

    type: Literal["json_schema"]
    json_schema: JsonSchemaDefinition


ResponseFormatObject = Annotated[
    ResponseFormatText | ResponseFormatJsonObject | ResponseFormatJsonSchema, Field(discriminator="type")
]
"""An object response format, chosen by its `type`."""

AssistantsApiResponseFormatOption = Annotated[
    Annotated[Literal["auto"], Tag("string")] | Annotated[ResponseFormatObject, Tag("object")],
    Discriminator(string_or_object),
    shape("response_format.json_type", "response_format"),
]
"""`"auto"` or an object response format."""


# --- the request --------------------------------------------------------------------------------


class CreateThreadAndRunRequest(Closed):
    """The body of `POST /v1/threads/runs`: create a thread and run it in one request."""

    assistant_id: str
    thread: Annotated[CreateThreadRequest | None, not_null("thread.json_type")] = None
    model: str | None = None
    instructions: str | None = None
    tools: Annotated[list[AssistantTool] | None, max_items("tools.max_items")] = None
    tool_resources: CreateThreadAndRunToolResources | None = None
    metadata: Metadata = None
    temperature: Annotated[
        float | int | None, number("temperature", nullable=True, bounds="temperature.range")
    ] = None
    top_p: Annotated[float | int | None, number("top_p", nullable=True, bounds="top_p.range")] = None
    stream: bool | None = None
    max_prompt_tokens: Annotated[
        int | float | None,
        number("max_prompt_tokens", nullable=True, integer=True, bounds="max_prompt_tokens.min"),
    ] = None
    max_completion_tokens: Annotated[
        int | float | None,
        number("max_completion_tokens", nullable=True, integer=True, bounds="max_completion_tokens.min"),
    ] = None
    truncation_strategy: TruncationObject | None = None
    tool_choice: AssistantsApiToolChoiceOption | None = None
    parallel_tool_calls: Annotated[ParallelToolCalls | None, not_null("parallel_tool_calls.json_type")] = None
    response_format: AssistantsApiResponseFormatOption | None = None
