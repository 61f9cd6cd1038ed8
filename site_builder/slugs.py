"""Slugs shared by every stage: lowercase ASCII letters, digits and single hyphens."""

from __future__ import annotations

import functools
import hashlib

from slugify import slugify as _slugify

MAX_SLUG_LENGTH = 80
# Apostrophes join, they do not separate: "Don't" -> "dont", "Sion's" -> "sions", "O'Neil" -> "oneil".
_REPLACEMENTS = [["'", ""], ["\u2019", ""], ["\u02bc", ""]]


def make_slug(text: str, max_length: int = MAX_SLUG_LENGTH) -> str:
    """`text` as a URL slug; never empty (falls back to a hash of the text)."""
    slug = _slugify(text, max_length=max_length, word_boundary=True, lowercase=True, replacements=_REPLACEMENTS)
    if not slug:
        slug = "x-" + short_hash(text)
    return slug


# python-slugify transliterates Unicode in Python (tens of microseconds a name, more on a first
# use of a Unicode block), and a build asks for the slug of every author name on every page that
# links or cites it: each spelling is slugified once per process (workers inherit the memo). The
# memo holds one entry per distinct spelling, which the site model holds anyway.
@functools.cache
def author_slug(name: str) -> str:
    """The slug of an author's page, from the name as written."""
    return make_slug(name, max_length=60)


def short_hash(text: str, length: int = 6) -> str:
    """A short, stable hex digest of `text` (used to tell colliding slugs apart)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:length]
