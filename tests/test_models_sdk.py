"""The wire body is what the official SDK sends: `create_and_run(**body)` puts exactly `body` on the wire.

The SDK marks every Assistants method deprecated and warns at call time. pytest runs with
`filterwarnings = error`, so each test ignores exactly that one warning (by message and category)
with a `filterwarnings` mark; any other warning still fails the test.
"""

from __future__ import annotations

import json
from typing import Any

import httpx2
import openai
import pytest

from runreplay.models import (
    AssistantToolsFunction,
    CreateMessageRequest,
    CreateThreadAndRunRequest,
    CreateThreadRequest,
    FunctionObject,
    ResponseFormatJsonSchema,
    ThreadRunCreated,
    parse_event,
)

pytestmark = pytest.mark.filterwarnings("ignore:The Assistants API is deprecated:DeprecationWarning")

RUN = {
    "id": "run_1",
    "object": "thread.run",
    "created_at": 1767225600,
    "thread_id": "thread_1",
    "assistant_id": "asst_1",
    "status": "queued",
    "model": "gpt-4o",
    "instructions": "",
    "tools": [],
    "metadata": {},
    "parallel_tool_calls": True,
}

BODIES: dict[str, dict[str, Any]] = {
    "minimal": {"assistant_id": "asst_1"},
    "everything": {
        "assistant_id": "asst_1",
        "thread": {
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "image_file", "image_file": {"file_id": "file-img", "detail": "low"}},
                        {
                            "type": "image_url",
                            "image_url": {"url": "https://example.com/a.png", "detail": "auto"},
                        },
                        {"type": "text", "text": "Compare these."},
                    ],
                    "attachments": [{"file_id": "file-doc", "tools": [{"type": "file_search"}]}],
                    "metadata": {"k": "v"},
                },
                {"role": "assistant", "content": "Sure.", "attachments": None, "metadata": None},
            ],
            "tool_resources": {
                "code_interpreter": {"file_ids": ["file-1"]},
                "file_search": {
                    "vector_stores": [
                        {
                            "file_ids": ["file-2"],
                            "chunking_strategy": {
                                "type": "static",
                                "static": {"max_chunk_size_tokens": 801, "chunk_overlap_tokens": 400},
                            },
                            "metadata": {"store": "docs"},
                        }
                    ]
                },
            },
            "metadata": {"thread": "1"},
        },
        "model": "gpt-4o",
        "instructions": "Be brief.",
        "tools": [
            {"type": "code_interpreter"},
            {
                "type": "file_search",
                "file_search": {
                    "max_num_results": 50,
                    "ranking_options": {"ranker": "default_2024_08_21", "score_threshold": 1},
                },
            },
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "description": "Weather.",
                    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
                    "strict": None,
                },
            },
        ],
        "tool_resources": {
            "code_interpreter": {"file_ids": []},
            "file_search": {"vector_store_ids": ["vs_1"]},
        },
        "metadata": {"k" * 64: "v" * 512},
        "temperature": 2,
        "top_p": 0.0,
        "stream": False,
        "max_prompt_tokens": 256,
        "max_completion_tokens": 256.0,
        "truncation_strategy": {"type": "last_messages", "last_messages": 1},
        "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
        "parallel_tool_calls": False,
        "response_format": {
            "type": "json_schema",
            "json_schema": {
                "name": "a-b_C9",
                "description": "d",
                "schema": {"type": "object"},
                "strict": True,
            },
        },
    },
    "nulls": {
        "assistant_id": "asst_1",
        "model": None,
        "instructions": None,
        "tools": None,
        "tool_resources": None,
        "metadata": None,
        "temperature": None,
        "top_p": None,
        "stream": None,
        "max_prompt_tokens": None,
        "max_completion_tokens": None,
        "truncation_strategy": {"type": "auto", "last_messages": None},
        "tool_choice": None,
        "response_format": None,
    },
    "unknown keys in open objects": {
        "assistant_id": "asst_1",
        "tools": [{"type": "code_interpreter", "x-note": [1, {"a": None}]}],
        "tool_choice": {"type": "file_search", "hint": True},
        "response_format": {"type": "json_schema", "json_schema": {"name": "n", "schema_": "kept"}, "x": 1},
        "thread": {"tool_resources": {"file_search": {"vector_store_ids": ["vs_1"], "x": {}}}},
    },
    "string choices": {
        "assistant_id": "asst_1",
        "tool_choice": "required",
        "response_format": "auto",
        "thread": {"messages": [{"role": "user", "content": ""}]},
    },
    "text and json object formats": {
        "assistant_id": "asst_1",
        "response_format": {"type": "json_object"},
        "tool_choice": "none",
        "thread": {"messages": [{"role": "user", "content": [{"type": "text", "text": "JSON please"}]}]},
    },
}


def send(body: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """Call create_and_run(**body) against a mock transport; return the result and the JSON sent."""
    sent: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        sent.append(request)
        if json.loads(request.content).get("stream"):
            stream = (
                b"event: thread.run.created\ndata: "
                + json.dumps(RUN).encode()
                + b"\n\nevent: done\ndata: [DONE]\n\n"
            )
            return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=stream)
        return httpx2.Response(200, json=RUN)

    client = openai.OpenAI(
        api_key="sk-test",
        base_url="http://127.0.0.1:9/v1",
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
        max_retries=0,
    )
    result = client.beta.threads.create_and_run(**body)
    if body.get("stream"):
        result = list(result)
    (request,) = sent
    assert request.method == "POST"
    assert request.url.path == "/v1/threads/runs"
    assert request.headers["openai-beta"] == "assistants=v2"
    return result, json.loads(request.content)


def same_json(left: Any, right: Any) -> bool:
    return json.dumps(left, sort_keys=True) == json.dumps(right, sort_keys=True)


@pytest.mark.parametrize("name", list(BODIES))
def test_sdk_sends_the_wire_body(name: str) -> None:
    body = CreateThreadAndRunRequest.model_validate(BODIES[name]).model_dump(mode="json", exclude_unset=True)
    assert same_json(body, BODIES[name])
    result, sent = send(body)
    assert same_json(sent, body)
    assert result.id == "run_1"


def test_sdk_sends_a_request_built_from_models() -> None:
    request = CreateThreadAndRunRequest(
        assistant_id="asst_1",
        thread=CreateThreadRequest(messages=[CreateMessageRequest(role="user", content="Weather in Paris?")]),
        tools=[AssistantToolsFunction(type="function", function=FunctionObject(name="get_weather"))],
        response_format=ResponseFormatJsonSchema.model_validate(
            {"type": "json_schema", "json_schema": {"name": "w", "schema": {"type": "object"}}}
        ),
    )
    body = request.model_dump(mode="json", exclude_unset=True)
    _, sent = send(body)
    assert sent == {
        "assistant_id": "asst_1",
        "thread": {"messages": [{"role": "user", "content": "Weather in Paris?"}]},
        "tools": [{"type": "function", "function": {"name": "get_weather"}}],
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "w", "schema": {"type": "object"}},
        },
    }


def test_sdk_stream_request_and_our_event_parser_agree() -> None:
    body = {"assistant_id": "asst_1", "stream": True}
    events, sent = send(
        CreateThreadAndRunRequest.model_validate(body).model_dump(mode="json", exclude_unset=True)
    )
    assert sent == body
    assert [event.event for event in events] == ["thread.run.created"]
    ours = parse_event("thread.run.created", json.dumps(RUN))
    assert isinstance(ours, ThreadRunCreated)
    assert ours.data.id == events[0].data.id
    assert ours.data.status == events[0].data.status
