"""Tests of `runreplay.errors`: one error tree for every error the package raises on purpose."""

from __future__ import annotations

import ast
import builtins
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from hypothesis.errors import InvalidArgument

import runreplay
from runreplay import strategies
from runreplay._cli.paths import CommandError, cassette_files
from runreplay.errors import (
    ConfigurationError,
    RuleLookupError,
    RunreplayError,
    ServerStateError,
    UnknownRuleError,
)
from runreplay.fakeserver import FakeAssistantsServer
from runreplay.models import rule
from runreplay.sse import Event, encode

SRC = Path(runreplay.__file__).parent

ALLOWED_BUILTIN_RAISES: dict[tuple[str, str], str] = {
    # Protocols that want their own exception types.
    (
        "_pytest_options.py",
        "ArgumentTypeError",
    ): "argparse turns it into a usage message for a bad option value",
    ("recording/_pytest_support.py", "UsageError"): "a bad ini or command-line setting, once at start-up",
    ("fakeserver.py", "SystemExit"): "the `python -m runreplay.fakeserver` entry point's exit status",
    # A bad argument, as the standard library would raise it.
    ("cassette/_dump.py", "ValueError"): "save() of a time that is NaN or infinite, like json.dumps",
    # Internal checks that only fire on a bug in runreplay.
    ("cassette/_journal.py", "ValueError"): "a run id with spaces, which only runreplay's own callers pass",
    ("serve/_sessions.py", "IndexError"): "a position outside every served cassette, a bug in runreplay",
    # Documented deviation (see the README): a missing cassette file is FileNotFoundError.
    ("cassette/_load.py", "FileNotFoundError"): "load(path) of a missing file, like open()",
    # Self-checks of the package's own tables: they fire only on a bug in runreplay, at import.
    ("models/_registry.py", "RuntimeError"): "duplicate rule id in the registry",
    ("factories/edge.py", "RuntimeError"): "duplicate edge case id",
    ("factories/invalid.py", "RuntimeError"): "duplicate invalid case id",
    ("factories/invalid.py", "AssertionError"): "a rule kind the catalog does not handle",
    ("factories/_case.py", "ValueError"): "a malformed path pattern in the registry",
    ("factories/_case.py", "LookupError"): "a registry path that no anchor body reaches",
    ("factories/_schema_cases.py", "RecursionError"): "a vendored schema with no finite example",
    ("models/_schema_rules.py", "AssertionError"): "a check that fails without a rule to name",
    ("models/_schema_rules.py", "ValueError"): "a vendored schema with a $ref outside #/$defs",
}
"""Every raise of a non-runreplay exception in src/, and why it is not a RunreplayError."""


def _modules() -> list[str]:
    return sorted(info.name for info in pkgutil.walk_packages(runreplay.__path__, "runreplay."))


def test_every_exception_class_the_package_defines_derives_from_runreplay_error() -> None:
    defined = []
    for name in _modules():
        module = importlib.import_module(name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, BaseException) and value.__module__ == name:
                defined.append(value)
    outside = [
        f"{cls.__module__}.{cls.__qualname__}" for cls in defined if not issubclass(cls, RunreplayError)
    ]
    assert outside == []
    names = {cls.__qualname__ for cls in defined}
    assert {
        "CommandError",
        "ApiError",
        "BadRequestBody",
        "EventDataError",
        "InvalidStrategyArgument",
    } <= names


def _raised_names(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None:
            target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(target, ast.Name | ast.Attribute):
                found.append(target.id if isinstance(target, ast.Name) else target.attr)
    return found


def test_every_raise_of_a_builtin_or_foreign_exception_is_listed_with_its_reason() -> None:
    foreign = {"ArgumentTypeError", "UsageError"}
    found = set()
    for path in sorted(SRC.rglob("*.py")):
        for name in _raised_names(ast.parse(path.read_text(encoding="utf-8"))):
            builtin = getattr(builtins, name, None)
            if name in foreign or (inspect.isclass(builtin) and issubclass(builtin, BaseException)):
                found.add((path.relative_to(SRC).as_posix(), name))
    assert sorted(found) == sorted(ALLOWED_BUILTIN_RAISES)


def test_the_new_subclasses_keep_the_builtin_bases_callers_may_catch() -> None:
    assert issubclass(UnknownRuleError, KeyError)
    assert issubclass(UnknownRuleError, RuleLookupError)
    assert issubclass(RuleLookupError, LookupError)
    assert issubclass(ServerStateError, RuntimeError)
    assert issubclass(strategies.InvalidStrategyArgument, InvalidArgument)
    assert issubclass(strategies.InvalidStrategyArgument, ConfigurationError)


def test_an_unknown_rule_id_raises_unknown_rule_error() -> None:
    with pytest.raises(UnknownRuleError) as caught:
        rule("top_p.max")
    assert caught.value.args[0] == (
        "unknown rule id 'top_p.max'; expected one of runreplay.models.RULES, "
        "for example top_p.json_type, top_p.range"
    )


def test_a_server_used_before_start_raises_server_state_error() -> None:
    with pytest.raises(ServerStateError) as caught:
        _ = FakeAssistantsServer().port
    assert str(caught.value) == "FakeAssistantsServer is not started; use `with` or call start() first"


def test_an_event_that_cannot_be_encoded_raises_configuration_error() -> None:
    with pytest.raises(ConfigurationError) as caught:
        encode([Event(data="x", event="two\nlines")])
    assert str(caught.value) == (
        "cannot encode event name 'two\\nlines': an SSE event name must be non-empty and on one line "
        '(no "\\r" or "\\n"); use "message" for the default type.'
    )


def test_a_bad_strategy_argument_raises_runreplay_and_hypothesis_errors() -> None:
    with pytest.raises(ConfigurationError) as caught:
        strategies.invalid_requests(rules="temperature.range")
    assert isinstance(caught.value, InvalidArgument)
    assert str(caught.value) == (
        "invalid_requests() got rules='temperature.range', a single string; expected an iterable of rule "
        "ids. Pass rules=['temperature.range']."
    )


def test_a_cli_usage_problem_is_a_runreplay_error(tmp_path: Path) -> None:
    with pytest.raises(RunreplayError) as caught:
        cassette_files("audit", [str(tmp_path)])
    assert isinstance(caught.value, CommandError)
