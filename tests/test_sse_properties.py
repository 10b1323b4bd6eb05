"""Property tests of runreplay.sse: any re-chunking decodes the same, and the openai SDK agrees."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from openai._streaming import SSEDecoder

from runreplay.sse import Decoder, Event, encode

SETTINGS = settings(max_examples=300, deadline=None)

# Any character UTF-8 can encode (no lone surrogates), CR/LF excluded where the domain says so.
one_line = st.text(st.characters(codec="utf-8", exclude_characters="\r\n"))
names = one_line.filter(bool)
ids = st.text(st.characters(codec="utf-8", exclude_characters="\r\n\x00"), max_size=8)
data = st.text(st.characters(codec="utf-8", exclude_characters="\r"), max_size=40)


@st.composite
def event_lists(draw: st.DrawFn) -> list[Event]:
    """Lists of events inside `encode`'s round-trip domain (ids never go back to None)."""
    events = []
    current_id: str | None = None
    for _ in range(draw(st.integers(0, 6))):
        new_id = draw(st.none() | ids)
        if new_id is not None or current_id is None:
            current_id = new_id
        events.append(
            Event(
                draw(st.just("message") | names),
                draw(data),
                current_id,
                draw(st.none() | st.integers(0, 10**6)),
            )
        )
    return events


@st.composite
def chunkings(draw: st.DrawFn, body: bytes) -> list[bytes]:
    """`body` cut at arbitrary points (including inside CRLF and multi-byte characters)."""
    if draw(st.booleans()) and body:
        size = draw(st.integers(1, 4))
        return [body[i : i + size] for i in range(0, len(body), size)]
    cuts = sorted(draw(st.sets(st.integers(0, len(body)), max_size=12)))
    return [body[a:b] for a, b in zip([0, *cuts], [*cuts, len(body)], strict=True)]


def with_line_ends(body: bytes, end: bytes) -> bytes:
    """`body` (LF line ends, no CR) with every LF replaced by `end`."""
    return body.replace(b"\n", end)


def ours(chunks: list[bytes]) -> list[Event]:
    decoder = Decoder()
    events = [event for chunk in chunks for event in decoder.feed(chunk)]
    return events + decoder.close()


def sdk(chunks: list[bytes]) -> list[Event]:
    """The openai SDK's events on the same chunks, with its `None` name mapped to WHATWG's "message"."""
    return [
        Event(sse.event or "message", sse.data, sse.id, sse.retry)
        for sse in SSEDecoder().iter_bytes(iter(chunks))
    ]


@SETTINGS
@given(st.data(), event_lists(), st.sampled_from([b"\n", b"\r", b"\r\n"]))
def test_any_chunking_of_an_encoding_decodes_to_the_same_events(
    draw: st.DataObject, events: list[Event], end: bytes
) -> None:
    body = with_line_ends(encode(events), end)
    chunks = draw.draw(chunkings(body))
    assert ours(chunks) == events


@SETTINGS
@given(st.data(), event_lists(), st.sampled_from([b"\n", b"\r", b"\r\n"]))
def test_the_openai_sdk_agrees_on_encoded_streams(
    draw: st.DataObject, events: list[Event], end: bytes
) -> None:
    body = with_line_ends(encode(events), end)
    chunks = draw.draw(chunkings(body))
    assert sdk(chunks) == ours(chunks) == events


def test_one_byte_chunks_of_a_mixed_stream() -> None:
    events = [Event("é", "a\n€\n", "1", 5), Event(data="🇫🇷", id="1"), Event("x", "", "", None)]
    body = with_line_ends(encode(events), b"\r\n")
    chunks = [body[i : i + 1] for i in range(len(body))]
    assert ours(chunks) == sdk(chunks) == events


# Free-form streams: comments, unknown fields, fields without a colon, blank-line runs, bad retries,
# ids with NUL. Every data value is non-empty after the one stripped space, so an event with data is
# never "" and the SDK's extra dispatches (blocks without data, which come out with data "") can be
# told apart: on every event that has data, the two decoders must agree exactly.
value_text = st.text(st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=6)
field_lines = st.one_of(
    st.builds(
        lambda sep, v: f"data:{sep}{v}", st.sampled_from(["", " "]), value_text.filter(lambda v: v.strip(" "))
    ),
    st.builds(lambda sep, v: f"event:{sep}{v}", st.sampled_from(["", " "]), value_text),
    st.builds(lambda v: f"id: {v}", st.sampled_from(["", "1", "a\x00b", "x y"])),
    st.builds(lambda v: f"retry: {v}", st.sampled_from(["", "10", "0", "007", "x", "1.5"])),
    st.builds(lambda v: f":{v}", value_text),
    st.builds(lambda v: f"unknown: {v}", value_text),
    st.sampled_from(["event", "id", "retry", "dat", "data :x", "Data: y"]),
    st.just(""),
)


@SETTINGS
@given(st.data(), st.lists(field_lines, max_size=25), st.sampled_from([b"\n", b"\r", b"\r\n"]))
def test_the_openai_sdk_agrees_on_every_event_with_data(
    draw: st.DataObject, lines: list[str], end: bytes
) -> None:
    body = end.join(line.encode() for line in lines) + end
    chunks = draw.draw(chunkings(body))
    assert ours(chunks) == [event for event in sdk(chunks) if event.data != ""]


@SETTINGS
@given(event_lists())
def test_one_chunk_and_per_event_chunks_agree(events: list[Event]) -> None:
    assert ours([encode(events)]) == ours([encode([event]) for event in events]) == events
