"""Daily-papers lists (format 4): page chrome with a capture date, then one block per paper.

    new / Get trending papers in your email inbox! / Subscribe / Daily Papers /
    byAK and the research community                  <- chrome
    May 25                                           <- capture date (year from --as-of)

    One Step of Gradient Descent is Provably ...     <- title
    Recent works have empirically analyzed ...       <- abstract
      • 3 authors                                    <- author count, or `univie University of Vienna`
    ·                                                <- separator (U+00B7)
    Jul 7, 2023                                      <- date, optionally followed by the upvote count

Blank lines do not matter. A block ends at its `·` + date pair; the three lines before the `·`
are title, abstract and attribution, and anything left over before them is a block that broke off.
"""

from __future__ import annotations

import datetime as dt
import re

from site_builder.errors import Problem
from site_builder.ingest.dates import MONTH_DAY_RE, MONTH_PATTERN, parse_month_day, resolve_date
from site_builder.ingest.dumps import last_line_number, numbered_lines
from site_builder.ingest.search_list import strip_chrome
from site_builder.records import DAILY_LIST, PaperRecord, ParsedDump

Line = tuple[int, str]

DAILY_CHROME = frozenset({"Daily Papers", "byAK and the research community"})
SEPARATOR = "·"  # U+00B7 MIDDLE DOT
# `Sep 2, 2025 2` -> date + 2 upvotes; `May 8 1` -> May 8 + 1 upvote; `Jul 7, 2023` -> no count.
DATE_LINE_RE = re.compile(rf"(?P<date>(?:{MONTH_PATTERN}) \d{{1,2}}(?:, \d{{4}})?)(?: (?P<upvotes>\d+))?")
AUTHOR_COUNT_RE = re.compile(r"•\s*(?P<count>\d+)\s+authors?")  # U+2022 BULLET
_HANDLE_RE = re.compile(r"[\w][\w.-]*")
_EXPECTED = "title, abstract, '• N authors' or an organisation line, '·' and a date line"


def parse_daily_list(text: str, as_of: dt.date) -> ParsedDump:
    """Parse a daily-papers list. Its own date line (`May 25`, resolved against `as_of`) is the
    capture date and resolves the papers' yearless dates; without one, `as_of` does."""
    lines = strip_chrome(numbered_lines(text), DAILY_CHROME)
    problems: list[Problem] = []
    capture: dt.date | None = None
    if lines and MONTH_DAY_RE.fullmatch(lines[0][1]):
        number, date_text = lines.pop(0)
        try:
            capture = resolve_date(*parse_month_day(date_text), as_of)
        except ValueError as exc:
            problems.append(Problem(f"capture date: {exc}", None, number))
    reference = capture or as_of

    papers: list[PaperRecord] = []
    pending: list[Line] = []
    i = 0
    while i < len(lines):
        number, line = lines[i]
        if line != SEPARATOR:
            pending.append(lines[i])
            i += 1
            continue
        date_line = lines[i + 1] if i + 1 < len(lines) else None
        if date_line is None or DATE_LINE_RE.fullmatch(date_line[1]) is None:
            where = pending[0][0] if pending else number
            problems.append(Problem(f"block breaks off: expected a date line after '·' (line {number})", None, where))
            pending = []
            i += 1
            continue
        try:
            papers.append(_parse_block(pending, date_line, reference, problems))
        except ValueError as exc:
            problems.append(Problem(str(exc), None, pending[0][0] if pending else number))
        pending = []
        i += 2
    if pending:
        problems.append(Problem(f"block breaks off at the end of the dump: expected {_EXPECTED}", None, pending[0][0]))
    if not papers and not problems:
        problems.append(Problem(f"no papers found: expected blocks of {_EXPECTED}", None, last_line_number(text)))
    return ParsedDump(DAILY_LIST, tuple(papers), capture, None, tuple(problems), ())


def parse_attribution(text: str) -> tuple[int | None, str | None]:
    """`• 6 authors` -> (6, None); `univie University of Vienna` -> (None, "University of Vienna");
    `sage-lab sage-lab` -> (None, "sage-lab"). Raises ValueError for anything else."""
    match = AUTHOR_COUNT_RE.fullmatch(text)
    if match:
        return int(match["count"]), None
    handle, _, display = text.partition(" ")
    if _HANDLE_RE.fullmatch(handle) and len(text) <= 120 and len(text.split()) <= 12 and not text.endswith("."):
        return None, display.strip() or handle
    raise ValueError(f"expected '• N authors' or an organisation line like 'univie University of Vienna' before '·', found {_excerpt(text)!r}")


def _parse_block(pending: list[Line], date_line: Line, reference: dt.date, problems: list[Problem]) -> PaperRecord:
    """The block's last three lines are title, abstract, attribution; earlier leftovers are a broken block."""
    if len(pending) < 3:
        raise ValueError(f"incomplete block: expected {_EXPECTED}, found {len(pending)} line(s) before '·'")
    leftover, (title, abstract, attribution) = pending[:-3], pending[-3:]
    author_count, organization = parse_attribution(attribution[1])
    if leftover:
        problems.append(Problem(f"block breaks off: expected {_EXPECTED}", None, leftover[0][0]))
    match = DATE_LINE_RE.fullmatch(date_line[1])
    assert match is not None  # the caller only passes matching date lines
    try:
        date = resolve_date(*parse_month_day(match["date"]), reference)
    except ValueError as exc:
        raise ValueError(f"date line {date_line[0]}: {exc}") from None
    return PaperRecord(
        title=title[1],
        abstract=abstract[1],
        line=title[0],
        authors=(),
        authors_complete=False,
        author_count=author_count,
        date=date,
        upvotes=int(match["upvotes"]) if match["upvotes"] else None,
        organization=organization,
    )


def _excerpt(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
