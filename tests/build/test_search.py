"""The search stage: Pagefind indexes a built site, and the index answers queries.

A tiny hand-written site (the markup conventions of the paper template) is indexed for real, then
queried through Pagefind's own `pagefind.js`, run by Node against a local HTTP server, the way a
browser would load it from a site under a sub-path (/sub/).
"""

from __future__ import annotations

import functools
import gzip
import html
import http.server
import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import cbor2
import pytest

from site_builder.errors import BuildError
from site_builder.search import SearchStats, _normalize_bundle, index_site

NODE = shutil.which("node")
QUERY_SCRIPT = Path(__file__).parent / "js" / "query_pagefind.mjs"
SEARCH_JS = Path(__file__).parents[2] / "themes" / "default" / "static" / "search.js"
needs_node = pytest.mark.skipif(NODE is None, reason="Node.js runs Pagefind's pagefind.js")

INJECTED = '<img src=x onerror="alert(1)">'
PAPERS = {
    "zygo-flowers": dict(
        title="Learning floral symmetry",
        abstract="We study zygomorphic flowers with representation learning.",
        categories=["cs.LG"], topics=["Botany"], authors=["Ada Lovelace", "Alan Turing"],
        date="2023-04-05", code=True,
    ),
    "spectral-graphs": dict(
        title="Spectral graph learning",
        abstract="Learning on graphs through their Laplacian spectrum.",
        categories=["math.OC", "cs.LG"], topics=["Graphs"], authors=["Grace Hopper"],
        date="2024-01-02", code=False,
    ),
    "inert": dict(
        title="<script>alert(1)</script> & friends",
        abstract='An abstract with "quotes" & ampersands about quokkas.',
        categories=["stat.ML"], topics=["Graphs"], authors=[INJECTED],
        date="2022-12-31", code=False,
    ),
}  # fmt: skip


def paper_page(title, abstract, categories, topics, authors, date, code) -> str:
    """A paper page as the templates write it: body, title meta, hidden filters and sort."""
    esc = html.escape
    filters = "".join(
        f'<span data-pagefind-filter="{name}">{esc(value)}</span>'
        for name, values in (("category", categories), ("topic", topics), ("author", authors))
        for value in values
    )
    filters += f'<span hidden data-pagefind-filter="year">{date[:4]}</span>'
    filters += f'<span hidden data-pagefind-sort="date">{date}</span>'
    if code:
        filters += '<span hidden data-pagefind-filter="code">has code</span>'
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title></head>
<body><header><form role="search" action="/sub/search/"><input type="search" name="q"></form></header>
<main id="main" data-pagefind-body><article>
<h1 data-pagefind-meta="title">{esc(title)}</h1>
<p>{", ".join(esc(author) for author in authors)}</p>
<section><h2>Abstract</h2><p>{esc(abstract)}</p></section>
<section data-pagefind-ignore><h2>Related</h2><p>unrelatedrelatedword</p></section>
<div hidden data-pagefind-ignore>{filters}</div>
</article></main></body></html>"""


def write_site(root: Path) -> Path:
    for slug, paper in PAPERS.items():
        (root / "papers" / slug).mkdir(parents=True)
        (root / "papers" / slug / "index.html").write_text(paper_page(**paper), encoding="utf-8")
    # Not paper pages: no data-pagefind-body, so not searchable, even by a word of a paper.
    home = '<!DOCTYPE html><html lang="en"><head><title>Home</title></head><body><main>'
    home += "<p>Latest: zygomorphic flowers, homeonlyword.</p></main></body></html>"
    (root / "index.html").write_text(home, encoding="utf-8")
    (root / "search").mkdir()
    (root / "search" / "index.html").write_text(home.replace("Home", "Search"), encoding="utf-8")
    return root


def bundle_files(site: Path) -> dict[str, bytes]:
    bundle = site / "pagefind"
    return {str(p.relative_to(bundle)): p.read_bytes() for p in sorted(bundle.rglob("*")) if p.is_file()}


def read_index_file(path: Path):
    raw = gzip.decompress(path.read_bytes())
    assert raw.startswith(b"pagefind_dcd")
    return cbor2.loads(raw[len(b"pagefind_dcd") :])


def language_meta(site: Path):
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text())
    (language,) = entry["languages"].values()
    return read_index_file(site / "pagefind" / f"pagefind.{language['hash']}.pf_meta")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The tiny site indexed once, served at http://127.0.0.1:<port>/sub/ (a sub-path site)."""
    www = tmp_path_factory.mktemp("www")
    site = write_site(www / "sub")
    logged: list[str] = []
    stats = index_site(site, log=logged.append)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=www))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site, stats, logged, f"http://127.0.0.1:{server.server_address[1]}/sub/pagefind/"
    finally:
        server.shutdown()
        server.server_close()


def query(bundle_url: str, *queries: dict) -> dict:
    """Run queries through pagefind.js under Node; {"filters": ..., "queries": [{"term", "hits"}]}."""
    result = subprocess.run(
        [NODE, str(QUERY_SCRIPT), bundle_url, json.dumps(list(queries))],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def urls(answer: dict) -> list[list[str]]:
    return [[hit["url"] for hit in q["hits"]] for q in answer["queries"]]


def test_index_site_writes_the_bundle_and_reports_paper_pages_only(served):
    site, stats, logged, _ = served
    assert isinstance(stats, SearchStats) and stats.pages == len(PAPERS) and stats.seconds > 0
    assert logged == [f"Indexed {len(PAPERS)} pages for search in {stats.seconds:.2f}s"]
    for name in ("pagefind.js", "pagefind-ui.js", "pagefind-ui.css", "pagefind-entry.json"):
        assert (site / "pagefind" / name).is_file(), name
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text())
    assert [lang["page_count"] for lang in entry["languages"].values()] == [len(PAPERS)]
    # Pagefind 1.5 keeps filter and sort names in the language's metadata, not in the entry file.
    meta = language_meta(site)
    assert sorted(name for name, _ in meta[3]) == ["author", "category", "code", "topic", "year"]
    assert [name for name, _ in meta[4]] == ["date"]


@needs_node
def test_a_word_of_an_abstract_finds_its_paper_and_only_paper_pages_are_indexed(served):
    *_, bundle_url = served
    answer = query(bundle_url, {"term": "zygomorphic"}, {"term": "homeonlyword"}, {"term": "unrelatedrelatedword"})
    # Result URLs carry the site's sub-path, as the browser UI needs to link to them.
    assert urls(answer) == [["/sub/papers/zygo-flowers/"], [], []]
    assert answer["queries"][0]["hits"][0]["title"] == "Learning floral symmetry"


@needs_node
def test_filters_narrow_results_and_are_counted(served):
    *_, bundle_url = served
    answer = query(
        bundle_url,
        {"term": "learning"},
        {"term": "learning", "filters": {"category": "math.OC"}},
        {"term": "learning", "filters": {"code": "has code"}},
        {"term": None, "filters": {"topic": "Graphs", "year": "2022"}},
    )
    learning, by_category, with_code, filter_only = urls(answer)
    assert sorted(learning) == ["/sub/papers/spectral-graphs/", "/sub/papers/zygo-flowers/"]
    assert by_category == ["/sub/papers/spectral-graphs/"]
    assert with_code == ["/sub/papers/zygo-flowers/"]
    assert filter_only == ["/sub/papers/inert/"]
    counts = answer["filters"]
    assert counts["category"] == {"cs.LG": 2, "math.OC": 1, "stat.ML": 1}
    assert counts["year"] == {"2022": 1, "2023": 1, "2024": 1}
    assert counts["code"] == {"has code": 1}
    assert counts["topic"] == {"Botany": 1, "Graphs": 2}


@needs_node
def test_results_sort_by_date(served):
    *_, bundle_url = served
    newest, oldest = urls(
        query(
            bundle_url,
            {"term": "learning", "sort": {"date": "desc"}},
            {"term": "learning", "sort": {"date": "asc"}},
        )
    )
    assert newest == ["/sub/papers/spectral-graphs/", "/sub/papers/zygo-flowers/"]
    assert oldest == list(reversed(newest))


@needs_node
def test_markup_in_filter_values_reaches_the_ui_escaped(served):
    # Pagefind's Default UI inserts filter labels with innerHTML (titles as text, excerpts escaped),
    # so the index must hold filter values as HTML-escaped text, or a scraped name could run script.
    # (Escaped quotes also make the value usable as a filter: Pagefind cannot match a raw `"`.)
    *_, bundle_url = served
    escaped = html.escape(INJECTED)
    answer = query(bundle_url, {"term": "quokkas"}, {"term": None, "filters": {"author": escaped}})
    (hit,) = answer["queries"][0]["hits"]
    assert hit["title"] == PAPERS["inert"]["title"]  # shown as text by the UI
    excerpt = hit["excerpt"].replace("<mark>", "").replace("</mark>", "")  # Pagefind's highlights
    assert "<" not in excerpt and "&lt;script&gt;" in excerpt
    assert sorted(answer["filters"]["author"]) == sorted(["Ada Lovelace", "Alan Turing", "Grace Hopper", escaped])
    assert urls(answer)[1] == ["/sub/papers/inert/"]  # the escaped value is the one to filter by


def test_same_site_gives_byte_identical_index(tmp_path):
    first, second = write_site(tmp_path / "a"), write_site(tmp_path / "elsewhere" / "b")
    index_site(first, log=lambda line: None)
    index_site(second, log=lambda line: None)
    assert bundle_files(first) == bundle_files(second)


def test_reindexing_replaces_the_previous_bundle(tmp_path):
    site = write_site(tmp_path / "site")
    index_site(site, log=lambda line: None)
    shutil.rmtree(site / "papers" / "inert")
    stats = index_site(site, log=lambda line: None)
    fresh = tmp_path / "fresh"
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns("pagefind"))
    index_site(fresh, log=lambda line: None)
    assert stats.pages == len(PAPERS) - 1
    assert bundle_files(site) == bundle_files(fresh)  # no file of the old bundle is left behind


def test_pagefind_failure_raises_build_error_with_its_message(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(BuildError) as caught:
        index_site(tmp_path / "empty", log=lambda line: None)
    message = str(caught.value)
    assert "Pagefind failed" in message and "not able to build an index" in message
    assert caught.value.path == str(tmp_path / "empty")


def test_missing_site_folder_is_a_build_error(tmp_path):
    with pytest.raises(BuildError, match="not a folder"):
        index_site(tmp_path / "nowhere", log=lambda line: None)


def test_missing_pagefind_says_how_to_install_it(tmp_path, monkeypatch):
    site = write_site(tmp_path / "site")
    monkeypatch.setitem(sys.modules, "pagefind_bin", None)  # `import pagefind_bin` now fails
    with pytest.raises(BuildError, match=r"pip install pagefind-bin"):
        index_site(site, log=lambda line: None)


def test_pagefind_bin_without_its_executable_says_how_to_fix_it(tmp_path, monkeypatch):
    import pagefind_bin

    def no_executable():
        raise FileNotFoundError("Could not find any of [pagefind]")

    monkeypatch.setattr(pagefind_bin, "get_executable", no_executable)
    with pytest.raises(BuildError, match=r"pip install --force-reinstall pagefind-bin"):
        index_site(write_site(tmp_path / "site"), log=lambda line: None)


def test_pagefind_settings_from_the_environment_are_ignored(tmp_path, monkeypatch):
    site = write_site(tmp_path / "site")
    monkeypatch.setenv("PAGEFIND_GLOB", "nothing/*.html")  # would make Pagefind find no page
    assert index_site(site, log=lambda line: None).pages == len(PAPERS)


def test_a_site_without_marked_pages_is_indexed_whole_with_a_warning(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text('<html lang="en"><body><main><p>Only a home page.</p></main></body></html>')
    logged: list[str] = []
    assert index_site(site, log=logged.append).pages == 1
    assert any("no page" in line and "data-pagefind-body" in line for line in logged)


def test_an_index_layout_we_do_not_know_fails_the_build(tmp_path):
    site = write_site(tmp_path / "site")
    index_site(site, log=lambda line: None)
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text())
    (language,) = entry["languages"].values()
    meta_path = site / "pagefind" / f"pagefind.{language['hash']}.pf_meta"
    meta_path.write_bytes(gzip.compress(b"pagefind_dcd" + cbor2.dumps(["9.9.9", {"new": "layout"}])))
    before = bundle_files(site)
    with pytest.raises(BuildError, match=r"cannot read the search index of Pagefind .*pip install 'pagefind-bin"):
        _normalize_bundle(site / "pagefind")
    assert bundle_files(site) == before  # nothing half-rewritten


def test_filter_files_hold_sorted_escaped_values(tmp_path):
    site = write_site(tmp_path / "site")
    index_site(site, log=lambda line: None)
    for name, filter_hash in language_meta(site)[3]:
        filter_name, values = read_index_file(site / "pagefind" / "filter" / f"{filter_hash}.pf_filter")
        keys = [value for value, _pages in values]
        assert filter_name == name and keys == sorted(keys)
        assert not any("<" in key or ">" in key for key in keys)


@needs_node
def test_search_page_script_parses():
    result = subprocess.run([NODE, "--check", str(SEARCH_JS)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
