"""Tests of `runreplay.recording._httpx_adapter`: what it patches, what it leaves alone, which errors it raises."""

from __future__ import annotations

from pathlib import Path

import httpx
import httpx2
import pytest

from runreplay.recording import use_cassette
from runreplay.recording._httpx_adapter import HttpxPatch, error_for, patches
from runreplay.recording._replay import Raise


def test_patches_cover_httpx2_then_httpx() -> None:
    assert [patch.module_name for patch in patches()] == ["httpx2", "httpx"]


@pytest.mark.parametrize("module", [httpx, httpx2])
def test_install_wraps_both_transports_and_uninstall_puts_the_originals_back(module: object) -> None:
    sync_cls, async_cls = module.HTTPTransport, module.AsyncHTTPTransport  # type: ignore[attr-defined]
    originals = (sync_cls.handle_request, async_cls.handle_async_request)
    patch = HttpxPatch(module.__name__)  # type: ignore[attr-defined]
    patch.install()
    patch.install()  # a second install changes nothing
    try:
        assert sync_cls.handle_request.__wrapped__ is originals[0]
        assert async_cls.handle_async_request.__wrapped__ is originals[1]
    finally:
        patch.uninstall()
        patch.uninstall()
    assert (sync_cls.handle_request, async_cls.handle_async_request) == originals


def test_a_mock_transport_is_left_alone_inside_a_cassette(tmp_path: Path) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, text="mocked"))
    with use_cassette(tmp_path / "none.yaml") as session, httpx.Client(transport=transport) as client:
        assert client.get("http://127.0.0.1:9/v1/models").text == "mocked"
    assert (session.errors, session.stats().played) == ([], 0)


@pytest.mark.parametrize(
    ("end", "expected"),
    [
        (Raise("recorded", "cut", "httpx.RemoteProtocolError", "protocol"), "RemoteProtocolError"),
        (Raise("recorded", "slow", "httpx2.PoolTimeout", "read_timeout"), "PoolTimeout"),
        (
            Raise("recorded", "cut", "requests.exceptions.ChunkedEncodingError", "protocol"),
            "RemoteProtocolError",
        ),
        (Raise("recorded", "slow", "aiohttp.ServerTimeoutError", "read_timeout"), "ReadTimeout"),
        (Raise("read_timeout", "The read operation timed out"), "ReadTimeout"),
        (Raise("protocol", "dropped"), "RemoteProtocolError"),
    ],
)
def test_a_recorded_end_is_raised_as_the_clients_own_class(end: Raise, expected: str) -> None:
    request = httpx2.Request("GET", "http://127.0.0.1:9/v1/models")
    error = error_for(httpx2, end, request)
    assert type(error) is getattr(httpx2, expected)
    assert (str(error), error.request) == (end.message, request)
