"""Profile lists without a header (format 2): three lines per paper, no blank lines.

    OCApr 3, 2022
    Understanding the unstable convergence of gradient descentKwangjun Ahn, Jingzhao Zhang, Suvrit Sra
    Most existing analyses of (stochastic) gradient descent rely on ...

The page glued each title to its author list. `split_title_authors` undoes that:

1. Strip the optional ` · affiliations` tail and the optional ` et al.`.
2. Split the rest at `, `. The trailing segments are whole author names; one segment holds the
   end of the title glued to the first author. Titles may contain `, ` themselves, so that
   segment is the leftmost one that has a glue point and after which every segment is a name.
3. A glue point is a position where an uppercase letter follows a character that is not a space
   (`descentKwangjun`, `MDPJing`, `Tasks?Amirhesam`, `$D$Ann`, `2Ann`). Within the segment the
   RIGHTMOST glue point whose remainder is a person name of at least two words wins, which is what
   makes acronym endings work (`MDPJing Dong`: not `DPJing`, not `PJing`).
4. Capitals inside a name are not glue points: after a hyphen or apostrophe (`Ke-Wei`, `O'Neil`)
   or after a surname prefix (`DeVore`, `McDonald`, `LeCun`).

Known limit: a first author whose given name has an inner capital (`ZhiQuan Luo`) is split inside
the name (`...Zhi` + `Quan Luo`); no rule can tell that from `...descentQuan Luo` without a name list.
When no split is plausible the block is reported as a problem instead of guessing.
"""

from __future__ import annotations

import datetime as dt
import re

from site_builder.errors import Problem
from site_builder.ingest.categories import unknown_category_message
from site_builder.ingest.dumps import numbered_lines
from site_builder.ingest.profile import Line, parse_entries, parse_entry_head, split_affiliations, split_entries, strip_et_al
from site_builder.records import PROFILE_LIST, PaperRecord, ParsedDump

# Lower-case words allowed inside (never first or last in) a name: `Vincent van Gogh`, `Luca de Leo`.
NAME_PARTICLES = frozenset(
    "van von de der den del della di da das dos du le la ter ten zu bin ibn al el y e".split()
)
# Surname prefixes whose next capital belongs to the same name (`DeVore`, `McDonald`, `LeCun`).
_SURNAME_PREFIX_RE = re.compile(r"(?:Mc|Mac|De|Di|Da|Du|Le|La|Van|Von|Del|Fitz)$")
_INITIALS_RE = re.compile(r"(?:[^\W\d_]\.)+(?:-(?:[^\W\d_]\.)+)*")  # J.  J.P.  J.-P.
_NAME_WORD_CHARS = frozenset("-'’.")


def split_title_authors(line: str) -> tuple[str, tuple[str, ...], bool, tuple[str, ...]]:
    """`"Online Policy Optimization for Robust MDPJing Dong, Jingwei Li, Baoxiang Wang et al."` ->
    `("Online Policy Optimization for Robust MDP", ("Jing Dong", "Jingwei Li", "Baoxiang Wang"), False, ())`.

    Returns (title, authors, authors_complete, affiliations). Raises ValueError when no split gives
    a plausible first author (see the module docstring for the rule).
    """
    rest, affiliations = split_affiliations(line.strip())
    rest, complete = strip_et_al(rest)
    segments = _segments(rest)
    # names_after[k]: every segment after k is a person name (checked once, right to left).
    names_after = [True] * len(segments)
    for k in range(len(segments) - 2, -1, -1):
        start, end = segments[k + 1]
        names_after[k] = names_after[k + 1] and is_person_name(rest[start:end], min_words=1)
    for k, (start, end) in enumerate(segments):
        if not names_after[k]:
            continue
        for i in range(end - 1, max(start, 1) - 1, -1):
            if _is_glue_point(rest, i) and is_person_name(rest[i:end], min_words=2):
                title = rest[:i].strip()
                authors = (rest[i:end].strip(),) + tuple(rest[a:b].strip() for a, b in segments[k + 1 :])
                return title, authors, complete, affiliations
    raise ValueError(
        "cannot tell where the title ends and the author list begins: expected the title glued to "
        f"names like 'Ann Lee, Bo Chen' in {_excerpt(line)!r}"
    )


def is_person_name(text: str, min_words: int = 2) -> bool:
    """Does `text` look like one person's name? Words are capitalised (`Jingzhao`, `DeVore`,
    `Bühlmann`, `Ke-Wei`), initials (`J.`, `J.-P.`) or inner particles (`van`, `de`); caseless
    scripts (CJK) count as capitalised. At most 6 words."""
    words = text.split()
    if not min_words <= len(words) <= 6:
        return False
    if words[0] in NAME_PARTICLES or words[-1] in NAME_PARTICLES:
        return False
    return all(word in NAME_PARTICLES or _is_name_word(word) for word in words)


def parse_profile_list(text: str, as_of: dt.date) -> ParsedDump:
    """Parse a header-less profile list. `as_of` resolves yearless dates (the list shows no date)."""
    header, entries = split_entries(numbered_lines(text))
    problems: list[Problem] = []
    warnings: list[Problem] = []
    if header:
        problems.append(Problem(
            f"{len(header)} line(s) before the first entry ignored: expected a category/date line like 'LGMar 6, 2023'",
            None, header[0][0],
        ))
    papers, entry_problems = parse_entries(entries, _parse_entry, as_of, warnings, text)
    problems += entry_problems
    return ParsedDump(PROFILE_LIST, tuple(papers), None, None, tuple(problems), tuple(warnings))


def _parse_entry(entry: list[Line], as_of: dt.date, warnings: list[Problem]) -> PaperRecord:
    (number, head_text), rest = entry[0], [text for _, text in entry[1:]]
    head = parse_entry_head(head_text, as_of)
    if not rest:
        raise ValueError("entry breaks off after its category/date line: expected the title with its authors and an abstract")
    title, authors, complete, affiliations = split_title_authors(rest[0])
    if len(rest) == 1:
        raise ValueError("entry breaks off after the title and authors: expected an abstract")
    if not head.known_category:
        warnings.append(Problem(unknown_category_message(head.category), None, number))
    return PaperRecord(
        title=title,
        abstract="\n\n".join(rest[1:]),
        line=number,
        authors=authors,
        authors_complete=complete,
        affiliations=affiliations,
        date=head.date,
        categories=(head.category,),
        code=head.code,
    )


def _segments(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the `, `-separated parts of `text`, so slices keep the exact text."""
    bounds, start = [], 0
    for match in re.finditer(", ", text):
        bounds.append((start, match.start()))
        start = match.end()
    bounds.append((start, len(text)))
    return bounds


def _is_glue_point(text: str, i: int) -> bool:
    before = text[i - 1]
    return (
        text[i].isupper()
        and not before.isspace()
        and before not in "-'’"
        and _SURNAME_PREFIX_RE.search(text[max(0, i - 4) : i]) is None  # prefixes are <= 4 letters
    )


def _is_name_word(word: str) -> bool:
    if _INITIALS_RE.fullmatch(word):
        return word[0].isupper() or not word[0].islower()
    if not word[0].isalpha() or word[0].islower():
        return False
    if not all(ch.isalpha() or ch in _NAME_WORD_CHARS for ch in word):
        return False
    if word.endswith((".", "-")):
        return False
    # A word of capitals only is an acronym (`MDP`), not a name; caseless scripts have neither case.
    return any(ch.islower() for ch in word) or not any(ch.isupper() for ch in word)


def _excerpt(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
