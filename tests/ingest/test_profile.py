"""Author profile pages (profile.py) on hand-written strings."""

import datetime as dt

import pytest

from site_builder.ingest.profile import (
    parse_author_line,
    parse_author_profile,
    parse_entry_head,
    split_affiliations,
    strip_et_al,
)
from site_builder.records import AUTHOR_PROFILE, ProfileHeader

AS_OF = dt.date(2026, 11, 24)

HEADER = """Cong Fang

LG
h-index19
41papers
1,609citations
Novelty62%
AI Score61

2 Papers
"""

ENTRY_1 = """
STMar 6, 2023
Environment Invariant Linear Least Squares

Jianqing Fan, Cong Fang, Yihong Gu et al. · princeton

This paper considers a multi-environment linear regression model with $\\ell_2$ bounds.
"""

ENTRY_2 = """
LGMay 31Code
A Roadmap for Big Model

Sha Yuan, Hanyu Zhao, Shuai Zhao · bytedance, pku

With the rapid development of deep learning, training Big Models becomes a paradigm.
"""


@pytest.mark.parametrize(
    "line, category, known, date, code",
    [
        ("STMar 6, 2023", "math.ST", True, dt.date(2023, 3, 6), False),
        ("LGSep 29, 2025Code", "cs.LG", True, dt.date(2025, 9, 29), True),
        ("QUANT-PHJun 5, 2024", "quant-ph", True, dt.date(2024, 6, 5), False),
        ("LGMay 31", "cs.LG", True, dt.date(2026, 5, 31), False),
        ("LGDec 1", "cs.LG", True, dt.date(2025, 12, 1), False),  # yearless, after as_of's day -> last year
        ("MAMay 5, 2020", "MA", False, dt.date(2020, 5, 5), False),  # code runs into a month name
        ("XYFeb 29Code", "XY", False, dt.date(2024, 2, 29), True),
    ],
)
def test_entry_head(line, category, known, date, code):
    head = parse_entry_head(line, AS_OF)
    assert (head.category, head.known_category, head.date, head.code) == (category, known, date, code)


@pytest.mark.parametrize("line", ["Mar 6, 2023", "LG Mar 6, 2023", "lgMar 6", "LGMarch 6", "LGFeb 30", "LGMar 6, 2023 Code"])
def test_entry_head_rejects(line):
    with pytest.raises(ValueError):
        parse_entry_head(line, AS_OF)


@pytest.mark.parametrize(
    "line, authors, complete, affiliations",
    [
        ("Jianqing Fan, Cong Fang, Yihong Gu et al. · princeton", ("Jianqing Fan", "Cong Fang", "Yihong Gu"), False, ("princeton",)),
        ("Sha Yuan, Hanyu Zhao, Shuai Zhao et al. · bytedance, pku", ("Sha Yuan", "Hanyu Zhao", "Shuai Zhao"), False, ("bytedance", "pku")),
        ("Huan Li, Cong Fang, Zhouchen Lin", ("Huan Li", "Cong Fang", "Zhouchen Lin"), True, ()),
        ("Yang Xu, Yihong Gu, Cong Fang · princeton", ("Yang Xu", "Yihong Gu", "Cong Fang"), True, ("princeton",)),
        ("Yihong Gu, Cong Fang, Peter Bühlmann et al. · princeton", ("Yihong Gu", "Cong Fang", "Peter Bühlmann"), False, ("princeton",)),
        ("Cong Fang, Jason D. Lee, Pengkun Yang et al.", ("Cong Fang", "Jason D. Lee", "Pengkun Yang"), False, ()),
        ("Ada Lovelace", ("Ada Lovelace",), True, ()),
        ("张三, 李四", ("张三", "李四"), True, ()),
    ],
)
def test_author_line(line, authors, complete, affiliations):
    assert parse_author_line(line) == (authors, complete, affiliations)


@pytest.mark.parametrize(
    "line",
    [
        "In this paper, we study the convergence of SGD, and prove rates.",
        "We consider a multi-environment linear regression model.",
        "Results on 3 benchmarks, all new",
    ],
)
def test_author_line_rejects_prose(line):
    with pytest.raises(ValueError, match="expected an author line"):
        parse_author_line(line)


def test_affiliation_and_et_al_helpers():
    assert split_affiliations("A B · x, y ,") == ("A B", ("x", "y"))
    assert split_affiliations("A B ·") == ("A B", ())
    assert split_affiliations("A B") == ("A B", ())
    assert strip_et_al("A B, C D et al.") == ("A B, C D", False)
    assert strip_et_al("A B, C D, et al.") == ("A B, C D", False)
    assert strip_et_al("Bennet Alder") == ("Bennet Alder", True)


def test_full_profile():
    dump = parse_author_profile(HEADER + ENTRY_1 + ENTRY_2, AS_OF)
    assert dump.format == AUTHOR_PROFILE
    assert dump.capture_date is None
    assert dump.problems == () and dump.warnings == ()
    assert dump.profile == ProfileHeader(
        name="Cong Fang", primary_category="cs.LG", h_index=19, papers=41, citations=1609,
        novelty=62, ai_score=61, line=1,
    )
    first, second = dump.papers
    assert first.title == "Environment Invariant Linear Least Squares"
    assert first.abstract == "This paper considers a multi-environment linear regression model with $\\ell_2$ bounds."
    assert first.line == 12
    assert first.categories == ("math.ST",) and first.date == dt.date(2023, 3, 6) and not first.code
    assert first.authors == ("Jianqing Fan", "Cong Fang", "Yihong Gu") and not first.authors_complete
    assert first.affiliations == ("princeton",)
    assert second.line == 19
    assert second.code and second.date == dt.date(2026, 5, 31)
    assert second.authors_complete and second.affiliations == ("bytedance", "pku")
    assert (second.upvotes, second.author_count, second.organization) == (None, None, None)


def test_headerless_profile_and_extra_abstract_paragraphs():
    dump = parse_author_profile(ENTRY_1.rstrip() + "\n\nA second paragraph.\n", AS_OF)
    assert dump.profile is None and dump.problems == ()
    assert dump.papers[0].abstract.endswith("$\\ell_2$ bounds.\n\nA second paragraph.")


def test_unknown_category_is_kept_and_warned_with_line():
    dump = parse_author_profile(HEADER + ENTRY_1.replace("STMar", "ZZMar"), AS_OF)
    assert dump.papers[0].categories == ("ZZ",)
    assert [(w.line, "'ZZ'" in w.message) for w in dump.warnings] == [(12, True), (10, False)]


def test_listed_count_mismatch_is_warned():
    dump = parse_author_profile(HEADER + ENTRY_1, AS_OF)
    assert len(dump.papers) == 1
    assert [w.line for w in dump.warnings] == [10]
    assert "lists 2 papers but 1" in dump.warnings[0].message


@pytest.mark.parametrize(
    "broken, line, expected",
    [
        ("\nLGMay 1\n", 19, "expected a title, an author line and an abstract"),
        ("\nLGMay 1\nA Title\n", 19, "expected an author line and an abstract"),
        ("\nLGMay 1\nA Title\n\nAnn Lee, Bo Chen\n", 19, "expected an abstract"),
        ("\nLGMay 1\nA Title\n\nWe study things, and prove bounds on them.\n", 19, "expected an author line"),
        ("\nLGFeb 30\nA Title\n\nAnn Lee\n\nAbstract.\n", 19, "not a day of the calendar"),
    ],
)
def test_broken_entry_is_a_problem_and_the_rest_is_kept(broken, line, expected):
    text = HEADER + ENTRY_1 + broken + ENTRY_2
    dump = parse_author_profile(text, AS_OF)
    assert [p.title for p in dump.papers] == ["Environment Invariant Linear Least Squares", "A Roadmap for Big Model"]
    assert len(dump.problems) == 1
    assert dump.problems[0].line == line and expected in dump.problems[0].message


def test_truncated_at_end_of_dump():
    dump = parse_author_profile(HEADER + ENTRY_1 + "\nLGMay 1\nA Title Cut Sh", AS_OF)
    assert len(dump.papers) == 1
    assert [(p.line, "breaks off" in p.message) for p in dump.problems] == [(19, True)]


def test_header_only_is_a_problem():
    dump = parse_author_profile(HEADER, AS_OF)
    assert dump.papers == () and dump.profile is not None
    assert dump.problems[0].line == 10 and "no papers found" in dump.problems[0].message


def test_unrecognised_header_line_is_warned():
    dump = parse_author_profile(HEADER.replace("AI Score61", "AI Score61\nFollowers 12") + ENTRY_1 + ENTRY_2, AS_OF)
    assert [(w.line, "Followers 12" in w.message) for w in dump.warnings] == [(9, True)]
