"""Body text as YAML literal blocks wherever YAML can hold it, and a comment saying why where it cannot.

YAML emitters only write a literal block (``|``) when every character is "printable" to them and no line
ends in a space. LibYAML counts every character outside the Basic Multilingual Plane (emoji, many CJK
ideographs) as unprintable, and both emitters refuse tabs and trailing spaces, so such a body became one
escaped double-quoted line (``"b \\U0001F642"``). Yet a literal block holds all of these verbatim.

So for such a string the dumper writes a placeholder line (an ASCII token with the index of the text,
kept per thread until the dump ends) as a literal block, and `finish` splices the real lines in after
dumping, with the block header YAML needs (``|``, ``|-`` or ``|+`` for the trailing line ends, plus an
indentation indicator when the text starts with a space, a tab or a line break). Text that no literal
block can hold (CR line ends, control characters, Unicode line separators, a byte-order mark) stays
double-quoted, and a ``#`` comment above it says why; so does a body kept as base64.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from typing import Any

from yaml.nodes import Node

__all__ = ["BodyText", "Commented", "finish", "register", "represent_block", "why_not_literal"]

_STR = "tag:yaml.org,2002:str"
_TOKEN = f"runreplay-{secrets.token_hex(6)}-"
"""The start of every placeholder of this process (random, so no recorded text can look like one)."""

# What a literal block holds verbatim: line feeds, tabs, printable ASCII and the printable rest of
# Unicode (the C1 controls, NEL, the line/paragraph separators, the BOM and U+FFFE/U+FFFF excepted).
_NOT_BLOCK = re.compile(
    "[^\n\t\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
# What makes the emitters refuse a literal block although one holds it: characters beyond the BMP and
# tabs (LibYAML), and spaces at the end of a line.
_REFUSED = re.compile("[\t\U00010000-\U0010ffff]| \n| $")
# The placeholders, found in one pass: a literal block; a block in flow context (a header pair),
# which the emitter quotes instead; a key with a comment.
_PLACEHOLDER = re.compile(
    rf"\|-\n(?P<indent> *){_TOKEN}b(?P<block>[0-9]+)"
    rf'|"{_TOKEN}b(?P<quoted>[0-9]+)"'
    rf"|^(?P<lead> *){_TOKEN}c(?P<reason>[0-9]+)-(?P<key>[a-z0-9_]+):",
    re.MULTILINE,
)
_REASONS: dict[str, int] = {}
"""Each comment ever written, numbered (short keys stay simple keys; there are few distinct reasons)."""
_REASON_TEXTS: list[str] = []
_PENDING = threading.local()
"""Per thread, the texts of the blocks of the dump under way (placeholders carry their index)."""


class BodyText(str):
    """The text of a body: a literal block even on one line when it holds what the emitter would escape."""

    __slots__ = ()


class Commented(str):
    """A mapping key written with a ``# reason`` comment line above it (`reason` is one line)."""

    reason: str

    def __new__(cls, key: str, reason: str) -> Commented:
        """`key` as it is written, remembering the `reason` for the comment."""
        value = super().__new__(cls, key)
        value.reason = reason
        return value


def _pending() -> list[str]:
    texts: list[str] | None = getattr(_PENDING, "texts", None)
    if texts is None:
        texts = _PENDING.texts = []
    return texts


def why_not_literal(text: str) -> str | None:
    """Why `text` cannot be a YAML literal block (None when it can), in words for a comment."""
    found = _NOT_BLOCK.search(text)
    if found is None:
        return None
    char = found.group()
    if char == "\r":
        return "it has CR line ends (\\r), which a YAML literal block would read back as LF"
    if char in "\x85\u2028\u2029":
        return f"it has U+{ord(char):04X}, a Unicode line break that YAML reads as a line end"
    if char < " " or "\x7f" <= char <= "\x9f":
        return f"it has the control character U+{ord(char):04X}, which YAML can only write escaped"
    return f"it has U+{ord(char):04X}, which YAML can only write escaped"


def represent_block(dumper: Any, data: str) -> Node | None:
    """A placeholder block for `data` when the emitter would quote text a block can hold, else None."""
    if not data or _REFUSED.search(data) is None or _NOT_BLOCK.search(data) is not None:
        return None
    if "\n" not in data and not isinstance(data, BodyText):
        return None
    texts = _pending()
    texts.append(str(data))
    node: Node = dumper.represent_scalar(_STR, f"{_TOKEN}b{len(texts) - 1}", style="|")
    return node


def _represent_body(dumper: Any, data: BodyText) -> Node:
    node = represent_block(dumper, data)
    if node is None:
        node = dumper.represent_data(str(data))
    return node


def _represent_commented(dumper: Any, data: Commented) -> Node:
    number = _REASONS.get(data.reason)
    if number is None:
        number = _REASONS[data.reason] = len(_REASON_TEXTS)
        _REASON_TEXTS.append(data.reason)
    node: Node = dumper.represent_scalar(_STR, f"{_TOKEN}c{number}-{data}", style="")
    return node


def register(dumper: Any) -> None:
    """Teach the dumper class `dumper` to write `BodyText` values and `Commented` keys."""
    dumper.add_representer(BodyText, _represent_body)
    dumper.add_representer(Commented, _represent_commented)


def _block(indent: str, text: str) -> str:
    """`text` as a literal block (header and lines) whose lines are indented by `indent`."""
    header = "|2" if text[0] in " \n\t" else "|"
    if not text.endswith("\n"):
        header += "-"
    elif text == "\n" or text.endswith("\n\n"):
        header += "+"
    core = text[:-1] if text.endswith("\n") else text
    return header + "\n" + "\n".join(indent + line if line else "" for line in core.split("\n"))


def finish(text: str) -> str:
    """The dumped YAML `text` with every placeholder replaced by its literal block or comment."""
    texts = _pending()
    _PENDING.texts = []  # the next dump starts afresh (also after a dump that raised)
    if _TOKEN not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        if match["block"] is not None:
            return _block(match["indent"], texts[int(match["block"])])
        if match["quoted"] is not None:
            # Only line feeds, tabs and printables: escaped alike by JSON and YAML double quotes.
            return json.dumps(texts[int(match["quoted"])], ensure_ascii=False)
        lead = match["lead"]
        return f"{lead}# {_REASON_TEXTS[int(match['reason'])]}\n{lead}{match['key']}:"

    return _PLACEHOLDER.sub(replace, text)
