"""Tests of `runreplay.recording._session`: what answers each request (`decide`), its plan, and saving."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runreplay.cassette import load, save
from runreplay.cassette.model import Cassette, Chunk, Interaction, RecordedRequest, RecordedResponse
from runreplay.errors import UnmatchedRequestError
from runreplay.faults import DropAfter, HttpError
from runreplay.recording import resolve
from runreplay.recording._replay import BROKEN_STREAM_MESSAGE, Data, Raise
from runreplay.recording._session import CassetteSession, Record, Replay, Synthetic

URL = "http://127.0.0.1:9/v1/threads/runs"
SSE = [("content-type", "text/event-stream")]


def _request(body: dict[str, object], url: str = URL) -> RecordedRequest:
    return RecordedRequest("POST", url, [("content-type", "application/json")], json.dumps(body).encode())


def _stream(*events: bytes) -> RecordedResponse:
    return RecordedResponse(200, "OK", headers=SSE, chunks=[Chunk(e, 10.0 * n) for n, e in enumerate(events)])


def _cassette(tmp_path: Path, *pairs: tuple[RecordedRequest, RecordedResponse]) -> Path:
    path = tmp_path / "c.yaml"
    save(path, Cassette([Interaction(request, response) for request, response in pairs]))
    return path


def test_decide_replays_each_recording_once_in_order_then_refuses(tmp_path: Path) -> None:
    first, second = _stream(b"data: 1\n\n"), _stream(b"data: 2\n\n")
    path = _cassette(tmp_path, (_request({"n": 1}), first), (_request({"n": 1}), second))
    session = CassetteSession(path, resolve({}))
    decisions = [session.decide(_request({"n": 1})) for _ in range(2)]
    assert [(type(d), d.position) for d in decisions if isinstance(d, Replay)] == [(Replay, 0), (Replay, 1)]
    assert [d.interaction.response.body for d in decisions if isinstance(d, Replay)] == [
        first.body,
        second.body,
    ]
    with pytest.raises(UnmatchedRequestError) as raised:
        session.decide(_request({"n": 1}))
    assert "but all of them were already played" in str(raised.value)
    assert session.errors == [raised.value]
    assert session.played == 2


def test_allow_playback_repeats_answers_a_repeat_with_the_last_recording_played(tmp_path: Path) -> None:
    path = _cassette(tmp_path, (_request({"n": 1}), _stream(b"data: 1\n\n")))
    session = CassetteSession(path, resolve({"allow_playback_repeats": True}))
    positions = [session.decide(_request({"n": 1})) for _ in range(3)]
    assert [d.position for d in positions if isinstance(d, Replay)] == [0, 0, 0]


def test_a_request_with_no_recording_is_recorded_only_in_a_recording_mode(tmp_path: Path) -> None:
    path = _cassette(tmp_path, (_request({"n": 1}), _stream(b"data: 1\n\n")))
    recording = CassetteSession(path, resolve({"record_mode": "new_episodes"}))
    decision = recording.decide(_request({"n": 2}))
    assert isinstance(decision, Record)
    assert (decision.request.body, decision.seq) == (b'{"n": 2}', 0)
    assert isinstance(recording.decide(_request({"n": 1})), Replay)  # the recording still plays first
    replaying = CassetteSession(path, resolve({"record_mode": "none"}))
    with pytest.raises(UnmatchedRequestError):
        replaying.decide(_request({"n": 2}))


def test_record_mode_all_records_even_what_is_recorded(tmp_path: Path) -> None:
    path = _cassette(tmp_path, (_request({"n": 1}), _stream(b"data: 1\n\n")))
    session = CassetteSession(path, resolve({"record_mode": "all"}))
    assert isinstance(session.decide(_request({"n": 1})), Record)


def test_an_http_error_fault_answers_first_for_as_many_times_as_asked(tmp_path: Path) -> None:
    path = _cassette(tmp_path, (_request({"n": 1}), _stream(b"data: 1\n\n")))
    fault = HttpError(status=429, times=1, retry_after=2.0, message="slow down")
    session = CassetteSession(path, resolve({"faults": [fault]}))
    synthetic = session.decide(_request({"n": 1}))
    assert isinstance(synthetic, Synthetic)
    assert synthetic.response.status == 429
    assert synthetic.response.header("retry-after") == "2"
    assert json.loads(synthetic.response.body)["error"] == {
        "message": "slow down",
        "type": "requests",
        "param": None,
        "code": "rate_limit_exceeded",
    }
    assert isinstance(session.decide(_request({"n": 1})), Replay)
    assert session.faults_applied == 1


def test_matching_sees_the_request_redacted_as_the_recording_was(tmp_path: Path) -> None:
    secret = "sk-proj-" + "a1B2c3D4" * 5
    path = _cassette(tmp_path, (_request({"n": 1}, URL + "?key=<REDACTED>"), _stream(b"data: 1\n\n")))
    session = CassetteSession(path, resolve({}))
    assert isinstance(session.decide(_request({"n": 1}, URL + f"?key={secret}")), Replay)


def test_plan_plays_the_recording_at_the_session_speed_with_its_faults(tmp_path: Path) -> None:
    events = (b"event: a\ndata: 1\n\n", b"event: b\ndata: 2\n\n", b"event: c\ndata: 3\n\n")
    path = _cassette(tmp_path, (_request({"n": 1}), _stream(*events)))
    session = CassetteSession(path, resolve({"replay_speed": 1.0, "faults": [DropAfter(events=2)]}))
    decision = session.decide(_request({"n": 1}))
    assert isinstance(decision, Replay)
    response, plan = session.plan(decision)
    assert response is decision.interaction.response
    assert plan.chunks == [(0.0, events[0]), (0.01, events[1])]
    assert plan.end == Raise("protocol", BROKEN_STREAM_MESSAGE)
    _, instant = session.plan(decision, speed=0.0)
    assert [due for due, _ in instant.chunks] == [0.0, 0.0]


def test_plan_of_a_synthetic_answer_is_instant(tmp_path: Path) -> None:
    fault = HttpError(status=500, times=1, retry_after=None, message="down")
    session = CassetteSession(tmp_path / "none.yaml", resolve({"faults": [fault], "replay_speed": 1.0}))
    decision = session.decide(_request({"n": 1}))
    assert isinstance(decision, Synthetic)
    response, plan = session.plan(decision)
    assert plan.instant
    assert [a for a in plan.actions(0.0) if isinstance(a, Data)] == [Data(response.body)]


def test_close_saves_what_was_recorded_and_keeps_only_whole_streams_when_interrupted(tmp_path: Path) -> None:
    for interrupted, kept in ((False, 2), (True, 1)):
        path = tmp_path / f"rec-{interrupted}.yaml"
        session = CassetteSession(path, resolve({"record_mode": "once"}))
        for n, complete in ((1, True), (2, False)):
            decision = session.decide(_request({"n": n}))
            assert isinstance(decision, Record)
            recorder = session.recorder_for(
                decision, started=0.0, status=200, reason="OK", http_version="HTTP/1.1", headers=SSE
            )
            recorder.chunk(b"data: x\n\n")
            recorder.finish(complete=complete)
        session.interrupted = interrupted
        session.close()
        assert len(load(path).interactions) == kept
        stats = session.stats()
        assert (stats.recorded, stats.existed) == (2, False)
