"""Raw dumps in the layouts of the seeds: the daily-papers list (content/sources/003_*.txt) and
the author profile page (content/sources/000_*.txt), byte for byte in structure.

Dates follow the listing pages: the year is left out when it is the capture year, so a dump
captured within the year before `--as-of` resolves every date exactly.
"""

from __future__ import annotations

import datetime as dt

from benchmarks.corpus import SyntheticPaper
from benchmarks.vocabulary import CATEGORIES

_CODES = {arxiv: code for arxiv, code, _ in CATEGORIES}
DAILY_CHROME = (
    "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nDaily Papers\n\n"
    "byAK and the research community\n\n"
)


def month_day(day: dt.date, year_of_capture: int | None) -> str:
    """`Jul 7, 2023`, or `Feb 4` when `day` falls in the capture year."""
    text = f"{day:%b} {day.day}"
    return text if day.year == year_of_capture else f"{text}, {day.year}"


def daily_block(paper: SyntheticPaper, captured: dt.date) -> str:
    """One paper of a daily list: title, abstract, `  • N authors` or the organisation line,
    `·`, and the date line with the upvotes when counted."""
    if paper.organization is not None:
        who = f"{paper.organization[0]} {paper.organization[1]}"
    else:
        who = f"  \u2022 {len(paper.all_authors)} authors"
    day = paper.date or paper.added
    when = month_day(day, captured.year)
    if paper.upvotes:
        when = f"{when} {paper.upvotes}"
    return f"{paper.title}\n\n{paper.abstract}\n\n{who}\n\u00b7\n{when}"


def daily_dump(captured: dt.date, papers: list[SyntheticPaper]) -> str:
    """A daily-papers page captured on `captured` (no trailing newline, like the seeds)."""
    blocks = "\n\n".join(daily_block(p, captured) for p in papers)
    return f"{DAILY_CHROME}{captured:%b} {captured.day}\n\n{blocks}"


def profile_entry(paper: SyntheticPaper, as_of: dt.date) -> str:
    """One paper of an author profile: `<CODE><date>[Code]`, title, authors (three, then
    `et al.`) with `· affiliations`, abstract."""
    head = f"{_CODES[paper.categories[0]]}{month_day(paper.date or paper.added, as_of.year)}"
    if paper.code:
        head += "Code"
    names = ", ".join(paper.all_authors[:3])
    if len(paper.all_authors) > 3:
        names += " et al."
    if paper.affiliations:
        names += " \u00b7 " + ", ".join(paper.affiliations)
    return f"{head}\n{paper.title}\n\n{names}\n\n{paper.abstract}"


def profile_dump(name: str, figures: dict, papers: list[SyntheticPaper], as_of: dt.date) -> str:
    """An author profile page: the header figures, then one entry per paper."""
    header = (
        f"{name}\n\n{_CODES[figures['primary_category']]}\nh-index{figures['h_index']}\n"
        f"{figures['papers']}papers\n{figures['citations']:,}citations\nNovelty{figures['novelty']}%\n"
        f"AI Score{figures['ai_score']}\n\n{len(papers)} Papers\n\n"
    )
    return header + "\n\n".join(profile_entry(p, as_of) for p in papers)
