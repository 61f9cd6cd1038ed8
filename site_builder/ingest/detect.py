"""Which of the four dump formats a text is, judged from its structure (never its file name).

Each format has a mark the others lack:
- author profile: header counters (`h-index19`, `1,609citations`) before the first entry, or entries
  whose title is followed by a blank line (the profile's spacing; a profile list has none);
- daily list: the `Daily Papers` chrome, or a `·` line followed by a date line;
- profile list: an entry head (`OCApr 3, 2022`) on one of the first lines, followed directly by
  a non-blank line;
- search list: the `Get trending papers ...` chrome without any of the above.
Prose (a README, an e-mail) has none of these marks and is no format.
"""

from __future__ import annotations

import datetime as dt
import re

from site_builder.errors import IngestError
from site_builder.ingest.daily_list import DATE_LINE_RE, SEPARATOR, parse_daily_list
from site_builder.ingest.dumps import numbered_lines
from site_builder.ingest.profile import is_entry_head, parse_author_profile
from site_builder.ingest.profile_list import parse_profile_list
from site_builder.ingest.search_list import SUBSCRIBE, TRENDING_CHROME_RE, parse_search_list
from site_builder.records import AUTHOR_PROFILE, DAILY_LIST, PROFILE_LIST, SEARCH_LIST, ParsedDump

NOT_A_DUMP = (
    "not a known dump format: expected an author profile page, a profile list, "
    "a search-result list or a daily-papers list"
)
_PROFILE_COUNTER_RE = re.compile(r"h-index\s*\d[\d,]*|\d[\d,]*\s*citations")
_GLUED_SUBSCRIBE_RE = re.compile(SUBSCRIBE + r"[A-Z0-9]")
_HEADER_WINDOW = 20
# A list whose first entry lost its head line still starts with an entry head a line or two later.
_STRAY_LINES = 2  # chrome and profile headers sit in the first lines

_PARSERS = {
    AUTHOR_PROFILE: parse_author_profile,
    PROFILE_LIST: parse_profile_list,
    SEARCH_LIST: parse_search_list,
    DAILY_LIST: parse_daily_list,
}


def detect_format(text: str) -> str | None:
    """One of the `site_builder.records` format names, or None when the text is none of them."""
    lines = numbered_lines(text)
    if not lines:
        return None
    head = lines[:_HEADER_WINDOW]
    first_entry = next((k for k, (_, line) in enumerate(lines) if is_entry_head(line)), None)
    before_entries = lines[:first_entry] if first_entry is not None else head
    if first_entry is not None and any(_PROFILE_COUNTER_RE.fullmatch(line) for _, line in before_entries):
        return AUTHOR_PROFILE
    if any(line == "Daily Papers" for _, line in head) or _has_separator_and_date(lines):
        return DAILY_LIST
    if first_entry is not None and first_entry <= _STRAY_LINES:
        return AUTHOR_PROFILE if _blank_after_title(text, lines[first_entry][0]) else PROFILE_LIST
    if any(TRENDING_CHROME_RE.fullmatch(line) or _GLUED_SUBSCRIBE_RE.match(line) for _, line in head[:3]):
        return SEARCH_LIST
    return None


def parse_dump(text: str, as_of: dt.date) -> ParsedDump:
    """Detect the format of `text` and parse it. Raises IngestError when it is no known format."""
    kind = detect_format(text)
    if kind is None:
        lines = numbered_lines(text)
        raise IngestError(NOT_A_DUMP, line=lines[0][0] if lines else 1)
    return _PARSERS[kind](text, as_of)


def _has_separator_and_date(lines: list[tuple[int, str]]) -> bool:
    return any(
        line == SEPARATOR and DATE_LINE_RE.fullmatch(lines[k + 1][1])
        for k, (_, line) in enumerate(lines[:-1])
    )


def _blank_after_title(text: str, head_line: int) -> bool:
    """In a profile the entry head and title are followed by a blank line; in a profile list the
    title-and-authors line is followed directly by the abstract."""
    raw = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    after_title = head_line + 1  # 0-based index of the line after the title
    return after_title < len(raw) and not raw[after_title].strip()
