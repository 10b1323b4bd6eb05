"""Fuzzing `runreplay.sse.Decoder`: 100,000 seeded inputs plus a hypothesis property on arbitrary bytes.

Each input is decoded whole and in a random re-chunking (cuts anywhere, also inside CRLF, inside
multi-byte characters and inside the BOM), each followed by `close()`. Invariants:

* nothing raises;
* the events are those of `reference()`, a plain whole-body reading of the WHATWG rules written
  independently of the decoder (no incremental state), and so are `truncated`, `last_event_id`
  and `retry`;
* every chunking gives the same events and the same end state as one piece;
* every event is well formed (non-empty one-line name, `str` data without CR, id without CR, LF
  or NUL, retry a non-negative int), so `encode` accepts the events and decoding that gives them
  back unchanged;
* a decoder reused after `close()` reads the next stream as a fresh one does.

Inputs mix random bytes, soups of SSE tokens, and windows of real streams (fetched from the
embedded server, so the suite does not depend on files outside the repository) with mutations.
"""

from __future__ import annotations

import itertools
import random
import re
import time
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runreplay.fakeserver import FakeAssistantsServer
from runreplay.sse import Decoder, Event, Truncated, encode

INPUTS = 100_000
SEED = 20260101
BOM = b"\xef\xbb\xbf"
TOKENS = [
    b"data:", b"data: ", b"event:", b"event: ", b"id:", b"id: ", b"retry:", b"retry: ", b":", b": ",
    b"\n", b"\r", b"\r\n", b"\n\n", b"\r\n\r\n", b" ", b"  ", BOM, BOM[:2], b"\x00", b"\xff", b"\xc3",
    "é".encode(), "✓".encode(), "😀".encode(), "😀".encode()[:3], b"x", b"message", b"123", b"-1",
    b"\xd9\xa3", b"{\"a\": 1}", b"[DONE]", b"\t", b"\x0b", b"\x0c", b"\x1c", "\u2028".encode(),
]  # fmt: skip
# Bytes the decoder treats specially, over-represented among random bytes.
SPECIAL = b"\r\n: \x00\xef\xbb\xbf\xc3\xa9\xff"

Result = tuple[list[Event], Truncated | None, str | None, int | None]


def reference(body: bytes) -> Result:
    """What a WHATWG event-stream reader makes of the whole `body`, with `Decoder`'s conventions."""
    if body.startswith(BOM):
        body = body[3:]
    *lines, partial = re.split(rb"\r\n|\r|\n", body)
    events: list[Event] = []
    data: list[str] | None = None
    name, retry_field, seen = "", None, False
    last_id: str | None = None
    retry: int | None = None
    for raw in lines:
        text = raw.decode("utf-8", "replace")
        if not text:
            if data is not None:
                events.append(Event(name or "message", "\n".join(data), last_id, retry_field))
            data, name, retry_field, seen = None, "", None, False
            continue
        if text.startswith(":"):
            continue
        seen = True
        field, colon, value = text.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if field == "data":
            data = [*(data or []), value]
        elif field == "event":
            name = value
        elif field == "id" and "\x00" not in value:
            last_id = value
        elif field == "retry" and value.isascii() and value.isdigit():
            retry_field = retry = int(value)
    truncated = None
    if partial or seen:
        cut = None if data is None else Event(name or "message", "\n".join(data), last_id, retry_field)
        truncated = Truncated(cut, partial)
    return events, truncated, last_id, retry


def decode(chunks: list[bytes], decoder: Decoder | None = None) -> Result:
    decoder = decoder or Decoder()
    events = [event for chunk in chunks for event in decoder.feed(chunk)]
    events += decoder.close()
    return events, decoder.truncated, decoder.last_event_id, decoder.retry


def well_formed(event: Event) -> bool:
    return (
        type(event.event) is str
        and event.event != ""
        and not set(event.event) & {"\r", "\n"}
        and type(event.data) is str
        and "\r" not in event.data
        and (event.id is None or (type(event.id) is str and not set(event.id) & {"\r", "\n", "\x00"}))
        and (event.retry is None or (type(event.retry) is int and event.retry >= 0))
    )


def check_events(events: list[Event]) -> None:
    bad = [event for event in events if not well_formed(event)]
    assert bad == []


def rechunk(rng: random.Random, body: bytes) -> list[bytes]:
    """`body` cut at random points: one byte at a time, small pieces, or a few random cuts."""
    style = rng.randrange(3)
    if style == 0 and len(body) <= 64:
        return [body[i : i + 1] for i in range(len(body))]
    if style == 1:
        cuts = sorted({0, len(body), *(rng.randrange(len(body) + 1) for _ in range(rng.randrange(1, 8)))})
    else:
        cuts, at = [0], 0
        while at < len(body):
            at = min(len(body), at + rng.randrange(1, 9))
            cuts.append(at)
    pieces = [body[a:b] for a, b in itertools.pairwise(cuts)]
    if rng.random() < 0.1:
        pieces.insert(rng.randrange(len(pieces) + 1), b"")  # empty chunks are allowed anywhere
    return pieces


def mutate(rng: random.Random, body: bytes) -> bytes:
    for _ in range(rng.randrange(1, 4)):
        at = rng.randrange(len(body) + 1)
        kind = rng.randrange(5)
        if kind == 0:
            body = body[:at] + rng.choice(TOKENS) + body[at:]
        elif kind == 1:
            body = body[:at] + body[at + rng.randrange(1, 12) :]
        elif kind == 2 and at < len(body):
            body = body[:at] + bytes([rng.randrange(256)]) + body[at + 1 :]
        elif kind == 3:
            body = body.replace(b"\n", rng.choice([b"\r", b"\r\n"]))
        else:
            body = BOM + body
    return body


def inputs(rng: random.Random, streams: list[bytes]) -> Iterator[bytes]:
    for number in range(INPUTS):
        kind = number % 5
        if kind == 0:
            yield rng.randbytes(rng.randrange(0, 48))
        elif kind == 1:
            yield bytes(
                rng.choice(SPECIAL) if rng.random() < 0.6 else rng.randrange(256)
                for _ in range(rng.randrange(1, 40))
            )
        elif kind == 2:
            yield b"".join(rng.choice(TOKENS) for _ in range(rng.randrange(0, 24)))
        else:
            stream = rng.choice(streams)
            start = rng.randrange(len(stream))
            window = stream[start : start + rng.randrange(1, 300)]
            yield window if kind == 3 else mutate(rng, window)


@pytest.fixture(scope="module")
def streams() -> list[bytes]:
    """Real SSE bodies: a text answer and a function-tool call from the embedded server, plus
    encoded streams with ids, retries, multi-line and empty data, and every line-end style."""
    bodies = []
    tool = {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}
    requests = [
        {"assistant_id": "asst_1", "stream": True},
        {"assistant_id": "asst_2", "stream": True, "tools": [tool], "tool_choice": "required"},
    ]
    with FakeAssistantsServer(seed=3) as server, httpx.Client() as client:
        for body in requests:
            response = client.post(f"{server.base_url}/threads/runs", json=body)
            assert response.status_code == 200
            bodies.append(response.content)
    assert b"event: thread.run.requires_action" in bodies[1]
    encoded = encode(
        [
            Event("message", "one\ntwo\n", "1", 1500),
            Event("thread.message.delta", '{"delta": "é✓😀"}', "1"),
            Event("ping", "", ""),
            Event("done", "[DONE]", "2", 0),
        ]
    )
    bodies += [encoded, encoded.replace(b"\n", b"\r\n"), BOM + encoded.replace(b"\n", b"\r")]
    bodies.append(b": comment\nretry: 10\nid: x\x00y\nevent: a\ndata\ndata:  two spaces\n\nfield-only\n\n")
    return bodies


def test_one_hundred_thousand_inputs_decode_as_the_reference_in_any_chunking(streams: list[bytes]) -> None:
    rng = random.Random(SEED)
    started = time.perf_counter()
    count = events_seen = truncated_seen = 0
    for body in inputs(rng, streams):
        whole = decode([body])
        assert whole == reference(body), body
        check_events(whole[0])
        assert decode(rechunk(rng, body)) == whole, body
        if whole[0]:
            assert decode([encode(whole[0])])[0] == whole[0], body
        count += 1
        events_seen += len(whole[0])
        truncated_seen += whole[1] is not None
    for body in streams:  # the real streams whole, in many chunkings, and through one reused decoder
        whole = decode([body])
        assert whole == reference(body)
        reused = Decoder()
        for _ in range(50):
            assert decode(rechunk(rng, body), reused) == whole
    elapsed = time.perf_counter() - started
    print(
        f"\nSSE fuzz: {count} inputs (seed {SEED}), {events_seen} events, {truncated_seen} truncated "
        f"streams, in {elapsed:.1f} s"
    )
    assert count == INPUTS
    assert events_seen > INPUTS // 4
    assert truncated_seen > INPUTS // 4


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=200), st.lists(st.integers(0, 200), max_size=10))
def test_any_bytes_in_any_chunking_decode_as_the_reference(body: bytes, cuts: list[int]) -> None:
    points = sorted({0, len(body), *(cut for cut in cuts if cut <= len(body))})
    chunks = [body[a:b] for a, b in itertools.pairwise(points)]
    whole = decode([body])
    assert whole == reference(body)
    check_events(whole[0])
    assert decode(chunks) == whole


token_soup = st.lists(st.sampled_from(TOKENS), max_size=30).map(b"".join)


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(token_soup, st.lists(st.integers(0, 400), max_size=10))
def test_token_soups_in_any_chunking_decode_as_the_reference(body: bytes, cuts: list[int]) -> None:
    points = sorted({0, len(body), *(cut for cut in cuts if cut <= len(body))})
    chunks = [body[a:b] for a, b in itertools.pairwise(points)]
    whole = decode([body])
    assert whole == reference(body)
    check_events(whole[0])
    assert decode(chunks) == whole
    if whole[0]:
        assert decode([encode(whole[0])])[0] == whole[0]
