"""Category codes as the listing pages print them (`LG`, `QUANT-PH`) -> arXiv category ids.

Only codes whose arXiv id is certain are mapped. Many two-letter codes are ambiguous across
arXiv archives (`CO` is math.CO or stat.CO, `DS` cs.DS or math.DS, `AP` math.AP or stat.AP),
so an unmapped code is kept as written and the parser warns about it instead of guessing.
"""

from __future__ import annotations

ARXIV_CODES: dict[str, str] = {
    "LG": "cs.LG",
    "OC": "math.OC",
    "ST": "math.ST",
    "ML": "stat.ML",
    "CV": "cs.CV",
    "CL": "cs.CL",
    "AI": "cs.AI",
    "NA": "math.NA",
    "QUANT-PH": "quant-ph",
}

_KNOWN_IDS = frozenset(ARXIV_CODES.values())


def map_category(code: str) -> tuple[str, bool]:
    """`"LG"` -> `("cs.LG", True)`; an unknown code -> `(code, False)`, kept as written.

    An arXiv id that is already in its long form (`cs.LG`) is accepted as known.
    """
    code = code.strip()
    if code in ARXIV_CODES:
        return ARXIV_CODES[code], True
    if code in _KNOWN_IDS:
        return code, True
    return code, False


def unknown_category_message(code: str) -> str:
    """The warning text for a code `map_category` did not know (shared by the parsers)."""
    known = ", ".join(sorted(ARXIV_CODES))
    return f"unknown category code {code!r}: kept as written (known codes: {known})"
