"""The site model: typed, frozen records that every page, feed and index is rendered from.

`content.py` loads content files into `Paper`s and `AuthorProfile`s; `site.py` derives the
collections (authors, tags, days, related papers) once, before anything is rendered, so every
page and feed sees the same model. Nothing downstream mutates it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

# Human names of the arXiv categories the digest knows; unknown ids are shown as written.
ARXIV_CATEGORY_NAMES: dict[str, str] = {
    "cs.LG": "Machine Learning",
    "cs.AI": "Artificial Intelligence",
    "cs.CL": "Computation and Language",
    "cs.CV": "Computer Vision and Pattern Recognition",
    "math.OC": "Optimization and Control",
    "math.ST": "Statistics Theory",
    "math.NA": "Numerical Analysis",
    "stat.ML": "Machine Learning (Statistics)",
    "quant-ph": "Quantum Physics",
}


@dataclass(frozen=True, slots=True)
class Paper:
    """One paper, as its content file `content/papers/<slug>.md` describes it."""

    slug: str
    title: str
    body: str  # the abstract, Markdown source with LaTeX as written
    authors: tuple[str, ...] = ()
    authors_complete: bool = True
    author_count: int | None = None
    affiliations: tuple[str, ...] = ()
    date: dt.date | None = None  # publication date
    added: dt.date | None = None  # day the paper entered the digest
    categories: tuple[str, ...] = ()  # arXiv ids
    tags: tuple[str, ...] = ()  # topic slugs
    code: bool = False
    upvotes: int | None = None
    organization: str | None = None
    sources: tuple[str, ...] = ()
    source_path: str = ""  # the content file, for error messages
    title_html: str = ""  # title with math rendered, everything else escaped
    abstract_html: str = ""  # body rendered from Markdown, math rendered

    @property
    def digest_day(self) -> dt.date | None:
        """The day whose digest lists this paper: its publication date, else the day it was added."""
        return self.date or self.added

    @property
    def arrival_day(self) -> dt.date | None:
        """The day the paper reached the digest: when it was added, else its digest day."""
        return self.added or self.date

    @property
    def missing_authors(self) -> int:
        """How many authors the list leaves out, when a total is known (for '+N more')."""
        if self.author_count is None:
            return 0
        return max(0, self.author_count - len(self.authors))


def arrival_order(papers: Iterable[Paper]) -> list[Paper]:
    """Papers (given in digest order) by the day they reached the digest, latest first (none
    last); a stable sort, so digest order within a day. A tag's pages and feed list its papers
    so: a day's new papers come first, whatever their publication date, so readers see an
    old paper the digest just took in, and a tag's archive pages, counted from its oldest
    (`views.list_page_bounds`), keep their papers."""
    def latest_first(paper: Paper) -> tuple[bool, int]:
        day = paper.arrival_day
        return day is None, -day.toordinal() if day else 0

    return sorted(papers, key=latest_first)


def iso_date(day: dt.date | None) -> str | None:
    """"2025-01-31", or None: a date as the plain value an inputs signature is made of."""
    return day.isoformat() if day is not None else None


def digest_order(day: dt.date | None, title: str, slug: str) -> tuple:
    """The sort key of the site's paper order: newest digest day first (papers with no day
    last), then title, then slug."""
    return (day is None, -day.toordinal() if day else 0, title.casefold(), title, slug)


@dataclass(frozen=True, slots=True)
class AuthorProfile:
    """Figures from an author's profile page (`content/authors/<slug>.yaml`)."""

    slug: str
    name: str
    primary_category: str | None = None
    h_index: int | None = None
    papers: int | None = None
    citations: int | None = None
    novelty: int | None = None
    ai_score: int | None = None
    source: str | None = None  # the dump the figures were captured from
    captured: dt.date | None = None  # when they were captured


@dataclass(frozen=True, slots=True)
class Author:
    """An author page: every paper (newest first), co-authors with counts, affiliations seen."""

    slug: str
    name: str
    papers: tuple[Paper, ...]
    coauthors: tuple[tuple[str, str, int], ...] = ()  # (slug, name, shared papers), most shared first
    affiliations: tuple[str, ...] = ()
    profile: AuthorProfile | None = None


@dataclass(frozen=True, slots=True)
class Tag:
    """A tag page: an arXiv category (`kind="category"`) or a topic (`kind="topic"`)."""

    slug: str  # URL slug: /tags/<slug>/
    key: str  # what papers carry: "cs.LG" for a category, the topic slug for a topic
    name: str  # display name
    kind: str  # "category" | "topic"
    papers: tuple[Paper, ...] = ()  # latest to reach the digest first (`arrival_order`)


@dataclass(frozen=True, slots=True)
class DigestDay:
    """One day of the digest: the papers whose digest day it is."""

    date: dt.date
    papers: tuple[Paper, ...]
    previous: dt.date | None = None  # the nearest earlier day with papers
    next: dt.date | None = None  # the nearest later day with papers


@dataclass(frozen=True)
class Site:
    """The whole site model, derived once before rendering."""

    papers: tuple[Paper, ...]  # newest digest day first, then title
    authors: tuple[Author, ...]  # alphabetical
    tags: tuple[Tag, ...]  # categories then topics, alphabetical by name
    days: tuple[DigestDay, ...]  # newest first
    related: dict[str, tuple[Paper, ...]] = field(default_factory=dict)  # paper slug -> related papers
    profiles: dict[str, AuthorProfile] = field(default_factory=dict)
