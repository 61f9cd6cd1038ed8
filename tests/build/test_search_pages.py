"""The folders Pagefind reads, kept between builds (search_pages.py): each holds exactly its part's
pages, as hard links to the site's files, brought up to date by linking only what changed."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from site_builder.search import index_site
from site_builder.search_pages import PageFolders, folder_name, sync_links
from site_builder.search_parts import read_manifest
from tests.build.search_site import bundle_files, page_path, write_site
from tests.build.test_search import SPLIT, SPLIT_MAX, marker
from tests.build.test_search_incremental import cold_copy, edit, part_of, rebuilt

quiet = dict(log=lambda line: None, max_part_pages=SPLIT_MAX)


def files_under(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


def replace_file(path: Path, text: str) -> None:
    """Write `path` as a build does: a new file moved over the old one (a new inode)."""
    new = path.with_name(path.name + ".new")
    new.write_text(text, encoding="utf-8")
    new.replace(path)


def site_of(tmp_path: Path, names: list[str]) -> Path:
    site = tmp_path / "site"
    for name in names:
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(f"page {name}", encoding="utf-8")
    return site


def test_sync_links_each_page_at_its_path_and_nothing_else(tmp_path):
    site = site_of(tmp_path, ["papers/a/index.html", "papers/b/index.html", "papers/c/index.html"])
    folder = tmp_path / "kept" / "part"
    sync_links(site, folder, ["papers/a/index.html", "papers/b/index.html"])
    assert files_under(folder) == {rel: (site / rel).stat().st_ino for rel in ("papers/a/index.html", "papers/b/index.html")}

    # b replaced by the build, c joins the part, a leaves it (and its folder goes with it)
    replace_file(site / "papers/b/index.html", "page b, edited")
    sync_links(site, folder, ["papers/b/index.html", "papers/c/index.html"])
    assert files_under(folder) == {rel: (site / rel).stat().st_ino for rel in ("papers/b/index.html", "papers/c/index.html")}
    assert (folder / "papers/b/index.html").read_text(encoding="utf-8") == "page b, edited"
    assert not (folder / "papers/a").exists()


def test_sync_links_leaves_links_that_are_still_the_sites_files(tmp_path, monkeypatch):
    site = site_of(tmp_path, ["papers/a/index.html", "papers/b/index.html"])
    folder = tmp_path / "kept"
    sync_links(site, folder, ["papers/a/index.html", "papers/b/index.html"])
    replace_file(site / "papers/a/index.html", "page a, edited")
    linked: list[str] = []
    real_link = os.link
    monkeypatch.setattr(os, "link", lambda source, target: (linked.append(str(target)), real_link(source, target)))
    sync_links(site, folder, ["papers/a/index.html", "papers/b/index.html"])
    assert linked == [str(folder / "papers/a/index.html")]


def test_kept_folders_give_the_cold_index_and_follow_an_edit(tmp_path):
    kept = tmp_path / "kept"
    site = write_site(tmp_path / "site", SPLIT)
    index_site(site, pages_dir=kept, **quiet)
    manifest = read_manifest(site / "pagefind" / "manifest.json.gz")
    assert sorted(p.name for p in kept.iterdir()) == sorted(folder_name(part.bundle) for part in manifest.parts)
    for part in manifest.parts:
        linked = files_under(kept / folder_name(part.bundle))
        assert linked == {page.path: (site / page.path).stat().st_ino for page in part.pages}
    assert bundle_files(site) == bundle_files(cold_copy(site, tmp_path / "cold"))

    # An edit in place, as an incremental build makes it: the page is a new file.
    changed = edit(site, "p09", marker(9), "kangaroonewword")
    folder = kept / folder_name(part_of(site, changed))
    assert files_under(folder)[changed] == (site / changed).stat().st_ino
    replace_file(site / changed, (site / changed).read_text(encoding="utf-8"))  # same bytes, new file
    stats = index_site(site, previous=site, changed={changed}, pages_dir=kept, **quiet)
    assert stats.reindexed == 1
    assert files_under(folder)[changed] == (site / changed).stat().st_ino
    assert bundle_files(site) == bundle_files(cold_copy(site, tmp_path / "cold-2"))


def test_a_new_site_folder_relinks_the_parts_it_reused(tmp_path):
    """A full build indexes a new folder, reusing the previous one's unchanged parts: the kept
    folders must not go on holding the previous folder's files."""
    kept = tmp_path / "kept"
    previous = write_site(tmp_path / "previous", SPLIT)
    index_site(previous, pages_dir=kept, **quiet)
    site = rebuilt(previous, tmp_path / "site")  # copies: every page a new file
    stats = index_site(site, previous=previous, changed=[], pages_dir=kept, **quiet)
    assert stats.reindexed == 0
    for part in read_manifest(site / "pagefind" / "manifest.json.gz").parts:
        linked = files_under(kept / folder_name(part.bundle))
        assert linked == {page.path: (site / page.path).stat().st_ino for page in part.pages}


def test_folders_of_parts_that_are_gone_are_deleted(tmp_path):
    kept = tmp_path / "kept"
    site = write_site(tmp_path / "site", SPLIT)
    index_site(site, pages_dir=kept, **quiet)
    assert len(list(kept.iterdir())) > 1
    index_site(site, log=lambda line: None, pages_dir=kept)  # the default part size: one part
    assert [p.name for p in kept.iterdir()] == ["pagefind"]
    assert files_under(kept / "pagefind") == {
        page_path(slug): (site / page_path(slug)).stat().st_ino for slug in SPLIT
    }


def test_kept_folders_on_another_file_system_are_not_used(tmp_path):
    elsewhere = Path("/dev/shm")
    if not elsewhere.is_dir() or os.stat(elsewhere).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("needs /dev/shm on a file system of its own")
    kept = Path(tempfile.mkdtemp(dir=elsewhere)) / "kept"
    try:
        site = write_site(tmp_path / "site", SPLIT)
        assert not PageFolders(kept).usable_for(site)
        index_site(site, pages_dir=kept, **quiet)
        assert list(kept.iterdir()) == []
        assert not [p for p in site.iterdir() if p.name.startswith(".pagefind-")]  # scratch removed
        assert bundle_files(site) == bundle_files(cold_copy(site, tmp_path / "cold"))
    finally:
        shutil.rmtree(kept.parent)
