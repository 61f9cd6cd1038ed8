"""Small dumps in the real formats, and helpers to run ingest into a temporary content folder."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import yaml

from site_builder.ingest import IngestReport, run_ingest
from site_builder.ingest.frontmatter import parse_paper

AS_OF = dt.date(2026, 11, 24)
REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "content" / "sources"

DAILY_CHROME = """new

Get trending papers in your email inbox!

Subscribe

Daily Papers

byAK and the research community

"""


def profile_list(*entries: tuple[str, str, str, str]) -> str:
    """A profile-list dump: per entry (head line, title, authors, abstract), title glued to authors."""
    return "".join(f"{head}\n{title}{authors}\n{abstract}\n" for head, title, authors, abstract in entries)


def daily_list(header: str, *entries: tuple[str, str, str, str]) -> str:
    """A daily-list dump: per entry (title, abstract, '• N authors' or organisation line, date line)."""
    blocks = [f"{title}\n\n{abstract}\n\n{who}\n·\n{date}\n" for title, abstract, who, date in entries]
    return DAILY_CHROME + f"{header}\n\n" + "\n".join(blocks)


def run(content: Path, dumps: list[Path] | None = None, as_of: dt.date | None = AS_OF) -> tuple[IngestReport, list[str], list[str]]:
    """run_ingest with its summary and problem lines captured."""
    out: list[str] = []
    err: list[str] = []
    report = run_ingest(dumps, content, as_of=as_of, log=out.append, warn=err.append)
    return report, out, err


def add_source(content: Path, name: str, text: str | bytes) -> Path:
    path = content / "sources" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def paper(content: Path, slug: str) -> tuple[dict, str]:
    path = content / "papers" / f"{slug}.md"
    return parse_paper(path.read_text(encoding="utf-8"), str(path))


def snapshot(content: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under `content` (relative path -> bytes, mtime in ns)."""
    return {
        str(p.relative_to(content)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(content.rglob("*"))
        if p.is_file()
    }


def age_files(content: Path) -> None:
    """Set every file's mtime to the past, so a rewrite (even of equal bytes) shows."""
    for p in content.rglob("*"):
        if p.is_file():
            os.utime(p, ns=(1_000_000_000, 1_000_000_000))


def write_topics(content: Path, rules: list[dict]) -> None:
    (content / "topics.yaml").write_text(yaml.safe_dump(rules, sort_keys=False), encoding="utf-8")
