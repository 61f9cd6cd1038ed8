"""Paper text to safe HTML: titles and abstracts with their LaTeX rendered to MathML at build time.

Math shows without JavaScript and in feed readers. Anything that cannot be rendered faithfully
(broken LaTeX, an undefined macro such as a paper's own `\\bigO`) shows as its source text in
`<code class="math-fallback">`; rendering never raises. Everything user-written is escaped: raw
HTML is off, links must be http(s), and the MathML is re-serialised from an allowlist. The LaTeX
that abstracts write outside math (`\\emph{..}`, `Schr\\"odinger`, ``quotes'') is handled by
`site_builder.latex`.

Caching: results are memoised (`functools.lru_cache`) per distinct input: an abstract is parsed
once for both its HTML and its plain text, and each distinct LaTeX formula is converted once per
process (`site_builder.latex.mathml`), so callers need no cache of their own. The functions are
pure, so the caches never change a result. Cost, measured on the seeds: ~70-110 us an abstract
(HTML and plain text together), ~110 us for each new formula.

Delimiters: `$...$` and `\\(...\\)` inline; `$$...$$` and `\\[...\\]` display. A `$...$` span
is math only when no space comes before its closing `$`, no digit after it, and it is shorter
than MAX_INLINE_MATH (pandoc's rule, plus a length limit, minus pandoc's "no space after the
opening `$`", which real abstracts break), so "costs $5 and $10" and a lone `$` stay text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.dollarmath.index import math_inline_dollar

from site_builder.latex import MATH_DELIMITERS, MAX_DISPLAY_MATH, MAX_INLINE_MATH, latex_text_rule, math_html

_DOLLAR = re.compile(r"(?<!\\)\$")
_TERMINATORS = re.compile(r"[\n!#$%&*+\-:<=>@\[\\\]^_`{}~]")  # markdown-it's text terminators
# What starts a rule of the title parser other than plain text (backslash escapes and commands,
# `$` math, `{\\em ..}`, ``quotes''); NUL and CR, which markdown-it's normaliser rewrites. A
# title or excerpt without any is rendered by escaping it (tests/build/test_markup.py checks
# that this matches the parser).
_TITLE_SYNTAX = re.compile(r"[\\$`{\x00\r]")
# An abstract that is one line of plain text is one paragraph of escaped text, as the parser
# would make it, 7 times faster: about half the synthetic corpus's abstracts and most of the
# seeds'. Not so a line with a character that starts an inline rule (brackets alone do not:
# with no reference definitions, only `](` makes a link), nor one whose first character may
# open a block (a quote, list, thematic break, fence, reference definition; headings are
# off), nor one that starts with whitespace (indented code). tests/build/test_markup.py checks
# that this matches the parser.
_ABSTRACT_SYNTAX = re.compile(r"[\n\\`*_<&${}\x00\r]")  # and "](", looked for with `in` (a regex
# alternation would try it at every character: 14 us a line against 5)
_BLOCK_OPENERS = frozenset(">[-+*=~_0123456789")


# --- Markdown-it rules ------------------------------------------------------------------------


def _guarded_dollar_rule(rule: Callable[[StateInline, bool], bool]) -> Callable[[StateInline, bool], bool]:
    """dollarmath's inline rule, refusing a span that is too long, runs past the current range
    (dollarmath looks for the closing `$` in the whole paragraph), has a space before its closing
    `$` or a digit after it. A space after the opening `$` is allowed: abstracts write `$ x$`."""

    def guarded(state: StateInline, silent: bool) -> bool:
        start = state.pos
        if not rule(state, True):
            return False
        end, state.pos = state.pos, start
        marker = "$$" if state.src.startswith("$$", start) else "$"
        limit = MAX_DISPLAY_MATH if marker == "$$" else MAX_INLINE_MATH
        if end > state.posMax or end - start > limit + 2 * len(marker):
            return False
        if state.src[end - len(marker) - 1].isspace() or state.src[end : end + 1].isdigit():
            return False
        if silent:
            state.pos = end
            return True
        return rule(state, False)

    return guarded


def _text_within_range(state: StateInline, silent: bool) -> bool:
    """markdown-it's `text` rule, kept within `state.posMax` as in markdown-it (JS): the Python
    port's runs on to the next terminator char, past the end of a nested range such as the
    ``quoted'' text `site_builder.latex` parses. A parser may narrow the terminators to the
    characters its enabled rules start with (`terminator_re`): at every terminator each rule is
    tried in turn, and an abstract has a dozen hyphens and carets that none of them takes."""
    terminators = getattr(state.md.inline, "terminator_re", _TERMINATORS)
    found = terminators.search(state.src, state.pos, state.posMax)
    end = found.start() if found else state.posMax
    if end == state.pos:
        return False
    if not silent:
        state.pending += state.src[state.pos : end]
    state.pos = end
    return True


def _drop_unsafe_links(state: StateCore) -> None:
    """Render links whose target was refused (javascript:, relative ...) as their text only;
    markdown-it would keep them as `<a href="">`."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        kept: list[Token] = []
        dropped: list[bool] = []
        for token in block.children:
            if token.type == "link_open":
                drop = not _is_web_url(str(token.attrGet("href") or ""))
                dropped.append(drop)
                if drop:
                    continue
                token.attrSet("rel", "nofollow")
            elif token.type == "link_close" and dropped and dropped.pop():
                continue
            kept.append(token)
        block.children = kept


def _is_web_url(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def _render_math(self, tokens: Sequence[Token], idx: int, options, env) -> str:  # noqa: ANN001
    token = tokens[idx]
    opening, closing, display = MATH_DELIMITERS[token.type]
    rendered = math_html(token.content, opening, closing, display)
    if token.type != "math_block":
        return rendered
    return f"<p>{rendered}</p>\n" if rendered.startswith("<code") else rendered + "\n"


def _render_title_math(self, tokens: Sequence[Token], idx: int, options, env) -> str:  # noqa: ANN001
    """Math in a title stays in the line, even when written as display math."""
    opening, closing, _ = MATH_DELIMITERS[tokens[idx].type]
    return math_html(tokens[idx].content, opening, closing, display=False)


class _WebLinksOnly(MarkdownIt):
    def validateLink(self, url: str) -> bool:  # noqa: N802 (markdown-it's name)
        return _is_web_url(url.strip())


def _add_math(md: MarkdownIt, render: Callable = _render_math) -> MarkdownIt:
    md.inline.ruler.at("text", _text_within_range)
    dollarmath_plugin(md, allow_labels=False, allow_space=True, allow_blank_lines=False, double_inline=True)
    dollar_rule = math_inline_dollar(allow_space=True, allow_digits=True, allow_double=True)
    md.inline.ruler.at("math_inline", _guarded_dollar_rule(dollar_rule))
    md.inline.ruler.before("escape", "latex_inline", latex_text_rule)
    for token_type in MATH_DELIMITERS:
        md.add_render_rule(token_type, render)
    return md


def _abstract_parser() -> MarkdownIt:
    md = _WebLinksOnly("commonmark", {"html": False})
    # Headings would break the page outline; images would load from other sites.
    md.disable(["html_block", "html_inline", "heading", "lheading", "image"])
    md.core.ruler.push("drop_unsafe_links", _drop_unsafe_links)
    return _add_math(md)


def _title_parser() -> MarkdownIt:
    md = MarkdownIt("zero").enable(["escape"])  # plain text; `\$` still means a dollar
    return _add_math(md, _render_title_math)


_ABSTRACT_MD = _abstract_parser()
_TITLE_MD = _title_parser()
# Where a text run must stop because a rule may start there: newline, escape and LaTeX (`\\`,
# `{`, `}`, `` ` ``), code spans, emphasis, links (`[`, `]`), autolinks, entities, `$` math.
# The default set adds characters of rules these parsers leave out (`-`, `:`, `!`, `~`...);
# tests/build/test_markup.py checks that both sets parse alike. (markdown-it-py 4 has this
# attribute for its own `text` rule, which `_text_within_range` replaces; 3.x has none.)
_ABSTRACT_MD.inline.terminator_re = re.compile(r"[\n\\`*_\[\]<&${}]")
_TITLE_MD.inline.terminator_re = re.compile(r"[\n\\`${}]")


# --- public API -------------------------------------------------------------------------------


@functools.lru_cache(maxsize=32768)
def render_title_html(title: str) -> str:
    """A title as HTML text: escaped, with `$...$`/`\\(...\\)` math as MathML and `\\emph{}` as
    `<em>`; no other markup (`*x*` stays as written). Whitespace is collapsed."""
    text = _collapse(title)
    if not _TITLE_SYNTAX.search(text):  # plain text: what the parser would make of it, 20x faster
        return escapeHtml(text)
    return _TITLE_MD.renderInline(text).strip()


def render_abstract_html(markdown: str) -> str:
    """An abstract (Markdown body) as an HTML fragment: raw HTML shown as text, only http(s)
    links (with rel="nofollow"), no headings or images, math as MathML."""
    return _abstract(markdown)[0]


def plain_text(markdown_or_title: str, *, markdown: bool = True) -> str:
    """Readable plain text (NOT escaped) for meta descriptions, feed excerpts, JSON-LD, search:
    Markdown markup stripped, math kept as written (`$\\ell_2$`), text-mode LaTeX reduced to its
    text (`\\emph{x}` -> `x`, `Schr\\"odinger` -> `Schrödinger`), whitespace collapsed.

    Pass `markdown=False` for a title, so that it is read as `render_title_html` reads it.
    """
    if markdown:
        return _abstract(markdown_or_title)[1]
    return _title_text(markdown_or_title)


@functools.lru_cache(maxsize=16384)  # ~5 KB an entry; sized for the 10,000-paper target
def _abstract(markdown: str) -> tuple[str, str]:
    """(HTML, plain text) of an abstract from one parse: pages and feeds need both."""
    text = _plain_line(markdown)
    if text is not None:
        return f"<p>{escapeHtml(text)}</p>\n", _collapse(text)
    tokens = _ABSTRACT_MD.parse(markdown)
    return _ABSTRACT_MD.renderer.render(tokens, _ABSTRACT_MD.options, {}), _tokens_text(tokens)


def _plain_line(markdown: str) -> str | None:
    """The text of an abstract that is one line of plain text (see _ABSTRACT_SYNTAX), else None."""
    line = markdown.lstrip("\n")
    text = line.strip()
    if not text or line[0] in _BLOCK_OPENERS or text[0] != line[0]:  # empty, a block, indented
        return None
    return None if "](" in text or _ABSTRACT_SYNTAX.search(text) else text


@functools.lru_cache(maxsize=32768)
def _title_text(title: str) -> str:
    if not _TITLE_SYNTAX.search(title):
        return _collapse(title)
    return _tokens_text(_TITLE_MD.parse(title))


def _tokens_text(tokens: list[Token]) -> str:
    parts: list[str] = []
    for token in tokens:
        if token.type == "inline":
            parts.extend(_inline_text(token.children or []))
        elif token.type in ("fence", "code_block"):
            parts.append(token.content)
        elif token.type == "math_block":
            parts.append(f"$${token.content.strip()}$$")
        elif token.type == "list_item_open":
            parts.append(f"{token.info}{token.markup} ")
        parts.append(" ")
    return _collapse("".join(parts))


@functools.lru_cache(maxsize=32768)
def title_parts(title: str) -> tuple[tuple[bool, str], ...]:
    """A title as runs of (is_math, text): math as its LaTeX without delimiters, the rest as
    plain text, read as `render_title_html` reads it (for BibTeX, which keeps math as LaTeX)."""
    text = _collapse(title)
    if not _TITLE_SYNTAX.search(text):  # plain text: what the parser would make of it, 20x faster
        return ((False, text),) if text else ()
    return _parsed_title_parts(text)


def _parsed_title_parts(text: str) -> tuple[tuple[bool, str], ...]:
    parts: list[tuple[bool, str]] = []
    for token in _TITLE_MD.parseInline(text)[0].children or []:
        if token.type in MATH_DELIMITERS:
            parts.append((True, token.content.strip()))
        elif token.type == "text" and parts and not parts[-1][0]:
            parts[-1] = (False, parts[-1][1] + token.content)
        elif token.type == "text":
            parts.append((False, token.content))
    return tuple(parts)


def excerpt(text: str, limit: int = 300, *, markdown: bool = True) -> str:
    """The plain text of `text` (see `plain_text`) cut at a word boundary to at most `limit`
    characters, "…" included; a cut never ends inside a `$...$` formula when avoidable."""
    plain = plain_text(text, markdown=markdown)
    if len(plain) <= limit:
        return plain
    cut = plain[: max(limit - 1, 1)]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    if len(_DOLLAR.findall(cut)) % 2:  # an unclosed formula: end before it, and its word
        before = cut[: cut.rfind("$")]
        if before and not before[-1].isspace():
            before = before[: max(before.rfind(" "), 0)]
        if len(before.rstrip()) >= limit // 2:
            cut = before.rstrip()
    return cut.rstrip(" ,;:–—-") + "…"


def _inline_text(children: list[Token]) -> list[str]:
    parts = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type in MATH_DELIMITERS:
            opening, closing, _ = MATH_DELIMITERS[child.type]
            parts.append(f"{opening}{child.content}{closing}")
    return parts


def _collapse(text: str) -> str:
    """Runs of whitespace as one space, none at the ends. (`str.split` and the regex `\\s`
    agree on what whitespace is; splitting is several times faster than substituting.) Text
    whose only whitespace is single spaces, as most is, needs no split: the only printable
    whitespace character is the space, and checking is twice as fast as splitting."""
    if "  " not in text and text.isprintable():
        return text.strip(" ")
    return " ".join(text.split())
