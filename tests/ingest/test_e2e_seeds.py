"""End to end: the five seed dumps into a temporary content folder, counts and fields checked."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
import yaml
from ingest_helpers import AS_OF, REPO, SEEDS, age_files, paper, run, snapshot

D = dt.date
S000, S001, S002, S003, S004 = sorted(p.name for p in SEEDS.glob("*.txt"))


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    content = tmp_path_factory.mktemp("seeds") / "content"
    shutil.copytree(SEEDS, content / "sources")
    shutil.copy(REPO / "content" / "topics.yaml", content / "topics.yaml")
    report, out, err = run(content, as_of=AS_OF)
    return content, report, out, err


def test_counts(ingested):
    content, report, out, err = ingested
    assert report.exit_code == 0, err
    assert report.entries == 443
    assert report.papers == 431
    assert report.merged_duplicates == 12
    assert out[:5] == [
        f"{S000}: author-profile, 41 papers",
        f"{S001}: profile-list, 44 papers",
        f"{S002}: search-list, 305 papers",
        f"{S003}: daily-list, 26 papers",
        f"{S004}: daily-list, 27 papers",
    ]
    assert "papers: 431 from 443 entries (12 merged duplicates)" in out
    assert "files: 431 new, 0 updated, 0 unchanged" in out


def test_every_paper_exactly_once_with_slug_equal_to_file_name(ingested):
    content = ingested[0]
    files = sorted((content / "papers").glob("*.md"))
    assert len(files) == 431
    titles = set()
    for path in files:
        fields, body = paper(content, path.stem)
        assert fields["slug"] == path.stem
        assert body, path
        titles.add(fields["title"].casefold())
    assert len(titles) == 431


def test_topic_coverage(ingested):
    content, report, out, _ = ingested
    assert report.tagged / report.papers >= 0.97
    assert any(line.startswith(f"topic coverage: {report.tagged}/431 papers") for line in out)


@pytest.mark.parametrize(
    "slug, expected",
    [
        (
            "environment-invariant-linear-least-squares",
            dict(authors=["Jianqing Fan", "Cong Fang", "Yihong Gu"], authors_complete=False, author_count=None,
                 affiliations=["princeton"], date=D(2023, 3, 6), added=AS_OF, categories=["math.ST"], code=False,
                 upvotes=None, organization=None, sources=[S000]),
        ),
        ("a-roadmap-for-big-model", dict(affiliations=["bytedance", "pku"], date=D(2022, 3, 26), categories=["cs.LG"])),
        (
            "conda-column-normalized-adam-for-training-large-language-models-faster",
            dict(code=True, date=D(2025, 9, 29), authors_complete=False),
        ),
        ("quantum-algorithms-and-lower-bounds-for-finite-sum-optimization", dict(categories=["quant-ph"], date=D(2024, 6, 5))),
        (
            # Twice in seed 001: "Apr 28" (no year) and "Jan 2, 2023": the earliest wins.
            "on-finding-small-hyper-gradients-in-bilevel-optimization-hardness-results-and",
            dict(authors=["Lesi Chen", "Jing Xu", "Jingzhao Zhang"], authors_complete=True, date=D(2023, 1, 2),
                 categories=["math.OC"], sources=[S001]),
        ),
        (
            "iteratively-learn-diverse-strategies-with-state-distance-information",
            dict(authors=["Wei Fu", "Weihua Du", "Jingwei Li"], authors_complete=False, affiliations=["cmu"],
                 date=D(2023, 10, 23)),
        ),
        (
            "simpletir-end-to-end-reinforcement-learning-for-multi-turn-tool-integrated",
            dict(authors=[], authors_complete=False, author_count=7, date=D(2025, 9, 2), upvotes=2,
                 added=D(2026, 2, 5), sources=[S004], organization=None),
        ),
        (
            "pre-generating-multi-difficulty-pde-data-for-few-shot-neural-pde-solvers",
            dict(organization="sage-lab", author_count=None, date=D(2025, 11, 29), added=D(2026, 5, 25), upvotes=None),
        ),
        (
            # In the search list (no date, captured --as-of) and the Feb 5 daily list.
            "adadagrad-adaptive-batch-size-schemes-for-adaptive-gradient-methods",
            dict(author_count=3, date=D(2024, 2, 17), added=D(2026, 2, 5), sources=[S002, S004], authors=[]),
        ),
        (
            "when-do-curricula-work-in-federated-learning",
            dict(authors=[], author_count=None, date=None, added=AS_OF, categories=[], upvotes=None, sources=[S002]),
        ),
    ],
)
def test_fields(ingested, slug, expected):
    fields, _ = paper(ingested[0], slug)
    assert {key: fields[key] for key in expected} == expected


def test_hyperbolic_rl_organization_and_upvotes(ingested):
    fields, _ = paper(ingested[0], "understanding-and-improving-hyperbolic-deep-reinforcement-learning")
    assert "University of Vienna" in fields["organization"]
    assert fields["upvotes"] == 2 and fields["date"] == D(2025, 12, 16)
    assert "reinforcement-learning" in fields["tags"]


def test_abstract_kept_as_written(ingested):
    _, body = paper(ingested[0], "a-quadratic-synchronization-rule-for-distributed-deep-learning")
    assert "$\\frac{1}{η^2}$" in body and "$1.16\\%$" in body


def test_author_profile(ingested):
    content = ingested[0]
    profile = yaml.safe_load((content / "authors" / "cong-fang.yaml").read_text(encoding="utf-8"))
    assert profile == {
        "name": "Cong Fang",
        "primary_category": "cs.LG",
        "h_index": 19,
        "papers": 41,
        "citations": 1609,
        "novelty": 62,
        "ai_score": 61,
        "source": S000,
        "captured": AS_OF,
    }
    assert list(profile) == ["name", "primary_category", "h_index", "papers", "citations", "novelty", "ai_score", "source", "captured"]


def test_second_run_changes_nothing(ingested):
    content = ingested[0]
    age_files(content)
    before = snapshot(content)
    report, out, _ = run(content, as_of=None)
    assert snapshot(content) == before
    assert "files: 0 new, 0 updated, 431 unchanged" in out


def test_committed_content_is_up_to_date_with_its_sources(tmp_path):
    """The shipped content/ is what ingest makes of content/sources/ (plus any hand edits)."""
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    if not (content / ".ingest-state.json").exists():
        pytest.fail("content/.ingest-state.json is missing: run `site-builder ingest --as-of 2026-11-24`")
    report, out, err = run(content, as_of=None)
    assert report.exit_code == 0, err
    assert (report.paper_counts.new, report.paper_counts.updated) == (0, 0), out
    assert len(list((content / "papers").glob("*.md"))) == 431
