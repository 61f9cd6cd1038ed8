"""Merging the records of several dumps (and of one dump) into one record per paper."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from site_builder.ingest.merge import SourceDump, merge_dumps, merge_key
from site_builder.records import AUTHOR_PROFILE, DAILY_LIST, PROFILE_LIST, SEARCH_LIST, PaperRecord, ParsedDump

D = dt.date
CAPTURE = D(2026, 11, 24)


def rec(title: str = "A Paper", line: int = 1, **fields) -> PaperRecord:
    return PaperRecord(title=title, abstract=fields.pop("abstract", "An abstract."), line=line, **fields)


def src(name: str, fmt: str, *records: PaperRecord, captured: dt.date = CAPTURE) -> SourceDump:
    return SourceDump(name, ParsedDump(fmt, tuple(records)), captured)


def only(*sources: SourceDump):
    result = merge_dumps(sources)
    assert len(result.papers) == 1, [p.title for p in result.papers]
    return result.papers[0]


@pytest.mark.parametrize(
    "a, b",
    [
        ("Adam: A Method for Stochastic Optimization", "adam a method for stochastic optimization"),
        ("Min-Max  Optimization", "min max optimization"),
        ("Min-Max Optimization", "MinMax Optimization."),
        ("  Spaces\tand\nnewlines ", "Spaces and newlines"),
        ("Poincaré Inequalities", "Poincare inequalities"),
        ("Ｆｕｌｌｗｉｄｔｈ Title", "Fullwidth Title"),  # NFKD folds compatibility forms
        ("Learning From $D$ Tasks", "Learning from D tasks"),  # LaTeX markup is punctuation
        ("$\\tilde{O}(\\epsilon^{-2})$ rates", "tildeOepsilon2 rates"),
    ],
)
def test_merge_key_ignores_case_whitespace_punctuation(a, b):
    assert merge_key(a) == merge_key(b)


@pytest.mark.parametrize(
    "a, b",
    [
        ("Learning to Rank", "Learning to Rank 2"),
        ("Adam", "AdamW"),
        ("Convergence of SGD", "Convergence of GD"),
        ("$D^{T}$ tasks", "$D^{S}$ tasks"),
    ],
)
def test_merge_key_keeps_letters_and_digits_apart(a, b):
    assert merge_key(a) != merge_key(b)


def test_merge_key_of_a_title_without_letters_is_not_empty():
    assert merge_key("???") and merge_key("???") != merge_key("!!!")


def test_same_paper_twice_in_one_dump_takes_the_earliest_date():
    # Seed 001 lists one paper twice: "Apr 28" (no year, resolved) and "Jan 2, 2023".
    paper = only(
        src(
            "001.txt",
            PROFILE_LIST,
            rec("Small Hyper-Gradients", line=4, date=D(2026, 4, 28), authors=("A", "B"), authors_complete=True),
            rec("Small Hyper-Gradients", line=13, date=D(2023, 1, 2), authors=("A", "B"), authors_complete=True),
        )
    )
    assert paper.date == D(2023, 1, 2)
    assert paper.sources == ("001.txt",)


def test_counts_entries_and_merged_duplicates():
    result = merge_dumps(
        [
            src("a.txt", PROFILE_LIST, rec("One", 1), rec("Two", 4), rec("one", 7)),
            src("b.txt", SEARCH_LIST, rec("TWO", 3), rec("Three", 5)),
        ]
    )
    assert result.entries == 5
    assert [p.title for p in result.papers] == ["One", "Three", "Two"]  # sorted by merge key
    assert result.merged_duplicates == 2


def test_complete_author_list_beats_et_al_even_from_a_lower_priority_source():
    paper = only(
        src("a.txt", AUTHOR_PROFILE, rec(authors=("Ann", "Bob"), authors_complete=False)),
        src("b.txt", PROFILE_LIST, rec(authors=("Ann", "Bob", "Cid", "Dee"), authors_complete=True)),
    )
    assert paper.authors == ("Ann", "Bob", "Cid", "Dee")
    assert paper.authors_complete is True


def test_among_equal_author_lists_the_higher_priority_source_wins():
    paper = only(
        src("a.txt", PROFILE_LIST, rec(authors=("From", "ProfileList"))),
        src("z.txt", AUTHOR_PROFILE, rec(authors=("From", "Profile"))),
    )
    assert paper.authors == ("From", "Profile")
    assert paper.authors_complete is False


def test_among_equal_sources_the_file_name_then_line_decide():
    paper = only(
        src("b.txt", PROFILE_LIST, rec(authors=("B",), authors_complete=True)),
        src("a.txt", PROFILE_LIST, rec(line=9, authors=("A9",), authors_complete=True), rec(line=2, authors=("A2",), authors_complete=True)),
    )
    assert paper.authors == ("A2",)


def test_authors_only_from_a_source_that_names_them_and_counts_never_invented():
    paper = only(
        src("daily.txt", DAILY_LIST, rec(author_count=6)),
        src("search.txt", SEARCH_LIST, rec()),
        src("list.txt", PROFILE_LIST, rec(authors=("Ann", "Bob"), authors_complete=False)),
    )
    assert paper.authors == ("Ann", "Bob")
    assert paper.authors_complete is False
    assert paper.author_count == 6


def test_no_naming_source_gives_no_authors_and_a_null_count():
    paper = only(src("search.txt", SEARCH_LIST, rec()), src("search2.txt", SEARCH_LIST, rec()))
    assert paper.authors == ()
    assert paper.authors_complete is False
    assert paper.author_count is None


def test_author_count_is_the_largest_stated():
    paper = only(src("a.txt", DAILY_LIST, rec(author_count=3)), src("b.txt", DAILY_LIST, rec(author_count=5)))
    assert paper.author_count == 5


def test_unions_keep_first_seen_order_without_repeats():
    paper = only(
        src("b.txt", AUTHOR_PROFILE, rec(categories=("math.OC", "cs.LG"), affiliations=("pku", "mit"))),
        src("a.txt", PROFILE_LIST, rec(categories=("cs.LG",), affiliations=("mit", "bytedance"))),
        src("c.txt", SEARCH_LIST, rec()),
    )
    # First seen in reading order: source file name, then line.
    assert paper.categories == ("cs.LG", "math.OC")
    assert paper.affiliations == ("mit", "bytedance", "pku")
    assert paper.sources == ("a.txt", "b.txt", "c.txt")


def test_upvotes_max_code_any_organization_by_priority():
    paper = only(
        src("a.txt", DAILY_LIST, rec(upvotes=2, organization="univie University of Vienna")),
        src("b.txt", DAILY_LIST, rec(upvotes=7, code=True, organization="sage-lab")),
        src("c.txt", SEARCH_LIST, rec()),
    )
    assert paper.upvotes == 7
    assert paper.code is True
    assert paper.organization == "univie University of Vienna"


def test_upvotes_null_and_code_false_when_no_source_shows_them():
    paper = only(src("a.txt", PROFILE_LIST, rec()), src("b.txt", SEARCH_LIST, rec()))
    assert paper.upvotes is None
    assert paper.code is False
    assert paper.organization is None


def test_zero_upvotes_are_a_count():
    paper = only(src("a.txt", DAILY_LIST, rec(upvotes=0)), src("b.txt", SEARCH_LIST, rec()))
    assert paper.upvotes == 0


def test_date_is_the_earliest_given_and_null_when_none():
    dated = only(
        src("a.txt", DAILY_LIST, rec(date=D(2024, 5, 1))),
        src("b.txt", PROFILE_LIST, rec(date=D(2023, 2, 1))),
        src("c.txt", SEARCH_LIST, rec()),
    )
    assert dated.date == D(2023, 2, 1)
    assert only(src("c.txt", SEARCH_LIST, rec())).date is None


def test_added_is_the_earliest_capture_date():
    paper = only(
        src("a.txt", SEARCH_LIST, rec(), captured=D(2026, 11, 24)),
        src("b.txt", DAILY_LIST, rec(), captured=D(2026, 2, 5)),
    )
    assert paper.added == D(2026, 2, 5)


def test_title_and_abstract_from_the_highest_priority_source():
    paper = only(
        src("a.txt", SEARCH_LIST, rec("a paper", abstract="The longest abstract of all, from a search list.")),
        src("b.txt", DAILY_LIST, rec("A Paper", abstract="Daily abstract.")),
    )
    assert (paper.title, paper.abstract) == ("A Paper", "Daily abstract.")


def test_title_and_abstract_tie_goes_to_the_longest_abstract():
    paper = only(
        src("a.txt", DAILY_LIST, rec("A paper", abstract="Short.")),
        src("b.txt", DAILY_LIST, rec("A Paper", abstract="A longer abstract.")),
    )
    assert (paper.title, paper.abstract) == ("A Paper", "A longer abstract.")


def test_result_does_not_depend_on_the_order_of_the_dumps():
    sources = [
        src("a.txt", DAILY_LIST, rec("X", upvotes=1, author_count=3, organization="org-a"), captured=D(2026, 1, 1)),
        src("b.txt", AUTHOR_PROFILE, rec("x", authors=("P", "Q"), categories=("cs.LG",))),
        src("c.txt", PROFILE_LIST, rec("X.", authors=("P", "Q", "R"), authors_complete=True, categories=("math.OC",))),
        src("d.txt", SEARCH_LIST, rec("X", abstract="Longer search abstract here.")),
    ]
    results = {merge_dumps(order) for order in itertools.permutations(sources)}
    assert len(results) == 1
