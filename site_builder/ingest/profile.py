"""Author profile pages (format 1), and the entry pieces the header-less profile list shares.

An author profile is a header, then one entry per paper, blank lines between the parts:

    Cong Fang                      <- header: name, primary category, counters
    LG
    h-index19
    41papers
    1,609citations
    Novelty62%
    AI Score61
    41 Papers                      <- how many entries the page lists

    STMar 6, 2023                  <- entry head: category code, date (year optional), `Code` badge
    Environment Invariant Linear Least Squares
    Jianqing Fan, Cong Fang, Yihong Gu et al. · princeton
    This paper considers ...       <- abstract (further non-blank lines are more paragraphs)

Entries are found by their head line, so a broken entry never swallows its neighbours.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from site_builder.errors import Problem
from site_builder.ingest.categories import map_category, unknown_category_message
from site_builder.ingest.dates import MONTH_PATTERN, parse_month_day, resolve_date
from site_builder.ingest.dumps import last_line_number, numbered_lines
from site_builder.records import AUTHOR_PROFILE, PaperRecord, ParsedDump, ProfileHeader

Line = tuple[int, str]  # (1-based line number, stripped text)

# `STMar 6, 2023`, `LGSep 29, 2025Code`, `QUANT-PHJun 5, 2024`, `LGMay 31`. The code is matched
# lazily so it stops where a month name starts (`MAMay 5` -> `MA` + `May 5`).
ENTRY_HEAD_RE = re.compile(
    rf"(?P<code>[A-Z][A-Z0-9.-]*?)(?P<date>(?:{MONTH_PATTERN}) \d{{1,2}}(?:, \d{{4}})?)(?P<badge>Code)?"
)
_ET_AL_RE = re.compile(r",?\s*\bet al\.?$")
_HEADER_FIELDS = {
    "h_index": re.compile(r"h-index\s*(\d[\d,]*)"),
    "papers": re.compile(r"(\d[\d,]*)papers"),
    "citations": re.compile(r"(\d[\d,]*)\s*citations"),
    "novelty": re.compile(r"Novelty\s*(\d+)\s*%"),
    "ai_score": re.compile(r"AI Score\s*(\d+)"),
}
_LISTED_COUNT_RE = re.compile(r"(\d[\d,]*) Papers?")
_CATEGORY_LINE_RE = re.compile(r"[A-Z][A-Z0-9.-]*")


@dataclass(frozen=True)
class EntryHead:
    """What an entry's first line says."""

    category: str  # arXiv id, or the code as written when unknown
    known_category: bool
    date: dt.date
    code: bool  # the `Code` badge


def is_entry_head(line: str) -> bool:
    return ENTRY_HEAD_RE.fullmatch(line) is not None


def parse_entry_head(line: str, as_of: dt.date) -> EntryHead:
    """`LGSep 29, 2025Code` -> cs.LG, 2025-09-29, code badge. Raises ValueError."""
    match = ENTRY_HEAD_RE.fullmatch(line)
    if match is None:
        raise ValueError(f"expected a category/date line like 'LGMar 6, 2023', found {line!r}")
    month, day, year = parse_month_day(match["date"])
    category, known = map_category(match["code"])
    return EntryHead(category, known, resolve_date(month, day, year, as_of), match["badge"] is not None)


def parse_entries(
    entries: list[list[Line]],
    parse_entry: Callable[[list[Line], dt.date, list[Problem]], PaperRecord],
    as_of: dt.date,
    warnings: list[Problem],
    text: str,
) -> tuple[list[PaperRecord], list[Problem]]:
    """Parse each entry of a profile page or list; a broken entry becomes a problem at its first
    line and the others are kept. No entries at all is a problem too."""
    papers: list[PaperRecord] = []
    problems: list[Problem] = []
    for entry in entries:
        try:
            papers.append(parse_entry(entry, as_of, warnings))
        except ValueError as exc:
            problems.append(Problem(str(exc), None, entry[0][0]))
    if not entries:
        problems.append(Problem(
            "no papers found: expected entries starting with a category/date line like 'LGMar 6, 2023'",
            None, last_line_number(text),
        ))
    return papers, problems


def split_entries(lines: list[Line]) -> tuple[list[Line], list[list[Line]]]:
    """(lines before the first entry head, one list of lines per entry starting at its head)."""
    header: list[Line] = []
    entries: list[list[Line]] = []
    for line in lines:
        if is_entry_head(line[1]):
            entries.append([line])
        elif entries:
            entries[-1].append(line)
        else:
            header.append(line)
    return header, entries


def split_affiliations(line: str) -> tuple[str, tuple[str, ...]]:
    """`"A, B · bytedance, pku"` -> `("A, B", ("bytedance", "pku"))`; no `·` -> no affiliations."""
    before, dot, after = line.rpartition(" · ")
    if not dot:
        if line.endswith(" ·"):  # a separator with nothing after it
            return line[:-2].rstrip(), ()
        return line, ()
    return before.rstrip(), tuple(part.strip() for part in after.split(",") if part.strip())


def strip_et_al(text: str) -> tuple[str, bool]:
    """`"A, B et al."` -> `("A, B", False)`; a list without `et al.` is complete."""
    match = _ET_AL_RE.search(text)
    if match is None:
        return text.strip(), True
    return text[: match.start()].strip(), False


def parse_author_line(line: str) -> tuple[tuple[str, ...], bool, tuple[str, ...]]:
    """`"Jianqing Fan, Cong Fang, Yihong Gu et al. · princeton"` ->
    (authors, authors_complete, affiliations). Raises ValueError when the line is not an author list
    (which is how a missing author line is noticed: the abstract is in its place)."""
    rest, affiliations = split_affiliations(line)
    rest, complete = strip_et_al(rest)
    authors = tuple(part.strip() for part in rest.split(","))
    if not all(_looks_like_listed_name(name) for name in authors):
        raise ValueError(f"expected an author line like 'Ann Lee, Bo Chen et al. · mit', found {_excerpt(line)!r}")
    return authors, complete, affiliations


def parse_author_profile(text: str, as_of: dt.date) -> ParsedDump:
    """Parse an author profile page. `as_of` resolves yearless dates (the page shows no date)."""
    header_lines, entries = split_entries(numbered_lines(text))
    warnings: list[Problem] = []
    profile, listed = _parse_header(header_lines, warnings)
    papers, problems = parse_entries(entries, _parse_entry, as_of, warnings, text)
    if entries and listed is not None and listed[1] != len(entries):
        warnings.append(Problem(
            f"the page lists {listed[1]} papers but {len(entries)} entries were found: the dump may be cut short",
            None, listed[0],
        ))
    return ParsedDump(AUTHOR_PROFILE, tuple(papers), None, profile, tuple(problems), tuple(warnings))


def _parse_entry(entry: list[Line], as_of: dt.date, warnings: list[Problem]) -> PaperRecord:
    (number, head_text), rest = entry[0], [text for _, text in entry[1:]]
    head = parse_entry_head(head_text, as_of)
    if not rest:
        raise ValueError("entry breaks off after its category/date line: expected a title, an author line and an abstract")
    if len(rest) == 1:
        raise ValueError("entry breaks off after the title: expected an author line and an abstract")
    authors, complete, affiliations = parse_author_line(rest[1])
    if len(rest) == 2:
        raise ValueError("entry breaks off after the author line: expected an abstract")
    if not head.known_category:
        warnings.append(Problem(unknown_category_message(head.category), None, number))
    return PaperRecord(
        title=rest[0],
        abstract="\n\n".join(rest[2:]),
        line=number,
        authors=authors,
        authors_complete=complete,
        affiliations=affiliations,
        date=head.date,
        categories=(head.category,),
        code=head.code,
    )


def _parse_header(lines: list[Line], warnings: list[Problem]) -> tuple[ProfileHeader | None, tuple[int, int] | None]:
    """(the header, (line, count) of the `41 Papers` line if any). No header lines -> None."""
    if not lines:
        return None, None
    values: dict[str, int] = {}
    name: Line | None = None
    category: str | None = None
    listed: tuple[int, int] | None = None
    for number, text in lines:
        counter = next(((key, m) for key, rx in _HEADER_FIELDS.items() if (m := rx.fullmatch(text))), None)
        if counter is not None:
            values[counter[0]] = int(counter[1][1].replace(",", ""))
        elif (match := _LISTED_COUNT_RE.fullmatch(text)) is not None:
            listed = (number, int(match[1].replace(",", "")))
        elif name is None:
            name = (number, text)
        elif category is None and _CATEGORY_LINE_RE.fullmatch(text):
            category, known = map_category(text)
            if not known:
                warnings.append(Problem(unknown_category_message(text), None, number))
        else:
            warnings.append(Problem(f"unrecognised line in the profile header, ignored: {_excerpt(text)!r}", None, number))
    if name is None:
        warnings.append(Problem("profile header without an author name: header ignored", None, lines[0][0]))
        return None, listed
    header = ProfileHeader(
        name=name[1],
        primary_category=category,
        h_index=values.get("h_index"),
        papers=values.get("papers"),
        citations=values.get("citations"),
        novelty=values.get("novelty"),
        ai_score=values.get("ai_score"),
        line=name[0],
    )
    return header, listed


def _looks_like_listed_name(name: str) -> bool:
    """Loose check for one name of an author line: 1-6 words, starts with a capital or a caseless
    letter (CJK), no digits. Enough to tell an author line from an abstract sentence."""
    words = name.split()
    return (
        0 < len(words) <= 6
        and len(name) <= 80
        and name[0].isalpha()
        and not name[0].islower()
        and not any(ch.isdigit() for ch in name)
    )


def _excerpt(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
