"""Bad input: every damaged cassette gives a clear error naming the file and the place, and nothing is
ever loaded silently as empty or partial.

The cassette under test is a real recording from the embedded server (a streamed run split inside
multi-byte characters, a JSON run, another streamed run). It is cut at thousands of byte offsets,
mutated thousands of times, replaced by binary garbage, edited by hand, re-encoded, and stripped
of an interaction; each must raise `CassetteFormatError` (with `.path`, and `.line` where YAML can
tell) or, for a removed interaction, fail on replay with the unmatched-request message. Through the
plugin, a corrupt cassette fails its test in every record mode without touching the file, except
in `rewrite`, which replaces it as the error message advises.
"""

from __future__ import annotations

import base64
import collections
import gzip
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from runreplay import sse
from runreplay.cassette import (
    Cassette,
    Chunk,
    Interaction,
    RecordedRequest,
    RecordedResponse,
    dumps,
    load,
    loads,
    save,
)
from runreplay.errors import CassetteFormatError, UnmatchedRequestError
from runreplay.fakeserver import FakeAssistantsServer
from runreplay.recording import use_cassette

FIX = ". Fix or delete the file and record it again (--record-mode=rewrite); nothing was loaded from it."
NOTE = "héllo ✓"  # non-ASCII, so that cuts also fall inside multi-byte characters


def body(number: int, *, stream: bool) -> dict[str, object]:
    return {"assistant_id": f"asst_{number}", "stream": stream, "metadata": {"note": NOTE}}


REQUESTS = [body(1, stream=True), body(2, stream=False), body(3, stream=True)]


@dataclass(frozen=True)
class Recording:
    path: Path
    text: bytes
    base_url: str


def send(client: httpx.Client, base_url: str, json_body: dict[str, object]) -> bytes:
    with client.stream("POST", f"{base_url}/threads/runs", json=json_body) as response:
        return response.read()


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Recording:
    """Three exchanges recorded from the embedded server (whose URL replays use, after it stopped)."""
    path = tmp_path_factory.mktemp("recording") / "runs.yaml"
    with FakeAssistantsServer(seed=11, chunking="split_utf8") as server:
        with use_cassette(path, record_mode="once"), httpx.Client() as client:
            for json_body in REQUESTS:
                send(client, server.base_url, json_body)
        base_url = server.base_url
    assert len(load(path).interactions) == 3
    return Recording(path, path.read_bytes(), base_url)


def load_error(data: bytes, name: str = "c.yaml") -> CassetteFormatError:
    with pytest.raises(CassetteFormatError) as info:
        loads(data, path=name)
    assert info.value.path == name
    assert str(info.value).startswith(f"cannot load cassette {name}")
    assert str(info.value).endswith(FIX)
    return info.value


def file_error(path: Path, data: bytes) -> CassetteFormatError:
    path.write_bytes(data)
    with pytest.raises(CassetteFormatError) as info:
        load(path)
    assert info.value.path == str(path)
    assert path.read_bytes() == data  # loading never touches the file
    return info.value


# ------------------------------------------------------------------------------------------ truncated


def test_a_file_cut_at_any_offset_never_loads(recording: Recording) -> None:
    text = recording.text
    line_starts = [0] + [i + 1 for i, byte in enumerate(text) if byte == 0x0A]
    cuts = set(range(1024)) | set(range(len(text) - 512, len(text) - 1)) | set(range(0, len(text), 31))
    cuts |= {start + shift for start in line_starts for shift in (-1, 0, 1)}
    cuts = {cut for cut in cuts if 0 <= cut < len(text) - 1}
    problems: collections.Counter[str] = collections.Counter()
    for cut in sorted(cuts):
        error = load_error(text[:cut])
        problems[re.sub(r"'[^']*'|[0-9]+", "X", error.problem.split(":")[0])] += 1
        # Only an empty file, a file with nothing but the comment header, and a cut inside a
        # multi-byte character (reported with its byte position) have no line number.
        if error.line is None:
            assert (
                error.problem
                in (
                    "the file is empty",
                    "the file holds no YAML document, only comments or blank lines",
                )
                or "incomplete UTF-8 octet sequence" in error.problem
            ), error.problem
    assert len(cuts) > 2500  # about 2,800 since the derived events view is no longer written
    # Bodies are literal blocks (issue 12), so most cuts leave valid YAML that the end marker refuses.
    assert problems["invalid YAML"] > 100
    assert {
        "invalid YAML",
        "the file is empty",
        "the file does not end with the line X that runreplay writes after the last interaction, so it "
        "was probably cut off",
        "interactions[X].response.body.chunks add up to X bytes but the body has X",
        "interactions[X] has no X",
    } <= set(problems)
    assert len(problems) > 12
    # A cut between two interactions leaves valid YAML holding fewer interactions: the end marker
    # is what refuses it.
    for boundary in [m.start() for m in re.finditer(rb"\n- recorded_at: ", text)][1:]:
        error = load_error(text[: boundary + 1])
        assert error.problem.startswith("the file does not end with the line '...'")
    # Only dropping the very last line end leaves a loadable file.
    assert loads(text[:-1]) == loads(text)


def test_cut_files_name_the_file_and_the_line(recording: Recording, tmp_path: Path) -> None:
    text = recording.text
    path = tmp_path / "runs.yaml"
    before_end = text[: text.rindex(b"...\n")]
    lines = before_end.count(b"\n") + 1
    assert str(file_error(path, before_end)) == (
        f"cannot load cassette {path}, line {lines}: the file does not end with the line '...' that "
        "runreplay writes after the last interaction, so it was probably cut off; expected '...' as the "
        "last line" + FIX
    )
    inside_key = text[: text.index(b"  response:") + len(b"  resp")]
    error = file_error(path, inside_key)
    assert (error.path, error.line) == (str(path), inside_key.count(b"\n") + 2)
    assert str(error) == (
        f"cannot load cassette {path}, line {error.line}: invalid YAML: could not find expected ':'; "
        "expected a YAML document" + FIX
    )
    inside_character = text[: text.index(NOTE.encode()) + 2]  # the first byte of "é"
    error = file_error(path, inside_character)
    assert error.line is None
    assert str(error) == (
        f"cannot load cassette {path}: invalid YAML: unacceptable character #x-001: incomplete UTF-8 "
        f'octet sequence in "<byte string>", position {len(inside_character) - 1}; expected a YAML '
        "document" + FIX
    )


# ---------------------------------------------------------------------------- garbage and encodings


def test_empty_files_and_binary_garbage_never_load(recording: Recording, tmp_path: Path) -> None:
    path = tmp_path / "runs.yaml"
    assert str(file_error(path, b"")) == (
        f"cannot load cassette {path}: the file is empty; expected a runreplay cassette starting with "
        "format_version: 1" + FIX
    )
    assert str(file_error(path, b"\x00" * 64)) == (
        f"cannot load cassette {path}: invalid YAML: unacceptable character #x0000: control characters "
        'are not allowed in "<byte string>", position 0; expected a YAML document' + FIX
    )
    assert str(file_error(path, gzip.compress(recording.text, mtime=0))) == (
        f"cannot load cassette {path}: invalid YAML: unacceptable character #x001f: control characters "
        'are not allowed in "<byte string>", position 0; expected a YAML document' + FIX
    )
    rng = random.Random(5)
    for size in [1, 2, 3, 7, 100, 4096] + [rng.randrange(1, 3000) for _ in range(300)]:
        load_error(rng.randbytes(size))
    for size in range(1, 200):  # printable garbage gets past the UTF-8 check
        load_error(bytes(rng.choice(b" \n\t-:[]{}#!&*'\"abc019.") for _ in range(size)))


def test_re_encoded_files(recording: Recording) -> None:
    original = loads(recording.text)
    # Line ends converted to CRLF (git's autocrlf on Windows) and a UTF-8 BOM (Windows editors)
    # change nothing: YAML reads CRLF as LF, and bodies with CR in them are stored quoted.
    assert loads(recording.text.replace(b"\n", b"\r\n")) == original
    assert loads(b"\xef\xbb\xbf" + recording.text) == original
    # UTF-16 (PowerShell's `>`) and old Mac line ends are refused, if not with the real reason.
    lines = recording.text.count(b"\n") + 1
    assert str(load_error(recording.text.decode().encode("utf-16"))) == (
        f"cannot load cassette c.yaml, line {lines}: the file does not end with the line '...' that "
        "runreplay writes after the last interaction, so it was probably cut off; expected '...' as the "
        "last line" + FIX
    )
    load_error(recording.text.replace(b"\n", b"\r"))


def test_random_mutations_fail_clearly_or_keep_every_interaction(recording: Recording) -> None:
    """Byte flips, insertions (also of odd Unicode digits and long numbers), deletions, and deleted,
    doubled or swapped lines: the result is a CassetteFormatError or a cassette with all three
    interactions, never an exception of another type and never fewer interactions."""
    text = recording.text
    lines = text.split(b"\n")
    inserts = [b"\x00", b"\xff", b"\t", b"#", b": ", b"- ", b"'", b'"', b"\\", "²".encode(), "٣".encode()]
    inserts += [b"9" * 5000, b"0x" + b"f" * 5000, b"@", b"...\n", b"\n", b"!!python/name:os.system "]
    rng = random.Random(8)
    outcomes: collections.Counter[str] = collections.Counter()
    paths: set[str] = set()
    for _ in range(2500):
        kind = rng.randrange(6)
        if kind == 0:
            at = rng.randrange(len(text))
            mutated = text[:at] + bytes([rng.randrange(256)]) + text[at + 1 :]
        elif kind == 1:
            at = rng.randrange(len(text))
            mutated = text[:at] + rng.choice(inserts) + text[at:]
        elif kind == 2:
            at = rng.randrange(len(text))
            mutated = text[:at] + text[at + rng.randrange(1, 40) :]
        else:
            copy = list(lines)
            at = rng.randrange(len(copy) - 2)
            if kind == 3:
                del copy[at]
            elif kind == 4:
                copy.insert(at, copy[at])
            else:
                copy[at], copy[at + 1] = copy[at + 1], copy[at]
            mutated = b"\n".join(copy)
        try:
            cassette = loads(mutated, path="c.yaml")
        except CassetteFormatError as error:
            paths.add(error.path)
            outcomes["refused"] += 1
        else:
            assert len(cassette.interactions) == 3
            outcomes["loaded" if mutated != text else "unchanged"] += 1
    assert paths == {"c.yaml"}
    assert outcomes["refused"] > 1000
    assert outcomes["loaded"] > 500  # edits inside strings, comments and the events view


# ------------------------------------------------------------------------------------------ hand edits


def edit(recording: Recording, old: str, new: str) -> bytes:
    text = recording.text.decode()
    assert old in text, old
    return text.replace(old, new, 1).encode()


def line_of(data: bytes, needle: str) -> int:
    return data[: data.index(needle.encode())].count(b"\n") + 1


@pytest.mark.parametrize(
    ("old", "new", "at", "problem"),
    [
        (
            "format_version: 1",
            "format_version: 2",
            "format_version",
            "format_version is '2' (written by a newer runreplay: upgrade runreplay to read it); "
            "expected format_version: 1",
        ),
        (
            "format_version: 1",
            "format_version: 0",
            "format_version",
            "format_version is '0'; expected format_version: 1",
        ),
        (
            "    status: 200\n",
            "    status: '200'\n",
            "status: '200'",
            "interactions[0].response.status is '200' (a string); expected an integer HTTP status such as 200",
        ),
        (
            "    complete: true\n",
            "    complete: yes please\n",
            "complete: yes please",
            "interactions[0].response.complete is 'yes please' (a string); expected true or false",
        ),
        (
            "    method: POST\n",
            "",
            "    url: ",
            "interactions[0].request has no 'method'; expected the keys method, url, headers, body",
        ),
        (
            "      chunks: 146@",
            "      chunks: 147@",
            "chunks: 147@",
            "interactions[0].response.body.chunks add up to {total} bytes but the body has {size}; expected "
            "chunk sizes that add up to the body's length (the file may have been cut off or edited)",
        ),
        (
            "      chunks: 146@",
            "      chunks: ²@",
            "chunks: ²@",
            "interactions[0].response.body.chunks has the item '²@{offset}'; expected a string of "
            "BYTES@MILLISECONDS items such as '134@0.5 271@312.25'",
        ),
        (
            "      style: compact\n",
            "      style: compact\n      base64: e30=\n",
            "style: compact",
            "interactions[0].request.body has both json and base64; expected exactly one of text, json or "
            "base64",
        ),
    ],
    ids=[
        "newer-version",
        "older-version",
        "status-quoted",
        "complete-not-bool",
        "method-removed",
        "chunks-do-not-add-up",
        "chunk-size-superscript",
        "two-body-forms",
    ],
)
def test_hand_edits(recording: Recording, tmp_path: Path, old: str, new: str, at: str, problem: str) -> None:
    data = edit(recording, old, new)
    original = loads(recording.text).interactions[0].response
    problem = problem.format(
        total=len(original.body) + 1, size=len(original.body), offset=original.chunks[0].offset_ms
    )
    path = tmp_path / "runs.yaml"
    error = file_error(path, data)
    assert error.line == line_of(data, at)
    assert str(error) == f"cannot load cassette {path}, line {error.line}: {problem}{FIX}"


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            "    status: 200\n",
            "    status: " + "9" * 5000 + "\n",
            "interactions[0].response.status is '" + "9" * 37 + "...' (an integer); expected an integer "
            "HTTP status such as 200",
        ),
        (
            "    status: 200\n",
            "    status: 0x" + "f" * 5000 + "\n",
            "interactions[0].response.status is '0x" + "f" * 35 + "...' (an integer); expected an integer "
            "HTTP status such as 200",
        ),
        (
            "      chunks: 146@",
            "      chunks: " + "9" * 5000 + "@",
            "interactions[0].response.body.chunks has the item '" + "9" * 5000 + "@{offset}'; expected a "
            "string of BYTES@MILLISECONDS items such as '134@0.5 271@312.25'",
        ),
        (
            "format_version: 1",
            "format_version: " + "9" * 5000,
            "format_version is '" + "9" * 200 + "... (5000 characters)' (written by a newer runreplay: "
            "upgrade runreplay to read "
            "it); expected format_version: 1",
        ),
    ],
    ids=["status-5000-digits", "status-5000-hex-digits", "chunk-size-5000-digits", "version-5000-digits"],
)
def test_numbers_too_long_for_int(recording: Recording, old: str, new: str, problem: str) -> None:
    """Python's int() refuses more than 4300 decimal digits; such a number is still a format error."""
    offset = loads(recording.text).interactions[0].response.chunks[0].offset_ms
    data = edit(recording, old, new)
    error = load_error(data)
    assert error.line == line_of(data, new.strip()[:12])
    assert (
        str(error) == f"cannot load cassette c.yaml, line {error.line}: {problem.format(offset=offset)}" + FIX
    )


def test_bad_base64_in_a_binary_body(tmp_path: Path) -> None:
    binary = bytes(range(256))
    cassette = Cassette(
        [
            Interaction(
                RecordedRequest("POST", "http://127.0.0.1:9/upload", [], binary),
                RecordedResponse(204, "No Content"),
                "2026-01-01T00:00:00Z",
            )
        ]
    )
    text = dumps(cassette)
    encoded = base64.b64encode(binary).decode()
    assert encoded[:76] in text
    path = tmp_path / "upload.yaml"
    data = text.replace(encoded[:76], encoded[:75] + "!", 1).encode()
    error = file_error(path, data)
    assert str(error) == (
        f"cannot load cassette {path}, line {line_of(data, 'base64:')}: interactions[0].request.body.base64 "
        "is not valid base64 (Only base64 data is allowed); expected base64 text (A-Z, a-z, 0-9, +, / "
        "and = padding)" + FIX
    )


# ------------------------------------------------------------------------------ interactions removed


def test_a_removed_interaction_fails_on_replay_with_the_unmatched_request_message(
    recording: Recording, tmp_path: Path
) -> None:
    text = recording.text.decode()
    items = text.split("\n- recorded_at: ")
    assert len(items) == 4  # the head and three interactions
    path = tmp_path / "runs.yaml"
    path.write_text("\n- recorded_at: ".join([items[0], items[1], items[3]]))
    assert [json_of(i.request.body)["assistant_id"] for i in load(path).interactions] == ["asst_1", "asst_3"]
    base_url = recording.base_url
    with pytest.raises(UnmatchedRequestError) as info:
        with use_cassette(path) as session, httpx.Client() as client:
            send(client, base_url, REQUESTS[0])
            send(client, base_url, REQUESTS[1])
    assert str(info.value) == "\n".join(
        [
            "runreplay: no recorded response for this request, and record mode 'none' does not record new ones.",
            "",
            f"  POST {base_url}/threads/runs",
            "",
            f"Cassette: {path} (2 interactions, 1 played)",
            "  record_mode: none",
            "  match_on: method, url, body",
            "",
            "Closest recorded requests:",
            f"  #0 POST {base_url}/threads/runs (played)",
            "      --- recorded body",
            "      +++ this request's body",
            "      @@ -1,3 +1,3 @@",
            "       {",
            '      -  "assistant_id": "asst_1",',
            '      +  "assistant_id": "asst_2",',
            '         "metadata": {',
            "      @@ -5,3 +5,3 @@",
            "         },",
            '      -  "stream": true',
            '      +  "stream": false',
            "       }",
            f"  #1 POST {base_url}/threads/runs (not played)",
            "      --- recorded body",
            "      +++ this request's body",
            "      @@ -1,3 +1,3 @@",
            "       {",
            '      -  "assistant_id": "asst_3",',
            '      +  "assistant_id": "asst_2",',
            '         "metadata": {',
            "      @@ -5,3 +5,3 @@",
            "         },",
            '      -  "stream": true',
            '      +  "stream": false',
            "       }",
            "",
            "How to fix:",
            "  * record it: run with --record-mode=new_episodes (keeps the other recordings)",
            "  * if the difference is volatile, leave that part out of match_on",
            "See https://pypi.org/project/pytest-runreplay/#unmatched-requests",
        ]
    )
    assert session.stats().played == 1


def json_of(data: bytes) -> dict[str, object]:
    value: dict[str, object] = json.loads(data)
    return value


# -------------------------------------------------------------------------- undecodable SSE bodies


ODD_STREAMS = {
    "invalid UTF-8": [b"event: x\ndata: \xff\xfe\xc3\n\n", b"data: ok\n\n"],
    "not SSE at all": [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"\x00\x01\x02"],
    "cut off mid-event": [b'event: thread.message.delta\ndata: {"id":', b'"msg_1"'],
    "lone CR line ends": [b"data: a\r\rdata: b\r", b"\r"],
    "NUL and controls": [b"data: \x00\x01\x1b[31m\n\n"],
    "a multi-byte character split": ["data: ✓\n\n".encode()[:7], "data: ✓\n\n".encode()[7:]],
}


@pytest.mark.parametrize("name", list(ODD_STREAMS))
def test_undecodable_sse_bodies_are_kept_byte_for_byte_and_replayed_as_recorded(
    name: str, tmp_path: Path
) -> None:
    """An event-stream body that is not UTF-8 or not SSE is not a format error: the cassette is a
    faithful record of what the server sent, so it saves, loads and replays the same bytes and
    chunks, and a client meets the same bytes it met live."""
    url = "http://127.0.0.1:9/v1/threads/runs"
    parts = ODD_STREAMS[name]
    cassette = Cassette(
        [
            Interaction(
                RecordedRequest("POST", url, [("content-type", "application/json")], b"{}"),
                RecordedResponse(
                    200,
                    "OK",
                    headers=[("content-type", "text/event-stream")],
                    chunks=[Chunk(part, 1.0 + k) for k, part in enumerate(parts)],
                ),
                "2026-01-01T00:00:00Z",
            )
        ]
    )
    path = tmp_path / "odd.yaml"
    save(path, cassette)
    assert load(path) == cassette
    with use_cassette(path), httpx.Client() as client:
        with client.stream(
            "POST", url, content=b"{}", headers={"content-type": "application/json"}
        ) as response:
            replayed = list(response.iter_raw())
    assert replayed == parts
    decoder = sse.Decoder()
    events = [event for part in parts for event in decoder.feed(part)] + decoder.close()
    assert all(isinstance(event.data, str) for event in events)


# ------------------------------------------------------------------------------------ through pytest


INNER = """
import os
import httpx
import pytest

@pytest.mark.cassette
def test_runs():
    with httpx.Client() as client:
        response = client.post(os.environ["RUNREPLAY_SAFETY_BASE_URL"] + "/threads/runs", json={"assistant_id": "asst_1"})
    assert response.status_code == 200

def test_unrelated():
    pass
"""


@pytest.fixture
def live(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAssistantsServer]:
    with FakeAssistantsServer(seed=12) as server:
        monkeypatch.setenv("RUNREPLAY_SAFETY_BASE_URL", server.base_url)
        # Only runreplay in the inner sessions: pytester re-imports what a run imported, and the
        # other installed plugins (hypothesis, Faker, ...) would make each run a second slower.
        monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
        yield server


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("-p", "runreplay.plugin", "-p", "no:cacheprovider", *args)


def test_a_corrupt_cassette_fails_its_test_in_every_mode_and_only_rewrite_replaces_it(
    pytester: pytest.Pytester, live: FakeAssistantsServer, recording: Recording
) -> None:
    pytester.makepyfile(test_inner=INNER)
    path = pytester.path / "cassettes" / "test_inner" / "test_runs.yaml"
    path.parent.mkdir(parents=True)
    corrupt = recording.text[: recording.text.rindex(b"...\n")]  # cut off before its last line
    path.write_bytes(corrupt)
    lines = corrupt.count(b"\n") + 1
    message = (
        f"cannot load cassette {path}, line {lines}: the file does not end with the "
        "line '...' that runreplay writes after the last interaction, so it was probably cut off; "
        "expected '...' as the last line" + FIX
    )
    for mode in ("none", "once", "new_episodes", "all"):
        result = run(pytester, f"--record-mode={mode}")
        result.assert_outcomes(passed=1, errors=1)
        assert result.ret == pytest.ExitCode.TESTS_FAILED
        result.stdout.fnmatch_lines(
            [
                "*ERROR at setup of test_runs*",
                f"E*runreplay.errors.CassetteFormatError: {message}",
            ]
        )
        assert path.read_bytes() == corrupt, f"--record-mode={mode} changed the corrupt cassette"
        assert live.requests == []

    result = run(pytester, "--record-mode=rewrite")
    result.assert_outcomes(passed=2)
    rewritten = load(path)
    assert [json_of(i.request.body) for i in rewritten.interactions] == [{"assistant_id": "asst_1"}]
    assert len(live.requests) == 1
    run(pytester).assert_outcomes(passed=2)
