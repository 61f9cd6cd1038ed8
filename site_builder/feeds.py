"""Every feed of the site, rendered from the model: pure `Site` -> `(output path, bytes)`.

- `feed.xml` (RSS 2.0) and `atom.xml` (Atom 1.0): the daily digest, one item per digest day,
  newest first, each listing that day's papers (title linked, authors, abstract excerpt).
- `authors/<slug>/feed.xml` and `tags/<slug>/feed.xml` (RSS 2.0): one item per paper, newest first
  (a tag's: the latest to reach the digest first, `model.arrival_order`),
  with a `dc:creator` per author and a `category` per arXiv category and topic.
- `feeds.opml` (OPML 2.0, `site_builder.opml`): every feed above, for a reader to import at once.

Rules every feed follows (tests/build/test_feeds.py checks each):
- Absolute URLs everywhere (from `Urls.absolute`, so a base URL with a path like `/sub/` is kept).
- Dates: a day is that day at 00:00 UTC (the only zone `SiteConfig.timezone` supports); RFC 822 in
  RSS, RFC 3339 in Atom. `lastBuildDate` / `updated` is the newest item's day, never "now", so
  the same content gives byte-identical feeds.
- A paper with no digest day (neither `date` nor `added`) is left out of the author and tag feeds:
  an item needs a date to be ordered and shown, and inventing one would tell readers something
  false. Every author and tag still gets its feed (perhaps empty) because its page links to it.
- HTML (titles with math, abstracts) goes in descriptions as escaped text, never CDATA, so a title
  like `<script>` stays inert text.

How: Jinja2 XML templates with autoescaping on, so every value is escaped unless it is a
`Markup` fragment this module rendered itself; `finalize_xml` first drops the characters XML 1.0
cannot hold. The exception is the RSS item (`rss_item`, one per paper), written in Python with
the same two steps, for speed (tests/build/test_feeds.py checks it against the template it
replaced). Not feedgen: it can be made deterministic, but on 10,000 papers / 3,300 authors /
60 tags its author and tag feeds took 3.1 s of CPU (a FeedEntry object per item, each extension
loaded into every entry, dates parsed with dateutil); building the same feeds with lxml
directly took 1.2 s, most of it escaping each abstract again in every one of the seven or so
feeds its paper is in. Here each paper's `<item>` is rendered once and reused: 0.6 s for every feed.
Told the order in which feeds will be rendered (`FeedRenderer.plan`), a renderer keeps an item
exactly while a later feed shows it (`site_builder.reuse`).
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from email.utils import format_datetime

import jinja2
from markupsafe import Markup

from site_builder.config import SiteConfig
from site_builder.texts import EXCERPT_LENGTH, NO_TEXTS, TextStore
from site_builder.markup import excerpt, plain_text, render_abstract_html, render_title_html
from site_builder.model import DigestDay, Paper, Site, Tag, iso_date
from site_builder.opml import FeedInfo, finalize_xml, render_opml, xml_environment
from site_builder.reuse import ScheduledCache, next_uses
from site_builder.theme import fast_escape
from site_builder.urls import Urls
from site_builder.views import more_authors

GENERATOR = "site_builder"
DIGEST_RSS_PATH = "feed.xml"
DIGEST_ATOM_PATH = "atom.xml"
OPML_PATH = "feeds.opml"  # written by site_builder.opml.render_opml
EMPTY_FEED_DATE = dt.date(1970, 1, 1)  # Atom's required `updated` when the site has no dated paper

# --- templates (XML; autoescaped) ----------------------------------------------------------------

# An RSS document is this head, the items (rendered once each, see `_PaperItems`), then _RSS_FOOT.
_RSS_HEAD_TEMPLATE = """\
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel>
    <title>{{ title }}</title>
    <link>{{ link }}</link>
    <description>{{ description }}</description>
    <atom:link href="{{ self_url }}" rel="self" type="application/rss+xml"/>
    <language>{{ language }}</language>
    <generator>{{ generator }}</generator>
    <dc:publisher>{{ publisher }}</dc:publisher>
{% if last_build_date %}
    <lastBuildDate>{{ last_build_date }}</lastBuildDate>
{% endif %}
"""
_RSS_FOOT = b"  </channel>\n</rss>\n"

_ATOM_TEMPLATE = """\
<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{{ config.language }}">
  <title>{{ config.title }}</title>
  <subtitle>{{ config.description }}</subtitle>
  <id>{{ home }}</id>
  <link rel="alternate" type="text/html" href="{{ home }}"/>
  <link rel="self" type="application/atom+xml" href="{{ self_url }}"/>
  <updated>{{ updated }}</updated>
  <author><name>{{ config.author }}</name></author>
  <generator>{{ generator }}</generator>
{% for entry in entries %}
  <entry>
    <title>{{ entry.title }}</title>
    <id>{{ entry.url }}</id>
    <link rel="alternate" type="text/html" href="{{ entry.url }}"/>
    <published>{{ entry.date }}</published>
    <updated>{{ entry.date }}</updated>
    <content type="html">{{ entry.html }}</content>
  </entry>
{% endfor %}
</feed>
"""

# The description of a digest day: HTML, which the feed templates then escape as text.
_DAY_HTML_TEMPLATE = """\
{% for paper in papers %}
<h3><a href="{{ paper.url }}">{{ paper.title_html }}</a></h3>
{% if paper.authors %}
<p>{{ paper.authors }}</p>
{% endif %}
{% if paper.excerpt %}
<p>{{ paper.excerpt }}</p>
{% endif %}
{% endfor %}
"""

_ENV = xml_environment(jinja2.DictLoader(
    {"rss": _RSS_HEAD_TEMPLATE, "atom": _ATOM_TEMPLATE, "day": _DAY_HTML_TEMPLATE}
))
_RSS_HEAD, _ATOM, _DAY_HTML = (_ENV.get_template(n) for n in ("rss", "atom", "day"))


def _xml(value: object) -> str:
    """`value` as the feed templates write it: XML-safe (`finalize_xml`), then escaped."""
    return fast_escape(finalize_xml(value))


def rss_item(title: str, url: str, description: str, creators: Sequence[str], categories: Sequence[str],
             pub_date: str) -> bytes:
    """An RSS `<item>`, every value escaped as in the templates above. Written in Python, not as
    a template: a site has an item per paper (at 100,000 papers a worker renders some 125,000),
    and Jinja took 32 us an item where this takes 23 (most of it escaping the abstract)."""
    link = _xml(url)
    parts = ["    <item>\n      <title>", _xml(title), "</title>\n      <link>", link,
             "</link>\n      <description>", _xml(description), "</description>\n"]
    for name in creators:
        parts += ("      <dc:creator>", _xml(name), "</dc:creator>\n")
    for category in categories:
        parts += ("      <category>", _xml(category), "</category>\n")
    parts += ('      <guid isPermaLink="true">', link, "</guid>\n      <pubDate>", _xml(pub_date),
              "</pubDate>\n    </item>\n")
    return "".join(parts).encode()


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """Which feed: "rss" / "atom" (the daily digest), "author" / "tag" (by slug), "opml"."""

    kind: str
    key: str = ""


def feed_specs(site: Site) -> list[FeedSpec]:
    """Every feed, in a fixed order: feed.xml, atom.xml, the author feeds (site order), the tag
    feeds (site order), feeds.opml."""
    return [FeedSpec("rss"), FeedSpec("atom"), *(FeedSpec("author", a.slug) for a in site.authors),
            *(FeedSpec("tag", t.slug) for t in site.tags), FeedSpec("opml")]


def render_feeds(site: Site, config: SiteConfig, urls: Urls,
                 texts: TextStore = NO_TEXTS) -> list[tuple[str, bytes]]:
    """Every feed of the site as (output-relative path, bytes), in `feed_specs` order."""
    return list(iter_feeds(site, config, urls, texts))


def iter_feeds(site: Site, config: SiteConfig, urls: Urls,
               texts: TextStore = NO_TEXTS) -> Iterator[tuple[str, bytes]]:
    """`render_feeds` one feed at a time, so a writer can stream them to disk (at 10,000 papers
    the author feeds hold about 110 MB, since each item carries the paper's whole abstract)."""
    renderer = FeedRenderer(site, config, urls, texts)
    specs = feed_specs(site)
    renderer.plan(specs)
    for spec in specs:
        yield renderer.path(spec), renderer.render(spec)


class FeedRenderer:
    """Renders the feeds of one site, one `FeedSpec` at a time, in any order or process.

    Each paper's `<item>` is rendered once per renderer and reused by every feed it is in: kept
    for as long as a later feed shows it, once `plan` was told the order of the feeds (without,
    an item is kept until ITEM_CACHE_SIZE newer ones push it out).
    `inputs(spec)` lists what a feed shows besides the config (see `render.Renderer.inputs`);
    `tokens` (paper slug -> hash of its file) stand for the papers there."""

    def __init__(self, site: Site, config: SiteConfig, urls: Urls,
                 texts: TextStore = NO_TEXTS, tokens: Mapping[str, str] | None = None):
        self.site, self.config, self.urls = site, config, urls
        self.texts = texts
        self.tokens = tokens or {}
        self.authors = {a.slug: a for a in site.authors}
        self.tags = {t.slug: t for t in site.tags}
        self._items = _PaperItems(urls, {t.key: t.name for t in site.tags if t.kind == "topic"}, self.texts)
        self._days: list[_DayItem] | None = None
        self._order: list[FeedSpec] = []  # the feeds in the order they will be rendered (`plan`)
        # Feed -> (its place in that order, the papers it shows, each one's next use).
        self._plan: dict[FeedSpec, tuple[int, list[Paper], tuple[int, ...]]] = {}
        self._unplanned = 0  # the next unplanned feed's place (after every planned one)
        self._shown: dict[FeedSpec, list[Paper]] = {}  # `shown`, made once (the plan and its order read it)

    def shown(self, spec: FeedSpec) -> list[Paper]:
        """The papers an author or tag feed shows, newest first ([] for the other feeds)."""
        found = self._shown.get(spec)
        if found is None:
            if spec.kind == "author":
                found = _feed_papers(self.authors[spec.key].papers, self.config)
            elif spec.kind == "tag":
                found = _feed_papers(self.tags[spec.key].papers, self.config)
            else:
                found = []
            self._shown[spec] = found
        return found

    def middle(self, spec: FeedSpec) -> Paper | None:
        """The middle one of the papers an author or tag feed shows (None: it shows none): an
        order of the feeds is made of it (`outputs.SiteOutputs._locality`)."""
        shown = self.shown(spec)
        return shown[len(shown) // 2] if shown else None

    def plan(self, specs: Sequence[FeedSpec]) -> None:
        """The feeds in the order they will be rendered (in this process or in forked ones), so
        that a paper's item is kept only while a later feed shows it (see `site_builder.reuse`).
        When each item is next shown is worked out at the first planned feed rendered: in a
        worker, while the others may still be rendering pages. Any order renders the same bytes."""
        self._order = list(specs)
        self._plan = {}
        self._unplanned = len(specs)

    def _planned(self, spec: FeedSpec) -> tuple[int, list[Paper], tuple[int, ...]] | None:
        if self._order and not self._plan:
            shown = [self.shown(s) for s in self._order]
            nexts = next_uses([[paper.slug for paper in papers] for papers in shown])
            self._plan = {s: (position, papers, nexts[position])
                          for position, (s, papers) in enumerate(zip(self._order, shown))}
        return self._plan.get(spec)

    def path(self, spec: FeedSpec) -> str:
        if spec.kind == "rss":
            return DIGEST_RSS_PATH
        if spec.kind == "atom":
            return DIGEST_ATOM_PATH
        if spec.kind == "author":
            return self.urls.author_feed(spec.key)
        if spec.kind == "tag":
            return self.urls.tag_feed(spec.key)
        if spec.kind == "opml":
            return OPML_PATH
        raise ValueError(f"unknown feed kind {spec.kind!r}")

    def render(self, spec: FeedSpec) -> bytes:
        config, urls = self.config, self.urls
        if spec.kind == "rss":
            return _digest_rss(self._day_items(), config, urls)
        if spec.kind == "atom":
            return _digest_atom(self._day_items(), config, urls)
        if spec.kind == "author":
            author = self.authors[spec.key]
            feed = FeedInfo(author.name, urls.author_feed(author.slug), urls.author(author.slug), "Authors")
            about = f"Papers by {author.name} in {config.title}."
            return _paper_feed(feed, about, self._items_of(spec), config, urls)
        if spec.kind == "tag":
            tag = self.tags[spec.key]
            label = tag_label(tag)
            feed = FeedInfo(label, urls.tag_feed(tag.slug), urls.tag(tag.slug), _tag_group(tag))
            return _paper_feed(feed, f"Papers in {label} in {config.title}.", self._items_of(spec), config, urls)
        if spec.kind == "opml":
            return render_opml(self._feed_list(), config, urls)
        raise ValueError(f"unknown feed kind {spec.kind!r}")

    def _items_of(self, spec: FeedSpec) -> list[tuple[Paper, bytes]]:
        """The papers an author or tag feed shows, each with its RSS item."""
        planned = self._planned(spec)
        if planned is None:  # kept until newer items push it out (as if used by the last feed)
            position, papers, nexts = self._unplanned, self.shown(spec), itertools.repeat(_UNKNOWN)
            self._unplanned += 1
        else:
            position, papers, nexts = planned
        get = self._items.get
        return [(paper, get(paper, position, next_use)) for paper, next_use in zip(papers, nexts)]

    def inputs(self, spec: FeedSpec) -> tuple:
        if not self.tokens:  # no tokens from the loader: each paper's repr stands in
            self.tokens = {p.slug: repr(p) for p in self.site.papers}
        tokens = self.tokens
        if spec.kind in ("rss", "atom"):
            return tuple((iso_date(d.date), tuple([tokens[p.slug] for p in d.papers])) for d in self._digest_days())
        if spec.kind == "author":
            author = self.authors[spec.key]
            return (author.name, tuple([tokens[p.slug] for p in _feed_papers(author.papers, self.config)]))
        if spec.kind == "tag":
            tag = self.tags[spec.key]
            return (tag_label(tag), tag.kind, tuple([tokens[p.slug] for p in _feed_papers(tag.papers, self.config)]))
        if spec.kind == "opml":
            return tuple((f.title, f.path, f.page, f.group) for f in self._feed_list())
        raise ValueError(f"unknown feed kind {spec.kind!r}")

    def _digest_days(self) -> list[DigestDay]:
        return sorted(self.site.days, key=lambda d: d.date, reverse=True)[: self.config.feed_items]

    def _day_items(self) -> list[_DayItem]:
        if self._days is None:
            self._days = [_DayItem(day, self.config, self.urls, self.texts) for day in self._digest_days()]
        return self._days

    def _feed_list(self) -> list[FeedInfo]:
        config, urls = self.config, self.urls
        feeds = [
            FeedInfo(f"{config.title} (RSS)", DIGEST_RSS_PATH, "", ""),
            FeedInfo(f"{config.title} (Atom)", DIGEST_ATOM_PATH, "", ""),
        ]
        feeds += [FeedInfo(a.name, urls.author_feed(a.slug), urls.author(a.slug), "Authors") for a in self.site.authors]
        feeds += [FeedInfo(tag_label(t), urls.tag_feed(t.slug), urls.tag(t.slug), _tag_group(t)) for t in self.site.tags]
        return feeds


def _tag_group(tag: Tag) -> str:
    return "Categories" if tag.kind == "category" else "Topics"


def tag_label(tag: Tag) -> str:
    """"Machine Learning (cs.LG)" for a named arXiv category, else the tag's name."""
    return f"{tag.name} ({tag.key})" if tag.kind == "category" and tag.name != tag.key else tag.name


# --- the daily digest -------------------------------------------------------------------------


class _DayItem:
    """One digest day as a feed item, shared by the RSS and the Atom feed."""

    def __init__(self, day: DigestDay, config: SiteConfig, urls: Urls, texts: TextStore = NO_TEXTS):
        count = len(day.papers)
        self.date = day.date
        self.title = f"{config.title} — {day.date.isoformat()}: {count} paper{'' if count == 1 else 's'}"
        self.url = urls.absolute(urls.day(day.date))
        self.html = digest_day_html(day, urls, texts)


def digest_day_html(day: DigestDay, urls: Urls, texts: TextStore = NO_TEXTS) -> str:
    """The HTML that lists a day's papers: title linked to its page, authors, abstract excerpt.
    Plain `str`: the feed templates escape it once more, as RSS and Atom want."""
    get = texts.get_short  # the excerpt, without the long texts
    papers = [
        {
            "url": urls.absolute(urls.paper(p.slug)),
            "title_html": Markup(p.title_html or render_title_html(p.title)),
            "authors": author_text(p),
            "excerpt": t.excerpt if (t := get(p.slug)) is not None else excerpt(p.body, EXCERPT_LENGTH),
        }
        for p in day.papers
    ]
    return _DAY_HTML.render(papers=papers).strip()


def author_text(paper: Paper) -> str:
    """"A, B et al." / "A, B +3 more" as on the paper's page; "5 authors" when none is named."""
    if not paper.authors:
        count = paper.author_count or 0
        return f"{count} author{'' if count == 1 else 's'}" if count else ""
    more = more_authors(paper)
    return ", ".join(paper.authors) + (f" {more}" if more else "")


def _digest_rss(days: Sequence[_DayItem], config: SiteConfig, urls: Urls) -> bytes:
    """`feed.xml`: one RSS item per digest day (`days` newest first, already cut to size)."""
    items = [rss_item(d.title, d.url, d.html, (), (), rfc822(d.date)) for d in days]
    newest = days[0].date if days else None
    self_url = urls.absolute(DIGEST_RSS_PATH)
    return _rss(config.title, urls.absolute(""), config.description, self_url, newest, items, config)


def _digest_atom(days: Sequence[_DayItem], config: SiteConfig, urls: Urls) -> bytes:
    """`atom.xml`: `_digest_rss` in Atom 1.0; the feed's id is the home page, an entry's its day page."""
    text = _ATOM.render(
        config=config,
        home=urls.absolute(""),
        self_url=urls.absolute(DIGEST_ATOM_PATH),
        updated=rfc3339(days[0].date if days else EMPTY_FEED_DATE),
        generator=GENERATOR,
        entries=[{"title": d.title, "url": d.url, "date": rfc3339(d.date), "html": d.html} for d in days],
    )
    return text.encode("utf-8")


# --- author and tag feeds: one item per paper -------------------------------------------------


ITEM_CACHE_SIZE = 30_000  # items kept per process at most (~2.5 KB each)
_UNKNOWN = 1 << 62  # the next use of an item shown by a feed nobody planned: last, so dropped first


class _PaperItems:
    """Each paper's RSS `<item>`, rendered once and reused by every feed it appears in, kept
    while a later feed shows it (at most ITEM_CACHE_SIZE: see `site_builder.reuse`)."""

    def __init__(self, urls: Urls, topic_names: dict[str, str], texts: TextStore = NO_TEXTS):
        self._urls = urls
        self._topic_names = topic_names
        self._texts = texts
        self._cache: ScheduledCache[str, bytes] = ScheduledCache(ITEM_CACHE_SIZE)

    def get(self, paper: Paper, now: int, next_use: int) -> bytes:
        """`paper`'s item, for the feed at place `now` of the plan; `next_use` is the place of the
        next feed that shows it. `paper` must have a digest day."""
        item = self._cache.get(paper.slug, now, next_use)
        if item is None:
            url = self._urls.absolute(self._urls.paper(paper.slug))
            title, html = self._texts_of(paper)
            item = rss_item(
                title, url, html or paper.abstract_html or render_abstract_html(paper.body), paper.authors,
                paper.categories + tuple(self._topic_names.get(t, t) for t in paper.tags), rfc822(paper.digest_day),
            )
            self._cache.put(paper.slug, item, now, next_use)
        return item

    def _texts_of(self, paper: Paper) -> tuple[str, str]:
        """(title as plain text, abstract HTML or "") of `paper`."""
        found = self._texts.title_and_abstract_html(paper.slug)
        return found if found is not None else (plain_text(paper.title, markdown=False), "")


def _paper_feed(
    feed: FeedInfo, description: str, items: Sequence[tuple[Paper, bytes]], config: SiteConfig, urls: Urls
) -> bytes:
    """An RSS feed of an author's or a tag's papers (`FeedRenderer.shown`) with their items."""
    newest = items[0][0].digest_day if items else None
    title = f"{feed.title} — {config.title}"
    xml_items = [item for _, item in items]
    return _rss(title, urls.absolute(feed.page), description, urls.absolute(feed.path), newest, xml_items, config)


def _feed_papers(papers: Sequence[Paper], config: SiteConfig) -> list[Paper]:
    """The papers an author or tag feed shows: dated ones, newest first, `config.feed_items`.
    `papers` are an author's or a tag's, in the model's order (`model.digest_order`: newest day
    first, undated last; a tag's `model.arrival_order`, undated last too), so these are its
    first dated ones; no need to read or sort the rest (a tag of a 100,000-paper site shows 30
    of its 20,000: sorting every feed's papers took 1.1 s)."""
    head = papers[: config.feed_items]
    if head and head[-1].digest_day is not None:  # undated papers come last: none in `head`
        return list(head)
    return [p for p in head if p.digest_day is not None]


def _rss(
    title: str,
    link: str,
    description: str,
    self_url: str,
    newest: dt.date | None,
    items: list[bytes],
    config: SiteConfig,
) -> bytes:
    """An RSS 2.0 document. `lastBuildDate` is the newest item's day, left out of an empty feed
    (no date would be true). The site's author goes in `dc:publisher`: RSS's `managingEditor`
    must be an e-mail address."""
    head = _RSS_HEAD.render(
        title=title,
        link=link,
        # Plain text, but readers commonly show a channel description as HTML: escape it as HTML
        # here and the template escapes that again for XML, as item descriptions are.
        description=html.escape(description, quote=False),
        self_url=self_url,
        language=config.language,
        generator=GENERATOR,
        publisher=config.author,
        last_build_date=rfc822(newest) if newest else None,
    )
    return b"".join((head.encode(), *items, _RSS_FOOT))


# --- dates --------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8192)
def rfc822(day: dt.date) -> str:
    """`day` at 00:00 UTC as an RFC 822 date: "Wed, 01 Oct 2025 00:00:00 GMT" (English in any locale)."""
    return format_datetime(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc), usegmt=True)


def rfc3339(day: dt.date) -> str:
    """`day` at 00:00 UTC as an RFC 3339 timestamp: "2025-10-01T00:00:00Z"."""
    return f"{day.isoformat()}T00:00:00Z"
