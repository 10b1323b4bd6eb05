"""Readable cassette files: any UTF-8 body text is a literal block; bodies that cannot be one say why."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runreplay.cassette import Cassette, Chunk, Interaction, RecordedRequest, RecordedResponse, dumps, loads
from runreplay.cassette._literal import why_not_literal

SSE = [("content-type", "text/event-stream")]
TEXT = [("content-type", "text/plain; charset=utf-8")]


def cassette_of(body: bytes, headers: list[tuple[str, str]] = TEXT) -> Cassette:
    """One interaction whose request and response both carry `body`."""
    return Cassette(
        [
            Interaction(
                RecordedRequest("POST", "https://api.example/v1", list(headers), body),
                RecordedResponse(200, "OK", "HTTP/1.1", list(headers), [Chunk(body, 1.5)]),
                "2026-01-01T00:00:00Z",
            )
        ]
    )


def request_body_lines(text: str) -> list[str]:
    """The lines of the request's `body:` mapping in a saved cassette (up to `response:`)."""
    lines = text.splitlines()
    start = lines.index("    body:") + 1
    end = lines.index("  response:")
    return lines[start:end]


@pytest.mark.parametrize(
    ("body", "block"),
    [
        ("b \U0001f642", ["      text: |-", "        b \U0001f642"]),
        ("中文の答え\n", ["      text: |", "        中文の答え"]),
        (
            "cafe\u0301 \U0001f600\nsecond\n\n",
            ["      text: |+", "        cafe\u0301 \U0001f600", "        second", ""],
        ),
        (" starts with a space 🙂", ["      text: |2-", "         starts with a space 🙂"]),
        ("tab\there 🙂", ["      text: |-", "        tab\there 🙂"]),
        ("trailing space \nnext", ["      text: |-", "        trailing space ", "        next"]),
    ],
)
def test_utf8_text_is_a_literal_block(backend: str, body: str, block: list[str]) -> None:
    cassette = cassette_of(body.encode())
    text = dumps(cassette)
    assert request_body_lines(text) == block
    assert "\\U" not in text
    assert '"' not in "\n".join(request_body_lines(text))
    assert loads(text) == cassette


def test_a_stream_with_emoji_stays_readable(backend: str) -> None:
    body = 'event: thread.message.delta\ndata: {"value":" \U0001f642"}\n\n'.encode()
    text = dumps(cassette_of(body, SSE))
    assert '        data: {"value":" \U0001f642"}' in text.splitlines()
    assert "\\U0001F642" not in text


@pytest.mark.parametrize(
    ("body", "comment", "value"),
    [
        (
            b"line one\r\nline two\r\n",
            "# text is quoted, not a literal block: it has CR line ends (\\r), which a YAML literal block "
            "would read back as LF",
            'text: "line one\\r\\nline two\\r\\n"',
        ),
        (
            b"bell \x07 here",
            "# text is quoted, not a literal block: it has the control character U+0007, which YAML can "
            "only write escaped",
            'text: "bell \\a here"',
        ),
        (
            "a\u2028b".encode(),
            "# text is quoted, not a literal block: it has U+2028, a Unicode line break that YAML reads as "
            "a line end",
            'text: "a\\Lb"',
        ),
        (
            "\ufeffbom".encode(),
            "# text is quoted, not a literal block: it has U+FEFF, which YAML can only write escaped",
            'text: "\\uFEFFbom"',
        ),
        (b"\xff\xfe\x00", "# not UTF-8 text, so kept as base64", "base64: //4A"),
    ],
)
def test_a_body_that_cannot_be_literal_says_why(backend: str, body: bytes, comment: str, value: str) -> None:
    cassette = cassette_of(body)
    text = dumps(cassette)
    assert request_body_lines(text) == ["      " + comment, "      " + value]
    assert loads(text) == cassette


def test_why_not_literal() -> None:
    assert why_not_literal("any 🙂 text\twith tabs \n") is None
    assert why_not_literal("x\x85") == "it has U+0085, a Unicode line break that YAML reads as a line end"
    assert (
        why_not_literal("x\x9b") == "it has the control character U+009B, which YAML can only write escaped"
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.text(st.sampled_from([" ", "\n", "\t", "a", "#", ":", "-", "|", "\U0001f642", "中", "\u0301", "\r"]))
)
def test_any_text_round_trips_and_is_literal_when_it_can_be(backend: str, body: str) -> None:
    cassette = cassette_of(body.encode(), SSE)
    text = dumps(cassette)
    assert loads(text) == cassette
    lines = request_body_lines(text)
    if body and why_not_literal(body) is None and ("\n" in body or "\t" in body or "\U0001f642" in body):
        assert lines[0].startswith("      text: |"), lines
    if why_not_literal(body) is not None:
        assert lines[0].startswith("      # text is quoted, not a literal block: "), lines


def test_dumps_in_several_threads_keep_their_own_blocks() -> None:
    cassettes = [cassette_of(f"thread {n} \U0001f642\n".encode() * (n + 1)) for n in range(8)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        texts = list(pool.map(lambda c: [dumps(c) for _ in range(20)], cassettes))
    for cassette, dumped in zip(cassettes, texts, strict=True):
        assert all(loads(text) == cassette for text in dumped)
