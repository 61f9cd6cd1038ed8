"""Titles and abstracts for the synthetic corpus, drawn from the fixed vocabulary."""

from __future__ import annotations

import random
import re

import yaml

from benchmarks.vocabulary import (
    ADJECTIVES, BODY_SENTENCES, CLOSING_SENTENCES, DATASETS, FEATURES, FIELDS, MATH_CONDITIONS, MATH_EXPRESSIONS,
    MATH_RATES, MATH_SENTENCES, METHODS, OPENING_SENTENCES, PROBLEMS, PROPERTIES, SETTINGS, SYLLABLES, TOPICS,
    VERBS,
)
from site_builder.ingest.topics import Tagger, parse_topics
from site_builder.slugs import make_slug

MIN_WORDS, MAX_WORDS = 120, 250
_SMALL_WORDS = frozenset({"a", "an", "and", "for", "in", "of", "on", "the", "to", "via", "with"})
# Words kept capitalised inside a sentence (names, not ordinary words).
_PROPER = frozenset({
    "Adam", "Anderson", "Bregman", "Carlo", "Frank-Wolfe", "Gaussian", "Hamiltonian", "Krylov", "Langevin",
    "Markov", "Monte", "Muon", "Nesterov", "Newton", "Q-Learning", "Shampoo", "Wasserstein", "ADMM", "SGD",
})


def topics_yaml() -> str:
    """content/topics.yaml for the corpus: one rule per topic, matching its keywords."""
    rules = [{"slug": slug, "name": name, "keywords": list(keywords)} for slug, name, keywords, _ in TOPICS]
    return yaml.safe_dump(rules, allow_unicode=True, sort_keys=False, width=1 << 20)


# The ingest's own tagger over those rules. Filler phrases never name a topic, and every topic a
# paper is about is named, so tagging a paper from its text finds exactly the paper's topics.
_TAGGER = Tagger(parse_topics(topics_yaml(), "topics.yaml"))
_SLUG_OF_PHRASE = {keywords[0]: slug for slug, _, keywords, _ in TOPICS}


def topics_named(text: str) -> tuple[str, ...]:
    """The slugs of the topics `text` names, as the ingest would tag it."""
    return _TAGGER.tags(text, "")


def mentions_topic(text: str) -> bool:
    return bool(topics_named(text))


def _neutral(phrases: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(p for p in phrases if not mentions_topic(p))


def title_case(phrase: str) -> str:
    """"chain-of-thought reasoning" -> "Chain-of-Thought Reasoning" (acronyms kept)."""
    words = []
    for i, word in enumerate(phrase.split(" ")):
        parts = [p if (p.lower() in _SMALL_WORDS and (i or j)) or not p.islower() else p[:1].upper() + p[1:]
                 for j, p in enumerate(word.split("-"))]
        words.append("-".join(parts))
    return " ".join(words)


def in_sentence(phrase: str) -> str:
    """A title-cased vocabulary phrase as it reads mid-sentence ("Newton Methods" -> "Newton
    methods", "Trust-Region Methods" -> "trust-region methods"); names and acronyms are kept."""
    words = []
    for word in phrase.split(" "):
        if word not in _PROPER:
            word = "-".join(p if not p[1:].islower() else p.lower() for p in word.split("-"))
        words.append(word)
    return " ".join(words)


def with_article(phrase: str) -> str:
    """"a robust", "an adaptive"."""
    vowel = phrase[:1].lower() in "aeiou" and not phrase.lower().startswith("uni")  # "a unified"
    return ("an " if vowel else "a ") + phrase


_METHODS, _PROBLEMS, _PROPERTIES = _neutral(METHODS), _neutral(PROBLEMS), _neutral(PROPERTIES)
_SETTINGS, _FEATURES, _VERBS = _neutral(SETTINGS), _neutral(FEATURES), _neutral(VERBS)


_NOT_ALNUM = re.compile(r"[\W_]+")


def merge_key(title: str) -> str:
    """Letters and digits only, casefolded: two titles with one key would be one paper to ingest."""
    return _NOT_ALNUM.sub("", title.casefold())


class TitleMaker:
    """Unique titles: no two share a slug (`make_slug`) or a merge key."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.slugs: set[str] = set()
        self.keys: set[str] = set()

    def unique_title(self, phrases: tuple[str, ...]) -> tuple[str, str]:
        """(title, slug) about the given topic phrases; retries (deterministically) on a collision."""
        for attempt in range(1000):
            title = self._title(phrases, force_acronym=attempt >= 2)
            if attempt >= 20:  # the vocabulary is exhausted for this topic: number the title
                title = f"{title}, Part {attempt - 18}"
            slug, key = make_slug(title), merge_key(title)
            if slug not in self.slugs and key not in self.keys:
                self.slugs.add(slug)
                self.keys.add(key)
                return title, slug
        raise RuntimeError(f"could not find a unique title for topics {phrases}")

    def _acronym(self) -> str:
        rng = self.rng
        while True:
            if rng.random() < 0.6:
                name = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3))))
            else:
                name = "".join(chr(65 + rng.randrange(26)) for _ in range(rng.randint(3, 6)))
            if not mentions_topic(name):  # "LoRa", "SGD", "LLM" would add a topic
                return name

    def _title(self, phrases: tuple[str, ...], force_acronym: bool) -> str:
        rng = self.rng
        c = rng.choice
        topic = title_case(c(phrases))
        adj, method, problem, prop = c(ADJECTIVES), c(_METHODS), c(_PROBLEMS), c(_PROPERTIES)
        pattern = rng.randrange(13)
        if pattern == 0:
            title = f"{adj} {method} for {problem}"
        elif pattern == 1:
            title = f"{method} for {problem} with {c(_FEATURES)}"
        elif pattern == 2:
            title = f"On the {prop} of {method} in {c(_SETTINGS)}"
        elif pattern == 3:
            title = f"On the {prop} of {method} for {topic}"
        elif pattern == 4:
            title = f"Towards {adj} {topic} via {method}"
        elif pattern == 5:
            title = f"{topic} in {c(_SETTINGS)}: {prop} and {c(_PROPERTIES)}"
        elif pattern == 6:
            title = f"When Does {method} {c(_VERBS)} in {c(_SETTINGS)}?"
        elif pattern == 7:
            title = f"{method} Provably Solves {problem}"
        elif pattern == 8:
            title = f"Beyond {method}: {adj} {topic} for {problem}"
        elif pattern == 9:
            title = f"{with_article(adj).split(' ')[0].capitalize()} {adj} Analysis of {method} for {topic}"
        elif pattern == 10:
            title = f"{adj} {topic} with {c(_FEATURES)}"
        elif pattern == 11:
            title = f"{adj} {prop} for {topic} and {problem}"
        else:
            title = f"{adj} Rates for {problem}: {c(MATH_RATES)} and Beyond" if rng.random() < 0.4 else f"{topic} Meets {method}"
        if force_acronym or rng.random() < 0.3:
            title = f"{title} ({self._acronym()})" if ":" in title else f"{self._acronym()}: {title}"
        return title


# Slot -> the phrases it is filled from, in their mid-sentence forms (computed once).
_SLOT_CHOICES: dict[str, tuple[str, ...]] = {
    "Method": _METHODS,
    "method": tuple(in_sentence(m) for m in _METHODS),
    "problem": tuple(in_sentence(p) for p in _PROBLEMS),
    "property": tuple(in_sentence(p) for p in _PROPERTIES),
    "setting": tuple(in_sentence(s) for s in _SETTINGS),
    "feature": tuple(in_sentence(f) for f in _FEATURES),
    "dataset": DATASETS,
    "a_adj": tuple(with_article(in_sentence(a)) for a in ADJECTIVES),
    "rate": MATH_RATES,
    "rate2": MATH_RATES,
    "condition": _neutral(MATH_CONDITIONS),
    "expression": MATH_EXPRESSIONS,
}


class _Slots(dict):
    """Fills a template's slots on demand, so only the slots a sentence uses cost a draw."""

    def __init__(self, rng: random.Random, topics: tuple[str, ...], topic2: str) -> None:
        super().__init__(topic2=topic2)
        self.rng, self.topics = rng, topics

    def __missing__(self, key: str) -> str:
        return self.rng.choice(self.topics if key == "topic" else _SLOT_CHOICES[key])


def abstract(rng: random.Random, phrases: tuple[str, ...], with_math: bool) -> str:
    """120-250 words about the topic phrases; with inline LaTeX when `with_math`."""
    target = rng.randint(MIN_WORDS, MAX_WORDS)
    topic2 = phrases[1] if len(phrases) > 1 else rng.choice(FIELDS)

    topics = phrases[:1] + phrases[2:]  # {topic} is never {topic2}

    def fill(template: str) -> str:
        return template.format_map(_Slots(rng, topics, topic2))

    opening = fill(rng.choice(OPENING_SENTENCES))
    closing = fill(rng.choice(CLOSING_SENTENCES))
    sentences = [opening]
    math_templates = list(MATH_SENTENCES)
    rng.shuffle(math_templates)  # each sentence shape at most once per abstract
    body_templates = list(BODY_SENTENCES)
    rng.shuffle(body_templates)
    if with_math:
        sentences.append(fill(math_templates.pop()))
    else:
        math_templates = []
    words = sum(len(s.split()) for s in sentences) + len(closing.split())
    misses = 0
    while words < target and misses < 10 and (body_templates or math_templates):
        use_math = with_math and math_templates and (not body_templates or rng.random() < 0.25)
        template = math_templates.pop() if use_math else body_templates.pop()
        sentence = fill(template)
        length = len(sentence.split())
        if words + length > MAX_WORDS - 12:  # room for the topics sentence below
            misses += 1
            continue
        sentences.append(sentence)
        words += length
    # Every topic is named at least once, so a reader (and the ingest's rules) can tell.
    named = topics_named(" ".join(sentences + [closing]))
    unnamed = [p for p in phrases if _SLUG_OF_PHRASE[p] not in named]
    if unnamed:
        sentences.append(f"We also discuss consequences for {_enumerate(unnamed)}.")
        words += len(sentences[-1].split())
    sentences.append(closing)
    if words + 6 <= MAX_WORDS and rng.random() < 0.2:
        sentences.append("Code is available at our project page.")
    return " ".join(s[:1].upper() + s[1:] for s in sentences)


def _enumerate(items: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
