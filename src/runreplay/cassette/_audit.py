"""The secret audit: where a cassette still holds something redaction would remove, without printing it.

The audit runs the very rules redaction applies (`Scanner.scan_*`), so a cassette the redactor has
written is clean by construction, and the recorder can refuse to write one the audit would flag.
Placeholders are never flagged. `runreplay audit PATH...` prints `format_findings(audit_paths(...))`.

`audit_file` reads every field of the file, not only those the replayer uses: besides the URL, the
header values and the bodies it scans `meta`, the `events:` view, header names, the error's type and
message, and every other key and value. And it flags a value that appears both redacted and in
clear: a header, query parameter or JSON field whose value is a placeholder in one place but a value
in another (for example an echo of the request's `api-key` header in a response body), and a bearer
token in a body when some header's bearer token was redacted.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from runreplay.cassette._files import CASSETTE_SUFFIXES, cassette_files
from runreplay.cassette._redact import PLACEHOLDER, Hit, RedactionConfig, Redactor, Scanner
from runreplay.cassette.model import Cassette, Interaction

__all__ = [
    "CASSETTE_SUFFIXES",
    "Finding",
    "audit_file",
    "audit_paths",
    "format_findings",
    "mask",
    "scan_cassette",
    "scan_document",
]


def mask(secret: str | bytes) -> str:
    """A hint at a secret that never reveals it: at most its first 4 characters, an ellipsis, its length."""
    text = secret.decode("utf-8", "replace") if isinstance(secret, bytes) else secret
    shown = 4 if len(text) >= 16 else len(text) // 4
    return f"{text[:shown]}…({len(text)} chars)"


@dataclass(frozen=True, slots=True)
class Finding:
    """One secret in one place of a cassette: which file, interaction, field and rule, masked."""

    path: str | None  # None for a cassette that was not loaded from a file
    interaction: int  # 0-based index in the cassette
    field: str  # request.url, request.headers.<name>, request.body, response.headers.<name>, ...
    rule: str  # openai-api-key, bearer-token, cookie, env:<NAME>, user-pattern:<regex>, ...
    excerpt: str  # see `mask`: never the secret itself
    chunk: int | None = None  # for response.body: the chunk where the secret starts

    def __str__(self) -> str:
        """`path: interaction N: field: rule (excerpt)`."""
        where = self.field if self.chunk is None else f"{self.field}[chunk {self.chunk}]"
        path = "<cassette>" if self.path is None else self.path
        if self.interaction < 0:  # a field outside the interactions (meta, ...)
            return f"{path}: {where}: {self.rule} ({self.excerpt})"
        return f"{path}: interaction {self.interaction}: {where}: {self.rule} ({self.excerpt})"


def _make_findings(
    hits: list[Hit],
    value: str | bytes,
    *,
    path: str | None,
    index: int,
    field: str,
    chunks: list[int] | None = None,
) -> list[Finding]:
    """One Finding per hit in `value` (for a response body, `chunks` are the chunk ends)."""
    return [
        Finding(
            path,
            index,
            field,
            hit.rule,
            mask(value[hit.start : hit.end]),
            None if chunks is None else bisect_right(chunks, hit.start),
        )
        for hit in hits
    ]


def _clear(hits: list[Hit], value: str | bytes, placeholder: str) -> list[Hit]:
    """The hits that cover a whole value in clear: 8 characters or more, and no placeholder."""
    mark: str | bytes = placeholder.encode() if isinstance(value, bytes) else placeholder
    return [h for h in hits if h.end - h.start >= 8 and mark not in value[h.start : h.end]]  # type: ignore[operator]


def scan_interaction(
    interaction: Interaction,
    index: int,
    *,
    scanner: Scanner,
    path: str | None = None,
    clear_only: str | None = None,
) -> list[Finding]:
    """Findings in one interaction, in the order: URL, request headers and body, response headers, body.

    With `clear_only` (a placeholder), only hits of 8 characters or more that hold no placeholder count.
    """
    found: list[Finding] = []

    def add(hits: list[Hit], value: str | bytes, field: str, chunks: list[int] | None = None) -> None:
        if clear_only is not None:
            hits = _clear(hits, value, clear_only)
        found.extend(_make_findings(hits, value, path=path, index=index, field=field, chunks=chunks))

    request, response = interaction.request, interaction.response
    add(scanner.scan_url(request.url), request.url, "request.url")
    for name, value in request.headers:
        add(scanner.scan_text(name), name, "request.headers")
        add(scanner.scan_header(name, value), value, f"request.headers.{name.lower()}")
    content_type = (request.header("content-type") or "").split(";", 1)[0].strip().lower()
    form = content_type == "application/x-www-form-urlencoded"
    add(scanner.scan_body(request.body, form=form), request.body, "request.body")
    for name, value in response.headers:
        add(scanner.scan_text(name), name, "response.headers")
        add(scanner.scan_header(name, value, response=True), value, f"response.headers.{name.lower()}")
    body = response.body
    ends = list(accumulate(len(chunk.data) for chunk in response.chunks))
    add(scanner.scan_body(body), body, "response.body", ends)
    if response.error is not None:
        add(scanner.scan_text(response.error.message), response.error.message, "response.error")
        add(scanner.scan_text(response.error.type), response.error.type, "response.error.type")
    return found


def scan_cassette(
    cassette: Cassette,
    *,
    config: RedactionConfig | None = None,
    path: str | None = None,
    learned: Iterable[str] = (),
    clear_only: bool = False,
) -> list[Finding]:
    """Every place in `cassette` that holds a secret by the rules of `config` (default rules if None).

    `learned` secrets (see `Redactor.learn`) are looked for everywhere too. With `clear_only`, a hit
    shorter than 8 characters or holding a placeholder does not count.
    """
    redactor = Redactor(config)
    scanner = redactor.scanner(learned)  # the env secrets are read once per cassette
    placeholder = redactor.config.placeholder if clear_only else None
    found: list[Finding] = []
    for index, interaction in enumerate(cassette.interactions):
        found += scan_interaction(interaction, index, scanner=scanner, path=path, clear_only=placeholder)
    return found


_JSON_REDACTED = re.compile(r'"([^"\\]{1,200})"\s*:\s*"' + re.escape(PLACEHOLDER) + '"')
_BEARER_REDACTED = "bearer " + PLACEHOLDER.lower()
_BEARER_IN_TEXT = r"(?i)(?<![A-Za-z0-9])bearer\s+[A-Za-z0-9._~+/-]{8,}=*"


def _redacted_names(cassette: Cassette, placeholder: str) -> tuple[set[str], set[str], set[str], bool]:
    """Header names, query keys and JSON keys whose value is a placeholder somewhere; and whether a
    bearer token was redacted."""
    headers: set[str] = set()
    queries: set[str] = set()
    fields: set[str] = set()
    bearer = False

    def query(url: str) -> None:
        for key, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
            if placeholder in value and key:
                queries.add(key)

    for interaction in cassette.interactions:
        request, response = interaction.request, interaction.response
        query(request.url)
        for name, value in (*request.headers, *response.headers):
            if value.strip().rpartition(" ")[2] == placeholder:  # the whole value (after a scheme)
                headers.add(name.lower())
            bearer = bearer or _BEARER_REDACTED in value.lower()
            if name.lower() == "location":
                query(value)
        for body in (request.body, response.body):
            if placeholder.encode() in body:
                text = body.decode("utf-8", "replace")
                fields.update(_JSON_REDACTED.findall(text) if placeholder == PLACEHOLDER else ())
    return headers, queries, fields, bearer


def scan_redacted_elsewhere(
    cassette: Cassette, *, config: RedactionConfig | None = None, path: str | None = None
) -> list[Finding]:
    """Values in clear under a name (header, query key, JSON key) that is redacted elsewhere in `cassette`."""
    config = RedactionConfig() if config is None else config
    headers, queries, fields, bearer = _redacted_names(cassette, config.placeholder)
    if not (headers or queries or fields or bearer):
        return []
    names = headers | queries | fields  # an echo moves a value between kinds (a header into JSON)
    wider = config.extended(
        request_headers=names,
        response_headers=names,
        query_parameters=names,
        json_fields=names,
        extra_patterns=[_BEARER_IN_TEXT] if bearer else [],
    )
    known = {(f.interaction, f.field, f.chunk, f.excerpt) for f in scan_cassette(cassette, config=config)}
    return [
        Finding(f.path, f.interaction, f.field, "redacted-elsewhere", f.excerpt, f.chunk)
        for f in scan_cassette(cassette, config=wider, path=path, clear_only=True)
        if (f.interaction, f.field, f.chunk, f.excerpt) not in known
    ]


_COVERED = frozenset({"url", "headers", "text", "json", "base64", "message", "type"})
"""Fields of an interaction that `scan_interaction` reads with the rules that fit them."""


def scan_document(root: Any, *, scanner: Scanner, path: str | None = None) -> list[Finding]:
    """Findings in every key and value of a cassette's YAML node tree that `scan_interaction` does not read.

    That is `meta` and every other top-level field, the `events:` view (scanned like a body), and
    every other scalar of an interaction (method, reason, error type, chunk list, ...).
    """
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode

    found: list[Finding] = []
    stack: list[tuple[Any, str, int, bool]] = [(root, "", -1, False)]
    while stack:
        node, where, index, inside = stack.pop()
        if isinstance(node, ScalarNode):
            value = str(node.value)
            if where.endswith(".events"):
                hits = scanner.scan_body(value.encode("utf-8", "surrogatepass"))
                raw: str | bytes = value.encode("utf-8", "surrogatepass")
            else:
                hits, raw = scanner.scan_text(value), value
            found += _make_findings(hits, raw, path=path, index=index, field=where.lstrip("."))
        elif isinstance(node, SequenceNode):
            top = where == ".interactions"
            for number, item in reversed(list(enumerate(node.value))):  # popped in file order
                item_where = "" if top else f"{where}[{number}]"
                stack.append((item, item_where, number if top else index, top or inside))
        elif isinstance(node, MappingNode):
            children: list[tuple[Any, str, int, bool]] = []
            for key, value in node.value:
                name = str(getattr(key, "value", ""))
                field = f"{where}.{name}" if where else f".{name}" if not inside else name
                hits = scanner.scan_text(name)
                found += _make_findings(
                    hits, name, path=path, index=index, field=f"{field} (key)".lstrip(".")
                )
                if not (inside and name in _COVERED):
                    children.append((value, field, index, inside))
            stack.extend(reversed(children))
    return found


def audit_file(path: str | os.PathLike[str], *, config: RedactionConfig | None = None) -> list[Finding]:
    """Every finding in one runreplay cassette file: its interactions, every other field, and values
    that appear both redacted and in clear."""
    from runreplay.cassette._format import load  # lazily: the file format is not needed to scan
    from runreplay.cassette._safe_yaml import compose_plain

    name = os.fspath(path)
    cassette = load(name)  # refuses anchors, aliases and tags before anything is built
    with open(name, "rb") as file:
        root = compose_plain(name, file.read())
    document = scan_document(root, scanner=Redactor(config).scanner(), path=name)
    return [
        *(finding for finding in document if finding.interaction < 0),  # meta and the like first
        *scan_cassette(cassette, config=config, path=name),
        *(finding for finding in document if finding.interaction >= 0),
        *scan_redacted_elsewhere(cassette, config=config, path=name),
    ]


def audit_paths(
    paths: Iterable[str | os.PathLike[str]], *, config: RedactionConfig | None = None
) -> list[Finding]:
    """Load each cassette file (directories are searched) and scan it; a file that cannot load raises."""
    found: list[Finding] = []
    for file in cassette_files(paths, strict=False):
        found += audit_file(file, config=config)
    return found


def format_findings(findings: Iterable[Finding]) -> str:
    """One line per finding: `path: interaction N: field: rule (excerpt)`."""
    return "\n".join(str(finding) for finding in findings)
