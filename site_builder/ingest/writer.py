"""Write content files from merged papers and profile headers, keeping people's edits.

Each existing content file is read once. A file that is byte-for-byte what the last run left,
had no edits, and whose machine values did not change is not even parsed; every other file is
parsed and merged with `content_files.reconcile`. Files are written only when their values
change, atomically. A file that cannot be parsed is reported (file:line) and left untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from site_builder.errors import ContentError, Problem
from site_builder.ingest.content_files import Current, Reconciled, file_state, reconcile, unchanged_since, write_atomic
from site_builder.ingest.frontmatter import AUTHOR_FIELDS, parse_paper, parse_yaml_mapping, render_paper, render_yaml
from site_builder.ingest.merge import MergedPaper, SourceDump, merge_key
from site_builder.ingest.paper_slugs import assign_slugs
from site_builder.ingest.state import FileState, IngestState, value_hash
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
        self.state = state
        self.paper_states: dict[str, FileState] = {}
        self.author_states: dict[str, FileState] = {}
        self.problems: list[Problem] = []

    def write_papers(self, papers: Iterable[MergedPaper], tags: Mapping[str, tuple[str, ...]]) -> WriteCounts:
        papers = list(papers)
        counts = WriteCounts()
        files = _files(self.papers_dir, ".md")
        recorded = {key: st.slug for key, st in self.state.papers.items()}
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
        for paper in papers:
            slug = plans[paper.key].slug
            previous = self.state.papers.get(paper.key)
            machine = paper_fields(paper, slug, tags.get(paper.key, ()))
            if previous is not None and slug == previous.slug and slug not in files:
                counts.deleted += 1  # a person deleted it: do not bring it back
                self.paper_states[paper.key] = previous
                continue
            path = files.get(slug, self.papers_dir / f"{slug}.md")
            state = self._write(_PAPER, path, slug in files, machine, paper.abstract, previous, unrecorded.get(slug), counts)
            if state is not None or previous is not None:
                self.paper_states[paper.key] = state or previous

        for key, previous in self.state.papers.items():
            if key not in self.paper_states:
                counts.orphaned += 1
                self.paper_states[key] = previous
        return counts

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
            state = self._write(_AUTHOR, path, slug in files, profile_fields(profile, source), None, previous, None, counts)
            if state is not None or previous is not None:
                self.author_states[slug] = state or previous
        for slug, previous in self.state.authors.items():
            self.author_states.setdefault(slug, previous)
        return counts

    def _write(self, kind: _Kind, path: Path, exists: bool, machine: dict[str, Any], body: str | None,
               previous: FileState | None, loaded: tuple[bytes, Current] | None, counts: WriteCounts) -> FileState | None:
        """Bring one file up to date; returns its new state, or None when it could not be read."""
        slug = path.stem
        if loaded is None and exists:
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
        result = reconcile(machine, body, loaded[1] if loaded else None, previous)
        counts.edits_kept += len(result.edited)
        if loaded is not None and not result.changed:
            counts.unchanged += 1
            return file_state(slug, loaded[0], result)
        data = kind.render(result).encode("utf-8")
        write_atomic(path, data)
        if loaded is None:
            counts.new += 1
        else:
            counts.updated += 1
        return file_state(slug, data, result)

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


def _files(folder: Path, suffix: str) -> dict[str, Path]:
    """slug -> path of the content files in `folder` (dotfiles are not content)."""
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in folder.iterdir() if p.suffix == suffix and not p.name.startswith(".") and p.is_file()}


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
