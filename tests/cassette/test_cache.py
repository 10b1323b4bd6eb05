"""The index cache beside large cassettes (`runreplay.cassette._cache`): derived, validated, disposable."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import runreplay.cassette._cache as cache
from runreplay import sse
from runreplay.cassette import Cassette, Chunk, Interaction, RecordedRequest, RecordedResponse, load, save
from runreplay.cassette._format import load_indexed
from runreplay.cassette._index import make_key_function


@pytest.fixture(autouse=True)
def small_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MIN_BYTES", 1)  # cache every file, however small


def cassette(count: int = 3) -> Cassette:
    interactions = []
    for i in range(count):
        body = json.dumps({"assistant_id": f"asst_{i}", "stream": True}).encode()
        frames = [sse.encode([sse.Event("delta", json.dumps({"i": i, "k": k}))]) for k in range(4)]
        response = RecordedResponse(
            200,
            "OK",
            "HTTP/1.1",
            [("content-type", "text/event-stream")],
            [Chunk(frame, 1.5 * k) for k, frame in enumerate(frames)],
            headers_ms=0.25,
            complete=i != 1,
        )
        request = RecordedRequest("POST", f"https://api.example/v1/runs?i={i}", [("x", str(i))], body)
        interactions.append(Interaction(request, response, "2026-01-01T00:00:00Z"))
    return Cassette(interactions, {"note": "cached"})


def test_the_second_load_comes_from_the_cache_and_equals_the_yaml(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    save(path, cassette())
    first, keys = load_indexed(path)
    assert cache.cache_path(path).exists()
    again, cached_keys = load_indexed(path)
    assert again == first == cassette()
    key = make_key_function()
    assert keys == cached_keys == [key(i.request) for i in first.interactions]


def test_bodies_are_read_from_the_cache_only_when_played(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.yaml"
    save(path, cassette())
    load(path)
    reads: list[int] = []
    real = cache._slicer

    def counting(view: object, start: int, end: int) -> object:
        inner = real(view, start, end)  # type: ignore[arg-type]

        def read() -> bytes:
            reads.append(start)
            return inner()  # type: ignore[no-any-return]

        return read

    monkeypatch.setattr(cache, "_slicer", counting)
    loaded = load(path)
    assert reads == []
    assert loaded.interactions[2].response.chunks == cassette().interactions[2].response.chunks
    assert len(reads) == 1


def test_a_cache_that_does_not_match_the_file_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.yaml"
    save(path, cassette(3))
    load(path)
    save(path, cassette(2))  # another file: another size, mtime and digest
    assert load(path) == cassette(2)
    # The same bytes written again (a checkout): size and mtime differ, the digest matches.
    data = path.read_bytes()
    load(path)
    path.write_bytes(data)
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    parses: list[str] = []
    import runreplay.cassette._load as fmt

    real_parse = fmt._parse
    monkeypatch.setattr(fmt, "_parse", lambda name, data: parses.append(name) or real_parse(name, data))
    assert load(path) == cassette(2)
    assert parses == []


@pytest.mark.parametrize(
    "damage",
    [b"", b"runreplay-index 1\n", b"runreplay-index 1\n000000000099garbage", b"not a cache at all\n"],
)
def test_a_broken_cache_is_ignored(tmp_path: Path, damage: bytes) -> None:
    path = tmp_path / "c.yaml"
    save(path, cassette())
    load(path)
    target = cache.cache_path(path)
    target.write_bytes(damage)
    assert load(path) == cassette()


def test_a_cache_cut_short_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    save(path, cassette())
    load(path)
    target = cache.cache_path(path)
    target.write_bytes(target.read_bytes()[:-10])
    assert load(path) == cassette()


def test_metadata_marshal_cannot_hold_leaves_no_cache(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        "format_version: 1\nrunreplay: x\nmeta:\n  when: 2026-01-01\ninteractions: []\n...\n",
        encoding="utf-8",
    )
    assert load(path).meta["when"].year == 2026
    assert not cache.cache_path(path).exists()
