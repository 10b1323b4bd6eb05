"""The secret audit: where a cassette still holds something redaction would remove, without printing it.

The audit runs the very rules `Redactor` applies (`Redactor.scan_*`), so a cassette the redactor has
written is clean by construction, and the recorder can refuse to write one the audit would flag.
Placeholders are never flagged. `runreplay audit PATH...` prints `format_findings(audit_paths(...))`.
"""

from __future__ import annotations

import os
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from runreplay.cassette.model import Cassette, Interaction
from runreplay.cassette.redact import Hit, RedactionConfig, Redactor, Scanner

__all__ = ["CASSETTE_SUFFIXES", "Finding", "audit_paths", "format_findings", "mask", "scan_cassette"]

CASSETTE_SUFFIXES = (".yaml", ".yml")
"""File suffixes `audit_paths` picks up when it is given a directory."""


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
        return f"{path}: interaction {self.interaction}: {where}: {self.rule} ({self.excerpt})"


def _findings(
    hits: list[Hit], value: str | bytes, *, path: str | None, index: int, field: str
) -> list[Finding]:
    """One Finding per hit in `value`."""
    return [Finding(path, index, field, hit.rule, mask(value[hit.start : hit.end])) for hit in hits]


def scan_interaction(
    interaction: Interaction, index: int, *, redactor: Redactor | Scanner, path: str | None = None
) -> list[Finding]:
    """Findings in one interaction, in the order: URL, request headers and body, response headers, body."""
    found: list[Finding] = []
    request, response = interaction.request, interaction.response
    found += _findings(
        redactor.scan_url(request.url), request.url, path=path, index=index, field="request.url"
    )
    for name, value in request.headers:
        field = f"request.headers.{name.lower()}"
        found += _findings(redactor.scan_header(name, value), value, path=path, index=index, field=field)
    content_type = (request.header("content-type") or "").split(";", 1)[0].strip().lower()
    form = content_type == "application/x-www-form-urlencoded"
    body_hits = redactor.scan_body(request.body, form=form)
    found += _findings(body_hits, request.body, path=path, index=index, field="request.body")
    for name, value in response.headers:
        field = f"response.headers.{name.lower()}"
        hits = redactor.scan_header(name, value, response=True)
        found += _findings(hits, value, path=path, index=index, field=field)
    body = response.body
    ends = list(accumulate(len(chunk.data) for chunk in response.chunks))
    for hit in redactor.scan_body(body):
        chunk = bisect_right(ends, hit.start)
        excerpt = mask(body[hit.start : hit.end])
        found.append(Finding(path, index, "response.body", hit.rule, excerpt, chunk=chunk))
    if response.error is not None:
        message = response.error.message
        found += _findings(
            redactor.scan_text(message), message, path=path, index=index, field="response.error"
        )
    return found


def scan_cassette(
    cassette: Cassette,
    *,
    config: RedactionConfig | None = None,
    path: str | None = None,
    learned: Iterable[str] = (),
) -> list[Finding]:
    """Every place in `cassette` that holds a secret by the rules of `config` (default rules if None).

    `learned` secrets (see `Redactor.learn`) are looked for everywhere too.
    """
    scanner = Redactor(config).scanner(learned)  # the env secrets are read once per cassette
    found: list[Finding] = []
    for index, interaction in enumerate(cassette.interactions):
        found += scan_interaction(interaction, index, redactor=scanner, path=path)
    return found


def _cassette_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The files to audit: each file as given, and the cassette files under each directory (sorted)."""
    files: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            files += sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in CASSETTE_SUFFIXES
            )
        else:
            files.append(path)
    return files


def audit_paths(
    paths: Iterable[str | os.PathLike[str]], *, config: RedactionConfig | None = None
) -> list[Finding]:
    """Load each cassette file (directories are searched) and scan it; a file that cannot load raises."""
    from runreplay.cassette.format import load  # lazily: the file format is not needed to scan

    found: list[Finding] = []
    for file in _cassette_files(paths):
        found += scan_cassette(load(file), config=config, path=str(file))
    return found


def format_findings(findings: Iterable[Finding]) -> str:
    """One line per finding: `path: interaction N: field: rule (excerpt)`."""
    return "\n".join(str(finding) for finding in findings)
