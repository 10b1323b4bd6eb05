"""The secret audit: each planted secret is found in the right field with the right rule, never printed."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runreplay.cassette._audit import Finding, audit_paths, format_findings, mask, scan_cassette
from runreplay.cassette._redact import DEFAULT_ENV_SECRETS, PLACEHOLDER, RedactionConfig, Redactor
from runreplay.cassette.model import (
    Cassette,
    Chunk,
    Interaction,
    RecordedRequest,
    RecordedResponse,
    StreamError,
)

R = PLACEHOLDER
KEY = "sk-proj-" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z" * 3
LEGACY_KEY = "sk-" + "T3BlbkFJ" * 6
ORG = "org-AbCdEfGh12345678"
PROJ = "proj_AbCdEfGh12345678"
ENV_VALUE = "env-secret-value-42"
SECRETS = (
    KEY,
    LEGACY_KEY,
    ORG,
    PROJ,
    "cookie-value-1",
    "json-field-secret",
    "acct-123456",
    ENV_VALUE,
    "pa55word",
)


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A known env secret, and none of the developer's real ones."""
    for name in DEFAULT_ENV_SECRETS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RUNREPLAY_TEST_SECRET", ENV_VALUE)


CONFIG = RedactionConfig().extended(extra_patterns=[r"acct-\d{6}"], env_secrets=["RUNREPLAY_TEST_SECRET"])

SSE = (
    b'event: thread.run.created\ndata: {"id":"run_1","note":"'
    + KEY.encode()
    + b'"}\n\nevent: thread.message.delta\ndata: {"text":"acct-123456 '
    + ENV_VALUE.encode()
    + b'"}\n\nevent: done\ndata: [DONE]\n\n'
)
KEY_AT = SSE.index(KEY.encode())


def leaky_cassette() -> Cassette:
    """Two interactions with a secret planted in every place the audit looks."""
    body = json.dumps(
        {"assistant_id": "asst_1", "metadata": {"api_key": "json-field-secret"}, "x": [LEGACY_KEY]}
    )
    first = Interaction(
        RecordedRequest(
            "POST",
            f"https://user:pa55word@api.example.com/v1/threads/runs?key={LEGACY_KEY}&limit=1",
            [
                ("Authorization", f"Bearer {KEY}"),
                ("Cookie", "session=cookie-value-1"),
                ("OpenAI-Organization", ORG),
                ("OpenAI-Project", PROJ),
                ("X-Api-Key", "plain"),
                ("Content-Type", "application/json"),
            ],
            body.encode(),
        ),
        RecordedResponse(
            200,
            headers=[
                ("Set-Cookie", "__cf_bm=cookie-value-1; path=/"),
                ("openai-organization", ORG),
                ("content-type", "text/event-stream"),
            ],
            # chunk 0 ends inside the key, so the key starts in chunk 0 and spans into chunk 1
            chunks=[
                Chunk(SSE[: KEY_AT + 5], 10.0),
                Chunk(SSE[KEY_AT + 5 : KEY_AT + 60], 20.0),
                Chunk(SSE[KEY_AT + 60 :], 30.0),
            ],
            error=StreamError("httpx2.ReadError", f"boom {ENV_VALUE}", after_chunk=3),
        ),
    )
    second = Interaction(
        RecordedRequest(
            "GET", "https://api.example.com/v1/models", [("authorization", "Basic dXNlcjpwYXNz")]
        ),
        RecordedResponse(200, chunks=[Chunk(b"{}", 1.0), Chunk(f'{{"k":"{ORG}"}}'.encode(), 2.0)]),
    )
    return Cassette([first, second], meta={"client": "httpx2"})


EXPECTED = [
    Finding("c.yaml", 0, "request.url", "url-userinfo", "pa…(8 chars)"),
    Finding("c.yaml", 0, "request.url", "openai-api-key", "sk-T…(51 chars)"),
    Finding("c.yaml", 0, "request.headers.authorization", "openai-api-key", "sk-p…(104 chars)"),
    Finding("c.yaml", 0, "request.headers.cookie", "cookie", "coo…(14 chars)"),
    Finding("c.yaml", 0, "request.headers.openai-organization", "organization-id", "org-…(20 chars)"),
    Finding("c.yaml", 0, "request.headers.openai-project", "project-id", "proj…(21 chars)"),
    Finding("c.yaml", 0, "request.headers.x-api-key", "secret-header", "p…(5 chars)"),
    Finding("c.yaml", 0, "request.body", "json-field", "json…(17 chars)"),
    Finding("c.yaml", 0, "request.body", "openai-api-key", "sk-T…(51 chars)"),
    Finding("c.yaml", 0, "response.headers.set-cookie", "cookie", "coo…(14 chars)"),
    Finding("c.yaml", 0, "response.headers.openai-organization", "organization-id", "org-…(20 chars)"),
    Finding("c.yaml", 0, "response.body", "openai-api-key", "sk-p…(104 chars)", chunk=0),
    Finding("c.yaml", 0, "response.body", r"user-pattern:acct-\d{6}", "ac…(11 chars)", chunk=2),
    Finding("c.yaml", 0, "response.body", "env:RUNREPLAY_TEST_SECRET", "env-…(19 chars)", chunk=2),
    Finding("c.yaml", 0, "response.error", "env:RUNREPLAY_TEST_SECRET", "env-…(19 chars)"),
    Finding("c.yaml", 1, "request.headers.authorization", "secret-header", "dXN…(12 chars)"),
    Finding("c.yaml", 1, "response.body", "organization-id", "org-…(20 chars)", chunk=1),
]


def test_every_planted_secret_is_found_in_its_field_with_its_rule() -> None:
    assert scan_cassette(leaky_cassette(), config=CONFIG, path="c.yaml") == EXPECTED


def test_the_report_never_prints_a_secret() -> None:
    report = format_findings(scan_cassette(leaky_cassette(), config=CONFIG, path="c.yaml"))
    for secret in SECRETS:
        assert secret not in report
    lines = report.splitlines()
    assert len(lines) == len(EXPECTED)
    assert (
        lines[2] == "c.yaml: interaction 0: request.headers.authorization: openai-api-key (sk-p…(104 chars))"
    )
    assert lines[11] == "c.yaml: interaction 0: response.body[chunk 0]: openai-api-key (sk-p…(104 chars))"
    assert (
        str(EXPECTED[-1])
        == "c.yaml: interaction 1: response.body[chunk 1]: organization-id (org-…(20 chars))"
    )
    assert str(Finding(None, 3, "request.url", "query-parameter", "…(2 chars)")) == (
        "<cassette>: interaction 3: request.url: query-parameter (…(2 chars))"
    )


def test_redacted_cassettes_are_clean() -> None:
    redacted = Redactor(CONFIG).scanner().cassette(leaky_cassette())
    assert scan_cassette(redacted, config=CONFIG) == []
    assert redacted.interactions[0].request.header("cookie") == f"session={R}"


def test_default_config_flags_the_default_secrets() -> None:
    rules = {(f.field, f.rule) for f in scan_cassette(leaky_cassette())}
    assert ("response.body", r"user-pattern:acct-\d{6}") not in rules
    assert ("request.headers.authorization", "openai-api-key") in rules


def test_placeholders_are_never_flagged() -> None:
    cassette = Cassette(
        [
            Interaction(
                RecordedRequest(
                    "POST",
                    f"https://h/?api_key={R}",
                    [("Authorization", f"Bearer {R}"), ("Cookie", f"a={R}; b={R}"), ("api-key", R)],
                    f'{{"api_key": "{R}"}}'.encode(),
                ),
                RecordedResponse(
                    200, headers=[("set-cookie", f"a={R}; path=/")], chunks=[Chunk(R.encode(), 0)]
                ),
            )
        ]
    )
    assert scan_cassette(cassette) == []


def test_a_non_placeholder_cookie_or_authorization_is_flagged() -> None:
    cassette = Cassette(
        [
            Interaction(
                RecordedRequest("GET", "https://h/", [("authorization", "x"), ("cookie", f"a={R}; b=2")]),
                RecordedResponse(200, headers=[("set-cookie", "id=1")]),
            )
        ]
    )
    assert [(f.field, f.rule, f.excerpt) for f in scan_cassette(cassette)] == [
        ("request.headers.authorization", "secret-header", "…(1 chars)"),
        ("request.headers.cookie", "cookie", "…(1 chars)"),
        ("response.headers.set-cookie", "cookie", "…(1 chars)"),
    ]


@pytest.mark.parametrize(
    ("secret", "masked"),
    [
        ("", "…(0 chars)"),
        ("abc", "…(3 chars)"),
        ("abcdefgh", "ab…(8 chars)"),
        ("abcdefghijklmnop", "abcd…(16 chars)"),
        (b"\xffbinary-secret-value", "\ufffdbin…(20 chars)"),
    ],
)
def test_mask(secret: str | bytes, masked: str) -> None:
    assert mask(secret) == masked


def test_form_bodies_are_audited_with_the_query_parameter_list() -> None:
    request = RecordedRequest(
        "POST", "https://h/", [("Content-Type", "application/x-www-form-urlencoded")], b"a=1&token=abc"
    )
    cassette = Cassette([Interaction(request, RecordedResponse(200))])
    assert scan_cassette(cassette) == [Finding(None, 0, "request.body", "query-parameter", "…(3 chars)")]


def test_audit_paths_reads_files_and_directories(tmp_path: Path) -> None:
    format_module = pytest.importorskip("runreplay.cassette._format")
    leaky = tmp_path / "sub" / "leaky.yaml"
    clean = tmp_path / "clean.yaml"
    format_module.save(leaky, leaky_cassette())
    format_module.save(clean, Redactor(CONFIG).scanner().cassette(leaky_cassette()))
    (tmp_path / "notes.txt").write_text(f"not a cassette: {KEY}")

    found = audit_paths([tmp_path], config=CONFIG)
    # Files are written without the derived `events:` view now, so each secret is found once per place.
    assert found == [
        *(Finding(str(leaky), f.interaction, f.field, f.rule, f.excerpt, f.chunk) for f in EXPECTED),
    ]
    assert audit_paths([clean], config=CONFIG) == []
    assert audit_paths([str(leaky)], config=CONFIG) == found


FRAGMENTS = st.one_of(
    st.sampled_from([*SECRETS, "Bearer ", "sk-", '"api_key": "', "key=", "&token=", R, "; ", "a=", "\n\n"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=6),
)
TEXT = st.lists(FRAGMENTS, max_size=8).map("".join)
HEADER_VALUE = TEXT.map(lambda t: " ".join(t.split()))


@st.composite
def cassettes(draw: st.DrawFn) -> Cassette:
    """Small cassettes whose every field mixes planted secrets, near misses and placeholders."""
    names = st.sampled_from(["Authorization", "Cookie", "api-key", "X-Other", "OpenAI-Project", "Set-Cookie"])
    body = draw(TEXT).encode()
    cuts = sorted(draw(st.lists(st.integers(0, len(body)), max_size=4)))
    bounds = [0, *cuts, len(body)]
    request = RecordedRequest(
        "POST",
        "https://h/p?" + draw(TEXT),
        draw(st.lists(st.tuples(names, HEADER_VALUE), max_size=4)),
        draw(TEXT).encode(),
    )
    response = RecordedResponse(
        200,
        headers=draw(st.lists(st.tuples(names, HEADER_VALUE), max_size=3)),
        chunks=[Chunk(body[a:b], float(i)) for i, (a, b) in enumerate(itertools.pairwise(bounds))],
    )
    return Cassette([Interaction(request, response)])


@settings(max_examples=200, deadline=None)
@given(cassettes())
def test_audit_flags_exactly_what_redaction_changes(cassette: Cassette) -> None:
    scanner = Redactor(CONFIG).scanner()
    redacted = scanner.cassette(cassette)
    assert bool(scan_cassette(cassette, config=CONFIG)) == (redacted != cassette)
    assert scan_cassette(redacted, config=CONFIG) == []
    for finding in scan_cassette(cassette, config=CONFIG):
        for secret in SECRETS:
            assert secret not in str(finding)


def _saved(tmp_path: Path, cassette: Cassette) -> Path:
    from runreplay.cassette._format import save

    path = tmp_path / "c.yaml"
    save(path, cassette)
    return path


def test_the_audit_reads_meta_header_names_and_the_error_type(tmp_path: Path) -> None:
    response = RecordedResponse(
        200,
        headers=[(ORG, "1")],
        chunks=[Chunk(b"ok", 1.0)],
        complete=False,
        error=StreamError(f"httpx.{LEGACY_KEY}", "broken", 1),
    )
    cassette = Cassette(
        [Interaction(RecordedRequest("GET", "https://h.example/", [(PROJ, "v")]), response)],
        meta={"note": f"made with {KEY}", "nested": {"list": ["ok", ENV_VALUE]}},
    )
    path = _saved(tmp_path, cassette)
    assert [str(f).split(": ", 1)[1] for f in audit_paths([path], config=CONFIG)] == [
        "meta.note: openai-api-key (sk-p…(104 chars))",
        "meta.nested.list[1]: env:RUNREPLAY_TEST_SECRET (env-…(19 chars))",
        "interaction 0: request.headers: project-id (proj…(21 chars))",
        "interaction 0: response.headers: organization-id (org-…(20 chars))",
        "interaction 0: response.error.type: openai-api-key (sk-T…(51 chars))",
    ]


def test_a_value_redacted_in_one_place_and_clear_in_another_is_flagged(tmp_path: Path) -> None:
    request = RecordedRequest(
        "POST",
        f"https://h.example/v1?sig={R}",
        [("api-gw", R), ("Authorization", f"Bearer {R}"), ("Content-Type", "application/json")],
        json.dumps({"pin": R}).encode(),
    )
    echoed = {"api-gw": "gw-0123456789", "pin": "4711-0815", "other": "gw-0123456789", "sig": "x"}
    text = f"echo: Bearer gateway-0123456789 and {json.dumps(echoed)}"
    response = RecordedResponse(
        200,
        headers=[("Api-Gw", "gw-0123456789"), ("Location", "/next?sig=c2lnbmF0dXJl&page=2")],
        chunks=[Chunk(text.encode(), 1.0)],
    )
    path = _saved(tmp_path, Cassette([Interaction(request, response)]))
    assert [(f.field, f.rule, f.excerpt) for f in audit_paths([path])] == [
        ("response.headers.location", "query-parameter", "c2l…(12 chars)"),  # a default rule
        ("response.headers.api-gw", "redacted-elsewhere", "gw-…(13 chars)"),
        ("response.body", "redacted-elsewhere", "Bear…(25 chars)"),
        ("response.body", "redacted-elsewhere", "gw-…(13 chars)"),
        ("response.body", "redacted-elsewhere", "47…(9 chars)"),
    ]
    # near misses: the same values where nothing under their names was redacted are not flagged
    quiet = RecordedResponse(200, headers=[("Api-Gw", "gw-0123456789")], chunks=[Chunk(text.encode(), 1.0)])
    clean = Interaction(RecordedRequest("GET", "https://h.example/v1?page=1"), quiet)
    assert audit_paths([_saved(tmp_path, Cassette([clean]))]) == []
