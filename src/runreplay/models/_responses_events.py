"""Typed, tolerant `POST /v1/responses` stream events, one class per `ResponseStreamEvent` type of the spec.

The classes are made from the vendored `response_stream_events.schema.json` at import: one per
branch of `ResponseStreamEvent`, named as in the spec (`ResponseTextDeltaEvent`, ...), with a field
for each documented property. Scalars are typed (`delta: str | None`, `output_index: int | None`);
objects and arrays stay plain JSON. Every field is optional and unknown keys are kept, because real
servers lag the spec: streams recorded in March 2025 have no `sequence_number`, which the spec now
requires. A value of the wrong type does not fail the parse either: the event is built unchecked.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from runreplay.models.events import EventDataError

__all__ = ["EVENT_CLASSES", "ResponseStreamEvent", "UnknownResponseEvent", "parse_event"]

EVENTS_FILE = "response_stream_events.schema.json"
_SCALARS: dict[str, Any] = {"string": str, "integer": int, "number": float, "boolean": bool}


class ResponseStreamEvent(BaseModel):
    """The base of every Responses stream event: `type`, and `sequence_number` when the server sends one."""

    model_config = ConfigDict(extra="allow")

    type: str
    sequence_number: int | None = None


class UnknownResponseEvent(ResponseStreamEvent):
    """An event whose type the vendored spec does not list: kept, never an error."""


def _annotation(prop: Any, defs: dict[str, Any]) -> Any:
    """A Python type for a property: a scalar type when the spec gives one (null allowed), else Any."""
    if not isinstance(prop, dict):
        return Any
    if "$ref" in prop:
        return _annotation(defs.get(prop["$ref"].rsplit("/", 1)[-1]), defs)
    options = [o for o in prop.get("anyOf", ()) if o != {"type": "null"}]
    if len(options) == 1:
        return _annotation(options[0], defs)
    kind = prop.get("type")
    return _SCALARS[kind] | None if isinstance(kind, str) and kind in _SCALARS else Any


@functools.cache
def _classes() -> dict[str, type[ResponseStreamEvent]]:
    """One class per event type of the vendored events schema, made at import."""
    text = resources.files("runreplay.models").joinpath("_schemas", EVENTS_FILE).read_text("utf-8")
    document = json.loads(text)
    defs: dict[str, Any] = document["$defs"]
    classes: dict[str, type[ResponseStreamEvent]] = {}
    for branch in defs["ResponseStreamEvent"]["anyOf"]:
        name = branch["$ref"].rsplit("/", 1)[-1]
        properties: dict[str, Any] = defs[name].get("properties", {})
        event_type = properties["type"]["enum"][0]
        fields: dict[str, Any] = {
            key: (_annotation(prop, defs), None)
            for key, prop in properties.items()
            if key not in ("type", "sequence_number")
        }
        model = create_model(name, __base__=ResponseStreamEvent, __module__=__name__, **fields)
        model.__doc__ = f"The `{event_type}` stream event (`{name}` in the spec)."
        classes[event_type] = model
    return classes


EVENT_CLASSES = _classes()
"""Event type (`response.output_text.delta`) -> its class, for every `ResponseStreamEvent` of the spec."""


def parse_event(event: str | None, data: str) -> ResponseStreamEvent:
    """One SSE frame of a Responses stream as a typed event; unknown types and missing fields never fail.

    The type is the data's `type` (the SSE event name when the data has none). Raises `EventDataError`
    only when the data is not a JSON object.
    """
    name = event or "message"
    try:
        payload = json.loads(data)
    except ValueError as exc:
        raise EventDataError(name, data, f"the data is not valid JSON ({exc})") from exc
    if not isinstance(payload, dict):
        raise EventDataError(name, data, f"the data is a JSON {type(payload).__name__}, not an object")
    given = payload.get("type")
    event_type = given if isinstance(given, str) else name
    payload = {**payload, "type": event_type}
    cls = EVENT_CLASSES.get(event_type, UnknownResponseEvent)
    try:
        return cls.model_validate(payload)
    except ValidationError:
        return cls.model_construct(**payload)
