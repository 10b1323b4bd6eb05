"""Tests of `runreplay.models._stream_objects` / `_stream_messages` and the event table built from them."""

from __future__ import annotations

from typing import get_args

from runreplay.models import events
from runreplay.models._stream_messages import MessageObject
from runreplay.models._stream_objects import RunObject, UnknownObject, type_tag


def test_the_event_table_is_every_member_of_the_union_but_unknown_event() -> None:
    members = [cls for cls in get_args(events.AssistantStreamEvent) if cls is not events.UnknownEvent]
    assert list(events.EVENT_TYPES.values()) == members
    assert len(events.EVENT_TYPES) == 25
    assert {"thread.run.completed", "thread.message.delta", "error", "done"} <= set(events.EVENT_TYPES)


def test_the_split_modules_are_re_exported_by_events_unchanged() -> None:
    assert events.RunObject is RunObject
    assert events.MessageObject is MessageObject
    assert events.UnknownObject is UnknownObject


def test_type_tag_sends_unknown_and_missing_types_to_the_unknown_member() -> None:
    pick = type_tag("text", "image_file")
    assert pick({"type": "text"}) == "text"
    assert pick({"type": "video"}) == "unknown"
    assert pick({}) == "unknown"
    assert pick(UnknownObject(type="image_file")) == "image_file"


def test_tolerant_objects_keep_unknown_keys() -> None:
    run = RunObject.model_validate({"id": "run_1", "status": "brand_new", "surprise": 1})
    assert run.status == "brand_new"
    assert run.model_extra == {"surprise": 1}
