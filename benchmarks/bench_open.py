"""Opening large cassettes: runreplay against `json.load` of the same content, and a huge stream against vcrpy.

    .venv/bin/python benchmarks/bench_open.py                     # 1,000 / 10,000 / 50,000 interactions
    .venv/bin/python benchmarks/bench_open.py --sizes 1000 10000  # quicker
    .venv/bin/python benchmarks/bench_open.py --stream-only

Every figure is one fresh Python process (the median of `--rounds`), timing only the open, and
reporting the peak resident memory the open added (``VmHWM`` after minus before; Linux).

* ``open-N``: N interactions as in `bench_cassette.py` (JSON requests; half answered by a ~9 KB SSE
  stream, one chunk per event, half by a ~1 KB JSON run). runreplay, first open (YAML parsed; this
  writes the index cache ``.NAME.yaml.index`` for files over 4 MiB), runreplay, next opens (from the
  cache, validated against the file), and ``json.load`` of a JSON file holding the same content (each
  interaction as a dict: request line, headers as pairs, bodies as text, chunk layout as pairs).
* ``stream-100000``: one interaction whose response is 100,000 ``thread.message.delta`` events, one chunk
  each. runreplay `load`, first open (YAML) and next opens (its file is over 4 MiB, so from the cache),
  against vcrpy's ``Cassette.load`` of the same stream written by vcrpy's own saver.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def child(kind: str, path: str) -> None:
    """Run one open in this (fresh) process and print {"seconds", "mib"}."""
    if kind.startswith("runreplay"):
        from runreplay.cassette import _cache as cache
        from runreplay.cassette import load

        if kind == "runreplay-yaml":  # the YAML parse alone: no index cache read or written
            cache.MIN_BYTES = 1 << 62

        def opener() -> Any:
            return load(path)
    elif kind == "json":

        def opener() -> Any:
            with open(path, "rb") as file:
                return json.load(file)
    else:
        from vcr.cassette import Cassette as VcrCassette

        def opener() -> Any:
            return VcrCassette.load(path=path, record_mode="none")

    before = peak_kib()
    started = time.perf_counter()
    result = opener()
    seconds = time.perf_counter() - started
    after = peak_kib()
    assert result is not None
    print(json.dumps({"seconds": seconds, "mib": (after - before) / 1024.0}))


def peak_kib() -> int:
    """This process's peak resident memory so far (VmHWM: unlike ru_maxrss, not inherited at fork)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # pragma: no cover - not Linux


def measure(kind: str, path: Path, rounds: int, *, before: Any = None) -> tuple[float, float]:
    """Median (seconds, MiB) of `rounds` fresh processes opening `path` as `kind`."""
    results = []
    for _ in range(rounds):
        if before is not None:
            before()
        output = subprocess.run(
            [sys.executable, __file__, "--child", kind, str(path)], check=True, capture_output=True, text=True
        ).stdout
        data = json.loads(output.strip().splitlines()[-1])
        results.append((data["seconds"], data["mib"]))
    return statistics.median(r[0] for r in results), statistics.median(r[1] for r in results)


def as_json(interaction: Any) -> dict[str, Any]:
    """One interaction as plain JSON data (the same content the cassette holds)."""
    request, response = interaction.request, interaction.response
    sizes, offsets = response.layout()
    return {
        "recorded_at": interaction.recorded_at,
        "request": {
            "method": request.method,
            "url": request.url,
            "headers": request.headers,
            "body": request.body.decode(),
        },
        "response": {
            "status": response.status,
            "reason": response.reason,
            "http_version": response.http_version,
            "headers": response.headers,
            "headers_ms": response.headers_ms,
            "complete": response.complete,
            "chunks": list(zip(sizes, offsets, strict=True)),
            "body": response.body.decode(),
        },
    }


def open_sizes(folder: Path, sizes: list[int], rounds: int) -> list[str]:
    sys.path.insert(0, str(HERE))
    from bench_cassette import _streams, build_interaction

    from runreplay.cassette import Cassette, save
    from runreplay.cassette._cache import cache_path

    streams = _streams()
    lines = []
    for size in sizes:
        interactions = [build_interaction(i, streams) for i in range(size)]
        yaml_path = folder / f"open-{size}.yaml"
        save(yaml_path, Cassette(interactions))
        json_path = folder / f"open-{size}.json"
        json_path.write_text(json.dumps([as_json(i) for i in interactions]))
        del interactions
        index = cache_path(yaml_path)
        first = measure(
            "runreplay", yaml_path, rounds, before=lambda index=index: index.unlink(missing_ok=True)
        )
        parse = measure("runreplay-yaml", yaml_path, rounds)
        measure("runreplay", yaml_path, 1)  # writes the cache, if the file is big enough for one
        cached = measure("runreplay", yaml_path, rounds)
        plain = measure("json", json_path, rounds)
        megabytes = yaml_path.stat().st_size / 1e6
        lines.append(
            f"open-{size:<6} ({megabytes:6.1f} MB): runreplay YAML parse {parse[0]:6.3f} s {parse[1]:7.1f} MiB | "
            f"first open (+cache) {first[0]:6.3f} s {first[1]:7.1f} MiB | "
            f"next {cached[0]:6.3f} s {cached[1]:7.1f} MiB | json.load {plain[0]:6.3f} s {plain[1]:7.1f} MiB"
            f" | json.load / runreplay next = {plain[0] / cached[0]:.2f}x"
        )
        print(lines[-1], flush=True)
        for leftover in (yaml_path, json_path, index):
            leftover.unlink(missing_ok=True)
    return lines


def open_stream(folder: Path, events: int, rounds: int) -> list[str]:
    from vcr.persisters.filesystem import FilesystemPersister
    from vcr.request import Request as VcrRequest
    from vcr.serializers import yamlserializer

    from runreplay import sse
    from runreplay.cassette import Cassette, Chunk, Interaction, RecordedRequest, RecordedResponse, save
    from runreplay.cassette._cache import cache_path

    frames = [
        sse.encode(
            [
                sse.Event(
                    "thread.message.delta",
                    json.dumps(
                        {
                            "id": "msg_abc123",
                            "object": "thread.message.delta",
                            "delta": {"content": [{"index": 0, "type": "text", "text": {"value": f"w{n} "}}]},
                        },
                        separators=(",", ":"),
                    ),
                )
            ]
        )
        for n in range(events)
    ]
    headers = [("content-type", "text/event-stream; charset=utf-8")]
    request = RecordedRequest("POST", "https://api.openai.com/v1/threads/runs", [], b'{"stream":true}')
    response = RecordedResponse(
        200, "OK", "HTTP/1.1", headers, [Chunk(f, 1.0 + n * 0.01) for n, f in enumerate(frames)]
    )
    ours = folder / "stream.yaml"
    save(ours, Cassette([Interaction(request, response, "2026-01-01T00:00:00Z")]))
    theirs = folder / "stream-vcrpy.yaml"
    FilesystemPersister.save_cassette(
        theirs,
        {
            "requests": [VcrRequest("POST", request.url, request.body, {})],
            "responses": [
                {
                    "status": {"code": 200, "message": "OK"},
                    "headers": {"content-type": [headers[0][1]]},
                    "body": {"string": b"".join(frames)},
                }
            ],
        },
        yamlserializer,
    )
    index = cache_path(ours)
    parse = measure("runreplay-yaml", ours, rounds)
    first = measure("runreplay", ours, rounds, before=lambda: index.unlink(missing_ok=True))
    measure("runreplay", ours, 1)
    cached = measure("runreplay", ours, rounds)
    vcrpy = measure("vcrpy", theirs, rounds)
    line = (
        f"stream-{events} ({ours.stat().st_size / 1e6:.1f} MB; vcrpy's {theirs.stat().st_size / 1e6:.1f} MB):\n"
        f"  vcrpy                           {vcrpy[0]:.3f} s {vcrpy[1]:6.1f} MiB\n"
        f"  runreplay, YAML parse only      {parse[0]:.3f} s {parse[1]:6.1f} MiB  "
        f"({parse[0] / vcrpy[0]:.2f}x vcrpy's time, {parse[1] / vcrpy[1]:.2f}x its memory)\n"
        f"  runreplay, first open (+cache)  {first[0]:.3f} s {first[1]:6.1f} MiB  "
        f"({first[0] / vcrpy[0]:.2f}x, {first[1] / vcrpy[1]:.2f}x)\n"
        f"  runreplay, next opens (cache)   {cached[0]:.3f} s {cached[1]:6.1f} MiB  "
        f"({cached[0] / vcrpy[0]:.2f}x, {cached[1] / vcrpy[1]:.2f}x)"
    )
    print(line, flush=True)
    return [line]


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
        return 0
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000, 50000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--stream-only", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        folder = Path(tmp)
        open_stream(folder, args.events, args.rounds)
        if not args.stream_only:
            open_sizes(folder, args.sizes, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
