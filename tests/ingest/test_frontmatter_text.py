"""The direct front-matter writer (`frontmatter._render_known`) against libyaml's emitter.

Ingest writes 10,000 files per run with the direct writer; the committed content and the
edit-preservation rule rely on it writing byte for byte what the emitter writes. It may decline
(return None, the emitter then writes the file); when it answers, it must be exact.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
import yaml

from site_builder.ingest import frontmatter
from site_builder.ingest.frontmatter import AUTHOR_FIELDS, PAPER_FIELDS, render_yaml

_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

# Pieces that decide quoting: indicators, resolvable words (YAML 1.1 booleans, numbers, dates,
# sexagesimals, null, merge key), spaces, breaks, characters libyaml escapes, non-ASCII.
_PIECES = [
    "a", "Z", "0", "1", "9", "x", " ", "  ", ":", ": ", "#", " #", "-", "- ", "--", "---", "?", "? ",
    ".", "...", ",", "[", "]", "{", "}", "&", "*", "!", "|", ">", "'", '"', "%", "@", "`", "\\", "~",
    "=", "<<", "_", "+", "e", "E", "true", "No", "yes", "ON", "null", "NULL", "1.5", "-3", "0x1F",
    "0o7", "1_000", ".inf", ".NaN", "2023-01-02", "2023-1-2 10:30", "12:30:00", "190:20:30",
    "\t", "\n", "\r", "\x85", "\u2028", "\u2029", "\ufeff", "\x7f", "\x01", "\xa0", "\ufffe",
    "é", "ε", "ℓ∞", "–", "“", "🙂", "\U0001d4b3", "\ue000", "\ud7ff",
]


def _random_texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 5))) for _ in range(count)]


def _emitted(values: dict) -> str:
    return yaml.dump(values, Dumper=_DUMPER, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1 << 20)


@pytest.mark.parametrize("seed", range(4))
def test_direct_text_is_what_the_emitter_writes_for_random_texts(seed):
    texts = _random_texts(1500, seed)
    answered = 0
    for i, text in enumerate(texts):
        values = {"title": text, "authors": [text, texts[i - 1]], "organization": text, "tags": [], "upvotes": None}
        direct = frontmatter._render_known(values)
        if direct is not None:
            answered += 1
            assert direct == _emitted(values), repr(text)
    assert answered > len(texts) // 4  # it does answer for a good share of even these texts


def test_direct_text_covers_every_value_ingest_writes():
    paper = {
        "title": "Adam: A Method for Stochastic Optimization -- it's 'fast' #1 at 50% (ε-stationary)",
        "slug": "adam-a-method-for-stochastic-optimization",
        "authors": ["Diederik P. Kingma", "Jimmy Ba", "Łukasz Kaiser"],
        "authors_complete": False,
        "author_count": 2,
        "affiliations": [],
        "date": dt.date(2014, 12, 22),
        "added": dt.date(2026, 11, 24),
        "categories": ["cs.LG", "quant-ph"],
        "tags": ["optimization"],
        "code": True,
        "upvotes": -1,
        "organization": None,
        "sources": ["000_043ef1eb0ec81c75.txt"],
    }
    direct = frontmatter._render_known(paper)
    assert direct is not None
    assert direct == _emitted(paper) == render_yaml(paper, PAPER_FIELDS)
    profile = dict(zip(AUTHOR_FIELDS, ["Yurii Nesterov", "math.OC", 19, 41, 1609, "62%", 61, "000_x.txt", dt.date(2025, 5, 1)]))
    assert frontmatter._render_known(profile) == _emitted(profile)


@pytest.mark.parametrize(
    "values",
    [
        {"title": "tab\there"},  # double-quoted with an escape
        {"title": "two\nlines"},
        {"title": "emoji 🙂"},  # beyond U+FFFF: libyaml escapes it
        {"title": "x", "my_note": "a key a person added"},
        {"authors": [{"name": "Ann"}]},
        {"upvotes": 1.5},
        {"date": dt.datetime(2023, 1, 2, 10, 30)},
        {"tags": [1, 2]},
    ],
)
def test_anything_else_is_left_to_the_emitter(values):
    assert frontmatter._render_known(values) is None
    assert render_yaml(values, ()) == _emitted(values)
