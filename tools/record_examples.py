"""Re-record the example suite's cassettes (cassettes/examples/) against the embedded server.

Run through `python3 dev.py record-examples [pytest args]`: it starts `FakeAssistantsServer` on the
port the example cassettes name, then runs the example suite with `--record-mode=rewrite`, so the old
recordings are replaced by what this run records. Tests marked `replay_only` are left out.
"""

from __future__ import annotations

import subprocess
import sys

from runreplay.fakeserver import FakeAssistantsServer

PORT = 8765
"""The port the example cassettes were recorded from (their URLs name it)."""


def main(argv: list[str]) -> int:
    """Serve on PORT while pytest records the examples; pytest's exit status."""
    with FakeAssistantsServer(seed=0, port=PORT):
        command = [sys.executable, "-m", "pytest", "examples", "-p", "no:cacheprovider"]
        command += ["--record-mode=rewrite", "-m", "not replay_only", *argv]
        return subprocess.call(command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
