"""Redaction: secrets are replaced by a placeholder before a request is matched or anything is written.

A `Redactor` compiles a `RedactionConfig` once; its `scanner()` reads the env secrets and is the one
object that finds secrets (`Scanner.scan_*`, returning `Hit`s) and rewrites them
(`Scanner.request/response/interaction/cassette`). The same hits drive the audit
(`runreplay.cassette._audit`), so what the audit flags is exactly what redaction would change.

What is found, by default (see `RedactionConfig` to extend or narrow it):

- everywhere (URL, every header value, bodies, stream error messages): OpenAI API keys (`sk-` then 20
  or more of ``[A-Za-z0-9_-]``, which covers `sk-proj-…`, `sk-svcacct-…`, `sk-admin-…`, plus the test
  key shapes `sk-test` and `sk-test-…`; ordinary words such as `sk-learn` are left alone),
  organization ids (`org-` + 16 or more letters/digits), project ids (`proj_` + 16 or more), the
  values of the environment variables in `env_secrets` (8 characters or longer, read at each call),
  user literals and user patterns;
- in every header value: bearer tokens (`Bearer <token>` keeps the scheme);
- whole values of the listed request and response headers (`Authorization: Basic <REDACTED>` keeps
  the scheme; `Cookie`/`Set-Cookie` keep cookie names and attributes, only values are replaced);
- in the URL: the values of the listed query parameters and the password of `user:password@`;
- in bodies: string values of the listed JSON keys (at any depth, also inside SSE `data:` lines),
  and the listed parameters of `application/x-www-form-urlencoded` request bodies.

Everything else is kept byte for byte. Redacting twice changes nothing more (an existing placeholder
is never rewritten). A response body is redacted as a whole, so a secret split across chunks is
found; every chunk boundary keeps its place, and a boundary that fell inside a secret moves to the
end of its placeholder (so chunk count, offsets and `StreamError.after_chunk` stay valid).
"""

from __future__ import annotations

import functools
import os
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import AnyStr, Final, Generic

from runreplay.cassette import model
from runreplay.cassette._redact_config import (
    DEFAULT_ENV_SECRETS,
    MIN_ENV_SECRET_LENGTH,
    MIN_LEARNED_LENGTH,
    PLACEHOLDER,
    RedactionConfig,
    compile_pattern,
    secret_environment,
)
from runreplay.cassette.model import Cassette, Interaction, RecordedRequest, RecordedResponse

__all__ = [
    "DEFAULT_ENV_SECRETS",
    "PLACEHOLDER",
    "Hit",
    "RedactionConfig",
    "Redactor",
    "Scanner",
    "secret_environment",
]

_REPLACEMENT_SCHEMES: Final = r"bearer|basic|token|digest|negotiate|ntlm|bot|aws4-hmac-sha256"


@functools.lru_cache(maxsize=256)
def _literal(value: str) -> tuple[re.Pattern[str], re.Pattern[bytes]]:
    """A literal secret compiled for text and bytes (cached: env values are re-read at each call)."""
    escaped = re.escape(value)
    return re.compile(escaped), re.compile(escaped.encode("utf-8"))


@dataclass(frozen=True, slots=True)
class Hit:
    """A secret found in a value: `value[start:end]`, named by `rule`. Body offsets are in bytes."""

    start: int
    end: int
    rule: str


@dataclass(frozen=True, slots=True)
class _Rule:
    """A compiled rule: text and bytes forms, the group to replace, a pre-check, and its priority."""

    rule: str
    text: re.Pattern[str]
    data: re.Pattern[bytes]
    group: int
    trigger: str | None
    priority: int

    def find_text(self, value: str, out: list[_Candidate]) -> None:
        """Append a candidate for each match in `value` (skipped at once when the trigger is absent)."""
        if self.trigger is not None and self.trigger not in value:
            return
        for match in self.text.finditer(value):
            start, end = match.span(self.group)
            if end > start:
                out.append(_Candidate(start, end, self.priority, self.rule))

    def find_data(self, value: bytes, out: list[_Candidate]) -> None:
        """`find_text` for a body that is not UTF-8."""
        if self.trigger is not None and self.trigger.encode("utf-8") not in value:
            return
        for match in self.data.finditer(value):
            start, end = match.span(self.group)
            if end > start:
                out.append(_Candidate(start, end, self.priority, self.rule))


@dataclass(slots=True)
class _Candidate:
    """A span some rule would replace, before merging."""

    start: int
    end: int
    priority: int
    rule: str


class _Finisher(Generic[AnyStr]):
    """Merges candidates and applies the placeholder rules for one value type."""

    def __init__(self, placeholder: AnyStr) -> None:
        self.placeholder: AnyStr = placeholder

    def hits(self, candidates: list[_Candidate], value: AnyStr) -> list[Hit]:
        """Merge overlapping candidates (the highest-priority rule names the region), then drop no-ops."""
        # A candidate inside an existing placeholder is dropped and one that overlaps a placeholder is
        # widened to cover it, so redacting again never rewrites a placeholder.
        if not candidates:
            return []
        placeholder = self.placeholder
        guards: list[tuple[int, int]] = []
        if placeholder in value:
            start = value.find(placeholder)
            while start >= 0:
                guards.append((start, start + len(placeholder)))
                start = value.find(placeholder, start + len(placeholder))
        guard_starts = [start for start, _ in guards]
        for candidate in candidates if guards else ():
            index = max(bisect_right(guard_starts, candidate.start) - 1, 0)
            while index < len(guards) and guards[index][0] < candidate.end:
                g_start, g_end = guards[index]
                index += 1
                if g_end <= candidate.start:
                    continue
                if g_start <= candidate.start and candidate.end <= g_end:
                    candidate.end = candidate.start  # inside a placeholder: nothing to do
                    break
                candidate.start = min(candidate.start, g_start)
                candidate.end = max(candidate.end, g_end)
        merged: list[_Candidate] = []
        for candidate in sorted(candidates, key=lambda c: (c.start, c.end)):
            if candidate.end <= candidate.start:
                continue
            if merged and candidate.start < merged[-1].end:
                last = merged[-1]
                last.end = max(last.end, candidate.end)
                if candidate.priority < last.priority:
                    last.priority, last.rule = candidate.priority, candidate.rule
            else:
                merged.append(_Candidate(candidate.start, candidate.end, candidate.priority, candidate.rule))
        return [Hit(c.start, c.end, c.rule) for c in merged if value[c.start : c.end] != placeholder]

    def apply(self, value: AnyStr, hits: Sequence[Hit]) -> AnyStr:
        """`value` with every hit replaced by the placeholder."""
        if not hits:
            return value
        pieces: list[AnyStr] = []
        position = 0
        for hit in hits:
            pieces.append(value[position : hit.start])
            pieces.append(self.placeholder)
            position = hit.end
        pieces.append(value[position:])
        return value[:0].join(pieces)


def _char_to_byte_hits(text: str, hits: list[Hit]) -> list[Hit]:
    """Hits on the decoded text of a UTF-8 body, moved to byte offsets."""
    if text.isascii():
        return hits
    offsets: dict[int, int] = {}
    char_pos = byte_pos = 0
    for point in sorted({p for hit in hits for p in (hit.start, hit.end)}):
        byte_pos += len(text[char_pos:point].encode("utf-8"))
        char_pos = point
        offsets[point] = byte_pos
    return [Hit(offsets[h.start], offsets[h.end], h.rule) for h in hits]


def _move(positions: Sequence[int], hits: Sequence[Hit], size: int) -> list[int]:
    """Where sorted old offsets land once `hits` become `size`-long placeholders (inside one: its end)."""
    moved: list[int] = []
    index = growth = 0
    for position in positions:
        while index < len(hits) and hits[index].end <= position:
            growth += size - (hits[index].end - hits[index].start)
            index += 1
        if index < len(hits) and hits[index].start < position:
            moved.append(hits[index].start + growth + size)
        else:
            moved.append(position + growth)
    return moved


def _collect(found: set[str] | None, value: str | bytes, hits: Sequence[Hit]) -> None:
    """Add what each hit covers in `value` (and its percent-decoded form) to `found`, when given."""
    if found is None:
        return
    from urllib.parse import unquote

    for hit in hits:
        piece = value[hit.start : hit.end]
        if isinstance(piece, bytes):
            try:
                piece = piece.decode("utf-8")
            except UnicodeDecodeError:
                continue
        piece = piece.strip()
        found.add(piece)
        decoded = unquote(piece)
        if decoded != piece:
            found.add(decoded)


_URL_HEADERS: Final = frozenset({"location", "content-location", "refresh", "link"})
"""Headers whose values hold URLs: their listed query parameters are redacted as in the request URL."""

_MAX_ROUNDS: Final = 8
"""Redaction repeats until nothing is found (a replacement can expose a neighbour), at most this often."""


class Redactor:
    """Finds and replaces secrets in requests, responses, interactions and cassettes (pure, deterministic)."""

    def __init__(self, config: RedactionConfig | None = None) -> None:
        self.config = config = RedactionConfig() if config is None else config
        self._text = _Finisher(config.placeholder)
        self._data = _Finisher(config.placeholder.encode("ascii"))
        self._encoded_placeholder = re.sub(r"[<>]", lambda m: f"%{ord(m.group()):02X}", config.placeholder)
        priority = 1_000  # literal secrets (env, user) come first: they name the leak most exactly
        anywhere: list[_Rule] = []
        headers_only: list[_Rule] = []
        for pattern in config.patterns:
            text, data = compile_pattern(pattern.regex)
            rule = _Rule(pattern.rule, text, data, pattern.group, pattern.trigger, priority)
            (headers_only if pattern.headers_only else anywhere).append(rule)
            priority += 1
        for source in config.extra_patterns:
            text, data = compile_pattern(source)
            anywhere.append(_Rule(f"user-pattern:{source}", text, data, 0, None, priority))
            priority += 1
        self._anywhere = tuple(anywhere)
        self._headers_only = tuple(headers_only)
        self._request_headers = frozenset(name.lower() for name in config.request_headers)
        self._response_headers = frozenset(name.lower() for name in config.response_headers)
        self._safe_headers = frozenset(name.lower() for name in config.safe_headers)
        self._header_word = (
            re.compile("|".join(re.escape(word.lower()) for word in config.header_words))
            if config.header_words
            else None
        )
        structural = priority + 1
        self._header_value = re.compile(rf"^\s*(?:(?i:{_REPLACEMENT_SCHEMES})\s+)?(\S(?:.*\S)?)\s*$", re.S)
        self._cookie = re.compile(r"(?:^|;)\s*[^=;\s]+=\s*([^;]*?)\s*(?=;|$)")
        self._set_cookie = re.compile(r"(?:^|,)\s*[^=;,\s]+=\s*([^;,]*?)\s*(?=[;,]|$)")
        self._query: _Rule | None = None
        if config.query_parameters:
            names = "|".join(re.escape(name) for name in config.query_parameters)
            source = rf"(?<![^?&])(?i:{names})=([^&#]*)"
            self._query = _Rule(
                "query-parameter", re.compile(source), re.compile(source.encode()), 1, "=", structural + 2
            )
        self._url_password = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/@:?#]*:([^/@?#]*)@")
        self._json: tuple[_Rule, ...] = tuple(
            _Rule(
                "json-field",
                re.compile(rf'(?<=[{{,\s])"{re.escape(key)}"\s*:\s*"((?:[^"\\]|\\.)*)"'),
                re.compile(rf'(?<=[{{,\s])"{re.escape(key)}"\s*:\s*"((?:[^"\\]|\\.)*)"'.encode()),
                1,
                f'"{key}"',
                structural + 3,
            )
            for key in config.json_fields
        )
        self._structural = structural

    def __repr__(self) -> str:
        """Show the configuration."""
        return f"Redactor({self.config!r})"

    # -- finding and rewriting single values (each call reads the env secrets afresh) -------------------

    def is_secret_header(self, name: str, *, response: bool = False) -> bool:
        """Whether the whole value of header `name` is a secret: listed, or named like one and not safe."""
        lowered = name.lower()
        if lowered in (self._response_headers if response else self._request_headers):
            return True
        return (
            self._header_word is not None
            and self._header_word.search(lowered) is not None
            and lowered not in self._safe_headers
            and "ratelimit" not in lowered
        )

    def learn(self, request: RecordedRequest) -> tuple[RecordedRequest, frozenset[str]]:
        """`request` redacted, and the secrets to scrub from the rest of its cassette.

        Those are every value redacted from the request (and its percent-decoded form) and the values
        of the env secrets and of the secret-looking environment variables (`secret_environment`) as
        they are now, when the request is sent: a test's `monkeypatch.setenv` is undone before a
        stream left open is finished at teardown. Values shorter than `MIN_LEARNED_LENGTH` are skipped.
        """
        scanner = self.scanner()
        found: set[str] = set()
        redacted = scanner.request(request, found=found)
        for rule in scanner.literal_values():
            found.add(rule)
        found.update(secret_environment())
        placeholder = self.config.placeholder
        return redacted, frozenset(
            value for value in found if len(value) >= MIN_LEARNED_LENGTH and placeholder not in value
        )

    def scanner(self, learned: Iterable[str] = ()) -> Scanner:
        """The rules with the env secrets read now: use one for many values (a request, a cassette).

        `learned` are literal secrets learned from requests (see `learn`), scrubbed like env secrets.
        """
        literals: list[_Rule] = []
        for number, value in enumerate(self.config.secrets, 1):
            text, data = _literal(value)
            literals.append(_Rule(f"user-secret:{number}", text, data, 0, value, number))
        for number, name in enumerate(self.config.env_secrets, 1):
            value = os.environ.get(name, "").strip()
            if len(value) >= MIN_ENV_SECRET_LENGTH:
                text, data = _literal(value)
                literals.append(_Rule(f"env:{name}", text, data, 0, value, 500 + number))
        placeholder = self.config.placeholder
        for value in sorted(set(learned), key=lambda v: (-len(v), v)):
            if len(value) >= MIN_LEARNED_LENGTH and placeholder not in value:
                text, data = _literal(value)
                literals.append(_Rule("learned-secret", text, data, 0, value, 900))
        return Scanner(self, tuple(literals))

    def scrub_learned(self, interaction: Interaction, learned: Iterable[str]) -> Interaction:
        """`interaction` with `learned` secrets scrubbed from its response and its request headers.

        The request's URL and body are left to the rules: they are matched on replay, before anything
        is learned, so a learned value found there is for the audit to refuse, not for this to rewrite.
        """
        scanner = self.scanner(learned)
        request = interaction.request
        return Interaction(
            request=RecordedRequest(
                request.method, request.url, scanner._headers(request.headers, response=False), request.body
            ),
            response=scanner.response(interaction.response),
            recorded_at=interaction.recorded_at,
        )


class Scanner:
    """A Redactor's rules with the env secrets read once (`Redactor.scanner`): finds and replaces secrets.

    Each method leaves its input unchanged; the rewrites repeat until nothing more is found.
    """

    def __init__(self, redactor: Redactor, literals: tuple[_Rule, ...]) -> None:
        self._r = redactor
        self._literals = literals
        self._for_text = (*literals, *redactor._anywhere)
        self._for_headers = (*self._for_text, *redactor._headers_only)
        self._for_body = (*self._for_text, *redactor._json)
        self._for_form = (*self._for_body, *(() if redactor._query is None else (redactor._query,)))

    def literal_values(self) -> list[str]:
        """The literal secrets these rules look for (user secrets, env values read at creation, learned)."""
        return [rule.trigger for rule in self._literals if rule.trigger is not None]

    @staticmethod
    def _run(value: str | bytes, rules: Iterable[_Rule]) -> list[_Candidate]:
        """The candidates `rules` find in `value`."""
        out: list[_Candidate] = []
        if isinstance(value, str):
            for rule in rules:
                rule.find_text(value, out)
        else:
            for rule in rules:
                rule.find_data(value, out)
        return out

    def scan_text(self, text: str) -> list[Hit]:
        """Secrets in free text (patterns and literals; not the header-only bearer rule)."""
        return self._r._text.hits(self._run(text, self._for_text), text)

    def scan_url(self, url: str) -> list[Hit]:
        """Secrets in a URL: patterns, literals, listed query parameters, and a `user:password@`."""
        r = self._r
        out = self._run(url, self._for_text)
        query_start = url.find("?")
        if r._query is not None and query_start >= 0:
            for match in r._query.text.finditer(url, query_start):
                start, end = match.span(1)
                if end > start and url[start:end] != r._encoded_placeholder:
                    out.append(_Candidate(start, end, r._query.priority, r._query.rule))
        password = r._url_password.match(url)
        if password is not None and password.end(1) > password.start(1):
            out.append(_Candidate(*password.span(1), r._structural + 1, "url-password"))
        return r._text.hits(out, url)

    def scan_header(self, name: str, value: str, *, response: bool = False) -> list[Hit]:
        """Secrets in one header value: patterns, literals, bearer tokens, and the listed headers' values."""
        r = self._r
        out = self._run(value, self._for_headers)
        lowered = name.lower()
        if lowered in _URL_HEADERS and r._query is not None and "?" in value:  # a redirect's URL
            for match in r._query.text.finditer(value, value.find("?")):
                start, end = match.span(1)
                if end > start and value[start:end] != r._encoded_placeholder:
                    out.append(_Candidate(start, end, r._query.priority, r._query.rule))
        if r.is_secret_header(lowered, response=response):
            if lowered in ("cookie", "set-cookie"):
                pattern = r._set_cookie if lowered == "set-cookie" else r._cookie
                for match in pattern.finditer(value):
                    if match.end(1) > match.start(1):
                        out.append(_Candidate(*match.span(1), r._structural, "cookie"))
            else:
                whole = r._header_value.match(value)
                if whole is not None:
                    out.append(_Candidate(*whole.span(1), r._structural, "secret-header"))
        return r._text.hits(out, value)

    def scan_body(self, body: bytes, *, form: bool = False) -> list[Hit]:
        """Secrets in a body, as byte offsets: patterns, literals, JSON fields, and form parameters."""
        if not body:
            return []
        rules = self._for_form if form else self._for_body
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return self._r._data.hits(self._run(body, rules), body)
        return _char_to_byte_hits(text, self._r._text.hits(self._run(text, rules), text))

    def redact_text(self, text: str) -> str:
        """`text` with the secrets `scan_text` finds replaced."""
        for _ in range(_MAX_ROUNDS):
            hits = self.scan_text(text)
            if not hits:
                break
            text = self._r._text.apply(text, hits)
        return text

    def redact_url(self, url: str, *, found: set[str] | None = None) -> str:
        """`url` with the secrets `scan_url` finds replaced (each added to `found` when given)."""
        for _ in range(_MAX_ROUNDS):
            hits = self.scan_url(url)
            if not hits:
                break
            _collect(found, url, hits)
            url = self._r._text.apply(url, hits)
        return url

    def redact_header(
        self, name: str, value: str, *, response: bool = False, found: set[str] | None = None
    ) -> str:
        """A header value with the secrets `scan_header` finds replaced (each added to `found` when given)."""
        for _ in range(_MAX_ROUNDS):
            hits = self.scan_header(name, value, response=response)
            if not hits:
                break
            _collect(found, value, hits)
            value = self._r._text.apply(value, hits)
        return value

    def redact_body(self, body: bytes, *, form: bool = False, found: set[str] | None = None) -> bytes:
        """A body with the secrets `scan_body` finds replaced (each added to `found` when given)."""
        return self.redact_chunked(body, [len(body)], form=form, found=found)[0]

    def redact_chunked(
        self, body: bytes, ends: list[int], *, form: bool = False, found: set[str] | None = None
    ) -> tuple[bytes, list[int]]:
        """Redact `body`, carrying chunk ends along (a boundary inside a secret moves to its end)."""
        size = len(self._r.config.placeholder)
        for _ in range(_MAX_ROUNDS):
            hits = self.scan_body(body, form=form)
            if not hits:
                break
            _collect(found, body, hits)
            ends = _move(ends, hits, size)
            body = self._r._data.apply(body, hits)
        return body, ends

    def _headers(
        self, headers: list[tuple[str, str]], *, response: bool, found: set[str] | None = None
    ) -> list[tuple[str, str]]:
        """Every header value redacted; names and order kept."""
        return [
            (name, self.redact_header(name, value, response=response, found=found)) for name, value in headers
        ]

    @staticmethod
    def _fix_length(headers: list[tuple[str, str]], old: int, new: int) -> list[tuple[str, str]]:
        """Update a Content-Length that described the body before redaction changed its size."""
        if old == new:
            return headers
        return [
            (name, str(new) if name.lower() == "content-length" and value.strip() == str(old) else value)
            for name, value in headers
        ]

    def request(self, request: RecordedRequest, *, found: set[str] | None = None) -> RecordedRequest:
        """A redacted copy of `request`; each removed value is added to `found` when given (see `learn`)."""
        content_type = (request.header("content-type") or "").split(";", 1)[0].strip().lower()
        form = content_type == "application/x-www-form-urlencoded"
        body = self.redact_body(request.body, form=form, found=found)
        headers = self._headers(request.headers, response=False, found=found)
        return RecordedRequest(
            method=request.method,
            url=self.redact_url(request.url, found=found),
            headers=self._fix_length(headers, len(request.body), len(body)),
            body=body,
        )

    def response(self, response: RecordedResponse) -> RecordedResponse:
        """A redacted copy of `response`; chunk boundaries and offsets are kept (see the module doc)."""
        body = response.body
        new_body, ends = self.redact_chunked(body, list(accumulate(len(c.data) for c in response.chunks)))
        chunks: list[model.Chunk] = []
        start = 0
        for chunk, end in zip(response.chunks, ends, strict=True):
            chunks.append(model.Chunk(new_body[start:end], chunk.offset_ms))
            start = end
        error = response.error
        if error is not None:
            error = model.StreamError(error.type, self.redact_text(error.message), error.after_chunk)
        headers = self._headers(response.headers, response=True)
        return RecordedResponse(
            status=response.status,
            reason=response.reason,
            http_version=response.http_version,
            headers=self._fix_length(headers, len(body), len(new_body)),
            chunks=chunks,
            headers_ms=response.headers_ms,
            complete=response.complete,
            error=error,
        )

    def interaction(self, interaction: Interaction) -> Interaction:
        """A redacted copy of one interaction."""
        return Interaction(
            request=self.request(interaction.request),
            response=self.response(interaction.response),
            recorded_at=interaction.recorded_at,
        )

    def cassette(self, cassette: Cassette) -> Cassette:
        """A redacted copy of a whole cassette (metadata is copied as is)."""
        return Cassette(
            interactions=[self.interaction(i) for i in cassette.interactions], meta=dict(cassette.meta)
        )
