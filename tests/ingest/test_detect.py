"""Format detection from the text's structure, and parse_dump's dispatch (detect.py)."""

import datetime as dt
from pathlib import Path

import pytest

from site_builder.errors import IngestError
from site_builder.ingest.detect import detect_format, parse_dump
from site_builder.records import AUTHOR_PROFILE, DAILY_LIST, PROFILE_LIST, SEARCH_LIST

AS_OF = dt.date(2026, 11, 24)
SOURCES = Path(__file__).resolve().parents[2] / "content" / "sources"
LONG = "We prove that the method converges at the optimal rate in every setting we consider. " * 4

PROFILE = f"""Ann Lee

OC
h-index3
7papers
12citations

LGMay 31
A Title

Ann Lee, Bo Chen

{LONG}
"""
HEADERLESS_PROFILE = f"""LGMay 31
A Title

Ann Lee, Bo Chen

{LONG}
"""
PROFILE_LIST_TEXT = f"""OCApr 3, 2022
A TitleAnn Lee, Bo Chen
{LONG}
"""
SEARCH = f"""Get trending papers in your email inbox once a day!
SubscribeA Title
{LONG}
Another Title
{LONG}
"""
SEARCH_WITHOUT_TRENDING_LINE = f"SubscribeA Title\n{LONG}\n"
DAILY = f"""Daily Papers

May 25

A Title

{LONG}

  \u2022 2 authors
\u00b7
May 3
"""
DAILY_WITHOUT_CHROME = f"A Title\n\n{LONG}\n\nmit MIT\n\u00b7\nMay 3 4\n"

README = """# site_builder

Turn scraped research-paper listing dumps into a research-digest website.

    pip install -e . && site-builder build

Subscribe to our newsletter. See the docs for the content contract (May 25, 2024).
"""
PROSE = "It was a bright cold day in April, and the clocks were striking thirteen.\n" * 5


@pytest.mark.parametrize(
    "text, expected",
    [
        (PROFILE, AUTHOR_PROFILE),
        (HEADERLESS_PROFILE, AUTHOR_PROFILE),
        (PROFILE_LIST_TEXT, PROFILE_LIST),
        ("Lost Head LineAnn Lee\n" + LONG + "\n" + PROFILE_LIST_TEXT, PROFILE_LIST),  # first entry broken
        (SEARCH, SEARCH_LIST),
        (SEARCH_WITHOUT_TRENDING_LINE, SEARCH_LIST),
        (DAILY, DAILY_LIST),
        (DAILY_WITHOUT_CHROME, DAILY_LIST),
        (PROFILE.replace("\n", "\r\n"), AUTHOR_PROFILE),
        (README, None),
        (PROSE, None),
        ("LG\nMay 31\n", None),
        ("", None),
        ("\n \n", None),
    ],
)
def test_detect_format_on_strings(text, expected):
    assert detect_format(text) == expected


@pytest.mark.parametrize(
    "name, expected",
    [
        ("000_043ef1eb0ec81c75.txt", AUTHOR_PROFILE),
        ("001_f04deae0d2f5f7cf.txt", PROFILE_LIST),
        ("002_aed40722673f7a63.txt", SEARCH_LIST),
        ("003_59fe14b212176fd7.txt", DAILY_LIST),
        ("004_ed8c7cc6d311300a.txt", DAILY_LIST),
    ],
)
def test_detect_format_on_seeds(name, expected):
    assert detect_format((SOURCES / name).read_text(encoding="utf-8")) == expected


@pytest.mark.parametrize(
    "text, expected",
    [(PROFILE, AUTHOR_PROFILE), (PROFILE_LIST_TEXT, PROFILE_LIST), (SEARCH, SEARCH_LIST), (DAILY, DAILY_LIST)],
)
def test_parse_dump_dispatches(text, expected):
    dump = parse_dump(text, AS_OF)
    assert dump.format == expected
    assert dump.papers and dump.problems == ()
    assert dump.papers[0].title == "A Title"


@pytest.mark.parametrize("text, line", [(README, 1), ("\n\n" + PROSE, 3)])
def test_parse_dump_rejects_unknown_text(text, line):
    with pytest.raises(IngestError) as info:
        parse_dump(text, AS_OF)
    assert "not a known dump format: expected an author profile page" in str(info.value)
    assert info.value.line == line
    assert str(info.value.with_path("notes.txt")).startswith(f"notes.txt:{line}: not a known dump format")
