"""`runreplay.serve.RecordingProxy` and `runreplay record`: a reverse proxy that records as the tee does.

The upstream is the embedded server over real sockets (and behind a TLS front for an https target);
the clients are the real `openai` SDK, httpx and a raw socket.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import openai
import pytest

from _serve_clients import free_port, raw_request, run_until_client_done
from runreplay.cassette import load
from runreplay.errors import ConfigurationError
from runreplay.fakeserver import FakeAssistantsServer
from runreplay.recording import use_cassette
from runreplay.serve import CUT_MESSAGE, CassetteServer, RecordingProxy

pytestmark = pytest.mark.filterwarnings("ignore:The Assistants API is deprecated:DeprecationWarning")

RUNS = "/v1/threads/runs"
KEY = "sk-proxy-0123456789abcdefghijklmnop"


def _body(assistant: str) -> bytes:
    return json.dumps({"assistant_id": assistant, "stream": True}).encode()


def _events(base_url: str, assistant: str) -> list[tuple[str, str]]:
    client = openai.OpenAI(base_url=base_url + "/v1", api_key=KEY, max_retries=0)
    stream = client.beta.threads.create_and_run(assistant_id=assistant, stream=True)
    return [(event.event, event.data.model_dump_json()) for event in stream]


def test_the_sdk_sees_the_same_stream_live_served_and_replayed_in_process(tmp_path: Path) -> None:
    cassette = tmp_path / "sdk.yaml"
    with FakeAssistantsServer(seed=1, chunking="split_lines") as upstream:
        with RecordingProxy(upstream.url, cassette) as proxy:
            live = _events(proxy.base_url, "asst_1")
        upstream_url = upstream.base_url
    with CassetteServer(cassette) as server:
        served = _events(server.base_url, "asst_1")
    # The cassette is an ordinary one: pytest (here use_cassette) replays it against the recorded host.
    with use_cassette(cassette, record_mode="none"):
        client = openai.OpenAI(base_url=upstream_url, api_key="sk-other", max_retries=0)
        stream = client.beta.threads.create_and_run(assistant_id="asst_1", stream=True)
        in_process = [(event.event, event.data.model_dump_json()) for event in stream]
    assert len(live) > 20
    assert served == live
    assert in_process == live


def test_each_chunk_passes_through_live_and_is_stored_with_its_offset(tmp_path: Path) -> None:
    cassette = tmp_path / "tee.yaml"
    with FakeAssistantsServer(chunking="bytes:3000", chunk_delay=0.4) as upstream:
        with RecordingProxy(upstream.url, cassette) as proxy:
            connection = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=30)
            connection.request("POST", RUNS, _body("asst_1"), {"content-type": "application/json"})
            response = connection.getresponse()
            pieces: list[tuple[float, bytes]] = []
            while piece := response.read1(65536):
                pieces.append((time.perf_counter(), piece))
            connection.close()
    recorded = load(cassette).interactions[0].response
    assert [chunk.data for chunk in recorded.chunks] == [piece for _, piece in pieces]
    assert len(pieces) == 3
    # The first chunk reached the client long before the upstream sent the last one.
    assert pieces[-1][0] - pieces[0][0] > 0.6
    offsets = [chunk.offset_ms for chunk in recorded.chunks]
    assert offsets == sorted(offsets)
    assert offsets[-1] - offsets[0] > 600
    assert recorded.complete
    assert recorded.error is None


def test_secrets_are_redacted_before_the_cassette_is_written(tmp_path: Path) -> None:
    cassette = tmp_path / "secret.yaml"
    with FakeAssistantsServer(realistic_headers=True) as upstream:
        with RecordingProxy(upstream.url, cassette, options={"filter_headers": ["x-tenant"]}) as proxy:
            seen = raw_request(
                proxy.base_url,
                RUNS,
                _body("asst_1"),
                headers={
                    "content-type": "application/json",
                    "authorization": f"Bearer {KEY}",
                    "x-tenant": "acme-7",
                },
            )
        received = upstream.requests[0].headers
    assert seen.status == 200
    assert received["authorization"] == f"Bearer {KEY}"  # the upstream got the real key
    text = cassette.read_text()
    assert KEY not in text
    assert "acme-7" not in text
    request = load(cassette).interactions[0].request
    assert request.header("authorization") == "Bearer <REDACTED>"
    assert request.header("x-tenant") == "<REDACTED>"
    assert load(cassette).interactions[0].response.header("openai-organization") == "<REDACTED>"


def test_replay_speed_one_takes_the_recorded_time(tmp_path: Path) -> None:
    cassette = tmp_path / "timed.yaml"
    with FakeAssistantsServer(chunking="bytes:1500", chunk_delay=0.25) as upstream:
        with RecordingProxy(upstream.url, cassette) as proxy:
            raw_request(proxy.base_url, RUNS, _body("asst_1"))
    recorded = load(cassette).interactions[0].response.chunks[-1].offset_ms / 1000.0
    assert recorded >= 1.0
    with CassetteServer(cassette, replay_speed=1) as server:
        started = time.perf_counter()
        raw_request(server.base_url, RUNS, _body("asst_1"))
        elapsed = time.perf_counter() - started
    assert recorded * 0.8 <= elapsed <= recorded * 1.2


def test_a_stream_cut_by_shutdown_is_stored_broken_and_replays_raising_at_the_cut(tmp_path: Path) -> None:
    cassette = tmp_path / "cut.yaml"
    received: list[bytes] = []
    first_chunk = threading.Event()

    def read() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=30)
        connection.request("POST", RUNS, _body("asst_1"), {"content-type": "application/json"})
        response = connection.getresponse()
        with contextlib.suppress(http.client.HTTPException, OSError):
            while piece := response.read1(65536):
                received.append(piece)
                first_chunk.set()
        connection.close()

    with FakeAssistantsServer(chunk_delay=5.0) as upstream:
        proxy = RecordingProxy(upstream.url, cassette).start()
        reader = threading.Thread(target=read)
        reader.start()
        assert first_chunk.wait(10)
        proxy.stop()
        reader.join(10)
    response = load(cassette).interactions[0].response
    assert [chunk.data for chunk in response.chunks] == received
    assert response.complete is False
    assert response.error is not None
    assert (response.error.type, response.error.message) == ("httpx.RemoteProtocolError", CUT_MESSAGE)
    assert response.error.after_chunk == len(received)
    # In-process replay raises at the cut, after the same chunks.
    replayed: list[bytes] = []
    with use_cassette(cassette), httpx.Client() as client:
        with client.stream("POST", upstream.url + RUNS, content=_body("asst_1")) as streamed:
            with pytest.raises(httpx.RemoteProtocolError, match=CUT_MESSAGE):
                for piece in streamed.iter_raw():
                    replayed.append(piece)
    assert replayed == received
    # Served, the client sees the same chunks and then a broken connection.
    with CassetteServer(cassette) as server:
        seen = raw_request(server.base_url, RUNS, _body("asst_1"))
    assert (seen.chunks, seen.complete) == (received, False)


def test_new_episodes_replays_what_the_cassette_has_and_records_the_rest(tmp_path: Path) -> None:
    cassette = tmp_path / "episodes.yaml"
    with FakeAssistantsServer() as upstream:
        with RecordingProxy(upstream.url, cassette) as proxy:
            first = raw_request(proxy.base_url, RUNS, _body("asst_1")).body
        with RecordingProxy(upstream.url, cassette) as proxy:
            again = raw_request(proxy.base_url, RUNS, _body("asst_1")).body
            other = raw_request(proxy.base_url, RUNS, _body("asst_2"))
            counts = proxy.counts()
        upstream_calls = len(upstream.requests)
    assert again == first
    assert other.status == 200
    assert counts == (1, 1)
    assert upstream_calls == 2
    assert [json.loads(i.request.body)["assistant_id"] for i in load(cassette).interactions] == [
        "asst_1",
        "asst_2",
    ]


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 made with the openssl command (skip without it)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    try:
        subprocess.run(
            [
                *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
                *("-keyout", str(key), "-out", str(cert)),
                *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
    except FileNotFoundError:
        if os.environ.get("CI"):
            raise
        pytest.skip("openssl is not installed")
    return cert, key


@contextlib.contextmanager
def _tls_front(target_port: int, cert: Path, key: Path) -> Iterator[int]:
    """A TLS terminator on 127.0.0.1 in front of a plain HTTP server: bytes copied both ways."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()
    opened: list[socket.socket] = []

    def pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def accept() -> None:
        while not stop.is_set():
            try:
                plain, _ = listener.accept()
            except TimeoutError:
                continue
            plain.settimeout(30)
            try:
                secure = context.wrap_socket(plain, server_side=True)
            except (OSError, ssl.SSLError):
                plain.close()
                continue
            backend = socket.create_connection(("127.0.0.1", target_port), timeout=30)
            opened.extend((secure, backend))
            threading.Thread(target=pump, args=(secure, backend), daemon=True).start()
            threading.Thread(target=pump, args=(backend, secure), daemon=True).start()

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        acceptor.join(5)
        listener.close()
        for sock in opened:
            sock.close()


def test_an_https_target_is_recorded_with_its_https_url(tmp_path: Path) -> None:
    cert, key = _certificate(tmp_path)
    cassette = tmp_path / "tls.yaml"
    with FakeAssistantsServer() as upstream, _tls_front(upstream.port, cert, key) as tls_port:
        target = f"https://127.0.0.1:{tls_port}"
        with RecordingProxy(target, cassette, ca_file=cert) as proxy:
            live = raw_request(proxy.base_url, RUNS, _body("asst_1"))
        with RecordingProxy(target, tmp_path / "untrusted.yaml") as proxy:
            untrusted = raw_request(proxy.base_url, RUNS, _body("asst_1"))
    interaction = load(cassette).interactions[0]
    assert interaction.request.url == f"https://127.0.0.1:{tls_port}{RUNS}"
    assert live.status == 200
    assert interaction.response.body == live.body
    assert untrusted.status == 502
    assert "CERTIFICATE_VERIFY_FAILED" in json.loads(untrusted.body)["error"]["message"]
    assert not (tmp_path / "untrusted.yaml").exists()


def test_an_unreachable_target_gets_a_502_and_nothing_is_recorded(tmp_path: Path) -> None:
    with FakeAssistantsServer() as upstream:
        target = upstream.url
    with RecordingProxy(target, tmp_path / "none.yaml") as proxy:
        seen = raw_request(proxy.base_url, RUNS, _body("asst_1"))
    message = json.loads(seen.body)["error"]["message"]
    assert seen.status == 502
    assert message.startswith(
        f"runreplay record: cannot reach the target {target}: [Errno 111] Connection refused"
    )
    assert not (tmp_path / "none.yaml").exists()


def test_bad_arguments_say_what_was_expected(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as caught:
        RecordingProxy("api.openai.com", tmp_path / "x.yaml")
    assert str(caught.value) == (
        "--target must be an http:// or https:// URL such as https://api.openai.com, got 'api.openai.com'."
    )
    with pytest.raises(ConfigurationError) as caught:
        RecordingProxy("https://api.openai.com", tmp_path / "x.yaml", record_mode="none")
    assert str(caught.value) == (
        "record mode must be one of once, new_episodes, all, rewrite for recording, got 'none'; "
        "to replay only, use 'runreplay serve'."
    )


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_the_command_records_until_a_signal_then_saves(tmp_path: Path, stop: int) -> None:
    cassette = tmp_path / "cli.yaml"
    with FakeAssistantsServer() as upstream:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "runreplay.cli",
                "record",
                "--target",
                upstream.url,
                "--cassette",
                str(cassette),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert process.stdout is not None
            base_url = process.stdout.readline().strip()
            live = raw_request(base_url, RUNS, _body("asst_1"))
        finally:
            process.send_signal(stop)
            _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert err.splitlines() == [
        f"runreplay record: forwarding {base_url} to {upstream.url}, recording into {cassette} (new_episodes); "
        "Ctrl-C or SIGTERM stops and saves",
        f"runreplay record: stopped; 1 recorded, 0 replayed; saved to {cassette}",
    ]
    assert load(cassette).interactions[0].response.body == live.body


def test_the_command_in_process_records_until_sigint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cassette = tmp_path / "in_process.yaml"
    port = free_port()
    with FakeAssistantsServer() as upstream:
        status, seen = run_until_client_done(
            ["record", "--target", upstream.url, "--cassette", str(cassette), "--filter-header", "x-tenant"],
            port,
            lambda base: raw_request(
                base,
                RUNS,
                _body("asst_1"),
                headers={"content-type": "application/json", "x-tenant": "acme-7"},
            ),
        )
    out, err = capsys.readouterr()
    assert status == 0
    assert out == f"http://127.0.0.1:{port}\n"
    assert err.splitlines()[-1] == f"runreplay record: stopped; 1 recorded, 0 replayed; saved to {cassette}"
    assert load(cassette).interactions[0].request.header("x-tenant") == "<REDACTED>"
    assert seen is not None


def test_a_target_that_drops_mid_stream_is_recorded_broken_after_the_same_chunks(tmp_path: Path) -> None:
    cassette = tmp_path / "dropped.yaml"
    with FakeAssistantsServer(drop_after_events=3) as upstream:
        with RecordingProxy(upstream.url, cassette) as proxy:
            live = raw_request(proxy.base_url, RUNS, _body("asst_1"))
    response = load(cassette).interactions[0].response
    assert (len(live.chunks), live.complete) == (3, False)
    assert [chunk.data for chunk in response.chunks] == live.chunks
    assert response.error is not None
    assert (response.error.type, response.error.after_chunk) == ("httpx.RemoteProtocolError", 3)
    assert response.error.message == (
        "peer closed connection without sending complete message body (incomplete chunked read)"
    )
    with CassetteServer(cassette) as server:
        served = raw_request(server.base_url, RUNS, _body("asst_1"))
    assert (served.chunks, served.complete) == (live.chunks, False)


def test_a_client_that_leaves_early_leaves_a_partial_recording(tmp_path: Path) -> None:
    cassette = tmp_path / "left.yaml"
    with FakeAssistantsServer(chunk_delay=0.05) as upstream:
        with RecordingProxy(upstream.url, cassette) as proxy:
            connection = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=30)
            connection.request("POST", RUNS, _body("asst_1"), {"content-type": "application/json"})
            first = connection.getresponse().read1(65536)
            connection.close()
            deadline = time.monotonic() + 30
            while proxy.counts() == (0, 0) and time.monotonic() < deadline:
                time.sleep(0.05)
    response = load(cassette).interactions[0].response
    assert response.chunks[0].data == first
    assert response.complete is False
    assert response.error is None


def test_once_with_an_existing_cassette_answers_an_unknown_request_with_the_explanation(
    tmp_path: Path,
) -> None:
    cassette = tmp_path / "once.yaml"
    with FakeAssistantsServer() as upstream:
        with RecordingProxy(upstream.url, cassette, record_mode="once") as proxy:
            raw_request(proxy.base_url, RUNS, _body("asst_1"))
        with RecordingProxy(upstream.url, cassette, record_mode="once") as proxy:
            known = raw_request(proxy.base_url, RUNS, _body("asst_1"))
            unknown = raw_request(proxy.base_url, RUNS, _body("asst_2"))
        calls = len(upstream.requests)
    assert known.status == 200
    assert unknown.status == 404
    error = json.loads(unknown.body)["error"]
    assert error["code"] == "unmatched_request"
    assert error["message"].startswith(
        "runreplay: no recorded response for this request, and record mode 'once' does not record new ones.\n\n"
        f"  POST {upstream.url}{RUNS}\n"
    )
    assert calls == 1


def test_concurrent_streams_are_each_recorded_whole_and_served_back(tmp_path: Path) -> None:
    cassette = tmp_path / "concurrent.yaml"
    names = [f"asst_{n}" for n in range(6)]
    with FakeAssistantsServer(chunk_delay=0.01) as upstream:
        with RecordingProxy(upstream.url, cassette) as proxy:
            with ThreadPoolExecutor(max_workers=6) as pool:
                live = dict(
                    zip(
                        names,
                        pool.map(lambda name: raw_request(proxy.base_url, RUNS, _body(name)), names),
                        strict=True,
                    )
                )
    recorded = {json.loads(i.request.body)["assistant_id"]: i.response for i in load(cassette).interactions}
    assert sorted(recorded) == names
    for name in names:
        assert [chunk.data for chunk in recorded[name].chunks] == live[name].chunks
        assert recorded[name].complete
    with CassetteServer(cassette) as server, ThreadPoolExecutor(max_workers=6) as pool:
        served = dict(
            zip(
                names,
                pool.map(lambda name: raw_request(server.base_url, RUNS, _body(name)), names),
                strict=True,
            )
        )
    assert {name: seen.chunks for name, seen in served.items()} == {
        name: seen.chunks for name, seen in live.items()
    }
