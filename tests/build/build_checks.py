"""Helpers for the build tests: building sites, parsing pages, resolving links, hashing output."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import html5lib

from site_builder.build import BuildReport, build_site
from site_builder.cache import CACHE_DIR_NAME

REPO = Path(__file__).resolve().parents[2]
FIXTURE_SITE = REPO / "tests" / "fixtures" / "site"
FIXTURE_CONTENT = FIXTURE_SITE / "content"
SHIPPED_CONTENT = REPO / "content"


def build(content: Path, out: Path, **options) -> tuple[BuildReport, list[str]]:
    """build_site with search off unless asked, capturing what it prints."""
    lines: list[str] = []
    options.setdefault("search", False)
    report = build_site(content, out, log=lines.append, **options)
    return report, lines


def copy_site(source_site: Path, dest: Path) -> Path:
    """A copy of a site folder (content/ and any theme), to edit in a test; returns its content/.
    Not its build caches: the tests that build the fixture in place leave theirs next to it."""
    shutil.copytree(source_site, dest, ignore=shutil.ignore_patterns(CACHE_DIR_NAME))
    return dest / "content"


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def html_pages(root: Path) -> list[Path]:
    return [p for p in files_under(root) if p.suffix == ".html" and "pagefind" not in p.relative_to(root).parts]


def tree_hashes(root: Path) -> dict[str, str]:
    """Output-relative path -> sha256 of every file."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files_under(root)}


def parse_strict(path: Path):
    """The page as an html5lib tree; raises html5lib's ParseError on any HTML5 parse error."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(path.read_bytes(), transport_encoding="utf-8")


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append((tag, name, value))
            if name == "id" and value is not None:
                self.ids.append(value)


def links_and_ids(path: Path) -> tuple[list[tuple[str, str, str]], list[str]]:
    collector = _LinkCollector()
    collector.feed(path.read_text(encoding="utf-8"))
    collector.close()
    return collector.links, collector.ids


def internal_target(url: str, page_url: str, base_url: str) -> str | None:
    """The output-relative file a link points to, or None for an external link or a pure anchor.

    Root-relative links must start with the base path; absolute links to the site's own base URL
    count as internal too (canonical URLs, Open Graph URLs). Raises AssertionError for an internal
    link outside the base path (it would 404 on the real host).
    """
    base = urlsplit(base_url)
    parts = urlsplit(url)
    if parts.scheme in ("mailto", "tel", "data", "javascript"):
        return None
    if parts.scheme or parts.netloc:
        if parts.netloc != base.netloc or not parts.path.startswith(base.path):
            return None  # another site
        path = parts.path
    elif not parts.path:
        return None  # "#anchor" or "?query" on this page
    elif parts.path.startswith("/"):
        path = parts.path
    else:  # page-relative; resolve against the page's own URL
        path = urlsplit(page_url).path.rsplit("/", 1)[0] + "/" + parts.path
    path = unquote(path)
    assert path.startswith(base.path), f"internal link {url!r} is outside the base path {base.path!r}"
    rel = path[len(base.path):]
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
    return rel


def page_url_of(path: Path, root: Path, base_url: str) -> str:
    rel = path.relative_to(root).as_posix()
    if rel.endswith("index.html"):
        rel = rel[: -len("index.html")]
    return base_url + rel


def broken_links(root: Path, base_url: str, allow_missing: tuple[str, ...] = ()) -> Iterator[str]:
    """Every internal href/src of every HTML page that does not resolve to a written file."""
    for page in html_pages(root):
        links, _ = links_and_ids(page)
        page_url = page_url_of(page, root, base_url)
        for tag, attr, value in links:
            target = internal_target(value, page_url, base_url)
            if target is None or target.startswith(allow_missing):
                continue
            if not (root / target).is_file():
                yield f"{page.relative_to(root)}: <{tag} {attr}={value!r}> -> {target} is missing"


URL_IN_XML = re.compile(r"""(?:href|xmlUrl|htmlUrl)="([^"]+)"|<(?:link|loc|guid|id)[^>]*>(https?://[^<]+)<""")


def broken_xml_urls(out: Path, base_url: str) -> tuple[int, list[str]]:
    """(URLs checked, those that point into the site but at no written file) of the feeds, OPML
    and sitemaps."""
    checked, broken = 0, []
    for path in files_under(out):
        if path.suffix not in (".xml", ".opml") or "pagefind" in path.parts:
            continue
        for match in URL_IN_XML.finditer(path.read_text(encoding="utf-8")):
            url = match.group(1) or match.group(2)
            if not url.startswith(base_url):
                assert not url.startswith("/"), f"{path}: relative URL {url!r} in a feed"
                continue
            target = internal_target(url, base_url, base_url)
            checked += 1
            if target and not (out / target).is_file():
                broken.append(f"{path.relative_to(out)}: {url}")
    return checked, broken
