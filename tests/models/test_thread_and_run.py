"""Tests of `runreplay.models._thread_and_run`: the endpoint as data, derived from its vendored schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import runreplay.models
from runreplay.factories import edge_cases, invalid_cases
from runreplay.models import RULES
from runreplay.models._thread_and_run import ENDPOINT, PROSE, RENAMED, SCHEMA, SCHEMA_FILE, SUBJECTS

TESTS = Path(__file__).resolve().parent.parent
PACKAGE_COPY = Path(runreplay.models.__file__).parent / "schemas" / SCHEMA_FILE
REFERENCE_COPY = TESTS / "data" / "reference" / SCHEMA_FILE
BEFORE = json.loads((TESTS / "data" / "thread_and_run_rules.json").read_text(encoding="utf-8"))
"""The registry as it was written by hand before the derivation (ids, kinds, paths, limits)."""


def _thaw(value: Any) -> Any:
    if hasattr(value, "items"):
        return {key: _thaw(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [_thaw(item) for item in value]
    return value


def test_the_package_copy_of_the_schema_is_the_reference_copy_byte_for_byte() -> None:
    assert PACKAGE_COPY.read_bytes() == REFERENCE_COPY.read_bytes()
    assert json.loads(REFERENCE_COPY.read_text(encoding="utf-8")) == SCHEMA


def test_the_derived_registry_is_the_hand_written_one_rule_for_rule() -> None:
    now = [
        {
            "id": entry.id,
            "kind": entry.kind,
            "paths": list(entry.paths),
            "limits": _thaw(entry.limits),
            "origin": entry.origin,
            "json_schema": _thaw(entry.json_schema) if entry.json_schema is not None else None,
        }
        for entry in sorted(RULES.values(), key=lambda entry: entry.id)
    ]
    assert now == BEFORE


def test_every_schema_rule_cites_the_vendored_schema_and_no_file_outside_the_repository() -> None:
    for entry in RULES.values():
        assert "research/" not in entry.source, entry.id
        assert all(part.startswith(f"{SCHEMA_FILE}#/") for part in entry.source.split("; ")), entry.id


def test_the_tables_are_small_and_every_name_is_used() -> None:
    assert len(PROSE) == 8
    assert len(RENAMED) == 2
    named = {path for paths in SUBJECTS.values() for path in paths}
    used = {path for entry in RULES.values() if entry.origin == "schema" for path in entry.paths}
    assert named == used


def test_the_one_schema_compiler_agrees_with_the_models_on_every_catalog_case() -> None:
    """The compiled schema (`ENDPOINT.check`, plain JSON Schema: no house closing) judges as the models do.

    Two differences are the compiler's on purpose: it reads `oneOf` as `anyOf` (so a body with both of
    an exactly-one pair passes), and an integral float such as 8.0 is not an `integer` to it.
    """
    compiled = ENDPOINT.compiled
    edge_failing = [case.id for case in edge_cases() if compiled.check(case.body, house=False)]
    assert all(case_id.endswith(".json_type.integral_float") for case_id in edge_failing), edge_failing
    schema_invalid = [case for case in invalid_cases() if RULES[case.rule].origin == "schema"]
    passing = [case.id for case in schema_invalid if not compiled.check(case.body, house=False)]
    assert passing == ["thread.file_search.exactly_one.both"]
