"""Header-less profile lists (profile_list.py): above all, ungluing titles from author lists."""

import datetime as dt

import pytest

from site_builder.ingest.profile_list import is_person_name, parse_profile_list, split_title_authors
from site_builder.records import PROFILE_LIST

AS_OF = dt.date(2026, 11, 24)

# (glued line, title, authors, complete, affiliations) - every glue shape, most from the seeds.
SPLITS = [
    # lowercase -> Name
    ("Understanding the unstable convergence of gradient descentKwangjun Ahn, Jingzhao Zhang, Suvrit Sra",
     "Understanding the unstable convergence of gradient descent", ("Kwangjun Ahn", "Jingzhao Zhang", "Suvrit Sra"), True, ()),
    # ACRONYM -> Name, with et al.
    ("Online Policy Optimization for Robust MDPJing Dong, Jingwei Li, Baoxiang Wang et al.",
     "Online Policy Optimization for Robust MDP", ("Jing Dong", "Jingwei Li", "Baoxiang Wang"), False, ()),
    ("Efficient Sampling on Riemannian Manifolds via Langevin MCMCXiang Cheng, Jingzhao Zhang, Suvrit Sra",
     "Efficient Sampling on Riemannian Manifolds via Langevin MCMC", ("Xiang Cheng", "Jingzhao Zhang", "Suvrit Sra"), True, ()),
    ("Provably Efficient Algorithms for Multi-Objective Competitive RLTiancheng Yu, Yi Tian, Jingzhao Zhang et al.",
     "Provably Efficient Algorithms for Multi-Objective Competitive RL", ("Tiancheng Yu", "Yi Tian", "Jingzhao Zhang"), False, ()),
    # ? -> Name, LaTeX in the title
    ("Task Generalization With AutoRegressive Compositional Structure: Can Learning From $D$ Tasks Generalize to $D^{T}$ Tasks?"
     "Amirhesam Abedsoltan, Huaqing Zhang, Kaiyue Wen et al.",
     "Task Generalization With AutoRegressive Compositional Structure: Can Learning From $D$ Tasks Generalize to $D^{T}$ Tasks?",
     ("Amirhesam Abedsoltan", "Huaqing Zhang", "Kaiyue Wen"), False, ()),
    # ) } $ digit -> Name
    ("Bounds for SGD (Revisited)Ann Lee, Bo Chen", "Bounds for SGD (Revisited)", ("Ann Lee", "Bo Chen"), True, ()),
    ("Rates of $O(\\frac{1}{K})$ and $\\mathcal{O}(\\varepsilon^{-4/7})$ with $\\tilde{\\mathcal{O}}{K}Ann Lee, Bo Chen",
     "Rates of $O(\\frac{1}{K})$ and $\\mathcal{O}(\\varepsilon^{-4/7})$ with $\\tilde{\\mathcal{O}}{K}", ("Ann Lee", "Bo Chen"), True, ()),
    ("Learning in $\\mathbb{R}^d$Ann Lee", "Learning in $\\mathbb{R}^d$", ("Ann Lee",), True, ()),
    ("How to Train in 4-Bit More Stably than 16Ann Lee, Bo Chen et al.", "How to Train in 4-Bit More Stably than 16", ("Ann Lee", "Bo Chen"), False, ()),
    # affiliations: one and several
    ("Iteratively Learn Diverse Strategies with State Distance InformationWei Fu, Weihua Du, Jingwei Li et al. · cmu",
     "Iteratively Learn Diverse Strategies with State Distance Information", ("Wei Fu", "Weihua Du", "Jingwei Li"), False, ("cmu",)),
    ("A Roadmap for Big ModelSha Yuan, Hanyu Zhao · bytedance, pku",
     "A Roadmap for Big Model", ("Sha Yuan", "Hanyu Zhao"), True, ("bytedance", "pku")),
    # single author; two authors
    ("Fast and Multiphase Rates for Nearest Neighbor ClassifiersPengkun Yang", "Fast and Multiphase Rates for Nearest Neighbor Classifiers", ("Pengkun Yang",), True, ()),
    ("On the Condition Number Dependency in Bilevel OptimizationLesi Chen, Jingzhao Zhang",
     "On the Condition Number Dependency in Bilevel Optimization", ("Lesi Chen", "Jingzhao Zhang"), True, ()),
    # camel-case words inside the title and a comma without a space
    ("NeuralDB: Scaling Knowledge Editing in LLMs to 100,000 Facts with Neural KV DatabaseWeizhi Fei, Hao Shi, Jing Xu et al. · tsinghua",
     "NeuralDB: Scaling Knowledge Editing in LLMs to 100,000 Facts with Neural KV Database", ("Weizhi Fei", "Hao Shi", "Jing Xu"), False, ("tsinghua",)),
    ("PiERN: Token-Level Routing for Integrating High-Precision Computation and ReasoningHengbo Xiao, Jingyuan Fan",
     "PiERN: Token-Level Routing for Integrating High-Precision Computation and Reasoning", ("Hengbo Xiao", "Jingyuan Fan"), True, ()),
    # a title with ", " in it
    ("When, Why and How Much? Adaptive Learning Rate SchedulingAnn Lee, Bo Chen",
     "When, Why and How Much? Adaptive Learning Rate Scheduling", ("Ann Lee", "Bo Chen"), True, ()),
    ("Sparse, Fast, and Accurate ModelsAnn Lee", "Sparse, Fast, and Accurate Models", ("Ann Lee",), True, ()),
    # names: inner capitals, accents, hyphens, apostrophes, particles, initials, three words
    ("Nonlinear approximation and gradient descentRonald DeVore, Guergana Petrova",
     "Nonlinear approximation and gradient descent", ("Ronald DeVore", "Guergana Petrova"), True, ()),
    ("Deep LearningRonan McDonald Smith, Yann LeCun", "Deep Learning", ("Ronan McDonald Smith", "Yann LeCun"), True, ()),
    ("Causality Pursuit from Heterogeneous EnvironmentsPeter Bühlmann, Élodie Durand",
     "Causality Pursuit from Heterogeneous Environments", ("Peter Bühlmann", "Élodie Durand"), True, ()),
    ("Graph KernelsKe-Wei Li, Jean-Pierre O'Neil", "Graph Kernels", ("Ke-Wei Li", "Jean-Pierre O'Neil"), True, ()),
    ("Optimal TransportVincent van der Berg, Luca di Maio", "Optimal Transport", ("Vincent van der Berg", "Luca di Maio"), True, ()),
    ("Modeling from FeaturesJason D. Lee, J. Smith", "Modeling from Features", ("Jason D. Lee", "J. Smith"), True, ()),
    ("Why are Adaptive Methods Good for Attention Models?Jingzhao Zhang, Sai Praneeth Karimireddy, Andreas Veit et al.",
     "Why are Adaptive Methods Good for Attention Models?", ("Jingzhao Zhang", "Sai Praneeth Karimireddy", "Andreas Veit"), False, ()),
    ("GANs and VAEsLu Mi, Macheng Shen", "GANs and VAEs", ("Lu Mi", "Macheng Shen"), True, ()),
]


@pytest.mark.parametrize("line, title, authors, complete, affiliations", SPLITS, ids=[s[1][:40] for s in SPLITS])
def test_split_title_authors(line, title, authors, complete, affiliations):
    assert split_title_authors(line) == (title, authors, complete, affiliations)


@pytest.mark.parametrize(
    "line",
    [
        "A title with no authors at all",
        "Deep LearningMadhu",  # a one-word first author cannot be told from a title word
        "Deep LearningAnn Lee, and more words here",  # a trailing part that is no name
        "Ann Lee, Bo Chen",  # no glue point: nothing before the first author
        "",
    ],
)
def test_split_title_authors_refuses_to_guess(line):
    with pytest.raises(ValueError, match="cannot tell where the title ends"):
        split_title_authors(line)


@pytest.mark.parametrize(
    "text, min_words, expected",
    [
        ("Jing Dong", 2, True),
        ("Sai Praneeth Karimireddy", 2, True),
        ("张三 李四", 2, True),
        ("Vincent van Gogh", 2, True),
        ("van Gogh", 2, False),  # particle first
        ("Jing", 2, False),
        ("Jing", 1, True),
        ("PJing Dong", 2, True),  # shape alone cannot reject it; the rightmost rule does
        ("MDP Jing", 2, False),  # acronym
        ("Learning with Noise", 2, False),
        ("Ann Lee 2", 2, False),
        ("A B C D E F G", 1, False),
    ],
)
def test_is_person_name(text, min_words, expected):
    assert is_person_name(text, min_words) is expected


SEED_LIKE = """OCApr 3, 2022
Understanding the unstable convergence of gradient descentKwangjun Ahn, Jingzhao Zhang, Suvrit Sra
Most existing analyses of (stochastic) gradient descent rely on the condition that for $L$-smooth costs.
LGOct 23, 2023Code
Iteratively Learn Diverse Strategies with State Distance InformationWei Fu, Weihua Du, Jingwei Li et al. · cmu
In complex reinforcement learning (RL) problems, policies with similar rewards may differ.
OCApr 28
Online Policy Optimization for Robust MDPJing Dong, Jingwei Li, Baoxiang Wang et al.
Reinforcement learning (RL) has exceeded human performance in many synthetic settings."""


def test_parse_profile_list():
    dump = parse_profile_list(SEED_LIKE, AS_OF)
    assert dump.format == PROFILE_LIST and dump.problems == () and dump.warnings == ()
    assert dump.capture_date is None and dump.profile is None
    first, second, third = dump.papers
    assert (first.line, second.line, third.line) == (1, 4, 7)
    assert first.categories == ("math.OC",) and first.date == dt.date(2022, 4, 3) and not first.code
    assert first.abstract.startswith("Most existing") and first.abstract.endswith("costs.")
    assert second.code and second.affiliations == ("cmu",) and not second.authors_complete
    assert third.date == dt.date(2026, 4, 28) and third.title == "Online Policy Optimization for Robust MDP"


@pytest.mark.parametrize(
    "lines, problem_line, expected",
    [
        # the first entry lost its abstract: the next entry head follows the title line
        ((0, 1, 3, 4, 5, 6, 7, 8), 1, "expected an abstract"),
        # the second entry's title line cannot be split
        ((0, 1, 2, 3, "Deep LearningMadhu", 5, 6, 7, 8), 4, "cannot tell where the title ends"),
        # the dump breaks off after the last entry head
        ((0, 1, 2, 3, 4, 5, 6), 7, "expected the title with its authors and an abstract"),
    ],
)
def test_broken_entry_is_a_problem_and_the_rest_is_kept(lines, problem_line, expected):
    source = SEED_LIKE.split("\n")
    text = "\n".join(source[i] if isinstance(i, int) else i for i in lines)
    dump = parse_profile_list(text, AS_OF)
    assert len(dump.papers) == 2
    assert len(dump.problems) == 1
    assert dump.problems[0].line == problem_line and expected in dump.problems[0].message


def test_unknown_category_warned_and_lines_before_first_entry_reported():
    dump = parse_profile_list("stray line\n" + SEED_LIKE.replace("OCApr 28", "QQApr 28"), AS_OF)
    assert len(dump.papers) == 3
    assert dump.papers[2].categories == ("QQ",)
    assert [w.line for w in dump.warnings] == [8] and "'QQ'" in dump.warnings[0].message
    assert [p.line for p in dump.problems] == [1]
