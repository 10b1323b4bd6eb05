"""Where the command line writes: stdout and stderr, colour when wanted, progress on a terminal."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TextIO

__all__ = ["COLOR_CHOICES", "Console", "Style", "wants_color"]

COLOR_CHOICES = ("auto", "always", "never")

_CODES = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "blue": "34", "cyan": "36"}


def wants_color(choice: str, stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Whether to colour: `always`/`never` as said; `auto` only on a terminal with NO_COLOR unset or empty."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    env = os.environ if environ is None else environ
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not env.get("NO_COLOR")


@dataclass(frozen=True, slots=True)
class Style:
    """ANSI styling that turns into plain text when colour is off, so callers never branch on it."""

    enabled: bool = False

    def __call__(self, text: str, *names: str) -> str:
        """`text` wrapped in the SGR codes of `names` (bold, dim, red, green, yellow, blue, cyan)."""
        if not self.enabled or not names or not text:
            return text
        codes = ";".join(_CODES[name] for name in names)
        return f"\x1b[{codes}m{text}\x1b[0m"

    def status(self, status: int, text: str) -> str:
        """An HTTP status coloured by class: 2xx green, 3xx cyan, 4xx yellow, 5xx red."""
        colour = {2: "green", 3: "cyan", 4: "yellow", 5: "red"}.get(status // 100)
        return self(text, colour) if colour else text


@dataclass(slots=True)
class Console:
    """The two output streams of a command plus its style; progress goes to stderr on a terminal only."""

    out: TextIO
    err: TextIO
    style: Style = field(default_factory=Style)
    _progress_shown: bool = False

    @property
    def unicode(self) -> bool:
        """Whether stdout takes block characters (a UTF-8 encoding); else bars are drawn with `#`."""
        encoding = (getattr(self.out, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        return encoding in ("utf8", "utf8sig")

    def print(self, text: str = "") -> None:
        """One line (or several) on stdout."""
        self.clear_progress()
        self.out.write(text + "\n")

    def warn(self, text: str) -> None:
        """One line on stderr."""
        self.clear_progress()
        self.err.write(text + "\n")

    def progress(self, done: int, total: int, label: str) -> None:
        """A `[done/total] label` counter rewritten in place on stderr, when stderr is a terminal."""
        isatty = getattr(self.err, "isatty", None)
        if total < 2 or not (isatty and isatty()):
            return
        line = f"[{done}/{total}] {label}"
        self.err.write("\r\x1b[2K" + line[:200])
        self.err.flush()
        self._progress_shown = True

    def clear_progress(self) -> None:
        """Erase the progress line, if one is shown, before other output."""
        if self._progress_shown:
            self.err.write("\r\x1b[2K")
            self.err.flush()
            self._progress_shown = False
