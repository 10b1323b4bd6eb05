"""Prints, as JSON, what the factories build in a fresh interpreter, for the tests that compare it with their own.

python fresh_factories.py bodies 0 1 42      thread-and-run bodies for these seeds
python fresh_factories.py responses 99       a Responses body for this seed
python fresh_factories.py catalogs           the SHA-256 of both thread-and-run catalogs
python fresh_factories.py imports-faker      whether building bodies and catalogs imports Faker
"""

from __future__ import annotations

import hashlib
import json
import sys


def main(command: str, *args: str) -> object:
    """The JSON-able answer to one command."""
    if command == "bodies":
        from runreplay.factories import build_request

        return [build_request(seed=int(s)).model_dump(mode="json", exclude_unset=True) for s in args]
    if command == "responses":
        from runreplay.factories.responses import build_request as build_response_request

        return build_response_request(seed=int(args[0])).model_dump(mode="json", exclude_unset=True)
    if command == "catalogs":
        from runreplay.factories import edge_cases, invalid_cases

        listed = [[c.id, c.body, c.rule, c.path] for c in edge_cases() + invalid_cases()]
        return hashlib.sha256(json.dumps(listed).encode()).hexdigest()
    if command == "imports-faker":
        from runreplay.factories import build_request, edge_cases, invalid_cases

        build_request(seed=1, streaming=True, function_tool=True)
        edge_cases()
        invalid_cases()
        return "faker" in sys.modules
    raise SystemExit(f"unknown command {command!r}; expected bodies, responses, catalogs or imports-faker")


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:])))
