"""Hugo building the same corpus: the reference that issue 6's first target is set against.

The target for a cold build of 10,000 papers, 7.5 s, is "half of Hugo's time on the same work"
(Hugo took about 15 s on the development VM when the issue was filed). That VM's speed changes
from day to day (it ran the same build twice as slowly on 2026-12-06 as on 2026-11-25:
BENCHMARKS.md), so a fixed number of seconds measures the day as much as the build.
`python -m benchmarks.run --hugo` times Hugo on the same corpus in the same invocation, its
cold runs in turns with site_builder's, and the check compares the two medians.

Two Hugo sites (`--hugo-site`), the corpus's papers their content as they are (YAML front
matter that Hugo reads: title, slug, date, authors, categories, tags):
- `comparable` (`hugo_site/`, the default): the issue's comparable site, a page per paper,
  author, tag and category, the term feeds, lists paginated by 50. Its pages are much lighter
  than site_builder's (a paper page 2.4 KB against 15.7 KB).
- `same-pages` (`hugo_site_same/`): the pieces of site_builder's pages that Hugo can make itself
  (citation metadata, JSON-LD, BibTeX, related papers, cards with chips and excerpts, co-authors,
  day pages, feeds with the full abstract): about as many files and bytes as site_builder's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

HUGO_SITE = Path(__file__).resolve().parent / "hugo_site"
HUGO_SITES = {"comparable": HUGO_SITE, "same-pages": HUGO_SITE.with_name("hugo_site_same")}


def find_hugo() -> str | None:
    """The `hugo` program on PATH (Debian: `apt-get install hugo`), or None."""
    return shutil.which("hugo")


def hugo_version(hugo: str) -> str:
    """What `hugo version` prints (one line), for the report: Hugo's speed depends on it."""
    done = subprocess.run([hugo, "version"], capture_output=True, text=True, check=False)
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if text else f"{hugo} (its version unknown)"


def prepare_site(folder: Path, content: Path, site: Path = HUGO_SITE) -> Path:
    """A Hugo site in `folder`: `site` (one of HUGO_SITES) copied afresh, with `content`'s
    papers linked in as its `content/papers` (not copied: 100,000 files). Hugo writes its lock
    file and any generated resources there, not in the repository."""
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(site, folder)
    (folder / "content").mkdir()
    os.symlink((content / "papers").resolve(), folder / "content" / "papers", target_is_directory=True)
    return folder


def hugo_command(hugo: str, site: Path, out: Path) -> list[str]:
    """Build `site` into `out` (a new folder, as site_builder's cold runs)."""
    return [hugo, "--source", str(site), "--destination", str(out), "--quiet"]
