"""Topic rules (`content/topics.yaml`) and tagging papers with them.

The rules file is a YAML list (or a `topics:` key holding one); each rule is a mapping:

    - slug: bilevel-optimization      # the tag papers carry (lowercase letters, digits, hyphens)
      name: Bilevel optimization      # the display name
      keywords: [bilevel, hypergradient]
      patterns: ['hyper-?gradients?']  # Python regular expressions

A paper gets every topic one of whose keywords or patterns occurs in its title or abstract
(each searched on its own), ignoring case, as whole words, in the order of the rules file.

* A keyword matches the same words in the same order, whatever punctuation or spacing stands
  between them; adjacent words may also be written as one ("min-max" matches "min max",
  "min-max" and "minmax"; in keywords of up to five words), and the last word may take a
  plural "s" or "es".
* A pattern is a regular expression; it must match whole words too (`hyper-?gradients?` does not
  match inside "xhypergradient"). Letters in it are lower-cased, since the text it is matched
  against is (this keeps matching fast: see `Tagger`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from site_builder.errors import ContentError, Problem, ProblemList
from site_builder.slugs import make_slug

_RULE_KEYS = ("slug", "name", "keywords", "patterns")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_WORD = re.compile(r"\w+")
_WORD_CHAR = re.compile(r"\w")
_ESCAPE_OR_CHAR = re.compile(r"\\.|.", re.DOTALL)
_MAX_JOINED_WORDS = 5


@dataclass(frozen=True)
class Topic:
    slug: str
    name: str
    keywords: tuple[str, ...]
    patterns: tuple[str, ...]
    phrases: tuple[tuple[str, ...], ...]  # every word sequence a keyword stands for, lower case
    regex: re.Pattern[str] | None  # all patterns in one expression, for lower-cased text

    def matches(self, text: str) -> bool:
        return bool(Tagger((self,)).tags(text, ""))


def keyword_phrases(keyword: str) -> set[tuple[str, ...]]:
    """The word sequences a keyword matches: adjacent words joined or not, last word plural or not."""
    words = _WORD.findall(keyword.lower())
    if not words:
        return set()
    phrases: set[tuple[str, ...]] = set()
    # Every way of joining adjacent words: 2^(n-1) of them, so long phrases are taken as written.
    join_choices = (False, True) if len(words) <= _MAX_JOINED_WORDS else (False,)
    for joins in itertools.product(join_choices, repeat=len(words) - 1):
        phrase = [words[0]]
        for word, join in zip(words[1:], joins):
            if join:
                phrase[-1] += word
            else:
                phrase.append(word)
        for plural in ("", "s", "es"):
            phrases.add(tuple(phrase[:-1]) + (phrase[-1] + plural,))
    return phrases


def lower_pattern(pattern: str) -> str:
    """A pattern for lower-cased text: letters lower-cased, escapes (`\\S`, `\\W`) left alone."""
    return "".join(part if part.startswith("\\") else part.lower() for part in _ESCAPE_OR_CHAR.findall(pattern))


def compile_topic(slug: str, name: str, keywords: tuple[str, ...], patterns: tuple[str, ...]) -> Topic:
    """Build a topic; raises `re.error` for a bad pattern."""
    phrases = {p for k in keywords for p in keyword_phrases(k) if p}
    regex = None
    if patterns:
        # The end of a whole word is checked here; the start in `_search_whole_words`.
        regex = re.compile("(?:" + "|".join(f"(?:{lower_pattern(p)})" for p in patterns) + r")(?!\w)")
    return Topic(slug, name, keywords, patterns, tuple(sorted(phrases)), regex)


class Tagger:
    """Tags papers with topics, fast enough for 100,000 papers.

    Keywords are not regular expressions: every topic's phrases are indexed by their first word.
    One-word phrases are found by intersecting a text's words with the index (a set operation,
    whatever the number of rules); a longer phrase is looked for only when all its words occur
    in the text, as a substring of the text's words joined by single spaces.
    Patterns are regular expressions searched without IGNORECASE (the text is lower-cased
    instead), so `re` can skip ahead on their literal prefix.
    """

    def __init__(self, topics: Sequence[Topic]):
        self.slugs = tuple(t.slug for t in topics)
        words: dict[str, set[int]] = {}
        phrases: dict[str, dict[str, set[int]]] = {}  # first word -> " joined phrase " -> topics
        for index, topic in enumerate(topics):
            for phrase in topic.phrases:
                if len(phrase) == 1:
                    words.setdefault(phrase[0], set()).add(index)
                else:
                    phrases.setdefault(phrase[0], {}).setdefault(f" {' '.join(phrase)} ", set()).add(index)
        self._words = {word: frozenset(indices) for word, indices in words.items()}
        self._word_set = frozenset(self._words)
        # first word -> (every word of the phrase, " joined phrase ", topics), in a fixed order
        self._phrases = {
            first: tuple((frozenset(text.split()), text, frozenset(by_text[text])) for text in sorted(by_text))
            for first, by_text in phrases.items()
        }
        self._first_words = frozenset(self._phrases)
        self._vocabulary = self._word_set.union(*(words for entries in self._phrases.values() for words, _, _ in entries))
        self.patterns = [(index, t.regex) for index, t in enumerate(topics) if t.regex is not None]

    def tags(self, title: str, abstract: str) -> tuple[str, ...]:
        """The slugs of every topic matching the title or the abstract, in rule order."""
        title_words, abstract_words = _words(title), _words(abstract)
        present = self._vocabulary.intersection(title_words + abstract_words)  # the words rules name
        found: set[int] = set()
        for word in present & self._word_set:
            found |= self._words[word]
        firsts = present & self._first_words
        if firsts:
            # "\n" is no word: no phrase runs on from the title into the abstract.
            joined = f" {' '.join(title_words)} \n {' '.join(abstract_words)} "
            for first in firsts:
                for phrase_words, phrase, indices in self._phrases[first]:
                    if phrase_words <= present and not indices <= found and phrase in joined:
                        found |= indices
        if self.patterns:
            texts = (title.lower(), abstract.lower())
            for index, regex in self.patterns:
                if index not in found and any(_search_whole_words(regex, text) for text in texts):
                    found.add(index)
        return tuple(self.slugs[i] for i in sorted(found))


# ASCII word characters (letters, digits, "_") lower-cased, every other one a space: for ASCII text,
# `text.translate(_ASCII_WORDS).split()` is `_WORD.findall(text.lower())`, in half the time.
_ASCII_WORDS = {i: chr(i).lower() if _WORD_CHAR.match(chr(i)) else " " for i in range(128)}


def _words(text: str) -> list[str]:
    """The words of `text`, lower-cased (as `_WORD` finds them)."""
    if text.isascii():
        return text.translate(_ASCII_WORDS).split()
    return _WORD.findall(text.lower())


def _search_whole_words(regex: re.Pattern[str], text: str) -> bool:
    """Whether `regex` matches somewhere not inside a word. The start is checked here rather
    than with a leading lookbehind, which would stop `re` from skipping ahead on a literal."""
    pos = 0
    while (match := regex.search(text, pos)) is not None:
        start = match.start()
        if start == 0 or not _WORD_CHAR.match(text, start - 1):
            return True
        pos = start + 1
    return False


def tag_paper(topics: Sequence[Topic], title: str, abstract: str) -> tuple[str, ...]:
    """The slugs of every topic matching the title or abstract (for one paper; use `Tagger` for many)."""
    return Tagger(topics).tags(title, abstract)


def load_topics(path: Path) -> tuple[Topic, ...]:
    """Read and check a rules file; a missing file means no topics. Errors name file and line."""
    if not path.exists():
        return ()
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError(f"not UTF-8 text ({exc.reason})", path) from None
    return parse_topics(text, str(path))


def parse_topics(text: str, path: str) -> tuple[Topic, ...]:
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ContentError(f"invalid YAML: {getattr(exc, 'problem', exc)}", path, mark.line + 1 if mark else None) from None
    if isinstance(root, yaml.MappingNode) and len(root.value) == 1 and root.value[0][0].value == "topics":
        root = root.value[0][1]  # `topics: [...]`, which the content loader accepts too
    if root is None or (isinstance(root, yaml.ScalarNode) and root.tag.endswith(":null")):
        return ()
    if not isinstance(root, yaml.SequenceNode):
        raise ContentError("expected a list of topic rules (- slug: ..., name: ..., keywords: [...])", path, _line(root))

    problems: list[Problem] = []
    topics: list[Topic] = []
    seen: dict[str, int] = {}
    for node in root.value:
        topic = _parse_rule(node, path, problems)
        if topic is None:
            continue
        if topic.slug in seen:
            problems.append(Problem(f"duplicate topic slug {topic.slug!r} (first at line {seen[topic.slug]})", path, _line(node)))
            continue
        seen[topic.slug] = _line(node)
        topics.append(topic)
    if problems:
        raise ContentError(problems[0].message, path, problems[0].line) if len(problems) == 1 else ProblemList(problems)
    return tuple(topics)


def _parse_rule(node: yaml.Node, path: str, problems: list[Problem]) -> Topic | None:
    line = _line(node)
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem("expected a topic rule (a mapping with slug, name, keywords, patterns)", path, line))
        return None
    fields: dict[str, yaml.Node] = {}
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if key not in _RULE_KEYS:
            problems.append(Problem(f"unknown key {key!r} in a topic rule (expected: {', '.join(_RULE_KEYS)})", path, _line(key_node)))
            continue
        fields[key] = value_node

    count = len(problems)
    slug = _scalar(fields.get("slug"), "slug", path, line, problems)
    name = _scalar(fields.get("name"), "name", path, line, problems)
    if slug is not None and make_slug(slug) != slug:
        problems.append(Problem(f"topic slug {slug!r} must be lowercase letters, digits and single hyphens", path, _line(fields["slug"])))
    keywords = _strings(fields.get("keywords"), "keywords", path, problems)
    patterns = _strings(fields.get("patterns"), "patterns", path, problems)
    for text, item_line in keywords:
        if not _WORD.search(text):
            problems.append(Problem(f"keyword {text!r} has no letter or digit to match", path, item_line))
    for text, item_line in patterns:
        try:
            re.compile(lower_pattern(text))
        except re.error as exc:
            problems.append(Problem(f"bad regular expression {text!r}: {exc}", path, item_line))
    if not keywords and not patterns and len(problems) == count:
        problems.append(Problem(f"topic {slug or '?'!r} needs keywords or patterns", path, line))
    if len(problems) > count or slug is None or name is None:
        return None
    return compile_topic(slug, name, tuple(k for k, _ in keywords), tuple(p for p, _ in patterns))


def _scalar(node: yaml.Node | None, key: str, path: str, line: int, problems: list[Problem]) -> str | None:
    if node is None:
        problems.append(Problem(f"topic rule is missing {key!r}", path, line))
        return None
    if not isinstance(node, yaml.ScalarNode) or not node.value.strip():
        problems.append(Problem(f"{key!r} must be a non-empty text", path, _line(node)))
        return None
    return node.value.strip()


def _strings(node: yaml.Node | None, key: str, path: str, problems: list[Problem]) -> list[tuple[str, int]]:
    """A list of non-empty texts, each with its line."""
    if node is None:
        return []
    if not isinstance(node, yaml.SequenceNode):
        problems.append(Problem(f"{key!r} must be a list of texts", path, _line(node)))
        return []
    items = []
    for item in node.value:
        if not isinstance(item, yaml.ScalarNode) or not item.value.strip():
            problems.append(Problem(f"every item of {key!r} must be a non-empty text", path, _line(item)))
            continue
        items.append((item.value.strip() if key == "keywords" else item.value, _line(item)))
    return items


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1
