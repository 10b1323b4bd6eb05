"""Playing one recorded response onto a socket: the recorded status and headers, then each recorded
chunk as its own flushed HTTP chunk at its due time, ended as the recording (or a fault) ended it.

Timing, faults and the end of the body come from `runreplay.recording._replay.build_plan`, the same
plan the in-process adapters walk; only sleeping and writing are done here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from runreplay.cassette.model import RecordedResponse
from runreplay.faults import Fault
from runreplay.recording._replay import Data, Raise, Sleep, build_plan
from runreplay.serve._http import Exchange, cors_headers

__all__ = ["play"]


def play(
    exchange: Exchange,
    response: RecordedResponse,
    faults: Sequence[Fault],
    *,
    speed: float,
    started: float,
    stopping: threading.Event,
    cors: bool,
) -> bool:
    """Send `response`; False when the body ended early (a recorded drop, a fault, or the server stopping)."""
    plan = build_plan(response, faults, speed)
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
