"""Write a synthetic corpus: a content folder in the content contract, or raw dumps.

    python -m benchmarks.generate --papers 10000 --out /tmp/bench/content --seed 1
    python -m benchmarks.generate --papers 10000 --out /tmp/bench/dumps --seed 1 --dumps

A content folder gets papers/<slug>.md (written with the ingest's own `render_paper`, so it is
exactly what an ingest would write), authors/<slug>.yaml for a few profiled authors,
topics.yaml (60 topic rules) and site.yaml. Dumps are daily-papers lists (one per weekday of
the year up to DUMPS_AS_OF) and author profile pages, holding `--papers` distinct papers.
Files are streamed day by day: memory stays small and 100,000 papers take well under a minute.
"""

from __future__ import annotations

import argparse
import collections
import functools
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks import dumps
from benchmarks.corpus import END_DATE, Corpus, SyntheticPaper
from benchmarks.text import topics_yaml  # noqa: F401  (re-exported: the runner and tests use it)
from site_builder.ingest.frontmatter import AUTHOR_FIELDS, render_paper, render_yaml
from site_builder.slugs import author_slug

DUMPS_AS_OF = END_DATE  # pass as `site-builder ingest --as-of` so year-less dates resolve as written
DUMP_WEEKDAYS = 260  # dumps span 52 weeks, so every year-less date is within a year of its capture
PROFILE_ENTRIES = 300  # at most this many (newest) papers on one profile page

SITE_YAML = """\
# A synthetic corpus for benchmarking (python -m benchmarks.generate).
title: Synthetic Benchmark Digest
description: A synthetic digest of optimisation and machine-learning papers, for benchmarking site_builder.
base_url: https://bench.example.org/
language: en
feed_items: 30
page_size: 50
"""


@dataclass(frozen=True)
class Generated:
    papers: int
    authors: int  # distinct authors named in the written files
    days: int  # capture days
    files: int
    seconds: float


def paper_fields(paper: SyntheticPaper) -> dict:
    """The front matter of a paper's content file, in contract order."""
    return {
        "title": paper.title,
        "slug": paper.slug,
        "authors": list(paper.authors),
        "authors_complete": paper.authors_complete,
        "author_count": paper.author_count,
        "affiliations": list(paper.affiliations),
        "date": paper.date,
        "added": paper.added,
        "categories": list(paper.categories),
        "tags": list(paper.tags),
        "code": paper.code,
        "upvotes": paper.upvotes,
        "organization": paper.organization[1] if paper.organization else None,
        "sources": list(paper.sources),
    }


@functools.lru_cache(maxsize=1 << 16)
def _yaml_scalar(value: str | bool | int | None) -> str:
    """One scalar exactly as the ingest's YAML dumper writes it as a mapping value (cached:
    names, categories, tags and sources repeat across papers)."""
    return render_yaml({"k": value}, ("k",))[3:-1]


def render_content_file(paper: SyntheticPaper) -> str:
    """`render_paper(paper_fields(paper), paper.abstract)`, ten times faster: PyYAML's representer
    costs about 0.1 ms a file, which would be half the time at 100,000 papers. `write_content`
    checks the two agree on the first papers of every corpus."""
    lines = ["---"]
    for key, value in paper_fields(paper).items():
        if isinstance(value, list):
            lines.append(f"{key}:" + "".join(f"\n- {_yaml_scalar(item)}" for item in value) if value else f"{key}: []")
        else:
            lines.append(f"{key}: {value.isoformat() if hasattr(value, 'isoformat') else _yaml_scalar(value)}")
    lines.append("---")
    return "\n".join(lines) + f"\n\n{paper.abstract.strip()}\n"


SELF_CHECKED_PAPERS = 300  # how many papers `write_content` also renders the slow, reference way


def _prepare(out: Path, force: bool) -> None:
    if out.exists() and any(out.iterdir()):
        if not force:
            raise SystemExit(f"error: {out} is not empty (use --force to replace it)")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)


def write_content(out: Path, papers: int, seed: int, force: bool = False) -> Generated:
    """A complete content folder of `papers` synthetic papers."""
    start = time.perf_counter()
    _prepare(out, force)
    (out / "papers").mkdir()
    (out / "authors").mkdir()
    corpus = Corpus(papers, seed)
    profiled = {name: 0 for name in corpus.profile_authors}
    named: set[str] = set()
    written = days = 0
    for _day, day_papers in corpus.days():
        days += 1
        for paper in day_papers:
            text = render_content_file(paper)
            if written < SELF_CHECKED_PAPERS and text != render_paper(paper_fields(paper), paper.abstract):
                raise AssertionError(f"render_content_file differs from the ingest's render_paper for {paper.slug}")
            (out / "papers" / f"{paper.slug}.md").write_bytes(text.encode("utf-8"))
            written += 1
            named.update(paper.authors)
            for name in paper.all_authors:
                if name in profiled:
                    profiled[name] += 1
    for name in corpus.profile_authors:
        fields = {"name": name, **corpus.profile_figures(name, profiled[name]),
                  "source": f"profile-{author_slug(name)}.txt", "captured": END_DATE}
        (out / "authors" / f"{author_slug(name)}.yaml").write_bytes(render_yaml(fields, AUTHOR_FIELDS).encode("utf-8"))
    (out / "topics.yaml").write_text(topics_yaml(), encoding="utf-8")
    (out / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    files = written + len(profiled) + 2
    return Generated(written, len(named), days, files, time.perf_counter() - start)


def next_day_files(papers: int, seed: int) -> dict[str, bytes]:
    """The papers the weekday after the corpus of (`papers`, `seed`) brings (`Corpus.next_day`),
    as content files: file name in papers/ -> bytes. The benchmark's daily update."""
    corpus = Corpus(papers, seed)
    for _day in corpus.days():
        pass
    _next, new = corpus.next_day()
    return {f"{paper.slug}.md": render_content_file(paper).encode("utf-8") for paper in new}


def write_dumps(out: Path, papers: int, seed: int, force: bool = False) -> Generated:
    """Daily-list and author-profile dumps holding `papers` distinct papers (the profiles repeat
    some of the daily lists' papers, as real dumps do, so the ingest has duplicates to merge)."""
    start = time.perf_counter()
    _prepare(out, force)
    corpus = Corpus(papers, seed, end=DUMPS_AS_OF, weekdays=DUMP_WEEKDAYS)
    profiles = {name: collections.deque(maxlen=PROFILE_ENTRIES) for name in corpus.profile_authors}
    counts = dict.fromkeys(corpus.profile_authors, 0)
    files = total = days = 0
    for day, day_papers in corpus.days():
        days += 1
        if not day_papers:
            continue
        (out / f"daily-{day.isoformat()}.txt").write_bytes(dumps.daily_dump(day, day_papers).encode("utf-8"))
        files += 1
        total += len(day_papers)
        for paper in day_papers:
            for name in paper.all_authors:
                if name in profiles:
                    profiles[name].append(paper)
                    counts[name] += 1
    for name in corpus.profile_authors:
        entries = list(reversed(profiles[name]))  # newest first, as profile pages list them
        if not entries:
            continue
        text = dumps.profile_dump(name, corpus.profile_figures(name, counts[name]), entries, DUMPS_AS_OF)
        (out / f"profile-{author_slug(name)}.txt").write_bytes(text.encode("utf-8"))
        files += 1
    return Generated(total, len(corpus.authors), days, files, time.perf_counter() - start)


def dump_files(folder: Path) -> list[Path]:
    """The dumps `write_dumps` wrote, in a stable order."""
    return sorted(folder.glob("*.txt"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, required=True, metavar="N", help="number of papers")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder to write (must be empty or missing)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    parser.add_argument("--dumps", action="store_true", help="write raw dumps for the ingest instead of a content folder")
    parser.add_argument("--force", action="store_true", help="delete --out first when it is not empty")
    args = parser.parse_args(argv)
    if args.papers < 1:
        parser.error("--papers must be at least 1")
    writer = write_dumps if args.dumps else write_content
    result = writer(args.out, args.papers, args.seed, force=args.force)
    what = "dumps" if args.dumps else "content"
    extra = f"; ingest with --as-of {DUMPS_AS_OF.isoformat()}" if args.dumps else ""
    print(
        f"wrote {what} to {args.out}: {result.papers} papers, {result.authors} authors, {result.days} days, "
        f"{result.files} files in {result.seconds:.1f} s{extra}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
