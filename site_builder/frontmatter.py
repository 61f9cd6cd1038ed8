"""Parse and check one content file's text (pure: text in, fields and problems out; no I/O).

A paper file is `---`, YAML front matter, `---`, then the abstract as the Markdown body. Only
`title` is required; every other field of the content contract has a default. Like Zola (and
unlike Hugo), an unknown key is an error, with the nearest known key suggested: a typo such as
`catgories:` must not silently drop a paper's categories. `extra:` (any mapping) is the one
place for notes of your own; the build ignores it.

Problems name the line of the offending key in the file, so `content/papers/x.md:7: field
'date' must be a date YYYY-MM-DD, got 'May 3'` points at the line to fix.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
from collections.abc import Callable, Mapping
from typing import Any

import yaml

from site_builder.errors import Problem

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's C parser when built in


class FrontMatterLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe YAML without implicit timestamps: `date: 2025-02-30` stays text for us to check
    (PyYAML would raise a bare ValueError without a line), and strings are cheaper than dates."""


FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}

SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
SLUG_RULE = "lowercase ASCII letters, digits and single hyphens"
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_TOP_KEY_RE = re.compile(r"""^(?:"([^"]+)"|'([^']+)'|([^\s#'"\-?:][^:#]*?))\s*:(?:\s|$)""")


class Invalid(Exception):
    """A field value is not what the contract expects; `str()` is the whole message."""


def show(value: Any) -> str:
    """A value as a message shows it: dates as YYYY-MM-DD, long text cut short."""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _invalid(key: str, expected: str, value: Any) -> Invalid:
    return Invalid(f"field {key!r} must be {expected}, got {show(value)}")


# Field checkers: (key, raw YAML value) -> clean value, or raise Invalid. `None` (an empty or
# `null` value) gives the field's default, so `authors:` with nothing after it is fine.


def check_text(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _invalid(key, "non-empty text (quote it if YAML reads it as a number or true/false)", value)
    return value.strip()


def check_optional_text(key: str, value: Any) -> str | None:
    return None if value is None else check_text(key, value)


def check_bool(key: str, value: Any) -> bool | None:
    if value is None:
        return None
    if not isinstance(value, bool):
        raise _invalid(key, "true or false", value)
    return value


def check_count(key: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _invalid(key, "a whole number (0 or more) or null", value)
    return value


def check_date(key: str, value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value  # an explicit `!!timestamp` date
    if isinstance(value, str) and _DATE_RE.match(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise Invalid(f"field {key!r} must be a date YYYY-MM-DD, got {show(value)} (no such day)") from None
    raise _invalid(key, "a date YYYY-MM-DD or null", value)


def _text_list(expected: str, dedupe: bool) -> Callable[[str, Any], tuple[str, ...]]:
    def check(key: str, value: Any) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            raise _invalid(key, expected, value)
        for item in value:
            if not isinstance(item, str) or not item.strip():
                raise Invalid(f"field {key!r} must be {expected}, got item {show(item)}")
        items = tuple(item.strip() for item in value)
        return tuple(dict.fromkeys(items)) if dedupe else items

    return check


def check_topic_slugs(key: str, value: Any) -> tuple[str, ...]:
    slugs = _text_list("a list of topic slugs", dedupe=True)(key, value)
    for slug in slugs:
        if not SLUG_RE.match(slug):
            raise Invalid(f"field {key!r} must list topic slugs ({SLUG_RULE}), got {slug!r}")
    return slugs


def check_extra(key: str, value: Any) -> None:
    if value is not None and not isinstance(value, dict):
        raise _invalid(key, "a mapping (key: value) of your own notes", value)
    return None


# The content contract, in its documented order: field -> checker. `slug` is checked apart
# (it must equal the file name); `extra` is accepted and ignored.
PAPER_FIELDS: dict[str, Callable[[str, Any], Any]] = {
    "title": check_text,
    "slug": check_optional_text,
    # Authors keep duplicates: two people may share a name, and the list is shown as written.
    "authors": _text_list("a list of names", dedupe=False),
    "authors_complete": check_bool,
    "author_count": check_count,
    "affiliations": _text_list("a list of text", dedupe=True),
    "date": check_date,
    "added": check_date,
    "categories": _text_list("a list of arXiv category ids (e.g. cs.LG)", dedupe=True),
    "tags": check_topic_slugs,
    "code": check_bool,
    "upvotes": check_count,
    "organization": check_optional_text,
    "sources": _text_list("a list of file names", dedupe=True),
    "extra": check_extra,
}


def split_front_matter(text: str) -> tuple[str, str] | Problem:
    """(front matter, body) or a Problem at line 1. The front matter starts on the file's line 2."""
    if text.startswith("\ufeff"):
        text = text[1:]
    first_end = text.find("\n")
    first = text if first_end < 0 else text[:first_end]
    if first.rstrip() != "---":
        return Problem("expected front matter: the file must start with a line '---', then YAML fields "
                       "(at least 'title: ...'), then a closing '---' line", line=1)
    if first_end < 0:
        return Problem("front matter is not closed: expected a line '---' after the YAML fields", line=1)
    start = first_end + 1
    pos = start - 1  # the newline before a candidate closing line
    while True:
        pos = text.find("\n---", pos)
        if pos < 0:
            # The opening line itself may be the only '---'; either way nothing closes it.
            return Problem("front matter is not closed: expected a line '---' after the YAML fields", line=1)
        line_end = text.find("\n", pos + 4)
        rest = text[pos + 4 : len(text) if line_end < 0 else line_end]
        if not rest.strip():
            break
        pos += 4
    front = text[start : pos + 1] if pos + 1 > start else ""
    body_start = len(text) if line_end < 0 else line_end + 1
    return front, text[body_start:]


def key_lines(front: str, first_line: int = 2) -> dict[str, int]:
    """File line of each top-level key of the front matter (only called when reporting problems)."""
    lines: dict[str, int] = {}
    for number, line in enumerate(front.split("\n"), start=first_line):
        match = _TOP_KEY_RE.match(line)
        if match:
            key = next(g for g in match.groups() if g is not None).strip()
            lines.setdefault(key, number)
    return lines


class _NotSimple(Exception):
    """The front matter uses YAML beyond the simple subset: let the YAML parser read it."""


_SIMPLE_KEY_RE = re.compile(r"([a-z_]+):(?: +(.*))?\Z")
_SIMPLE_ITEM_RE = re.compile(r"( {0,2})- +(.*)\Z")
_SIMPLE_INT_RE = re.compile(r"(?:0|[1-9][0-9]*)\Z")
_PLAIN_FIRST_BAD = frozenset("-?:,[]{}#&*!|>'\"%@`")
_resolver = FrontMatterLoader("")  # only its (pure) implicit-tag resolution is used
_STR, _NULL = "tag:yaml.org,2002:str", "tag:yaml.org,2002:null"
_BOOL, _INT = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int"


def simple_front_matter(front: str) -> dict[str, Any] | None:
    """Front matter in the simple form ingest writes (one `key: scalar` per line, lists as
    `- item` lines, `[]`), read about 20 times faster than PyYAML's constructor does; None for
    anything else (comments, nesting, flow lists, escapes, continuation lines...), which the
    YAML parser then reads. For every input it accepts, the result equals `yaml.load` with
    `FrontMatterLoader` (tests compare the two); scalar types come from that loader's own
    resolver, and anything but text, null, true/false and plain decimal integers falls back.
    """
    data: dict[str, Any] = {}
    items: list[Any] | None = None  # the list being filled, after `key:` with no value
    items_key = ""
    indent = -1
    try:
        for line in front.split("\n"):
            if not line:
                continue
            match = _SIMPLE_ITEM_RE.match(line)
            if match:
                if items is None or (indent >= 0 and len(match.group(1)) != indent):
                    return None
                indent = len(match.group(1))
                if not items:
                    data[items_key] = items
                items.append(_simple_scalar(match.group(2)))
                continue
            match = _SIMPLE_KEY_RE.match(line)
            if match is None or match.group(1) not in PAPER_FIELDS:
                return None  # unknown keys too: YAML reads them, the checks name them
            key, value = match.group(1), (match.group(2) or "").rstrip(" ")
            if value:
                data[key] = _simple_scalar(value)
                items = None
            else:
                data[key] = None
                items, items_key, indent = [], key, -1
    except _NotSimple:
        return None
    return data


@functools.lru_cache(maxsize=1 << 16)  # names, categories, dates and flags repeat across papers
def _implicit_tag(text: str) -> str:
    return _resolver.resolve(yaml.ScalarNode, text, (True, False))


def _simple_scalar(text: str) -> Any:
    text = text.rstrip(" ")
    if not text or not text.isprintable():
        raise _NotSimple
    first = text[0]
    if first == "'":
        inner = text[1:-1]
        if len(text) >= 2 and text[-1] == "'" and "'" not in inner.replace("''", ""):
            return inner.replace("''", "'")
        raise _NotSimple
    if first == '"':
        inner = text[1:-1]
        if len(text) >= 2 and text[-1] == '"' and '"' not in inner and "\\" not in inner:
            return inner
        raise _NotSimple
    if text == "[]":
        return []
    if first in _PLAIN_FIRST_BAD or ": " in text or " #" in text or text[-1] == ":":
        raise _NotSimple
    tag = _implicit_tag(text)
    if tag == _STR:
        return text
    if tag == _NULL:
        return None
    if tag == _BOOL and text in ("true", "false"):
        return text == "true"
    if tag == _INT and _SIMPLE_INT_RE.match(text):
        return int(text)
    raise _NotSimple


def parse_paper_text(text: str, stem: str, path: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Check one paper file: (fields for `Paper`, []) or (None, every problem found in it).

    `stem` is the file name without `.md` (the slug); `path` is only used in the messages.
    The returned fields include `slug`, `body` and `source_path`, ready for `Paper(**fields)`
    once the HTML is rendered.
    """
    split = split_front_matter(text)
    if isinstance(split, Problem):
        return None, [Problem(split.message, path, split.line)]
    front, body = split
    try:
        data = simple_front_matter(front)
        if data is None:
            data = yaml.load(front, Loader=FrontMatterLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = 2 + mark.line if mark is not None else 1
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [Problem(f"invalid YAML in front matter: {reason}", path, line)]
    except (ValueError, TypeError, AttributeError, OverflowError) as exc:  # a constructor given an impossible value (`!!timestamp x`)
        return None, [Problem(f"invalid YAML in front matter: a value cannot be read ({exc})", path, 1)]
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return None, [Problem("front matter must be YAML fields (key: value), at least 'title: ...'", path, 2)]

    fields, bad = check_fields(data, PAPER_FIELDS)
    problems: list[str | tuple[str, str]] = list(bad)  # (key, message) or a message for line 1
    if "title" not in data:
        problems.append("missing required field 'title' (the paper's title)")

    if not SLUG_RE.match(stem):
        problems.append(f"file name {stem + '.md'!r} is not a valid slug ({SLUG_RULE}); rename the file")
    elif fields.get("slug") is not None and fields["slug"] != stem:
        problems.append(("slug", f"field 'slug' is {fields['slug']!r} but the file is {stem}.md: "
                                 "they must agree (leave 'slug' out to use the file name)"))
    authors = fields.get("authors", ())
    count = fields.get("author_count")
    if count is not None and "authors" in fields and count < len(authors):
        problems.append(("author_count", f"field 'author_count' is {count} but {len(authors)} authors are listed"))

    if problems:
        lines = key_lines(front)
        found = [Problem(p, path, 1) if isinstance(p, str) else Problem(p[1], path, lines.get(p[0], 1)) for p in problems]
        return None, sorted(found, key=lambda p: p.line or 0)  # stable: same line keeps check order
    fields.pop("extra", None)
    if fields.get("code", False) is None:
        del fields["code"]
    fields["slug"] = stem
    fields["body"] = body.strip()
    fields["source_path"] = path
    if fields.get("authors_complete") is None:
        # Complete unless a stated total says names are missing (ingest writes it explicitly).
        fields["authors_complete"] = count is None or count <= len(authors)
    return fields, []


def check_fields(data: dict, checkers: Mapping[str, Callable[[str, Any], Any]]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Each field of `data` through its checker: (checked values, [(key, problem)]). A key
    without a checker is an unknown field (a typo, most often: the message suggests the
    closest known one)."""
    values: dict[str, Any] = {}
    bad: list[tuple[str, str]] = []
    for key, value in data.items():
        checker = checkers.get(key) if isinstance(key, str) else None
        if checker is None:
            bad.append((str(key), _unknown_key_message(key, checkers)))
            continue
        try:
            values[key] = checker(key, value)
        except Invalid as exc:
            bad.append((key, str(exc)))
    return values, bad


def _unknown_key_message(key: Any, checkers: Mapping[str, object]) -> str:
    known = list(checkers)
    close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else f" (known fields: {', '.join(known)})"
    return f"unknown field {str(key)!r}{hint}"
