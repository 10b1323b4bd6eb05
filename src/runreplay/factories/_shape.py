"""What a caller asks for besides overrides: traits and size bounds (`Shape`), written once.

`Shape` is the one definition of the nine keywords that `build_request`, `RequestFactory.build`,
`requests()` and `bodies()` take: `shape_keywords` publishes its fields in those functions'
signatures, `split_shape` takes them out of the keywords a caller passed. `shape_problem` says why
a shape cannot be met; `check_conflicts` why a body, after overrides, no longer meets it.
"""

from __future__ import annotations

import dataclasses
import difflib
import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from runreplay.errors import ConfigurationError
from runreplay.models import rule

__all__ = [
    "DEFAULT_MAX_MESSAGES",
    "MAX_TOOLS",
    "SHAPE_DEFAULTS",
    "SIZES",
    "TRAITS",
    "Shape",
    "check_conflicts",
    "checked_shape",
    "shape_keywords",
    "shape_problem",
    "shown",
    "split_shape",
    "unknown_keyword_problem",
]

F = TypeVar("F", bound=Callable[..., Any])

TRAITS: Final = ("streaming", "function_tool", "file_search", "json_schema", "code_interpreter")
"""The keyword traits of `build_request`, `RequestFactory.build` and the strategies (True, False or None)."""

SIZES: Final = ("min_tools", "max_tools", "min_messages", "max_messages")
"""The size-bound keywords, next to the traits."""
MAX_TOOLS: Final[int] = rule("tools.max_items").limits["max_items"]
DEFAULT_MAX_MESSAGES: Final = 8


@dataclass(frozen=True)
class Shape:
    """What the caller asked for besides overrides: the traits (None: either way) and size bounds."""

    streaming: bool | None = None
    function_tool: bool | None = None
    file_search: bool | None = None
    json_schema: bool | None = None
    code_interpreter: bool | None = None
    min_tools: int = 0
    max_tools: int = MAX_TOOLS
    min_messages: int = 0
    max_messages: int = DEFAULT_MAX_MESSAGES

    @property
    def most_tools(self) -> int:
        """How many tools a body can have: one code_interpreter, one file_search, the rest functions."""
        if self.function_tool is False:
            return int(self.code_interpreter is not False) + int(self.file_search is not False)
        return MAX_TOOLS

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
    for name in SIZES:
        value = values.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            return f"{caller} got {name}={value!r}; expected an integer >= 0."
    shape = Shape(**{key: value for key, value in values.items() if value is not None})
    if shape.max_tools > MAX_TOOLS:
        return (
            f"{caller} got max_tools={shape.max_tools}; a run has at most {MAX_TOOLS} tools (rule "
            f"tools.max_items). Use max_tools <= {MAX_TOOLS}; for bodies with too many tools use "
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


def checked_shape(caller: str, values: Mapping[str, Any]) -> Shape:
    """The Shape for these values, or a ConfigurationError saying why they cannot be met."""
    problem = shape_problem(caller, values)
    if problem is not None:
        raise ConfigurationError(problem)
    return Shape(**{key: value for key, value in values.items() if value is not None})


SHAPE_DEFAULTS: Final[Mapping[str, Any]] = {field.name: field.default for field in dataclasses.fields(Shape)}
"""Every shape keyword and its default, in signature order."""


def shape_keywords(function: F) -> F:
    """Show Shape's fields as keyword-only parameters of `function` (which takes them in `**kwargs`).

    help(), IDEs and `inspect.signature` then list the nine keywords, while the list itself is
    written once, in `Shape`.
    """
    signature = inspect.signature(function)
    params = list(signature.parameters.values())
    at = next((i for i, p in enumerate(params) if p.kind is inspect.Parameter.VAR_KEYWORD), len(params))
    added = [
        inspect.Parameter(
            field.name, inspect.Parameter.KEYWORD_ONLY, default=field.default, annotation=field.type
        )
        for field in dataclasses.fields(Shape)
    ]
    function.__signature__ = signature.replace(parameters=[*params[:at], *added, *params[at:]])  # type: ignore[attr-defined]
    return function


def split_shape(keywords: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The shape keywords among `keywords`, and the rest (overrides), each in the order given."""
    shape = {key: value for key, value in keywords.items() if key in SHAPE_DEFAULTS}
    rest = {key: value for key, value in keywords.items() if key not in SHAPE_DEFAULTS}
    return shape, rest


def unknown_keyword_problem(caller: str, names: Sequence[str]) -> str | None:
    """Why keywords other than the shape's cannot be used (a whole error message), or None."""
    for name in names:
        if name not in SHAPE_DEFAULTS:
            close = difflib.get_close_matches(name, list(SHAPE_DEFAULTS), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            return (
                f"{caller} got an unexpected keyword {name!r}; expected one of "
                f"{', '.join(SHAPE_DEFAULTS)}.{hint}"
            )
    return None


# --- after overrides: does the body still meet the shape? ------------------------------------------


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


def shown(overrides: Mapping[str, Any], names: Sequence[str]) -> str:
    """`name=value` for each override, values cut to 40 characters, for error messages."""
    shown = []
    for name in names:
        text = repr(overrides[name])
        shown.append(f"{name}={text if len(text) <= 40 else text[:39] + '…'}")
    return ", ".join(shown)


def check_conflicts(caller: str, shape: Shape, body: Mapping[str, Any], overrides: Mapping[str, Any]) -> None:
    """Raise if an override undid what a trait or size bound promised."""
    for trait, check in _TRAIT_CHECKS.items():
        wanted = getattr(shape, trait)
        if wanted is None or (check.complete(body) if wanted else not check.trace(body)):
            continue
        culprits = [name for name in overrides if name.split("__")[0] in check.keys]
        plural = len(culprits) > 1
        listed = shown(overrides, culprits)
        raise ConfigurationError(
            f"{caller} got {trait}={wanted}, but the override{'s' if plural else ''} {listed} "
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
                f"{'s' if plural else ''} {shown(overrides, culprits)} give{'' if plural else 's'} "
                f"{count} {what[:-1] if count == 1 else what}. Drop the override, or the bounds."
            )
