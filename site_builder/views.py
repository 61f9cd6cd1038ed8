"""View models: what each template shows, computed in Python from the site model.

Templates only lay these out; every decision (which link, which label, "et al." or "+3 more",
date wording, grouping) is made here, in pure functions of the model, so it is tested once and
a site theme that overrides a template cannot get it wrong.

Strings are plain text and are escaped by the templates; the only HTML is `Markup` made from
HTML that `content.py` rendered with everything user-supplied escaped (titles and abstracts
with math) and JSON-LD made safe for a <script> element by `citation.json_ld_script`.
"""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from site_builder.config import SiteConfig
from site_builder.texts import NO_TEXTS, PaperText, TextStore, paper_text
from site_builder.model import ARXIV_CATEGORY_NAMES, Author, DigestDay, Paper, Site, Tag
from site_builder.slugs import author_slug
from site_builder.urls import Urls

MONTHS = ("January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December")


@dataclass(frozen=True, slots=True)
class Link:
    href: str  # "" when there is nothing to link to (shown as text)
    text: str


@dataclass(frozen=True, slots=True)
class CountedLink:
    href: str
    text: str
    count: int
    detail: str = ""  # e.g. the arXiv id next to a category name


class Card:
    """A paper in a list (home, day, author, tag pages): what a theme's card shows.

    What every card shows (link, title, excerpt) is set when the card is made; its details
    (authors, date, categories, topics, badges) are derived from the paper when a template
    reads them. Why: on large sites the details come from fragments made once per paper
    before the pages (`render.Renderer.render_card_details`), and the page workers' cards
    never read them: made with every field, a card took 14 us instead of 5.5 (measured at
    10,000 papers), and at 100,000 papers a worker makes 80,000-100,000 cards. A detail read
    twice is derived twice (cheap: links are made once per name).

    Compared and hashed by identity: `SiteIndex.card` makes one per paper and the memoized
    macros (`theme.MEMOIZED_MACROS`) look results up by it (the cache holds the card, so an
    identity cannot be reused while it is cached)."""

    __slots__ = ("slug", "href", "title_html", "excerpt_html", "_paper", "_index")

    def __init__(self, paper: Paper, index: SiteIndex):
        self.slug = paper.slug  # the paper's
        self.href = index.link(index.urls.paper(paper.slug))
        self.title_html = Markup(paper.title_html)
        self.excerpt_html = Markup(index.excerpt_html(paper))  # the abstract's start, math rendered, escaped
        self._paper = paper
        self._index = index

    @property
    def authors(self) -> tuple[Link, ...]:
        """href "" for a name without an author page."""
        return self._index.author_links(self._paper)

    @property
    def more_authors(self) -> str:
        """"", "et al." or "+N more"."""
        return more_authors(self._paper)

    @property
    def date_iso(self) -> str:
        day = self._paper.digest_day
        return day.isoformat() if day else ""

    @property
    def date_text(self) -> str:
        day = self._paper.digest_day
        return date_text(day) if day else ""

    @property
    def categories(self) -> tuple[Link, ...]:
        return self._index.category_links(self._paper)

    @property
    def topics(self) -> tuple[Link, ...]:
        return self._index.topic_links(self._paper)

    @property
    def code(self) -> bool:
        return self._paper.code

    @property
    def upvotes(self) -> int | None:
        return self._paper.upvotes

    def __repr__(self) -> str:
        return f"Card({self.slug!r})"


@dataclass(frozen=True, slots=True)
class DateLink:
    href: str
    iso: str
    text: str


@functools.lru_cache(maxsize=4096)  # a few days' dates are on every page of a list
def date_text(day: dt.date) -> str:
    """"6 March 2023": spelled out, and independent of the machine's locale."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def arrival_text(papers: Sequence[Paper]) -> str:
    """The days papers reached the digest (`Paper.arrival_day`), as "3 January 2025" or
    "3 January 2025 to 17 January 2025" (oldest first, as a range is read); "" when none has one."""
    days = [p.arrival_day for p in papers if p.arrival_day is not None]
    if not days:
        return ""
    newest, oldest = max(days), min(days)
    return date_text(newest) if newest == oldest else f"{date_text(oldest)} to {date_text(newest)}"


def category_label(key: str) -> str:
    """A category's display name with its arXiv id: "Machine Learning (cs.LG)"."""
    name = ARXIV_CATEGORY_NAMES.get(key)
    return f"{name} ({key})" if name else key


def initial_of(name: str) -> str:
    """The letter an author is filed under on /authors/: accents dropped, "#" for non-letters."""
    for ch in unicodedata.normalize("NFKD", name):
        if ch.isalpha():
            return ch.upper()
        if not unicodedata.combining(ch) and not ch.isspace():
            return "#"
    return "#"


class SiteIndex:
    """Lookups built once per site (linear in its size), shared by every view of one build.

    `texts` are the papers' plain texts from `load_content` (computed here when missing). Each
    paper's `Card` is made once and reused by every list that shows it (about 13: see
    `theme.MEMOIZED_MACROS`).
    """

    def __init__(self, site: Site, config: SiteConfig, urls: Urls, texts: TextStore = NO_TEXTS):
        self.site = site
        self.texts = texts
        self._derived: dict[str, PaperText] = {}  # texts derived here, for papers `texts` lacks
        # Every card made is kept until `forget_cards` (a worker's pages need nearly every paper's).
        # Bounded to 30,000 (most recently used), a worker's pages at 100,000 papers made a
        # quarter of their cards again: 23% more CPU, for about the same memory (measured: the
        # cards made again took it instead).
        self._cards: dict[str, Card] = {}
        self.config = config
        self.urls = urls
        self.authors_by_name: dict[str, Author] = {a.name: a for a in site.authors}
        self.authors_by_slug: dict[str, Author] = {a.slug: a for a in site.authors}
        self.categories: dict[str, Tag] = {t.key: t for t in site.tags if t.kind == "category"}
        self.topics: dict[str, Tag] = {t.key: t for t in site.tags if t.kind == "topic"}
        self.tags_by_slug: dict[str, Tag] = {t.slug: t for t in site.tags}
        self.papers_by_slug: dict[str, Paper] = {p.slug: p for p in site.papers}
        self.days_by_iso: dict[str, DigestDay] = {d.date.isoformat(): d for d in site.days}
        # Links made once per name or key: a name is on its author's every paper, a tag on many.
        self._author_link: dict[str, Link] = {}
        self._category_link: dict[str, Link] = {}
        self._topic_link: dict[str, Link] = {}

    def author_for(self, name: str) -> Author | None:
        """The author page of a name as a paper writes it (exact name, else its slug)."""
        found = self.authors_by_name.get(name)
        if found is None:  # another spelling of a name that slugifies alike (site.py merges them)
            found = self.authors_by_slug.get(author_slug(name))
        return found

    def link(self, rel: str) -> str:
        return self.urls.path(rel)

    # -- pieces shared by several pages --------------------------------------------------

    def author_links(self, paper: Paper) -> tuple[Link, ...]:
        made = self._author_link
        out: list[Link] = []
        for name in paper.authors:
            found = made.get(name)
            if found is None:
                author = self.author_for(name)
                found = made[name] = Link(self.link(self.urls.author(author.slug)) if author else "", name)
            out.append(found)
        return tuple(out)

    def author_filter_names(self, paper: Paper) -> tuple[str, ...]:
        """The author names a search filter offers: each person's page name, so that two
        spellings of one name ("Akyurek", "Akyürek") are one filter value."""
        names: dict[str, None] = {}
        for name in paper.authors:
            author = self.author_for(name)
            names[author.name if author else name] = None
        return tuple(names)

    def category_links(self, paper: Paper) -> tuple[Link, ...]:
        made = self._category_link
        return tuple([made.get(key) or self._make_tag_link(made, self.categories, key, category_label(key))
                      for key in paper.categories])

    def topic_links(self, paper: Paper) -> tuple[Link, ...]:
        made = self._topic_link
        return tuple([made.get(key) or self._make_tag_link(made, self.topics, key, None)
                      for key in paper.tags])

    def _make_tag_link(self, made: dict[str, Link], tags: dict[str, Tag], key: str, label: str | None) -> Link:
        """The link of a category or topic (`label`: its text; None: the topic's name)."""
        tag = tags.get(key)
        text = label if label is not None else (tag.name if tag else key)
        found = made[key] = Link(self.link(self.urls.tag(tag.slug)) if tag else "", text)
        return found

    def text(self, paper: Paper) -> PaperText:
        found = self.texts.get(paper.slug) or self._derived.get(paper.slug)
        if found is None:
            found = self._derived[paper.slug] = paper_text(paper.title, paper.body)
        return found

    def excerpt_html(self, paper: Paper) -> str:
        """`text(paper).excerpt_html`, read without the other texts."""
        found = self.texts.excerpt_html(paper.slug)
        return found if found is not None else self.text(paper).excerpt_html

    def forget_cards(self) -> None:
        self._cards.clear()

    def card(self, paper: Paper) -> Card:
        found = self._cards.get(paper.slug)
        if found is None:
            found = self._cards[paper.slug] = Card(paper, self)
        return found

    def cards(self, papers: Iterable[Paper]) -> tuple[Card, ...]:
        return tuple(self.card(p) for p in papers)

    def day_link(self, day: dt.date | None) -> DateLink | None:
        if day is None:
            return None
        return DateLink(self.link(self.urls.day(day)), day.isoformat(), date_text(day))

    def counted_author(self, slug: str, name: str, count: int) -> CountedLink:
        href = self.link(self.urls.author(slug)) if slug in self.authors_by_slug else ""
        return CountedLink(href, name, count)

    def tag_link(self, tag: Tag) -> CountedLink:
        detail = tag.key if tag.kind == "category" and tag.name != tag.key else ""
        return CountedLink(self.link(self.urls.tag(tag.slug)), tag.name, len(tag.papers), detail)


def more_authors(paper: Paper) -> str:
    """What follows a paper's author list when the list is incomplete."""
    missing = paper.missing_authors
    if not paper.authors:  # nothing to add "more" to
        if missing:
            return f"{missing} author{'s' if missing != 1 else ''} (names not listed)"
        return "" if paper.authors_complete else "Authors not listed"
    if missing:
        return f"+{missing} more"
    if not paper.authors_complete:
        return "et al."
    return ""


@dataclass(frozen=True, slots=True)
class Page:
    """A link to one page of a paginated list."""

    label: str  # "Newest", "Page 12"
    href: str
    current: bool


@dataclass(frozen=True, slots=True)
class Pagination:
    newer: str | None  # href of the page before this one (newest first), rel="prev"
    older: str | None  # href of the page after it, rel="next"
    pages: tuple[Page | None, ...]  # newest first; None marks a gap ("...")


# A list of papers (a tag's, latest first) is paginated so that its pages stay put as papers
# arrive: archive pages 1, 2, ... each hold `size` papers counted from the OLDEST, and the
# front page holds the rest, from `size` to 2 * `size` - 1 papers (all of them when fewer than
# 2 * `size`). A tag lists its papers in the order they reached the digest
# (`model.arrival_order`), so a day's new papers change the front page only, plus, when the
# front page fills up, a new archive page and the few pages whose links reach it. Numbered from
# the newest (until 2026-12-07), every page of a tag changed with every paper added to it: at
# 100,000 papers, a day of 128 new papers changed 6,855 of the 6,900 tag pages; numbered from
# the oldest but in digest order (by publication date, so a new paper of last week or of 2019
# lands behind the front page), 2,681; as now, 116. A link to "cs.LG, page 12" also keeps
# showing the same papers.

ARCHIVE_LINK_WINDOW = 2  # archive pages linked on either side of the current one


def archived_pages(count: int, size: int) -> int:
    """How many archive pages a list of `count` papers has (0: all on the front page)."""
    return max(0, count // size - 1)


def list_page_bounds(count: int, size: int, number: int) -> tuple[int, int]:
    """(start, stop) of page `number` (0: the front page) in the list, newest first."""
    archived = archived_pages(count, size)
    if number == 0:
        return 0, count - archived * size
    if not 1 <= number <= archived:
        raise ValueError(f"a list of {count} has no archive page {number}")
    return count - number * size, count - (number - 1) * size


def archive_reach(number: int, archived: int) -> int:
    """What page `number`'s links depend on besides `number`: how far up its window reaches,
    one past it meaning the front page comes next (so adding an archive page changes the
    links of the ARCHIVE_LINK_WINDOW + 1 newest pages only)."""
    return min(archived, number + ARCHIVE_LINK_WINDOW + 1)


def pagination(number: int, archived: int, href_of) -> Pagination | None:
    """Links from page `number` (0: the front page) of a list with `archived` archive pages:
    newer and older, the front page, archive page 1 and the pages within
    ARCHIVE_LINK_WINDOW of this one, newest first. Links to the front and to page 1 stay put as
    papers arrive; none says how many pages there are. None when the list has one page."""
    if archived == 0:
        return None
    position = archived + 1 if number == 0 else number  # the front page sits above the newest archive page
    window = range(max(1, position - ARCHIVE_LINK_WINDOW), min(archived, position + ARCHIVE_LINK_WINDOW) + 1)
    shown = sorted({1, *window}, reverse=True)
    pages: list[Page | None] = [Page("Newest", href_of(0), number == 0)]
    above = archived + 1
    for shown_number in shown:
        if shown_number < above - 1:
            pages.append(None)
        pages.append(Page(f"Page {shown_number}", href_of(shown_number), shown_number == number))
        above = shown_number
    return Pagination(
        newer=None if number == 0 else href_of(0 if number == archived else number + 1),
        older=href_of(archived if number == 0 else number - 1) if number != 1 else None,
        pages=tuple(pages),
    )


@dataclass(frozen=True, slots=True)
class LetterGroup:
    letter: str
    anchor: str
    authors: tuple[CountedLink, ...]


def letter_groups(index: SiteIndex, authors: Sequence[Author]) -> tuple[LetterGroup, ...]:
    """Authors grouped by initial, in the (alphabetical) order the model gives them."""
    groups: dict[str, list[CountedLink]] = {}
    for author in authors:
        letter = initial_of(author.name)
        groups.setdefault(letter, []).append(
            CountedLink(index.link(index.urls.author(author.slug)), author.name, len(author.papers))
        )
    ordered = sorted(groups, key=lambda letter: (letter == "#", letter))
    return tuple(
        LetterGroup(letter, "letter-" + (f"{ord(letter):x}" if not letter.isascii() or letter == "#" else letter),
                    tuple(groups[letter]))
        for letter in ordered
    )


@dataclass(frozen=True, slots=True)
class MonthGroup:
    name: str
    anchor: str
    days: tuple[CountedLink, ...]


@dataclass(frozen=True, slots=True)
class YearGroup:
    year: int
    months: tuple[MonthGroup, ...]


def archive_groups(index: SiteIndex, days: Sequence[DigestDay]) -> tuple[YearGroup, ...]:
    """Digest days by year and month, newest first (the order the model gives them)."""
    years: dict[int, dict[int, list[CountedLink]]] = {}
    for day in days:
        link = CountedLink(index.link(index.urls.day(day.date)), date_text(day.date), len(day.papers))
        years.setdefault(day.date.year, {}).setdefault(day.date.month, []).append(link)
    return tuple(
        YearGroup(year, tuple(
            MonthGroup(f"{MONTHS[month - 1]} {year}", f"m-{year}-{month:02d}", tuple(links))
            for month, links in months.items()
        ))
        for year, months in years.items()
    )
