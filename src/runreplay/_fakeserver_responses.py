"""What the embedded server answers on `POST /v1/responses`: response objects and their event streams.

No sockets here: `create_response(body, store, ...)` returns an `Answer` (a JSON body, or the stream's
(event, data) pairs) and `fakeserver.py` writes it. The streams follow the 2025 event order (a
hand-written transcript in that shape, `tests/data/reference/response_stream_2025_shape_text.sse`) in
the shape the spec has today: `created`,
`in_progress`, then per output item `output_item.added`, its parts and deltas, `output_item.done`,
then `completed`, every event with a `sequence_number`.

What the model does is decided from the request, deterministically:

* `function_call_output` items in the input (with `previous_response_id`): a text answer quoting them;
* function tools (and `tool_choice` not `none`): one `function_call` with arguments that fit the
  function's `parameters`, streamed as `response.function_call_arguments.delta` fragments;
* `text.format` of type `json_schema` (what `client.responses.parse` sends): JSON fitting the schema;
* otherwise a text answer (with non-ASCII text) chosen by the seed and the question.

`metadata: {"runreplay_fault": "stream_error"}` makes a streamed answer end in an in-stream `error`
event, as the API sends when a response fails mid-stream.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from runreplay import _fakeserver_payloads as payloads
from runreplay._fakeserver_payloads import Event, IdMaker, compact_json

__all__ = ["Answer", "ResponseStore", "create_response"]

JSONDict = dict[str, Any]
FAULT_KEY = "runreplay_fault"
_CODES = {
    "closed": "unknown_parameter",
    "required": "missing_required_parameter",
    "json_type": "invalid_type",
}


@dataclass
class Answer:
    """The reply to one request: a status and a JSON body, or a 200 stream of (event, data) pairs."""

    status: int
    body: Any = None
    events: list[Event] | None = None


@dataclass
class ResponseStore:
    """The responses created so far, by id, so `previous_response_id` can find its function calls."""

    responses: dict[str, JSONDict] = field(default_factory=dict)


def _error(status: int, message: str, *, param: str | None = None, code: str | None = None) -> Answer:
    """An API error answer."""
    return Answer(status, payloads.error_body(message, type_="invalid_request_error", param=param, code=code))


def _invalid(body: Any) -> Answer | None:
    """The API's 400 for the first broken rule of `CreateResponseRequest`, or None for a valid body."""
    from runreplay.models import responses  # imported on first use: starting a server stays cheap

    violations = responses.check(body)
    if not violations:
        return None
    first = violations[0]
    param = first.path.removeprefix("$").removeprefix(".") or None
    kind = responses.RULES[first.rule].kind
    message = f"Invalid request: {first.message} at '{param or 'body'}' (rule {first.rule})."
    return _error(400, message, param=param, code=_CODES.get(kind, "invalid_value"))


def _items(body: JSONDict) -> list[JSONDict]:
    """The input as a list of item objects (a string input is one user message)."""
    value = body.get("input")
    if isinstance(value, str):
        return [{"type": "message", "role": "user", "content": value}]
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _question(items: list[JSONDict]) -> str:
    """The text of the last user message."""
    for item in reversed(items):
        if item.get("role") == "user":
            return payloads.message_text(item.get("content"))
    return ""


def _function(body: JSONDict) -> JSONDict | None:
    """The function tool the model calls: the one `tool_choice` names, else the first; none for `none`."""
    tools = [t for t in body.get("tools") or [] if isinstance(t, dict) and t.get("type") == "function"]
    choice = body.get("tool_choice")
    if not tools or choice == "none":
        return None
    if isinstance(choice, dict) and choice.get("type") == "function":
        return next((t for t in tools if t.get("name") == choice.get("name")), tools[0])
    return tools[0]


class _Builder:
    """Builds one response object and its events, with ids drawn from the seed and request index."""

    def __init__(self, body: JSONDict, store: ResponseStore, seed: int, index: int, now: int) -> None:
        self.body, self.store, self.seed, self.now = body, store, seed, now
        self.ids = IdMaker("responses", seed, index)
        self.id = self.ids.make("resp_")
        self.events: list[Event] = []

    def emit(self, event_type: str, /, **data: Any) -> None:
        """Add an event with its `type` and the next `sequence_number`."""
        self.events.append((event_type, {"type": event_type, **data, "sequence_number": len(self.events)}))

    def response(self, status: str, output: list[JSONDict], usage: JSONDict | None) -> JSONDict:
        """The response object in a given state (as in `response.created` or `response.completed`)."""
        body = self.body
        text = body.get("text") if isinstance(body.get("text"), dict) else {}
        response = {
            "id": self.id,
            "object": "response",
            "created_at": self.now,
            "status": status,
            "background": bool(body.get("background") or False),
            "completed_at": self.now + 1 if status == "completed" else None,
            "error": None,
            "incomplete_details": None,
            "instructions": body.get("instructions"),
            "max_output_tokens": body.get("max_output_tokens"),
            "max_tool_calls": body.get("max_tool_calls"),
            "model": body.get("model") or payloads.DEFAULT_MODEL,
            "output": output,
            "parallel_tool_calls": body.get("parallel_tool_calls", True),
            "previous_response_id": body.get("previous_response_id"),
            "prompt_cache_key": body.get("prompt_cache_key"),
            "reasoning": {"effort": None, "summary": None, **(body.get("reasoning") or {})},
            "safety_identifier": body.get("safety_identifier"),
            "service_tier": "default",
            "store": body.get("store", True),
            "temperature": body.get("temperature", 1.0),
            "text": {"format": {"type": "text"}, "verbosity": "medium", **(text or {})},
            "tool_choice": body.get("tool_choice", "auto"),
            "tools": body.get("tools") or [],
            "top_logprobs": body.get("top_logprobs", 0),
            "top_p": body.get("top_p", 1.0),
            "truncation": body.get("truncation") or "disabled",
            "usage": usage,
            "user": body.get("user"),
            "metadata": body.get("metadata") or {},
        }
        # The spec has `usage` and `user` as non-null: the API leaves them out rather than send null.
        return {
            key: value for key, value in response.items() if value is not None or key not in ("usage", "user")
        }

    def message(self, text: str, index: int) -> JSONDict:
        """Stream an assistant message answering with `text`; return the finished item."""
        item_id = self.ids.make("msg_")
        part = {"type": "output_text", "text": "", "annotations": [], "logprobs": []}
        where = {"item_id": item_id, "output_index": index, "content_index": 0}
        item = {"id": item_id, "type": "message", "status": "in_progress", "content": [], "role": "assistant"}
        self.emit("response.output_item.added", output_index=index, item=item)
        self.emit("response.content_part.added", **where, part=part)
        for piece in payloads.split_text(text):
            self.emit("response.output_text.delta", **where, delta=piece, logprobs=[])
        self.emit("response.output_text.done", **where, text=text, logprobs=[])
        done_part = {**part, "text": text}
        self.emit("response.content_part.done", **where, part=done_part)
        done = {**item, "status": "completed", "content": [done_part]}
        self.emit("response.output_item.done", output_index=index, item=done)
        return done

    def function_call(self, function: JSONDict, index: int) -> JSONDict:
        """Stream a function call with arguments that fit the function's parameters; return the item."""
        item_id, call_id = self.ids.make("fc_"), self.ids.make("call_")
        arguments = compact_json(payloads.example_arguments(function.get("parameters"), self.ids.rng))
        item = {
            "id": item_id,
            "type": "function_call",
            "status": "in_progress",
            "arguments": "",
            "call_id": call_id,
            "name": function.get("name", ""),
        }
        self.emit("response.output_item.added", output_index=index, item=item)
        for piece in payloads.split_arguments(arguments):
            self.emit(
                "response.function_call_arguments.delta", item_id=item_id, output_index=index, delta=piece
            )
        self.emit(
            "response.function_call_arguments.done",
            item_id=item_id,
            output_index=index,
            name=item["name"],
            arguments=arguments,
        )
        done = {**item, "status": "completed", "arguments": arguments}
        self.emit("response.output_item.done", output_index=index, item=done)
        return done

    def answer(self, items: list[JSONDict]) -> tuple[str, JSONDict | None]:
        """The text to say, or the function to call (then the text is empty)."""
        outputs = [i for i in items if i.get("type") == "function_call_output"]
        if outputs:
            calls = {
                call.get("call_id"): call.get("name", "")
                for response in self.store.responses.values()
                for call in response["output"]
                if call.get("type") == "function_call"
            }
            said = [
                payloads.tool_answer_text(calls.get(o.get("call_id"), "the tool"), str(o.get("output")))
                for o in outputs
            ]
            return " ".join(said), None
        function = _function(self.body)
        if function is not None:
            return "", function
        text = self.body.get("text")
        fmt = text.get("format") if isinstance(text, dict) else None
        if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
            return compact_json(payloads.example_arguments(fmt.get("schema"), self.ids.rng)), None
        if isinstance(fmt, dict) and fmt.get("type") == "json_object":
            return compact_json({"answer": payloads.answer_text(self.seed, _question(items))}), None
        return payloads.answer_text(self.seed, _question(items)), None


def create_response(
    body: Any, store: ResponseStore, *, seed: int, index: int, now: int, validate: bool = True
) -> Answer:
    """Answer `POST /v1/responses`: a 400 (broken rule, unknown previous response) or the response."""
    if not isinstance(body, dict):
        return _error(400, "Invalid type for body: expected an object.", code="invalid_type")
    problem = _invalid(body) if validate else None
    if problem is not None:
        return problem
    previous = body.get("previous_response_id")
    if previous is not None and previous not in store.responses:
        return _error(
            400,
            f"Previous response with id '{previous}' not found.",
            param="previous_response_id",
            code="previous_response_not_found",
        )
    builder = _Builder(body, store, seed, index, now)
    items = _items(body)
    builder.emit("response.created", response=builder.response("in_progress", [], None))
    builder.emit("response.in_progress", response=builder.response("in_progress", [], None))
    metadata = body.get("metadata")
    if body.get("stream") and isinstance(metadata, dict) and metadata.get(FAULT_KEY) == "stream_error":
        builder.emit(
            "error",
            code="server_error",
            message="The server had an error while processing your request.",
            param=None,
        )
        return Answer(200, events=builder.events)
    text, function = builder.answer(items)
    item = builder.function_call(function, 0) if function is not None else builder.message(text, 0)
    prompt = len(compact_json(body.get("input"))) // 4 + 10
    completion = max(1, len(text or item.get("arguments", "")) // 4)
    usage = {
        "input_tokens": prompt,
        "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        "output_tokens": completion,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": prompt + completion,
    }
    final = builder.response("completed", [item], usage)
    builder.emit("response.completed", response=final)
    if body.get("store", True) is not False:
        store.responses[builder.id] = final
    if body.get("stream"):
        return Answer(200, events=builder.events)
    return Answer(200, body=final)
