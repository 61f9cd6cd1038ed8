"""Search-result lists (search_list.py) on hand-written strings."""

import datetime as dt

import pytest

from site_builder.ingest.search_list import looks_like_abstract, parse_search_list, strip_chrome
from site_builder.records import SEARCH_LIST

AS_OF = dt.date(2026, 11, 24)


def abstract(n: int) -> str:
    return f"We study problem number {n} and prove that the method converges at the optimal rate " + "in every setting we consider. " * 8


CHROME = "Get trending papers in your email inbox once a day!\nGet trending papers in your email inbox!\n"
TEXT = (
    CHROME
    + "SubscribeCritical Points of Deep Linear Networks\n" + abstract(1) + "\n"
    + "On Convergence of Federated Averaging Langevin Dynamics\n" + abstract(2) + "\n"
    + "Handbook of Convergence Theorems for (Stochastic) Gradient Methods\n" + abstract(3)
)


def test_parse_search_list():
    dump = parse_search_list(TEXT, AS_OF)
    assert dump.format == SEARCH_LIST and dump.problems == () and dump.warnings == ()
    assert dump.capture_date is None and dump.profile is None
    assert [(p.line, p.title) for p in dump.papers] == [
        (3, "Critical Points of Deep Linear Networks"),
        (5, "On Convergence of Federated Averaging Langevin Dynamics"),
        (7, "Handbook of Convergence Theorems for (Stochastic) Gradient Methods"),
    ]
    assert dump.papers[1].abstract == abstract(2).strip()
    assert all(p.authors == () and p.date is None and p.categories == () for p in dump.papers)


def test_blank_lines_and_crlf_do_not_matter():
    dump = parse_search_list(TEXT.replace("\n", "\r\n\r\n"), AS_OF)
    assert [p.line for p in dump.papers] == [5, 9, 13]
    assert dump.problems == ()


@pytest.mark.parametrize(
    "lines, expected",
    [
        ([(1, "Subscribe"), (2, "Title")], [(2, "Title")]),
        ([(1, "new"), (2, "SubscribeTitle")], [(2, "Title")]),
        ([(1, "Subscribe2 Bits Are Enough")], [(1, "2 Bits Are Enough")]),
        ([(1, "Subscribers Matter")], [(1, "Subscribers Matter")]),  # a real title, not chrome
        ([(1, "Get trending papers in your email inbox!")], []),
    ],
)
def test_strip_chrome(lines, expected):
    assert strip_chrome(lines) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Critical Points and Convergence Analysis of Generative Deep Linear Networks Trained with Bures-Wasserstein Loss", False),
        ("Transformers learn in-context by gradient descent.", False),
        (abstract(1), True),
        ("We show that a short abstract of this kind with a final full stop is still prose.", True),
    ],
)
def test_looks_like_abstract(text, expected):
    assert looks_like_abstract(text) is expected


def test_truncated_last_title_is_a_problem():
    dump = parse_search_list(TEXT + "\nA Title Whose Abstract Was Cut Off", AS_OF)
    assert len(dump.papers) == 3
    assert [(p.line, "breaks off" in p.message) for p in dump.problems] == [(9, True)]


def test_title_without_abstract_midway_resynchronises():
    lines = TEXT.split("\n")
    del lines[3]  # the first paper's abstract
    dump = parse_search_list("\n".join(lines), AS_OF)
    assert [p.title for p in dump.papers] == [
        "On Convergence of Federated Averaging Langevin Dynamics",
        "Handbook of Convergence Theorems for (Stochastic) Gradient Methods",
    ]
    assert [(p.line, "title without an abstract" in p.message) for p in dump.problems] == [(3, True)]


def test_abstract_without_title_midway():
    lines = TEXT.split("\n")
    del lines[4]  # the second paper's title
    dump = parse_search_list("\n".join(lines), AS_OF)
    assert len(dump.papers) == 2
    assert [(p.line, "abstract without a title" in p.message) for p in dump.problems] == [(5, True)]


def test_chrome_only_is_a_problem():
    dump = parse_search_list(CHROME, AS_OF)
    assert dump.papers == ()
    assert [(p.line, "no papers found" in p.message) for p in dump.problems] == [(2, True)]
