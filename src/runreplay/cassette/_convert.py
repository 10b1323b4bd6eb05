"""Import vcrpy cassettes (YAML or JSON, plain or gzipped, as vcrpy 9.x and pytest-recording write them).

Also read: pydantic-ai's JSON-body serializer, which stores a JSON body as ``parsed_body:`` (a YAML
mapping) in place of ``body:``, and old vcrpy httpx recordings that kept the response body as
``content:``. Any other key where a body belongs is an error, so a body is never silently dropped.

vcrpy keeps neither chunk boundaries nor timing, so they are made up the only faithful way there is:
an SSE body (``text/event-stream``) becomes one chunk per event, all at 0 ms, so that replay hands
the client whole events; any other body becomes a single chunk. The response headers arrive at 0 ms,
the HTTP version is taken to be HTTP/1.1 and ``recorded_at`` is left empty (vcrpy does not store them).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import zlib
from pathlib import Path
from typing import Any, NoReturn

import yaml

from runreplay.cassette._format import save
from runreplay.cassette._safe_yaml import check_aliases
from runreplay.cassette.model import Cassette, Chunk, Interaction, RecordedRequest, RecordedResponse
from runreplay.errors import CassetteFormatError

__all__ = ["ImportFormatError", "convert_vcrpy_file", "from_vcrpy", "from_vcrpy_data"]

_REQUEST_KEYS = ("method", "uri", "body", "headers", "parsed_body")
_RESPONSE_KEYS = ("status", "headers", "body", "parsed_body", "content", "url", "http_version")


class ImportFormatError(CassetteFormatError):
    """A vcrpy cassette that cannot be imported: names the file, the place and what was expected."""

    def __init__(
        self, path: str, problem: str, *, line: int | None = None, expected: str | None = None
    ) -> None:
        super().__init__(path, problem, line=line, expected=expected)
        where = path if line is None else f"{path}, line {line}"
        message = f"cannot import vcrpy cassette {where}: {problem}"
        if expected:
            message += f"; expected {expected}"
        message += ". Nothing was converted: fix that part of the file and import it again."
        self.args = (message,)

    def __str__(self) -> str:
        """The import message (not the 'record it again' advice of a runreplay cassette)."""
        return str(self.args[0])


# The end of an SSE event: a line end followed by a blank line (CR, LF or CRLF each).
_EVENT_END = re.compile(rb"(?:\r\n|\r(?!\n)|\n)(?:\r\n|\r(?!\n)|\n)")


class _VcrpyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A safe loader that also reads the few benign Python tags vcrpy writes (never any object)."""


def _python_str(loader: Any, node: yaml.Node) -> str:
    value: str = loader.construct_scalar(node)
    return value


def _python_tuple(loader: Any, node: yaml.Node) -> list[Any]:
    value: list[Any] = loader.construct_sequence(node)
    return value


def _bytesio(loader: Any, node: yaml.Node) -> bytes:
    """An old vcrpy request body pickled as ``_io.BytesIO``: its content only."""
    state = loader.construct_mapping(node, deep=True).get("state") or [b""]
    data = state[0] if state else b""
    return data.encode("utf-8") if isinstance(data, str) else bytes(data or b"")


def _iterator(loader: Any, node: yaml.Node) -> bytes:
    """An old vcrpy request body stored as ``builtins.iter``: its items joined."""
    args = loader.construct_mapping(node, deep=True).get("args") or [[]]
    items = args[0] if args else []
    return b"".join(item.encode("utf-8") if isinstance(item, str) else bytes(item) for item in items)


_VcrpyLoader.add_constructor("tag:yaml.org,2002:python/str", _python_str)
_VcrpyLoader.add_constructor("tag:yaml.org,2002:python/unicode", _python_str)
_VcrpyLoader.add_constructor("tag:yaml.org,2002:python/tuple", _python_tuple)
_VcrpyLoader.add_constructor("tag:yaml.org,2002:python/object/new:_io.BytesIO", _bytesio)
_VcrpyLoader.add_constructor("tag:yaml.org,2002:python/object/apply:builtins.iter", _iterator)


class _Converter:
    """Checks one parsed vcrpy document and turns it into a `Cassette`, naming the place of any error."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, where: str, problem: str, expected: str) -> NoReturn:
        raise ImportFormatError(self.path, f"{where} {problem}", expected=expected)

    def mapping(self, value: Any, where: str, required: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(where, f"is {_kind(value)}", f"a mapping with the keys {', '.join(required)}")
        for key in required:
            if key not in value:
                self.fail(where, f"has no {key!r}", f"the keys {', '.join(required)} (a vcrpy cassette)")
        return value

    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str):
            self.fail(where, f"is {_kind(value)}", "a string")
        return value

    def body(self, value: Any, where: str) -> bytes:
        if value is None:
            return b""
        if isinstance(value, str):
            return value.encode("utf-8")
        if isinstance(value, bytes | bytearray):
            return bytes(value)
        self.fail(where, f"is {_kind(value)}", "a string, binary data or nothing")

    def headers(self, value: Any, where: str) -> list[tuple[str, str]]:
        if value is None:
            return []
        if not isinstance(value, dict):
            self.fail(where, f"is {_kind(value)}", "a mapping of header names to values or lists of values")
        headers = []
        for name, values in value.items():
            for item in values if isinstance(values, list) else [values]:
                if isinstance(item, bytes):
                    item = item.decode("latin-1")
                elif isinstance(item, int | float) and not isinstance(item, bool):
                    item = str(item)
                headers.append((str(name), self.text(item, f"{where}[{name!r}]")))
        return headers

    def known_keys(self, value: dict[str, Any], where: str, known: tuple[str, ...]) -> None:
        """Refuse a key this importer does not know: it may hold a body that would otherwise be lost."""
        for key in value:
            if key not in known:
                self.fail(
                    where,
                    f"has the unknown key {key!r} (a body or another field this importer does not know)",
                    f"only the keys {', '.join(known)} (a body as body: or pydantic-ai's parsed_body:)",
                )

    def parsed(self, value: Any) -> bytes:
        """A pydantic-ai ``parsed_body``: the JSON value, serialized the way its deserializer does."""
        return json.dumps(value).encode("utf-8")

    def request_body(self, request: dict[str, Any], where: str) -> bytes:
        if "parsed_body" in request:
            if "body" in request:
                self.fail(where, "has both body and parsed_body", "one of them")
            return self.parsed(request["parsed_body"])
        return self.body(request.get("body"), f"{where}.body")

    def response_body(self, response: dict[str, Any], where: str) -> bytes:
        forms = [key for key in ("body", "parsed_body", "content") if key in response]
        if len(forms) > 1:
            self.fail(where, f"has both {forms[0]} and {forms[1]}", "one body (body, parsed_body or content)")
        if "parsed_body" in response:
            return self.parsed(response["parsed_body"])
        if "content" in response:
            return self.body(response["content"], f"{where}.content")
        body = response.get("body")
        if isinstance(body, dict):
            self.known_keys(body, f"{where}.body", ("string",))
            return self.body(body.get("string"), f"{where}.body.string")
        return self.body(body, f"{where}.body")

    def interaction(self, value: Any, where: str) -> Interaction:
        item = self.mapping(value, where, ("request", "response"))
        request = self.mapping(item["request"], f"{where}.request", ("method", "uri"))
        response = self.mapping(item["response"], f"{where}.response", ("status",))
        self.known_keys(request, f"{where}.request", _REQUEST_KEYS)
        self.known_keys(response, f"{where}.response", _RESPONSE_KEYS)
        status = self.mapping(response["status"], f"{where}.response.status", ("code",))
        code = status["code"]
        if not isinstance(code, int) or isinstance(code, bool):
            self.fail(
                f"{where}.response.status.code", f"is {_kind(code)}", "an integer HTTP status such as 200"
            )
        raw = self.response_body(response, f"{where}.response")
        recorded = RecordedResponse(
            status=code,
            reason=self.text(status.get("message") or "", f"{where}.response.status.message"),
            headers=self.headers(response.get("headers"), f"{where}.response.headers"),
        )
        recorded.chunks = [
            Chunk(part, 0.0) for part in (_split_events(raw) if recorded.is_event_stream else [raw])
        ]
        if not raw:
            recorded.chunks = []
        return Interaction(
            RecordedRequest(
                method=self.text(request["method"], f"{where}.request.method"),
                url=self.text(request["uri"], f"{where}.request.uri"),
                headers=self.headers(request.get("headers"), f"{where}.request.headers"),
                body=self.request_body(request, f"{where}.request"),
            ),
            recorded,
        )

    def cassette(self, document: Any) -> Cassette:
        top = self.mapping(document, "the document", ("interactions",))
        version = top.get("version", 1)
        if version != 1:
            self.fail(
                "version", f"is {version!r}", "version: 1 (the vcrpy cassette format this importer reads)"
            )
        items = top["interactions"]
        if not isinstance(items, list):
            self.fail("interactions", f"is {_kind(items)}", "a list of interactions")
        interactions = [self.interaction(item, f"interactions[{index}]") for index, item in enumerate(items)]
        meta: dict[str, Any] = {"converted_from": "vcrpy", "source": os.path.basename(self.path)}
        if isinstance(top.get("metadata"), dict):
            meta["vcrpy_metadata"] = top["metadata"]
        return Cassette(interactions, meta)


def _kind(value: Any) -> str:
    if value is None:
        return "missing (null)"
    names = {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", int: "an integer"}
    name = names.get(type(value), f"a {type(value).__name__}")
    return f"{value!r} ({name})" if isinstance(value, str | int) and len(repr(value)) <= 40 else name


def _split_events(body: bytes) -> list[bytes]:
    """`body` cut after each event's blank line; the pieces join back to exactly `body`."""
    pieces = []
    start = 0
    for match in _EVENT_END.finditer(body):
        pieces.append(body[start : match.end()])
        start = match.end()
    if start < len(body):
        pieces.append(body[start:])
    return pieces


def from_vcrpy_data(data: bytes | str, *, path: str = "<string>") -> Cassette:
    """The cassette in the text of a vcrpy cassette file (YAML or JSON); `path` names it in errors."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    if not text.strip():
        raise ImportFormatError(path, "the file is empty", expected="a vcrpy cassette (YAML or JSON)")
    if text.lstrip().startswith("{"):
        try:
            document = json.loads(text)
        except ValueError as error:
            line = getattr(error, "lineno", None)
            raise ImportFormatError(
                path, f"invalid JSON: {error}", line=line, expected="a vcrpy JSON cassette"
            ) from None
    else:
        check_aliases(path, text.encode("utf-8", "surrogatepass"))
        try:
            document = yaml.load(text, Loader=_VcrpyLoader)  # a SafeLoader subclass
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            raise ImportFormatError(
                path,
                f"cannot read the YAML: {error.problem or error}",
                line=mark.line + 1 if mark else None,
                expected="a vcrpy YAML cassette (only the safe tags vcrpy writes)",
            ) from None
        except yaml.YAMLError as error:
            raise ImportFormatError(
                path, f"cannot read the YAML: {error}", expected="a vcrpy YAML cassette"
            ) from None
    return _Converter(path).cassette(document)


def from_vcrpy(path: str | os.PathLike[str]) -> Cassette:
    """Read the vcrpy cassette at `path` (YAML or JSON, gzipped when it starts like gzip) as a `Cassette`."""
    name = os.fspath(path)
    data = Path(name).read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as error:
            raise ImportFormatError(
                name, f"the gzip data cannot be read ({error})", expected="a whole gzip file (.gz)"
            ) from None
    try:
        return from_vcrpy_data(data, path=name)
    except UnicodeDecodeError as error:
        raise ImportFormatError(
            name,
            f"the file is not UTF-8 text ({error.reason} at byte {error.start})",
            expected="a vcrpy cassette (YAML or JSON text)",
        ) from None


def convert_vcrpy_file(source: str | os.PathLike[str], destination: str | os.PathLike[str]) -> Cassette:
    """Convert the vcrpy cassette `source` into the runreplay cassette file `destination` (atomic)."""
    cassette = from_vcrpy(source)
    save(destination, cassette)
    return cassette
