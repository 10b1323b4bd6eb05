"""Which cassette session is active, and installing the client interceptors while any is.

Interceptors are process-wide patches, installed when the first session starts and removed when
the last one ends (reference counted), so tests without a cassette run on untouched clients.
"""

from __future__ import annotations

import importlib.util
import threading
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from runreplay.recording._session import CassetteSession

__all__ = ["activate", "current_session", "deactivate", "open_sessions"]


class _Patch(Protocol):
    """An interceptor for one client library."""

    def install(self) -> None: ...

    def uninstall(self) -> None: ...


_lock = threading.Lock()
_stack: list[CassetteSession] = []
_patches: list[_Patch] = []


def current_session() -> CassetteSession | None:
    """The innermost active session, or None outside any cassette."""
    return _stack[-1] if _stack else None


def open_sessions() -> list[CassetteSession]:
    """Every active session, outermost first (to mark them interrupted on Ctrl-C)."""
    return list(_stack)


def _available_patches() -> list[_Patch]:
    """Interceptors for the client libraries that are installed (imported on first use only)."""
    from runreplay.recording._httpx_adapter import HttpxPatch
    from runreplay.recording._requests_adapter import RequestsPatch
    from runreplay.recording._vcrpy_bridge import VcrPatch

    patches: list[_Patch] = []
    for name in ("httpx2", "httpx"):
        if importlib.util.find_spec(name) is not None:
            patches.append(HttpxPatch(name))
    if importlib.util.find_spec("requests") is not None:
        patches.append(RequestsPatch())
    # vcrpy covers http.client/urllib, urllib3, aiohttp, ... (whole bodies); installed last, so that
    # the chunk-faithful adapters above see httpx, httpx2 and requests traffic first.
    patches.append(VcrPatch())
    return patches


def activate(session: CassetteSession) -> None:
    """Make `session` the active one, installing the interceptors if it is the first."""
    with _lock:
        if not _stack:
            if not _patches:
                _patches.extend(_available_patches())
            for patch in _patches:
                patch.install()
        _stack.append(session)


def deactivate(session: CassetteSession) -> None:
    """Remove `session`; the interceptors go when no session is left."""
    with _lock:
        if session in _stack:
            _stack.remove(session)
        if not _stack:
            for patch in _patches:
                patch.uninstall()
