"""Golden files: a handful of pages of the fixture site, compared byte for byte with tests/golden/.

After an intended change to templates, views, markup or feeds, regenerate them with

    UPDATE_GOLDEN=1 python -m pytest tests/build/test_golden.py

and review the diff (`git diff tests/golden/`) before committing it.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from build_checks import FIXTURE_CONTENT, REPO, build

GOLDEN_DIR = REPO / "tests" / "golden" / "fixture-site"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
# One of each kind of page, plus the digest feed; chosen to cover math, profiles, pagination,
# incomplete author lists and neighbouring-day links.
GOLDEN_FILES = [
    "index.html",
    "papers/can-in-context-learning-generalize-to-d-t-tasks/index.html",
    "papers/one-step-of-gradient-descent-is-provably-the-optimal-in-context-learner/index.html",
    "authors/cong-fang/index.html",
    "authors/index.html",
    "tags/optimization/index.html",
    "tags/optimization/page/1/index.html",
    "tags/index.html",
    "days/2023-03-06/index.html",
    "days/index.html",
    "feed.xml",
    "sitemap.xml",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("golden") / "public"
    build(FIXTURE_CONTENT, out)  # base URL https://example.org/ from the fixture's site.yaml
    return out


@pytest.mark.parametrize("rel", GOLDEN_FILES)
def test_page_matches_its_golden_file(built: Path, rel: str) -> None:
    actual = (built / rel).read_bytes()
    golden = GOLDEN_DIR / rel
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(actual)
        return
    assert golden.is_file(), f"no golden file {golden}; create it with UPDATE_GOLDEN=1 python -m pytest {__file__}"
    expected = golden.read_bytes()
    if actual != expected:
        diff = "".join(difflib.unified_diff(
            expected.decode("utf-8").splitlines(keepends=True), actual.decode("utf-8").splitlines(keepends=True),
            fromfile=f"golden/{rel}", tofile=f"built/{rel}", n=2,
        ))
        pytest.fail(f"{rel} differs from its golden file (UPDATE_GOLDEN=1 regenerates it):\n{diff[:6000]}")


def test_no_stale_golden_files() -> None:
    """Every file under tests/golden/fixture-site is one the test compares (none left behind)."""
    if not GOLDEN_DIR.exists():
        pytest.skip("no golden files yet")
    present = sorted(p.relative_to(GOLDEN_DIR).as_posix() for p in GOLDEN_DIR.rglob("*") if p.is_file())
    assert present == sorted(GOLDEN_FILES)
