"""Tests of `runreplay.recording._adapters`: the registry is the one place a client adapter is added."""

from __future__ import annotations

import ast
import importlib.machinery
import importlib.util
import re
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from runreplay.cassette import load
from runreplay.recording import (
    _active,
    _adapters,
    _httpx_adapter,
    _requests_adapter,
    _vcrpy_bridge,
    resolve,
    use_cassette,
)
from runreplay.recording._active import open_session
from runreplay.recording._current import current_session

from . import _fake_adapter

SRC = Path(_adapters.__file__).parent


def test_the_registry_lists_the_three_adapters_chunk_faithful_first_and_vcrpy_last() -> None:
    assert list(_adapters.ADAPTERS) == [
        _httpx_adapter.patches,
        _requests_adapter.patches,
        _vcrpy_bridge.patches,
    ]


def test_available_patches_follow_the_registry_and_skip_libraries_that_are_not_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    names = [getattr(p, "module_name", type(p).__name__) for p in _adapters.available_patches()]
    assert names == ["httpx2", "httpx", "RequestsPatch", "VcrPatch"]
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name in ("httpx", "requests") else real_find_spec(name, *a),
    )
    names = [getattr(p, "module_name", type(p).__name__) for p in _adapters.available_patches()]
    assert names == ["httpx2", "VcrPatch"]


def test_a_new_adapter_is_one_module_plus_one_registry_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(_adapters, "ADAPTERS", (*_adapters.ADAPTERS, _fake_adapter.patches))
    monkeypatch.setattr(_active, "_patches", [])  # built again from the registry on the next activation
    monkeypatch.setattr(_fake_adapter, "events", [])
    config = resolve({"record_mode": "rewrite"})
    with open_session(tmp_path / "outer.yaml", config) as outer:
        assert current_session() is outer
        with open_session(tmp_path / "inner.yaml", config):
            pass
        assert _fake_adapter.events == ["install outer.yaml"]  # installed once, for the first session
    assert _fake_adapter.events == ["install outer.yaml", "uninstall"]
    with open_session(tmp_path / "again.yaml", config):
        pass
    assert _fake_adapter.events == ["install outer.yaml", "uninstall", "install again.yaml", "uninstall"]


def test_adapters_import_the_current_session_from_the_leaf_and_nothing_imports_them_but_the_registry() -> (
    None
):
    importers: dict[str, set[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module is not None:
                targets = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
                for target in targets:
                    importers.setdefault(target, set()).add(path.name)
    for adapter in ("_httpx_adapter", "_requests_adapter", "_vcrpy_bridge"):
        assert importers.get(f"runreplay.recording.{adapter}", set()) == {"_adapters.py"}
    assert importers["runreplay.recording._current"] >= {
        "_httpx_adapter.py",
        "_requests_adapter.py",
        "_vcrpy_bridge.py",
    }
    leaf = ast.parse((SRC / "_current.py").read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(leaf) if isinstance(n, ast.ImportFrom)}
    assert imported == {"__future__", "contextvars", "typing", "runreplay.recording._session"}


def _python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, re.S)


def test_the_worked_example_in_the_architecture_page_records_and_replays_through_the_registry(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = doc[doc.index("## A client adapter") : doc.index("## An endpoint")]
    example, registry = _python_blocks(section)
    real = (SRC / "_adapters.py").read_text(encoding="utf-8")
    assert registry.replace("    _foo_adapter.patches,  # fooclient, chunk by chunk\n", "") in real
    sent: list[bytes] = []

    class Response:
        def __init__(self, status: int, headers: list[tuple[str, str]], body: Iterator[bytes]) -> None:
            self.status, self.headers, self._body = status, headers, body

        def iter_bytes(self) -> Iterator[bytes]:
            return self._body

    class Client:
        def send(self, method: str, url: str, body: bytes = b"") -> Response:
            sent.append(body)
            return Response(200, [("content-type", "text/plain")], iter([b"he", b"llo"]))

    fooclient = types.ModuleType("fooclient")
    fooclient.__spec__ = importlib.machinery.ModuleSpec("fooclient", None)
    fooclient.Client, fooclient.Response = Client, Response  # type: ignore[attr-defined]
    fooclient.host_of = lambda url: urlsplit(url).hostname  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fooclient", fooclient)
    _foo_adapter = types.ModuleType("runreplay.recording._foo_adapter")
    exec(example, _foo_adapter.__dict__)
    line = next(line for line in registry.splitlines() if "_foo_adapter" in line)
    first = [*_adapters.ADAPTERS[:-1], eval(line.split("#")[0].strip().rstrip(",")), _adapters.ADAPTERS[-1]]
    monkeypatch.setattr(_adapters, "ADAPTERS", tuple(first))
    monkeypatch.setattr(_active, "_patches", [])
    path = tmp_path / "foo.yaml"
    url = "http://127.0.0.1:9/v1/things"
    with use_cassette(path, record_mode="once"):
        assert list(fooclient.Client().send("POST", url, b"x").iter_bytes()) == [b"he", b"llo"]
    with use_cassette(path):
        assert list(fooclient.Client().send("POST", url, b"x").iter_bytes()) == [b"he", b"llo"]
    assert sent == [b"x"]  # the second call was answered from the cassette
    assert [c.data for c in load(path).interactions[0].response.chunks] == [b"he", b"llo"]
    assert fooclient.Client.send is Client.send  # uninstalled when the last session closed
