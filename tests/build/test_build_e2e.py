"""End-to-end builds: the fixture site (and the shipped content, once ingested) built to disk,
then checked page by page; determinism; failed builds; theme overrides; injection; the CLI."""

from __future__ import annotations

import gc
import sys
import types
from pathlib import Path

import feedparser
import lxml.etree
import lxml.html
import pytest

from build_checks import (
    FIXTURE_CONTENT, FIXTURE_SITE, SHIPPED_CONTENT, build, copy_site, files_under, html_pages, links_and_ids,
    parse_strict, tree_hashes,
)
from site_builder.cli import main as cli_main
from site_builder.config import load_config
from site_builder.content import load_content
from site_builder.errors import BuildError, ContentError, SiteBuilderError
from site_builder.site import assemble_site


def model_of(content: Path, base_url: str | None = None):
    config = load_config(content / "site.yaml", base_url)
    loaded = load_content(content, jobs=1)
    return assemble_site(loaded.papers, loaded.profiles, loaded.topic_names, config), config


@pytest.fixture(scope="module")
def fixture_build(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("fixture") / "public"
    report, lines = build(FIXTURE_CONTENT, out)
    return out, report, lines


def expected_files(site, config) -> set[str]:
    """Every page file the model calls for."""
    files = {"index.html", "404.html", "search/index.html", "days/index.html", "tags/index.html", "authors/index.html"}
    files |= {f"papers/{p.slug}/index.html" for p in site.papers}
    files |= {f"authors/{a.slug}/index.html" for a in site.authors}
    files |= {f"days/{d.date.isoformat()}/index.html" for d in site.days}
    for tag in site.tags:
        files.add(f"tags/{tag.slug}/index.html")
        archived = max(0, len(tag.papers) // config.page_size - 1)  # full pages from the oldest; the rest in front
        files |= {f"tags/{tag.slug}/page/{n}/index.html" for n in range(1, archived + 1)}
    return files


def check_built_site(out: Path, site, config) -> None:
    """One page per paper, author, tag page and day; every page valid HTML5 with unique ids and
    the landmarks every page needs; every feed parses."""
    pages = {p.relative_to(out).as_posix() for p in html_pages(out)}
    assert pages == expected_files(site, config)
    for rel in ("sitemap.xml", "robots.txt", "feed.xml", "atom.xml", "feeds.opml", "static/style.css"):
        assert (out / rel).is_file(), rel
    for page in html_pages(out):
        tree = parse_strict(page)  # raises on any HTML5 parse error
        root = tree.getroot() if hasattr(tree, "getroot") else tree
        html = root if root.tag == "html" else next(root.iter("html"))
        assert html.get("lang") == config.language, page
        _, ids = links_and_ids(page)
        assert len(ids) == len(set(ids)), f"{page}: duplicate ids {sorted(i for i in ids if ids.count(i) > 1)}"
        assert len(list(html.iter("main"))) == 1, page
        assert len(list(html.iter("h1"))) == 1, page
        assert next(html.iter("title")).text.strip(), page
        labels = {el.get("for") for el in html.iter("label")}
        for field in html.iter("input"):
            assert field.get("id") in labels or field.get("aria-label"), f"{page}: unlabelled input"
    feeds = [p for p in files_under(out) if p.name in ("feed.xml", "atom.xml")]
    assert len(feeds) == 2 + len(site.authors) + len(site.tags)
    for feed in feeds:
        parsed = feedparser.parse(feed.read_bytes())
        assert not parsed.bozo, f"{feed}: {parsed.get('bozo_exception')}"


def test_fixture_site_builds_every_page_the_model_calls_for(fixture_build) -> None:
    out, report, lines = fixture_build
    site, config = model_of(FIXTURE_CONTENT)
    check_built_site(out, site, config)
    assert report.pages["paper"] == len(site.papers)
    assert report.pages["author"] == len(site.authors)
    assert report.pages["day"] == len(site.days)
    assert report.total_pages == len(expected_files(site, config))
    assert report.files == len(files_under(out))
    assert report.bytes == sum(p.stat().st_size for p in files_under(out))
    assert f"({report.bytes / 1e6:.1f} MB)" in lines[1]
    assert not report.searched
    assert lines[0].startswith(f"Built {report.total_pages} pages (")
    assert "feeds" in lines[1] and "load" in lines[2] and "render" in lines[2]


def test_paper_pages_render_math_and_escape_the_rest(fixture_build) -> None:
    out, _, _ = fixture_build
    text = (out / "papers/can-in-context-learning-generalize-to-d-t-tasks/index.html").read_text()
    assert "<math" in text.split("<h1")[1].split("</h1>")[0]
    assert "shift &amp; the number" in text  # the abstract's "&", escaped


def test_two_builds_are_byte_identical(tmp_path: Path, fixture_build) -> None:
    out, _, _ = fixture_build
    again = tmp_path / "public"
    build(FIXTURE_CONTENT, again)
    assert tree_hashes(again) == tree_hashes(out)


def test_a_failed_build_leaves_the_old_site_and_no_temporary_folder(tmp_path: Path) -> None:
    content = copy_site(FIXTURE_SITE, tmp_path / "site")
    out = tmp_path / "public"
    build(content, out)
    before = tree_hashes(out)
    (content / "papers" / "broken.md").write_text("---\ntitle: [unclosed\n---\nbody\n")
    (content / "papers" / "untitled.md").write_text("---\nauthors: [A]\n---\nbody\n")
    with pytest.raises(SiteBuilderError) as info:
        build(content, out)
    where = {(Path(p.path).name, p.line) for p in info.value.problems}
    assert {name for name, _ in where} >= {"broken.md", "untitled.md"}  # every problem reported at once
    assert all(line for name, line in where if name == "broken.md")
    assert tree_hashes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public", "site"]


def test_the_model_is_frozen_while_rendering_and_nothing_after_a_build(tmp_path: Path, monkeypatch) -> None:
    """The model is out of the collector's reach while the pages render (its full passes would
    traverse millions of objects at 100,000 papers), and a build, failed or not, leaves
    nothing frozen behind (`serve` builds again and again in one process)."""
    from site_builder import outputs

    seen: list[tuple[int, bool]] = []
    render = outputs.SiteOutputs.render

    def watched(self, *args, **kwargs):
        paper = self.site.papers[0]
        seen.append((gc.get_freeze_count(), any(o is paper for o in gc.get_objects())))
        return render(self, *args, **kwargs)

    monkeypatch.setattr(outputs.SiteOutputs, "render", watched)
    content = copy_site(FIXTURE_SITE, tmp_path / "site")
    build(content, tmp_path / "public", search=False)
    assert seen and seen[0][0] > 0 and seen[0][1] is False, "frozen: not among the collector's objects"
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    (content / "papers" / "broken.md").write_text("---\ntitle: [unclosed\n---\nbody\n")
    with pytest.raises(SiteBuilderError):
        build(content, tmp_path / "public", search=False)
    assert gc.get_freeze_count() == 0 and gc.isenabled()


def test_a_failing_search_index_fails_the_build_and_keeps_the_old_site(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "public"
    build(FIXTURE_CONTENT, out)
    before = tree_hashes(out)
    seen: list[Path] = []

    def failing_index(site_dir: Path, log=print, **options):
        seen.append(site_dir)
        assert (site_dir / "index.html").is_file()  # it indexes the new site, before the swap
        raise BuildError("pagefind: Error: something went wrong")

    monkeypatch.setitem(sys.modules, "site_builder.search", types.SimpleNamespace(index_site=failing_index))
    with pytest.raises(BuildError, match="something went wrong"):
        build(FIXTURE_CONTENT, out, search=True)
    assert seen and seen[0] != out and seen[0].parent == out.parent
    assert tree_hashes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


def test_a_site_theme_from_site_yaml_overrides_templates_and_static_files(tmp_path: Path) -> None:
    content = copy_site(FIXTURE_SITE, tmp_path / "site")
    theme = tmp_path / "site" / "mytheme"
    (theme / "templates" / "partials").mkdir(parents=True)
    (theme / "static").mkdir()
    (theme / "templates" / "partials" / "footer.html").write_text('<footer class="mine"><p>Made by us</p></footer>\n')
    (theme / "static" / "style.css").write_text("body { color: green; }\n")
    (theme / "static" / "extra.css").write_text("p {}\n")
    with (content / "site.yaml").open("a") as f:
        f.write("theme: mytheme\n")
    out = tmp_path / "public"
    build(content, out)
    home = (out / "index.html").read_text()
    assert '<footer class="mine"><p>Made by us</p></footer>' in home
    assert 'class="site-header"' in home
    assert (out / "static/style.css").read_text() == "body { color: green; }\n"
    assert (out / "static/extra.css").is_file() and (out / "static/favicon.svg").is_file()


INJECTED_PAPER = """---
title: <script>alert(1)</script>
authors:
- <img src=x onerror=alert(1)>
- Cong Fang
affiliations:
- <b onmouseover="alert(2)">Lab</b>
date: 2025-05-21
categories: [cs.LG]
tags: [optimization]
organization: "</script><script>alert(3)</script>"
---

An abstract with "double quotes" & ampersands, <img src=x onerror=alert(1)>, a formula $a < b$
and a [link](javascript:alert(4)).
"""
ALLOWED_SCRIPT_SOURCES = ("/static/", "/pagefind/")


def _assert_inert_html(path: Path) -> None:
    tree = parse_strict(path)
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), f"{path}: <{el.tag} {name}=...>"
            if name in ("href", "src", "action"):
                assert not value.strip().lower().startswith("javascript:"), f"{path}: {name}={value}"
        assert el.tag not in ("img", "b", "iframe", "object"), f"{path}: injected <{el.tag}>"
        if el.tag == "script":
            if el.get("type") == "application/ld+json":
                import json
                json.loads(el.text)
                assert "<" not in el.text, path
            else:
                assert el.get("src", "").startswith(ALLOWED_SCRIPT_SOURCES) and not (el.text or "").strip(), path
    assert "<script>alert" not in path.read_text()


def _assert_inert_feed(path: Path) -> None:
    text = path.read_text()
    assert "<script>alert" not in text and "<img src=x" not in text, path
    root = lxml.etree.fromstring(path.read_bytes())  # well-formed XML
    assert not [el for el in root.iter() if isinstance(el.tag, str) and el.tag.split("}")[-1] in ("script", "img")]
    # A reader unescapes an item's description once and renders it as HTML: that HTML must be
    # inert too.
    for el in root.iter():
        parent = el.getparent()
        if (isinstance(el.tag, str) and el.tag.split("}")[-1] in ("description", "content", "summary")
                and parent is not None and parent.tag.split("}")[-1] in ("item", "entry")):
            _assert_inert_fragment(el.text or "", path)


def _assert_inert_fragment(html_text: str, where: Path) -> None:
    if not html_text.strip():
        return
    fragment = lxml.html.fragment_fromstring(html_text, create_parent="div")
    assert not [e for e in fragment.iter() if e.tag in ("script", "img")], where
    assert not [a for e in fragment.iter() for a in e.attrib if a.startswith("on")], where


def test_script_in_titles_abstracts_and_names_is_inert_everywhere(tmp_path: Path) -> None:
    content = copy_site(FIXTURE_SITE, tmp_path / "site")
    (content / "papers" / "injected.md").write_text(INJECTED_PAPER)
    out = tmp_path / "public"
    build(content, out)
    paper_page = out / "papers/injected/index.html"
    text = paper_page.read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text  # shown, as text
    assert "&quot;double quotes&quot; &amp; ampersands" in text or '"double quotes" &amp; ampersands' in text
    author_pages = [p for p in (out / "authors").iterdir() if "img" in p.name]
    assert len(author_pages) == 1
    for page in html_pages(out):
        _assert_inert_html(page)
    for feed in files_under(out):
        if feed.suffix in (".xml", ".opml") and feed.name != "sitemap.xml":
            _assert_inert_feed(feed)
    sitemap = lxml.etree.fromstring((out / "sitemap.xml").read_bytes())
    assert any("papers/injected/" in loc.text for loc in sitemap.iter("{*}loc"))


def test_feed_channel_descriptions_are_inert_when_read_as_html(tmp_path: Path) -> None:
    content = copy_site(FIXTURE_SITE, tmp_path / "site")
    (content / "papers" / "injected.md").write_text(INJECTED_PAPER)
    out = tmp_path / "public"
    build(content, out)
    for feed in files_under(out):
        if feed.name == "feed.xml":
            channel = lxml.etree.fromstring(feed.read_bytes()).find("channel")
            _assert_inert_fragment(channel.findtext("description") or "", feed)


def test_cli_build_reports_and_fails_cleanly(tmp_path: Path, capsys) -> None:
    out = tmp_path / "public"
    assert cli_main(["build", "--content", str(FIXTURE_CONTENT), "--out", str(out), "--no-search"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("Built ") and (out / "index.html").is_file()
    content = copy_site(FIXTURE_SITE, tmp_path / "site")
    (content / "papers" / "bad.md").write_text("---\ntitle: ok\ndate: not-a-date\n---\n")
    assert cli_main(["build", "--content", str(content), "--out", str(out), "--no-search"]) == 1
    err = capsys.readouterr().err
    assert "bad.md:3" in err and "Traceback" not in err


def test_build_refuses_an_output_folder_that_holds_the_content(tmp_path: Path) -> None:
    content = copy_site(FIXTURE_SITE, tmp_path / "site")
    with pytest.raises(SiteBuilderError, match="choose another --out"):
        build(content, tmp_path / "site")
    assert (content / "site.yaml").is_file()


def test_missing_content_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="does not exist"):
        build(tmp_path / "nothing", tmp_path / "public")


def test_shipped_content_builds_every_page(tmp_path: Path) -> None:
    out = tmp_path / "public"
    report, _ = build(SHIPPED_CONTENT, out)
    site, config = model_of(SHIPPED_CONTENT)
    check_built_site(out, site, config)
    assert report.pages["paper"] == len(site.papers) > 0
