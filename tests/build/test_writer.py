"""The writer: one write per path (all collisions listed), safe paths, staged output swapped in
only on success, and refusal of output folders whose replacement would destroy something."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from site_builder import writer as writer_module
from site_builder.errors import BuildError
from site_builder.writer import SiteWriter, check_output_folder, paths_conflict_free, staged_output


def test_writes_files_and_counts_them(tmp_path: Path) -> None:
    w = SiteWriter(tmp_path)
    w.write("index.html", b"<p>home</p>", "home page")
    w.write("papers/x/index.html", b"paper", "paper page")
    source = tmp_path / "source.css"
    source.write_bytes(b"body{}")
    w.copy("static/style.css", source, "theme file")
    w.check()
    assert (tmp_path / "papers/x/index.html").read_bytes() == b"paper"
    assert (tmp_path / "static/style.css").read_bytes() == b"body{}"
    assert (w.files, w.bytes) == (3, len(b"<p>home</p>") + len(b"paper") + len(b"body{}"))


def test_two_writes_to_one_path_are_refused_and_all_listed(tmp_path: Path) -> None:
    w = SiteWriter(tmp_path)
    w.write("authors/x/index.html", b"first", "author page /authors/x/")
    w.write("authors/x/index.html", b"second", "tag page /tags/x/")
    w.write("feed.xml", b"a", "digest feed")
    w.write("feed.xml", b"b", "another feed")
    with pytest.raises(BuildError) as info:
        w.check()
    messages = [p.message for p in info.value.problems]
    assert len(messages) == 2
    assert "tag page /tags/x/ and author page /authors/x/" in messages[0]
    assert "authors/x/index.html" in messages[0]
    assert "feed.xml" in messages[1]
    # the first write stands: nothing was overwritten
    assert (tmp_path / "authors/x/index.html").read_bytes() == b"first"


def test_a_file_where_a_folder_must_be_is_a_collision(tmp_path: Path) -> None:
    w = SiteWriter(tmp_path)
    w.write("tags/x", b"file", "odd file")
    w.write("tags/x/index.html", b"page", "tag page")
    w.write("days/index.html", b"page", "days page")
    w.write("days", b"file", "another odd file")
    with pytest.raises(BuildError) as info:
        w.check()
    assert len(info.value.problems) == 2


@pytest.mark.parametrize("bad", ["", "/etc/passwd", "../outside.html", "a/../../b", "a//b", "a\\b", "./x", "dir/"])
def test_unsafe_paths_are_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(BuildError, match="unsafe output path"):
        SiteWriter(tmp_path / "out").write(bad, b"x", "test")
    assert not (tmp_path / "outside.html").exists()


def _temp_leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


def test_staged_output_swaps_in_new_site_on_success(tmp_path: Path) -> None:
    out = tmp_path / "public"
    out.mkdir()
    (out / "index.html").write_text("old")
    (out / "stale.html").write_text("gone after the swap")
    with staged_output(out) as staging:
        assert staging.parent == tmp_path and staging != out
        (staging / "index.html").write_text("new")
    assert (out / "index.html").read_text() == "new"
    assert not (out / "stale.html").exists()
    assert _temp_leftovers(tmp_path) == []
    mode = stat.S_IMODE(out.stat().st_mode)
    assert mode & 0o055 == 0o055 & ~_umask(), "the site folder must be readable by a web server"


def test_staged_output_keeps_old_site_when_the_build_fails(tmp_path: Path) -> None:
    out = tmp_path / "public"
    out.mkdir()
    (out / "index.html").write_text("old")
    with pytest.raises(RuntimeError):
        with staged_output(out) as staging:
            (staging / "index.html").write_text("half-written")
            raise RuntimeError("render failed")
    assert (out / "index.html").read_text() == "old"
    assert sorted(p.name for p in out.iterdir()) == ["index.html"]
    assert _temp_leftovers(tmp_path) == []


def test_staged_output_creates_a_missing_output_folder(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "public"
    with staged_output(out) as staging:
        (staging / "index.html").write_text("new")
    assert (out / "index.html").read_text() == "new"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_exchange_swaps_two_folders_in_one_step_on_linux(tmp_path: Path) -> None:
    # The staged site replaces the old one by renameat2's exchange: `out` is never missing.
    old, new = tmp_path / "public", tmp_path / "staging"
    old.mkdir()
    new.mkdir()
    (old / "index.html").write_text("old")
    (new / "index.html").write_text("new")
    assert writer_module._exchange(new, old) is True
    assert (old / "index.html").read_text() == "new"
    assert (new / "index.html").read_text() == "old"


def test_swap_without_atomic_exchange_falls_back_to_renames(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(writer_module, "_exchange", lambda a, b: False)
    out = tmp_path / "public"
    out.mkdir()
    (out / "index.html").write_text("old")
    with staged_output(out) as staging:
        (staging / "index.html").write_text("new")
    assert (out / "index.html").read_text() == "new"
    assert _temp_leftovers(tmp_path) == []


def test_output_folder_holding_the_content_is_refused(tmp_path: Path) -> None:
    content = tmp_path / "site" / "content"
    content.mkdir(parents=True)
    for out in (tmp_path / "site", content, tmp_path):
        with pytest.raises(BuildError, match="choose another --out"):
            check_output_folder(out, [content])


def test_output_folder_that_is_not_a_built_site_is_refused(tmp_path: Path) -> None:
    documents = tmp_path / "Documents"
    documents.mkdir()
    (documents / "thesis.tex").write_text("precious")
    with pytest.raises(BuildError, match="does not look like a built site"):
        check_output_folder(documents, [])
    # an empty folder, a missing one, and a previous build are fine
    check_output_folder(tmp_path / "missing", [])
    (tmp_path / "empty").mkdir()
    check_output_folder(tmp_path / "empty", [])
    (documents / "index.html").write_text("a built site")
    check_output_folder(documents, [])
    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(BuildError, match="not a folder"):
        check_output_folder(a_file, [])


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_the_quick_path_check_agrees_with_claiming_each_path() -> None:
    cases = [
        ["index.html", "papers/a/index.html", "papers/b/index.html", "tags/x/page/2/index.html"],
        ["papers/a/index.html", "papers/a/index.html"],  # twice
        ["papers/a", "papers/a/index.html"],  # a file where a folder must be
        ["tags/x/page/2/index.html", "tags/x/page"],
        ["feed.xml", "feeds.opml", "authors/a/feed.xml", "authors/a/index.html"],
    ]
    for paths in cases:
        claims = SiteWriter(Path("."))
        for path in paths:
            claims.claim(path, path)
        with_claims = not claims._collisions
        assert paths_conflict_free(paths) is with_claims, paths
    unsafe = ["papers/../../etc/passwd", "../x.html", "./x.html", "papers/./a/index.html", "/etc/passwd",
              "papers//a/index.html", "papers/a/", "papers\\a.html", "", "papers/..", ".."]
    for path in unsafe:
        with pytest.raises(BuildError, match="unsafe"):
            paths_conflict_free(["index.html", path])
    # Names that only look unusual are safe: a dot inside a name, a file starting with a dot.
    assert paths_conflict_free(["static/.well-known/a.txt", "papers/a.b/index.html", ".nojekyll", "a..b.html"])
