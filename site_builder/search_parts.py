"""How the search index is split into parts, and the manifest that lets the next build reuse them.

Pagefind has no incremental mode, and one Pagefind run over 10,000 pages takes 15-35 s and
1.5-2 GB on the 2-core benchmark machine (time and memory grow linearly: ~14 GB at 100,000). So a large site is indexed as several bundles
("parts"), each one Pagefind run over a slice of the searchable pages, which the search page
merges in the browser (Pagefind's `mergeIndex`). A rebuild re-indexes only the parts whose pages
were added, changed or removed, and copies the others from the previous build.

The rule that assigns pages to parts is a pure function of the current pages (so an incremental
index is byte-identical to a cold one) and is chosen so that the usual changes touch few parts:
- Pages are ordered by their `date` sort value (the digest day), then path. Each part is a run of
  whole days, so parts cover disjoint date ranges: then search.js can make the merged search
  order results by date across parts (Pagefind's own merge orders them by score).
- Days are packed greedily, oldest first, into parts of at most `max_pages` pages, so a part's
  boundaries depend only on the pages before it: a new digest day changes only the newest part,
  and an edit only its own part. A page added to or removed from an old day would shift every
  later boundary, so the packing also starts afresh at "anchor" days, a day holding a page whose
  path hashes to 0 modulo `run_pages` (content-defined chunking, as in rsync or restic: about one
  page in `run_pages`, wherever the dates fall, sparse years included). Such a change then moves
  only the boundaries up to the next anchor (~`run_pages` pages, a few parts).
- A single day with more than `max_pages` pages is cut into equal slices by path.
- A site with at most `max_pages` searchable pages is one part: the classic `pagefind/` bundle.

The manifest (`pagefind/manifest.json.gz`) records each part's pages with their date and a digest
of their HTML; `pagefind/parts.json` lists the parts' bundles, oldest first, for search.js.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import html
import itertools
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

BUNDLE_DIR = "pagefind"  # under the site root; the search page loads {base}pagefind/pagefind-ui.js
PARTS_DIR = "parts"  # a split index has its parts in pagefind/parts/<name>/
PARTS_FILE = "parts.json"  # pagefind/parts.json: the bundles search.js merges
MANIFEST_FILE = "manifest.json.gz"  # pagefind/manifest.json.gz: what the next build reuses
MANIFEST_FORMAT = 1
SORT_KEY = "date"  # the data-pagefind-sort key the paper template writes and search.js sorts by
DEFAULT_MAX_PART_PAGES = 2000  # ~2.5 s and ~300 MB per Pagefind run on the 2-core benchmark machine
RUN_FACTOR = 4  # an anchor day every ~4 parts' worth of pages, on average

_BODY = b"data-pagefind-body"
_SORT_VALUE = re.compile(rb'data-pagefind-sort="' + SORT_KEY.encode() + rb'"[^>]*>([^<]*)<')
_UNSAFE_NAME = re.compile(r"[^0-9A-Za-z_-]")
_IGNORE = b"data-pagefind-ignore"
_TAG_NAME = re.compile(rb"[a-zA-Z][a-zA-Z0-9-]*")


@dataclass(frozen=True)
class PageEntry:
    """A searchable page: output-relative path, its date sort value ("" if none), and a digest of
    its HTML (less the text Pagefind ignores: see _without_ignored_text)."""

    path: str
    date: str
    digest: str


@dataclass(frozen=True)
class Part:
    """One slice of the index: `bundle` is its folder under the site root, e.g. "pagefind/"."""

    bundle: str
    pages: tuple[PageEntry, ...]

    @property
    def signature(self) -> tuple[tuple[str, str], ...]:
        """What the part's bundle depends on: equal signatures give byte-identical bundles."""
        return tuple((page.path, page.digest) for page in self.pages)


def scan_page(path: str, data: bytes) -> PageEntry | None:
    """The search entry of an HTML page, or None if it has no `data-pagefind-body` element.

    A quick byte scan, not a parse: the marker counts only inside a tag (after a `<` with no `>`
    between), so an abstract that mentions the attribute (escaped text) does not count.
    """
    at = data.find(_BODY)
    while at != -1 and data.rfind(b"<", 0, at) < data.rfind(b">", 0, at):
        at = data.find(_BODY, at + 1)
    if at == -1:
        return None
    match = _SORT_VALUE.search(data)
    date = html.unescape(match.group(1).decode("utf-8", "replace")).strip() if match else ""
    return PageEntry(path=path, date=date, digest=hashlib.sha256(_without_ignored_text(data)).hexdigest()[:16])


def _without_ignored_text(data: bytes) -> bytes:
    """The page without the elements Pagefind leaves out of its index (`data-pagefind-ignore`)
    that hold nothing else Pagefind reads (no `data-pagefind-*` attribute, no image).

    What the digest of a page covers: a paper's "related papers" list changes when other papers
    are added, but not what search finds, so it must not make its part be indexed again. Cutting
    less than Pagefind ignores is safe (a needless re-index at worst); an element whose end is
    not found is kept.
    """
    kept: list[bytes] = []
    position = 0
    at = data.find(_IGNORE)
    while at != -1:
        element = _cuttable_element(data, at, position)
        if element is not None:
            kept.append(data[position : element[0]])
            position = element[1]
        at = data.find(_IGNORE, max(at + 1, position))
    kept.append(data[position:])
    return b"".join(kept)


def _cuttable_element(data: bytes, at: int, position: int) -> tuple[int, int] | None:
    """(start, end) of the element whose start tag has the `data-pagefind-ignore` found at `at`,
    if it holds nothing Pagefind reads; None if not (or if `at` is not in a tag after `position`)."""
    start, close = data.rfind(b"<", 0, at), data.find(b">", at)
    if start < position or close == -1 or data.rfind(b">", 0, at) > start:
        return None
    name = _TAG_NAME.match(data, start + 1)
    end = _element_end(data, name.group(0), close + 1) if name else None
    if end is None or b"data-pagefind-" in data[close + 1 : end] or b"<img" in data[close + 1 : end]:
        return None
    return start, end


def _element_end(data: bytes, name: bytes, after: int) -> int | None:
    """Where the element `name` whose start tag ends at `after` ends (after its end tag), or None."""
    depth = 1
    for tag in _tags_named(name).finditer(data, after):
        if tag.group(1):
            depth -= 1
            if depth == 0:
                return tag.end()
        elif not tag.group(0).endswith(b"/>"):
            depth += 1
    return None


@functools.cache
def _tags_named(name: bytes) -> re.Pattern[bytes]:
    return re.compile(rb"<(/?)" + re.escape(name) + rb"(?=[\s>/])[^>]*>", re.IGNORECASE)


def plan_parts(pages: Iterable[PageEntry], max_pages: int, run_pages: int | None = None) -> list[Part]:
    """Assign pages to parts (see the module docstring); parts oldest first.

    `run_pages` sets how often packing starts afresh (default: RUN_FACTOR parts' worth of pages).
    """
    if max_pages < 1:
        raise ValueError("max_pages must be at least 1")
    run_pages = run_pages or RUN_FACTOR * max_pages
    ordered = sorted(pages, key=lambda page: (page.date, page.path))
    if len(ordered) <= max_pages:
        return [Part(bundle=f"{BUNDLE_DIR}/", pages=tuple(ordered))]
    slices: list[list[PageEntry]] = []
    current: list[PageEntry] = []
    for _date, in_day in itertools.groupby(ordered, key=lambda page: page.date):
        day = list(in_day)
        anchor = any(is_anchor(page.path, run_pages) for page in day)
        if current and (anchor or len(current) + len(day) > max_pages):
            slices.append(current)
            current = []
        if len(day) > max_pages:
            count = math.ceil(len(day) / max_pages)
            size = math.ceil(len(day) / count)
            slices.extend(day[start : start + size] for start in range(0, len(day), size))
        else:
            current.extend(day)
    if current:
        slices.append(current)
    return [Part(bundle=f"{BUNDLE_DIR}/{PARTS_DIR}/{name}/", pages=tuple(pages)) for name, pages in _named(slices)]


def is_anchor(path: str, run_pages: int) -> bool:
    """Whether the page at `path` makes its day start a new run of parts (1 page in `run_pages`)."""
    digest = hashlib.blake2b(path.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % run_pages == 0


def _named(slices: list[list[PageEntry]]) -> Iterable[tuple[str, list[PageEntry]]]:
    """Name each part after its first day ("2024-03-05", then "2024-03-05-2" for a second one)."""
    used: set[str] = set()
    for pages in slices:
        base = name = _UNSAFE_NAME.sub("_", pages[0].date) or "undated"
        number = 1
        while name in used:
            number += 1
            name = f"{base}-{number}"
        used.add(name)
        yield name, pages


@dataclass(frozen=True)
class Manifest:
    """What an index was built from: enough to decide, next time, which parts can be reused."""

    pagefind_version: str
    max_pages: int
    whole_site: bool  # no page had data-pagefind-body, so Pagefind indexed every page
    parts: tuple[Part, ...]

    def pages(self) -> dict[str, PageEntry]:
        return {page.path: page for part in self.parts for page in part.pages}


def manifest_bytes(manifest: Manifest) -> bytes:
    """The manifest as gzipped JSON, byte-identical for the same index."""
    data = {
        "format": MANIFEST_FORMAT,
        "pagefind": manifest.pagefind_version,
        "max_part_pages": manifest.max_pages,
        "whole_site": manifest.whole_site,
        "parts": [
            {"bundle": part.bundle, "pages": [[page.path, page.date, page.digest] for page in part.pages]}
            for part in manifest.parts
        ],
    }
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return gzip.compress(text.encode("utf-8"), compresslevel=6, mtime=0)


def read_manifest(path: Path) -> Manifest | None:
    """The manifest at `path`, or None if it is missing, unreadable or of another format."""
    try:
        data = json.loads(gzip.decompress(path.read_bytes()))
        if data["format"] != MANIFEST_FORMAT:
            return None
        parts = tuple(
            Part(bundle=str(part["bundle"]), pages=tuple(PageEntry(str(p), str(d), str(h)) for p, d, h in part["pages"]))
            for part in data["parts"]
        )
        return Manifest(str(data["pagefind"]), int(data["max_part_pages"]), bool(data["whole_site"]), parts)
    except (OSError, EOFError, ValueError, KeyError, TypeError, gzip.BadGzipFile):
        return None


def parts_listing(parts: list[Part]) -> bytes:
    """pagefind/parts.json: each part's bundle (site-relative), page count and dates, oldest first."""
    listing = [
        {"bundle": part.bundle, "pages": len(part.pages), "first": part.pages[0].date, "last": part.pages[-1].date}
        if part.pages
        else {"bundle": part.bundle, "pages": 0, "first": "", "last": ""}
        for part in parts
    ]
    return json.dumps({"sort": SORT_KEY, "parts": listing}, ensure_ascii=False, separators=(",", ":")).encode()
