"""Factory benchmarks, side by side with polyfactory and hypothesis in the same run (pytest-benchmark).

    .venv/bin/python -m pytest benchmarks/bench_factories.py -p no:randomly
    .venv/bin/python benchmarks/bench_factories.py     # the same table with plain timers, no pytest

Groups (the ratio table at the end of the run is printed by this module, not benchmarks/conftest.py):

* ``build-1000``: make 1,000 requests and count the valid ones (valid = `CreateThreadAndRunRequest`
  accepts the wire body).
  runreplay: `build_request(seed=i)` (builds, validates, returns the model);
  polyfactory: ``ModelFactory`` for the same `CreateThreadAndRunRequest` (every build raises: its
  bounds and prose rules live in our validators, which polyfactory cannot see), and for
  `CreateThreadAndRunTwin` below, the same shape spelled with the plain pydantic constraints
  polyfactory understands; the twin's dumps are then validated with the real model.
* ``strategy-300``: draw 300 examples through hypothesis's engine (generate phase only, derandomized).
  runreplay: `runreplay.strategies.requests()`; hypothesis: ``st.builds(CreateThreadAndRunRequest)``
  (fills required fields only) and ``st.from_type(CreateThreadAndRunRequest)``.

* ``responses-build-1000`` / ``responses-strategy-300``: the same for `POST /v1/responses`, next to the
  thread-and-run rows: `runreplay.factories.responses.build_request(seed=i)` (valid = no rule of
  `runreplay.models.responses` broken), polyfactory's ``ModelFactory[CreateResponseRequest]``, and
  `runreplay.strategies.responses_requests()`.

Each row reports items/s, the fraction valid, the fraction "non-trivial" (more keys than
`assistant_id`) and the mean JSON size, since speed alone rewards tiny objects.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from polyfactory.factories.pydantic_factory import ModelFactory
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from runreplay.factories import build_request
from runreplay.factories import responses as responses_factories
from runreplay.models import CreateThreadAndRunRequest
from runreplay.models import responses as responses_models
from runreplay.strategies import requests, responses_requests

BUILDS = 1000
EXAMPLES = 300

# --- the polyfactory-friendly twin ----------------------------------------------------------------
# The request's shape in plain pydantic constraints (Field bounds, max_length, pattern), which
# polyfactory reads. What the real model checks in validators (prose limits, not-null optional keys,
# the exactly-one pair, the overlap rule) is approximated: metadata limits as constraints, nulls
# dropped when dumping, `vector_store_ids` made the only (required) branch, the overlap capped at 50.

_Name = Annotated[str, StringConstraints(pattern=r"^[a-zA-Z0-9_-]{1,64}$")]
_Metadata = Annotated[
    dict[Annotated[str, StringConstraints(max_length=64)], Annotated[str, StringConstraints(max_length=512)]],
    Field(max_length=16),
]


class _Twin(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Text(_Twin):
    type: Literal["text"]
    text: str


class _ImageFile(_Twin):
    file_id: str
    detail: Literal["auto", "low", "high"] | None = None


class _ImageFilePart(_Twin):
    type: Literal["image_file"]
    image_file: _ImageFile


class _ImageUrl(_Twin):
    url: str
    detail: Literal["auto", "low", "high"] | None = None


class _ImageUrlPart(_Twin):
    type: Literal["image_url"]
    image_url: _ImageUrl


class _AttachmentTool(_Twin):
    type: Literal["code_interpreter", "file_search"]


class _Attachment(_Twin):
    file_id: str
    tools: list[_AttachmentTool]


class _Message(_Twin):
    role: Literal["user", "assistant"]
    content: (
        str
        | Annotated[
            list[Annotated[_Text | _ImageFilePart | _ImageUrlPart, Field(discriminator="type")]],
            Field(min_length=1),
        ]
    )
    attachments: list[_Attachment] | None = None
    metadata: _Metadata | None = None


class _Files(_Twin):
    file_ids: Annotated[list[str], Field(max_length=20)] | None = None


class _StoreIds(_Twin):
    vector_store_ids: Annotated[list[str], Field(max_length=1)] | None = None


class _ThreadFileSearch(_Twin):
    vector_store_ids: Annotated[list[str], Field(max_length=1)]


class _ThreadResources(_Twin):
    code_interpreter: _Files | None = None
    file_search: _ThreadFileSearch | None = None


class _Thread(_Twin):
    messages: list[_Message] | None = None
    tool_resources: _ThreadResources | None = None
    metadata: _Metadata | None = None


class _Ranking(_Twin):
    ranker: Literal["auto", "default_2024_08_21"] | None = None
    score_threshold: Annotated[float, Field(ge=0, le=1)]


class _FileSearchOptions(_Twin):
    max_num_results: Annotated[int, Field(ge=1, le=50)] | None = None
    ranking_options: _Ranking | None = None


class _CodeTool(_Twin):
    type: Literal["code_interpreter"]


class _FileSearchTool(_Twin):
    type: Literal["file_search"]
    file_search: _FileSearchOptions | None = None


class _Function(_Twin):
    name: _Name
    description: str | None = None
    parameters: dict[str, Any] | None = None
    strict: bool | None = None


class _FunctionTool(_Twin):
    type: Literal["function"]
    function: _Function


class _RunResources(_Twin):
    code_interpreter: _Files | None = None
    file_search: _StoreIds | None = None


class _Truncation(_Twin):
    type: Literal["auto", "last_messages"]
    last_messages: Annotated[int, Field(ge=1)] | None = None


class _NamedFunction(_Twin):
    name: str


class _NamedChoice(_Twin):
    type: Literal["function"]
    function: _NamedFunction


class _TextFormat(_Twin):
    type: Literal["text"]


class _JsonObjectFormat(_Twin):
    type: Literal["json_object"]


class _JsonSchema(_Twin):
    name: _Name
    description: str | None = None
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    strict: bool | None = None


class _JsonSchemaFormat(_Twin):
    type: Literal["json_schema"]
    json_schema: _JsonSchema


class CreateThreadAndRunTwin(_Twin):
    """`CreateThreadAndRunRequest`'s shape, in constraints polyfactory can read."""

    assistant_id: str
    thread: _Thread | None = None
    model: str | None = None
    instructions: str | None = None
    tools: (
        Annotated[
            list[Annotated[_CodeTool | _FileSearchTool | _FunctionTool, Field(discriminator="type")]],
            Field(max_length=20),
        ]
        | None
    ) = None
    tool_resources: _RunResources | None = None
    metadata: _Metadata | None = None
    temperature: Annotated[float, Field(ge=0, le=2)] | None = None
    top_p: Annotated[float, Field(ge=0, le=1)] | None = None
    stream: bool | None = None
    max_prompt_tokens: Annotated[int, Field(ge=256)] | None = None
    max_completion_tokens: Annotated[int, Field(ge=256)] | None = None
    truncation_strategy: _Truncation | None = None
    tool_choice: Literal["none", "auto", "required"] | _NamedChoice | None = None
    parallel_tool_calls: bool | None = None
    response_format: (
        Literal["auto"]
        | Annotated[_TextFormat | _JsonObjectFormat | _JsonSchemaFormat, Field(discriminator="type")]
        | None
    ) = None


class PolyfactoryStrict(ModelFactory[CreateThreadAndRunRequest]):
    """polyfactory on the real, strict model."""

    __model__ = CreateThreadAndRunRequest
    __random_seed__ = 1


class PolyfactoryTwin(ModelFactory[CreateThreadAndRunTwin]):
    """polyfactory on the twin."""

    __model__ = CreateThreadAndRunTwin
    __random_seed__ = 1


# --- what one round does ----------------------------------------------------------------------------


@dataclass
class Tally:
    """What one round made: how many items, valid, non-trivial, and their total JSON size."""

    made: int = 0
    valid: int = 0
    nontrivial: int = 0
    useful: int = 0
    bodies: int = 0
    chars: int = 0
    failure: str = ""

    def add(self, body: dict[str, Any] | None, valid: bool, failure: str = "") -> None:
        self.made += 1
        self.valid += valid
        if body is not None:
            self.bodies += 1
            self.nontrivial += len(body) > 1
            self.useful += valid and len(body) > 1
            self.chars += len(json.dumps(body))
        if failure and not self.failure:
            self.failure = failure


def _valid(body: dict[str, Any]) -> bool:
    try:
        CreateThreadAndRunRequest.model_validate(body)
    except ValidationError:
        return False
    return True


def run_build_request() -> Tally:
    tally = Tally()
    for seed in range(BUILDS):
        tally.add(build_request(seed=seed).model_dump(mode="json", exclude_unset=True), True)
    return tally


def run_responses_build_request() -> Tally:
    tally = Tally()
    for seed in range(BUILDS):
        # build_request validates with CreateResponseRequest (every schema and prose rule), like the row above.
        body = responses_factories.build_request(seed=seed).model_dump(mode="json", exclude_unset=True)
        tally.add(body, True)
    return tally


class PolyfactoryResponses(ModelFactory[responses_models.CreateResponseRequest]):
    """polyfactory on the Responses model (its rules live in the schema-derived validator)."""

    __model__ = responses_models.CreateResponseRequest
    __random_seed__ = 1
    __check_model__ = False


def run_polyfactory_responses() -> Tally:
    tally = Tally()
    for _ in range(BUILDS):
        try:
            body = PolyfactoryResponses.build().model_dump(mode="json", exclude_unset=True)
        except ValidationError as error:
            tally.add(None, False, error.errors()[0]["msg"][:160])
        else:
            tally.add(body, not responses_models.check(body))
    return tally


def run_polyfactory_strict() -> Tally:
    tally = Tally()
    for _ in range(BUILDS):
        try:
            body = PolyfactoryStrict.build().model_dump(mode="json", exclude_unset=True)
        except ValidationError as error:
            tally.add(None, False, error.errors()[0]["msg"])
        else:
            tally.add(body, True)
    return tally


def run_polyfactory_twin() -> Tally:
    tally = Tally()
    for _ in range(BUILDS):
        body = PolyfactoryTwin.build().model_dump(mode="json", by_alias=True, exclude_none=True)
        tally.add(body, _valid(body))
    return tally


def _through_hypothesis(strategy: st.SearchStrategy[Any]) -> Tally:
    tally = Tally()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def draw(data: st.DataObject) -> None:
        try:
            request = data.draw(strategy)
        except ValidationError as error:  # from_type's draws fail validation; count them and go on
            tally.add(None, False, f"ValidationError: {error.errors()[0]['msg']}")
            return
        except Exception as error:
            tally.add(None, False, f"{type(error).__name__}: {str(error).splitlines()[0][:120]}")
            return
        tally.add(request.model_dump(mode="json", exclude_unset=True), True)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        draw()
    return tally


def run_requests_strategy() -> Tally:
    return _through_hypothesis(requests())


def run_responses_strategy() -> Tally:
    return _through_hypothesis(responses_requests())


def run_hypothesis_builds() -> Tally:
    return _through_hypothesis(st.builds(CreateThreadAndRunRequest))


def run_hypothesis_from_type() -> Tally:
    return _through_hypothesis(st.from_type(CreateThreadAndRunRequest))


# (group, tool, what it is, the round, items per round)
CONTENDERS: list[tuple[str, str, str, Callable[[], Tally], int]] = [
    (f"build-{BUILDS}", "runreplay", "build_request(seed=i)", run_build_request, BUILDS),
    (
        f"build-{BUILDS}",
        "polyfactory",
        "ModelFactory[CreateThreadAndRunRequest]",
        run_polyfactory_strict,
        BUILDS,
    ),
    (
        f"build-{BUILDS}",
        "polyfactory-twin",
        "ModelFactory[CreateThreadAndRunTwin]",
        run_polyfactory_twin,
        BUILDS,
    ),
    (f"strategy-{EXAMPLES}", "runreplay", "strategies.requests()", run_requests_strategy, EXAMPLES),
    (
        f"strategy-{EXAMPLES}",
        "hypothesis-builds",
        "st.builds(CreateThreadAndRunRequest)",
        run_hypothesis_builds,
        EXAMPLES,
    ),
    (
        f"strategy-{EXAMPLES}",
        "hypothesis-from_type",
        "st.from_type(CreateThreadAndRunRequest)",
        run_hypothesis_from_type,
        EXAMPLES,
    ),
    (
        f"responses-build-{BUILDS}",
        "runreplay",
        "responses.build_request(seed=i)",
        run_responses_build_request,
        BUILDS,
    ),
    (
        f"responses-build-{BUILDS}",
        "polyfactory",
        "ModelFactory[CreateResponseRequest]",
        run_polyfactory_responses,
        BUILDS,
    ),
    (
        f"responses-strategy-{EXAMPLES}",
        "runreplay",
        "strategies.responses_requests()",
        run_responses_strategy,
        EXAMPLES,
    ),
]

# --- the ratio table ----------------------------------------------------------------------------------


@dataclass
class Row:
    group: str
    tool: str
    what: str
    seconds: float
    tally: Tally
    count: int

    @property
    def per_second(self) -> float:
        return self.count / self.seconds

    @property
    def valid_per_second(self) -> float:
        return self.tally.valid / self.tally.made * self.per_second

    @property
    def useful_per_second(self) -> float:
        return self.tally.useful / self.tally.made * self.per_second


ROWS: dict[tuple[str, str], Row] = {}


def _ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.1f}×" if theirs else "∞"


def table() -> Iterator[str]:
    """Items/s, validity, non-triviality, size, and runreplay's valid/s and useful/s over each anchor's.

    Useful = valid and non-trivial (more keys than `assistant_id`).
    """
    yield (
        f"{'group':<24} {'tool':<21} {'items/s':>8} {'valid':>6} {'non-triv':>8} {'mean JSON':>9} "
        f"{'valid/s':>8} {'useful/s':>8} {'× valid/s':>10} {'× useful/s':>10}"
    )
    for (group, tool), row in ROWS.items():
        ours = ROWS.get((group, "runreplay"))
        tally = row.tally
        by_valid = by_useful = "—"
        if ours is not None and tool != "runreplay":
            by_valid = _ratio(ours.valid_per_second, row.valid_per_second)
            by_useful = _ratio(ours.useful_per_second, row.useful_per_second)
        mean = f"{tally.chars / tally.bodies:.0f}" if tally.bodies else "—"
        yield (
            f"{group:<24} {tool:<21} {row.per_second:>8.0f} {tally.valid / tally.made:>6.1%} "
            f"{tally.nontrivial / tally.made:>8.0%} {mean:>9} {row.valid_per_second:>8.0f} "
            f"{row.useful_per_second:>8.0f} {by_valid:>10} {by_useful:>10}"
        )
    for row in ROWS.values():
        if row.tally.failure:
            yield f"first failure of {row.tool} ({row.what}): {row.tally.failure}"


class _Summary:
    """A plugin object: prints the table at the end of the pytest run."""

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if ROWS:
            terminalreporter.section("runreplay factories vs anchors (medians; × = valid/s ratio)")
            for line in table():
                terminalreporter.write_line(line)


@pytest.fixture(scope="session", autouse=True)
def _print_table(request: pytest.FixtureRequest) -> None:
    manager = request.config.pluginmanager
    if not manager.has_plugin("runreplay-factories-summary"):
        manager.register(_Summary(), "runreplay-factories-summary")


@pytest.mark.parametrize(
    ("group", "tool", "what", "run", "count"),
    CONTENDERS,
    ids=[f"{group}:{tool}" for group, tool, *_ in CONTENDERS],
)
def test_factories(
    benchmark: Any, group: str, tool: str, what: str, run: Callable[[], Tally], count: int
) -> None:
    benchmark.group = group
    benchmark.extra_info["what"] = what
    tallies: list[Tally] = []
    benchmark.pedantic(lambda: tallies.append(run()), rounds=3, iterations=1, warmup_rounds=1)
    stats = getattr(benchmark, "stats", None)
    seconds = stats.stats.median if stats is not None else float("nan")
    ROWS[(group, tool)] = Row(group, tool, what, seconds, tallies[-1], count)


def main() -> None:
    """Run every contender three times with plain timers (after one warm-up) and print the table."""
    for group, tool, what, run, count in CONTENDERS:
        run()
        times, tally = [], Tally()
        for _ in range(3):
            start = time.perf_counter()
            tally = run()
            times.append(time.perf_counter() - start)
        ROWS[(group, tool)] = Row(group, tool, what, statistics.median(times), tally, count)
        print(f"{group}:{tool} done", file=sys.stderr)
    for line in table():
        print(line)


if __name__ == "__main__":
    main()
