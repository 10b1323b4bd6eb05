"""Opening and closing cassette sessions: the one lifecycle `use_cassette` and the plugin share.

Interceptors are process-wide patches, installed when the first session opens and removed when the
last one closes (reference counted), so code outside any cassette runs on untouched clients. Which
adapters exist is `runreplay.recording._adapters`' list; which session is current, `_current`'s.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from runreplay.cassette.model import Cassette
from runreplay.recording import _current
from runreplay.recording._adapters import Patch, available_patches
from runreplay.recording._config import CassetteConfig
from runreplay.recording._session import CassetteSession

__all__ = ["activate", "deactivate", "open_session"]

_lock = threading.Lock()
_patches: list[Patch] = []


def activate(session: CassetteSession) -> None:
    """Make `session` the current one, installing the interceptors if it is the first open."""
    with _lock:
        if _current.push(session):
            installed: list[Patch] = []
            try:
                if not _patches:
                    _patches.extend(available_patches())
                for patch in _patches:
                    patch.install()
                    installed.append(patch)
            except BaseException:  # a patch that cannot install: no session is left open half-way
                for patch in reversed(installed):
                    patch.uninstall()
                _current.pop(session)
                raise


def deactivate(session: CassetteSession) -> None:
    """Close `session` for clients; the interceptors go when no session is left open."""
    with _lock:
        if _current.pop(session):
            for patch in _patches:
                patch.uninstall()


@contextmanager
def open_session(
    path: str | os.PathLike[str],
    config: CassetteConfig,
    *,
    test: str | None = None,
    run_id: str | None = None,
    cassette: Cassette | None = None,
) -> Iterator[CassetteSession]:
    """A session over `path`, current for the block (clients go through it), then saved.

    Ctrl-C or SystemExit inside the block marks it interrupted, so streams it cut are not saved as if
    complete.
    """
    session = CassetteSession(path, config, test=test, run_id=run_id, cassette=cassette)
    activate(session)
    try:
        yield session
    except (KeyboardInterrupt, SystemExit):
        session.interrupted = True
        raise
    finally:
        deactivate(session)
        session.close()
