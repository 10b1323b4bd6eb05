"""`CreateResponseRequest` against the vendored JSON Schema (jsonschema, draft 2020-12).

The reference validator reads the schema with `oneOf` as `anyOf`: the spec's `oneOf` branches overlap
(an `EasyInputMessage` with a content list is also an `InputMessage`), so a literal `oneOf` rejects the
typed messages the official SDK sends; OpenAPI's `discriminator` is what picks the branch. The test
below pins that reading (`test_literal_one_of_rejects_what_the_sdk_sends`).

* Every rule with a limit is tried at the limit (model and schema accept) and just past it (rejected).
* Every invalid case breaks exactly one rule at its path (model), and the schema rejects it exactly
  when the rule is a schema rule; prose rules and the house rule "closed objects" are stricter.
* Every edge case passes both. Factories are 100% valid for the schema (property test).
* Model and schema agree on mutated bodies: the model is never looser than the schema.
* The rules no single-value body can isolate belong to named kinds, each explained.
"""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from runreplay.factories import responses as factories
from runreplay.models import responses
from runreplay.strategies import responses_bodies

REFERENCE = Path(__file__).resolve().parent / "data" / "reference"
RAW = json.loads((REFERENCE / "create_response_request.schema.json").read_text())


def _any_of(value: Any) -> Any:
    if isinstance(value, dict):
        return {("anyOf" if key == "oneOf" else key): _any_of(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_any_of(item) for item in value]
    return value


SCHEMA = Draft202012Validator(_any_of(RAW))
EDGE = factories.edge_cases()
INVALID = factories.invalid_cases()
BOUNDED = sorted(r.id for r in responses.RULES.values() if "limit" in r.limits or "maximum" in r.limits)


def test_literal_one_of_rejects_what_the_sdk_sends() -> None:
    body = {
        "model": "gpt-4o",
        "input": [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}],
    }
    assert not Draft202012Validator(RAW).is_valid(body)
    assert SCHEMA.is_valid(body)
    assert responses.check(body) == []


@pytest.mark.parametrize("case", INVALID, ids=lambda case: case.id)
def test_each_invalid_case_breaks_exactly_its_rule(case: Any) -> None:
    found = [(v.rule, v.path) for v in responses.check(case.body)]
    assert found == [(case.rule, case.path)]
    assert SCHEMA.is_valid(case.body) is (responses.RULES[case.rule].origin != "schema")


def test_edge_cases_pass_model_and_schema() -> None:
    for case in EDGE:
        assert responses.check(case.body) == [], case
        assert SCHEMA.is_valid(case.body), case


def test_every_bounded_rule_is_tried_at_and_just_past_its_limit() -> None:
    edge_rules = {case.rule for case in EDGE}
    invalid_rules = {case.rule for case in INVALID}
    assert len(BOUNDED) > 50
    missing = [rule for rule in BOUNDED if rule not in edge_rules or rule not in invalid_rules]
    # minLength 1 beside the pattern ^[a-zA-Z0-9_-]+$: the empty string just past the limit breaks both.
    assert missing == [
        "FunctionCallOutputItemParam.namespace.min_length",
        "FunctionToolParam.name.min_length",
    ]
    for rule_id in missing:
        assert responses.RULES[rule_id].limits == {"limit": 1}


def test_case_ids_are_unique_and_apart_from_thread_and_run() -> None:
    from runreplay.factories import edge_cases, invalid_cases

    ids = [case.id for case in EDGE + INVALID]
    assert len(ids) == len(set(ids))
    assert all(case_id.startswith("responses.") for case_id in ids)
    assert not {case.id for case in edge_cases() + invalid_cases()} & set(ids)


def _branch_defs() -> tuple[set[str], set[tuple[str, str]]]:
    """Defs reached as union branches, and (def, tag property) pairs of tagged branches."""
    branches: set[str] = set()
    tagged: set[tuple[str, str]] = set()
    for node in responses.schema_rules().nodes():
        for branch in node.branches:
            branches.add(branch.resolved().name)
        if node.tag and node.tag != "\0null":
            for options in node.tags.values():
                tagged.update((option.resolved().name, node.tag) for option in options)
    return branches, tagged


# Input items of type "message" that EasyInputMessage also accepts, other items that share a tag, and
# the parts of an assistant OutputMessage (reached only through it).
OVERLAPPING = {
    "InputMessage",
    "OutputMessage",
    "LocalShellToolCallOutput",
    "MCPApprovalResponse",
    "Item",
    "ItemReferenceParam",
    "OutputMessageContent",
    "OutputTextContent",
    "RefusalContent",
    "Annotation",
    "FileCitationBody",
    "ContainerFileCitationBody",
    "UrlCitationBody",
    "FilePath",
    "LogProb",
    "TopLogProb",
}


def test_every_rule_no_body_can_isolate_is_of_an_explained_kind() -> None:
    """Kinds: (1) a union branch's own type and its tag property's type/enum/required: the union's type and
    tag rules fire first; (2) an enum beside a free string in a union (`gpt-4o` or a known name); (3) rules
    of branches that overlap another branch (the best-fitting branch is reported); (4) a min_length of 1
    beside a pattern that needs one character; (5) keys of a map (propertyNames); (6) see below.
    Constraints the checker can never report at all are not rules: they are in `shadowed`."""
    branches, tagged = _branch_defs()
    unexplained = []
    covered = {case.rule for case in INVALID}
    for rule_id in sorted(set(responses.RULES) - covered):
        head, _, last = rule_id.rpartition(".")
        owner, _, prop = head.rpartition(".")
        if (last == "type" and head in branches) or (
            last in ("type", "enum", "required") and (owner, prop) in tagged
        ):
            continue
        if "~" in rule_id and last == "enum":
            continue
        if head.split(".")[0] in OVERLAPPING:
            continue
        if last == "min_length" or "<key>" in rule_id:
            continue
        if f"{rule_id}@CreateModelResponseProperties" in responses.RULES:
            continue  # (6) a nullable duplicate of a stricter rule in another allOf part
        unexplained.append(rule_id)
    assert len(covered) > 900
    assert unexplained == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(responses_bodies())
def test_factory_bodies_are_valid_for_the_schema_and_the_model(body: dict[str, Any]) -> None:
    assert SCHEMA.is_valid(body)
    assert responses.check(body) == []


def test_a_thousand_seeded_builds_are_valid_for_the_schema() -> None:
    for seed in range(1000):
        body = factories.build_request(seed=seed).model_dump(mode="json", exclude_unset=True)
        assert SCHEMA.is_valid(body), seed


_MUTANTS = st.sampled_from(
    [None, True, -1, 0, 3, 2.5, 10**6, "", "x", "not valid!", [], {}, [1], {"type": "nope"}]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32), st.data())
def test_the_model_is_never_looser_than_the_schema(seed: int, data: st.DataObject) -> None:
    body = factories.generate(factories.RandomChoices(random.Random(seed)))
    mutated = copy.deepcopy(body)
    holder: Any = mutated
    for _ in range(data.draw(st.integers(0, 3))):
        keys = (
            list(holder)
            if isinstance(holder, dict)
            else list(range(len(holder)))
            if isinstance(holder, list)
            else []
        )
        if not keys:
            break
        key = data.draw(st.sampled_from(keys))
        if not isinstance(holder[key], dict | list) or data.draw(st.booleans()):
            holder[key] = data.draw(_MUTANTS)
            break
        holder = holder[key]
    found = responses.check(mutated)
    assert {v.rule for v in found} <= set(responses.RULES)
    if not SCHEMA.is_valid(mutated):
        assert found, mutated
    if not found:
        assert SCHEMA.is_valid(mutated)


def test_the_model_accepts_every_edge_case_unchanged_and_names_the_rule_of_every_invalid_one() -> None:
    for case in EDGE:
        request = responses.CreateResponseRequest.model_validate(case.body)
        assert request.model_dump(mode="json", exclude_unset=True) == case.body, case
    for case in INVALID:
        with pytest.raises(ValidationError) as caught:
            responses.CreateResponseRequest.model_validate(case.body)
        assert responses.rule_ids_for(caught.value) == [(case.rule, case.path)], case
