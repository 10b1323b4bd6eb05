"""Accepting connections for the loopback servers: a thread per connection, and a stop that is prompt.

The embedded API server (`runreplay.fakeserver`) and the cassette server and recording proxy
(`runreplay.serve`) share it. `socketserver`'s own `serve_forever` polls and `shutdown` waits for
the poll, and its threads outlive the server; here `stop()` wakes the accept loop through a socket
pair, shuts every open connection down and joins its thread, so a test's server is gone when its
`with` block ends.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import socketserver
import threading
import traceback
from typing import Any

__all__ = ["Acceptor"]


class Acceptor:
    """Serves a bound `socketserver.TCPServer` from a daemon thread until `stop()`."""

    def __init__(
        self,
        server: socketserver.TCPServer,
        *,
        name: str,
        stopping: threading.Event,
        errors: list[str],
        join_timeout: float,
    ) -> None:
        self._server = server
        self._name = name
        self._stopping = stopping
        self._errors = errors
        self._join_timeout = join_timeout
        self._lock = threading.Lock()
        self._connections: dict[socket.socket, threading.Thread] = {}
        self._wake: tuple[socket.socket, socket.socket] | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start accepting in a daemon thread."""
        self._server.socket.setblocking(False)
        self._wake = socket.socketpair()
        self._thread = threading.Thread(target=self._accept_loop, name=self._name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Close the listening socket and every open connection, then join the threads.

        The owner sets its `stopping` event first, so handlers in the middle of a long answer end early.
        """
        assert self._wake is not None
        assert self._thread is not None
        self._wake[1].send(b"\0")
        self._thread.join(timeout=5)
        self._server.server_close()
        with self._lock:
            connections = dict(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        for worker in connections.values():
            worker.join(timeout=self._join_timeout)
        for end in self._wake:
            end.close()

    def _accept_loop(self) -> None:
        """Accept connections until stop() writes to the wake-up socket; one thread per connection."""
        assert self._wake is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self._server.socket, selectors.EVENT_READ)
            selector.register(self._wake[0], selectors.EVENT_READ)
            while not self._stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self._wake[0]:
                        return
                    try:
                        connection, address = self._server.socket.accept()
                    except OSError:  # the client gave up between select() and accept()
                        continue
                    connection.setblocking(True)
                    worker = threading.Thread(target=self._serve, args=(connection, address), daemon=True)
                    with self._lock:
                        self._connections[connection] = worker
                    worker.start()

    def _serve(self, connection: socket.socket, address: Any) -> None:
        """Serve one client connection until it closes, then forget it."""
        try:
            self._server.finish_request(connection, address)
        except OSError:
            pass  # the client went away, or stop() closed the connection
        except Exception:  # pragma: no cover - a bug in a server, kept for the test that trips it
            self._errors.append(traceback.format_exc())
        finally:
            self._server.shutdown_request(connection)
            with self._lock:
                self._connections.pop(connection, None)
