"""Clients for the serve/record tests that see HTTP chunks as they are: a raw socket, curl, Node, Chromium.

Each returns what the client observed, so a test can compare what it saw live (through the
recording proxy) with what it sees replayed (from the cassette server).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

_TIMEOUT_S = 60


def require(tool: str) -> str:
    """The path of `tool`; skip the test when it is missing, but fail when env CI is set."""
    found = shutil.which(tool)
    if found is None:
        hint = {"chromium": "bash .ci/install-chromium", "node": "apt-get install nodejs"}.get(
            tool, f"apt-get install {tool}"
        )
        message = f"{tool} is not on PATH; install it ({hint}) to run this test (with env CI set, a failure)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


@dataclass
class Observed:
    """A response as one client saw it: status, body chunks as delivered, and whether the body ended cleanly."""

    status: int
    chunks: list[bytes]
    complete: bool
    headers: dict[str, str]

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)


def parse_chunked(raw: bytes) -> tuple[list[bytes], bool]:
    """The chunks of a chunked body, and whether its terminating zero chunk arrived."""
    chunks: list[bytes] = []
    position = 0
    while True:
        line_end = raw.find(b"\r\n", position)
        if line_end < 0:
            return chunks, False
        size = int(raw[position:line_end].split(b";")[0], 16)
        if size == 0:
            return chunks, True
        start = line_end + 2
        if start + size + 2 > len(raw):
            return chunks, False
        chunks.append(raw[start : start + size])
        position = start + size + 2


def raw_request(
    base_url: str,
    path: str,
    body: bytes | None = None,
    *,
    method: str = "POST",
    headers: dict[str, str] | None = None,
) -> Observed:
    """One request over a plain socket; the response body split exactly as the server framed it."""
    parts = urlsplit(base_url)
    assert parts.hostname is not None
    head = [f"{method} {path} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close"]
    head += [f"{k}: {v}" for k, v in (headers or {"content-type": "application/json"}).items()]
    if body is not None:
        head.append(f"Content-Length: {len(body)}")
    data = ("\r\n".join(head) + "\r\n\r\n").encode() + (body or b"")
    received = bytearray()
    with socket.create_connection((parts.hostname, parts.port or 80), timeout=_TIMEOUT_S) as sock:
        sock.sendall(data)
        deadline = time.monotonic() + _TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                piece = sock.recv(65536)
            except ConnectionResetError:
                break
            if not piece:
                break
            received += piece
    head_bytes, _, rest = bytes(received).partition(b"\r\n\r\n")
    lines = head_bytes.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    found = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    if found.get("transfer-encoding") == "chunked":
        chunks, complete = parse_chunked(rest)
    else:
        length = int(found.get("content-length", len(rest)))
        chunks, complete = [rest[:length]], len(rest) >= length
    return Observed(status, chunks, complete, found)


def curl(url: str, body: bytes, *, raw: bool) -> subprocess.CompletedProcess[bytes]:
    """`curl -sN` POSTing JSON; with `raw`, `--raw` keeps the chunked framing in the output."""
    command = [
        require("curl"),
        "-sN",
        "-X",
        "POST",
        "-H",
        "content-type: application/json",
        "--data-binary",
        "@-",
    ]
    if raw:
        command.append("--raw")
    return subprocess.run([*command, url], input=body, capture_output=True, timeout=_TIMEOUT_S, check=False)


def curl_observed(url: str, body: bytes, *, raw: bool) -> Observed:
    """What `curl -N --raw` shows (each chunk as framed), or `curl -N` delivers (the decoded body, as one piece)."""
    done = curl(url, body, raw=raw)
    if not raw:
        return Observed(200, [done.stdout], done.returncode == 0, {})
    chunks, complete = parse_chunked(done.stdout)
    return Observed(200, chunks, complete and done.returncode == 0, {})


_NODE_SCRIPT = """
const [url, body] = process.argv.slice(2);
const response = await fetch(url, {method: "POST", headers: {"content-type": "application/json"}, body});
const reader = response.body.getReader();
const reads = [];
let complete = true;
try {
  for (;;) {
    const {done, value} = await reader.read();
    if (done) break;
    reads.push(Buffer.from(value).toString("base64"));
  }
} catch (error) { complete = false; }
console.log(JSON.stringify({status: response.status, reads, complete}));
"""


def node_fetch(url: str, body: bytes) -> Observed:
    """Node's built-in fetch, reading the body with a stream reader: one entry per read()."""
    node = require("node")
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "read.mjs"
        script.write_text(_NODE_SCRIPT)
        done = subprocess.run(
            [node, str(script), url, body.decode()],
            capture_output=True,
            text=True,
            timeout=_TIMEOUT_S,
            check=True,
        )
    result = json.loads(done.stdout)
    return Observed(result["status"], [base64.b64decode(r) for r in result["reads"]], result["complete"], {})


PAGE = """<!doctype html><html><body><ul id="events"></ul><script>
const params = new URLSearchParams(location.search);
(async () => {
  const list = document.getElementById("events");
  try {
    const response = await fetch(params.get("api") + "/v1/threads/runs", {
      method: "POST", headers: {"content-type": "application/json"}, body: params.get("body")});
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "", reads = 0;
    for (;;) {
      const {done, value} = await reader.read();
      if (done) break;
      reads++;
      buffer += decoder.decode(value, {stream: true});
      let end;
      while ((end = buffer.indexOf("\\n\\n")) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const item = document.createElement("li");
        item.textContent = (frame.match(/^event: (.*)$/m) || [null, "message"])[1];
        list.appendChild(item);
      }
    }
    document.body.dataset.reads = String(reads);
    document.body.dataset.status = "done " + response.status;
  } catch (error) {
    document.body.dataset.status = "error " + error;
  }
})();
</script></body></html>
"""


@dataclass
class Rendered:
    """What the page rendered: one list item per SSE event, how many reads, and how it ended."""

    events: list[str]
    reads: int
    status: str


class _DevTools:
    """Chromium's DevTools protocol over --remote-debugging-pipe: NUL-separated JSON on fds 3 and 4."""

    def __init__(self, chromium: str, profile: str) -> None:
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()
        flags = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        self.process = subprocess.Popen(
            [
                "bash",
                "-c",
                f'exec "$@" 3<&{to_browser_read} 4>&{from_browser_write}',
                "chromium",
                chromium,
                *flags,
            ],
            pass_fds=(to_browser_read, from_browser_write),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._buffer = b""
        self._next_id = 0

    def call(self, method: str, params: dict[str, object] | None = None, session: str | None = None) -> dict:  # type: ignore[type-arg]
        """Send one command and wait (bounded) for its result."""
        self._next_id += 1
        message: dict[str, object] = {"id": self._next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + _TIMEOUT_S
        while time.monotonic() < deadline:
            while b"\0" in self._buffer:
                raw, _, self._buffer = self._buffer.partition(b"\0")
                reply = json.loads(raw)
                if reply.get("id") == self._next_id:
                    assert "error" not in reply, reply
                    return reply["result"]  # type: ignore[no-any-return]
            ready, _, _ = select.select([self._from_browser], [], [], 1.0)
            if ready:
                piece = os.read(self._from_browser, 65536)
                assert piece, "chromium closed the DevTools pipe"
                self._buffer += piece
        raise TimeoutError(f"chromium did not answer {method} within {_TIMEOUT_S} s")

    def close(self) -> None:
        try:
            self.call("Browser.close")
        finally:
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            os.close(self._to_browser)
            os.close(self._from_browser)


_STATE = (
    "JSON.stringify({status: document.body && document.body.dataset.status || '', "
    "reads: Number(document.body && document.body.dataset.reads || 0), "
    "events: Array.from(document.querySelectorAll('li'), item => item.textContent)})"
)


def browser(api_base: str, body: bytes) -> Rendered:
    """Headless Chromium loads a page that streams from `api_base` with fetch and renders each event."""
    chromium = require("chromium")
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "page.html"
        page.write_text(PAGE)
        url = page.as_uri() + "?" + urlencode({"api": api_base, "body": body.decode()})
        tools = _DevTools(chromium, f"{folder}/profile")
        try:
            target = tools.call("Target.createTarget", {"url": url})["targetId"]
            session = tools.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            deadline = time.monotonic() + _TIMEOUT_S
            state: dict = {}  # type: ignore[type-arg]
            while time.monotonic() < deadline:
                result = tools.call(
                    "Runtime.evaluate", {"expression": _STATE, "returnByValue": True}, session
                )
                state = json.loads(result["result"]["value"])
                if state["status"]:
                    break
                time.sleep(0.1)
        finally:
            tools.close()
    assert state.get("status"), f"the page did not finish streaming: {state}"
    return Rendered(state["events"], state["reads"], state["status"])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_until_client_done(argv: list[str], port: int, client: Callable[[str], object]) -> tuple[int, object]:
    """`runreplay ARGV` in this process's main thread; `client(base_url)` runs in a thread, then SIGINT."""
    results: list[object] = []

    def drive() -> None:
        base_url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
                time.sleep(0.05)
            results.append(client(base_url))
        finally:
            os.kill(os.getpid(), signal.SIGINT)

    thread = threading.Thread(target=drive)
    thread.start()
    from runreplay.cli import main

    status = main([*argv, "--port", str(port)])
    thread.join(30)
    return status, results[0] if results else None
