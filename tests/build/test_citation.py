"""BibTeX, citation_* meta tags and JSON-LD (site_builder.citation)."""

from __future__ import annotations

import datetime as dt
import json

import html5lib
import pytest
from pybtex.database import parse_string

from site_builder.citation import (
    bibtex,
    bibtex_escape,
    bibtex_key,
    citation_meta,
    json_ld_article,
    json_ld_person,
    json_ld_script,
)
from site_builder.config import SiteConfig
from site_builder.model import Author, AuthorProfile, Paper
from site_builder.urls import Urls

URLS = Urls.for_base("https://example.org/sub/")
CONFIG = SiteConfig(title="Digest & Co", base_url="https://example.org/sub/", language="en")
INJECTION = "</script><script>alert(1)</script>"


def paper(**fields) -> Paper:
    values = dict(
        slug="environment-invariant-linear-least-squares",
        title="Environment Invariant Linear Least Squares",
        body="This paper considers a **multi-environment** model with $\\ell_2$ bounds.",
        authors=("Jianqing Fan", "Cong Fang", "Yihong Gu"),
        date=dt.date(2023, 3, 6),
        added=dt.date(2024, 1, 2),
        categories=("stat.ML", "cs.LG"),
        tags=("invariance",),
    )
    values.update(fields)
    return Paper(**values)


def parsed_entry(text: str):
    """The entry as BibTeX reads it (pybtex follows BibTeX's name and brace rules)."""
    database = parse_string(text, "bibtex")
    assert len(database.entries) == 1
    return next(iter(database.entries.items()))


# --- BibTeX ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({}, "fan2023environment"),
        ({"title": "A Roadmap for Big Model", "authors": ("Sha Yuan",), "date": dt.date(2022, 3, 26)}, "yuan2022roadmap"),
        ({"authors": ()}, "anonymous2023environment"),
        ({"date": None}, "fanenvironment"),
        ({"authors": ("Jürgen Müller",)}, "muller2023environment"),
        ({"authors": ("Vincent van Gogh",)}, "vangogh2023environment"),
        ({"authors": ("Curie, Marie",)}, "curie2023environment"),
        ({"title": "$k$-Means: On Ödön's Clustering"}, "fan2023means"),
        ({"title": "On the Theory of Everything"}, "fan2023theory"),
        ({"authors": ("张伟",)}, "zhangwei2023environment"),
    ],
)
def test_bibtex_key(fields, key):
    assert bibtex_key(paper(**fields)) == key
    entry_key, _ = parsed_entry(bibtex(paper(**fields), URLS))
    assert entry_key == key


def test_bibtex_entry_fields_and_authors_in_order():
    key, entry = parsed_entry(bibtex(paper(), URLS))
    assert entry.type == "misc"
    people = [(" ".join(p.first_names), " ".join(p.last_names)) for p in entry.persons["author"]]
    assert people == [("Jianqing", "Fan"), ("Cong", "Fang"), ("Yihong", "Gu")]
    assert entry.fields["year"] == "2023" and entry.fields["month"] == "March"
    assert entry.fields["url"] == "https://example.org/sub/papers/environment-invariant-linear-least-squares/"
    assert entry.fields["howpublished"] == "\\url{" + entry.fields["url"] + "}"


@pytest.mark.parametrize(
    "fields",
    [{"authors_complete": False}, {"author_count": 5}],
)
def test_bibtex_and_others_when_the_author_list_is_incomplete(fields):
    text = bibtex(paper(**fields), URLS)
    assert "Gu, Yihong and others}" in text
    _, entry = parsed_entry(text)
    assert [str(p) for p in entry.persons["author"]][-1] == "others"


def test_bibtex_complete_list_has_no_others_and_no_author_field_without_authors():
    assert "others" not in bibtex(paper(author_count=3), URLS)
    _, entry = parsed_entry(bibtex(paper(authors=()), URLS))
    assert "author" not in entry.persons


@pytest.mark.parametrize(
    ("name", "first", "prelast", "last", "lineage"),
    [
        ("Vincent van Gogh", "Vincent", "van", "Gogh", ""),
        ("Martin Luther King Jr.", "Martin Luther", "", "King", "Jr."),
        ("Jean-Baptiste Le Rond", "Jean-Baptiste Le", "", "Rond", ""),
        ("Plato", "", "", "Plato", ""),
        ("Curie, Marie", "Marie", "", "Curie", ""),
        ("Smith and Wesson", "", "", "{Smith and Wesson}", ""),  # one author, not two
        ("Ann R&D_1 {x}", "Ann R\\&D\\_1", "", "\\textbraceleft{}x\\textbraceright{}", ""),
    ],
)
def test_bibtex_names(name, first, prelast, last, lineage):
    _, entry = parsed_entry(bibtex(paper(authors=(name,)), URLS))
    (person,) = entry.persons["author"]
    got = (
        " ".join(person.first_names + person.middle_names),
        " ".join(person.prelast_names),
        " ".join(person.last_names),
        " ".join(person.lineage_names),
    )
    assert got == (first, prelast, last, lineage)


@pytest.mark.parametrize(
    ("title", "bibtex_title"),
    [
        ("Environment Invariant Linear Least Squares", "Environment {Invariant Linear Least Squares}"),
        ("GD doesn't make the cut", "{GD} doesn't make the cut"),
        ("Wide ReLU networks and LLMs", "Wide {ReLU} networks and {LLMs}"),
        (r"Rates $O(\sqrt{n})$ for all", r"Rates {$O(\sqrt{n})$} for all"),
        (r"Save $5 & 100% of #1_x", r"Save \$5 \& 100\% of \#1\_x"),
        ("Braces {unbalanced", r"Braces \textbraceleft{}unbalanced"),
        ("Tilde ~ caret ^ back\\slash", r"Tilde \textasciitilde{} caret \textasciicircum{} back\textbackslash{}slash"),
        (r"Categorical \emph{Schr\"odinger} bridges", "Categorical {Schrödinger} bridges"),
    ],
)
def test_bibtex_title_protects_capitals_and_escapes(title, bibtex_title):
    text = bibtex(paper(title=title), URLS)
    assert f"  title = {{{bibtex_title}}}," in text
    _, entry = parsed_entry(text)  # braces balanced, or pybtex would refuse the entry
    assert entry.fields["title"] == bibtex_title


def test_bibtex_escape_leaves_no_unbalanced_braces():
    hostile = "}{ }}} {{ \\ % $ & # _ ^ ~"
    escaped = bibtex_escape(hostile)
    _, entry = parsed_entry("@misc{k, note = {" + escaped + "}}")
    assert entry.fields["note"] == escaped


def test_bibtex_is_deterministic_and_ends_with_a_newline():
    assert bibtex(paper(), URLS) == bibtex(paper(), URLS)
    assert bibtex(paper(), URLS).endswith("}\n")


# --- citation_* meta ----------------------------------------------------------------------------


def test_citation_meta_order_and_values():
    meta = citation_meta(paper(), URLS, CONFIG)
    assert meta == [
        ("citation_title", "Environment Invariant Linear Least Squares"),
        ("citation_author", "Jianqing Fan"),
        ("citation_author", "Cong Fang"),
        ("citation_author", "Yihong Gu"),
        ("citation_publication_date", "2023/03/06"),
        ("citation_online_date", "2023/03/06"),
        ("citation_abstract_html_url", "https://example.org/sub/papers/environment-invariant-linear-least-squares/"),
        ("citation_language", "en"),
        ("citation_keywords", "Machine Learning (Statistics)"),
        ("citation_keywords", "Machine Learning"),
        ("citation_keywords", "invariance"),
    ]


def test_citation_meta_without_a_date_and_with_markup_in_the_title():
    meta = dict(citation_meta(paper(date=None, title=f"{INJECTION} & $\\ell_2$"), URLS, CONFIG))
    assert "citation_publication_date" not in meta
    assert meta["citation_online_date"] == "2024/01/02"
    assert meta["citation_title"] == f"{INJECTION} & $\\ell_2$"  # plain text: the template escapes it


# --- JSON-LD ------------------------------------------------------------------------------------


def test_json_ld_article():
    data = json_ld_article(paper(organization="princeton"), URLS, CONFIG)
    url = "https://example.org/sub/papers/environment-invariant-linear-least-squares/"
    assert data["@context"] == "https://schema.org" and data["@type"] == "ScholarlyArticle"
    assert data["url"] == data["@id"] == url
    assert data["headline"] == data["name"] == "Environment Invariant Linear Least Squares"
    assert data["author"] == [
        {"@type": "Person", "name": "Jianqing Fan", "url": "https://example.org/sub/authors/jianqing-fan/"},
        {"@type": "Person", "name": "Cong Fang", "url": "https://example.org/sub/authors/cong-fang/"},
        {"@type": "Person", "name": "Yihong Gu", "url": "https://example.org/sub/authors/yihong-gu/"},
    ]
    assert data["datePublished"] == "2023-03-06"
    assert data["abstract"] == "This paper considers a multi-environment model with $\\ell_2$ bounds."
    assert data["keywords"] == ["Machine Learning (Statistics)", "Machine Learning", "invariance"]
    assert data["isPartOf"] == {"@type": "WebSite", "name": "Digest & Co", "url": "https://example.org/sub/"}
    assert data["sourceOrganization"] == {"@type": "Organization", "name": "princeton"}


def test_json_ld_article_uses_a_plain_text_abstract_the_caller_already_has():
    made_here = json_ld_article(paper(), URLS, CONFIG)
    given = json_ld_article(paper(), URLS, CONFIG, abstract_text="Given text.")
    assert given["abstract"] == "Given text."
    assert {k: v for k, v in given.items() if k != "abstract"} == {k: v for k, v in made_here.items() if k != "abstract"}


def test_json_ld_article_headline_is_cut_and_optional_fields_are_left_out():
    data = json_ld_article(paper(title="Word " * 40, date=None, categories=(), tags=()), URLS, CONFIG)
    assert len(data["headline"]) <= 110 and data["headline"].endswith("…")
    assert data["name"] == ("Word " * 40).strip()
    assert not {"datePublished", "keywords", "sourceOrganization"} & data.keys()


def test_json_ld_person():
    profile = AuthorProfile(slug="cong-fang", name="Cong Fang", primary_category="cs.LG")
    author = Author(slug="cong-fang", name="Cong Fang", papers=(paper(),), affiliations=("pku", "princeton"), profile=profile)
    data = json_ld_person(author, URLS, CONFIG)
    assert data == {
        "@context": "https://schema.org",
        "@type": "Person",
        "@id": "https://example.org/sub/authors/cong-fang/",
        "url": "https://example.org/sub/authors/cong-fang/",
        "mainEntityOfPage": "https://example.org/sub/authors/cong-fang/",
        "name": "Cong Fang",
        "affiliation": [{"@type": "Organization", "name": "pku"}, {"@type": "Organization", "name": "princeton"}],
        "knowsAbout": "Machine Learning",
    }


def test_json_ld_script_is_inert_in_html_and_round_trips():
    data = json_ld_article(paper(title=INJECTION, body=f"{INJECTION} & <!-- \u2028"), URLS, CONFIG)
    script = json_ld_script(data)
    assert not set("<>&") & set(script) and "\u2028" not in script
    assert json.loads(script) == data
    page = f'<!DOCTYPE html><html><head><title>t</title><script type="application/ld+json">{script}</script></head><body></body></html>'
    document = html5lib.parse(page, namespaceHTMLElements=False)
    scripts = document.findall(".//script")
    assert len(scripts) == 1 and json.loads(scripts[0].text)["name"] == INJECTION


def test_json_ld_script_is_deterministic_with_sorted_keys():
    first = json_ld_script({"b": 1, "@type": "X", "a": {"z": 1, "y": 2}})
    assert first == '{"@type":"X","a":{"y":2,"z":1},"b":1}'
    assert json_ld_script(json_ld_article(paper(), URLS, CONFIG)) == json_ld_script(json_ld_article(paper(), URLS, CONFIG))
