"""The same application feature as `assistant_app.py`, moved to the Responses API (`POST /v1/responses`).

OpenAI deprecated Assistants (removal announced for 2026-08-26); this is the weather feature written
again on `client.responses`: the same `WEATHER_TOOL` (flattened into the Responses tool shape), the
same `Answer`, and a function-calling loop that sends `function_call_output` items back with
`previous_response_id` instead of `submit_tool_outputs`. The request is checked with
`runreplay.models.responses.CreateResponseRequest` before it is sent.
"""

from __future__ import annotations

import json
from typing import Any

import openai
from assistant_app import WEATHER_TOOL, Answer, InvalidRequest, lookup_weather
from pydantic import BaseModel, ValidationError

from runreplay.models.responses import CreateResponseRequest, rule_ids_for

__all__ = ["RESPONSES_WEATHER_TOOL", "Forecast", "ask", "check_request", "forecast", "request_body"]

# Assistants nests the function under "function"; Responses puts its keys on the tool itself.
RESPONSES_WEATHER_TOOL: dict[str, Any] = {"type": "function", **WEATHER_TOOL["function"], "strict": False}


class Forecast(BaseModel):
    """A structured answer, parsed by the SDK from the model's JSON output."""

    city: str
    temperature_c: float
    summary: str


def request_body(
    question: str, *, model: str = "gpt-4o", tools: bool = True, **options: Any
) -> dict[str, Any]:
    """The `POST /v1/responses` body the application sends for one question."""
    body: dict[str, Any] = {"model": model, "input": question, **options}
    if tools:
        body["tools"] = [RESPONSES_WEATHER_TOOL]
    return body


def check_request(body: dict[str, Any]) -> CreateResponseRequest:
    """Validate a body with runreplay's Responses model before sending it, naming the broken rules."""
    try:
        return CreateResponseRequest.model_validate(body)
    except ValidationError as error:
        rules = sorted({rule for rule, _ in rule_ids_for(error)})
        raise InvalidRequest(rules, f"request breaks {', '.join(rules)}") from error


def _stream(client: openai.OpenAI, body: dict[str, Any]) -> tuple[list[str], Any]:
    """Stream one response: the text deltas as they arrive, then the final response object."""
    with client.responses.stream(**body) as stream:
        parts = [event.delta for event in stream if event.type == "response.output_text.delta"]
        return parts, stream.get_final_response()


def ask(client: openai.OpenAI, question: str, *, tools: bool = True) -> Answer:
    """Ask one question; if the model calls the weather tool, answer it and stream the rest."""
    body = request_body(question, tools=tools)
    check_request(body)
    parts, response = _stream(client, body)
    calls: list[str] = []
    for _ in range(5):  # a model may call tools more than once; never loop forever
        pending = [item for item in response.output if item.type == "function_call"]
        if not pending:
            break
        outputs = []
        for call in pending:
            calls.append(f"{call.name}({call.arguments})")
            city = json.loads(call.arguments or "{}").get("city", "")
            outputs.append(
                {"type": "function_call_output", "call_id": call.call_id, "output": lookup_weather(city)}
            )
        follow_up = request_body("", tools=tools, previous_response_id=response.id, input=outputs)
        check_request(follow_up)
        more, response = _stream(client, follow_up)
        parts.extend(more)
    return Answer(text="".join(parts), tool_calls=calls, status=response.status or "")


def forecast(client: openai.OpenAI, city: str) -> Forecast | None:
    """Structured output: the SDK sends `text.format` as a JSON Schema and parses the answer."""
    parsed = client.responses.parse(
        model="gpt-4o", input=f"The weather in {city}, please.", text_format=Forecast
    )
    return parsed.output_parsed
