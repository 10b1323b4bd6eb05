"""What counts as a secret: the default lists of headers, parameters and fields, the patterns, the config."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from typing import Final

from runreplay.errors import ConfigurationError, docs_link

__all__ = [
    "DEFAULT_ENV_SECRETS",
    "DEFAULT_HEADER_WORDS",
    "DEFAULT_JSON_FIELDS",
    "DEFAULT_PATTERNS",
    "DEFAULT_QUERY_PARAMETERS",
    "DEFAULT_REQUEST_HEADERS",
    "DEFAULT_RESPONSE_HEADERS",
    "MIN_ENV_SECRET_LENGTH",
    "MIN_LEARNED_LENGTH",
    "PLACEHOLDER",
    "SAFE_HEADERS",
    "RedactionConfig",
    "SecretPattern",
    "compile_pattern",
    "secret_environment",
]

PLACEHOLDER: Final = "<REDACTED>"
"""What every secret is replaced with."""

DEFAULT_REQUEST_HEADERS: Final = (
    "authorization",
    "api-key",
    "openai-organization",
    "openai-project",
    "cookie",
    "x-api-key",
    "proxy-authorization",
    "x-auth-token",
    "x-goog-api-key",
    "ocp-apim-subscription-key",
)
"""Request headers whose whole value is a secret (names are case-insensitive)."""

DEFAULT_HEADER_WORDS: Final = ("auth", "token", "secret", "key", "cookie", "session")
"""A request or response header whose name contains one of these is a secret header (but `SAFE_HEADERS`)."""

SAFE_HEADERS: Final = (
    "www-authenticate",
    "proxy-authenticate",
    "idempotency-key",
    "x-idempotency-key",
    "keep-alive",
)
"""Headers whose names contain a word of `DEFAULT_HEADER_WORDS` but hold no secret (also every
`*ratelimit*` header, such as `x-ratelimit-remaining-tokens`). Patterns still apply to them."""

DEFAULT_RESPONSE_HEADERS: Final = ("set-cookie", "openai-organization", "openai-project")
"""Response headers whose whole value is a secret."""

DEFAULT_QUERY_PARAMETERS: Final = (
    "api_key",
    "api-key",
    "apikey",
    "key",
    "access_token",
    "token",
    "client_secret",
    "password",
    "sig",
)
"""Query (and form) parameters whose value is a secret."""

DEFAULT_JSON_FIELDS: Final = (
    "api_key",
    "apiKey",
    "client_secret",
    "password",
    "access_token",
    "refresh_token",
    "id_token",
)
"""JSON keys whose string value is a secret, at any depth of a request or response body."""

DEFAULT_ENV_SECRETS: Final = ("OPENAI_API_KEY", "OPENAI_ADMIN_KEY", "AZURE_OPENAI_API_KEY")
"""Environment variables whose values are secrets wherever they appear (read at each call)."""

MIN_ENV_SECRET_LENGTH: Final = 8
"""Shorter environment values (e.g. OPENAI_API_KEY=test in CI) are ignored: they would hit ordinary text."""

MIN_LEARNED_LENGTH: Final = 8
"""Values redacted from a request are learned (scrubbed from the rest of the cassette) from this length."""

_SECRET_ENV_NAME = re.compile(r"(?i)(?:api[_-]?key|token|secret|passw(?:or)?d|credential|(?:^|_)key$)")
_SECRET_ENV_VALUE = re.compile(r"(?=[^\s]*[A-Za-z])(?=[^\s]*[0-9])[^\s/][^\s]{7,}")


def secret_environment(environ: dict[str, str] | None = None) -> set[str]:
    """Values of environment variables that look like secrets, to be learned when a request is sent.

    A name that says api key, token, secret, password, credential or ends in `_KEY`, with a value of 8
    or more characters without spaces that mixes letters and digits and is not a path.
    """
    environ = dict(os.environ) if environ is None else environ
    return {
        value.strip()
        for name, value in environ.items()
        if _SECRET_ENV_NAME.search(name) and _SECRET_ENV_VALUE.fullmatch(value.strip())
    }


_PLACEHOLDER_FORBIDDEN: Final = set('"\\;,&=#%') | {" ", "\t"}


@dataclass(frozen=True, slots=True)
class SecretPattern:
    """A named regular expression for one kind of secret (`rule` names it in audit findings)."""

    rule: str
    regex: str
    trigger: str | None = None  # a substring every match contains: values without it are skipped
    group: int = 0  # the group to replace (0: the whole match)
    headers_only: bool = False  # only in header values (bearer tokens would hit prose in bodies)


DEFAULT_PATTERNS: Final = (
    SecretPattern(
        "openai-api-key",
        r"(?<![A-Za-z0-9_-])sk-(?:[A-Za-z0-9_-]{20,}|test(?:[-_][A-Za-z0-9_-]*)?(?![A-Za-z0-9]))",
        trigger="sk-",
    ),
    SecretPattern("organization-id", r"(?<![A-Za-z0-9_-])org-[A-Za-z0-9]{16,}", trigger="org-"),
    SecretPattern("project-id", r"(?<![A-Za-z0-9_-])proj_[A-Za-z0-9]{16,}", trigger="proj_"),
    # Each pattern starts with literal text, so `re` can skip ahead to it; the check that the token
    # does not continue a longer word is a lookbehind placed after that text (a leading one would make
    # the regex try every position of a body: 10 to 40 times slower).
    SecretPattern(
        "aws-access-key-id", r"AKIA(?<![A-Za-z0-9]AKIA)[A-Z0-9]{16}(?![A-Za-z0-9])", trigger="AKIA"
    ),
    SecretPattern("github-token", r"gh(?<![A-Za-z0-9_]gh)[pousr]_[A-Za-z0-9]{36,}", trigger="gh"),
    SecretPattern(
        "github-token", r"github_pat_(?<![A-Za-z0-9_]github_pat_)[A-Za-z0-9_]{40,}", trigger="github_pat_"
    ),
    SecretPattern("slack-token", r"xox(?<![A-Za-z0-9_-]xox)[abposr]-[A-Za-z0-9-]{10,}", trigger="xox"),
    SecretPattern("stripe-key", r"sk_(?<![A-Za-z0-9_]sk_)(?:live|test)_[A-Za-z0-9]{16,}", trigger="sk_"),
    SecretPattern("stripe-key", r"rk_(?<![A-Za-z0-9_]rk_)(?:live|test)_[A-Za-z0-9]{16,}", trigger="rk_"),
    SecretPattern(
        "jwt",
        r"eyJ(?<![A-Za-z0-9_-]eyJ)[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
        trigger="eyJ",
    ),
    SecretPattern(
        "url-userinfo",
        r"://(?<=[A-Za-z0-9+.-]://)(?:[^/@\s:?#\"'<>\\]*:)?([^/@\s?#\"'<>\\]+)@",
        trigger="://",
        group=1,
    ),
    SecretPattern(
        "bearer-token",
        r"(?i)(?<![A-Za-z0-9])bearer\s+([A-Za-z0-9._~+/-]+=*)(?![A-Za-z0-9._~+/=\"-])",
        group=1,
        headers_only=True,
    ),
)
"""The built-in patterns, in priority order (the first rule that finds a secret names it)."""


def _strings(name: str, value: object) -> tuple[str, ...]:
    """A config field as a tuple of strings (lists are accepted); anything else is a ConfigurationError."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ConfigurationError(
            f"RedactionConfig.{name} must be a list or tuple of strings, not {type(value).__name__} "
            f"({value!r}). Wrap a single value in a tuple: {name}=({value!r},). "
            f"See {docs_link('redaction')}"
        )
    items = tuple(value)
    for item in items:
        if not isinstance(item, str) or not item:
            raise ConfigurationError(
                f"RedactionConfig.{name} must hold non-empty strings, but it holds {item!r}. "
                f"Remove that entry. See {docs_link('redaction')}"
            )
    return items


@dataclass(frozen=True, slots=True)
class RedactionConfig:
    """What counts as a secret and what replaces it; the defaults are on unless replaced explicitly."""

    request_headers: tuple[str, ...] = DEFAULT_REQUEST_HEADERS
    response_headers: tuple[str, ...] = DEFAULT_RESPONSE_HEADERS
    patterns: tuple[SecretPattern, ...] = DEFAULT_PATTERNS
    extra_patterns: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()
    env_secrets: tuple[str, ...] = DEFAULT_ENV_SECRETS
    query_parameters: tuple[str, ...] = DEFAULT_QUERY_PARAMETERS
    json_fields: tuple[str, ...] = DEFAULT_JSON_FIELDS
    placeholder: str = PLACEHOLDER
    header_words: tuple[str, ...] = DEFAULT_HEADER_WORDS
    safe_headers: tuple[str, ...] = SAFE_HEADERS

    def __post_init__(self) -> None:
        """Normalise lists to tuples and reject what cannot work, with a message saying how to fix it."""
        for f in fields(self):
            if f.name in ("patterns", "placeholder"):
                continue
            object.__setattr__(self, f.name, _strings(f.name, getattr(self, f.name)))
        patterns = tuple(self.patterns) if isinstance(self.patterns, Iterable) else self.patterns
        if not isinstance(patterns, tuple) or not all(isinstance(p, SecretPattern) for p in patterns):
            raise ConfigurationError(
                f"RedactionConfig.patterns must be a tuple of SecretPattern, not {self.patterns!r}. "
                f"Give plain regular expressions in extra_patterns instead. See {docs_link('redaction')}"
            )
        object.__setattr__(self, "patterns", patterns)
        for pattern in (*(p.regex for p in patterns), *self.extra_patterns):
            compile_pattern(pattern)
        placeholder = self.placeholder
        if (
            not isinstance(placeholder, str)
            or not placeholder
            or not placeholder.isascii()
            or not placeholder.isprintable()
            or _PLACEHOLDER_FORBIDDEN & set(placeholder)
        ):
            raise ConfigurationError(
                f"RedactionConfig.placeholder {placeholder!r} cannot be used: it must be non-empty "
                'printable ASCII without spaces or any of " \\ ; , & = # % (it is written into JSON '
                f"strings, cookies and query strings). The default is {PLACEHOLDER!r}. "
                f"See {docs_link('redaction')}"
            )

    def extended(
        self,
        *,
        request_headers: Iterable[str] = (),
        response_headers: Iterable[str] = (),
        extra_patterns: Iterable[str] = (),
        secrets: Iterable[str] = (),
        env_secrets: Iterable[str] = (),
        query_parameters: Iterable[str] = (),
        json_fields: Iterable[str] = (),
    ) -> RedactionConfig:
        """A copy with more of each (duplicates dropped): how user options add to the defaults."""

        def more(current: tuple[str, ...], extra: Iterable[str]) -> tuple[str, ...]:
            return tuple(dict.fromkeys((*current, *_strings("extended", tuple(extra)))))

        return replace(
            self,
            request_headers=more(self.request_headers, request_headers),
            response_headers=more(self.response_headers, response_headers),
            extra_patterns=more(self.extra_patterns, extra_patterns),
            secrets=more(self.secrets, secrets),
            env_secrets=more(self.env_secrets, env_secrets),
            query_parameters=more(self.query_parameters, query_parameters),
            json_fields=more(self.json_fields, json_fields),
        )


def compile_pattern(pattern: str) -> tuple[re.Pattern[str], re.Pattern[bytes]]:
    """A user or built-in pattern compiled for text and for bytes (binary bodies)."""
    try:
        text = re.compile(pattern)
    except re.error as exc:
        raise ConfigurationError(
            f"secret pattern {pattern!r} is not a valid regular expression: {exc}. Fix the pattern "
            f"(Python `re` syntax). See {docs_link('redaction')}"
        ) from None
    try:
        data = re.compile(pattern.encode("utf-8"))
    except re.error as exc:
        raise ConfigurationError(
            f"secret pattern {pattern!r} cannot be applied to binary bodies: {exc}. Write non-ASCII "
            f"characters literally instead of as \\u or \\N escapes. See {docs_link('redaction')}"
        ) from None
    return text, data
