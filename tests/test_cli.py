"""The `runreplay` command line: inspect, audit, validate and import on real recordings and planted faults."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
import vcr

from runreplay import sse
from runreplay._cli.console import Console, Style, wants_color
from runreplay.cassette import (
    Cassette,
    Chunk,
    Interaction,
    RecordedRequest,
    RecordedResponse,
    StreamError,
    from_vcrpy,
    load,
    save,
)
from runreplay.cassette._audit import scan_cassette
from runreplay.cli import main
from runreplay.fakeserver import FakeAssistantsServer
from runreplay.recording import use_cassette

pytestmark = pytest.mark.filterwarnings("ignore:The Assistants API is deprecated:DeprecationWarning")

THREAD: Any = {"messages": [{"role": "user", "content": "What is the capital of France?"}]}
WEATHER_TOOL: Any = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
KEY = "sk-proj-PLANTEDsecret0123456789abcdef"
ORG = "org-PLANTEDorganization01"
FIX = ". Fix or delete the file and record it again (--record-mode=rewrite); nothing was loaded from it."


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], list[str]]:
    """`main(args)`: its exit status and its stdout and stderr lines."""
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out.splitlines(), captured.err.splitlines()


# ------------------------------------------------------------------------------------- fixtures


class Recording:
    """A cassette recorded from the embedded server with the openai SDK, and what the SDK saw live."""

    def __init__(self, path: Path, origin: str, streamed: list[str], text: str) -> None:
        self.path = path
        self.origin = origin
        self.streamed = streamed
        self.text = text
        self.usage: tuple[int, ...] = ()


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Recording:
    """Streamed create_and_run, a function-tool round trip, and a non-streamed call, recorded once."""
    path = tmp_path_factory.mktemp("recorded") / "sdk.yaml"
    with (
        FakeAssistantsServer(seed=3) as server,
        use_cassette(path, record_mode="once"),
        openai.OpenAI(base_url=server.base_url, api_key=KEY, max_retries=0) as client,
    ):
        with client.beta.threads.create_and_run(assistant_id="asst_1", thread=THREAD, stream=True) as stream:
            events = list(stream)
        with client.beta.threads.create_and_run_stream(
            assistant_id="asst_1", thread=THREAD, tools=[WEATHER_TOOL]
        ) as manager:
            run_ = manager.get_final_run()
        assert run_.required_action is not None
        calls = run_.required_action.submit_tool_outputs.tool_calls
        with client.beta.threads.runs.submit_tool_outputs_stream(
            thread_id=run_.thread_id,
            run_id=run_.id,
            tool_outputs=[{"tool_call_id": call.id, "output": "22 C"} for call in calls],
        ) as manager:
            manager.until_done()
            tool_run = manager.get_final_run()
        client.beta.threads.create_and_run(assistant_id="asst_1", thread=THREAD)
        origin = server.url
    text = "".join(
        block.text.value
        for event in events
        if event.event == "thread.message.delta"
        for block in event.data.delta.content or []
        if block.type == "text" and block.text is not None and block.text.value is not None
    )
    recording = Recording(path, origin, [event.event for event in events], text)
    # What the SDK saw: the usage of the streamed run and of the tool run (the queued run has none).
    usages = [events[-1].data.usage, tool_run.usage]
    recording.usage = tuple(
        sum(getattr(u, name) for u in usages)
        for name in ("prompt_tokens", "completion_tokens", "total_tokens")
    )  # type: ignore[union-attr]
    return recording


def _stream(events: list[sse.Event]) -> list[bytes]:
    return [sse.encode([event]) for event in events]


GOLDEN_EVENTS = [
    sse.Event("thread.created", '{"id":"thread_1","object":"thread"}'),
    sse.Event("thread.run.created", '{"id":"run_1","object":"thread.run","status":"queued"}'),
    sse.Event(
        "thread.message.delta",
        '{"id":"msg_1","delta":{"content":[{"index":0,"type":"text","text":{"value":"Hello\\n"}}]}}',
    ),
    sse.Event("thread.run.completed", '{"id":"run_1","status":"completed","usage":{"total_tokens":12}}'),
    sse.Event("done", "[DONE]"),
]
SSE = [("content-type", "text/event-stream; charset=utf-8")]
JSON = [("content-type", "application/json")]
RUNS = "https://api.openai.com/v1/threads/runs"


def golden_cassette() -> Cassette:
    """A hand-built cassette with round timings: a partial stream, an API error, a stream cut by an error."""
    frames = _stream(GOLDEN_EVENTS)
    streamed = RecordedResponse(
        200,
        "OK",
        headers=SSE,
        chunks=[Chunk(frame, 20.0 * (i + 1)) for i, frame in enumerate(frames)],
        headers_ms=10.0,
        complete=False,
    )
    error = RecordedResponse(
        400,
        "Bad Request",
        headers=JSON,
        chunks=[Chunk(b'{"error":{"message":"Invalid value","type":"invalid_request_error"}}', 3.5)],
        headers_ms=3.0,
    )
    cut = RecordedResponse(
        200,
        "OK",
        headers=SSE,
        chunks=[Chunk(frames[0], 5.0), Chunk(b"event: thread.run.created\ndata: {", 1250.0)],
        headers_ms=4.0,
        complete=False,
        error=StreamError("httpx.RemoteProtocolError", "peer closed connection", after_chunk=2),
    )
    body = b'{"assistant_id":"asst_1","stream":true}'
    return Cassette(
        [
            Interaction(RecordedRequest("POST", RUNS, JSON, body), streamed),
            Interaction(RecordedRequest("POST", RUNS, JSON, b'{"assistant_id":"asst_1"}'), error),
            Interaction(RecordedRequest("POST", RUNS, JSON, body), cut),
        ]
    )


@pytest.fixture
def golden(tmp_path: Path) -> Path:
    path = tmp_path / "golden.yaml"
    save(path, golden_cassette())
    return path


# --------------------------------------------------------------------------------------- inspect


def test_inspect_prints_the_table_and_each_timeline(capsys: pytest.CaptureFixture[str], golden: Path) -> None:
    status, out, err = run(capsys, "inspect", str(golden))
    assert (status, err) == (0, [])
    assert out == [
        f"{golden}: 3 interactions, 2 streams on https://api.openai.com",
        "  #  method  url               status           bytes  chunks  events  duration  flags",
        "  0  POST    /v1/threads/runs  200 OK             403       5       5  100.0 ms  partial",
        "  1  POST    /v1/threads/runs  400 Bad Request     68       1       -    3.5 ms",
        "  2  POST    /v1/threads/runs  200 OK              98       2       1    1.25 s  error=httpx.RemoteProtocolError,cut-off",
        "",
        "#0 POST /v1/threads/runs → 200 OK: 5 events, headers at 10.0 ms, last chunk at 100.0 ms",
        "  #1   +20.0 ms  ████                  thread.created        thread_1",
        "  #2   +40.0 ms  ████████              thread.run.created    run_1 queued",
        '  #3   +60.0 ms  ████████████          thread.message.delta  "Hello\\n"',
        "  #4   +80.0 ms  ████████████████      thread.run.completed  run_1 completed 12 tokens",
        "  #5  +100.0 ms  ████████████████████  done                  [DONE]",
        "  partial: the client closed the stream before the server ended it",
        "",
        "#1 POST /v1/threads/runs → 400 Bad Request: invalid_request_error: Invalid value",
        "",
        "#2 POST /v1/threads/runs → 200 OK: 1 event, headers at 4.0 ms, last chunk at 1.25 s",
        "  #1  +5.0 ms  ▏                     thread.created  thread_1",
        "  cut off: the stream stopped in the middle of the line 'data: {'",
        "  error after chunk 2: httpx.RemoteProtocolError: peer closed connection",
    ]


def test_inspect_draws_ascii_bars_when_stdout_is_not_utf8(golden: Path) -> None:
    out = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    from runreplay._cli.inspect import render

    lines = render(load(golden), "g.yaml", Style(), unicode=Console(out, out).unicode)
    assert lines[7] == "  #1   +20.0 ms  ####                  thread.created        thread_1"


def test_inspect_of_a_real_recording(capsys: pytest.CaptureFixture[str], recording: Recording) -> None:
    status, out, err = run(capsys, "inspect", str(recording.path))
    assert (status, err) == (0, [])
    prompt, completion, total = recording.usage
    assert out[0] == (
        f"{recording.path}: 4 interactions, 3 streams on {recording.origin}; recorded usage {prompt} prompt + "
        f"{completion} completion = {total} tokens"
    )
    assert (
        out[1]
        == "  #  method  url                                                          status  bytes  chunks  events  duration  flags"
    )
    rows = [line.split() for line in out[2:6]]
    assert [row[:5] for row in rows] == [
        ["0", "POST", "/v1/threads/runs", "200", "OK"],
        ["1", "POST", "/v1/threads/runs", "200", "OK"],
        ["2", "POST", rows[2][2], "200", "OK"],
        ["3", "POST", "/v1/threads/runs", "200", "OK"],
    ]
    assert rows[2][2].startswith("/v1/threads/thread_")
    assert rows[2][2].endswith("…/submit_tool_outputs")
    assert rows[0][7] == str(len(recording.streamed) + 1)  # the SDK does not yield the final `done`
    assert rows[3][7] == "-"
    # The timeline lists the events the SDK yielded, in order, and spells out the streamed text.
    timeline = out[7 : 9 + len(recording.streamed)]
    assert timeline[0].startswith(f"#0 POST /v1/threads/runs → 200 OK: {len(recording.streamed) + 1} events")
    names = [next(word for word in line.split()[3:] if word[0].isalpha()) for line in timeline[1:]]
    assert names == [*recording.streamed, "done"]
    deltas = [line for line in timeline[1:] if " thread.message.delta " in line]
    assert "".join(json.loads(line.split("thread.message.delta", 1)[1].strip()) for line in deltas) == (
        recording.text
    )
    assert out[-1].startswith("#3 POST /v1/threads/runs → 200 OK: thread.run run_")
    assert out[-1].endswith(" queued")


def test_inspect_json_is_the_machine_readable_document(
    capsys: pytest.CaptureFixture[str], recording: Recording
) -> None:
    status, out, err = run(capsys, "inspect", str(recording.path), "--json")
    assert (status, err) == (0, [])
    document = json.loads("\n".join(out))
    assert list(document) == ["path", "format_version", "meta", "usage", "interactions"]
    assert tuple(document["usage"].values()) == recording.usage
    first, *_, last = document["interactions"]
    assert list(first) == [
        "index",
        "method",
        "url",
        "status",
        "reason",
        "bytes",
        "chunks",
        "headers_ms",
        "duration_ms",
        "complete",
        "error",
        "event_stream",
        "cut_off",
        "events",
    ]
    assert (first["index"], first["method"], first["url"], first["status"], first["reason"]) == (
        0,
        "POST",
        f"{recording.origin}/v1/threads/runs",
        200,
        "OK",
    )
    assert [event["event"] for event in first["events"]] == [*recording.streamed, "done"]
    assert [event["index"] for event in first["events"]] == list(range(len(recording.streamed) + 1))
    assert first["events"][0]["data"]["object"] == "thread"
    offsets = [event["offset_ms"] for event in first["events"]]
    assert offsets == sorted(offsets)
    assert offsets[-1] == first["duration_ms"]
    assert first["error"] is None
    assert (last["events"], last["event_stream"], last["chunks"]) == ([], False, 1)


def test_inspect_json_reports_the_stream_error(capsys: pytest.CaptureFixture[str], golden: Path) -> None:
    status, out, _ = run(capsys, "inspect", "--json", str(golden))
    interactions = json.loads("\n".join(out))["interactions"]
    assert status == 0
    assert interactions[2]["error"] == {
        "type": "httpx.RemoteProtocolError",
        "message": "peer closed connection",
        "after_chunk": 2,
    }
    assert (interactions[2]["cut_off"], interactions[2]["complete"]) == (True, False)
    assert interactions[0]["events"][4] == {"index": 4, "event": "done", "offset_ms": 100.0, "data": "[DONE]"}


def test_inspect_of_a_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "inspect", "x.yaml") == (
        2,
        [],
        [
            "runreplay: inspect: no such file: x.yaml; expected a runreplay cassette file. Check the path, or "
            "record it first (pytest --record-mode=once)."
        ],
    )


def test_inspect_of_a_directory(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run(capsys, "inspect", str(tmp_path)) == (
        2,
        [],
        [
            f"runreplay: inspect: {tmp_path} is a directory; expected one cassette file such as {tmp_path}/NAME.yaml "
            f"(to check a whole folder, run 'runreplay validate {tmp_path}' or 'runreplay audit {tmp_path}')."
        ],
    )


def test_inspect_of_a_vcrpy_cassette_says_to_import_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "vcr.yaml"
    path.write_text("interactions: []\nversion: 1\n")
    assert run(capsys, "inspect", str(path)) == (
        2,
        [],
        [
            f"runreplay: inspect: cannot load cassette {path}, line 1: there is no format_version, so this is "
            "not a runreplay cassette (a vcrpy cassette can be converted with "
            "runreplay.cassette.convert_vcrpy_file); expected format_version: 1 at the top" + FIX + " If it "
            f"is a vcrpy or pytest-recording cassette, convert it: runreplay import {path}"
        ],
    )


def test_inspect_of_a_file_cut_off_shows_the_format_error_without_traceback(
    capsys: pytest.CaptureFixture[str], golden: Path
) -> None:
    text = golden.read_text()
    golden.write_text(text[: text.rindex("...")])
    status, out, err = run(capsys, "inspect", str(golden))
    assert (status, out) == (2, [])
    assert err == [
        f"runreplay: inspect: cannot load cassette {golden}, line {text.count(chr(10))}: the file does not end "
        "with the line '...' that runreplay writes after the last interaction, so it was probably cut off; "
        "expected '...' as the last line" + FIX
    ]


# ---------------------------------------------------------------------------------- usage errors


def test_unknown_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "frobnicate", "x") == (
        2,
        [],
        [
            "runreplay: argument COMMAND: invalid choice: 'frobnicate' (choose from 'inspect', 'audit', 'validate', "
            "'import', 'demo', 'diff', 'report', 'serve', 'record'); run 'runreplay --help' for usage"
        ],
    )


def test_missing_argument_and_unknown_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "inspect") == (
        2,
        [],
        [
            "runreplay: inspect: the following arguments are required: PATH; run 'runreplay inspect --help' for usage"
        ],
    )
    assert run(capsys, "audit", "--frob", "x") == (
        2,
        [],
        ["runreplay: audit: unrecognized arguments: --frob; run 'runreplay audit --help' for usage"],
    )
    assert run(capsys, "--color=sometimes", "inspect", "x")[2] == [
        "runreplay: argument --color: invalid choice: 'sometimes' (choose from 'auto', 'always', 'never'); "
        "run 'runreplay --help' for usage"
    ]


def test_no_command_prints_the_help_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys)
    assert (status, out) == (2, [])
    assert err[0] == "usage: runreplay [-h] [--version] [--color {auto,always,never}] COMMAND ..."


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    from runreplay import __version__

    assert run(capsys, "--version") == (0, [f"runreplay {__version__}"], [])
    status, out, _ = run(capsys, "import", "--help")
    assert status == 0
    assert out[0].startswith("usage: runreplay import [-h] [--color {auto,always,never}] [-o FILE|DIR]")
    assert "  --force               overwrite files that already exist" in out


# --------------------------------------------------------------------------------------- colour


def test_colour_only_when_asked_or_on_a_terminal(capsys: pytest.CaptureFixture[str], golden: Path) -> None:
    assert "\x1b[" not in "".join(run(capsys, "inspect", str(golden))[1])
    coloured = run(capsys, "--color=always", "inspect", str(golden))[1]
    assert coloured[3] == (
        "  1  POST    /v1/threads/runs  \x1b[33m400 Bad Request\x1b[0m     68       1       -    3.5 ms"
    )
    assert "\x1b[" not in "".join(run(capsys, "inspect", "--color=never", str(golden))[1])


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_wants_color() -> None:
    terminal, pipe = _Terminal(), io.StringIO()
    assert wants_color("auto", terminal, {}) is True
    assert wants_color("auto", terminal, {"NO_COLOR": "1"}) is False
    assert wants_color("auto", terminal, {"NO_COLOR": ""}) is True
    assert wants_color("auto", pipe, {}) is False
    assert wants_color("always", pipe, {"NO_COLOR": "1"}) is True
    assert wants_color("never", terminal, {}) is False


def test_progress_is_a_counter_on_a_terminal_only() -> None:
    terminal = _Terminal()
    console = Console(io.StringIO(), terminal)
    console.progress(1, 3, "a.yaml")
    console.print("found")
    assert terminal.getvalue() == "\r\x1b[2K[1/3] a.yaml\r\x1b[2K"
    pipe = io.StringIO()
    Console(io.StringIO(), pipe).progress(1, 3, "a.yaml")
    assert pipe.getvalue() == ""


# ----------------------------------------------------------------------------------------- audit


def planted_cassette() -> Cassette:
    """A cassette holding secrets, saved as is (bypassing redaction)."""
    request = RecordedRequest(
        "POST",
        RUNS,
        [("Authorization", f"Bearer {KEY}"), ("Content-Type", "application/json")],
        b'{"assistant_id":"asst_1"}',
    )
    response = RecordedResponse(
        200,
        "OK",
        headers=[*JSON, ("openai-organization", ORG)],
        chunks=[Chunk(json.dumps({"id": "run_1", "note": KEY}).encode(), 5.0)],
    )
    return Cassette([Interaction(request, response)])


def test_audit_of_a_clean_recording(capsys: pytest.CaptureFixture[str], recording: Recording) -> None:
    assert run(capsys, "audit", str(recording.path)) == (0, ["audit: no secrets found in 1 file"], [])


def test_audit_finds_planted_secrets_and_never_prints_them(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, recording: Recording
) -> None:
    folder = tmp_path / "cassettes"
    (folder / "sub").mkdir(parents=True)
    planted = folder / "sub" / "planted.yaml"
    save(planted, planted_cassette())
    (folder / "clean.yml").write_text(recording.path.read_text())
    (folder / "notes.txt").write_text(KEY)  # not a cassette suffix: not scanned
    status, out, err = run(capsys, "audit", str(folder))
    assert (status, err) == (1, [])
    assert out == [
        f"{planted}: interaction 0: request.headers.authorization: openai-api-key (sk-p…(37 chars))",
        f"{planted}: interaction 0: response.headers.openai-organization: organization-id (org-…(25 chars))",
        f"{planted}: interaction 0: response.body[chunk 0]: openai-api-key (sk-p…(37 chars))",
        "audit: 3 secrets in 1 of 2 files",
        "Nothing above shows a secret, only where it is. Remove them by re-recording with redaction on (the "
        "default), or edit the files; then rotate any real key that was committed.",
    ]
    assert KEY not in "\n".join(out + err)
    assert ORG not in "\n".join(out + err)


def test_audit_reads_vcrpy_cassettes_too(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "vcr.yaml"
    path.write_text(
        "interactions:\n- request: {method: GET, uri: 'https://e.com/?api_key=x', headers: "
        f"{{Authorization: ['Bearer {KEY}']}}}}\n  response: {{status: {{code: 200}}}}\nversion: 1\n"
    )
    status, out, err = run(capsys, "audit", str(path))
    assert (status, err) == (1, [])
    assert out[:2] == [
        f"{path}: interaction 0: request.url: query-parameter (…(1 chars))",
        f"{path}: interaction 0: request.headers.authorization: openai-api-key (sk-p…(37 chars))",
    ]
    assert KEY not in "\n".join(out)


def test_audit_says_which_file_cannot_be_loaded_and_scans_the_rest(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, recording: Recording
) -> None:
    broken = tmp_path / "a.yaml"
    broken.write_text("format_version: 1\n")
    status, out, err = run(capsys, "audit", str(broken), str(recording.path), str(recording.path))
    assert status == 2
    assert err == [
        f"runreplay: audit: cannot load cassette {broken}, line 1: the document has no 'runreplay'; expected "
        "the keys format_version, runreplay, meta, interactions" + FIX
    ]
    assert out == ["audit: no secrets in the loadable files of 2 files; 1 could not be loaded (see above)"]


def test_audit_of_a_missing_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run(capsys, "audit", str(tmp_path / "nope")) == (
        2,
        [],
        [
            f"runreplay: audit: no such file or directory: {tmp_path / 'nope'}; expected a cassette file or a "
            "folder of cassettes. Check the path (record cassettes first with pytest --record-mode=once)."
        ],
    )
    assert run(capsys, "audit", str(tmp_path)) == (
        2,
        [],
        [
            f"runreplay: audit: no cassette files (*.yaml, *.yml) under {tmp_path}; expected a folder of "
            "cassettes or cassette files. Check the path, or record some first (pytest --record-mode=once)."
        ],
    )


# -------------------------------------------------------------------------------------- validate


def _event_count(path: Path) -> int:
    """How many SSE events the streams of the cassette at `path` hold."""
    count = 0
    for item in load(path).interactions:
        if item.response.is_event_stream:
            decoder = sse.Decoder()
            count += sum(len(decoder.feed(chunk.data)) for chunk in item.response.chunks)
    return count


def test_validate_a_clean_recording(capsys: pytest.CaptureFixture[str], recording: Recording) -> None:
    events = _event_count(recording.path)
    assert run(capsys, "validate", str(recording.path)) == (
        0,
        [f"validate: no problems in 1 file (3 request bodies, 3 streams ({events} events))"],
        [],
    )


def _request(body: bytes) -> Interaction:
    return Interaction(
        RecordedRequest("POST", RUNS, JSON, body),
        RecordedResponse(200, "OK", headers=JSON, chunks=[Chunk(b'{"id":"run_1"}', 1.0)]),
    )


def test_validate_names_the_rule_of_each_problem(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    frames = _stream(
        [
            sse.Event("thread.created", '{"id":"thread_1"}'),
            sse.Event("thread.run.step.created", "[1]"),
            sse.Event("thread.run.step.created", '{"id":"step_1","created_at":"soon"}'),
            sse.Event("thread.run.heartbeat", "{}"),
            sse.Event("thread.run.heartbeat", "{}"),
            sse.Event("done", "[DONE]"),
        ]
    )
    streamed = Interaction(
        RecordedRequest("POST", RUNS, JSON, b'{"assistant_id":"asst_1","stream":true}'),
        RecordedResponse(200, "OK", headers=SSE, chunks=[Chunk(frame, 1.0) for frame in frames]),
    )
    other = Interaction(
        RecordedRequest("GET", "https://api.openai.com/v1/models"),
        RecordedResponse(200, "OK", headers=JSON, chunks=[Chunk(b"{}", 1.0)]),
    )
    path = tmp_path / "invalid.yaml"
    save(
        path,
        Cassette(
            [
                _request(b'{"assistant_id":"asst_1","temperature":3}'),
                _request(b'{"temperature":1,"colour":"red"}'),
                _request(b"not json"),
                streamed,
                other,
            ]
        ),
    )
    status, out, err = run(capsys, "validate", str(path))
    assert (status, err) == (1, [])
    assert out == [
        f"{path}: interaction 0: request.body: temperature.range: temperature is 3; it must be between 0 and 2 inclusive",
        f"{path}: interaction 1: request.body: assistant_id.required: Field required (at $.assistant_id)",
        f"{path}: interaction 1: request.body: request.closed: Extra inputs are not permitted (at $.colour)",
        f"{path}: interaction 2: request.body: not JSON (Expecting value: line 1 column 1 (char 0)); expected the "
        "JSON body of create-thread-and-run",
        f"{path}: interaction 3: event #2 thread.run.step.created: the data is a JSON array, not an object",
        f"{path}: interaction 3: event #3 thread.run.step.created: some fields have the wrong type (data.created_at: "
        "Input should be a valid integer, unable to parse string as an integer)",
        f"{path}: interaction 3: event #4 thread.run.heartbeat: note: unknown event name, 2 times (not in the spec; "
        "accepted as UnknownEvent, as real servers add events)",
        "validate: 6 problems, 1 note in 1 file (4 request bodies, 1 stream (6 events); 1 other interaction not "
        "checked)",
    ]


def test_validate_notes_alone_pass(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    frames = _stream([sse.Event("thread.run.heartbeat", "{}"), sse.Event("done", "[DONE]")])
    path = tmp_path / "notes.yaml"
    save(
        path,
        Cassette(
            [
                Interaction(
                    RecordedRequest("POST", RUNS, JSON, b'{"assistant_id":"asst_1","stream":true}'),
                    RecordedResponse(200, "OK", headers=SSE, chunks=[Chunk(frame, 1.0) for frame in frames]),
                )
            ]
        ),
    )
    status, out, _ = run(capsys, "validate", str(path))
    assert status == 0
    assert out[-1] == "validate: no problems, 1 note in 1 file (1 request body, 1 stream (2 events))"


# ---------------------------------------------------------------------------------------- import


@pytest.fixture(scope="module")
def vcrpy_cassettes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of two real vcrpy cassettes (YAML and JSON) recorded with httpx from the embedded server."""
    folder = tmp_path_factory.mktemp("vcrpy")
    with FakeAssistantsServer(seed=5) as server:
        for serializer, path in (("yaml", folder / "runs.yaml"), ("json", folder / "nested" / "runs.json")):
            recorder = vcr.VCR(serializer=serializer, record_mode="once")
            with recorder.use_cassette(str(path)), httpx.Client(base_url=server.base_url) as client:
                headers = {"authorization": f"Bearer {KEY}", "openai-beta": "assistants=v2"}
                body: dict[str, Any] = {"assistant_id": "asst_1", "thread": THREAD, "stream": True}
                client.post("/threads/runs", json=body, headers=headers)
                client.post(
                    "/threads/runs", json={"assistant_id": "asst_1", "thread": THREAD}, headers=headers
                )
    return folder


@pytest.fixture
def vcrpy_copy(vcrpy_cassettes: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "vcr"
    for source in vcrpy_cassettes.rglob("*"):
        if source.is_file():
            target = folder / source.relative_to(vcrpy_cassettes)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
    return folder


def test_import_writes_next_to_the_source_then_inspects(
    capsys: pytest.CaptureFixture[str], vcrpy_copy: Path
) -> None:
    source = vcrpy_copy / "runs.yaml"
    status, out, err = run(capsys, "import", str(source))
    target = vcrpy_copy / "runs.runreplay.yaml"
    assert (status, err) == (0, [])
    secrets = len(scan_cassette(from_vcrpy(source)))
    assert secrets >= 2  # the planted key twice, plus the server's organization id and cookies
    assert out == [
        f"wrote {target} (2 interactions, 1 stream, {_event_count(target)} events; {secrets} secrets redacted) "
        f"from {source}",
        "import: wrote 1 cassette",
    ]
    assert KEY not in target.read_text()
    assert run(capsys, "audit", str(target)) == (0, ["audit: no secrets found in 1 file"], [])
    status, out, err = run(capsys, "inspect", str(target))
    assert (status, err) == (0, [])
    events = _event_count(target)
    row = out[2].split()
    assert out[1:4] == [
        "  #  method  url               status  bytes  chunks  events  duration  flags",
        f"  0  POST    /v1/threads/runs  200 OK  {row[5]:>5}  {row[6]:>6}  {events:>6}    0.0 ms",
        f"  1  POST    /v1/threads/runs  200 OK  {out[3].split()[5]:>5}       1       -    0.0 ms",
    ]
    assert row[6] == str(events)  # vcrpy keeps no chunks: one per event
    assert out[5] == f"#0 POST /v1/threads/runs → 200 OK: {events} events, no timing recorded"
    assert out[6].split()[:4] == ["#1", "+0.0", "ms", "thread.created"]
    assert run(capsys, "validate", str(target))[0] == 0

    # A second import refuses to overwrite, --force does.
    assert run(capsys, "import", str(source)) == (
        2,
        ["import: wrote 0 cassettes; 1 not converted (see above)"],
        [f"runreplay: import: {target} already exists; pass --force to overwrite it"],
    )
    status, out, _ = run(capsys, "import", str(source), "--force")
    assert status == 0
    assert out[-1] == "import: wrote 1 cassette"


def test_import_a_folder_into_an_output_folder(
    capsys: pytest.CaptureFixture[str], vcrpy_copy: Path, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    status, out, err = run(capsys, "import", str(vcrpy_copy), "--output", str(output))
    assert (status, err) == (0, [])
    assert [line.split(" (")[0] for line in out] == [
        f"wrote {output / 'nested' / 'runs.yaml'}",
        f"wrote {output / 'runs.yaml'}",
        "import: wrote 2 cassettes",
    ]
    assert len(load(output / "nested" / "runs.yaml").interactions) == 2
    # Converting again skips what is already runreplay's (the outputs) only when they are in the tree.
    status, out, err = run(capsys, "import", str(vcrpy_copy / "runs.yaml"), "-o", str(tmp_path / "one.yaml"))
    assert status == 0
    assert out[0].startswith(f"wrote {tmp_path / 'one.yaml'} (2 interactions")


def test_import_refuses_a_runreplay_cassette_and_a_broken_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, golden: Path
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"interactions": 3}')
    status, out, err = run(capsys, "import", str(golden), str(broken))
    assert status == 2
    assert err == [
        f"runreplay: import: {golden} already is a runreplay cassette; nothing to convert",
        f"runreplay: import: cannot import vcrpy cassette {broken}: interactions is 3 (an integer); expected a "
        "list of interactions. Nothing was converted: fix that part of the file and import it again.",
    ]
    assert out == ["import: wrote 0 cassettes; 2 not converted (see above)"]
    assert run(capsys, "import", str(tmp_path / "missing.yaml"))[2] == [
        f"runreplay: import: no such file or directory: {tmp_path / 'missing.yaml'}; expected a vcrpy or "
        "pytest-recording cassette (YAML or JSON) or a folder of them. Check the path."
    ]
