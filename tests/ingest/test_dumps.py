"""decode_dump: bytes -> text, and every kind of unreadable input (dumps.py)."""

import pytest

from site_builder.errors import IngestError
from site_builder.ingest.dumps import decode_dump, last_line_number, numbered_lines


def test_plain_utf8_is_returned_unchanged():
    assert decode_dump("Title\nAbstract with $\\ell_2$ and ε\n".encode()) == "Title\nAbstract with $\\ell_2$ and ε\n"


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"\xef\xbb\xbfTitle\nAbstract\n", "Title\nAbstract\n"),  # BOM stripped
        (b"a\r\nb\r\n", "a\nb\n"),  # CRLF
        (b"a\rb\r", "a\nb\n"),  # old Mac CR
        (b"a\r\n\r\nb", "a\n\nb"),
        ("· • é".encode(), "· • é"),
    ],
)
def test_normalisation(data, expected):
    assert decode_dump(data) == expected


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n  ", b"\xef\xbb\xbf", b"\xef\xbb\xbf \n", "\u00a0\n".encode()])
def test_empty_dump(data):
    with pytest.raises(IngestError, match="empty dump: expected a paper-listing page"):
        decode_dump(data)


def test_nul_bytes_are_binary_with_line():
    with pytest.raises(IngestError) as info:
        decode_dump(b"Title\nAbst\x00ract\n")
    assert "binary" in str(info.value) and "expected" in str(info.value)
    assert info.value.line == 2


def test_mostly_control_bytes_are_binary():
    with pytest.raises(IngestError, match="binary"):
        decode_dump(bytes(range(1, 32)) * 20)


def test_png_header_is_binary():
    with pytest.raises(IngestError, match="binary"):
        decode_dump(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


def test_non_utf8_names_offset_and_line():
    data = "Title\nCaf".encode() + b"\xe9 au lait\n"  # Latin-1 é
    with pytest.raises(IngestError) as info:
        decode_dump(data)
    message = str(info.value)
    assert "offset 9" in message and "line 2" in message and "expected UTF-8 text" in message
    assert info.value.line == 2


def test_non_utf8_offset_counts_the_bom_and_cr_lines():
    data = b"\xef\xbb\xbfa\rb\r\nc\xff"
    with pytest.raises(IngestError) as info:
        decode_dump(data)
    assert "offset 9" in str(info.value)
    assert info.value.line == 3


def test_error_gets_path_later():
    with pytest.raises(IngestError) as info:
        decode_dump(b"")
    assert str(info.value.with_path("content/sources/x.txt")).startswith("content/sources/x.txt: empty dump")


def test_numbered_lines_skip_blanks_and_keep_editor_numbers():
    assert numbered_lines("a\n\n  b  \n\x0cc\u2028d\n") == [(1, "a"), (3, "b"), (4, "c\u2028d")]
    assert numbered_lines("a\r\nb") == [(1, "a"), (2, "b")]


@pytest.mark.parametrize("text, last", [("a", 1), ("a\n", 1), ("a\nb\n\n", 2), ("a\n\nb", 3)])
def test_last_line_number(text, last):
    assert last_line_number(text) == last
