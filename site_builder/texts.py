"""A paper's long texts: the plain texts pages and feeds show (`PaperText`, derived once per
paper by `paper_text` when it is loaded), and `TextStore`, which keeps them packed.

`content.py` makes them (in its worker processes, with the HTML); views, feeds and pages read
them instead of parsing a paper's Markdown again.
"""

from __future__ import annotations

import array
import marshal
from collections.abc import Sequence
from dataclasses import dataclass, fields

import lz4.block

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
    """Every paper's texts (`PaperText`, abstract HTML included, and its Markdown body), packed
    (`pack_texts`): one record per paper, all in one `bytes` object, found by offset.

    Why: these texts are most of the model's memory (about 7 KB a paper), and a worker process
    that inherits them by fork would copy every page whose objects it merely reads (reference
    counts are writes). One bytes object is one object: a worker copies nothing of it, and
    unpacks the few records it needs. The long texts (body, abstract HTML and text: 5 KB) are
    compressed with LZ4 to under a third (zlib would make them a fifth, at 8 times the time of
    compressing, and 4 of decompressing); the short ones (title, description, excerpt: 1 KB) are
    not, because every list a paper is on reads them."""

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

    def get_short(self, slug: str) -> PaperText | None:
        """The paper's texts WITHOUT the long ones (`abstract_text` and `abstract_html` are
        ""): what a card or a feed excerpt shows, read without decompressing anything."""
        i = self._number.get(slug)
        if i is None:
            return None
        record = memoryview(self._data)[self._offsets[i] : self._offsets[i + 1]]
        short = marshal.loads(record[_LENGTH : _LENGTH + int.from_bytes(record[:_LENGTH], "little")])
        return PaperText(*short, abstract_text="")

    def body(self, slug: str) -> str | None:
        record = self._record(slug)
        return None if record is None else record[0]


_SHORT = TEXT_FIELDS.index("abstract_text")  # the texts before it are kept uncompressed
assert _SHORT == len(TEXT_FIELDS) - 1, "pack_texts keeps the short texts first"
_LENGTH = 4  # bytes of the short part's length, at the start of a record


def pack_texts(body: str, abstract_html: str, texts: Sequence[str]) -> bytes:
    """A record of `TextStore`: the short part's length, the short texts (marshal), then the
    long ones (marshal, LZ4)."""
    short = marshal.dumps(tuple(texts[:_SHORT]))
    long = lz4.block.compress(marshal.dumps((body, abstract_html, *texts[_SHORT:])))
    return len(short).to_bytes(_LENGTH, "little") + short + long


def unpack_texts(record: bytes) -> tuple[str, ...]:
    """(body, abstract_html, *`TEXT_FIELDS`)."""
    end = _LENGTH + int.from_bytes(record[:_LENGTH], "little")
    body, abstract_html, *long = marshal.loads(lz4.block.decompress(record[end:]))
    return (body, abstract_html, *marshal.loads(record[_LENGTH:end]), *long)
