"""Which cassette session is current: the one leaf every client adapter reads (it imports no adapter).

The session opened in this context (thread or asyncio task) is current there, held in a context
variable, so concurrent tasks with their own `use_cassette` blocks each see their own. A thread
that did not open one (an SDK's worker thread, a `requests` call in a thread pool) sees the
innermost session open anywhere in the process, as a plain thread does not inherit context.
"""

from __future__ import annotations

import contextlib
import threading
from contextvars import ContextVar, Token
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from runreplay.recording._session import CassetteSession

__all__ = ["current_session", "open_sessions", "pop", "push"]

_lock = threading.Lock()
_open: list[CassetteSession] = []
"""Every open session, outermost first, across all threads and tasks."""
_here: ContextVar[CassetteSession | None] = ContextVar("runreplay_session", default=None)
_tokens: dict[int, Token[CassetteSession | None]] = {}


def current_session() -> CassetteSession | None:
    """The session opened in this context, else the innermost open one, else None outside any cassette."""
    session = _here.get()
    if session is not None and session in _open:
        return session
    innermost = _open[-1:]  # one read: another thread may close the last session meanwhile
    return innermost[0] if innermost else None


def open_sessions() -> list[CassetteSession]:
    """Every open session, outermost first (to mark them interrupted on Ctrl-C)."""
    return list(_open)


def push(session: CassetteSession) -> bool:
    """Open `session` and make it current in this context; True when it is the first one open."""
    with _lock:
        _open.append(session)
        _tokens[id(session)] = _here.set(session)
        return len(_open) == 1


def pop(session: CassetteSession) -> bool:
    """Close `session` (current again: what was before it here); True when no session is left open."""
    with _lock:
        if session in _open:
            _open.remove(session)
        token = _tokens.pop(id(session), None)
        if token is not None:
            with contextlib.suppress(ValueError):  # closed from another context: ignored there, as closed
                _here.reset(token)
        return not _open
