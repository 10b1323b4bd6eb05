"""Small vcrpy cassettes in the shapes real projects keep, written by this module (not copied from anywhere).

`python tests/_import_shapes.py` rewrites them into tests/data/import_shapes/; a test checks the committed
files are exactly what this module writes. The shapes:

* ``vcrpy.yaml.gz`` / ``vcrpy.json.gz``: vcrpy's YAML and JSON serializers, gzipped (as langchain keeps them);
* ``pydantic_ai.yaml``: pydantic-ai's serializer, JSON bodies as ``parsed_body:`` mappings in place of
  ``body:``, header names lower-cased;
* ``httpx_content.yaml``: old vcrpy httpx recordings, the response body as ``content:``;
* ``unknown_body_key.yaml``: a body under a key no serializer writes (must be refused, not dropped).
"""

from __future__ import annotations

import copy
import gzip
import json
import sys
from pathlib import Path
from typing import Any

import yaml
from vcr.serializers import jsonserializer, yamlserializer

FOLDER = Path(__file__).resolve().parent / "data" / "import_shapes"
URL = "https://api.openai.com/v1/threads/runs"
STREAM_REQUEST: Any = {"assistant_id": "asst_1", "stream": True, "thread": {"messages": []}}
PLAIN_REQUEST: Any = {"assistant_id": "asst_1"}
RUN: Any = {"id": "run_1", "object": "thread.run", "status": "queued", "usage": None}
SSE = (
    'event: thread.created\ndata: {"id":"thread_1","object":"thread"}\n\n'
    'event: thread.message.delta\ndata: {"id":"msg_1","delta":{"content":[{"index":0,"type":"text",'
    '"text":{"value":"Voilà 🙂 中文"}}]}}\n\n'
    "event: done\ndata: [DONE]\n\n"
)


def _interaction(request: Any, body: str, content_type: str) -> dict[str, Any]:
    return {
        "request": {
            "body": json.dumps(request),
            "headers": {"Content-Type": ["application/json"], "Authorization": ["<redacted>"]},
            "method": "POST",
            "uri": URL,
        },
        "response": {
            "status": {"code": 200, "message": "OK"},
            "headers": {"Content-Type": [content_type], "x-request-id": ["req_1"]},
            "body": {"string": body},
        },
    }


def vcrpy_dict() -> dict[str, Any]:
    """A vcrpy cassette as vcrpy holds it in memory: a stream, then a JSON run."""
    return {
        "version": 1,
        "interactions": [
            _interaction(STREAM_REQUEST, SSE, "text/event-stream; charset=utf-8"),
            _interaction(PLAIN_REQUEST, json.dumps(RUN), "application/json"),
        ],
    }


def _pydantic_ai(cassette: dict[str, Any]) -> str:
    """The shape pydantic-ai's serializer writes: lower-case headers, JSON bodies as parsed_body."""
    for interaction in cassette["interactions"]:
        for part in interaction.values():
            part["headers"] = {name.lower(): values for name, values in part["headers"].items()}
            if part["headers"]["content-type"][0].startswith("application/json"):
                body = part.pop("body")
                part["parsed_body"] = json.loads(body["string"] if isinstance(body, dict) else body)
    return yaml.safe_dump(cassette, allow_unicode=True, sort_keys=False, width=120)


def shapes() -> dict[str, bytes]:
    """Each fixture's file name and bytes."""
    httpx_content = vcrpy_dict()
    for interaction in httpx_content["interactions"]:
        interaction["response"]["content"] = interaction["response"].pop("body")["string"]
    unknown = vcrpy_dict()
    unknown["interactions"][1]["response"]["json_body"] = unknown["interactions"][1]["response"].pop("body")
    return {
        "vcrpy.yaml.gz": gzip.compress(yamlserializer.serialize(vcrpy_dict()).encode(), mtime=0),
        "vcrpy.json.gz": gzip.compress(jsonserializer.serialize(vcrpy_dict()).encode(), mtime=0),
        "pydantic_ai.yaml": _pydantic_ai(copy.deepcopy(vcrpy_dict())).encode(),
        "httpx_content.yaml": yamlserializer.serialize(httpx_content).encode(),
        "unknown_body_key.yaml": yamlserializer.serialize(unknown).encode(),
    }


def write(folder: Path = FOLDER) -> None:
    """Write every fixture into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in shapes().items():
        (folder / name).write_bytes(data)


if __name__ == "__main__":
    write(Path(sys.argv[1]) if len(sys.argv) > 1 else FOLDER)
