"""`runreplay validate`: recorded request bodies and stream events checked against runreplay's models."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from pydantic import ValidationError

from runreplay._cli.console import Console
from runreplay._cli.paths import cassette_files, load_problem
from runreplay._cli.timeline import decode_stream
from runreplay.cassette import Cassette, Interaction
from runreplay.errors import CassetteFormatError
from runreplay.models import CreateThreadAndRunRequest, EventDataError, UnknownEvent, parse_event
from runreplay.models.rules import json_path, rule_ids_for

__all__ = ["Report", "check_cassette", "run_validate"]

_CREATE_AND_RUN = re.compile(r".*/threads/runs/?")
_ASSISTANTS = re.compile(r".*/threads(/.*)?")


@dataclass(slots=True)
class Report:
    """What `check_cassette` found: problem and note lines, and how much it checked."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    bodies: int = 0
    streams: int = 0
    events: int = 0
    skipped: int = 0


def _body_problems(body: bytes) -> list[str]:
    """`request.body: <rule id>: <message>` for each rule a create-thread-and-run body breaks."""
    try:
        value = json.loads(body)
    except ValueError as error:
        return [f"request.body: not JSON ({error}); expected the JSON body of create-thread-and-run"]
    try:
        CreateThreadAndRunRequest.model_validate(value)
    except ValidationError as error:
        try:
            hits = [(hit.rule, hit.loc, hit.message) for hit in rule_ids_for(error)]
        except LookupError:
            hits = [(str(d["type"]), tuple(d["loc"]), str(d["msg"])) for d in error.errors()]
        lines = []
        for rule_id, loc, message in hits:
            if message.startswith(f"{rule_id}: "):
                text = message[len(rule_id) + 2 :]
            else:
                text = f"{message} (at {json_path(loc)})"
            lines.append(f"request.body: {rule_id}: {text}")
        return lines
    return []


def _check_interaction(item: Interaction, index: int, prefix: str, report: Report) -> None:
    """Add the problems and notes of one interaction to `report`."""
    request, response = item.request, item.response
    path = urlsplit(request.url).path
    checked = False
    if request.method.upper() == "POST" and _CREATE_AND_RUN.fullmatch(path):
        checked = True
        report.bodies += 1
        report.problems += [f"{prefix}interaction {index}: {line}" for line in _body_problems(request.body)]
    if response.is_event_stream and _ASSISTANTS.fullmatch(path):
        checked = True
        report.streams += 1
        view = decode_stream(response)
        report.events += len(view.events)
        unknown: Counter[str] = Counter()
        first: dict[str, int] = {}
        for event in view.events:
            try:
                parsed = parse_event(event.event, event.data)
            except EventDataError as error:
                report.problems.append(
                    f"{prefix}interaction {index}: event #{event.index + 1} {event.event}: {error.problem}"
                )
                continue
            if isinstance(parsed, UnknownEvent):
                unknown[event.event] += 1
                first.setdefault(event.event, event.index + 1)
        for name, count in unknown.items():
            times = f", {count} times" if count > 1 else ""
            report.notes.append(
                f"{prefix}interaction {index}: event #{first[name]} {name}: note: unknown event name{times} "
                "(not in the spec; accepted as UnknownEvent, as real servers add events)"
            )
        if view.cut_off is not None and response.complete and response.error is None:
            report.notes.append(
                f"{prefix}interaction {index}: note: the stream ends in the middle of an event although the "
                "recording is marked complete"
            )
    if not response.complete and response.error is None:
        report.notes.append(
            f"{prefix}interaction {index}: note: partial recording: the body stops after "
            f"{len(response.chunks)} chunk(s) and the server never ended it (the client closed it early, or "
            "the run was interrupted); replay ends it at the same place. "
            "Re-record it if the whole body matters"
        )
    if not checked:
        report.skipped += 1


def check_cassette(cassette: Cassette, *, path: str | None = None) -> Report:
    """Every problem and note in `cassette`, one line each, prefixed with `path: ` when given."""
    report = Report()
    prefix = f"{path}: " if path is not None else ""
    for index, item in enumerate(cassette.interactions):
        _check_interaction(item, index, prefix, report)
    return report


def _plural(count: int, word: str, words: str | None = None) -> str:
    """`1 file`, `2 files` (or the given plural form)."""
    return f"{count} {word if count == 1 else words or word + 's'}"


def run_validate(paths: list[str], console: Console) -> int:
    """Validate every cassette under `paths`; exit 1 on a problem, 2 when a file cannot be loaded, else 0."""
    from runreplay.cassette import load

    files = cassette_files("validate", paths)
    style = console.style
    total = Report()
    unreadable = 0
    for number, file in enumerate(files, 1):
        console.progress(number, len(files), str(file))
        try:
            cassette = load(file)
        except (CassetteFormatError, OSError) as error:
            unreadable += 1
            console.warn(f"runreplay: validate: {load_problem(error, file)}")
            continue
        report = check_cassette(cassette, path=str(file))
        for line in report.problems:
            console.print(style(line, "red"))
        for line in report.notes:
            console.print(style(line, "yellow"))
        total.problems += report.problems
        total.notes += report.notes
        total.bodies += report.bodies
        total.streams += report.streams
        total.events += report.events
        total.skipped += report.skipped
    console.clear_progress()
    checked = f"{_plural(total.bodies, 'request body', 'request bodies')}, {_plural(total.streams, 'stream')}"
    if total.streams:
        checked += f" ({_plural(total.events, 'event')})"
    if total.skipped:
        checked += f"; {_plural(total.skipped, 'other interaction')} not checked"
    found = f"{_plural(len(total.problems), 'problem')}" if total.problems else "no problems"
    if total.notes:
        found += f", {_plural(len(total.notes), 'note')}"
    summary = f"validate: {found} in {_plural(len(files) - unreadable, 'file')} ({checked})"
    if unreadable:
        summary += f"; {_plural(unreadable, 'file')} could not be loaded (see above)"
    colour = "red" if total.problems or unreadable else "yellow" if total.notes else "green"
    console.print(style(summary, "bold", colour))
    if unreadable:
        return 2
    return 1 if total.problems else 0
