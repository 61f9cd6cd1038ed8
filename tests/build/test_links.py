"""Link check: every href and src of every HTML page, every URL in the feeds, OPML and sitemap,
must resolve to a file the build wrote; under a base path every internal link stays under it."""

from __future__ import annotations

from pathlib import Path


from build_checks import (
    FIXTURE_CONTENT, SHIPPED_CONTENT, broken_links, broken_xml_urls, build, html_pages, internal_target,
    links_and_ids, page_url_of,
)

def check_links(out: Path, base_url: str, searched: bool) -> None:
    # Without the search index, only the search page's Pagefind files are expected to be missing.
    allow = () if searched else ("pagefind/",)
    assert list(broken_links(out, base_url, allow_missing=allow)) == []
    checked, broken = broken_xml_urls(out, base_url)
    assert broken == [] and checked > 0


def test_fixture_site_has_no_broken_internal_link(tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(FIXTURE_CONTENT, out)
    check_links(out, "https://example.org/", searched=False)
    # the checker itself finds a broken link
    (out / "tags" / "index.html").unlink()
    assert any("tags/index.html is missing" in b for b in broken_links(out, "https://example.org/", ("pagefind/",)))


def test_with_search_index_every_asset_of_the_search_page_exists(tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(FIXTURE_CONTENT, out, search=True)
    assert (out / "pagefind" / "pagefind-ui.js").is_file()
    check_links(out, "https://example.org/", searched=True)


def test_base_url_with_a_path_keeps_every_internal_link_under_it(tmp_path: Path) -> None:
    base = "https://example.org/sub/"
    out = tmp_path / "public"
    build(FIXTURE_CONTENT, out, base_url=base)
    internal = 0
    for page in html_pages(out):
        links, _ = links_and_ids(page)
        for _, _, value in links:
            # internal_target asserts that every internal link starts with /sub/
            if internal_target(value, page_url_of(page, out, base), base) is not None:
                internal += 1
                assert value.startswith(("/sub/", base)), f"{page}: {value}"
    assert internal > 100
    check_links(out, base, searched=False)
    search_page = (out / "search" / "index.html").read_text()
    assert 'data-base="/sub/"' in search_page and 'src="/sub/pagefind/pagefind-ui.js"' in search_page
    assert "Sitemap: https://example.org/sub/sitemap.xml" in (out / "robots.txt").read_text()


def test_shipped_content_has_no_broken_internal_link(tmp_path: Path) -> None:
    out = tmp_path / "public"
    base = "https://example.org/digest/"
    build(SHIPPED_CONTENT, out, base_url=base)
    check_links(out, base, searched=False)
