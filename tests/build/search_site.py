"""Helpers for the search tests: hand-written sites in the paper template's markup, a local HTTP
server, and queries run through Node with Pagefind's own `pagefind.js` and the theme's search.js."""

from __future__ import annotations

import functools
import gzip
import html
import http.server
import json
import shutil
import subprocess
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import cbor2
import pytest

NODE = shutil.which("node")
QUERY_SCRIPT = Path(__file__).parent / "js" / "query_pagefind.mjs"
needs_node = pytest.mark.skipif(NODE is None, reason="Node.js runs Pagefind's pagefind.js")


@dataclass(frozen=True)
class Paper:
    title: str
    abstract: str
    date: str
    categories: list[str] = field(default_factory=lambda: ["cs.LG"])
    topics: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=lambda: ["Ada Lovelace"])
    code: bool = False


def paper_page(paper: Paper, base: str = "/sub/") -> str:
    """A paper page as the templates write it: body, title meta, hidden filters and sort."""
    esc = html.escape
    filters = "".join(
        f'<span data-pagefind-filter="{name}">{esc(value)}</span>'
        for name, values in (("category", paper.categories), ("topic", paper.topics), ("author", paper.authors))
        for value in values
    )
    filters += f'<span hidden data-pagefind-filter="year">{paper.date[:4]}</span>'
    filters += f'<span hidden data-pagefind-sort="date">{paper.date}</span>'
    if paper.code:
        filters += '<span hidden data-pagefind-filter="code">has code</span>'
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{esc(paper.title)}</title></head>
<body><header><form role="search" action="{base}search/"><input type="search" name="q"></form></header>
<main id="main" data-pagefind-body><article>
<h1 data-pagefind-meta="title">{esc(paper.title)}</h1>
<p>{", ".join(esc(author) for author in paper.authors)}</p>
<section><h2>Abstract</h2><p>{esc(paper.abstract)}</p></section>
<section data-pagefind-ignore><h2>Related</h2><p>unrelatedrelatedword</p></section>
<div hidden data-pagefind-ignore>{filters}</div>
</article></main></body></html>"""


def page_path(slug: str) -> str:
    return f"papers/{slug}/index.html"


def write_paper(root: Path, slug: str, paper: Paper) -> str:
    path = root / page_path(slug)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(paper_page(paper), encoding="utf-8")
    return page_path(slug)


def write_site(root: Path, papers: dict[str, Paper]) -> Path:
    """The papers' pages plus pages that are not searchable (no data-pagefind-body)."""
    for slug, paper in papers.items():
        write_paper(root, slug, paper)
    home = '<!DOCTYPE html><html lang="en"><head><title>Home</title></head><body><main>'
    home += "<p>Latest: zygomorphic flowers, homeonlyword.</p></main></body></html>"
    (root / "index.html").write_text(home, encoding="utf-8")
    (root / "search").mkdir(exist_ok=True)
    (root / "search" / "index.html").write_text(home.replace("Home", "Search"), encoding="utf-8")
    return root


def files_under(folder: Path) -> dict[str, int]:
    """Every file under `folder`, by its path relative to it, with its inode."""
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


def bundle_files(site: Path) -> dict[str, bytes]:
    """Every file of the search bundle (parts included) by path, with its bytes."""
    bundle = site / "pagefind"
    return {p.relative_to(bundle).as_posix(): p.read_bytes() for p in sorted(bundle.rglob("*")) if p.is_file()}


def read_index_file(path: Path):
    raw = gzip.decompress(path.read_bytes())
    assert raw.startswith(b"pagefind_dcd")
    return cbor2.loads(raw[len(b"pagefind_dcd") :])


def language_meta(bundle: Path):
    entry = json.loads((bundle / "pagefind-entry.json").read_text())
    (language,) = entry["languages"].values()
    return read_index_file(bundle / f"pagefind.{language['hash']}.pf_meta")


def parts_listing(site: Path) -> list[dict]:
    return json.loads((site / "pagefind" / "parts.json").read_text())["parts"]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _Server(http.server.ThreadingHTTPServer):
    # Pagefind fetches from every part at once; socketserver's default backlog of 5 drops some of
    # those connections, which the client retries a second later.
    request_queue_size = 128


@contextmanager
def serving(www: Path):
    """Serve the folder `www` over HTTP on localhost; yields its URL (ending with /)."""
    server = _Server(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=www))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def query(site_url: str, *queries: dict) -> dict:
    """Run queries as the search page does; {"parts", "filters", "queries": [{"term", "hits"}]}."""
    result = subprocess.run(
        [NODE, str(QUERY_SCRIPT), site_url, json.dumps(list(queries))],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def urls(answer: dict) -> list[list[str]]:
    return [[hit["url"] for hit in q["hits"]] for q in answer["queries"]]
