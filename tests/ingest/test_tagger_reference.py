"""`Tagger` (indexed, fast) against the rule as the module states it, checked word by word:
a topic matches when one of its keywords' word sequences occurs as consecutive words of the
title or of the abstract (each on its own), or one of its patterns matches as whole words."""

from __future__ import annotations

import random
import re

import pytest

from site_builder.ingest.topics import Tagger, compile_topic

_WORD = re.compile(r"\w+")

KEYWORDS = [
    ["gradient descent", "SGD"],
    ["min-max", "saddle point"],
    ["stochastic gradient descent method"],  # longer than two words
    ["descent"],  # a word that is also inside another topic's phrase
    ["bilevel", "hyper-gradient"],
    ["Polyak-Łojasiewicz", "naïve bayes"],  # non-ASCII
    ["a b c d e f"],  # too long to be joined: only as written
]
PATTERNS = {0: [r"sgd\w*"], 4: [r"hyper-?gradients?"]}
# Words of the keywords, their joined and plural forms, near misses, and filler.
VOCABULARY = (
    "gradient gradients descent descents gradientdescent sgd sgds sgdm min max minmax minmaxes saddle point "
    "points saddlepoint stochastic method methods bilevel hyper hypergradient hypergradients polyak "
    "łojasiewicz polyakłojasiewicz naïve naive bayes a b c d e f ab the of we study descentx"
).split()
SEPARATORS = [" ", "  ", "-", ", ", ". ", "\n", "’", " (", ") ", "_", "/"]


def reference(topics, title: str, abstract: str) -> tuple[str, ...]:
    found = []
    for topic in topics:
        matched = False
        for text in (title, abstract):
            words = _WORD.findall(text.lower())
            for phrase in topic.phrases:
                n = len(phrase)
                if any(tuple(words[i : i + n]) == phrase for i in range(len(words) - n + 1)):
                    matched = True
            if topic.regex is not None and any(
                m.start() == 0 or not re.match(r"\w", text.lower()[m.start() - 1])
                for m in re.finditer(f"(?=({topic.regex.pattern}))", text.lower())
            ):
                matched = True
        if matched:
            found.append(topic.slug)
    return tuple(found)


def random_text(rng: random.Random) -> str:
    words = [rng.choice(VOCABULARY) for _ in range(rng.randint(0, 12))]
    words = [w.upper() if rng.random() < 0.1 else w.title() if rng.random() < 0.1 else w for w in words]
    return "".join(w + rng.choice(SEPARATORS) for w in words)


@pytest.mark.parametrize("seed", range(3))
def test_tagger_agrees_with_the_rule_on_random_texts(seed):
    topics = [
        compile_topic(f"t{i}", f"T{i}", tuple(keywords), tuple(PATTERNS.get(i, ())))
        for i, keywords in enumerate(KEYWORDS)
    ]
    tagger = Tagger(topics)
    rng = random.Random(seed)
    tagged = 0
    for _ in range(3000):
        title, abstract = random_text(rng), random_text(rng)
        expected = reference(topics, title, abstract)
        assert tagger.tags(title, abstract) == expected, (title, abstract)
        tagged += bool(expected)
    assert tagged > 1000  # the texts do exercise the rules
