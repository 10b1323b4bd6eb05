"""YAML a cassette may use: no anchors, aliases or tags, refused before anything is built from them.

runreplay's writer never emits anchors, aliases or explicit tags, so a file that holds one was made
by hand or by an attacker: ten nested anchors can make a 2.7 KB file expand to gigabytes when a
command walks it, and an aliased 2 MB body can be decoded thousands of times. `check_plain` refuses
them with a `CassetteFormatError` naming the file and line, in constant memory: a cheap scan of the
bytes for the characters that start them (``&``, ``*``, ``!``) where a YAML node may start, and only
when one is found there, a streaming pass over LibYAML's parse events (no node tree is built).
"""

from __future__ import annotations

from typing import Any

import yaml

from runreplay.errors import CassetteFormatError

__all__ = ["MAX_FOREIGN_ALIASES", "MAX_MILLISECONDS", "check_aliases", "check_plain", "compose_plain"]

MAX_FOREIGN_ALIASES = 100
"""How many aliases a vcrpy cassette may use (PyYAML's dumper can write a few; a bomb needs thousands)."""

MAX_MILLISECONDS = 86_400_000.0
"""The largest time a cassette may give (one day, in milliseconds): larger ones overflow `time.sleep`."""

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_STARTERS = (b"&", b"*", b"!")
"""The characters that begin an anchor, an alias or a tag."""


def _node_may_start_before(data: bytes, at: int) -> bool:
    """Whether a YAML node may start at `at`: at the start of a line (after indentation and any "- ",
    "? " or "--- "), after ": ", or inside a flow collection after "[", "{" or ",".

    It may also be ordinary text inside a block scalar or a quoted string (a markdown list line
    "- *x*"): then the event pass decides. It looks back only over the blanks and markers before `at`.
    """
    j = at
    while True:
        blanks = j
        while j and data[j - 1] in b" \t":
            j -= 1
        blanks -= j
        if j == 0 or data[j - 1] in b"\n\r":  # the start of a line
            return True
        before = data[j - 1]
        if before in b"[{," or (before == 0x3A and blanks):  # ":" then a blank
            return True
        if not blanks or before not in b"-?":
            return False
        j -= 3 if data[j - 3 : j] == b"---" else 1  # a "- ", "? " or "--- " marker: look before it


def _suspect(data: bytes) -> bool:
    """Whether `data` has an anchor, alias or tag character where a node may start (one `find` pass
    per character, so a large body costs about a `bytes.find`, not a regular expression at every byte)."""
    for char in _STARTERS:
        at = data.find(char)
        while at != -1:
            if _node_may_start_before(data, at):
                return True
            at = data.find(char, at + 1)
    return False


def _fail(path: str, mark: Any, problem: str) -> CassetteFormatError:
    """The error for a refused construct at `mark`."""
    return CassetteFormatError(
        path,
        problem,
        line=None if mark is None else mark.line + 1,
        expected="plain YAML as runreplay writes it, without anchors (&), aliases (*) or tags (!); "
        "record the cassette again rather than editing it this way",
    )


def check_plain(path: str, data: bytes) -> None:
    """Raise `CassetteFormatError` when `data` holds a YAML anchor, alias or explicit tag.

    Invalid YAML is left to the loader, which reports it with its own message.
    """
    if not _suspect(data):
        return
    try:
        for event in yaml.parse(data, Loader=_LOADER):
            if isinstance(event, yaml.AliasEvent):
                raise _fail(path, event.start_mark, f"the alias *{event.anchor} refers to an anchor")
            anchor = getattr(event, "anchor", None)
            if anchor is not None:
                raise _fail(path, event.start_mark, f"the anchor &{anchor} is not allowed")
            tag = getattr(event, "tag", None)
            if tag is not None and isinstance(event, yaml.NodeEvent):
                raise _fail(path, event.start_mark, f"the tag {tag} is not allowed")
    except yaml.YAMLError:
        return  # the loader reports the syntax error with its line


def check_aliases(path: str, data: bytes, limit: int = MAX_FOREIGN_ALIASES) -> None:
    """Raise `CassetteFormatError` when `data` uses more than `limit` YAML aliases (a vcrpy file's
    tags are legitimate, but thousands of aliases multiply what every reader of the file does)."""
    if b"*" not in data:
        return
    count = 0
    try:
        for event in yaml.parse(data, Loader=_LOADER):
            if isinstance(event, yaml.AliasEvent):
                count += 1
                if count > limit:
                    raise CassetteFormatError(
                        path,
                        f"the file uses more than {limit} YAML aliases (*{event.anchor} is one too many)",
                        line=None if event.start_mark is None else event.start_mark.line + 1,
                        expected="a cassette as vcrpy writes it, with few or no aliases",
                    )
    except yaml.YAMLError:
        return  # the loader reports the syntax error with its line


def compose_plain(path: str, data: bytes) -> Any:
    """The YAML node tree of `data` after `check_plain` (for tools that read every field, e.g. the audit).

    Meant for data `runreplay.cassette.load` has accepted; YAML it cannot parse is a CassetteFormatError.
    """
    check_plain(path, data)
    loader = _LOADER(data)
    try:
        return loader.get_single_node()
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise CassetteFormatError(
            path,
            f"invalid YAML: {' '.join(str(error).split())}",
            line=None if mark is None else mark.line + 1,
            expected="a YAML document",
        ) from None
    finally:
        loader.dispose()
