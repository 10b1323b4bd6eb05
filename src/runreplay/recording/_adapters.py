"""The client adapters, one line each: adding a client is one new module plus one line here.

Each adapter module has `patches()`: interceptors for the libraries of its kind that are installed
(an empty list when none is). `runreplay.recording._active` installs them when the first session
opens and removes them when the last one closes. Order matters: the chunk-faithful adapters come
first, so they see httpx, httpx2 and requests traffic before the vcrpy bridge does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from runreplay.recording import _httpx_adapter, _requests_adapter, _vcrpy_bridge

__all__ = ["ADAPTERS", "Patch", "available_patches"]


class Patch(Protocol):
    """An interceptor for one client library: reversible process-wide patches."""

    def install(self) -> None: ...

    def uninstall(self) -> None: ...


ADAPTERS: Sequence[Callable[[], Sequence[Patch]]] = (
    _httpx_adapter.patches,  # httpx2 (the openai SDK) and httpx, sync and async, chunk by chunk
    _requests_adapter.patches,  # requests, chunk by chunk
    _vcrpy_bridge.patches,  # what vcrpy covers (http.client, urllib3, aiohttp, ...), whole bodies: last
)


def available_patches() -> list[Patch]:
    """The interceptors of every registered adapter whose library is installed, in registry order."""
    return [patch for adapter in ADAPTERS for patch in adapter()]
