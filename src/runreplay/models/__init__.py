"""Wire models of `POST /v1/threads/runs`: the strict request, its rule registry, the tolerant stream.

* `CreateThreadAndRunRequest` and its components (`runreplay.models.request`): strict models of the
  request body. The wire body is `req.model_dump(mode="json", exclude_unset=True)`.
* `RULES`, `rule(id)`, `rule_ids_for(error)` (`runreplay.models.rules`): the stable rule ids that
  models, factories, docs and error messages share.
* `parse_event(event, data)` and the event classes (`runreplay.models.events`): typed, tolerant
  models of the stream events. Nested response objects live in `runreplay.models.events`.
"""

from __future__ import annotations

from runreplay.models import request
from runreplay.models.events import (
    EVENT_TYPES,
    AssistantStreamEvent,
    DoneEvent,
    ErrorEvent,
    ErrorObject,
    EventDataError,
    MessageDeltaObject,
    MessageObject,
    RunObject,
    RunStepDeltaObject,
    RunStepObject,
    StreamEvent,
    ThreadCreated,
    ThreadMessageCompleted,
    ThreadMessageCreated,
    ThreadMessageDelta,
    ThreadMessageIncomplete,
    ThreadMessageInProgress,
    ThreadObject,
    ThreadRunCancelled,
    ThreadRunCancelling,
    ThreadRunCompleted,
    ThreadRunCreated,
    ThreadRunExpired,
    ThreadRunFailed,
    ThreadRunIncomplete,
    ThreadRunInProgress,
    ThreadRunQueued,
    ThreadRunRequiresAction,
    ThreadRunStepCancelled,
    ThreadRunStepCompleted,
    ThreadRunStepCreated,
    ThreadRunStepDelta,
    ThreadRunStepExpired,
    ThreadRunStepFailed,
    ThreadRunStepInProgress,
    UnknownEvent,
    UnknownObject,
    parse_event,
)
from runreplay.models.request import *  # noqa: F403  (re-exported: every request model, request.__all__)
from runreplay.models.rules import (
    NAME_PATTERN,
    RULES,
    Origin,
    Rule,
    RuleHit,
    RuleKind,
    json_path,
    path_pattern,
    rule,
    rule_ids_for,
)

__all__ = [
    "EVENT_TYPES",
    "NAME_PATTERN",
    "RULES",
    "AssistantStreamEvent",
    "DoneEvent",
    "ErrorEvent",
    "ErrorObject",
    "EventDataError",
    "MessageDeltaObject",
    "MessageObject",
    "Origin",
    "Rule",
    "RuleHit",
    "RuleKind",
    "RunObject",
    "RunStepDeltaObject",
    "RunStepObject",
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
    "UnknownEvent",
    "UnknownObject",
    "json_path",
    "parse_event",
    "path_pattern",
    "rule",
    "rule_ids_for",
]
__all__ += request.__all__
# Sorted as the names were listed before: CONSTANTS, then Classes, then functions.
__all__.sort(key=lambda name: (not name.isupper(), not name[0].isupper(), name))
