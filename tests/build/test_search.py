"""The search stage: Pagefind indexes a built site, and the index answers queries.

Hand-written sites (the markup conventions of the paper template) are indexed for real, then
queried through Pagefind's own `pagefind.js` and the theme's search.js (the plan the search page
uses to merge an index split in parts), run by Node against a local HTTP server, the way a browser
would load them from a site under a sub-path (/sub/). Incremental indexing is in
test_search_incremental.py; the rule that splits an index, in test_search_parts.py.
"""

from __future__ import annotations

import gzip
import html
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import cbor2
import pytest

from site_builder.errors import BuildError
from site_builder.search import SearchStats, index_site
from site_builder.search_bundle import normalize_bundle
from tests.build.search_site import (
    NODE,
    Paper,
    bundle_files,
    language_meta,
    needs_node,
    page_path,
    parts_listing,
    query,
    read_index_file,
    serving,
    urls,
    write_site,
)

SEARCH_JS = Path(__file__).parents[2] / "themes" / "default" / "static" / "search.js"
INJECTED = '<img src=x onerror="alert(1)">'
PAPERS = {
    "zygo-flowers": Paper(
        title="Learning floral symmetry",
        abstract="We study zygomorphic flowers with representation learning.",
        categories=["cs.LG"], topics=["Botany"], authors=["Ada Lovelace", "Alan Turing"],
        date="2023-04-05", code=True,
    ),
    "spectral-graphs": Paper(
        title="Spectral graph learning",
        abstract="Learning on graphs through their Laplacian spectrum.",
        categories=["math.OC", "cs.LG"], topics=["Graphs"], authors=["Grace Hopper"],
        date="2024-01-02",
    ),
    "inert": Paper(
        title="<script>alert(1)</script> & friends",
        abstract='An abstract with "quotes" & ampersands about quokkas.',
        categories=["stat.ML"], topics=["Graphs"], authors=[INJECTED],
        date="2022-12-31",
    ),
}  # fmt: skip

# A site split in parts: papers on these days, at most SPLIT_MAX pages a part (see test_search_parts).
SPLIT_DAYS = [
    ("2022-03-01", 2), ("2022-05-10", 3), ("2022-11-30", 3),
    ("2023-01-15", 6), ("2023-07-01", 1), ("2023-07-02", 4),
    ("2024-02-29", 2), ("2024-06-01", 3), ("2024-06-02", 1), ("2024-12-31", 2),
]  # fmt: skip
SPLIT_MAX = 4
CATEGORY_SETS = [["cs.LG"], ["math.OC", "cs.LG"], ["stat.ML"]]
AUTHORS = ["Ada Lovelace", "Grace Hopper", INJECTED, "Émilie du Châtelet"]


def marker(number: int) -> str:
    """A made-up word found in one paper only."""
    return "zq" + chr(97 + number // 26) + chr(97 + number % 26) + "marker"


def split_papers() -> dict[str, Paper]:
    papers = {}
    dates = [date for date, count in SPLIT_DAYS for _ in range(count)]
    for number, date in enumerate(dates):
        papers[f"p{number:02d}"] = Paper(
            title=f"Paper {number}",
            abstract=f"Learning with {marker(number)} on {date}.",
            date=date,
            categories=CATEGORY_SETS[number % 3],
            topics=[["Graphs"], ["Botany", "Graphs"]][number % 2],
            authors=AUTHORS[number % 4 : number % 4 + 2],
            code=number % 3 == 0,
        )
    return papers


SPLIT = split_papers()


@pytest.fixture(scope="module")
def www(tmp_path_factory):
    """A folder served over HTTP: (folder, URL)."""
    folder = tmp_path_factory.mktemp("www")
    with serving(folder) as url:
        yield folder, url


@pytest.fixture(scope="module")
def served(www):
    """The tiny site indexed once, served at <url>/sub/ (a sub-path site): one part."""
    folder, url = www
    site = write_site(folder / "sub", PAPERS)
    logged: list[str] = []
    stats = index_site(site, log=logged.append)
    return site, stats, logged, url + "sub/"


@pytest.fixture(scope="module")
def split(www):
    """A site with more pages than a part holds, indexed cold in parts, served at <url>/split/."""
    folder, url = www
    site = write_site(folder / "split", SPLIT)
    logged: list[str] = []
    stats = index_site(site, log=logged.append, max_part_pages=SPLIT_MAX)
    return site, stats, logged, url + "split/"


def test_index_site_writes_the_bundle_and_reports_paper_pages_only(served):
    site, stats, logged, _ = served
    assert isinstance(stats, SearchStats) and stats.pages == len(PAPERS) and stats.seconds > 0
    assert (stats.parts, stats.reindexed) == (1, 1)
    assert logged == [f"Indexed {len(PAPERS)} pages for search in {stats.seconds:.2f}s"]
    for name in ("pagefind.js", "pagefind-ui.js", "pagefind-ui.css", "pagefind-entry.json"):
        assert (site / "pagefind" / name).is_file(), name
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text())
    assert [lang["page_count"] for lang in entry["languages"].values()] == [len(PAPERS)]
    # Pagefind 1.5 keeps filter and sort names in the language's metadata, not in the entry file.
    meta = language_meta(site / "pagefind")
    assert sorted(name for name, _ in meta[3]) == ["author", "category", "code", "topic", "year"]
    assert [name for name, _ in meta[4]] == ["date"]


def test_a_small_site_is_one_bundle_at_pagefind(served):
    site, *_ = served
    assert [part["bundle"] for part in parts_listing(site)] == ["pagefind/"]
    assert parts_listing(site)[0]["pages"] == len(PAPERS)
    assert not (site / "pagefind" / "parts").exists()


@needs_node
def test_a_word_of_an_abstract_finds_its_paper_and_only_paper_pages_are_indexed(served):
    *_, site_url = served
    answer = query(site_url, {"term": "zygomorphic"}, {"term": "homeonlyword"}, {"term": "unrelatedrelatedword"})
    # Result URLs carry the site's sub-path, as the browser UI needs to link to them.
    assert urls(answer) == [["/sub/papers/zygo-flowers/"], [], []]
    assert answer["queries"][0]["hits"][0]["title"] == "Learning floral symmetry"


@needs_node
def test_filters_narrow_results_and_are_counted(served):
    *_, site_url = served
    answer = query(
        site_url,
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
    *_, site_url = served
    newest, oldest = urls(query(site_url, {"term": "learning", "sort": "newest"}, {"term": "learning", "sort": "oldest"}))
    assert newest == ["/sub/papers/spectral-graphs/", "/sub/papers/zygo-flowers/"]
    assert oldest == list(reversed(newest))


@needs_node
def test_markup_in_filter_values_reaches_the_ui_escaped(served):
    # Pagefind's Default UI inserts filter labels with innerHTML (titles as text, excerpts escaped),
    # so the index must hold filter values as HTML-escaped text, or a scraped name could run script.
    # (Escaped quotes also make the value usable as a filter: Pagefind cannot match a raw `"`.)
    *_, site_url = served
    escaped = html.escape(INJECTED)
    answer = query(site_url, {"term": "quokkas"}, {"term": None, "filters": {"author": escaped}})
    (hit,) = answer["queries"][0]["hits"]
    assert hit["title"] == PAPERS["inert"].title  # shown as text by the UI
    excerpt = hit["excerpt"].replace("<mark>", "").replace("</mark>", "")  # Pagefind's highlights
    assert "<" not in excerpt and "&lt;script&gt;" in excerpt
    assert sorted(answer["filters"]["author"]) == sorted(["Ada Lovelace", "Alan Turing", "Grace Hopper", escaped])
    assert urls(answer)[1] == ["/sub/papers/inert/"]  # the escaped value is the one to filter by


# --- an index in parts ---------------------------------------------------------------------------


def split_url(slug: str) -> str:
    return f"/split/papers/{slug}/"


def test_a_large_site_is_indexed_in_parts_with_one_copy_of_the_ui(split):
    site, stats, logged, _ = split
    listing = parts_listing(site)
    assert stats.pages == len(SPLIT) and stats.parts == len(listing) >= 3 and stats.reindexed == stats.parts
    assert logged == [f"Indexed {len(SPLIT)} pages for search in {stats.seconds:.2f}s ({stats.parts} parts: {stats.parts} indexed, 0 reused)"]
    assert sum(part["pages"] for part in listing) == len(SPLIT)
    assert all(0 < part["pages"] <= SPLIT_MAX for part in listing)
    # Oldest first, over date ranges that do not overlap (days are never split, unless too big).
    ranges = [(part["first"], part["last"]) for part in listing]
    assert ranges == sorted(ranges) and all(a[1] <= b[0] for a, b in zip(ranges, ranges[1:]))
    for part in listing:
        bundle = site / part["bundle"]
        assert part["bundle"].startswith("pagefind/parts/")
        for name in ("pagefind.js", "pagefind-worker.js", "wasm.en.pagefind", "pagefind-entry.json"):
            assert (bundle / name).is_file(), (part, name)
        assert not (bundle / "pagefind-ui.js").exists()
        entry = json.loads((bundle / "pagefind-entry.json").read_text())
        assert [lang["page_count"] for lang in entry["languages"].values()] == [part["pages"]]
    for name in ("pagefind-ui.js", "pagefind-ui.css"):  # what search.html loads
        assert (site / "pagefind" / name).is_file()
    assert not (site / "pagefind" / "pagefind-entry.json").exists()


@needs_node
def test_every_page_of_every_part_is_found_by_its_own_word(split):
    *_, site_url = split
    slugs = sorted(SPLIT)
    answer = query(site_url, *({"term": marker(number)} for number, _ in enumerate(slugs)))
    assert urls(answer) == [[split_url(slug)] for slug in slugs]
    assert answer["queries"][5]["hits"][0]["title"] == "Paper 5"


@needs_node
def test_filters_and_their_counts_cover_every_part(split):
    *_, site_url = split
    expected: dict[str, Counter] = {name: Counter() for name in ("category", "topic", "author", "year", "code")}
    for paper in SPLIT.values():
        expected["category"].update(paper.categories)
        expected["topic"].update(paper.topics)
        expected["author"].update(html.escape(author) for author in paper.authors)
        expected["year"][paper.date[:4]] += 1
        expected["code"]["has code"] += paper.code
    answer = query(
        site_url,
        {"term": "learning", "filters": {"category": "stat.ML"}},
        {"term": None, "filters": {"year": "2023", "code": "has code"}},
    )
    assert answer["filters"] == {name: dict(counts) for name, counts in expected.items()}
    by_category, by_year_and_code = (sorted(found) for found in urls(answer))
    assert by_category == sorted(split_url(s) for s, p in SPLIT.items() if "stat.ML" in p.categories)
    assert by_year_and_code == sorted(split_url(s) for s, p in SPLIT.items() if p.date[:4] == "2023" and p.code)


@needs_node
def test_date_order_is_global_across_parts(split):
    *_, site_url = split
    answer = query(
        site_url,
        {"term": "learning", "sort": "newest"},
        {"term": "learning", "sort": "oldest"},
        {"term": "learning", "sort": "newest", "filters": {"category": "cs.LG"}},
        {"term": "learning"},
        {"term": None, "sort": "oldest", "filters": {"topic": "Botany"}},  # filters only
    )
    date_of = {split_url(slug): paper.date for slug, paper in SPLIT.items()}
    newest, oldest, newest_cs, relevance, botany = urls(answer)
    assert sorted(newest) == sorted(oldest) == sorted(relevance) == sorted(date_of)
    assert [date_of[url] for url in newest] == sorted(date_of.values(), reverse=True)
    assert [date_of[url] for url in oldest] == sorted(date_of.values())
    cs = [split_url(s) for s, p in SPLIT.items() if "cs.LG" in p.categories]
    assert sorted(newest_cs) == sorted(cs)
    assert [date_of[url] for url in newest_cs] == sorted((date_of[url] for url in cs), reverse=True)
    assert sorted(botany) == sorted(split_url(s) for s, p in SPLIT.items() if "Botany" in p.topics)
    assert [date_of[url] for url in botany] == sorted(date_of[url] for url in botany)


def test_the_same_split_site_gives_byte_identical_index(split, tmp_path):
    site, *_ = split
    again = write_site(tmp_path / "elsewhere" / "again", SPLIT)
    index_site(again, log=lambda line: None, max_part_pages=SPLIT_MAX, jobs=1)  # one run at a time
    assert bundle_files(again) == bundle_files(site)


# --- one bundle: robustness ------------------------------------------------------------------------


def test_same_site_gives_byte_identical_index(tmp_path):
    first, second = write_site(tmp_path / "a", PAPERS), write_site(tmp_path / "elsewhere" / "b", PAPERS)
    index_site(first, log=lambda line: None)
    index_site(second, log=lambda line: None)
    assert bundle_files(first) == bundle_files(second)


def test_reindexing_replaces_the_previous_bundle(tmp_path):
    site = write_site(tmp_path / "site", PAPERS)
    index_site(site, log=lambda line: None, max_part_pages=1)  # three parts
    (site / page_path("inert")).unlink()
    stats = index_site(site, log=lambda line: None)
    fresh = write_site(tmp_path / "fresh", {slug: p for slug, p in PAPERS.items() if slug != "inert"})
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
    site = write_site(tmp_path / "site", PAPERS)
    monkeypatch.setitem(sys.modules, "pagefind_bin", None)  # `import pagefind_bin` now fails
    with pytest.raises(BuildError, match=r"pip install pagefind-bin"):
        index_site(site, log=lambda line: None)


def test_pagefind_bin_without_its_executable_says_how_to_fix_it(tmp_path, monkeypatch):
    import pagefind_bin

    def no_executable():
        raise FileNotFoundError("Could not find any of [pagefind]")

    monkeypatch.setattr(pagefind_bin, "get_executable", no_executable)
    with pytest.raises(BuildError, match=r"pip install --force-reinstall pagefind-bin"):
        index_site(write_site(tmp_path / "site", PAPERS), log=lambda line: None)


def test_pagefind_settings_from_the_environment_are_ignored(tmp_path, monkeypatch):
    site = write_site(tmp_path / "site", PAPERS)
    monkeypatch.setenv("PAGEFIND_GLOB", "nothing/*.html")  # would make Pagefind find no page
    assert index_site(site, log=lambda line: None).pages == len(PAPERS)


def test_a_site_without_marked_pages_is_indexed_whole_with_a_warning(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text('<html lang="en"><body><main><p>Only a home page.</p></main></body></html>')
    logged: list[str] = []
    assert index_site(site, log=logged.append).pages == 1
    assert any("no page" in line and "data-pagefind-body" in line for line in logged)
    assert [part["bundle"] for part in parts_listing(site)] == ["pagefind/"]


def test_an_index_layout_we_do_not_know_fails_the_build(tmp_path):
    site = write_site(tmp_path / "site", PAPERS)
    index_site(site, log=lambda line: None)
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text())
    (language,) = entry["languages"].values()
    meta_path = site / "pagefind" / f"pagefind.{language['hash']}.pf_meta"
    meta_path.write_bytes(gzip.compress(b"pagefind_dcd" + cbor2.dumps(["9.9.9", {"new": "layout"}])))
    before = bundle_files(site)
    with pytest.raises(BuildError, match=r"cannot read the search index of Pagefind .*pip install 'pagefind-bin"):
        normalize_bundle(site / "pagefind")
    assert bundle_files(site) == before  # nothing half-rewritten


def test_filter_files_hold_sorted_escaped_values(split):
    site, *_ = split
    for part in parts_listing(site):
        bundle = site / part["bundle"]
        for name, filter_hash in language_meta(bundle)[3]:
            filter_name, values = read_index_file(bundle / "filter" / f"{filter_hash}.pf_filter")
            keys = [value for value, _pages in values]
            assert filter_name == name and keys == sorted(keys)
            assert not any("<" in key or ">" in key for key in keys)


@needs_node
def test_search_page_script_parses():
    result = subprocess.run([NODE, "--check", str(SEARCH_JS)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
