"""Typed, tolerant models of the stream events of `POST /v1/threads/runs` with `stream: true`.

`parse_event(event, data)` turns one server-sent event (its `event:` name and its joined `data:`
lines) into a typed event object.

Tolerant on purpose, because real servers deviate from the spec (research §2.6, §2.7):

* every field is optional: keys the spec calls required may be missing and read `None`
  (runs without `parallel_tool_calls`, steps without `metadata`, messages without `attachments`);
* unknown keys are kept (`extra="allow"`), such as `expires_at` on run steps or `tool_resources`
  on runs; the known deviations (`RunStepObject.expires_at`) are declared fields;
* enums are typed as `Literal[known values] | str`, so a new status or reason does not crash;
  nullable-in-practice fields (`RunObject.instructions`) accept null;
* a union member of an unknown `type` (a new content part, tool call or output) becomes an
  `UnknownObject` that keeps all its keys;
* an unknown event name gives an `UnknownEvent` with the raw data, never an error;
* nothing cross-checks the event name against the payload: `thread.run.completed` may carry
  `status: "incomplete"`, as a 2024 recording shows.

Still typed: the values that are present must have the documented JSON types (with pydantic's usual
lax conversions). Data that is not JSON, not a JSON object, or of the wrong type for a known event
raises `EventDataError` (a `RunreplayError` and a `ValueError`) that names the event and shows the
start of the data.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Annotated, Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Discriminator, Tag, ValidationError

from runreplay._json_type import json_type
from runreplay.errors import RunreplayError

__all__ = [
    "EVENT_TYPES",
    "AssistantStreamEvent",
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
    "DoneEvent",
    "ErrorEvent",
    "ErrorObject",
    "EventDataError",
    "FileCitation",
    "FileCitationAnnotation",
    "FileCitationDeltaAnnotation",
    "FilePath",
    "FilePathAnnotation",
    "FilePathDeltaAnnotation",
    "FileSearchCall",
    "FileSearchCallRankingOptions",
    "FileSearchResult",
    "FileSearchResultContent",
    "FileSearchToolCall",
    "FileSearchToolCallDelta",
    "FunctionCall",
    "FunctionToolCall",
    "FunctionToolCallDelta",
    "ImageFile",
    "ImageFileContentBlock",
    "ImageFileDeltaBlock",
    "ImageUrl",
    "ImageUrlContentBlock",
    "ImageUrlDeltaBlock",
    "LastError",
    "MessageAnnotation",
    "MessageAnnotationDelta",
    "MessageContent",
    "MessageContentDelta",
    "MessageCreation",
    "MessageCreationStepDetails",
    "MessageCreationStepDetailsDelta",
    "MessageDelta",
    "MessageDeltaObject",
    "MessageIncompleteDetails",
    "MessageObject",
    "MessageObjectAttachment",
    "MessageObjectAttachmentTool",
    "MessageStatus",
    "RefusalContentBlock",
    "RefusalDeltaBlock",
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
    "StreamEvent",
    "SubmitToolOutputs",
    "Text",
    "TextContentBlock",
    "TextDelta",
    "TextDeltaBlock",
    "ThreadCreated",
    "ThreadMessageCompleted",
    "ThreadMessageCreated",
    "ThreadMessageDelta",
    "ThreadMessageInProgress",
    "ThreadMessageIncomplete",
    "ThreadObject",
    "ThreadRunCancelled",
    "ThreadRunCancelling",
    "ThreadRunCompleted",
    "ThreadRunCreated",
    "ThreadRunExpired",
    "ThreadRunFailed",
    "ThreadRunInProgress",
    "ThreadRunIncomplete",
    "ThreadRunQueued",
    "ThreadRunRequiresAction",
    "ThreadRunStepCancelled",
    "ThreadRunStepCompleted",
    "ThreadRunStepCreated",
    "ThreadRunStepDelta",
    "ThreadRunStepExpired",
    "ThreadRunStepFailed",
    "ThreadRunStepInProgress",
    "ToolCall",
    "ToolCallDelta",
    "ToolCallsStepDetails",
    "ToolCallsStepDetailsDelta",
    "ToolResourcesCodeInterpreterObject",
    "ToolResourcesFileSearchObject",
    "ToolResourcesObject",
    "UnknownEvent",
    "UnknownObject",
    "parse_event",
]


class EventDataError(RunreplayError, ValueError):
    """The data of a known stream event is not JSON, not an object, or has wrongly typed fields."""

    def __init__(self, event: str, data: str, problem: str) -> None:
        self.event = event
        self.data = data
        self.problem = problem
        snippet = data if len(data) <= 120 else data[:119] + "…"
        super().__init__(
            f"cannot parse the data of stream event {event!r}: {problem}. The data starts with "
            f"{snippet!r}; expected one JSON object as the spec describes for {event!r}. Check that "
            "the stream was decoded frame by frame (one event: line, data: lines joined with \\n)."
        )


class _Tolerant(BaseModel):
    """A response object: every field optional, unknown keys kept."""

    model_config = ConfigDict(extra="allow")


class UnknownObject(_Tolerant):
    """A union member whose `type` this version does not know; all its keys are kept as extras."""

    type: str | None = None


def _type_tag(*known: str) -> Callable[[Any], str]:
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


class LastError(_Tolerant):
    """The last error of a run or run step."""

    code: Literal["server_error", "rate_limit_exceeded", "invalid_prompt"] | str | None = None
    message: str | None = None


class RunCompletionUsage(_Tolerant):
    """Token usage of a run or run step (null until it ends)."""

    completion_tokens: int | None = None
    prompt_tokens: int | None = None
    total_tokens: int | None = None


RunStepCompletionUsage = RunCompletionUsage
"""Token usage of a run step: the same shape as a run's."""


class ToolResourcesCodeInterpreterObject(_Tolerant):
    """The files available to code_interpreter."""

    file_ids: list[str] | None = None


class ToolResourcesFileSearchObject(_Tolerant):
    """The vector stores available to file_search."""

    vector_store_ids: list[str] | None = None


class ToolResourcesObject(_Tolerant):
    """The resources of a thread (or run) for its tools."""

    code_interpreter: ToolResourcesCodeInterpreterObject | None = None
    file_search: ToolResourcesFileSearchObject | None = None


# --- thread -------------------------------------------------------------------------------------


class ThreadObject(_Tolerant):
    """A thread, as `thread.created` reports it."""

    id: str | None = None
    object: str | None = None
    created_at: int | None = None
    tool_resources: ToolResourcesObject | None = None
    metadata: dict[str, str] | None = None


# --- run ----------------------------------------------------------------------------------------


class RunToolCallFunction(_Tolerant):
    """The function a required action asks you to call, with its full arguments."""

    name: str | None = None
    arguments: str | None = None


class RunToolCallObject(_Tolerant):
    """One tool call a `requires_action` run waits for."""

    id: str | None = None
    type: Literal["function"] | str | None = None
    function: RunToolCallFunction | None = None


class SubmitToolOutputs(_Tolerant):
    """The tool calls to answer with submit_tool_outputs."""

    tool_calls: list[RunToolCallObject] | None = None


class RequiredAction(_Tolerant):
    """What a `requires_action` run needs from you."""

    type: Literal["submit_tool_outputs"] | str | None = None
    submit_tool_outputs: SubmitToolOutputs | None = None


class RunIncompleteDetails(_Tolerant):
    """Why a run ended incomplete."""

    reason: Literal["max_completion_tokens", "max_prompt_tokens"] | str | None = None


class RunFunctionDefinition(_Tolerant):
    """A function tool as a run echoes it."""

    name: str | None = None
    description: str | None = None
    parameters: dict[str, Any] | None = None
    strict: bool | None = None


class RunToolDefinition(_Tolerant):
    """A tool as a run echoes it (code_interpreter, file_search or function)."""

    type: str | None = None
    function: RunFunctionDefinition | None = None
    file_search: dict[str, Any] | None = None


class RunTruncationStrategy(_Tolerant):
    """A run's truncation strategy."""

    type: Literal["auto", "last_messages"] | str | None = None
    last_messages: int | None = None


class RunToolChoiceFunction(_Tolerant):
    """The function a named tool choice forces."""

    name: str | None = None


class RunToolChoice(_Tolerant):
    """A named tool choice as a run echoes it."""

    type: str | None = None
    function: RunToolChoiceFunction | None = None


class RunResponseFormat(_Tolerant):
    """An object response format as a run echoes it."""

    type: str | None = None
    json_schema: dict[str, Any] | None = None


class RunObject(_Tolerant):
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


class MessageCreation(_Tolerant):
    """The message a message_creation step creates."""

    message_id: str | None = None


class MessageCreationStepDetails(_Tolerant):
    """A step that creates a message."""

    type: Literal["message_creation"] | None = None
    message_creation: MessageCreation | None = None


class CodeInterpreterLogs(_Tolerant):
    """Text output of a code_interpreter call."""

    type: Literal["logs"] | None = None
    logs: str | None = None


class CodeInterpreterImageFile(_Tolerant):
    """The file of an image a code_interpreter call produced."""

    file_id: str | None = None


class CodeInterpreterImage(_Tolerant):
    """Image output of a code_interpreter call."""

    type: Literal["image"] | None = None
    image: CodeInterpreterImageFile | None = None


CodeInterpreterOutput = Annotated[
    Annotated[CodeInterpreterLogs, Tag("logs")]
    | Annotated[CodeInterpreterImage, Tag("image")]
    | Annotated[UnknownObject, Tag("unknown")],
    Discriminator(_type_tag("logs", "image")),
]
"""One output of a code_interpreter call, chosen by `type`."""


class CodeInterpreterCall(_Tolerant):
    """The input and outputs of a code_interpreter call."""

    input: str | None = None
    outputs: list[CodeInterpreterOutput] | None = None


class CodeInterpreterToolCall(_Tolerant):
    """A code_interpreter tool call."""

    id: str | None = None
    type: Literal["code_interpreter"] | None = None
    code_interpreter: CodeInterpreterCall | None = None


class FileSearchCallRankingOptions(_Tolerant):
    """The ranking a file_search call used."""

    ranker: Literal["auto", "default_2024_08_21"] | str | None = None
    score_threshold: float | None = None


class FileSearchResultContent(_Tolerant):
    """A piece of a file_search result's content."""

    type: str | None = None
    text: str | None = None


class FileSearchResult(_Tolerant):
    """One file_search result."""

    file_id: str | None = None
    file_name: str | None = None
    score: float | None = None
    content: list[FileSearchResultContent] | None = None


class FileSearchCall(_Tolerant):
    """The ranking and results of a file_search call."""

    ranking_options: FileSearchCallRankingOptions | None = None
    results: list[FileSearchResult] | None = None


class FileSearchToolCall(_Tolerant):
    """A file_search tool call."""

    id: str | None = None
    type: Literal["file_search"] | None = None
    file_search: FileSearchCall | None = None


class FunctionCall(_Tolerant):
    """A function call: name, arguments (JSON text) and, once submitted, its output."""

    name: str | None = None
    arguments: str | None = None
    output: str | None = None


class FunctionToolCall(_Tolerant):
    """A function tool call."""

    id: str | None = None
    type: Literal["function"] | None = None
    function: FunctionCall | None = None


ToolCall = Annotated[
    Annotated[CodeInterpreterToolCall, Tag("code_interpreter")]
    | Annotated[FileSearchToolCall, Tag("file_search")]
    | Annotated[FunctionToolCall, Tag("function")]
    | Annotated[UnknownObject, Tag("unknown")],
    Discriminator(_type_tag("code_interpreter", "file_search", "function")),
]
"""One tool call of a tool_calls step, chosen by `type`."""


class ToolCallsStepDetails(_Tolerant):
    """A step that calls tools."""

    type: Literal["tool_calls"] | None = None
    tool_calls: list[ToolCall] | None = None


RunStepDetails = Annotated[
    Annotated[MessageCreationStepDetails, Tag("message_creation")]
    | Annotated[ToolCallsStepDetails, Tag("tool_calls")]
    | Annotated[UnknownObject, Tag("unknown")],
    Discriminator(_type_tag("message_creation", "tool_calls")),
]
"""The details of a run step, chosen by `type`."""


class RunStepObject(_Tolerant):
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


class MessageCreationStepDetailsDelta(_Tolerant):
    """A change to a message_creation step."""

    type: Literal["message_creation"] | None = None
    message_creation: MessageCreation | None = None


class CodeInterpreterLogsDelta(_Tolerant):
    """A fragment of code_interpreter text output."""

    index: int | None = None
    type: Literal["logs"] | None = None
    logs: str | None = None


class CodeInterpreterImageDelta(_Tolerant):
    """A code_interpreter image output, in a delta."""

    index: int | None = None
    type: Literal["image"] | None = None
    image: CodeInterpreterImageFile | None = None


CodeInterpreterOutputDelta = Annotated[
    Annotated[CodeInterpreterLogsDelta, Tag("logs")]
    | Annotated[CodeInterpreterImageDelta, Tag("image")]
    | Annotated[UnknownObject, Tag("unknown")],
    Discriminator(_type_tag("logs", "image")),
]
"""One code_interpreter output in a delta, chosen by `type`."""


class CodeInterpreterCallDelta(_Tolerant):
    """A fragment of a code_interpreter call's input and outputs."""

    input: str | None = None
    outputs: list[CodeInterpreterOutputDelta] | None = None


class CodeInterpreterToolCallDelta(_Tolerant):
    """A change to a code_interpreter tool call."""

    index: int | None = None
    id: str | None = None
    type: Literal["code_interpreter"] | None = None
    code_interpreter: CodeInterpreterCallDelta | None = None


class FileSearchToolCallDelta(_Tolerant):
    """A change to a file_search tool call."""

    index: int | None = None
    id: str | None = None
    type: Literal["file_search"] | None = None
    file_search: dict[str, Any] | None = None


class FunctionToolCallDelta(_Tolerant):
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
    Discriminator(_type_tag("code_interpreter", "file_search", "function")),
]
"""One tool call in a step delta, chosen by `type`."""


class ToolCallsStepDetailsDelta(_Tolerant):
    """A change to a tool_calls step."""

    type: Literal["tool_calls"] | None = None
    tool_calls: list[ToolCallDelta] | None = None


RunStepDetailsDelta = Annotated[
    Annotated[MessageCreationStepDetailsDelta, Tag("message_creation")]
    | Annotated[ToolCallsStepDetailsDelta, Tag("tool_calls")]
    | Annotated[UnknownObject, Tag("unknown")],
    Discriminator(_type_tag("message_creation", "tool_calls")),
]
"""The changed details of a run step, chosen by `type`."""


class RunStepDelta(_Tolerant):
    """What changed in a run step."""

    step_details: RunStepDetailsDelta | None = None


class RunStepDeltaObject(_Tolerant):
    """A run step delta, as `thread.run.step.delta` reports it."""

    id: str | None = None
    object: str | None = None
    delta: RunStepDelta | None = None


# --- messages -----------------------------------------------------------------------------------


class ImageFile(_Tolerant):
    """An image file in message content."""

    file_id: str | None = None
    detail: Detail | str | None = None


class ImageUrl(_Tolerant):
    """An image URL in message content."""

    url: str | None = None
    detail: Detail | str | None = None


class FileCitation(_Tolerant):
    """The file a citation points to."""

    file_id: str | None = None
    quote: str | None = None


class FilePath(_Tolerant):
    """The file a file_path annotation points to."""

    file_id: str | None = None


class FileCitationAnnotation(_Tolerant):
    """A citation of a file in a text part."""

    type: Literal["file_citation"] | None = None
    text: str | None = None
    file_citation: FileCitation | None = None
    start_index: int | None = None
    end_index: int | None = None


class FilePathAnnotation(_Tolerant):
    """A link to a generated file in a text part."""

    type: Literal["file_path"] | None = None
    text: str | None = None
    file_path: FilePath | None = None
    start_index: int | None = None
    end_index: int | None = None


MessageAnnotation = Annotated[
    Annotated[FileCitationAnnotation, Tag("file_citation")]
    | Annotated[FilePathAnnotation, Tag("file_path")]
    | Annotated[UnknownObject, Tag("unknown")],
    Discriminator(_type_tag("file_citation", "file_path")),
]
"""One annotation of a text part, chosen by `type`."""


class Text(_Tolerant):
    """The text of a text part and its annotations."""

    value: str | None = None
    annotations: list[MessageAnnotation] | None = None


class ImageFileContentBlock(_Tolerant):
    """An image file part of a message."""

    type: Literal["image_file"] | None = None
    image_file: ImageFile | None = None


class ImageUrlContentBlock(_Tolerant):
    """An image URL part of a message."""

    type: Literal["image_url"] | None = None
    image_url: ImageUrl | None = None


class TextContentBlock(_Tolerant):
    """A text part of a message."""

    type: Literal["text"] | None = None
    text: Text | None = None


class RefusalContentBlock(_Tolerant):
    """A refusal part of a message."""

    type: Literal["refusal"] | None = None
    refusal: str | None = None


MessageContent = Annotated[
    Annotated[ImageFileContentBlock, Tag("image_file")]
    | Annotated[ImageUrlContentBlock, Tag("image_url")]
    | Annotated[TextContentBlock, Tag("text")]
    | Annotated[RefusalContentBlock, Tag("refusal")]
    | Annotated[UnknownObject, Tag("unknown")],
    Discriminator(_type_tag("image_file", "image_url", "text", "refusal")),
]
"""One content part of a message, chosen by `type`."""


class MessageIncompleteDetails(_Tolerant):
    """Why a message ended incomplete."""

    reason: (
        Literal["content_filter", "max_tokens", "run_cancelled", "run_expired", "run_failed"] | str | None
    ) = None


class MessageObjectAttachmentTool(_Tolerant):
    """A tool an attached file was added to."""

    type: str | None = None


class MessageObjectAttachment(_Tolerant):
    """A file attached to a message."""

    file_id: str | None = None
    tools: list[MessageObjectAttachmentTool] | None = None


class MessageObject(_Tolerant):
    """A message, as the `thread.message.*` events report it."""

    id: str | None = None
    object: str | None = None
    created_at: int | None = None
    thread_id: str | None = None
    status: MessageStatus | str | None = None
    incomplete_details: MessageIncompleteDetails | None = None
    completed_at: int | None = None
    incomplete_at: int | None = None
    role: Literal["user", "assistant"] | str | None = None
    content: list[MessageContent] | None = None
    assistant_id: str | None = None
    run_id: str | None = None
    attachments: list[MessageObjectAttachment] | None = None
    metadata: dict[str, str] | None = None


class FileCitationDeltaAnnotation(_Tolerant):
    """A citation in a text delta."""

    index: int | None = None
    type: Literal["file_citation"] | None = None
    text: str | None = None
    file_citation: FileCitation | None = None
    start_index: int | None = None
    end_index: int | None = None


class FilePathDeltaAnnotation(_Tolerant):
    """A file link in a text delta."""

    index: int | None = None
    type: Literal["file_path"] | None = None
    text: str | None = None
    file_path: FilePath | None = None
    start_index: int | None = None
    end_index: int | None = None


MessageAnnotationDelta = Annotated[
    Annotated[FileCitationDeltaAnnotation, Tag("file_citation")]
    | Annotated[FilePathDeltaAnnotation, Tag("file_path")]
    | Annotated[UnknownObject, Tag("unknown")],
    Discriminator(_type_tag("file_citation", "file_path")),
]
"""One annotation in a text delta, chosen by `type`."""


class TextDelta(_Tolerant):
    """A fragment of text (append `value` to the part at the same index)."""

    value: str | None = None
    annotations: list[MessageAnnotationDelta] | None = None


class ImageFileDeltaBlock(_Tolerant):
    """An image file part, in a message delta."""

    index: int | None = None
    type: Literal["image_file"] | None = None
    image_file: ImageFile | None = None


class ImageUrlDeltaBlock(_Tolerant):
    """An image URL part, in a message delta."""

    index: int | None = None
    type: Literal["image_url"] | None = None
    image_url: ImageUrl | None = None


class TextDeltaBlock(_Tolerant):
    """A text fragment, in a message delta."""

    index: int | None = None
    type: Literal["text"] | None = None
    text: TextDelta | None = None


class RefusalDeltaBlock(_Tolerant):
    """A refusal fragment, in a message delta."""

    index: int | None = None
    type: Literal["refusal"] | None = None
    refusal: str | None = None


MessageContentDelta = Annotated[
    Annotated[ImageFileDeltaBlock, Tag("image_file")]
    | Annotated[ImageUrlDeltaBlock, Tag("image_url")]
    | Annotated[TextDeltaBlock, Tag("text")]
    | Annotated[RefusalDeltaBlock, Tag("refusal")]
    | Annotated[UnknownObject, Tag("unknown")],
    Discriminator(_type_tag("image_file", "image_url", "text", "refusal")),
]
"""One content part in a message delta, chosen by `type`."""


class MessageDelta(_Tolerant):
    """What changed in a message."""

    role: Literal["user", "assistant"] | str | None = None
    content: list[MessageContentDelta] | None = None


class MessageDeltaObject(_Tolerant):
    """A message delta, as `thread.message.delta` reports it."""

    id: str | None = None
    object: str | None = None
    delta: MessageDelta | None = None


class ErrorObject(_Tolerant):
    """The spec's `Error`: what went wrong during the stream."""

    code: str | None = None
    message: str | None = None
    param: str | None = None
    type: str | None = None


# --- events -------------------------------------------------------------------------------------


class StreamEvent(_Tolerant):
    """Base of every stream event: the SSE event name and its data."""

    event: str
    data: Any


class ThreadCreated(StreamEvent):
    """`thread.created`: the thread exists."""

    event: Literal["thread.created"] = "thread.created"
    data: ThreadObject


class ThreadRunCreated(StreamEvent):
    """`thread.run.created`: the run exists."""

    event: Literal["thread.run.created"] = "thread.run.created"
    data: RunObject


class ThreadRunQueued(StreamEvent):
    """`thread.run.queued`: the run waits to start."""

    event: Literal["thread.run.queued"] = "thread.run.queued"
    data: RunObject


class ThreadRunInProgress(StreamEvent):
    """`thread.run.in_progress`: the run started."""

    event: Literal["thread.run.in_progress"] = "thread.run.in_progress"
    data: RunObject


class ThreadRunRequiresAction(StreamEvent):
    """`thread.run.requires_action`: the run waits for tool outputs."""

    event: Literal["thread.run.requires_action"] = "thread.run.requires_action"
    data: RunObject


class ThreadRunCompleted(StreamEvent):
    """`thread.run.completed`: the run ended (check `data.status`: it may say incomplete)."""

    event: Literal["thread.run.completed"] = "thread.run.completed"
    data: RunObject


class ThreadRunIncomplete(StreamEvent):
    """`thread.run.incomplete`: the run ended early (see `data.incomplete_details`)."""

    event: Literal["thread.run.incomplete"] = "thread.run.incomplete"
    data: RunObject


class ThreadRunFailed(StreamEvent):
    """`thread.run.failed`: the run failed (see `data.last_error`)."""

    event: Literal["thread.run.failed"] = "thread.run.failed"
    data: RunObject


class ThreadRunCancelling(StreamEvent):
    """`thread.run.cancelling`: the run is being cancelled."""

    event: Literal["thread.run.cancelling"] = "thread.run.cancelling"
    data: RunObject


class ThreadRunCancelled(StreamEvent):
    """`thread.run.cancelled`: the run was cancelled."""

    event: Literal["thread.run.cancelled"] = "thread.run.cancelled"
    data: RunObject


class ThreadRunExpired(StreamEvent):
    """`thread.run.expired`: the run expired."""

    event: Literal["thread.run.expired"] = "thread.run.expired"
    data: RunObject


class ThreadRunStepCreated(StreamEvent):
    """`thread.run.step.created`: a run step exists."""

    event: Literal["thread.run.step.created"] = "thread.run.step.created"
    data: RunStepObject


class ThreadRunStepInProgress(StreamEvent):
    """`thread.run.step.in_progress`: a run step started."""

    event: Literal["thread.run.step.in_progress"] = "thread.run.step.in_progress"
    data: RunStepObject


class ThreadRunStepDelta(StreamEvent):
    """`thread.run.step.delta`: part of a run step changed."""

    event: Literal["thread.run.step.delta"] = "thread.run.step.delta"
    data: RunStepDeltaObject


class ThreadRunStepCompleted(StreamEvent):
    """`thread.run.step.completed`: a run step ended."""

    event: Literal["thread.run.step.completed"] = "thread.run.step.completed"
    data: RunStepObject


class ThreadRunStepFailed(StreamEvent):
    """`thread.run.step.failed`: a run step failed."""

    event: Literal["thread.run.step.failed"] = "thread.run.step.failed"
    data: RunStepObject


class ThreadRunStepCancelled(StreamEvent):
    """`thread.run.step.cancelled`: a run step was cancelled."""

    event: Literal["thread.run.step.cancelled"] = "thread.run.step.cancelled"
    data: RunStepObject


class ThreadRunStepExpired(StreamEvent):
    """`thread.run.step.expired`: a run step expired."""

    event: Literal["thread.run.step.expired"] = "thread.run.step.expired"
    data: RunStepObject


class ThreadMessageCreated(StreamEvent):
    """`thread.message.created`: a message exists."""

    event: Literal["thread.message.created"] = "thread.message.created"
    data: MessageObject


class ThreadMessageInProgress(StreamEvent):
    """`thread.message.in_progress`: a message is being written."""

    event: Literal["thread.message.in_progress"] = "thread.message.in_progress"
    data: MessageObject


class ThreadMessageDelta(StreamEvent):
    """`thread.message.delta`: part of a message changed."""

    event: Literal["thread.message.delta"] = "thread.message.delta"
    data: MessageDeltaObject


class ThreadMessageCompleted(StreamEvent):
    """`thread.message.completed`: a message is finished."""

    event: Literal["thread.message.completed"] = "thread.message.completed"
    data: MessageObject


class ThreadMessageIncomplete(StreamEvent):
    """`thread.message.incomplete`: a message ended early."""

    event: Literal["thread.message.incomplete"] = "thread.message.incomplete"
    data: MessageObject


class ErrorEvent(StreamEvent):
    """`error`: the server reports an error inside the stream."""

    event: Literal["error"] = "error"
    data: ErrorObject


class DoneEvent(StreamEvent):
    """`done`: the stream ends; data is normally `[DONE]` (kept as received)."""

    event: Literal["done"] = "done"
    data: str = "[DONE]"


class UnknownEvent(StreamEvent):
    """An event this version does not know: its name, raw data and, if the data is JSON, its value."""

    event: str
    data: str
    payload: Any = None


AssistantStreamEvent = (
    ThreadCreated
    | ThreadRunCreated
    | ThreadRunQueued
    | ThreadRunInProgress
    | ThreadRunRequiresAction
    | ThreadRunCompleted
    | ThreadRunIncomplete
    | ThreadRunFailed
    | ThreadRunCancelling
    | ThreadRunCancelled
    | ThreadRunExpired
    | ThreadRunStepCreated
    | ThreadRunStepInProgress
    | ThreadRunStepDelta
    | ThreadRunStepCompleted
    | ThreadRunStepFailed
    | ThreadRunStepCancelled
    | ThreadRunStepExpired
    | ThreadMessageCreated
    | ThreadMessageInProgress
    | ThreadMessageDelta
    | ThreadMessageCompleted
    | ThreadMessageIncomplete
    | ErrorEvent
    | DoneEvent
    | UnknownEvent
)
"""Whatever `parse_event` returns."""

EVENT_TYPES: Mapping[str, type[StreamEvent]] = MappingProxyType(
    {
        cls.model_fields["event"].default: cls
        for cls in (
            ThreadCreated,
            ThreadRunCreated,
            ThreadRunQueued,
            ThreadRunInProgress,
            ThreadRunRequiresAction,
            ThreadRunCompleted,
            ThreadRunIncomplete,
            ThreadRunFailed,
            ThreadRunCancelling,
            ThreadRunCancelled,
            ThreadRunExpired,
            ThreadRunStepCreated,
            ThreadRunStepInProgress,
            ThreadRunStepDelta,
            ThreadRunStepCompleted,
            ThreadRunStepFailed,
            ThreadRunStepCancelled,
            ThreadRunStepExpired,
            ThreadMessageCreated,
            ThreadMessageInProgress,
            ThreadMessageDelta,
            ThreadMessageCompleted,
            ThreadMessageIncomplete,
            ErrorEvent,
            DoneEvent,
        )
    }
)
"""The event class for every event name the spec documents: 23 `thread.*` events, `error` and `done`."""


def parse_event(event: str, data: str) -> AssistantStreamEvent:
    """One SSE frame (event name, joined data lines) as a typed event; unknown names never fail.

    Raises EventDataError when a known event's data is not a JSON object of the documented types.
    An `error` event whose data wraps the error as `{"error": {...}}` is unwrapped.
    """
    if event == "done":
        return DoneEvent(data=data)
    cls = EVENT_TYPES.get(event)
    if cls is None:
        try:
            payload = json.loads(data)
        except ValueError:
            payload = None
        return UnknownEvent(event=event, data=data, payload=payload)
    try:
        payload = json.loads(data)
    except ValueError as exc:
        raise EventDataError(event, data, f"the data is not valid JSON ({exc})") from exc
    if not isinstance(payload, dict):
        raise EventDataError(
            event, data, f"the data is a JSON {json_type(payload, article=False)}, not an object"
        )
    if event == "error" and isinstance(payload.get("error"), dict) and "message" not in payload:
        payload = payload["error"]
    try:
        parsed = cls.model_validate({"event": event, "data": payload})
    except ValidationError as exc:
        problems = "; ".join(
            f"data.{'.'.join(str(part) for part in detail['loc'][1:])}: {detail['msg']}"
            for detail in exc.errors()[:5]
        )
        raise EventDataError(event, data, f"some fields have the wrong type ({problems})") from exc
    return cast("AssistantStreamEvent", parsed)
