"""Write content files from merged papers and profile headers, keeping people's edits.

Each existing content file is read once. A file that is byte-for-byte what the last run left,
had no edits, and whose machine values did not change is not even parsed; every other file is
parsed and merged with `content_files.reconcile`. Files are written only when their values
change, atomically. A file that cannot be parsed is reported (file:line) and left untouched.

New paper files are created in place (`content_files.create_new`), which costs half the
file-system work of a temporary file and a rename, but a crash can leave one cut short. So their
slugs are listed in CONTENT/.ingest-unfinished before the first is created, and the list is
deleted once the state file records them (`finish`). A run that finds the list deletes the files
on it that the state does not know, before anything else: they are an interrupted run's, not a
person's, and are made again.

Papers do not depend on one another, so from `PARALLEL_AT` papers on, two processes write them
(`halves.run_in_halves`), each half of them, and many new files are created by a third
(`file_creator.FileCreator`).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from site_builder.errors import ContentError, Problem
from site_builder.ingest.content_files import (
    Current,
    Reconciled,
    file_state,
    reconcile,
    unchanged_since,
    write_atomic,
)
from site_builder.ingest.file_creator import FileCreator
from site_builder.ingest.frontmatter import AUTHOR_FIELDS, parse_paper, parse_yaml_mapping, render_paper, render_yaml
from site_builder.ingest.halves import run_in_halves
from site_builder.ingest.merge import MergedPaper, SourceDump, merge_key
from site_builder.ingest.paper_slugs import assign_slugs
from site_builder.ingest.state import UNFINISHED_FILE, FileState, IngestState, load_unfinished, render_unfinished, value_hash
from site_builder.records import ProfileHeader
from site_builder.slugs import author_slug

__all__ = ["ContentWriter", "WriteCounts", "write_atomic"]


@dataclass
class WriteCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    edits_kept: int = 0  # fields (and bodies) kept as a person wrote them
    deleted: int = 0  # files a person deleted, not recreated
    orphaned: int = 0  # recorded papers no source has any more (left as they are)
    unfinished: int = 0  # files an interrupted run left (maybe cut short): deleted and made again

    def add(self, other: WriteCounts) -> None:
        for name, value in vars(other).items():
            setattr(self, name, getattr(self, name) + value)


PARALLEL_AT = 1000  # papers to write from which two processes pay (forking costs ~10-30 ms)
_Job = tuple[MergedPaper, str, "FileState | None"]  # paper, slug, its recorded state


@dataclass
class _Written:
    """What writing some papers gave: per paper its new state (None: keep the recorded one)."""

    states: list[FileState | None]
    counts: WriteCounts
    problems: list[Problem]
    tagged: int


def paper_fields(paper: MergedPaper, slug: str, tags: tuple[str, ...]) -> dict[str, Any]:
    """The machine's front matter for a paper, in content-file order."""
    return {
        "title": paper.title,
        "slug": slug,
        "authors": list(paper.authors),
        "authors_complete": paper.authors_complete,
        "author_count": paper.author_count,
        "affiliations": list(paper.affiliations),
        "date": paper.date,
        "added": paper.added,
        "categories": list(paper.categories),
        "tags": list(tags),
        "code": paper.code,
        "upvotes": paper.upvotes,
        "organization": paper.organization,
        "sources": list(paper.sources),
    }


def profile_fields(profile: ProfileHeader, source: SourceDump) -> dict[str, Any]:
    values = {
        "name": profile.name,
        "primary_category": profile.primary_category,
        "h_index": profile.h_index,
        "papers": profile.papers,
        "citations": profile.citations,
        "novelty": profile.novelty,
        "ai_score": profile.ai_score,
        "source": source.name,
        "captured": source.captured,
    }
    return {key: values[key] for key in AUTHOR_FIELDS}


class ContentWriter:
    """Writes papers and author profiles under `content_dir`, starting from the recorded `state`;
    collects the new state (`paper_states`, `author_states`) and the problems met."""

    def __init__(self, content_dir: Path, state: IngestState):
        self.papers_dir = content_dir / "papers"
        self.authors_dir = content_dir / "authors"
        self.unfinished_path = content_dir / UNFINISHED_FILE
        self.state = state
        self.paper_states: dict[str, FileState] = {}
        self.author_states: dict[str, FileState] = {}
        self.problems: list[Problem] = []
        self.tagged = 0  # papers with at least one topic

    def write_papers(self, papers: Iterable[MergedPaper], tag: Callable[[str, str], tuple[str, ...]]) -> WriteCounts:
        """Write every paper's file; `tag(title, abstract)` gives its topics (called once a paper,
        as it is written, so that the first files are created early). `self.tagged` counts the
        papers with at least one topic."""
        papers = list(papers)
        counts = WriteCounts()
        files = _files(self.papers_dir, ".md")
        recorded = {key: st.slug for key, st in self.state.papers.items()}
        counts.unfinished = self._remove_unfinished(files, set(recorded.values()))
        # Files the state does not know: parse them once, to find the paper they are about.
        unrecorded: dict[str, tuple[bytes, Current]] = {}
        unrecorded_keys: dict[str, str] = {}
        for slug in sorted(set(files) - set(recorded.values())):
            loaded = self._load(files[slug], _PAPER.parse)
            if loaded is None:
                continue
            unrecorded[slug] = loaded
            title = loaded[1].fields.get("title")
            if isinstance(title, str):
                unrecorded_keys.setdefault(merge_key(title), slug)

        plans = assign_slugs([(p.key, p.title) for p in papers], recorded, set(files), unrecorded_keys)
        jobs: list[_Job] = []
        for paper in papers:
            slug = plans[paper.key].slug
            previous = self.state.papers.get(paper.key)
            if previous is not None and slug == previous.slug and slug not in files:
                counts.deleted += 1  # a person deleted it: do not bring it back
                self.paper_states[paper.key] = previous
                self.tagged += bool(tag(paper.title, paper.abstract))
                continue
            jobs.append((paper, slug, previous))
        creating = [slug for _, slug, _ in jobs if slug not in files]
        if creating:
            write_atomic(self.unfinished_path, render_unfinished(creating))
        with FileCreator(len(creating)) as creator:
            work = functools.partial(self._write_jobs, tag=tag, files=files, unrecorded=unrecorded, creator=creator)
            outcomes: list[FileState | None] = []
            for done in run_in_halves(jobs, work, PARALLEL_AT):
                outcomes += done.states
                counts.add(done.counts)
                self.problems += done.problems
                self.tagged += done.tagged
            existing = creator.close()
        if existing:  # files made since the folder was listed: left as they are
            where = {self.papers_dir / f"{slug}.md": i for i, (_, slug, _) in enumerate(jobs) if slug not in files}
            for path in existing:
                self.problems.append(_appeared(path))
                outcomes[where[path]] = None
                counts.new -= 1
        for (paper, _, previous), state in zip(jobs, outcomes):
            if state is not None or previous is not None:
                self.paper_states[paper.key] = state or previous

        for key, previous in self.state.papers.items():
            if key not in self.paper_states:
                counts.orphaned += 1
                self.paper_states[key] = previous
        return counts

    def _write_jobs(self, jobs: Sequence[_Job], tag: Callable[[str, str], tuple[str, ...]], files: dict[str, Path],
                    unrecorded: dict[str, tuple[bytes, Current]], creator: FileCreator) -> _Written:
        """Write the papers of `jobs` (in a forked process, maybe: all that is learnt is returned)."""
        start = len(self.problems)
        counts = WriteCounts()
        states: list[FileState | None] = []
        tagged = 0
        for paper, slug, previous in jobs:
            tags = tag(paper.title, paper.abstract)
            tagged += bool(tags)
            machine = paper_fields(paper, slug, tags)
            path = files.get(slug)
            if path is None:
                state = self._create(creator, self.papers_dir / f"{slug}.md", machine, paper.abstract, previous, counts)
            else:
                state = self._write(_PAPER, path, machine, paper.abstract, previous, unrecorded.get(slug), counts)
            states.append(None if state is previous else state)  # None: keep the previous state (less to send)
        creator.flush()
        problems = self.problems[start:]
        del self.problems[start:]
        return _Written(states, counts, problems, tagged)

    def finish(self) -> None:
        """Call once the state file is written: the files this run created are recorded now."""
        self.unfinished_path.unlink(missing_ok=True)

    def _remove_unfinished(self, files: dict[str, Path], recorded: set[str]) -> int:
        """Delete the files an interrupted run listed as unfinished and never recorded (and drop
        them from `files`); returns how many."""
        removed = 0
        for slug in sorted(load_unfinished(self.unfinished_path) - recorded):
            path = files.get(slug)
            if path is None:
                continue
            try:
                path.unlink()
            except OSError as exc:
                message = f"cannot delete this file an interrupted ingest left: {exc.strerror or exc}"
                self.problems.append(Problem(message, str(path)))
                continue
            del files[slug]
            removed += 1
        return removed

    def write_authors(self, sources: Iterable[SourceDump]) -> WriteCounts:
        # One file per author: the latest capture wins (then the last source by name).
        chosen: dict[str, tuple[ProfileHeader, SourceDump]] = {}
        for source in sorted(sources, key=lambda s: (s.captured, s.name)):
            if source.dump.profile is not None:
                chosen[author_slug(source.dump.profile.name)] = (source.dump.profile, source)
        counts = WriteCounts()
        files = _files(self.authors_dir, ".yaml")
        for slug in sorted(chosen):
            profile, source = chosen[slug]
            previous = self.state.authors.get(slug)
            if previous is not None and slug not in files:
                counts.deleted += 1
                self.author_states[slug] = previous
                continue
            path = files.get(slug, self.authors_dir / f"{slug}.yaml")
            machine = profile_fields(profile, source)
            if slug in files:
                state = self._write(_AUTHOR, path, machine, None, previous, None, counts)
            else:
                state = self._new_author(path, machine, previous, counts)
            if state is not None or previous is not None:
                self.author_states[slug] = state or previous
        for slug, previous in self.state.authors.items():
            self.author_states.setdefault(slug, previous)
        return counts

    def _write(self, kind: _Kind, path: Path, machine: dict[str, Any], body: str | None, previous: FileState | None,
               loaded: tuple[bytes, Current] | None, counts: WriteCounts) -> FileState | None:
        """Bring an existing file up to date; returns its new state, or None when it could not be read."""
        slug = path.stem
        if loaded is None:
            data = self._read(path)
            if data is None:
                return None
            hashes = {name: value_hash(value) for name, value in machine.items()}
            if unchanged_since(previous, data, hashes, value_hash(body) if body is not None else None):
                counts.unchanged += 1
                return previous
            loaded = self._parse(path, data, kind.parse)
            if loaded is None:
                return None
        result = reconcile(machine, body, loaded[1], previous)
        counts.edits_kept += len(result.edited)
        if not result.changed:
            counts.unchanged += 1
            return file_state(slug, loaded[0], result)
        data = kind.render(result).encode("utf-8")
        write_atomic(path, data)
        counts.updated += 1
        return file_state(slug, data, result)

    def _create(self, creator: FileCreator, path: Path, machine: dict[str, Any], body: str,
                previous: FileState | None, counts: WriteCounts) -> FileState | None:
        """A new paper file, listed as unfinished beforehand (see the module docstring)."""
        result = reconcile(machine, body, None, previous)
        data = _render_paper(result).encode("utf-8")
        if not creator.create(path, data):
            self.problems.append(_appeared(path))
            return None
        counts.new += 1
        return file_state(path.stem, data, result)

    def _new_author(self, path: Path, machine: dict[str, Any], previous: FileState | None, counts: WriteCounts) -> FileState:
        result = reconcile(machine, None, None, previous)
        data = _render_author(result).encode("utf-8")
        write_atomic(path, data)
        counts.new += 1
        return file_state(path.stem, data, result)

    def _load(self, path: Path, parse: Callable[[str, str], Current]) -> tuple[bytes, Current] | None:
        data = self._read(path)
        return None if data is None else self._parse(path, data, parse)

    def _read(self, path: Path) -> bytes | None:
        try:
            return path.read_bytes()
        except OSError as exc:
            self.problems.append(Problem(f"cannot read: {exc.strerror or exc}; left as it is", str(path)))
            return None

    def _parse(self, path: Path, data: bytes, parse: Callable[[str, str], Current]) -> tuple[bytes, Current] | None:
        try:
            return data, parse(data.decode("utf-8"), str(path))
        except UnicodeDecodeError as exc:
            self.problems.append(Problem(f"not UTF-8 text ({exc.reason}); left as it is", str(path)))
        except ContentError as exc:
            self.problems.extend(Problem(p.message + "; left as it is", p.path, p.line) for p in exc.problems)
        return None

    def write_if_changed(self, path: Path, data: bytes) -> bool:
        if path.exists() and path.read_bytes() == data:
            return False
        write_atomic(path, data)
        return True


def _appeared(path: Path) -> Problem:
    return Problem("this file appeared while ingest ran; left as it is", str(path))


def _files(folder: Path, suffix: str) -> dict[str, Path]:
    """slug -> path of the content files in `folder` (dotfiles are not content)."""
    if not folder.is_dir():
        return {}
    with os.scandir(folder) as entries:  # file types come with the listing: no stat per file
        return {
            e.name[: -len(suffix)]: folder / e.name
            for e in entries
            if e.name.endswith(suffix) and not e.name.startswith(".") and e.is_file()
        }


def _parse_paper_file(text: str, path: str) -> Current:
    fields, body = parse_paper(text, path)
    return Current(fields, body)


def _parse_author_file(text: str, path: str) -> Current:
    return Current(parse_yaml_mapping(text, path), None)


def _render_paper(result: Reconciled) -> str:
    return render_paper(result.fields, result.body or "")


def _render_author(result: Reconciled) -> str:
    return render_yaml(result.fields, AUTHOR_FIELDS)


@dataclass(frozen=True)
class _Kind:
    """How one kind of content file is parsed and rendered."""

    parse: Callable[[str, str], Current]
    render: Callable[[Reconciled], str]


_PAPER = _Kind(_parse_paper_file, _render_paper)
_AUTHOR = _Kind(_parse_author_file, _render_author)
