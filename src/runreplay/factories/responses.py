"""Factories for `POST /v1/responses`: realistic valid bodies, an edge catalog and an invalid catalog.

* `build_request(seed=..., **overrides)`: a valid, realistic `CreateResponseRequest` (string input or
  message lists with text, images by URL and files; function tools with real JSON Schemas; built-in
  tools; structured output formats; reasoning options; metadata), the same for the same seed in any
  process and in any order. Overrides set wire keys after generation (`temperature=0.5`,
  `text__format={...}` for nested keys, `tools=OMIT` to remove one).
* `edge_cases()` / `invalid_cases()`: `Case`s built from the rule registry of
  `runreplay.models.responses` (every schema rule, by the generic `SchemaCatalog`, plus every prose
  rule): edge cases pass at a limit, invalid cases break exactly one rule at `case.path`. Ids start
  with `responses.` so they never collide with the thread-and-run catalogs.

The endpoint's pieces are `KIT` (an `EndpointKit`); the public functions bind the generic `_kit.py` ones
to it. Hypothesis strategies over the same generator: `runreplay.strategies.responses_requests()` and
friends.
"""

from __future__ import annotations

import random
import string
from collections.abc import Sequence
from typing import Any, TypeVar

from runreplay.factories._case import Case, copy_json
from runreplay.factories._kit import EndpointKit, build
from runreplay.factories._kit import edge_cases as kit_edge_cases
from runreplay.factories._kit import invalid_cases as kit_invalid_cases
from runreplay.factories._source import Choices, RandomSource
from runreplay.factories._text import pools
from runreplay.factories.valid import OMIT
from runreplay.models import responses as model

__all__ = [
    "KIT",
    "MODELS",
    "OMIT",
    "Case",
    "RandomChoices",
    "build_request",
    "edge_cases",
    "generate",
    "invalid_cases",
]

T = TypeVar("T")
MODELS = ("gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "o4-mini", "gpt-5", "gpt-5-mini")
"""The model names the factory picks from (any string is valid for the spec)."""
_REASONING_MODELS = ("o4-mini", "gpt-5", "gpt-5-mini")
_VERBS = ("get", "search", "create", "lookup", "fetch", "convert", "schedule", "check", "find", "send")
_ALNUM = string.ascii_letters + string.digits
_INCLUDE = ("message.output_text.logprobs", "file_search_call.results", "reasoning.encrypted_content")
_BASE = model.ENDPOINT.base


class RandomChoices(RandomSource):
    """`Choices` from one `random.Random`, as the Responses bodies have always drawn them."""

    __slots__ = ()

    def choice(self, options: Sequence[T]) -> T:
        """One of `options`."""
        return options[self._random.randrange(len(options))]

    def real(self, low: float, high: float) -> float:
        """A float in [low, high], rounded to two places like hand-written settings."""
        return round(self._random.uniform(low, high), 2)


class _Writer:
    """Writes one body from a `Choices`; every method is one part of the request."""

    def __init__(self, src: Choices) -> None:
        self.src = src
        self.pools = pools()

    def token(self, length: int) -> str:
        return "".join(self.src.choice(_ALNUM) for _ in range(length))

    def name(self) -> str:
        word = "".join(ch for ch in self.src.choice(self.pools.words).lower() if ch.isalnum()) or "item"
        return f"{self.src.choice(_VERBS)}_{word}"[:64]

    def body(self) -> dict[str, Any]:
        """A whole request body."""
        src = self.src
        body: dict[str, Any] = {"model": src.choice(MODELS), "input": self.input()}
        if src.chance(0.4):
            body["instructions"] = src.choice(self.pools.sentences)
        if src.chance(0.5):
            body["tools"] = self.tools()
            names = [t["name"] for t in body["tools"] if t["type"] == "function"]
            if src.chance(0.4):
                body["tool_choice"] = (
                    {"type": "function", "name": src.choice(names)}
                    if names and src.chance(0.5)
                    else src.choice(("auto", "required", "none"))
                )
            if src.chance(0.3):
                body["parallel_tool_calls"] = src.chance(0.5)
        if src.chance(0.3):
            body["text"] = {"format": self.text_format()}
        if body["model"] in _REASONING_MODELS and src.chance(0.6):
            body["reasoning"] = {
                "effort": src.choice(("minimal", "low", "medium", "high")),
                "summary": src.choice(("auto", "concise", "detailed")),
            }
        elif src.chance(0.4):
            body["temperature"] = src.choice((0, 0.2, 0.7, 1, 1.3, 2, src.real(0, 2)))
            if src.chance(0.3):
                body["top_p"] = src.choice((0.1, 0.5, 0.9, 1, src.real(0, 1)))
        if src.chance(0.3):
            body["max_output_tokens"] = src.choice((16, 256, 1024, 4096, src.integer(16, 32_000)))
        if src.chance(0.3):
            body["metadata"] = self.metadata()
        if src.chance(0.25):
            body["previous_response_id"] = "resp_" + self.token(24)
        elif src.chance(0.1):
            body["conversation"] = "conv_" + self.token(24)
        for key, p in (("stream", 0.4), ("store", 0.2), ("background", 0.05)):
            if src.chance(p):
                body[key] = src.chance(0.5)
        if src.chance(0.15):
            body["include"] = [src.choice(_INCLUDE)]
        if src.chance(0.1):
            body["safety_identifier"] = "user_" + self.token(16)
        if src.chance(0.1):
            body["prompt_cache_key"] = f"{self.name()}-v{src.integer(1, 9)}"
        if src.chance(0.1):
            body["service_tier"] = src.choice(("auto", "default", "flex", "priority"))
        return body

    def input(self) -> Any:
        """String input, or a list of messages ending with a user message."""
        src = self.src
        if src.chance(0.4):
            return src.choice(self.pools.sentences)
        messages: list[dict[str, Any]] = []
        if src.chance(0.3):
            messages.append(
                {"role": src.choice(("system", "developer")), "content": src.choice(self.pools.sentences)}
            )
        for _ in range(src.integer(0, 2)):
            messages.append({"role": "user", "content": src.choice(self.pools.sentences)})
            messages.append({"role": "assistant", "content": src.choice(self.pools.sentences)})
        messages.append(self.user_message())
        return messages

    def user_message(self) -> dict[str, Any]:
        """A user message with text and maybe an image by URL and a file."""
        src = self.src
        parts: list[dict[str, Any]] = [{"type": "input_text", "text": src.choice(self.pools.sentences)}]
        if src.chance(0.4):
            domain = src.choice(self.pools.domains)
            image = f"https://{domain}/images/{self.token(8)}.{src.choice(('png', 'jpg', 'webp'))}"
            parts.append(
                {"type": "input_image", "image_url": image, "detail": src.choice(("auto", "low", "high"))}
            )
        if src.chance(0.3):
            if src.chance(0.5):
                parts.append({"type": "input_file", "file_id": "file-" + self.token(22)})
            else:
                domain = src.choice(self.pools.domains)
                parts.append({"type": "input_file", "file_url": f"https://{domain}/docs/{self.token(6)}.pdf"})
        message: dict[str, Any] = {"role": "user", "content": parts}
        if src.chance(0.5):
            message = {"type": "message", **message}
        return message

    def tools(self) -> list[dict[str, Any]]:
        """Function tools with distinct names, and maybe built-in tools."""
        src = self.src
        tools: list[dict[str, Any]] = []
        seen: set[str] = set()
        for _ in range(src.integer(1, 3)):
            tool = self.function_tool()
            if tool["name"] not in seen:
                seen.add(tool["name"])
                tools.append(tool)
        if src.chance(0.3):
            tools.append({"type": "web_search"} if src.chance(0.5) else {"type": "web_search_preview"})
        if src.chance(0.3):
            search: dict[str, Any] = {"type": "file_search", "vector_store_ids": ["vs_" + self.token(24)]}
            if src.chance(0.5):
                search["max_num_results"] = src.integer(1, 50)
            tools.append(search)
        if src.chance(0.2):
            tools.append({"type": "code_interpreter", "container": {"type": "auto"}})
        if src.chance(0.1):
            tools.append({"type": "image_generation"})
        return tools

    def function_tool(self) -> dict[str, Any]:
        """A function tool whose parameters are a real JSON Schema (strict or not)."""
        src = self.src
        strict = src.chance(0.5)
        props: dict[str, Any] = {}
        for _ in range(src.integer(1, 4)):
            key = "".join(ch for ch in src.choice(self.pools.words).lower() if ch.isalnum()) or "value"
            kind = src.choice(("string", "integer", "number", "boolean", "enum"))
            if kind == "enum":
                props[key] = {"type": "string", "enum": ["celsius", "fahrenheit"]}
            else:
                props[key] = {"type": kind, "description": src.choice(self.pools.sentences)}
        parameters: dict[str, Any] = {"type": "object", "properties": props}
        if strict:
            parameters |= {"required": list(props), "additionalProperties": False}
        elif src.chance(0.5):
            parameters["required"] = list(props)[:1]
        return {
            "type": "function",
            "name": self.name(),
            "description": src.choice(self.pools.sentences),
            "parameters": parameters,
            "strict": strict,
        }

    def text_format(self) -> dict[str, Any]:
        """A `text.format`: plain text, JSON mode, or a json_schema structured output."""
        src = self.src
        kind = src.choice(("text", "json_object", "json_schema", "json_schema"))
        if kind != "json_schema":
            return {"type": kind}
        fields = {
            "city": {"type": "string"},
            "temperature_c": {"type": "number"},
            "summary": {"type": "string"},
        }
        return {
            "type": "json_schema",
            "name": self.name(),
            "description": src.choice(self.pools.sentences),
            "schema": {
                "type": "object",
                "properties": fields,
                "required": list(fields),
                "additionalProperties": False,
            },
            "strict": True,
        }

    def metadata(self) -> dict[str, str]:
        """Up to seven realistic metadata pairs."""
        src = self.src
        keys = ("user_id", "session", "env", "feature", "trace_id", "tenant", "locale")
        return {
            key: f"{src.choice(self.pools.words)}-{self.token(6)}"
            for key in keys[: src.integer(1, len(keys))]
        }


def generate(src: Choices) -> dict[str, Any]:
    """One realistic valid wire body, every decision taken from `src` (random or hypothesis)."""
    return _Writer(src).body()


def build_request(*, seed: int | None = None, **overrides: Any) -> model.CreateResponseRequest:
    """A realistic, valid `CreateResponseRequest`, the same for the same seed in any process and order.

    `seed=None` draws one from the `random` module. Overrides set wire keys after generation
    (`a__b` reaches nested keys, `OMIT` removes one). Raises ConfigurationError for an unknown top-level
    key or overrides that make the body invalid, naming the rule they break.
    """
    request: model.CreateResponseRequest = build(KIT, "build_request()", seed, overrides)
    return request


# --- the catalogs ---------------------------------------------------------------------------------


def _with(**keys: Any) -> dict[str, Any]:
    return {**copy_json(_BASE), **keys}


def _tool(**keys: Any) -> dict[str, Any]:
    return _with(tools=[keys])


def _schema_format(name: str) -> dict[str, Any]:
    return _with(text={"format": {"type": "json_schema", "name": name, "schema": {"type": "object"}}})


def _function(name: str) -> dict[str, Any]:
    return _tool(type="function", name=name, parameters={"type": "object"}, strict=False)


def _search(**keys: Any) -> dict[str, Any]:
    return _tool(type="file_search", vector_store_ids=["vs_1"], **keys)


def _pairs(count: int, key_length: int = 4, value_length: int = 5) -> dict[str, Any]:
    return _with(metadata={f"{i:0{key_length}d}": "v" * value_length for i in range(count)})


def _compaction(last: bool) -> dict[str, Any]:
    trigger = {"type": "compaction_trigger"}
    message = {"role": "user", "content": "Summarize what we said so far."}
    return _with(input=[message, trigger] if last else [trigger, message])


# (rule, variant, body, valid, path): the prose rules at their limits and just past them.
_PROSE_CASES: tuple[tuple[str, str, Any, bool, str], ...] = (
    ("metadata.max_pairs", "pairs_16", _pairs(16), True, "$.metadata"),
    ("metadata.max_pairs", "pairs_17", _pairs(17), False, "$.metadata"),
    ("metadata.key_length", "key_64", _pairs(1, key_length=64), True, "$.metadata"),
    ("metadata.key_length", "key_65", _pairs(1, key_length=65), False, "$.metadata"),
    ("metadata.value_length", "value_512", _with(metadata={"note": "v" * 512}), True, "$.metadata.note"),
    ("metadata.value_length", "value_513", _with(metadata={"note": "v" * 513}), False, "$.metadata.note"),
    (
        "previous_response_id.conversation",
        "previous_only",
        _with(previous_response_id="resp_1"),
        True,
        "$.previous_response_id",
    ),
    (
        "previous_response_id.conversation",
        "conversation_only",
        _with(conversation="conv_1"),
        True,
        "$.conversation",
    ),
    (
        "previous_response_id.conversation",
        "both",
        _with(previous_response_id="resp_1", conversation="conv_1"),
        False,
        "$.previous_response_id",
    ),
    ("text.format.name.pattern", "name_64", _schema_format("n" * 64), True, "$.text.format.name"),
    ("text.format.name.pattern", "name_65", _schema_format("n" * 65), False, "$.text.format.name"),
    (
        "text.format.name.pattern",
        "name_with_space",
        _schema_format("weather report"),
        False,
        "$.text.format.name",
    ),
    ("text.format.name.pattern", "name_empty", _schema_format(""), False, "$.text.format.name"),
    ("function.name.pattern", "name_64", _function("f" * 64), True, "$.tools[0].name"),
    ("function.name.pattern", "name_65", _function("f" * 65), False, "$.tools[0].name"),
    ("function.name.pattern", "name_with_dot", _function("weather.get"), False, "$.tools[0].name"),
    (
        "file_search.max_num_results.range",
        "at_1",
        _search(max_num_results=1),
        True,
        "$.tools[0].max_num_results",
    ),
    (
        "file_search.max_num_results.range",
        "at_50",
        _search(max_num_results=50),
        True,
        "$.tools[0].max_num_results",
    ),
    (
        "file_search.max_num_results.range",
        "below_1",
        _search(max_num_results=0),
        False,
        "$.tools[0].max_num_results",
    ),
    (
        "file_search.max_num_results.range",
        "above_50",
        _search(max_num_results=51),
        False,
        "$.tools[0].max_num_results",
    ),
    (
        "file_search.ranking_options.score_threshold.range",
        "at_0",
        _search(ranking_options={"score_threshold": 0}),
        True,
        "$.tools[0].ranking_options.score_threshold",
    ),
    (
        "file_search.ranking_options.score_threshold.range",
        "at_1",
        _search(ranking_options={"score_threshold": 1}),
        True,
        "$.tools[0].ranking_options.score_threshold",
    ),
    (
        "file_search.ranking_options.score_threshold.range",
        "just_above_1",
        _search(ranking_options={"score_threshold": 1.0000000000000002}),
        False,
        "$.tools[0].ranking_options.score_threshold",
    ),
    (
        "file_search.ranking_options.score_threshold.range",
        "just_below_0",
        _search(ranking_options={"score_threshold": -5e-324}),
        False,
        "$.tools[0].ranking_options.score_threshold",
    ),
    (
        "mcp.server.required",
        "server_url",
        _tool(type="mcp", server_label="docs", server_url="https://mcp.example.com"),
        True,
        "$.tools[0]",
    ),
    (
        "mcp.server.required",
        "connector_id",
        _tool(type="mcp", server_label="mail", connector_id="connector_gmail"),
        True,
        "$.tools[0]",
    ),
    (
        "mcp.server.required",
        "tunnel_id",
        _tool(type="mcp", server_label="intra", tunnel_id="tunnel_" + "a1" * 16),
        True,
        "$.tools[0]",
    ),
    ("mcp.server.required", "no_server", _tool(type="mcp", server_label="docs"), False, "$.tools[0]"),
    ("input.compaction_trigger.last", "last", _compaction(True), True, "$.input[1]"),
    ("input.compaction_trigger.last", "not_last", _compaction(False), False, "$.input[0]"),
)


def _prose_cases() -> list[Case]:
    """The prose rules' hand-designed cases, after the schema-derived ones in both catalogs."""
    return [
        Case(f"responses.{rule}.{variant}", body, rule, valid, path)
        for rule, variant, body, valid, path in _PROSE_CASES
    ]


KIT = EndpointKit(
    model.ENDPOINT,
    model_class=model.CreateResponseRequest,
    write=generate,
    source=lambda seed: RandomChoices(random.Random(f"runreplay-responses:{seed}")),
    title="Responses",
    extra_cases=_prose_cases,
)
"""`POST /v1/responses` factories as data: its model, realistic writer and prose cases."""


def uncovered_rules() -> list[str]:
    """Schema rules no single-value body can break alone (another rule always fires first or with it)."""
    covered = {case.rule for case in invalid_cases()}
    return sorted(set(model.RULES) - covered)


def edge_cases() -> list[Case]:
    """Valid bodies at every limit, enum value, union kind and nullable key of the rule registry."""
    return kit_edge_cases(KIT)


def invalid_cases() -> list[Case]:
    """Bodies that each break exactly one rule of the registry, at `case.path`."""
    return kit_invalid_cases(KIT)
