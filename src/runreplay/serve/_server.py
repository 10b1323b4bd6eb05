"""`CassetteServer`: cassettes behind a real port, for clients outside the Python test process."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from runreplay.cassette._files import cassette_files as expand
from runreplay.errors import ConfigurationError, UnmatchedRequestError
from runreplay.faults import Fault
from runreplay.serve._http import Exchange, LoopbackServer, answer_preflight, check_host, cors_headers
from runreplay.serve._play import play, read_body
from runreplay.serve._sessions import SERVE_MATCH_ON, ServedCassettes

__all__ = ["STATS_PATH", "CassetteServer", "cassette_files"]

STATS_PATH = "/__runreplay__/stats"
RESET_PATH = "/__runreplay__/reset"
_JSON = [("content-type", "application/json")]


def cassette_files(paths: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """The cassettes to serve: each file as given and those under each folder, each once; at least one."""
    files = expand(paths)
    if not files:
        raise ConfigurationError("no cassettes given; expected at least one cassette file or folder.")
    return files


class CassetteServer(LoopbackServer):
    """Replays cassettes over HTTP on 127.0.0.1, chunk by chunk, to any client (a browser, Node, curl).

    Use it as a context manager and point the client at `base_url` (plus the API's path, e.g. `/v1`):

        with CassetteServer("cassettes/test_app", replay_speed=1) as server:
            run_frontend_tests(api_base=server.base_url + "/v1")

    Matching is the session's (`match_on`, default method, path, query and body), identical requests
    play in recorded order, and `faults` are `runreplay.faults` specs. An unmatched request gets a 404
    JSON error naming the closest recordings; `GET /__runreplay__/stats` tells what was played and
    what was never played, and `POST /__runreplay__/reset` starts over.
    """

    def __init__(
        self,
        *paths: str | os.PathLike[str],
        port: int = 0,
        host: str = "127.0.0.1",
        replay_speed: float = 0.0,
        faults: Sequence[Fault] = (),
        match_on: Sequence[str] = SERVE_MATCH_ON,
        allow_playback_repeats: bool = False,
        cors: bool = True,
        allow_remote: bool = False,
        options: Mapping[str, Any] | None = None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(host=check_host(host, allow_any=allow_remote), port=port, name="runreplay-serve")
        self.cassettes = ServedCassettes(
            cassette_files(paths),
            replay_speed=replay_speed,
            faults=faults,
            match_on=match_on,
            allow_playback_repeats=allow_playback_repeats,
            options=options,
        )
        self.cors = cors
        self._log = log

    def stats(self) -> dict[str, object]:
        """What `GET /__runreplay__/stats` answers: counts, and per cassette what played and what never."""
        return self.cassettes.stats()

    def reset(self) -> None:
        """Let every recording play again (what `POST /__runreplay__/reset` does)."""
        self.cassettes.reset()

    def answer(self, exchange: Exchange) -> None:
        """Answer one request: the control paths, a CORS preflight, or a recording."""
        path = exchange.path.split("?", 1)[0]
        if path == STATS_PATH:
            exchange.read_body()
            self._json(exchange, 200, self.stats())
            return
        if path == RESET_PATH and exchange.command == "POST":
            exchange.read_body()
            self.reset()
            self._json(exchange, 200, {"reset": True})
            return
        if self.cors and answer_preflight(exchange):
            return
        body = read_body(
            exchange, "serve", lambda message: self._json(exchange, 400, {"error": {"message": message}})
        )
        if body is None:
            return
        started = time.perf_counter()
        own_origin = "http://" + (exchange.headers.get("host") or self.base_url.removeprefix("http://"))
        request = self.cassettes.request(
            exchange.command, exchange.path, list(exchange.headers.items()), body, own_origin=own_origin
        )
        try:
            response, plan = self.cassettes.answer(request)
        except UnmatchedRequestError as exc:
            if self._log is not None:
                self._log(f"unmatched: {exchange.command} {exchange.path}")
            error = {
                "message": str(exc),
                "type": "runreplay_unmatched_request",
                "param": None,
                "code": "unmatched_request",
                "closest": self.cassettes.closest(request),
            }
            self._json(exchange, 404, {"error": error}, [("x-runreplay", "unmatched")])
            return
        play(exchange, response, plan, started=started, stopping=self.stopping, cors=self.cors)

    def _json(
        self, exchange: Exchange, status: int, document: object, extra: Sequence[tuple[str, str]] = ()
    ) -> None:
        body = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()
        headers = [*_JSON, *extra]
        exchange.send_bytes(status, cors_headers(exchange, headers) if self.cors else headers, body)
