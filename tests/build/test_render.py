"""Rendering, page by page, from the fixture site's model: which pages exist, what each page's
view and <head> hold, theme overrides and template errors, the sitemap, the theme's contrast."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import html
import json
import re
from pathlib import Path

import html5lib
import pytest

from build_checks import FIXTURE_CONTENT, REPO
from site_builder.config import SiteConfig, load_config
from site_builder.content import load_content
from site_builder.errors import BuildError, ContentError
from site_builder.model import Paper, Site
from site_builder.render import PageSpec, Renderer, output_path, page_specs, page_url, sitemap_urls
from site_builder.site import assemble_site
from site_builder.slugs import author_slug
from site_builder.sitemap import render_robots, render_sitemap
from site_builder.texts import PackedRecords
from site_builder.theme import theme_dirs
from site_builder.urls import Urls
from site_builder.views import (
    archive_reach, archived_pages, arrival_text, category_label, date_text, initial_of, list_page_bounds, more_authors,
    pagination,
)


@functools.cache
def fixture() -> tuple[Site, SiteConfig]:
    config = load_config(FIXTURE_CONTENT / "site.yaml")
    loaded = load_content(FIXTURE_CONTENT, jobs=1)
    return assemble_site(loaded.papers, loaded.profiles, loaded.topic_names, config), config


@functools.cache
def renderer() -> Renderer:
    site, config = fixture()
    return Renderer(site, config, theme_dirs(FIXTURE_CONTENT, config))


def render(spec: PageSpec):
    """(output path, html5lib tree, text) of one page."""
    path, data = renderer().render(spec)
    text = data.decode("utf-8")
    tree = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)
    return path, tree, text


def meta(tree, **attrs) -> list[str]:
    key, value = next(iter(attrs.items()))
    key = key.replace("_", "-") if key != "name" else key
    return [m.get("content") for m in tree.iter("meta") if m.get(key) == value]


def link_hrefs(tree, rel: str) -> list[tuple[str, str]]:
    return [(link.get("type"), link.get("href")) for link in tree.iter("link") if link.get("rel") == rel]


# -- views: pure decisions ------------------------------------------------------------------


def _paper(**fields) -> Paper:
    return Paper(slug="p", title="T", body="", **fields)


@pytest.mark.parametrize("fields, expected", [
    ({"authors": ("A", "B")}, ""),
    ({"authors": ("A", "B"), "authors_complete": False}, "et al."),
    ({"authors": ("A", "B"), "authors_complete": False, "author_count": 5}, "+3 more"),
    ({"authors": ("A", "B"), "author_count": 2}, ""),
    ({"authors": (), "authors_complete": False, "author_count": 3}, "3 authors (names not listed)"),
    ({"authors": (), "authors_complete": False}, "Authors not listed"),
    ({"authors": ()}, ""),
])
def test_incomplete_author_lists_say_so(fields, expected) -> None:
    assert more_authors(_paper(**fields)) == expected


def test_dates_are_spelled_out_without_locale() -> None:
    assert date_text(dt.date(2023, 3, 6)) == "6 March 2023"
    assert date_text(dt.date(2024, 12, 31)) == "31 December 2024"


@pytest.mark.parametrize("name, letter", [("Cong Fang", "C"), ("élodie Martin", "E"), ("Łukasz Kaiser", "Ł"),
                                          ("  zoe", "Z"), ("123 Group", "#"), ("", "#")])
def test_authors_are_filed_under_their_initial(name, letter) -> None:
    assert initial_of(name) == letter


@pytest.mark.parametrize("size", [1, 2, 50])
def test_list_pages_tile_the_list_and_archive_pages_hold_a_full_page(size) -> None:
    for count in range(0, 6 * size + 2):
        archived = archived_pages(count, size)
        bounds = [list_page_bounds(count, size, n) for n in (0, *range(archived, 0, -1))]
        assert bounds[0][0] == 0 and bounds[-1][1] == count
        assert all(stop == start for (_, stop), (start, _) in zip(bounds, bounds[1:]))  # no gap, no overlap
        front = bounds[0][1]
        assert front == count if count < 2 * size else size <= front < 2 * size
        assert all(stop - start == size for start, stop in bounds[1:])
        with pytest.raises(ValueError):
            list_page_bounds(count, size, archived + 1)


def test_archive_pages_keep_their_papers_as_newer_papers_arrive() -> None:
    size = 50
    oldest_first = list(range(1000))  # paper ids in order of arrival
    for count in (100, 149, 150, 377):
        newest_first = oldest_first[:count][::-1]
        pages = {n: newest_first[slice(*list_page_bounds(count, size, n))] for n in range(1, archived_pages(count, size) + 1)}
        for more in (1, 49, 50, 51, 125):
            grown = oldest_first[:count + more][::-1]
            for n, papers in pages.items():
                assert grown[slice(*list_page_bounds(count + more, size, n))] == papers, (count, more, n)


def test_pagination_links_newest_first_with_a_window_and_no_page_count() -> None:
    href = lambda n: f"/t/{n}/"  # noqa: E731
    assert pagination(0, 0, href) is None
    labels = lambda p: [page.label if page else None for page in p.pages]  # noqa: E731
    middle = pagination(10, 200, href)
    assert labels(middle) == ["Newest", None, "Page 12", "Page 11", "Page 10", "Page 9", "Page 8", None, "Page 1"]
    assert (middle.newer, middle.older) == ("/t/11/", "/t/9/")
    assert [page.label for page in middle.pages if page and page.current] == ["Page 10"]
    front = pagination(0, 3, href)
    assert labels(front) == ["Newest", "Page 3", "Page 2", "Page 1"]
    assert (front.newer, front.older) == (None, "/t/3/") and front.pages[0].current
    newest_archive = pagination(3, 3, href)
    assert (newest_archive.newer, newest_archive.older) == ("/t/0/", "/t/2/")
    oldest = pagination(1, 3, href)
    assert (oldest.newer, oldest.older) == ("/t/2/", None)


def test_an_archive_pages_links_depend_on_the_page_count_only_through_archive_reach() -> None:
    href = lambda n: f"/t/{n}/"  # noqa: E731
    for number in range(1, 12):
        seen: dict[int, object] = {}
        for archived in range(number, 20):
            links = pagination(number, archived, href)
            reach = archive_reach(number, archived)
            assert seen.setdefault(reach, links) == links, (number, archived)
        assert len(seen) == 4  # the newest pages' links change as pages are added; older pages' do not


def test_arrival_text_spans_the_days_the_papers_reached_the_digest() -> None:
    site, _ = fixture()
    paper = next(p for p in site.papers if p.added and p.date and p.added != p.date)
    assert arrival_text([paper]) == date_text(paper.added)  # the day it was added, not published
    later = dataclasses.replace(paper, added=paper.added + dt.timedelta(days=40))
    assert arrival_text([later, paper]) == f"{date_text(paper.added)} to {date_text(later.added)}"
    dated_only = dataclasses.replace(paper, added=None)
    assert arrival_text([dated_only]) == date_text(paper.date)
    assert arrival_text([dataclasses.replace(paper, added=None, date=None)]) == arrival_text([]) == ""


# -- which pages exist ----------------------------------------------------------------------


def test_one_page_per_paper_author_tag_page_and_day() -> None:
    site, config = fixture()
    specs = list(page_specs(site, config))
    by_kind: dict[str, list[PageSpec]] = {}
    for spec in specs:
        by_kind.setdefault(spec.kind, []).append(spec)
    assert [s.key for s in by_kind["paper"]] == [p.slug for p in site.papers]
    assert [s.key for s in by_kind["author"]] == [a.slug for a in site.authors]
    assert [s.key for s in by_kind["day"]] == [d.date.isoformat() for d in site.days]
    # A front page, then the archive pages of full pages counted from the oldest (1 = oldest).
    expected_tag_pages = [(t.slug, n) for t in site.tags for n in range(max(0, len(t.papers) // config.page_size - 1) + 1)]
    assert [(s.key, s.page) for s in by_kind["tag"]] == expected_tag_pages
    assert any(page >= 1 for _, page in expected_tag_pages), "the fixture's page_size should paginate some tag"
    for kind in ("home", "search", "404", "days", "tags", "authors"):
        assert len(by_kind[kind]) == 1
    paths = [output_path(page_url(s)) for s in specs]
    assert len(paths) == len(set(paths))
    assert "404.html" not in [output_path(u) for u in sitemap_urls(specs)]


@pytest.mark.parametrize("spec, url, path", [
    (PageSpec("home"), "", "index.html"),
    (PageSpec("404"), "404.html", "404.html"),
    (PageSpec("search"), "search/", "search/index.html"),
    (PageSpec("paper", "x"), "papers/x/", "papers/x/index.html"),
    (PageSpec("tag", "cs-lg"), "tags/cs-lg/", "tags/cs-lg/index.html"),
    (PageSpec("tag", "cs-lg", 1), "tags/cs-lg/page/1/", "tags/cs-lg/page/1/index.html"),
    (PageSpec("tag", "cs-lg", 3), "tags/cs-lg/page/3/", "tags/cs-lg/page/3/index.html"),
    (PageSpec("day", "2023-03-06"), "days/2023-03-06/", "days/2023-03-06/index.html"),
])
def test_page_urls_and_files(spec, url, path) -> None:
    assert page_url(spec) == url
    assert output_path(url) == path


# -- what pages show ------------------------------------------------------------------------


def test_paper_page_head_and_search_markup() -> None:
    site, config = fixture()
    paper = next(p for p in site.papers if p.code and p.authors and p.categories and p.tags and p.digest_day)
    path, tree, text = render(PageSpec("paper", paper.slug))
    assert path == f"papers/{paper.slug}/index.html"
    canonical = f"{config.base_url}papers/{paper.slug}/"
    assert link_hrefs(tree, "canonical") == [(None, canonical)]
    assert meta(tree, property="og:url") == [canonical]
    assert meta(tree, property="og:type") == ["article"]
    assert meta(tree, property="og:site_name") == [config.title]
    assert meta(tree, name="citation_author") == list(paper.authors)
    assert len(meta(tree, name="description")[0]) <= 200
    scripts = [s.text for s in tree.iter("script") if s.get("type") == "application/ld+json"]
    assert json.loads(scripts[0])["@type"] == "ScholarlyArticle"

    mains = list(tree.iter("main"))
    assert len(mains) == 1 and "data-pagefind-body" in mains[0].attrib
    assert text.count("data-pagefind-body") == 1
    h1 = next(tree.iter("h1"))
    assert h1.get("data-pagefind-meta") == "title"
    filters: dict[str, list[str]] = {}
    for el in tree.iter():
        if el.get("data-pagefind-filter"):
            filters.setdefault(el.get("data-pagefind-filter"), []).append(el.text)
    assert filters["category"] == list(paper.categories)
    assert filters["year"] == [str(paper.digest_day.year)]
    assert filters["code"] == ["has code"]
    assert set(filters["author"]) <= {a.name for a in site.authors}
    sort = [el.text for el in tree.iter() if el.get("data-pagefind-sort") == "date"]
    assert sort == [paper.digest_day.isoformat()]
    assert "<pre class=\"bibtex\"" in text and "@" in text.split('<pre class="bibtex"')[1]
    # the header search box is a plain GET form to /search/
    form = next(f for f in tree.iter("form") if f.get("role") == "search")
    assert form.get("action") == "/search/" and (form.get("method") or "get") == "get"
    assert [i.get("name") for i in form.iter("input")] == ["q"]


def test_paper_without_code_has_no_code_filter() -> None:
    site, _ = fixture()
    paper = next(p for p in site.papers if not p.code)
    _, tree, _ = render(PageSpec("paper", paper.slug))
    assert not [el for el in tree.iter() if el.get("data-pagefind-filter") == "code"]


def test_only_paper_pages_are_search_bodies() -> None:
    site, _ = fixture()
    for spec in (PageSpec("home"), PageSpec("author", site.authors[0].slug), PageSpec("tags"), PageSpec("search")):
        _, _, text = render(spec)
        assert "data-pagefind-body" not in text


def test_author_page_shows_profile_coauthors_and_feed() -> None:
    site, config = fixture()
    author = next(a for a in site.authors if a.profile and a.coauthors)
    _, tree, text = render(PageSpec("author", author.slug))
    assert link_hrefs(tree, "alternate") == [("application/rss+xml", f"/authors/{author.slug}/feed.xml")]
    person = json.loads(next(s.text for s in tree.iter("script")))
    assert person["@type"] == "Person" and person["name"] == author.name
    assert f"{author.profile.h_index}" in text and author.profile.captured.isoformat() in text
    hrefs = [a.get("href") for a in tree.iter("a")]
    for slug, _, _ in author.coauthors:
        assert f"/authors/{slug}/" in hrefs
    paper_links = [h for h in hrefs if h.startswith("/papers/")]
    assert paper_links[: len(author.papers)] == [f"/papers/{p.slug}/" for p in author.papers]


def test_tag_pages_paginate_and_link_their_feed() -> None:
    site, config = fixture()
    config = dataclasses.replace(config, page_size=1)  # pages of one paper: the largest tag has several
    one_per_page = Renderer(site, config, theme_dirs(FIXTURE_CONTENT, config))
    tag = max(site.tags, key=lambda t: len(t.papers))
    archived = archived_pages(len(tag.papers), config.page_size)
    assert archived >= 3

    def render_tag(number: int):
        text = one_per_page.render(PageSpec("tag", tag.slug, number))[1].decode("utf-8")
        return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text), text

    front, front_text = render_tag(0)
    archive = {n: render_tag(n) for n in range(archived, 0, -1)}
    assert link_hrefs(archive[1][0], "canonical") == [(None, f"{config.base_url}tags/{tag.slug}/page/1/")]
    assert link_hrefs(front, "alternate") == [("application/rss+xml", f"/tags/{tag.slug}/feed.xml")]

    def papers_on(tree):
        return [a.get("href") for h in tree.iter("h2") for a in h.iter("a") if a.get("href", "").startswith("/papers/")]
    shown = papers_on(front) + [href for tree, _ in archive.values() for href in papers_on(tree)]
    assert shown == [f"/papers/{p.slug}/" for p in tag.papers]  # newest first, each once

    def rel(tree, name):
        return [a.get("href") for a in tree.iter("a") if a.get("rel") == name]
    assert (rel(front, "prev"), rel(front, "next")) == ([], [f"/tags/{tag.slug}/page/{archived}/"] * 2)
    assert rel(archive[archived][0], "prev") == [f"/tags/{tag.slug}/"] * 2  # the nav above and below the list
    assert (rel(archive[2][0], "prev"), rel(archive[2][0], "next")) == (
        [f"/tags/{tag.slug}/page/3/"] * 2, [f"/tags/{tag.slug}/page/1/"] * 2)
    assert rel(archive[1][0], "next") == []
    assert f"{len(tag.papers)} papers" in front_text
    # An archive page says which days it covers, not the tag's count or its number of pages.
    _, oldest_text = archive[1]
    assert f"{len(tag.papers)} papers" not in oldest_text and "(page 1)</span></h1>" in oldest_text
    oldest = tag.papers[slice(*list_page_bounds(len(tag.papers), config.page_size, 1))]
    assert f"Added {arrival_text(oldest)}, the latest first" in oldest_text
    with pytest.raises(ValueError):
        one_per_page.render(PageSpec("tag", tag.slug, archived + 1))


def test_an_archive_page_of_undated_papers_says_which_page_it_is() -> None:
    _, config = fixture()
    config = dataclasses.replace(config, page_size=1)
    loaded = load_content(FIXTURE_CONTENT, jobs=1)
    undated = [dataclasses.replace(p, date=None, added=None) for p in loaded.papers]
    site = assemble_site(undated, loaded.profiles, loaded.topic_names, config)
    tag = max(site.tags, key=lambda t: len(t.papers))
    text = Renderer(site, config, theme_dirs(FIXTURE_CONTENT, config)).render(PageSpec("tag", tag.slug, 1))[1].decode()
    assert "Earlier papers, the latest first" in text
    label = html.escape(category_label(tag.key) if tag.kind == "category" else tag.name)
    assert f'<meta name="description" content="Papers in {label}, page 1.">' in text


def test_home_shows_latest_days_and_digest_feeds() -> None:
    site, config = fixture()
    _, tree, _ = render(PageSpec("home"))
    assert link_hrefs(tree, "alternate") == [("application/rss+xml", "/feed.xml"), ("application/atom+xml", "/atom.xml")]
    day_headings = [h.get("id") for h in tree.iter("h2")]
    assert day_headings == [f"day-{d.date.isoformat()}" for d in site.days[: config.home_days]]
    hrefs = {a.get("href") for a in tree.iter("a")}
    assert {"/days/", "/tags/", "/authors/", "/search/", "/feed.xml", "/atom.xml", "/feeds.opml"} <= hrefs


def test_day_pages_link_their_neighbours() -> None:
    site, _ = fixture()
    middle = site.days[1]
    _, tree, _ = render(PageSpec("day", middle.date.isoformat()))
    rels = {a.get("rel"): a.get("href") for a in tree.iter("a") if a.get("rel")}
    assert rels == {"prev": f"/days/{middle.previous.isoformat()}/", "next": f"/days/{middle.next.isoformat()}/"}


def test_pages_are_not_search_engine_duplicates() -> None:
    _, tree, _ = render(PageSpec("404"))
    assert link_hrefs(tree, "canonical") == []
    assert meta(tree, name="robots") == ["noindex"]


def test_base_path_prefixes_every_link() -> None:
    site, config = fixture()
    sub = dataclasses.replace(config, base_url="https://example.org/sub/")
    r = Renderer(site, sub, theme_dirs(FIXTURE_CONTENT, sub))
    _, data = r.render(PageSpec("paper", site.papers[0].slug))
    hrefs = re.findall(r'(?:href|src|action)="([^"]+)"', data.decode())
    assert hrefs
    for href in hrefs:
        assert href.startswith(("/sub/", "https://example.org/sub/", "#")), href


# -- themes ---------------------------------------------------------------------------------


def _site_with_theme(tmp_path: Path, files: dict[str, str]) -> tuple[Path, SiteConfig]:
    content = tmp_path / "content"
    content.mkdir()
    for rel, text in files.items():
        (tmp_path / "mytheme" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "mytheme" / rel).write_text(text)
    return content, dataclasses.replace(fixture()[1], theme="mytheme")


def test_a_site_theme_overrides_one_template_and_keeps_the_rest(tmp_path: Path) -> None:
    content, config = _site_with_theme(tmp_path, {
        "templates/partials/footer.html": "<footer><p>Custom footer for {{ site.title }}</p></footer>\n",
    })
    dirs = theme_dirs(content, config)
    assert dirs[0] == (tmp_path / "mytheme").resolve()
    _, data = Renderer(fixture()[0], config, dirs).render(PageSpec("home"))
    assert b"Custom footer for Fixture Digest" in data
    assert b'class="site-header"' in data  # the default header is still used


def test_the_cached_header_marks_each_pages_own_section() -> None:
    # The header is rendered once per (kind, section) and reused: pages of different kinds
    # rendered one after another must each get their own.
    site, _ = fixture()
    specs = [PageSpec("tags"), PageSpec("authors"), PageSpec("author", site.authors[0].slug), PageSpec("tags")]
    current = []
    for spec in specs:
        _, tree, _ = render(spec)
        nav = next(n for n in tree.iter("nav") if n.get("aria-label") == "Main")
        current.append({a.text: a.get("aria-current") for a in nav.iter("a") if a.get("aria-current")})
    assert current == [{"Tags": "page"}, {"Authors": "page"}, {"Authors": "true"}, {"Tags": "page"}]


def test_an_error_in_a_cached_partial_names_its_file_and_line(tmp_path: Path) -> None:
    content, config = _site_with_theme(tmp_path, {"templates/partials/header.html": "<header>\n{{ site.nonexistent.x }}\n</header>\n"})
    with pytest.raises(BuildError) as info:
        Renderer(fixture()[0], config, theme_dirs(content, config)).render(PageSpec("404"))
    assert info.value.path.endswith("header.html") and info.value.line == 2


def test_a_template_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    content, config = _site_with_theme(tmp_path, {"templates/404.html": "{% extends 'base.html' %}\n\n{% block content %}{% if %}{% endblock %}\n"})
    with pytest.raises(BuildError) as info:
        Renderer(fixture()[0], config, theme_dirs(content, config)).render(PageSpec("404"))
    assert info.value.path.endswith("404.html") and info.value.line == 3
    assert "syntax" in str(info.value)


def test_an_undefined_variable_is_an_error_naming_the_template(tmp_path: Path) -> None:
    content, config = _site_with_theme(tmp_path, {"templates/404.html": "{% extends 'base.html' %}\n{% block content %}\n{{ page.nonexistent.x }}\n{% endblock %}\n"})
    with pytest.raises(BuildError) as info:
        Renderer(fixture()[0], config, theme_dirs(content, config)).render(PageSpec("404"))
    assert info.value.path.endswith("404.html") and info.value.line == 3


def test_a_missing_site_theme_folder_is_a_content_error(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    with pytest.raises(ContentError, match="nothere"):
        theme_dirs(tmp_path / "content", SiteConfig(theme="nothere"))


# -- sitemap and robots ---------------------------------------------------------------------


def test_sitemap_lists_absolute_urls_and_splits_past_the_limit() -> None:
    urls = Urls.for_base("https://example.org/sub/")
    [(path, data)] = render_sitemap(["", "papers/a&b/"], urls)
    assert path == "sitemap.xml"
    assert re.findall(r"<loc>([^<]+)</loc>", data.decode()) == ["https://example.org/sub/", "https://example.org/sub/papers/a&amp;b/"]
    files = render_sitemap([f"papers/{i}/" for i in range(5)], urls, per_file=2)
    assert [p for p, _ in files] == ["sitemap.xml", "sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml"]
    index = files[0][1].decode()
    assert "<sitemapindex" in index and "https://example.org/sub/sitemap-3.xml" in index
    assert sum(f[1].decode().count("<url>") for f in files[1:]) == 5
    assert render_robots(urls).decode().endswith("Sitemap: https://example.org/sub/sitemap.xml\n")


# -- the theme's colours --------------------------------------------------------------------

# (foreground, background) custom properties that are drawn on each other in style.css.
CONTRAST_PAIRS = [("fg", "bg"), ("muted", "bg"), ("link", "bg"), ("link-visited", "bg"), ("link-visited", "surface"), ("fg", "surface"),
                  ("muted", "surface"), ("link", "surface"), ("chip-fg", "chip-bg"), ("code-fg", "code-bg"),
                  ("bg", "link")]


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_theme_colours_meet_wcag_aa_in_light_and_dark_mode() -> None:
    css = (REPO / "themes/default/static/style.css").read_text()
    light_block = css[css.index(":root {"):css.index("}", css.index(":root {"))]
    dark_start = css.index("@media (prefers-color-scheme: dark)")
    dark_block = css[dark_start:css.index("}", css.index(":root {", dark_start))]
    for block in (light_block, dark_block):
        colours = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", block))
        for fg, bg in CONTRAST_PAIRS:
            assert _contrast(colours[fg], colours[bg]) >= 4.5, (fg, bg, colours[fg], colours[bg])


def test_card_details_made_beforehand_render_the_same_pages() -> None:
    site, config = fixture()
    specs = [s for s in page_specs(site, config) if s.kind in ("tag", "day", "author", "paper")]
    before = [renderer().render(spec) for spec in specs]
    made = Renderer(site, config, theme_dirs(FIXTURE_CONTENT, config))
    details = made.render_card_details(site.papers)
    assert details is not None and len(details) == len(site.papers)
    made.card_fragments = PackedRecords([p.slug for p in site.papers], details)
    assert [made.render(spec) for spec in specs] == before
    # The fragments are what the pages use: a changed fragment shows.
    fresh = Renderer(site, config, theme_dirs(FIXTURE_CONTENT, config))
    fresh.card_fragments = PackedRecords([p.slug for p in site.papers], [b"<p>made</p>"] * len(details))
    _, data = fresh.render(PageSpec("day", site.days[0].date.isoformat()))
    assert b"<p>made</p>" in data


def test_a_card_shows_its_paper_and_derives_its_details_only_when_read() -> None:
    site, config = fixture()
    index = Renderer(site, config, theme_dirs(FIXTURE_CONTENT, config)).index
    paper = next(p for p in site.papers if p.authors and p.categories and p.tags and p.digest_day)
    card = index.card(paper)
    assert index.card(paper) is card  # one card per paper, found again by the memoized macros
    assert (card.slug, card.href, str(card.title_html)) == (paper.slug, f"/papers/{paper.slug}/", paper.title_html)
    assert card.excerpt_html == index.text(paper).excerpt_html
    # The details (links per name and tag) are made when read, not with the card: the pages of
    # a large site take them from fragments made beforehand and never read them.
    assert not index._author_link and not index._category_link and not index._topic_link
    assert [link.text for link in card.authors] == list(paper.authors)
    assert all(link.href == f"/authors/{author_slug(link.text)}/" for link in card.authors)
    assert len(card.categories) == len(paper.categories) and len(card.topics) == len(paper.tags)
    assert (card.date_iso, card.date_text) == (paper.digest_day.isoformat(), date_text(paper.digest_day))
    assert (card.code, card.upvotes, card.more_authors) == (paper.code, paper.upvotes, more_authors(paper))
    assert index._author_link  # made by reading `card.authors`


def test_pages_after_forgetting_the_cards_are_the_same() -> None:
    site, config = fixture()
    made = Renderer(site, config, theme_dirs(FIXTURE_CONTENT, config))
    specs = [s for s in page_specs(site, config) if s.kind in ("tag", "day", "author", "paper", "home")]
    before = [made.render(spec) for spec in specs]
    card_macro = made.env.get_template("partials/paper_card.html").module.paper_card
    assert card_macro._cached.cache_info().currsize > 0 and made.index._cards
    made.forget_cards()
    assert card_macro._cached.cache_info().currsize == 0 and not made.index._cards
    assert [made.render(spec) for spec in specs] == before
