"""`runreplay import`: vcrpy / pytest-recording cassettes (YAML or JSON, maybe gzipped) made runreplay's.

Where each cassette goes:

* a file under a test folder in pytest-recording's layout, ``<dir>/cassettes/<module>/<test>.yaml`` next
  to the test module ``<dir>/<module>.py``, goes where the plugin looks for the same test:
  ``<rootdir>/cassettes/<dir relative to rootdir>/<module>/<test>.yaml`` (or under ``-o DIR``);
* any other file goes next to its source as ``<name>.runreplay.yaml``, or under ``-o DIR`` keeping
  its sub-folders; ``-o FILE.yaml`` names the file for a single cassette.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from runreplay._cli.console import Console
from runreplay._cli.paths import CommandError
from runreplay._cli.timeline import decode_stream
from runreplay.cassette import from_vcrpy, load, save
from runreplay.cassette._audit import scan_cassette
from runreplay.cassette._redact import Redactor
from runreplay.errors import CassetteFormatError
from runreplay.recording._pytest_support import cassette_path

__all__ = ["OUTPUT_SUFFIX", "find_rootdir", "run_import"]

OUTPUT_SUFFIX = ".runreplay.yaml"
"""What a converted cassette written next to its source is named: `<name>.runreplay.yaml`."""

_SOURCE_SUFFIXES = (".yaml", ".yml", ".json")
_CONFIG_FILES = (
    ("pytest.ini", ""),
    (".pytest.ini", ""),
    ("pyproject.toml", "[tool.pytest.ini_options]"),
    ("tox.ini", "[pytest]"),
    ("setup.cfg", "[tool:pytest]"),
)


@dataclass(frozen=True, slots=True)
class _Source:
    """A file to convert, the folder it was found under (None when named directly), and its test.

    `test` is (test module relative to the rootdir without `.py`, test name) for a cassette in
    pytest-recording's layout, else None.
    """

    path: Path
    root: Path | None
    test: tuple[str, str] | None = None


def find_rootdir(start: Path) -> Path:
    """The folder pytest would take as rootdir for tests under `start`: the nearest one with a pytest
    configuration (pytest.ini, or pyproject.toml/tox.ini/setup.cfg with a pytest section), else the
    nearest with setup.py or pyproject.toml, else `start` itself."""
    start = start.resolve()
    folders = [start, *start.parents]
    for folder in folders:
        for name, section in _CONFIG_FILES:
            config = folder / name
            if config.is_file() and (not section or section in config.read_text("utf-8", "replace")):
                return folder
    for folder in folders:
        if (folder / "setup.py").is_file() or (folder / "pyproject.toml").is_file():
            return folder
    return start


def _suffix(path: Path) -> str:
    """The cassette suffix of `path` (`.yaml`, `.yml` or `.json`, also under a `.gz`), or ''."""
    name = path.name.lower()
    name = name.removesuffix(".gz")
    return next((suffix for suffix in _SOURCE_SUFFIXES if name.endswith(suffix)), "")


def _test_of(path: Path, rootdir: Path) -> tuple[str, str] | None:
    """(module, test) when `path` is `<dir>/cassettes/<module>/<test>.<ext>` beside `<dir>/<module>.py`."""
    folder = path.parent
    if folder.parent.name != "cassettes":
        return None
    module_file = folder.parent.parent / f"{folder.name}.py"
    if not module_file.is_file():
        return None
    try:
        module = module_file.resolve().relative_to(rootdir).with_suffix("").as_posix()
    except ValueError:
        module = folder.name  # the test module is outside the rootdir: the module name alone
    return module, _stem(path)


def _is_runreplay(path: Path) -> bool:
    """Whether the file starts like a runreplay cassette (a top-level `format_version:` line early on)."""
    try:
        with path.open("rb") as file:
            head = file.read(4096)
    except OSError:
        return False
    return any(line.startswith(b"format_version:") for line in head.splitlines())


def _sources(paths: list[str], rootdir: Path | None, console: Console) -> list[_Source]:
    """The files to convert: files as named; under folders, vcrpy-looking files that are not ours."""
    sources: list[_Source] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and _suffix(p) and not p.name.endswith(OUTPUT_SUFFIX) and not _is_runreplay(p)
            )
            if not found:
                console.warn(
                    f"runreplay: import: no vcrpy cassettes (*.yaml, *.yml, *.json, also .gz) under {item}"
                )
            root = rootdir or find_rootdir(path)
            sources += [_Source(p, path, _test_of(p, root)) for p in found]
        elif path.exists():
            sources.append(_Source(path, None))
        else:
            raise CommandError(
                f"import: no such file or directory: {item}; expected a vcrpy or pytest-recording cassette "
                "(YAML or JSON) or a folder of them. Check the path."
            )
    return sources


def _stem(path: Path) -> str:
    """The file name without its cassette suffix (`runs.json` → `runs`, `runs.yaml.gz` → `runs`)."""
    name = path.name
    if name.lower().endswith(".gz"):
        name = name[:-3]
    suffix = _suffix(path)
    return name[: -len(suffix)] if suffix else name


def _names_a_file(output: str) -> bool:
    """Whether `-o` names a cassette file (`.yaml`/`.yml`); anything else is a folder."""
    return output.lower().endswith((".yaml", ".yml"))


def _destination(source: _Source, output: str | None, rootdir: Path | None, cassette_dir: str) -> Path:
    """Where the plugin looks for the source's test; else next to the source as `<name>.runreplay.yaml`,
    or the `-o` file, or `<name>.yaml` under the `-o` folder."""
    if output is not None and _names_a_file(output):
        return Path(output)
    if source.test is not None and source.root is not None:
        base = rootdir or find_rootdir(source.root)
        folder = Path(output) if output is not None else base / cassette_dir
        module, test = source.test
        return cassette_path(folder, module, test)
    if output is None:
        return source.path.with_name(_stem(source.path) + OUTPUT_SUFFIX)
    target = Path(output)
    relative = source.path.relative_to(source.root) if source.root is not None else Path(source.path.name)
    return target / relative.with_name(_stem(relative) + ".yaml")


def _shown(path: Path) -> str:
    """`path` relative to the working directory when it is inside it (found rootdirs are absolute)."""
    if path.is_absolute():
        try:
            return str(path.relative_to(Path.cwd().resolve()))
        except ValueError:
            return str(path)
    return str(path)


def run_import(
    paths: list[str],
    output: str | None,
    force: bool,
    console: Console,
    *,
    rootdir: str | None = None,
    cassette_dir: str = "cassettes",
) -> int:
    """Convert each source; exit 0 when all were written, 2 when any could not be read or written.

    `rootdir` and `cassette_dir` (relative to it) place the cassettes found in pytest-recording's
    layout; the default rootdir is the one pytest would find for each folder.
    """
    root = Path(rootdir).resolve() if rootdir is not None else None
    sources = _sources(paths, root, console)
    if not sources:
        raise CommandError(
            "import: nothing to convert; expected vcrpy or pytest-recording cassettes (YAML or JSON). "
            "Files that already are runreplay cassettes are skipped."
        )
    if output is not None and _names_a_file(output) and len(sources) > 1:
        raise CommandError(
            f"import: --output {output} names a .yaml file but there are {len(sources)} cassettes to "
            "convert; expected a folder for several cassettes. Give a folder (it is created if missing)."
        )
    style = console.style
    written = failed = 0
    seen: set[Path] = set()
    for number, source in enumerate(sources, 1):
        console.progress(number, len(sources), str(source.path))
        target = _destination(source, output, root, cassette_dir)
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
            cassette = (
                Redactor().scanner().cassette(original)
            )  # secrets never reach a cassette file, imported or not
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
        console.print(f"wrote {style(_shown(target), 'bold')} ({counts}) from {source.path}")
    console.clear_progress()
    summary = f"import: wrote {written} cassette{'s' if written != 1 else ''}"
    if failed:
        console.print(style(f"{summary}; {failed} not converted (see above)", "bold", "red"))
        return 2
    console.print(style(summary, "bold", "green"))
    return 0
