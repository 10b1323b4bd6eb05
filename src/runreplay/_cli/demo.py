"""`runreplay demo`: record a small scenario from the embedded server, replay it with nothing reachable.

It needs no API key and no network: `FakeAssistantsServer` answers on 127.0.0.1 while the `openai` SDK
records through `use_cassette`; then the server is stopped and the same scenario is replayed under a
`NetworkGuard` that allows no host at all (loopback included), and the two transcripts are compared.
"""

from __future__ import annotations

import contextlib
import socket
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runreplay._cli.console import Console
from runreplay._cli.inspect import render
from runreplay._cli.paths import CommandError
from runreplay.cassette import load
from runreplay.errors import NetworkBlockedError
from runreplay.fakeserver import FakeAssistantsServer
from runreplay.recording import use_cassette
from runreplay.recording._guard import AllowedHosts, NetworkGuard

if TYPE_CHECKING:
    import openai

__all__ = ["THREAD", "WEATHER_TOOL", "Step", "run_demo", "scenario", "silence_assistants_deprecation"]

THREAD: Any = {"messages": [{"role": "user", "content": "What is the capital of France?"}]}
WEATHER_TOOL: Any = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
_ASSISTANT = "asst_demo"
_API_KEY = "sk-demo-not-a-real-key-0123456789"
_SEED = 7
_CHUNK_DELAY = 0.004  # seconds between chunks, so the recorded timeline has some shape


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the scenario: what it did, a one-line result, and what the client saw (to compare)."""

    title: str
    result: str
    seen: Any
    events: int = 0


@contextlib.contextmanager
def silence_assistants_deprecation() -> Iterator[None]:
    """Ignore exactly the SDK's "The Assistants API is deprecated" DeprecationWarning."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="The Assistants API is deprecated", category=DeprecationWarning
        )
        yield


def _events(stream: Any) -> list[tuple[str, Any]]:
    """The (event name, data) pairs the SDK yields, data as plain JSON values."""
    return [(event.event, event.data.model_dump(mode="json")) for event in stream]


def scenario(client: openai.OpenAI) -> list[Step]:
    """Streamed create_and_run, a function-tool round trip with submit_tool_outputs, a non-streamed call."""
    steps = []
    with client.beta.threads.create_and_run(assistant_id=_ASSISTANT, thread=THREAD, stream=True) as stream:
        seen = _events(stream)
    steps.append(Step("streamed create_and_run", f"{len(seen)} events, ends {seen[-1][0]}", seen, len(seen)))

    with client.beta.threads.create_and_run_stream(
        assistant_id=_ASSISTANT, thread=THREAD, tools=[WEATHER_TOOL]
    ) as manager:
        first = _events(manager)
        run = manager.get_final_run()
    calls = run.required_action.submit_tool_outputs.tool_calls if run.required_action else []
    outputs: Any = [{"tool_call_id": call.id, "output": "22 C and sunny"} for call in calls]
    with client.beta.threads.runs.submit_tool_outputs_stream(
        thread_id=run.thread_id, run_id=run.id, tool_outputs=outputs
    ) as manager:
        second = _events(manager)
        final = manager.get_final_run()
    names = ", ".join(call.function.name for call in calls)
    steps.append(
        Step(
            "function tool + submit_tool_outputs",
            f"{run.status} ({names}) then {final.status}, {len(first) + len(second)} events",
            [first, second],
            len(first) + len(second),
        )
    )

    queued = client.beta.threads.create_and_run(assistant_id=_ASSISTANT, thread=THREAD)
    steps.append(
        Step("non-streamed create_and_run", f"{queued.id} {queued.status}", queued.model_dump(mode="json"))
    )
    return steps


def _client(base_url: str) -> openai.OpenAI:
    """An SDK client for `base_url` that never retries, so a replay problem shows at once."""
    import openai

    return openai.OpenAI(base_url=base_url, api_key=_API_KEY, max_retries=0, timeout=10)


def _timed(action: Callable[[], list[Step]]) -> tuple[list[Step], float]:
    """What `action` returned and how many seconds it took."""
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def _probe(host: str, port: int) -> str:
    """Try to connect while the guard is on; say what happened (it must be blocked)."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return "connected"
    except NetworkBlockedError:
        return "blocked"
    except OSError as error:
        return f"failed differently ({error})"


def _record(path: Path, console: Console) -> tuple[list[Step], str, int]:
    """Run the scenario against a live embedded server, recording into `path`."""
    style = console.style
    with FakeAssistantsServer(seed=_SEED, chunk_delay=_CHUNK_DELAY) as server:
        console.print(
            f"{style('1. record', 'bold')}  FakeAssistantsServer at {server.base_url} "
            f"(seed {_SEED}, no API key)"
        )
        with use_cassette(path, record_mode="rewrite"), _client(server.base_url) as client:
            live, seconds = _timed(lambda: scenario(client))
        base_url, port = server.base_url, server.port
    width = max(len(step.title) for step in live)
    for step in live:
        console.print(f"           {step.title.ljust(width)}  {step.result}")
    cassette = load(path)
    streams = sum(item.response.is_event_stream for item in cassette.interactions)
    console.print(
        f"           → {path}: {len(cassette.interactions)} interactions, {streams} streams ({seconds:.1f} s)"
    )
    console.print(f"{style('2. stop', 'bold')}    the server is stopped; nothing listens on 127.0.0.1:{port}")
    return live, base_url, port


def _replay(path: Path, base_url: str, port: int, console: Console) -> tuple[list[Step], bool]:
    """Replay the scenario under a guard that allows no host at all; True when nothing tried to connect."""
    style = console.style
    console.print(f"{style('3. replay', 'bold')}  network blocked: no host allowed, not even 127.0.0.1")
    with NetworkGuard(AllowedHosts.parse(""), test="runreplay demo") as guard:
        probe = _probe("127.0.0.1", port)
        console.print(f"           a connect to 127.0.0.1:{port} now: {probe}")
        before = len(guard.violations)
        with use_cassette(path) as session, _client(base_url) as client:
            replayed, seconds = _timed(lambda: scenario(client))
            stats = session.stats()
        attempts = len(guard.violations) - before
    console.print(
        f"           {stats.played} of {stats.total} interactions replayed, {len(stats.unplayed)} unplayed, "
        f"{attempts} network attempt{'s' if attempts != 1 else ''} ({seconds:.2f} s)"
    )
    return replayed, probe == "blocked" and attempts == 0 and not stats.unplayed


def run_demo(keep: str | None, console: Console) -> int:
    """Record, stop, replay blocked, compare, and show the timeline; 0 when the replay matched."""
    try:
        import openai  # noqa: F401 - only to fail early with a clear message
    except ImportError:
        raise CommandError(
            "demo: the openai SDK is not installed; expected it for the demo's client. "
            "Install it with: pip install openai"
        ) from None
    style = console.style
    console.print(
        style("runreplay demo", "bold")
        + ": record from the embedded server, then replay with the network blocked"
    )
    with contextlib.ExitStack() as stack, silence_assistants_deprecation():
        if keep is None:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="runreplay-demo-")))
        else:
            folder = Path(keep)
            folder.mkdir(parents=True, exist_ok=True)
        path = folder / "demo.yaml"
        try:
            live, base_url, port = _record(path, console)
        except Exception as error:  # the demo says what broke, not a traceback
            return _failed(console, f"recording raised {type(error).__name__}: {error}")
        try:
            replayed, sealed = _replay(path, base_url, port, console)
        except Exception as error:
            return _failed(console, f"the replay raised {type(error).__name__}: {error}")
        matched = [a.seen == b.seen for a, b in zip(live, replayed, strict=True)]
        events = sum(step.events for step in live)
        if all(matched):
            console.print(
                "           "
                + style(
                    f"the replay matched the live run: {len(live)} steps, {events} streamed events identical",
                    "green",
                )
            )
        else:
            differing = ", ".join(step.title for step, same in zip(live, matched, strict=True) if not same)
            console.print(
                "           " + style(f"the replay differs from the live run in: {differing}", "red")
            )
        console.print("")
        for line in render(load(path), str(path), style, unicode=console.unicode):
            console.print(line)
        console.print("")
        if all(matched) and sealed:
            console.print(
                style("demo OK", "bold", "green")
                + ": the replay matched the live run and nothing was reachable"
                + (f"; the cassette is kept in {folder}" if keep is not None else "")
            )
            return 0
        return _failed(console, "see above")


def _failed(console: Console, why: str) -> int:
    """Print the failure line; the exit status of a failed demo."""
    console.print(console.style("demo FAILED", "bold", "red") + f": {why}")
    return 1
