"""Feeds: every rule of the issue checked on the XML itself and through feedparser.

The site is built by hand (not by site.py) so these tests depend only on the model; titles and
abstracts go through site_builder.markup as content.py would render them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from email.utils import parsedate_to_datetime

import feedparser
import lxml.html
import pytest
from lxml import etree
from markupsafe import Markup

from site_builder.config import SiteConfig
from site_builder.feeds import render_feeds
from site_builder.markup import render_abstract_html, render_title_html
from site_builder.model import ARXIV_CATEGORY_NAMES, Author, DigestDay, Paper, Site, Tag
from site_builder.slugs import author_slug, make_slug
from site_builder.urls import Urls

BASE = "https://example.org/sub/"
NS = {"atom": "http://www.w3.org/2005/Atom", "dc": "http://purl.org/dc/elements/1.1/"}
SCRIPT_TITLE = "<script>alert(1)</script>"
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)\Z")


def paper(slug: str, title: str, body: str = "An abstract.", **fields) -> Paper:
    return Paper(slug=slug, title=title, body=body, title_html=render_title_html(title),
                 abstract_html=render_abstract_html(body), **fields)  # fmt: skip


def build_site(papers: list[Paper]) -> Site:
    """What site.py derives, done plainly: newest first, authors alphabetical, days newest first."""
    newest_first = sorted(papers, key=lambda p: (-(p.digest_day or dt.date.min).toordinal(), p.title))
    by_author: dict[str, list[Paper]] = defaultdict(list)
    by_tag: dict[tuple[str, str], list[Paper]] = defaultdict(list)
    by_day: dict[dt.date, list[Paper]] = defaultdict(list)
    for p in newest_first:
        for name in p.authors:
            by_author[name].append(p)
        for key in p.categories:
            by_tag[("category", key)].append(p)
        for key in p.tags:
            by_tag[("topic", key)].append(p)
        if p.digest_day:
            by_day[p.digest_day].append(p)
    authors = tuple(Author(author_slug(n), n, tuple(ps)) for n, ps in sorted(by_author.items()))
    tags = tuple(
        Tag(make_slug(key), key, ARXIV_CATEGORY_NAMES.get(key, key) if kind == "category" else key.replace("-", " ").title(),
            kind, tuple(ps))
        for (kind, key), ps in sorted(by_tag.items())
    )  # fmt: skip
    days = tuple(DigestDay(d, tuple(ps)) for d, ps in sorted(by_day.items(), reverse=True))
    return Site(papers=tuple(newest_first), authors=authors, tags=tags, days=days)


PAPERS = [
    paper("xss", SCRIPT_TITLE, 'He said "hi" & <b>left</b> $x<y$.', authors=('Ann "A" <Lee>', "Bob & Co"),
          date=dt.date(2025, 10, 1), categories=("cs.LG",), tags=("graph-learning",)),
    paper("convex", "Convex bounds for $x^2$", "We bound $\\sum_i x_i^2$ " + "word " * 120,
          authors=("Ann Lee", "Cid Díaz"), authors_complete=False, date=dt.date(2025, 10, 1), categories=("math.OC", "cs.LG")),
    paper("third", "A third paper", authors=("Bob & Co", "Ann Lee"), author_count=6, added=dt.date(2025, 9, 30),
          tags=("graph-learning",)),
    paper("older", "An older paper", authors=("Ann Lee",), date=dt.date(2025, 9, 28), categories=("cs.LG",)),
    paper("undated", "A paper with no day", authors=("Ann Lee",), categories=("cs.LG",)),
    paper("anonymous", "Names not listed", author_count=3, authors_complete=False, date=dt.date(2025, 9, 28)),
]  # fmt: skip


def render(papers=PAPERS, base: str = BASE, **config) -> dict[str, bytes]:
    out = render_feeds(build_site(papers), SiteConfig(base_url=base, **config), Urls.for_base(base))
    return dict(out)


@pytest.fixture(scope="module")
def feeds() -> dict[str, bytes]:
    return render()


def xml(data: bytes) -> etree._Element:
    return etree.fromstring(data)  # strict parser: raises on anything not well-formed


def texts(root: etree._Element, path: str) -> list[str]:
    return [e.text for e in root.findall(path, NS)]


# --- the set of feeds ---------------------------------------------------------------------------


def test_feed_paths_in_fixed_order(feeds):
    site = build_site(PAPERS)
    expected = ["feed.xml", "atom.xml"]
    expected += [Urls.author_feed(a.slug) for a in site.authors]
    expected += [Urls.tag_feed(t.slug) for t in site.tags]
    assert list(feeds) == expected + ["feeds.opml"]
    assert "authors/ann-lee/feed.xml" in feeds and "tags/cs-lg/feed.xml" in feeds


def test_every_feed_is_well_formed_and_parses_without_error(feeds):
    for path, data in feeds.items():
        xml(data)
        if path.endswith(".xml"):
            parsed = feedparser.parse(data)
            assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
            assert parsed.version in ("rss20", "atom10"), path


def test_renders_are_byte_identical(feeds):
    assert render() == feeds
    assert render_feeds(build_site(PAPERS), SiteConfig(base_url=BASE), Urls.for_base(BASE)) == list(feeds.items())


# --- the daily digest ---------------------------------------------------------------------------


def test_digest_rss_has_one_item_per_day_newest_first(feeds):
    channel = xml(feeds["feed.xml"]).find("channel")
    items = channel.findall("item")
    assert [i.findtext("title") for i in items] == [
        "Research Digest — 2025-10-01: 2 papers",
        "Research Digest — 2025-09-30: 1 paper",
        "Research Digest — 2025-09-28: 2 papers",
    ]
    days = [dt.date(2025, 10, 1), dt.date(2025, 9, 30), dt.date(2025, 9, 28)]
    for item, day in zip(items, days):
        url = f"{BASE}days/{day.isoformat()}/"
        assert item.findtext("link") == url
        guid = item.find("guid")
        assert guid.text == url and guid.get("isPermaLink") == "true"
        published = parsedate_to_datetime(item.findtext("pubDate"))
        assert published == dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)
    assert parsedate_to_datetime(channel.findtext("lastBuildDate")) == parsedate_to_datetime(items[0].findtext("pubDate"))


def test_digest_keeps_the_newest_feed_items_days():
    items = xml(render(feed_items=2)["feed.xml"]).findall("channel/item")
    assert [i.findtext("link") for i in items] == [f"{BASE}days/2025-10-01/", f"{BASE}days/2025-09-30/"]
    entries = xml(render(feed_items=2)["atom.xml"]).findall("atom:entry", NS)
    assert len(entries) == 2


def test_digest_item_lists_papers_with_linked_titles_authors_and_excerpts(feeds):
    items = xml(feeds["feed.xml"]).findall("channel/item")
    body = lxml.html.fragment_fromstring(items[0].findtext("description"), create_parent="div")
    links = body.findall(".//h3/a")
    assert [a.get("href") for a in links] == [f"{BASE}papers/xss/", f"{BASE}papers/convex/"]
    assert links[0].text_content() == SCRIPT_TITLE  # shown as text, not run
    assert links[1].find(".//math") is not None  # the title's math, as MathML
    paragraphs = [p.text_content() for p in body.findall("p")]
    assert 'Ann "A" <Lee>, Bob & Co' in paragraphs
    assert "Ann Lee, Cid Díaz et al." in paragraphs
    excerpt = next(p for p in paragraphs if p.startswith("We bound"))
    assert excerpt.endswith("…") and len(excerpt) <= 300
    assert "$\\sum_i x_i^2$" in excerpt  # plain text: the formula as written
    third = lxml.html.fragment_fromstring(items[1].findtext("description"), create_parent="div")
    assert "Bob & Co, Ann Lee +4 more" in [p.text_content() for p in third.findall("p")]
    oldest = lxml.html.fragment_fromstring(items[2].findtext("description"), create_parent="div")
    assert "3 authors" in [p.text_content() for p in oldest.findall("p")]  # not a bare "+3 more"


def test_digest_atom_matches_rss_with_rfc3339_dates(feeds):
    feed = xml(feeds["atom.xml"])
    assert feed.tag == "{http://www.w3.org/2005/Atom}feed"
    rss_items = xml(feeds["feed.xml"]).findall("channel/item")
    entries = feed.findall("atom:entry", NS)
    assert [e.findtext("atom:title", namespaces=NS) for e in entries] == [i.findtext("title") for i in rss_items]
    ids = [feed.findtext("atom:id", namespaces=NS)] + [e.findtext("atom:id", namespaces=NS) for e in entries]
    assert len(set(ids)) == len(ids)
    for entry, item in zip(entries, rss_items):
        assert entry.findtext("atom:id", namespaces=NS) == item.findtext("link")
        assert entry.find("atom:link[@rel='alternate']", NS).get("href") == item.findtext("link")
        assert entry.find("atom:content", NS).get("type") == "html"
        for name in ("published", "updated"):
            stamp = entry.findtext(f"atom:{name}", namespaces=NS)
            assert RFC3339.match(stamp), stamp
            assert dt.datetime.fromisoformat(stamp) == parsedate_to_datetime(item.findtext("pubDate"))
    updated = feed.findtext("atom:updated", namespaces=NS)
    assert RFC3339.match(updated) and updated == entries[0].findtext("atom:updated", namespaces=NS)
    assert feed.findtext("atom:author/atom:name", namespaces=NS)  # Atom wants an author for the feed


# --- author and tag feeds -----------------------------------------------------------------------


def test_author_feed_items_newest_first_with_creators_in_order(feeds):
    channel = xml(feeds["authors/ann-lee/feed.xml"]).find("channel")
    items = channel.findall("item")
    # "undated" has no digest day: left out; the rest newest first.
    assert [i.findtext("link") for i in items] == [f"{BASE}papers/{s}/" for s in ("convex", "third", "older")]
    assert [i.findtext("guid") for i in items] == [i.findtext("link") for i in items]
    assert [texts(i, "dc:creator") for i in items] == [["Ann Lee", "Cid Díaz"], ["Bob & Co", "Ann Lee"], ["Ann Lee"]]
    dates = [parsedate_to_datetime(i.findtext("pubDate")) for i in items]
    assert dates == sorted(dates, reverse=True)
    assert dates[1] == dt.datetime(2025, 9, 30, tzinfo=dt.timezone.utc)  # `added` when there is no `date`
    assert parsedate_to_datetime(channel.findtext("lastBuildDate")) == dates[0]
    assert channel.findtext("link") == f"{BASE}authors/ann-lee/"
    assert "Ann Lee" in channel.findtext("title")


def test_paper_items_carry_categories_topics_and_the_abstract_as_html(feeds):
    items = xml(feeds["tags/cs-lg/feed.xml"]).findall("channel/item")
    by_link = {i.findtext("link"): i for i in items}
    assert texts(by_link[f"{BASE}papers/xss/"], "category") == ["cs.LG", "Graph Learning"]
    assert texts(by_link[f"{BASE}papers/convex/"], "category") == ["math.OC", "cs.LG"]
    description = by_link[f"{BASE}papers/convex/"].findtext("description")
    assert "<math" in description  # MathML, for feed readers that show it
    assert by_link[f"{BASE}papers/convex/"].findtext("title") == "Convex bounds for $x^2$"  # plain text


def test_author_and_tag_feeds_keep_feed_items_papers():
    papers = [
        paper(f"p{i:02d}", f"Paper {i}", authors=("Ann Lee",), date=dt.date(2025, 1, 1) + dt.timedelta(days=i), tags=("t",))
        for i in range(12)
    ]
    feeds = render(papers, feed_items=5)
    for path in ("authors/ann-lee/feed.xml", "tags/t/feed.xml"):
        links = [i.findtext("link") for i in xml(feeds[path]).findall("channel/item")]
        assert links == [f"{BASE}papers/p{i:02d}/" for i in (11, 10, 9, 8, 7)]


def test_feed_of_only_undated_papers_is_valid_and_empty():
    feeds = render([paper("u", "Undated", authors=("Zed",), categories=("cs.AI",))])
    for path in ("authors/zed/feed.xml", "tags/cs-ai/feed.xml", "feed.xml"):
        channel = xml(feeds[path]).find("channel")
        assert channel.findall("item") == [] and channel.find("lastBuildDate") is None
        assert feedparser.parse(feeds[path]).bozo == 0
    assert xml(feeds["atom.xml"]).findtext("atom:updated", namespaces=NS) == "1970-01-01T00:00:00Z"


# --- rules for every feed -----------------------------------------------------------------------


def urls_in(path: str, data: bytes) -> list[str]:
    """Every URL of a feed: links, guids, ids, hrefs, OPML urls and the links inside descriptions."""
    root = xml(data)
    found = [e.text for e in root.iter("link", "guid", "{*}id")]
    found += [v for e in root.iter() for k, v in e.attrib.items() if k in ("href", "xmlUrl", "htmlUrl")]
    for e in root.iter("description", "{*}content"):
        if e.text and e.text.strip():
            found += lxml.html.fragment_fromstring(e.text, create_parent="div").xpath(".//@href | .//@src")
    return found


@pytest.mark.parametrize("base", ["https://example.org/sub/", "https://example.org/"])
def test_every_url_is_absolute_under_the_base_url(base):
    for path, data in render(base=base).items():
        found = urls_in(path, data)
        assert found, path
        for url in found:
            assert url.startswith(base), (path, url)


def test_self_link_is_the_feeds_own_url(feeds):
    for path, data in feeds.items():
        root = xml(data)
        if root.tag == "rss":
            self_link = root.find("channel/atom:link[@rel='self']", NS)
            assert self_link.get("type") == "application/rss+xml"
        elif root.tag == f"{{{NS['atom']}}}feed":
            self_link = root.find("atom:link[@rel='self']", NS)
        else:
            continue
        assert self_link.get("href") == BASE + path


def test_channel_header(feeds):
    for path, data in feeds.items():
        channel = xml(data).find("channel")
        if channel is None:
            continue
        assert channel.findtext("generator") == "site_builder"
        assert channel.findtext("language") == "en"
        assert channel.findtext("description")
        assert channel.findtext("link").startswith(BASE)


def test_items_have_unique_guids_and_rfc822_dates_newest_first(feeds):
    for path, data in feeds.items():
        channel = xml(data).find("channel")
        if channel is None:
            continue
        guids = texts(channel, "item/guid")
        assert guids and len(guids) == len(set(guids)), path
        stamps = texts(channel, "item/pubDate")
        assert all(re.fullmatch(r"[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} 00:00:00 GMT", s) for s in stamps), stamps
        dates = [parsedate_to_datetime(s) for s in stamps]
        assert dates == sorted(dates, reverse=True), path
        assert parsedate_to_datetime(channel.findtext("lastBuildDate")) == dates[0], path


def test_script_in_titles_names_and_abstracts_stays_inert(feeds):
    for path, data in feeds.items():
        assert b"<script" not in data.lower(), path
    # The parsed description holds HTML whose text shows the tag; no element is made of it.
    for path in ("feed.xml", "authors/bob-co/feed.xml", "tags/cs-lg/feed.xml"):
        for item in xml(feeds[path]).iter("item"):
            body = lxml.html.fragment_fromstring(item.findtext("description"), create_parent="div")
            assert body.find(".//script") is None
            assert body.find(".//b") is None  # raw HTML in an abstract is text too
    digest = feedparser.parse(feeds["feed.xml"]).entries[0].description
    assert "<script" not in digest and "&lt;script&gt;alert(1)&lt;/script&gt;" in digest
    xss = next(i for i in xml(feeds["authors/bob-co/feed.xml"]).iter("item") if i.findtext("link").endswith("/xss/"))
    assert xss.findtext("title") == SCRIPT_TITLE  # XML-escaped once: text for every reader
    assert texts(xss, "dc:creator") == ['Ann "A" <Lee>', "Bob & Co"]


def test_site_settings_are_escaped_and_control_characters_dropped():
    nasty = [paper("c", "Bell\x07 and tab\there", "Form\x0cfeed", authors=("Nul\x00Name",), date=dt.date(2025, 1, 2))]
    feeds = render(nasty, title='Digest <b> & "friends"', author="Me & <you>", description="A < B")
    for path, data in feeds.items():
        xml(data)
        if path.endswith(".xml"):
            assert feedparser.parse(data).bozo == 0, path
    channel = xml(feeds["feed.xml"]).find("channel")
    assert channel.findtext("title") == 'Digest <b> & "friends"'
    assert channel.findtext("dc:publisher", namespaces=NS) == "Me & <you>"
    item = xml(feeds[Urls.author_feed(author_slug("Nul\x00Name"))]).find("channel/item")
    assert item.findtext("title") == "Bell and tab here"
    assert texts(item, "dc:creator") == ["NulName"]


# --- OPML ---------------------------------------------------------------------------------------


def test_opml_lists_every_feed(feeds):
    opml = xml(feeds["feeds.opml"])
    assert opml.tag == "opml" and opml.get("version") == "2.0"
    assert opml.findtext("head/title")
    outlines = [o for o in opml.iter("outline") if o.get("xmlUrl")]
    assert [o.get("xmlUrl") for o in outlines] == [BASE + p for p in feeds if p != "feeds.opml"]
    for o in outlines:
        assert o.get("type") == "rss" and o.get("text") and o.get("title") == o.get("text")
        assert o.get("htmlUrl").startswith(BASE)
    by_url = {o.get("xmlUrl"): o for o in outlines}
    ann = by_url[f"{BASE}authors/ann-lee/feed.xml"]
    assert ann.get("htmlUrl") == f"{BASE}authors/ann-lee/" and ann.get("title") == "Ann Lee"
    assert ann.getparent().get("text") == "Authors"
    assert by_url[f"{BASE}tags/cs-lg/feed.xml"].get("title") == "Machine Learning (cs.LG)"
    assert by_url[f"{BASE}tags/cs-lg/feed.xml"].getparent().get("text") == "Categories"
    assert by_url[f"{BASE}tags/graph-learning/feed.xml"].getparent().get("text") == "Topics"
    assert by_url[f"{BASE}feed.xml"].getparent().tag == "body"
    quoted_name = 'Ann "A" <Lee>'
    assert by_url[BASE + Urls.author_feed(author_slug(quoted_name))].get("title") == quoted_name


# The template `rss_item` replaced (for speed), as it was: the reference for its escaping.
_RSS_ITEM_TEMPLATE = """\
    <item>
      <title>{{ title }}</title>
      <link>{{ url }}</link>
      <description>{{ description }}</description>
{% for name in creators %}
      <dc:creator>{{ name }}</dc:creator>
{% endfor %}
{% for category in categories %}
      <category>{{ category }}</category>
{% endfor %}
      <guid isPermaLink="true">{{ url }}</guid>
      <pubDate>{{ pub_date }}</pubDate>
    </item>
"""


@pytest.mark.parametrize("values", [
    ("Plain", "https://e.org/p/", "<p>An abstract.</p>", ("Ann",), ("cs.LG",), "Wed, 01 Oct 2025 00:00:00 GMT"),
    ('<script>"x" & \'y\'</script>', "https://e.org/p/?a=1&b=2", '<p>He said "hi" & <b>left</b></p>\x00',
     ('Ann "A" <Lee>', "Bob & Co", "Bell\x07"), ("a < b", "Topic\ufffe"), "date & time"),
    ("Math $x<y$", "u", Markup("<i>already markup</i>"), (), (), "d"),
    ("Ünïcödé — ∑", "https://e.org/ü/", "<math><mi>α</mi></math>", ("Cid Díaz",), (), "Thu"),
])  # fmt: skip
def test_rss_item_writes_what_its_template_did(values):
    from site_builder.feeds import rss_item
    from site_builder.opml import xml_environment

    template = xml_environment().from_string(_RSS_ITEM_TEMPLATE)
    names = ("title", "url", "description", "creators", "categories", "pub_date")
    assert rss_item(*values) == template.render(dict(zip(names, values))).encode()


def test_feeds_are_the_same_when_items_are_forgotten(feeds, monkeypatch):
    # A process keeps ITEM_CACHE_SIZE items; one it forgot is rendered again, the same.
    import site_builder.feeds as feeds_module

    monkeypatch.setattr(feeds_module, "ITEM_CACHE_SIZE", 1)
    assert render() == feeds


def test_xml_safe_drops_exactly_what_xml_cannot_hold():
    # Its fast check must agree with the plain regular expression on every kind of character:
    # the C0 controls (tab, newline and CR allowed), lone surrogates, U+FFFE/U+FFFF, and the
    # allowed neighbours of each (DEL, U+D7FF, U+E000, U+FFFD, astral characters).
    import random

    from site_builder.opml import _NOT_XML_CHAR, xml_safe

    alphabet = [*map(chr, range(0x00, 0x80)), "\u00e9", "\u2211", "\ud7ff", "\ud800", "\udbff", "\udc00",
                "\udfff", "\ue000", "\ufffd", "\ufffe", "\uffff", "\U00010000", "\U0001f600", "\U0010ffff"]
    rng = random.Random(6)
    texts = ["", "plain ASCII", "tab\there\nnew\rline", "bell\x07", "\x00", "\x7f", "caf\u00e9\x1f", "x\ud800y",
             "\ufffe", "ok\U0001f600"]
    texts += ["".join(rng.choices(alphabet, k=rng.randint(1, 40))) for _ in range(3000)]
    for text in texts:
        assert xml_safe(text) == _NOT_XML_CHAR.sub("", text), repr(text)
    clean = "An abstract with <math> and ünïcödé \U0001f600"
    assert xml_safe(clean) is clean  # nothing to drop: the same object, no copy
