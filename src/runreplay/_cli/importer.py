"""`runreplay import`: vcrpy / pytest-recording cassettes (YAML or JSON) converted to runreplay cassettes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from runreplay._cli.console import Console
from runreplay._cli.paths import CommandError
from runreplay._cli.timeline import decode_stream
from runreplay.cassette import from_vcrpy, load, save
from runreplay.cassette.audit import scan_cassette
from runreplay.cassette.redact import Redactor
from runreplay.errors import CassetteFormatError

__all__ = ["OUTPUT_SUFFIX", "run_import"]

OUTPUT_SUFFIX = ".runreplay.yaml"
"""What a converted cassette written next to its source is named: `<name>.runreplay.yaml`."""

_SOURCE_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True, slots=True)
class _Source:
    """A file to convert and the folder it was found under (None when it was named directly)."""

    path: Path
    root: Path | None


def _is_runreplay(path: Path) -> bool:
    """Whether the file starts like a runreplay cassette (a top-level `format_version:` line early on)."""
    try:
        with path.open("rb") as file:
            head = file.read(4096)
    except OSError:
        return False
    return any(line.startswith(b"format_version:") for line in head.splitlines())


def _sources(paths: list[str], console: Console) -> list[_Source]:
    """The files to convert: files as named; under folders, vcrpy-looking files that are not ours."""
    sources: list[_Source] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in _SOURCE_SUFFIXES
                and not p.name.endswith(OUTPUT_SUFFIX)
                and not _is_runreplay(p)
            )
            if not found:
                console.warn(f"runreplay: import: no vcrpy cassettes (*.yaml, *.yml, *.json) under {item}")
            sources += [_Source(p, path) for p in found]
        elif path.exists():
            sources.append(_Source(path, None))
        else:
            raise CommandError(
                f"import: no such file or directory: {item}; expected a vcrpy or pytest-recording cassette "
                "(YAML or JSON) or a folder of them. Check the path."
            )
    return sources


def _stem(path: Path) -> str:
    """The file name without its cassette suffix (`runs.json` → `runs`)."""
    return path.name[: -len(path.suffix)] if path.suffix.lower() in _SOURCE_SUFFIXES else path.name


def _destination(source: _Source, output: str | None, single: bool) -> Path:
    """Next to the source as `<name>.runreplay.yaml`, or the `--output` file, or `<name>.yaml` under it."""
    if output is None:
        return source.path.with_name(_stem(source.path) + OUTPUT_SUFFIX)
    target = Path(output)
    as_file = single and not target.is_dir() and not output.endswith(("/", "\\"))
    if as_file:
        return target
    relative = source.path.relative_to(source.root) if source.root is not None else Path(source.path.name)
    return target / relative.with_name(_stem(relative) + ".yaml")


def run_import(paths: list[str], output: str | None, force: bool, console: Console) -> int:
    """Convert each source; exit 0 when all were written, 2 when any could not be read or written."""
    sources = _sources(paths, console)
    if not sources:
        raise CommandError(
            "import: nothing to convert; expected vcrpy or pytest-recording cassettes (YAML or JSON). "
            "Files that already are runreplay cassettes are skipped."
        )
    if output is not None and Path(output).is_file() and len(sources) > 1:
        raise CommandError(
            f"import: --output {output} is a file but there are {len(sources)} cassettes to convert; "
            "expected a folder for several cassettes. Give a folder (it is created if missing)."
        )
    style = console.style
    written = failed = 0
    seen: set[Path] = set()
    for number, source in enumerate(sources, 1):
        console.progress(number, len(sources), str(source.path))
        target = _destination(source, output, single=len(sources) == 1)
        problem = None
        if _is_runreplay(source.path):
            problem = f"{source.path} already is a runreplay cassette; nothing to convert"
        elif target.resolve() == source.path.resolve():
            problem = f"{target} is the source itself; give another --output"
        elif target.resolve() in seen:
            problem = f"{target} is also the destination of another source; give another --output"
        elif target.exists() and not force:
            problem = f"{target} already exists; pass --force to overwrite it"
        if problem is not None:
            failed += 1
            console.warn(f"runreplay: import: {problem}")
            continue
        seen.add(target.resolve())
        try:
            original = from_vcrpy(source.path)
            secrets = len(scan_cassette(original))
            cassette = Redactor().cassette(original)  # secrets never reach a cassette file, imported or not
            target.parent.mkdir(parents=True, exist_ok=True)
            save(target, cassette)
            load(target)  # what was written must load (and so inspect) cleanly
        except CassetteFormatError as error:
            failed += 1
            console.warn(f"runreplay: import: {error}")
            continue
        except (OSError, ValueError) as error:
            failed += 1
            console.warn(f"runreplay: import: cannot write {target}: {error}")
            continue
        written += 1
        streams = [decode_stream(i.response) for i in cassette.interactions if i.response.is_event_stream]
        events = sum(len(view.events) for view in streams)
        count = len(cassette.interactions)
        counts = ", ".join(
            f"{n} {word}{'s' if n != 1 else ''}"
            for n, word in ((count, "interaction"), (len(streams), "stream"), (events, "event"))
        )
        if secrets:
            counts += f"; {secrets} secret{'s' if secrets != 1 else ''} redacted"
        console.print(f"wrote {style(str(target), 'bold')} ({counts}) from {source.path}")
    console.clear_progress()
    summary = f"import: wrote {written} cassette{'s' if written != 1 else ''}"
    if failed:
        console.print(style(f"{summary}; {failed} not converted (see above)", "bold", "red"))
        return 2
    console.print(style(summary, "bold", "green"))
    return 0
