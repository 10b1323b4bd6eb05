"""A strict pydantic model for any endpoint declared as data: the body's keys, checked by every rule.

`request_model(endpoint, name)` makes a model whose fields are the body's top-level keys (values stay
plain JSON, exactly as sent) and which runs `endpoint.check` on the raw body before pydantic sees a
field. A broken rule raises pydantic's `ValidationError` whose error `type` is the first rule id and
whose `ctx["violations"]` lists them all (`rule_ids_for` reads them back).
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError, create_model, model_validator
from pydantic_core import PydanticCustomError

from runreplay.models._endpoint import Endpoint
from runreplay.models._schema_rules import Violation

__all__ = ["EndpointModel", "request_model", "rule_ids_for", "violations_error"]


def violations_error(endpoint: Endpoint, violations: list[Violation]) -> PydanticCustomError:
    """A pydantic error that names the first rule and carries every violation in its ctx."""
    shown = "; ".join(str(v) for v in violations[:5])
    more = f" (and {len(violations) - 5} more)" if len(violations) > 5 else ""
    return PydanticCustomError(
        violations[0].rule,
        "{count} rule(s) of " + endpoint.name + " broken: {shown}{more}",
        {
            "count": len(violations),
            "shown": shown,
            "more": more,
            "violations": [(v.rule, v.path, v.message) for v in violations],
        },
    )


def rule_ids_for(error: ValidationError) -> list[tuple[str, str]]:
    """The (rule id, JSON path) pairs a validation error of such a model reports."""
    found: list[tuple[str, str]] = []
    for detail in error.errors():
        ctx = detail.get("ctx") or {}
        for rule_id, path, _ in ctx.get("violations", ()):
            found.append((rule_id, path))
    return found


class EndpointModel(BaseModel):
    """The base of `request_model`'s models: strict, closed, and every rule of `_endpoint` run first."""

    model_config = ConfigDict(extra="forbid", strict=True, validate_default=False)
    _endpoint: ClassVar[Endpoint]

    @model_validator(mode="before")
    @classmethod
    def _check_rules(cls, data: Any) -> Any:
        """Run every schema and prose rule on the raw body before pydantic sees a field."""
        violations = cls._endpoint.check(data)
        if violations:
            raise violations_error(cls._endpoint, violations)
        return data


def request_model(endpoint: Endpoint, name: str) -> type[EndpointModel]:
    """A strict model of the endpoint's request body, named `name`, that enforces every rule."""
    root = endpoint.compiled.root.resolved()
    keys = dict.fromkeys([*root.properties, *sorted(root.known_keys())])  # the schema's order first
    fields: dict[str, Any] = dict.fromkeys(keys, (Any, None))
    model = create_model(
        name, __base__=EndpointModel, __doc__=f"The `{endpoint.name}` request body.", **fields
    )
    model._endpoint = endpoint
    return model
