"""The runreplay.models facade is pinned: adding or removing a name is a deliberate, reviewed change."""

from __future__ import annotations

import inspect
import types

import runreplay.models as models
from runreplay.models import events, request, rules


def test_models_exports_exactly_the_pinned_names() -> None:
    assert models.__all__ == [
        "ASSISTANT_MODELS",
        "EVENT_TYPES",
        "NAME_PATTERN",
        "RULES",
        "AssistantStreamEvent",
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
        "DoneEvent",
        "ErrorEvent",
        "ErrorObject",
        "EventDataError",
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
        "MessageDeltaObject",
        "MessageObject",
        "MessageRequestContent",
        "MessageRequestContentTextObject",
        "Metadata",
        "Origin",
        "ParallelToolCalls",
        "ResponseFormatJsonObject",
        "ResponseFormatJsonSchema",
        "ResponseFormatJsonSchemaSchema",
        "ResponseFormatObject",
        "ResponseFormatText",
        "Rule",
        "RuleHit",
        "RuleKind",
        "RunObject",
        "RunStepDeltaObject",
        "RunStepObject",
        "StaticChunkingStrategy",
        "StaticChunkingStrategyOptions",
        "StreamEvent",
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
        "ThreadToolResourcesFileSearch",
        "ThreadVectorStore",
        "ToolResourcesCodeInterpreter",
        "ToolResourcesFileSearch",
        "TruncationObject",
        "UnknownEvent",
        "UnknownObject",
        "json_path",
        "parse_event",
        "path_pattern",
        "rule",
        "rule_ids_for",
    ]


def test_every_public_name_is_exported_and_exists() -> None:
    public = {
        name
        for name, value in vars(models).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    public.discard("annotations")  # the __future__ import is not API
    assert public == set(models.__all__)
    for name in models.__all__:
        assert getattr(models, name) is not None


def test_submodule_exports_exist_and_public_classes_say_what_they_are() -> None:
    for module in (request, rules, events):
        assert sorted(set(module.__all__)) == sorted(module.__all__), module.__name__
        for name in module.__all__:
            value = getattr(module, name)
            ours = getattr(value, "__module__", "").startswith("runreplay.")
            if ours and (inspect.isclass(value) or inspect.isfunction(value)):
                doc = inspect.getdoc(value)
                assert doc, f"{module.__name__}.{name} has no docstring"
                assert doc.splitlines()[0].endswith("."), f"{module.__name__}.{name}"


def test_the_facade_re_exports_the_same_objects() -> None:
    for name in models.__all__:
        owner = next(module for module in (request, rules, events) if name in module.__all__)
        assert getattr(models, name) is getattr(owner, name)
