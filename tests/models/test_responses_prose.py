"""Tests of `runreplay.models._responses_prose`: each prose rule of POST /v1/responses, alone."""

from __future__ import annotations

from typing import Any

import pytest

from runreplay.models._responses_prose import PROSE_RULES, check_prose

FUNCTION = {"type": "function", "name": "get_weather", "parameters": {"type": "object"}}
SEARCH = {"type": "file_search", "vector_store_ids": ["vs_1"]}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"metadata": {f"k{i}": "v" for i in range(17)}},
            "$.metadata: [metadata.max_pairs] expected at most 16 pairs, got 17",
        ),
        (
            {"metadata": {"k" * 65: "v"}},
            "$.metadata: [metadata.key_length] expected keys of at most 64 characters, got 65",
        ),
        (
            {"metadata": {"note": "v" * 513}},
            "$.metadata.note: [metadata.value_length] expected at most 512 characters, got 513",
        ),
        (
            {"previous_response_id": "resp_1", "conversation": "conv_1"},
            "$.previous_response_id: [previous_response_id.conversation] previous_response_id cannot be used "
            "together with conversation; send one of them",
        ),
        (
            {"text": {"format": {"type": "json_schema", "name": "bad name", "schema": {}}}},
            "$.text.format.name: [text.format.name.pattern] expected 1 to 64 of a-z, A-Z, 0-9, '_' and '-', got 'bad name'",
        ),
        (
            {"tools": [{**FUNCTION, "name": "x" * 65}]},
            "$.tools[0].name: [function.name.pattern] expected 1 to 64 of a-z, A-Z, 0-9, '_' and '-', got "
            + "'"
            + "x" * 58
            + "…",
        ),
        (
            {"tools": [FUNCTION, {**SEARCH, "max_num_results": 51}]},
            "$.tools[1].max_num_results: [file_search.max_num_results.range] expected 1 to 50, got 51",
        ),
        (
            {"tools": [{**SEARCH, "ranking_options": {"score_threshold": 1.5}}]},
            "$.tools[0].ranking_options.score_threshold: [file_search.ranking_options.score_threshold.range] "
            "expected 0 to 1, got 1.5",
        ),
        (
            {"tools": [{"type": "mcp", "server_label": "docs"}]},
            "$.tools[0]: [mcp.server.required] expected one of server_url, connector_id or tunnel_id",
        ),
        (
            {"input": [{"type": "compaction_trigger"}, {"role": "user", "content": "Hi"}]},
            "$.input[0]: [input.compaction_trigger.last] a compaction_trigger item must be the final input item; "
            "it is item 0 of 2",
        ),
    ],
)
def test_each_prose_rule_reports_itself_alone_at_its_path(body: dict[str, Any], expected: str) -> None:
    assert [str(v) for v in check_prose(body)] == [expected]


@pytest.mark.parametrize(
    "body",
    [
        {"metadata": "not an object"},
        {"tools": [{**SEARCH, "max_num_results": "51"}, {**SEARCH, "max_num_results": True}]},
        {"tools": [{**SEARCH, "ranking_options": {"score_threshold": "high"}}]},
        {"tools": "not a list", "input": "not a list", "text": {"format": "json"}},
        {"tools": [{**FUNCTION, "name": 7}]},
    ],
)
def test_values_of_the_wrong_type_are_left_to_the_schema_rules(body: dict[str, Any]) -> None:
    assert check_prose(body) == []


def test_every_prose_rule_quotes_the_spec_and_has_a_case_above() -> None:
    assert len(PROSE_RULES) == 10
    for entry in PROSE_RULES:
        assert entry.origin == "prose"
        assert entry.source.startswith("create_response_request.schema.json#/$defs/"), entry.id
        assert entry.source.endswith('"'), entry.id
