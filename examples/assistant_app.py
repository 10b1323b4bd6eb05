"""A small downstream application: ask an assistant a question and stream its answer.

It is what the example tests exercise, written the way an application would be: the `openai` SDK's
streaming helper with an event handler, a weather tool the assistant may call (answered with
`submit_tool_outputs_stream`), a retry loop for dropped streams and rate limits, and a check of the
request body against runreplay's models before anything is sent.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx2
import openai
from openai import AssistantEventHandler
from pydantic import ValidationError

from runreplay.models import CreateThreadAndRunRequest, rule_ids_for

__all__ = [
    "WEATHER_TOOL",
    "Answer",
    "InvalidRequest",
    "ask",
    "ask_with_retry",
    "check_request",
    "request_body",
]

WEATHER_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["city"],
        },
    },
}

_FORECASTS = {"paris": "18 C and sunny", "zürich": "9 C, light rain", "tokyo": "24 C, humid"}


class InvalidRequest(ValueError):
    """A request body that the API would reject; `rules` names the broken rules."""

    def __init__(self, rules: list[str], message: str) -> None:
        super().__init__(message)
        self.rules = rules


@dataclass
class Answer:
    """What the assistant said, which tools it called, and how the run ended."""

    text: str
    tool_calls: list[str] = field(default_factory=list)
    status: str = ""


def lookup_weather(city: str) -> str:
    """The application's own weather lookup (a table here; a real service in production)."""
    return _FORECASTS.get(city.strip().lower(), "no forecast available")


def request_body(question: str, *, assistant_id: str, tools: bool = True, **options: Any) -> dict[str, Any]:
    """The create-thread-and-run body the application sends for one question."""
    body: dict[str, Any] = {
        "assistant_id": assistant_id,
        "thread": {"messages": [{"role": "user", "content": question}]},
        **options,
    }
    if tools:
        body["tools"] = [WEATHER_TOOL]
    return body


def check_request(body: dict[str, Any]) -> CreateThreadAndRunRequest:
    """Validate a body with runreplay's models before sending it, naming the broken rules."""
    try:
        return CreateThreadAndRunRequest.model_validate(body)
    except ValidationError as error:
        rules = sorted({hit.rule for hit in rule_ids_for(error)})
        raise InvalidRequest(rules, f"request breaks {', '.join(rules)}") from error


class _Collector(AssistantEventHandler):
    """Collects the streamed text and the function calls of one run."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def on_text_delta(self, delta: Any, snapshot: Any) -> None:
        """Keep each piece of text as it streams in."""
        if delta.value:
            self.parts.append(delta.value)


def ask(
    client: openai.OpenAI, question: str, *, assistant_id: str = "asst_example", tools: bool = True
) -> Answer:
    """Ask one question; if the assistant calls the weather tool, answer it and stream the rest."""
    body = request_body(question, assistant_id=assistant_id, tools=tools)
    check_request(body)
    collector = _Collector()
    with client.beta.threads.create_and_run_stream(**body, event_handler=collector) as stream:
        stream.until_done()
        run = stream.get_final_run()
    parts, calls = list(collector.parts), []
    while run.status == "requires_action" and run.required_action is not None:
        outputs = []
        for call in run.required_action.submit_tool_outputs.tool_calls:
            calls.append(f"{call.function.name}({call.function.arguments})")
            city = json.loads(call.function.arguments or "{}").get("city", "")
            outputs.append({"tool_call_id": call.id, "output": lookup_weather(city)})
        collector = _Collector()  # a handler serves one stream only
        with client.beta.threads.runs.submit_tool_outputs_stream(
            thread_id=run.thread_id, run_id=run.id, tool_outputs=outputs, event_handler=collector
        ) as stream:
            stream.until_done()
            run = stream.get_final_run()
        parts.extend(collector.parts)
    return Answer(text="".join(parts), tool_calls=calls, status=run.status)


RETRYABLE = (
    openai.APIConnectionError,  # also covers timeouts (APITimeoutError)
    openai.RateLimitError,
    openai.InternalServerError,
    # The SDK's streaming helpers let transport errors through unwrapped when a stream breaks
    # mid-way (found by replaying the recording with runreplay's drop_after and stall faults).
    httpx2.TransportError,
)


def ask_with_retry(
    client: openai.OpenAI, question: str, *, attempts: int = 3, backoff: float = 0.0, **options: Any
) -> tuple[Answer, int]:
    """`ask` with retries for dropped streams, timeouts and rate limits; returns the answer and tries used."""
    for attempt in range(1, attempts + 1):
        try:
            return ask(client, question, **options), attempt
        except RETRYABLE:
            if attempt == attempts:
                raise
            time.sleep(backoff * attempt)
    raise AssertionError("unreachable")
