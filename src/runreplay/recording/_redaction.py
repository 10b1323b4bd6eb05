"""From cassette options to the redaction engine: user options only ever add to the defaults."""

from __future__ import annotations

from functools import lru_cache

from runreplay.cassette._redact import RedactionConfig, Redactor
from runreplay.recording._config import CassetteConfig

__all__ = ["redaction_config_for", "redactor_for"]


def redaction_config_for(config: CassetteConfig) -> RedactionConfig:
    """The defaults, extended by `filter_headers`, `secret_patterns`, `env_secrets` and friends."""
    return _extended(
        config.filter_headers,
        config.filter_response_headers,
        config.secret_patterns,
        config.env_secrets,
        config.filter_query_parameters,
        config.filter_json_fields,
    )


@lru_cache(maxsize=64)
def _extended(
    request_headers: tuple[str, ...],
    response_headers: tuple[str, ...],
    patterns: tuple[str, ...],
    env_secrets: tuple[str, ...],
    query_parameters: tuple[str, ...],
    json_fields: tuple[str, ...],
) -> RedactionConfig:
    """Cached: every test of a suite usually shares one redaction configuration."""
    return RedactionConfig().extended(
        request_headers=request_headers,
        response_headers=response_headers,
        extra_patterns=patterns,
        env_secrets=env_secrets,
        query_parameters=query_parameters,
        json_fields=json_fields,
    )


@lru_cache(maxsize=64)
def _redactor(config: RedactionConfig) -> Redactor:
    """One compiled redactor per distinct configuration."""
    return Redactor(config)


def redactor_for(config: CassetteConfig) -> Redactor:
    """The (shared, stateless) redactor for a cassette's options."""
    return _redactor(redaction_config_for(config))
