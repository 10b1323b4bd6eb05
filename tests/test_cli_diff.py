"""`runreplay diff` on real recordings from the embedded server: seeds, an added tool call, a dropped stream."""

from __future__ import annotations

import functools
import json
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openai
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runreplay.cassette import Cassette, Chunk, Interaction, RecordedRequest, RecordedResponse, load, save
from runreplay.cassette._diff import VOLATILE_FIELDS, diff_cassettes
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


@dataclass
class Live:
    """What the SDK saw while recording: the streamed answer text, tool calls and usage."""

    text: str
    tools: list[str]
    usage: tuple[int, int] | None


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], list[str]]:
    """`main(args)`: its exit status and its stdout and stderr lines."""
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out.splitlines(), captured.err.splitlines()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _record(
    path: Path, port: int, *, seed: int = 1, tools: bool = False, drop: int | None = None, extra: bool = False
) -> Live:
    """A streamed create_and_run then a plain one (and a third call with `extra`), recorded from the server."""
    text, names, usage = "", [], None
    with (
        FakeAssistantsServer(port=port, seed=seed, drop_after_events=drop) as server,
        use_cassette(path, record_mode="once"),
        openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0) as client,
    ):
        options: Any = {"tools": [WEATHER_TOOL]} if tools else {}
        try:
            with client.beta.threads.create_and_run(
                assistant_id="asst_1", thread=THREAD, stream=True, **options
            ) as stream:
                for event in stream:
                    if event.event == "thread.message.delta":
                        text += "".join(
                            b.text.value or ""
                            for b in event.data.delta.content or []
                            if b.type == "text" and b.text
                        )
                    if event.event == "thread.run.requires_action" and event.data.required_action:
                        names += [
                            c.function.name for c in event.data.required_action.submit_tool_outputs.tool_calls
                        ]
                    if event.event == "thread.run.completed" and event.data.usage:
                        usage = (event.data.usage.prompt_tokens, event.data.usage.completion_tokens)
        except Exception as error:  # the dropped stream: wrapped or not, depending on when the SDK sees it
            if not ("RemoteProtocolError" in repr(error) or isinstance(error, openai.APIConnectionError)):
                raise
        client.beta.threads.create_and_run(assistant_id="asst_1", thread=THREAD)
        if extra:
            client.beta.threads.create_and_run(assistant_id="asst_2", thread=THREAD)
    return Live(text, names, usage)


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Live]]:
    """The same scenario recorded from the same address in several variants."""
    folder = tmp_path_factory.mktemp("diff")
    port = _free_port()
    variants: dict[str, dict[str, Any]] = {
        "base": {},
        "again": {},
        "seed2": {"seed": 2},
        "tool": {"tools": True},
        "dropped": {"drop": 5},
        "extra": {"extra": True},
    }
    return {
        name: (folder / f"{name}.yaml", _record(folder / f"{name}.yaml", port, **kw))
        for name, kw in variants.items()
    }


def _json(capsys: pytest.CaptureFixture[str], old: Path, new: Path) -> tuple[int, dict[str, Any]]:
    status, out, err = run(capsys, "diff", str(old), str(new), "--json")
    assert err == []
    document: dict[str, Any] = json.loads("\n".join(out))
    return status, document


def test_recording_the_same_exchange_again_is_the_same(
    capsys: pytest.CaptureFixture[str], recordings: dict[str, tuple[Path, Live]]
) -> None:
    base, again = recordings["base"][0], recordings["again"][0]
    assert run(capsys, "diff", str(base), str(again)) == (
        0,
        [
            f"diff {base} → {again}: 2 interaction pairs",
            "  #0→#0 POST /v1/threads/runs (200): same",
            "      (ignored: timing)",
            "  #1→#1 POST /v1/threads/runs (200): same",
            "      (ignored: timing)",
            "verdict: same (only volatile fields and timing changed) (exit 0)",
        ],
        [],
    )


def test_another_seed_changes_content_only(
    capsys: pytest.CaptureFixture[str], recordings: dict[str, tuple[Path, Live]]
) -> None:
    (base, before), (seed2, after) = recordings["base"], recordings["seed2"]
    assert before.text != after.text
    status, document = _json(capsys, base, seed2)
    assert (status, document["verdict"], document["volatile_fields"]) == (1, "content", list(VOLATILE_FIELDS))
    streamed = document["interactions"][0]
    assert (streamed["old"], streamed["new"], streamed["verdict"]) == (0, 0, "content")
    changes = {change["what"]: change for change in streamed["changes"]}
    assert changes["text"] == {"level": "content", "what": "text", "old": before.text, "new": after.text}
    assert before.usage is not None
    assert after.usage is not None
    assert changes["usage"]["old"] == f"{before.usage[0]} prompt + {before.usage[1]} completion"
    assert changes["usage"]["new"] == f"{after.usage[0]} prompt + {after.usage[1]} completion"
    assert [c["level"] for c in streamed["changes"]] == ["content", "content", "same", "same"]
    assert streamed["changes"][2]["what"].startswith("volatile: ")
    assert document["interactions"][1]["verdict"] == "same"  # new ids only


def test_an_added_tool_call_changes_shape(
    capsys: pytest.CaptureFixture[str], recordings: dict[str, tuple[Path, Live]]
) -> None:
    (base, _), (tool, live) = recordings["base"], recordings["tool"]
    assert live.tools == ["get_weather"]
    status, out, err = run(capsys, "diff", str(base), str(tool))
    assert (status, err) == (2, [])
    assert out[1] == "  #0→#0 POST /v1/threads/runs (200): shape changed"
    assert out[2].startswith(
        "      ! request changed, replay would not match it (added tools[0].function.name, "
    )
    assert out[3].startswith("      ! event types: #7 thread.message.created ")
    assert out[4] == '      ! tool-call names: [] → ["get_weather"]'
    assert out[-1] == "verdict: shape changed (exit 2)"


def test_a_dropped_stream_changes_shape(
    capsys: pytest.CaptureFixture[str], recordings: dict[str, tuple[Path, Live]]
) -> None:
    status, document = _json(capsys, recordings["base"][0], recordings["dropped"][0])
    assert status == 2
    changes = document["interactions"][0]["changes"]
    assert (changes[0]["level"], changes[0]["what"], changes[0]["old"]) == (
        "shape",
        "stream ending",
        "complete",
    )
    assert changes[0]["new"].startswith("error ")
    assert changes[0]["new"].endswith(".RemoteProtocolError")
    assert changes[1]["level"] == "shape"
    assert changes[1]["what"].startswith("event types: -#6 thread.run.step.in_progress")
    assert changes[1]["what"].endswith(" thread.run.completed done")


def test_added_and_removed_interactions_change_shape(
    capsys: pytest.CaptureFixture[str], recordings: dict[str, tuple[Path, Live]]
) -> None:
    base, extra = recordings["base"][0], recordings["extra"][0]
    status, out, _ = run(capsys, "diff", str(base), str(extra))
    assert status == 2
    assert "  #2 added POST /v1/threads/runs (200): shape changed" in out
    status, out, _ = run(capsys, "diff", str(extra), str(base))
    assert status == 2
    assert "  #2 removed POST /v1/threads/runs (200): shape changed" in out


# ---------------------------------------------------------------------------- rules, on small cassettes


def _cassette(body: Any, headers: list[tuple[str, str]] | None = None, status: int = 200) -> Cassette:
    response = RecordedResponse(
        status,
        "OK",
        headers=[("content-type", "application/json"), *(headers or [])],
        chunks=[Chunk(json.dumps(body).encode(), 5.0)],
    )
    request = RecordedRequest("POST", "https://api.example/v1/chat/completions", [], b'{"model":"m"}')
    return Cassette([Interaction(request, response)])


def _call(arguments: dict[str, Any], name: str = "get_weather") -> dict[str, Any]:
    message = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(arguments)},
            }
        ],
    }
    return {"id": "chatcmpl_1", "object": "chat.completion", "choices": [{"index": 0, "message": message}]}


@pytest.mark.parametrize(
    ("old", "new", "level"),
    [
        ({"id": "a", "created": 1, "value": 1}, {"id": "b", "created": 2, "value": 1}, 0),
        ({"value": 1}, {"value": 2}, 1),
        ({"value": 1}, {"value": True}, 1),
        ({"value": 1}, {"value": 1.0}, 1),
        ({"value": 1}, {"value": 1, "more": True}, 2),
        (_call({"city": "Paris"}), _call({"city": "Lyon"}), 1),
        (_call({"city": "Paris"}), _call({"town": "Paris"}), 2),
        (_call({"city": "Paris"}), _call({"city": "Paris"}, name="get_time"), 2),
    ],
)
def test_verdict_rules(old: Any, new: Any, level: int) -> None:
    assert diff_cassettes(_cassette(old), _cassette(new)).level == level


def test_headers_status_and_usage() -> None:
    body = {"object": "chat.completion", "usage": {"prompt_tokens": 3, "completion_tokens": 4}}
    more = {"object": "chat.completion", "usage": {"prompt_tokens": 3, "completion_tokens": 9}}
    assert diff_cassettes(_cassette(body, [("date", "x")]), _cassette(body, [("date", "y")])).level == 0
    assert diff_cassettes(_cassette(body, [("x-model", "a")]), _cassette(body, [("x-model", "b")])).level == 1
    assert diff_cassettes(_cassette(body), _cassette(body, status=500)).level == 2
    result = diff_cassettes(_cassette(body), _cassette(more))
    assert [(c.what, c.old, c.new) for c in result.pairs[0].changes] == [
        ("usage", "3 prompt + 4 completion", "3 prompt + 9 completion")
    ]


def test_a_folder_or_a_missing_file_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    save(tmp_path / "a.yaml", Cassette())
    assert run(capsys, "diff", str(tmp_path), str(tmp_path / "a.yaml")) == (
        2,
        [],
        [
            f"runreplay: diff: {tmp_path} is a directory; expected two cassette files such as OLD.yaml NEW.yaml "
            "(keep the old one with 'git show HEAD:PATH > old.yaml')"
        ],
    )
    missing = tmp_path / "b.yaml"
    assert run(capsys, "diff", str(tmp_path / "a.yaml"), str(missing))[2] == [
        f"runreplay: diff: no such file: {missing}; expected a runreplay cassette file. Check the path, or record "
        "it first (pytest --record-mode=once)."
    ]


def test_the_readme_diff_example_is_real_output(
    capsys: pytest.CaptureFixture[str],
    recordings: dict[str, tuple[Path, Live]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "old.yaml").write_bytes(recordings["base"][0].read_bytes())
    (tmp_path / "new.yaml").write_bytes(recordings["seed2"][0].read_bytes())
    monkeypatch.chdir(tmp_path)
    status, out, _ = run(capsys, "diff", "old.yaml", "new.yaml")
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    block = readme.split("<!-- diff-example -->\n```text\n", 1)[1].split("```", 1)[0]
    assert block == "$ runreplay diff old.yaml new.yaml\n" + "\n".join(out) + f"\n$ echo $?\n{status}\n"


keys = st.sampled_from(["id", "run_id", "created_at", "created", "name", "value", "status", "items"])
scalars = st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=4)
bodies = st.dictionaries(
    keys,
    st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
        max_leaves=8,
    ),
    max_size=5,
)


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [leaf for key, item in value.items() for leaf in _leaves(item, (*path, key))]
    if isinstance(value, list):
        return [leaf for index, item in enumerate(value) for leaf in _leaves(item, (*path, index))]
    return [path]


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = value.copy()
    copy[path[0]] = _replace(value[path[0]], path[1:], new)
    return copy


@settings(max_examples=150, deadline=None)
@given(body=bodies, data=st.data())
def test_a_changed_leaf_is_volatile_only_under_a_volatile_key(
    body: dict[str, Any], data: st.DataObject
) -> None:
    assert diff_cassettes(_cassette(body), _cassette(body)).level == 0
    leaves = [path for path in _leaves(body) if path and isinstance(path[-1], str)]
    if not leaves:
        return
    path = data.draw(st.sampled_from(leaves))
    old = functools.reduce(lambda value, key: value[key], path, body)
    new = data.draw(scalars.filter(lambda value: value != old or type(value) is not type(old)))
    if new == old and type(new) is type(old):
        return
    volatile = path[-1] in ("id", "run_id", "created_at", "created")
    assert diff_cassettes(_cassette(body), _cassette(_replace(body, path, new))).level == (
        0 if volatile else 1
    )


def test_one_event_dropped_mid_stream_changes_shape(
    capsys: pytest.CaptureFixture[str], recordings: dict[str, tuple[Path, Live]], tmp_path: Path
) -> None:
    base = recordings["base"][0]
    cassette = load(base)
    response = cassette.interactions[0].response
    dropped = next(
        i for i, chunk in enumerate(response.chunks) if b"event: thread.run.step.created" in chunk.data
    )
    del response.chunks[dropped]  # the server chunks one event per chunk
    edited = tmp_path / "edited.yaml"
    save(edited, cassette)
    status, out, _ = run(capsys, "diff", str(base), str(edited))
    assert status == 2
    assert out[1:3] == [
        "  #0→#0 POST /v1/threads/runs (200): shape changed",
        f"      ! event types: -#{dropped + 1} thread.run.step.created",
    ]


def _chat_stream(words: list[str], arguments: str, name: str = "get_weather") -> Cassette:
    """A chat completions stream: text deltas, a tool call streamed in fragments, a usage chunk, [DONE]."""

    def chunk(delta: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": "chatcmpl_1",
            "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": delta}],
        }

    call = {"index": 0, "id": "call_1", "type": "function", "function": {"name": name, "arguments": ""}}
    parts = [chunk({"content": word}) for word in words]
    parts.append(chunk({"tool_calls": [call]}))
    half = len(arguments) // 2
    for fragment in (arguments[:half], arguments[half:]):
        parts.append(chunk({"tool_calls": [{"index": 0, "function": {"arguments": fragment}}]}))
    usage = {"prompt_tokens": 9, "completion_tokens": len(words), "total_tokens": 9 + len(words)}
    parts.append({"id": "chatcmpl_1", "object": "chat.completion.chunk", "choices": [], "usage": usage})
    body = "".join(f"data: {json.dumps(part)}\n\n" for part in parts) + "data: [DONE]\n\n"
    response = RecordedResponse(
        200, "OK", headers=[("content-type", "text/event-stream")], chunks=[Chunk(body.encode(), 3.0)]
    )
    request = RecordedRequest("POST", "https://api.example/v1/chat/completions", [], b'{"stream":true}')
    return Cassette([Interaction(request, response)])


def test_chat_completion_streams() -> None:
    base = _chat_stream(["Hello", " there"], '{"city": "Paris"}')
    reworded = diff_cassettes(base, _chat_stream(["Hi", " there", "!"], '{"city": "Paris"}'))
    assert [(c.level, c.what, c.old, c.new) for c in reworded.pairs[0].changes] == [
        (1, "text", "Hello there", "Hi there!"),
        (1, "usage", "9 prompt + 2 completion", "9 prompt + 3 completion"),
    ]
    assert diff_cassettes(base, _chat_stream(["Hello", " there"], '{"city": "Lyon"}')).level == 1
    assert diff_cassettes(base, _chat_stream(["Hello", " there"], '{"town": "Paris"}')).level == 2
    assert diff_cassettes(base, _chat_stream(["Hello", " there"], '{"city": "Paris"}', "get_time")).level == 2
