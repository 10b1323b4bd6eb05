"""Tests of `runreplay.recording._requests_adapter`: the patch, request bodies, timeouts and errors."""

from __future__ import annotations

import io

import requests
import requests.adapters
from urllib3 import exceptions
from urllib3.util import Timeout

from runreplay.recording._replay import Raise
from runreplay.recording._requests_adapter import RequestsPatch, _body_bytes, _error, _read_timeout, patches


def test_patches_hold_one_requests_patch_that_is_reversible() -> None:
    (patch,) = patches()
    assert isinstance(patch, RequestsPatch)
    original = requests.adapters.HTTPAdapter.send
    patch.install()
    try:
        assert requests.adapters.HTTPAdapter.send.__wrapped__ is original  # type: ignore[attr-defined]
    finally:
        patch.uninstall()
    assert requests.adapters.HTTPAdapter.send is original


def test_a_streamed_body_is_read_once_and_put_back_as_bytes() -> None:
    prepared = requests.Request("POST", "http://127.0.0.1:9/v1/x", data=iter([b"a", "b"])).prepare()
    assert prepared.headers["Transfer-Encoding"] == "chunked"
    assert _body_bytes(prepared) == b"ab"
    assert (prepared.body, prepared.headers["Content-Length"]) == (b"ab", "2")
    assert "Transfer-Encoding" not in prepared.headers
    file_like = requests.Request("POST", "http://127.0.0.1:9/v1/x", data=io.BytesIO(b"file")).prepare()
    assert _body_bytes(file_like) == b"file"


def test_the_read_timeout_is_found_in_every_form_requests_accepts() -> None:
    assert [_read_timeout(t) for t in (None, 3, (1, 4.5), (2,), Timeout(connect=1, read=7))] == [
        None,
        3.0,
        4.5,
        2.0,
        7.0,
    ]


def test_recorded_ends_become_urllib3_errors() -> None:
    url = "http://127.0.0.1:9/v1/x"
    timeout = _error(Raise("read_timeout", "The read operation timed out"), url)
    assert type(timeout) is exceptions.ReadTimeoutError
    assert str(timeout) == "None: Read timed out. (The read operation timed out)"
    broken = _error(Raise("recorded", "reset", "builtins.ConnectionResetError", "protocol"), url)
    assert (type(broken), str(broken)) == (exceptions.ProtocolError, "Connection broken: reset")
