"""The rule that splits a search index in parts, the page scan it reads, and its manifest (pure)."""

from __future__ import annotations

import gzip

import pytest

from site_builder.search_parts import (
    Manifest,
    PageEntry,
    Part,
    is_anchor,
    manifest_bytes,
    plan_parts,
    read_manifest,
    scan_page,
)
from tests.build.search_site import Paper, paper_page

# (day, papers that day); with parts of at most 4 pages packed greedily (no anchor days), the parts
# are (worked out by hand from the rule):
DAYS = [
    ("2022-03-01", 2), ("2022-05-10", 3), ("2022-11-30", 3),
    ("2023-01-15", 6), ("2023-07-01", 1), ("2023-07-02", 4),
    ("2024-02-29", 2), ("2024-06-01", 3), ("2024-06-02", 1), ("2024-12-31", 2),
]  # fmt: skip
EXPECTED = [  # (bundle name, days in it, pages)
    ("2022-03-01", ["2022-03-01"], 2),  # + 3 of the next day would be 5
    ("2022-05-10", ["2022-05-10"], 3),
    ("2022-11-30", ["2022-11-30"], 3),  # + 6 of the next day...
    ("2023-01-15", ["2023-01-15"], 3),  # ...a day of 6 > 4 pages: two slices of 3
    ("2023-01-15-2", ["2023-01-15"], 3),
    ("2023-07-01", ["2023-07-01"], 1),
    ("2023-07-02", ["2023-07-02"], 4),
    ("2024-02-29", ["2024-02-29"], 2),
    ("2024-06-01", ["2024-06-01", "2024-06-02"], 4),
    ("2024-12-31", ["2024-12-31"], 2),
]  # fmt: skip
NO_ANCHORS = 10**15  # run_pages so large that no page of these tests is an anchor (asserted)


def pages_on(days: list[tuple[str, int]], digest: str = "d") -> list[PageEntry]:
    pages = []
    for day, count in days:
        pages += [PageEntry(f"papers/{day}-{n}/index.html", day, digest) for n in range(count)]
    return pages


def layout(parts: list[Part]) -> list[tuple[str, list[str], int]]:
    return [
        (part.bundle.split("/")[-2], sorted({page.date for page in part.pages}), len(part.pages)) for part in parts
    ]


def plan(pages, max_pages=4, run_pages=NO_ANCHORS):
    assert run_pages != NO_ANCHORS or not any(is_anchor(page.path, NO_ANCHORS) for page in pages)
    return plan_parts(pages, max_pages=max_pages, run_pages=run_pages)


def test_pages_are_packed_greedily_by_whole_days():
    pages = pages_on(DAYS)
    parts = plan(list(reversed(pages)))  # input order does not matter
    assert layout(parts) == EXPECTED
    assert all(part.bundle.startswith("pagefind/parts/") for part in parts)
    ordered = [page for part in parts for page in part.pages]
    assert ordered == sorted(pages, key=lambda page: (page.date, page.path))


def test_a_site_that_fits_in_one_part_is_the_classic_bundle():
    pages = pages_on(DAYS)
    (part,) = plan_parts(pages, max_pages=len(pages))
    assert part.bundle == "pagefind/" and len(part.pages) == len(pages)
    assert plan_parts([], max_pages=4) == [Part("pagefind/", ())]


def test_a_new_day_changes_only_the_newest_part():
    before = plan(pages_on(DAYS))
    after = plan(pages_on(DAYS + [("2025-01-02", 1)]))  # fits in the newest part
    assert after[:-1] == before[:-1] and layout(after[-1:]) == [("2024-12-31", ["2024-12-31", "2025-01-02"], 3)]
    later = plan(pages_on(DAYS + [("2025-01-02", 1), ("2025-01-03", 2)]))  # does not: a new part
    assert later[:-1] == after and layout(later[-1:]) == [("2025-01-03", ["2025-01-03"], 2)]


def test_an_edit_changes_only_its_own_part():
    pages = pages_on(DAYS)
    before = plan(pages)
    edited = [p if p.path != "papers/2023-07-02-1/index.html" else PageEntry(p.path, p.date, "new") for p in pages]
    after = plan(edited)
    assert [a.bundle for a in after] == [b.bundle for b in before]
    assert [a.bundle for a, b in zip(after, before) if a.signature != b.signature] == ["pagefind/parts/2023-07-02/"]


# Many days, for anchors: 3 pages a day over 400 days, parts of at most 10, an anchor ~1 page in 40.
MANY_DAYS = [(f"{2020 + n // 200}-{1 + n // 20 % 10:02d}-{1 + n % 20:02d}", 3) for n in range(400)]


def anchor_days(pages: list[PageEntry], run_pages: int) -> list[str]:
    return sorted({page.date for page in pages if is_anchor(page.path, run_pages)})


def test_packing_starts_afresh_at_every_anchor_day():
    pages = pages_on(MANY_DAYS)
    parts = plan(pages, max_pages=10, run_pages=40)
    anchors = anchor_days(pages, 40)
    assert 5 < len(anchors) < 40  # ~1,200 / 40 expected
    starts = [part.pages[0].date for part in parts]
    assert set(anchors) - {pages[0].date} <= set(starts)
    for previous, part in zip(parts, parts[1:]):  # a part ends at an anchor day or when full
        first_day = [page for page in part.pages if page.date == part.pages[0].date]
        assert part.pages[0].date in anchors or len(previous.pages) + len(first_day) > 10


def test_a_backfilled_page_moves_boundaries_only_up_to_the_next_anchor():
    pages = pages_on(MANY_DAYS)
    before = plan(pages, max_pages=10, run_pages=40)
    anchors = anchor_days(pages, 40)
    day = MANY_DAYS[100][0]  # an old day, far from the newest
    late = PageEntry(f"papers/{day}-late/index.html", day, "d")
    assert not is_anchor(late.path, 40)
    after = plan(pages + [late], max_pages=10, run_pages=40)
    kept = {(part.bundle, part.signature) for part in before}
    changed = [part for part in after if (part.bundle, part.signature) not in kept]
    run_start = max(a for a in anchors if a <= day)
    run_end = min(a for a in anchors if a > day)
    assert changed and all(run_start <= part.pages[0].date < run_end for part in changed)
    assert len(changed) < len(after) / 4


def test_undated_pages_come_first_and_names_are_safe():
    pages = [PageEntry("about/index.html", "", "d"), PageEntry("a/index.html", "1999/12/31 <x>", "d")]
    pages += pages_on([("2024-01-01", 2)])
    parts = plan(pages, max_pages=1)
    assert [part.bundle for part in parts] == [
        "pagefind/parts/undated/",
        "pagefind/parts/1999_12_31__x_/",
        "pagefind/parts/2024-01-01/",
        "pagefind/parts/2024-01-01-2/",
    ]
    with pytest.raises(ValueError):
        plan_parts(pages, max_pages=0)


def test_scan_finds_the_body_marker_in_tags_only_and_reads_the_date():
    page = paper_page(Paper(title="T", abstract="A", date="2024-05-06")).encode()
    entry = scan_page("papers/t/index.html", page)
    assert entry is not None and entry.path == "papers/t/index.html" and entry.date == "2024-05-06"
    assert len(entry.digest) == 16 and scan_page("x", page).digest == entry.digest
    assert scan_page("x", page.replace(b"A</p>", b"B</p>")).digest != entry.digest
    mention = b"<html><body><main><p>we add data-pagefind-body to &lt;main&gt;</p></main></body></html>"
    assert scan_page("x", mention) is None
    assert scan_page("x", b'<main data-pagefind-body class="x"><p>no date</p></main>').date == ""


def test_the_digest_leaves_out_text_pagefind_ignores_but_not_what_it_reads():
    page = paper_page(Paper(title="T", abstract="An abstract.", date="2024-05-06"))
    related = "<p>unrelatedrelatedword</p>"  # in the page's <section data-pagefind-ignore>

    def digest(html: str) -> str:
        return scan_page("x", html.encode()).digest

    assert related in page
    assert digest(page.replace(related, "<p>other</p><section><p>nested</p></section>")) == digest(page)
    assert digest(page.replace("An abstract.", "Another abstract.")) != digest(page)
    assert digest(page.replace("cs.LG", "math.OC")) != digest(page)  # filters in an ignored element
    with_image = page.replace(related, '<img src="a.png" alt="">')  # Pagefind may take it as the image
    assert digest(with_image) != digest(page.replace(related, '<img src="b.png" alt="">'))
    mention = page.replace("An abstract.", "We mark data-pagefind-ignore sections.")  # text, not a tag
    assert digest(mention) != digest(mention.replace("sections.", "parts."))
    unclosed = page.replace(related + "</section>", related)  # its end not found: nothing is cut
    assert digest(unclosed) != digest(unclosed.replace(related, "<p>other</p>"))


def test_the_manifest_reads_back_and_rejects_anything_else(tmp_path):
    parts = tuple(plan(pages_on(DAYS)))
    manifest = Manifest("1.5.2", 4, False, parts)
    path = tmp_path / "manifest.json.gz"
    path.write_bytes(manifest_bytes(manifest))
    assert read_manifest(path) == manifest
    assert manifest_bytes(manifest) == manifest_bytes(read_manifest(path))  # deterministic bytes
    assert read_manifest(tmp_path / "missing") is None
    for junk in (b"not gzip", gzip.compress(b"{}"), gzip.compress(b'{"format": 99}'), gzip.compress(b"[1]")):
        path.write_bytes(junk)
        assert read_manifest(path) is None
