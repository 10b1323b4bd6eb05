"""`runreplay report`: a self-contained HTML page, rendered by a real headless Chromium started by the test.

Chromium comes from the system packages (`bash .ci/install-chromium`). Without it these tests skip,
unless the environment variable CI is set: then they fail, so CI never passes without the browser.
`RUNREPLAY_DOCS_SCREENSHOT=1 pytest tests/test_cli_report.py` rewrites docs/report.png.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import struct
import subprocess
import tempfile
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

import openai
import pytest

from runreplay._cli.report import colour_of
from runreplay.cli import main
from runreplay.fakeserver import FakeAssistantsServer
from runreplay.recording import use_cassette

pytestmark = pytest.mark.filterwarnings("ignore:The Assistants API is deprecated:DeprecationWarning")

ROOT = Path(__file__).resolve().parent.parent
THREAD: Any = {"messages": [{"role": "user", "content": "What is the capital of France?"}]}
WEATHER_TOOL: Any = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
    "--enable-logging=stderr",
    "--v=0",
)


@pytest.fixture(scope="module")
def chromium() -> str:
    """The Chromium binary; skip without it, fail without it on CI."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        message = "chromium is not installed; install it with: bash .ci/install-chromium"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI is set, so the browser tests must run)")
        pytest.skip(message)
    return found


def screenshot(chromium: str, page: Path, target: Path, size: str = "1000,900") -> list[str]:
    """Open `page` in headless Chromium and save a screenshot; returns the console lines it logged."""
    with tempfile.TemporaryDirectory(prefix="runreplay-chromium-") as profile:
        result = subprocess.run(
            [
                chromium,
                *_FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size={size}",
                f"--screenshot={target}",
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 0, result.stderr[-2000:]
    assert target.is_file()
    return [line for line in result.stderr.splitlines() if ":CONSOLE" in line]


def pixels(png: bytes) -> Counter[bytes]:
    """How many pixels of each RGB colour a PNG (8-bit RGB/RGBA, not interlaced) has."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    position, data, header = 8, [], None
    while position < len(png):
        length, kind = struct.unpack(">I4s", png[position : position + 8])
        body = png[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            data.append(body)
    assert header is not None
    width, height, depth, colour, _, _, interlace = header
    assert (depth, interlace, colour in (2, 6)) == (8, 0, True), header
    size = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(b"".join(data)), width * size
    counts: Counter[bytes] = Counter()
    previous = bytearray(stride)
    for row in range(height):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - size] if i >= size else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + previous[i]) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + previous[i]) // 2) & 255
            elif kind == 4:
                up, corner = previous[i], previous[i - size] if i >= size else 0
                guess = left + up - corner
                a, b, c = abs(guess - left), abs(guess - up), abs(guess - corner)
                line[i] = (line[i] + (left if a <= b and a <= c else up if b <= c else corner)) & 255
        counts.update(bytes(line[i : i + 3]) for i in range(0, stride, size))
        previous = line
    return counts


def rgb(colour: str) -> bytes:
    return bytes.fromhex(colour.lstrip("#"))


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A tool round trip and a dropped stream, recorded with timing from the embedded server."""
    folder = tmp_path_factory.mktemp("report")
    seen: dict[str, Any] = {"text": ""}
    with (
        FakeAssistantsServer(seed=5, chunk_delay=0.003) as server,
        use_cassette(folder / "tool.yaml", record_mode="once"),
        openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0) as client,
    ):
        with client.beta.threads.create_and_run_stream(
            assistant_id="asst_1", thread=THREAD, tools=[WEATHER_TOOL]
        ) as manager:
            run = manager.get_final_run()
        assert run.required_action is not None
        calls = run.required_action.submit_tool_outputs.tool_calls
        seen["tool"] = calls[0].function.name
        outputs: Any = [{"tool_call_id": call.id, "output": "22 C and sunny"} for call in calls]
        with client.beta.threads.runs.submit_tool_outputs_stream(
            thread_id=run.thread_id, run_id=run.id, tool_outputs=outputs
        ) as manager:
            for text in manager.text_deltas:
                seen["text"] += text
            final = manager.get_final_run()
        assert final.usage is not None
        seen["usage"] = (final.usage.prompt_tokens, final.usage.completion_tokens, final.usage.total_tokens)
    with (
        FakeAssistantsServer(seed=5, drop_after_events=4) as server,
        use_cassette(folder / "dropped.yaml", record_mode="once"),
        openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0) as client,
        pytest.raises(Exception, match=r"peer closed connection|Connection error"),
        client.beta.threads.create_and_run(assistant_id="asst_1", thread=THREAD, stream=True) as stream,
    ):
        list(stream)
    return folder, seen


def test_the_report_is_one_self_contained_page(
    capsys: pytest.CaptureFixture[str], recorded: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    folder, seen = recorded
    target = tmp_path / "out" / "report.html"
    assert main(["report", str(folder), "-o", str(target)]) == 0
    assert capsys.readouterr().out == f"report: wrote {target} (2 cassettes, 3 interactions)\n"
    page = target.read_text("utf-8")
    for external in ("<script", "<link", "src=", "href=", "@import", "url("):
        assert external not in page
    assert "http://" not in page
    assert "https://" not in page
    assert page.count('<svg class="timeline"') == 3  # one per stream
    assert html.escape(seen["text"], quote=True) in page
    prompt, completion, total = seen["usage"]
    assert f"usage: <b>{prompt}</b> prompt + <b>{completion}</b> completion = <b>{total}</b> tokens" in page
    assert f"<code>{seen['tool']}</code>" in page
    assert re.search(r'<span class="flag error">error \w+\.RemoteProtocolError after chunk 4</span>', page)
    assert page.count('class="event"') == page.count("<title>#")


def test_the_report_renders_in_chromium_with_its_timelines(
    chromium: str, recorded: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    folder, _ = recorded
    page = tmp_path / "report.html"
    assert main(["report", str(folder / "tool.yaml"), "-o", str(page)]) == 0
    shot = tmp_path / "report.png"
    assert screenshot(chromium, page, shot, "1000,1400") == []
    counts = pixels(shot.read_bytes())
    for event in ("thread.message.delta", "thread.run.step.delta", "thread.run.requires_action", "done"):
        assert counts[rgb(colour_of(event))] >= 50, event  # each lane's marks are drawn


def test_the_console_check_sees_errors(chromium: str, tmp_path: Path) -> None:
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><p>x</p><script>console.error("boom-marker")</script>')
    lines = screenshot(chromium, page, tmp_path / "bad.png", "400,300")
    assert len(lines) == 1
    assert '"boom-marker"' in lines[0]


@pytest.mark.skipif(not os.environ.get("RUNREPLAY_DOCS_SCREENSHOT"), reason="set RUNREPLAY_DOCS_SCREENSHOT=1")
def test_write_the_readme_screenshot(chromium: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the page names the cassette by its path in the repository
    page = tmp_path / "report.html"
    example = Path("cassettes", "test_assistant_app", "test_answers_a_weather_question_with_the_tool.yaml")
    assert main(["report", str(example), "-o", str(page)]) == 0
    target = ROOT / "docs" / "report.png"
    assert screenshot(chromium, page, target, "1000,1180") == []
    assert target.stat().st_size < 150_000
