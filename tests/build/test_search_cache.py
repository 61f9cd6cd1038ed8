"""What the search stage keeps in the build cache (search_cache.py): each part's pages, as hard
links to the site's files brought up to date by linking only what changed, and the bundles an
index in place replaced, which Pagefind writes over the next time. Whatever the cache holds, the
index is the cold one."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

import site_builder.search as search_module
from site_builder.search import index_site
from site_builder.search_cache import SearchCache, folder_name, sync_links
from site_builder.search_parts import read_manifest
from tests.build.search_site import bundle_files, files_under, page_path, write_site
from tests.build.test_search import SPLIT, SPLIT_MAX, marker
from tests.build.test_search_incremental import cold_copy, edit, part_of, rebuilt

quiet = dict(log=lambda line: None, max_part_pages=SPLIT_MAX)


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
    index_site(site, cache_dir=kept, **quiet)
    manifest = read_manifest(site / "pagefind" / "manifest.json.gz")
    assert sorted(p.name for p in (kept / "pages").iterdir()) == sorted(folder_name(part.bundle) for part in manifest.parts)
    for part in manifest.parts:
        linked = files_under(kept / "pages" / folder_name(part.bundle))
        assert linked == {page.path: (site / page.path).stat().st_ino for page in part.pages}
    assert not (kept / "spares").exists()  # nothing replaced yet
    assert bundle_files(site) == bundle_files(cold_copy(site, tmp_path / "cold"))

    # An edit in place, as an incremental build makes it: the page is a new file.
    changed = edit(site, "p09", marker(9), "kangaroonewword")
    folder = kept / "pages" / folder_name(part_of(site, changed))
    assert files_under(folder)[changed] == (site / changed).stat().st_ino
    replace_file(site / changed, (site / changed).read_text(encoding="utf-8"))  # same bytes, new file
    stats = reindex(site, kept, changed)
    assert stats.reindexed == 1
    assert files_under(folder)[changed] == (site / changed).stat().st_ino
    assert bundle_files(site) == bundle_files(cold_copy(site, tmp_path / "cold-2"))


def spare_of(kept: Path, site: Path, page: str) -> Path:
    return kept / "spares" / folder_name(part_of(site, page))


def reindex(site: Path, kept: Path, changed: str):
    """Index `site` in place after `changed` was edited, as an incremental build does."""
    return index_site(site, previous=site, changed={changed}, cache_dir=kept, **quiet)


def with_a_spare(tmp_path: Path) -> tuple[Path, Path, str]:
    """The split site indexed with a search cache, then p09 edited and indexed in place: its part's
    replaced bundle is now a spare. Returns the cache folder, the site and p09's page."""
    kept = tmp_path / "kept"
    site = write_site(tmp_path / "site", SPLIT)
    index_site(site, cache_dir=kept, **quiet)
    changed = edit(site, "p09", marker(9), "kangaroonewword")
    reindex(site, kept, changed)
    return kept, site, changed


def test_an_index_in_place_keeps_the_replaced_bundle_and_the_next_writes_over_it(tmp_path, monkeypatch):
    kept = tmp_path / "kept"
    site = write_site(tmp_path / "site", SPLIT)
    index_site(site, cache_dir=kept, **quiet)
    changed = edit(site, "p09", marker(9), "kangaroonewword")
    bundle = site / part_of(site, changed)
    old_entry = (bundle / "pagefind-entry.json").read_bytes()
    reindex(site, kept, changed)
    spare = spare_of(kept, site, changed)
    assert (spare / "pagefind-entry.json").read_bytes() == old_entry  # the replaced version
    assert [p.name for p in (kept / "spares").iterdir()] == [spare.name]  # of the part indexed only
    fragments = {p.name: p.stat().st_ino for p in (spare / "fragment").iterdir()}

    # The next edit of that part: Pagefind writes into the spare, which becomes the part's bundle.
    outputs: list[str] = []
    run = search_module._run_pagefind
    monkeypatch.setattr(search_module, "_run_pagefind", lambda *args: (outputs.append(args[3][-1]), run(*args))[1])
    changed = edit(site, "p09", marker(9), "wallabynewword")
    reindex(site, kept, changed)
    assert outputs == [str(spare.with_name(".writing-" + spare.name))]
    now = {p.name: p.stat().st_ino for p in (bundle / "fragment").iterdir()}
    assert len(set(now.items()) & set(fragments.items())) == len(now) - 1  # one page's fragment is new
    assert (spare / "pagefind-entry.json").is_file()  # and the version it replaced is the spare
    assert bundle_files(site) == bundle_files(cold_copy(site, tmp_path / "cold"))


def test_a_spare_with_left_overs_or_shared_files_gives_the_cold_index_and_leaves_other_files_alone(tmp_path):
    kept, site, changed = with_a_spare(tmp_path)
    spare = spare_of(kept, site, changed)
    fragments = sorted((spare / "fragment").iterdir())
    shared = tmp_path / "elsewhere.pf_fragment"
    os.link(fragments[0], shared)  # a file of the spare that is also somewhere else
    before = shared.read_bytes()
    (spare / "index" / "en_stale.pf_index").write_bytes(b"left over")
    (spare / "stray").mkdir()
    changed = edit(site, "p09", marker(9), "wallabynewword")
    reindex(site, kept, changed)
    assert shared.read_bytes() == before and shared.stat().st_nlink == 1
    assert bundle_files(site) == bundle_files(cold_copy(site, tmp_path / "cold"))


def test_a_failed_run_into_a_spare_leaves_the_old_index(tmp_path, monkeypatch):
    kept, site, changed = with_a_spare(tmp_path)
    before = bundle_files(site)
    run = search_module._run_pagefind

    def failing(executable, site, error_path, extra):
        run(executable, site, error_path, extra)
        for fragment in Path(extra[-1], "fragment").iterdir():  # as if it had died writing them
            fragment.write_bytes(fragment.read_bytes()[:10])
        raise search_module.BuildError("Pagefind failed (exit status 1)")

    monkeypatch.setattr(search_module, "_run_pagefind", failing)
    changed = edit(site, "p09", marker(9), "wallabynewword")
    with pytest.raises(search_module.BuildError):
        reindex(site, kept, changed)
    assert bundle_files(site) == before and not list(site.glob(".pagefind-*"))
    monkeypatch.undo()
    reindex(site, kept, changed)
    assert bundle_files(site) == bundle_files(cold_copy(site, tmp_path / "cold"))  # the damaged spare unused
    assert sorted(p.name for p in (kept / "spares").iterdir()) == [spare_of(kept, site, changed).name]


def test_a_spare_that_cannot_be_renamed_into_place_is_copied(tmp_path, monkeypatch):
    """Where renaming fails although the device numbers agree (a bind mount, say), the bundle
    written into the spare is copied into place and the spare deleted."""
    kept, site, changed = with_a_spare(tmp_path)
    real_rename = Path.rename
    refused: list[str] = []

    def rename(self, target):  # noqa: ANN001, ANN202
        if self.name.startswith(".writing-"):
            refused.append(self.name)
            raise OSError(18, "Invalid cross-device link")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    changed = edit(site, "p09", marker(9), "wallabynewword")
    reindex(site, kept, changed)
    assert refused == [".writing-" + spare_of(kept, site, changed).name]
    assert bundle_files(site) == bundle_files(cold_copy(site, tmp_path / "cold"))
    assert not [p.name for p in (kept / "spares").iterdir() if p.name.startswith(".writing-")]


def test_a_new_site_folder_relinks_the_parts_it_reused(tmp_path):
    """A full build indexes a new folder, reusing the previous one's unchanged parts: the kept
    folders must not go on holding the previous folder's files."""
    kept = tmp_path / "kept"
    previous = write_site(tmp_path / "previous", SPLIT)
    index_site(previous, cache_dir=kept, **quiet)
    site = rebuilt(previous, tmp_path / "site")  # copies: every page a new file
    stats = index_site(site, previous=previous, changed=[], cache_dir=kept, **quiet)
    assert stats.reindexed == 0
    for part in read_manifest(site / "pagefind" / "manifest.json.gz").parts:
        linked = files_under(kept / "pages" / folder_name(part.bundle))
        assert linked == {page.path: (site / page.path).stat().st_ino for page in part.pages}


def test_folders_of_parts_that_are_gone_are_deleted(tmp_path):
    kept, site, changed = with_a_spare(tmp_path)
    assert len(list((kept / "pages").iterdir())) > 1 and len(list((kept / "spares").iterdir())) == 1
    index_site(site, log=lambda line: None, cache_dir=kept)  # the default part size: one part
    assert [p.name for p in (kept / "pages").iterdir()] == ["pagefind"]
    assert list((kept / "spares").iterdir()) == []
    assert files_under(kept / "pages" / "pagefind") == {
        page_path(slug): (site / page_path(slug)).stat().st_ino for slug in SPLIT
    }


def test_kept_folders_on_another_file_system_are_not_used(tmp_path):
    elsewhere = Path("/dev/shm")
    if not elsewhere.is_dir() or os.stat(elsewhere).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("needs /dev/shm on a file system of its own")
    kept = Path(tempfile.mkdtemp(dir=elsewhere)) / "kept"
    try:
        site = write_site(tmp_path / "site", SPLIT)
        assert not SearchCache(kept).usable_for(site)
        index_site(site, cache_dir=kept, **quiet)
        changed = edit(site, "p09", marker(9), "kangaroonewword")
        reindex(site, kept, changed)
        assert list(kept.iterdir()) == []
        assert not [p for p in site.iterdir() if p.name.startswith(".pagefind-")]  # scratch removed
        assert bundle_files(site) == bundle_files(cold_copy(site, tmp_path / "cold"))
    finally:
        shutil.rmtree(kept.parent)


def test_a_spare_keeps_only_the_fragments_of_pages_unchanged_since_its_version(tmp_path):
    """Pagefind keeps a file whose name exists, and a name is only 7 hex digits of a hash: a
    spare may hold only files this run writes with the same bytes. A page edited in the build
    that made the spare's version, then left alone, has a fragment in the spare that is stale."""
    kept, site, first = with_a_spare(tmp_path)  # the spare: p09 before the edit
    manifest = read_manifest(site / "pagefind" / "manifest.json.gz")
    (part,) = [part for part in manifest.parts if first in {page.path for page in part.pages}]
    spare = SearchCache(kept).spare_for(part)
    assert spare is not None and spare.name.startswith(".writing-")
    urls = sorted(fragment_url(path) for path in (spare / "fragment").iterdir())
    expected = sorted("/" + page.path.removesuffix("index.html") for page in part.pages if page.path != first)
    assert urls == expected
    assert [p.name for p in spare.iterdir()] == ["fragment"]  # index, filters and the rest: written afresh


def fragment_url(path: Path) -> str:
    import gzip
    import json

    return json.loads(gzip.decompress(path.read_bytes())[len(b"pagefind_dcd"):])["url"]


def test_a_fragments_url_is_read_from_its_start(tmp_path):
    from site_builder.search_cache import _fragment_url

    def fragment(data: bytes) -> str:
        path = tmp_path / f"f{len(list(tmp_path.iterdir()))}.pf_fragment"
        path.write_bytes(gzip.compress(data))
        return str(path)

    escaped = json.dumps({"url": '/papers/a "b" \\ é/', "content": "x" * 100_000}, ensure_ascii=True, separators=(",", ":")).encode()
    assert _fragment_url(fragment(b"pagefind_dcd" + escaped)) == '/papers/a "b" \\ é/'
    assert _fragment_url(fragment(b'pagefind_dcd{"content":"x","url":"/a/"}')) is None  # not first: not kept
    assert _fragment_url(fragment(b'{"url":"/a/"}')) is None  # no signature
    (tmp_path / "broken.pf_fragment").write_bytes(b"\x1f\x8b not gzip")
    assert _fragment_url(str(tmp_path / "broken.pf_fragment")) is None
