"""Secrets never reach a cassette file: planted through the real clients against the embedded server, and
refused at save time when something got past redaction.

Redaction and the audit share one rule engine (`Redactor.scan_*`), so a cassette the recorder writes
is clean by construction. Two things can still leave a secret for the audit at save time, and both
are shown to make the recorder refuse to write, with the reason, writing nothing: an `env_secrets`
variable whose value became known only after the request was redacted (redaction reads the
environment when a request is sent, the audit when the cassette is saved), and a secret pattern
that keeps matching after `Redactor`'s 8 rounds of replacement.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest
import requests

from runreplay.cassette import load
from runreplay.cassette._audit import audit_paths
from runreplay.cassette._redact import RedactionConfig
from runreplay.errors import SecretLeakError
from runreplay.fakeserver import FakeAssistantsServer
from runreplay.recording import use_cassette

pytestmark = pytest.mark.filterwarnings("ignore:The Assistants API is deprecated:DeprecationWarning")

ALNUM = string.ascii_letters + string.digits


def token(size: int) -> str:
    return "".join(secrets.choice(ALNUM) for _ in range(size))


@pytest.fixture
def server() -> Iterator[FakeAssistantsServer]:
    with FakeAssistantsServer(seed=21) as fake:
        yield fake


def test_secrets_planted_in_every_part_of_the_exchange_never_reach_the_file(
    server: FakeAssistantsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api_key = f"sk-proj-{token(40)}"  # a pattern, and OPENAI_API_KEY
    organization = f"org-{token(24)}"  # a pattern, in a listed header
    project = f"proj_{token(24)}"  # a pattern, in a listed header
    x_api_key = token(30)  # no pattern: only the listed header x-api-key finds it
    cookie = token(26)  # the value of a Cookie header
    query_key, query_token = token(22), token(22)  # listed query parameters
    client_secret = token(28)  # a listed JSON field, in metadata (echoed in the response body)
    service_token = f"svc.{token(32)}"  # no pattern anywhere: only env_secrets finds it
    monkeypatch.setenv("OPENAI_API_KEY", api_key)
    monkeypatch.setenv("RUNREPLAY_TEST_SERVICE_TOKEN", service_token)
    metadata = {"note": f"key {api_key}", "client_secret": client_secret, "service": service_token}
    path = tmp_path / "secrets.yaml"
    base_url = server.base_url
    seen_response_headers: list[str] = []

    def exchange() -> list[str]:
        """The same exchanges through the openai SDK, httpx and requests; returns what each got."""
        got = []
        with openai.OpenAI(
            base_url=base_url,
            max_retries=0,
            organization=organization,
            project=project,
            default_headers={"X-Service-Token": service_token},
        ) as client:
            stream = client.beta.threads.create_and_run(
                assistant_id="asst_sdk", stream=True, metadata=metadata, extra_query={"api_key": query_key}
            )
            got.append(",".join(event.event for event in stream))
        with httpx.Client() as client:
            response = client.post(
                f"{base_url}/threads/runs",
                params={"token": query_token, "keep": "visible"},
                headers={"x-api-key": x_api_key, "Cookie": f"session={cookie}"},
                json={"assistant_id": "asst_httpx", "metadata": metadata},
            )
            seen_response_headers.extend(response.headers.get_list("set-cookie"))
            seen_response_headers.append(response.headers["openai-organization"])
            got.append(response.json()["metadata"]["client_secret"])
        with requests.Session() as session:
            response = session.post(
                f"{base_url}/threads/runs",
                params={"api_key": query_key},
                headers={"Authorization": f"Bearer {service_token}"},
                json={"assistant_id": "asst_requests", "stream": True, "metadata": metadata},
            )
            got.append(str(response.text.count("thread.run.completed")))
        return got

    options = {"env_secrets": ["RUNREPLAY_TEST_SERVICE_TOKEN"]}
    with use_cassette(path, record_mode="once", **options):
        live = exchange()
    assert live[1] == client_secret  # live, the client saw everything unredacted
    sdk, plain, session = server.requests
    assert (sdk.headers["authorization"], sdk.headers["openai-organization"]) == (
        f"Bearer {api_key}",
        organization,
    )
    assert (sdk.headers["openai-project"], sdk.headers["x-service-token"]) == (project, service_token)
    assert sdk.query == f"api_key={query_key}"
    assert sdk.body["metadata"] == metadata
    assert plain.query == f"token={query_token}&keep=visible"
    assert (plain.headers["x-api-key"], plain.headers["cookie"]) == (x_api_key, f"session={cookie}")
    assert session.headers["authorization"] == f"Bearer {service_token}"
    assert len(seen_response_headers) == 3

    planted = [api_key, organization, project, x_api_key, cookie, query_key, query_token, client_secret]
    planted += [service_token, *seen_response_headers]
    text = path.read_bytes().decode()
    leaked = [secret for secret in planted if secret in text]
    assert leaked == []
    assert "keep=visible" in text  # what is not a secret stays
    assert text.count("<REDACTED>") > 20
    config = RedactionConfig().extended(env_secrets=["RUNREPLAY_TEST_SERVICE_TOKEN"])
    assert audit_paths([path], config=config) == []
    assert len(load(path).interactions) == 3

    # The recording replays: requests are redacted before they are matched, so the same calls with
    # the same secrets find their recordings, with the server gone.
    server.stop()
    with use_cassette(path, **options) as session:
        replayed = exchange()
    assert session.stats().played == 3
    assert replayed[0] == live[0]
    assert replayed[2] == live[2]
    assert replayed[1] == "<REDACTED>"


def record_leak(
    path: Path, base_url: str, value: str, monkeypatch: pytest.MonkeyPatch, **options: object
) -> str:
    """Record one exchange carrying `value` in its body; `value` becomes an env secret only afterwards."""
    with pytest.raises(SecretLeakError) as info:
        with use_cassette(path, record_mode="new_episodes", **options), httpx.Client() as client:
            response = client.post(
                f"{base_url}/threads/runs", json={"assistant_id": "asst_1", "metadata": {"note": value}}
            )
            assert response.status_code == 200
            monkeypatch.setenv("RUNREPLAY_TEST_ROTATED", value)  # e.g. a fixture that rotates a credential
    return str(info.value)


def test_the_recorder_refuses_to_write_a_secret_that_became_known_after_redaction(
    server: FakeAssistantsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNREPLAY_TEST_ROTATED", "")
    value = f"rot.{token(28)}"
    path = tmp_path / "new.yaml"
    message = record_leak(path, server.base_url, value, monkeypatch, env_secrets=["RUNREPLAY_TEST_ROTATED"])
    assert message == (
        f"refusing to write cassette {path}: the audit found 2 secret(s) that redaction did not remove:\n"
        f"{path}: interaction 0: request.body: env:RUNREPLAY_TEST_ROTATED ({value[:4]}…(32 chars))\n"
        f"{path}: interaction 0: response.body[chunk 0]: env:RUNREPLAY_TEST_ROTATED ({value[:4]}…(32 chars))\n"
        "Add the header to filter_headers / the pattern to secret_patterns in runreplay_config, then "
        "record again. Nothing was written."
    )
    assert not path.exists()

    # An existing cassette is left exactly as it was.
    existing = tmp_path / "existing.yaml"
    monkeypatch.setenv("RUNREPLAY_TEST_ROTATED", "")
    with use_cassette(existing, record_mode="once"), httpx.Client() as client:
        client.post(f"{server.base_url}/threads/runs", json={"assistant_id": "asst_0"})
    before = existing.read_bytes()
    record_leak(
        existing, server.base_url, f"rot.{token(28)}", monkeypatch, env_secrets=["RUNREPLAY_TEST_ROTATED"]
    )
    assert existing.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".runreplay.lock") == ["existing.yaml"]


def test_the_recorder_refuses_what_redaction_rounds_could_not_remove(
    server: FakeAssistantsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pattern that matches again around each placeholder outlasts the redactor's 8 rounds; the audit
    still finds what is left, so the cassette is refused rather than written with it."""
    path = tmp_path / "rounds.yaml"
    with pytest.raises(SecretLeakError) as info:
        with (
            use_cassette(path, record_mode="once", secret_patterns=["a<REDACTED>b|ab"]),
            httpx.Client() as client,
        ):
            client.post(
                f"{server.base_url}/threads/runs",
                content=b"a" * 12 + b"b" * 12,
                headers={"content-type": "text/plain"},
            )
    assert str(info.value).startswith(
        f"refusing to write cassette {path}: the audit found 1 secret(s) that redaction did not remove:\n"
        f"{path}: interaction 0: request.body: user-pattern:a<REDACTED>b|ab ("
    )
    assert not path.exists()


INNER = """
import os
import httpx
import pytest

@pytest.mark.cassette(env_secrets=["RUNREPLAY_TEST_ROTATED"])
def test_leak():
    with httpx.Client() as client:
        client.post(os.environ["RUNREPLAY_SAFETY_BASE_URL"] + "/threads/runs",
                    json={"assistant_id": "asst_1", "metadata": {"note": os.environ["RUNREPLAY_TEST_VALUE"]}})
    os.environ["RUNREPLAY_TEST_ROTATED"] = os.environ["RUNREPLAY_TEST_VALUE"]
"""


def test_a_test_whose_cassette_would_hold_a_secret_fails_with_the_reason(
    pytester: pytest.Pytester, server: FakeAssistantsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    value = f"rot.{token(28)}"
    monkeypatch.setenv("RUNREPLAY_SAFETY_BASE_URL", server.base_url)
    monkeypatch.setenv("RUNREPLAY_TEST_VALUE", value)
    monkeypatch.setenv("RUNREPLAY_TEST_ROTATED", "")  # restored (removed) after the test
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makepyfile(test_inner=INNER)
    result = pytester.runpytest("-p", "runreplay.plugin", "-p", "no:cacheprovider", "--record-mode=once")
    result.assert_outcomes(passed=1, errors=1)
    path = pytester.path / "cassettes" / "test_inner" / "test_leak.yaml"
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_leak*",
            f"E*runreplay.errors.SecretLeakError: refusing to write cassette {path}: the audit found 2 "
            "secret(s) that redaction did not remove:",
            f"E*{path}: interaction 0: request.body: env:RUNREPLAY_TEST_ROTATED ({value[:4]}…(32 chars))",
            "E*Nothing was written.",
        ]
    )
    assert value not in result.stdout.str()
    assert not path.exists()
