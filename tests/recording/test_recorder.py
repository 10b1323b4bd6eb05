"""The stream recorder: chunks with offsets, content decoding, and how a recording ends."""

from __future__ import annotations

import gzip
import time
from collections.abc import Iterator

import pytest

from runreplay.cassette.model import Interaction, RecordedRequest
from runreplay.recording._recorder import StreamRecorder, qualified_name

SSE = [("content-type", "text/event-stream; charset=utf-8")]


def _recorder(headers: list[tuple[str, str]], out: list[Interaction], **kwargs: bool) -> StreamRecorder:
    return StreamRecorder(
        RecordedRequest("POST", "http://127.0.0.1/v1/threads/runs"),
        started=time.perf_counter(),
        status=200,
        reason="OK",
        http_version="HTTP/1.1",
        headers=headers,
        decode_compressed=kwargs.get("decode_compressed", True),
        already_decoded=kwargs.get("already_decoded", False),
        on_finish=out.append,
    )


def test_a_stream_closed_right_after_done_counts_as_complete() -> None:
    out: list[Interaction] = []
    recorder = _recorder(SSE, out)
    recorder.chunk(b"event: thread.created\ndata: {}\n\n")
    recorder.chunk(b"event: done\ndata: [DONE]\n\n")
    recorder.finish(complete=False)  # the SDK closes before the server's terminating chunk
    assert out[0].response.complete is True


@pytest.mark.parametrize(
    "last",
    [b"event: thread.run.created\ndata: {}\n\n", b"event: done\ndata: [DONE]\n", b"data: [DONE] later\n\n"],
)
def test_a_stream_closed_before_done_is_partial(last: bytes) -> None:
    out: list[Interaction] = []
    recorder = _recorder(SSE, out)
    recorder.chunk(last)
    recorder.finish(complete=False)
    assert out[0].response.complete is False


def test_gzip_bodies_are_stored_decoded_without_the_encoding_headers() -> None:
    out: list[Interaction] = []
    payload = gzip.compress(b'{"id": "run_1"}' * 50)
    recorder = _recorder(
        [
            ("content-type", "application/json"),
            ("content-encoding", "gzip"),
            ("content-length", str(len(payload))),
        ],
        out,
    )
    recorder.chunk(payload[:10])
    recorder.chunk(payload[10:])
    recorder.finish(complete=True)
    response = out[0].response
    assert response.body == b'{"id": "run_1"}' * 50
    assert response.headers == [("content-type", "application/json")]


def test_an_error_is_noted_with_the_chunk_count_and_finish_runs_once() -> None:
    out: list[Interaction] = []
    recorder = _recorder(SSE, out)
    recorder.chunk(b"event: a\ndata: 1\n\n")
    recorder.fail(ConnectionResetError("peer reset"))
    recorder.finish(complete=False)
    recorder.finish(complete=True)
    assert len(out) == 1
    error = out[0].response.error
    assert error is not None
    assert (error.type, error.message, error.after_chunk) == (
        "builtins.ConnectionResetError",
        "peer reset",
        1,
    )


def test_qualified_names_use_the_shortest_public_module() -> None:
    import httpx2

    assert qualified_name(httpx2.RemoteProtocolError("x")) == "httpx2.RemoteProtocolError"
    assert qualified_name(ValueError("x")) == "builtins.ValueError"


def test_tee_passes_each_chunk_on_and_a_whole_body_finishes_complete() -> None:
    out: list[Interaction] = []
    recorder = _recorder(SSE, out)
    assert list(recorder.tee(iter([b"data: 1\n", b"\n"]))) == [b"data: 1\n", b"\n"]
    assert [chunk.data for chunk in out[0].response.chunks] == [b"data: 1\n", b"\n"]
    assert (out[0].response.complete, out[0].response.error) == (True, None)


def test_a_body_that_breaks_while_teed_is_recorded_cut_after_the_chunks_that_came() -> None:
    def broken() -> Iterator[bytes]:
        yield b"data: 1\n\n"
        raise ConnectionResetError("peer reset")

    out: list[Interaction] = []
    with pytest.raises(ConnectionResetError):
        list(_recorder(SSE, out).tee(broken()))
    response = out[0].response
    assert response.complete is False
    assert response.error is not None
    assert (response.error.type, response.error.message, response.error.after_chunk) == (
        "builtins.ConnectionResetError",
        "peer reset",
        1,
    )


def test_fail_alone_finishes_the_recording_as_cut() -> None:
    out: list[Interaction] = []
    recorder = _recorder(SSE, out)
    recorder.fail(TimeoutError("slow"))
    assert recorder.finished
    assert len(out) == 1
    assert out[0].response.complete is False
