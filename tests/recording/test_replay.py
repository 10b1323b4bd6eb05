"""Tests of `runreplay.recording._replay`: plans (timing, faults, recorded errors) and walking them."""

from __future__ import annotations

import pytest

from runreplay.cassette.model import Chunk, RecordedResponse, StreamError
from runreplay.errors import CassetteFormatError
from runreplay.faults import DropAfter, ErrorEvent, Stall
from runreplay.recording._replay import (
    BROKEN_STREAM_MESSAGE,
    MAX_ERROR_MESSAGE,
    Data,
    Plan,
    Raise,
    Sleep,
    build_plan,
    cap_message,
    error_kind,
    event_ends,
)

EVENTS = (b"event: a\ndata: 1\n\n", b"event: b\ndata: 2\n\n", b"event: c\ndata: 3\n\n")


def _stream(error: StreamError | None = None) -> RecordedResponse:
    chunks = [Chunk(event, 100.0 * (n + 1)) for n, event in enumerate(EVENTS)]
    headers = [("content-type", "text/event-stream")]
    return RecordedResponse(200, "OK", headers=headers, chunks=chunks, headers_ms=50.0, error=error)


def test_speed_scales_every_due_time_and_zero_plays_instantly() -> None:
    plan = build_plan(_stream(), (), 2.0)
    assert plan.headers_at == 0.1
    assert [due for due, _ in plan.chunks] == [0.2, 0.4, 0.6]
    instant = build_plan(_stream(), (), 0.0)
    assert instant.instant
    assert list(instant.actions(started=0.0)) == [Data(e) for e in EVENTS]


def test_a_recorded_error_ends_the_body_after_its_chunk() -> None:
    error = StreamError("httpx2.RemoteProtocolError", "peer closed", after_chunk=2)
    plan = build_plan(_stream(error), (), 0.0)
    assert list(plan.actions(0.0)) == [
        Data(EVENTS[0]),
        Data(EVENTS[1]),
        Raise("recorded", "peer closed", "httpx2.RemoteProtocolError", "protocol"),
    ]
    assert plan.end is not None
    assert (plan.end.effective_kind, plan.end.class_name) == ("protocol", "RemoteProtocolError")


def test_a_recorded_error_of_a_type_runreplay_does_not_know_is_a_format_error() -> None:
    error = StreamError("os.system", "x", after_chunk=0)
    with pytest.raises(CassetteFormatError) as raised:
        build_plan(_stream(error), (), 0.0, source="c.yaml", position=3)
    assert str(raised.value) == (
        "cannot load cassette c.yaml: interactions[3].response.error.type is 'os.system', which is not a "
        "network error runreplay replays (a cassette is data: it never names code to import); expected a "
        "network error of httpx, httpx2, requests, urllib3, aiohttp, http.client or the standard library, "
        "such as httpx2.RemoteProtocolError (the full list is runreplay.recording._replay.KNOWN_ERRORS). "
        "Fix or delete the file and record it again (--record-mode=rewrite); nothing was loaded from it."
    )
    assert error_kind("httpx.ReadTimeout") == "read_timeout"


def test_drop_after_cuts_after_that_many_events_and_breaks_the_connection() -> None:
    plan = build_plan(_stream(), (DropAfter(events=1),), 0.0)
    assert list(plan.actions(0.0)) == [Data(EVENTS[0]), Raise("protocol", BROKEN_STREAM_MESSAGE)]


def test_an_error_event_is_sent_after_that_many_events_and_the_stream_ends_cleanly() -> None:
    fault = ErrorEvent(after=2, message="overloaded", code="server_error", type="server_error")
    plan = build_plan(_stream(), (fault,), 0.0)
    frame = b'event: error\ndata: {"code":"server_error","message":"overloaded","param":null,"type":"server_error"}\n\n'
    assert list(plan.actions(0.0)) == [Data(EVENTS[0]), Data(EVENTS[1]), Data(frame)]


def test_a_stall_longer_than_the_read_timeout_ends_in_a_read_timeout() -> None:
    plan = build_plan(_stream(), (Stall(before_chunk=1, seconds=30.0),), 0.0)
    assert not plan.instant
    actions = list(plan.actions(started=0.0, read_timeout=5.0))
    assert actions == [Data(EVENTS[0]), Sleep(5.0), Raise("read_timeout", "The read operation timed out")]


def test_a_short_stall_pauses_before_its_chunk() -> None:
    plan = Plan(headers_at=0.0, chunks=[(0.0, b"a"), (0.0, b"b")], stalls={1: 0.25})
    actions = list(plan.actions(started=float("-inf")))  # every due time has passed: only the stall waits
    assert actions == [Data(b"a"), Sleep(0.25), Data(b"b")]


def test_event_ends_and_cap_message() -> None:
    body = b"".join(EVENTS)
    assert event_ends(body) == [len(EVENTS[0]), len(EVENTS[0]) * 2, len(body)]
    long = "y" * (MAX_ERROR_MESSAGE + 5)
    assert cap_message(long) == "y" * MAX_ERROR_MESSAGE + "… [5 more characters not shown]"
