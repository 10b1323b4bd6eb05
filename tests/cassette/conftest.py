"""Fixtures the cassette tests share: running a test with each YAML backend."""

from __future__ import annotations

import pytest
import yaml

import runreplay.cassette._dump as dump
import runreplay.cassette._load as load_module


@pytest.fixture(params=["libyaml", "pure-python"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with LibYAML's parser and emitter, then with PyYAML's pure-Python fallbacks."""
    if request.param == "pure-python":
        monkeypatch.setattr(load_module, "_LOADER", load_module._make_loader(yaml.SafeLoader))
        monkeypatch.setattr(dump, "_DUMPER", dump._make_dumper(yaml.SafeDumper))
    return str(request.param)
