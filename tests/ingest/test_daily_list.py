"""Daily-papers lists (daily_list.py) on hand-written strings."""

import datetime as dt

import pytest

from site_builder.ingest.daily_list import parse_attribution, parse_daily_list
from site_builder.records import DAILY_LIST

AS_OF = dt.date(2026, 11, 24)

CHROME = """new

Get trending papers in your email inbox!

Subscribe

Daily Papers

byAK and the research community

May 25
"""
BLOCK_1 = """
One Step of Gradient Descent is Provably the Optimal In-Context Learner

Recent works have empirically analyzed in-context learning with $\\ell_2$ losses.

  \u2022 3 authors
\u00b7
Jul 7, 2023
"""
BLOCK_2 = """
AdaPreLoRA: Adafactor Preconditioned Low-Rank Adaptation

Low-Rank Adaptation (LoRA) reparameterizes the weight update.

  \u2022 1 author
\u00b7
May 8 1
"""
BLOCK_3 = """
Understanding and Improving Hyperbolic Deep Reinforcement Learning

Hyperbolic spaces suit hierarchical data.

univie University of Vienna
\u00b7
Sep 2, 2025 2
"""


def test_parse_daily_list():
    dump = parse_daily_list(CHROME + BLOCK_1 + BLOCK_2 + BLOCK_3, AS_OF)
    assert dump.format == DAILY_LIST and dump.problems == () and dump.warnings == ()
    assert dump.capture_date == dt.date(2026, 5, 25)
    first, second, third = dump.papers
    assert (first.line, second.line, third.line) == (13, 21, 29)
    assert first.title == "One Step of Gradient Descent is Provably the Optimal In-Context Learner"
    assert first.abstract == "Recent works have empirically analyzed in-context learning with $\\ell_2$ losses."
    assert (first.author_count, first.authors, first.authors_complete, first.organization) == (3, (), False, None)
    assert (first.date, first.upvotes) == (dt.date(2023, 7, 7), None)
    assert (second.date, second.upvotes, second.author_count) == (dt.date(2026, 5, 8), 1, 1)
    assert (third.date, third.upvotes, third.organization, third.author_count) == (dt.date(2025, 9, 2), 2, "University of Vienna", None)


def test_yearless_paper_dates_resolve_against_the_capture_date_not_as_of():
    # captured Feb 5 (-> 2026-02-05): "Mar 1" is last year's, although as_of's year has passed it
    dump = parse_daily_list(CHROME.replace("May 25", "Feb 5") + BLOCK_2.replace("May 8 1", "Mar 1"), AS_OF)
    assert dump.capture_date == dt.date(2026, 2, 5)
    assert dump.papers[0].date == dt.date(2025, 3, 1)


def test_without_capture_date_as_of_is_used():
    dump = parse_daily_list(BLOCK_2, AS_OF)
    assert dump.capture_date is None
    assert dump.papers[0].date == dt.date(2026, 5, 8)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("\u2022 6 authors", (6, None)),
        ("\u2022 1 author", (1, None)),
        ("univie University of Vienna", (None, "University of Vienna")),
        ("sage-lab sage-lab", (None, "sage-lab")),
        ("mit", (None, "mit")),
    ],
)
def test_parse_attribution(text, expected):
    assert parse_attribution(text) == expected


@pytest.mark.parametrize("text", ["\u2022 many authors", "We study a problem in depth and prove that it is hard to solve in general.", "(anonymous)"])
def test_parse_attribution_rejects(text):
    with pytest.raises(ValueError, match="expected '• N authors' or an organisation line"):
        parse_attribution(text)


@pytest.mark.parametrize(
    "broken, problem_line, expected",
    [
        # title with no abstract: the leftover title line is reported, the next block survives
        ("\nA Title Alone\n", 21, "block breaks off"),
        # the attribution line is missing
        ("\nA Title\n\nAn abstract.\n\u00b7\nMay 3\n", 21, "incomplete block"),
        # the date after the separator is missing
        ("\nA Title\n\nAn abstract.\n\n  \u2022 2 authors\n\u00b7\n", 21, "expected a date line after '·'"),
        # an impossible date
        ("\nA Title\n\nAn abstract.\n\n  \u2022 2 authors\n\u00b7\nFeb 30\n", 21, "not a day of the calendar"),
    ],
)
def test_broken_block_is_a_problem_and_the_rest_is_kept(broken, problem_line, expected):
    dump = parse_daily_list(CHROME + BLOCK_1 + broken + BLOCK_2, AS_OF)
    assert [p.title for p in dump.papers] == [
        "One Step of Gradient Descent is Provably the Optimal In-Context Learner",
        "AdaPreLoRA: Adafactor Preconditioned Low-Rank Adaptation",
    ]
    assert len(dump.problems) == 1
    assert dump.problems[0].line == problem_line and expected in dump.problems[0].message


@pytest.mark.parametrize(
    "tail",
    [
        "\nA Title\n\nAn abstract.\n\n  \u2022 2 authors\n\u00b7\n",  # date missing at end of file
        "\nA Title\n\nAn abstract.\n\n  \u2022 2 authors\n",  # separator and date missing
        "\nA Title\n",  # title only
    ],
)
def test_truncated_at_end_of_dump(tail):
    dump = parse_daily_list(CHROME + BLOCK_1 + tail, AS_OF)
    assert len(dump.papers) == 1
    assert [p.line for p in dump.problems] == [21]
    assert "breaks off" in dump.problems[0].message


def test_chrome_only_is_a_problem():
    dump = parse_daily_list(CHROME, AS_OF)
    assert dump.papers == () and dump.capture_date == dt.date(2026, 5, 25)
    assert [(p.line, "no papers found" in p.message) for p in dump.problems] == [(11, True)]
