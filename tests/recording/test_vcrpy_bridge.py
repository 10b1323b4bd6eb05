"""Tests of `runreplay.recording._vcrpy_bridge`: the patch over vcrpy's patchers (bodies: test_safety_bridge.py)."""

from __future__ import annotations

import http.client
import sys

import pytest

from runreplay.recording._vcrpy_bridge import VcrPatch, patches


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
