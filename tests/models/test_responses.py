"""`runreplay.models.responses`: the strict request model, its derived and prose rule registry, and the
tolerant typed stream events (including a real March 2025 stream without `sequence_number`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from runreplay.models import EventDataError, responses
from runreplay.models._schema_rules import SchemaRules
from runreplay.sse import Decoder

REFERENCE = Path(__file__).resolve().parent.parent / "data" / "reference"
PACKAGE = Path(responses.__file__).resolve().parent / "_schemas"
BODY = {"model": "gpt-4o", "input": "Hello"}


@pytest.mark.parametrize(
    "name", ["create_response_request.schema.json", "response_stream_events.schema.json"]
)
def test_the_packaged_schema_is_the_vendored_reference(name: str) -> None:
    assert (PACKAGE / name).read_bytes() == (REFERENCE / name).read_bytes()


def test_the_model_fields_are_the_spec_top_level_keys() -> None:
    assert (
        set(responses.CreateResponseRequest.model_fields)
        == responses.schema_rules().root.resolved().known_keys()
    )


def test_every_rule_cites_the_spec() -> None:
    for entry in responses.RULES.values():
        assert entry.source.startswith("create_response_request.schema.json#/$defs/"), entry
        if entry.origin == "prose":
            assert '"' in entry.source, entry  # the quoted words of the description


def test_the_prose_rules_the_issue_names_are_registered() -> None:
    for rule_id in (
        "metadata.max_pairs",
        "metadata.key_length",
        "metadata.value_length",
        "previous_response_id.conversation",
        "text.format.name.pattern",
        "function.name.pattern",
    ):
        assert responses.RULES[rule_id].origin == "prose"
    derived = {
        "temperature.minimum": 0,
        "temperature.maximum": 2,
        "top_p.maximum": 1,
        "top_logprobs.maximum": 20,
        "max_output_tokens.minimum": 16,
    }
    for rule_id, limit in derived.items():
        assert (responses.RULES[rule_id].origin, responses.RULES[rule_id].limits["limit"]) == (
            "schema",
            limit,
        )
    assert "message.output_text.logprobs" in responses.RULES["IncludeEnum.enum"].limits["enum"]


def test_a_valid_body_round_trips_exactly() -> None:
    body = {**BODY, "temperature": 1, "top_p": 0.5, "metadata": {"a": "b"}, "tools": [{"type": "web_search"}]}
    request = responses.CreateResponseRequest.model_validate(body)
    assert request.model_dump(mode="json", exclude_unset=True) == body
    assert isinstance(request.model_dump(mode="json", exclude_unset=True)["temperature"], int)


@pytest.mark.parametrize(
    ("key", "value", "rule"),
    [
        ("temperature", "1", "temperature.type"),
        ("max_output_tokens", True, "max_output_tokens.type"),
        ("max_output_tokens", 64.0, "max_output_tokens.type"),
        ("stream", 1, "stream.type"),
        ("unknown", 1, "request.closed"),
    ],
)
def test_no_coercion_and_no_unknown_keys(key: str, value: Any, rule: str) -> None:
    with pytest.raises(ValidationError) as caught:
        responses.CreateResponseRequest.model_validate({**BODY, key: value})
    assert responses.rule_ids_for(caught.value) == [(rule, f"$.{key}")]


def test_the_error_names_every_rule_path_and_value() -> None:
    with pytest.raises(ValidationError) as caught:
        responses.CreateResponseRequest.model_validate(
            {**BODY, "temperature": 2.5, "previous_response_id": "resp_1", "conversation": "conv_1"}
        )
    (error,) = caught.value.errors()
    assert error["type"] == "temperature.maximum"
    assert error["msg"] == (
        "2 rule(s) of POST /v1/responses broken: $.temperature: [temperature.maximum] expected at most 2, "
        "got 2.5; $.previous_response_id: [previous_response_id.conversation] previous_response_id cannot be "
        "used together with conversation; send one of them"
    )


def test_check_reports_nested_rules_with_their_paths() -> None:
    body = {
        **BODY,
        "tools": [
            {"type": "function", "name": "get weather", "parameters": {}, "strict": False},
            {"type": "nope"},
        ],
        "text": {"format": {"type": "json_schema", "name": "w" * 65, "schema": {}}},
        "metadata": {"k": 1},
    }
    # Schema rules first (metadata lives in the first allOf part of CreateResponse), then prose rules.
    assert [(v.rule, v.path) for v in responses.check(body)] == [
        ("Metadata.*.type", "$.metadata.k"),
        ("Tool.type.tag", "$.tools[1].type"),
        ("text.format.name.pattern", "$.text.format.name"),
        ("function.name.pattern", "$.tools[0].name"),
    ]


def test_schema_rules_need_defs_refs() -> None:
    with pytest.raises(ValueError) as caught:
        SchemaRules({"$ref": "other.json#/x"}, file="x.json")
    assert str(caught.value) == "unsupported $ref 'other.json#/x': expected '#/$defs/<Name>'"


# --- events -----------------------------------------------------------------------------------------


def _frames(path: Path) -> list[tuple[str, str]]:
    decoder = Decoder()
    return [(frame.event, frame.data) for frame in decoder.feed(path.read_bytes()) + decoder.close()]


def test_a_stream_in_the_2025_shape_without_sequence_numbers_parses() -> None:
    frames = _frames(REFERENCE / "response_stream_2025_shape_text.sse")
    events = [responses.parse_event(name, data) for name, data in frames]
    assert all(event.sequence_number is None for event in events)
    assert [type(event).__name__ for event in events[:3]] == [
        "ResponseCreatedEvent",
        "ResponseInProgressEvent",
        "ResponseOutputItemAddedEvent",
    ]
    text = "".join(
        event.delta
        for event in events
        if isinstance(event, responses.EVENT_CLASSES["response.output_text.delta"])
    )  # type: ignore[attr-defined]
    assert text == "Sure! The forecast says light rain later."
    assert events[-1].response["usage"]["total_tokens"] == 23  # type: ignore[attr-defined]


def test_every_event_type_of_the_spec_has_a_class() -> None:
    document = json.loads((REFERENCE / "response_stream_events.schema.json").read_text())
    defs = document["$defs"]
    names = {
        defs[b["$ref"].rsplit("/", 1)[-1]]["properties"]["type"]["enum"][0]
        for b in defs["ResponseStreamEvent"]["anyOf"]
    }
    assert set(responses.EVENT_CLASSES) == names
    assert len(names) == 58
    for event_type, cls in responses.EVENT_CLASSES.items():
        parsed = responses.parse_event(event_type, json.dumps({"type": event_type}))
        assert type(parsed) is cls


def test_events_are_typed_but_tolerant() -> None:
    delta = responses.parse_event(
        "response.output_text.delta",
        '{"type":"response.output_text.delta","delta":"Hi","output_index":0,"extra":1}',
    )
    assert (delta.delta, delta.output_index, delta.model_extra) == ("Hi", 0, {"extra": 1})  # type: ignore[attr-defined]
    odd = responses.parse_event(
        "response.output_text.delta", '{"type":"response.output_text.delta","delta":5}'
    )
    assert odd.delta == 5  # type: ignore[attr-defined]
    unknown = responses.parse_event("response.future.thing", '{"type":"response.future.thing","x":1}')
    assert type(unknown) is responses.UnknownResponseEvent
    assert unknown.model_extra == {"x": 1}
    untyped = responses.parse_event("error", '{"code":"server_error","message":"boom","param":null}')
    assert (untyped.type, untyped.message) == ("error", "boom")  # type: ignore[attr-defined]


def test_event_data_that_is_not_a_json_object_fails_with_a_clear_error() -> None:
    with pytest.raises(EventDataError) as caught:
        responses.parse_event("response.created", "[1]")
    assert str(caught.value) == (
        "cannot parse the data of stream event 'response.created': the data is a JSON list, not an object. "
        "The data starts with '[1]'; expected one JSON object as the spec describes for 'response.created'. "
        "Check that the stream was decoded frame by frame (one event: line, data: lines joined with \\n)."
    )
    with pytest.raises(EventDataError):
        responses.parse_event(None, "{not json")
