"""Incremental builds (the build cache) and parallel rendering give exactly the site a cold,
single-process build gives: after every kind of edit, the rebuilt output folder is compared file
by file (sha256) with a fresh full build of the same content."""

from __future__ import annotations

import os
import shutil
import sys
import time
import types
from pathlib import Path

import pytest

from build_checks import FIXTURE_SITE, build, copy_site, tree_hashes
from site_builder import outputs as outputs_module
from site_builder import site as site_module
from site_builder.cache import BuildCache, input_fingerprint, paper_file_stats
from site_builder.errors import BuildError, SiteBuilderError
from site_builder.render import PageSpec, Renderer

PAPER = """---
title: {title}
authors:
- {author}
- Cong Fang
date: {date}
categories: [cs.LG, math.OC]
tags: [optimization]
---

An abstract about $x^2$ and {word}.
"""


def age(folder: Path, seconds: float = 10.0) -> None:
    """Make every file under `folder` look untouched for a while: a build trusts a file's stat
    (size, mtime) only once it is a few seconds old."""
    past = time.time() - seconds
    for path in [folder, *folder.rglob("*")]:
        os.utime(path, (past, past))


def same_tree(built: dict[str, str], expected: dict[str, str]) -> bool:
    """Equality of two tree_hashes, printing the paths that differ (pytest shows them)."""
    differ = sorted(p for p in built.keys() | expected.keys() if built.get(p) != expected.get(p))
    if differ:
        print("differing files:", differ[:20], f"({len(differ)} in all)")
    return not differ


def cold(content: Path, tmp_path: Path, **options) -> dict[str, str]:
    """What a full build of `content` writes, built where no cache can be reused."""
    out = tmp_path / f"cold-{sum(p.name.startswith('cold-') for p in tmp_path.iterdir())}" / "public"
    report, _ = build(content, out, incremental=False, jobs=1, **options)
    assert report.mode == "full"
    return tree_hashes(out)


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, Path]:
    content = copy_site(FIXTURE_SITE, tmp_path / "site")
    out = tmp_path / "public"
    report, _ = build(content, out)
    assert report.mode == "full"
    return content, out


def edit_abstract(content: Path) -> None:
    path = content / "papers" / "notes-on-min-max-optimization.md"
    path.write_text(path.read_text() + "\nA new sentence with $y_1$ in it.\n")


def retitle_and_reauthor(content: Path) -> None:
    path = content / "papers" / "critical-points-of-deep-linear-networks.md"
    text = path.read_text()
    text = text.replace("title: Critical", "title: Retitled Critical", 1)
    path.write_text(text.replace("authors: []", "authors: [Zed Newcomer, Cong Fang]", 1))


def add_paper(content: Path) -> None:
    (content / "papers" / "a-brand-new-paper.md").write_text(
        PAPER.format(title="A Brand New Paper", author="Ada Newauthor", date="2023-03-07", word="novelty"))


def add_paper_on_a_new_day_and_tag(content: Path) -> None:
    text = PAPER.format(title="Another One", author="Bo Other", date="2031-01-02", word="futures")
    (content / "papers" / "another-one.md").write_text(text.replace("tags: [optimization]", "tags: [brand-new-topic]"))


def delete_paper(content: Path) -> None:
    (content / "papers" / "environment-invariant-linear-least-squares.md").unlink()


def change_profile(content: Path) -> None:
    path = content / "authors" / "cong-fang.yaml"
    path.write_text(path.read_text().replace("h_index: 19", "h_index: 20"))


def rename_topic(content: Path) -> None:
    path = content / "topics.yaml"
    path.write_text(path.read_text().replace("name: Optimization", "name: Optimisation", 1))


def change_site_yaml(content: Path) -> None:
    path = content / "site.yaml"
    path.write_text(path.read_text().replace("title: Fixture Digest", "title: Renamed Digest"))


def add_theme_override(content: Path) -> None:
    theme = content.parent / "mytheme" / "templates" / "partials"
    theme.mkdir(parents=True)
    (theme / "footer.html").write_text('<footer class="mine"><p>Ours</p></footer>\n')
    with (content / "site.yaml").open("a") as handle:
        handle.write("theme: mytheme\n")


def change_theme_template(content: Path) -> None:
    footer = content.parent / "mytheme" / "templates" / "partials" / "footer.html"
    footer.write_text('<footer class="mine"><p>Ours, edited</p></footer>\n')


EDITS = [edit_abstract, retitle_and_reauthor, add_paper, add_paper_on_a_new_day_and_tag, delete_paper,
         change_profile, rename_topic, change_site_yaml, add_theme_override, change_theme_template]


def test_every_kind_of_edit_rebuilds_incrementally_to_the_cold_result(site, tmp_path: Path) -> None:
    content, out = site
    for edit in EDITS:
        edit(content)
        report, lines = build(content, out)
        assert report.mode == "incremental", edit.__name__
        assert same_tree(tree_hashes(out), cold(content, tmp_path)), f"after {edit.__name__}"
        assert any(line.startswith("  incremental:") for line in lines)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("cold-")) == ["public", "site"]


def test_an_edit_rerenders_only_what_shows_the_paper(site) -> None:
    content, out = site
    edit_abstract(content)
    report, _ = build(content, out)
    assert report.mode == "incremental" and report.papers_read == 1
    # The paper's page and the feeds whose items carry its abstract; not the other pages.
    assert 0 < report.rendered < report.total_pages / 2
    assert "papers/notes-on-min-max-optimization/index.html" in {p for p in _written(out, report)}


def test_an_edited_abstract_reuses_the_authors_and_related_papers_of_the_last_build(site, monkeypatch) -> None:
    """The memos' keys are the same for papers parsed from their files (the last build) and
    read back from the build cache (this one), so an edit that keeps the papers' order, names
    and terms ranks nothing again (at 100,000 papers ranking takes ~8 s) and counts no
    co-authors (~3 s)."""
    content, out = site
    ranked: list = []
    slugified: list = []
    monkeypatch.setattr(site_module._RelatedRanker, "rank_range", lambda self, bounds: ranked.append(bounds) or [])
    monkeypatch.setattr(site_module, "author_slug", lambda name: slugified.append(name) or "x")
    edit_abstract(content)
    report, _ = build(content, out, jobs=1)
    assert report.mode == "incremental" and report.papers_read == 1
    assert ranked == [] and slugified == []


def test_pages_rendered_again_with_the_same_bytes_are_not_written(site) -> None:
    content, out = site
    paper = sorted((content / "papers").glob("*.md"))[0]
    text = paper.read_text(encoding="utf-8")
    end = text.index("\n---\n", 4)  # a YAML comment: the file changed, nothing it shows did
    paper.write_text(text[:end] + "\n# a note of the editor's" + text[end:], encoding="utf-8")
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    report, _ = build(content, out)
    assert report.mode == "incremental" and report.papers_read == 1
    assert report.rendered > 0 and report.written == 0
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == before


def test_a_new_days_paper_leaves_its_tags_archive_pages_alone(tmp_path: Path, monkeypatch) -> None:
    """Tag pages are counted from the oldest (views.list_page_bounds): a paper of a new day is
    its tags' newest, so their archive pages are not even rendered again. Numbered from the
    newest, every page of the tag would show other papers."""
    content = copy_site(FIXTURE_SITE, tmp_path / "site")
    for day in range(1, 9):  # 12 papers tagged optimization: 5 archive pages of 2 and a front page
        (content / "papers" / f"older-{day}.md").write_text(
            PAPER.format(title=f"Older {day}", author="Ada Newauthor", date=f"2020-01-0{day}", word="history"))
    out = tmp_path / "public"
    build(content, out)
    archive = {n: out / "tags" / "optimization" / "page" / str(n) / "index.html" for n in range(1, 6)}
    before = {n: path.read_bytes() for n, path in archive.items()}
    assert not (out / "tags" / "optimization" / "page" / "6").exists()
    rendered: list[PageSpec] = []
    render = Renderer.render
    monkeypatch.setattr(Renderer, "render", lambda self, spec: rendered.append(spec) or render(self, spec))
    (content / "papers" / "the-newest.md").write_text(
        PAPER.format(title="The Newest", author="Ada Newauthor", date="2031-01-02", word="news"))
    report, _ = build(content, out, jobs=1)
    assert report.mode == "incremental"
    assert sorted(spec.page for spec in rendered if spec.kind == "tag" and spec.key == "optimization") == [0]
    assert {n: path.read_bytes() for n, path in archive.items()} == before


def _written(out: Path, report) -> set[str]:  # noqa: ANN001
    # The written files are the newest in the output folder.
    files = sorted((p.stat().st_mtime_ns, p.relative_to(out).as_posix()) for p in out.rglob("*") if p.is_file())
    return {rel for _, rel in files[-report.written:]} if report.written else set()


def test_nothing_changed_is_up_to_date_without_loading_anything(site, monkeypatch) -> None:
    content, out = site
    age(content.parent)
    build(content, out)  # records stats that are now old enough to trust
    before = tree_hashes(out)

    def no_loading(*args, **kwargs):
        raise AssertionError("an up-to-date build must not load the content")

    monkeypatch.setattr("site_builder.content.load_content", no_loading)
    report, lines = build(content, out)
    assert report.mode == "up to date" and lines[0].startswith("Up to date: ")
    assert report.total_pages > 0 and report.files == len(before)
    assert tree_hashes(out) == before


def test_the_input_fingerprint_follows_the_paper_files_and_the_other_content(site) -> None:
    content, _ = site

    def fingerprint() -> str:
        return input_fingerprint(content, [], ("options",))[0]

    first = fingerprint()
    assert input_fingerprint(content, [], ("options",), paper_file_stats(content))[0] == first
    assert input_fingerprint(content, [], ("other options",))[0] != first
    (content / "papers" / "notes.txt").write_text("not a paper: the build never reads it\n")
    assert fingerprint() == first
    edit_abstract(content)
    edited = fingerprint()
    assert edited != first
    (content / "papers" / "a-new-paper.md").write_text(
        PAPER.format(title="New", author="Ada Newauthor", date="2031-01-02", word="news"))
    added = fingerprint()
    assert added != edited
    site_yaml = content / "site.yaml"
    site_yaml.write_text(site_yaml.read_text() + "\n# a comment\n")
    assert fingerprint() != added


def test_a_build_lists_the_paper_files_once(site, monkeypatch) -> None:
    content, out = site
    edit_abstract(content)
    age(content.parent)  # not racy: no second fingerprint at the end of the build
    papers = os.path.realpath(content / "papers")
    listings: list[str] = []
    scandir = os.scandir

    def counted(path=".", *args):  # noqa: ANN001, ANN002, ANN202
        if isinstance(path, (str, os.PathLike)) and os.path.realpath(path) == papers:
            listings.append(papers)
        return scandir(path, *args)

    monkeypatch.setattr(os, "scandir", counted)
    report, _ = build(content, out)
    assert report.mode == "incremental" and report.rendered > 0
    assert listings == [papers]  # the fingerprint's listing is the load's


def test_the_build_cache_keeps_a_row_for_every_paper_file_and_none_for_a_deleted_one(site) -> None:
    content, out = site
    cache = BuildCache.for_build(content, out)
    assert cache is not None

    def stored_names() -> set[str]:
        return {name for data in cache.read_shards("papers") for name in data["rows"]}

    def paper_files() -> set[str]:
        return {path.name for path in (content / "papers").glob("*.md")}

    assert stored_names() == paper_files()
    age(content.parent)
    build(content, out)  # records stats old enough to trust
    (content / "papers" / "notes-on-min-max-optimization.md").unlink()
    report, _ = build(content, out)  # nothing to read: the deleted file's shard is saved after the load
    assert report.mode == "incremental" and report.papers_read == 0
    assert stored_names() == paper_files()


def test_a_hand_edited_or_replaced_output_folder_gets_a_full_build(site, tmp_path: Path) -> None:
    content, out = site
    (out / "index.html").write_text("edited by hand")
    report, _ = build(content, out)
    assert report.mode == "full" and tree_hashes(out) == cold(content, tmp_path)
    shutil.rmtree(out)
    shutil.copytree(tmp_path / "cold-0" / "public", out)  # same files, another folder
    report, _ = build(content, out)
    assert report.mode == "full"


def test_an_interrupted_update_is_not_trusted(site, tmp_path: Path) -> None:
    content, out = site
    cache = BuildCache.for_build(content, out)
    assert cache is not None
    cache.begin_apply()  # as if a build had been killed while moving files in
    edit_abstract(content)
    report, _ = build(content, out)
    assert report.mode == "full" and not cache.applying()
    assert same_tree(tree_hashes(out), cold(content, tmp_path))


def test_a_failed_incremental_build_leaves_the_site_as_it_was(site, tmp_path: Path) -> None:
    content, out = site
    before = tree_hashes(out)
    (content / "papers" / "broken.md").write_text("---\ntitle: [unclosed\n---\n")
    with pytest.raises(SiteBuilderError):
        build(content, out)
    (content / "papers" / "broken.md").unlink()
    add_theme_override(content)
    (content.parent / "mytheme" / "templates" / "day.html").write_text("{% extends 'base.html' %}{% block content %}{{ page.nope }}{% endblock %}\n")
    with pytest.raises(BuildError, match="nope"):
        build(content, out)
    assert tree_hashes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public", "site"]


def test_a_failing_search_index_puts_the_old_pages_back(site, tmp_path: Path, monkeypatch) -> None:
    content, out = site
    calls: list[tuple] = []

    def index(site_dir: Path, log=print, previous=None, changed=None, cache_dir=None):
        calls.append((site_dir, previous, changed))
        assert cache_dir == BuildCache.for_build(content, out).folder / "search"
        if previous is not None:
            raise BuildError("pagefind: Error: something went wrong")
        (site_dir / "pagefind").mkdir()
        (site_dir / "pagefind" / "pagefind.js").write_text("// index\n")

    monkeypatch.setitem(sys.modules, "site_builder.search", types.SimpleNamespace(index_site=index))
    build(content, out, search=True)  # search switched on: a full build, indexed before the swap
    assert calls[-1][1:] == (None, None) and calls[-1][0] != out
    before = tree_hashes(out)
    edit_abstract(content)
    with pytest.raises(BuildError, match="something went wrong"):
        build(content, out, search=True)
    site_dir, previous, changed = calls[-1]
    assert site_dir == previous == out.absolute()
    assert "papers/notes-on-min-max-optimization/index.html" in changed
    assert tree_hashes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public", "site"]


def test_search_keeps_page_links_and_a_spare_in_the_build_cache_and_gives_the_full_builds_site(site, tmp_path: Path) -> None:
    from site_builder.search_cache import folder_name
    from site_builder.search_parts import read_manifest
    from tests.build.search_site import files_under

    content, out = site
    build(content, out, search=True)
    edit_abstract(content)
    report, _ = build(content, out, search=True)
    assert report.mode == "incremental"
    kept = BuildCache.for_build(content, out).folder / "search" / "pages"
    (part,) = read_manifest(out / "pagefind" / "manifest.json.gz").parts
    linked = files_under(kept / folder_name(part.bundle))
    assert "papers/notes-on-min-max-optimization/index.html" in linked
    assert linked == {page.path: (out / page.path).stat().st_ino for page in part.pages}
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no scratch folder left
    spare = BuildCache.for_build(content, out).folder / "search" / "spares" / folder_name(part.bundle)
    assert (spare / "fragment").is_dir()  # the replaced index, for the next one to write into

    spare_folder = spare.stat().st_ino
    retitle_and_reauthor(content)  # indexed into the spare: still the site a full build makes
    report, _ = build(content, out, search=True)
    assert report.mode == "incremental" and (out / "pagefind").stat().st_ino == spare_folder
    assert same_tree(tree_hashes(out), cold(content, tmp_path, search=True))


def test_parallel_rendering_writes_the_same_site(site, tmp_path: Path, monkeypatch) -> None:
    content, _ = site
    monkeypatch.setattr(outputs_module, "PARALLEL_MIN_UNITS", 1)
    monkeypatch.setattr(outputs_module, "MACRO_CACHE_SIZE", 0)  # card details made in their own pass
    out = tmp_path / "parallel" / "public"
    report, _ = build(content, out, jobs=3, incremental=False)
    assert same_tree(tree_hashes(out), cold(content, tmp_path))
    add_paper(content)
    delete_paper(content)
    report, _ = build(content, out, jobs=2)
    assert report.mode == "incremental"
    assert same_tree(tree_hashes(out), cold(content, tmp_path))


def test_a_template_error_in_a_worker_is_reported_with_its_template(site, tmp_path: Path, monkeypatch) -> None:
    content, _ = site
    monkeypatch.setattr(outputs_module, "PARALLEL_MIN_UNITS", 1)
    add_theme_override(content)
    (content.parent / "mytheme" / "templates" / "paper.html").write_text("{% extends 'base.html' %}{% block content %}{{ page.nope }}{% endblock %}\n")
    with pytest.raises(BuildError) as info:
        build(content, tmp_path / "p" / "public", jobs=2, incremental=False)
    assert "paper.html" in str(info.value) and "nope" in str(info.value)


def test_an_edit_in_the_same_mtime_tick_as_the_last_build_is_not_missed(site, tmp_path: Path) -> None:
    """A file changed just before a build may change again within the same mtime tick, keeping
    its size: its stat then says nothing, so the build must not have trusted it."""
    content, out = site
    path = content / "papers" / "notes-on-min-max-optimization.md"
    path.write_text(path.read_text() + "\nVersion one of a sentence.\n")
    tick = path.stat().st_mtime_ns
    build(content, out)
    path.write_text(path.read_text().replace("Version one", "Version two"))  # same size
    os.utime(path, ns=(tick, tick))  # and the same mtime: as if in the same tick
    report, _ = build(content, out)
    assert report.mode == "incremental"
    assert "Version two" in (out / "papers/notes-on-min-max-optimization/index.html").read_text()
    assert same_tree(tree_hashes(out), cold(content, tmp_path))


def test_the_report_lists_page_kinds_in_the_renderers_order() -> None:
    from site_builder import build as build_module, render

    assert build_module.PAGE_KINDS == render.PAGE_KINDS  # build.py keeps a copy: an up-to-date build imports no renderer


def test_the_build_cache_is_read_a_file_at_a_time_and_damage_reads_as_no_cache(tmp_path: Path, monkeypatch) -> None:
    import builtins

    from site_builder import cache as cache_module

    cache = BuildCache(tmp_path / "cache", tmp_path / "public")
    cache.folder.mkdir(parents=True)
    rows = {f"paper-{i}.md": ((i, i, i), f"token-{i}", "key", (f"Title {i}", i, None), b"\0" * 50) for i in range(2000)}
    cache.write_shards("papers", {0: {"renderer": "r", "rows": rows}})
    reads = []
    real_open = builtins.open

    class Counted:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()
            return False

        def __getattr__(self, name):  # every way of reading the file is counted
            if name.startswith("read"):
                reads.append(name)
            return getattr(self.handle, name)

    monkeypatch.setattr(cache_module, "open", lambda *a, **k: Counted(real_open(*a, **k)), raising=False)
    assert cache.read_shards("papers") == [{"renderer": "r", "rows": rows}]
    # marshal.load on the file would call readinto once per object: thousands of reads here.
    assert len(reads) <= 2, reads
    monkeypatch.undo()

    shard = cache.folder / "papers" / "000"
    whole = shard.read_bytes()
    shard.write_bytes(whole[: len(whole) // 2])  # cut short, as by a full disk
    assert cache.read_shards("papers") == [None]
    shard.write_bytes(b"\xff" + whole[1:])  # not marshal data
    assert cache.read_shards("papers") == [None]
    assert cache.read_blob("missing") is None


def test_a_site_whose_build_cache_cannot_be_kept_builds_in_full_without_memos(tmp_path: Path, monkeypatch) -> None:
    """A read-only site folder, say (`BuildCache.for_build` gives None): every build is a full
    one, and the model is assembled without a memo that nothing would keep."""
    content = copy_site(FIXTURE_SITE, tmp_path / "site")
    monkeypatch.setattr(BuildCache, "for_build", staticmethod(lambda content_dir, out_dir: None))
    memos: list = []
    assemble = site_module.assemble_site
    monkeypatch.setattr(site_module, "assemble_site", lambda *a, **k: memos.append(k.get("memo")) or assemble(*a, **k))
    out = tmp_path / "public"
    for _ in range(2):
        report, _ = build(content, out)
        assert report.mode == "full"
    assert memos == [None, None]
    assert same_tree(tree_hashes(out), cold(content, tmp_path))


def test_files_an_earlier_build_cache_wrote_and_none_reads_are_deleted(site) -> None:
    content, out = site
    folder = BuildCache.for_build(content, out).folder
    assert (folder / "assemble").is_file()
    (folder / "related").write_bytes(b"the related papers' memo of an earlier version")
    report, _ = build(content, out)
    assert report.mode == "up to date" and not (folder / "related").exists()


def test_a_rebuild_loads_the_themes_templates_compiled_by_the_last_build(site, tmp_path: Path, monkeypatch) -> None:
    import jinja2

    content, out = site
    compiled: list[str] = []
    compile_template = jinja2.Environment.compile

    def counted(self, source, name=None, filename=None, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        compiled.append(name)
        return compile_template(self, source, name, filename, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    edit_abstract(content)
    report, _ = build(content, out, jobs=1)
    assert report.mode == "incremental" and report.rendered > 0
    assert [name for name in compiled if name and name.endswith(".html")] == [], "loaded from the last build's"
    assert same_tree(tree_hashes(out), cold(content, tmp_path))

    # Other code (the environment's options may differ): compiled again, into a new folder, the old one gone.
    [kept] = (BuildCache.for_build(content, out).folder / "templates").iterdir()
    monkeypatch.setattr(outputs_module, "code_key", lambda dirs: "f" * 32)
    compiled.clear()
    retitle_and_reauthor(content)
    report, _ = build(content, out, jobs=1)
    assert "paper.html" in compiled
    assert [p.name for p in (BuildCache.for_build(content, out).folder / "templates").iterdir()] == ["f" * 16]
    assert not kept.exists()
