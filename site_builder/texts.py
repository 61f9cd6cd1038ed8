"""A paper's long texts: the plain texts pages and feeds show (`PaperText`, derived once per
paper by `paper_text` when it is loaded), and `TextStore`, which keeps them packed.

`content.py` makes them (in its worker processes, with the HTML); views, feeds and pages read
them instead of parsing a paper's Markdown again.
"""

from __future__ import annotations

import array
import marshal
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, fields

DESCRIPTION_LENGTH = 200  # characters of abstract in a page's meta description
EXCERPT_LENGTH = 300  # characters of abstract on a paper's card and in the digest feed


@dataclass(frozen=True, slots=True)
class PaperText:
    """The plain texts of a paper that pages and feeds show, derived once (`paper_text`)."""

    title_text: str  # the title as plain text (math as written)
    description: str  # the abstract's start, DESCRIPTION_LENGTH characters at most
    excerpt: str  # the abstract's start, EXCERPT_LENGTH characters at most
    excerpt_html: str  # `excerpt` as HTML: escaped, math rendered
    abstract_text: str  # the whole abstract as plain text (JSON-LD)
    abstract_html: str = ""  # the rendered abstract, as `Paper.abstract_html` (filled by the loader)


TEXT_FIELDS = tuple(f.name for f in fields(PaperText))[:-1]  # what `paper_text` derives
RENDERED_LENGTH = 2 + len(TEXT_FIELDS)  # a render cache entry: (title_html, abstract_html, *texts)


def paper_text(title: str, body: str) -> PaperText:
    """The texts of a paper from its title and Markdown body (`site_builder.markup`: one parse
    of the abstract, memoised there, gives both its HTML and its plain text)."""
    from site_builder import markup

    cut = markup.excerpt(body, EXCERPT_LENGTH)
    return PaperText(
        title_text=markup.plain_text(title, markdown=False),
        description=markup.excerpt(body, DESCRIPTION_LENGTH),
        excerpt=cut,
        excerpt_html=markup.render_title_html(cut),
        abstract_text=markup.plain_text(body),
    )


class TextStore:
    """Every paper's long texts (`PaperText`, abstract HTML included, and its Markdown body),
    packed: one zlib-compressed record per paper, all in one `bytes` object, found by offset.

    Why: these texts are most of the model's memory (about 7 KB a paper, a fifth of that
    compressed), and a worker process that inherits them by fork would copy every page whose
    objects it merely reads (reference counts are writes). One bytes object is one object: a
    worker copies nothing of it, and unpacks the few records it needs (~10 us each)."""

    def __init__(self, slugs: Sequence[str], records: Sequence[bytes]):
        self._number = {slug: i for i, slug in enumerate(slugs)}
        offsets = [0]
        for record in records:
            offsets.append(offsets[-1] + len(record))
        self._offsets = array.array("q", offsets)
        self._data = b"".join(records)

    def __len__(self) -> int:
        return len(self._number)

    def __contains__(self, slug: object) -> bool:
        return slug in self._number

    def _record(self, slug: str) -> tuple[str, ...] | None:
        i = self._number.get(slug)
        if i is None:
            return None
        return unpack_texts(self._data[self._offsets[i] : self._offsets[i + 1]])

    def get(self, slug: str) -> PaperText | None:
        record = self._record(slug)
        return None if record is None else PaperText(*record[2:], abstract_html=record[1])

    def body(self, slug: str) -> str | None:
        record = self._record(slug)
        return None if record is None else record[0]


def pack_texts(body: str, abstract_html: str, texts: Sequence[str]) -> bytes:
    return zlib.compress(marshal.dumps((body, abstract_html, *texts)), 1)


def unpack_texts(record: bytes) -> tuple[str, ...]:
    """(body, abstract_html, *`TEXT_FIELDS`)."""
    return marshal.loads(zlib.decompress(record))
