"""The network guard: while replaying, connections and DNS lookups outside an allow-list fail at once.

`NetworkGuard` patches the Python socket layer, so every client that uses it is covered (httpx,
httpx2, requests/urllib3, http.client, asyncio and anything built on them):

- `socket.socket.connect`, `connect_ex`, `sendto` and `sendmsg` (with an address): the target is
  checked before the call reaches the operating system, so no packet leaves the machine. asyncio's
  `sock_connect` and `create_connection` end in `sock.connect`, so they are covered too.
- `socket.getaddrinfo`, `gethostbyname`, `gethostbyname_ex`, `gethostbyaddr` and `getnameinfo`:
  a lookup of a name that is not allowed fails before any DNS query is sent (pytest-recording #131),
  and the addresses an allowed name resolves to become allowed for connects while the guard is
  installed, so host NAMES work in the allow-list (pytest-recording #40 only ever sees addresses).
- `socket.create_connection`: checked up front, so the error names the host and port as given.

Always allowed, whatever the allow-list: AF_UNIX sockets and every other non-IP family (they do not
reach the network), lookups of literal IP addresses (no DNS query is made), and the loopback connect
inside `socket.socketpair()` on platforms that emulate it (asyncio's self-pipe).

Not covered: other processes (subprocesses start with the real socket module), code that calls the C
library directly (pycurl, c-ares via aiodns, uvloop's resolver, C extensions' own sockets), `_socket`
used directly, and references to socket functions taken before installation.

Allow-list semantics: the list replaces the default, it does not add to it. The default is loopback
(`localhost`, 127.0.0.0/8, ::1); `--allowed-hosts=db` allows `db` only, so the error's suggested fix
always repeats what is allowed now (`--allowed-hosts=localhost,127.0.0.0/8,::1/128,db`); an empty list
allows nothing, not even loopback.

The guard raises `NetworkBlockedError`, which is not an `OSError`, so HTTP clients do not turn it
into a "connection error" and the `openai` SDK does not retry it (a blocked connect also closes its
socket, since callers that clean up only on OSError would leak it). Every violation is also kept in
`NetworkGuard.violations`, so a test fails even when its code catches the exception, or when a client
wraps it (anyio's task group, under httpx2's async client, raises it inside an ExceptionGroup).
"""

from __future__ import annotations

import _socket
import contextlib
import ipaddress
import re
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Final

from runreplay.errors import ConfigurationError, NetworkBlockedError, docs_link

__all__ = ["AllowedHosts", "NetworkGuard", "active_guard"]

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_LOOPBACK_NAMES: Final = frozenset({"localhost"})
_LOOPBACK_NETWORKS: Final[tuple[IPNetwork, ...]] = (
    ipaddress.ip_network("127.0.0.0/8"),
    ipaddress.ip_network("::1/128"),
)
_LOOPBACK_KEYWORDS: Final = frozenset({"localhost", "loopback"})
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_NAME_RE: Final = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
_ACCEPTED = (
    "host names (api.example.com), wildcards for subdomains (*.example.com), IPv4 or IPv6 addresses, "
    "CIDR networks (10.0.0.0/8, fd00::/8), 'localhost' (or 'loopback') for the loopback addresses, "
    "and '*' for every host"
)


def _normalize_name(name: str) -> str:
    """A host name in the form used for comparison: lower case, no trailing dot, IDNA for non-ASCII."""
    name = name.strip().rstrip(".").lower()
    if not name.isascii():
        with contextlib.suppress(UnicodeError):
            name = name.encode("idna").decode("ascii")
    return name


def _literal_ip(host: str) -> IPAddress | None:
    """The address `host` spells, or None when it is a name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _invalid(entry: str, problem: str) -> ConfigurationError:
    """The ConfigurationError for one unusable allow-list entry."""
    return ConfigurationError(
        f"allowed host {entry!r} cannot be used: {problem}. Accepted entries are {_ACCEPTED}, "
        f"separated by commas; an empty list allows nothing. See {docs_link('allowed-hosts')}"
    )


@dataclass(frozen=True, slots=True)
class AllowedHosts:
    """The hosts a guarded test may reach: exact names, `*.` suffixes, IP networks, or everything."""

    names: frozenset[str] = frozenset()
    suffixes: tuple[str, ...] = ()
    networks: tuple[IPNetwork, ...] = ()
    allow_all: bool = False

    @classmethod
    def default(cls) -> AllowedHosts:
        """Loopback only: the name `localhost`, 127.0.0.0/8 and ::1 (the default of --allowed-hosts)."""
        return cls(names=_LOOPBACK_NAMES, networks=_LOOPBACK_NETWORKS)

    @classmethod
    def parse(cls, spec: str | Iterable[str]) -> AllowedHosts:
        """Parse a comma-separated string or a list of entries; raise ConfigurationError on a bad one."""
        entries = spec.split(",") if isinstance(spec, str) else list(spec)
        names: set[str] = set()
        suffixes: list[str] = []
        networks: list[IPNetwork] = []
        allow_all = False
        for raw in entries:
            if not isinstance(raw, str):
                raise _invalid(repr(raw), f"it is a {type(raw).__name__}, not a string")
            entry = raw.strip()
            if not entry:
                continue
            lowered = entry.lower()
            if entry == "*":
                allow_all = True
            elif lowered in _LOOPBACK_KEYWORDS:
                names.update(_LOOPBACK_NAMES)
                networks.extend(_LOOPBACK_NETWORKS)
            elif "/" in entry and "://" not in entry:
                networks.append(cls._parse_network(entry))
            elif (address := _literal_ip(entry.strip("[]"))) is not None:
                networks.append(ipaddress.ip_network(address))
            elif lowered.startswith("*."):
                suffixes.append("." + cls._parse_name(entry, lowered[2:]))
            else:
                names.add(cls._parse_name(entry, lowered))
        return cls(
            names=frozenset(names),
            suffixes=tuple(dict.fromkeys(suffixes)),
            networks=tuple(dict.fromkeys(networks)),
            allow_all=allow_all,
        )

    @staticmethod
    def _parse_network(entry: str) -> IPNetwork:
        """One CIDR entry; host bits must be zero so that a typo is not silently widened."""
        try:
            return ipaddress.ip_network(entry, strict=True)
        except ValueError:
            try:
                wider = ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise _invalid(entry, "it is not a valid CIDR network (address/prefix length)") from None
            raise _invalid(entry, f"it has host bits set; write the network as {wider}") from None

    @staticmethod
    def _parse_name(entry: str, name: str) -> str:
        """One host name (without a leading `*.`), checked against the DNS label syntax."""
        if "://" in name:
            problem = "it is a URL; give only the host name"
        elif ":" in name:
            problem = "ports are not supported; give the host without ':port'"
        elif any(ch in name for ch in "*?[]()\\^$+|{}"):
            problem = (
                "it looks like a pattern or regular expression; only a leading '*.' wildcard is "
                "supported (pytest-recording's regexes are not)"
            )
        else:
            normalized = _normalize_name(name)
            if normalized and _NAME_RE.fullmatch(normalized) and len(normalized) <= 253:
                return normalized
            problem = "it is not a valid host name"
        raise _invalid(entry, problem)

    def allows_name(self, name: str) -> bool:
        """True when the host name `name` is allowed (exactly, or as a subdomain of a `*.` entry)."""
        if self.allow_all:
            return True
        normalized = _normalize_name(name)
        return normalized in self.names or normalized.endswith(self.suffixes)

    def allows_address(self, address: str | IPAddress) -> bool:
        """True when the IP address is inside an allowed network (IPv4-mapped IPv6 is unwrapped)."""
        if self.allow_all:
            return True
        ip = _literal_ip(address) if isinstance(address, str) else address
        if ip is None:
            return False
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return any(ip in network for network in self.networks)

    def allows(self, host: str) -> bool:
        """True when `host`, a name or a literal address, is allowed."""
        ip = _literal_ip(host.strip("[]"))
        return self.allows_address(ip) if ip is not None else self.allows_name(host)

    def __str__(self) -> str:
        """The allow-list in --allowed-hosts syntax, for the report header and messages."""
        if self.allow_all:
            return "*"
        parts = sorted(self.names) + sorted("*" + s for s in self.suffixes)
        parts += [str(network) for network in self.networks]
        return ",".join(parts)


# ---------------------------------------------------------------------------------------------------
# Process-wide patching. Guards form a stack; the innermost installed guard decides.

_LOCK: Final = threading.RLock()
_ACTIVE: list[NetworkGuard] = []
_MISSING: Final = object()
_INET_FAMILIES: Final = frozenset({socket.AF_INET, socket.AF_INET6})
_RAW_FAMILY: Final[Any] = _socket.socket.__dict__["family"].__get__
_EXEMPT: Final = threading.local()


@dataclass(slots=True)
class _Patch:
    """One attribute replaced by the guard: where, the value to restore (or _MISSING) and ours."""

    owner: Any
    name: str
    saved: object
    wrapper: object


_PATCHES: list[_Patch] = []


def active_guard() -> NetworkGuard | None:
    """The innermost installed guard, or None when the network is not blocked."""
    return _ACTIVE[-1] if _ACTIVE else None


def _host_text(host: object) -> str | None:
    """A host argument as text (bytes are IDNA/ASCII), or None when there is no host."""
    if isinstance(host, str):
        return host
    if isinstance(host, bytes | bytearray):
        return bytes(host).decode("ascii", "replace")
    return None


def _port_number(port: object) -> int | None:
    """A port argument as an int when it is one (or a string of digits)."""
    if isinstance(port, int) and not isinstance(port, bool):
        return port
    if isinstance(port, str | bytes) and port.isdigit():
        return int(port)
    return None


def _check_sockaddr(sock: Any, address: Any, *, close: bool = False) -> None:
    """Check the target of a connect or sendto on `sock` against the active guard (see `close` below)."""
    __tracebackhide__ = True  # a blocked connection points at the caller
    guard = _ACTIVE[-1] if _ACTIVE else None
    if guard is None or _RAW_FAMILY(sock) not in _INET_FAMILIES:
        return
    if not isinstance(address, tuple) or len(address) < 2:
        return  # malformed; let the original raise its own TypeError
    host = _host_text(address[0])
    if host is None or host in guard._ok:
        return
    if getattr(_EXEMPT, "depth", 0) and guard._loopback(host):
        return
    try:
        guard._decide(host, _port_number(address[1]))
    except NetworkBlockedError:
        if close:
            # socket.create_connection and urllib3 close the socket only on OSError: without this
            # they would leak it, and the ResourceWarning would fail some later test.
            sock.close()
        raise


def _wrap_method(original: Callable[..., Any], address_index: int) -> Callable[..., Any]:
    """A socket method that checks its address argument (at `address_index`) before calling `original`."""

    def method(self: Any, *args: Any) -> Any:
        __tracebackhide__ = True  # a blocked connection points at the caller
        if len(args) > address_index:
            _check_sockaddr(self, args[address_index])
        return original(self, *args)

    method.__name__ = getattr(original, "__name__", "method")
    method.__qualname__ = f"socket.{method.__name__}"
    method.__doc__ = getattr(original, "__doc__", None)
    return method


def _make_patches() -> Iterator[tuple[Any, str, Callable[..., Any]]]:
    """The (owner, attribute, wrapper) triples the guard installs, each closing over the current value."""
    sock_cls = socket.socket
    connect = sock_cls.connect
    connect_ex = sock_cls.connect_ex
    sendto = sock_cls.sendto
    sendmsg = getattr(sock_cls, "sendmsg", None)

    def _connect(self: Any, address: Any) -> None:
        __tracebackhide__ = True  # a blocked connection points at the caller
        _check_sockaddr(self, address, close=True)
        return connect(self, address)

    def _connect_ex(self: Any, address: Any) -> int:
        __tracebackhide__ = True  # a blocked connection points at the caller
        _check_sockaddr(self, address, close=True)
        return connect_ex(self, address)

    _connect.__name__, _connect.__doc__ = "connect", connect.__doc__
    _connect_ex.__name__, _connect_ex.__doc__ = "connect_ex", connect_ex.__doc__
    yield sock_cls, "connect", _connect
    yield sock_cls, "connect_ex", _connect_ex
    # sendto(data, address) or sendto(data, flags, address): the address is the last argument.
    yield sock_cls, "sendto", _wrap_sendto(sendto)
    if sendmsg is not None:
        yield sock_cls, "sendmsg", _wrap_method(sendmsg, 3)

    getaddrinfo = socket.getaddrinfo
    gethostbyname = socket.gethostbyname
    gethostbyname_ex = socket.gethostbyname_ex
    gethostbyaddr = socket.gethostbyaddr
    getnameinfo = socket.getnameinfo
    create_connection = socket.create_connection
    socketpair = socket.socketpair

    def _getaddrinfo(
        host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0
    ) -> list[tuple[Any, ...]]:
        __tracebackhide__ = True  # a blocked connection points at the caller
        guard = _lookup_guard(host, flags & socket.AI_NUMERICHOST)
        if guard is None:
            return getaddrinfo(host, port, family, type, proto, flags)
        guard._check_name(guard._as_name(host), port)
        result = getaddrinfo(host, port, family, type, proto, flags)
        guard._learn(str(info[4][0]) for info in result)
        return result

    def _gethostbyname(hostname: Any) -> str:
        __tracebackhide__ = True  # a blocked connection points at the caller
        guard = _lookup_guard(hostname, 0)
        if guard is None:
            return gethostbyname(hostname)
        guard._check_name(guard._as_name(hostname), None)
        address: str = gethostbyname(hostname)
        guard._learn([address])
        return address

    def _gethostbyname_ex(hostname: Any) -> tuple[str, list[str], list[str]]:
        __tracebackhide__ = True  # a blocked connection points at the caller
        guard = _lookup_guard(hostname, 0)
        if guard is None:
            return gethostbyname_ex(hostname)
        guard._check_name(guard._as_name(hostname), None)
        result: tuple[str, list[str], list[str]] = gethostbyname_ex(hostname)
        guard._learn(result[2])
        return result

    def _gethostbyaddr(ip_address: Any) -> tuple[str, list[str], list[str]]:
        __tracebackhide__ = True  # a blocked connection points at the caller
        guard = active_guard()
        host = _host_text(ip_address)
        if guard is not None and host is not None and host not in guard._ok:
            # A reverse lookup is a DNS query too: check the address (or the name) it is about.
            guard._decide(host, None)
        return gethostbyaddr(ip_address)

    def _getnameinfo(sockaddr: Any, flags: int) -> tuple[str, str]:
        __tracebackhide__ = True  # a blocked connection points at the caller
        guard = active_guard()
        if guard is not None and not flags & socket.NI_NUMERICHOST and isinstance(sockaddr, tuple):
            host = _host_text(sockaddr[0]) if sockaddr else None
            if host is not None and host not in guard._ok:
                guard._decide(host, _port_number(sockaddr[1]) if len(sockaddr) > 1 else None)
        return getnameinfo(sockaddr, flags)

    def _create_connection(*args: Any, **kwargs: Any) -> socket.socket:
        __tracebackhide__ = True  # a blocked connection points at the caller
        guard = active_guard()
        address = args[0] if args else kwargs.get("address")
        if guard is not None and isinstance(address, tuple) and len(address) >= 2:
            host = _host_text(address[0])
            if host is not None and host not in guard._ok:
                guard._decide(host, _port_number(address[1]))
        return create_connection(*args, **kwargs)

    def _socketpair(*args: Any, **kwargs: Any) -> tuple[socket.socket, socket.socket]:
        # Where socketpair() is emulated with a loopback TCP connection (Windows), let it connect.
        __tracebackhide__ = True  # a blocked connection points at the caller
        _EXEMPT.depth = getattr(_EXEMPT, "depth", 0) + 1
        try:
            return socketpair(*args, **kwargs)
        finally:
            _EXEMPT.depth -= 1

    for name, wrapper, original in (
        ("getaddrinfo", _getaddrinfo, getaddrinfo),
        ("gethostbyname", _gethostbyname, gethostbyname),
        ("gethostbyname_ex", _gethostbyname_ex, gethostbyname_ex),
        ("gethostbyaddr", _gethostbyaddr, gethostbyaddr),
        ("getnameinfo", _getnameinfo, getnameinfo),
        ("create_connection", _create_connection, create_connection),
        ("socketpair", _socketpair, socketpair),
    ):
        wrapper.__name__ = name
        wrapper.__doc__ = original.__doc__
        yield socket, name, wrapper


def _wrap_sendto(original: Callable[..., Any]) -> Callable[..., Any]:
    """`socket.sendto` that checks the destination (its last argument) first."""

    def sendto(self: Any, *args: Any) -> Any:
        __tracebackhide__ = True  # a blocked connection points at the caller
        if len(args) >= 2:
            _check_sockaddr(self, args[-1])
        return original(self, *args)

    sendto.__doc__ = original.__doc__
    return sendto


def _lookup_guard(host: object, numeric: int) -> NetworkGuard | None:
    """The guard that must vet a lookup of `host`, or None when no DNS query can result from it."""
    guard = _ACTIVE[-1] if _ACTIVE else None
    if guard is None or numeric:
        return None
    text = _host_text(host)
    if text is None or text == "" or _literal_ip(text.split("%", 1)[0]) is not None:
        return None
    return guard


def _patch() -> None:
    """Install the wrappers, remembering what each attribute held (or that it was inherited)."""
    for owner, name, wrapper in list(_make_patches()):
        saved = vars(owner).get(name, _MISSING)
        setattr(owner, name, wrapper)
        _PATCHES.append(_Patch(owner, name, saved, wrapper))


def _unpatch() -> None:
    """Put back exactly what was there; leave alone an attribute someone else replaced after us."""
    while _PATCHES:
        patch = _PATCHES.pop()
        if vars(patch.owner).get(patch.name, _MISSING) is not patch.wrapper:
            continue  # patched over by someone else; our wrapper stays but is inert without a guard
        if patch.saved is _MISSING:
            delattr(patch.owner, patch.name)
        else:
            setattr(patch.owner, patch.name, patch.saved)


class NetworkGuard:
    """Blocks connections and DNS lookups outside `allowed` while installed; records each violation."""

    def __init__(
        self, allowed: AllowedHosts | None = None, *, test: str | None = None, suite_wide: bool = False
    ) -> None:
        self.allowed = AllowedHosts.default() if allowed is None else allowed
        self.test = test
        self.suite_wide = suite_wide
        self.violations: list[NetworkBlockedError] = []
        self._ok: set[str] = set()
        self._entered: list[bool] = []

    def __repr__(self) -> str:
        """Show the allow-list, the test and whether the guard is installed."""
        return f"NetworkGuard(allowed={str(self.allowed)!r}, test={self.test!r}, installed={self.installed})"

    @property
    def installed(self) -> bool:
        """True while this guard is on the stack of installed guards."""
        return self in _ACTIVE

    @property
    def resolved(self) -> frozenset[str]:
        """Hosts let through so far: allowed names, addresses they resolved to, allowed addresses."""
        return frozenset(self._ok)

    def install(self) -> None:
        """Start blocking; idempotent. The innermost installed guard decides."""
        with _LOCK:
            if self in _ACTIVE:
                return
            if not _ACTIVE:
                _patch()
            _ACTIVE.append(self)

    def uninstall(self) -> None:
        """Stop blocking for this guard; idempotent. The originals come back when the last one leaves."""
        with _LOCK:
            if self not in _ACTIVE:
                return
            _ACTIVE.remove(self)
            if not _ACTIVE:
                _unpatch()

    def __enter__(self) -> NetworkGuard:
        """Install, remembering whether it was already installed so that `__exit__` leaves it so."""
        self._entered.append(self.installed)
        self.install()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Uninstall, unless the guard was already installed when the block was entered."""
        was_installed = self._entered.pop() if self._entered else False
        if not was_installed:
            self.uninstall()

    def check(self, host: str, port: int | None = None) -> None:
        """Raise (and record) NetworkBlockedError unless `host` (a name or an address) is allowed."""
        __tracebackhide__ = True  # a blocked connection points at the caller
        if host not in self._ok:
            self._decide(host, port)

    # -- internals used by the socket wrappers ------------------------------------------------------

    def _decide(self, host: str, port: int | None) -> None:
        """Allow and remember `host`, or block it."""
        __tracebackhide__ = True  # a blocked connection points at the caller
        if self.allowed.allows(host.split("%", 1)[0]):
            self._ok.add(host)
            return
        self._block(host, port)

    def _check_name(self, name: str, port: object) -> None:
        """Vet a DNS lookup of `name`: allowed names go through, others raise naming the NAME."""
        __tracebackhide__ = True  # a blocked connection points at the caller
        if name in self._ok:
            return
        if self.allowed.allows_name(name):
            self._ok.add(name)
            return
        self._block(name, _port_number(port))

    def _learn(self, addresses: Iterable[str]) -> None:
        """Allow connects to the addresses an allowed name resolved to, for this guard's life."""
        self._ok.update(addresses)

    def _loopback(self, host: str) -> bool:
        """True when `host` is a loopback address (for the socketpair exemption)."""
        ip = _literal_ip(host)
        return ip is not None and ip.is_loopback

    @staticmethod
    def _as_name(host: object) -> str:
        """A lookup's host argument as a name."""
        return _host_text(host) or ""

    def _block(self, host: str, port: int | None) -> None:
        """Record the violation and raise it."""
        __tracebackhide__ = True  # a blocked connection points at the caller
        error = NetworkBlockedError(
            host, port, test=self.test, allowed=str(self.allowed), suite_wide=self.suite_wide
        )
        self.violations.append(error)
        raise error
