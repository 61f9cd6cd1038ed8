"""Date parsing and year resolution (dates.py)."""

import datetime as dt

import pytest

from site_builder.ingest.dates import MONTHS, parse_month_day, resolve_date


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Mar 6, 2023", (3, 6, 2023)),
        ("Sep 29, 2025", (9, 29, 2025)),
        ("May 31", (5, 31, None)),
        ("Feb 29", (2, 29, None)),
        ("Feb 29, 2024", (2, 29, 2024)),
        ("  Dec 1  ", (12, 1, None)),
    ],
)
def test_parse_month_day(text, expected):
    assert parse_month_day(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "May", "May 31 2024", "Mai 3", "may 3", "May 0", "Apr 31", "Feb 30", "Feb 29, 2023", "2023-03-06", "Mar 6,2023"],
)
def test_parse_month_day_rejects(text):
    with pytest.raises(ValueError):
        parse_month_day(text)


def test_months_are_the_twelve_english_abbreviations():
    assert list(MONTHS) == ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    assert list(MONTHS.values()) == list(range(1, 13))


@pytest.mark.parametrize(
    "month, day, capture, expected",
    [
        (5, 31, dt.date(2026, 11, 24), dt.date(2026, 5, 31)),  # earlier this year
        (11, 24, dt.date(2026, 11, 24), dt.date(2026, 11, 24)),  # the capture day itself
        (11, 25, dt.date(2026, 11, 24), dt.date(2025, 11, 25)),  # tomorrow -> last year
        (12, 31, dt.date(2026, 1, 1), dt.date(2025, 12, 31)),
        (1, 1, dt.date(2026, 1, 1), dt.date(2026, 1, 1)),
        (2, 29, dt.date(2026, 11, 24), dt.date(2024, 2, 29)),  # latest leap year
        (2, 29, dt.date(2024, 2, 28), dt.date(2020, 2, 29)),  # leap day not reached yet
        (2, 29, dt.date(2024, 2, 29), dt.date(2024, 2, 29)),
        (2, 29, dt.date(1903, 6, 1), dt.date(1896, 2, 29)),  # 1900 is no leap year
    ],
)
def test_resolve_yearless_date_is_latest_on_or_before_capture(month, day, capture, expected):
    resolved = resolve_date(month, day, None, capture)
    assert resolved == expected
    assert resolved <= capture


def test_resolve_date_with_year_is_kept_even_after_capture():
    assert resolve_date(3, 6, 2023, dt.date(2020, 1, 1)) == dt.date(2023, 3, 6)


@pytest.mark.parametrize("month, day, year", [(2, 29, 2023), (4, 31, 2024), (2, 30, None), (13, 1, None), (4, 31, None)])
def test_resolve_date_rejects_impossible_days(month, day, year):
    with pytest.raises(ValueError):
        resolve_date(month, day, year, dt.date(2026, 11, 24))
