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
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Acceptor"]


@dataclass(eq=False)
class Acceptor:
    """Serves a bound `socketserver.TCPServer` from a daemon thread until `stop()`."""

    server: socketserver.TCPServer
    name: str = field(kw_only=True)
    stopping: threading.Event = field(kw_only=True)
    errors: list[str] = field(kw_only=True)
    join_timeout: float = field(kw_only=True)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _connections: dict[socket.socket, threading.Thread] = field(default_factory=dict, init=False)
    _wake: tuple[socket.socket, socket.socket] | None = field(default=None, init=False)
    _thread: threading.Thread | None = field(default=None, init=False)

    def start(self) -> None:
        """Start accepting in a daemon thread."""
        self.server.socket.setblocking(False)
        self._wake = socket.socketpair()
        self._thread = threading.Thread(target=self._accept_loop, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Close the listening socket and every open connection, then join the threads.

        The owner sets its `stopping` event first, so handlers in the middle of a long answer end early.
        """
        assert self._wake is not None
        assert self._thread is not None
        self._wake[1].send(b"\0")
        self._thread.join(timeout=5)
        self.server.server_close()
        with self._lock:
            connections = dict(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        for worker in connections.values():
            worker.join(timeout=self.join_timeout)
        for end in self._wake:
            end.close()

    def _accept_loop(self) -> None:
        """Accept connections until stop() writes to the wake-up socket; one thread per connection."""
        assert self._wake is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self.server.socket, selectors.EVENT_READ)
            selector.register(self._wake[0], selectors.EVENT_READ)
            while not self.stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self._wake[0]:
                        return
                    try:
                        connection, address = self.server.socket.accept()
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
            self.server.finish_request(connection, address)
        except OSError:
            pass  # the client went away, or stop() closed the connection
        except Exception:  # pragma: no cover - a bug in a server, kept for the test that trips it
            self.errors.append(traceback.format_exc())
        finally:
            self.server.shutdown_request(connection)
            with self._lock:
                self._connections.pop(connection, None)
