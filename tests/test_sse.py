"""Unit tests of runreplay.sse: one test per WHATWG parsing rule, the truncation API and the encoder."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from runreplay.sse import Decoder, Event, Truncated, encode

EXAMPLES = Path(__file__).resolve().parent / "data" / "reference" / "examples"


def decode(*chunks: bytes) -> list[Event]:
    """Feed `chunks` to a fresh decoder and close it; returns every event."""
    decoder = Decoder()
    events: list[Event] = []
    for chunk in chunks:
        events += decoder.feed(chunk)
    events += decoder.close()
    return events


def test_event_defaults_to_the_whatwg_message_type() -> None:
    assert Event() == Event("message", "", None, None)
    assert decode(b"data: x\n\n") == [Event("message", "x")]


def test_event_is_frozen_and_has_slots() -> None:
    event = Event("a", "b")
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.data = "c"  # type: ignore[misc]
    assert not hasattr(event, "__dict__")


def test_event_json_parses_the_data() -> None:
    assert Event(data='{"a": [1]}').json() == {"a": [1]}


@pytest.mark.parametrize("end", [b"\n", b"\r", b"\r\n"], ids=["LF", "CR", "CRLF"])
def test_every_line_end_is_accepted(end: bytes) -> None:
    body = end.join([b"event: e", b"data: a", b"data: b", b"", b"data: c", b"", b""])
    assert decode(body) == [Event("e", "a\nb"), Event("message", "c")]


def test_mixed_line_ends_in_one_stream() -> None:
    assert decode(b"data: a\rdata: b\r\n\ndata: c\n\r") == [Event(data="a\nb"), Event(data="c")]


def test_crlf_split_across_chunks_is_one_line_end() -> None:
    assert decode(b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n") == [Event(data="a\nb")]


def test_cr_at_chunk_end_then_a_non_lf_byte() -> None:
    assert decode(b"data: a\r", b"data: b\r", b"\r") == [Event(data="a\nb")]


def test_cr_then_empty_chunk_then_lf_is_still_one_line_end() -> None:
    assert decode(b"data: a\r", b"", b"\n", b"\n") == [Event(data="a")]


def test_lone_lf_chunk_after_cr_chunk_is_swallowed() -> None:
    decoder = Decoder()
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"\n") == []
    assert decoder.feed(b"\n") == [Event(data="a")]


def test_a_cr_dispatches_without_waiting_for_the_next_chunk() -> None:
    decoder = Decoder()
    assert decoder.feed(b"data: a\r\r") == [Event(data="a")]


def test_leading_bom_is_dropped() -> None:
    assert decode(b"\xef\xbb\xbfdata: x\n\n") == [Event(data="x")]


def test_leading_bom_split_across_chunks_is_dropped() -> None:
    assert decode(b"\xef", b"\xbb", b"\xbfdata", b": x\n\n") == [Event(data="x")]


def test_bom_is_dropped_only_once_and_only_at_stream_start() -> None:
    # A second BOM is part of the first field name (an unknown field), a BOM later is data.
    assert decode(b"\xef\xbb\xbf\xef\xbb\xbfdata: x\n\ndata: y\n\n") == [Event(data="y")]
    assert decode(b"data: \xef\xbb\xbfx\n\n") == [Event(data="\ufeffx")]
    assert decode(b"\n\xef\xbb\xbfdata: x\n\n") == []


def test_comment_lines_are_ignored() -> None:
    assert decode(b": keep-alive\ndata: a\n:\n: more\ndata: b\n\n") == [Event(data="a\nb")]


def test_a_block_of_comments_dispatches_nothing() -> None:
    assert decode(b": ping\n\n: ping\n\n") == []


def test_multi_line_data_is_joined_with_lf() -> None:
    assert decode(b'data: {\ndata:   "a": 1\ndata: }\n\n') == [Event(data='{\n  "a": 1\n}')]


def test_field_without_colon_has_an_empty_value() -> None:
    assert decode(b"data\n\n") == [Event(data="")]
    assert decode(b"data\ndata\n\n") == [Event(data="\n")]
    assert decode(b"event: x\nevent\ndata: d\n\n") == [Event("message", "d")]


def test_exactly_one_leading_space_is_stripped() -> None:
    assert decode(b"data:x\n\n") == [Event(data="x")]
    assert decode(b"data: x\n\n") == [Event(data="x")]
    assert decode(b"data:  x \n\n") == [Event(data=" x ")]
    assert decode(b"event:  spaced\ndata:\t\n\n") == [Event(" spaced", "\t")]


def test_value_keeps_later_colons() -> None:
    assert decode(b"data: a: b:c\n\n") == [Event(data="a: b:c")]


@pytest.mark.parametrize("size", [1, 2, 3, 5])
def test_multi_byte_characters_split_across_chunks(size: int) -> None:
    body = "event: é€\ndata: Île-de-France 🇫🇷\n\n".encode()
    chunks = [body[i : i + size] for i in range(0, len(body), size)]
    assert decode(*chunks) == [Event("é€", "Île-de-France 🇫🇷")]


def test_invalid_utf8_becomes_replacement_characters() -> None:
    assert decode(b"data: a\xffb\xe2\x82\n\n") == [Event(data="a\ufffdb\ufffd")]


def test_id_persists_until_changed_and_can_be_cleared() -> None:
    body = b"id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\nid\ndata: d\n\n"
    assert [event.id for event in decode(body)] == ["1", "1", "2", ""]


def test_id_is_none_until_the_first_id_field() -> None:
    assert decode(b"data: a\n\n") == [Event(data="a", id=None)]


def test_id_containing_nul_is_ignored() -> None:
    assert decode(b"id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n") == [
        Event(data="a", id="1"),
        Event(data="b", id="1"),
    ]


def test_id_set_in_a_block_without_data_still_applies() -> None:
    assert decode(b"id: 7\n\ndata: a\n\n") == [Event(data="a", id="7")]


@pytest.mark.parametrize("value", ["", "-1", "+1", " 1", "1 ", "1.5", "1_0", "١٢", "x"])
def test_retry_that_is_not_all_ascii_digits_is_ignored(value: str) -> None:
    decoder = Decoder()
    events = decoder.feed(f"retry: {value}\ndata: a\n\n".encode())
    assert events == [Event(data="a", retry=None)]
    assert decoder.retry is None


def test_retry_belongs_to_its_own_event_and_is_remembered_by_the_decoder() -> None:
    decoder = Decoder()
    events = decoder.feed(b"retry: 3000\ndata: a\n\ndata: b\n\nretry: 007\n\n")
    assert events == [Event(data="a", retry=3000), Event(data="b")]
    assert decoder.retry == 7


def test_unknown_fields_are_ignored() -> None:
    assert decode(b"foo: bar\nDATA: x\nEvent: y\ndata: a\n\n") == [Event(data="a")]


def test_no_dispatch_without_a_data_line() -> None:
    assert decode(b"event: ping\n\nretry: 5\n\nid: 1\n\n\n\n") == []


def test_event_type_is_reset_after_a_blank_line_even_without_dispatch() -> None:
    assert decode(b"event: ping\n\ndata: a\n\n") == [Event("message", "a")]


def test_empty_event_field_means_message() -> None:
    assert decode(b"event:\ndata: a\n\n") == [Event("message", "a")]


def test_last_event_field_in_a_block_wins() -> None:
    assert decode(b"event: a\nevent: b\ndata: x\n\n") == [Event("b", "x")]


def test_nul_and_other_controls_in_data_are_kept() -> None:
    assert decode(b"data: a\x00b\x0bc\x0cd\x1c\x85\n\n") == [Event(data="a\x00b\x0bc\x0cd\x1c\ufffd")]
    assert decode("data: a\u2028b\x85c\n\n".encode()) == [Event(data="a\u2028b\x85c")]


def test_events_come_out_of_the_feed_call_that_completes_them() -> None:
    decoder = Decoder()
    assert decoder.feed(b"data: a\n") == []
    assert decoder.feed(b"\ndata: b\n\ndata") == [Event(data="a"), Event(data="b")]
    assert decoder.feed(b": c\n\n") == [Event(data="c")]
    assert decoder.close() == []
    assert decoder.truncated is None


def test_a_line_spread_over_many_chunks() -> None:
    decoder = Decoder()
    for byte in b"data: " + b"x" * 1000:
        assert decoder.feed(bytes([byte])) == []
    assert decoder.feed(b"\n\n") == [Event(data="x" * 1000)]


class TestTruncation:
    """`close()` never dispatches a cut-off event; it reports it in `Decoder.truncated`."""

    def test_clean_end_is_not_truncated(self) -> None:
        decoder = Decoder()
        decoder.feed(b"data: a\n\n: trailing comment\n")
        assert decoder.close() == []
        assert decoder.truncated is None

    def test_empty_stream_is_not_truncated(self) -> None:
        decoder = Decoder()
        assert decoder.close() == []
        assert decoder.truncated is None

    def test_event_without_its_blank_line(self) -> None:
        decoder = Decoder()
        assert decoder.feed(b"id: 9\ndata: a\n\nevent: e\nretry: 5\ndata: b\ndata: c\n") == [
            Event(data="a", id="9")
        ]
        assert decoder.close() == []
        assert decoder.truncated == Truncated(Event("e", "b\nc", "9", 5), b"")

    def test_cut_in_the_middle_of_a_line(self) -> None:
        decoder = Decoder()
        decoder.feed(b"data: a\n\nevent: e\ndata: b\ndata: hal")
        decoder.close()
        assert decoder.truncated == Truncated(Event("e", "b"), b"data: hal")

    def test_cut_before_any_data_line(self) -> None:
        decoder = Decoder()
        decoder.feed(b"data: a\n\nevent: e\n")
        decoder.close()
        assert decoder.truncated == Truncated(None, b"")

    def test_cut_inside_a_comment_line(self) -> None:
        decoder = Decoder()
        decoder.feed(b"data: a\n\n: keep-al")
        decoder.close()
        assert decoder.truncated == Truncated(None, b": keep-al")

    def test_bare_bom_is_not_truncated(self) -> None:
        decoder = Decoder()
        decoder.feed(b"\xef\xbb\xbf")
        decoder.close()
        assert decoder.truncated is None

    def test_decoder_starts_a_new_stream_after_close(self) -> None:
        decoder = Decoder()
        decoder.feed(b"id: 1\nretry: 10\ndata: a\n\ndata: b")
        decoder.close()
        assert (decoder.last_event_id, decoder.retry) == ("1", 10)
        assert decoder.truncated is not None
        assert decoder.feed(b"\xef\xbb\xbfdata: c\n\n") == [Event(data="c")]
        assert decoder.last_event_id is None
        assert decoder.retry is None
        assert decoder.truncated is None


class TestEncode:
    def test_canonical_form(self) -> None:
        events = [
            Event("thread.created", '{"id":"t"}'),
            Event(data="line 1\nline 2"),
            Event("e", "", id="7", retry=1500),
            Event("e", "x", id=""),
        ]
        assert encode(events) == (
            b'event: thread.created\ndata: {"id":"t"}\n\n'
            b"data: line 1\ndata: line 2\n\n"
            b"event: e\nid: 7\nretry: 1500\ndata:\n\n"
            b"event: e\nid:\ndata: x\n\n"
        )
        assert decode(encode(events)) == events

    def test_empty_list(self) -> None:
        assert encode([]) == b""

    def test_data_edge_cases_round_trip(self) -> None:
        events = [Event(data=data) for data in ["", "\n", "\n\n", " lead", "trail ", "a\x00b", "é\u2028"]]
        assert decode(encode(events)) == events

    def test_cr_in_data_splits_lines(self) -> None:
        assert encode([Event(data="a\r\nb\rc")]) == b"data: a\ndata: b\ndata: c\n\n"
        assert decode(encode([Event(data="a\r\nb\rc")])) == [Event(data="a\nb\nc")]

    def test_is_a_homomorphism(self) -> None:
        first, second = [Event("a", "1", id="x")], [Event("b", "2", id="y")]
        assert encode(first) + encode(second) == encode(first + second)

    @pytest.mark.parametrize(
        ("event", "message"),
        [
            (
                Event("", "x"),
                "cannot encode event name '': an SSE event name must be non-empty and on one line "
                '(no "\\r" or "\\n"); use "message" for the default type.',
            ),
            (
                Event("a\nb", "x"),
                "cannot encode event name 'a\\nb': an SSE event name must be non-empty and on one line "
                '(no "\\r" or "\\n"); use "message" for the default type.',
            ),
            (
                Event(data="x", id="a\x00"),
                "cannot encode event id 'a\\x00': an SSE id must be on one line and free of NUL "
                '(no "\\r", "\\n" or "\\x00").',
            ),
            (
                Event(data="x", retry=-1),
                "cannot encode retry=-1: an SSE retry is a whole number of milliseconds, 0 or more.",
            ),
        ],
    )
    def test_events_outside_the_domain_are_refused(self, event: Event, message: str) -> None:
        with pytest.raises(ValueError) as info:
            encode([event])
        assert str(info.value) == message

    def test_id_cannot_go_back_to_none(self) -> None:
        with pytest.raises(ValueError) as info:
            encode([Event(data="a", id="1"), Event(data="b")])
        assert str(info.value) == (
            "cannot encode an event without an id after one with id '1': the SSE last event id persists "
            'until changed, so a decoder would give it that id; pass id="" to clear it instead.'
        )

    def test_lone_surrogate_is_refused(self) -> None:
        with pytest.raises(UnicodeEncodeError):
            encode([Event(data="\ud800")])


@pytest.mark.parametrize(
    ("name", "count", "first"),
    [
        ("create_thread_and_run_stream_text.sse", 26, "thread.created"),
        ("create_thread_and_run_stream_tool_call.sse", 22, "thread.created"),
    ],
)
def test_reference_transcripts(name: str, count: int, first: str) -> None:
    body = (EXAMPLES / name).read_bytes()
    events = decode(body)
    assert len(events) == count
    assert events[0].event == first
    assert events[-1] == Event("done", "[DONE]")
    assert all(event.event.startswith("thread.") for event in events[:-1])
    for event in events[:-1]:
        assert isinstance(event.json(), dict)
    assert encode(events) == body
    if "text" in name:
        deltas = [
            e.json()["delta"]["content"][0]["text"]["value"] for e in events if e.event.endswith("delta")
        ]
        assert "".join(deltas) == "The capital of France is Paris, in the Île-de-France region."


def test_reference_transcript_in_one_byte_chunks() -> None:
    body = (EXAMPLES / "create_thread_and_run_stream_text.sse").read_bytes()
    assert decode(*(body[i : i + 1] for i in range(len(body)))) == decode(body)


def test_reference_requires_json_data() -> None:
    body = (EXAMPLES / "create_thread_and_run_stream_tool_call.sse").read_bytes()
    events = decode(body)
    actions = [e.json() for e in events if e.event == "thread.run.requires_action"]
    assert actions[0]["required_action"]["type"] == "submit_tool_outputs"
    assert json.dumps(actions[0], separators=(",", ":")) in body.decode()
