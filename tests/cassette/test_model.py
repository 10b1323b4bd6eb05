"""Tests of `runreplay.cassette.model`: header lookup and responses whose chunks are cut on first use."""

from __future__ import annotations

from runreplay.cassette import Chunk, RecordedRequest, RecordedResponse


def test_a_header_is_looked_up_case_insensitively_and_the_first_value_wins() -> None:
    headers = [("Set-Cookie", "a=1"), ("content-type", "text/event-stream"), ("set-cookie", "b=2")]
    request = RecordedRequest("POST", "https://h/v1", headers)
    response = RecordedResponse(200, "OK", "HTTP/1.1", headers, [])
    for message in (request, response):
        assert message.header("set-cookie") == "a=1"
        assert message.header("CONTENT-TYPE") == "text/event-stream"
        assert message.header("x-missing") is None
    assert response.is_event_stream


def test_a_response_from_a_layout_equals_the_one_built_from_its_chunks() -> None:
    chunks = [Chunk(b"data: a\n\n", 1.0), Chunk(b"data: b", 2.5), Chunk(b"\n\n", 3.0)]
    built = RecordedResponse(200, "OK", "HTTP/1.1", [], chunks)
    body = b"".join(chunk.data for chunk in chunks)
    layout = ([len(chunk.data) for chunk in chunks], [chunk.offset_ms for chunk in chunks])
    lazy = RecordedResponse.from_layout(200, "OK", "HTTP/1.1", [], body, layout)
    assert lazy == built
    assert lazy.body == body
