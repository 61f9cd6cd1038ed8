"""site.py: the derived model (paper order, authors, tags, days, related papers) on the fixture
site and on constructed corpora that stress the caps which keep it linear."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import random
from array import array
from pathlib import Path

import pytest

from site_builder import memo as memo_module
from site_builder import site as site_module
from site_builder.config import SiteConfig, load_config
from site_builder.content import load_content
from site_builder.errors import ContentError
from site_builder.model import AuthorProfile, Paper, Site
from site_builder.site import assemble_site, build_authors, build_related, build_tags, sort_papers

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "site" / "content"


def fake_render(title: str, body: str) -> tuple[str, str]:
    return html.escape(title), "<p>" + html.escape(body) + "</p>"


@pytest.fixture(scope="module")
def fixture_site() -> Site:
    loaded = load_content(FIXTURE, render=fake_render)
    return assemble_site(loaded.papers, loaded.profiles, loaded.topic_names, load_config(FIXTURE / "site.yaml"))


def paper(slug: str, day: int | None = 1, authors=(), tags=(), categories=(), title=None, added=None) -> Paper:
    return Paper(
        slug=slug, title=title or slug.title(), body="", authors=tuple(authors), tags=tuple(tags),
        categories=tuple(categories), date=dt.date(2025, 1, 1) + dt.timedelta(days=day) if day is not None else None,
        added=added,
    )


def slugs(papers) -> list[str]:
    return [p.slug for p in papers]


# --- the fixture site ----------------------------------------------------------------------


def test_papers_newest_digest_day_first_then_title_and_undated_last(fixture_site):
    assert slugs(fixture_site.papers) == [
        "critical-points-of-deep-linear-networks",  # date null, added 2025-05-25
        "min-max-optimization-for-robust-mdps",  # 2025-05-20, "Min..." < "Sto..."
        "stochastic-bilevel-optimization-without-lower-level-convexity",  # 2025-05-20
        "can-in-context-learning-generalize-to-d-t-tasks",
        "one-step-of-gradient-descent-is-provably-the-optimal-in-context-learner",
        "environment-invariant-linear-least-squares",
        "a-roadmap-for-big-model",
        "notes-on-min-max-optimization",  # neither date nor added
    ]


def test_authors_alphabetical_with_papers_coauthors_affiliations_and_profile(fixture_site):
    authors = {a.slug: a for a in fixture_site.authors}
    names = [a.name for a in fixture_site.authors]
    assert names == sorted(names, key=str.casefold)
    assert len(authors) == 10  # the two spellings of Ekin Akyurek are one person

    cong = authors["cong-fang"]
    assert slugs(cong.papers) == [
        "min-max-optimization-for-robust-mdps",
        "stochastic-bilevel-optimization-without-lower-level-convexity",
        "environment-invariant-linear-least-squares",
    ]
    assert cong.coauthors == (
        ("tong-zhang", "Tong Zhang", 2),
        ("yihong-gu", "Yihong Gu", 2),
        ("ekin-akyurek", "Ekin Akyurek", 1),
        ("jianqing-fan", "Jianqing Fan", 1),
    )
    assert cong.affiliations == ("princeton", "hkust")  # princeton on all three papers
    assert cong.profile is not None and cong.profile.h_index == 19
    assert fixture_site.profiles["cong-fang"] is cong.profile
    assert authors["tong-zhang"].profile is None


def test_names_that_slugify_alike_merge_under_the_most_used_spelling(fixture_site):
    ekin = next(a for a in fixture_site.authors if a.slug == "ekin-akyurek")
    # "Ekin Akyürek" and "Ekin Akyurek" once each: the tie goes to the first alphabetically.
    assert ekin.name == "Ekin Akyurek"
    assert slugs(ekin.papers) == [
        "stochastic-bilevel-optimization-without-lower-level-convexity",
        "can-in-context-learning-generalize-to-d-t-tasks",
    ]
    more = [paper("a", authors=["Ekin Akyürek"]), paper("b", authors=["Ekin Akyürek"]), paper("c", authors=["Ekin Akyurek"])]
    (merged,) = build_authors(sort_papers(more), {})
    assert merged.name == "Ekin Akyürek" and len(merged.papers) == 3


def test_profile_without_papers_still_gets_an_author(fixture_site):
    profile = AuthorProfile(slug="ada-lovelace", name="Ada Lovelace", h_index=3)
    authors = build_authors(fixture_site.papers, {"ada-lovelace": profile})
    ada = next(a for a in authors if a.slug == "ada-lovelace")
    assert ada.papers == () and ada.profile is profile and ada.name == "Ada Lovelace"


def test_tags_categories_then_topics_with_names_and_papers(fixture_site):
    tags = [(t.kind, t.slug, t.key, t.name, len(t.papers)) for t in fixture_site.tags]
    assert tags == [
        ("category", "cs-lg", "cs.LG", "Machine Learning", 3),
        ("category", "math-oc", "math.OC", "Optimization and Control", 2),
        ("category", "ro", "RO", "RO", 1),  # unknown code: shown as written
        ("category", "math-st", "math.ST", "Statistics Theory", 1),
        ("topic", "bilevel", "bilevel", "Bilevel Optimization", 1),
        ("topic", "diffusion-models", "diffusion-models", "Diffusion Models", 0),  # defined, unused
        ("topic", "in-context-learning", "in-context-learning", "In-Context Learning", 2),
        ("topic", "llms", "llms", "Large Language Models", 1),
        ("topic", "learning-theory", "learning-theory", "Learning Theory", 2),
        ("topic", "min-max", "min-max", "Min-Max Optimization", 1),
        ("topic", "optimization", "optimization", "Optimization", 4),
    ]
    optimization = next(t for t in fixture_site.tags if t.slug == "optimization")
    # The fixture's papers were all added on one day (or have neither date): digest order.
    assert list(optimization.papers) == [p for p in fixture_site.papers if "optimization" in p.tags]


def test_a_topic_used_but_not_defined_is_named_by_its_slug():
    (tag,) = build_tags(sort_papers([paper("a", tags=["rl"])]), {})
    assert (tag.kind, tag.slug, tag.name) == ("topic", "rl", "rl")


def test_a_tag_lists_its_papers_by_the_day_they_reached_the_digest():
    """Latest added first, whatever the publication date (then digest order); an author keeps
    digest order. So a paper of 2019 taken in today tops its tags, and their feeds."""
    ordered = sort_papers([
        paper("new-this-week", day=30, tags=["rl"], authors=["A"], added=dt.date(2025, 2, 3)),
        paper("old-taken-in-today", day=-2000, tags=["rl"], authors=["A"], added=dt.date(2025, 2, 5)),
        paper("same-day-earlier", day=25, tags=["rl"], authors=["A"], added=dt.date(2025, 2, 3)),
        paper("dated-only", day=20, tags=["rl"], authors=["A"]),  # arrives on its date
        paper("neither", day=None, tags=["rl"], authors=["A"]),
    ])
    (tag,) = build_tags(ordered, {})
    assert slugs(tag.papers) == ["old-taken-in-today", "new-this-week", "same-day-earlier", "dated-only", "neither"]
    (author,) = build_authors(ordered, {})
    assert slugs(author.papers) == slugs(ordered) == [
        "new-this-week", "same-day-earlier", "dated-only", "old-taken-in-today", "neither"]


def test_tag_slug_collisions_are_errors_naming_both():
    papers = sort_papers([
        paper("a", categories=["cs.LG"], tags=["cs-lg"]),
        paper("b", categories=["CS.LG", "math.OC"], tags=["math-oc"]),
    ])
    with pytest.raises(ContentError) as info:
        build_tags(papers, {"cs-lg": "CS stuff"})
    messages = [p.message for p in info.value.problems]
    assert messages == [
        "arXiv category 'cs.LG' and arXiv category 'CS.LG' would both be the tag page /tags/cs-lg/; use one spelling",
        "topic 'cs-lg' and arXiv category 'CS.LG' would both be the tag page /tags/cs-lg/; "
        "rename the topic (in content/topics.yaml and the papers' tags)",
        "topic 'math-oc' and arXiv category 'math.OC' would both be the tag page /tags/math-oc/; "
        "rename the topic (in content/topics.yaml and the papers' tags)",
    ]


def test_days_newest_first_linked_to_neighbours(fixture_site):
    days = [(d.date.isoformat(), len(d.papers), d.previous, d.next) for d in fixture_site.days]
    d = dt.date.fromisoformat
    assert days == [
        ("2025-05-25", 1, d("2025-05-20"), None),
        ("2025-05-20", 2, d("2024-06-05"), d("2025-05-25")),
        ("2024-06-05", 1, d("2023-07-07"), d("2025-05-20")),
        ("2023-07-07", 1, d("2023-03-06"), d("2024-06-05")),
        ("2023-03-06", 1, d("2022-03-26"), d("2023-07-07")),
        ("2022-03-26", 1, None, d("2023-03-06")),
    ]
    # Every paper with a digest day is on exactly that day; the undated one on none.
    on_days = [p for day in fixture_site.days for p in day.papers]
    assert sorted(slugs(on_days)) == sorted(s for s in slugs(fixture_site.papers) if s != "notes-on-min-max-optimization")


def test_related_papers_on_the_fixture(fixture_site):
    related = fixture_site.related
    assert set(related) == set(slugs(fixture_site.papers))
    assert all(len(r) <= 3 for r in related.values())  # site.yaml: related_papers: 3
    assert all(p.slug not in slugs(r) for p in fixture_site.papers for r in [related[p.slug]])
    # The two 2025-05-20 papers share Cong Fang and Tong Zhang: each is the other's first.
    assert slugs(related["min-max-optimization-for-robust-mdps"])[0] == "stochastic-bilevel-optimization-without-lower-level-convexity"
    assert slugs(related["stochastic-bilevel-optimization-without-lower-level-convexity"])[0] == "min-max-optimization-for-robust-mdps"
    assert related["notes-on-min-max-optimization"] == ()  # nothing to share


def test_authors_are_reused_while_the_papers_order_names_and_affiliations_stay(monkeypatch):
    rng = random.Random(3)
    papers = sort_papers([
        dataclasses.replace(paper(f"p{i:02d}", day=rng.randint(1, 20), authors=rng.sample(["Ada Lovelace", "Bo Li", "Cy Young", "Dee Ng", "Émile Zola"], 2)),
                            affiliations=tuple(rng.sample(["MIT", "ETH", "KAIST"], rng.randint(0, 2))))
        for i in range(40)
    ])
    profiles = {"bo-li": AuthorProfile(slug="bo-li", name="Bo Li", h_index=3),
                "zed-alone": AuthorProfile(slug="zed-alone", name="Zed Alone")}
    memo: dict = {}
    first = build_authors(papers, profiles, memo)
    assert first == build_authors(papers, profiles), "the memo changes nothing of the result"
    computed: list[str] = []
    author_slug = site_module.author_slug
    monkeypatch.setattr(site_module, "author_slug", lambda name: computed.append(name) or author_slug(name))

    retitled = tuple(dataclasses.replace(p, body="edited", title_html="<i>x</i>") for p in papers)
    refigured = {**profiles, "bo-li": dataclasses.replace(profiles["bo-li"], h_index=4)}
    reused = build_authors(retitled, refigured, dict(memo))
    assert computed == [], "an edit that keeps order, names and affiliations reuses the authors"
    assert reused == build_authors(retitled, refigured)  # the new papers and profiles, not the memo's
    assert next(a for a in reused if a.slug == "bo-li").profile.h_index == 4
    assert {id(p) for a in reused for p in a.papers} <= {id(p) for p in retitled}
    computed.clear()

    changes = {
        "an author": sort_papers([dataclasses.replace(papers[0], authors=("Fay Newcomer",)), *papers[1:]]),
        "an affiliation": sort_papers([dataclasses.replace(papers[0], affiliations=("CERN",)), *papers[1:]]),
        "the order": sort_papers([*papers[:-1], dataclasses.replace(papers[-1], date=dt.date(2030, 1, 1))]),
    }
    for change, changed_papers in changes.items():
        changed = dict(memo)
        assert build_authors(changed_papers, profiles, changed) == build_authors(changed_papers, profiles), change
        assert computed and changed["key"] != memo["key"], f"{change}: computed again"
        computed.clear()
    renamed = {**profiles, "zed-alone": AuthorProfile(slug="zed-alone", name="Zed Alone-Renamed")}
    assert build_authors(papers, renamed, dict(memo)) == build_authors(papers, renamed) and computed, "a profile's name"
    computed.clear()
    numbers = len(memo["authors"]["papers"]) // array("i").itemsize
    for damage in ({"papers": array("i", [999] * numbers).tobytes()}, {"names": []}, {"coauthors": b"\0\0\0"},
                   {"papers": [[1]] * len(first)}):
        damaged = {**memo, "authors": {**memo["authors"], **damage}}
        assert build_authors(papers, profiles, damaged) == first and computed, f"a damaged memo ({damage}): computed again"
        computed.clear()
    assert build_authors(papers, profiles, {**memo, "authors": ["x"]}) == first and computed
    computed.clear()
    monkeypatch.setattr(memo_module, "code_key", lambda: "other code")
    assert build_authors(papers, profiles, dict(memo)) == first and computed, "other code: computed again"


def test_related_prefers_shared_authors_over_shared_topics():
    papers = sort_papers([
        paper("target", day=10, authors=["Ann Lee", "Bo Chen"], tags=["bilevel", "min-max"], categories=["math.OC"]),
        paper("same-topics", day=10, tags=["bilevel", "min-max"], categories=["math.OC"]),
        paper("same-author", day=1, authors=["Ann Lee"]),
        paper("two-authors", day=2, authors=["Bo Chen", "Ann Lee"]),
        paper("category-only", day=9, categories=["math.OC"]),
        paper("unrelated", day=10, categories=["cs.CV"]),
    ])
    assert slugs(build_related(papers, 10)["target"]) == ["two-authors", "same-author", "same-topics", "category-only"]
    assert slugs(build_related(papers, 2)["target"]) == ["two-authors", "same-author"]
    assert build_related(papers, 0)["target"] == ()


def test_equal_scores_prefer_the_paper_nearest_in_digest_order():
    papers = sort_papers([paper(f"p{i}", day=i, tags=["bilevel"]) for i in range(6)])
    # p3 is between p4 and p2; ties by distance go to the newer paper.
    assert slugs(build_related(papers, 3)["p3"]) == ["p4", "p2", "p5"]


def test_the_model_does_not_depend_on_input_order(fixture_site):
    loaded = load_content(FIXTURE, render=fake_render)
    shuffled = list(loaded.papers)
    random.Random(7).shuffle(shuffled)
    again = assemble_site(shuffled, dict(reversed(list(loaded.profiles.items()))), loaded.topic_names,
                          load_config(FIXTURE / "site.yaml"))
    assert again == fixture_site


def test_big_collaborations_are_capped(monkeypatch):
    monkeypatch.setattr(site_module, "LEAD_AUTHORS", 5)
    monkeypatch.setattr(site_module, "COAUTHOR_LIMIT", 4)
    names = [f"Member {i:03d}" for i in range(40)]
    papers = sort_papers([
        paper("big", authors=names),
        paper("small", authors=["Member 039", "Member 038"]),
        paper("small-2", authors=["Member 038", "Member 039"]),
    ])
    authors = {a.slug: a for a in build_authors(papers, {})}
    # A lead author's co-authors are the other leads only, not the 35 further down the list.
    lead = authors["member-000"]
    assert lead.coauthors == tuple((f"member-{i:03d}", f"Member {i:03d}", 1) for i in (1, 2, 3, 4))
    # Further down, the leads count as co-authors; most shared first, then by name, top 4 kept.
    tail = authors["member-039"]
    assert tail.coauthors == (
        ("member-038", "Member 038", 2), ("member-000", "Member 000", 1),
        ("member-001", "Member 001", 1), ("member-002", "Member 002", 1),
    )
    assert all(len(a.coauthors) <= 4 for a in authors.values())


def test_huge_terms_are_scanned_only_near_the_paper_and_rare_terms_still_win():
    limit = site_module.POSTINGS_SCAN_LIMIT
    n = limit * 20
    # Every paper is in cs.LG (a huge postings list); two papers far apart share a rare topic.
    papers = [paper(f"p{i:04d}", day=n - i, categories=["cs.LG"]) for i in range(n)]
    papers[3] = dataclasses.replace(papers[3], tags=("rare-topic",))
    papers[n - 4] = dataclasses.replace(papers[n - 4], tags=("rare-topic",))
    ordered = sort_papers(papers)
    assert slugs(ordered)[:2] == ["p0000", "p0001"]

    related = build_related(ordered, 5)

    # The far-apart pair find each other first: a rare term is scanned in full.
    assert slugs(related["p0003"])[0] == f"p{n - 4:04d}"
    assert slugs(related[f"p{n - 4:04d}"])[0] == "p0003"
    # Through the big category alone, a paper's related papers are its neighbours in time
    # (within the scanned window), nearest first: sensible, and never a scan of all n papers.
    middle = n // 2
    near = [int(s[1:]) for s in slugs(related[f"p{middle:04d}"])]
    assert near == [middle - 1, middle + 1, middle - 2, middle + 2, middle - 3]
    assert all(abs(i - middle) <= limit // 2 for i in near)
    first = [int(s[1:]) for s in slugs(related["p0000"])]
    assert first == [1, 2, 3, 4, 5]


def test_related_scans_at_most_the_cap_per_huge_term(monkeypatch):
    """Asking for every related paper shows what was scored: the window, never all n papers."""
    monkeypatch.setattr(site_module, "POSTINGS_SCAN_LIMIT", 10)
    n = 400
    papers = sort_papers([paper(f"p{i:04d}", day=n - i, categories=["cs.LG", "math.OC"]) for i in range(n)])
    related = build_related(papers, n)
    for p in papers:
        me = int(p.slug[1:])
        positions = [int(s[1:]) for s in slugs(related[p.slug])]
        assert 0 < len(positions) <= 10  # both terms' windows hold the same neighbours
        assert all(abs(i - me) <= 10 for i in positions)
    # A term on few papers is scanned in full, however far apart they are.
    small = sort_papers([paper(f"q{i:02d}", day=i, tags=["rare"]) for i in range(10)])
    assert all(len(r) == 9 for r in build_related(small, 100).values())


def test_assemble_site_uses_config_related_papers(fixture_site):
    loaded = load_content(FIXTURE, render=fake_render)
    one = assemble_site(loaded.papers, loaded.profiles, loaded.topic_names, SiteConfig(related_papers=1))
    assert all(len(r) <= 1 for r in one.related.values())
    assert one.authors == fixture_site.authors and one.tags == fixture_site.tags


def test_related_papers_ranked_on_several_processes_are_the_same(monkeypatch):
    monkeypatch.setattr(site_module, "RELATED_PARALLEL_MIN", 10)
    monkeypatch.setattr(site_module, "RELATED_CHUNK", 37)
    rng = random.Random(5)
    papers = sort_papers([
        paper(f"p{i:03d}", day=rng.randint(1, 40), authors=rng.sample("ABCDEFGHIJKLMNOP", 2),
              tags=rng.sample(["t1", "t2", "t3", "t4"], 1), categories=["cs.LG"])
        for i in range(300)
    ])
    alone = build_related(papers, 5, jobs=1)
    meanwhile: list[str] = []
    shared = build_related(papers, 5, jobs=2, meanwhile=lambda: meanwhile.append("ran"))
    assert meanwhile == ["ran"]
    assert {k: slugs(v) for k, v in shared.items()} == {k: slugs(v) for k, v in alone.items()}
    assert list(shared) == [p.slug for p in papers]
    assert all(len(v) == 5 for v in shared.values())


def test_related_papers_are_reused_while_the_papers_order_and_terms_stay(monkeypatch):
    rng = random.Random(7)
    papers = sort_papers([
        paper(f"p{i:02d}", day=rng.randint(1, 20), authors=rng.sample("ABCDEFGH", 2), tags=rng.sample(["t1", "t2"], 1))
        for i in range(40)
    ])
    memo: dict = {}
    first = build_related(papers, 3, memo)
    ranked: list[tuple] = []
    rank_range = site_module._RelatedRanker.rank_range
    monkeypatch.setattr(site_module._RelatedRanker, "rank_range",
                        lambda self, bounds: ranked.append(bounds) or rank_range(self, bounds))

    retitled = tuple(dataclasses.replace(p, body="edited", title_html="<i>x</i>") for p in papers)
    assert build_related(retitled, 3, dict(memo)) == {k: tuple(retitled[papers.index(p)] for p in v)
                                                       for k, v in first.items()}
    assert ranked == [], "an edit that keeps order and terms reuses the ranking"
    meanwhile: list[int] = []
    build_related(retitled, 3, dict(memo), meanwhile=lambda: meanwhile.append(1))
    build_related(retitled, 0, dict(memo), meanwhile=lambda: meanwhile.append(0))
    assert meanwhile == [1, 0], "the caller's other work is done without a ranking too"
    assert {k: slugs(v) for k, v in build_related(papers, 3, dict(memo)).items()} == \
        {k: slugs(v) for k, v in first.items()}
    assert ranked == []

    retagged = sort_papers([dataclasses.replace(papers[0], tags=("t3",)), *papers[1:]])
    changed = dict(memo)
    assert build_related(retagged, 3, changed) == build_related(retagged, 3)
    assert ranked and changed["key"] != memo["key"], "new terms: ranked again"
    ranked.clear()
    assert build_related(papers, 4, dict(memo)) == build_related(papers, 4) and ranked, "another limit"
    ranked.clear()
    damaged = {**memo, "related": [("x",)] * len(papers)}
    assert build_related(papers, 3, damaged) == first and ranked, "a damaged memo: ranked again"
