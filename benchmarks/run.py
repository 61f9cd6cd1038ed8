"""Benchmark the build and the ingest on synthetic corpora and print a Markdown table.

    python -m benchmarks.run --sizes 10000 100000 --runs 5 [--search] [--jobs N] [--work DIR] [--check]
                             [--interleave] [--hugo [--hugo-site comparable|same-pages]]

For each size: generate the corpus (cached in the work folder by size and seed), then time, each
as its own `python -m site_builder` process,
* cold: a new output folder (so without a build cache); earlier outputs are deleted at the end,
* no-op: the same content built again over the previous output,
* one edit: one paper's abstract changed, then built (restored afterwards),
* new day: the papers of the weekday after the corpus added (as many as its last day had), then
  built (removed afterwards, and the site built again untimed),
* ingest: dumps holding the same number of papers ingested into an empty content folder (which
  holds only the topic rules, so tagging is timed too).
With `--interleave`, the cold runs of all sizes come first, in turns, then each size's no-op,
one-edit and new-day runs, then the ingests; old outputs are deleted after all builds.
With `--hugo`, Hugo builds each corpus too (`benchmarks/hugo.py`; `--hugo-site` says which of its
two sites), its cold runs in turns with site_builder's.
The file system is synced before every run so one run's writes are not charged to the next, the
outputs kept from earlier runs are dropped from the page cache (`evict_kept_outputs`), and the
run's inputs are read once before it, so that every run finds them in the page cache.
`--check` compares the medians with the targets of issue 6 and exits 1 when one is missed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks import generate, hugo
from benchmarks.measure import Measurement, run_measured
from benchmarks.report import HUGO_COLD, Scenario, check_targets, markdown_table
from site_builder.cache import CACHE_DIR_NAME, orphaned_caches, output_of

CONTENT_ENTRIES = ("papers", "authors", "topics.yaml", "site.yaml")  # what the generator writes
_GENERATOR_FILES = ("corpus.py", "dumps.py", "generate.py", "text.py", "vocabulary.py")


def fingerprint(kind: str, papers: int, seed: int) -> str:
    """Changes whenever a cached corpus would differ: its parameters or the generator's code."""
    digest = hashlib.sha256(f"{kind}|{papers}|{seed}".encode())
    for name in _GENERATOR_FILES:
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()[:16]


def cached(folder: Path, kind: str, papers: int, seed: int, log) -> Path:
    """`folder/data` holding the generated corpus (content or dumps), generated if missing or stale."""
    marker, data = folder / "generated.json", folder / "data"
    stamp = fingerprint(kind, papers, seed)
    if marker.exists() and json.loads(marker.read_text()).get("fingerprint") == stamp and data.is_dir():
        return data
    log(f"[{papers}] generating {kind} ...")
    if folder.exists():  # with its outputs: noted, so that the runs wait for the file system (`settle`)
        _delete_noted(folder.parent, [folder])
    writer = generate.write_dumps if kind == "dumps" else generate.write_content
    result = writer(data, papers, seed)
    log(f"[{papers}] generated {result.files} files in {result.seconds:.1f} s")
    marker.write_text(json.dumps({"fingerprint": stamp, "papers": papers, "seed": seed}) + "\n")
    return data


def _sync() -> None:
    if hasattr(os, "sync"):
        os.sync()


def read_inputs(folder: Path) -> tuple[int, int]:
    """Read every file under `folder` once, so that the measured run finds its inputs in the page
    cache, as a build right after a checkout or an ingest does; returns (files, bytes).

    Without it, the runs of one invocation did not start alike: the first after the `settle` wait
    read the corpus from the disk (this machine's kernel gives idle cached pages back within
    minutes), the next ones from memory; the single 100,000-paper run spent ~2 s of its `load`
    reading 100,000 files."""
    files = size = 0
    for root, _dirs, names in os.walk(folder):
        for name in names:
            with open(os.path.join(root, name), "rb") as f:
                size += len(f.read())
            files += 1
    return files, size


COLD_OUTPUT, HUGO_OUTPUT = "public-cold-", "hugo-cold-"  # + a number: each cold run's output folder (`cold_out`)
KEPT_OUTPUTS = (COLD_OUTPUT, HUGO_OUTPUT)  # the outputs kept until an invocation's runs are done


def kept_outputs(work: Path, keep: Path | None) -> list[Path]:
    """The kept outputs in `work` but `keep`, and the build caches of all but `keep`'s."""
    keep = keep.absolute() if keep is not None else None
    found = []
    for run_dir in sorted(p for p in work.iterdir() if p.is_dir()):
        found += [p for p in sorted(run_dir.iterdir()) if p.name.startswith(KEPT_OUTPUTS) and p.absolute() != keep]
        caches = run_dir / CACHE_DIR_NAME
        if caches.is_dir():
            found += [folder for folder in sorted(caches.iterdir()) if output_of(folder) != keep]
    return found


def evict_kept_outputs(work: Path, keep: Path | None) -> int:
    """Drop from the page cache the files of the outputs this benchmark keeps, but the one a
    run builds into (`keep`); returns how many files. The files stay, so that no run follows
    their deletion (see `cold_out`), but not in memory: otherwise each 100,000-paper output
    (3.76 GB) stays cached, and the next runs' writes must take memory back from them. Measured
    on 2026-12-07, a series of three interleaved cold runs at 100,000 papers took 66.99, 85.73
    and 96.38 s (CPU 8.86, 16.54, 17.35 times the 10,000-paper run's), while by hand, each
    output deleted after its run, the same build took 52-58 s. Call after a sync: the page cache
    keeps dirty pages."""
    if not hasattr(os, "posix_fadvise"):
        return 0
    files = 0
    for root in kept_outputs(work, keep):
        for folder, _dirs, names in os.walk(root):
            for name in names:
                try:
                    fd = os.open(os.path.join(folder, name), os.O_RDONLY)
                except OSError:
                    continue
                try:
                    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                finally:
                    os.close(fd)
                files += 1
    return files


def _clean_for_cold(run_dir: Path, content: Path) -> None:
    """Leave the content as generated, the cache marker, and earlier cold outputs with their
    build caches, nothing else. Called before waiting for the file system to settle, and the
    deletions are noted for it (see `settle`): at 100,000 papers a build cache is 300 MB.

    A build cache whose output folder does not exist goes too: an interrupted invocation leaves
    the cache of the cold run it stopped in (written after the load, before the output), and
    the next invocation's first cold run, given that unused number, would find its store of
    parsed papers (measured: load 4.5 s instead of 18 s at 100,000 papers)."""
    keep = {"data", "generated.json", CACHE_DIR_NAME}
    doomed = [entry for entry in run_dir.iterdir() if entry.name not in keep and not entry.name.startswith(COLD_OUTPUT)]
    doomed += [entry for entry in content.iterdir() if entry.name not in CONTENT_ENTRIES]
    doomed += orphaned_caches(content.parent / CACHE_DIR_NAME)
    _delete_noted(run_dir.parent, doomed)


def count_pages(out: Path) -> tuple[int, int]:
    """(HTML pages, all files) under `out`."""
    pages = files = 0
    for _root, _dirs, names in os.walk(out):
        files += len(names)
        pages += sum(1 for n in names if n.endswith(".html"))
    return pages, files


@dataclass
class Options:
    runs: int
    search: bool
    jobs: int | None
    python: str = sys.executable
    settle: float = 0.0  # seconds to leave between deleting outputs and the next measured run
    interleave: bool = False  # take the sizes' cold runs in turns (`cold_in_turns`)
    hugo: str | None = None  # the hugo program: time it on each corpus too, in turns with the cold runs
    hugo_site: str = "comparable"  # which of hugo.HUGO_SITES it builds
    seed: int = 1  # the corpora's: the new-day scenario makes the papers of the day after


def build_command(options: Options, content: Path, out: Path) -> list[str]:
    command = [options.python, "-m", "site_builder", "build", "--content", str(content), "--out", str(out)]
    if not options.search:
        command.append("--no-search")
    if options.jobs:
        command += ["--jobs", str(options.jobs)]
    return command


def edited_paper(content: Path) -> Path:
    """The paper the one-edit scenario changes: a fixed one (the middle file by name)."""
    papers = sorted((content / "papers").glob("*.md"))
    return papers[len(papers) // 2]


class _Runs:
    """Measured runs of one scenario at one size, added one at a time (in turns with other
    sizes' runs by `--interleave`, and with Hugo's by `--hugo`), stopped at the first failure."""

    def __init__(self, size: int, name: str, content: Path, options: Options, log, interleaved: bool = False,
                 command: Callable[[Path], list[str]] | None = None) -> None:
        self.size, self.name, self.content, self.options, self.log = size, name, content, options, log
        self.interleaved = interleaved
        # The command that builds into an output folder (default: site_builder's build).
        self.command = command or (lambda out: build_command(options, content, out))
        self.runs: list[Measurement] = []
        self.pages = self.files = 0
        self.last_out: Path | None = None

    @property
    def failed(self) -> bool:
        return any(m.returncode != 0 for m in self.runs)

    def measure(self, out: Path, before=None) -> None:  # noqa: ANN001 - a callable(run index)
        if self.failed:
            return
        i = len(self.runs)
        if before:
            before(i)
        _sync()
        evict_kept_outputs(self.content.parent.parent, keep=out)
        read_inputs(self.content)
        m = run_measured(self.command(out), cwd=self.content.parent)
        self.runs.append(m)
        self.last_out = out
        self.pages, self.files = count_pages(out) if out.is_dir() else (0, 0)
        reclaimed = "" if m.reclaimed_mb is None else f", {m.reclaimed_mb:.0f} MB reclaimed"
        self.log(f"[{self.size}] {self.name} run {i + 1}/{self.options.runs}: {m.seconds:.2f} s, {m.peak_mb:.0f} MB"
                 + reclaimed + ("" if m.returncode == 0 else f", FAILED (exit {m.returncode})"))
        if m.returncode != 0:
            self.log(m.output[-3000:])

    def scenario(self) -> Scenario:
        return Scenario.from_runs(self.size, self.name, self.runs, self.pages, self.files, search=self.options.search,
                                  interleaved=self.interleaved)


def cold_out(run_dir: Path, number: int) -> Path:
    """Each cold run builds into a new folder (never used before, so it has no build cache
    either), and old outputs are deleted only after all runs of this invocation: on ext4
    without a journal, creating files is several times slower for minutes after deleting
    many (the inode allocator skips recently deleted inodes one by one), which would measure
    the clean-up of the last run instead of the build.
    (`run_benchmark` has cleaned the work folder for them: `_clean_for_cold`.)"""
    return run_dir / f"{COLD_OUTPUT}{number}"


def bench_build(size: int, run_dir: Path, content: Path, options: Options, log, cold: _Runs,
                clean_up: bool = True) -> list[Scenario]:
    """The cold runs' scenario (`cold`, measured already: `cold_in_turns`), then no-op and
    one-edit rebuilds of the last cold output; then (`clean_up`) the earlier outputs are deleted."""
    scenarios = [cold.scenario()]
    if cold.failed or cold.last_out is None:
        return scenarios
    # No-op and one edit rebuild the last cold run's output (and use its build cache).
    out = cold.last_out
    noop = _Runs(size, "no-op", content, options, log)
    for _ in range(options.runs):
        noop.measure(out)
    scenarios.append(noop.scenario())
    paper = edited_paper(content)
    original = paper.read_bytes()
    try:
        def edit(i: int) -> None:
            text = original.decode("utf-8").rstrip("\n")
            paper.write_bytes(f"{text} (Benchmark edit {i + 1}.)\n".encode("utf-8"))

        edited = _Runs(size, "one edit", content, options, log)
        for _ in range(options.runs):
            edited.measure(out, before=edit)
        scenarios.append(edited.scenario())
    finally:
        paper.write_bytes(original)
    if not edited.failed:
        scenarios.append(bench_new_day(size, content, out, options, log))
    if clean_up:
        _delete_all_but(run_dir, COLD_OUTPUT, out)
    return scenarios


def bench_new_day(size: int, content: Path, out: Path, options: Options, log) -> Scenario:
    """A daily update: the papers of the weekday after the corpus (as many as its last day had,
    by its authors: `Corpus.next_day`) are added, then the site is built. After each run they
    are removed and the site built again, untimed, so that every run starts from the same site
    (this restoring build first also takes in the one-edit scenario's restored paper)."""
    added = [(content / "papers" / name, data) for name, data in generate.next_day_files(size, options.seed).items()]
    restore = _Runs(size, "restore", content, options, lambda _line: None)

    def remove() -> None:
        for path, _data in added:
            path.unlink(missing_ok=True)
        restore.measure(out)

    def add(_i: int) -> None:
        for path, data in added:
            path.write_bytes(data)

    log(f"[{size}] new day: {len(added)} papers added in each run")
    new_day = _Runs(size, "new day", content, options, log)
    try:
        remove()
        for _ in range(options.runs):
            new_day.measure(out, before=add)
            remove()
    finally:
        for path, _data in added:
            path.unlink(missing_ok=True)
    scenario = new_day.scenario()
    if restore.failed:  # the runs after it did not start from the same site
        log(f"[{size}] restoring the site after a new day failed:\n{restore.runs[-1].output[-3000:]}")
        scenario.failed = True
    return scenario


def cold_in_turns(corpora: list[tuple[int, Path, Path]], options: Options, log) -> tuple[dict[int, _Runs], dict[int, _Runs]]:
    """The cold runs of one or several sizes ((size, run folder, content) each), and with
    `options.hugo` Hugo's builds of the same corpora, taken in turns: A B, B A, A B, ... so that
    the runs compared in a growth ratio (or with Hugo's) were made minutes apart, and a machine
    getting slower or faster during the invocation (common on a shared virtual machine) weighs
    on both alike. Returns (site_builder's runs, Hugo's runs) by size."""
    interleaved = len(corpora) > 1
    ours = {size: _Runs(size, "cold", content, options, log, interleaved=interleaved) for size, _d, content in corpora}
    theirs: dict[int, _Runs] = {}
    turns: list[tuple[_Runs, Callable[[int], Path]]] = []
    for size, run_dir, content in corpora:
        first = _next_number(run_dir, COLD_OUTPUT)
        turns.append((ours[size], lambda i, run_dir=run_dir, first=first: cold_out(run_dir, first + i)))
        if options.hugo:
            site = hugo.prepare_site(run_dir.parent / f"hugo-site-{run_dir.name}", content,
                                     hugo.HUGO_SITES[options.hugo_site])
            theirs[size] = _Runs(size, HUGO_COLD, content, options, log, interleaved=True,
                                 command=lambda out, site=site: hugo.hugo_command(options.hugo, site, out))
            numbered = _next_number(run_dir, HUGO_OUTPUT)
            turns.append((theirs[size], lambda i, run_dir=run_dir, first=numbered: run_dir / f"{HUGO_OUTPUT}{first + i}"))
    for i in range(options.runs):
        for runs, out in (turns if i % 2 == 0 else turns[::-1]):
            runs.measure(out(i))
    return ours, theirs


def _numbered(run_dir: Path, prefix: str) -> dict[int, Path]:
    """The folders `<prefix><n>` in `run_dir`, by n."""
    found = {}
    for path in run_dir.glob(prefix + "*"):
        number = path.name[len(prefix):]
        if number.isdigit():
            found[int(number)] = path
    return found


def _next_number(run_dir: Path, prefix: str) -> int:
    return 1 + max(_numbered(run_dir, prefix), default=0)


def _delete_all_but(run_dir: Path, prefix: str, keep: Path | None) -> None:
    """Delete the earlier numbered outputs (after this invocation's runs: see bench_build),
    noted for `settle`."""
    _delete_noted(run_dir.parent, [path for path in _numbered(run_dir, prefix).values() if path != keep])


def _delete_noted(work: Path, doomed: list[Path]) -> None:
    """Delete files and folders, noting when in the work folder for `settle`: as it starts, so
    that an invocation starting meanwhile waits too, and when it ends."""
    if not doomed:
        return
    marker = work / DELETED_MARKER
    marker.write_text(f"{time.time()}\n", encoding="utf-8")
    for path in doomed:
        shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
    marker.write_text(f"{time.time()}\n", encoding="utf-8")


DELETED_MARKER = "last-deletion"  # in the work folder: when outputs were last deleted


def settle(work: Path, seconds: float, log) -> None:
    """Wait until `seconds` have passed since the benchmark last deleted outputs in `work`.

    On ext4 without a journal (this project's benchmark machine), creating files is several
    times slower for minutes after deleting many: the inode allocator skips each free inode
    deleted in the last 60 s, or 6 minutes while its inode table block is being written, one by
    one. A run started right after the last invocation's clean-up would measure that."""
    marker = work / DELETED_MARKER
    while True:  # read again after waiting: another invocation may have deleted outputs meanwhile
        try:
            deleted_at = float(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        wait = deleted_at + seconds - time.time()
        if wait <= 0:
            return
        log(f"waiting {wait:.0f} s for the file system to settle after the last clean-up (--settle)")
        time.sleep(wait)


def with_bytecode(environ: Mapping[str, str], work: Path) -> dict[str, str]:
    """The environment for the processes the benchmark times, so that they run the package's
    compiled bytecode as an installed package does (pip compiles it when it installs).

    Where `PYTHONDONTWRITEBYTECODE` is set (a development machine may set it to keep
    `__pycache__` folders out of a checkout), an editable install has no compiled files, and
    every build compiled the package's source again: ~0.2 s of each run (one edit at 10,000
    papers: 1.99-2.02 s against 1.73-1.87 s with bytecode, by hand on 2026-12-07; every figure
    before that afternoon includes it). Then the bytecode is written under the work folder
    instead (`PYTHONPYCACHEPREFIX`), by the untimed warm-up build first. Otherwise nothing
    changes."""
    env = dict(environ)
    if env.pop("PYTHONDONTWRITEBYTECODE", None) is not None:
        env["PYTHONPYCACHEPREFIX"] = str(work.absolute() / "pycache")
    return env


WARM_UP_PAPERS = 50


def warm_up(work: Path, seed: int, options: Options, log) -> None:
    """One untimed build of a small corpus, its output deleted at once: run after each wait
    for the file system to settle, before the measured runs.

    On this machine the kernel gives idle cached pages back within minutes, so the first run
    after that wait read Python's and the libraries' code from the disk again (39 major page
    faults, against 0 to 5 for the next runs); the corpus is read before each run for the same
    reason (`read_inputs`). With the warm-up the first run reads nothing from the disk, but it
    was still slower, with more CPU seconds (into tmpfs at 10,000 papers: 8.28 s and 13.2 s of
    user CPU, against 7.2-7.3 s and 11.5 s): something of the virtual machine's, not the build's,
    which the median and `--interleave` keep from weighing on one size alone.
    Deleting its ~150 files is not noted for `settle`: too few to slow the next run's."""
    corpus_dir = work / f"warm-up-{WARM_UP_PAPERS}-s{seed}"
    content = cached(corpus_dir, "content", WARM_UP_PAPERS, seed, log)
    out = corpus_dir / "public"
    shutil.rmtree(out, ignore_errors=True)
    done = subprocess.run(build_command(options, content, out), cwd=corpus_dir, capture_output=True, text=True)
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(corpus_dir / CACHE_DIR_NAME, ignore_errors=True)  # its build cache, for that output
    if done.returncode != 0:
        log(f"the warm-up build failed (exit {done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-3000:]}")


def bench_ingest(size: int, run_dir: Path, dumps_dir: Path, options: Options, log) -> Scenario:
    dumps = [str(p) for p in generate.dump_files(dumps_dir)]
    runs: list[Measurement] = []
    papers = 0
    # Each run ingests into a new folder, and old ones are deleted only after all runs (as in
    # bench_build: creating files right after deleting thousands is several times slower on ext4
    # without a journal, which would measure the clean-up instead of the ingest).
    first = _next_number(run_dir, "ingested-")
    content = run_dir / f"ingested-{first}"
    for i in range(options.runs):
        content = run_dir / f"ingested-{first + i}"
        content.mkdir(parents=True)
        (content / "topics.yaml").write_text(generate.topics_yaml(), encoding="utf-8")
        command = [options.python, "-m", "site_builder", "ingest", *dumps, "--content", str(content),
                   "--as-of", generate.DUMPS_AS_OF.isoformat()]
        read_inputs(dumps_dir)
        _sync()
        m = run_measured(command, cwd=run_dir)
        runs.append(m)
        papers = len(list((content / "papers").glob("*.md"))) if (content / "papers").is_dir() else 0
        log(f"[{size}] ingest run {i + 1}/{options.runs}: {m.seconds:.2f} s, {papers} papers"
            + ("" if m.returncode == 0 else f", FAILED (exit {m.returncode})"))
        if m.returncode != 0:
            log(m.output[-3000:])
            break
    _delete_all_but(run_dir, "ingested-", content)  # keep the last run's content to look at
    return Scenario.from_runs(size, "ingest", runs, papers, papers, search=False)


def run_benchmark(sizes: list[int], work: Path, seed: int, options: Options, ingest: bool = True, log=None) -> list[Scenario]:
    log = log or (lambda line: print(line, file=sys.stderr, flush=True))
    corpora = []
    for size in sizes:
        corpus_dir = work / f"corpus-{size}-s{seed}"
        corpora.append((size, corpus_dir, cached(corpus_dir, "content", size, seed, log)))

    def settled() -> None:  # before measured runs
        settle(work, options.settle, log)
        warm_up(work, seed, options, log)

    def ready_for_cold(of: list[tuple[int, Path, Path]]) -> None:
        for _size, corpus_dir, content in of:
            _clean_for_cold(corpus_dir, content)
        settled()

    cold: dict[int, _Runs] = {}
    hugo_cold: dict[int, _Runs] = {}
    if options.interleave and len(corpora) > 1:
        ready_for_cold(corpora)
        cold, hugo_cold = cold_in_turns(corpora, options, log)
    results: list[Scenario] = []

    def builds_of(size: int, corpus_dir: Path, content: Path, ours: _Runs, theirs: _Runs | None,
                  clean_up: bool) -> list[Scenario]:
        scenarios = bench_build(size, corpus_dir, content, options, log, cold=ours, clean_up=clean_up)
        if theirs is not None:  # Hugo's cold runs next to site_builder's
            scenarios.insert(1, theirs.scenario())
            if clean_up:
                _delete_all_but(corpus_dir, HUGO_OUTPUT, None)
        return scenarios

    def ingest_of(size: int) -> Scenario:
        dumps_dir = cached(work / f"dumps-{size}-s{seed}", "dumps", size, seed, log)
        settled()
        return bench_ingest(size, work / f"dumps-{size}-s{seed}", dumps_dir, options, log)

    for size, corpus_dir, content in corpora:
        if size in cold:  # interleaved: the other sizes' rebuilds are still to come, no deletion before them
            results += builds_of(size, corpus_dir, content, cold[size], hugo_cold.get(size), clean_up=False)
            continue
        ready_for_cold([(size, corpus_dir, content)])
        ours, theirs = cold_in_turns([(size, corpus_dir, content)], options, log)
        results += builds_of(size, corpus_dir, content, ours[size], theirs.get(size), clean_up=True)
        if ingest:
            results.append(ingest_of(size))
    if cold:
        for size, corpus_dir, _content in corpora:
            if cold[size].last_out is not None:
                _delete_all_but(corpus_dir, COLD_OUTPUT, cold[size].last_out)
            _delete_all_but(corpus_dir, HUGO_OUTPUT, None)
        if ingest:
            results += [ingest_of(size) for size, _corpus_dir, _content in corpora]
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000], metavar="N", help="corpus sizes in papers (default: 10000)")
    parser.add_argument("--runs", type=int, default=5, help="runs per scenario; the table shows the median (default: 5)")
    parser.add_argument("--search", action="store_true", help="build the Pagefind index too (default: --no-search)")
    parser.add_argument("--jobs", type=int, default=None, metavar="N", help="passed to the build as --jobs N")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "site-builder-bench", metavar="DIR",
                        help="where corpora (cached) and outputs go (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default: 1)")
    parser.add_argument("--no-ingest", dest="ingest", action="store_false", help="skip the ingest benchmark")
    parser.add_argument("--check", action="store_true", help="compare with the targets of issue 6; exit 1 when one is missed")
    parser.add_argument("--json", type=Path, default=None, metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--settle", type=float, default=360, metavar="SECONDS",
                        help="wait until this long after the last deletion of outputs before measuring "
                             "(ext4 without a journal creates files slowly for minutes after deletes; default: %(default)s)")
    parser.add_argument("--hugo", action="store_true",
                        help="also time Hugo building the same corpora (the site --hugo-site names), its cold runs in turns "
                             "with these; the check compares the 10,000-paper cold build with half of Hugo's time")
    parser.add_argument("--hugo-site", choices=sorted(hugo.HUGO_SITES), default="comparable",
                        help="with --hugo: the issue's comparable site (benchmarks/hugo_site, the default) or one "
                             "with the pieces of site_builder's pages (benchmarks/hugo_site_same)")
    parser.add_argument("--interleave", action="store_true",
                        help="take the cold runs of the sizes in turns (A B, B A, ...), so that a growth ratio "
                             "compares runs made minutes apart; the check also gives the ratio run by run")
    args = parser.parse_args(argv)
    if args.runs < 1 or any(size < 1 for size in args.sizes):
        parser.error("--runs and --sizes must be at least 1")

    hugo_program = hugo.find_hugo() if args.hugo else None
    if args.hugo and hugo_program is None:
        parser.error("--hugo: no hugo program on PATH (Debian: apt-get install hugo)")

    args.work.mkdir(parents=True, exist_ok=True)
    options = Options(runs=args.runs, search=args.search, jobs=args.jobs, settle=args.settle,
                      interleave=args.interleave, hugo=hugo_program, hugo_site=args.hugo_site,
                      seed=args.seed)
    environ = os.environ.copy()
    os.environ.clear()
    os.environ.update(with_bytecode(environ, args.work))  # for every process the benchmark starts
    try:
        results = run_benchmark(args.sizes, args.work, args.seed, options, ingest=args.ingest)
    finally:
        os.environ.clear()
        os.environ.update(environ)
    print(markdown_table(results))
    if hugo_program:
        print(f"\nHugo: {hugo.hugo_version(hugo_program)}; site: {args.hugo_site} "
              f"(benchmarks/{hugo.HUGO_SITES[args.hugo_site].name})")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n", encoding="utf-8")
    failed = [r for r in results if r.failed]
    if args.check:
        verdicts = check_targets(results, search=args.search)
        print()
        for verdict in verdicts:
            print(verdict.line())
        if any(v.passed is False for v in verdicts):
            return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
