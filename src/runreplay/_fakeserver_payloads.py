"""Deterministic Assistants API objects and event sequences for the embedded fake server.

Pure data, no I/O: the server module turns these dicts into HTTP responses. Every id, timestamp and
text comes from a seed and the request, never from the wall clock or the global `random` state, so
the same requests give the same bytes in any process.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
import string
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "BASE_TIME",
    "Event",
    "IdMaker",
    "RunState",
    "ThreadState",
    "create_run",
    "error_body",
    "list_object",
    "poll",
    "resume_events",
    "sse_frame",
    "start_events",
    "submit_tool_outputs",
]

JSONDict = dict[str, Any]

BASE_TIME = 1767225600  # 2026-01-01T00:00:00Z, the epoch every created_at counts from
RUN_LIFETIME = 600  # seconds from created_at to expires_at while a run is not terminal
_ALNUM = string.ascii_letters + string.digits

_OPENERS = ("Bonne question", "Voilà", "Certainly", "Good question", "Here is the short answer")
_PLACES = ("Île-de-France", "Zürich", "São Paulo", "Kraków", "Reykjavík", "Montréal", "Málaga", "Genève")
_FACTS = (
    "{place} is where I would start",
    "the people of {place} would say “it depends”",
    "{place} has the best example of it",
    "think of {place} in early spring",
)
_ENDINGS = ("🌍", "✨", "☕", "🙂")
_WORDS = ("alpha", "bravo", "crème", "delta", "échelle", "fjord", "garçon", "naïve")


def compact_json(value: Any) -> str:
    """Serialise like the API's stream payloads: compact separators and raw UTF-8."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def sse_frame(event: str, data: Any) -> bytes:
    """One SSE frame, `event:` + one compact `data:` line + blank line, LF only."""
    payload = data if isinstance(data, str) else compact_json(data)
    return f"event: {event}\ndata: {payload}\n\n".encode()


def error_body(message: str, *, type_: str, param: str | None = None, code: str | None = None) -> JSONDict:
    """The API's error envelope, `{"error": {message, type, param, code}}`."""
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def _stable_int(*parts: object) -> int:
    """A process-independent integer from `parts` (hash() is salted per process; sha256 is not)."""
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


class IdMaker:
    """Object ids (`prefix` + 24 alphanumerics) drawn from a seeded, request-local generator."""

    def __init__(self, *parts: object) -> None:
        self._rng = random.Random(_stable_int("ids", *parts))

    def make(self, prefix: str) -> str:
        """A fresh id such as `run_` + 24 alphanumerics."""
        return prefix + "".join(self._rng.choice(_ALNUM) for _ in range(24))

    def randint(self, low: int, high: int) -> int:
        """A number from the same stream, for values that must vary with the seed."""
        return self._rng.randint(low, high)

    @property
    def rng(self) -> random.Random:
        """The underlying generator, for derived values such as tool arguments."""
        return self._rng


def answer_text(seed: int, question: str) -> str:
    """The assistant's answer: chosen by the seed and the question, always with non-ASCII text."""
    rng = random.Random(_stable_int("answer", seed, question))
    fact = rng.choice(_FACTS).format(place=rng.choice(_PLACES))
    quoted = " ".join(question.split())
    if len(quoted) > 60:
        quoted = quoted[:59].rstrip() + "…"
    asked = f" you asked «{quoted}»." if quoted else ""
    return f"{rng.choice(_OPENERS)} —{asked} {fact[0].upper()}{fact[1:]}. {rng.choice(_ENDINGS)}"


def tool_answer_text(name: str, output: str) -> str:
    """The answer after tool outputs were submitted: it quotes the output, with non-ASCII text."""
    shown = output if len(output) <= 200 else output[:199] + "…"
    return f"Voilà — according to {name}: {shown} Anything else? 🙂"


def split_text(text: str) -> list[str]:
    """Split text into delta-sized pieces (a word with its leading space), joining back to `text`."""
    pieces = re.findall(r"\s*\S+", text)
    if not pieces:
        return [text]
    pieces[-1] += text[len("".join(pieces)) :]
    return pieces


def split_arguments(arguments: str) -> list[str]:
    """Split a JSON arguments string into fragments the way streamed tool calls arrive."""
    return re.findall(r"\w+|\W+", arguments) or [arguments]


def example_arguments(schema: Any, rng: random.Random) -> JSONDict:
    """A deterministic argument object that fits a function's JSON-schema `parameters`."""
    value = _example_value(schema, "", rng, 0)
    return value if isinstance(value, dict) else {}


def _example_value(schema: Any, name: str, rng: random.Random, depth: int) -> Any:
    """One value for `schema`: enums, consts and bounds respected; nesting capped at four levels."""
    if not isinstance(schema, dict):
        return rng.choice(_WORDS)
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return rng.choice(schema["enum"])
    for key in ("anyOf", "oneOf", "allOf"):
        if isinstance(schema.get(key), list) and schema[key]:
            return _example_value(schema[key][0], name, rng, depth)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema or depth == 0 else "string"
    if kind == "object":
        if depth >= 4:
            return {}
        props = schema.get("properties")
        props = props if isinstance(props, dict) else {}
        return {key: _example_value(sub, key, rng, depth + 1) for key, sub in props.items()}
    if kind == "array":
        count = max(1, int(_number(schema.get("minItems"), 1)))
        return [_example_value(schema.get("items"), name, rng, depth + 1) for _ in range(min(count, 3))]
    if kind in {"integer", "number"}:
        low = _number(schema.get("minimum"), 1.0)
        high = max(low, _number(schema.get("maximum"), low + 9))
        if kind == "integer":
            return rng.randint(math.ceil(low), max(math.ceil(low), math.floor(high)))
        return round(rng.uniform(low, high), 1)
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "null":
        return None
    if any(hint in name.lower() for hint in ("location", "city", "place", "region")):
        return rng.choice(_PLACES)
    return rng.choice(_WORDS)


def _number(value: Any, default: float) -> float:
    """A schema bound as a float, or `default` when it is absent or not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    return float(value)


def message_text(content: Any) -> str:
    """The plain text of a request message's `content` (a string or a list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [part.get("text") for part in content if isinstance(part, dict)]
        return " ".join(text for text in texts if isinstance(text, str))
    return ""


def _content_blocks(content: Any) -> list[JSONDict]:
    """Request message content as the response's content blocks (text parts gain annotations)."""
    if isinstance(content, str):
        return [{"type": "text", "text": {"value": content, "annotations": []}}]
    blocks: list[JSONDict] = []
    for part in content if isinstance(content, list) else []:
        if isinstance(part, dict) and part.get("type") == "text":
            blocks.append({"type": "text", "text": {"value": part.get("text", ""), "annotations": []}})
        elif isinstance(part, dict):
            blocks.append(part)
    return blocks


def _or(value: Any, default: Any) -> Any:
    """`value`, or `default` when the request left it out or sent null."""
    return default if value is None else value


DEFAULT_MODEL = "gpt-4o"
DEFAULT_INSTRUCTIONS = "You are a helpful assistant."
_RUN_HEAD_KEYS = (
    "model",
    "instructions",
    "tools",
    "tool_resources",
    "metadata",
    "temperature",
    "top_p",
    "max_completion_tokens",
    "max_prompt_tokens",
    "truncation_strategy",
)
_RUN_TAIL_KEYS = ("response_format", "tool_choice", "parallel_tool_calls")
_TERMINAL = frozenset({"completed", "failed", "cancelled", "expired", "incomplete"})

Event = tuple[str, Any]


def run_config(body: JSONDict) -> JSONDict:
    """The run's echoed settings: the request's values with the API's defaults filled in."""
    tools = []
    for tool in _or(body.get("tools"), []):
        if (
            isinstance(tool, dict)
            and tool.get("type") == "function"
            and isinstance(tool.get("function"), dict)
        ):
            tool = {
                **tool,
                "function": {**tool["function"], "strict": _or(tool["function"].get("strict"), False)},
            }
        tools.append(tool)
    truncation = _or(body.get("truncation_strategy"), {"type": "auto"})
    return {
        "model": _or(body.get("model"), DEFAULT_MODEL),
        "instructions": _or(body.get("instructions"), DEFAULT_INSTRUCTIONS),
        "tools": tools,
        "tool_resources": _or(body.get("tool_resources"), {}),
        "metadata": _or(body.get("metadata"), {}),
        "temperature": float(_or(body.get("temperature"), 1.0)),
        "top_p": float(_or(body.get("top_p"), 1.0)),
        "max_completion_tokens": body.get("max_completion_tokens"),
        "max_prompt_tokens": body.get("max_prompt_tokens"),
        "truncation_strategy": {"last_messages": None, **truncation},
        "response_format": _or(body.get("response_format"), "auto"),
        "tool_choice": _or(body.get("tool_choice"), "auto"),
        "parallel_tool_calls": _or(body.get("parallel_tool_calls"), True),
    }


def chosen_function(tools: list[Any], tool_choice: Any) -> JSONDict | None:
    """The function tool a run calls, or None when it answers in text (no function, or choice "none")."""
    functions: list[JSONDict] = [
        tool["function"]
        for tool in tools
        if isinstance(tool, dict)
        and tool.get("type") == "function"
        and isinstance(tool.get("function"), dict)
        and isinstance(tool["function"].get("name"), str)
    ]
    if not functions or tool_choice == "none":
        return None
    if isinstance(tool_choice, dict):
        if tool_choice.get("type") != "function":
            return None
        wanted = (tool_choice.get("function") or {}).get("name")
        return next((fn for fn in functions if fn["name"] == wanted), functions[0])
    return functions[0]


@dataclass
class ThreadState:
    """A thread the server created: its object fields and its messages, oldest first."""

    id: str
    created_at: int
    metadata: JSONDict
    tool_resources: JSONDict
    messages: list[JSONDict] = field(default_factory=list)

    def to_dict(self) -> JSONDict:
        """The ThreadObject."""
        return {
            "id": self.id,
            "object": "thread",
            "created_at": self.created_at,
            "metadata": self.metadata,
            "tool_resources": self.tool_resources,
        }


@dataclass
class ToolCall:
    """The one function call a run asks for, and the output once submitted."""

    id: str
    name: str
    arguments: str
    output: str | None = None


@dataclass
class RunState:
    """A run: settings fixed at creation, ids planned up front, and the status as it progresses."""

    id: str
    thread: ThreadState
    assistant_id: str
    created_at: int
    config: JSONDict
    answer: str
    prompt_tokens: int
    message_id: str
    step_id: str
    tool_step_id: str
    tool_call: ToolCall | None
    polls_left: int
    status: str = "queued"
    started_at: int | None = None
    completed_at: int | None = None
    required_action: JSONDict | None = None
    steps: list[JSONDict] = field(default_factory=list)

    @property
    def awaiting_tool_outputs(self) -> bool:
        """Whether the run still has to ask for (or is asking for) its tool call's output."""
        return self.tool_call is not None and self.tool_call.output is None

    def usage(self) -> JSONDict | None:
        """Token usage summed over completed steps; null until the run is terminal."""
        if self.status not in _TERMINAL:
            return None
        return _sum_usage([step["usage"] for step in self.steps if step["usage"]])

    def to_dict(self) -> JSONDict:
        """The RunObject as it stands, keys in the order the API sends them."""
        return {
            "id": self.id,
            "object": "thread.run",
            "created_at": self.created_at,
            "assistant_id": self.assistant_id,
            "thread_id": self.thread.id,
            "status": self.status,
            "started_at": self.started_at,
            "expires_at": None if self.status in _TERMINAL else self.created_at + RUN_LIFETIME,
            "cancelled_at": None,
            "failed_at": None,
            "completed_at": self.completed_at,
            "required_action": self.required_action,
            "last_error": None,
            **{key: self.config[key] for key in _RUN_HEAD_KEYS},
            "incomplete_details": None,
            "usage": self.usage(),
            **{key: self.config[key] for key in _RUN_TAIL_KEYS},
        }

    def step(self, step_id: str, kind: str, details: JSONDict, created_at: int) -> JSONDict:
        """A RunStepObject of this run, in progress."""
        return {
            "id": step_id,
            "object": "thread.run.step",
            "created_at": created_at,
            "run_id": self.id,
            "assistant_id": self.assistant_id,
            "thread_id": self.thread.id,
            "type": kind,
            "status": "in_progress",
            "cancelled_at": None,
            "completed_at": None,
            "expired_at": None,
            "failed_at": None,
            "last_error": None,
            "step_details": details,
            "metadata": {},
            "usage": None,
        }

    def message(self, created_at: int) -> JSONDict:
        """The assistant's MessageObject of this run, in progress and empty."""
        return {
            "id": self.message_id,
            "object": "thread.message",
            "created_at": created_at,
            "assistant_id": self.assistant_id,
            "thread_id": self.thread.id,
            "run_id": self.id,
            "status": "in_progress",
            "incomplete_details": None,
            "incomplete_at": None,
            "completed_at": None,
            "role": "assistant",
            "content": [],
            "attachments": [],
            "metadata": {},
        }


def _usage(prompt: int, completion: int) -> JSONDict:
    """A usage object."""
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _sum_usage(usages: list[JSONDict]) -> JSONDict:
    """Several usage objects added up."""
    return _usage(sum(u["prompt_tokens"] for u in usages), sum(u["completion_tokens"] for u in usages))


def user_message(thread: ThreadState, message_id: str, request: JSONDict, created_at: int) -> JSONDict:
    """A MessageObject for one message of the request's `thread.messages`."""
    return {
        "id": message_id,
        "object": "thread.message",
        "created_at": created_at,
        "assistant_id": None,
        "thread_id": thread.id,
        "run_id": None,
        "status": "completed",
        "incomplete_details": None,
        "incomplete_at": None,
        "completed_at": created_at,
        "role": request.get("role", "user"),
        "content": _content_blocks(request.get("content")),
        "attachments": _or(request.get("attachments"), []),
        "metadata": _or(request.get("metadata"), {}),
    }


def create_run(body: JSONDict, *, seed: int, index: int, now: int, poll_steps: int) -> RunState:
    """A new thread and run for a validated CreateThreadAndRunRequest body."""
    ids = IdMaker(seed, index)
    thread_body = body.get("thread") or {}
    thread = ThreadState(
        id=ids.make("thread_"),
        created_at=now,
        metadata=_or(thread_body.get("metadata"), {}),
        tool_resources=_or(thread_body.get("tool_resources"), {}),
    )
    run_id = ids.make("run_")
    requested = [m for m in _or(thread_body.get("messages"), []) if isinstance(m, dict)]
    thread.messages = [user_message(thread, ids.make("msg_"), m, now) for m in requested]
    config = run_config(body)
    question = next(
        (message_text(m.get("content")) for m in reversed(requested) if m.get("role") == "user"), ""
    )
    words = len(config["instructions"].split()) + sum(
        len(message_text(m.get("content")).split()) for m in requested
    )
    run = RunState(
        id=run_id,
        thread=thread,
        assistant_id=body["assistant_id"],
        created_at=now,
        config=config,
        answer=answer_text(seed, question),
        prompt_tokens=24 + words,
        step_id=ids.make("step_"),
        message_id=ids.make("msg_"),
        tool_step_id=ids.make("step_"),
        tool_call=None,
        polls_left=poll_steps,
    )
    function = chosen_function(config["tools"], config["tool_choice"])
    if function is not None:
        call_id = ids.make("call_")
        arguments = compact_json(example_arguments(function.get("parameters"), ids.rng))
        run.tool_call = ToolCall(id=call_id, name=function["name"], arguments=arguments)
    return run


def start_events(run: RunState) -> list[Event]:
    """The whole create-thread-and-run stream: the run goes from queued to its next resting state."""
    events: list[Event] = [
        ("thread.created", run.thread.to_dict()),
        ("thread.run.created", run.to_dict()),
        ("thread.run.queued", run.to_dict()),
    ]
    run.status, run.started_at = "in_progress", run.created_at + 1
    events.append(("thread.run.in_progress", run.to_dict()))
    events += advance(run, run.created_at + 2)
    events.append(("done", "[DONE]"))
    return events


def advance(run: RunState, now: int) -> list[Event]:
    """Move an in-progress run to its next resting state (requires_action or completed), as events."""
    if run.awaiting_tool_outputs:
        return _tool_call_events(run, now)
    return _message_events(run, now)


def _tool_call_events(run: RunState, now: int) -> list[Event]:
    """A tool_calls step streaming its function call, then `requires_action`."""
    call = run.tool_call
    assert call is not None
    step = run.step(run.tool_step_id, "tool_calls", {"type": "tool_calls", "tool_calls": []}, now)
    events: list[Event] = [("thread.run.step.created", step), ("thread.run.step.in_progress", step)]
    fragments = split_arguments(call.arguments)
    first = {
        "index": 0,
        "id": call.id,
        "type": "function",
        "function": {"name": call.name, "arguments": "", "output": None},
    }
    deltas = [first] + [{"index": 0, "type": "function", "function": {"arguments": f}} for f in fragments]
    for delta in deltas:
        payload = {"step_details": {"type": "tool_calls", "tool_calls": [delta]}}
        events.append(
            ("thread.run.step.delta", {"id": step["id"], "object": "thread.run.step.delta", "delta": payload})
        )
    function = {"name": call.name, "arguments": call.arguments}
    run.steps.append(
        {
            **step,
            "step_details": {
                "type": "tool_calls",
                "tool_calls": [{"id": call.id, "type": "function", "function": {**function, "output": None}}],
            },
        }
    )
    run.status = "requires_action"
    run.required_action = {
        "type": "submit_tool_outputs",
        "submit_tool_outputs": {"tool_calls": [{"id": call.id, "type": "function", "function": function}]},
    }
    events.append(("thread.run.requires_action", run.to_dict()))
    return events


def _message_events(run: RunState, now: int) -> list[Event]:
    """A message_creation step streaming the answer in deltas, then the run's completion."""
    details = {"type": "message_creation", "message_creation": {"message_id": run.message_id}}
    step = run.step(run.step_id, "message_creation", details, now)
    message = run.message(now)
    events: list[Event] = [
        ("thread.run.step.created", step),
        ("thread.run.step.in_progress", step),
        ("thread.message.created", message),
        ("thread.message.in_progress", message),
    ]
    pieces = split_text(run.answer)
    for number, piece in enumerate(pieces):
        text: JSONDict = {"value": piece, "annotations": []} if number == 0 else {"value": piece}
        delta = {"content": [{"index": 0, "type": "text", "text": text}]}
        events.append(
            ("thread.message.delta", {"id": run.message_id, "object": "thread.message.delta", "delta": delta})
        )
    done = now + 1
    final_message = {
        **message,
        "status": "completed",
        "completed_at": done,
        "content": [{"type": "text", "text": {"value": run.answer, "annotations": []}}],
    }
    final_step = {
        **step,
        "status": "completed",
        "completed_at": done,
        "usage": _usage(run.prompt_tokens, len(pieces)),
    }
    run.thread.messages.append(final_message)
    run.steps.append(final_step)
    run.status, run.completed_at = "completed", done
    events += [
        ("thread.message.completed", final_message),
        ("thread.run.step.completed", final_step),
        ("thread.run.completed", run.to_dict()),
    ]
    return events


def submit_tool_outputs(run: RunState, output: str, now: int) -> list[Event]:
    """Record the tool output: complete the tool step and queue the run again, as events."""
    call = run.tool_call
    assert call is not None
    call.output = output
    tool_step = run.steps[-1]
    tool_calls = [
        {**tc, "function": {**tc["function"], "output": output}}
        for tc in tool_step["step_details"]["tool_calls"]
    ]
    run.steps[-1] = {
        **tool_step,
        "status": "completed",
        "completed_at": now,
        "step_details": {"type": "tool_calls", "tool_calls": tool_calls},
        "usage": _usage(run.prompt_tokens, len(split_arguments(call.arguments))),
    }
    run.answer = tool_answer_text(call.name, output)
    run.prompt_tokens += len(output.split())
    run.status, run.required_action = "queued", None
    return [("thread.run.step.completed", run.steps[-1]), ("thread.run.queued", run.to_dict())]


def resume_events(run: RunState, now: int) -> list[Event]:
    """The rest of a submit_tool_outputs stream after the run was queued again."""
    run.status = "in_progress"
    events: list[Event] = [("thread.run.in_progress", run.to_dict())]
    events += advance(run, now + 1)
    events.append(("done", "[DONE]"))
    return events


def poll(run: RunState, now: int) -> JSONDict:
    """A GET of the run: in_progress for `polls_left` more polls, then its next resting state."""
    if run.status in {"queued", "in_progress"}:
        run.status = "in_progress"
        run.started_at = run.started_at or now
        if run.polls_left > 0:
            run.polls_left -= 1
        else:
            advance(run, now)
    return run.to_dict()


def list_object(items: list[JSONDict]) -> JSONDict:
    """The API's cursor-page envelope around `items`."""
    return {
        "object": "list",
        "data": items,
        "first_id": items[0]["id"] if items else None,
        "last_id": items[-1]["id"] if items else None,
        "has_more": False,
    }
