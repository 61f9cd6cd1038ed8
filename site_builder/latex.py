"""LaTeX in paper text: math to MathML, and the text-mode LaTeX abstracts carry, for markup.py.

`mathml` converts one formula with latex2mathml and re-serialises the result from an allowlist of
MathML elements and attributes (latex2mathml copies `\\text{<b>}` and `\\href{javascript:..}`
through unescaped, and undefined macros through as text; those fall back to the source).

`latex_text_rule` is a markdown-it inline rule for what arXiv abstracts write outside math:
`\\(..\\)` and `\\[..\\]` math, `\\emph{..}`/`{\\em ..}` styling, accents (`Schr\\"odinger`),
letters (`{\\L}ojasiewicz`) and ``quotes''.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from xml.etree.ElementTree import Element

from latex2mathml.converter import convert_to_element
from markdown_it.rules_inline import StateInline

MAX_INLINE_MATH = 300  # longer inline spans are taken for stray dollars or brackets, not math
MAX_DISPLAY_MATH = 4000

# Math token types (dollarmath's and latex_text_rule's) -> (opening, closing, display?).
MATH_DELIMITERS = {
    "math_inline": ("$", "$", False),
    "math_inline_double": ("$$", "$$", True),
    "math_block": ("$$", "$$", True),
    "math_paren": ("\\(", "\\)", False),
    "math_bracket": ("\\[", "\\]", True),
}

_MATHML_NS = "http://www.w3.org/1998/Math/MathML"
# What latex2mathml emits; anything else (the `href` of `\href`, `style` of `\style`) is dropped.
_MATHML_TAGS = frozenset(
    "math mrow mi mn mo ms mtext mspace mfrac msqrt mroot mstyle merror mpadded mphantom menclose "
    "msub msup msubsup munder mover munderover mmultiscripts mprescripts none mtable mtr mtd".split()
)
_MATHML_ATTRS = frozenset(
    "display mathvariant stretchy fence form separator accent accentunder lspace rspace minsize "
    "maxsize movablelimits largeop symmetric linethickness displaystyle scriptlevel mathsize "
    "width height depth voffset notation columnalign rowalign columnspacing rowspacing "
    "columnlines rowlines frame linebreak mathcolor mathbackground".split()
)
_SAFE_ATTR_VALUE = re.compile(r"[#%.\-\w ]*\Z")  # colours, lengths, keywords: no quotes, urls, `(`
_UNDEFINED_COMMAND = re.compile(r"\\[A-Za-z]")  # latex2mathml copies unknown macros through as text


# --- math -------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=65536)
def mathml(latex: str, display: bool = False) -> str | None:
    """`<math>` markup for one formula (no delimiters), or None when it cannot be rendered.

    The LaTeX source is kept in `alttext` for readers without MathML. Converted once per
    distinct (formula, display) in a process.
    """
    latex = latex.strip()
    if not latex or not braces_balanced(latex):
        return None
    try:
        root = convert_to_element(latex, display="block" if display else "inline")
        parts: list[str] = []
        ok = _serialize(root, parts, alttext=latex)
    # latex2mathml reports bad input with many exception types (its own, IndexError, KeyError,
    # RecursionError on deep nesting ...); each means "show the source instead".
    except Exception:  # noqa: BLE001
        return None
    return "".join(parts) if ok else None


def math_html(latex: str, opening: str, closing: str, display: bool) -> str:
    """Rendered math, or its source as written (delimiters included) when it cannot be rendered."""
    rendered = mathml(latex, display)
    if rendered is not None:
        return rendered
    return f'<code class="math-fallback">{escape(opening + latex + closing)}</code>'


def escape(text: str) -> str:
    return html.escape(text, quote=True)


def braces_balanced(latex: str) -> bool:
    depth = 0
    for match in re.finditer(r"\\.|[{}]", latex, re.DOTALL):
        if match.group() == "{":
            depth += 1
        elif match.group() == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _serialize(element: Element, out: list[str], alttext: str | None = None) -> bool:
    """Write `element` as HTML-safe MathML; False when it holds something that is not math."""
    tag = element.tag.rpartition("}")[2]
    if tag not in _MATHML_TAGS:
        return False
    # latex2mathml stores some characters as entity text ("&#x0003D;"): decode, then escape.
    text = html.unescape(element.text or "")
    if _UNDEFINED_COMMAND.search(text):
        return False
    attrs = "".join(
        f' {name}="{escape(value)}"'
        for name, value in element.attrib.items()
        if name in _MATHML_ATTRS and _SAFE_ATTR_VALUE.match(value)
    )
    if tag == "math":
        attrs = f' xmlns="{_MATHML_NS}"{attrs} alttext="{escape(alttext or "")}"'
    out.append(f"<{tag}{attrs}>{escape(text)}")
    for child in element:
        if not _serialize(child, out):
            return False
        tail = html.unescape(child.tail or "")
        if _UNDEFINED_COMMAND.search(tail):
            return False
        out.append(escape(tail))
    out.append(f"</{tag}>")
    return True


# --- text-mode LaTeX --------------------------------------------------------------------------

_COMMAND_TAGS = {  # \command{..} -> HTML tag ("" keeps the content, unwrapped)
    "emph": "em", "textit": "em", "textsl": "em", "textbf": "strong", "texttt": "code",
    "textsuperscript": "sup", "textsubscript": "sub", "textrm": "", "textsf": "", "textnormal": "",
}  # fmt: skip
_DECLARATION_TAGS = {"em": "em", "it": "em", "sl": "em", "bf": "strong", "tt": "code"}  # {\em ..}
_ACCENTS = {  # \'e -> é (combining marks, composed with NFC)
    "'": "\u0301", '"': "\u0308", "`": "\u0300", "^": "\u0302", "~": "\u0303", "=": "\u0304",
    ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328", "r": "\u030a",
}  # fmt: skip
_LETTERS = {
    "ss": "ß", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å",
    "L": "Ł", "l": "ł", "o": "ø", "O": "Ø", "i": "ı",
}  # fmt: skip
_ABBREVIATIONS = {"ie": "i.e.", "eg": "e.g.", "etal": "et al."}  # common macros of arXiv authors

_COMMAND = re.compile(r"\\(" + "|".join(_COMMAND_TAGS) + r")\{")
_DECLARATION = re.compile(r"\{\\(" + "|".join(_DECLARATION_TAGS) + r")(?![A-Za-z])\s*")
_ACCENT = re.compile(
    r"""\\(?:(['"`^~=.])|([uvHckr])(?=[\s{])\s*)(?:\{(\\i|[A-Za-z])\}|(\\i(?![A-Za-z])|[A-Za-z]))"""
)
# A space after a control word belongs to it: `\\L ojasiewicz` is "Łojasiewicz".
_LETTER = re.compile(r"\\(" + "|".join(sorted(_LETTERS, key=len, reverse=True)) + r")(?:\{\}|(?![A-Za-z]) ?)")
_ABBREVIATION = re.compile(r"\\(" + "|".join(_ABBREVIATIONS) + r")(?![A-Za-z])(?:\{\})?")
_BRACED_COMMAND = re.compile(r"\{(\\[A-Za-z]+)\}")  # `{\\delta}`: math whose dollars were lost
_LATEX_QUOTE = re.compile(r"``([^`\n]{1,300}?)''")


def latex_text_rule(state: StateInline, silent: bool) -> bool:
    """markdown-it inline rule; runs before `escape` and `backticks`, which would eat `\\` and ``."""
    char = state.src[state.pos]
    if char == "\\":
        return _math_span(state, silent) or _command(state, silent) or _symbol(state, silent)
    if char == "{":
        return _declaration(state, silent) or _braced_symbol(state, silent)
    if char == "`":
        return _quote(state, silent)
    return False


def _math_span(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    marker = src[pos + 1 : pos + 2]
    if marker not in ("(", "["):
        return False
    end = src.find("\\)" if marker == "(" else "\\]", pos + 2, state.posMax)
    limit = MAX_INLINE_MATH if marker == "(" else MAX_DISPLAY_MATH
    if end < 0 or end - pos - 2 > limit or not src[pos + 2 : end].strip():
        return False
    if not silent:
        token = state.push("math_paren" if marker == "(" else "math_bracket", "math", 0)
        token.content = src[pos + 2 : end]
        token.markup = "\\" + marker
    state.pos = end + 2
    return True


def _command(state: StateInline, silent: bool) -> bool:
    match = _COMMAND.match(state.src, state.pos, state.posMax)
    return match is not None and _wrap(state, silent, match.end(), _COMMAND_TAGS[match.group(1)])


def _declaration(state: StateInline, silent: bool) -> bool:
    match = _DECLARATION.match(state.src, state.pos, state.posMax)
    return match is not None and _wrap(state, silent, match.end(), _DECLARATION_TAGS[match.group(1)])


def _wrap(state: StateInline, silent: bool, start: int, tag: str) -> bool:
    """Wrap the group from `start` to its closing brace in `tag`, parsing its content inline."""
    close = _closing_brace(state.src, start, state.posMax)
    if close is None:
        return False
    if not silent:
        if tag:
            state.push(f"latex_{tag}_open", tag, 1)
        old_max, state.pos, state.posMax = state.posMax, start, close
        state.md.inline.tokenize(state)  # the argument may hold math or Markdown
        state.posMax = old_max
        if tag:
            state.push(f"latex_{tag}_close", tag, -1)
    state.pos = close + 1
    return True


def _symbol(state: StateInline, silent: bool) -> bool:
    """An accented letter (`\\"o`) or a letter command (`\\L`, `\\ss`) as its Unicode text."""
    for pattern in (_ACCENT, _LETTER, _ABBREVIATION):
        match = pattern.match(state.src, state.pos, state.posMax)
        if match:
            return _push_text(state, silent, _symbol_text(match), match.end())
    return False


def _braced_symbol(state: StateInline, silent: bool) -> bool:
    """`{\\L}`, `{\\"o}`: braces that only protect a letter from BibTeX, dropped; `{\\delta}`, a
    symbol whose dollars the listing lost, rendered as math when it is one."""
    src, pos = state.src, state.pos
    command = _BRACED_COMMAND.match(src, pos, state.posMax)
    if command and command.group(1)[1:] not in _LETTERS and mathml(command.group(1)):
        if not silent:
            token = state.push("math_inline", "math", 0)
            token.content = command.group(1)
            token.markup = "$"
        state.pos = command.end()
        return True
    close = src.find("}", pos + 1, state.posMax)
    if close < 0:
        return False
    for pattern in (_ACCENT, _LETTER):
        match = pattern.match(src, pos + 1, close)
        if match and match.end() == close:
            return _push_text(state, silent, _symbol_text(match), close + 1)
    return False


def _quote(state: StateInline, silent: bool) -> bool:
    """``text'' -> “text”, parsing the text inline."""
    match = _LATEX_QUOTE.match(state.src, state.pos, state.posMax)
    if match is None:
        return False
    if not silent:
        state.push("text", "", 0).content = "\u201c"
        old_max, state.pos, state.posMax = state.posMax, match.start(1), match.end(1)
        state.md.inline.tokenize(state)
        state.posMax = old_max
        state.push("text", "", 0).content = "\u201d"
    state.pos = match.end()
    return True


def _symbol_text(match: re.Match[str]) -> str:
    if match.re is _LETTER:
        return _LETTERS[match.group(1)]
    if match.re is _ABBREVIATION:
        return _ABBREVIATIONS[match.group(1)]
    mark = _ACCENTS[match.group(1) or match.group(2)]
    base = match.group(3) or match.group(4)
    return unicodedata.normalize("NFC", ("i" if base == "\\i" else base) + mark)


def _push_text(state: StateInline, silent: bool, text: str, end: int) -> bool:
    if not silent:
        state.push("text", "", 0).content = text
    state.pos = end
    return True


def _closing_brace(src: str, start: int, end: int) -> int | None:
    """Index of the `}` closing the group whose content starts at `start`, before `end`."""
    depth = 1
    pos = start
    while pos < end:
        char = src[pos]
        if char == "\\":
            pos += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return pos
        pos += 1
    return None
