"""Playing one recorded response onto a socket: the recorded status and headers, then each recorded
chunk as its own flushed HTTP chunk at its due time, ended as the recording (or a fault) ended it.

Timing, faults and the end of the body come from the session's `plan()`, the same plan the
in-process adapters walk; only sleeping and writing are done here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from runreplay.cassette.model import RecordedResponse
from runreplay.recording._replay import Data, Plan, Raise, Sleep
from runreplay.serve._http import Exchange, cors_headers

__all__ = ["play", "read_body"]


def read_body(exchange: Exchange, who: str, refuse: Callable[[str], None]) -> bytes | None:
    """The request body; None after `refuse` answered a body that cannot be read (a bad Content-Length)."""
    try:
        return exchange.read_body()
    except ValueError as exc:
        exchange.close_connection = True
        refuse(f"runreplay {who}: malformed request: {exc}")
        return None


def play(
    exchange: Exchange,
    response: RecordedResponse,
    plan: Plan,
    *,
    started: float,
    stopping: threading.Event,
    cors: bool,
) -> bool:
    """Send `response` as `plan` says; False when the body ended early (a drop, a fault, or stopping)."""
    wait = started + plan.headers_at - time.perf_counter()
    if wait > 0 and stopping.wait(wait):
        exchange.close_connection = True
        return False
    ends_early = plan.end is not None
    length: int | None = None
    if not ends_early and not response.is_event_stream and response.header("content-length") is not None:
        length = sum(len(data) for _, data in plan.chunks)
    if ends_early:
        exchange.close_connection = True
    headers = cors_headers(exchange, response.headers) if cors else response.headers
    writer = exchange.start_response(response.status, response.reason, headers, length=length)
    for action in plan.actions(started, None):
        if isinstance(action, Data):
            writer.write(action.data)
        elif isinstance(action, Sleep):
            if stopping.wait(action.seconds):
                writer.abort()
                return False
        elif isinstance(action, Raise):
            writer.abort()
            return False
    writer.finish()
    return True
