"""The embedded server's `POST /v1/responses`, over real sockets with httpx: event sequences that follow the
real recorded stream and validate against the vendored `ResponseStreamEvent` schema, function calls and
their follow-up, structured output, 400, 429 and an in-stream `error` event."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator

from runreplay.fakeserver import FakeAssistantsServer
from runreplay.sse import Decoder

REFERENCE = Path(__file__).resolve().parent / "data" / "reference"
EVENTS = Draft202012Validator(json.loads((REFERENCE / "response_stream_events.schema.json").read_text()))
TOOL = {
    "type": "function",
    "name": "get_weather",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    "strict": False,
}


def _post(server: FakeAssistantsServer, body: Any) -> httpx.Response:
    return httpx.post(f"{server.base_url}/responses", json=body, headers={"authorization": "Bearer sk-test"})


def _events(raw: bytes | httpx.Response) -> list[tuple[str, dict[str, Any]]]:
    if isinstance(raw, httpx.Response):
        assert (raw.status_code, raw.headers["content-type"]) == (200, "text/event-stream; charset=utf-8")
        raw = raw.content
    decoder = Decoder()
    frames = decoder.feed(raw) + decoder.close()
    return [(frame.event, json.loads(frame.data)) for frame in frames]


def _shape(types: list[str]) -> list[str]:
    """The event types with runs of the same delta type folded into one."""
    return [t for i, t in enumerate(types) if not (t.endswith(".delta") and i and types[i - 1] == t)]


def test_a_streamed_text_answer_has_the_shape_of_the_real_recorded_stream(
    server: FakeAssistantsServer,
) -> None:
    recorded = [name for name, _ in _events((REFERENCE / "response_stream_2025_shape_text.sse").read_bytes())]
    reply = _post(server, {"model": "gpt-4o", "input": "hello", "stream": True})
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/event-stream")
    events = _events(reply.content)
    assert _shape([name for name, _ in events]) == _shape(recorded)
    assert [data["sequence_number"] for _, data in events] == list(range(len(events)))
    for name, data in events:
        assert data["type"] == name
        errors = [e.message for e in EVENTS.iter_errors(data)]
        assert errors == [], (name, errors)
    text = "".join(data["delta"] for name, data in events if name == "response.output_text.delta")
    assert events[-1][1]["response"]["output"][0]["content"][0]["text"] == text


def test_a_non_streamed_answer_is_the_completed_response(server: FakeAssistantsServer) -> None:
    body = _post(server, {"model": "gpt-4o-mini", "input": [{"role": "user", "content": "Hi!"}]}).json()
    assert (body["object"], body["status"], body["model"]) == ("response", "completed", "gpt-4o-mini")
    assert body["output"][0]["type"] == "message"
    assert body["usage"]["total_tokens"] == body["usage"]["input_tokens"] + body["usage"]["output_tokens"]


def test_a_function_call_streams_argument_deltas_and_the_follow_up_answers(
    server: FakeAssistantsServer,
) -> None:
    events = _events(_post(server, {"model": "gpt-4o", "input": "Weather?", "tools": [TOOL], "stream": True}))
    for _, data in events:
        assert [e.message for e in EVENTS.iter_errors(data)] == []
    deltas = [data["delta"] for name, data in events if name == "response.function_call_arguments.delta"]
    done = next(data for name, data in events if name == "response.function_call_arguments.done")
    assert len(deltas) > 1
    assert "".join(deltas) == done["arguments"]
    assert set(json.loads(done["arguments"])) == {"city"}
    final = events[-1][1]["response"]
    call = final["output"][0]
    follow = _post(
        server,
        {
            "model": "gpt-4o",
            "previous_response_id": final["id"],
            "input": [{"type": "function_call_output", "call_id": call["call_id"], "output": '{"temp": 20}'}],
        },
    ).json()
    assert follow["previous_response_id"] == final["id"]
    assert (
        follow["output"][0]["content"][0]["text"]
        == 'Voilà — according to get_weather: {"temp": 20} Anything else? 🙂'
    )


def test_structured_output_fits_the_requested_schema(server: FakeAssistantsServer) -> None:
    schema = {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "rain_mm": {"type": "number", "minimum": 0, "maximum": 50},
        },
        "required": ["city", "rain_mm"],
        "additionalProperties": False,
    }
    body = {
        "model": "gpt-4o",
        "input": "Rain?",
        "text": {"format": {"type": "json_schema", "name": "rain", "schema": schema}},
    }
    text = _post(server, body).json()["output"][0]["content"][0]["text"]
    assert list(Draft202012Validator(schema).iter_errors(json.loads(text))) == []


def test_a_broken_rule_is_a_400_in_the_api_envelope(server: FakeAssistantsServer) -> None:
    reply = _post(
        server,
        {
            "model": "gpt-4o",
            "input": "x",
            "tools": [{"type": "function", "name": "bad name", "parameters": {}, "strict": False}],
        },
    )
    assert reply.status_code == 400
    assert reply.json() == {
        "error": {
            "message": "Invalid request: expected 1 to 64 of a-z, A-Z, 0-9, '_' and '-', got 'bad name' at 'tools[0].name' (rule function.name.pattern).",
            "type": "invalid_request_error",
            "param": "tools[0].name",
            "code": "invalid_value",
        }
    }


def test_an_unknown_previous_response_is_a_400(server: FakeAssistantsServer) -> None:
    reply = _post(server, {"model": "gpt-4o", "input": "x", "previous_response_id": "resp_missing"})
    assert (reply.status_code, reply.json()["error"]["code"]) == (400, "previous_response_not_found")
    assert reply.json()["error"]["message"] == "Previous response with id 'resp_missing' not found."


def test_a_body_that_is_not_an_object_is_a_400(server: FakeAssistantsServer) -> None:
    reply = _post(server, ["not", "an", "object"])
    assert (reply.status_code, reply.json()["error"]["message"]) == (
        400,
        "Invalid type for body: expected an object.",
    )


def test_rate_limit_applies_to_responses_too(server: FakeAssistantsServer) -> None:
    server.fail_next(429)
    reply = _post(server, {"model": "gpt-4o", "input": "x"})
    assert reply.status_code == 429
    assert reply.json()["error"]["code"] == "rate_limit_exceeded"
    assert _post(server, {"model": "gpt-4o", "input": "x"}).status_code == 200


def test_an_in_stream_error_event_ends_the_stream(server: FakeAssistantsServer) -> None:
    body = {"model": "gpt-4o", "input": "x", "stream": True, "metadata": {"runreplay_fault": "stream_error"}}
    events = _events(_post(server, body))
    assert [name for name, _ in events] == ["response.created", "response.in_progress", "error"]
    assert events[-1][1] == {
        "type": "error",
        "code": "server_error",
        "message": "The server had an error while processing your request.",
        "param": None,
        "sequence_number": 2,
    }
    assert [e.message for e in EVENTS.iter_errors(events[-1][1])] == []


def test_the_same_seed_gives_the_same_bytes() -> None:
    def run() -> bytes:
        with FakeAssistantsServer(seed=5) as fake:
            return _post(fake, {"model": "gpt-4o", "input": "Same?", "stream": True}).content

    assert run() == run()


@pytest.mark.parametrize("validate", [False])
def test_validation_can_be_switched_off(validate: bool) -> None:
    with FakeAssistantsServer(validate=validate) as fake:
        assert _post(fake, {"model": "gpt-4o", "input": "x", "temperature": 9}).status_code == 200
