"""How a paper is cited and described to machines: BibTeX, `citation_*` meta tags, JSON-LD.

Pure functions of the model. Values come back unescaped for HTML (templates escape meta
content as usual); `json_ld_script` makes JSON safe to embed in `<script>`; `bibtex` escapes
for BibTeX/LaTeX itself.
"""

from __future__ import annotations

import functools
import json
import re
from urllib.parse import quote

from slugify import slugify

from site_builder.config import SiteConfig
from site_builder.latex import braces_balanced
from site_builder.markup import excerpt, plain_text, title_parts
from site_builder.model import ARXIV_CATEGORY_NAMES, Author, Paper
from site_builder.slugs import author_slug
from site_builder.urls import Urls

HEADLINE_LIMIT = 110  # schema.org/Google: a headline longer than this is cut

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# Lower-case name parts that belong to the last name ("van Gogh"); suffixes kept apart ("King, Jr., Martin").
_PARTICLES = frozenset("van von der den de del della di da du dos das la le ter ten zu".split())
_SUFFIXES = frozenset("jr jr. sr sr. ii iii iv".split())
_KEY_STOPWORDS = frozenset("a an the on of in for to and with from by at via".split())
_BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}",  # keep braces balanced
    "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}  # fmt: skip
_SPACES = re.compile(r"(\s+)")
_BIBTEX_SPECIAL = re.compile("[" + re.escape("".join(_BIBTEX_ESCAPES)) + "]")


# --- BibTeX -----------------------------------------------------------------------------------


def bibtex(paper: Paper, urls: Urls) -> str:
    """A BibTeX `@misc` entry (a preprint has no journal) with the page's URL.

    Authors in order as `Last, First`, `and others` when the list is incomplete; the title's
    capitalised words and math protected by braces; everything else escaped for BibTeX.
    """
    url = _url_for_latex(urls.absolute(Urls.paper(paper.slug)))
    fields: list[tuple[str, str]] = []
    names = [_bibtex_name(name) for name in paper.authors]
    if names and _authors_incomplete(paper):
        names.append("others")
    if names:
        fields.append(("author", "{" + " and ".join(names) + "}"))
    fields.append(("title", "{" + _bibtex_title(paper.title) + "}"))
    if paper.date is not None:
        fields.append(("year", "{" + str(paper.date.year) + "}"))
        fields.append(("month", _MONTHS[paper.date.month - 1]))  # a BibTeX macro, not braced
    fields.append(("howpublished", "{\\url{" + url + "}}"))
    fields.append(("url", "{" + url + "}"))
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@misc{{{bibtex_key(paper)},\n{body}\n}}\n"


def bibtex_key(paper: Paper) -> str:
    """`fan2023environment`: first author's last name, year, first significant title word;
    ASCII, lower case, deterministic. `anonymous` stands in for a missing author."""
    author = "anonymous"
    if paper.authors:
        last = _split_name(paper.authors[0])[0]
        author = _key_part(last) or _key_part(paper.authors[0]) or "anonymous"
    year = str(paper.date.year) if paper.date else ""
    title_words = " ".join(text for is_math, text in title_parts(paper.title) if not is_math)
    word = next(
        (w for w in map(_key_part, title_words.split()) if w and w not in _KEY_STOPWORDS),
        "",
    )
    return author + year + word


@functools.lru_cache(maxsize=1 << 16)
def _key_part(text: str) -> str:
    """`text` as ASCII lower-case letters and digits only (memoised: title words and last names
    repeat across papers, and transliteration is slow)."""
    return slugify(text, separator="")


def bibtex_escape(text: str) -> str:
    """Text as BibTeX/LaTeX text: special characters escaped, braces always balanced."""
    return _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX_ESCAPES[m.group()], text)


@functools.lru_cache(maxsize=1 << 16)  # an author's name is on many papers
def _bibtex_name(name: str) -> str:
    if re.search(r"\band\b", name, re.IGNORECASE):  # would be split into two authors: keep whole
        return "{" + bibtex_escape(_clean(name)) + "}"
    last, suffix, first = _split_name(name)
    return ", ".join(bibtex_escape(part) for part in (last, suffix, first) if part)


def _split_name(name: str) -> tuple[str, str, str]:
    """(last, suffix, first) of a name written "First [von] Last [Jr.]" or "Last, First"."""
    name = " ".join(name.split())
    if "," in name:
        last, _, first = name.partition(",")
        return last.strip(), "", first.strip()
    words = name.split(" ")
    suffix = ""
    if len(words) > 2 and words[-1].lower() in _SUFFIXES:
        suffix = words.pop()
    if len(words) == 1:
        return words[0], suffix, ""
    start = len(words) - 1
    while start > 1 and words[start - 1] in _PARTICLES:
        start -= 1
    return " ".join(words[start:]), suffix, " ".join(words[:start])


def _bibtex_title(title: str) -> str:
    """Escaped title; math kept as LaTeX, and each run of words with capitals braced so that
    bibliography styles that lower-case titles keep "Markov", "LLMs" and "ReLU" as written."""
    items: list[tuple[str, str]] = []  # (kind, BibTeX text); kind: "math", "space", "word", "capital"
    for is_math, text in title_parts(title):
        if is_math and braces_balanced(text):
            # `%` would start a LaTeX comment that swallows the rest of the field.
            items.append(("math", "{$" + re.sub(r"(?<!\\)([%#])", r"\\\1", text) + "$}"))
            continue
        if is_math:
            text = "$" + text + "$"
        for piece in _SPACES.split(text):
            if piece.isspace():
                items.append(("space", " "))
            elif piece:
                items.append(_bibtex_word(piece, not items))
    out: list[str] = []
    run: list[str] = []  # capital words (and the spaces between them) braced as one group
    for index, (kind, text) in enumerate(items):
        next_kind = items[index + 1][0] if index + 1 < len(items) else ""
        if kind == "capital" or (run and kind == "space" and next_kind == "capital"):
            run.append(text)
            continue
        if run:
            out.append("{" + "".join(run) + "}")
            run.clear()
        out.append(text)
    if run:
        out.append("{" + "".join(run) + "}")
    return "".join(out).strip()


@functools.lru_cache(maxsize=1 << 16)  # title words repeat across papers
def _bibtex_word(piece: str, first: bool) -> tuple[str, str]:
    """("capital" or "word", escaped text) of a title word."""
    # Styles never lower-case a title's first letter, so it needs no braces.
    checked = piece[1:] if first else piece
    return ("capital" if any(c.isupper() for c in checked) else "word"), bibtex_escape(piece)


def _url_for_latex(url: str) -> str:
    # Braces, spaces and backslashes would end the field or the \url{} argument.
    return quote(url, safe=":/?#[]@!$&'()*+,;=%-._~")


def _authors_incomplete(paper: Paper) -> bool:
    return not paper.authors_complete or paper.missing_authors > 0


# --- meta tags and JSON-LD --------------------------------------------------------------------


def citation_meta(paper: Paper, urls: Urls, config: SiteConfig) -> list[tuple[str, str]]:
    """Highwire Press `citation_*` meta tags (Google Scholar, Zotero, Mendeley), as
    (name, content) pairs in the order they go into `<head>`; content is NOT HTML-escaped."""
    meta = [("citation_title", plain_text(paper.title, markdown=False))]
    meta += [("citation_author", _clean(name)) for name in paper.authors]
    if paper.date is not None:
        meta.append(("citation_publication_date", paper.date.strftime("%Y/%m/%d")))
    online = paper.date or paper.added
    if online is not None:
        meta.append(("citation_online_date", online.strftime("%Y/%m/%d")))
    meta.append(("citation_abstract_html_url", urls.absolute(Urls.paper(paper.slug))))
    meta.append(("citation_language", config.language))
    meta += [("citation_keywords", keyword) for keyword in paper_keywords(paper)]
    return meta


def paper_keywords(paper: Paper) -> list[str]:
    """Category names (arXiv ids when unknown) then topic tags, without repeats."""
    keywords = [ARXIV_CATEGORY_NAMES.get(c, c) for c in paper.categories] + list(paper.tags)
    return list(dict.fromkeys(keywords))


def json_ld_article(paper: Paper, urls: Urls, config: SiteConfig, abstract_text: str | None = None) -> dict:
    """schema.org `ScholarlyArticle` for a paper page. `abstract_text` is the abstract's plain
    text when the caller has it already (the build makes it once per paper at load time)."""
    url = urls.absolute(Urls.paper(paper.slug))
    title = plain_text(paper.title, markdown=False)
    data: dict = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "@id": url,
        "url": url,
        "mainEntityOfPage": url,
        "headline": excerpt(paper.title, HEADLINE_LIMIT, markdown=False),
        "name": title,
        "author": [_person(name, urls) for name in paper.authors],
        "abstract": plain_text(paper.body) if abstract_text is None else abstract_text,
        "inLanguage": config.language,
        "isPartOf": _website(urls, config),
    }
    if paper.date is not None:
        data["datePublished"] = paper.date.isoformat()
    keywords = paper_keywords(paper)
    if keywords:
        data["keywords"] = keywords
    if paper.organization:
        data["sourceOrganization"] = {"@type": "Organization", "name": paper.organization}
    return data


def json_ld_person(author: Author, urls: Urls, config: SiteConfig) -> dict:
    """schema.org `Person` for an author page: name, page URL, affiliations seen, main field.
    (`config` is taken for symmetry with `json_ld_article`; the papers are listed on the page.)"""
    url = urls.absolute(Urls.author(author.slug))
    data: dict = {
        "@context": "https://schema.org",
        "@type": "Person",
        "@id": url,
        "url": url,
        "mainEntityOfPage": url,
        "name": _clean(author.name),
    }
    if author.affiliations:
        data["affiliation"] = [{"@type": "Organization", "name": a} for a in author.affiliations]
    category = author.profile.primary_category if author.profile else None
    if category:
        data["knowsAbout"] = ARXIV_CATEGORY_NAMES.get(category, category)
    return data


def json_ld_script(data: dict) -> str:
    """The content of a `<script type="application/ld+json">` element: JSON with sorted keys,
    `<`, `>` and `&` written as `\\u003c`... so no string in it can end the element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _person(name: str, urls: Urls) -> dict:
    return {"@type": "Person", "name": _clean(name), "url": urls.absolute(Urls.author(author_slug(name)))}


def _website(urls: Urls, config: SiteConfig) -> dict:
    return {"@type": "WebSite", "name": config.title, "url": urls.absolute("")}


def _clean(text: str) -> str:
    return " ".join(text.split())  # whitespace collapsed (as markup._collapse)
