"""Tests of the vcrpy importer, on cassettes written by vcrpy itself and on broken input."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import vcr
from vcr.persisters.filesystem import FilesystemPersister
from vcr.request import Request
from vcr.serializers import jsonserializer, yamlserializer

from runreplay import sse
from runreplay.cassette import Chunk, convert_vcrpy_file, from_vcrpy, load
from runreplay.cassette._convert import from_vcrpy_data
from runreplay.errors import CassetteFormatError

STREAM = b'event: thread.created\ndata: {"id":"thread_1"}\n\nevent: done\ndata: [DONE]\n\n'
V = "cannot import vcrpy cassette vcr.yaml"
FIX = ". Nothing was converted: fix that part of the file and import it again."


class _Handler(http.server.BaseHTTPRequestHandler):
    """Answers POST /v1/threads/runs with SSE when the JSON body asks for a stream, else with JSON."""

    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        sent = json.loads(self.rfile.read(int(self.headers["content-length"])))
        if sent.get("stream"):
            body, content_type = STREAM, "text/event-stream"
        else:
            body, content_type = json.dumps({"id": "run_1", "status": "queued"}).encode(), "application/json"
        self.send_response(200)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        self.send_header("set-cookie", "a=1")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def server() -> Iterator[str]:
    """A tiny loopback HTTP server; yields its base URL."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.mark.parametrize("serializer", ["yaml", "json"])
def test_a_real_vcrpy_recording_converts(server: str, tmp_path: Path, serializer: str) -> None:
    source = tmp_path / f"vcr.{serializer}"
    recorder = vcr.VCR(serializer=serializer, record_mode="once")
    with recorder.use_cassette(str(source)), httpx.Client() as client:
        client.post(f"{server}/v1/threads/runs", json={"assistant_id": "asst_1", "stream": True})
        client.post(f"{server}/v1/threads/runs", json={"assistant_id": "asst_1"})
    assert source.exists()

    destination = tmp_path / "out" / "runreplay.yaml"
    cassette = convert_vcrpy_file(source, destination)
    assert load(destination) == cassette
    assert cassette.meta == {"converted_from": "vcrpy", "source": source.name}

    streamed, plain = cassette.interactions
    assert streamed.request.method == "POST"
    assert streamed.request.url == f"{server}/v1/threads/runs"
    assert json.loads(streamed.request.body) == {"assistant_id": "asst_1", "stream": True}
    assert ("content-type", "application/json") in streamed.request.headers
    assert streamed.response.status == 200
    assert streamed.response.reason == "OK"
    assert streamed.response.is_event_stream
    assert ("set-cookie", "a=1") in streamed.response.headers
    assert streamed.response.chunks == [
        Chunk(b'event: thread.created\ndata: {"id":"thread_1"}\n\n', 0.0),
        Chunk(b"event: done\ndata: [DONE]\n\n", 0.0),
    ]
    decoder = sse.Decoder()
    assert [decoder.feed(chunk.data) for chunk in streamed.response.chunks] == [
        [sse.Event("thread.created", '{"id":"thread_1"}')],
        [sse.Event("done", "[DONE]")],
    ]
    assert plain.response.chunks == [Chunk(b'{"id": "run_1", "status": "queued"}', 0.0)]
    assert (plain.response.http_version, plain.response.headers_ms, plain.recorded_at) == (
        "HTTP/1.1",
        0.0,
        "",
    )


def test_binary_bodies_and_vcrpy_python_tags(tmp_path: Path) -> None:
    request = Request("POST", "https://example.com/upload", b"\xff\x00binary", {"X-Tag": "1"})
    response = {
        "status": {"code": 201, "message": "Created"},
        "headers": {"content-type": ["application/octet-stream"]},
        "body": {"string": b"\x89PNG\r\n\x1a\n\xff"},
    }
    path = tmp_path / "binary.yaml"
    FilesystemPersister.save_cassette(path, {"requests": [request], "responses": [response]}, yamlserializer)
    assert "!!binary" in path.read_text()
    cassette = from_vcrpy(path)
    got = cassette.interactions[0]
    assert got.request.body == b"\xff\x00binary"
    assert got.request.headers == [("X-Tag", "1")]
    assert got.response.body == b"\x89PNG\r\n\x1a\n\xff"
    assert (got.response.status, got.response.reason) == (201, "Created")


def test_old_vcrpy_tags_are_read_safely() -> None:
    text = """
interactions:
- request:
    body: !!python/object/new:_io.BytesIO
      state: !!python/tuple [!!binary "aGVsbG8=", 0, null]
    headers: {A: !!python/unicode 'x'}
    method: !!python/str GET
    uri: http://example.com/
  response:
    status: {code: 204, message: No Content}
    headers: {}
    body: {string: ''}
- request:
    body: !!python/object/apply:builtins.iter
      args: [[a, b]]
    headers: {}
    method: POST
    uri: http://example.com/
  response: {status: {code: 200}, body: {string: ok}}
version: 1
"""
    first, second = from_vcrpy_data(text).interactions
    assert (first.request.body, first.request.headers, first.request.method) == (
        b"hello",
        [("A", "x")],
        "GET",
    )
    assert first.response.chunks == []
    assert second.request.body == b"ab"
    assert second.response.body == b"ok"


def test_missing_bodies_and_headers(tmp_path: Path) -> None:
    text = json.dumps(
        {
            "interactions": [
                {"request": {"method": "GET", "uri": "http://e.com/"}, "response": {"status": {"code": 200}}}
            ],
            "version": 1,
        }
    )
    cassette = from_vcrpy_data(text)
    got = cassette.interactions[0]
    assert (got.request.body, got.request.headers, got.response.chunks, got.response.headers) == (
        b"",
        [],
        [],
        [],
    )


def test_sse_split_keeps_every_byte_and_line_end_style() -> None:
    body = b"data: a\r\n\r\n: c\r\rdata: b\n\ntail"
    text = json.dumps(
        {
            "interactions": [
                {
                    "request": {"method": "GET", "uri": "http://e.com/"},
                    "response": {
                        "status": {"code": 200},
                        "headers": {"Content-Type": "text/event-stream; charset=utf-8"},
                        "body": {"string": body.decode()},
                    },
                }
            ]
        }
    )
    chunks = from_vcrpy_data(text).interactions[0].response.chunks
    assert [chunk.data for chunk in chunks] == [b"data: a\r\n\r\n", b": c\r\r", b"data: b\n\n", b"tail"]


def test_json_serializer_file(tmp_path: Path) -> None:
    request = Request("GET", "http://e.com/", None, {})
    response = {"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {"string": "hi"}}
    path = tmp_path / "c.json"
    FilesystemPersister.save_cassette(path, {"requests": [request], "responses": [response]}, jsonserializer)
    assert from_vcrpy(path).interactions[0].response.body == b"hi"


def error_of(text: str) -> str:
    with pytest.raises(CassetteFormatError) as info:
        from_vcrpy_data(text, path="vcr.yaml")
    return str(info.value)


class TestErrors:
    def test_empty(self) -> None:
        assert error_of(" \n") == (V + ": the file is empty; expected a vcrpy cassette (YAML or JSON)" + FIX)

    def test_invalid_yaml(self) -> None:
        assert error_of("interactions: [\n") == (
            V + ", line 2: cannot read the YAML: did not find expected node content; "
            "expected a vcrpy YAML cassette (only the safe tags vcrpy writes)" + FIX
        )

    def test_unsafe_tag(self) -> None:
        assert error_of("x: !!python/object/apply:os.system ['true']\n") == (
            V + ", line 1: cannot read the YAML: could not determine a constructor for "
            "the tag 'tag:yaml.org,2002:python/object/apply:os.system'; expected a vcrpy YAML cassette (only "
            "the safe tags vcrpy writes)" + FIX
        )

    def test_invalid_json(self) -> None:
        assert error_of('{"interactions": [}') == (
            V + ", line 1: invalid JSON: Expecting value: line 1 column 19 (char 18); "
            "expected a vcrpy JSON cassette" + FIX
        )

    def test_not_a_vcrpy_cassette(self) -> None:
        assert error_of("format_version: 1\n") == (
            V + ": the document has no 'interactions'; expected the keys interactions "
            "(a vcrpy cassette)" + FIX
        )

    def test_interactions_not_a_list(self) -> None:
        assert error_of("interactions: 3\n") == (
            V + ": interactions is 3 (an integer); expected a list of interactions" + FIX
        )

    def test_unknown_version(self) -> None:
        assert error_of("interactions: []\nversion: 2\n") == (
            V + ": version is 2; expected version: 1 (the vcrpy cassette format this importer reads)" + FIX
        )

    def test_missing_uri(self) -> None:
        text = "interactions:\n- request: {method: GET}\n  response: {status: {code: 200}}\n"
        assert error_of(text) == (
            V + ": interactions[0].request has no 'uri'; expected the keys method, uri "
            "(a vcrpy cassette)" + FIX
        )

    def test_bad_status(self) -> None:
        text = "interactions:\n- request: {method: GET, uri: /}\n  response: {status: {code: OK}}\n"
        assert error_of(text) == (
            V + ": interactions[0].response.status.code is 'OK' (a string); expected "
            "an integer HTTP status such as 200" + FIX
        )

    def test_bad_body(self) -> None:
        text = (
            "interactions:\n- request: {method: GET, uri: /, body: [1]}\n  response: {status: {code: 200}}\n"
        )
        assert error_of(text) == (
            V + ": interactions[0].request.body is a list; expected a string, binary data or nothing" + FIX
        )

    def test_bad_headers(self) -> None:
        text = "interactions:\n- request: {method: GET, uri: /, headers: [a]}\n"
        text += "  response: {status: {code: 200}}\n"
        assert error_of(text) == (
            V + ": interactions[0].request.headers is a list; expected a mapping of "
            "header names to values or lists of values" + FIX
        )

    def test_not_utf8_file(self, tmp_path: Path) -> None:
        path = tmp_path / "bad.yaml"
        path.write_bytes(b"interactions: [\xff]\n")
        with pytest.raises(CassetteFormatError) as info:
            from_vcrpy(path)
        assert str(info.value) == (
            f"cannot import vcrpy cassette {path}: the file is not UTF-8 text (invalid start byte at byte 15); "
            "expected a vcrpy cassette (YAML or JSON text)" + FIX
        )


# ------------------------------------------------------------- real-world shapes (tests/_import_shapes.py)

SHAPES = Path(__file__).resolve().parent.parent / "data" / "import_shapes"


def test_the_committed_shapes_are_what_the_generator_writes() -> None:
    from _import_shapes import shapes

    assert {path.name: path.read_bytes() for path in SHAPES.iterdir()} == shapes()


@pytest.mark.parametrize("name", ["vcrpy.yaml.gz", "vcrpy.json.gz", "pydantic_ai.yaml", "httpx_content.yaml"])
def test_every_shape_imports_with_its_bodies(name: str) -> None:
    from _import_shapes import PLAIN_REQUEST, RUN, SSE, STREAM_REQUEST, URL

    streamed, plain = from_vcrpy(SHAPES / name).interactions
    assert (streamed.request.method, streamed.request.url) == ("POST", URL)
    assert json.loads(streamed.request.body) == STREAM_REQUEST
    assert json.loads(plain.request.body) == PLAIN_REQUEST
    assert streamed.response.is_event_stream
    assert streamed.response.body == SSE.encode()
    assert len(streamed.response.chunks) == 3  # one per event
    assert json.loads(plain.response.body) == RUN


def test_an_unknown_key_where_a_body_belongs_is_an_error() -> None:
    path = SHAPES / "unknown_body_key.yaml"
    with pytest.raises(CassetteFormatError) as info:
        from_vcrpy(path)
    assert str(info.value) == (
        f"cannot import vcrpy cassette {path}: interactions[1].response has the unknown key 'json_body' (a body "
        "or another field this importer does not know); expected only the keys status, headers, body, "
        "parsed_body, content, url, http_version (a body as body: or pydantic-ai's parsed_body:). Nothing was "
        "converted: fix that part of the file and import it again."
    )


@pytest.mark.parametrize(
    ("response", "problem"),
    [
        (
            {"status": {"code": 200}, "body": {"text": "lost"}},
            "interactions[0].response.body has the unknown key 'text' (a body or another field this importer "
            "does not know); expected only the keys string (a body as body: or pydantic-ai's parsed_body:)",
        ),
        (
            {"status": {"code": 200}, "body": {"string": "a"}, "parsed_body": {}},
            "interactions[0].response has both body and parsed_body; expected one body (body, parsed_body or "
            "content)",
        ),
    ],
)
def test_body_conflicts_are_errors(response: dict[str, object], problem: str) -> None:
    text = json.dumps({"interactions": [{"request": {"method": "GET", "uri": "/"}, "response": response}]})
    with pytest.raises(CassetteFormatError) as info:
        from_vcrpy_data(text, path="vcr.yaml")
    assert str(info.value) == f"{V}: {problem}{FIX}"


def test_a_request_with_body_and_parsed_body_is_an_error() -> None:
    request = {"method": "POST", "uri": "/", "body": "{}", "parsed_body": {}}
    text = json.dumps({"interactions": [{"request": request, "response": {"status": {"code": 200}}}]})
    with pytest.raises(CassetteFormatError) as info:
        from_vcrpy_data(text, path="vcr.yaml")
    assert (
        str(info.value)
        == f"{V}: interactions[0].request has both body and parsed_body; expected one of them{FIX}"
    )


def test_a_cut_gzip_file_is_an_import_error(tmp_path: Path) -> None:
    path = tmp_path / "cut.yaml.gz"
    path.write_bytes((SHAPES / "vcrpy.yaml.gz").read_bytes()[:40])
    with pytest.raises(CassetteFormatError) as info:
        from_vcrpy(path)
    assert str(info.value) == (
        f"cannot import vcrpy cassette {path}: the gzip data cannot be read (Compressed file ended before the "
        "end-of-stream marker was reached); expected a whole gzip file (.gz). Nothing was converted: fix that "
        "part of the file and import it again."
    )
