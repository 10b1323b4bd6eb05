"""Cassettes from strangers: a cassette is data from a pull request, and must not choose what code runs.

- a recorded error is raised only as a class from a fixed table of network errors, matched by name;
  nothing is imported, and an unknown type is a `CassetteFormatError`;
- YAML anchors, aliases and tags are refused with a clean error in constant memory, in `load`,
  `runreplay inspect` and `runreplay audit`;
- every number has a range; error messages are capped in size;
- hypothesis writes hostile cassette files (aliases, tags, deep nesting, huge numbers, wrong types):
  each loads or fails with a `CassetteFormatError` naming the file and line, quickly.
"""

from __future__ import annotations

import io
import re
import time
import tracemalloc
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import httpx
import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runreplay.cassette import (
    Cassette,
    Chunk,
    Interaction,
    RecordedRequest,
    RecordedResponse,
    StreamError,
    _safe_yaml,
    dumps,
    load,
    loads,
    save,
)
from runreplay.cassette._audit import audit_paths
from runreplay.cli import main
from runreplay.errors import CassetteFormatError
from runreplay.recording import use_cassette
from runreplay.recording._replay import KNOWN_ERRORS, MAX_ERROR_MESSAGE

URL = "http://127.0.0.1:9/v1/stream"
FIX = ". Fix or delete the file and record it again (--record-mode=rewrite); nothing was loaded from it."
YAML_EXPECTED = (
    "; expected plain YAML as runreplay writes it, without anchors (&), aliases (*) or tags (!); "
    "record the cassette again rather than editing it this way"
)


def broken_stream(error_type: str, message: str = "peer closed connection") -> Cassette:
    """One GET whose body broke after its first chunk with an error of `error_type`."""
    response = RecordedResponse(
        200,
        headers=[("content-type", "text/plain")],
        chunks=[Chunk(b"first ", 1.0), Chunk(b"second", 2.0)],
        complete=False,
        error=StreamError(error_type, message, after_chunk=1),
    )
    return Cassette([Interaction(RecordedRequest("GET", URL), response)])


def test_a_cassette_cannot_import_a_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "imported"
    (tmp_path / "runreplay_evil_module.py").write_text(
        f"open({str(marker)!r}, 'w').close()\nclass Boom(Exception):\n    pass\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    path = tmp_path / "evil.yaml"
    save(path, broken_stream("runreplay_evil_module.Boom"))
    with pytest.raises(CassetteFormatError) as info:
        with use_cassette(path), httpx.Client() as client:
            client.get(URL).read()
    assert str(info.value) == (
        f"cannot load cassette {path}: interactions[0].response.error.type is "
        "'runreplay_evil_module.Boom', which is not a network error runreplay replays (a cassette is "
        "data: it never names code to import); expected a network error of httpx, httpx2, requests, "
        "urllib3, aiohttp, http.client or the standard library, such as httpx2.RemoteProtocolError "
        "(the full list is runreplay.recording._replay.KNOWN_ERRORS)" + FIX
    )
    assert not marker.exists()


@pytest.mark.parametrize(
    "error_type", ["unittest.SkipTest", "builtins.KeyboardInterrupt", "_pytest.outcomes.Skipped"]
)
def test_a_cassette_cannot_turn_a_failure_into_a_skip(tmp_path: Path, error_type: str) -> None:
    path = tmp_path / "skip.yaml"
    save(path, broken_stream(error_type))
    with pytest.raises(CassetteFormatError, match=f"error.type is '{error_type}'"):
        with use_cassette(path), requests.Session() as session:
            session.get(URL).content  # noqa: B018 - reading is what replays the error


@pytest.mark.parametrize(
    ("recorded", "client", "raised", "message"),
    [
        ("httpx2.ReadTimeout", "httpx", httpx.ReadTimeout, "slow"),
        ("httpx.RemoteProtocolError", "httpx", httpx.RemoteProtocolError, "slow"),
        ("builtins.ConnectionResetError", "httpx", httpx.RemoteProtocolError, "slow"),
        ("aiohttp.ServerTimeoutError", "httpx", httpx.ReadTimeout, "slow"),
        ("http.client.IncompleteRead", "httpx", httpx.RemoteProtocolError, "slow"),
        ("urllib3.exceptions.ProtocolError", "requests", requests.exceptions.ChunkedEncodingError, "slow"),
        (
            "httpx2.RemoteProtocolError",
            "requests",
            requests.exceptions.ChunkedEncodingError,
            "Connection broken: slow",
        ),
        (
            "urllib3.exceptions.ReadTimeoutError",
            "requests",
            requests.exceptions.ConnectionError,
            "Read timed out. (slow)",
        ),
    ],
)
def test_recorded_errors_are_raised_as_the_clients_own_class_by_name(
    tmp_path: Path, recorded: str, client: str, raised: type[Exception], message: str
) -> None:
    assert recorded in KNOWN_ERRORS
    path = tmp_path / "error.yaml"
    save(path, broken_stream(recorded, "slow"))
    with pytest.raises(raised) as info, use_cassette(path):
        if client == "httpx":
            with httpx.Client() as http:
                http.get(URL).read()
        else:
            with requests.Session() as session:
                session.get(URL).content  # noqa: B018
    assert type(info.value) is raised
    assert message in str(info.value)


def test_replayed_error_messages_are_capped(tmp_path: Path) -> None:
    path = tmp_path / "long.yaml"
    save(path, broken_stream("httpx.RemoteProtocolError", "x" * 1_000_000))
    with pytest.raises(httpx.RemoteProtocolError) as info:
        with use_cassette(path), httpx.Client() as client:
            client.get(URL).read()
    assert (
        str(info.value)
        == "x" * MAX_ERROR_MESSAGE + f"… [{1_000_000 - MAX_ERROR_MESSAGE} more characters not shown]"
    )


def test_recorded_error_messages_are_capped() -> None:
    from runreplay.recording._recorder import StreamRecorder

    done: list[Interaction] = []
    recorder = StreamRecorder(
        RecordedRequest("GET", URL),
        started=time.perf_counter(),
        status=200,
        reason="OK",
        http_version="HTTP/1.1",
        headers=[],
        decode_compressed=False,
        already_decoded=False,
        on_finish=done.append,
    )
    recorder.fail(ConnectionResetError("y" * 50_000))
    recorder.finish(complete=False)
    error = done[0].response.error
    assert error is not None
    assert (
        error.message
        == "y" * MAX_ERROR_MESSAGE + f"… [{50_000 - MAX_ERROR_MESSAGE} more characters not shown]"
    )


# -- YAML: anchors, aliases and tags ------------------------------------------------------------------

PLAIN = dumps(broken_stream("httpx.RemoteProtocolError"))


def laughs(levels: int) -> str:
    """A cassette whose meta holds `levels` nested anchors, each aliased ten times (10**levels items)."""
    lines = ["meta:", "  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, levels):
        lines.append(f"  l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 10) + "]")
    return PLAIN.replace("meta: {}\n", "\n".join(lines) + "\n", 1)


def test_nested_aliases_are_refused_at_once_in_constant_memory(tmp_path: Path) -> None:
    path = tmp_path / "laughs.yaml"
    path.write_text(laughs(10))
    assert path.stat().st_size < 3000
    tracemalloc.start()
    try:
        with pytest.raises(CassetteFormatError) as info:
            load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    line = (
        path.read_text().split("\n").index("  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]") + 1
    )
    assert str(info.value) == (
        f"cannot load cassette {path}, line {line}: the anchor &l0 is not allowed" + YAML_EXPECTED + FIX
    )
    assert peak < 2_000_000
    for command in (["inspect", "--json", str(path)], ["inspect", str(path)], ["audit", str(path)]):
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            assert main(command) == 2
        assert "the anchor &l0 is not allowed" in err.getvalue()
    with pytest.raises(CassetteFormatError, match="the anchor &l0 is not allowed"):
        audit_paths([path])


def test_an_aliased_interaction_is_refused(tmp_path: Path) -> None:
    body = PLAIN.split("interactions:\n", 1)[1].rsplit("...", 1)[0]
    text = (
        PLAIN.split("interactions:\n", 1)[0]
        + "interactions:\n"
        + body.replace("- recorded_at", "- &one\n  recorded_at", 1)
    )
    text += "".join("- *one\n" for _ in range(2000)) + "...\n"
    with pytest.raises(CassetteFormatError) as info:
        loads(text, path="x.yaml")
    line = text.split("\n").index("- &one") + 1
    assert (
        str(info.value)
        == f"cannot load cassette x.yaml, line {line}: the anchor &one is not allowed" + YAML_EXPECTED + FIX
    )


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("reason: ''", "reason: !!str OK", "the tag tag:yaml.org,2002:str is not allowed"),
        ("reason: ''", "reason: !custom OK", "the tag !custom is not allowed"),
        ("meta: {}", "meta: !!set {a: null}", "the tag tag:yaml.org,2002:set is not allowed"),
        ("meta: {}", "meta: {a: !!binary aGk=}", "the tag tag:yaml.org,2002:binary is not allowed"),
        ("meta: {}", "meta: {a: &x 1, b: *x}", "the anchor &x is not allowed"),
    ],
)
def test_tags_and_anchors_anywhere_are_refused(old: str, new: str, problem: str) -> None:
    assert old in PLAIN
    text = PLAIN.replace(old, new, 1)
    line = text[: text.index(new)].count("\n") + 1
    with pytest.raises(CassetteFormatError) as info:
        loads(text, path="t.yaml")
    assert str(info.value) == f"cannot load cassette t.yaml, line {line}: {problem}" + YAML_EXPECTED + FIX


def test_ampersands_stars_and_bangs_in_ordinary_text_still_load() -> None:
    cassette = broken_stream("httpx.RemoteProtocolError")
    cassette.interactions[0].request.url = URL + "?a=1&b=*2&c=!3"
    cassette.interactions[0].response.chunks = [Chunk(b"- *bold* & !important\n& *x\n! y\n", 1.0)]
    cassette.interactions[0].response.error = None
    cassette.meta = {"note": "Tom & Jerry *really*", "list": ["!bang", "&amp", "*star"]}
    assert loads(dumps(cassette)) == cassette


# -- numbers have ranges -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "problem", "expected"),
    [
        (
            "headers_ms: 0.0",
            "headers_ms: -5.0",
            "headers_ms is '-5.0' (a number)",
            "a number of milliseconds from 0 to 86400000 such as 12.5",
        ),
        (
            "headers_ms: 0.0",
            "headers_ms: 1.0e+300",
            "headers_ms is '1.0e+300' (a number)",
            "a number of milliseconds from 0 to 86400000 such as 12.5",
        ),
        (
            "chunks: 6@1.0 6@2.0",
            "chunks: 6@-1.0 6@2.0",
            "body.chunks has the item '6@-1.0'",
            "a string of BYTES@MILLISECONDS items such as '134@0.5 271@312.25'",
        ),
        (
            "chunks: 6@1.0 6@2.0",
            "chunks: 6@1.0 6@9e99",
            "body.chunks has the item '6@9e99'",
            "a string of BYTES@MILLISECONDS items such as '134@0.5 271@312.25'",
        ),
        (
            "after_chunk: 1",
            "after_chunk: -1",
            "error.after_chunk is -1 but the body has 2 chunks",
            "a chunk count from 0 to 2",
        ),
        (
            "after_chunk: 1",
            "after_chunk: " + "9" * 30,
            "error.after_chunk is '" + "9" * 30 + "' (an integer)",
            "a chunk count, 0 or more",
        ),
        (
            "status: 200",
            "status: " + "9" * 5000,
            "status is '" + "9" * 37 + "...' (an integer)",
            "an integer HTTP status such as 200",
        ),
    ],
)
def test_every_number_has_a_range(old: str, new: str, problem: str, expected: str) -> None:
    assert old in PLAIN
    text = PLAIN.replace(old, new, 1)
    line = text[: text.index(new)].count("\n") + 1
    with pytest.raises(CassetteFormatError) as info:
        loads(text, path="n.yaml")
    assert (
        str(info.value)
        == f"cannot load cassette n.yaml, line {line}: interactions[0].response.{problem}; expected {expected}"
        + FIX
    )


def test_a_huge_integer_in_meta_is_a_format_error() -> None:
    text = PLAIN.replace("meta: {}", "meta: {n: " + "7" * 5000 + "}", 1)
    with pytest.raises(CassetteFormatError) as info:
        loads(text, path="m.yaml")
    line = text[: text.index("meta:")].count("\n") + 1
    assert str(info.value).startswith(
        f"cannot load cassette m.yaml, line {line}: meta cannot be read (Exceeds the limit"
    )


# -- fuzzing: hostile files --------------------------------------------------------------------------------

HOSTILE = st.one_of(
    st.sampled_from(
        [
            "&a x",
            "*a",
            "!!python/object/apply:os.system ['true']",
            "!tag x",
            "!!binary aGk=",
            "[" * 2000 + "]" * 2000,
            "{a: " * 200 + "1" + "}" * 200,
            "9" * 10_000,
            "-1",
            "1e999",
            "-.inf",
            ".nan",
            "0x" + "f" * 40,
            "[]",
            "{}",
            "null",
            "true",
            "'text'",
            "2026-01-01",
            "|\n  block",
        ]
    ),
    st.text(alphabet="&*!:-[]{}, '\"|>%@`#\n 0123456789abc", max_size=30),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_hostile_cassette_files_fail_cleanly_and_quickly(data: st.DataObject) -> None:
    lines = PLAIN.split("\n")
    for _ in range(data.draw(st.integers(1, 3))):
        index = data.draw(st.integers(2, len(lines) - 3))
        line = lines[index]
        key, colon, _ = line.partition(": ")
        hostile = data.draw(HOSTILE)
        lines[index] = f"{key}: {hostile}" if colon else f"{line[: len(line) - len(line.lstrip())]}{hostile}"
    text = "\n".join(lines)
    started = time.perf_counter()
    error: CassetteFormatError | None = None
    try:
        loads(text, path="fuzz.yaml")
    except CassetteFormatError as raised:
        error = raised
    assert time.perf_counter() - started < 2.0
    if error is not None:  # some mutations are harmless (a deep list in meta): those load
        assert error.path == "fuzz.yaml"
        assert str(error).startswith("cannot load cassette fuzz.yaml, line ")
        assert error.line is not None, str(error)
        assert len(str(error)) < 3000


def test_a_vcrpy_cassette_with_thousands_of_aliases_is_refused(tmp_path: Path) -> None:
    from runreplay.cassette._convert import from_vcrpy

    interaction = (
        "- &one\n  request: {method: GET, uri: 'http://h/x', body: null, headers: {}}\n"
        "  response:\n    status: {code: 200, message: OK}\n    headers: {}\n"
        "    body: {string: " + "x" * 1000 + "}\n"
    )
    text = "interactions:\n" + interaction + "".join("- *one\n" for _ in range(2000)) + "version: 1\n"
    path = tmp_path / "vcr.yaml"
    path.write_text(text)
    with pytest.raises(CassetteFormatError) as info:
        from_vcrpy(path)
    line = text.split("\n").index("- *one") + 101
    assert str(info.value) == (
        f"cannot load cassette {path}, line {line}: the file uses more than 100 YAML aliases (*one is one "
        "too many); expected a cassette as vcrpy writes it, with few or no aliases" + FIX
    )
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        assert main(["audit", str(path)]) == 2
    assert "more than 100 YAML aliases" in err.getvalue()


TRICKY = st.text(alphabet="&*!-:?[]{},|>'\" \nab1é", max_size=40)


@settings(max_examples=200, deadline=None)
@given(meta=TRICKY, url=TRICKY, body=TRICKY, header=TRICKY)
def test_whatever_the_writer_writes_is_never_refused(meta: str, url: str, body: str, header: str) -> None:
    cassette = broken_stream("httpx.RemoteProtocolError")
    cassette.meta = {"note": meta, meta or "k": [meta]}
    cassette.interactions[0].request.url = URL + "?" + url
    cassette.interactions[0].request.headers = [("x-note", header.replace("\n", " ").strip() or "v")]
    cassette.interactions[0].response.chunks = [Chunk(body.encode(), 1.0)]
    cassette.interactions[0].response.error = None
    assert loads(dumps(cassette)) == cassette


# The pre-scan's rule, written as a regular expression: a node may start at the start of a line (after
# indentation and "- ", "? " or "--- " markers), after ": ", or after "[", "{" or ",".
_NODE_START = re.compile(rb"^[ \t]*(?:(?:-|\?|---)[ \t]+)*[&*!]|:[ \t]+[&*!]|[\[{,][ \t]*[&*!]", re.MULTILINE)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from([b"&", b"*", b"!", b"-", b"?", b"---", b":", b" ", b"\t", b"\n", b"[", b",", b"a"])
    )
)
def test_the_pre_scan_flags_every_place_a_node_may_start(parts: list[bytes]) -> None:
    data = b"".join(parts)
    if _NODE_START.search(data):
        assert _safe_yaml._suspect(data)


def test_the_pre_scan_passes_text_where_no_node_can_start() -> None:
    assert not _safe_yaml._suspect(b"text: |\n  Wow! a*b & c\nurl: 'x?a=1&b=2'\n")
    assert _safe_yaml._suspect(b"a: &x 1\n")
    assert _safe_yaml._suspect(b"- - *x\n")
    assert _safe_yaml._suspect(b"k: [1, !tag 2]\n")
