"""`sitemap.xml` (every HTML page's absolute URL) and `robots.txt` pointing to it.

The sitemap protocol allows 50,000 URLs per file; past that, `sitemap.xml` becomes a sitemap
index of `sitemap-1.xml`, `sitemap-2.xml`, ... so its URL (the one robots.txt names) never changes.
Pure: URLs in, (output path, bytes) out, in the order given.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from site_builder.urls import Urls

MAX_URLS_PER_FILE = 50_000
SITEMAP_PATH = "sitemap.xml"
_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
_HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n'


def render_sitemap(page_urls: Sequence[str], urls: Urls, per_file: int = MAX_URLS_PER_FILE) -> list[tuple[str, bytes]]:
    """The sitemap file(s) for output-relative page URLs ("", "papers/x/", ...)."""
    absolute = [urls.absolute(u) for u in page_urls]
    if len(absolute) <= per_file:
        return [(SITEMAP_PATH, _urlset(absolute))]
    files: list[tuple[str, bytes]] = []
    for start in range(0, len(absolute), per_file):
        files.append((f"sitemap-{start // per_file + 1}.xml", _urlset(absolute[start:start + per_file])))
    index = [_HEADER, f'<sitemapindex xmlns="{_NS}">\n']
    index += [f"  <sitemap><loc>{escape(urls.absolute(path))}</loc></sitemap>\n" for path, _ in files]
    index.append("</sitemapindex>\n")
    return [(SITEMAP_PATH, "".join(index).encode("utf-8")), *files]


def _urlset(absolute: Sequence[str]) -> bytes:
    parts = [_HEADER, f'<urlset xmlns="{_NS}">\n']
    parts += [f"  <url><loc>{escape(url)}</loc></url>\n" for url in absolute]
    parts.append("</urlset>\n")
    return "".join(parts).encode("utf-8")


def render_robots(urls: Urls) -> bytes:
    """robots.txt: everything may be crawled; where the sitemap is.

    Crawlers read robots.txt only at a host's root, so for a site under a sub-path this file is
    informative only (the host's own robots.txt decides); it is written either way.
    """
    return f"User-agent: *\nAllow: /\n\nSitemap: {urls.absolute(SITEMAP_PATH)}\n".encode("utf-8")
