"""Secrets that come back: a server that echoes what it was sent must not put a redacted value on disk.

Redaction learns every value it removes from a request, and the secret-looking environment values as
they are when the request is sent, and scrubs them from the responses of that cassette: headers,
`Location`, bodies, error messages and SSE data split across chunks. The servers here are a loopback
echo server (`_echo_server.EchoServer`) that reflects the request into every part of the response.
"""

from __future__ import annotations

import json
import secrets
import string
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import requests

from _echo_server import EchoServer
from runreplay.cassette import load
from runreplay.cassette._audit import audit_paths
from runreplay.cassette._redact import DEFAULT_ENV_SECRETS, PLACEHOLDER, Redactor, secret_environment
from runreplay.cassette.model import Chunk, RecordedResponse, StreamError
from runreplay.errors import SecretLeakError
from runreplay.recording import use_cassette

R = PLACEHOLDER
ALNUM = string.ascii_letters + string.digits


def token(size: int) -> str:
    return "".join(secrets.choice(ALNUM) for _ in range(size - 1)) + "7"  # always holds a digit


@pytest.fixture
def echo() -> Iterator[EchoServer]:
    server = EchoServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _no_env_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in DEFAULT_ENV_SECRETS:
        monkeypatch.delenv(name, raising=False)


def test_a_redacted_request_value_echoed_anywhere_in_the_response_is_scrubbed(
    echo: EchoServer, tmp_path: Path
) -> None:
    gateway = f"gateway-{token(30)}"  # no pattern knows this shape: only the Authorization header does
    path = tmp_path / "echo.yaml"
    auth = {"Authorization": f"Bearer {gateway}"}
    with use_cassette(path, record_mode="once"):
        with httpx.Client(base_url=echo.base_url, headers=auth, follow_redirects=True) as client:
            live_echo = client.get("/echo").json()
            live_401 = client.get("/401")
            live_redirect = client.get("/redirect")
            with client.stream("POST", "/sse?cut=30,45,60", content=b"hello") as response:
                live_chunks = list(response.iter_raw())
        with requests.Session() as session:
            session.headers.update(auth)
            session.get(f"{echo.base_url}/redirect")
    assert live_echo["headers"]["Authorization"] == f"Bearer {gateway}"  # live, the client saw it all
    assert gateway in live_401.text
    assert live_redirect.history[0].headers["location"] == f"/echo?access_token={gateway}"
    assert gateway in b"".join(live_chunks).decode()

    text = path.read_text()
    assert gateway not in text
    assert text.count(R) >= 12
    assert 'WWW-Authenticate: Bearer realm="api", error="invalid_token"' in text
    assert f"Location: /echo?access_token={R}" in text
    cassette = load(path)
    assert [i.request.url.rsplit("/", 1)[1] for i in cassette.interactions] == [
        "echo",
        "401",
        "redirect",
        f"echo?access_token={R}",
        "sse?cut=30,45,60",
        "redirect",
        f"echo?access_token={R}",
    ]
    body_401 = json.loads(cassette.interactions[1].response.body)
    assert body_401["error"]["message"] == (
        f"Incorrect API key provided: Bearer {R}. You can find your API key online."
    )
    sse = cassette.interactions[4].response
    assert len(sse.chunks) == len(live_chunks) == 4
    assert b"".join(live_chunks).replace(gateway.encode(), R.encode()) == sse.body
    assert audit_paths([path]) == []

    # The cassette replays: the same calls find their recordings with the server gone.
    echo.stop()
    with use_cassette(path) as session, httpx.Client(base_url=echo.base_url, headers=auth) as client:
        assert client.get("/echo").json()["headers"]["Authorization"] == f"Bearer {R}"
        assert client.get("/401").status_code == 401
        assert client.get("/redirect").headers["location"] == f"/echo?access_token={R}"
    assert session.stats().played == 3


def test_chunk_boundaries_inside_a_learned_secret_move_to_the_end_of_its_placeholder() -> None:
    secret = "s3cret-gateway-token-0123456789"
    body = f'data: {{"echo": "{secret}"}}\n\n'.encode()
    start = body.index(secret.encode())
    cuts = [start - 2, start + 5, start + 9, start + len(secret) + 3]  # two cuts fall inside the secret
    pieces = [body[a:b] for a, b in zip([0, *cuts], [*cuts, len(body)], strict=True)]
    response = RecordedResponse(
        200,
        headers=[("content-type", "text/event-stream")],
        chunks=[Chunk(piece, 10.0 * n) for n, piece in enumerate(pieces)],
        complete=False,
        error=StreamError("httpx.RemoteProtocolError", f"peer said {secret}", after_chunk=5),
    )
    redacted = Redactor().scanner([secret]).response(response)
    new_body = body.replace(secret.encode(), R.encode())
    placeholder_end = start + len(R)
    # Same count, same order, same arrival times; a boundary inside the secret moves to the end of the
    # placeholder, so the chunk that held only the middle of the secret becomes empty.
    assert [c.offset_ms for c in redacted.chunks] == [0.0, 10.0, 20.0, 30.0, 40.0]
    assert b"".join(c.data for c in redacted.chunks) == new_body
    ends = [start - 2, placeholder_end, placeholder_end, placeholder_end + 3, len(new_body)]
    assert [len(c.data) for c in redacted.chunks] == [b - a for a, b in zip([0, *ends], ends, strict=False)]
    assert redacted.error == StreamError("httpx.RemoteProtocolError", f"peer said {R}", after_chunk=5)


def test_values_shorter_than_eight_characters_are_not_learned(echo: EchoServer, tmp_path: Path) -> None:
    path = tmp_path / "short.yaml"
    with use_cassette(path, record_mode="once"), httpx.Client(base_url=echo.base_url) as client:
        client.get("/echo", headers={"Authorization": "Bearer abc1234", "X-Auth-Token": "tok12345"})
    body = json.loads(load(path).interactions[0].response.body)
    # the header values themselves are redacted; the 7-character one comes back in the echo (too short
    # to look for in free text), the 8-character one is learned.
    assert body["headers"]["Authorization"] == "Bearer abc1234"
    assert body["headers"]["X-Auth-Token"] == R
    request_headers = dict(load(path).interactions[0].request.headers)
    assert (request_headers["Authorization"], request_headers["X-Auth-Token"]) == (f"Bearer {R}", R)


def test_the_key_set_with_monkeypatch_is_scrubbed_from_a_stream_left_open(
    echo: EchoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The environment is read when the request is sent, not when the open stream is saved at teardown."""
    key = token(40)  # no pattern: only OPENAI_API_KEY says it is a secret
    path = tmp_path / "open.yaml"
    with httpx.Client(base_url=echo.base_url) as client:
        with use_cassette(path, record_mode="once"):
            with monkeypatch.context() as patch:
                patch.setenv("OPENAI_API_KEY", key)
                response = client.send(
                    client.build_request("POST", "/sse?open=1&env=OPENAI_API_KEY"), stream=True
                )
                first = next(response.iter_raw())
            assert key.encode() in first  # the server leaked it; the environment is restored now
        response.close()
    text = path.read_text()
    assert key not in text
    recorded = load(path).interactions[0].response
    assert (recorded.complete, json.loads(recorded.body.split(b"data: ")[1])["OPENAI_API_KEY"]) == (False, R)


def test_secret_looking_environment_values_are_learned_when_the_request_is_sent(
    echo: EchoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    azure = secrets.token_hex(16)  # the shape of an Azure OpenAI key: 32 hex characters
    other = f"svc-{token(24)}"
    path = tmp_path / "env.yaml"
    with httpx.Client(base_url=echo.base_url) as client:
        with use_cassette(path, record_mode="once"), monkeypatch.context() as patch:
            patch.setenv("AZURE_OPENAI_API_KEY", azure)
            patch.setenv("RUNREPLAY_TEST_DEPLOY_TOKEN", other)  # named like a secret, not configured
            with client.stream("POST", "/sse?env=AZURE_OPENAI_API_KEY&env=RUNREPLAY_TEST_DEPLOY_TOKEN") as r:
                r.read()
    text = path.read_text()
    assert azure not in text
    assert other not in text
    data = json.loads(load(path).interactions[0].response.body.split(b"data: ")[1].split(b"\n")[0])
    assert (data["AZURE_OPENAI_API_KEY"], data["RUNREPLAY_TEST_DEPLOY_TOKEN"]) == (R, R)


def test_azure_keys_are_env_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    azure = secrets.token_hex(16)
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", azure)
    assert Redactor().scanner().redact_text(f"key={azure}!") == f"key={R}!"
    assert Redactor().scanner().scan_text(azure)[0].rule == "env:AZURE_OPENAI_API_KEY"


@pytest.mark.parametrize(
    ("name", "value", "learned"),
    [
        ("GITHUB_TOKEN", "ghs_abc123def456", True),
        ("MY_SERVICE_API_KEY", "a1b2c3d4e5", True),
        ("DB_PASSWORD", "hunter22", True),
        ("SIGNING_SECRET", "Zm9vYmFyYmF6MTIz", True),
        ("GPG_KEY", "7169605F62C751356D054A26A821E680E5FA6305", True),
        ("DB_PASSWORD", "hunter2", False),  # shorter than 8
        ("SOME_TOKEN", "application", False),  # no digit: an ordinary word
        ("SSH_AUTH_SOCK", "/tmp/ssh-XXXX1234/agent.77", False),  # not named like a secret; a path
        ("CACHE_TOKEN_DIR", "/var/cache/tok3n", False),  # a path
        ("HOME", "u1234567890", False),  # not named like a secret
        ("KEYBOARD_LAYOUT", "de-latin1-nodeadkeys", False),  # KEY not at the end
    ],
)
def test_which_environment_values_look_like_secrets(name: str, value: str, learned: bool) -> None:
    assert (value in secret_environment({name: value})) is learned


def test_learned_values_reach_only_the_cassette_they_were_learned_in(
    echo: EchoServer, tmp_path: Path
) -> None:
    gateway = f"gateway-{token(30)}"
    with use_cassette(tmp_path / "a.yaml", record_mode="once"), httpx.Client(base_url=echo.base_url) as c:
        c.get("/echo", headers={"X-Auth-Token": gateway})
    with use_cassette(tmp_path / "b.yaml", record_mode="once"), httpx.Client(base_url=echo.base_url) as c:
        c.post("/echo", content=f"note {gateway}".encode(), headers={"content-type": "text/plain"})
    assert gateway not in (tmp_path / "a.yaml").read_text()
    assert json.loads(load(tmp_path / "b.yaml").interactions[0].response.body)["body"] == f"note {gateway}"


def test_a_secret_learned_later_is_scrubbed_from_an_earlier_response(
    echo: EchoServer, tmp_path: Path
) -> None:
    gateway = f"gateway-{token(30)}"
    path = tmp_path / "later.yaml"
    with use_cassette(path, record_mode="once"), httpx.Client(base_url=echo.base_url) as client:
        client.get("/echo", headers={"X-Note": f"note {gateway}"})
        client.get("/echo", headers={"Authorization": f"Bearer {gateway}"})
    cassette = load(path)
    assert gateway not in path.read_text()
    assert json.loads(cassette.interactions[0].response.body)["headers"]["X-Note"] == f"note {R}"
    assert cassette.interactions[0].request.header("X-Note") == f"note {R}"


def test_a_learned_secret_in_a_request_body_is_refused_not_rewritten(
    echo: EchoServer, tmp_path: Path
) -> None:
    """Request bodies and URLs are matched on replay, so only rules may rewrite them: a learned secret
    that no rule finds there stops the save, with the place named, instead of reaching the disk."""
    gateway = f"gateway-{token(30)}"
    path = tmp_path / "refused.yaml"
    with pytest.raises(SecretLeakError) as info:
        with use_cassette(path, record_mode="once"), httpx.Client(base_url=echo.base_url) as client:
            client.get("/echo", headers={"Authorization": f"Bearer {gateway}"})
            client.post("/echo", content=f"note {gateway}".encode(), headers={"content-type": "text/plain"})
    assert str(info.value) == (
        f"refusing to write cassette {path}: the audit found 1 secret(s) that redaction did not remove:\n"
        f"{path}: interaction 1: request.body: learned-secret ({gateway[:4]}…(38 chars))\n"
        "Add the header to filter_headers / the pattern to secret_patterns in runreplay_config, then "
        "record again. Nothing was written."
    )
    assert not path.exists()
