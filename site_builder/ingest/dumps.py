"""Dump bytes -> dump text, and the line helpers every format parser shares.

`decode_dump` is the one place that decides whether a file is a readable text dump at all:
empty, binary and non-UTF-8 input are rejected here with a message that says what was expected,
so the format parsers only ever see clean text with `\\n` line endings.
"""

from __future__ import annotations

from site_builder.errors import IngestError

_BOM = b"\xef\xbb\xbf"
# Bytes that never occur in a text dump (C0 controls other than tab, newlines, form feed; DEL).
_CONTROL_BYTES = bytes(sorted((set(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D}) | {0x7F}))
# More than this share of control characters means the file is not text at all.
_BINARY_SHARE = 0.05
_SAMPLE = 64 * 1024


def decode_dump(data: bytes) -> str:
    """Decode a dump file's bytes to text: strip a UTF-8 BOM, normalise CRLF/CR to LF.

    Raises IngestError (line filled in where known) for empty or whitespace-only input,
    binary data and bytes that are not UTF-8.
    """
    body = data[len(_BOM):] if data.startswith(_BOM) else data
    if not body.strip():
        raise IngestError("empty dump: expected a paper-listing page")
    nul = body.find(b"\x00")
    if nul != -1:
        raise IngestError(
            f"binary data (a NUL byte at offset {nul + len(data) - len(body)}): "
            "expected a paper-listing page as UTF-8 text",
            line=_line_of(data, nul + len(data) - len(body)),
        )
    if _looks_binary(body[:_SAMPLE]):
        raise IngestError("binary data (mostly control bytes): expected a paper-listing page as UTF-8 text")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + len(data) - len(body)
        line = _line_of(data, offset)
        raise IngestError(
            f"not UTF-8: byte 0x{data[offset]:02x} at offset {offset} (line {line}) cannot be decoded; "
            "expected UTF-8 text",
            line=line,
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():  # e.g. only no-break spaces
        raise IngestError("empty dump: expected a paper-listing page")
    return text


def numbered_lines(text: str) -> list[tuple[int, str]]:
    """The non-blank lines of `text` as `(1-based line number, stripped text)`.

    Splits on `\\n` (and CR, for text that did not come through `decode_dump`) only, so the
    numbers match what an editor shows; `str.splitlines` would also split on form feeds and
    U+2028 and shift every later line number.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [(number, line.strip()) for number, line in enumerate(text.split("\n"), 1) if line.strip()]


def last_line_number(text: str) -> int:
    """The number of the last line of `text` (where a dump "breaks off")."""
    return text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n").count("\n") + 1


def _looks_binary(sample: bytes) -> bool:
    control = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return control > _BINARY_SHARE * len(sample)


def _line_of(data: bytes, offset: int) -> int:
    """1-based line of byte `offset`, counting LF, CRLF and lone CR as line ends."""
    before = data[:offset]
    return before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1
