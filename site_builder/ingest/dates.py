"""Dates as the dumps write them: `Mar 6, 2023`, `May 31` (no year), `Sep 2, 2025`.

A date without a year is resolved against the capture date of the page it was seen on: it is
the latest such day on or before that date, so a listing never shows a paper "from the future".
"""

from __future__ import annotations

import datetime as dt
import re

# English abbreviations as the dumps print them (not calendar.month_abbr, which follows the locale).
MONTHS: dict[str, int] = {
    "Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6,
    "Jul": 7, "Aug": 8, "Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12,
}

# A regex fragment matching one month name; used by the format parsers to build their line patterns.
MONTH_PATTERN = "|".join(MONTHS)

MONTH_DAY_RE = re.compile(rf"(?P<month>{MONTH_PATTERN}) (?P<day>\d{{1,2}})(?:, (?P<year>\d{{4}}))?")

# The longest month of each number, allowing Feb 29 (it exists in leap years).
_MAX_DAY = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}


def parse_month_day(text: str) -> tuple[int, int, int | None]:
    """`"Mar 6, 2023"` -> `(3, 6, 2023)`; `"May 31"` -> `(5, 31, None)`.

    Raises ValueError for anything else, including days no calendar has (`Apr 31`, `Feb 30`)
    and, when a year is given, days that year does not have (`Feb 29, 2023`).
    """
    match = MONTH_DAY_RE.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"expected a date like 'Mar 6, 2023' or 'May 31', got {text.strip()!r}")
    month = MONTHS[match["month"]]
    day = int(match["day"])
    year = int(match["year"]) if match["year"] else None
    if not 1 <= day <= _MAX_DAY[month]:
        raise ValueError(f"{text.strip()!r} is not a day of the calendar")
    if year is not None:
        _real_date(year, month, day, text)
    return month, day, year


def resolve_date(month: int, day: int, year: int | None, capture: dt.date) -> dt.date:
    """The calendar date a dump means.

    With a year: that date (validated). Without: the latest such day on or before `capture`
    (Feb 29 goes back to the latest leap year), never a day after the capture date.
    """
    if year is not None:
        return _real_date(year, month, day, f"{year}-{month:02d}-{day:02d}")
    if not (1 <= month <= 12 and 1 <= day <= _MAX_DAY[month]):
        raise ValueError(f"month {month} day {day} is not a day of the calendar")
    # Feb 29 is at most 8 years back (1900/2100-style century gaps); other days at most 1.
    for candidate_year in range(capture.year, capture.year - 9, -1):
        try:
            candidate = dt.date(candidate_year, month, day)
        except ValueError:
            continue  # Feb 29 in a common year
        if candidate <= capture:
            return candidate
    raise ValueError(f"no year before {capture.isoformat()} has month {month} day {day}")


def _real_date(year: int, month: int, day: int, text: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a real date") from None
