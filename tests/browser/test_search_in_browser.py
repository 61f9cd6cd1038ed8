"""Search in the browser: Pagefind finds a paper by a word of its abstract, filters narrow the
results, and a result opens the paper page."""

from __future__ import annotations

import html
import re
from collections import Counter

import pytest

RESULT_LINK = ".pagefind-ui__result-link"
MESSAGE = ".pagefind-ui__message"
# Pagefind stems words ("optimisation" and "optimise" meet), so a word counts as distinctive only
# if no other paper has a word starting with its first letters.
STEM_PREFIX = 6


def _searchable_text(page_html: str) -> str:
    """What the index holds of a paper page: title, authors and abstract, formulas left out."""
    parts = [
        m.group(0) for pattern in (r"<h1\b.*?</h1>", r'<p class="paper-authors".*?</p>', r'<section class="abstract".*?</section>')
        if (m := re.search(pattern, page_html, re.S))
    ]
    text = re.sub(r"<math\b.*?</math>", " ", " ".join(parts), flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", text)).lower()


@pytest.fixture(scope="module")
def distinctive(site) -> tuple[str, str, str]:
    """(word, slug, title): a long word of one paper's abstract that no other paper shares, even stemmed."""
    texts = {
        url.rstrip("/").rsplit("/", 1)[-1]: _searchable_text(site.file(url).read_text(encoding="utf-8"))
        for url in site.pages["papers"]
    }
    prefixes = Counter(p for text in texts.values() for p in {w[:STEM_PREFIX] for w in re.findall(rf"\b[a-z]{{{STEM_PREFIX},}}\b", text)})
    for slug, text in sorted(texts.items()):
        unique = sorted(w for w in set(re.findall(r"\b[a-z]{9,}\b", text)) if prefixes[w[:STEM_PREFIX]] == 1)
        if unique:
            title = (site.out / "papers" / slug / "index.html").read_text(encoding="utf-8")
            return unique[0], slug, html.unescape(re.sub(r"<[^>]+>", "", re.search(r"<h1\b[^>]*>(.*?)</h1>", title, re.S).group(1)))
    pytest.fail("no paper has a distinctive abstract word")


def _search(page, site, query: str) -> None:
    page.goto(site.url + "search/")
    page.locator(".pagefind-ui__search-input").fill(query)


def test_a_distinctive_abstract_word_finds_its_paper_quickly(site, page, distinctive) -> None:
    word, slug, _ = distinctive
    _search(page, site, word)
    link = page.locator(f"{RESULT_LINK}[href$='/papers/{slug}/']")
    link.wait_for(timeout=2000)  # "within a second or two", loading the index included


def test_the_query_string_runs_a_search(site, page, distinctive) -> None:
    word, slug, _ = distinctive
    page.goto(f"{site.url}search/?q={word}")
    page.locator(f"{RESULT_LINK}[href$='/papers/{slug}/']").wait_for(timeout=3000)
    assert page.locator(".pagefind-ui__search-input").input_value() == word


def _result_count(page) -> int:
    page.wait_for_function(f"/\\d+ results? for/.test(document.querySelector('{MESSAGE}')?.textContent || '')")
    return int(re.search(r"(\d+) results? for", page.inner_text(MESSAGE)).group(1))


@pytest.mark.parametrize("filter_name", ["category", "topic", "year", "code", "author"])
def test_a_filter_narrows_the_results(site, page, filter_name) -> None:
    _search(page, site, "optimization")
    before = _result_count(page)
    assert before > 5
    group = page.locator(".pagefind-ui__filter-block", has=page.locator(".pagefind-ui__filter-name", has_text=re.compile(filter_name, re.I)))
    if not group.evaluate("details => details.open"):  # some groups start open, others closed
        group.locator("summary").click()
    box = group.locator("input.pagefind-ui__filter-checkbox").first
    box.check()
    # Narrowed: fewer results, and as many as the checked value's label counts among them.
    page.wait_for_function(
        """([message, id, before]) => {
          const n = (document.querySelector(message)?.textContent || '').match(/(\\d+) results? for/);
          const c = (document.getElementById(id)?.labels[0]?.textContent || '').match(/\\((\\d+)\\)\\s*$/);
          return Boolean(n && c && Number(n[1]) < before && Number(n[1]) === Number(c[1]));
        }""",
        arg=[MESSAGE, box.get_attribute("id"), before],
        timeout=3000,
    )
    assert 0 < _result_count(page) < before


def test_a_result_opens_its_paper_page(site, page, distinctive) -> None:
    word, slug, title = distinctive
    _search(page, site, word)
    page.locator(f"{RESULT_LINK}[href$='/papers/{slug}/']").click()
    page.wait_for_url(re.compile(f"/papers/{slug}/$"))
    squeeze = lambda text: re.sub(r"\s+", "", text)  # MathML in a title lays out its own spacing
    assert squeeze(page.locator("h1").inner_text()) == squeeze(title)
