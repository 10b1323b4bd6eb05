"""The generator of valid bodies: every decision asked of a `Source`, every limit read from the registry.

Text comes from Faker pools sampled once per process (`_text.py`); limits, enums and bounds come from
the rule registry, so a body is valid by construction and never filtered.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from runreplay.factories._shape import Shape
from runreplay.factories._source import Source
from runreplay.factories._text import (
    ALNUM,
    IMAGE_EXTENSIONS,
    METADATA_CHOICES,
    METADATA_KEYS,
    NOUNS,
    PARAMETER_KINDS,
    PARAMETER_NAMES,
    VERBS,
    Pools,
    pools,
)
from runreplay.models import ASSISTANT_MODELS, rule

__all__ = ["Generator", "generate"]


_ABSENT: Final = object()
_ROLES: Final[tuple[str, ...]] = rule("role.enum").limits["enum"]
_DETAILS: Final[tuple[str, ...]] = rule("image_url.detail.enum").limits["enum"]
_RANKERS: Final[tuple[str, ...]] = rule("ranker.enum").limits["enum"]
_TOOL_CHOICES: Final[tuple[str, ...]] = rule("tool_choice.enum").limits["enum"]
_TEMPERATURE: Final = rule("temperature.range").limits
_TOP_P: Final = rule("top_p.range").limits
_MIN_PROMPT: Final[int] = rule("max_prompt_tokens.min").limits["minimum"]
_MIN_COMPLETION: Final[int] = rule("max_completion_tokens.min").limits["minimum"]
_LAST_MESSAGES_MIN: Final[int] = rule("last_messages.min").limits["minimum"]
_RESULTS: Final = rule("max_num_results.range").limits
_SCORE: Final = rule("score_threshold.range").limits
_CHUNK: Final = rule("max_chunk_size_tokens.range").limits
_OVERLAP_FRACTION: Final[float] = rule("chunking.overlap_half").limits["fraction"]
_MAX_PAIRS: Final[int] = rule("metadata.max_pairs").limits["max_properties"]
_MAX_KEY: Final[int] = rule("metadata.key_length").limits["max_length"]
_MAX_VALUE: Final[int] = rule("metadata.value_length").limits["max_length"]
_MAX_FILES: Final[int] = rule("code_interpreter.file_ids.max_items").limits["max_items"]
_MAX_STORE_IDS: Final[int] = rule("vector_store_ids.max_items").limits["max_items"]
_MAX_NAME: Final[int] = rule("function.name_pattern").limits["max_length"]

_USER_TEMPLATES: Final = (
    "What's the weather like in {city} this weekend?",
    "Can you summarize the attached report from {company} in three bullet points?",
    "Draft a short email to {name} about {topic}.",
    "I'm a {job}. {sentence}",
    "Translate this into {language}: {sentence}",
    "Which is the better pitch for {company}: {catch_phrase} or {catch_phrase}?",
    "{sentence} {sentence}",
    "Plot the monthly revenue for {company} and explain the trend.",
    "How long does it take to get from {city} to {city} by train?",
    "{intl}",
    "Please check the status of order #{number} for {name}.",
    "{paragraph}",
    "Explain {topic} to a new {job} in plain words.",
)
_ASSISTANT_TEMPLATES: Final = (
    "Sure! {sentence}",
    "{paragraph}",
    "Here is what I found about {topic}: {sentence}",
    "I checked the records for {company}. {sentence}",
    "{intl}",
)
_INSTRUCTION_TEMPLATES: Final = (
    "You are a helpful assistant for {company}. {sentence}",
    "You are an experienced {job}. Answer concisely and cite your sources.",
    "Reply in {language}. {sentence}",
    "{paragraph}",
    "You help customers of {company} with {topic}. Never invent order numbers.",
)
_DESCRIPTION_TEMPLATES: Final = (
    "{verb} the {noun} for the given {parameter}.",
    "{verb} the {noun}. {sentence}",
    "Use this to {verb_lower} a {noun} when the user asks about {topic}.",
)
_COMMON_TEMPERATURES: Final = (0, 0.2, 0.5, 0.7, 1, 1.0, 1.2, 2)
_COMMON_TOP_P: Final = (0.1, 0.5, 0.9, 0.95, 1)
_COMMON_PROMPT_TOKENS: Final = (256, 512, 1000, 2000, 4096, 8000, 16000, 32000, 128000)
_COMMON_COMPLETION_TOKENS: Final = (256, 500, 1000, 2048, 4096, 16384)
_COMMON_CHUNKS: Final = (400, 512, 800, 1024, 2048, 4096)
_ENUM_VALUES: Final[Mapping[str, tuple[str, ...]]] = {
    "unit": ("celsius", "fahrenheit"),
    "currency": ("USD", "EUR", "GBP", "JPY"),
    "priority": ("low", "normal", "high", "urgent"),
    "format": ("json", "csv", "markdown"),
    "sort_by": ("relevance", "date", "price"),
    "category": ("billing", "shipping", "returns", "other"),
}
_FLAT_PARAMETERS: Final = tuple(name for name in PARAMETER_NAMES if PARAMETER_KINDS[name] != "object")


_WORD_SLOTS: Final[Mapping[str, tuple[str, ...]]] = {
    "verb": tuple(verb.capitalize() for verb in VERBS),
    "verb_lower": VERBS,
    "noun": tuple(noun.replace("_", " ") for noun in NOUNS),
    "parameter": tuple(name.replace("_", " ") for name in PARAMETER_NAMES),
}
_POOL_SLOTS: Final = {
    "city": "cities",
    "company": "companies",
    "name": "names",
    "topic": "topics",
    "job": "jobs",
    "sentence": "sentences",
    "language": "languages",
    "catch_phrase": "catch_phrases",
    "intl": "intl_sentences",
    "paragraph": "sentences",
}


class _Slots(dict[str, str]):
    """Template slots filled on first use, in template order, from the pools."""

    def __init__(self, fill: Callable[[str], str]) -> None:
        super().__init__()
        self._fill = fill

    def __missing__(self, key: str) -> str:
        return self._fill(key)


class Generator:
    """Writes one body; every decision goes through the source."""

    def __init__(self, src: Source, shape: Shape, forced_function_name: str | None = None) -> None:
        self.src = src
        self.shape = shape
        self.pools: Pools = pools()
        self.forced_function_name = forced_function_name

    # -- text and ids --

    def fill(self, template: str) -> str:
        """The template with each slot filled from the pools."""
        return template.format_map(_Slots(self.slot))

    def slot(self, key: str) -> str:
        """A value for one template slot (multi-sentence slots join 2-4 sentences)."""
        if key == "number":
            return str(self.src.integer(10000, 99999))
        if key in _WORD_SLOTS:
            return self.src.choice(_WORD_SLOTS[key])
        options: Sequence[str] = getattr(self.pools, _POOL_SLOTS[key])
        if key in ("paragraph", "intl"):
            count = self.src.integer(2, 4) if key == "paragraph" else self.src.integer(1, 2)
            return " ".join(self.src.text(options) for _ in range(count))
        return self.src.text(options) if key == "sentence" else self.src.choice(options)

    def object_id(self, prefix: str, length: int = 24) -> str:
        """An OpenAI-style id: the prefix and `length` letters or digits."""
        return prefix + self.src.token(ALNUM, length)

    def file_id(self) -> str:
        """A `file-` id."""
        return self.object_id("file-", 22)

    # -- the body --

    def body(self) -> dict[str, Any]:
        """The whole body, key by key in the order of the spec."""
        src, shape = self.src, self.shape
        body: dict[str, Any] = {"assistant_id": self.object_id("asst_")}
        tools = self.tools()
        listed = tools if isinstance(tools, list) else []
        functions = [tool["function"]["name"] for tool in listed if tool["type"] == "function"]
        kinds = {tool["type"] for tool in listed}
        thread = self.thread()
        if thread is not _ABSENT:
            body["thread"] = thread
        if src.chance(0.5):
            body["model"] = self.model()
        response_format = self.response_format()
        if response_format == {"type": "json_object"} or src.chance(0.45):
            body["instructions"] = self.instructions(json_mode=response_format == {"type": "json_object"})
        if tools is not _ABSENT:
            body["tools"] = tools
        if src.chance(0.2) and (shape.code_interpreter is not False or shape.file_search is not False):
            body["tool_resources"] = self.run_tool_resources()
        if src.chance(0.3):
            body["metadata"] = None if src.chance(0.05) else self.metadata()
        if src.chance(0.35):
            body["temperature"] = self.sampling(_TEMPERATURE, _COMMON_TEMPERATURES)
        if src.chance(0.2):
            body["top_p"] = self.sampling(_TOP_P, _COMMON_TOP_P)
        stream = self.stream()
        if stream is not _ABSENT:
            body["stream"] = stream
        if src.chance(0.15):
            body["max_prompt_tokens"] = self.tokens(_MIN_PROMPT, _COMMON_PROMPT_TOKENS)
        if src.chance(0.15):
            body["max_completion_tokens"] = self.tokens(_MIN_COMPLETION, _COMMON_COMPLETION_TOKENS)
        if src.chance(0.15):
            body["truncation_strategy"] = self.truncation()
        tool_choice = self.tool_choice(functions, kinds)
        if tool_choice is not _ABSENT:
            body["tool_choice"] = tool_choice
        if src.chance(0.25 if functions else 0.08):
            body["parallel_tool_calls"] = src.chance(0.5)
        if response_format is not _ABSENT:
            body["response_format"] = response_format
        return body

    # -- tools --

    def tools(self) -> Any:
        """The tools array (or _ABSENT, or null): the forced tools first, then optional ones."""
        src, shape = self.src, self.shape
        low = max(shape.min_tools, shape.forced_tools)
        high = min(shape.max_tools, shape.most_tools)
        if low == 0 and not src.chance(0.55):
            return _ABSENT
        if low == 0 and src.chance(0.05):
            return None
        count = src.size(low, high)
        flags = (("code_interpreter", shape.code_interpreter), ("file_search", shape.file_search))
        singles = [kind for kind, flag in flags if flag]
        room = count - len(singles) - int(bool(shape.function_tool))
        for kind, flag in src.sample(flags, 2):
            if flag is None and room > 0 and (shape.function_tool is False or src.chance(0.3)):
                singles.append(kind)
                room -= 1
        singles.sort()
        functions = room + int(bool(shape.function_tool))
        tools: list[dict[str, Any]] = [
            {"type": "code_interpreter"} if kind == "code_interpreter" else self.file_search_tool()
            for kind in singles
        ]
        tools.extend(self.function_tool(*triple) for triple in self.function_names(functions))
        return tools

    def file_search_tool(self) -> dict[str, Any]:
        """A file_search tool, sometimes with result and ranking overrides."""
        src = self.src
        tool: dict[str, Any] = {"type": "file_search"}
        if src.chance(0.35):
            options: dict[str, Any] = {}
            if src.chance(0.7):
                options["max_num_results"] = (
                    src.choice((5, 10, 20, 50))
                    if src.chance(0.6)
                    else src.integer(_RESULTS["minimum"], _RESULTS["maximum"])
                )
            if src.chance(0.5):
                ranking: dict[str, Any] = {}
                if src.chance(0.6):
                    ranking["ranker"] = src.choice(_RANKERS)
                ranking["score_threshold"] = (
                    src.choice((0, 0.25, 0.5, 0.75, 1.0))
                    if src.chance(0.5)
                    else round(src.real(_SCORE["minimum"], _SCORE["maximum"]), 3)
                )
                options["ranking_options"] = ranking
            tool["file_search"] = options
        return tool

    def function_names(self, count: int) -> list[tuple[str, str, str]]:
        """`count` distinct (name, verb, noun) triples; the first takes the forced name if there is one."""
        names: list[tuple[str, str, str]] = []
        taken: set[str] = set()
        for index in range(count):
            name, verb, noun = self.function_name()
            if index == 0 and self.forced_function_name is not None:
                name = self.forced_function_name
            while name in taken:
                name = f"{name[: _MAX_NAME - 3]}_{len(names) + 1}"
            taken.add(name)
            names.append((name, verb, noun))
        return names

    def function_name(self) -> tuple[str, str, str]:
        """A function name in snake (mostly), camel or kebab case, sometimes long."""
        src = self.src
        verb, noun = src.choice(VERBS), src.choice(NOUNS)
        parts = [verb, noun]
        if src.chance(0.06):
            parts.extend(src.choice(NOUNS) for _ in range(src.integer(2, 5)))
            parts.append("v" + str(src.integer(2, 9)))
        name = "_".join(parts)[:_MAX_NAME].strip("_")
        style = src.integer(0, 19)
        if style == 18:
            head, *rest = name.split("_")
            name = head + "".join(word.capitalize() for word in rest)
        elif style == 19:
            name = name.replace("_", "-")
        return name, verb, noun.replace("_", " ")

    def function_tool(self, name: str, verb: str, noun: str) -> dict[str, Any]:
        """A function tool whose description and JSON Schema parameters fit its name."""
        src = self.src
        function: dict[str, Any] = {"name": name}
        described = src.chance(0.85)
        strict: Any = _ABSENT
        if src.chance(0.3):
            strict = src.choice((True, False, None))
        parameters = self.schema(strict=strict is True) if strict is True or src.chance(0.85) else None
        if described:
            about = next(iter(parameters["properties"]), "request") if parameters else "request"
            function["description"] = src.choice(
                (
                    f"{verb.capitalize()} the {noun} for the given {about.replace('_', ' ')}.",
                    f"{verb.capitalize()} the {noun}. " + src.text(self.pools.sentences),
                    f"Use this to {verb} a {noun} when the user asks about {src.choice(self.pools.topics)}.",
                )
            )
        if parameters is not None:
            function["parameters"] = parameters
        if strict is not _ABSENT:
            function["strict"] = strict
        return {"type": "function", "function": function}

    def schema(self, *, strict: bool, depth: int = 0) -> dict[str, Any]:
        """A JSON Schema object of up to 5 typed properties (nested objects up to 2 levels down)."""
        src = self.src
        names = PARAMETER_NAMES if depth < 2 else _FLAT_PARAMETERS
        chosen = src.sample(names, src.size(0, 5))
        properties = {name: self.property(name, strict=strict, depth=depth) for name in chosen}
        schema: dict[str, Any] = {"type": "object", "properties": properties}
        if strict:
            schema["required"] = list(chosen)
            schema["additionalProperties"] = False
        elif chosen and src.chance(0.6):
            schema["required"] = chosen[: src.integer(1, len(chosen))]
        return schema

    def property(self, name: str, *, strict: bool, depth: int) -> dict[str, Any]:
        """The JSON Schema of one parameter, typed as its name suggests."""
        src = self.src
        kind = PARAMETER_KINDS[name]
        spec: dict[str, Any]
        if kind == "object":
            spec = self.schema(strict=strict, depth=depth + 1)
        elif kind == "enum":
            spec = {"type": "string", "enum": list(_ENUM_VALUES[name])}
        elif kind == "array":
            spec = {"type": "array", "items": {"type": "string"}}
        elif kind == "integer" and src.chance(0.5):
            spec = {"type": "integer", "minimum": 1, "maximum": src.choice((10, 50, 100, 1000))}
        elif kind == "date":
            spec = {"type": "string", "format": "date"}
        else:
            spec = {"type": kind}
        if src.chance(0.5):
            spec["description"] = f"The {name.replace('_', ' ')}" + src.choice(
                (".", " to use.", ", as the user wrote it.", " (optional).")
            )
        return spec

    # -- thread --

    def thread(self) -> Any:
        """The thread (or _ABSENT): messages, tool resources and metadata."""
        src, shape = self.src, self.shape
        needed = shape.file_search is True or shape.code_interpreter is True or shape.min_messages > 0
        if not needed and not src.chance(0.85):
            return _ABSENT
        thread: dict[str, Any] = {}
        count = src.size(shape.min_messages, shape.max_messages)
        if count or src.chance(0.15):
            thread["messages"] = [self.message(index, count) for index in range(count)]
        allowed = shape.code_interpreter is not False or shape.file_search is not False
        forced = shape.file_search is True or shape.code_interpreter is True
        if forced or (allowed and src.chance(0.25)):
            thread["tool_resources"] = (
                None if not forced and src.chance(0.05) else self.thread_tool_resources()
            )
        if src.chance(0.25):
            thread["metadata"] = None if src.chance(0.05) else self.metadata()
        return thread

    def message(self, index: int, count: int) -> dict[str, Any]:
        """One message: users and assistants alternate, users may send images and files."""
        src, shape = self.src, self.shape
        user = index % 2 == 0 or index == count - 1 or src.chance(0.1)
        message: dict[str, Any] = {"role": _ROLES[0] if user else _ROLES[1]}
        if src.chance(0.65 if user else 0.85):
            message["content"] = self.fill(src.choice(_USER_TEMPLATES if user else _ASSISTANT_TEMPLATES))
        else:
            message["content"] = [
                self.content_part(user, first=position == 0) for position in range(src.size(1, 4))
            ]
        attachable = [
            kind
            for kind, flag in (
                ("code_interpreter", shape.code_interpreter),
                ("file_search", shape.file_search),
            )
            if flag is not False
        ]
        if user and attachable and src.chance(0.12):
            message["attachments"] = (
                None if src.chance(0.05) else [self.attachment(attachable) for _ in range(src.size(1, 3))]
            )
        if src.chance(0.08):
            message["metadata"] = self.metadata()
        return message

    def content_part(self, user: bool, *, first: bool) -> dict[str, Any]:
        """One content part: text, an image URL or an uploaded image."""
        src = self.src
        kind = (
            "text"
            if not user or (first and src.chance(0.8))
            else src.choice(("text", "image_url", "image_file"))
        )
        if kind == "text":
            return {
                "type": "text",
                "text": self.fill(src.choice(_USER_TEMPLATES if user else _ASSISTANT_TEMPLATES)),
            }
        if kind == "image_url":
            domain, word = src.choice(self.pools.domains), src.choice(self.pools.words)
            url = f"https://{domain}/images/{word}-{src.integer(1, 9999)}.{src.choice(IMAGE_EXTENSIONS)}"
            image: dict[str, Any] = {"url": url}
        else:
            image = {"file_id": self.file_id()}
        if src.chance(0.5):
            image["detail"] = src.choice(_DETAILS)
        return {"type": kind, kind: image}

    def attachment(self, kinds: Sequence[str]) -> dict[str, Any]:
        """A file attached to a message for one or both file tools."""
        chosen = self.src.sample(kinds, self.src.size(1, len(kinds)))
        return {"file_id": self.file_id(), "tools": [{"type": kind} for kind in chosen]}

    def file_ids(self, *, forced: bool = False) -> list[str]:
        """Up to 20 file ids (at least one if `forced`)."""
        return [self.file_id() for _ in range(self.src.size(int(forced), _MAX_FILES))]

    def thread_tool_resources(self) -> dict[str, Any]:
        """The thread's tool resources, with whatever the traits require."""
        src, shape = self.src, self.shape
        resources: dict[str, Any] = {}
        if shape.code_interpreter is True or (shape.code_interpreter is None and src.chance(0.5)):
            resources["code_interpreter"] = {"file_ids": self.file_ids(forced=shape.code_interpreter is True)}
        if shape.file_search is True or (shape.file_search is None and src.chance(0.6)):
            resources["file_search"] = self.thread_file_search(forced=shape.file_search is True)
        return resources

    def thread_file_search(self, *, forced: bool) -> dict[str, Any]:
        """Exactly one of vector_store_ids and vector_stores (non-empty if `forced`)."""
        src = self.src
        if src.chance(0.5):
            ids = [self.object_id("vs_")] if forced or src.chance(0.85) else []
            return {"vector_store_ids": ids}
        store: dict[str, Any] = {}
        if src.chance(0.8):
            store["file_ids"] = [self.file_id() for _ in range(src.size(1, 12))]
        if src.chance(0.45):
            store["chunking_strategy"] = self.chunking()
        if src.chance(0.2):
            store["metadata"] = self.metadata()
        return {"vector_stores": [store] if forced or src.chance(0.9) else []}

    def chunking(self) -> dict[str, Any]:
        """An auto or static chunking strategy (the overlap at most half the chunk size)."""
        src = self.src
        if src.chance(0.35):
            return {"type": "auto"}
        size = (
            src.choice(_COMMON_CHUNKS)
            if src.chance(0.6)
            else src.integer(_CHUNK["minimum"], _CHUNK["maximum"])
        )
        most = int(size * _OVERLAP_FRACTION)
        overlap = src.choice((0, most // 2, most)) if src.chance(0.6) else src.integer(0, most)
        return {"type": "static", "static": {"max_chunk_size_tokens": size, "chunk_overlap_tokens": overlap}}

    def run_tool_resources(self) -> Any:
        """The run's tool resources (only vector_store_ids for file_search), or null."""
        src, shape = self.src, self.shape
        if src.chance(0.05):
            return None
        resources: dict[str, Any] = {}
        if shape.code_interpreter is True or (shape.code_interpreter is None and src.chance(0.6)):
            resources["code_interpreter"] = {"file_ids": self.file_ids()}
        if shape.file_search is not False and src.chance(0.6):
            resources["file_search"] = {
                "vector_store_ids": [self.object_id("vs_") for _ in range(src.size(0, _MAX_STORE_IDS))]
            }
        return resources

    def metadata(self) -> dict[str, str]:
        """Up to 16 realistic pairs."""
        src = self.src
        keys = src.sample(METADATA_KEYS, src.size(0, min(_MAX_PAIRS, len(METADATA_KEYS))))
        return {key[:_MAX_KEY]: self.metadata_value(key)[:_MAX_VALUE] for key in keys}

    def metadata_value(self, key: str) -> str:
        """A value that fits its key: an id, an environment, a version, a sentence."""
        src = self.src
        if key in METADATA_CHOICES:
            return src.choice(METADATA_CHOICES[key])
        if key.endswith("_id") or key in ("ticket", "experiment"):
            return f"{key.split('_')[0]}_{src.token(ALNUM, src.integer(6, 16))}"
        if key == "app_version":
            return f"{src.integer(1, 9)}.{src.integer(0, 30)}.{src.integer(0, 99)}"
        if key in ("tenant", "team"):
            return src.choice(self.pools.companies)
        return src.text(self.pools.sentences)

    # -- scalars --

    def model(self) -> Any:
        """A listed model name, now and then a fine-tuned one or null."""
        src = self.src
        if src.chance(0.05):
            return None
        if src.chance(0.05):
            base = src.choice(("gpt-4o-mini-2024-07-18", "gpt-4o-2024-08-06", "gpt-4.1-2025-04-14"))
            owner = src.choice(self.pools.words)
            return f"ft:{base}:{owner}::{src.token(ALNUM, 8)}"
        return src.choice(ASSISTANT_MODELS)

    def instructions(self, *, json_mode: bool) -> Any:
        """System instructions (mentioning JSON in JSON mode), or null."""
        src = self.src
        if not json_mode and src.chance(0.07):
            return None
        text = self.fill(src.choice(_INSTRUCTION_TEMPLATES))
        return f"Always answer with a single JSON object. {text}" if json_mode else text

    def sampling(self, limits: Mapping[str, Any], common: Sequence[float]) -> Any:
        """A temperature or top_p: a common value, a rounded one, or null."""
        src = self.src
        if src.chance(0.06):
            return None
        if src.chance(0.5):
            return src.choice(common)
        return round(src.real(limits["minimum"], limits["maximum"]), 2)

    def tokens(self, minimum: int, common: Sequence[int]) -> Any:
        """A token limit at or above the minimum, or null."""
        src = self.src
        if src.chance(0.08):
            return None
        return src.choice(common) if src.chance(0.6) else src.integer(minimum, 200_000)

    def stream(self) -> Any:
        """The stream flag as the streaming trait allows (true, false, null or absent)."""
        src, streaming = self.src, self.shape.streaming
        if streaming is True:
            return True
        if streaming is False:
            return src.choice((_ABSENT, False, None))
        if not src.chance(0.45):
            return _ABSENT
        return src.choice((True, True, False, None))

    def truncation(self) -> Any:
        """A truncation strategy, or null."""
        src = self.src
        if src.chance(0.08):
            return None
        if src.chance(0.4):
            return {"type": "auto"}
        if src.chance(0.1):
            return {"type": "last_messages", "last_messages": None}
        return {"type": "last_messages", "last_messages": src.integer(_LAST_MESSAGES_MIN, 40)}

    def tool_choice(self, functions: Sequence[str], kinds: set[str]) -> Any:
        """A tool choice that names only tools the body has (forced for function_tool=True)."""
        src, shape = self.src, self.shape
        if shape.function_tool is True:
            return {"type": "function", "function": {"name": functions[0]}}
        if not src.chance(0.3):
            return _ABSENT
        options: list[Any] = [value for value in _TOOL_CHOICES if value != "required" or kinds]
        options.extend({"type": kind} for kind in ("code_interpreter", "file_search") if kind in kinds)
        options.extend({"type": "function", "function": {"name": name}} for name in functions[:3])
        options.append(None)
        return src.choice(options)

    def response_format(self) -> Any:
        """A response format branch, as the json_schema trait allows."""
        src, shape = self.src, self.shape
        if shape.json_schema is True:
            return self.json_schema_format()
        if not src.chance(0.3):
            return _ABSENT
        kind = src.choice(("auto", "text", "json_object", "json_schema", "null"))
        if kind == "json_schema" and shape.json_schema is None:
            return self.json_schema_format()
        if kind in ("text", "json_object"):
            return {"type": kind}
        return None if kind == "null" else "auto"

    def json_schema_format(self) -> dict[str, Any]:
        """A json_schema response format with a real JSON Schema."""
        src = self.src
        definition: dict[str, Any] = {"name": self.json_schema_name()}
        if src.chance(0.5):
            definition["description"] = self.fill("The {noun}, as structured data. {sentence}")
        strict: Any = src.choice((True, False, None, _ABSENT))
        definition["schema"] = self.schema(strict=strict is True)
        if strict is not _ABSENT:
            definition["strict"] = strict
        return {"type": "json_schema", "json_schema": definition}

    def json_schema_name(self) -> str:
        """A name such as `invoice_summary`."""
        src = self.src
        return f"{src.choice(NOUNS)}_{src.choice(('report', 'summary', 'answer', 'extraction', 'result'))}"


def generate(
    src: Source, shape: Shape | None = None, *, forced_function_name: str | None = None
) -> dict[str, Any]:
    """One valid wire body, every decision taken from `src`, meeting the traits and sizes of `shape`."""
    return Generator(src, shape or Shape(), forced_function_name).body()
