"""`build_request` and `RequestFactory`: valid everywhere, realistic, spread, deterministic, overridable.

Valid everywhere means: the strict model accepts the body and dumps it back unchanged, and the
official JSON Schema plus the registry's prose rules accepts it (`tests/_factories_oracle.py`).
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from _factories_oracle import assert_valid_everywhere, json_schemas_in, sdk_round_trip
from runreplay.errors import ConfigurationError
from runreplay.factories import (
    OMIT,
    TRAITS,
    RequestFactory,
    build_request,
    derive_seed,
    edge_cases,
    invalid_cases,
)
from runreplay.models import (
    ASSISTANT_MODELS,
    AssistantsNamedToolChoice,
    CreateThreadAndRunRequest,
    CreateThreadRequest,
)

SEEDS = 2000
ASST = re.compile(r"asst_[A-Za-z0-9]{24}")
FILE = re.compile(r"file-[A-Za-z0-9]{22}")
VECTOR_STORE = re.compile(r"vs_[A-Za-z0-9]{24}")


def wire(request: CreateThreadAndRunRequest) -> dict[str, Any]:
    return request.model_dump(mode="json", exclude_unset=True)


@pytest.fixture(scope="module")
def bodies() -> list[dict[str, Any]]:
    """The bodies of seeds 0..1999."""
    return [wire(build_request(seed=seed)) for seed in range(SEEDS)]


# --- valid everywhere -----------------------------------------------------------------------------


def test_two_thousand_seeds_are_valid_for_the_model_and_the_schema(bodies: list[dict[str, Any]]) -> None:
    for body in bodies:
        assert_valid_everywhere(body)


def test_every_schema_a_body_carries_is_a_valid_json_schema(bodies: list[dict[str, Any]]) -> None:
    checked = 0
    for body in bodies:
        for schema in json_schemas_in(body):
            Draft202012Validator.check_schema(schema)
            assert schema["type"] == "object"
            checked += 1
    assert checked > SEEDS / 2


def test_strict_functions_and_formats_follow_the_strict_mode_rules(bodies: list[dict[str, Any]]) -> None:
    def strict_schema(schema: dict[str, Any]) -> None:
        assert schema["additionalProperties"] is False
        assert schema["required"] == list(schema["properties"])
        for inner in schema["properties"].values():
            if inner["type"] == "object":
                strict_schema(inner)

    seen = 0
    for body in bodies:
        for tool in body.get("tools") or []:
            if tool["type"] == "function" and tool["function"].get("strict") is True:
                strict_schema(tool["function"]["parameters"])
                seen += 1
        response_format = body.get("response_format")
        if isinstance(response_format, dict) and response_format.get("json_schema", {}).get("strict") is True:
            strict_schema(response_format["json_schema"]["schema"])
            seen += 1
    assert seen > 50


def test_content_is_realistic(bodies: list[dict[str, Any]]) -> None:
    """Plausible ids, listed model names, distinct snake-ish function names, natural-language messages."""
    models, names, texts = Counter[str](), Counter[str](), []
    for body in bodies:
        assert ASST.fullmatch(body["assistant_id"])
        model = body.get("model")
        if isinstance(model, str):
            models[
                "listed" if model in ASSISTANT_MODELS else "fine-tuned" if model.startswith("ft:") else "?"
            ] += 1
        functions = [
            tool["function"]["name"] for tool in body.get("tools") or [] if tool["type"] == "function"
        ]
        assert len(functions) == len(set(functions))
        names.update(functions)
        thread = body.get("thread") or {}
        for message in thread.get("messages") or []:
            if isinstance(message["content"], str):
                texts.append(message["content"])
            for attachment in message.get("attachments") or []:
                assert FILE.fullmatch(attachment["file_id"])
        resources = thread.get("tool_resources") or {}
        for store_id in (resources.get("file_search") or {}).get("vector_store_ids", []):
            assert VECTOR_STORE.fullmatch(store_id)
    assert set(models) == {"listed", "fine-tuned"}
    assert "get_current_weather" in names
    assert sum(len(text.split()) >= 3 for text in texts) / len(texts) > 0.95
    assert len(set(texts)) > len(texts) * 0.8
    assert any(re.search(r"[\u3040-\u30ff\u0600-\u06ff\u0400-\u04ff]", text) for text in texts)


def test_round_trip_through_the_model_keeps_key_presence_nulls_and_number_forms(
    bodies: list[dict[str, Any]],
) -> None:
    nulls = ints = floats = 0
    for body in bodies:
        assert wire(CreateThreadAndRunRequest.model_validate(body)) == body
        nulls += sum(value is None for value in body.values())
        ints += isinstance(body.get("temperature"), int)
        floats += isinstance(body.get("temperature"), float)
    assert nulls
    assert ints
    assert floats


# --- spread -----------------------------------------------------------------------------------------


def distribution(bodies: list[dict[str, Any]], measure: Callable[[dict[str, Any]], Any]) -> Counter[Any]:
    counts: Counter[Any] = Counter()
    for body in bodies:
        found = measure(body)
        counts.update(found if isinstance(found, list) else [found])
    return counts


def branch(value: Any) -> str:
    if isinstance(value, dict):
        return f"object:{value.get('type')}"
    return "null" if value is None else f"string:{value}"


def test_sizes_are_spread_not_empty_and_not_always_the_maximum(bodies: list[dict[str, Any]]) -> None:
    sample = bodies[:500]
    tools = distribution(
        sample, lambda body: len(body["tools"]) if isinstance(body.get("tools"), list) else -1
    )
    pairs = distribution(sample, lambda body: len(body["metadata"]) if body.get("metadata") else 0)
    messages = distribution(sample, lambda body: len((body.get("thread") or {}).get("messages") or []))
    files = distribution(
        bodies,
        lambda body: [
            len(((body.get("tool_resources") or {}).get("code_interpreter") or {}).get("file_ids", [])),
        ],
    )
    for counts, maximum in ((tools, 20), (pairs, 16), (messages, 8), (files, 20)):
        assert len(counts) >= 5, counts
        assert counts.most_common(1)[0][0] != maximum, counts
    assert min(tools[0], tools[1], tools[20]) > 0, tools
    assert max(key for key in pairs) == 16, pairs


def test_every_union_branch_and_enum_value_appears(bodies: list[dict[str, Any]]) -> None:
    sample = bodies[:500]
    tool_types = distribution(sample, lambda body: [tool["type"] for tool in body.get("tools") or []])
    parts = distribution(
        sample,
        lambda body: [
            part["type"]
            for message in (body.get("thread") or {}).get("messages") or []
            if isinstance(message["content"], list)
            for part in message["content"]
        ],
    )
    content = distribution(
        sample,
        lambda body: [type(m["content"]).__name__ for m in (body.get("thread") or {}).get("messages") or []],
    )
    choices = distribution(
        sample, lambda body: branch(body["tool_choice"]) if "tool_choice" in body else "absent"
    )
    formats = distribution(
        sample, lambda body: branch(body["response_format"]) if "response_format" in body else "absent"
    )
    stream = distribution(sample, lambda body: repr(body.get("stream", "absent")))
    truncation = distribution(
        bodies,
        lambda body: branch(body["truncation_strategy"]) if "truncation_strategy" in body else "absent",
    )
    file_search = distribution(
        bodies,
        lambda body: sorted(
            ((body.get("thread") or {}).get("tool_resources") or {}).get("file_search") or {}
        ),
    )
    chunking = distribution(
        bodies,
        lambda body: [
            store["chunking_strategy"]["type"]
            for store in (
                ((body.get("thread") or {}).get("tool_resources") or {}).get("file_search") or {}
            ).get("vector_stores", [])
            if "chunking_strategy" in store
        ],
    )
    roles = distribution(
        sample, lambda body: [m["role"] for m in (body.get("thread") or {}).get("messages") or []]
    )
    assert set(tool_types) == {"code_interpreter", "file_search", "function"}, tool_types
    assert set(parts) == {"text", "image_url", "image_file"}, parts
    assert set(content) == {"str", "list"}, content
    assert set(choices) == {
        "absent",
        "null",
        "string:none",
        "string:auto",
        "string:required",
        "object:function",
        "object:code_interpreter",
        "object:file_search",
    }, choices
    assert set(formats) == {
        "absent",
        "null",
        "string:auto",
        "object:text",
        "object:json_object",
        "object:json_schema",
    }, formats
    assert set(stream) == {"'absent'", "True", "False", "None"}, stream
    assert set(truncation) == {"absent", "null", "object:auto", "object:last_messages"}, truncation
    assert {"vector_store_ids", "vector_stores"} <= set(file_search), file_search
    assert set(chunking) == {"auto", "static"}, chunking
    assert set(roles) == {"user", "assistant"}, roles


# --- determinism ------------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_body_whatever_was_built_in_between() -> None:
    first = wire(build_request(seed=7))
    for seed in range(50):
        build_request(seed=seed, function_tool=True)
        RequestFactory(seed).build(streaming=True)
    random.seed(12345)
    assert wire(build_request(seed=7)) == first
    assert wire(build_request(seed=8)) != first


def test_the_same_seed_gives_the_same_body_in_a_fresh_process() -> None:
    seeds = [0, 1, 42, 2**40, -3]
    fresh = Path(__file__).resolve().parent.parent / "_helpers" / "fresh_factories.py"
    result = subprocess.run(
        [sys.executable, str(fresh), "bodies", *map(str, seeds)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert json.loads(result.stdout) == [wire(build_request(seed=seed)) for seed in seeds]


def test_seed_none_draws_the_seed_from_the_random_module() -> None:
    random.seed(99)
    first = wire(build_request())
    second = wire(build_request())
    random.seed(99)
    assert wire(build_request()) == first
    assert second != first


# --- overrides --------------------------------------------------------------------------------------


def test_top_level_overrides_replace_keys_and_are_validated() -> None:
    thread = {"messages": [{"role": "user", "content": "Hi there"}]}
    request = build_request(seed=3, temperature=0.5, thread=thread, model="gpt-4o")
    assert request.temperature == 0.5
    assert wire(request)["thread"] == thread
    assert request.model == "gpt-4o"


def test_nested_overrides_set_keys_inside_objects_creating_them_when_needed() -> None:
    for seed in range(30):
        body = wire(build_request(seed=seed, thread__metadata={"user_id": "u_1"}))
        assert body["thread"]["metadata"] == {"user_id": "u_1"}
        body = wire(build_request(seed=seed, tool_choice__function__name="lookup_order"))
        assert body["tool_choice"] == {"type": "function", "function": {"name": "lookup_order"}}
        body = wire(build_request(seed=seed, truncation_strategy__last_messages=3))
        assert body["truncation_strategy"] == {"type": "last_messages", "last_messages": 3}
        body = wire(build_request(seed=seed, response_format__json_schema__schema={"type": "object"}))
        assert body["response_format"]["type"] == "json_schema"
        assert body["response_format"]["json_schema"]["schema"] == {"type": "object"}


def test_setting_one_of_an_exclusive_pair_drops_the_other() -> None:
    for seed in range(30):
        body = wire(
            build_request(
                seed=seed, file_search=True, thread__tool_resources__file_search__vector_stores=[{}]
            )
        )
        assert body["thread"]["tool_resources"]["file_search"] == {"vector_stores": [{}]}


def test_omit_removes_a_key_and_models_are_accepted_as_values() -> None:
    request = build_request(
        seed=5,
        thread=CreateThreadRequest(messages=[{"role": "user", "content": "Hello"}]),  # type: ignore[list-item]
        tool_choice=AssistantsNamedToolChoice(type="file_search"),
        temperature=OMIT,
        tools=OMIT,
    )
    body = wire(request)
    assert body["thread"] == {"messages": [{"role": "user", "content": "Hello"}]}
    assert body["tool_choice"] == {"type": "file_search"}
    assert "temperature" not in body
    assert "tools" not in body
    assert repr(OMIT) == "OMIT"


def test_function_tool_trait_names_its_forced_function_after_the_override() -> None:
    for seed in range(20):
        request = build_request(seed=seed, function_tool=True, tool_choice__function__name="lookup_order")
        names = [tool.function.name for tool in request.tools or [] if tool.type == "function"]
        assert "lookup_order" in names


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"temprature": 0.5},
            "build_request() got an unknown override 'temprature': expected a request key (assistant_id, "
            "thread, model, instructions, tools, tool_resources, metadata, temperature, top_p, stream, "
            "max_prompt_tokens, max_completion_tokens, truncation_strategy, tool_choice, parallel_tool_calls, "
            "response_format), a nested key joined with double underscores (thread__metadata, "
            "tool_choice__function__name), or one of streaming, function_tool, file_search, json_schema, "
            "code_interpreter, min_tools, max_tools, min_messages, max_messages. Did you mean 'temperature'?",
        ),
        (
            {"thread__metdata": {}},
            "build_request() got an unknown override 'thread__metdata': thread has no key 'metdata'; its keys "
            "are messages, tool_resources, metadata. Did you mean 'thread__metadata'?",
        ),
        (
            {"thread__messages__0__content": "x"},
            "build_request() got an unknown override 'thread__messages__0__content': thread__messages is an "
            "array, so an override cannot reach inside it; pass the whole value instead: thread__messages=[...].",
        ),
        (
            {"metadata__user": "x"},
            "build_request() got an unknown override 'metadata__user': metadata is an object of your own keys, "
            "so an override cannot reach inside it; pass the whole value instead: metadata={...}.",
        ),
        (
            {"temperature": 3},
            "build_request() got overrides (temperature=3) that make the request invalid: temperature.range: "
            "temperature is 3; it must be between 0 and 2 inclusive (at $.temperature). Give each override a "
            "valid wire value; for deliberately invalid bodies use invalid_cases().",
        ),
        (
            {"thread": None},
            "build_request() got overrides (thread=None) that make the request invalid: thread.json_type: "
            "thread is null; expected an object. Leave the key out instead of sending null (at $.thread). "
            "Give each override a valid wire value; for deliberately invalid bodies use invalid_cases().",
        ),
    ],
    ids=["typo", "nested-typo", "array-index", "metadata-key", "out-of-range", "null"],
)
def test_bad_overrides_say_what_was_given_and_how_to_fix_it(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        build_request(seed=1, **overrides)
    assert str(raised.value) == message


# --- traits -----------------------------------------------------------------------------------------


def holds(trait: str, body: dict[str, Any]) -> bool:
    """Whether the trait's promise (True) holds in the body."""
    tools = [tool["type"] for tool in body.get("tools") or []]
    choice = body.get("tool_choice")
    thread_resources = (body.get("thread") or {}).get("tool_resources") or {}
    run_resources = body.get("tool_resources") or {}
    if trait == "streaming":
        return body.get("stream") is True
    if trait == "function_tool":
        names = [tool["function"]["name"] for tool in body.get("tools") or [] if tool["type"] == "function"]
        return (
            isinstance(choice, dict)
            and choice.get("type") == "function"
            and choice["function"]["name"] in names
        )
    if trait == "file_search":
        store = thread_resources.get("file_search") or {}
        return "file_search" in tools and bool(store.get("vector_store_ids") or store.get("vector_stores"))
    if trait == "json_schema":
        return (
            isinstance(body.get("response_format"), dict) and body["response_format"]["type"] == "json_schema"
        )
    assert trait == "code_interpreter"
    return "code_interpreter" in tools and bool(
        (thread_resources.get("code_interpreter") or run_resources.get("code_interpreter") or {}).get(
            "file_ids"
        )
    )


def trace(trait: str, body: dict[str, Any]) -> bool:
    """Whether anything of the trait is in the body (what False rules out)."""
    if trait in ("streaming", "json_schema", "function_tool"):
        tools = [tool["type"] for tool in body.get("tools") or []]
        choice = body.get("tool_choice")
        if trait == "function_tool":
            return "function" in tools or (isinstance(choice, dict) and choice["type"] == "function")
        return holds(trait, body)
    text = json.dumps(body)
    return f'"type": "{trait}"' in text or f'"{trait}":' in text


@pytest.mark.parametrize("trait", TRAITS)
def test_traits_hold_when_true_and_are_absent_when_false(trait: str) -> None:
    for seed in range(60):
        on = wire(build_request(seed=seed, **{trait: True}))
        off = wire(build_request(seed=seed, **{trait: False}))
        assert_valid_everywhere(on)
        assert_valid_everywhere(off)
        assert holds(trait, on), on
        assert not trace(trait, off), off


def test_traits_combine_with_size_bounds() -> None:
    for seed in range(60):
        body = wire(
            build_request(
                seed=seed,
                function_tool=True,
                file_search=True,
                json_schema=True,
                min_tools=3,
                max_tools=5,
                min_messages=2,
                max_messages=3,
            )
        )
        assert 3 <= len(body["tools"]) <= 5
        assert 2 <= len(body["thread"]["messages"]) <= 3
        assert all(holds(trait, body) for trait in ("function_tool", "file_search", "json_schema"))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"streaming": True, "stream": False},
            "build_request() got streaming=True, but the override stream=False leaves the request without "
            '"stream": true. Drop the override, or the trait.',
        ),
        (
            {"function_tool": True, "tool_choice": "none"},
            "build_request() got function_tool=True, but the override tool_choice='none' leaves the request "
            "without a function tool and a tool_choice forcing a function. Drop the override, or the trait.",
        ),
        (
            {"function_tool": True, "tools": [], "tool_choice": "auto"},
            "build_request() got function_tool=True, but the overrides tools=[], tool_choice='auto' leave the "
            "request without a function tool and a tool_choice forcing a function. Drop the override, or the "
            "trait.",
        ),
        (
            {"file_search": False, "tools": [{"type": "file_search"}]},
            "build_request() got file_search=False, but the override tools=[{'type': 'file_search'}] leaves the "
            "request with a file_search tool, resource, attachment or tool_choice. Drop the override, or the "
            "trait.",
        ),
        (
            {"json_schema": True, "response_format": "auto"},
            "build_request() got json_schema=True, but the override response_format='auto' leaves the request "
            "without a response_format of type json_schema. Drop the override, or the trait.",
        ),
        (
            {"min_tools": 2, "tools": []},
            "build_request() got min_tools=2 and max_tools=20, but the override tools=[] gives 0 tools. Drop "
            "the override, or the bounds.",
        ),
        (
            {"max_messages": 0, "thread": {"messages": [{"role": "user", "content": "Hi"}]}},
            "build_request() got min_messages=0 and max_messages=0, but the override thread={'messages': "
            "[{'role': 'user', 'content… gives 1 message. Drop the override, or the bounds.",
        ),
        (
            {"min_tools": 3, "max_tools": 2},
            "build_request() got min_tools=3 and max_tools=2; expected min_tools <= max_tools. Raise max_tools "
            "or lower min_tools.",
        ),
        (
            {"min_messages": 5, "max_messages": 2},
            "build_request() got min_messages=5 and max_messages=2; expected min_messages <= max_messages. "
            "Raise max_messages or lower min_messages.",
        ),
        (
            {"max_tools": 21},
            "build_request() got max_tools=21; a run has at most 20 tools (rule tools.max_items). Use max_tools "
            "<= 20; for bodies with too many tools use invalid_cases() or invalid_requests().",
        ),
        (
            {"function_tool": False, "min_tools": 3},
            "build_request() got min_tools=3 with function_tool=False; without function tools a body has at "
            "most 2 tools (one code_interpreter, one file_search, unless ruled out). Lower min_tools or allow "
            "function tools.",
        ),
        (
            {"function_tool": True, "file_search": True, "code_interpreter": True, "max_tools": 2},
            "build_request() got function_tool=True, file_search=True, code_interpreter=True and max_tools=2; "
            "those traits need at least 3 tools. Raise max_tools or drop a trait.",
        ),
        (
            {"streaming": "yes"},
            "build_request() got streaming='yes'; expected True, False or None. Pass streaming=True to require "
            "it, streaming=False to rule it out, or leave it out.",
        ),
        ({"min_messages": -1}, "build_request() got min_messages=-1; expected an integer >= 0."),
        ({"max_tools": True}, "build_request() got max_tools=True; expected an integer >= 0."),
        (
            {"seed": "7"},
            "build_request() got seed='7'; expected an integer (or None for a fresh seed). Pass e.g. seed=42.",
        ),
    ],
    ids=[
        "stream",
        "tool-choice",
        "tools",
        "file-search-off",
        "response-format",
        "tool-count",
        "message-count",
        "tool-bounds",
        "message-bounds",
        "max-tools",
        "no-functions",
        "too-many-traits",
        "non-bool-trait",
        "negative-size",
        "bool-size",
        "seed-type",
    ],
)
def test_impossible_traits_and_sizes_raise_configuration_error(
    arguments: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigurationError) as raised:
        build_request(**{"seed": 1, **arguments})
    assert str(raised.value) == message


# --- RequestFactory ---------------------------------------------------------------------------------


def test_request_factory_builds_differ_but_repeat_for_the_same_seed() -> None:
    first, second = RequestFactory(seed=11), RequestFactory(11)
    one = [wire(first.build()) for _ in range(5)]
    for seed in range(20):
        build_request(seed=seed)
    assert [wire(second.build()) for _ in range(5)] == one
    assert len({json.dumps(body, sort_keys=True) for body in one}) == 5
    assert one[2] == wire(build_request(seed=derive_seed(11, 2)))
    assert first.seed == 11
    assert repr(first) == "RequestFactory(seed=11)"


def test_request_factory_passes_traits_and_overrides_and_hands_out_the_catalogs() -> None:
    factory = RequestFactory(seed=4)
    request = factory.build(streaming=True, temperature=1)
    assert request.stream is True
    assert request.temperature == 1
    assert [case.id for case in factory.edge_cases()] == [case.id for case in edge_cases()]
    assert [case.id for case in factory.invalid_cases()] == [case.id for case in invalid_cases()]
    with pytest.raises(ConfigurationError) as raised:
        factory.build(seed=3)
    assert str(raised.value) == (
        "RequestFactory.build() got seed=3; its seeds derive from the factory's seed (4). Make a "
        "RequestFactory(seed=...) or call build_request(seed=...) instead."
    )
    with pytest.raises(ConfigurationError) as raised:
        RequestFactory(seed=1.5)  # type: ignore[arg-type]
    assert str(raised.value) == (
        "RequestFactory() got seed=1.5; expected an integer (or None for a fresh seed). Pass e.g. seed=42."
    )


def test_derived_seeds_are_stable_across_versions() -> None:
    assert derive_seed(0, 0) == derive_seed(0, 0)
    assert derive_seed(0, 0) != derive_seed(0, 1) != derive_seed(1, 0)
    assert derive_seed(0, 0) == 9337315039039083853


# --- the SDK ----------------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:The Assistants API is deprecated:DeprecationWarning")
def test_the_openai_sdk_sends_exactly_the_generated_body(bodies: list[dict[str, Any]]) -> None:
    chosen = bodies[:30] + [
        wire(build_request(seed=seed, streaming=True, function_tool=True)) for seed in range(6)
    ]
    assert sdk_round_trip(chosen) == chosen
