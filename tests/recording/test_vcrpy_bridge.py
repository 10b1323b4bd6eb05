"""Tests of `runreplay.recording._vcrpy_bridge`: the patch over vcrpy's patchers and the bodies it accepts."""

from __future__ import annotations

import http.client
import sys

import pytest

from runreplay.errors import ConfigurationError
from runreplay.recording._vcrpy_bridge import VcrPatch, _body_bytes, patches


def test_patches_hold_one_bridge_that_patches_http_client_and_undoes_it() -> None:
    (patch,) = patches()
    assert isinstance(patch, VcrPatch)
    original = http.client.HTTPConnection
    patch.install()
    try:
        assert http.client.HTTPConnection is not original
    finally:
        patch.uninstall()
    assert http.client.HTTPConnection is original
    patch.install()  # built once, started again
    patch.uninstall()
    assert http.client.HTTPConnection is original


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (None, b""),
        ("é", "é".encode()),
        (bytearray(b"ab"), b"ab"),
        ({"a": "1", "b": ["2", "3"]}, b"a=1&b=2&b=3"),
        ([("a", "1"), ("a", "2")], b"a=1&a=2"),
        ([b"x", "y"], b"xy"),
    ],
)
def test_bodies_of_every_kind_vcrpy_hands_over_become_bytes(body: object, expected: bytes) -> None:
    assert _body_bytes(body) == expected


def test_a_body_it_cannot_read_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError) as raised:
        _body_bytes(3.5)
    assert str(raised.value) == (
        "runreplay cannot record a request body of type float (3.5) sent through vcrpy's patches; expected "
        "bytes, str, a form (dict or list of pairs) or JSON. Send the body as bytes, or use a client runreplay "
        "has its own adapter for (httpx, requests). See https://pypi.org/project/pytest-runreplay/#bridged-clients"
    )


def test_the_drop_wrapper_stays_on_the_stub_class_the_patchers_were_built_from(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    patch = VcrPatch()
    patch.install()
    patch.uninstall()
    import vcr.stubs

    built = vcr.stubs.VCRConnection
    original = built.getresponse
    for name in [name for name in sys.modules if name == "vcr" or name.startswith("vcr.")]:
        monkeypatch.delitem(sys.modules, name)  # as pytester's in-process runs drop what they imported
    patch.install()
    try:
        assert built.getresponse.__wrapped__ is original  # type: ignore[attr-defined]
    finally:
        patch.uninstall()
    assert built.getresponse is original
