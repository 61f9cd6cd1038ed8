"""Incremental search indexing: given the previous build, only the parts whose pages changed are
indexed again, the others are hard-linked, and the result is the cold index of the same site."""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import pytest

from site_builder.search import index_site
from site_builder.search_parts import DEFAULT_MAX_PART_PAGES, read_manifest
from tests.build.search_site import (
    bundle_files,
    needs_node,
    page_path,
    parts_listing,
    query,
    serving,
    urls,
    write_paper,
    write_site,
)
from tests.build.test_search import PAPERS, SPLIT, SPLIT_MAX, marker

EDITED = "p09"  # a paper of 2023-01-15, in the middle of the index
quiet = dict(log=lambda line: None, max_part_pages=SPLIT_MAX)


@pytest.fixture(scope="module")
def previous(tmp_path_factory) -> Path:
    """The split site, built and indexed cold: what the last build left."""
    site = write_site(tmp_path_factory.mktemp("previous") / "site", SPLIT)
    index_site(site, **quiet)
    return site


@pytest.fixture
def www(tmp_path):
    with serving(tmp_path) as url:
        yield tmp_path, url


def rebuilt(previous: Path, folder: Path) -> Path:
    """A new build's folder: the previous site's pages written again, with no search index."""
    shutil.copytree(previous, folder, ignore=shutil.ignore_patterns("pagefind"))
    return folder


def cold_copy(site: Path, folder: Path, max_part_pages: int = SPLIT_MAX) -> Path:
    """The same pages indexed cold, to compare with."""
    shutil.copytree(site, folder, ignore=shutil.ignore_patterns("pagefind"))
    index_site(folder, log=lambda line: None, max_part_pages=max_part_pages)
    return folder


def part_of(site: Path, path: str) -> str:
    manifest = read_manifest(site / "pagefind" / "manifest.json.gz")
    (bundle,) = [part.bundle for part in manifest.parts if path in {page.path for page in part.pages}]
    return bundle


def inodes(site: Path) -> dict[str, int]:
    bundle = site / "pagefind"
    return {p.relative_to(bundle).as_posix(): p.stat().st_ino for p in bundle.rglob("*") if p.is_file()}


def edit(site: Path, slug: str, old_word: str, new_word: str) -> str:
    paper = SPLIT[slug]
    assert old_word in paper.abstract
    return write_paper(site, slug, dataclasses.replace(paper, abstract=paper.abstract.replace(old_word, new_word)))


@needs_node
def test_an_edited_abstract_reindexes_only_its_part(previous, www):
    folder, url = www
    before = bundle_files(previous)
    site = rebuilt(previous, folder / "site")
    changed = edit(site, EDITED, marker(9), "wombatnewword")
    logged: list[str] = []
    stats = index_site(site, log=logged.append, previous=previous, changed={changed}, max_part_pages=SPLIT_MAX)
    assert (stats.parts, stats.reindexed) == (len(parts_listing(previous)), 1)
    assert logged[0].endswith(f"({stats.parts} parts: 1 indexed, {stats.parts - 1} reused)")
    # Every file of the other parts (and the UI files) is the previous build's, hard-linked.
    edited_part = part_of(site, changed).removeprefix("pagefind/")
    old, new = inodes(previous), inodes(site)
    shared = {path for path in new if new[path] == old.get(path)}
    assert shared and all(not path.startswith(edited_part) for path in shared)
    assert shared >= {path for path in old if path.startswith("parts/") and not path.startswith(edited_part)}
    assert {"pagefind-ui.js", "pagefind-ui.css"} <= shared
    assert bundle_files(previous) == before  # the previous build is untouched
    assert bundle_files(site) == bundle_files(cold_copy(site, folder / "cold"))
    found_new, found_old = urls(query(url + "site/", {"term": "wombatnewword"}, {"term": marker(9)}))
    assert found_new == [f"/site/papers/{EDITED}/"] and found_old == []


@needs_node
def test_added_and_removed_pages_reindex_the_parts_they_change(previous, www):
    folder, url = www
    site = rebuilt(previous, folder / "site")
    added = write_paper(site, "late", dataclasses.replace(SPLIT["p26"], abstract="Learning about newcomerword."))
    removed = page_path("p02")  # of 2022-05-10: 2022's first two days now share a part
    (site / removed).unlink()
    stats = index_site(site, previous=previous, changed=[added, removed], **quiet)
    # The newest part (2024-12-31) gained a page; 2022-03-01's part took 2022-05-10's pages.
    assert (stats.parts, stats.reindexed) == (len(parts_listing(previous)) - 1, 2)
    assert bundle_files(site) == bundle_files(cold_copy(site, folder / "cold"))
    answer = query(url + "site/", {"term": "newcomerword"}, {"term": marker(2)}, {"term": marker(3)})
    assert urls(answer) == [["/site/papers/late/"], [], ["/site/papers/p03/"]]


def test_pages_changed_only_where_pagefind_does_not_look_reuse_their_parts(previous, tmp_path):
    # Adding papers changes the "related papers" of many others: not what search finds.
    site = rebuilt(previous, tmp_path / "site")
    changed = []
    for slug in ("p00", "p09", "p26"):
        path = site / page_path(slug)
        path.write_text(path.read_text().replace("unrelatedrelatedword", "newly related paper"))
        changed.append(page_path(slug))
    stats = index_site(site, previous=previous, changed=changed, **quiet)
    assert stats.reindexed == 0 and bundle_files(site) == bundle_files(previous)


def test_without_a_list_of_changes_pages_are_compared_by_digest(previous, tmp_path):
    site = rebuilt(previous, tmp_path / "site")
    edit(site, EDITED, marker(9), "wombatnewword")
    stats = index_site(site, previous=previous, **quiet)
    assert stats.reindexed == 1
    assert bundle_files(site) == bundle_files(cold_copy(site, tmp_path / "cold"))


def test_nothing_changed_reuses_every_part(previous, tmp_path):
    site = rebuilt(previous, tmp_path / "site")
    stats = index_site(site, previous=previous, changed=[], **quiet)
    assert stats.reindexed == 0 and bundle_files(site) == bundle_files(previous)
    old, new = inodes(previous), inodes(site)
    assert {path for path in new if new[path] != old[path]} == {"parts.json", "manifest.json.gz"}  # rewritten


def test_a_new_build_folder_made_of_hard_links_moves_the_parts_it_holds(previous, tmp_path):
    # A builder may start the new build as a hard-linked copy of the previous one (index included).
    site = tmp_path / "site"
    shutil.copytree(previous, site, copy_function=os.link)
    before = bundle_files(previous)
    (site / page_path(EDITED)).unlink()  # a new file, as a writer replaces a page
    changed = edit(site, EDITED, marker(9), "wombatnewword")
    stats = index_site(site, previous=previous, changed={changed}, **quiet)
    assert stats.reindexed == 1 and not list(site.glob(".pagefind-*"))
    assert bundle_files(previous) == before
    old, new = inodes(previous), inodes(site)
    assert sum(new[path] == old.get(path) for path in new) > len(new) * 0.6  # the other parts, moved
    assert bundle_files(site) == bundle_files(cold_copy(site, tmp_path / "cold"))


def test_indexing_in_place_with_itself_as_the_previous_build(previous, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(previous, site)  # index included
    changed = edit(site, EDITED, marker(9), "wombatnewword")
    stats = index_site(site, previous=site, changed={changed}, **quiet)
    assert stats.reindexed == 1 and not list(site.glob(".pagefind-*"))
    assert bundle_files(site) == bundle_files(cold_copy(site, tmp_path / "cold"))


def test_a_failed_run_in_place_leaves_the_old_index(previous, tmp_path, monkeypatch):
    site = tmp_path / "site"
    shutil.copytree(previous, site)
    before = bundle_files(site)
    changed = edit(site, EDITED, marker(9), "wombatnewword")
    import site_builder.search as search

    def failing(*args, **kwargs):
        raise search.BuildError("Pagefind failed (exit status 1)")

    monkeypatch.setattr(search, "_run_pagefind", failing)
    with pytest.raises(search.BuildError):
        index_site(site, previous=site, changed={changed}, **quiet)
    assert bundle_files(site) == before and not list(site.glob(".pagefind-*"))


def test_a_previous_index_made_otherwise_is_not_reused(previous, tmp_path):
    site = rebuilt(previous, tmp_path / "site")
    stats = index_site(site, log=lambda line: None, previous=previous, changed=[], max_part_pages=SPLIT_MAX + 1)
    assert stats.reindexed == stats.parts  # other part sizes: everything indexed afresh
    (previous_without_manifest := tmp_path / "bare").mkdir()
    stats = index_site(site, previous=previous_without_manifest, changed=[], **quiet)
    assert stats.reindexed == stats.parts
    assert bundle_files(site) == bundle_files(previous)


def test_a_small_site_is_reused_or_indexed_again_whole(tmp_path):
    old = write_site(tmp_path / "old", PAPERS)
    index_site(old, log=lambda line: None)
    site = rebuilt(old, tmp_path / "site")
    assert index_site(site, log=lambda line: None, previous=old, changed=[]).reindexed == 0
    assert bundle_files(site) == bundle_files(old)
    paper = dataclasses.replace(PAPERS["inert"], abstract="Now about numbats.")
    changed = write_paper(site, "inert", paper)
    stats = index_site(site, log=lambda line: None, previous=old, changed=[changed])
    assert (stats.parts, stats.reindexed) == (1, 1)
    cold = cold_copy(site, tmp_path / "cold", max_part_pages=DEFAULT_MAX_PART_PAGES)
    assert bundle_files(site) == bundle_files(cold) != bundle_files(old)
    assert os.path.isfile(site / "pagefind" / "pagefind-entry.json")
    in_place = index_site(site, log=lambda line: None, previous=site, changed=[])
    assert in_place.reindexed == 0 and bundle_files(site) == bundle_files(cold)
