"""Wire models of `POST /v1/responses`, which replaced Assistants: strict request, tolerant stream.

The endpoint is data (`ENDPOINT`): `_schemas/create_response_request.schema.json` (vendored from the
OpenAPI document) gives every schema rule through the one schema compiler, and `_responses_prose` adds
the rules the spec only states in words. Nothing here copies a schema rule by hand.

* `CreateResponseRequest`: the request body, strict (spec names, closed objects, no coercion). Any
  broken rule raises pydantic's `ValidationError`; its error `type` is the first rule id and its
  `ctx["violations"]` lists them all. The wire body is `req.model_dump(mode="json", exclude_unset=True)`.
* `RULES` (rule id -> `SchemaRule`), `check(body)` (every `Violation`), `rule_ids_for(error)`.
* `parse_event(event, data)`: typed, tolerant stream events (see `_responses_events`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runreplay.models._endpoint import Endpoint, ProseRule, vendored_schema
from runreplay.models._endpoint_model import EndpointModel, rule_ids_for
from runreplay.models._responses_events import (
    EVENT_CLASSES,
    ResponseStreamEvent,
    UnknownResponseEvent,
    parse_event,
)
from runreplay.models._responses_prose import NAME_PATTERN, PROSE_RULES
from runreplay.models._schema_rules import SchemaRule, SchemaRules, Violation

__all__ = [
    "ENDPOINT",
    "EVENT_CLASSES",
    "NAME_PATTERN",
    "PROSE_RULES",
    "RULES",
    "SCHEMA_FILE",
    "CreateResponseRequest",
    "ProseRule",
    "ResponseStreamEvent",
    "SchemaRule",
    "UnknownResponseEvent",
    "Violation",
    "check",
    "parse_event",
    "rule_ids_for",
    "schema",
    "schema_rules",
]

SCHEMA_FILE = "create_response_request.schema.json"

ENDPOINT = Endpoint(
    name="POST /v1/responses",
    schema=vendored_schema(SCHEMA_FILE),
    schema_file=SCHEMA_FILE,
    prose=PROSE_RULES,
    root_defs=(
        "CreateResponse",
        "CreateModelResponseProperties",
        "ModelResponseProperties",
        "ResponseProperties",
    ),
    case_prefix="responses.",
    rules_name="runreplay.models.responses.RULES",
    base={"model": "gpt-4o", "input": "What is the weather in Lisbon today?"},
    examples={
        "#/$defs/MCPTool": {
            "type": "mcp",
            "server_label": "docs",
            "server_url": "https://mcp.example.com/sse",
        },
        "#/$defs/FileSearchTool/properties/max_num_results": 10,
    },
)
"""The endpoint as data: the vendored schema, the prose rules and what the catalogs build on."""


def schema() -> Mapping[str, Any]:
    """The vendored `CreateResponse` JSON Schema (draft 2020-12, every `$ref` in `$defs`)."""
    return ENDPOINT.schema


def schema_rules() -> SchemaRules:
    """The schema compiled into rules and a checker (about 15 ms, once per process)."""
    return ENDPOINT.compiled


RULES: Mapping[str, SchemaRule] = ENDPOINT.rules
"""Every rule of the request body by id: derived from the schema, plus the prose rules."""


def check(body: Any) -> list[Violation]:
    """Every broken rule in a request body (schema rules first, then prose rules); [] when it is valid."""
    return ENDPOINT.check(body)


class CreateResponseRequest(EndpointModel):
    """The `POST /v1/responses` body (`CreateResponse`), checked against every schema and prose rule.

    Fields carry the spec's names; nested values stay plain JSON (dicts and lists), exactly as sent.
    `EndpointModel` runs every rule of `ENDPOINT` on the raw body before pydantic sees a field.
    """

    _endpoint = ENDPOINT

    model: str | None = None
    input: str | list[Any] | None = None
    instructions: str | None = None
    previous_response_id: str | None = None
    conversation: str | dict[str, Any] | None = None
    tools: list[Any] | None = None
    tool_choice: str | dict[str, Any] | None = None
    parallel_tool_calls: bool | None = None
    max_tool_calls: int | None = None
    max_output_tokens: int | None = None
    temperature: int | float | None = None
    top_p: int | float | None = None
    top_logprobs: int | None = None
    text: dict[str, Any] | None = None
    reasoning: dict[str, Any] | None = None
    include: list[Any] | None = None
    metadata: dict[str, Any] | None = None
    store: bool | None = None
    stream: bool | None = None
    stream_options: dict[str, Any] | None = None
    background: bool | None = None
    service_tier: str | None = None
    truncation: str | None = None
    user: str | None = None
    safety_identifier: str | None = None
    prompt: dict[str, Any] | None = None
    prompt_cache_key: str | None = None
    prompt_cache_retention: str | None = None
    prompt_cache_options: dict[str, Any] | None = None
    context_management: list[Any] | None = None
    moderation: Any = None
