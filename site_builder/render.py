"""Pages of the site: which pages exist (`page_specs`) and how each one renders (`Renderer`).

A page is a pure function of the site model and its `PageSpec` (kind, key, page number), so the
page list can be split across processes or filtered to the stale ones: a worker builds one
`Renderer` (templates compiled once per process) and calls `render(spec)` for each spec it gets.
Nothing here writes files.

`Renderer.inputs(spec)` lists, as plain values, everything the page shows that can change
from one build to the next besides the templates and the config: the build cache compares them
with the last build's to skip unchanged pages. Whoever changes what a page view reads must
change `inputs` with it (tests/build/test_incremental.py builds incrementally after every kind
of edit and compares the result with a cold build, file by file).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import jinja2
from markupsafe import Markup

from site_builder.citation import bibtex, citation_meta, json_ld_article, json_ld_person, json_ld_script
from site_builder.config import SiteConfig
from site_builder.texts import NO_TEXTS, PackedRecords, TextStore
from site_builder.model import Paper, Site, iso_date
from site_builder.theme import (
    CARD_DETAILS, MEMOIZED_MACROS, MemoizedMacro, add_partial_cached, make_environment, memoize_macros, template_error,
)
from site_builder.urls import Urls
from site_builder.views import (
    Card, SiteIndex, archive_groups, archive_reach, archived_pages, category_label, date_text, arrival_text,
    letter_groups, list_page_bounds, more_authors, pagination,
)

# Page kinds in the order `page_specs` lists them; also the rows of the build report.
PAGE_KINDS = ("home", "search", "404", "days", "tags", "authors", "paper", "author", "tag", "day")


@dataclass(frozen=True, slots=True, order=True)
class PageSpec:
    """Which page: its kind, the slug or ISO date it is about, and its page number (0: the
    only page, or a tag's front page; n >= 1: a tag's archive page n, counted from the oldest:
    `views.list_page_bounds`)."""

    kind: str
    key: str = ""
    page: int = 0


def page_specs(site: Site, config: SiteConfig) -> Iterator[PageSpec]:
    """Every page of the site, in a fixed order."""
    for kind in ("home", "search", "404", "days", "tags", "authors"):
        yield PageSpec(kind)
    for paper in site.papers:
        yield PageSpec("paper", paper.slug)
    for author in site.authors:
        yield PageSpec("author", author.slug)
    for tag in site.tags:
        for number in range(archived_pages(len(tag.papers), config.page_size) + 1):
            yield PageSpec("tag", tag.slug, number)
    for day in site.days:
        yield PageSpec("day", day.date.isoformat())


def page_url(spec: PageSpec) -> str:
    """Output-relative URL of a page: "" (home), "papers/x/", "404.html"."""
    if spec.kind == "home":
        return ""
    if spec.kind == "404":
        return "404.html"
    if spec.kind in ("search", "days", "tags", "authors"):
        return f"{spec.kind}/"
    if spec.kind == "paper":
        return Urls.paper(spec.key)
    if spec.kind == "author":
        return Urls.author(spec.key)
    if spec.kind == "tag":
        return Urls.tag(spec.key, spec.page)
    if spec.kind == "day":
        return Urls.day(dt.date.fromisoformat(spec.key))
    raise ValueError(f"unknown page kind {spec.kind!r}")


def output_path(url: str) -> str:
    """The file a page URL is served from: "papers/x/" -> "papers/x/index.html"."""
    return url + "index.html" if url == "" or url.endswith("/") else url


def sitemap_urls(specs: Sequence[PageSpec]) -> list[str]:
    """Output-relative URLs of the pages a search engine should know (all but the 404 page)."""
    return [page_url(s) for s in specs if s.kind != "404"]


@dataclass(frozen=True, slots=True)
class FeedLink:
    href: str
    type: str  # "application/rss+xml" | "application/atom+xml"
    title: str


@dataclass(frozen=True, slots=True)
class Head:
    """What goes into <head>: title, description, canonical URL, Open Graph, feeds, JSON-LD."""

    title: str
    description: str
    canonical: str | None
    og_type: str = "website"
    feeds: tuple[FeedLink, ...] = ()
    json_ld: Markup | None = None
    citation: tuple[tuple[str, str], ...] = ()
    noindex: bool = False


@dataclass(frozen=True, slots=True)
class Chrome:
    """Site-wide pieces every page shows: name, navigation, search form, feed links."""

    title: str
    description: str
    language: str
    base_path: str
    home: str
    days: str
    tags: str
    authors: str
    search: str
    rss: str
    atom: str
    opml: str
    sitemap: str
    static: str  # prefix of theme assets: "/sub/static/"

    @property
    def nav(self) -> tuple[tuple[str, str, str], ...]:
        """(page kind, href, label) of the main navigation."""
        return (("days", self.days, "Archive"), ("tags", self.tags, "Tags"),
                ("authors", self.authors, "Authors"), ("search", self.search, "Search"))


def make_chrome(config: SiteConfig, urls: Urls) -> Chrome:
    link = urls.path
    return Chrome(
        title=config.title, description=config.description, language=config.language,
        base_path=urls.base_path, home=link(""), days=link("days/"), tags=link("tags/"),
        authors=link("authors/"), search=link("search/"), rss=link("feed.xml"), atom=link("atom.xml"),
        opml=link("feeds.opml"), sitemap=link("sitemap.xml"), static=link("static/"),
    )


def _attributes(view: dict) -> SimpleNamespace:
    """A page view (nested dicts included) as attributes. Jinja reads `page.x` by trying an
    attribute first and a key only after that failed (an exception each time): with dicts, that
    was a seventh of a paper page's rendering."""
    return SimpleNamespace(**{k: _attributes(v) if type(v) is dict else v for k, v in view.items()})


class Renderer:
    """Renders pages of one site with one compiled theme (build one per process).

    `texts` and `tokens` come from `load_content` (paper slug -> texts; -> hash of its file);
    without `texts` they are derived here, `tokens` are needed only by `inputs`.
    `compiled_templates`: where the theme's compiled templates are kept (`make_environment`)."""

    def __init__(self, site: Site, config: SiteConfig, dirs: Sequence[Path],
                 texts: TextStore = NO_TEXTS, tokens: Mapping[str, str] | None = None,
                 compiled_templates: Path | None = None):
        self.site = site
        self.config = config
        self.urls = Urls.for_base(config.base_url)
        self.index = SiteIndex(site, config, self.urls, texts)
        self.tokens = tokens or {}
        self.env = make_environment(dirs, compiled_templates)
        # Every paper's card details (UTF-8), once `render_card_details` made them (see SiteOutputs).
        self.card_fragments: PackedRecords | None = None
        add_partial_cached(self.env)  # before any template is loaded (`theme._Environment.make_globals`)
        memoize_macros(self.env, {CARD_DETAILS: self._made_card_details})
        self.chrome = make_chrome(config, self.urls)
        self._digest_feeds = (
            FeedLink(self.chrome.rss, "application/rss+xml", f"{config.title} (RSS)"),
            FeedLink(self.chrome.atom, "application/atom+xml", f"{config.title} (Atom)"),
        )

    def render_card_details(self, papers: Sequence[Paper]) -> list[bytes] | None:
        """The theme's `card_details` of each paper's card, rendered, as UTF-8 (None: the theme
        has no such macro). Made once per paper beforehand, they are read from `card_fragments`
        by the pages."""
        try:
            macro = getattr(self.env.get_template(CARD_DETAILS[0]).module, CARD_DETAILS[1], None)
        except jinja2.TemplateNotFound:
            return None
        if not isinstance(macro, MemoizedMacro):
            return None
        try:
            return [str(macro.macro(self.index.card(paper))).encode("utf-8") for paper in papers]
        except jinja2.TemplateError as exc:
            raise template_error(exc, CARD_DETAILS[0]) from None

    def forget_cards(self) -> None:
        """Drop the cards kept for the pages (views and rendered): for a worker going on to the
        feeds, which show none, so that their items take the memory the cards took (at 100,000
        papers, about 150 MB a worker). A page rendered after this makes its cards again."""
        self.index.forget_cards()
        for template_name, macro_name in MEMOIZED_MACROS:
            try:
                macro = getattr(self.env.get_template(template_name).module, macro_name, None)
            except jinja2.TemplateNotFound:
                continue
            if isinstance(macro, MemoizedMacro):
                macro.forget()

    def _made_card_details(self, card: object = None, *args, **kwargs) -> Markup | None:  # noqa: ANN002, ANN003
        fragments = self.card_fragments
        if fragments is None or args or kwargs or not isinstance(card, Card):
            return None
        found = fragments.record(card.slug)
        return None if found is None else Markup(str(found, "utf-8"))

    def render(self, spec: PageSpec) -> tuple[str, bytes]:
        """The page as (output-relative file path, UTF-8 bytes)."""
        build = getattr(self, "_" + spec.kind.replace("404", "not_found"))
        template, section, head, page = build(spec)
        try:
            html = self.env.get_template(template).render(
                site=self.chrome, kind=spec.kind, section=section, head=head, page=_attributes(page)
            )
        except jinja2.TemplateError as exc:
            raise template_error(exc, template) from None
        return output_path(page_url(spec)), html.encode("utf-8")

    # -- what a page depends on (for the build cache) -----------------------------------

    def inputs(self, spec: PageSpec) -> tuple:
        """Everything `render(spec)` reads of the model, as plain values that `marshal` writes
        (strings, numbers, None, tuples; dates as ISO strings; see the module docstring). A
        paper stands for itself by its token (a hash of its file's name and bytes): its card and
        its page are functions of that file, the config and the templates."""
        site, tokens = self.site, self._tokens()
        kind = spec.kind
        if kind == "paper":
            found = self.index.papers_by_slug[spec.key]
            return (tokens[found.slug], tuple([tokens[p.slug] for p in site.related.get(found.slug, ())]),
                    self.index.author_filter_names(found))
        if kind == "author":
            author = self.index.authors_by_slug[spec.key]
            return (author.name, tuple([tokens[p.slug] for p in author.papers]), author.coauthors,
                    author.affiliations, repr(author.profile))
        if kind == "tag":
            tag = self.index.tags_by_slug[spec.key]
            count, size = len(tag.papers), self.config.page_size
            start, stop = list_page_bounds(count, size, spec.page)
            shown = tuple([tokens[p.slug] for p in tag.papers[start:stop]])
            if spec.page == 0:
                return (tag.name, tag.key, tag.kind, count, archived_pages(count, size), shown)
            # An archive page shows neither the tag's count nor its last page: it stays as it
            # is while papers arrive (see views.list_page_bounds).
            return (tag.name, tag.key, tag.kind, archive_reach(spec.page, archived_pages(count, size)), shown)
        if kind == "day":
            day = self.index.days_by_iso[spec.key]
            return (tuple([tokens[p.slug] for p in day.papers]), iso_date(day.previous), iso_date(day.next))
        if kind == "home":
            return (len(site.papers), len(site.authors), len(site.tags), len(site.days),
                    tuple((iso_date(d.date), tuple([tokens[p.slug] for p in d.papers])) for d in site.days[: self.config.home_days]))
        if kind == "days":
            return tuple([(iso_date(d.date), len(d.papers)) for d in site.days])
        if kind == "tags":
            return tuple([(t.slug, t.name, t.key, t.kind, len(t.papers)) for t in site.tags])
        if kind == "authors":
            return tuple([(a.slug, a.name, len(a.papers)) for a in site.authors])
        return ()  # search, 404: the config and templates only

    def _tokens(self) -> Mapping[str, str]:
        """Paper slug -> token; without tokens from the loader, each paper's repr stands in."""
        if not self.tokens:
            self.tokens = {p.slug: repr(p) for p in self.site.papers}
        return self.tokens

    # -- helpers ------------------------------------------------------------------------

    def _head(self, spec: PageSpec, title: str, description: str, **extra) -> Head:
        full_title = f"{title} · {self.config.title}" if title else self.config.title
        return Head(full_title, description, self.urls.absolute(page_url(spec)), **extra)

    def _feed(self, href_rel: str, title: str) -> tuple[FeedLink, ...]:
        return (FeedLink(self.urls.path(href_rel), "application/rss+xml", title),)

    # -- one method per page kind: (template, nav section, head, page view) --------------

    def _home(self, spec: PageSpec):
        index = self.index
        days = [
            {"day": index.day_link(day.date), "cards": index.cards(day.papers)}
            for day in self.site.days[: self.config.home_days]
        ]
        counts = {"papers": len(self.site.papers), "authors": len(self.site.authors),
                  "tags": len(self.site.tags), "days": len(self.site.days)}
        head = self._head(spec, "", self.config.description, feeds=self._digest_feeds)
        return "home.html", "home", head, {"days": days, "counts": counts}

    def _search(self, spec: PageSpec):
        head = self._head(spec, "Search", f"Search the papers of {self.config.title} by title, abstract, author and topic.")
        return "search.html", "search", head, {}

    def _not_found(self, spec: PageSpec):
        head = Head(f"Page not found · {self.config.title}", "This page does not exist.", None, noindex=True)
        return "404.html", "", head, {}

    def _days(self, spec: PageSpec):
        head = self._head(spec, "Archive", f"Every day of {self.config.title}, by year and month.")
        return "days.html", "days", head, {"years": archive_groups(self.index, self.site.days), "total": len(self.site.days)}

    def _tags(self, spec: PageSpec):
        tags = self.site.tags
        page = {
            "categories": tuple(self.index.tag_link(t) for t in tags if t.kind == "category"),
            "topics": tuple(self.index.tag_link(t) for t in tags if t.kind == "topic"),
        }
        head = self._head(spec, "Tags", "arXiv categories and topics of the digest, with paper counts.")
        return "tags.html", "tags", head, page

    def _authors(self, spec: PageSpec):
        groups = letter_groups(self.index, self.site.authors)
        head = self._head(spec, "Authors", f"All {len(self.site.authors):,} authors of {self.config.title}, alphabetically, with paper counts.")
        return "authors.html", "authors", head, {"groups": groups, "total": len(self.site.authors)}

    def _paper(self, spec: PageSpec):
        index, urls = self.index, self.urls
        paper = index.papers_by_slug[spec.key]
        text = index.text(paper)
        title = text.title_text
        day = paper.digest_day
        page = {
            "title_html": Markup(paper.title_html),
            "authors": index.author_links(paper),
            "more_authors": more_authors(paper),
            "affiliations": paper.affiliations,
            "organization": paper.organization,
            "day": index.day_link(day),
            "published": (paper.date.isoformat(), date_text(paper.date)) if paper.date else None,
            "added": (paper.added.isoformat(), date_text(paper.added))
            if paper.added and paper.added != paper.date else None,
            "categories": index.category_links(paper),
            "topics": index.topic_links(paper),
            "code": paper.code,
            "upvotes": paper.upvotes,
            "abstract_html": Markup(text.abstract_html or paper.abstract_html),
            "bibtex": bibtex(paper, urls),
            "related": index.cards(self.site.related.get(paper.slug, ())),
            "sources": paper.sources,
            "filters": {
                "categories": paper.categories,
                "topics": tuple(link.text for link in index.topic_links(paper)),
                "authors": index.author_filter_names(paper),
                "year": str(day.year) if day else "",
                "date": day.isoformat() if day else "",
                "code": paper.code,
            },
        }
        head = self._head(
            spec, title, text.description or title, og_type="article",
            json_ld=Markup(json_ld_script(json_ld_article(paper, urls, self.config, text.abstract_text))),
            citation=tuple(citation_meta(paper, urls, self.config)),
        )
        return "paper.html", "", head, page

    def _author(self, spec: PageSpec):
        index, urls = self.index, self.urls
        author = index.authors_by_slug[spec.key]
        profile = author.profile
        figures: list[tuple[str, str]] = []
        if profile is not None:
            for label, value, suffix in (("h-index", profile.h_index, ""), ("Papers", profile.papers, ""),
                                         ("Citations", profile.citations, ""), ("Novelty", profile.novelty, "%"),
                                         ("AI score", profile.ai_score, "")):
                if value is not None:
                    figures.append((label, f"{value:,}{suffix}"))
        page = {
            "name": author.name,
            "cards": index.cards(author.papers),
            "coauthors": tuple(
                index.counted_author(slug, name, count) for slug, name, count in author.coauthors
            ),
            "affiliations": author.affiliations,
            "profile": None if profile is None else {
                "figures": tuple(figures),
                "category": category_label(profile.primary_category) if profile.primary_category else "",
                "source": profile.source or "",
                "captured": date_text(profile.captured) if profile.captured else "",
                "captured_iso": profile.captured.isoformat() if profile.captured else "",
            },
            "feed": urls.path(urls.author_feed(author.slug)),
        }
        count = len(author.papers)
        description = f"{count} paper{'s' if count != 1 else ''} by {author.name} in {self.config.title}"
        if author.affiliations:
            description += f" ({', '.join(author.affiliations[:3])})"
        head = self._head(
            spec, author.name, description + ".", og_type="profile",
            feeds=self._feed(urls.author_feed(author.slug), f"Papers by {author.name}"),
            json_ld=Markup(json_ld_script(json_ld_person(author, urls, self.config))),
        )
        return "author.html", "authors", head, page

    def _tag(self, spec: PageSpec):
        index, urls = self.index, self.urls
        tag = index.tags_by_slug[spec.key]
        count, size = len(tag.papers), self.config.page_size
        start, stop = list_page_bounds(count, size, spec.page)  # ValueError for no such page: a bug
        shown = tag.papers[start:stop]
        added = arrival_text(shown) if spec.page else ""
        label = category_label(tag.key) if tag.kind == "category" else tag.name
        page = {
            "name": tag.name,
            "key": tag.key,
            "kind": "arXiv category" if tag.kind == "category" else "Topic",
            "count": count,
            "number": spec.page,
            "added": added,
            "cards": index.cards(shown),
            "pagination": pagination(spec.page, archived_pages(count, size),
                                     lambda n: urls.path(urls.tag(tag.slug, n))),
            "feed": urls.path(urls.tag_feed(tag.slug)),
        }
        if spec.page == 0:
            title, description = label, f"{count:,} papers in {label}, the latest added first."
        else:
            title = f"{label}, page {spec.page}"
            description = f"Papers in {label}" + (f" added {added}." if added else f", page {spec.page}.")
        head = self._head(spec, title, description, feeds=self._feed(urls.tag_feed(tag.slug), f"Papers in {label}"))
        return "tag.html", "tags", head, page

    def _day(self, spec: PageSpec):
        index = self.index
        day = index.days_by_iso[spec.key]
        text = date_text(day.date)
        page = {
            "date": index.day_link(day.date),
            "cards": index.cards(day.papers),
            "previous": index.day_link(day.previous),
            "next": index.day_link(day.next),
        }
        count = len(day.papers)
        head = self._head(spec, text, f"{count} paper{'s' if count != 1 else ''} of {text} in {self.config.title}.",
                          feeds=self._digest_feeds)
        return "day.html", "days", head, page
