"""What a reader sees: navigation without errors, layouts on phone and desktop, dark mode,
pages without JavaScript, and rendered math."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest

from tests.browser.conftest import PAGE_KINDS

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
SCREENSHOT_KINDS = ["home", "papers", "authors", "tags", "search-index"]


def test_navigation_home_day_paper_author_tag_feed(site, watched_page) -> None:
    page = watched_page
    page.goto(site.url)
    # Many listed papers carry no author names, so follow a day, and a paper, that has some.
    page.locator("main .day-section:has(.card-authors a[href*='/authors/']) h2 a[href*='/days/20']").first.click()
    assert re.search(r"/days/\d{4}-\d{2}-\d{2}/$", page.url)
    page.locator("main .card:has(.card-authors a[href*='/authors/']) .card-title a[href*='/papers/']").first.click()
    assert "/papers/" in page.url
    page.locator("main .paper-authors a[href*='/authors/']").first.click()
    assert re.search(r"/authors/[^/]+/$", page.url)
    page.locator("main a[href*='/tags/']:not([href$='/tags/'])").first.click()
    assert "/tags/" in page.url
    # The tag's feed: linked in the page (what a reader clicks) and announced in the head.
    feed_link = page.locator("main a.feed-link").first
    announced = page.locator("link[rel='alternate'][type='application/rss+xml']").first.get_attribute("href")
    assert feed_link.get_attribute("href") == announced
    response = page.request.get(urljoin(page.url, announced))
    assert response.status == 200 and b"<rss" in response.body()
    assert page.problems == []


@pytest.mark.parametrize("kind", [k for k in PAGE_KINDS if k != "404"])
def test_every_page_kind_loads_without_console_errors_or_failed_requests(site, watched_page, kind) -> None:
    site.open(watched_page, kind)  # the search page with a search: Pagefind's index and fragments load too
    watched_page.wait_for_load_state("networkidle")
    assert watched_page.problems == []


def test_a_missing_page_shows_the_404_page_with_its_styles(site, watched_page) -> None:
    response = site.open(watched_page, "404")
    watched_page.wait_for_load_state("networkidle")
    assert response.status == 404
    # The page itself is the one failed request (Chromium also logs it); none of its assets fails.
    assert [p for p in watched_page.problems if not p.endswith(response.url)] == []
    assert f"HTTP 404: {response.url}" in watched_page.problems
    assert watched_page.locator("header a[href$='/search/']").first.is_visible()
    # The theme's stylesheet applied (asset links do not depend on the missing page's folder).
    assert watched_page.evaluate("getComputedStyle(document.querySelector('.skip-link')).position") == "absolute"


@pytest.mark.parametrize("viewport,name", [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_layout_fits_the_screen_and_header_search_is_usable(site, browser, artifacts_dir, viewport, name) -> None:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    try:
        for kind in SCREENSHOT_KINDS:
            site.open(page, kind)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{kind} scrolls sideways by {overflow}px on {name}"
            box = page.locator("header input[name='q']").bounding_box()
            assert box and box["width"] >= 100 and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
            for link in page.locator(".site-header a").all():  # title and navigation: on screen, not cut off
                link_box = link.bounding_box()
                assert link_box and link_box["x"] >= 0 and link_box["x"] + link_box["width"] <= viewport["width"]
            page.screenshot(path=str(artifacts_dir / f"{name}-{kind}.png"), full_page=True)
        page.goto(site.url)
        page.fill("header input[name='q']", "bilevel")
        page.press("header input[name='q']", "Enter")
        page.wait_for_url(re.compile(r"/search/\?q=bilevel"))
        page.locator(".pagefind-ui__result").first.wait_for()  # the search page ran the search
    finally:
        context.close()


CONTRAST_JS = """
(selector) => {
  const parse = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = rgb => { const [r, g, b] = rgb.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const background = el => { for (; el; el = el.parentElement) { const c = getComputedStyle(el).backgroundColor; if (!c.startsWith('rgba(0, 0, 0, 0)') && c !== 'transparent') return parse(c); } return [255, 255, 255]; };
  return [...document.querySelectorAll(selector)].filter(el => el.offsetParent !== null).slice(0, 40).map(el => {
    const a = lum(parse(getComputedStyle(el).color)), b = lum(background(el));
    return { text: el.textContent.trim().slice(0, 40), ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) };
  });
}
"""


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_text_and_links_keep_readable_contrast(site, page, artifacts_dir, scheme) -> None:
    page.emulate_media(color_scheme=scheme)
    for kind in ("home", "papers"):
        site.open(page, kind)
        page.screenshot(path=str(artifacts_dir / f"{scheme}-{kind}.png"))
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        if scheme == "dark":
            rgb = [int(x) for x in re.findall(r"\d+", background)[:3]]
            assert sum(rgb) < 3 * 80, f"dark mode background is light: {background}"
        for selector in ("main p", "main a", "header a", "footer a"):
            for item in page.evaluate(CONTRAST_JS, selector):
                assert item["ratio"] >= 4.5, f"{scheme} {kind} {selector} {item}"


@pytest.mark.parametrize("kind,must_show", [
    ("home", "main a[href*='/papers/']"),
    ("papers", "main .abstract p"),
    ("authors", "main a[href*='/papers/']"),
    ("tags", "main a[href*='/papers/']"),
    ("days", "main a[href*='/papers/']"),
])
def test_pages_show_their_content_without_javascript(site, browser, kind, must_show) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        site.open(page, kind)
        assert page.locator(must_show).first.is_visible()
        assert len(page.inner_text("main")) > 200
        # Every paper listed and every section is laid out: nothing waits for a script to appear.
        hidden = page.evaluate("""[...document.querySelectorAll('main .card, main section, main h1')]
            .filter(el => !el.closest('[hidden]') && el.getBoundingClientRect().height === 0).length""")
        assert hidden == 0
    finally:
        context.close()


def test_latex_in_an_abstract_shows_as_rendered_math(site, page) -> None:
    with_math = [u for u in site.pages["papers"] if "<math" in site.file(u).read_text(encoding="utf-8")]
    assert with_math, "no paper page contains MathML"
    page.goto(with_math[0])
    math = page.locator("main math").first
    box = math.bounding_box()
    assert box and box["width"] > 0 and box["height"] > 0
    # Laid out by the browser's MathML engine (a MathMLElement), not shown as LaTeX source.
    assert math.evaluate("m => m instanceof MathMLElement && getComputedStyle(m).display.includes('math')")
    assert "$" not in (math.text_content() or "")
