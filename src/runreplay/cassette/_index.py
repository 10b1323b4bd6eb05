"""Constant-time lookup of recorded interactions by a normalized request key.

vcrpy scans the whole cassette with every matcher, twice per request, so a replay costs O(n) per
request and O(n²) in all. Here each request is reduced once to a hashable key (`make_key_function`),
and `CassetteIndex` keeps, per key, a queue of the positions that have not been played yet: identical
requests get their recordings in recorded order, and a lookup costs the same at 10 or 10,000
interactions.

Key normalization:

* ``method`` is upper-cased; ``scheme`` and ``host`` are lower-cased; the default port (80 for http,
  443 for https) is dropped so ``https://a:443/`` and ``https://a/`` match; an empty path is ``/``;
  the query is a sorted tuple of ``(name, value)`` pairs, blank values kept (``?b=2&a=`` matches
  ``?a=&b=2``).
* ``body``: JSON bodies are compared as JSON (key order and whitespace ignored; numbers keep their
  type, so ``1`` and ``1.0`` are different bodies, as the JSON texts differ); form bodies
  (``application/x-www-form-urlencoded``) as sorted pairs; anything else byte for byte. An empty body
  is ``b""``.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Sequence
from functools import lru_cache
from urllib.parse import parse_qsl, urlsplit

from runreplay.cassette.model import Interaction, RecordedRequest
from runreplay.errors import ConfigurationError

__all__ = [
    "DEFAULT_MATCH_ON",
    "MATCH_ON_NAMES",
    "CassetteIndex",
    "KeyFunction",
    "KeyTable",
    "make_key_function",
    "request_key",
]

KeyFunction = Callable[[RecordedRequest], tuple[Hashable, ...]]
"""Reduces a request to the hashable key that `CassetteIndex` looks up."""

MATCH_ON_NAMES = ("method", "scheme", "host", "port", "path", "query", "url", "body")
"""The request parts a key can be made of; ``url`` is scheme, host, port, path and query together."""

DEFAULT_MATCH_ON = ("method", "url", "body")
"""Match on everything that identifies a request except its headers."""

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
_URL_PARTS = {"scheme": 0, "host": 1, "port": 2, "path": 3, "query": 4}


@lru_cache(maxsize=4096)
def _url_parts(url: str) -> tuple[str, str, int | None, str, tuple[tuple[str, str], ...]]:
    """(scheme, host, port, path, query pairs) of `url`, normalized; cached, URLs repeat a lot."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: keep the text after the last colon
        port = None
        host = parts.netloc.rsplit("@", 1)[-1].lower()
    if port is not None and _DEFAULT_PORTS.get(scheme) == port:
        port = None
    query = tuple(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return scheme, host, port, parts.path or "/", query


def _content_type(request: RecordedRequest) -> str:
    value = request.header("content-type") or ""
    return value.split(";", 1)[0].strip().lower()


def _body_key(request: RecordedRequest) -> Hashable:
    """The body as canonical JSON text, sorted form pairs, or raw bytes."""
    body = request.body
    if not body:
        return b""
    first = body[:1]
    if first in b" \t\r\n":
        first = body.lstrip()[:1]
    if first == b"{" or first == b"[":  # JSON objects and arrays first: no header lookup needed
        canonical = _canonical_json(body)
        if canonical is not None:
            return canonical
    if _content_type(request) == "application/x-www-form-urlencoded":
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return body
        return tuple(sorted(parse_qsl(text, keep_blank_values=True)))
    if first and first in b'"-0123456789tfn':
        canonical = _canonical_json(body)
        if canonical is not None:
            return canonical
    return body


def _canonical_json(body: bytes) -> str | None:
    """`body` as compact, key-sorted JSON text, or None when it is not JSON."""
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _check(match_on: Sequence[str]) -> tuple[str, ...]:
    if isinstance(match_on, str):
        raise ConfigurationError(
            f"match_on must be a list of request parts, not the string {match_on!r}; "
            f"write [{match_on!r}] for one part. Valid parts: {', '.join(MATCH_ON_NAMES)}."
        )
    names = tuple(match_on)
    unknown = [name for name in names if name not in MATCH_ON_NAMES]
    if unknown:
        raise ConfigurationError(
            f"match_on has the unknown request part{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(map(repr, unknown))}; valid parts are {', '.join(MATCH_ON_NAMES)}."
        )
    if not names:
        raise ConfigurationError(
            f"match_on is empty, so every request would match every recording; name at least one of "
            f"{', '.join(MATCH_ON_NAMES)}."
        )
    return names


def _url_part_getter(index: int) -> Callable[[RecordedRequest], Hashable]:
    def get(request: RecordedRequest) -> Hashable:
        return _url_parts(request.url)[index]

    return get


def make_key_function(match_on: Sequence[str] = DEFAULT_MATCH_ON) -> KeyFunction:
    """A fast function from a request to its key, for the request parts named in `match_on`.

    Raises `ConfigurationError` for an unknown part name. The parts are worked out once here, so the
    returned function only does what those parts need (it is called for every replayed request).
    """
    names = _check(match_on)
    if names == DEFAULT_MATCH_ON:

        def default_key(request: RecordedRequest) -> tuple[Hashable, ...]:
            return request.method.upper(), _url_parts(request.url), _body_key(request)

        return default_key

    getters: list[Callable[[RecordedRequest], Hashable]] = []
    for name in names:
        if name == "method":
            getters.append(lambda request: request.method.upper())
        elif name == "url":
            getters.append(lambda request: _url_parts(request.url))
        elif name == "body":
            getters.append(_body_key)
        else:
            getters.append(_url_part_getter(_URL_PARTS[name]))
    parts = tuple(getters)

    def key(request: RecordedRequest) -> tuple[Hashable, ...]:
        return tuple(get(request) for get in parts)

    return key


def request_key(request: RecordedRequest, match_on: Sequence[str] = DEFAULT_MATCH_ON) -> tuple[Hashable, ...]:
    """The key of `request` for the parts in `match_on` (see `make_key_function` for repeated use)."""
    return make_key_function(match_on)(request)


class KeyTable:
    """The positions of each request key in a list of interactions: built once, shared, only extended.

    Many sessions (one per test) read the same loaded cassette; they share one table and each keeps
    only its own cursors (`CassetteIndex`), so N tests cost one index, not N. The list may grow
    (interactions recorded later in the run); `extend` indexes what was appended.
    """

    __slots__ = ("_count", "_interactions", "_key_fn", "_positions")

    def __init__(
        self, interactions: list[Interaction], key_fn: KeyFunction, *, keys: list[Hashable] | None = None
    ) -> None:
        self._interactions = interactions
        self._key_fn = key_fn
        self._positions: dict[Hashable, list[int]] = {}
        self._count = 0
        if keys is not None:  # computed by `key_fn` earlier (an index cache): saves a JSON parse each
            positions = self._positions
            for position, key in enumerate(keys[: len(interactions)]):
                found = positions.get(key)
                if found is None:
                    positions[key] = [position]
                else:
                    found.append(position)
            self._count = min(len(keys), len(interactions))
        self.extend()

    @property
    def interactions(self) -> list[Interaction]:
        """The indexed list (shared: never modify it except by appending)."""
        return self._interactions

    @property
    def key_fn(self) -> KeyFunction:
        """The function that turns a request into its key."""
        return self._key_fn

    def extend(self) -> None:
        """Index the interactions appended to the list since the last call."""
        positions = self._positions
        key_fn = self._key_fn
        interactions = self._interactions
        for position in range(self._count, len(interactions)):
            key = key_fn(interactions[position].request)
            found = positions.get(key)
            if found is None:
                positions[key] = [position]
            else:
                found.append(position)
        self._count = len(interactions)

    def positions(self, key: Hashable) -> list[int] | None:
        """The positions recorded for `key`, in recorded order (do not modify the list)."""
        return self._positions.get(key)

    def __len__(self) -> int:
        return self._count


class CassetteIndex:
    """The interactions of a cassette by request key, each handed out once, in recorded order.

    `take(key)` returns the first recording of that key that has not been played yet and marks it
    played; `add` appends a newly recorded interaction. Building is O(n) (or O(1) over a shared
    `KeyTable`, which sees only its first `len(table)` interactions); `take` and `add` are O(1).
    """

    __slots__ = ("_added", "_added_queues", "_base", "_cursors", "_key_fn", "_limit", "_played", "_table")

    def __init__(
        self, interactions: Iterable[Interaction], key_fn: KeyFunction, *, table: KeyTable | None = None
    ) -> None:
        if table is None:
            table = KeyTable(list(interactions), key_fn)
        self._table = table
        self._key_fn = table.key_fn
        self._base = table.interactions
        self._limit = len(table)
        self._cursors: dict[Hashable, int] = {}
        self._played: set[int] = set()
        self._added: list[Interaction] = []
        self._added_queues: dict[Hashable, deque[int]] = {}

    @classmethod
    def over(cls, table: KeyTable) -> CassetteIndex:
        """A fresh view (nothing played) of a shared table: costs nothing however big the cassette."""
        return cls((), table.key_fn, table=table)

    @property
    def key_fn(self) -> KeyFunction:
        """The function that turns a request into its key."""
        return self._key_fn

    def key(self, request: RecordedRequest) -> tuple[Hashable, ...]:
        """The key of `request` under this index's key function."""
        return self._key_fn(request)

    def take(self, key: Hashable) -> tuple[int, Interaction] | None:
        """The (position, interaction) of the next unplayed recording for `key`, now marked played."""
        positions = self._table.positions(key)
        if positions:
            cursor = self._cursors.get(key, 0)
            if cursor < len(positions) and positions[cursor] < self._limit:
                position = positions[cursor]
                self._cursors[key] = cursor + 1
                self._played.add(position)
                return position, self._base[position]
        queue = self._added_queues.get(key)
        if not queue:
            return None
        position = queue.popleft()
        self._played.add(position)
        return position, self._added[position - self._limit]

    def take_request(self, request: RecordedRequest) -> tuple[int, Interaction] | None:
        """`take` for the key of `request`."""
        return self.take(self._key_fn(request))

    def add(self, interaction: Interaction, *, played: bool = True) -> int:
        """Append `interaction` (a new recording is usually already played); returns its position."""
        position = self._limit + len(self._added)
        self._added.append(interaction)
        if played:
            self._played.add(position)
        else:
            key = self._key_fn(interaction.request)
            queue = self._added_queues.get(key)
            if queue is None:
                self._added_queues[key] = deque((position,))
            else:
                queue.append(position)
        return position

    def interaction(self, position: int) -> Interaction:
        """The interaction at `position`."""
        if position < self._limit:
            return self._base[position]
        return self._added[position - self._limit]

    def unplayed(self) -> list[int]:
        """Positions of the interactions not played yet, in recorded order."""
        played = self._played
        return [position for position in range(len(self)) if position not in played]

    def played_positions(self) -> list[int]:
        """Positions of the interactions played (or added as played), in recorded order."""
        return sorted(self._played)

    @property
    def interactions(self) -> list[Interaction]:
        """All interactions, in recorded order (a new list when the view is over a shared table)."""
        if not self._added and self._limit == len(self._base):
            return self._base
        return [*self._base[: self._limit], *self._added]

    def __len__(self) -> int:
        return self._limit + len(self._added)
