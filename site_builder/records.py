"""Records: what the ingest parsers produce from one dump (pure data, no I/O).

Every parser is a pure function `text -> ParsedDump`; the ingest stage merges the
records of all dumps and writes content files from them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from site_builder.errors import Problem

# Names of the dump formats, as reported in the ingest summary.
AUTHOR_PROFILE = "author-profile"
PROFILE_LIST = "profile-list"
SEARCH_LIST = "search-list"
DAILY_LIST = "daily-list"


@dataclass(frozen=True)
class PaperRecord:
    """One paper as one dump shows it. Fields a dump does not state keep their defaults."""

    title: str
    abstract: str
    line: int  # 1-based line in the dump where this paper's block starts
    authors: tuple[str, ...] = ()
    authors_complete: bool = False  # True only when the dump names every author
    author_count: int | None = None  # the total, when the dump states it ("6 authors")
    affiliations: tuple[str, ...] = ()
    date: dt.date | None = None  # publication date, year already resolved
    categories: tuple[str, ...] = ()  # arXiv ids (cs.LG, math.OC, ...), or unknown codes as written
    code: bool = False
    upvotes: int | None = None
    organization: str | None = None


@dataclass(frozen=True)
class ProfileHeader:
    """The header of an author profile page."""

    name: str
    primary_category: str | None
    h_index: int | None
    papers: int | None
    citations: int | None
    novelty: int | None  # percent
    ai_score: int | None
    line: int = 1


@dataclass(frozen=True)
class ParsedDump:
    """Everything one dump yields. `problems` are blocks that were rejected (with their line);
    `warnings` are things kept but worth telling the user (e.g. an unknown category code)."""

    format: str
    papers: tuple[PaperRecord, ...]
    capture_date: dt.date | None = None  # the dump's own date, where it shows one
    profile: ProfileHeader | None = None
    problems: tuple[Problem, ...] = field(default=())
    warnings: tuple[Problem, ...] = field(default=())
