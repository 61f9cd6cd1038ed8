"""`feeds.opml`: every feed of the site in OPML 2.0, so a reader can subscribe to some or all at once.

`site_builder.feeds` lists the feeds (`FeedInfo`) and calls `render_opml` last. This module also
holds `xml_safe`, the character filter both use (here, so that feeds.py imports this module and
not the other way round).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import jinja2
from markupsafe import Markup

from site_builder.config import SiteConfig
from site_builder.theme import FastEscapeTemplate
from site_builder.urls import Urls

# What XML 1.0 cannot hold at all (C0 controls but tab/newline/CR, lone surrogates, U+FFFE/F).
_NOT_XML_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


_C0_CONTROLS = bytes(c for c in range(32) if c not in (9, 10, 13))  # the ones XML 1.0 cannot hold


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 cannot hold; escaping is the templates' job.

    Nearly every text holds none, and the regular expression scans one character at a time (10
    us for an abstract's HTML, a third of its feed item): it runs only when a check made of C
    loops finds one. A lone surrogate cannot be encoded; a C0 control is the same byte in UTF-8
    (every byte of a longer sequence is 0x80 or more); U+FFFE and U+FFFF are looked for.
    Printable ASCII, which most short values are, is let through first."""
    if text.isascii() and text.isprintable():  # most names, links and dates: no control character
        return text
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return _NOT_XML_CHAR.sub("", text)
    if len(raw.translate(None, _C0_CONTROLS)) == len(raw) and "\ufffe" not in text and "\uffff" not in text:
        return text
    return _NOT_XML_CHAR.sub("", text)


def finalize_xml(value: object) -> object:
    """Jinja2 `finalize` for XML templates: every value made XML-safe before autoescaping, except
    `Markup`, which is what the caller rendered itself (already clean)."""
    if type(value) is str:  # nearly every value: the fast path
        return xml_safe(value)
    if isinstance(value, Markup):
        return value
    return xml_safe(value if isinstance(value, str) else str(value))


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """One feed, as the OPML list shows it."""

    title: str
    path: str  # output-relative path of the feed
    page: str  # output-relative path of the page the feed follows ("" for the home page)
    group: str  # "" for the digest feeds (top level), else the folder: "Authors", "Categories", "Topics"


_OPML_TEMPLATE = """\
<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head>
    <title>{{ title }}</title>
    <docs>http://opml.org/spec2.opml</docs>
  </head>
  <body>
{% for feed in top %}
    <outline type="rss" text="{{ feed.title }}" title="{{ feed.title }}" xmlUrl="{{ feed.xml_url }}" htmlUrl="{{ feed.html_url }}"/>
{% endfor %}
{% for name, feeds in groups %}
    <outline text="{{ name }}" title="{{ name }}">
{% for feed in feeds %}
      <outline type="rss" text="{{ feed.title }}" title="{{ feed.title }}" xmlUrl="{{ feed.xml_url }}" htmlUrl="{{ feed.html_url }}"/>
{% endfor %}
    </outline>
{% endfor %}
  </body>
</opml>
"""

def xml_environment(loader: jinja2.BaseLoader | None = None) -> jinja2.Environment:
    """The Jinja2 environment of every feed document: autoescaped, strict, XML-safe values."""
    env = jinja2.Environment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=finalize_xml,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.template_class = FastEscapeTemplate  # (the same escaping, faster: a feed has ~60 values)
    return env


_OPML = xml_environment().from_string(_OPML_TEMPLATE)


def render_opml(feeds: Sequence[FeedInfo], config: SiteConfig, urls: Urls) -> bytes:
    """The OPML document: the digest feeds at the top, then a folder per group (in the order the
    groups first appear), each feed with its title, xmlUrl and htmlUrl (absolute). `type="rss"` is
    OPML 2.0's type for any feed, Atom included. No date in the head: `dateCreated` would be "now"
    and the output must be byte-identical from build to build."""
    top = [f for f in feeds if not f.group]
    groups: dict[str, list[FeedInfo]] = {}
    for feed in feeds:
        if feed.group:
            groups.setdefault(feed.group, []).append(feed)

    def outline(feed: FeedInfo) -> dict[str, str]:
        return {"title": feed.title, "xml_url": urls.absolute(feed.path), "html_url": urls.absolute(feed.page)}

    text = _OPML.render(
        title=f"{config.title} — feeds",
        top=[outline(f) for f in top],
        groups=[(name, [outline(f) for f in members]) for name, members in groups.items()],
    )
    return text.encode("utf-8")
