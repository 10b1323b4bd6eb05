"""Redaction: planted secrets never survive, everything else stays byte for byte, and it is idempotent."""

from __future__ import annotations

import copy
import functools
import itertools
import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runreplay.cassette._redact import Hit, Redactor
from runreplay.cassette._redact_config import DEFAULT_ENV_SECRETS, PLACEHOLDER, RedactionConfig, SecretPattern
from runreplay.cassette.model import (
    Cassette,
    Chunk,
    Interaction,
    RecordedRequest,
    RecordedResponse,
    StreamError,
)
from runreplay.errors import ConfigurationError

R = PLACEHOLDER
KEY = "sk-proj-" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z_-" * 4  # the shape of a project key
LEGACY_KEY = "sk-" + "T3BlbkFJ" * 6
SVC_KEY = "sk-svcacct-" + "Qw3rTy6uIo9p" * 5
ADMIN_KEY = "sk-admin-" + "Zx1cVb4nM7" * 6
ORG = "org-AbCdEfGh12345678"
PROJ = "proj_AbCdEfGh12345678"
SECRETS = (KEY, LEGACY_KEY, SVC_KEY, ADMIN_KEY, ORG, PROJ, "hunter2-cookie", "s3cr3t-json")
HINT = "See https://pypi.org/project/pytest-runreplay/#redaction"
REFERENCE = Path(__file__).resolve().parent.parent / "data" / "reference" / "examples"


@pytest.fixture(autouse=True)
def _no_env_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests must not depend on the developer's real OPENAI_API_KEY."""
    for name in DEFAULT_ENV_SECRETS:
        monkeypatch.delenv(name, raising=False)


def assert_clean(*values: str | bytes) -> None:
    """None of the planted secrets survives anywhere in `values`."""
    for value in values:
        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
        for secret in SECRETS:
            assert secret not in text


# -- the patterns ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        (KEY, "openai-api-key"),
        (LEGACY_KEY, "openai-api-key"),
        (SVC_KEY, "openai-api-key"),
        (ADMIN_KEY, "openai-api-key"),
        ("sk-" + "a" * 20, "openai-api-key"),
        ("sk-test", "openai-api-key"),
        ("sk-test-123", "openai-api-key"),
        ("sk-test_key", "openai-api-key"),
        (ORG, "organization-id"),
        (PROJ, "project-id"),
    ],
)
def test_builtin_patterns_find_secrets(text: str, rule: str) -> None:
    scanner = Redactor().scanner()
    sentence = f'say "{text}", please'
    assert scanner.scan_text(sentence) == [Hit(5, 5 + len(text), rule)]
    assert scanner.redact_text(sentence) == f'say "{R}", please'


@pytest.mark.parametrize(
    "text",
    [
        "pip install sk-learn",  # scikit-learn's nickname
        "sk-testing",
        "sk-x",
        "sk-" + "a" * 19,  # too short for a key
        "task-abcdefghijklmnopqrstuvwxyz",  # `sk-` inside a word
        "disk-abcdefghijklmnopqrstuvwxyz",
        "org-TEST",  # too short for an organization id
        "my-org-AbCdEfGh12345678",
        "proj_short",
        "Bearer tokens are described in RFC 6750",  # bearer is a header-only rule
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert Redactor().scanner().scan_text(text) == []


@pytest.mark.parametrize("name", sorted(p.name for p in REFERENCE.glob("*.sse")))
def test_real_payloads_have_no_false_positives(name: str) -> None:
    body = (REFERENCE / name).read_bytes()
    assert Redactor().scanner().scan_body(body) == []
    assert Redactor().scanner().redact_body(body) == body


# -- requests -------------------------------------------------------------------------------------


def make_request() -> RecordedRequest:
    body = {
        "assistant_id": "asst_abc123",
        "stream": True,
        "thread": {"messages": [{"role": "user", "content": f"my key is {LEGACY_KEY} — ünïcödé"}]},
        "metadata": {"api_key": "s3cr3t-json", "tenant": "acme"},
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "login",
                    "parameters": {"type": "object", "properties": {"api_key": {"type": "string"}}},
                },
            }
        ],
        "deep": [[{"client_secret": "s3cr3t-json"}]],
    }
    raw = json.dumps(body, indent=2, ensure_ascii=False).encode()
    return RecordedRequest(
        method="POST",
        url=f"https://api.openai.com/v1/threads/runs?api_key={KEY}&limit=2&Token=abc#top",
        headers=[
            ("Host", "api.openai.com"),
            ("Authorization", f"Bearer {KEY}"),
            ("api-key", LEGACY_KEY),
            ("OpenAI-Organization", ORG),
            ("OpenAI-Project", PROJ),
            ("Cookie", "__cf_bm=hunter2-cookie; _cfuvid=hunter2-cookie"),
            ("x-api-key", "plain-value"),
            ("Proxy-Authorization", "Basic dXNlcjpwYXNz"),
            ("X-Forwarded-Auth", f"bearer {SVC_KEY}"),
            ("x-stainless-os", "Linux"),
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(raw))),
        ],
        body=raw,
    )


def test_request_headers_url_and_json_body() -> None:
    request = make_request()
    before = copy.deepcopy(request)
    redacted = Redactor().scanner().request(request)
    assert request == before  # input untouched
    assert redacted.url == f"https://api.openai.com/v1/threads/runs?api_key={R}&limit=2&Token={R}#top"
    expected_body = request.body
    for secret in (LEGACY_KEY, "s3cr3t-json"):
        expected_body = expected_body.replace(secret.encode(), R.encode())
    assert redacted.body == expected_body
    assert redacted.headers == [
        ("Host", "api.openai.com"),
        ("Authorization", f"Bearer {R}"),
        ("api-key", R),
        ("OpenAI-Organization", R),
        ("OpenAI-Project", R),
        ("Cookie", f"__cf_bm={R}; _cfuvid={R}"),
        ("x-api-key", R),
        ("Proxy-Authorization", f"Basic {R}"),
        ("X-Forwarded-Auth", f"bearer {R}"),
        ("x-stainless-os", "Linux"),
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(expected_body))),
    ]
    parsed = json.loads(redacted.body)
    assert parsed["tools"][0]["function"]["parameters"]["properties"]["api_key"] == {"type": "string"}
    assert parsed["metadata"] == {"api_key": R, "tenant": "acme"}
    assert_clean(redacted.url, redacted.body, *(v for _, v in redacted.headers))
    assert redacted.method == "POST"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://h/p?key=abc", f"https://h/p?key={R}"),
        ("https://h/p?a=1&api-key=abc&b=2", f"https://h/p?a=1&api-key={R}&b=2"),
        ("https://h/p?ACCESS_TOKEN=abc&token=", f"https://h/p?ACCESS_TOKEN={R}&token="),
        ("https://h/p?monkey=abc&keys=x", "https://h/p?monkey=abc&keys=x"),
        ("https://h/key=abc?x=1", "https://h/key=abc?x=1"),  # only the query string
        ("https://h/p?x=1#token=abc", "https://h/p?x=1#token=abc"),  # not the fragment
        ("https://h/p?key=%3CREDACTED%3E", "https://h/p?key=%3CREDACTED%3E"),  # an encoded placeholder
        ("https://user:pa55@h/p", f"https://user:{R}@h/p"),
        (f"https://h/v1/organizations/{ORG}/projects/{PROJ}", f"https://h/v1/organizations/{R}/projects/{R}"),
    ],
)
def test_urls(url: str, expected: str) -> None:
    scanner = Redactor().scanner()
    assert scanner.redact_url(url) == expected
    assert scanner.redact_url(expected) == expected


def test_form_bodies_use_the_query_parameter_list() -> None:
    request = RecordedRequest(
        "POST",
        "https://h/oauth",
        [("content-type", "application/x-www-form-urlencoded; charset=utf-8")],
        b"grant_type=client&access_token=abc123&scope=x",
    )
    assert (
        Redactor().scanner().request(request).body == f"grant_type=client&access_token={R}&scope=x".encode()
    )
    plain = RecordedRequest("POST", "https://h/", [("content-type", "text/plain")], b"token=abc123")
    assert Redactor().scanner().request(plain).body == b"token=abc123"


def test_binary_bodies_are_redacted_as_bytes() -> None:
    body = b"\xff\xfe\x00" + KEY.encode() + b"\x80\x81"
    request = RecordedRequest("POST", "https://h/", [], body)
    assert Redactor().scanner().request(request).body == b"\xff\xfe\x00" + R.encode() + b"\x80\x81"
    assert Redactor().scanner().scan_body(body) == [Hit(3, 3 + len(KEY), "openai-api-key")]


def test_non_ascii_bodies_report_byte_offsets() -> None:
    body = f"ünïcödé {KEY} ✓".encode()
    start = len("ünïcödé ".encode())
    assert Redactor().scanner().scan_body(body) == [Hit(start, start + len(KEY), "openai-api-key")]
    assert Redactor().scanner().redact_body(body) == f"ünïcödé {R} ✓".encode()


def test_cookie_and_set_cookie_keep_names_and_attributes() -> None:
    scanner = Redactor().scanner()
    folded = (
        "__cf_bm=hunter2-cookie; path=/; expires=Thu, 01-Jan-2026 00:00:00 GMT; domain=.api.openai.com; "
        "HttpOnly; Secure, _cfuvid=hunter2-cookie; path=/; SameSite=None"
    )
    assert scanner.redact_header("Set-Cookie", folded, response=True) == (
        f"__cf_bm={R}; path=/; expires=Thu, 01-Jan-2026 00:00:00 GMT; domain=.api.openai.com; "
        f"HttpOnly; Secure, _cfuvid={R}; path=/; SameSite=None"
    )
    assert scanner.redact_header("cookie", "a=1;b= 2 ;c=") == f"a={R};b= {R} ;c="
    # a header named like a cookie is a secret in either direction (the name rule).
    assert scanner.redact_header("set-cookie", "a=1") == f"a={R}"


def test_scheme_is_kept_and_header_rules_name_the_most_specific_secret() -> None:
    scanner = Redactor().scanner()
    assert scanner.scan_header("Authorization", f"Bearer {KEY}") == [Hit(7, 7 + len(KEY), "openai-api-key")]
    assert scanner.scan_header("Authorization", "Bearer abc.def") == [Hit(7, 14, "bearer-token")]
    assert scanner.scan_header("Authorization", "Basic dXNlcg==") == [Hit(6, 14, "secret-header")]
    assert scanner.scan_header("OpenAI-Organization", ORG, response=True) == [Hit(0, 20, "organization-id")]
    assert scanner.scan_header("openai-organization", "org-TEST") == [Hit(0, 8, "secret-header")]
    assert scanner.redact_header("authorization", "  Token  abc  ") == f"  Token  {R}  "
    assert scanner.redact_header("authorization", "") == ""
    assert scanner.redact_header("x-request-id", "req_0123456789abcdef") == "req_0123456789abcdef"


# -- responses ------------------------------------------------------------------------------------

SSE = (
    b'event: thread.run.created\ndata: {"id":"run_1","api_key":"s3cr3t-json","note":"key '
    + KEY.encode()
    + b" and org "
    + ORG.encode()
    + b'"}\n\nevent: done\ndata: [DONE]\n\n'
)
SSE_REDACTED = (
    b'event: thread.run.created\ndata: {"id":"run_1","api_key":"'
    + R.encode()
    + b'","note":"key '
    + R.encode()
    + b" and org "
    + R.encode()
    + b'"}\n\nevent: done\ndata: [DONE]\n\n'
)


def secret_spans(body: bytes) -> list[tuple[int, int]]:
    """Where the planted secrets are in SSE."""
    spans = []
    for secret in (b"s3cr3t-json", KEY.encode(), ORG.encode()):
        start = body.index(secret)
        spans.append((start, start + len(secret)))
    return spans


def expected_prefix(position: int) -> bytes:
    """What the redacted body must hold before the boundary that was at `position` in SSE."""
    out = b""
    last = 0
    for start, end in secret_spans(SSE):
        if position <= start:
            break
        out += SSE[last:start] + R.encode()
        last = end
        if position < end:
            return out  # a boundary inside a secret moves to the end of its placeholder
    return out + SSE[last:position]


def check_split(boundaries: list[int]) -> None:
    """Split SSE at `boundaries`, redact, and check every chunk, boundary and offset."""
    cuts = [0, *boundaries, len(SSE)]
    chunks = [Chunk(SSE[a:b], float(i)) for i, (a, b) in enumerate(itertools.pairwise(cuts))]
    response = RecordedResponse(200, headers=[("content-type", "text/event-stream")], chunks=chunks)
    redacted = Redactor().scanner().response(response)
    assert redacted.body == SSE_REDACTED
    assert [c.offset_ms for c in redacted.chunks] == [c.offset_ms for c in chunks]
    for index in range(1, len(chunks)):
        joined = b"".join(c.data for c in redacted.chunks[:index])
        assert joined == expected_prefix(cuts[index])
    for chunk in redacted.chunks:
        assert_clean(chunk.data)
    assert [c.data for c in chunks] == [SSE[a:b] for a, b in itertools.pairwise(cuts)]  # untouched


def test_sse_split_in_two_at_every_position() -> None:
    for position in range(len(SSE) + 1):
        check_split([position])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(SSE)), max_size=12).map(sorted))
def test_sse_split_anywhere(boundaries: list[int]) -> None:
    check_split(boundaries)


def test_one_byte_chunks() -> None:
    check_split(list(range(1, len(SSE))))


def test_response_headers_error_and_content_length() -> None:
    response = RecordedResponse(
        status=200,
        reason="OK",
        headers=[
            ("Set-Cookie", "__cf_bm=hunter2-cookie; path=/"),
            ("openai-organization", ORG),
            ("openai-project", "proj_TEST"),
            ("openai-version", "2020-10-01"),
            ("x-request-id", "req_1"),
            ("content-length", str(len(SSE))),
        ],
        chunks=[Chunk(SSE[:50], 1.5), Chunk(SSE[50:], 9.0)],
        headers_ms=1.0,
        complete=False,
        error=StreamError("httpx2.RemoteProtocolError", f"peer closed; auth was {KEY}", after_chunk=2),
    )
    before = copy.deepcopy(response)
    redacted = Redactor().scanner().response(response)
    assert response == before
    assert redacted.headers == [
        ("Set-Cookie", f"__cf_bm={R}; path=/"),
        ("openai-organization", R),
        ("openai-project", R),
        ("openai-version", "2020-10-01"),
        ("x-request-id", "req_1"),
        ("content-length", str(len(SSE_REDACTED))),
    ]
    assert redacted.error == StreamError("httpx2.RemoteProtocolError", f"peer closed; auth was {R}", 2)
    assert (redacted.status, redacted.reason, redacted.headers_ms, redacted.complete) == (
        200,
        "OK",
        1.0,
        False,
    )
    assert redacted.body == SSE_REDACTED
    assert [c.offset_ms for c in redacted.chunks] == [1.5, 9.0]


def test_interaction_and_cassette() -> None:
    interaction = Interaction(
        make_request(), RecordedResponse(200, chunks=[Chunk(SSE, 0.0)]), "2026-01-01T00:00:00Z"
    )
    cassette = Cassette([interaction], meta={"recorder": "runreplay"})
    redacted = Redactor().scanner().cassette(cassette)
    assert redacted.meta == {"recorder": "runreplay"}
    assert redacted.interactions[0].recorded_at == "2026-01-01T00:00:00Z"
    assert redacted.interactions[0] == Redactor().scanner().interaction(interaction)
    assert redacted.interactions[0].response.body == SSE_REDACTED
    assert cassette.interactions[0] is interaction
    assert interaction.response.body == SSE


# -- idempotence ----------------------------------------------------------------------------------


def test_redacting_twice_changes_nothing() -> None:
    scanner = Redactor().scanner()
    once = scanner.request(make_request())
    assert scanner.request(once) == once
    response = RecordedResponse(
        200, headers=[("set-cookie", "a=b")], chunks=[Chunk(SSE[:7], 0), Chunk(SSE[7:], 1)]
    )
    once_response = scanner.response(response)
    assert scanner.response(once_response) == once_response
    assert scanner.scan_body(once.body) == []


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from([*SECRETS, "Bearer ", "sk-", "api_key", '"api_key": "', R, "<", ">", "RED"]),
            st.text(alphabet=st.characters(codec="utf-8"), max_size=8),
        ),
        max_size=12,
    ).map("".join)
)
def test_idempotent_on_arbitrary_text(text: str) -> None:
    scanner = Redactor(RedactionConfig(extra_patterns=("RED", ">x"))).scanner()
    once = scanner.redact_text(text)
    assert scanner.redact_text(once) == once
    assert scanner.scan_text(once) == []
    body = text.encode()
    once_body = scanner.redact_body(body)
    assert scanner.redact_body(once_body) == once_body
    header = text.replace("\r", " ").replace("\n", " ")
    once_header = scanner.redact_header("authorization", header)
    assert scanner.redact_header("authorization", once_header) == once_header


# -- configuration --------------------------------------------------------------------------------


def test_extra_patterns_literals_and_json_fields() -> None:
    config = RedactionConfig().extended(
        extra_patterns=[r"acct-\d{6}"],
        secrets=["correct horse battery staple"],
        json_fields=["password"],
        request_headers=["X-Custom-Token"],
        query_parameters=["sig"],
    )
    scanner = Redactor(config).scanner()
    text = "acct-123456 said correct horse battery staple"
    assert scanner.scan_text(text) == [
        Hit(0, 11, r"user-pattern:acct-\d{6}"),
        Hit(17, 45, "user-secret:1"),
    ]
    assert (
        scanner.redact_body(b'{"password": "pw", "password2": "x"}')
        == f'{{"password": "{R}", "password2": "x"}}'.encode()
    )
    assert scanner.redact_header("x-custom-token", "abc") == R
    assert scanner.redact_url("https://h/?sig=abc") == f"https://h/?sig={R}"
    assert config.request_headers[-1] == "X-Custom-Token"
    assert config.extended(json_fields=["password"]) == config  # duplicates are dropped


def test_env_secrets_are_read_at_redaction_time(monkeypatch: pytest.MonkeyPatch) -> None:
    redactor = Redactor(RedactionConfig(env_secrets=("MY_TOKEN", "SHORT")))
    text = "token=tok_live_1234 and abc"
    assert redactor.scanner().scan_text(text) == []
    monkeypatch.setenv("MY_TOKEN", "tok_live_1234\n")
    monkeypatch.setenv("SHORT", "abc")  # shorter than 8 characters: ignored
    assert redactor.scanner().scan_text(text) == [Hit(6, 19, "env:MY_TOKEN")]
    assert redactor.scanner().redact_text(text) == f"token={R} and abc"


def test_env_secret_names_the_leak_ahead_of_the_pattern(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    assert Redactor().scanner().scan_header("authorization", f"Bearer {KEY}") == [
        Hit(7, 7 + len(KEY), "env:OPENAI_API_KEY")
    ]


def test_custom_placeholder_and_narrowed_config() -> None:
    config = RedactionConfig(
        placeholder="***", request_headers=(), header_words=(), patterns=(), env_secrets=()
    )
    scanner = Redactor(config).scanner()
    assert scanner.redact_header("authorization", "Bearer x") == "Bearer x"  # explicitly narrowed
    assert scanner.redact_url("https://h/?key=1") == "https://h/?key=***"
    assert RedactionConfig(request_headers=["a", "b"]).request_headers == ("a", "b")  # type: ignore[arg-type]  # lists become tuples
    assert repr(Redactor()).startswith("Redactor(RedactionConfig(request_headers=('authorization',")


def test_custom_pattern_objects() -> None:
    pattern = SecretPattern("slack-token", r"xox[bp]-[0-9A-Za-z-]{10,}", trigger="xox")
    scanner = Redactor(RedactionConfig(patterns=(*RedactionConfig().patterns, pattern))).scanner()
    assert scanner.scan_text("xoxb-1234567890-abc") == [Hit(0, 19, "slack-token")]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"extra_patterns": ("sk-(",)},
            "secret pattern 'sk-(' is not a valid regular expression: missing ), unterminated subpattern "
            f"at position 3. Fix the pattern (Python `re` syntax). {HINT}",
        ),
        (
            {"extra_patterns": (r"caf\u00e9",)},
            r"secret pattern 'caf\\u00e9' cannot be applied to binary bodies: bad escape \u at position 3. "
            rf"Write non-ASCII characters literally instead of as \u or \N escapes. {HINT}",
        ),
        (
            {"request_headers": "authorization"},
            "RedactionConfig.request_headers must be a list or tuple of strings, not str ('authorization'). "
            f"Wrap a single value in a tuple: request_headers=('authorization',). {HINT}",
        ),
        (
            {"secrets": ("ok", "")},
            "RedactionConfig.secrets must hold non-empty strings, but it holds ''. Remove that entry. "
            + HINT,
        ),
        (
            {"patterns": ("sk-.*",)},
            "RedactionConfig.patterns must be a tuple of SecretPattern, not ('sk-.*',). Give plain regular "
            f"expressions in extra_patterns instead. {HINT}",
        ),
        (
            {"placeholder": "<a b>"},
            "RedactionConfig.placeholder '<a b>' cannot be used: it must be non-empty printable ASCII "
            'without spaces or any of " \\ ; , & = # % (it is written into JSON strings, cookies and query '
            f"strings). The default is '<REDACTED>'. {HINT}",
        ),
    ],
)
def test_invalid_configuration(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        RedactionConfig(**kwargs)  # type: ignore[arg-type]
    assert str(info.value) == message


# -- cost -----------------------------------------------------------------------------------------


def test_live_request_redaction_is_fast() -> None:
    """The recorder redacts every live request before matching: a typical one takes microseconds."""
    scanner = Redactor().scanner()
    request = make_request()
    per_request = best_of(lambda: [scanner.request(request) for _ in range(100)]) / 100
    assert per_request < 1e-3, f"{per_request * 1e6:.0f} µs per request"
    clean = (REFERENCE / "create_thread_and_run_stream_text.sse").read_bytes() if REFERENCE.exists() else SSE
    for body in (SSE_REDACTED * 500, clean * 10):  # ~70-90 KB
        response = RecordedResponse(200, chunks=[Chunk(body, 0.0)])
        elapsed = best_of(functools.partial(scanner.response, response))
        assert elapsed < 0.05, f"{elapsed * 1e3:.1f} ms for a {len(body) // 1000} KB body"


def best_of(call: Callable[[], object], rounds: int = 3) -> float:
    """The best of a few CPU-time measurements, so that a busy machine does not fail the test."""
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        call()
        best = min(best, time.process_time() - started)
    return best


# -- the wider default rules: each with a realistic value that goes and a near miss that stays -----------

JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0"
    ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("X-Auth-Token", "a1b2c3d4e5f6g7h8", R),
        ("X-Goog-Api-Key", "AIzaSyA-1234567890abcdefghijklmnopq", R),
        ("Ocp-Apim-Subscription-Key", "0123456789abcdef0123456789abcdef", R),
        ("X-Session-Id", "sess_8f7e6d5c4b3a", R),
        ("X-Echo-Authorization", "Bearer gateway-abcdef", f"Bearer {R}"),
        ("X-Client-Secret", "cs_abc", R),
        ("Set-Cookie", "sid=abc123; Path=/", f"sid={R}; Path=/"),
        # near misses: names with no such word, and the known-safe ones
        ("X-Request-Id", "req_0123456789abcdef", "req_0123456789abcdef"),
        (
            "WWW-Authenticate",
            'Bearer realm="api", error="invalid_token"',
            'Bearer realm="api", error="invalid_token"',
        ),
        ("Proxy-Authenticate", 'Basic realm="proxy"', 'Basic realm="proxy"'),
        ("x-ratelimit-remaining-tokens", "149984", "149984"),
        ("Idempotency-Key", "stainless-python-retry-1", "stainless-python-retry-1"),
        ("Keep-Alive", "timeout=5, max=100", "timeout=5, max=100"),
        ("Content-Type", "application/json", "application/json"),
    ],
)
def test_header_names_that_say_secret_are_redacted_both_ways(name: str, value: str, expected: str) -> None:
    scanner = Redactor().scanner()
    assert scanner.redact_header(name, value) == expected
    assert scanner.redact_header(name, value, response=True) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id AKIAIOSFODNN7EXAMPLE end", f"id {R} end"),
        ("id AKIAIOSFODNN7EXAMPL end", "id AKIAIOSFODNN7EXAMPL end"),  # 15 after AKIA
        ("id XAKIAIOSFODNN7EXAMPLE end", "id XAKIAIOSFODNN7EXAMPLE end"),  # inside a longer word
        ("gh ghp_" + "a1B2" * 9 + " x", f"gh {R} x"),
        ("gh ghp_" + "a1B2" * 8 + " x", "gh ghp_" + "a1B2" * 8 + " x"),  # 32 characters: too short
        ("pat github_pat_" + "A1b2_" * 12, f"pat {R}"),
        ("slack xoxb-1234567890-abcdefghij", f"slack {R}"),
        ("slack xoxz-1234567890-abcdefghij", "slack xoxz-1234567890-abcdefghij"),
        ("stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc.", f"stripe {R}."),
        ("stripe pk_live_4eC39HqLyjWDarjtT1zdp7dc.", "stripe pk_live_4eC39HqLyjWDarjtT1zdp7dc."),  # public
        (f'{{"note": "token {JWT} here"}}', f'{{"note": "token {R} here"}}'),
        ('{"alg": "eyJhbGciOiJIUzI1NiJ9"}', '{"alg": "eyJhbGciOiJIUzI1NiJ9"}'),  # one segment only
        ("see http://TOKEN0123@api.example.com/v1", f"see http://{R}@api.example.com/v1"),
        ("see https://user:pa55w0rd@host/x", f"see https://user:{R}@host/x"),
        ("mail me: mailto:someone@example.com", "mail me: mailto:someone@example.com"),
        ("profile https://example.com/@someone", "profile https://example.com/@someone"),
    ],
)
def test_token_shapes_and_url_userinfo_anywhere(text: str, expected: str) -> None:
    assert Redactor().scanner().redact_text(text) == expected
    assert Redactor().scanner().redact_body(text.encode()) == expected.encode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("apikey=abc123def", f"apikey={R}"),
        ("client_secret=abc123def", f"client_secret={R}"),
        ("password=hunter22", f"password={R}"),
        ("sv=2024&sig=Zm9vYmFy%3D&se=1", f"sv=2024&sig={R}&se=1"),
        ("signal=strong&apikeys=1&passwords=2", "signal=strong&apikeys=1&passwords=2"),
    ],
)
def test_more_query_parameters(query: str, expected: str) -> None:
    assert (
        Redactor().scanner().redact_url(f"https://h.example/x?{query}") == f"https://h.example/x?{expected}"
    )


@pytest.mark.parametrize(
    "field", ["password", "access_token", "refresh_token", "id_token", "client_secret", "apiKey"]
)
def test_more_json_fields(field: str) -> None:
    body = json.dumps({"user": "ann", field: "v4lue-of-it", f"{field}_hint": "kept", "n": {field: "x2"}})
    assert json.loads(Redactor().scanner().redact_body(body.encode())) == {
        "user": "ann",
        field: R,
        f"{field}_hint": "kept",
        "n": {field: R},
    }


def test_json_field_names_are_case_sensitive_near_misses() -> None:
    body = b'{"Password": "kept1234", "apikey": "kept5678", "token_count": "12"}'
    assert Redactor().scanner().redact_body(body) == body
