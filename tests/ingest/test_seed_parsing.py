"""End to end over the real seed dumps: bytes -> decode_dump -> parse_dump -> records."""

import datetime as dt
from pathlib import Path

import pytest

from site_builder.ingest.detect import parse_dump
from site_builder.ingest.dumps import decode_dump
from site_builder.records import AUTHOR_PROFILE, DAILY_LIST, PROFILE_LIST, SEARCH_LIST, ProfileHeader

AS_OF = dt.date(2026, 11, 24)
SOURCES = Path(__file__).resolve().parents[2] / "content" / "sources"
SEEDS = {
    "000_043ef1eb0ec81c75.txt": (AUTHOR_PROFILE, 41),
    "001_f04deae0d2f5f7cf.txt": (PROFILE_LIST, 44),
    "002_aed40722673f7a63.txt": (SEARCH_LIST, 305),
    "003_59fe14b212176fd7.txt": (DAILY_LIST, 26),
    "004_ed8c7cc6d311300a.txt": (DAILY_LIST, 27),
}


def parse_seed(name: str):
    return parse_dump(decode_dump((SOURCES / name).read_bytes()), AS_OF)


@pytest.fixture(scope="module")
def dumps():
    return {name: parse_seed(name) for name in SEEDS}


def by_title(dump, title):
    [paper] = [p for p in dump.papers if p.title == title]
    return paper


@pytest.mark.parametrize("name", SEEDS)
def test_every_seed_parses_cleanly_with_the_expected_count(dumps, name):
    kind, count = SEEDS[name]
    dump = dumps[name]
    assert dump.format == kind
    assert len(dump.papers) == count
    assert dump.problems == () and dump.warnings == ()
    assert all(p.title and p.abstract and p.title == p.title.strip() for p in dump.papers)
    lines = [p.line for p in dump.papers]
    assert lines == sorted(set(lines))


def test_total_is_443(dumps):
    assert sum(len(d.papers) for d in dumps.values()) == 443


def test_profile_seed(dumps):
    dump = dumps["000_043ef1eb0ec81c75.txt"]
    assert dump.profile == ProfileHeader("Cong Fang", "cs.LG", 19, 41, 1609, 62, 61, line=1)
    assert dump.capture_date is None
    roadmap = by_title(dump, "A Roadmap for Big Model")
    assert roadmap.categories == ("cs.LG",) and roadmap.date == dt.date(2022, 3, 26)
    assert roadmap.authors == ("Sha Yuan", "Hanyu Zhao", "Shuai Zhao") and roadmap.authors_complete is False
    assert roadmap.affiliations == ("bytedance", "pku") and roadmap.line == 19
    conda = by_title(dump, "Conda: Column-Normalized Adam for Training Large Language Models Faster")
    assert conda.code is True and conda.date == dt.date(2025, 9, 29)
    assert sum(p.code for p in dump.papers) == 1
    yearless = by_title(dump, "What Makes a Strong Model? A Unified Spectral Analysis of Knowledge Transfer over High-dimensional Linear Regression")
    assert yearless.date == dt.date(2026, 5, 31)
    quantum = by_title(dump, "Quantum Algorithms and Lower Bounds for Finite-Sum Optimization")
    assert quantum.categories == ("quant-ph",)
    buhlmann = by_title(dump, "Causality Pursuit from Heterogeneous Environments via Neural Adversarial Invariance Learning")
    assert buhlmann.authors[-1] == "Peter Bühlmann" and buhlmann.affiliations == ("princeton",)
    complete = by_title(dump, "Lifted Proximal Operator Machines")
    assert complete.authors == ("Jia Li", "Cong Fang", "Zhouchen Lin") and complete.authors_complete is True
    penalty = by_title(dump, "Convergence Rates Analysis of The Quadratic Penalty Method and Its Applications to Decentralized Distributed Optimization")
    assert "$O\\left(\\frac{1}{\\sqrt{K}}\\right)$" in penalty.abstract  # LaTeX kept as written


def test_profile_list_seed(dumps):
    dump = dumps["001_f04deae0d2f5f7cf.txt"]
    first = dump.papers[0]
    assert (first.title, first.authors, first.line) == (
        "Understanding the unstable convergence of gradient descent", ("Kwangjun Ahn", "Jingzhao Zhang", "Suvrit Sra"), 1)
    assert first.categories == ("math.OC",) and first.date == dt.date(2022, 4, 3) and first.authors_complete
    mdp = by_title(dump, "Online Policy Optimization for Robust MDP")
    assert mdp.authors == ("Jing Dong", "Jingwei Li", "Baoxiang Wang") and not mdp.authors_complete
    task = by_title(dump, "Task Generalization With AutoRegressive Compositional Structure: Can Learning From $D$ Tasks Generalize to $D^{T}$ Tasks?")
    assert task.authors[0] == "Amirhesam Abedsoltan"
    neuraldb = by_title(dump, "NeuralDB: Scaling Knowledge Editing in LLMs to 100,000 Facts with Neural KV Database")
    assert neuraldb.affiliations == ("tsinghua",)
    # every paper of this list names 2 or 3 authors of two words each: a wrong split would not
    assert all(2 <= len(p.authors) <= 3 for p in dump.papers)
    assert all(len(name.split()) in (2, 3) for p in dump.papers for name in p.authors)
    assert not any(p.title[-1].isspace() or p.title.endswith(",") for p in dump.papers)
    assert by_title(dump, "Capacity-Aware Mixture Law Enables Efficient LLM Data Optimization").date == dt.date(2026, 3, 9)


def test_search_list_seed(dumps):
    dump = dumps["002_aed40722673f7a63.txt"]
    assert dump.capture_date is None
    first = dump.papers[0]
    assert first.title == "Critical Points and Convergence Analysis of Generative Deep Linear Networks Trained with Bures-Wasserstein Loss"
    assert first.line == 3 and first.abstract.startswith("We consider a deep matrix factorization model")
    assert dump.papers[-1].title == "Handbook of Convergence Theorems for (Stochastic) Gradient Methods"
    assert all(p.authors == () and p.date is None for p in dump.papers)


def test_daily_list_seeds(dumps):
    d3 = dumps["003_59fe14b212176fd7.txt"]
    assert d3.capture_date == dt.date(2026, 5, 25)
    adaprelora = by_title(d3, "AdaPreLoRA: Adafactor Preconditioned Low-Rank Adaptation")
    assert (adaprelora.date, adaprelora.upvotes, adaprelora.author_count) == (dt.date(2026, 5, 8), 1, 3)
    sage = by_title(d3, "Pre-Generating Multi-Difficulty PDE Data for Few-Shot Neural PDE Solvers")
    assert (sage.organization, sage.author_count, sage.date) == ("sage-lab", None, dt.date(2025, 11, 29))
    first = d3.papers[0]
    assert (first.line, first.author_count, first.upvotes, first.date) == (13, 3, None, dt.date(2023, 7, 7))
    assert all(p.authors == () and p.authors_complete is False for p in d3.papers)

    d4 = dumps["004_ed8c7cc6d311300a.txt"]
    assert d4.capture_date == dt.date(2026, 2, 5)
    assert (d4.papers[0].date, d4.papers[0].upvotes) == (dt.date(2025, 9, 2), 2)
    vienna = by_title(d4, "Understanding and Improving Hyperbolic Deep Reinforcement Learning")
    assert vienna.organization == "University of Vienna" and vienna.author_count is None
    assert all(p.date <= d.capture_date for d in (d3, d4) for p in d.papers if p.date.year >= 2026)
