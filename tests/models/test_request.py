"""The request models: round trips, construction from Python, nulls, error messages, deliberate choices."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from runreplay.models import (
    ASSISTANT_MODELS,
    AssistantsNamedToolChoice,
    AssistantsNamedToolChoiceFunction,
    AssistantToolsCode,
    AssistantToolsFileSearch,
    AssistantToolsFileSearchOptions,
    AssistantToolsFunction,
    CreateMessageRequest,
    CreateThreadAndRunRequest,
    CreateThreadRequest,
    CreateThreadToolResources,
    FileSearchRankingOptions,
    FunctionObject,
    JsonSchemaDefinition,
    MessageAttachment,
    MessageContentImageUrl,
    MessageContentImageUrlObject,
    MessageRequestContentTextObject,
    ResponseFormatJsonSchema,
    StaticChunkingStrategy,
    StaticChunkingStrategyOptions,
    ThreadToolResourcesFileSearch,
    ThreadVectorStore,
    TruncationObject,
    rule_ids_for,
)

REFERENCE = Path(__file__).resolve().parent.parent / "data" / "reference"
SCHEMA = json.loads((REFERENCE / "create_thread_and_run_request.schema.json").read_text())


def wire(request: CreateThreadAndRunRequest) -> dict[str, Any]:
    return request.model_dump(mode="json", exclude_unset=True)


def round_trip(body: dict[str, Any]) -> dict[str, Any]:
    return wire(CreateThreadAndRunRequest.model_validate(body))


def same_json(left: Any, right: Any) -> bool:
    """Equal as JSON text, so that 256 and 256.0 (or 1 and True) are different."""
    return json.dumps(left, sort_keys=True) == json.dumps(right, sort_keys=True)


def messages_of(body: Any) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        CreateThreadAndRunRequest.model_validate(body)
    return [detail["msg"] for detail in caught.value.errors()]


# --- round trips ----------------------------------------------------------------------------------


def test_minimal_body() -> None:
    assert round_trip({"assistant_id": "asst_1"}) == {"assistant_id": "asst_1"}
    assert round_trip({"assistant_id": ""}) == {"assistant_id": ""}


def test_explicit_nulls_stay_and_absent_keys_stay_absent() -> None:
    body: dict[str, Any] = {
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
        "truncation_strategy": None,
        "tool_choice": None,
        "response_format": None,
        "thread": {
            "tool_resources": None,
            "metadata": None,
            "messages": [{"role": "user", "content": "hi", "attachments": None, "metadata": None}],
        },
    }
    assert same_json(round_trip(body), body)


def test_unknown_keys_of_open_objects_are_kept() -> None:
    body = {
        "assistant_id": "asst_1",
        "tools": [
            {"type": "code_interpreter", "x-note": {"deep": [1, 2.5, None]}},
            {
                "type": "file_search",
                "file_search": {"ranking_options": {"score_threshold": 0, "extra": True}},
            },
            {"type": "function", "function": {"name": "f", "x": 1}, "y": "z"},
        ],
        "tool_resources": {"code_interpreter": {"file_ids": [], "more": 1}, "other": "kept"},
        "truncation_strategy": {"type": "auto", "hint": "x"},
        "tool_choice": {"type": "file_search", "function": {"name": "ignored", "x": 1}},
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "n", "schema": {"type": "object"}, "schema_": "an unknown key"},
            "extra": [],
        },
        "thread": {
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "t", "cache": "x"},
                        {"type": "image_url", "image_url": {"url": "u", "alt": "a"}},
                    ],
                    "attachments": [{"file_id": "f", "tools": [{"type": "file_search", "k": 1}], "note": 2}],
                }
            ],
            "tool_resources": {
                "file_search": {"vector_stores": [{"file_ids": ["a"], "name": "docs"}], "x": 1},
                "y": 2,
            },
        },
    }
    assert same_json(round_trip(body), body)
    request = CreateThreadAndRunRequest.model_validate(body)
    assert request.tools is not None
    assert request.tools[0].model_extra == {"x-note": {"deep": [1, 2.5, None]}}


def test_integral_floats_are_integers_and_stay_floats() -> None:
    """JSON Schema counts 256.0 as an integer (§1.9); the model agrees and keeps the float for the wire."""
    body = {
        "assistant_id": "a",
        "max_prompt_tokens": 256.0,
        "max_completion_tokens": 1e6,
        "truncation_strategy": {"type": "last_messages", "last_messages": 1.0},
        "tools": [{"type": "file_search", "file_search": {"max_num_results": 50.0}}],
    }
    dumped = round_trip(body)
    assert same_json(dumped, body)
    assert json.dumps(dumped["max_prompt_tokens"]) == "256.0"
    request = CreateThreadAndRunRequest.model_validate(body)
    assert request.max_prompt_tokens == 256
    assert isinstance(request.max_prompt_tokens, float)


def test_numbers_keep_their_json_spelling() -> None:
    body = {"assistant_id": "a", "temperature": 1, "top_p": 1.0}
    assert (
        json.dumps(round_trip(body), sort_keys=True)
        == '{"assistant_id": "a", "temperature": 1, "top_p": 1.0}'
    )


def test_model_accepts_any_model_name() -> None:
    assert "gpt-4o" in ASSISTANT_MODELS
    assert len(ASSISTANT_MODELS) == 38
    assert round_trip({"assistant_id": "a", "model": "my-fine-tune"})["model"] == "my-fine-tune"


def test_json_round_trip_through_text() -> None:
    """Byte for byte when the keys come in the models' field order (the SDK's own order differs)."""
    text = (
        '{"assistant_id":"a","thread":{"messages":[{"role":"user","content":"hi"}]},'
        '"temperature":0.7,"stream":true}'
    )
    request = CreateThreadAndRunRequest.model_validate_json(text)
    assert request.model_dump_json(exclude_unset=True) == text


# --- construction from Python ---------------------------------------------------------------------


def test_build_a_request_from_components() -> None:
    request = CreateThreadAndRunRequest(
        assistant_id="asst_1",
        thread=CreateThreadRequest(
            messages=[
                CreateMessageRequest(
                    role="user",
                    content=[
                        MessageRequestContentTextObject(type="text", text="What is this?"),
                        MessageContentImageUrlObject(
                            type="image_url", image_url=MessageContentImageUrl(url="https://x/y.png")
                        ),
                    ],
                    attachments=[
                        MessageAttachment(
                            file_id="file-1", tools=[AssistantToolsCode(type="code_interpreter")]
                        )
                    ],
                )
            ],
            tool_resources=CreateThreadToolResources(
                file_search=ThreadToolResourcesFileSearch(
                    vector_stores=[
                        ThreadVectorStore(
                            file_ids=["file-2"],
                            chunking_strategy=StaticChunkingStrategy(
                                type="static",
                                static=StaticChunkingStrategyOptions(
                                    max_chunk_size_tokens=800, chunk_overlap_tokens=400
                                ),
                            ),
                        )
                    ]
                )
            ),
        ),
        tools=[
            AssistantToolsFunction(
                type="function", function=FunctionObject(name="lookup", parameters={"type": "object"})
            ),
            AssistantToolsFileSearch(
                type="file_search",
                file_search=AssistantToolsFileSearchOptions(
                    ranking_options=FileSearchRankingOptions(score_threshold=0.25)
                ),
            ),
        ],
        tool_choice=AssistantsNamedToolChoice(
            type="function", function=AssistantsNamedToolChoiceFunction(name="lookup")
        ),
        truncation_strategy=TruncationObject(type="last_messages", last_messages=3),
        response_format=ResponseFormatJsonSchema(
            type="json_schema", json_schema=JsonSchemaDefinition(name="out", schema={"type": "object"})
        ),
        temperature=0.2,
    )
    assert wire(request) == {
        "assistant_id": "asst_1",
        "thread": {
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "What is this?"},
                        {"type": "image_url", "image_url": {"url": "https://x/y.png"}},
                    ],
                    "attachments": [{"file_id": "file-1", "tools": [{"type": "code_interpreter"}]}],
                }
            ],
            "tool_resources": {
                "file_search": {
                    "vector_stores": [
                        {
                            "file_ids": ["file-2"],
                            "chunking_strategy": {
                                "type": "static",
                                "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400},
                            },
                        }
                    ]
                }
            },
        },
        "tools": [
            {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}},
            {"type": "file_search", "file_search": {"ranking_options": {"score_threshold": 0.25}}},
        ],
        "tool_choice": {"type": "function", "function": {"name": "lookup"}},
        "truncation_strategy": {"type": "last_messages", "last_messages": 3},
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "out", "schema": {"type": "object"}},
        },
        "temperature": 0.2,
    }
    assert same_json(round_trip(wire(request)), wire(request))


def test_schema_is_read_through_its_python_name() -> None:
    definition = JsonSchemaDefinition.model_validate({"name": "n", "schema": {"type": "string"}})
    assert definition.schema_ == {"type": "string"}
    assert definition.model_dump(mode="json", exclude_unset=True) == {
        "name": "n",
        "schema": {"type": "string"},
    }
    unknown = JsonSchemaDefinition.model_validate({"name": "n", "schema_": None})
    assert unknown.schema_ is None
    assert unknown.model_dump(mode="json", exclude_unset=True) == {"name": "n", "schema_": None}


def test_left_out_keys_read_none_and_are_not_sent() -> None:
    request = CreateThreadAndRunRequest.model_validate({"assistant_id": "a"})
    assert request.thread is None
    assert request.parallel_tool_calls is None
    assert request.model_fields_set == {"assistant_id"}


def test_empty_thread_is_valid() -> None:
    assert round_trip({"assistant_id": "a", "thread": {}}) == {"assistant_id": "a", "thread": {}}
    assert round_trip({"assistant_id": "a", "thread": {"messages": []}}) == {
        "assistant_id": "a",
        "thread": {"messages": []},
    }


# --- nulls where the schema allows none -----------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"assistant_id": "a", "thread": None},
            "thread.json_type: thread is null; expected an object. Leave the key out instead of sending null",
        ),
        (
            {"assistant_id": "a", "parallel_tool_calls": None},
            "parallel_tool_calls.json_type: parallel_tool_calls is null; expected a boolean. "
            "Leave the key out instead of sending null",
        ),
        (
            {"assistant_id": "a", "thread": {"messages": None}},
            "messages.json_type: messages is null; expected an array. Leave the key out instead of sending "
            "null",
        ),
        (
            {
                "assistant_id": "a",
                "tools": [{"type": "file_search", "file_search": {"max_num_results": None}}],
            },
            "max_num_results.json_type: max_num_results is null; expected an integer. "
            "Leave the key out instead of sending null",
        ),
        (
            {
                "assistant_id": "a",
                "tools": [{"type": "function", "function": {"name": "f", "description": None}}],
            },
            "function.description.json_type: function.description is null; expected a string. "
            "Leave the key out instead of sending null",
        ),
        (
            {
                "assistant_id": "a",
                "thread": {
                    "messages": [
                        {
                            "role": "user",
                            "content": [
                                {"type": "image_file", "image_file": {"file_id": "f", "detail": None}}
                            ],
                        }
                    ]
                },
            },
            "image_file.detail.enum: image_file.detail is null; expected one of 'auto', 'low', 'high'. "
            "Leave the key out instead of sending null",
        ),
    ],
)
def test_null_where_the_schema_allows_none(body: dict[str, Any], message: str) -> None:
    assert messages_of(body) == [message]


# --- the messages of the rules we check ourselves -------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"assistant_id": "a", "metadata": {f"k{i}": "v" for i in range(17)}},
            "metadata.max_pairs: metadata has 17 pairs; at most 16 are allowed",
        ),
        (
            {"assistant_id": "a", "metadata": {"k" * 65: "v"}},
            'metadata.key_length: metadata key "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk…" has 65 characters; '
            "keys may have at most 64",
        ),
        (
            {"assistant_id": "a", "thread": {"metadata": {"note": "v" * 513}}},
            'metadata.value_length: metadata["note"] has 513 characters; values may have at most 512',
        ),
        (
            {"assistant_id": "a", "metadata": {"n": 1}},
            'metadata.value_type: metadata["n"] is 1 (a number); metadata values must be strings',
        ),
        (
            {"assistant_id": "a", "metadata": ["k", "v"]},
            'metadata.json_type: metadata is ["k", "v"] (an array); expected an object of string values, '
            "or null",
        ),
        (
            {"assistant_id": "a", "tools": [{"type": "function", "function": {"name": "get weather!"}}]},
            'function.name_pattern: function name "get weather!" (a string) is not 1 to 64 letters, digits, '
            "underscores or dashes (it contains ' ', '!'); it must match ^[a-zA-Z0-9_-]{1,64}$",
        ),
        (
            {
                "assistant_id": "a",
                "response_format": {"type": "json_schema", "json_schema": {"name": "a" * 65}},
            },
            "json_schema.name_pattern: json_schema name "
            '"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa… '
            "(a string) is not 1 to 64 letters, digits, underscores or dashes (it has 65 characters); "
            "it must match ^[a-zA-Z0-9_-]{1,64}$",
        ),
        (
            {"assistant_id": "a", "response_format": {"type": "json_schema", "json_schema": {"name": ""}}},
            'json_schema.name_pattern: json_schema name "" (a string) is not 1 to 64 letters, digits, '
            "underscores or dashes (it is empty); it must match ^[a-zA-Z0-9_-]{1,64}$",
        ),
        (
            {
                "assistant_id": "a",
                "thread": {
                    "tool_resources": {
                        "file_search": {
                            "vector_stores": [
                                {
                                    "chunking_strategy": {
                                        "type": "static",
                                        "static": {"max_chunk_size_tokens": 801, "chunk_overlap_tokens": 401},
                                    }
                                }
                            ]
                        }
                    }
                },
            },
            "chunking.overlap_half: chunk_overlap_tokens is 401 but max_chunk_size_tokens is 801; the "
            "overlap may be "
            "at most half of max_chunk_size_tokens (400.5)",
        ),
        (
            {"assistant_id": "a", "thread": {"tool_resources": {"file_search": {}}}},
            "thread.file_search.exactly_one: thread.tool_resources.file_search has neither "
            "vector_store_ids nor "
            "vector_stores; give exactly one of them (vector_store_ids to attach an existing store, "
            "vector_stores "
            "to create one)",
        ),
        (
            {
                "assistant_id": "a",
                "thread": {"tool_resources": {"file_search": {"vector_store_ids": [], "vector_stores": []}}},
            },
            "thread.file_search.exactly_one: thread.tool_resources.file_search has both vector_store_ids and "
            "vector_stores; give exactly one of them (vector_store_ids to attach an existing store, "
            "vector_stores "
            "to create one)",
        ),
        (
            {"assistant_id": "a", "tool_choice": {"type": "function"}},
            'tool_choice.function_name_required: tool_choice has type "function" but no function; add '
            '"function": '
            '{"name": "<function to call>"}, or use the string "required" to let the model pick a tool',
        ),
        (
            {
                "assistant_id": "a",
                "thread": {"messages": [{"role": "user", "content": "x", "attachments": [{"file_id": "f"}]}]},
            },
            "attachment.required_fields: the attachment has no tools; an attachment needs both file_id and "
            "tools "
            '(for example {"file_id": "file-abc", "tools": [{"type": "file_search"}]})',
        ),
        (
            {"assistant_id": "a", "temperature": 2.0000000000000004},
            "temperature.range: temperature is 2.0000000000000004; it must be between 0 and 2 inclusive",
        ),
        (
            {"assistant_id": "a", "top_p": -5e-324},
            "top_p.range: top_p is -5e-324; it must be between 0 and 1 inclusive",
        ),
        (
            {"assistant_id": "a", "max_completion_tokens": 255},
            "max_completion_tokens.min: max_completion_tokens is 255; it must be at least 256",
        ),
        (
            {"assistant_id": "a", "max_prompt_tokens": 300.5},
            "max_prompt_tokens.json_type: max_prompt_tokens is 300.5, which has a fractional part; "
            "expected an integer or null",
        ),
        (
            {"assistant_id": "a", "temperature": True},
            "temperature.json_type: temperature is true (a boolean); expected a number or null",
        ),
        (
            {"assistant_id": "a", "top_p": "0.5"},
            'top_p.json_type: top_p is "0.5" (a string); expected a number or null',
        ),
        (
            {"assistant_id": "a", "tools": [{"type": "code_interpreter"}] * 21},
            "tools.max_items: tools has 21 items; at most 20 are allowed",
        ),
        (
            {"assistant_id": "a", "tool_resources": {"file_search": {"vector_store_ids": ["a", "b"]}}},
            "vector_store_ids.max_items: vector_store_ids has 2 items; at most 1 is allowed",
        ),
        (
            {"assistant_id": "a", "thread": {"messages": [{"role": "user", "content": []}]}},
            "content.min_items: content is an empty array; give at least 1 content part, or a string",
        ),
        (
            {"assistant_id": "a", "thread": {"messages": [{"role": "user", "content": {"type": "text"}}]}},
            'content.json_type: content is {"type": "text"} (an object); expected a string or an array of '
            "content parts",
        ),
        (
            {"assistant_id": "a", "tool_choice": 1},
            "tool_choice.json_type: tool_choice is 1 (a number); expected a string, an object or null",
        ),
        (
            {"assistant_id": "a", "response_format": ["auto"]},
            'response_format.json_type: response_format is ["auto"] (an array); expected a string, an '
            "object or null",
        ),
    ],
)
def test_error_messages_name_the_rule_the_value_and_the_limit(body: dict[str, Any], message: str) -> None:
    assert messages_of(body) == [message]


def test_schema_level_errors_keep_pydantic_messages_and_map_to_rules() -> None:
    body = {"assistant_id": "a", "tools": [{"type": "web_search"}], "stream": "yes"}
    with pytest.raises(ValidationError) as caught:
        CreateThreadAndRunRequest.model_validate(body)
    assert [(hit.rule, hit.path, hit.message) for hit in rule_ids_for(caught.value)] == [
        (
            "tool.type.enum",
            "$.tools[0].type",
            "Input tag 'web_search' found using 'type' does not match any of the expected tags: "
            "'code_interpreter', 'file_search', 'function'",
        ),
        ("stream.json_type", "$.stream", "Input should be a valid boolean"),
    ]


def test_all_field_errors_are_reported_together() -> None:
    body = {"assistant_id": 1, "temperature": 3, "metadata": {"k": 2}, "unexpected": True}
    with pytest.raises(ValidationError) as caught:
        CreateThreadAndRunRequest.model_validate(body)
    assert sorted(hit.rule for hit in rule_ids_for(caught.value)) == [
        "assistant_id.json_type",
        "metadata.value_type",
        "request.closed",
        "temperature.range",
    ]


# --- no coercion, and the places where the model is deliberately stricter ------------------------


@pytest.mark.parametrize(
    ("key", "value", "rule"),
    [
        ("temperature", True, "temperature.json_type"),
        ("temperature", "1", "temperature.json_type"),
        ("max_prompt_tokens", "300", "max_prompt_tokens.json_type"),
        ("max_prompt_tokens", False, "max_prompt_tokens.json_type"),
        ("assistant_id", 1, "assistant_id.json_type"),
        ("stream", 1, "stream.json_type"),
        ("stream", "true", "stream.json_type"),
        ("model", b"gpt-4o", "model.json_type"),
        ("tools", ({"type": "code_interpreter"},), "tools.json_type"),
    ],
)
def test_no_lax_coercion(key: str, value: Any, rule: str) -> None:
    body = {"assistant_id": "a", key: value}
    with pytest.raises(ValidationError) as caught:
        CreateThreadAndRunRequest.model_validate(body)
    assert [hit.rule for hit in rule_ids_for(caught.value)] == [rule]


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_rejected(value: float) -> None:
    """Stricter than jsonschema on purpose: NaN passes its bound checks, but NaN and Infinity are not JSON."""
    body = {"assistant_id": "a", "top_p": value}
    if math.isnan(value):
        assert Draft202012Validator(SCHEMA).is_valid(body)  # NaN < 0 and NaN > 1 are both false
    with pytest.raises(ValidationError) as caught:
        CreateThreadAndRunRequest.model_validate(body)
    assert [hit.rule for hit in rule_ids_for(caught.value)] == ["top_p.json_type"]


def test_last_messages_is_not_required_by_type_last_messages() -> None:
    """The research calls "last_messages implies last_messages" an inference; it is not enforced (no rule)."""
    body = {"assistant_id": "a", "truncation_strategy": {"type": "last_messages"}}
    assert round_trip(body) == body
    body = {"assistant_id": "a", "truncation_strategy": {"type": "last_messages", "last_messages": None}}
    assert round_trip(body) == body


def test_image_urls_and_sampling_advice_are_not_enforced() -> None:
    """Prose that is advice or unverifiable stays unchecked: image file types, temperature *or* top_p."""
    body = {
        "assistant_id": "a",
        "temperature": 0.5,
        "top_p": 0.5,
        "thread": {
            "messages": [
                {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "not a uri"}}]}
            ]
        },
    }
    assert round_trip(body) == body


def test_run_level_file_search_has_no_exactly_one_rule() -> None:
    """Only the thread-level file_search has the oneOf; at run level `{}` is valid, vector_stores unknown."""
    body = {"assistant_id": "a", "tool_resources": {"file_search": {}}}
    assert round_trip(body) == body
    body = {"assistant_id": "a", "tool_resources": {"file_search": {"vector_stores": [{"file_ids": []}]}}}
    assert round_trip(body) == body


def test_negative_overlap_is_allowed_like_the_schema_allows_it() -> None:
    static = {"max_chunk_size_tokens": 100, "chunk_overlap_tokens": -1}
    body = {
        "assistant_id": "a",
        "thread": {
            "tool_resources": {
                "file_search": {
                    "vector_stores": [{"chunking_strategy": {"type": "static", "static": static}}]
                }
            }
        },
    }
    assert round_trip(body) == body
