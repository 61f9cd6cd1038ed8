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


class PackedRecords:
    """Byte records by key, all in one `bytes` object, found by offset.

    Why: a worker process that inherits many small objects by fork copies every memory page
    whose objects it merely reads (reference counts are writes). One bytes object is one object:
    a worker copies nothing of it, and reads the few records it needs."""

    def __init__(self, keys: Sequence[str], records: Sequence[bytes]):
        self._number = {key: i for i, key in enumerate(keys)}
        self._offsets = array.array("q", [0])
        for record in records:
            self._offsets.append(self._offsets[-1] + len(record))
        self._data = b"".join(records)

    @classmethod
    def from_parts(cls, keys: Sequence[str], parts: Sequence[tuple[Sequence[int], bytes]]) -> PackedRecords:
        """The records of `pack`ed parts (made in several processes), in key order."""
        store = cls((), ())
        store._number = {key: i for i, key in enumerate(keys)}
        for lengths, _ in parts:
            for length in lengths:
                store._offsets.append(store._offsets[-1] + length)
        store._data = b"".join(data for _, data in parts)
        assert len(store._offsets) == len(keys) + 1, "one record per key"
        return store

    @staticmethod
    def pack(records: Sequence[bytes]) -> tuple[list[int], bytes]:
        """(lengths, joined bytes) of some records: a part of a store, cheap to send."""
        return [len(record) for record in records], b"".join(records)

    def __len__(self) -> int:
        return len(self._number)

    def __contains__(self, key: object) -> bool:
        return key in self._number

    def record(self, key: str) -> memoryview | None:
        i = self._number.get(key)
        return None if i is None else memoryview(self._data)[self._offsets[i] : self._offsets[i + 1]]


class TextStore(PackedRecords):
    """Every paper's texts (`PaperText`, abstract HTML included, and its Markdown body), one
    `pack_texts` record per paper.

    These texts are most of the model's memory (about 7 KB a paper). The long texts (body,
    abstract HTML and text: 5 KB) are compressed with LZ4 to under a third (zlib would make them
    a fifth, at 8 times the time of compressing, and 4 of decompressing); the short ones (title,
    description, excerpt: 1 KB) are not, because every list a paper is on reads them."""

    def get(self, slug: str) -> PaperText | None:
        record = self.record(slug)
        if record is None:
            return None
        texts = unpack_texts(record)
        return PaperText(*texts[2:], abstract_html=texts[1])

    def get_short(self, slug: str) -> PaperText | None:
        """The paper's texts WITHOUT the long ones (`abstract_text` and `abstract_html` are
        ""): what a card or a feed excerpt shows, read without decompressing anything."""
        record = self.record(slug)
        if record is None:
            return None
        return PaperText(*_short_texts(record), abstract_text="")

    def excerpt_html(self, slug: str) -> str | None:
        """The paper's `excerpt_html` alone (what a card shows): `get_short` without making a
        `PaperText`, a third of its cost."""
        record = self.record(slug)
        if record is None:
            return None
        return _short_texts(record)[_EXCERPT_HTML]

    def title_and_abstract_html(self, slug: str) -> tuple[str, str] | None:
        """(`title_text`, `abstract_html`): what a paper's feed item shows, read without making
        a `PaperText`."""
        record = self.record(slug)
        if record is None:
            return None
        abstract_html = marshal.loads(lz4.block.decompress(record[_short_end(record):]))[1]
        return _short_texts(record)[_TITLE_TEXT], abstract_html


NO_TEXTS = TextStore((), ())  # for a model rendered without `load_content`'s texts: derived as needed


_SHORT = TEXT_FIELDS.index("abstract_text")  # the texts before it are kept uncompressed
assert _SHORT == len(TEXT_FIELDS) - 1, "pack_texts keeps the short texts first"
_TITLE_TEXT, _EXCERPT_HTML = TEXT_FIELDS.index("title_text"), TEXT_FIELDS.index("excerpt_html")
_LENGTH = 4  # bytes of the short part's length, at the start of a record


def pack_texts(body: str, abstract_html: str, texts: Sequence[str]) -> bytes:
    """A record of `TextStore`: the short part's length, the short texts (marshal), then the
    long ones (marshal, LZ4)."""
    short = marshal.dumps(tuple(texts[:_SHORT]))
    long = lz4.block.compress(marshal.dumps((body, abstract_html, *texts[_SHORT:])))
    return len(short).to_bytes(_LENGTH, "little") + short + long


def unpack_texts(record: bytes | memoryview) -> tuple[str, ...]:
    """(body, abstract_html, *`TEXT_FIELDS`)."""
    body, abstract_html, *long = marshal.loads(lz4.block.decompress(record[_short_end(record):]))
    return (body, abstract_html, *_short_texts(record), *long)


def _short_texts(record: bytes | memoryview) -> tuple[str, ...]:
    """A record's uncompressed texts: `TEXT_FIELDS` up to `abstract_text`."""
    return marshal.loads(record[_LENGTH : _short_end(record)])


def _short_end(record: bytes | memoryview) -> int:
    """Where a record's short texts end (and its compressed long texts begin)."""
    return _LENGTH + int.from_bytes(record[:_LENGTH], "little")
