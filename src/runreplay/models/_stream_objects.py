"""The tolerant response objects of the Assistants stream: the base, enums, thread, run and run steps.

Every field is optional and unknown keys are kept (see `runreplay.models.events` for why); a union
member of an unknown `type` becomes an `UnknownObject`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Tag

__all__ = [
    "CodeInterpreterCall",
    "CodeInterpreterCallDelta",
    "CodeInterpreterImage",
    "CodeInterpreterImageDelta",
    "CodeInterpreterImageFile",
    "CodeInterpreterLogs",
    "CodeInterpreterLogsDelta",
    "CodeInterpreterOutput",
    "CodeInterpreterOutputDelta",
    "CodeInterpreterToolCall",
    "CodeInterpreterToolCallDelta",
    "Detail",
    "FileSearchCall",
    "FileSearchCallRankingOptions",
    "FileSearchResult",
    "FileSearchResultContent",
    "FileSearchToolCall",
    "FileSearchToolCallDelta",
    "FunctionCall",
    "FunctionToolCall",
    "FunctionToolCallDelta",
    "LastError",
    "MessageCreation",
    "MessageCreationStepDetails",
    "MessageCreationStepDetailsDelta",
    "MessageStatus",
    "RequiredAction",
    "RunCompletionUsage",
    "RunFunctionDefinition",
    "RunIncompleteDetails",
    "RunObject",
    "RunResponseFormat",
    "RunStatus",
    "RunStepCompletionUsage",
    "RunStepDelta",
    "RunStepDeltaObject",
    "RunStepDetails",
    "RunStepDetailsDelta",
    "RunStepObject",
    "RunStepStatus",
    "RunToolCallFunction",
    "RunToolCallObject",
    "RunToolChoice",
    "RunToolChoiceFunction",
    "RunToolDefinition",
    "RunTruncationStrategy",
    "SubmitToolOutputs",
    "ThreadObject",
    "Tolerant",
    "ToolCall",
    "ToolCallDelta",
    "ToolCallsStepDetails",
    "ToolCallsStepDetailsDelta",
    "ToolResourcesCodeInterpreterObject",
    "ToolResourcesFileSearchObject",
    "ToolResourcesObject",
    "UnknownObject",
    "type_tag",
]


class Tolerant(BaseModel):
    """A response object: every field optional, unknown keys kept."""

    model_config = ConfigDict(extra="allow")


class UnknownObject(Tolerant):
    """A union member whose `type` this version does not know; all its keys are kept as extras."""

    type: str | None = None


def type_tag(*known: str) -> Callable[[Any], str]:
    """A discriminator that maps unknown or missing types to the `UnknownObject` member."""
    names = frozenset(known)

    def pick(value: Any) -> str:
        kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
        return kind if isinstance(kind, str) and kind in names else "unknown"

    return pick


# --- enums (known values; any other string is accepted) -----------------------------------------

RunStatus = Literal[
    "queued",
    "in_progress",
    "requires_action",
    "cancelling",
    "cancelled",
    "failed",
    "completed",
    "incomplete",
    "expired",
]
"""The run statuses the spec knows."""

RunStepStatus = Literal["in_progress", "cancelled", "failed", "completed", "expired"]
"""The run step statuses the spec knows."""

MessageStatus = Literal["in_progress", "incomplete", "completed"]
"""The message statuses the spec knows."""

Detail = Literal["auto", "low", "high"]


# --- shared pieces ------------------------------------------------------------------------------


class LastError(Tolerant):
    """The last error of a run or run step."""

    code: Literal["server_error", "rate_limit_exceeded", "invalid_prompt"] | str | None = None
    message: str | None = None


class RunCompletionUsage(Tolerant):
    """Token usage of a run or run step (null until it ends)."""

    completion_tokens: int | None = None
    prompt_tokens: int | None = None
    total_tokens: int | None = None


RunStepCompletionUsage = RunCompletionUsage
"""Token usage of a run step: the same shape as a run's."""


class ToolResourcesCodeInterpreterObject(Tolerant):
    """The files available to code_interpreter."""

    file_ids: list[str] | None = None


class ToolResourcesFileSearchObject(Tolerant):
    """The vector stores available to file_search."""

    vector_store_ids: list[str] | None = None


class ToolResourcesObject(Tolerant):
    """The resources of a thread (or run) for its tools."""

    code_interpreter: ToolResourcesCodeInterpreterObject | None = None
    file_search: ToolResourcesFileSearchObject | None = None


# --- thread -------------------------------------------------------------------------------------


class ThreadObject(Tolerant):
    """A thread, as `thread.created` reports it."""

    id: str | None = None
    object: str | None = None
    created_at: int | None = None
    tool_resources: ToolResourcesObject | None = None
    metadata: dict[str, str] | None = None


# --- run ----------------------------------------------------------------------------------------


class RunToolCallFunction(Tolerant):
    """The function a required action asks you to call, with its full arguments."""

    name: str | None = None
    arguments: str | None = None


class RunToolCallObject(Tolerant):
    """One tool call a `requires_action` run waits for."""

    id: str | None = None
    type: Literal["function"] | str | None = None
    function: RunToolCallFunction | None = None


class SubmitToolOutputs(Tolerant):
    """The tool calls to answer with submit_tool_outputs."""

    tool_calls: list[RunToolCallObject] | None = None


class RequiredAction(Tolerant):
    """What a `requires_action` run needs from you."""

    type: Literal["submit_tool_outputs"] | str | None = None
    submit_tool_outputs: SubmitToolOutputs | None = None


class RunIncompleteDetails(Tolerant):
    """Why a run ended incomplete."""

    reason: Literal["max_completion_tokens", "max_prompt_tokens"] | str | None = None


class RunFunctionDefinition(Tolerant):
    """A function tool as a run echoes it."""

    name: str | None = None
    description: str | None = None
    parameters: dict[str, Any] | None = None
    strict: bool | None = None


class RunToolDefinition(Tolerant):
    """A tool as a run echoes it (code_interpreter, file_search or function)."""

    type: str | None = None
    function: RunFunctionDefinition | None = None
    file_search: dict[str, Any] | None = None


class RunTruncationStrategy(Tolerant):
    """A run's truncation strategy."""

    type: Literal["auto", "last_messages"] | str | None = None
    last_messages: int | None = None


class RunToolChoiceFunction(Tolerant):
    """The function a named tool choice forces."""

    name: str | None = None


class RunToolChoice(Tolerant):
    """A named tool choice as a run echoes it."""

    type: str | None = None
    function: RunToolChoiceFunction | None = None


class RunResponseFormat(Tolerant):
    """An object response format as a run echoes it."""

    type: str | None = None
    json_schema: dict[str, Any] | None = None


class RunObject(Tolerant):
    """A run, as the `thread.run.*` events report it."""

    id: str | None = None
    object: str | None = None
    created_at: int | None = None
    thread_id: str | None = None
    assistant_id: str | None = None
    status: RunStatus | str | None = None
    required_action: RequiredAction | None = None
    last_error: LastError | None = None
    expires_at: int | None = None
    started_at: int | None = None
    cancelled_at: int | None = None
    failed_at: int | None = None
    completed_at: int | None = None
    incomplete_details: RunIncompleteDetails | None = None
    model: str | None = None
    instructions: str | None = None
    tools: list[RunToolDefinition] | None = None
    tool_resources: ToolResourcesObject | None = None
    metadata: dict[str, str] | None = None
    usage: RunCompletionUsage | None = None
    temperature: float | None = None
    top_p: float | None = None
    max_prompt_tokens: int | None = None
    max_completion_tokens: int | None = None
    truncation_strategy: RunTruncationStrategy | None = None
    tool_choice: str | RunToolChoice | None = None
    parallel_tool_calls: bool | None = None
    response_format: str | RunResponseFormat | None = None


# --- run steps ----------------------------------------------------------------------------------


class MessageCreation(Tolerant):
    """The message a message_creation step creates."""

    message_id: str | None = None


class MessageCreationStepDetails(Tolerant):
    """A step that creates a message."""

    type: Literal["message_creation"] | None = None
    message_creation: MessageCreation | None = None


class CodeInterpreterLogs(Tolerant):
    """Text output of a code_interpreter call."""

    type: Literal["logs"] | None = None
    logs: str | None = None


class CodeInterpreterImageFile(Tolerant):
    """The file of an image a code_interpreter call produced."""

    file_id: str | None = None


class CodeInterpreterImage(Tolerant):
    """Image output of a code_interpreter call."""

    type: Literal["image"] | None = None
    image: CodeInterpreterImageFile | None = None


CodeInterpreterOutput = Annotated[
    Annotated[CodeInterpreterLogs, Tag("logs")]
    | Annotated[CodeInterpreterImage, Tag("image")]
    | Annotated[UnknownObject, Tag("unknown")],
    Discriminator(type_tag("logs", "image")),
]
"""One output of a code_interpreter call, chosen by `type`."""


class CodeInterpreterCall(Tolerant):
    """The input and outputs of a code_interpreter call."""

    input: str | None = None
    outputs: list[CodeInterpreterOutput] | None = None


class CodeInterpreterToolCall(Tolerant):
    """A code_interpreter tool call."""

    id: str | None = None
    type: Literal["code_interpreter"] | None = None
    code_interpreter: CodeInterpreterCall | None = None


class FileSearchCallRankingOptions(Tolerant):
    """The ranking a file_search call used."""

    ranker: Literal["auto", "default_2024_08_21"] | str | None = None
    score_threshold: float | None = None


class FileSearchResultContent(Tolerant):
    """A piece of a file_search result's content."""

    type: str | None = None
    text: str | None = None


class FileSearchResult(Tolerant):
    """One file_search result."""

    file_id: str | None = None
    file_name: str | None = None
    score: float | None = None
    content: list[FileSearchResultContent] | None = None


class FileSearchCall(Tolerant):
    """The ranking and results of a file_search call."""

    ranking_options: FileSearchCallRankingOptions | None = None
    results: list[FileSearchResult] | None = None


class FileSearchToolCall(Tolerant):
    """A file_search tool call."""

    id: str | None = None
    type: Literal["file_search"] | None = None
    file_search: FileSearchCall | None = None


class FunctionCall(Tolerant):
    """A function call: name, arguments (JSON text) and, once submitted, its output."""

    name: str | None = None
    arguments: str | None = None
    output: str | None = None


class FunctionToolCall(Tolerant):
    """A function tool call."""

    id: str | None = None
    type: Literal["function"] | None = None
    function: FunctionCall | None = None


ToolCall = Annotated[
    Annotated[CodeInterpreterToolCall, Tag("code_interpreter")]
    | Annotated[FileSearchToolCall, Tag("file_search")]
    | Annotated[FunctionToolCall, Tag("function")]
    | Annotated[UnknownObject, Tag("unknown")],
    Discriminator(type_tag("code_interpreter", "file_search", "function")),
]
"""One tool call of a tool_calls step, chosen by `type`."""


class ToolCallsStepDetails(Tolerant):
    """A step that calls tools."""

    type: Literal["tool_calls"] | None = None
    tool_calls: list[ToolCall] | None = None


RunStepDetails = Annotated[
    Annotated[MessageCreationStepDetails, Tag("message_creation")]
    | Annotated[ToolCallsStepDetails, Tag("tool_calls")]
    | Annotated[UnknownObject, Tag("unknown")],
    Discriminator(type_tag("message_creation", "tool_calls")),
]
"""The details of a run step, chosen by `type`."""


class RunStepObject(Tolerant):
    """A run step, as the `thread.run.step.*` events report it."""

    id: str | None = None
    object: str | None = None
    created_at: int | None = None
    assistant_id: str | None = None
    thread_id: str | None = None
    run_id: str | None = None
    type: Literal["message_creation", "tool_calls"] | str | None = None
    status: RunStepStatus | str | None = None
    step_details: RunStepDetails | None = None
    last_error: LastError | None = None
    expired_at: int | None = None
    expires_at: int | None = None
    """Not in the spec; 2024 servers sent it instead of `expired_at`."""
    cancelled_at: int | None = None
    failed_at: int | None = None
    completed_at: int | None = None
    metadata: dict[str, str] | None = None
    usage: RunStepCompletionUsage | None = None


class MessageCreationStepDetailsDelta(Tolerant):
    """A change to a message_creation step."""

    type: Literal["message_creation"] | None = None
    message_creation: MessageCreation | None = None


class CodeInterpreterLogsDelta(Tolerant):
    """A fragment of code_interpreter text output."""

    index: int | None = None
    type: Literal["logs"] | None = None
    logs: str | None = None


class CodeInterpreterImageDelta(Tolerant):
    """A code_interpreter image output, in a delta."""

    index: int | None = None
    type: Literal["image"] | None = None
    image: CodeInterpreterImageFile | None = None


CodeInterpreterOutputDelta = Annotated[
    Annotated[CodeInterpreterLogsDelta, Tag("logs")]
    | Annotated[CodeInterpreterImageDelta, Tag("image")]
    | Annotated[UnknownObject, Tag("unknown")],
    Discriminator(type_tag("logs", "image")),
]
"""One code_interpreter output in a delta, chosen by `type`."""


class CodeInterpreterCallDelta(Tolerant):
    """A fragment of a code_interpreter call's input and outputs."""

    input: str | None = None
    outputs: list[CodeInterpreterOutputDelta] | None = None


class CodeInterpreterToolCallDelta(Tolerant):
    """A change to a code_interpreter tool call."""

    index: int | None = None
    id: str | None = None
    type: Literal["code_interpreter"] | None = None
    code_interpreter: CodeInterpreterCallDelta | None = None


class FileSearchToolCallDelta(Tolerant):
    """A change to a file_search tool call."""

    index: int | None = None
    id: str | None = None
    type: Literal["file_search"] | None = None
    file_search: dict[str, Any] | None = None


class FunctionToolCallDelta(Tolerant):
    """A change to a function tool call (its arguments arrive in fragments)."""

    index: int | None = None
    id: str | None = None
    type: Literal["function"] | None = None
    function: FunctionCall | None = None


ToolCallDelta = Annotated[
    Annotated[CodeInterpreterToolCallDelta, Tag("code_interpreter")]
    | Annotated[FileSearchToolCallDelta, Tag("file_search")]
    | Annotated[FunctionToolCallDelta, Tag("function")]
    | Annotated[UnknownObject, Tag("unknown")],
    Discriminator(type_tag("code_interpreter", "file_search", "function")),
]
"""One tool call in a step delta, chosen by `type`."""


class ToolCallsStepDetailsDelta(Tolerant):
    """A change to a tool_calls step."""

    type: Literal["tool_calls"] | None = None
    tool_calls: list[ToolCallDelta] | None = None


RunStepDetailsDelta = Annotated[
    Annotated[MessageCreationStepDetailsDelta, Tag("message_creation")]
    | Annotated[ToolCallsStepDetailsDelta, Tag("tool_calls")]
    | Annotated[UnknownObject, Tag("unknown")],
    Discriminator(type_tag("message_creation", "tool_calls")),
]
"""The changed details of a run step, chosen by `type`."""


class RunStepDelta(Tolerant):
    """What changed in a run step."""

    step_details: RunStepDetailsDelta | None = None


class RunStepDeltaObject(Tolerant):
    """A run step delta, as `thread.run.step.delta` reports it."""

    id: str | None = None
    object: str | None = None
    delta: RunStepDelta | None = None
