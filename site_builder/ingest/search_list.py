"""Search-result lists (format 3): page chrome, then a title line and an abstract line per paper.

    Get trending papers in your email inbox once a day!
    Get trending papers in your email inbox!
    SubscribeCritical Points and Convergence Analysis of ...     <- chrome glued to the first title
    We consider a deep matrix factorization model of ...
    On Convergence of Federated Averaging Langevin Dynamics
    We propose a federated averaging Langevin algorithm ...

No authors, no dates, no capture date. The list is read in pairs; because a lost line would shift
every later pair, each pair is checked by shape (a title is short, an abstract is long prose) and
a line that breaks the pattern is reported with its line number, then the pairing resynchronises.
"""

from __future__ import annotations

import datetime as dt
import re

from site_builder.errors import Problem
from site_builder.ingest.dumps import last_line_number, numbered_lines
from site_builder.records import SEARCH_LIST, PaperRecord, ParsedDump

Line = tuple[int, str]

# Lines of the listing page around the results (shared with the daily list, which shows more).
TRENDING_CHROME_RE = re.compile(r"Get trending papers in your email inbox.*")
SUBSCRIBE = "Subscribe"
_CHROME_LINES = frozenset({SUBSCRIBE, "new"})


def strip_chrome(lines: list[Line], extra: frozenset[str] = frozenset()) -> list[Line]:
    """Drop the page chrome before the first result and unglue `Subscribe` from the first title."""
    start = 0
    while start < len(lines) and _is_chrome(lines[start][1], extra):
        start += 1
    rest = lines[start:]
    if rest:
        number, text = rest[0]
        glued = text[len(SUBSCRIBE):]
        if text.startswith(SUBSCRIBE) and (glued[:1].isupper() or glued[:1].isdigit()):
            rest = [(number, glued.strip())] + rest[1:]
    return rest


def looks_like_abstract(text: str) -> bool:
    """Abstracts are long prose; titles are short and do not end in a sentence.

    In the seeds titles run to 144 characters and abstracts start at 400; arXiv caps neither,
    so the rule is generous to both: a long line, or a full stop after 15+ words."""
    return len(text) >= 250 or (text.endswith(".") and len(text.split()) >= 15)


def parse_search_list(text: str, as_of: dt.date) -> ParsedDump:
    """Parse a search-result list. `as_of` is unused (the list has no dates) but kept for the
    common parser signature."""
    del as_of
    lines = strip_chrome(numbered_lines(text))
    papers: list[PaperRecord] = []
    problems: list[Problem] = []
    i = 0
    while i < len(lines):
        number, title = lines[i]
        if looks_like_abstract(title):
            problems.append(Problem(
                "abstract without a title: expected a title line before it", None, number))
            i += 1
            continue
        if i + 1 == len(lines):
            problems.append(Problem(
                "the dump breaks off after this title: expected an abstract line after it", None, number))
            break
        abstract = lines[i + 1][1]
        if not looks_like_abstract(abstract) and i + 2 < len(lines) and looks_like_abstract(lines[i + 2][1]):
            # title, title, abstract: the first title lost its abstract
            problems.append(Problem(
                "title without an abstract: expected an abstract line after it", None, number))
            i += 1
            continue
        papers.append(PaperRecord(title=title, abstract=abstract, line=number))
        i += 2
    if not papers and not problems:
        problems.append(Problem(
            "no papers found: expected title and abstract lines after the page header", None, last_line_number(text)))
    return ParsedDump(SEARCH_LIST, tuple(papers), None, None, tuple(problems), ())


def _is_chrome(text: str, extra: frozenset[str]) -> bool:
    return text in _CHROME_LINES or text in extra or TRENDING_CHROME_RE.fullmatch(text) is not None
