"""Topic rules: matching, rule order, and errors in topics.yaml that name file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.errors import SiteBuilderError
from site_builder.ingest.topics import compile_topic, load_topics, parse_topics, tag_paper

REPO = Path(__file__).resolve().parents[2]


def topic(keywords=(), patterns=(), slug="t"):
    return compile_topic(slug, slug.title(), tuple(keywords), tuple(patterns))


@pytest.mark.parametrize(
    "keyword, text",
    [
        ("bilevel", "A Bilevel Approach"),  # case-insensitive
        ("min-max", "a min max problem"),  # hyphen matches space
        ("min-max", "minmax problems"),  # ... or nothing, and plurals
        ("min max", "min-max"),
        ("diffusion model", "score-based diffusion models"),
        ("stochastic process", "stochastic processes"),  # 'es' plural
        ("RL", "offline RL: a survey"),
        ("DP-SGD", "we analyse DP-SGD."),
        ("Polyak-Łojasiewicz", "the Polyak-Łojasiewicz condition"),
        ("in-context learning", "In-context\nlearning"),
        ("Newton's method", "a Newton’s method variant"),  # punctuation between words is ignored
        ("optimal transport", "Optimal-Transport."),
    ],
)
def test_keyword_matches(keyword, text):
    assert topic([keyword]).matches(text)


@pytest.mark.parametrize(
    "keyword, text",
    [
        ("RL", "in the real world"),  # not inside a word
        ("Adam", "Adamant behaviour"),
        ("game", "a language model"),
        ("SGD", "DPSGDX"),
        ("quantum", "quantumness"),
    ],
)
def test_keyword_matches_whole_words_only(keyword, text):
    assert not topic([keyword]).matches(text)


def test_patterns_are_regular_expressions_matched_as_whole_words():
    t = topic(patterns=[r"hyper-?gradients?"])
    assert t.matches("small Hypergradients")
    assert t.matches("hyper-gradient")
    assert not t.matches("hypergradientX")
    assert not t.matches("xhypergradient")
    assert t.matches("xhypergradient and then hypergradient")  # the second one counts


def test_patterns_ignore_case_but_keep_escapes():
    t = topic(patterns=[r"Stochastic\s+(?:Gradient|Oracle)s?\b", r"\d+-BIT"])
    assert t.matches("STOCHASTIC  gradients")
    assert t.matches("train in 4-bit")
    assert not t.matches("stochastic_gradient")


def test_paper_gets_every_matching_topic_in_rule_order():
    topics = (
        topic(["federated"], slug="federated"),
        topic(["quantum"], slug="quantum"),
        topic(["bilevel"], slug="bilevel"),
    )
    assert tag_paper(topics, "Bilevel Federated Learning", "no quantum here? yes: quantum") == (
        "federated",
        "quantum",
        "bilevel",
    )
    assert tag_paper(topics, "Nothing", "relevant") == ()


def test_title_and_abstract_are_both_searched_but_not_across_their_boundary():
    topics = (topic(["gradient descent"], slug="gd"),)
    assert tag_paper(topics, "On gradient descent", "") == ("gd",)
    assert tag_paper(topics, "Title", "uses gradient descent") == ("gd",)
    assert tag_paper(topics, "On gradient", "descent methods") == ()


def test_parse_rules_file():
    topics = parse_topics(
        "- slug: bilevel\n  name: Bilevel optimization\n  keywords: [bilevel]\n"
        "- slug: rl\n  name: RL\n  patterns: ['reinforcement\\s+learning']\n",
        "topics.yaml",
    )
    assert [(t.slug, t.name) for t in topics] == [("bilevel", "Bilevel optimization"), ("rl", "RL")]
    assert topics[1].matches("Deep Reinforcement  Learning")


def test_rules_may_sit_under_a_topics_key():
    topics = parse_topics("topics:\n- slug: rl\n  name: RL\n  keywords: [RL]\n", "topics.yaml")
    assert [t.slug for t in topics] == ["rl"]
    assert parse_topics("topics:\n", "topics.yaml") == ()


def test_missing_rules_file_means_no_topics(tmp_path):
    assert load_topics(tmp_path / "topics.yaml") == ()


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("- slug: a\n  name: A\n  patterns: ['ok', '(unclosed']\n", 3, ["bad regular expression", "(unclosed"]),
        ("- slug: a\n  name: A\n  keywords: [x]\n- name: B\n  keywords: [y]\n", 4, ["missing 'slug'"]),
        ("- slug: a\n  name: A\n  keywords: [x]\n- slug: a\n  name: B\n  keywords: [y]\n", 4, ["duplicate topic slug 'a'"]),
        ("- slug: Not A Slug\n  name: A\n  keywords: [x]\n", 1, ["lowercase letters, digits and single hyphens"]),
        ("- slug: a\n  name: A\n", 1, ["needs keywords or patterns"]),
        ("- slug: a\n  name: A\n  keywords: []\n", 1, ["needs keywords or patterns"]),
        ("- slug: a\n  name: A\n  keyword: [x]\n", 3, ["unknown key 'keyword'"]),
        ("- slug: a\n  name: A\n  keywords: bilevel\n", 3, ["'keywords' must be a list"]),
        ("- slug: a\n  name: A\n  keywords:\n  - ok\n  - '++'\n", 5, ["has no letter or digit"]),
        ("- slug: a\n  keywords: [x]\n", 1, ["missing 'name'"]),
        ("slug: a\nname: A\n", 1, ["expected a list of topic rules"]),
        ("- slug: a\n  name: [A\n", 3, ["invalid YAML"]),
    ],
)
def test_bad_rules_are_errors_naming_file_and_line(tmp_path, text, line, words):
    path = tmp_path / "topics.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SiteBuilderError) as info:
        load_topics(path)
    problems = info.value.problems
    assert any(p.path == str(path) and p.line == line and all(w in p.message for w in words) for p in problems), problems


def test_every_bad_rule_is_reported_at_once(tmp_path):
    path = tmp_path / "topics.yaml"
    path.write_text("- slug: a\n  name: A\n  patterns: ['(']\n- name: B\n  keywords: [b]\n", encoding="utf-8")
    with pytest.raises(SiteBuilderError) as info:
        load_topics(path)
    assert [p.line for p in info.value.problems] == [3, 4]


def test_shipped_rules_load_and_are_specific():
    topics = {t.slug: t for t in load_topics(REPO / "content" / "topics.yaml")}
    assert len(topics) >= 20
    # Words every abstract uses must not make a paper belong to a topic.
    assert not topics["transformers-attention"].matches("This problem has attracted much attention recently.")
    assert not topics["federated-distributed"].matches("samples are independent and identically distributed")
    assert not topics["convex-optimization"].matches("we use Proximal Policy Optimization (PPO)")
    assert not topics["games-equilibria"].matches("achieves competitive performance")
    assert not topics["control-robotics"].matches("we control the variance of the estimator")
    # ... while the phrases of the field do.
    assert topics["transformers-attention"].matches("multi-head softmax attention")
    assert topics["federated-distributed"].matches("distributed optimization over a network")
    assert topics["convex-optimization"].matches("a proximal gradient method")
    assert topics["bilevel-optimization"].matches("On Finding Small Hyper-Gradients in Bilevel Optimization")
    assert topics["sampling-mcmc"].matches("Fast Conditional Mixing of MCMC Algorithms")
    assert topics["minimax-optimization"].matches("Second-Order Min-Max Optimization with Lazy Hessians")
    assert topics["second-order-methods"].matches("Second-Order Min-Max Optimization with Lazy Hessians")
