"""The oracle of the factory tests: the official JSON Schema (plus the prose rules) and the openai SDK.

The schema is read from `../shared/reference/` the way `test_models_conformance.py` reads it; tests
that need it skip when it is absent. The prose rules are added from the registry's own
`Rule.json_schema` fragments at every path they name, so the schema oracle and the models share
nothing but the registry; `chunking.overlap_half` (a comparison of two keys) is checked by hand.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from runreplay.factories._case import tokens
from runreplay.models import RULES, CreateThreadAndRunRequest

REFERENCE = Path(__file__).resolve().parent / "data" / "reference"
SCHEMA_FILE = REFERENCE / "create_thread_and_run_request.schema.json"


@functools.cache
def _schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_FILE.read_text())
    return loaded


def _resolve(schema: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _child(schema: dict[str, Any], node: Any, token: str | None) -> Any:
    """The subschema one path step below `node` (through $ref, anyOf, oneOf), or None."""
    node = _resolve(schema, node)
    if not isinstance(node, dict):
        return None
    if token is None and "items" in node:
        return node["items"]
    if token is not None and token in node.get("properties", {}):
        return node["properties"][token]
    for branch in node.get("anyOf", []) + node.get("oneOf", []):
        found = _child(schema, branch, token)
        if found is not None:
            return found
    return None


def _whole_string(fragment: Any) -> Any:
    """ECMA-262 `$` ends the string; Python's also matches before a final newline, so use `\\Z`."""
    if isinstance(fragment, dict):
        return {
            key: re.sub(r"\$$", r"\\Z", value) if key == "pattern" else _whole_string(value)
            for key, value in fragment.items()
        }
    if isinstance(fragment, list):
        return [_whole_string(item) for item in fragment]
    return fragment


@functools.cache
def strict() -> Draft202012Validator:
    """The official schema as it is."""
    return Draft202012Validator(_schema())


@functools.cache
def prose() -> Draft202012Validator:
    """The official schema plus every prose rule JSON Schema can say, at every path the rule names."""
    schema = copy.deepcopy(_schema())
    for entry in RULES.values():
        if entry.origin != "prose" or entry.json_schema is None:
            continue
        fragment = _whole_string(json.loads(json.dumps(entry.json_schema, default=dict)))
        for path in entry.paths:
            node: Any = schema["$defs"]["CreateThreadAndRunRequest"]
            for token in tokens(path):
                node = _child(schema, node, token)
                assert node is not None, f"{entry.id}: no subschema at {path}"
            node.setdefault("allOf", []).append(fragment)
    return Draft202012Validator(schema)


def overlap_ok(body: Any) -> bool:
    """chunking.overlap_half, which JSON Schema cannot say: overlap <= fraction * chunk size."""
    limits = RULES["chunking.overlap_half"].limits
    thread = body.get("thread") if isinstance(body, dict) else None
    resources = (thread or {}).get("tool_resources") or {}
    stores = (resources.get("file_search") or {}).get("vector_stores") or []
    for store in stores:
        static = ((store or {}).get("chunking_strategy") or {}).get("static")
        if isinstance(static, dict):
            whole, part = static.get(limits["of"]), static.get(limits["field"])
            numbers = all(isinstance(n, int | float) and not isinstance(n, bool) for n in (whole, part))
            if numbers and part > whole * limits["fraction"]:
                return False
    return True


def same_json(left: Any, right: Any) -> bool:
    """Equal as JSON text, so 1 and 1.0 (or True and 1) differ."""
    return json.dumps(left, sort_keys=True) == json.dumps(right, sort_keys=True)


def assert_valid_everywhere(body: dict[str, Any]) -> None:
    """The model accepts the body and dumps it back unchanged; the schema plus the prose rules accept it."""
    request = CreateThreadAndRunRequest.model_validate(body)
    assert same_json(request.model_dump(mode="json", exclude_unset=True), body)
    errors = [error.message for error in prose().iter_errors(body)]
    assert errors == []
    assert overlap_ok(body)


def json_schemas_in(body: dict[str, Any]) -> Iterable[dict[str, Any]]:
    """Every JSON Schema a body carries: function parameters and json_schema response schemas."""
    for tool in body.get("tools") or []:
        parameters = tool.get("function", {}).get("parameters") if tool.get("type") == "function" else None
        if parameters is not None:
            yield parameters
    response_format = body.get("response_format")
    if isinstance(response_format, dict) and "schema" in response_format.get("json_schema", {}):
        yield response_format["json_schema"]["schema"]


def sdk_round_trip(bodies: Iterable[dict[str, Any]]) -> list[Any]:
    """What the openai SDK sends for `create_and_run(**body)`, for each body, through a mock transport."""
    httpx2 = pytest.importorskip("httpx2")
    openai = pytest.importorskip("openai")
    sent: list[Any] = []

    def handler(request: Any) -> Any:
        body = json.loads(request.content)
        sent.append(body)
        if body.get("stream"):
            return httpx2.Response(
                200, content=b"event: done\ndata: [DONE]\n\n", headers={"content-type": "text/event-stream"}
            )
        run = {
            "id": "run_1",
            "object": "thread.run",
            "status": "queued",
            "assistant_id": body["assistant_id"],
        }
        return httpx2.Response(200, json=run)

    client = openai.OpenAI(
        api_key="sk-test",
        base_url="https://api.openai.test/v1",
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
        max_retries=0,
    )
    with client:
        for body in bodies:
            result = client.beta.threads.create_and_run(**body)
            if body.get("stream"):
                assert list(result) == []
    return sent
