"""Tests of the cassette file format: layout, body forms, round trips, load errors and atomic saves."""

from __future__ import annotations

import gc
import itertools
import json
import os
import stat
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import runreplay.cassette._dump as dump
from runreplay import sse
from runreplay._version import __version__
from runreplay.cassette import (
    FORMAT_VERSION,
    Cassette,
    CassetteFormatError,
    Chunk,
    Interaction,
    RecordedRequest,
    RecordedResponse,
    StreamError,
    dumps,
    load,
    loads,
    save,
)
from runreplay.cassette import (
    _literal as literal,
)

EXAMPLES = Path(__file__).resolve().parent.parent / "data" / "reference" / "examples"
STYLE = "'compact', 'spaced' or 'indent=N', then optionally 'ascii' and 'newline' (e.g. 'compact ascii')"
FIX = ". Fix or delete the file and record it again (--record-mode=rewrite); nothing was loaded from it."


def request(body: bytes = b"", headers: list[tuple[str, str]] | None = None) -> RecordedRequest:
    return RecordedRequest("POST", "https://api.openai.com/v1/threads/runs", headers or [], body)


def response(
    chunks: list[Chunk] | None = None, headers: list[tuple[str, str]] | None = None, **fields: Any
) -> RecordedResponse:
    return RecordedResponse(200, "OK", "HTTP/1.1", headers or [], chunks or [], **fields)


def one(interaction_request: RecordedRequest, interaction_response: RecordedResponse) -> Cassette:
    return Cassette([Interaction(interaction_request, interaction_response, "2026-01-01T00:00:00Z")])


def document(cassette: Cassette) -> dict[str, Any]:
    """The saved cassette as plain YAML data, to check what a reviewer sees."""
    data: dict[str, Any] = yaml.safe_load(dumps(cassette))
    return data


def stream_cassette() -> Cassette:
    body = (EXAMPLES / "create_thread_and_run_stream_text.sse").read_bytes()
    pieces = body.split(b"\n\n")[:-1]
    chunks = [Chunk(piece + b"\n\n", 50.0 + 12.5 * i) for i, piece in enumerate(pieces)]
    sent = json.dumps({"assistant_id": "asst_1", "stream": True}, separators=(",", ":")).encode()
    return Cassette(
        [
            Interaction(
                request(sent, [("Content-Type", "application/json"), ("Authorization", "<redacted>")]),
                response(chunks, [("content-type", "text/event-stream; charset=utf-8")], headers_ms=48.5),
                "2026-01-01T00:00:00Z",
            )
        ],
        {"recorder": "runreplay", "sdk": "openai 3.51.0"},
    )


class TestLayout:
    def test_top_level_keys_and_comment(self) -> None:
        text = dumps(Cassette())
        assert text.startswith("# runreplay cassette")
        assert text.endswith("...\n")
        assert document(Cassette()) == {
            "format_version": FORMAT_VERSION,
            "runreplay": __version__,
            "meta": {},
            "interactions": [],
        }

    def test_stream_interaction(self) -> None:
        saved = document(stream_cassette())
        interaction = saved["interactions"][0]
        assert saved["meta"] == {"recorder": "runreplay", "sdk": "openai 3.51.0"}
        assert interaction["recorded_at"] == "2026-01-01T00:00:00Z"
        assert interaction["request"] == {
            "method": "POST",
            "url": "https://api.openai.com/v1/threads/runs",
            "headers": "Content-Type: application/json\nAuthorization: <redacted>",
            "body": {"style": "compact", "json": '{\n  "assistant_id": "asst_1",\n  "stream": true\n}'},
        }
        got = interaction["response"]
        assert {key: got[key] for key in ("status", "reason", "http_version", "headers_ms", "complete")} == {
            "status": 200,
            "reason": "OK",
            "http_version": "HTTP/1.1",
            "headers_ms": 48.5,
            "complete": True,
        }
        assert got["body"]["chunks"].split()[:3] == ["146@50.0", "737@62.5", "736@75.0"]
        assert got["body"]["text"] == (EXAMPLES / "create_thread_and_run_stream_text.sse").read_text()
        assert "events" not in got["body"]  # derived from text; `runreplay inspect` shows it

    def test_literal_blocks_in_the_file(self) -> None:
        text = dumps(stream_cassette())
        assert (
            "    headers: |-\n      Content-Type: application/json\n      Authorization: <redacted>\n" in text
        )
        assert '      json: |-\n        {\n          "assistant_id": "asst_1",\n' in text
        assert "      text: |+\n        event: thread.created\n" in text

    def test_times_are_rounded_to_microseconds(self) -> None:
        cassette = one(request(), response([Chunk(b"x", 1.23456789)], headers_ms=0.0004))
        got = loads(dumps(cassette)).interactions[0].response
        assert (got.chunks[0].offset_ms, got.headers_ms) == (1.235, 0.0)

    def test_non_finite_times_are_refused(self) -> None:
        with pytest.raises(ValueError) as info:
            dumps(one(request(), response([Chunk(b"x", float("nan"))])))
        assert str(info.value) == "cannot save offset_ms=nan: times must be finite numbers of milliseconds."

    def test_error_and_incomplete_stream(self) -> None:
        cassette = one(
            request(),
            response(
                [Chunk(b"data: a\n\n", 1.0), Chunk(b"data: b", 2.0)],
                [("Content-Type", "text/event-stream")],
                complete=False,
                error=StreamError("httpx.RemoteProtocolError", "peer closed connection", 2),
            ),
        )
        got = document(cassette)["interactions"][0]["response"]
        assert got["complete"] is False
        assert got["error"] == {
            "type": "httpx.RemoteProtocolError",
            "message": "peer closed connection",
            "after_chunk": 2,
        }
        assert loads(dumps(cassette)) == cassette


class TestBodies:
    def body(self, raw: bytes, content_type: str | None = None) -> dict[str, Any]:
        headers = [("Content-Type", content_type)] if content_type else []
        cassette = one(request(raw, headers), response([Chunk(raw, 1.0)] if raw else [], headers))
        assert loads(dumps(cassette)) == cassette
        saved = document(cassette)["interactions"][0]
        stored: dict[str, Any] = saved["request"]["body"]
        assert {k: v for k, v in saved["response"]["body"].items() if k != "chunks"} == stored
        return stored

    @pytest.mark.parametrize(
        ("value", "style", "dump"),
        [
            ({"a": [1, 2.5]}, "compact", lambda v: json.dumps(v, separators=(",", ":"))),
            ({"a": [1, None]}, "spaced", json.dumps),
            ({"é": "ü"}, "compact", lambda v: json.dumps(v, separators=(",", ":"), ensure_ascii=False)),
            ({"é": "ü"}, "compact ascii", lambda v: json.dumps(v, separators=(",", ":"))),
            ({"a": 1}, "spaced newline", lambda v: json.dumps(v) + "\n"),
            ({"a": "\x7f"}, "indent=4", lambda v: json.dumps(v, indent=4, ensure_ascii=False)),
            ([], "compact", json.dumps),
        ],
    )
    def test_json_styles(self, value: Any, style: str, dump: Any) -> None:
        stored = self.body(dump(value).encode(), "application/json")
        assert stored["style"] == style
        assert json.loads(stored["json"]) == value

    def test_json_view_escapes_what_a_literal_block_cannot_hold(self) -> None:
        value = {"a": "x\u2028y\ufeff", "b": [1, 2]}
        stored = self.body(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())
        assert stored["json"] == '{\n  "a": "x\\u2028y\\ufeff",\n  "b": [\n    1,\n    2\n  ]\n}'

    def test_already_pretty_json_is_kept_as_text(self) -> None:
        raw = json.dumps({"a": {"b": 1}}, indent=2).encode()
        assert self.body(raw, "application/json") == {"text": raw.decode()}

    @pytest.mark.parametrize(
        "raw",
        [b'{"a":1,"a":2}', b'{"a": 1,"b":2}', b' {"a":1}', b'{"a":1e5}', b'{"a":1.10}', b'{"a":"\\u00E9"}'],
    )
    def test_json_that_does_not_reserialize_exactly_is_text(self, raw: bytes) -> None:
        assert self.body(raw, "application/json") == {"text": raw.decode()}

    def test_json_scalars_only_with_a_json_content_type(self) -> None:
        assert self.body(b"123", "text/plain") == {"text": "123"}
        assert self.body(b"123", "application/problem+json") == {"style": "compact", "json": "123"}
        assert self.body(b'{"a":1}', None)["style"] == "compact"

    def test_text_and_binary(self) -> None:
        assert self.body(b"hello\nworld\n") == {"text": "hello\nworld\n"}
        assert self.body(b"\xff\x00\x01") == {"base64": "/wAB"}
        assert self.body(b"") == {"text": ""}

    def test_long_binary_is_wrapped(self) -> None:
        stored = self.body(bytes(range(256)) * 2)
        assert all(len(line) <= 76 for line in stored["base64"].split("\n"))

    def test_event_stream_is_never_json(self) -> None:
        headers = [("content-type", "text/event-stream")]
        cassette = one(request(), response([Chunk(b'{"a":1}', 1.0)], headers))
        body = document(cassette)["interactions"][0]["response"]["body"]
        assert body == {
            "chunks": "7@1.0",
            "text": '{"a":1}',
        }

    def test_chunks_splitting_a_multibyte_character(self) -> None:
        raw = "data: Île\n\n".encode()
        chunks = [Chunk(raw[:7], 1.0), Chunk(raw[7:], 2.5)]
        cassette = one(request(), response(chunks, [("content-type", "text/event-stream")]))
        body = document(cassette)["interactions"][0]["response"]["body"]
        assert body["chunks"] == "7@1.0 5@2.5"
        assert body["text"] == "data: Île\n\n"
        assert loads(dumps(cassette)) == cassette

    def test_non_sse_chunks_keep_their_boundaries(self) -> None:
        raw = json.dumps({"id": "run_1", "status": "completed"}, separators=(",", ":")).encode()
        chunks = [Chunk(raw[:5], 1.0), Chunk(b"", 1.5), Chunk(raw[5:], 2.0)]
        cassette = one(request(), response(chunks, [("content-type", "application/json")]))
        assert (
            document(cassette)["interactions"][0]["response"]["body"]["chunks"]
            == f"5@1.0 0@1.5 {len(raw) - 5}@2.0"
        )
        assert loads(dumps(cassette)) == cassette

    def test_crlf_stream_round_trips(self) -> None:
        raw = b"event: a\r\ndata: 1\r\n\r\n"
        cassette = one(
            request(),
            response([Chunk(raw[:9], 0.0), Chunk(raw[9:], 1.0)], [("content-type", "text/event-stream")]),
        )
        assert loads(dumps(cassette)) == cassette


class TestHeaders:
    def headers(self, headers: list[tuple[str, str]]) -> Any:
        cassette = one(request(b"", headers), response([], headers))
        assert loads(dumps(cassette)) == cassette
        return document(cassette)["interactions"][0]["request"]["headers"]

    def test_duplicates_case_and_order_are_kept(self) -> None:
        headers = [("Set-Cookie", "a=1"), ("X-A", ""), ("set-cookie", "b=2"), ("x-b", " spaced ")]
        assert self.headers(headers) == "Set-Cookie: a=1\nX-A:\nset-cookie: b=2\nx-b:  spaced "

    def test_headers_a_line_cannot_hold_become_pairs(self) -> None:
        assert self.headers([("a", "1"), ("b:c", "2")]) == [["a", "1"], ["b:c", "2"]]
        assert self.headers([("a", "x\ny")]) == [["a", "x\ny"]]
        assert self.headers([("", "x")]) == [["", "x"]]

    def test_no_headers(self) -> None:
        assert self.headers([]) == ""


def test_unicode_and_control_characters_everywhere() -> None:
    weird = "é\x00\t\r\n\x85\u2028\ufeff 'quoted' \"double\" # not a comment: - [x] {y} &a *b !c |"
    cassette = Cassette(
        [
            Interaction(
                RecordedRequest(
                    weird, weird, [(weird.replace(":", "").replace("\n", ""), weird)], weird.encode()
                ),
                RecordedResponse(599, weird, weird, [("h", weird)], [Chunk(weird.encode(), 0.001)]),
                weird,
            )
        ],
        {weird: [weird, {"k": weird}], "yes": "no", "n": "1.0", "nul": None, "t": True, "i": -7, "f": 1e-7},
    )
    assert loads(dumps(cassette)) == cassette


# ---------------------------------------------------------------------------------------- properties

texts = st.text(st.characters(codec="utf-8"), max_size=12)
times = st.floats(0, 10**7, allow_nan=False, allow_infinity=False).map(lambda t: round(t, 3))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)


@st.composite
def json_bodies(draw: st.DrawFn) -> bytes:
    value = draw(json_values)
    ascii_only = draw(st.booleans())
    kind = draw(st.sampled_from(["compact", "spaced", "indent"]))
    if kind == "indent":
        text = json.dumps(value, indent=draw(st.integers(0, 4)), ensure_ascii=ascii_only)
    else:
        separators = (",", ":") if kind == "compact" else (", ", ": ")
        text = json.dumps(value, separators=separators, ensure_ascii=ascii_only)
    return (text + "\n" if draw(st.booleans()) else text).encode()


@st.composite
def sse_bodies(draw: st.DrawFn) -> bytes:
    events = [
        sse.Event(
            draw(st.sampled_from(["message", "thread.run.created", "é"])),
            draw(texts.map(lambda t: t.replace("\r", ""))),
        )
        for _ in range(draw(st.integers(0, 4)))
    ]
    body = sse.encode(events)
    return body.replace(b"\n", draw(st.sampled_from([b"\n", b"\r\n", b"\r"])))


bodies = st.one_of(st.binary(max_size=30), texts.map(str.encode), json_bodies())
content_types = st.sampled_from([None, "application/json", "text/plain", "text/event-stream; charset=utf-8"])
header_lists = st.lists(st.tuples(texts, texts), max_size=3)


@st.composite
def split(draw: st.DrawFn, body: bytes) -> list[Chunk]:
    if not body and draw(st.booleans()):
        return []
    cuts = sorted(draw(st.lists(st.integers(0, len(body)), max_size=4)))
    edges = [0, *cuts, len(body)]
    return [Chunk(body[a:b], draw(times)) for a, b in itertools.pairwise(edges)]


@st.composite
def responses(draw: st.DrawFn) -> RecordedResponse:
    content_type = draw(content_types)
    headers = draw(header_lists)
    if content_type:
        headers.insert(draw(st.integers(0, len(headers))), ("Content-Type", content_type))
    body = draw(sse_bodies() if content_type and "event-stream" in content_type else bodies)
    chunks = draw(split(body))
    error = draw(st.none() | st.builds(StreamError, texts, texts, st.integers(0, len(chunks))))
    return RecordedResponse(
        draw(st.integers(100, 599)),
        draw(texts),
        draw(texts),
        headers,
        chunks,
        draw(times),
        draw(st.booleans()),
        error,
    )


@st.composite
def requests(draw: st.DrawFn) -> RecordedRequest:
    headers = draw(header_lists)
    content_type = draw(content_types)
    if content_type:
        headers.append(("content-type", content_type))
    return RecordedRequest(draw(texts), draw(texts), headers, draw(bodies))


cassettes = st.builds(
    Cassette,
    st.lists(st.builds(Interaction, requests(), responses(), texts), max_size=3),
    st.dictionaries(texts, json_values, max_size=3),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cassette=cassettes)
def test_load_of_save_is_identity(backend: str, cassette: Cassette) -> None:
    assert loads(dumps(cassette)) == cassette


@settings(max_examples=150, deadline=None)
@given(cassette=cassettes)
def test_a_file_is_its_head_plus_each_interaction_rendered_alone(cassette: Cassette) -> None:
    # The run's end writes files from interactions rendered once, when they were journaled; that
    # must give the very text that rendering the whole document at once gives.
    document = {
        "format_version": FORMAT_VERSION,
        "runreplay": __version__,
        "meta": cassette.meta,
        "interactions": [
            {
                "recorded_at": i.recorded_at,
                "request": dump._request_out(i.request),
                "response": dump._response_out(i.response),
            }
            for i in cassette.interactions
        ],
    }
    whole = literal.finish(  # literal blocks and their comments, as dumps writes them
        yaml.dump(
            document,
            Dumper=dump._DUMPER,
            allow_unicode=True,
            sort_keys=False,
            default_flow_style=False,
            width=110,
            explicit_end=True,
        )
    )
    assert dumps(cassette) == dump._HEADER + whole


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cassette=cassettes)
def test_file_round_trip(tmp_path_factory: pytest.TempPathFactory, cassette: Cassette) -> None:
    path = tmp_path_factory.mktemp("c") / "c.yaml"
    save(path, cassette)
    assert load(path) == cassette


# -------------------------------------------------------------------------------------------- errors

VALID = dumps(stream_cassette())


def at(line: int) -> str:
    """The start of a load error message for line `line` of c.yaml."""
    return f"cannot load cassette c.yaml, line {line}: "


def error_of(text: str | bytes) -> str:
    with pytest.raises(CassetteFormatError) as info:
        loads(text, path="c.yaml")
    return str(info.value)


def replace(old: str, new: str) -> str:
    assert old in VALID
    return VALID.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


class TestLoadErrors:
    def test_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(FileNotFoundError) as info:
            load(tmp_path / "none.yaml")
        assert str(info.value) == (
            f"[Errno 2] no cassette at {tmp_path / 'none.yaml'}; record it first (e.g. --record-mode=once): "
            f"'{tmp_path / 'none.yaml'}'"
        )

    @pytest.mark.parametrize("text", ["", "   \n\n"])
    def test_empty_file(self, text: str) -> None:
        assert error_of(text) == (
            "cannot load cassette c.yaml: the file is empty; expected a runreplay cassette starting with "
            "format_version: 1" + FIX
        )

    def test_only_comments(self) -> None:
        assert error_of("# nothing\n") == (
            "cannot load cassette c.yaml: the file holds no YAML document, only comments or blank lines; "
            "expected a runreplay cassette starting with format_version: 1" + FIX
        )

    def test_invalid_yaml(self) -> None:
        assert error_of("format_version: 1\nmeta: {a: [\n") == (
            "cannot load cassette c.yaml, line 3: invalid YAML: did not find expected node content; "
            "expected a YAML document" + FIX
        )

    def test_not_a_mapping(self) -> None:
        assert error_of("- 1\n") == (
            "cannot load cassette c.yaml, line 1: the document is a list; expected a mapping that starts "
            "with format_version: 1" + FIX
        )

    def test_missing_format_version(self) -> None:
        vcrpy_like = "interactions: []\nversion: 1\n"
        assert error_of(vcrpy_like) == (
            "cannot load cassette c.yaml, line 1: there is no format_version, so this is not a runreplay "
            "cassette (a vcrpy cassette can be converted with runreplay.cassette.convert_vcrpy_file); "
            "expected format_version: 1 at the top" + FIX
        )

    def test_newer_format_version(self) -> None:
        assert error_of(replace("format_version: 1", "format_version: 2")) == (
            "cannot load cassette c.yaml, line 3: format_version is '2' (written by a newer runreplay: "
            "upgrade runreplay to read it); expected format_version: 1" + FIX
        )

    def test_wrong_format_version(self) -> None:
        assert error_of(replace("format_version: 1", "format_version: '1'")) == (
            "cannot load cassette c.yaml, line 3: format_version is '1'; expected format_version: 1" + FIX
        )

    def test_cut_off_file(self) -> None:
        text = VALID[: VALID.index("...\n")]
        assert error_of(text) == (
            at(text.count(chr(10)) + 1) + "the file does not end with the line "
            "'...' that runreplay writes after the last interaction, so it was probably cut off; expected "
            "'...' as the last line" + FIX
        )

    def test_cut_inside_a_body(self) -> None:
        text = VALID[: VALID.index("event: thread.run.queued")] + "...\n"
        kept = len(yaml.safe_load(text)["interactions"][0]["response"]["body"]["text"].encode())
        assert error_of(text) == (
            at(line_of(text, "chunks:")) + f"interactions[0].response.body.chunks "
            f"add up to 8739 bytes but the body has {kept}; expected chunk sizes that add up to the body's "
            "length (the file may have been cut off or edited)" + FIX
        )

    def test_missing_key(self) -> None:
        text = replace("    reason: OK\n", "")
        assert error_of(text) == (
            at(line_of(text, "    status: 200")) + "interactions[0].response "
            "has no 'reason'; expected the keys status, reason, http_version, headers, headers_ms, complete, "
            "body" + FIX
        )

    def test_unknown_key(self) -> None:
        text = replace("    reason: OK\n", "    reason: OK\n    raison: OK\n")
        assert error_of(text) == (
            at(line_of(text, "raison")) + "interactions[0].response has an "
            "unknown key 'raison'; expected only status, reason, http_version, headers, headers_ms, "
            "complete, body, error" + FIX
        )

    def test_duplicate_key(self) -> None:
        text = replace("    reason: OK\n", "    reason: OK\n    reason: Fine\n")
        assert error_of(text) == (
            at(line_of(text, "reason: Fine")) + "interactions[0].response has "
            "the key 'reason' twice; expected each key once" + FIX
        )

    @pytest.mark.parametrize(
        ("old", "new", "problem", "expected"),
        [
            (
                "status: 200",
                "status: OK",
                "interactions[0].response.status is 'OK' (a string)",
                "an integer HTTP status such as 200",
            ),
            (
                "complete: true",
                "complete: 1",
                "interactions[0].response.complete is '1' (an integer)",
                "true or false",
            ),
            (
                "headers_ms: 48.5",
                "headers_ms: soon",
                "interactions[0].response.headers_ms is 'soon' (a string)",
                "a number of milliseconds from 0 to 86400000 such as 12.5",
            ),
            (
                "method: POST",
                "method: [POST]",
                "interactions[0].request.method is a list",
                "a string (put it in quotes if YAML reads it as another type)",
            ),
            (
                "recorded_at: '2026-01-01T00:00:00Z'",
                "recorded_at: 2026-01-01T00:00:00Z",
                "interactions[0].recorded_at is '2026-01-01T00:00:00Z' (a timestamp value)",
                "a string (put it in quotes if YAML reads it as another type)",
            ),
        ],
    )
    def test_wrong_types(self, old: str, new: str, problem: str, expected: str) -> None:
        text = replace(old, new)
        line = line_of(text, new)
        assert error_of(text) == at(line) + f"{problem}; expected {expected}" + FIX

    def test_meta_must_be_a_mapping(self) -> None:
        text = "format_version: 1\nrunreplay: 0.1.0\nmeta: [1]\ninteractions: []\n...\n"
        assert error_of(text) == (
            "cannot load cassette c.yaml, line 3: meta is a list; expected a mapping (use {} for none)" + FIX
        )

    def test_interactions_must_be_a_list(self) -> None:
        text = "format_version: 1\nrunreplay: 0.1.0\nmeta: {}\ninteractions: {}\n...\n"
        assert error_of(text) == (
            "cannot load cassette c.yaml, line 4: interactions is a mapping; expected a list of interactions "
            "(use [] for none)" + FIX
        )

    def test_interaction_missing_request(self) -> None:
        text = "format_version: 1\nrunreplay: 0.1.0\nmeta: {}\ninteractions:\n"
        text += "- recorded_at: ''\n  response: {}\n...\n"
        assert error_of(text) == (
            "cannot load cassette c.yaml, line 5: interactions[0] has no 'request'; expected the keys "
            "recorded_at, request, response" + FIX
        )

    def test_bad_base64(self) -> None:
        cassette = one(request(b"\xff\xfe"), response())
        text = dumps(cassette).replace("base64: //4=", "base64: //4")
        assert error_of(text) == (
            at(line_of(text, "base64: ")) + "interactions[0].request.body.base64 "
            "is not valid base64 (Incorrect padding); expected base64 text (A-Z, a-z, 0-9, +, / "
            "and = padding)" + FIX
        )

    def test_chunks_must_be_a_string(self) -> None:
        text = dumps(one(request(), response([Chunk(b"x", 1.0)]))).replace(
            "chunks: 1@1.0", "chunks: [1, 1.0]"
        )
        assert error_of(text) == (
            at(line_of(text, "chunks:")) + "interactions[0].response.body.chunks "
            "is a list; expected a string of BYTES@MILLISECONDS items such as '134@0.5 271@312.25'" + FIX
        )

    def test_bad_chunk_item(self) -> None:
        text = replace("146@50.0", "146@soon")
        assert error_of(text) == (
            at(line_of(text, "chunks:")) + "interactions[0].response.body.chunks "
            "has the item '146@soon'; expected a string of BYTES@MILLISECONDS items such as "
            "'134@0.5 271@312.25'" + FIX
        )

    def test_two_body_forms(self) -> None:
        text = replace("      style: compact\n", "      style: compact\n      text: x\n")
        assert error_of(text) == (
            at(line_of(text, "style: compact")) + "interactions[0].request.body has "
            "both text and json; expected exactly one of text, json or base64" + FIX
        )

    def test_no_body_form(self) -> None:
        text = "format_version: 1\nrunreplay: x\nmeta: {}\ninteractions:\n- recorded_at: ''\n  request:\n"
        text += "    method: GET\n    url: /\n    headers: ''\n    body: {}\n  response: {}\n...\n"
        assert error_of(text) == (
            "cannot load cassette c.yaml, line 10: interactions[0].request.body has none of them; expected "
            "exactly one of text, json or base64" + FIX
        )

    def test_bad_json_view(self) -> None:
        text = replace('"stream": true', '"stream": tru')
        assert error_of(text) == (
            at(line_of(text, "tru")) + "interactions[0].request.body.json is not "
            "valid JSON (Expecting value: line 3 column 13 (char 42)); expected JSON text" + FIX
        )

    def test_bad_style(self) -> None:
        text = replace("style: compact", "style: tight")
        assert error_of(text) == (
            at(line_of(text, "tight")) + "interactions[0].request.body.style is "
            "'tight'; expected 'compact', 'spaced' or 'indent=N', then optionally 'ascii' and 'newline' "
            "(e.g. 'compact ascii')" + FIX
        )

    def test_bad_header_line(self) -> None:
        text = replace("      Authorization: <redacted>\n", "      Authorization <redacted>\n")
        assert error_of(text) == (
            at(line_of(text, "Authorization")) + "interactions[0].request.headers "
            "has the line 'Authorization <redacted>'; expected one \"Name: value\" line per header" + FIX
        )

    def test_after_chunk_beyond_the_chunks(self) -> None:
        cassette = one(request(), response([Chunk(b"x", 1.0)], error=StreamError("E", "m", 1)))
        text = dumps(cassette).replace("after_chunk: 1", "after_chunk: 5")
        assert error_of(text) == (
            at(line_of(text, "after_chunk")) + ""
            "interactions[0].response.error.after_chunk is 5 but the body has 1 chunks; expected a chunk count "
            "from 0 to 1" + FIX
        )

    @pytest.mark.parametrize(
        ("old", "new", "problem", "expected"),
        [
            (
                "      style: compact\n",
                "",
                "interactions[0].request.body has json but no style",
                "a style such as 'compact' next to json",
            ),
            (
                "      style: compact\n",
                "      style: ''\n",
                "interactions[0].request.body.style is empty",
                STYLE,
            ),
            (
                "      style: compact\n",
                "      style: indent=x\n",
                "interactions[0].request.body.style is 'indent=x'",
                STYLE,
            ),
            (
                "      style: compact\n",
                "      style: compact ascii ascii\n",
                "interactions[0].request.body.style is 'compact ascii ascii'",
                STYLE,
            ),
        ],
    )
    def test_bad_json_body_forms(self, old: str, new: str, problem: str, expected: str) -> None:
        text = replace(old, new)
        line = line_of(text, new) if new else line_of(text, "      json: |-")
        assert error_of(text) == at(line) + f"{problem}; expected {expected}" + FIX

    def test_style_next_to_text(self) -> None:
        text = dumps(one(request(b"hi"), response())).replace(
            "      text: hi\n", "      text: hi\n      style: compact\n"
        )
        assert error_of(text) == (
            at(line_of(text, "style: compact"))
            + "interactions[0].request.body has a style but no json; expected "
            "style only next to json" + FIX
        )

    def test_surrogate_escape_in_text(self, backend: str) -> None:
        text = dumps(one(request(b"hi"), response())).replace("      text: hi\n", '      text: "\\ud800"\n')
        if backend == "libyaml":
            problem = "invalid YAML: found invalid Unicode character escape code; expected a YAML document"
        else:
            problem = "interactions[0].request.body.text holds '\\ud800', a lone surrogate; expected text"
        assert error_of(text) == at(line_of(text, "ud800")) + problem + FIX

    def test_bad_header_pair(self) -> None:
        text = dumps(one(request(b"", [("a:b", "1")]), response()))
        text = text.replace("- ['a:b', '1']", "- ['a:b']")
        assert error_of(text) == (
            at(line_of(text, "- ['a:b']"))
            + "interactions[0].request.headers has the item a list; expected a "
            "[name, value] pair of strings" + FIX
        )

    def test_headers_of_the_wrong_type(self) -> None:
        text = dumps(one(request(b"", [("a", "1")]), response())).replace(
            "headers: 'a: 1'", "headers: {a: 1}", 1
        )
        assert error_of(text) == (
            at(line_of(text, "{a: 1}")) + "interactions[0].request.headers is a mapping; expected a block of "
            '"Name: value" lines or a list of [name, value] pairs' + FIX
        )

    def test_body_must_be_a_mapping(self) -> None:
        text = dumps(one(request(b"hi"), response())).replace(
            "    body:\n      text: hi\n", "    body: hi\n", 1
        )
        assert error_of(text) == (
            at(line_of(text, "body: hi"))
            + "interactions[0].request.body is 'hi' (a string); expected a mapping "
            "with the keys " + FIX
        )

    def test_yaml_integers_are_read_as_yaml_reads_them(self) -> None:
        text = dumps(one(request(), response())).replace("status: 200", "status: 0xc8")
        assert loads(text).interactions[0].response.status == 200

    def test_unsafe_tags_are_refused(self) -> None:
        text = replace("meta:\n", "meta:\n  x: !!python/object/apply:os.system ['true']\n")
        assert error_of(text) == (
            at(line_of(text, "x: !!python"))
            + "the tag tag:yaml.org,2002:python/object/apply:os.system is not allowed; expected plain "
            "YAML as runreplay writes it, without anchors (&), aliases (*) or tags (!); record the "
            "cassette again rather than editing it this way" + FIX
        )

    def test_gc_is_restored_after_an_error(self) -> None:
        assert gc.isenabled()
        error_of("- 1\n")
        assert gc.isenabled()
        gc.disable()
        try:
            loads(VALID)
            assert not gc.isenabled()
        finally:
            gc.enable()

    def test_the_events_view_of_older_files_is_ignored_on_load(self) -> None:
        # Files written before 0.2 hold a derived `events:` block after `text:`; they still load.
        marker = "\n...\n"
        assert VALID.endswith(marker)
        older = VALID[: -len(marker)] + "\n      events: |-\n        #1 edited by hand\n        {}" + marker
        assert loads(older) == stream_cassette()
        wrong = VALID[: -len(marker)] + "\n      events: [1]" + marker
        assert error_of(wrong) == (
            at(line_of(wrong, "events: [1]")) + "interactions[0].response.body.events is a list; "
            "expected a string (put it in quotes if YAML reads it as another type)" + FIX
        )


class TestSave:
    def test_creates_parent_folders_and_leaves_no_temporary_file(self, tmp_path: Path) -> None:
        path = tmp_path / "a" / "b" / "c.yaml"
        save(path, stream_cassette())
        assert load(path) == stream_cassette()
        assert os.listdir(path.parent) == ["c.yaml"]

    def test_permissions_follow_the_umask(self, tmp_path: Path) -> None:
        old = os.umask(0o027)
        try:
            save(tmp_path / "c.yaml", Cassette())
        finally:
            os.umask(old)
        assert stat.S_IMODE((tmp_path / "c.yaml").stat().st_mode) == 0o640

    def test_failed_replace_keeps_the_old_file(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        path = tmp_path / "c.yaml"
        save(path, Cassette())
        before = path.read_bytes()

        def crash(src: object, dst: object) -> None:
            raise OSError("disk on fire")

        monkeypatch.setattr(os, "replace", crash)
        with pytest.raises(OSError, match="disk on fire"):
            save(path, stream_cassette())
        assert path.read_bytes() == before
        assert os.listdir(tmp_path) == ["c.yaml"]

    def test_failed_write_keeps_the_old_file(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        path = tmp_path / "c.yaml"
        save(path, Cassette())

        def crash(fd: int) -> None:
            raise KeyboardInterrupt

        monkeypatch.setattr(os, "fsync", crash)
        with pytest.raises(KeyboardInterrupt):
            save(path, stream_cassette())
        assert load(path) == Cassette()
        assert os.listdir(tmp_path) == ["c.yaml"]

    def test_unserializable_meta_writes_nothing(self, tmp_path: Path) -> None:
        with pytest.raises(yaml.representer.RepresenterError):
            save(tmp_path / "c.yaml", Cassette(meta={"x": object()}))
        assert os.listdir(tmp_path) == []

    def test_loads_accepts_bytes(self) -> None:
        assert loads(VALID.encode()) == stream_cassette()


def test_out_of_range_status_and_after_chunk_are_refused_with_the_place(tmp_path: Path) -> None:
    cassette = Cassette(
        interactions=[
            Interaction(
                RecordedRequest("GET", "http://127.0.0.1/v1/x"),
                RecordedResponse(
                    status=200, chunks=[Chunk(b"a", 1.0)], error=StreamError("httpx2.ReadError", "boom", 1)
                ),
            )
        ]
    )
    text = dumps(cassette)
    path = tmp_path / "c.yaml"
    path.write_text(text.replace("status: 200", "status: 99999"))
    with pytest.raises(CassetteFormatError) as excinfo:
        load(path)
    assert str(excinfo.value) == (
        f"cannot load cassette {path}, line {excinfo.value.line}: interactions[0].response.status is 99999; "
        "expected an HTTP status from 100 to 599. Fix or delete the file and record it again "
        "(--record-mode=rewrite); nothing was loaded from it."
    )
    path.write_text(text.replace("after_chunk: 1", "after_chunk: -1"))
    with pytest.raises(CassetteFormatError) as excinfo:
        load(path)
    assert str(excinfo.value) == (
        f"cannot load cassette {path}, line {excinfo.value.line}: interactions[0].response.error.after_chunk "
        "is -1 but the body has 1 chunks; expected a chunk count from 0 to 1. Fix or delete the file and "
        "record it again (--record-mode=rewrite); nothing was loaded from it."
    )


def test_a_save_leaves_other_temporary_files_alone(tmp_path: Path) -> None:
    # Leftovers of killed saves are removed once per run by the fold, under the cassette lock
    # (tests/test_safety_crash.py); a plain save no longer lists the folder.
    path = tmp_path / "c.yaml"
    leftover = tmp_path / ".c.yaml.0123456789ab.tmp"
    leftover.write_text("partial")
    old = time.time() - 7200
    os.utime(leftover, (old, old))
    save(path, Cassette())
    assert leftover.exists()
