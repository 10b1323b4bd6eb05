"""Tests of `runreplay.recording._matching`: describing requests and explaining an unmatched one."""

from __future__ import annotations

from pathlib import Path

from runreplay.cassette.model import Cassette, Interaction, RecordedRequest, RecordedResponse
from runreplay.recording import resolve
from runreplay.recording._matching import body_text, closest, describe, unmatched_message

BASE = "http://127.0.0.1:9/v1"


def _post(path: str, body: bytes = b"") -> RecordedRequest:
    return RecordedRequest("POST", BASE + path, [], body)


def _interactions(*requests: RecordedRequest) -> list[Interaction]:
    return [Interaction(request, RecordedResponse(200)) for request in requests]


def test_body_text_pretty_prints_json_and_decodes_the_rest() -> None:
    assert body_text(_post("/x", b'{"b":1,"a":[2]}')) == '{\n  "a": [\n    2\n  ],\n  "b": 1\n}'
    assert body_text(_post("/x", b"plain \xff")) == "plain \ufffd"
    assert body_text(_post("/x")) == ""


def test_describe_cuts_a_very_long_url() -> None:
    assert describe(_post("/threads/runs")) == f"POST {BASE}/threads/runs"
    long = RecordedRequest("GET", "http://h/" + "a" * 600)
    assert describe(long) == f"GET {long.url[:500]}... (609 characters)"


def test_closest_ranks_method_then_path_then_body_and_keeps_recorded_order_on_ties() -> None:
    recorded = _interactions(
        RecordedRequest("GET", BASE + "/threads/runs"),
        _post("/other", b'{"n": 1}'),
        _post("/threads/runs", b'{"n": 2}'),
        _post("/threads/runs", b'{"n": 2}'),
    )
    assert closest(_post("/threads/runs", b'{"n": 1}'), recorded) == [2, 3, 1]
    assert closest(_post("/threads/runs", b'{"n": 1}'), recorded, limit=1) == [2]


def test_a_missing_cassette_says_how_to_record_it() -> None:
    message = unmatched_message(
        _post("/threads/runs"),
        cassette=Cassette(),
        path=Path("cassettes/t.yaml"),
        existed=False,
        config=resolve({}),
        played=set(),
        key=None,
        key_function=lambda request: None,
    )
    assert message == (
        "runreplay: no recorded response for this request, and record mode 'none' does not record new ones.\n"
        "\n"
        f"  POST {BASE}/threads/runs\n"
        "\n"
        "Cassette: cassettes/t.yaml does not exist.\n"
        "\n"
        "How to fix:\n"
        "  * record it: run this test once with --record-mode=once (the server or API must be reachable)\n"
        "See https://pypi.org/project/pytest-runreplay/#record-mode"
    )


def test_a_request_whose_recordings_were_all_played_says_so() -> None:
    request = _post("/threads/runs", b"{}")
    message = unmatched_message(
        request,
        cassette=Cassette(_interactions(request, _post("/other"))),
        path=Path("t.yaml"),
        existed=True,
        config=resolve({}),
        played={0},
        key="k",
        key_function=lambda r: "k" if r.url.endswith("/runs") else "other",
    )
    assert message.splitlines()[4:] == [
        "Cassette: t.yaml (2 interactions, 1 played)",
        "  record_mode: none",
        "  match_on: method, url, body",
        "",
        "It matches 1 recorded interaction(s) (#0), but all of them were already played.",
        "",
        "How to fix:",
        "  * if the same response may answer every repeat, set allow_playback_repeats=True",
        "  * otherwise record the extra request: run with --record-mode=new_episodes",
        "See https://pypi.org/project/pytest-runreplay/#unmatched-requests",
    ]
