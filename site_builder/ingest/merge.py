"""Merge the paper records of every dump into one record per paper (pure, no I/O).

Two records are the same paper when their titles have the same *merge key* (see `merge_key`).
Which record wins for each field is decided by source priority: the formats that show the most
about a paper come first (author profile > profile list > daily list > search list), then the
source file name, then the line in that file; so the result never depends on the order in
which the dumps were given.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from site_builder.records import AUTHOR_PROFILE, DAILY_LIST, PROFILE_LIST, SEARCH_LIST, PaperRecord, ParsedDump

# Lower is better: the order in which sources are trusted for authors, title, abstract, organisation.
_NOT_ALNUM = re.compile(r"[\W_]+")  # \w is letters, digits and "_"; keep letters and digits

FORMAT_PRIORITY: dict[str, int] = {AUTHOR_PROFILE: 0, PROFILE_LIST: 1, DAILY_LIST: 2, SEARCH_LIST: 3}


def merge_key(title: str) -> str:
    """The identity of a paper: its title without case, accents, whitespace or punctuation.

    Only letters and digits are kept (after NFKD, dropping combining accents, casefolding), so
    "Min-Max  Optimization:" and "min max optimization" are one paper. LaTeX is not interpreted:
    `$`, `\\`, `{`, `}`, `^`, `_` are punctuation and dropped, the letters of a command such as
    `\\tilde` are kept; two dumps writing the same title's math differently do not merge.
    """
    if title.isascii():  # the common case, without the per-character work below
        text = title.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", title)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    key = _NOT_ALNUM.sub("", text)
    # A title of punctuation only must not merge with every other such title.
    return key or " ".join(text.split())


@dataclass(frozen=True)
class SourceDump:
    """One parsed dump with the file name it came from and the day it was captured."""

    name: str
    dump: ParsedDump
    captured: dt.date


@dataclass(frozen=True)
class MergedPaper:
    """One paper with every source's information combined (the machine's view of a content file)."""

    key: str
    title: str
    abstract: str
    authors: tuple[str, ...]
    authors_complete: bool
    author_count: int | None
    affiliations: tuple[str, ...]
    date: dt.date | None
    added: dt.date
    categories: tuple[str, ...]
    code: bool
    upvotes: int | None
    organization: str | None
    sources: tuple[str, ...]


@dataclass(frozen=True)
class MergeResult:
    papers: tuple[MergedPaper, ...]  # sorted by merge key
    entries: int  # paper records read over all dumps

    @property
    def merged_duplicates(self) -> int:
        """Records that turned out to be a paper already seen (in another dump or the same one)."""
        return self.entries - len(self.papers)


@dataclass(frozen=True)
class _Seen:
    record: PaperRecord
    source: str
    priority: int
    captured: dt.date

    @property
    def reading_order(self) -> tuple[str, int]:
        return (self.source, self.record.line)

    @property
    def trust_order(self) -> tuple[int, str, int]:
        return (self.priority, self.source, self.record.line)


def merge_dumps(sources: Iterable[SourceDump]) -> MergeResult:
    """Group every record by merge key and merge each group into one `MergedPaper`."""
    groups: dict[str, list[_Seen]] = {}
    entries = 0
    for source in sources:
        priority = FORMAT_PRIORITY.get(source.dump.format, len(FORMAT_PRIORITY))
        for record in source.dump.papers:
            entries += 1
            groups.setdefault(merge_key(record.title), []).append(
                _Seen(record, source.name, priority, source.captured)
            )
    papers = tuple(_merge_group(key, groups[key]) for key in sorted(groups))
    return MergeResult(papers, entries)


def _merge_group(key: str, seen: list[_Seen]) -> MergedPaper:
    return _single(key, seen[0]) if len(seen) == 1 else _merge_many(key, seen)


def _merge_many(key: str, seen: list[_Seen]) -> MergedPaper:
    by_trust = sorted(seen, key=lambda s: s.trust_order)
    by_reading = sorted(seen, key=lambda s: s.reading_order)
    records = [s.record for s in by_trust]

    # Title and abstract: the most trusted format; among records of that format the longest
    # abstract (a list page may shorten it), then the usual order.
    best = min(by_trust, key=lambda s: (s.priority, -len(s.record.abstract), s.source, s.record.line)).record

    # Authors: only from a record that names them; a complete list beats an "et al." one.
    naming = [r for r in records if r.authors]
    complete = [r for r in naming if r.authors_complete]
    author_source = complete[0] if complete else (naming[0] if naming else None)

    counts = [r.author_count for r in records if r.author_count is not None]
    dates = [r.date for r in records if r.date is not None]
    upvotes = [r.upvotes for r in records if r.upvotes is not None]
    organization = next((r.organization for r in records if r.organization), None)

    return MergedPaper(
        key=key,
        title=best.title,
        abstract=best.abstract,
        authors=author_source.authors if author_source else (),
        authors_complete=bool(author_source and author_source.authors_complete),
        author_count=max(counts) if counts else None,
        affiliations=_union(s.record.affiliations for s in by_reading),
        date=min(dates) if dates else None,
        added=min(s.captured for s in seen),
        categories=_union(s.record.categories for s in by_reading),
        code=any(r.code for r in records),
        upvotes=max(upvotes) if upvotes else None,
        organization=organization,
        sources=_union((s.source,) for s in by_reading),
    )


def _single(key: str, seen: _Seen) -> MergedPaper:
    """`_merge_many` of a paper found once (most are), without the sorting and searching."""
    r = seen.record
    return MergedPaper(
        key=key,
        title=r.title,
        abstract=r.abstract,
        authors=r.authors if r.authors else (),
        authors_complete=bool(r.authors and r.authors_complete),
        author_count=r.author_count,
        affiliations=tuple(dict.fromkeys(r.affiliations)),
        date=r.date,
        added=seen.captured,
        categories=tuple(dict.fromkeys(r.categories)),
        code=bool(r.code),
        upvotes=r.upvotes,
        organization=r.organization or None,
        sources=(seen.source,),
    )


def _union(lists: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    """Every item once, in the order first seen."""
    return tuple(dict.fromkeys(item for items in lists for item in items))
