"""An embedded OpenAI API server on 127.0.0.1: real sockets, real chunked SSE, no API key.

`FakeAssistantsServer` speaks enough of `POST /v1/threads/runs` (the function-tool round trip, run
polling, message listing) and of `POST /v1/responses` (`_fakeserver_responses.py`) for the `openai`
SDK, `httpx`, `httpx2` and `requests` to run against it unchanged. What it sends is a function of its
seed and the requests it received, so recordings made from it are reproducible; faults (rate limits,
server errors, dropped streams, oddly split chunks) are switched on by arguments.
"""

from __future__ import annotations

import argparse
import email.utils
import http
import json
import re
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from runreplay import _fakeserver_payloads as payloads
from runreplay import _fakeserver_responses as responses
from runreplay._fakeserver_checks import ApiError, precheck, submit_outputs, validate_with_model
from runreplay._fakeserver_chunking import Chunker, chunker
from runreplay._fakeserver_wire import Listener, Reply
from runreplay._loopback_http import LoopbackService
from runreplay.errors import ConfigurationError

__all__ = ["FakeAssistantsServer", "ReceivedRequest", "main"]

JSONDict = dict[str, Any]
_HOST = "127.0.0.1"
_OPENAI_VERSION = "2020-10-01"
_FAIL_HEADER = "x-runreplay-fail"
_STANDARD_ERRORS: dict[int, tuple[str, str, str | None]] = {
    429: ("Rate limit reached for requests. Please try again later.", "requests", "rate_limit_exceeded"),
    500: ("The server had an error while processing your request. Sorry about that!", "server_error", None),
    502: ("Bad gateway.", "server_error", None),
    503: ("The engine is currently overloaded, please try again later.", "server_error", None),
}
_BAD_JSON = (
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your "
    "HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)"
)


@dataclass(frozen=True)
class ReceivedRequest:
    """One request as the server received it: headers lower-cased, body parsed when it was JSON."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: Any
    raw_body: bytes


@dataclass
class _Failure:
    """A queued injected error: its status, how many requests it still applies to, its headers."""

    status: int
    times: int
    retry_after: int | None
    retry_after_ms: int | None
    should_retry: bool | None
    message: str | None


@dataclass(frozen=True)
class _Call:
    """What a route handler gets: the request and the logical clock reading for it."""

    method: str
    params: dict[str, str]
    query: dict[str, list[str]]
    body: Any
    index: int
    now: int


def _is_error_status(status: int) -> bool:
    """Whether `status` is a 4xx or 5xx code that http.HTTPStatus knows (so it has a reason phrase)."""
    return 400 <= status <= 599 and status in {known.value for known in http.HTTPStatus}


Route = tuple["re.Pattern[str]", dict[str, Callable[["FakeAssistantsServer", _Call], Reply]]]


class FakeAssistantsServer(LoopbackService):
    """A local, deterministic stand-in for the Assistants API (and `POST /v1/responses`, the Responses API).

    Use it as a context manager (or call `start()` and `stop()`), then point a client at `base_url`:
    `openai.OpenAI(base_url=server.base_url, api_key="sk-test")`.

    - `seed`: ids, answers, request ids and cookies derive from it and the request counter.
    - `port`: 0 (default) picks a free port; the server only ever binds 127.0.0.1.
    - `chunking`: how SSE frames become HTTP chunks: `event` (one per event), `split_lines` (cut
      mid-line), `split_utf8` (cut inside multi-byte characters), `whole` or `bytes:N`.
    - `chunk_delay`: seconds slept between chunks; `drop_after_events`: close the connection after
      that many events, without the terminating chunk.
    - `realistic_headers`: send `openai-organization` and Cloudflare `set-cookie` headers (secrets to
      redact downstream).
    - `poll_steps`: how many GETs of a run answer `in_progress` before it moves on;
      `poll_after_ms`: the `openai-poll-after-ms` header the SDK's poll helpers wait by.
    - `validate`: check create requests with `runreplay.models.CreateThreadAndRunRequest`.
    - `base_time`: the epoch `created_at` values count from (request n is at base_time + 10 n).

    `chunking`, `chunk_delay`, `drop_after_events`, `poll_steps`, `poll_after_ms`, `validate` and
    `realistic_headers` may be changed while the server runs. `errors` holds tracebacks of server bugs.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        port: int = 0,
        chunking: str = "event",
        chunk_delay: float = 0.0,
        drop_after_events: int | None = None,
        realistic_headers: bool = True,
        poll_steps: int = 1,
        poll_after_ms: int = 10,
        validate: bool = True,
        base_time: int = payloads.BASE_TIME,
    ) -> None:
        if chunk_delay < 0 or (drop_after_events is not None and drop_after_events < 0) or poll_steps < 0:
            raise ConfigurationError(
                f"chunk_delay={chunk_delay!r}, drop_after_events={drop_after_events!r} and "
                f"poll_steps={poll_steps!r} must not be negative"
            )
        super().__init__(
            name="FakeAssistantsServer",
            host=_HOST,
            port=port,
            join_timeout=2,
            thread_name="runreplay-fakeserver",
        )
        self.seed = seed
        self.chunking = chunking
        self.chunk_delay = chunk_delay
        self.drop_after_events = drop_after_events
        self.realistic_headers = realistic_headers
        self.poll_steps = poll_steps
        self.poll_after_ms = poll_after_ms
        self.validate = validate
        self._base_time = base_time
        self._organization = payloads.IdMaker("organization", seed).make("org-")
        self._lock = threading.Lock()
        self._requests: list[ReceivedRequest] = []
        self._failures: list[_Failure] = []
        self._threads: dict[str, payloads.ThreadState] = {}
        self._runs: dict[str, payloads.RunState] = {}
        self._responses = responses.ResponseStore()
        self._index = 0

    # -- configuration -------------------------------------------------------------------------

    @property
    def chunking(self) -> str:
        """How SSE frames are cut into HTTP chunks: event, split_lines, split_utf8, whole or bytes:N."""
        return self._chunking_spec

    @chunking.setter
    def chunking(self, spec: str) -> None:
        """Switch chunking; an unknown spec raises ConfigurationError and keeps the old one."""
        self._chunker = chunker(spec)
        self._chunking_spec = spec

    def _stream_settings(self) -> tuple[Chunker, float, int | None]:
        """The chunker, delay and drop point in force for the stream about to be written."""
        with self._lock:
            return self._chunker, self.chunk_delay, self.drop_after_events

    def fail_next(
        self,
        status: int = 429,
        *,
        times: int = 1,
        retry_after: int | None = 1,
        retry_after_ms: int | None = None,
        should_retry: bool | None = None,
        message: str | None = None,
    ) -> None:
        """Answer the next `times` API requests with an error `status` (429, 500, 503, …) instead.

        `retry_after` / `retry_after_ms` add the headers the SDK waits by; `should_retry` adds
        `x-should-retry`. The same can be asked per request with an `x-runreplay-fail: STATUS` header.
        """
        if not _is_error_status(status) or times < 1:
            raise ConfigurationError(
                f"fail_next needs a 4xx/5xx status and times >= 1, got {status=} {times=}"
            )
        with self._lock:
            self._failures.append(_Failure(status, times, retry_after, retry_after_ms, should_retry, message))

    @property
    def requests(self) -> list[ReceivedRequest]:
        """A snapshot of every request received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        """Forget the requests received so far (state such as threads and runs is kept)."""
        with self._lock:
            self._requests.clear()

    # -- lifecycle -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The server's root URL, `http://127.0.0.1:PORT`."""
        return f"http://{_HOST}:{self.port}"

    @property
    def base_url(self) -> str:
        """The API base URL for clients, `http://127.0.0.1:PORT/v1`."""
        return f"{self.url}/v1"

    def _listen(self) -> Listener:
        """A listener on 127.0.0.1 whose connections this server answers."""
        return Listener(self, self._port)

    close = LoopbackService.stop

    # -- answering -------------------------------------------------------------------------------

    def _answer(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> Reply:
        """Record the request, then answer it (injected failure, route, or error) with common headers."""
        split = urlsplit(target)
        lowered = {name.lower(): value for name, value in headers.items()}
        try:
            body: Any = json.loads(raw) if raw else None
            bad_json = False
        except ValueError:
            body, bad_json = None, True
        with self._lock:
            index = self._index
            self._index += 1
            self._requests.append(ReceivedRequest(method, split.path, split.query, lowered, body, raw))
            now = self._base_time + 10 * index
            try:
                reply = self._route(method, split.path, split.query, lowered, body, bad_json, index, now)
            except ApiError as exc:
                reply = Reply(exc.status, payloads.error_body(exc.message, type_=exc.type, param=exc.param))
            except Exception:  # pragma: no cover - a bug in the server; answer like the API would
                self.errors.append(traceback.format_exc())
                message, type_, _ = _STANDARD_ERRORS[500]
                reply = Reply(500, payloads.error_body(message, type_=type_))
        reply.headers += self._common_headers(index, now)
        return reply

    def _common_headers(self, index: int, now: int) -> list[tuple[str, str]]:
        """The headers every real response carries, derived from the seed and the request index."""
        ids = payloads.IdMaker("headers", self.seed, index)
        headers = [
            ("date", email.utils.formatdate(now, usegmt=True)),
            ("openai-version", _OPENAI_VERSION),
            ("openai-processing-ms", str(ids.randint(20, 900))),
            ("x-request-id", f"req_{ids.rng.getrandbits(128):032x}"),
        ]
        if self.realistic_headers:
            headers.insert(1, ("openai-organization", self._organization))
            cookie = ids.make("")
            headers += [
                ("set-cookie", f"__cf_bm={cookie}{ids.make('')}-{now}-1.0.1.1; path=/; HttpOnly"),
                ("set-cookie", f"_cfuvid={ids.make('')}-{now}-0.0.1.1-604800000; path=/; HttpOnly"),
            ]
        return headers

    def _route(
        self,
        method: str,
        path: str,
        query: str,
        headers: dict[str, str],
        body: Any,
        bad_json: bool,
        index: int,
        now: int,
    ) -> Reply:
        """Find the route, apply injected failures, then call the route's handler (lock held)."""
        route = next(((m, h) for p, h in _ROUTES if (m := p.fullmatch(path)) is not None), None)
        if route is None:
            raise ApiError(404, f"Invalid URL ({method} {path})")
        match, handlers = route
        allowed = ", ".join([*handlers, "HEAD", "OPTIONS"] if "GET" in handlers else [*handlers, "OPTIONS"])
        if method == "OPTIONS":
            return Reply(204, headers=[("allow", allowed)])
        if method not in handlers and not (method == "HEAD" and "GET" in handlers):
            raise ApiError(405, f"Invalid method for URL ({method} {path})")
        failure = self._take_failure(headers)
        if failure is not None:
            return failure
        if bad_json:
            raise ApiError(400, _BAD_JSON)
        call = _Call(method, match.groupdict(), parse_qs(query), body, index, now)
        return handlers["GET" if method == "HEAD" else method](self, call)

    def _take_failure(self, headers: dict[str, str]) -> Reply | None:
        """The injected error for this request, from fail_next() or the x-runreplay-fail header."""
        failure: _Failure | None = None
        if self._failures:
            failure = self._failures[0]
            failure.times -= 1
            if failure.times == 0:
                self._failures.pop(0)
        elif headers.get(_FAIL_HEADER, "").isdigit() and _is_error_status(int(headers[_FAIL_HEADER])):
            failure = _Failure(int(headers[_FAIL_HEADER]), 1, 1, None, None, None)
        if failure is None:
            return None
        message, type_, code = _STANDARD_ERRORS.get(
            failure.status, (http.HTTPStatus(failure.status).phrase + ".", "invalid_request_error", None)
        )
        reply = Reply(failure.status, payloads.error_body(failure.message or message, type_=type_, code=code))
        if failure.retry_after is not None:
            reply.headers.append(("retry-after", str(failure.retry_after)))
        if failure.retry_after_ms is not None:
            reply.headers.append(("retry-after-ms", str(failure.retry_after_ms)))
        if failure.should_retry is not None:
            reply.headers.append(("x-should-retry", str(failure.should_retry).lower()))
        return reply

    def _thread(self, thread_id: str) -> payloads.ThreadState:
        """A thread by id, or the API's 404."""
        if thread_id not in self._threads:
            raise ApiError(404, f"No thread found with id '{thread_id}'.")
        return self._threads[thread_id]

    def _run(self, call: _Call) -> payloads.RunState:
        """The run named in the path, or the API's 404."""
        self._thread(call.params["thread_id"])
        run = self._runs.get(call.params["run_id"])
        if run is None or run.thread.id != call.params["thread_id"]:
            raise ApiError(404, f"No run found with id '{call.params['run_id']}'.")
        return run

    @staticmethod
    def _stream(events: list[payloads.Event]) -> Reply:
        """A 200 SSE reply from (event, data) pairs."""
        return Reply(200, frames=[payloads.sse_frame(name, data) for name, data in events])

    def _create_thread_and_run(self, call: _Call) -> Reply:
        """POST /v1/threads/runs: validate, create the thread and run, stream it or return it queued."""
        precheck(call.body)
        if self.validate:
            validate_with_model(call.body)
        run = payloads.create_run(
            call.body, seed=self.seed, index=call.index, now=call.now, poll_steps=self.poll_steps
        )
        self._threads[run.thread.id] = run.thread
        self._runs[run.id] = run
        if call.body.get("stream"):
            return self._stream(payloads.start_events(run))
        return Reply(200, run.to_dict())

    def _submit_tool_outputs(self, call: _Call) -> Reply:
        """POST …/submit_tool_outputs: check the call ids, then stream the rest of the run or queue it."""
        run = self._run(call)
        output = submit_outputs(call.body, run)
        events = payloads.submit_tool_outputs(run, output, call.now)
        if call.body.get("stream"):
            return self._stream(events + payloads.resume_events(run, call.now))
        run.polls_left = self.poll_steps
        return Reply(200, run.to_dict())

    def _retrieve_run(self, call: _Call) -> Reply:
        """GET …/runs/{run_id}: the run, one step further along (a HEAD only looks)."""
        run = self._run(call)
        data = payloads.poll(run, call.now) if call.method == "GET" else run.to_dict()
        return Reply(200, data, headers=[("openai-poll-after-ms", str(self.poll_after_ms))])

    def _list_steps(self, call: _Call) -> Reply:
        """GET …/runs/{run_id}/steps: the run's steps, newest first unless `order=asc`."""
        steps = list(self._run(call).steps)
        return Reply(200, payloads.list_object(self._page(steps, call)))

    def _list_messages(self, call: _Call) -> Reply:
        """GET /v1/threads/{thread_id}/messages: newest first unless `order=asc`; `run_id` filters."""
        messages = list(self._thread(call.params["thread_id"]).messages)
        run_id = call.query.get("run_id", [None])[0]
        if run_id is not None:
            messages = [m for m in messages if m["run_id"] == run_id]
        return Reply(200, payloads.list_object(self._page(messages, call)))

    @staticmethod
    def _page(items: list[JSONDict], call: _Call) -> list[JSONDict]:
        """Apply `order` and `limit` (1 to 100, default 20) the way the API's list endpoints do."""
        if call.query.get("order", ["desc"])[0] != "asc":
            items.reverse()
        raw_limit = call.query.get("limit", ["20"])[0]
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 100:
            raise ApiError(400, f"Invalid 'limit': expected an integer between 1 and 100, got {raw_limit!r}.")
        return items[: int(raw_limit)]

    def _create_response(self, call: _Call) -> Reply:
        """POST /v1/responses: answered by `_fakeserver_responses`, streamed or as one JSON body."""
        answer = responses.create_response(
            call.body, self._responses, seed=self.seed, index=call.index, now=call.now, validate=self.validate
        )
        return self._stream(answer.events) if answer.events is not None else Reply(answer.status, answer.body)

    def _retrieve_thread(self, call: _Call) -> Reply:
        """GET /v1/threads/{thread_id}: the thread object."""
        return Reply(200, self._thread(call.params["thread_id"]).to_dict())


_ID = r"(?P<{}>[A-Za-z0-9_-]+)"
_RUN_PATH = rf"/v1/threads/{_ID.format('thread_id')}/runs/{_ID.format('run_id')}"
_ROUTES: list[Route] = [
    (re.compile(r"/v1/threads/runs"), {"POST": FakeAssistantsServer._create_thread_and_run}),
    (re.compile(r"/v1/responses"), {"POST": FakeAssistantsServer._create_response}),
    (re.compile(_RUN_PATH + "/submit_tool_outputs"), {"POST": FakeAssistantsServer._submit_tool_outputs}),
    (re.compile(_RUN_PATH + "/steps"), {"GET": FakeAssistantsServer._list_steps}),
    (re.compile(_RUN_PATH), {"GET": FakeAssistantsServer._retrieve_run}),
    (
        re.compile(rf"/v1/threads/{_ID.format('thread_id')}/messages"),
        {"GET": FakeAssistantsServer._list_messages},
    ),
    (re.compile(rf"/v1/threads/{_ID.format('thread_id')}"), {"GET": FakeAssistantsServer._retrieve_thread}),
]


def _serve_until_signalled() -> None:
    """Block until SIGINT or SIGTERM (not stdin: a server started with `&` must keep serving)."""
    import signal
    import threading

    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stop.wait(0.5):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main(argv: list[str] | None = None) -> int:
    """`python -m runreplay.fakeserver`: serve, print the base URL, stop on SIGINT (Ctrl-C) or SIGTERM."""
    parser = argparse.ArgumentParser(
        prog="python -m runreplay.fakeserver",
        description="Serve the fake Assistants API on 127.0.0.1 until SIGINT (Ctrl-C) or SIGTERM.",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for ids and answers (default 0)")
    parser.add_argument("--port", type=int, default=0, help="TCP port (default: any free port)")
    parser.add_argument(
        "--chunking", default="event", help="event, split_lines, split_utf8, whole or bytes:N"
    )
    parser.add_argument("--chunk-delay", type=float, default=0.0, help="seconds between stream chunks")
    args = parser.parse_args(argv)
    try:
        server = FakeAssistantsServer(
            seed=args.seed, port=args.port, chunking=args.chunking, chunk_delay=args.chunk_delay
        )
    except ConfigurationError as exc:
        parser.error(str(exc))
    with server:
        print(server.base_url, flush=True)
        _serve_until_signalled()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
