"""`runreplay audit`: look for secrets in cassette files and say where, never what."""

from __future__ import annotations

import re
from pathlib import Path

from runreplay._cli.console import Console
from runreplay._cli.paths import cassette_files, load_problem
from runreplay.cassette import Cassette, from_vcrpy, load
from runreplay.cassette._audit import Finding, audit_file, scan_cassette
from runreplay.errors import CassetteFormatError

__all__ = ["run_audit"]


def _load_any(path: Path) -> tuple[Cassette, str]:
    """A runreplay cassette, or a vcrpy one read in memory (secrets there matter too); and its kind."""
    try:
        return load(path), "runreplay"
    except CassetteFormatError as error:
        # not a runreplay file (no format_version, or refused YAML before it was looked for): vcrpy's?
        if not error.problem.startswith("there is no format_version") and _has_format_version(path):
            raise
        try:
            return from_vcrpy(path), "vcrpy"
        except CassetteFormatError as vcrpy_error:
            if error.problem.startswith("there is no format_version"):
                raise error from None
            raise vcrpy_error from None


def _has_format_version(path: Path) -> bool:
    """Whether the file has a top-level `format_version:` line (a runreplay cassette)."""
    with open(path, "rb") as file:
        return re.search(rb"^format_version:", file.read(), re.MULTILINE) is not None


def run_audit(paths: list[str], console: Console) -> int:
    """Scan every cassette under `paths`; exit 1 on a finding, 2 when a file cannot be loaded, else 0."""
    files = cassette_files("audit", paths)
    style = console.style
    findings: list[Finding] = []
    unreadable = 0
    dirty = 0
    for number, file in enumerate(files, 1):
        console.progress(number, len(files), str(file))
        try:
            cassette, kind = _load_any(file)
            # a runreplay file is read whole (meta, the events view, ...); a vcrpy one as interactions
            found = audit_file(file) if kind == "runreplay" else scan_cassette(cassette, path=str(file))
        except (CassetteFormatError, OSError) as error:
            unreadable += 1
            console.warn(f"runreplay: audit: {load_problem(error, file)}")
            continue
        dirty += bool(found)
        for finding in found:
            console.print(style(str(finding), "red"))
        findings += found
    console.clear_progress()
    files_text = f"{len(files)} file{'s' if len(files) != 1 else ''}"
    skipped = f"; {unreadable} could not be loaded (see above)" if unreadable else ""
    if findings:
        console.print(
            style(
                f"audit: {len(findings)} secret{'s' if len(findings) != 1 else ''} in {dirty} of "
                f"{files_text}{skipped}",
                "bold",
                "red",
            )
        )
        console.print(
            "Nothing above shows a secret, only where it is. Remove them by re-recording with redaction "
            "on (the default), or edit the files; then rotate any real key that was committed."
        )
        return 2 if unreadable else 1
    if unreadable:
        console.print(style(f"audit: no secrets in the loadable files of {files_text}{skipped}", "yellow"))
        return 2
    console.print(style(f"audit: no secrets found in {files_text}", "green"))
    return 0
