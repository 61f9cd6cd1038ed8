"""Titles and abstracts to safe HTML with MathML (site_builder.markup, site_builder.latex)."""

from __future__ import annotations

import random
import re
from pathlib import Path

import html5lib
import pytest

from site_builder import latex, markup
from site_builder.markup import excerpt, plain_text, render_abstract_html, render_title_html, title_parts

MATHML = "{http://www.w3.org/1998/Math/MathML}"
XHTML = "{http://www.w3.org/1999/xhtml}"
SOURCES = Path(__file__).resolve().parents[2] / "content" / "sources"


def parse(fragment: str):
    """Parse an HTML fragment strictly (html5lib raises on any parse error) into a div."""
    parser = html5lib.HTMLParser(strict=True, tree=html5lib.getTreeBuilder("etree"))
    root = parser.parseFragment(fragment)
    return root


def maths(fragment: str) -> list:
    return list(parse(fragment).iter(f"{MATHML}math"))


def fallbacks(fragment: str) -> list[str]:
    return [el.text for el in parse(fragment).iter(f"{XHTML}code") if el.get("class") == "math-fallback"]


def text_of(fragment: str) -> str:
    return "".join(parse(fragment).itertext()).strip()


# --- math shapes from the real abstracts ---------------------------------------------------------

MATH_SHAPES = [
    (r"O\left(\frac{1}{\sqrt{K}}\right)", ["<mfrac>", "<msqrt>", 'stretchy="true"']),
    (r"\tilde{\mathcal{O}}(ε^{-2})", ["<mover>", "\U0001d4aa", "<mi>ε</mi>"]),  # 𝒪, unicode kept
    (r"\tilde {\mathcal{O}}(ε^{-6})", ["<mover>", "\U0001d4aa"]),
    (r"\ell_2", ["<msub><mi>ℓ</mi><mn>2</mn></msub>"]),
    (r"\textit{downstream-task robustness}", ['<mtext mathvariant="italic">downstream-task']),
    (r"Ω\left(\sqrtκε^{-2}\right)", ["<msqrt><mi>κ</mi></msqrt>"]),
    (r"ψ\colon\mathbb{R}^d\to\mathbb{R}", ["ℝ", "→"]),
    (r"d^{\left\lceil\overline{k}/2\right\rceil}", ["⌈", "⌉"]),
    (r"π(x) \propto \exp(-V(x))", ["∝", "<mi>exp</mi>"]),
    (r"{}^2", ["<msup>"]),
    (r"a<b", ["<mo>&lt;</mo>"]),
]


@pytest.mark.parametrize(("source", "expected"), MATH_SHAPES)
def test_inline_math_shapes_convert_to_mathml_with_alttext(source, expected):
    html = render_abstract_html(f"We show ${source}$ here.")
    assert fallbacks(html) == []
    (math,) = maths(html)
    assert math.get("display") == "inline"
    assert math.get("alttext") == source  # the LaTeX, for readers without MathML
    for piece in expected:
        assert piece in html
    assert text_of(html).startswith("We show ") and text_of(html).endswith(" here.")


@pytest.mark.parametrize(
    ("markdown", "display"),
    [
        (r"inline \(x^2\) paren", "inline"),
        (r"inline $$x^2$$ double", "block"),
        (r"bracket \[x^2\] display", "block"),
        ("block\n\n$$\nx^2\n$$\n\nafter", "block"),
        ("$ x^2$ space after the opening dollar", "inline"),
    ],
)
def test_every_delimiter_renders(markdown, display):
    html = render_abstract_html(markdown)
    (math,) = maths(html)
    assert math.get("display") == display
    assert math.get("alttext") == "x^2"


def test_display_block_stands_outside_paragraphs():
    html = render_abstract_html("before\n\n$$\n\\sum_i x_i\n$$\n\nafter")
    assert '<p><math' not in html
    assert re.search(r'</p>\n<math [^>]*display="block"', html)


# --- fallbacks -------------------------------------------------------------------------------

FALLBACKS = [
    (r"$ηT = \bigO{n}$", r"$ηT = \bigO{n}$"),  # a paper's own macro
    (r"$\frac{1}{$", r"$\frac{1}{$"),  # missing argument
    (r"$\left( x$", r"$\left( x$"),  # \left without \right
    (r"$x}$", r"$x}$"),  # unbalanced brace
    (r"$\begin{foo}$", r"$\begin{foo}$"),
    (r"\(\frac{a}{\)", r"\(\frac{a}{\)"),
    ("$$\n\\frac{1}{\n$$", "$$\\frac{1}{$$"),
]


@pytest.mark.parametrize(("markdown", "shown"), FALLBACKS)
def test_unconvertible_math_shows_its_source(markdown, shown):
    html = render_abstract_html(f"Before {markdown} after." if "\n" not in markdown else markdown)
    assert maths(html) == []
    (source,) = fallbacks(html)
    assert source.replace("\n", "") == shown


@pytest.mark.parametrize(
    "markdown",
    [
        r"$\text{<script>alert(1)</script>}$",
        r"$\text{</math><script>alert(1)</script>}$",
        r"$\href{javascript:alert(1)}{x}$",
        r"$\style{background:url(javascript:alert(1))}{x}$",
        r'$\color{red" onmouseover="alert(1)}{x}$',
    ],
)
def test_math_cannot_inject_markup(markdown):
    html = render_abstract_html(markdown)
    tree = parse(html)
    assert not list(tree.iter(f"{XHTML}script"))
    for element in tree.iter():
        for name, value in element.attrib.items():
            assert not name.startswith("on") and name not in ("href", "style")
            assert "javascript" not in value or name == "alttext"


# --- dollars that are not math -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("markdown", "math_sources", "visible_end"),
    [
        ("It costs $5 and $10 per run.", [], "It costs $5 and $10 per run."),
        ("US$5 and US$10.", [], "US$5 and US$10."),
        ("A lone $ sign, then $x$ is math.", ["x"], " is math."),
        ("Between $5 and $10 million, and $y$ too.", ["y"], " too."),
        ("Price $" + "a" * 400 + "$ end", [], "a$ end"),  # too long to be inline math
        ("Open $x\n\ny$ close", [], "y$ close"),  # a blank line ends the paragraph
        (r"An escaped \$ and $z$ here.", ["z"], " here."),
    ],
)
def test_dollars_used_as_money_stay_text(markdown, math_sources, visible_end):
    html = render_abstract_html(markdown)
    assert [m.get("alttext") for m in maths(html)] == math_sources
    assert text_of(html).rstrip().endswith(visible_end)  # nothing after a stray $ was swallowed


# --- escaping and links ---------------------------------------------------------------------


def test_raw_html_shows_as_text():
    html = render_abstract_html('We <script>alert(1)</script> and <img src=x onerror="alert(1)"> "quotes" & more')
    tree = parse(html)
    assert not list(tree.iter(f"{XHTML}script")) and not list(tree.iter(f"{XHTML}img"))
    assert "<script>alert(1)</script>" in text_of(html)
    assert '"quotes" & more' in text_of(html)


@pytest.mark.parametrize(
    "markdown",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x]( javascript:alert(1))",
        "<javascript:alert(1)>",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](/relative/path)",
        "[x](#anchor)",
        "[x][ref]\n\n[ref]: javascript:alert(1)",
        "[x](<javascript:alert(1)>)",
        "[x](&#106;avascript:alert(1))",
        "[x]()",  # markdown-it would keep <a href="">
    ],
)
def test_only_web_links_survive(markdown):
    html = render_abstract_html(markdown)
    assert all(a.get("href", "").startswith(("http://", "https://")) for a in parse(html).iter(f"{XHTML}a"))
    assert "<a" not in html


def test_web_links_are_kept_with_nofollow():
    html = render_abstract_html("[code](https://example.org/?a=1&b=2) and <http://example.com/x>")
    links = [(a.get("href"), a.get("rel")) for a in parse(html).iter(f"{XHTML}a")]
    assert links == [("https://example.org/?a=1&b=2", "nofollow"), ("http://example.com/x", "nofollow")]


def test_no_images_or_headings_from_abstracts():
    html = render_abstract_html("# Results\n\n![plot](https://example.org/p.png)\n\nSetext\n---")
    assert not re.search(r"<(img|h\d)\b", html)
    assert "Results" in text_of(html)


# --- text-mode LaTeX -----------------------------------------------------------------------------

TEXT_LATEX = [
    (r"\emph{Spectral Horizon Expansion}", "<em>Spectral Horizon Expansion</em>"),
    (r"\textit{Minority Collapse}", "<em>Minority Collapse</em>"),
    (r"\textbf{bold}", "<strong>bold</strong>"),
    (r"\texttt{ZO-HessAware}", "<code>ZO-HessAware</code>"),
    (r"{\em persistent homology}", "<em>persistent homology</em>"),
    (r"SPIDER-SFO\textsuperscript{+}", "SPIDER-SFO<sup>+</sup>"),
    (r"\emph{near $x$ optimal}", "<em>near <math"),
    (r"Schr\"odinger and Cram\'er-Rao", "Schrödinger and Cramér-Rao"),
    (r"Kurdyka-{\L}ojasiewicz, P{\L}, \L ojasiewicz", "Kurdyka-Łojasiewicz, PŁ, Łojasiewicz"),
    (r"H\"{o}lder and \c{c}a", "Hölder and ça"),
    ("``dense'' and ``fast'' clients", "“dense” and “fast” clients"),
    (r"delta ({\delta})", '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline" alttext="\\delta">'),
    (r"\emph{unclosed", r"\emph{unclosed"),
    (r"\cite{papyan2020} stays", r"\cite{papyan2020} stays"),
    ("{({bf A}_n, {bf b}_n): n in N}", "{({bf A}_n, {bf b}_n): n in N}"),  # lost backslashes stay text
]


@pytest.mark.parametrize(("markdown", "expected"), TEXT_LATEX)
def test_text_mode_latex(markdown, expected):
    html = render_abstract_html(markdown)
    assert expected in html
    parse(html)


# --- titles ----------------------------------------------------------------------------------

TITLES = [
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ('A "quoted" & ampersand', "A &quot;quoted&quot; &amp; ampersand"),
    ("*Not* emphasis, `not` code, [not](https://x.y) a link", "*Not* emphasis, `not` code, [not](https://x.y) a link"),
    ("1. Not a list", "1. Not a list"),
    ("  Spaces \n collapse  ", "Spaces collapse"),
    (r"Costs \$5", "Costs $5"),
]


@pytest.mark.parametrize(("title", "expected"), TITLES)
def test_titles_are_plain_text(title, expected):
    assert render_title_html(title) == expected


@pytest.mark.parametrize(
    ("title", "sources"),
    [
        (r"Solving Problems with $\tilde{\mathcal{O}}(ε^{-4/7})$ Oracle Complexity", [r"\tilde{\mathcal{O}}(ε^{-4/7})"]),
        (r"From $D$ Tasks to $D^{T}$ Tasks?", ["D", "D^{T}"]),
        (r"Bounds \(O(\sqrt{n})\) for \emph{all}", [r"O(\sqrt{n})"]),
        (r"Display $$x^2$$ and \[y\] stay in the line", ["x^2", "y"]),
    ],
)
def test_title_math(title, sources):
    html = render_title_html(title)
    assert [m.get("alttext") for m in maths(html)] == sources
    assert all(m.get("display") == "inline" for m in maths(html))


def test_title_parts_split_math_from_text():
    assert title_parts(r"Rates $O(n)$ for Schr\"odinger \(x\)") == (
        (False, "Rates "),
        (True, "O(n)"),
        (False, " for Schrödinger "),
        (True, "x"),
    )


# --- plain text and excerpts -------------------------------------------------------------------

PLAIN = [
    ("**Bold** and _em_ and `code` and [a link](https://x.y).", "Bold and em and code and a link."),
    ("Error $\\ell_2$ and \\(x\\) bounds", "Error $\\ell_2$ and \\(x\\) bounds"),
    ("First\nline\n\nSecond   paragraph", "First line Second paragraph"),
    ("Raw <script>alert(1)</script> & stays raw", "Raw <script>alert(1)</script> & stays raw"),
    ("1. one\n2. two", "1. one 2. two"),
    ("\\emph{Spectral} Schr\\\"odinger ``q''", "Spectral Schrödinger “q”"),
    ("$$\n\\sum x\n$$", "$$\\sum x$$"),
]


@pytest.mark.parametrize(("markdown", "expected"), PLAIN)
def test_plain_text(markdown, expected):
    assert plain_text(markdown) == expected


def test_plain_text_of_a_title_keeps_markdown_characters():
    assert plain_text("*Not* emphasis $x$", markdown=False) == "*Not* emphasis $x$"
    assert plain_text("*Not* emphasis", markdown=True) == "Not emphasis"


@pytest.mark.parametrize("limit", [20, 50, 80, 300])
def test_excerpt_cuts_at_a_word_boundary(limit):
    words = [f"word{i}" for i in range(200)]
    result = excerpt(" ".join(words), limit)
    assert len(result) <= limit and result.endswith("…")
    assert result[:-1].split(" ") == words[: len(result[:-1].split(" "))]  # whole words only


def test_excerpt_keeps_short_text_and_avoids_cutting_formulas():
    assert excerpt("Short **text**.", 300) == "Short text."
    text = "We prove " + "tight " * 8 + r"bounds $\tilde{\mathcal{O}}(\sqrt{L/μ} + ε^{-2})$ for all."
    cut = excerpt(text, 70)
    assert cut.count("$") % 2 == 0 and cut.endswith("…") and len(cut) <= 70


# --- robustness, caching, the real abstracts -----------------------------------------------------


def test_hostile_input_never_raises_and_always_parses():
    alphabet = list("$\\{}()[]_^*`'\"<>&!#~ abcx\n") + ["\\emph{", "\\(", "\\[", "$$", "\\frac", "{\\em ", "``", "''"]
    rng = random.Random(3)
    for _ in range(400):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
        parse(render_abstract_html(text))
        parse(render_title_html(text))
        plain_text(text)
        excerpt(text, 10)


def test_plain_titles_skip_the_parser_with_the_same_result():
    # render_title_html, the title's plain text and its parts (for BibTeX) handle a title
    # without markup themselves; they must give exactly what the parser gives.
    alphabet = list("abcXYZ019 .,;:!?-_*~#<>&\"'()[]|+=%@^\n\t") + ["&amp;", "&#x27;", "\u00e9", "\u2014", "1. ", "> ", "    "]
    rng = random.Random(7)
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(3000)]
    texts += [line for line in seed_paragraphs()[:200]]
    for text in texts:
        assert render_title_html(text) == markup._TITLE_MD.renderInline(markup._collapse(text)).strip(), text
        assert plain_text(text, markdown=False) == markup._tokens_text(markup._TITLE_MD.parse(text)), text
        assert markup.title_parts(text) == markup._parsed_title_parts(markup._collapse(text)), text
    assert sum(1 for t in texts if not markup._TITLE_SYNTAX.search(t)) > 2000  # the fast path was taken


def test_collapsing_whitespace_skips_the_split_only_when_it_would_change_nothing():
    spaces = [c for c in map(chr, range(0x3001)) if c.isspace()]  # all of Unicode's are below U+3001
    alphabet = list("ab.é—") + spaces + [" ", "  ", "\x00", "\x7f"]
    rng = random.Random(13)
    for _ in range(4000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert markup._collapse(text) == " ".join(text.split()), repr(text)


def test_plain_abstracts_skip_the_parser_with_the_same_result():
    # An abstract of one plain line is escaped into a paragraph without the parser; HTML and
    # plain text must be exactly what the parser gives, whatever starts or ends the line.
    alphabet = list("abcXYZ019 .,;:!?-*~#<>&\"'()[]|+=%@^_\t\n\r") + ["plain words, ", "more text. "] * 20 + [
        "\u00e9", "\u2014", "\u00a0", "\u2003", "\u2028", "\x00", "\U0001d465", "1. ", "1) ", "> ", "- ", "+ ", "* ",
        "    ", "---", "***", "___", "~~~", "```", "# ", "===", "[a]: http://x.org", "[a]", "[a](http://x.org)", "](",
        "&amp;", "<http://a.b>", "  \n", "\\", "$x$"]
    rng = random.Random(5)
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(6000)]
    texts += [f"\n{text}\n" for text in texts[:1000]]  # as a content file's body holds it
    texts += ["a\rb", "a\x00b", "x [a](http://x.org) y", "x ![a](http://x.org) y", "x [a] (b) y", "# x", " x", "\u00a0x"]
    texts += seed_paragraphs()[:300]
    fast = 0
    for text in texts:
        tokens = markup._ABSTRACT_MD.parse(text)
        expected = (markup._ABSTRACT_MD.renderer.render(tokens, markup._ABSTRACT_MD.options, {}), markup._tokens_text(tokens))
        assert markup._abstract.__wrapped__(text) == expected, text
        fast += markup._plain_line(text) is not None
    assert fast > 800  # the fast path was taken


def test_narrowed_text_terminators_parse_like_markdown_its_own():
    # The parsers stop text runs only where one of their rules can start; a parser with
    # markdown-it's full set of terminators must give the same HTML and plain text.
    full_abstract, full_title = markup._abstract_parser(), markup._title_parser()
    assert getattr(full_abstract.inline, "terminator_re", None) is not markup._ABSTRACT_MD.inline.terminator_re
    alphabet = list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ abc1\n") + ["\\emph{", "\\(", "$$", "**", "](http://x.org)", "&amp;", "<http://a.b>", "  \n", "1. ", "- "]
    rng = random.Random(11)
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 50))) for _ in range(3000)]
    texts += seed_paragraphs()[:300]
    for text in texts:
        expected = full_abstract.parse(text)
        tokens = markup._ABSTRACT_MD.parse(text)
        assert markup._ABSTRACT_MD.renderer.render(tokens, markup._ABSTRACT_MD.options, {}) == \
            full_abstract.renderer.render(expected, full_abstract.options, {}), text
        assert markup._tokens_text(tokens) == markup._tokens_text(expected), text
        line = markup._collapse(text)
        assert markup._TITLE_MD.renderInline(line) == full_title.renderInline(line), text
        assert markup._tokens_text(markup._TITLE_MD.parse(text)) == markup._tokens_text(full_title.parse(text)), text


def test_rendering_is_cached_per_input_and_per_formula():
    markup._abstract.cache_clear()
    latex.mathml.cache_clear()
    first = render_abstract_html(r"Cached $\alpha_{cache}$ and again $\alpha_{cache}$.")
    assert render_abstract_html(r"Cached $\alpha_{cache}$ and again $\alpha_{cache}$.") is first
    render_abstract_html(r"Another abstract with $\alpha_{cache}$.")
    info = latex.mathml.cache_info()
    assert (info.misses, info.hits) == (1, 2)  # one conversion for three uses
    assert plain_text(r"Another abstract with $\alpha_{cache}$.") == r"Another abstract with $\alpha_{cache}$."
    assert markup._abstract.cache_info().misses == 2  # plain text came from the same parse


def seed_paragraphs() -> list[str]:
    lines = {line.strip() for path in sorted(SOURCES.glob("*.txt")) for line in path.read_text("utf-8").splitlines()}
    return sorted(line for line in lines if len(line) >= 200)


@pytest.mark.skipif(not SOURCES.is_dir(), reason="no seed dumps")
def test_every_seed_abstract_renders_as_valid_html_with_math():
    converted = unconverted = 0
    for paragraph in seed_paragraphs():
        html = render_abstract_html(paragraph)
        converted += len(maths(html))  # maths() parses strictly: a parse error fails the test
        for source in fallbacks(html):
            unconverted += 1
            # Only LaTeX that latex2mathml cannot know (a paper's own macros) may fall back.
            assert re.search(r"\\[A-Za-z]+", source), source
    assert converted > 100
    assert unconverted <= converted * 0.05

