"""The content file format: exact field order, YAML that round-trips every title, errors with lines."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from site_builder.errors import ContentError
from site_builder.ingest.frontmatter import PAPER_FIELDS, parse_paper, render_paper, render_yaml

D = dt.date


def fields(**overrides):
    values = {
        "title": "A Title",
        "slug": "a-title",
        "authors": ["Ann Lee", "Bo Chen"],
        "authors_complete": False,
        "author_count": 6,
        "affiliations": ["bytedance", "pku"],
        "date": D(2023, 3, 6),
        "added": D(2026, 11, 24),
        "categories": ["math.ST", "cs.LG"],
        "tags": ["statistics"],
        "code": True,
        "upvotes": None,
        "organization": None,
        "sources": ["000_043ef1eb0ec81c75.txt"],
    }
    values.update(overrides)
    return values


TRICKY_TEXTS = [
    "Adam: A Method for Stochastic Optimization",
    "GD doesn't make the cut: Three ways",
    'The "Quoted" Word',
    "Hash # in the middle",
    "#Hash first",
    "- starts like a list item",
    "? starts like a key",
    "@at and `backtick`",
    "*star* and &amp and !bang",
    "% percent | pipe > greater",
    "[brackets] and {braces}",
    "Solving Convex-Concave Problems with $\\tilde{\\mathcal{O}}(ε^{-4/7})$ Second-Order Oracle Complexity",
    "Task Generalization: Can Learning From $D$ Tasks Generalize to $D^{T}$ Tasks?",
    "null",
    "true",
    "No",
    "2023-01-02",
    "1.5",
    "0x1F",
    "Ünïcödé – em—dash “quotes” ℓ∞ 🙂",
    "Trailing colon:",
    "key: value: more",
    "  leading and trailing spaces  ",
    "back\\slash",
    "tab\there",
    "A very long title " * 20,
]


@pytest.mark.parametrize("text", TRICKY_TEXTS)
def test_titles_and_names_round_trip_exactly(text):
    original = fields(title=text, authors=[text, "Plain"], organization=text)
    parsed, _ = parse_paper(render_paper(original, "Body."), "x.md")
    assert parsed == original
    assert type(parsed["title"]) is str


@pytest.mark.parametrize("text", TRICKY_TEXTS)
def test_fast_emitter_writes_exactly_what_yaml_dump_writes(text):
    # (libyaml's emitter escapes characters beyond U+FFFF, the pure-Python one does not; both
    # read back the same, and ingest compares values, not bytes, so neither causes rewrites.)
    values = fields(title=text, authors=[text, "x"], organization=text, upvotes=-3, tags=[])
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    expected = yaml.dump(values, Dumper=dumper, allow_unicode=True, sort_keys=False,
                         default_flow_style=False, width=1 << 20)
    assert render_yaml(values, PAPER_FIELDS) == expected


def test_values_a_person_wrote_in_other_shapes_are_kept():
    original = fields(authors=[{"name": "Ann", "orcid": "0000"}], upvotes=1.5,
                      date=dt.datetime(2023, 1, 2, 10, 30), my_links={"code": "https://x"})
    parsed, _ = parse_paper(render_paper(original, "b"), "x.md")
    assert parsed == original


def test_long_titles_are_not_folded():
    title = "A very long title " * 20
    text = render_paper(fields(title=title.strip()), "")
    assert f"title: {title.strip()}\n" in text


def test_fields_in_the_contract_order_then_extra_keys():
    shuffled = dict(reversed(list(fields().items())))
    shuffled["my_note"] = "added by a person"
    text = render_paper(shuffled, "Body")
    assert list(parse_paper(text, "x.md")[0]) == list(PAPER_FIELDS) + ["my_note"]


def test_exact_layout():
    text = render_paper(fields(), "The abstract with $\\ell_2$ and *emphasis*.\n")
    assert text == (
        "---\n"
        "title: A Title\n"
        "slug: a-title\n"
        "authors:\n"
        "- Ann Lee\n"
        "- Bo Chen\n"
        "authors_complete: false\n"
        "author_count: 6\n"
        "affiliations:\n"
        "- bytedance\n"
        "- pku\n"
        "date: 2023-03-06\n"
        "added: 2026-11-24\n"
        "categories:\n"
        "- math.ST\n"
        "- cs.LG\n"
        "tags:\n"
        "- statistics\n"
        "code: true\n"
        "upvotes: null\n"
        "organization: null\n"
        "sources:\n"
        "- 000_043ef1eb0ec81c75.txt\n"
        "---\n"
        "\n"
        "The abstract with $\\ell_2$ and *emphasis*.\n"
    )


def test_empty_lists_and_nulls():
    text = render_paper(fields(authors=[], affiliations=[], tags=[], date=None), "")
    assert "authors: []\n" in text and "tags: []\n" in text and "date: null\n" in text
    assert text.endswith("---\n")  # no body, no trailing blank lines


def test_dates_come_back_as_dates():
    parsed, _ = parse_paper(render_paper(fields(), "x"), "x.md")
    assert parsed["date"] == D(2023, 3, 6) and isinstance(parsed["date"], dt.date)


@pytest.mark.parametrize(
    "body",
    [
        "Plain abstract.",
        "LaTeX $\\frac{1}{η^2}$ and $$\\sum_i x_i$$ kept as written; 1.16\\% accuracy.",
        "# Looks like a heading\n\n- and a list\n\n---\n\nand a rule that looks like a delimiter",
        "Unicode: Łojasiewicz, Poincaré, ε-stationary.",
    ],
)
def test_body_round_trips(body):
    _, parsed_body = parse_paper(render_paper(fields(), body), "x.md")
    assert parsed_body == body


def test_crlf_files_written_by_an_editor_parse_the_same():
    text = render_paper(fields(), "Line one.\n\nLine two.")
    parsed = parse_paper(text.replace("\n", "\r\n"), "x.md")
    assert parsed == parse_paper(text, "x.md")


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("title: x\n---\n", 1, "start with a '---' line"),
        ("---\ntitle: x\n", 1, "not closed"),
        ("---\ntitle: x\nslug: [a, b\n---\nbody\n", 4, "invalid YAML"),
        ("---\ntitle: x\nauthors:\n- a\n  bad: indent: here\n---\n", 5, "invalid YAML"),
        ("---\n- just\n- a list\n---\n", 2, "expected a mapping"),
    ],
)
def test_malformed_files_are_errors_with_file_and_line(text, line, words):
    with pytest.raises(ContentError) as info:
        parse_paper(text, "content/papers/x.md")
    assert info.value.path == "content/papers/x.md"
    assert info.value.line == line
    assert words in str(info.value)
