"""The network guard: allow-list parsing, blocking of connects and DNS, clients, and exact restoration.

Blocked targets are reserved addresses (192.0.2.1, TEST-NET-1) and names under `.invalid`; the guard
raises before anything is sent, and nothing here connects anywhere but loopback.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import httpx2
import openai
import pytest
import requests

from runreplay.errors import ConfigurationError, NetworkBlockedError, RunreplayError
from runreplay.recording._guard import AllowedHosts, NetworkGuard, active_guard

BLOCKED_IP = "192.0.2.1"
BLOCKED_NAME = "example.invalid"
HINT = "See https://pypi.org/project/pytest-runreplay/#allowed-hosts"
ACCEPTED = (
    "Accepted entries are host names (api.example.com), wildcards for subdomains (*.example.com), "
    "IPv4 or IPv6 addresses, CIDR networks (10.0.0.0/8, fd00::/8), 'localhost' (or 'loopback') for the "
    "loopback addresses, and '*' for every host, separated by commas; an empty list allows nothing. " + HINT
)
PATCHED = (
    (socket.socket, "connect"),
    (socket.socket, "connect_ex"),
    (socket.socket, "sendto"),
    (socket.socket, "sendmsg"),
    (socket, "getaddrinfo"),
    (socket, "gethostbyname"),
    (socket, "gethostbyname_ex"),
    (socket, "gethostbyaddr"),
    (socket, "getnameinfo"),
    (socket, "create_connection"),
    (socket, "socketpair"),
)


LOOPBACK = "localhost,127.0.0.0/8,::1/128"


def blocked_message(target: str, host: str, test: str | None = "t::blocked", allowed: str = LOOPBACK) -> str:
    """The whole NetworkBlockedError message for `target` (host or host:port) under the allow-list `allowed`."""
    where = f" in {test}" if test else ""
    widened = f"{allowed},{host}" if allowed else host
    return (
        f"network access to {target!r} blocked{where}: record mode is 'none' (replay only) and {host!r} "
        f"is not in --runreplay-allowed-hosts (now: {allowed or 'nothing'}). Record the exchange with "
        f"--record-mode=once, or allow the host with --runreplay-allowed-hosts={widened}. {HINT}"
    )


@pytest.fixture(autouse=True)
def _no_guard_left_behind() -> Iterator[None]:
    """Run each test with no guard installed (the plugin's own is set aside) and check it leaves none."""
    outer: list[NetworkGuard] = []
    while (active := active_guard()) is not None:
        outer.append(active)
        active.uninstall()
    before = [vars(owner).get(name) for owner, name in PATCHED]
    try:
        yield
        assert active_guard() is None
        assert [vars(owner).get(name) for owner, name in PATCHED] == before
    finally:
        for active in reversed(outer):
            active.install()


@pytest.fixture
def listener() -> Iterator[tuple[str, int]]:
    """A TCP listener on 127.0.0.1 (connects complete through the backlog; nothing is accepted)."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    try:
        yield server.getsockname()
    finally:
        server.close()


def guard(spec: str | None = None) -> NetworkGuard:
    """A guard for test id `t::blocked`, default loopback or parsed from `spec`."""
    return NetworkGuard(None if spec is None else AllowedHosts.parse(spec), test="t::blocked")


# -- AllowedHosts ---------------------------------------------------------------------------------


def test_default_is_loopback() -> None:
    allowed = AllowedHosts.default()
    assert str(allowed) == "localhost,127.0.0.0/8,::1/128"
    assert allowed.allows("127.0.0.1")
    assert allowed.allows("127.255.0.9")
    assert allowed.allows("::1")
    assert allowed.allows("[::1]")
    assert allowed.allows("::ffff:127.0.0.1")
    assert allowed.allows("LocalHost.")
    assert not allowed.allows(BLOCKED_IP)
    assert not allowed.allows("10.0.0.1")
    assert not allowed.allows(BLOCKED_NAME)
    assert NetworkGuard().allowed == allowed


@pytest.mark.parametrize("spec", ["", " ", ",", [], [" "]])
def test_empty_spec_allows_nothing(spec: str | list[str]) -> None:
    allowed = AllowedHosts.parse(spec)
    assert str(allowed) == ""
    assert not allowed.allows("127.0.0.1")
    assert not allowed.allows("localhost")
    assert not allowed.allows("::1")


def test_star_allows_everything() -> None:
    allowed = AllowedHosts.parse("*")
    assert str(allowed) == "*"
    assert allowed.allows(BLOCKED_IP)
    assert allowed.allows(BLOCKED_NAME)
    assert allowed.allows_address("2001:db8::1")


def test_loopback_keywords_expand() -> None:
    assert AllowedHosts.parse("localhost") == AllowedHosts.default()
    assert AllowedHosts.parse("Loopback") == AllowedHosts.default()


def test_names_wildcards_addresses_and_networks() -> None:
    allowed = AllowedHosts.parse(
        " API.Example.COM , *.openai.example., 10.1.2.3, 172.16.0.0/12, [2001:db8::5], fd00::/8 "
    )
    assert (
        str(allowed) == "api.example.com,*.openai.example,10.1.2.3/32,172.16.0.0/12,2001:db8::5/128,fd00::/8"
    )
    assert allowed.allows("api.example.com")
    assert allowed.allows("API.EXAMPLE.COM.")
    assert not allowed.allows("www.api.example.com")  # exact names match exactly
    assert allowed.allows("a.openai.example")
    assert allowed.allows("a.b.openai.example")
    assert not allowed.allows("openai.example")  # `*.` matches subdomains only
    assert not allowed.allows("xopenai.example")
    assert allowed.allows("10.1.2.3")
    assert not allowed.allows("10.1.2.4")
    assert allowed.allows("172.31.255.255")
    assert not allowed.allows("172.32.0.0")
    assert allowed.allows("2001:db8::5")
    assert allowed.allows("fd12::1")
    assert allowed.allows("fe80::1%eth0") is False
    assert not allowed.allows("127.0.0.1")


def test_iterable_spec_and_idna_names() -> None:
    allowed = AllowedHosts.parse(["bücher.example", "*.Example.org"])
    assert allowed.names == frozenset({"xn--bcher-kva.example"})
    assert allowed.allows("BÜCHER.example")
    assert allowed.allows("x.example.org")


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("http://api.example.com", "it is a URL; give only the host name"),
        ("api.example.com:443", "ports are not supported; give the host without ':port'"),
        (
            r".*\.example\.com",
            "it looks like a pattern or regular expression; only a leading '*.' wildcard is supported "
            "(pytest-recording's regexes are not)",
        ),
        (
            "api.*.com",
            "it looks like a pattern or regular expression; only a leading '*.' wildcard is "
            "supported (pytest-recording's regexes are not)",
        ),
        ("bad host", "it is not a valid host name"),
        ("-leading.example", "it is not a valid host name"),
        ("*.", "it is not a valid host name"),
        ("10.0.0.1/8", "it has host bits set; write the network as 10.0.0.0/8"),
        ("10.0.0.0/33", "it is not a valid CIDR network (address/prefix length)"),
        ("example.com/24", "it is not a valid CIDR network (address/prefix length)"),
    ],
)
def test_invalid_entries_explain_themselves(entry: str, problem: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        AllowedHosts.parse(f"localhost,{entry}")
    assert str(info.value) == f"allowed host {entry!r} cannot be used: {problem}. {ACCEPTED}"
    assert isinstance(info.value, ValueError)


def test_non_string_entry_is_rejected() -> None:
    with pytest.raises(ConfigurationError) as info:
        AllowedHosts.parse(["localhost", 8080])  # type: ignore[list-item]
    assert str(info.value) == f"allowed host '8080' cannot be used: it is a int, not a string. {ACCEPTED}"


# -- blocking at the socket layer -----------------------------------------------------------------


def test_error_is_not_an_oserror() -> None:
    assert issubclass(NetworkBlockedError, RunreplayError)
    assert not issubclass(NetworkBlockedError, OSError)


def test_raw_connect_is_blocked_before_anything_is_sent() -> None:
    with guard() as g, socket.socket() as sock:
        with pytest.raises(NetworkBlockedError) as info:
            sock.connect((BLOCKED_IP, 80))
        # Closed by the guard, because socket.create_connection and urllib3 close only on OSError.
        assert sock.fileno() == -1
    assert str(info.value) == blocked_message(f"{BLOCKED_IP}:80", BLOCKED_IP)
    assert (info.value.host, info.value.port, info.value.test) == (BLOCKED_IP, 80, "t::blocked")
    assert g.violations == [info.value]


def test_connect_ex_and_ipv6_are_blocked() -> None:
    with guard() as g:
        with socket.socket() as sock, pytest.raises(NetworkBlockedError):
            sock.connect_ex((BLOCKED_IP, 8080))
        with socket.socket(socket.AF_INET6) as sock6, pytest.raises(NetworkBlockedError):
            sock6.connect(("2001:db8::1", 443, 0, 0))
    assert [(v.host, v.port) for v in g.violations] == [(BLOCKED_IP, 8080), ("2001:db8::1", 443)]


def test_connect_by_name_is_checked_as_a_name() -> None:
    with guard() as g, socket.socket() as sock, pytest.raises(NetworkBlockedError) as info:
        sock.connect((BLOCKED_NAME, 80))
    assert str(info.value) == blocked_message(f"{BLOCKED_NAME}:80", BLOCKED_NAME)
    assert len(g.violations) == 1


def test_create_connection_is_blocked() -> None:
    with guard() as g, pytest.raises(NetworkBlockedError) as info:
        socket.create_connection((BLOCKED_NAME, 443), timeout=1)
    assert str(info.value) == blocked_message(f"{BLOCKED_NAME}:443", BLOCKED_NAME)
    assert g.violations == [info.value]


def test_udp_sendto_is_blocked() -> None:
    with guard() as g, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        with pytest.raises(NetworkBlockedError):
            sock.sendto(b"x", (BLOCKED_IP, 53))
        # Nothing reached the OS: a real sendto would have bound the socket to an ephemeral port.
        assert sock.getsockname() == ("0.0.0.0", 0)
        with pytest.raises(NetworkBlockedError):
            sock.sendto(b"x", 0, (BLOCKED_IP, 53))
        with pytest.raises(NetworkBlockedError):
            sock.sendmsg([b"x"], [], 0, (BLOCKED_IP, 53))
    assert [(v.host, v.port) for v in g.violations] == [(BLOCKED_IP, 53)] * 3


@pytest.mark.parametrize(
    ("call", "target"),
    [
        (lambda: socket.getaddrinfo(BLOCKED_NAME, 443), f"{BLOCKED_NAME}:443"),
        (lambda: socket.getaddrinfo(BLOCKED_NAME.encode(), "443"), f"{BLOCKED_NAME}:443"),
        (lambda: socket.getaddrinfo(host=BLOCKED_NAME, port=None), BLOCKED_NAME),
        (lambda: socket.gethostbyname(BLOCKED_NAME), BLOCKED_NAME),
        (lambda: socket.gethostbyname_ex(BLOCKED_NAME), BLOCKED_NAME),
        (lambda: socket.gethostbyaddr(BLOCKED_NAME), BLOCKED_NAME),
    ],
)
def test_dns_lookups_of_names_are_blocked(call: Any, target: str) -> None:
    with guard() as g, pytest.raises(NetworkBlockedError) as info:
        call()
    assert str(info.value) == blocked_message(target, BLOCKED_NAME)
    assert g.violations == [info.value]


def test_reverse_lookups_of_blocked_addresses_are_blocked() -> None:
    with guard() as g:
        with pytest.raises(NetworkBlockedError):
            socket.gethostbyaddr(BLOCKED_IP)
        with pytest.raises(NetworkBlockedError):
            socket.getnameinfo((BLOCKED_IP, 80), 0)
        # Numeric conversions send no query and are allowed.
        assert socket.getnameinfo((BLOCKED_IP, 80), socket.NI_NUMERICHOST | socket.NI_NUMERICSERV) == (
            BLOCKED_IP,
            "80",
        )
    assert [(v.host, v.port) for v in g.violations] == [(BLOCKED_IP, None), (BLOCKED_IP, 80)]


def test_lookups_of_literal_addresses_send_no_query_and_pass() -> None:
    with guard("") as g:
        assert socket.getaddrinfo(BLOCKED_IP, 80, type=socket.SOCK_STREAM)[0][4] == (BLOCKED_IP, 80)
        assert socket.gethostbyname(BLOCKED_IP) == BLOCKED_IP
        assert socket.getaddrinfo(None, 0, flags=socket.AI_PASSIVE)
    assert g.violations == []


def test_violations_are_recorded_even_when_the_caller_swallows_them() -> None:
    with guard() as g, contextlib.suppress(Exception):
        socket.create_connection((BLOCKED_IP, 80))
    assert [str(v) for v in g.violations] == [blocked_message(f"{BLOCKED_IP}:80", BLOCKED_IP)]


def test_connects_from_other_threads_are_blocked_too() -> None:
    caught: list[BaseException] = []

    def worker() -> None:
        try:
            socket.create_connection((BLOCKED_IP, 80))
        except BaseException as exc:
            caught.append(exc)

    with guard() as g:
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join(timeout=5)
    assert [type(e) for e in caught] == [NetworkBlockedError]
    assert g.violations == caught


# -- what is allowed ------------------------------------------------------------------------------


def test_loopback_is_allowed_by_default(listener: tuple[str, int]) -> None:
    with guard() as g:
        with socket.create_connection(listener, timeout=2) as conn:
            assert conn.getpeername() == listener
        with socket.socket() as sock:
            assert sock.connect_ex(listener) == 0
    assert g.violations == []


def test_empty_allow_list_blocks_loopback(listener: tuple[str, int]) -> None:
    with guard("") as g:
        with socket.socket() as sock, pytest.raises(NetworkBlockedError):
            sock.connect(listener)
        with pytest.raises(NetworkBlockedError) as info:
            socket.getaddrinfo("localhost", listener[1])
    assert str(info.value) == blocked_message(f"localhost:{listener[1]}", "localhost", allowed="")
    assert len(g.violations) == 2


def test_an_allow_list_replaces_the_default_and_the_fix_keeps_it(listener: tuple[str, int]) -> None:
    with guard("db.internal,10.0.0.0/8") as g:
        with socket.socket() as sock, pytest.raises(NetworkBlockedError) as info:
            sock.connect(listener)
    assert str(info.value) == blocked_message(
        f"127.0.0.1:{listener[1]}", "127.0.0.1", allowed="db.internal,10.0.0.0/8"
    )
    assert len(g.violations) == 1


def test_the_suite_wide_guard_tells_an_unmarked_test_to_add_the_cassette_marker() -> None:
    g = NetworkGuard(AllowedHosts.default(), test="t::plain", suite_wide=True)
    with g, socket.socket() as sock, pytest.raises(NetworkBlockedError) as info:
        sock.connect((BLOCKED_IP, 5432))
    assert str(info.value) == (
        f"network access to '{BLOCKED_IP}:5432' blocked in t::plain: --runreplay-block-network blocks the "
        f"network for the whole run and '{BLOCKED_IP}' is not in --runreplay-allowed-hosts (now: {LOOPBACK}). If it "
        "calls an HTTP API, add @pytest.mark.cassette to record and replay it; if it needs the network, add "
        f"@pytest.mark.allow_network; or allow the host with --runreplay-allowed-hosts={LOOPBACK},{BLOCKED_IP}. {HINT}"
    )


def test_allowed_name_works_through_dns(listener: tuple[str, int]) -> None:
    """A NAME in the allow-list: its lookup passes, and the addresses it resolved to become reachable."""
    port = listener[1]
    name_only = NetworkGuard(AllowedHosts(names=frozenset({"localhost"})), test="t::blocked")
    with name_only as g:
        with socket.socket() as sock, pytest.raises(NetworkBlockedError):
            sock.connect(listener)  # the address is not allowed on its own...
        with socket.create_connection(("localhost", port), timeout=2) as conn:  # ...but the name is
            assert conn.getpeername()[1] == port
        with socket.socket() as sock:  # and now the address it resolved to is too
            sock.connect(listener)
        assert "127.0.0.1" in g.resolved
        assert "localhost" in g.resolved
    assert [(v.host, v.port) for v in g.violations] == [("127.0.0.1", port)]
    fresh = NetworkGuard(AllowedHosts(names=frozenset({"localhost"})))
    with (
        fresh,
        socket.socket() as sock,
        pytest.raises(NetworkBlockedError),
    ):  # a new guard starts from nothing
        sock.connect(listener)


def test_allowed_cidr(listener: tuple[str, int]) -> None:
    with guard("127.0.0.0/24") as g, socket.create_connection(listener, timeout=2):
        pass
    assert g.violations == []
    with guard("127.0.0.2/31"), pytest.raises(NetworkBlockedError):
        socket.create_connection(listener, timeout=2)


def test_star_guard_lets_everything_through() -> None:
    g = guard("*")
    g.check(BLOCKED_IP, 80)
    g.check(BLOCKED_NAME)
    assert g.violations == []


def test_af_unix_and_socketpair_are_always_allowed(tmp_path: Path) -> None:
    path = str(tmp_path / "s")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(path)
        server.listen(1)
        with guard("") as g:
            left, right = socket.socketpair()
            left.sendall(b"ping")
            assert right.recv(4) == b"ping"
            left.close()
            right.close()
            with socket.socket(socket.AF_UNIX) as client:
                client.connect(path)
    assert g.violations == []


def test_emulated_socketpair_may_connect_over_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where socketpair() is a loopback TCP connection (Windows), the guard lets it through."""

    def emulated() -> tuple[socket.socket, socket.socket]:
        with socket.socket() as lsock:
            lsock.bind(("127.0.0.1", 0))
            lsock.listen(1)
            csock = socket.socket()
            csock.connect(lsock.getsockname())
            ssock, _ = lsock.accept()
            return ssock, csock

    monkeypatch.setattr(socket, "socketpair", emulated)
    with guard("") as g:
        left, right = socket.socketpair()
        left.close()
        right.close()
        with socket.socket() as sock, pytest.raises(NetworkBlockedError):
            sock.connect(("127.0.0.1", 9))  # outside socketpair() loopback is still blocked
    assert len(g.violations) == 1


# -- asyncio --------------------------------------------------------------------------------------


def test_asyncio_open_connection_to_a_blocked_ip() -> None:
    async def main() -> None:
        await asyncio.open_connection(BLOCKED_IP, 80)

    with guard("") as g, pytest.raises(NetworkBlockedError) as info:
        asyncio.run(main())  # the event loop's own self-pipe (socketpair) still works
    assert str(info.value) == blocked_message(f"{BLOCKED_IP}:80", BLOCKED_IP, allowed="")
    assert g.violations == [info.value]


def test_asyncio_name_lookup_and_sock_connect_are_blocked() -> None:
    async def main() -> list[BaseException]:
        loop = asyncio.get_running_loop()
        errors: list[BaseException] = []
        try:
            await asyncio.open_connection(BLOCKED_NAME, 80)
        except NetworkBlockedError as exc:
            errors.append(exc)
        with socket.socket() as sock:
            sock.setblocking(False)
            try:
                await loop.sock_connect(sock, (BLOCKED_IP, 443))
            except NetworkBlockedError as exc:
                errors.append(exc)
        return errors

    with guard() as g:
        errors = asyncio.run(main())
    assert [(e.host, e.port) for e in g.violations] == [(BLOCKED_NAME, 80), (BLOCKED_IP, 443)]
    assert errors == g.violations


def test_asyncio_loopback_allowed(listener: tuple[str, int]) -> None:
    async def main() -> None:
        _, writer = await asyncio.open_connection(*listener)
        writer.close()
        await writer.wait_closed()
        _, writer = await asyncio.open_connection("localhost", listener[1], family=socket.AF_INET)
        writer.close()
        await writer.wait_closed()

    with guard() as g:
        asyncio.run(main())
    assert g.violations == []


# -- HTTP clients: what the caller sees -----------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda url: httpx2.Client().get(url), id="httpx2"),
        pytest.param(lambda url: httpx.Client().get(url), id="httpx"),
        pytest.param(lambda url: requests.get(url, timeout=5), id="requests"),
        pytest.param(lambda url: urllib.request.urlopen(url, timeout=5), id="urllib"),
    ],
)
@pytest.mark.parametrize("host", [BLOCKED_NAME, BLOCKED_IP])
def test_http_clients_surface_the_error_unwrapped(call: Any, host: str) -> None:
    with guard() as g, pytest.raises(NetworkBlockedError) as info:
        call(f"http://{host}/")
    assert str(info.value) == blocked_message(f"{host}:80", host)
    assert g.violations == [info.value]


@pytest.mark.parametrize("host", ["api.example.invalid", BLOCKED_IP])
def test_openai_sdk_raises_at_once_without_retrying(host: str) -> None:
    client = openai.OpenAI(base_url=f"http://{host}/v1", api_key="sk-x", max_retries=2)
    started = time.perf_counter()
    with guard() as g, pytest.raises(NetworkBlockedError) as info:
        client.models.list()
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0
    assert str(info.value) == blocked_message(f"{host}:80", host)
    assert len(g.violations) == 1  # one attempt: no retry


def test_async_openai_sdk_blocked_name() -> None:
    async def main() -> None:
        client = openai.AsyncOpenAI(base_url="http://api.example.invalid/v1", api_key="sk-x", max_retries=2)
        await client.models.list()

    with guard() as g, pytest.raises(NetworkBlockedError):
        asyncio.run(main())
    assert len(g.violations) == 1


def test_anyio_clients_group_a_blocked_literal_ip() -> None:
    """httpx2's async client connects through anyio's task group, which wraps the error in a group."""

    async def main() -> None:
        async with httpx2.AsyncClient() as client:
            await client.get(f"http://{BLOCKED_IP}/")

    with guard() as g, pytest.raises(ExceptionGroup) as info:
        asyncio.run(main())
    assert info.group_contains(NetworkBlockedError)
    assert len(g.violations) == 1


# -- install, nesting and restoration -------------------------------------------------------------


def test_install_uninstall_restores_exactly() -> None:
    originals = {(owner, name): vars(owner).get(name, "missing") for owner, name in PATCHED}
    assert originals[(socket.socket, "connect")] == "missing"  # inherited from _socket.socket
    g = guard()
    g.install()
    g.install()  # idempotent
    assert g.installed
    assert active_guard() is g
    assert all(vars(owner).get(name) is not originals[(owner, name)] for owner, name in PATCHED)
    g.uninstall()
    g.uninstall()  # idempotent
    assert active_guard() is None
    assert {(o, n): vars(o).get(n, "missing") for o, n in PATCHED} == originals


def test_nested_guards_innermost_decides() -> None:
    outer = guard("")
    inner = guard("*")
    with outer:
        with inner:
            assert active_guard() is inner
            inner.check(BLOCKED_IP)
        assert active_guard() is outer
        with pytest.raises(NetworkBlockedError):
            socket.getaddrinfo("localhost", 80)
    assert inner.violations == []
    assert len(outer.violations) == 1


def test_same_guard_reentered_stays_installed_in_the_outer_block() -> None:
    g = guard()
    with g:
        with g:
            pass
        assert active_guard() is g
    assert active_guard() is None
    g.install()
    with g:
        pass
    assert g.installed  # installed before the block, so the block leaves it installed
    g.uninstall()


def test_out_of_order_uninstall_and_sequential_use() -> None:
    first, second = guard(), guard("")
    first.install()
    second.install()
    first.uninstall()
    assert active_guard() is second
    second.uninstall()
    assert active_guard() is None
    for _ in range(3):
        with guard() as g, pytest.raises(NetworkBlockedError):
            socket.gethostbyname(BLOCKED_NAME)
        assert len(g.violations) == 1


def test_a_patch_laid_over_ours_is_left_alone() -> None:
    original = vars(socket).get("gethostbyname")
    g = guard()
    g.install()
    ours = socket.gethostbyname

    def theirs(name: str) -> str:
        return str(ours(name))

    socket.gethostbyname = theirs
    try:
        g.uninstall()
        assert socket.gethostbyname is theirs
        assert socket.gethostbyname(BLOCKED_IP) == BLOCKED_IP  # our inner wrapper is inert now
    finally:
        socket.gethostbyname = original  # type: ignore[assignment]


def test_repr() -> None:
    g = NetworkGuard(AllowedHosts.parse("10.0.0.0/8,api.example.com"), test="t::x")
    assert repr(g) == "NetworkGuard(allowed='api.example.com,10.0.0.0/8', test='t::x', installed=False)"


# -- cost -----------------------------------------------------------------------------------------


def test_guarded_loopback_connect_costs_microseconds() -> None:
    """Time connect() on a closed socket (the OS rejects it at once), with and without the guard."""
    sock = socket.socket()
    sock.close()
    target = ("127.0.0.1", 9)
    rounds = 2000

    def measure() -> float:
        best = float("inf")
        for _ in range(5):
            started = time.process_time()
            for _ in range(rounds):
                with contextlib.suppress(OSError):
                    sock.connect(target)
            best = min(best, (time.process_time() - started) / rounds)
        return best

    bare = measure()
    with guard():
        guarded = measure()
    assert guarded - bare < 5e-6, f"{(guarded - bare) * 1e6:.2f} µs per connect"
    assert ipaddress.ip_address(target[0]).is_loopback
