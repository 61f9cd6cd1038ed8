"""A paper found in one dump takes a shortcut through merging (`merge._single`); it must give
exactly what the general merge gives for a group of one."""

from __future__ import annotations

import datetime as dt

import pytest

from site_builder.ingest.merge import _merge_many, _Seen, _single
from site_builder.records import AUTHOR_PROFILE, DAILY_LIST, PaperRecord

D = dt.date


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"authors": ("Ann Lee", "Bo Chen"), "authors_complete": True, "affiliations": ("pku", "mit", "pku")},
        {"authors": ("Ann Lee",), "authors_complete": False, "author_count": 7, "date": D(2024, 2, 29)},
        {"authors": (), "authors_complete": True},  # no names: never "complete"
        {"categories": ("cs.LG", "math.OC", "cs.LG"), "code": True, "upvotes": 0},
        {"organization": "", "upvotes": 12},  # an empty organisation is none
        {"organization": "University of Vienna", "author_count": 3},
    ],
)
@pytest.mark.parametrize("fmt, priority", [(AUTHOR_PROFILE, 0), (DAILY_LIST, 2)])
def test_a_paper_found_once_merges_as_a_group_of_one(fields, fmt, priority):
    record = PaperRecord(title="A Title", abstract="An abstract.", line=4, **fields)
    seen = _Seen(record, "003_daily.txt", priority, D(2025, 5, 25))
    assert _single("atitle", seen) == _merge_many("atitle", [seen])
