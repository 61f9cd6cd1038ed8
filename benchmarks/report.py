"""Benchmark results: one `Scenario` per (size, scenario), the Markdown table, the target checks."""

from __future__ import annotations

import os
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from benchmarks.measure import Measurement

# The build's last summary line: "  into public in 6.12s: config 0.01s, load 1.20s, ..., swap 0.05s".
_STAGES_LINE_RE = re.compile(r"\bin \d+(?:\.\d+)?s: (.+)$", re.MULTILINE)
_STAGE_RE = re.compile(r"([A-Za-z][\w-]*) (\d+(?:\.\d+)?)s\b")


def parse_stage_seconds(output: str) -> dict[str, float]:
    """Stage -> seconds from a build's output; {} when it prints no stage timings."""
    matches = _STAGES_LINE_RE.findall(output)
    if not matches:
        return {}
    return {stage: float(seconds) for stage, seconds in _STAGE_RE.findall(matches[-1])}


HUGO_COLD = "Hugo cold"  # the scenario of Hugo's cold builds of the same corpus (run.py `--hugo`)


@dataclass
class Scenario:
    """The runs of one scenario at one size (wall seconds per run, memory, what was written)."""

    size: int  # papers in the corpus
    name: str  # "cold", "no-op", "one edit", "ingest", HUGO_COLD
    pages: int  # HTML pages in the output (papers written, for the ingest)
    files: int
    seconds: list[float]
    peak_mb: float  # whole process tree, the highest over the runs
    largest_mb: float  # largest single process, the highest over the runs
    stages: dict[str, float] = field(default_factory=dict)  # stage -> median seconds over the runs
    failed: bool = False
    search: bool = False
    load: float | None = None  # the highest 1-minute load average seen at the start of a run
    reference: float | None = None  # median seconds of the reference loop before the runs (measure.py)
    run_cpu_seconds: list[float | None] = field(default_factory=list)  # CPU seconds (user + system), run by run
    interleaved: bool = False  # runs taken in turns with another size's (run.py `--interleave`)
    run_reclaimed_mb: list[float | None] = field(default_factory=list)  # memory reclaimed during each run (measure.reclaimed_between)
    page_us: float | None = None  # median microseconds of a fresh page before the runs (measure.py)

    @classmethod
    def from_runs(cls, size: int, name: str, runs: Sequence[Measurement], pages: int, files: int, search: bool,
                  interleaved: bool = False) -> Scenario:
        parsed = [parse_stage_seconds(m.output) for m in runs]
        stage_names = list(dict.fromkeys(stage for stages in parsed for stage in stages))
        stages = {s: statistics.median(p[s] for p in parsed if s in p) for s in stage_names}
        return cls(
            size=size, name=name, pages=pages, files=files, seconds=[m.seconds for m in runs],
            peak_mb=max((m.peak_mb for m in runs), default=0.0), largest_mb=max((m.largest_mb for m in runs), default=0.0),
            stages=stages, failed=not runs or any(m.returncode != 0 for m in runs), search=search,
            load=max((m.load for m in runs if m.load is not None), default=None),
            reference=_median_of(m.reference for m in runs), run_cpu_seconds=[m.cpu_seconds for m in runs],
            interleaved=interleaved, run_reclaimed_mb=[m.reclaimed_mb for m in runs],
            page_us=_median_of(m.page_us for m in runs),
        )

    @property
    def cpu_seconds(self) -> float | None:
        """The median of the runs' CPU seconds (None when none was measured)."""
        return _median_of(self.run_cpu_seconds)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else float("nan")

    @property
    def per_second(self) -> float:
        return self.pages / self.median if self.seconds and self.median > 0 else 0.0


def _median_of(values) -> float | None:  # noqa: ANN001 - an iterable of float | None
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def markdown_table(results: Sequence[Scenario]) -> str:
    """One row per scenario: wall seconds (median, min, max over the runs), pages per second of
    the median, peak memory, the load average seen (other work on the machine inflates times),
    CPU seconds, the reference loop's seconds and a fresh page's microseconds (how fast the
    machine was: measure.py)."""
    lines = [
        "| papers | scenario | pages | wall s median | min | max | pages/s | peak MB (all processes) | largest process MB | load "
        "| CPU s | ref. loop s | page us | median s per stage |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        name = r.name + (" + search" if r.search and r.name not in ("ingest", HUGO_COLD) else "")
        if r.failed:
            name += " (FAILED)"
        unit = " papers" if r.name == "ingest" else ""
        stages = ", ".join(f"{stage} {seconds:.2f}" for stage, seconds in r.stages.items()) or "-"
        lines.append(
            f"| {r.size:,} | {name} | {r.pages:,}{unit} | {r.median:.2f} | {min(r.seconds, default=0):.2f} | "
            f"{max(r.seconds, default=0):.2f} | {r.per_second:,.0f} | {r.peak_mb:.0f} | {r.largest_mb:.0f} | "
            f"{'-' if r.load is None else f'{r.load:.1f}'} | {_figure(r.cpu_seconds)} | {_figure(r.reference)} | "
            f"{_figure(r.page_us)} | {stages} |"
        )
    cores = os.cpu_count() or 1
    busiest = max((r.load for r in results if r.load is not None), default=0.0)
    if busiest > cores + 1:  # the benchmark's own builds keep the load near the core count
        lines.append(f"\nThe machine was busy (1-minute load up to {busiest:.1f} on {cores} cores): these times are inflated.")
    return "\n".join(lines)


@dataclass(frozen=True)
class Verdict:
    target: str
    passed: bool | None  # None: not measured
    detail: str

    def line(self) -> str:
        mark = {True: "PASS", False: "FAIL", None: "SKIP"}[self.passed]
        return f"{mark}  {self.target}: {self.detail}"


def growth_ratios(small: Scenario, large: Scenario) -> str:
    """How many times as long as the small size's cold build the large one's took: the ratio of
    the medians (what the target compares), of the median CPU seconds, and, when the runs were
    interleaved, of each pair of runs made one after the other."""
    parts = [f"{large.median / small.median:.2f}x"]
    if small.cpu_seconds and large.cpu_seconds:
        parts.append(f"CPU seconds {large.cpu_seconds / small.cpu_seconds:.2f}x")
    pairs = list(zip(small.seconds, large.seconds))
    if small.interleaved and large.interleaved and pairs:
        parts.append("run by run (interleaved) " + ", ".join(f"{b / a:.2f}x" for a, b in pairs))
        cpu_pairs = [(a, b) for a, b in zip(small.run_cpu_seconds, large.run_cpu_seconds) if a and b]
        if cpu_pairs:
            parts.append("CPU run by run " + ", ".join(f"{b / a:.2f}x" for a, b in cpu_pairs))
    return "; ".join(parts)


def hugo_ratios(ours: Scenario, hugo: Scenario) -> str:
    """What share of Hugo's time site_builder's cold build took: the ratio of the medians and,
    the runs being taken in turns, of each pair of runs made one after the other."""
    parts = [f"Hugo {hugo.median:.2f}s", f"{ours.median / hugo.median:.2f} of it"]
    pairs = list(zip(ours.seconds, hugo.seconds))
    if pairs:
        parts.append("run by run " + ", ".join(f"{a / b:.2f}" for a, b in pairs))
    return "; ".join(parts)


def check_targets(results: Sequence[Scenario], search: bool) -> list[Verdict]:
    """The targets of issue 6 that these results can decide (medians against the bars)."""
    found = {(r.size, r.name): r for r in results}
    verdicts: list[Verdict] = []

    def bar(target: str, size: int, name: str, limit: float, what: str = "seconds", note: str = "") -> None:
        r = found.get((size, name))
        if r is None:
            verdicts.append(Verdict(target, None, f"{name} at {size:,} papers not measured"))
        elif r.failed:
            verdicts.append(Verdict(target, False, f"{name} at {size:,} papers failed"))
        else:
            value = r.median if what == "seconds" else r.peak_mb
            unit = "s" if what == "seconds" else " MB"
            detail = f"{value:.2f}{unit} (limit {limit:g}{unit})" + (f"; {note}" if note else "")
            verdicts.append(Verdict(target, value <= limit, detail))

    if search:
        bar("cold build of 10,000 papers with search <= 25 s", 10000, "cold", 25)
        bar("one edit at 10,000 papers with search <= 5 s", 10000, "one edit", 5)
    else:
        bar("cold build of 10,000 papers <= 7.5 s", 10000, "cold", 7.5)
        hugo = found.get((10000, HUGO_COLD))
        if hugo is not None:  # what 7.5 s stood for: half of Hugo's time, on the same machine the same day
            if hugo.failed:
                verdicts.append(Verdict("cold build of 10,000 papers <= half of Hugo's time", None, "Hugo's build failed"))
            else:
                ours = found.get((10000, "cold"))
                bar("cold build of 10,000 papers <= half of Hugo's time", 10000, "cold", hugo.median / 2,
                    note=hugo_ratios(ours, hugo) if ours is not None and not ours.failed else "")
        bar("cold build of 10,000 papers <= 500 MB", 10000, "cold", 500, what="memory")
        small = found.get((10000, "cold"))
        if small is not None and not small.failed:
            large = found.get((100000, "cold"))
            bar("cold build of 100,000 papers <= 11x the 10,000-paper time", 100000, "cold", 11 * small.median,
                note=growth_ratios(small, large) if large is not None and not large.failed else "")
        else:
            verdicts.append(Verdict("cold build of 100,000 papers <= 11x the 10,000-paper time", None, "needs both sizes"))
        bar("cold build of 100,000 papers <= 2 GB", 100000, "cold", 2048, what="memory")
        bar("no-op rebuild of 10,000 papers <= 1 s", 10000, "no-op", 1)
        bar("one edit at 10,000 papers <= 2 s", 10000, "one edit", 2)
    bar("ingest of dumps holding 10,000 papers <= 5 s", 10000, "ingest", 5)
    return verdicts
