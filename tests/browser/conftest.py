"""Browser tests: the shipped content built once (with its search index), served on localhost,
driven with Playwright in Debian's Chromium (/usr/bin/chromium; never a downloaded browser)."""

from __future__ import annotations

import functools
import re
import os
import socket
import threading
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import REPO

CHROMIUM = os.environ.get("SITE_BUILDER_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts" / "screenshots"
# The content the browser tests build: the shipped content unless pointed elsewhere.
# Flags for a headless Chromium on a machine with no network but the loopback.
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


# Every kind of page, named as `ServedSite.pages` names them, plus the 404 page.
PAGE_KINDS = ["home", "papers", "authors", "authors-index", "tags", "tags-index", "days", "days-index", "search-index", "404"]
SEARCH_QUERY = "optimization"  # a word many papers share, so results and every filter show


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Server(ThreadingHTTPServer):
    request_queue_size = 64  # a split search index is fetched in parallel; the default 5 stalls


class _SiteHandler(SimpleHTTPRequestHandler):
    """Static files like GitHub Pages: index.html for folders, 404.html for anything missing."""

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code == 404 and page.exists():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)


@dataclass(frozen=True)
class ServedSite:
    url: str  # base URL, ends with "/"
    out: Path  # the built folder being served
    pages: dict[str, list[str]]  # page kind -> absolute URLs, from the sitemap

    def one(self, kind: str) -> str:
        return self.pages[kind][0]

    def file(self, url: str) -> Path:
        """The built file a page URL serves."""
        return self.out / url[len(self.url):] / "index.html"

    def richest(self, kind: str) -> str:
        """The page of a kind with the most on it (largest file): authors, math, chips, profile..."""
        return max(self.pages[kind], key=lambda url: (self.file(url).stat().st_size, url))

    def open(self, page, kind: str):
        """Show a page of the kind as a reader meets it: the richest one; the search page with
        results and filters on screen; for "404", a missing page. Returns the document's response."""
        if kind == "404":
            return page.goto(self.url + "papers/no-such-paper/")
        if kind == "search-index":
            response = page.goto(f"{self.one(kind)}?q={SEARCH_QUERY}")
            page.locator(".pagefind-ui__result").first.wait_for()
            return response
        return page.goto(self.richest(kind))


def _pages_by_kind(out: Path, base_url: str) -> dict[str, list[str]]:
    urls = re.findall(r"<loc>([^<]+)</loc>", (out / "sitemap.xml").read_text(encoding="utf-8"))
    kinds: dict[str, list[str]] = {}
    for url in sorted(urls):
        rel = url[len(base_url):]
        kind = rel.split("/", 1)[0] if "/" in rel.strip("/") else (rel.strip("/") + "-index" if rel else "home")
        kinds.setdefault(kind, []).append(url)
    return kinds


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> ServedSite:
    """The shipped content, built with its search index and served for the whole session."""
    from site_builder.build import build_site

    port = _free_port()
    base_url = f"http://127.0.0.1:{port}/"
    work = tmp_path_factory.mktemp("browser-site")
    out = work / "public"
    build_site(REPO / "content", out, base_url=base_url, search=True, log=lambda *a, **k: None)
    handler = functools.partial(_SiteHandler, directory=str(out))
    server = _Server(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield ServedSite(base_url, out, _pages_by_kind(out, base_url))
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright launches Debian's Chromium, not a browser build of its own."""
    if not Path(CHROMIUM).exists():
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def watched_page(page):
    """A page that records console errors and failed requests (HTTP >= 400 or network failure)."""
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text} at {msg.location.get('url')}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("requestfailed", lambda req: problems.append(f"request failed: {req.url} ({req.failure})"))
    page.on("response", lambda res: problems.append(f"HTTP {res.status}: {res.url}") if res.status >= 400 else None)
    page.problems = problems
    return page
