"""The fake server's request checks: each failure is an `ApiError` answered with the API's 400 envelope."""

from __future__ import annotations

from typing import Any, cast

from runreplay import _fakeserver_payloads as payloads
from runreplay._json_type import json_type
from runreplay.errors import RunreplayError

__all__ = ["ApiError", "precheck", "submit_outputs", "validate_with_model"]


class ApiError(RunreplayError):
    """Raised by a route to answer with the API's error envelope."""

    def __init__(
        self, status: int, message: str, *, param: str | None = None, type_: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.param = param
        self.type = type_ or "invalid_request_error"


def precheck(body: Any) -> None:
    """The basic shape checks that run with or without the request models."""
    if not isinstance(body, dict):
        raise ApiError(400, f"Invalid type for body: expected an object, but got {json_type(body)} instead.")
    if "assistant_id" not in body:
        raise ApiError(400, "Missing required parameter: 'assistant_id'.", param="assistant_id")
    expected = {
        "assistant_id": (str, "a string"),
        "stream": (bool, "a boolean"),
        "thread": (dict, "an object"),
        "tools": (list, "an array"),
    }
    for name, (kind, label) in expected.items():
        value = body.get(name)
        if value is not None and not isinstance(value, kind):
            got = json_type(value)
            raise ApiError(
                400, f"Invalid type for '{name}': expected {label}, but got {got} instead.", param=name
            )
    messages = (body.get("thread") or {}).get("messages")
    if messages is not None and not isinstance(messages, list):
        got = json_type(messages)
        message = f"Invalid type for 'thread.messages': expected an array, but got {got} instead."
        raise ApiError(400, message, param="thread.messages")


def validate_with_model(body: dict[str, Any]) -> None:
    """Validate against the request models, turning the first pydantic error into the API's 400.

    The models are imported here, not at module level, so starting a server stays cheap.
    """
    import pydantic

    from runreplay.models import CreateThreadAndRunRequest
    from runreplay.models.rules import json_path

    try:
        CreateThreadAndRunRequest.model_validate(body)
    except pydantic.ValidationError as exc:
        error = exc.errors()[0]
        param = json_path(error["loc"]).removeprefix("$").removeprefix(".") or None
        if error["type"] == "missing":
            message = f"Missing required parameter: '{param}'."
        elif error["type"] == "extra_forbidden":
            message = f"Unrecognized request argument supplied: {param}"
        else:
            detail = error["msg"].rstrip(".")
            message = f"Invalid value for '{param}': {detail}." if param else f"{detail}."
        raise ApiError(400, message, param=param) from None


def submit_outputs(body: Any, run: payloads.RunState) -> str:
    """Check a SubmitToolOutputsRunRequest against the pending call; return the output it carries."""
    if not isinstance(body, dict):
        raise ApiError(400, f"Invalid type for body: expected an object, but got {json_type(body)} instead.")
    unknown = sorted(set(body) - {"tool_outputs", "stream"})
    if unknown:
        raise ApiError(400, f"Unrecognized request argument supplied: {unknown[0]}", param=unknown[0])
    outputs = body.get("tool_outputs")
    if not isinstance(outputs, list):
        if outputs is None:
            raise ApiError(400, "Missing required parameter: 'tool_outputs'.", param="tool_outputs")
        kind = json_type(outputs)
        message = f"Invalid type for 'tool_outputs': expected an array, but got {kind} instead."
        raise ApiError(400, message, param="tool_outputs")
    for number, item in enumerate(outputs):
        for key in ("tool_call_id", "output"):
            value = item.get(key) if isinstance(item, dict) else None
            if not isinstance(value, str):
                param = f"tool_outputs[{number}].{key}"
                raise ApiError(400, f"Invalid type for '{param}': expected a string.", param=param)
    if run.status != "requires_action" or run.tool_call is None:
        raise ApiError(400, f'Runs in status "{run.status}" do not accept tool outputs.')
    pending, given = [run.tool_call.id], [item["tool_call_id"] for item in outputs]
    if given != pending:
        message = f"Expected tool outputs for call_ids {pending}, got {given}"
        raise ApiError(400, message, param="tool_outputs")
    return cast(str, outputs[0]["output"])
