"""docs/architecture.md: its endpoint example runs and derives the rules the page says it does."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

DOC = (Path(__file__).resolve().parent.parent / "docs" / "architecture.md").read_text(encoding="utf-8")


def test_the_endpoint_example_derives_the_rules_it_lists() -> None:
    schema = json.loads(re.findall(r"```json\n(.*?)```", DOC, re.S)[0])
    module = next(block for block in re.findall(r"```python\n(.*?)```", DOC, re.S) if "SUBJECTS" in block)
    loader = 'json.loads(resources.files("runreplay.models").joinpath("schemas", SCHEMA_FILE).read_text())'
    assert loader in module
    namespace: dict[str, Any] = {"VENDORED": schema}
    exec(module.replace(loader, "VENDORED"), namespace)
    listed = re.search(r"RULE_LIST = .*\n((?:# .*\n)+)", module)
    assert listed is not None
    said = [
        name.strip() for line in listed.group(1).splitlines() for name in line[2:].split(",") if name.strip()
    ]
    assert [entry.id for entry in namespace["RULE_LIST"]] == said


def test_the_page_is_linked_from_the_readme() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert "[docs/architecture.md](docs/architecture.md)" in readme


def test_the_endpoint_declared_as_data_has_the_rules_and_cases_the_page_says() -> None:
    from runreplay.factories._schema_bodies import build_body
    from runreplay.factories._schema_cases import catalog

    schema = json.loads(re.findall(r"```json\n(.*?)```", DOC, re.S)[0])
    module = next(
        block for block in re.findall(r"```python\n(.*?)```", DOC, re.S) if "ORDERS = Endpoint(" in block
    )
    assert "schema=vendored_schema(SCHEMA_FILE)," in module
    namespace: dict[str, Any] = {"VENDORED": schema}
    exec(module.replace("schema=vendored_schema(SCHEMA_FILE),", "schema=VENDORED,"), namespace)
    orders = namespace["ORDERS"]
    listed = re.search(r"# ORDERS.rules: (.*\n(?:# .*\n)*)", module)
    assert listed is not None
    said = [name.strip() for name in listed.group(1).replace("#", "").split(",")]
    assert list(orders.rules) == said
    cases = catalog(orders)
    assert cases.uncovered == []
    assert sorted(case.rule for case in cases.invalid) == sorted(set(said) - {"sku.pattern"})
    maximum = next(case for case in cases.invalid if case.id == "orders.quantity.maximum.just_above_max")
    assert f"is `{json.dumps(maximum.body)}`" in DOC
    assert [(v.rule, v.path) for v in orders.check({"sku": "a"})] == [("sku.pattern", "$.sku")]
    assert orders.check(build_body(orders, seed=7)) == []


def test_the_endpoint_kit_example_builds_what_the_page_says() -> None:
    """The factories block runs on the page's endpoint, and its functions answer as the text after it says."""
    from hypothesis import given, settings

    from runreplay.errors import ConfigurationError

    schema = json.loads(re.findall(r"```json\n(.*?)```", DOC, re.S)[0])
    blocks = re.findall(r"```python\n(.*?)```", DOC, re.S)
    models = next(block for block in blocks if "ORDERS = Endpoint(" in block)
    factories = next(block for block in blocks if "KIT = EndpointKit(ORDERS" in block)
    namespace: dict[str, Any] = {"VENDORED": schema}
    exec(models.replace("schema=vendored_schema(SCHEMA_FILE),", "schema=VENDORED,"), namespace)
    exec(factories, namespace)
    build_request, kit, drawing = namespace["build_request"], namespace["KIT"], namespace["DRAWING"]
    order = build_request(seed=7, quantity=5)
    assert order.model_dump(mode="json", exclude_unset=True)["quantity"] == 5
    assert namespace["ORDERS"].check(order.model_dump(mode="json", exclude_unset=True)) == []
    with pytest.raises(ConfigurationError) as raised:
        build_request(quantity=100)
    assert "quantity.maximum at $.quantity" in str(raised.value)
    assert all(case.valid for case in namespace["edge_cases"](kit))
    invalid = namespace["invalid_cases"](kit)
    assert invalid
    assert all(not case.valid and namespace["ORDERS"].check(case.body) for case in invalid)

    @settings(max_examples=20, database=None)
    @given(body=namespace["bodies_of"](drawing), case=namespace["invalid_requests_of"](drawing))
    def drawn(body: dict[str, Any], case: Any) -> None:
        assert namespace["ORDERS"].check(body) == []
        assert namespace["ORDERS"].check(case.body) != []

    drawn()
