"""`site-builder ingest`: every dump in CONTENT/sources/ -> content/papers/*.md and content/authors/*.yaml.

Sources are the single source of truth: dumps named on the command line are first copied into
CONTENT/sources/, then every `sources/*.txt` is read (in name order), merged and written, so the
content is always a function of all sources plus what people edited. Reading and writing happen
here and in `writer`; parsing, merging, tagging and the edit rule are pure functions.

Capture dates (what yearless dates resolve against, and a paper's `added`): a dump showing its own
date uses it. Otherwise a dump named on this command line gets `--as-of`; any other source keeps
the date recorded when it was first ingested (so re-running later, or adding a new dump with a new
`--as-of`, never shifts an old source's dates); a source never seen before gets `--as-of`; and
without `--as-of`, today.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from site_builder.errors import IngestError, Problem, SiteBuilderError
from site_builder.ingest.detect import parse_dump
from site_builder.ingest.dumps import decode_dump
from site_builder.ingest.merge import SourceDump, merge_dumps
from site_builder.ingest.state import STATE_FILE, IngestState, SourceState, load_state, render_state
from site_builder.ingest.topics import Tagger, load_topics
from site_builder.ingest.writer import ContentWriter, WriteCounts, write_atomic
from site_builder.records import ParsedDump

Log = Callable[[str], None]


@dataclass(frozen=True)
class DumpSummary:
    """One dump's line in the summary."""

    name: str
    format: str | None  # None when the whole dump was rejected
    papers: int = 0
    rejected: int = 0  # blocks rejected

    def line(self) -> str:
        if self.format is None:
            return f"{self.name}: rejected"
        text = f"{self.name}: {self.format}, {self.papers} papers"
        return text + (f", {self.rejected} rejected" if self.rejected else "")


@dataclass
class IngestReport:
    dumps: list[DumpSummary] = field(default_factory=list)
    entries: int = 0  # paper records over all dumps
    papers: int = 0  # distinct papers
    tagged: int = 0  # papers with at least one topic
    paper_counts: WriteCounts = field(default_factory=WriteCounts)
    author_counts: WriteCounts = field(default_factory=WriteCounts)
    problems: list[Problem] = field(default_factory=list)  # rejections: they make the exit code 1
    warnings: list[Problem] = field(default_factory=list)  # kept, but worth telling

    @property
    def merged_duplicates(self) -> int:
        return self.entries - self.papers

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0

    def summary_lines(self) -> list[str]:
        p, a = self.paper_counts, self.author_counts
        share = f" ({100 * self.tagged / self.papers:.1f}%)" if self.papers else ""
        lines = [d.line() for d in self.dumps]
        lines += [
            f"papers: {self.papers} from {self.entries} entries ({self.merged_duplicates} merged duplicates)",
            f"files: {p.new} new, {p.updated} updated, {p.unchanged} unchanged",
            f"edits kept: {p.edits_kept + a.edits_kept}, deleted by hand (not recreated): {p.deleted + a.deleted}",
            f"topic coverage: {self.tagged}/{self.papers} papers{share} have at least one topic",
        ]
        if a.new or a.updated or a.unchanged:
            lines.append(f"author profiles: {a.new} new, {a.updated} updated, {a.unchanged} unchanged")
        if p.unfinished:
            lines.append(f"files an interrupted ingest left unfinished (deleted, made again): {p.unfinished}")
        if p.orphaned:
            lines.append(f"papers in no source any more (files left as they are): {p.orphaned}")
        if self.problems:
            lines.append(f"{len(self.problems)} problem(s) reported above; exit code 1")
        return lines


@dataclass(frozen=True)
class _Loaded:
    """One dump read and parsed (dump is None when it was rejected as a whole)."""

    path: Path
    data: bytes
    dump: ParsedDump | None
    problems: tuple[Problem, ...]
    warnings: tuple[Problem, ...] = ()


def run_ingest(
    dumps: list[Path] | None,
    content_dir: Path,
    as_of: dt.date | None = None,
    log: Log = print,
    warn: Log | None = None,
) -> IngestReport:
    """Ingest `dumps` (copied into CONTENT/sources/ first) and every source already there.

    Summary lines go to `log`; each problem and warning, as `path:line: message`, to `warn`
    (default: stderr). A bad dump, block or content file is reported and skipped, the rest is
    ingested, and `report.exit_code` is 1. Raises SiteBuilderError only for what stops the whole
    run: an invalid topics.yaml or state file.
    """
    with _cyclic_gc_paused():
        return _run_ingest(dumps, content_dir, as_of, log, warn or (lambda line: print(line, file=sys.stderr)))


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Ingest makes millions of small objects and no reference cycles worth collecting; the
    collector's passes over them cost about a tenth of a 10,000-paper run."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _run_ingest(dumps: list[Path] | None, content_dir: Path, as_of: dt.date | None, log: Log, warn: Log) -> IngestReport:
    report = IngestReport()
    state_path = content_dir / STATE_FILE
    state = load_state(state_path)
    topics = load_topics(content_dir / "topics.yaml")
    default_date = as_of or dt.date.today()

    def note(loaded: _Loaded) -> None:
        report.problems.extend(loaded.problems)
        report.warnings.extend(loaded.warnings)
        for problem in loaded.problems + loaded.warnings:
            warn(str(problem))
        name, dump = loaded.path.name, loaded.dump
        report.dumps.append(
            DumpSummary(name, dump.format, len(dump.papers), len(loaded.problems)) if dump else DumpSummary(name, None)
        )

    def reference_date(name: str, named_now: bool) -> dt.date:
        """What yearless dates of a dump resolve against, when it shows no date of its own."""
        recorded = state.sources.get(name)
        if recorded is not None and not (named_now and as_of):
            return recorded.captured
        return default_date

    sources_dir = content_dir / "sources"
    named: dict[str, _Loaded] = {}
    for loaded in _add_named_dumps(dumps or [], sources_dir, reference_date):
        if loaded.dump is None:
            note(loaded)
        else:
            named[loaded.path.name] = loaded

    parsed: list[SourceDump] = []
    sources: dict[str, SourceState] = {}
    for path in _source_files(sources_dir):
        recorded = state.sources.get(path.name)
        reference = reference_date(path.name, path.name in named)
        loaded = named.get(path.name) or _load_dump(path, reference)
        note(loaded)
        if loaded.dump is None:
            if recorded:  # keep its capture date for when the file is mended
                sources[path.name] = recorded
            continue
        captured = loaded.dump.capture_date or reference
        sources[path.name] = SourceState(hashlib.sha256(loaded.data).hexdigest(), loaded.dump.format, captured)
        parsed.append(SourceDump(path.name, loaded.dump, captured))

    merged = merge_dumps(parsed)
    report.entries, report.papers = merged.entries, len(merged.papers)
    writer = ContentWriter(content_dir, state)
    report.paper_counts = writer.write_papers(merged.papers, Tagger(topics).tags)
    report.tagged = writer.tagged
    report.author_counts = writer.write_authors(parsed)
    for problem in writer.problems:
        warn(str(problem))
    report.problems.extend(writer.problems)
    new_state = IngestState(sources=sources, papers=writer.paper_states, authors=writer.author_states)
    writer.write_if_changed(state_path, render_state(new_state).encode("utf-8"))
    writer.finish()

    for line in report.summary_lines():
        log(line)
    return report


def _source_files(sources_dir: Path) -> list[Path]:
    if not sources_dir.is_dir():
        return []
    return sorted(p for p in sources_dir.glob("*.txt") if p.is_file() and not p.name.startswith("."))


def _load_dump(path: Path, as_of: dt.date, data: bytes | None = None) -> _Loaded:
    """Read, decode and parse one dump; every problem carries the file name."""
    try:
        if data is None:
            data = path.read_bytes()
        dump = parse_dump(decode_dump(data), as_of)
    except OSError as exc:
        return _Loaded(path, b"", None, (Problem(f"cannot read the dump: {exc.strerror or exc}", str(path)),))
    except SiteBuilderError as exc:
        return _Loaded(path, data or b"", None, tuple(exc.with_path(path).problems))
    return _Loaded(
        path, data, dump, tuple(_located(p, path) for p in dump.problems), tuple(_located(p, path) for p in dump.warnings)
    )


def _located(problem: Problem, path: Path) -> Problem:
    return problem if problem.path is not None else Problem(problem.message, str(path), problem.line)


def _rejected(path: Path, message: str) -> _Loaded:
    return _Loaded(path, b"", None, (IngestError(message, path).problems[0],))


def _add_named_dumps(
    paths: list[Path], sources_dir: Path, reference_date: Callable[[str, bool], dt.date]
) -> list[_Loaded]:
    """Parse each dump named on the command line and copy the readable ones into sources/.

    A dump rejected as a whole is not copied; a different file of the same name already in
    sources/ is never overwritten.
    """
    results: list[_Loaded] = []
    seen: set[str] = set()
    for path in paths:
        target = sources_dir / path.name
        if not path.name.endswith(".txt") or path.name.startswith("."):
            results.append(_rejected(path, "a dump's file name must end in .txt (ingest reads sources/*.txt)"))
            continue
        if path.name in seen:
            results.append(_rejected(path, f"a dump named {path.name!r} was already given on this command line"))
            continue
        seen.add(path.name)
        try:
            data = path.read_bytes()
            existing = target.read_bytes() if target.is_file() else None
        except OSError as exc:
            results.append(_rejected(path, f"cannot read the dump: {exc.strerror or exc}"))
            continue
        if existing is not None and existing != data:
            results.append(_rejected(path, f"a different file of this name is already a source: {target}; rename one of them"))
            continue
        loaded = _load_dump(path, reference_date(path.name, True), data)
        if loaded.dump is not None and existing is None:
            write_atomic(target, data)
        results.append(loaded)
    return results
