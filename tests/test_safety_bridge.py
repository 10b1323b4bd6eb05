"""Clients bridged through vcrpy's patches: aiohttp bodies of every kind record and replay; a urllib
(http.client) body cut short is recorded and replayed breaking at the same byte, and any other
mid-stream failure while recording fails with a clear error instead of passing unrecorded. The server
is the loopback echo server, which sends the request body back."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import io
import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from _echo_server import EchoServer
from runreplay.cassette import StreamError, load
from runreplay.errors import RunreplayError
from runreplay.recording import use_cassette


@pytest.fixture
def echo() -> Iterator[EchoServer]:
    server = EchoServer()
    try:
        yield server
    finally:
        server.stop()


def multipart() -> aiohttp.FormData:
    form = aiohttp.FormData(default_to_multipart=True)
    form.add_field("name", "ann")
    form.add_field("file", io.BytesIO(b"file content"), filename="a.txt", content_type="text/plain")
    return form


BODIES: list[tuple[str, Any, str, str]] = [
    ("json", {"json": {"a": 1, "b": ["x", None]}}, "application/json", '{"a": 1, "b": ["x", null]}'),
    (
        "data-dict",
        {"data": {"a": "1", "b": "two words"}},
        "application/x-www-form-urlencoded",
        "a=1&b=two+words",
    ),
    ("data-pairs", {"data": [("a", "1"), ("a", "2")]}, "application/x-www-form-urlencoded", "a=1&a=2"),
    ("bytes", {"data": b"\x00raw bytes"}, "application/octet-stream", "\x00raw bytes"),
    ("str", {"data": "plain text é"}, "text/plain; charset=utf-8", "plain text é"),
    ("form", {"data": aiohttp.FormData({"k": "v"})}, "application/x-www-form-urlencoded", "k=v"),
]


@pytest.mark.parametrize(("kind", "kwargs", "content_type", "sent"), BODIES, ids=[b[0] for b in BODIES])
def test_aiohttp_bodies_of_every_kind_record_and_replay(
    echo: EchoServer, tmp_path: Path, kind: str, kwargs: dict[str, Any], content_type: str, sent: str
) -> None:
    url = f"{echo.base_url}/echo"
    path = tmp_path / f"{kind}.yaml"

    async def post(arguments: dict[str, Any]) -> dict[str, Any]:
        async with aiohttp.ClientSession() as session, session.post(url, **arguments) as response:
            result: dict[str, Any] = await response.json()
            return result

    with use_cassette(path, record_mode="once"):
        live = asyncio.run(post(kwargs))
    assert (live["body"], live["headers"]["Content-Type"]) == (sent, content_type)
    recorded = load(path).interactions[0].request
    # aiohttp labels raw bytes itself on the wire; the recording keeps the headers the caller gave
    recorded_type = None if kind == "bytes" else content_type
    assert (recorded.body.decode("utf-8", "replace"), recorded.header("content-type")) == (
        sent,
        recorded_type,
    )
    echo.stop()
    again = dict(kwargs)
    if kind == "form":
        again["data"] = aiohttp.FormData({"k": "v"})  # a FormData is sent once
    with use_cassette(path) as session:
        assert asyncio.run(post(again)) == live
    assert session.stats().played == 1


def test_an_aiohttp_multipart_form_replays(echo: EchoServer, tmp_path: Path) -> None:
    """aiohttp draws a random boundary each time; in a cassette it is fixed, so the body matches."""
    url = f"{echo.base_url}/echo"
    path = tmp_path / "multipart.yaml"

    async def post() -> dict[str, Any]:
        async with aiohttp.ClientSession() as session, session.post(url, data=multipart()) as response:
            result: dict[str, Any] = await response.json()
            return result

    with use_cassette(path, record_mode="once"):
        live = asyncio.run(post())
    assert 'name="file"; filename="a.txt"' in live["body"]
    assert "file content" in live["body"]
    echo.stop()
    with use_cassette(path) as session:
        assert asyncio.run(post()) == live
    assert session.stats().played == 1


def test_a_urllib_body_that_breaks_is_recorded_and_replayed(echo: EchoServer, tmp_path: Path) -> None:
    path = tmp_path / "drop.yaml"
    url = f"{echo.base_url}/drop"
    with use_cassette(path, record_mode="once") as session, pytest.raises(http.client.IncompleteRead) as live:
        urllib.request.urlopen(url, timeout=10).read()
    assert session.errors == []
    recorded = load(path).interactions[0].response
    assert (recorded.body, recorded.complete, recorded.error) == (
        b"x" * 100,
        False,
        StreamError("http.client.IncompleteRead", str(live.value), after_chunk=1),
    )
    echo.stop()
    with use_cassette(path) as session:
        response = urllib.request.urlopen(url, timeout=10)
        assert response.status == 200
        with pytest.raises(http.client.IncompleteRead) as replayed:
            response.read()
    assert (replayed.value.partial, str(replayed.value)) == (b"x" * 100, str(live.value))
    assert str(live.value) == "IncompleteRead(100 bytes read, 900 more expected)"
    assert session.stats().played == 1


def test_a_replayed_urllib_drop_breaks_small_reads_at_the_same_byte(tmp_path: Path, echo: EchoServer) -> None:
    path = tmp_path / "drop.yaml"
    url = f"{echo.base_url}/drop"
    with use_cassette(path, record_mode="once"), pytest.raises(http.client.IncompleteRead):
        urllib.request.urlopen(url, timeout=10).read()
    with use_cassette(path):
        response = urllib.request.urlopen(url, timeout=10)
        assert [response.read(40), response.read(40), response.read(40)] == [b"x" * 40, b"x" * 40, b"x" * 20]
        with pytest.raises(http.client.IncompleteRead):
            response.read(40)


def test_a_urllib_body_reset_while_recording_fails_clearly(echo: EchoServer, tmp_path: Path) -> None:
    path = tmp_path / "reset.yaml"
    url = f"{echo.base_url}/reset"
    with pytest.raises(RunreplayError) as info:
        with use_cassette(path, record_mode="once") as session:
            with contextlib.suppress(RunreplayError):  # swallowed by the code under test:
                urllib.request.urlopen(url, timeout=10).read()  # it still fails the test (session.errors)
            assert len(session.errors) == 1
            raise session.errors[0]
    assert str(info.value) == (
        f"runreplay cannot record GET {url}: the connection broke while vcrpy read the body "
        "(builtins.ConnectionResetError: [Errno 104] Connection reset by peer). Clients recorded "
        "through vcrpy's patches (urllib.request, http.client, aiohttp, ...) are recorded with whole "
        "bodies: of the ways a body can break, only one cut short over http.client (IncompleteRead) is "
        "recorded and replayed; nothing was recorded for this request. Record the failure through httpx "
        "or requests (runreplay's own adapters record it chunk by chunk), or replay a healthy recording "
        "with faults.drop_after(...). "
        "See https://pypi.org/project/pytest-runreplay/#bridged-clients"
    )
    assert not path.exists()


def test_urllib_without_a_drop_still_records(echo: EchoServer, tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    with use_cassette(path, record_mode="once") as session:
        body = json.loads(urllib.request.urlopen(f"{echo.base_url}/echo", timeout=10).read())
    assert body["method"] == "GET"
    assert session.errors == []
    assert len(load(path).interactions) == 1


def test_an_aiohttp_body_that_breaks_while_recording_fails_clearly(echo: EchoServer, tmp_path: Path) -> None:
    path = tmp_path / "drop.yaml"
    url = f"{echo.base_url}/drop"

    async def get() -> bytes:
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            return await response.read()

    with pytest.raises(RunreplayError) as info, use_cassette(path, record_mode="once") as session:
        asyncio.run(get())
    assert str(info.value) == (
        f"runreplay cannot record GET {url}: the connection broke while vcrpy read the body "
        "(aiohttp.ClientPayloadError: Response payload is not completed: <ContentLengthError: 400, "
        "message='Not enough data to satisfy content length header (received 100 of 1000 bytes).'>). "
        "Clients recorded through vcrpy's patches (urllib.request, http.client, aiohttp, ...) are recorded "
        "with whole bodies: of the ways a body can break, only one cut short over http.client "
        "(IncompleteRead) is recorded and replayed; nothing was recorded for this request. Record the "
        "failure through httpx or requests (runreplay's own adapters record it chunk by chunk), or replay "
        "a healthy recording with faults.drop_after(...). "
        "See https://pypi.org/project/pytest-runreplay/#bridged-clients"
    )
    assert session.errors == [info.value]
    assert not path.exists()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (None, b""),
        ("é", "é".encode()),
        (bytearray(b"ab"), b"ab"),
        ({"a": "1", "b": ["2", "3"]}, b"a=1&b=2&b=3"),
        ([("a", "1"), ("a", "2")], b"a=1&a=2"),
        ([b"ab", "cd"], b"abcd"),
    ],
)
def test_bodies_vcrpy_hands_over_become_bytes(body: object, expected: bytes) -> None:
    from runreplay.recording._vcrpy_bridge import _body_bytes

    assert _body_bytes(body) == expected


def test_a_body_runreplay_cannot_turn_into_bytes_is_a_configuration_error() -> None:
    from runreplay.errors import ConfigurationError
    from runreplay.recording._vcrpy_bridge import _body_bytes

    with pytest.raises(ConfigurationError) as info:
        _body_bytes(3.5)
    assert str(info.value) == (
        "runreplay cannot record a request body of type float (3.5) sent through vcrpy's patches; "
        "expected bytes, str, a form (dict or list of pairs) or JSON. Send the body as bytes, or use a "
        "client runreplay has its own adapter for (httpx, requests). "
        "See https://pypi.org/project/pytest-runreplay/#bridged-clients"
    )


def test_compose_plain_reports_invalid_yaml_with_its_line() -> None:
    from runreplay.cassette._safe_yaml import compose_plain
    from runreplay.errors import CassetteFormatError

    with pytest.raises(CassetteFormatError) as info:
        compose_plain("bad.yaml", b"a: 1\nb: [\n")
    assert str(info.value).startswith("cannot load cassette bad.yaml, line 3: invalid YAML: ")
