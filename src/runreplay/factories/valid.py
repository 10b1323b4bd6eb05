"""Realistic valid requests: `build_request(seed=..., **overrides)` and `RequestFactory(seed).build()`.

One generator writes every body. It asks an entropy `Source` for each decision (is this key present,
how many tools, which model), and two sources answer: `RandomSource` (a per-call `random.Random`,
used here) and the hypothesis source in `runreplay.strategies` (so strategies shrink). Text comes from
text pools sampled from Faker once and shipped as data (`_text.py`); limits, enums and bounds come
from the rule registry.

Determinism: a body depends only on its seed. Each call makes its own `random.Random(seed)`; nothing
global is read or advanced (with `seed=None` the seed itself is drawn from the `random` module, see
`build_request`).
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import random
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from runreplay.errors import ConfigurationError
from runreplay.factories._case import Case, copy_json
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
from runreplay.models import ASSISTANT_MODELS, RULES, CreateThreadAndRunRequest, rule, rule_ids_for

__all__ = [
    "OMIT",
    "TRAITS",
    "RandomSource",
    "RequestFactory",
    "Shape",
    "Source",
    "build_request",
    "derive_seed",
    "generate",
    "shape_problem",
]

T = TypeVar("T")


class _Omit:
    """The type of `OMIT`."""

    _instance: _Omit | None = None

    def __new__(cls) -> _Omit:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "OMIT"

    def __reduce__(self) -> str:
        return "OMIT"


OMIT: Final = _Omit()
"""An override value that removes the key from the generated body: `build_request(thread=OMIT)`."""

TRAITS: Final = ("streaming", "function_tool", "file_search", "json_schema", "code_interpreter")
"""The keyword traits of `build_request`, `RequestFactory.build` and the strategies (True, False or None)."""

_SIZES: Final = ("min_tools", "max_tools", "min_messages", "max_messages")
_MAX_TOOLS: Final[int] = rule("tools.max_items").limits["max_items"]
_DEFAULT_MAX_MESSAGES: Final = 8


# --- the entropy source -----------------------------------------------------------------------------


class Source(Protocol):
    """Where the generator's decisions come from: a seeded `random.Random`, or hypothesis's `draw`."""

    def chance(self, p: float) -> bool:
        """True with probability about `p` (hypothesis: shrinks to False)."""
        ...

    def integer(self, low: int, high: int) -> int:
        """An integer in [low, high]."""
        ...

    def size(self, low: int, high: int) -> int:
        """A collection size in [low, high], spread over small, typical and maximal sizes."""
        ...

    def choice(self, options: Sequence[T]) -> T:
        """One of `options` (hypothesis: shrinks to the first)."""
        ...

    def sample(self, options: Sequence[T], k: int) -> list[T]:
        """`k` distinct members of `options`."""
        ...

    def real(self, low: float, high: float) -> float:
        """A float in [low, high]."""
        ...

    def token(self, alphabet: str, length: int) -> str:
        """`length` characters of `alphabet`."""
        ...

    def text(self, options: Sequence[str]) -> str:
        """Free text: one of `options` (hypothesis: sometimes any text at all)."""
        ...


class RandomSource:
    """A `Source` over one `random.Random`: the factories' entropy, a few hundred nanoseconds a decision."""

    __slots__ = ("_random",)

    def __init__(self, rng: random.Random) -> None:
        self._random = rng

    def chance(self, p: float) -> bool:
        """True with probability `p`."""
        return self._random.random() < p

    def integer(self, low: int, high: int) -> int:
        """Uniform in [low, high]."""
        return self._random.randint(low, high)

    def size(self, low: int, high: int) -> int:
        """15% the minimum, 7% the maximum, 53% just above the minimum, 25% uniform."""
        if high <= low:
            return low
        draw = self._random.random()
        if draw < 0.15:
            return low
        if draw < 0.22:
            return high
        if draw < 0.75:
            return min(high, low + 1 + int(self._random.expovariate(0.6)))
        return self._random.randint(low, high)

    def choice(self, options: Sequence[T]) -> T:
        """Uniform over `options`."""
        return options[int(self._random.random() * len(options))]

    def sample(self, options: Sequence[T], k: int) -> list[T]:
        """`k` distinct members, in random order."""
        return self._random.sample(options, k)

    def real(self, low: float, high: float) -> float:
        """Uniform in [low, high]."""
        return self._random.uniform(low, high)

    def token(self, alphabet: str, length: int) -> str:
        """Uniform characters."""
        return "".join(self._random.choices(alphabet, k=length))

    def text(self, options: Sequence[str]) -> str:
        """One of `options`."""
        return self.choice(options)


# --- shape: traits and sizes ------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """What the caller asked for besides overrides: the traits (None: either way) and size bounds."""

    streaming: bool | None = None
    function_tool: bool | None = None
    file_search: bool | None = None
    json_schema: bool | None = None
    code_interpreter: bool | None = None
    min_tools: int = 0
    max_tools: int = _MAX_TOOLS
    min_messages: int = 0
    max_messages: int = _DEFAULT_MAX_MESSAGES

    @property
    def most_tools(self) -> int:
        """How many tools a body can have: one code_interpreter, one file_search, the rest functions."""
        if self.function_tool is False:
            return int(self.code_interpreter is not False) + int(self.file_search is not False)
        return _MAX_TOOLS

    @property
    def forced_tools(self) -> int:
        """How many tools the True traits force (a function, a file_search, a code_interpreter tool)."""
        return sum(1 for flag in (self.function_tool, self.file_search, self.code_interpreter) if flag)


def shape_problem(caller: str, values: Mapping[str, Any]) -> str | None:
    """Why these traits and sizes cannot be met together (a whole error message), or None if they can."""
    for name in TRAITS:
        value = values.get(name)
        if value is not None and not isinstance(value, bool):
            return (
                f"{caller} got {name}={value!r}; expected True, False or None. "
                f"Pass {name}=True to require it, {name}=False to rule it out, or leave it out."
            )
    for name in _SIZES:
        value = values.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            return f"{caller} got {name}={value!r}; expected an integer >= 0."
    shape = Shape(**{key: value for key, value in values.items() if value is not None})
    if shape.max_tools > _MAX_TOOLS:
        return (
            f"{caller} got max_tools={shape.max_tools}; a run has at most {_MAX_TOOLS} tools (rule "
            f"tools.max_items). Use max_tools <= {_MAX_TOOLS}; for bodies with too many tools use "
            "invalid_cases() or invalid_requests()."
        )
    if shape.min_tools > shape.max_tools:
        return (
            f"{caller} got min_tools={shape.min_tools} and max_tools={shape.max_tools}; expected "
            "min_tools <= max_tools. Raise max_tools or lower min_tools."
        )
    if shape.min_messages > shape.max_messages:
        return (
            f"{caller} got min_messages={shape.min_messages} and max_messages={shape.max_messages}; "
            "expected min_messages <= max_messages. Raise max_messages or lower min_messages."
        )
    traits = [name for name in ("function_tool", "file_search", "code_interpreter") if values.get(name)]
    if shape.forced_tools > shape.max_tools:
        return (
            f"{caller} got {', '.join(f'{name}=True' for name in traits)} and max_tools={shape.max_tools}; "
            f"those traits need at least {shape.forced_tools} tool{'s' if shape.forced_tools > 1 else ''}. "
            "Raise max_tools or drop a trait."
        )
    if shape.min_tools > shape.most_tools:
        return (
            f"{caller} got min_tools={shape.min_tools} with function_tool=False; without function tools a "
            f"body has at most {shape.most_tools} tool{'' if shape.most_tools == 1 else 's'} (one "
            "code_interpreter, one file_search, unless ruled out). Lower min_tools or allow function tools."
        )
    return None


def _shape(caller: str, values: Mapping[str, Any]) -> Shape:
    """The Shape for these values, or a ConfigurationError saying why they cannot be met."""
    problem = shape_problem(caller, values)
    if problem is not None:
        raise ConfigurationError(problem)
    return Shape(**{key: value for key, value in values.items() if value is not None})


# --- the generator ----------------------------------------------------------------------------------

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


class _Generator:
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
    return _Generator(src, shape or Shape(), forced_function_name).body()


# --- overrides ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Node:
    """What an override path can reach below one key: a model's keys, or nothing (a leaf)."""

    kind: str  # "object", "array", "map" or "value"
    children: Mapping[str, _Node]


def _models_in(annotation: Any) -> tuple[str, list[type[BaseModel]]]:
    """The kind of a field ('object', 'array', 'map', 'value') and the models it can hold."""
    found: list[type[BaseModel]] = []
    kind = "value"
    stack = [annotation]
    while stack:
        current = stack.pop()
        origin = typing.get_origin(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            found.append(current)
            kind = "object"
        elif origin is list:
            kind = "array" if kind == "value" else kind
        elif origin is dict:
            kind = "map" if kind == "value" else kind
        elif origin is typing.Annotated:
            stack.append(typing.get_args(current)[0])
        elif origin in (typing.Union, types.UnionType):
            stack.extend(reversed(typing.get_args(current)))
    return kind, found


def _tree(models: Sequence[type[BaseModel]], seen: tuple[type[BaseModel], ...] = ()) -> Mapping[str, _Node]:
    """The keys an override path can name below these models (wire names, unions merged)."""
    children: dict[str, _Node] = {}
    for model in models:
        for name, info in model.model_fields.items():
            wire = info.alias or name
            kind, inner = _models_in(info.annotation)
            fresh = [cls for cls in inner if cls not in seen]
            if wire in children and children[wire].kind == "object" and kind == "object":
                merged = {**children[wire].children, **_tree(fresh, (*seen, *fresh))}
                children[wire] = _Node("object", merged)
            elif wire not in children or children[wire].kind != "object":
                children[wire] = _Node(kind, _tree(fresh, (*seen, *fresh)) if kind == "object" else {})
    return children


_FIELDS: Final = _tree([CreateThreadAndRunRequest])
_BRANCHES: Final[Mapping[tuple[str, ...], str]] = {
    ("tool_choice", "function"): "function",
    ("response_format", "json_schema"): "json_schema",
    ("truncation_strategy", "last_messages"): "last_messages",
}
"""Setting a key below one of these paths picks the branch: the object's `type` becomes the value."""

_EXACTLY_ONE: Final = {
    tuple(part for part in entry.paths[0][2:].split(".")): tuple(entry.limits["one_of"])
    for entry in RULES.values()
    if entry.kind == "exactly_one"
}
_OVERRIDE_HELP: Final = (
    "a request key ({keys}), a nested key joined with double underscores (thread__metadata, "
    "tool_choice__function__name), or one of {traits}"
)


def _unknown(caller: str, name: str, problem: str, candidates: Sequence[str]) -> ConfigurationError:
    """An unknown-override error with the closest valid name, if one is close."""
    close = difflib.get_close_matches(name, candidates, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return ConfigurationError(f"{caller} got an unknown override {name!r}: {problem}.{hint}")


def _parse(caller: str, name: str) -> tuple[str, ...]:
    """The key path of an override name, or a ConfigurationError saying what is wrong and what would work."""
    parts = tuple(name.split("__"))
    if parts[0] not in _FIELDS:
        expected = _OVERRIDE_HELP.format(keys=", ".join(_FIELDS), traits=", ".join((*TRAITS, *_SIZES)))
        raise _unknown(caller, name, f"expected {expected}", [*_FIELDS, *TRAITS, *_SIZES])
    node = _FIELDS[parts[0]]
    for depth, part in enumerate(parts[1:], start=1):
        prefix = "__".join(parts[:depth])
        if node.kind != "object":
            what, example = {
                "array": ("an array", "[...]"),
                "map": ("an object of your own keys", "{...}"),
                "value": ("a single value", "..."),
            }[node.kind]
            raise ConfigurationError(
                f"{caller} got an unknown override {name!r}: {prefix} is {what}, so an override cannot reach "
                f"inside it; pass the whole value instead: {prefix}={example}."
            )
        if part not in node.children:
            keys = ", ".join(node.children)
            raise _unknown(
                caller,
                name,
                f"{prefix} has no key {part!r}; its keys are {keys}",
                [f"{prefix}__{key}" for key in node.children],
            )
        node = node.children[part]
    return parts


def _wire(value: Any) -> Any:
    """An override value as wire JSON: models dumped, dicts and lists copied (never aliased)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_unset=True)
    return copy_json(value)


def _apply(body: dict[str, Any], overrides: Sequence[tuple[tuple[str, ...], Any]], gen: _Generator) -> None:
    """Set each override in the body, shallow ones first, creating or re-branching the objects on the way."""
    explicit = {path for path, _ in overrides}
    for path, value in sorted(overrides, key=lambda item: len(item[0])):
        host = body
        for depth, key in enumerate(path[:-1]):
            prefix = path[: depth + 1]
            branch = _BRANCHES.get((*prefix, path[depth + 1]))
            current = host.get(key)
            if not isinstance(current, dict) or (
                branch is not None and current.get("type") != branch and (*prefix, "type") not in explicit
            ):
                current = {"type": branch} if branch is not None and (*prefix, "type") not in explicit else {}
                if prefix == ("response_format", "json_schema"):
                    current["name"] = gen.json_schema_name()
                host[key] = current
            host = current
        leaf = path[-1]
        if value is OMIT:
            host.pop(leaf, None)
            continue
        host[leaf] = _wire(value)
        for other in _EXACTLY_ONE.get(path[:-1], ()):
            if other != leaf and (*path[:-1], other) not in explicit:
                host.pop(other, None)


# --- traits after overrides -----------------------------------------------------------------------


def _tools_of(body: Mapping[str, Any]) -> list[Any]:
    """The body's tools array, or [] when it has none."""
    tools = body.get("tools")
    return tools if isinstance(tools, list) else []


def _kinds(body: Mapping[str, Any]) -> list[str]:
    """The `type` of every tool in the body."""
    return [str(tool.get("type")) for tool in _tools_of(body) if isinstance(tool, dict)]


def _resources(body: Mapping[str, Any], kind: str) -> list[Any]:
    """The `tool_resources.<kind>` objects of the run and of the thread."""
    found = []
    thread = body.get("thread")
    for holder in (body, thread if isinstance(thread, dict) else {}):
        resources = holder.get("tool_resources")
        if isinstance(resources, dict) and kind in resources:
            found.append(resources[kind])
    return found


def _attached(body: Mapping[str, Any], kind: str) -> bool:
    """Whether some message attaches a file to the `kind` tool."""
    thread = body.get("thread")
    messages = thread.get("messages") if isinstance(thread, dict) else None
    for message in messages if isinstance(messages, list) else []:
        for attachment in message.get("attachments") or [] if isinstance(message, dict) else []:
            if any(
                isinstance(tool, dict) and tool.get("type") == kind for tool in attachment.get("tools") or []
            ):
                return True
    return False


def _chosen(body: Mapping[str, Any], kind: str) -> bool:
    """Whether tool_choice forces the `kind` tool."""
    choice = body.get("tool_choice")
    return isinstance(choice, dict) and choice.get("type") == kind


def _messages(body: Mapping[str, Any]) -> int:
    """How many messages the body's thread starts with."""
    thread = body.get("thread")
    messages = thread.get("messages") if isinstance(thread, dict) else None
    return len(messages) if isinstance(messages, list) else 0


def _json_schema_format(body: Mapping[str, Any]) -> bool:
    """Whether the response format is a json_schema one."""
    response_format = body.get("response_format")
    return isinstance(response_format, dict) and response_format.get("type") == "json_schema"


def _vector_store(body: Mapping[str, Any]) -> bool:
    """Whether the thread's file_search resources name or create a vector store."""
    found = _resources({"thread": body.get("thread")}, "file_search")
    return any(
        isinstance(item, dict) and (item.get("vector_store_ids") or item.get("vector_stores"))
        for item in found
    )


def _trace(body: Mapping[str, Any], kind: str) -> bool:
    """Whether anything of the `kind` tool is in the body: the tool, resources, attachments, choice."""
    return (
        kind in _kinds(body) or bool(_resources(body, kind)) or _attached(body, kind) or _chosen(body, kind)
    )


@dataclass(frozen=True)
class _Trait:
    """What a trait promises: `complete` must hold for True, `trace` must not hold for False."""

    keys: tuple[str, ...]
    complete: Callable[[Mapping[str, Any]], bool]
    trace: Callable[[Mapping[str, Any]], bool]
    complete_text: str
    trace_text: str


_TRAIT_CHECKS: Final = {
    "streaming": _Trait(
        ("stream",),
        lambda body: body.get("stream") is True,
        lambda body: body.get("stream") is True,
        '"stream": true',
        '"stream": true',
    ),
    "function_tool": _Trait(
        ("tools", "tool_choice"),
        lambda body: "function" in _kinds(body) and _chosen(body, "function"),
        lambda body: "function" in _kinds(body) or _chosen(body, "function"),
        "a function tool and a tool_choice forcing a function",
        "a function tool or a tool_choice of type function",
    ),
    "file_search": _Trait(
        ("tools", "tool_choice", "thread", "tool_resources"),
        lambda body: "file_search" in _kinds(body) and _vector_store(body),
        lambda body: _trace(body, "file_search"),
        "a file_search tool and a vector store in thread.tool_resources.file_search",
        "a file_search tool, resource, attachment or tool_choice",
    ),
    "json_schema": _Trait(
        ("response_format",),
        _json_schema_format,
        _json_schema_format,
        "a response_format of type json_schema",
        "a response_format of type json_schema",
    ),
    "code_interpreter": _Trait(
        ("tools", "tool_choice", "thread", "tool_resources"),
        lambda body: "code_interpreter" in _kinds(body) and bool(_resources(body, "code_interpreter")),
        lambda body: _trace(body, "code_interpreter"),
        "a code_interpreter tool and tool_resources.code_interpreter",
        "a code_interpreter tool, resource, attachment or tool_choice",
    ),
}


def _shown(overrides: Mapping[str, Any], names: Sequence[str]) -> str:
    """`name=value` for each override, values cut to 40 characters, for error messages."""
    shown = []
    for name in names:
        text = repr(overrides[name])
        shown.append(f"{name}={text if len(text) <= 40 else text[:39] + '…'}")
    return ", ".join(shown)


def _conflicts(caller: str, shape: Shape, body: Mapping[str, Any], overrides: Mapping[str, Any]) -> None:
    """Raise if an override undid what a trait or size bound promised."""
    for trait, check in _TRAIT_CHECKS.items():
        wanted = getattr(shape, trait)
        if wanted is None or (check.complete(body) if wanted else not check.trace(body)):
            continue
        culprits = [name for name in overrides if name.split("__")[0] in check.keys]
        plural = len(culprits) > 1
        shown = _shown(overrides, culprits)
        raise ConfigurationError(
            f"{caller} got {trait}={wanted}, but the override{'s' if plural else ''} {shown} "
            f"leave{'' if plural else 's'} the request {'without' if wanted else 'with'} "
            f"{check.complete_text if wanted else check.trace_text}. Drop the override, or the trait."
        )
    roots = {name.split("__")[0] for name in overrides}
    for what, count, low, high in (
        ("tools", len(_tools_of(body)), shape.min_tools, shape.max_tools),
        ("messages", _messages(body), shape.min_messages, shape.max_messages),
    ):
        key = "tools" if what == "tools" else "thread"
        if key in roots and not low <= count <= high:
            culprits = [name for name in overrides if name.split("__")[0] == key]
            plural = len(culprits) > 1
            raise ConfigurationError(
                f"{caller} got min_{what}={low} and max_{what}={high}, but the override"
                f"{'s' if plural else ''} {_shown(overrides, culprits)} give{'' if plural else 's'} "
                f"{count} {what[:-1] if count == 1 else what}. Drop the override, or the bounds."
            )


# --- the public factory ---------------------------------------------------------------------------


def derive_seed(seed: int, index: int) -> int:
    """The seed of build number `index` of `RequestFactory(seed)`: stable across processes and versions."""
    digest = hashlib.blake2b(f"runreplay:{seed}:{index}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _check_seed(caller: str, seed: Any) -> int:
    """The seed to use: `seed` itself, or a draw from the `random` module for None."""
    if seed is None:
        return random.getrandbits(64)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ConfigurationError(
            f"{caller} got seed={seed!r}; expected an integer (or None for a fresh seed). Pass e.g. seed=42."
        )
    return seed


def _build(
    caller: str, seed: int, shape_values: Mapping[str, Any], overrides: Mapping[str, Any]
) -> CreateThreadAndRunRequest:
    """Generate with the traits, apply the overrides, check the traits still hold, validate."""
    shape = _shape(caller, shape_values)
    parsed = [(_parse(caller, name), value) for name, value in overrides.items()]
    forced_name = None
    if shape.function_tool and "tools" not in overrides:
        named = overrides.get("tool_choice__function__name")
        forced_name = named if isinstance(named, str) and named else None
    gen = _Generator(RandomSource(random.Random(seed)), shape, forced_name)
    body = gen.body()
    if parsed:
        _apply(body, parsed, gen)
        _conflicts(caller, shape, body, overrides)
    try:
        return CreateThreadAndRunRequest.model_validate(body)
    except ValidationError as error:
        if not parsed:
            raise
        problems = "; ".join(f"{hit.message} (at {hit.path})" for hit in rule_ids_for(error))
        shown = _shown(overrides, list(overrides))
        raise ConfigurationError(
            f"{caller} got overrides ({shown}) that make the request invalid: {problems}. "
            "Give each override a valid wire value; for deliberately invalid bodies use invalid_cases()."
        ) from error


def build_request(
    *,
    seed: int | None = None,
    streaming: bool | None = None,
    function_tool: bool | None = None,
    file_search: bool | None = None,
    json_schema: bool | None = None,
    code_interpreter: bool | None = None,
    min_tools: int = 0,
    max_tools: int = _MAX_TOOLS,
    min_messages: int = 0,
    max_messages: int = _DEFAULT_MAX_MESSAGES,
    **overrides: Any,
) -> CreateThreadAndRunRequest:
    """A realistic, valid request, the same for the same seed in any process and in any order.

    * `seed=None` draws the seed from the `random` module (`random.getrandbits(64)`): a fresh body each
      call, reproducible when the test run seeds `random` (as pytest-randomly does per test). Pass a
      seed, or use the `request_factory` fixture, to pin it.
    * Traits (True: required, False: ruled out, None: either): `streaming` ("stream": true),
      `function_tool` (a function tool and a tool_choice forcing it), `file_search` (the tool plus a
      vector store on the thread), `json_schema` (a json_schema response format), `code_interpreter`
      (the tool plus its files). `min_tools`..`max_tools` and `min_messages`..`max_messages` bound sizes.
    * Overrides set wire keys after generation: `temperature=0.5`, `thread={...}` (replace),
      `thread__metadata={...}` or `tool_choice__function__name="lookup"` (nested keys, creating the
      objects on the way), `tools=OMIT` (remove). Pydantic models are accepted and dumped.

    Raises ConfigurationError for an unknown override, impossible traits or sizes, a trait an override
    contradicts, or overrides that make the request invalid (naming the rule broken).
    """
    caller = "build_request()"
    shape_values = {
        "streaming": streaming,
        "function_tool": function_tool,
        "file_search": file_search,
        "json_schema": json_schema,
        "code_interpreter": code_interpreter,
        "min_tools": min_tools,
        "max_tools": max_tools,
        "min_messages": min_messages,
        "max_messages": max_messages,
    }
    return _build(caller, _check_seed(caller, seed), shape_values, overrides)


class RequestFactory:
    """Deterministic requests from one seed: build number n uses `derive_seed(seed, n)`.

    Two factories with the same seed give the same sequence, whatever else was built in between.
    """

    def __init__(self, seed: int | None) -> None:
        self._seed = _check_seed("RequestFactory()", seed)
        self._counter: Iterator[int] = itertools.count()

    @property
    def seed(self) -> int:
        """The seed this factory derives every build from."""
        return self._seed

    def build(
        self,
        *,
        streaming: bool | None = None,
        function_tool: bool | None = None,
        file_search: bool | None = None,
        json_schema: bool | None = None,
        code_interpreter: bool | None = None,
        min_tools: int = 0,
        max_tools: int = _MAX_TOOLS,
        min_messages: int = 0,
        max_messages: int = _DEFAULT_MAX_MESSAGES,
        **overrides: Any,
    ) -> CreateThreadAndRunRequest:
        """The next request: different from the previous ones, the same on every run with this seed."""
        caller = "RequestFactory.build()"
        if "seed" in overrides:
            raise ConfigurationError(
                f"{caller} got seed={overrides['seed']!r}; its seeds derive from the factory's seed "
                f"({self._seed}). Make a RequestFactory(seed=...) or call build_request(seed=...) instead."
            )
        shape_values = {
            "streaming": streaming,
            "function_tool": function_tool,
            "file_search": file_search,
            "json_schema": json_schema,
            "code_interpreter": code_interpreter,
            "min_tools": min_tools,
            "max_tools": max_tools,
            "min_messages": min_messages,
            "max_messages": max_messages,
        }
        return _build(caller, derive_seed(self._seed, next(self._counter)), shape_values, overrides)

    def edge_cases(self) -> list[Case]:
        """`runreplay.factories.edge_cases()` (the catalog does not depend on the seed)."""
        from runreplay.factories.edge import edge_cases

        return list(edge_cases())

    def invalid_cases(self) -> list[Case]:
        """`runreplay.factories.invalid_cases()` (the catalog does not depend on the seed)."""
        from runreplay.factories.invalid import invalid_cases

        return list(invalid_cases())

    def __repr__(self) -> str:
        return f"RequestFactory(seed={self._seed})"
