"""`site-builder build`: run the stages in order and report what was built and how long each took.

config -> (up to date? stop) -> load content -> assemble the site model -> render pages, feeds,
sitemap (on every core: `site_builder.parallel`) -> write -> index with Pagefind -> put in place.

Two ways to put the new site in place:
- full: every file is written into a fresh temporary folder next to the output folder, which is
  then swapped in (`writer.staged_output`). Used when there is no usable record of the last
  build (first build, build cache missing, output folder changed by hand or by an interrupted
  build, search switched on or off).
- incremental: the build cache (`site_builder.cache`) says which pages and feeds the last build
  wrote from which inputs; only those whose inputs changed are rendered, only files whose bytes
  changed are written (into a temporary folder), then each is renamed into the output folder
  and the pages that are gone are deleted (`writer.apply_changes`), the old versions kept aside
  until the search index is done, so a failing index puts them back.
Either way any failure (bad content, a template error, two outputs on one path, Pagefind failing)
raises before the output folder changes, and the result is byte-identical to a full build of
the same content (tests/build/test_incremental.py).

The summary's last line ("  into DIR in 6.12s: config 0.01s, load 1.20s, ...") keeps this format:
the benchmark (benchmarks/report.py) reads the stage times from it.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from site_builder.cache import (
    BuildCache, CacheState, Manifest, PaperFiles, input_fingerprint, out_id, output_intact, paper_file_stats,
)
from site_builder.config import SiteConfig, load_config
from site_builder.errors import ContentError
from site_builder.progress import Progress
from site_builder.theme import theme_dirs
from site_builder.writer import check_output_folder, staged_output

Log = Callable[[str], object]
# The page kinds, in the order `render.page_specs` lists them (kept here so that an up-to-date
# build need not import the renderer).
PAGE_KINDS = ("home", "search", "404", "days", "tags", "authors", "paper", "author", "tag", "day")


@dataclass(frozen=True)
class BuildReport:
    """What a build wrote (counts are deterministic; seconds are not)."""

    out_dir: Path
    pages: dict[str, int]  # page kind -> pages in the site, in PAGE_KINDS order
    feeds: int
    files: int  # every file of the site, pages, feeds, sitemap and assets included (not the search index)
    bytes: int
    searched: bool
    seconds: dict[str, float] = field(default_factory=dict)  # stage -> wall seconds
    mode: str = "full"  # "full", "incremental" or "up to date"
    rendered: int = 0  # pages and feeds rendered by this build
    written: int = 0  # files written by this build (the others were unchanged)
    removed: int = 0  # files of the previous build deleted (pages that are gone)
    papers_read: int = 0  # paper files read and parsed (the others came from the build cache)

    @property
    def total_pages(self) -> int:
        return sum(self.pages.values())


class _Stages:
    """Wall time per stage, in the order the stages ran."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._start = time.perf_counter()

    def done(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self._start
        self._start = now


def build_site(
    content_dir: Path,
    out_dir: Path,
    base_url: str | None = None,
    search: bool = True,
    jobs: int | None = None,
    log: Log = print,
    render_cache: dict | None = None,
    incremental: bool = True,
    progress: Progress | None = None,
) -> BuildReport:
    """Build the site of `content_dir` into `out_dir` (replacing it only if everything succeeds).

    `base_url` overrides site.yaml's; `search=False` skips the Pagefind index; `jobs` is the
    number of rendering processes (default: one per core); `render_cache` (a dict kept by the
    caller, e.g. `serve`) spares re-rendering unchanged titles and abstracts; `incremental=False`
    ignores the build cache (a full build, which still records a cache for the next one).
    """
    content_dir, out_dir = Path(content_dir), Path(out_dir)
    stages = _Stages()
    if not content_dir.is_dir():
        raise ContentError(f"the content folder {content_dir} does not exist")
    config = load_config(content_dir / "site.yaml", base_url)
    dirs = theme_dirs(content_dir, config)
    check_output_folder(out_dir, [content_dir, *dirs])
    cache = BuildCache.for_build(content_dir, out_dir)
    try:
        with cache.locked() if cache is not None else contextlib.nullcontext():
            build = _Build(content_dir, out_dir, config, dirs, search, jobs, log, render_cache, cache,
                           progress or Progress(), stages)
            report = build.run(incremental)
    finally:
        gc.unfreeze()  # see _Build._build: the model is ordinary garbage again once the build is done
    for line in summary(report):
        log(line)
    return report


class _Build:
    """One build: its inputs, what the cache recorded, and the stages in order."""

    def __init__(self, content_dir: Path, out_dir: Path, config: SiteConfig, dirs: Sequence[Path], search: bool,
                 jobs: int | None, log: Log, render_cache: dict | None, cache: BuildCache | None,
                 progress: Progress, stages: _Stages):
        from site_builder.parallel import default_jobs

        self.content_dir, self.out_dir, self.config, self.dirs = content_dir, out_dir, config, tuple(dirs)
        self.search, self.log, self.render_cache, self.cache = search, log, render_cache, cache
        self.jobs = max(1, jobs) if jobs else default_jobs()
        self.progress, self.stages = progress, stages
        self._options = ("v1", str(content_dir.absolute()), str(out_dir.absolute()), config, search)
        # One listing of the paper files, for the fingerprint and for the load (0.4 s of stats
        # at 100,000 papers that were taken twice).
        self.paper_files: PaperFiles | None = None
        if cache is not None:
            self.paper_files = paper_file_stats(content_dir)
            self.fingerprint, self.racy = input_fingerprint(content_dir, self.dirs, self._options, self.paper_files)
        else:
            self.fingerprint, self.racy = "", True
        self.state = cache.read_state() if cache is not None else CacheState()

    def run(self, incremental: bool) -> BuildReport:
        trusted = (incremental and self.cache is not None and self.state.manifest
                   and self.state.report.get("searched") == self.search
                   and self.state.out_id == out_id(self.out_dir) != (0, 0)
                   and output_intact(self.out_dir, self.state.manifest))
        if trusted and not self.racy and self.state.fingerprint == self.fingerprint:
            self.stages.done("check")
            return self._up_to_date()
        self.stages.done("config")
        return self._build(previous=self.state.manifest if trusted else None)

    def _up_to_date(self) -> BuildReport:
        saved = self.state.report
        return BuildReport(
            out_dir=self.out_dir, pages=dict(saved["pages"]), feeds=saved["feeds"], files=saved["files"],
            bytes=saved["bytes"], searched=self.search, seconds=dict(self.stages.seconds), mode="up to date",
        )

    def _build(self, previous: Manifest | None) -> BuildReport:
        from site_builder.content import PaperStore, gc_paused, load_content
        from site_builder.outputs import SiteOutputs
        from site_builder.memo import keys as memo_keys
        from site_builder.site import assemble_site

        cache, stages = self.cache, self.stages
        # The model (millions of objects at 100,000 papers) is made with the collector paused
        # and lives until the build ends: frozen before the collector resumes, the collector's
        # full passes never traverse it (the parent's collections took 1.2 s at 100,000 papers,
        # now 0.5 s; 0.05 s at 10,000); `build` unfreezes it at the end.
        with gc_paused():
            store = None
            if cache is not None:
                store = PaperStore.from_shards(cache.read_shards("papers"))
                store.save = functools.partial(cache.write_shard, "papers")
            loaded = load_content(self.content_dir, jobs=self.jobs, cache=self.render_cache, store=store,
                                  progress=self.progress, light=True, paper_files=self.paper_files)
            self.paper_files = None  # loaded: not needed any more
            if cache is not None and store is not None and store.unsaved:
                cache.write_shards("papers", store.shards(store.unsaved))
            del store
            stages.done("load")
            memo = None  # without a build cache nothing would keep it: not made
            if cache is not None:
                saved = cache.read_blob("assemble")
                memo = saved if isinstance(saved, dict) else {}
            keys_before = memo_keys(memo)
            site = assemble_site(loaded.papers, loaded.profiles, loaded.topic_names, self.config, memo=memo,
                                 jobs=self.jobs)
            if cache is not None and memo is not None and memo_keys(memo) != keys_before:
                cache.write_blob("assemble", memo)
            # Not kept through the rendering: at 100,000 papers the saved results take ~30 MB
            # besides what they share with the model (related papers 22 MB, authors 10 MB).
            del memo
            stages.done("assemble")
            gc.freeze()

        outputs = SiteOutputs(site, loaded, self.config, self.dirs, previous, self.jobs, self.progress, self.out_dir,
                              cache)
        del loaded
        outputs.plan()
        stages.done("prepare")
        if previous is None:
            report = self._full(outputs)
        else:
            report = self._incremental(outputs)
        return report

    def _full(self, outputs) -> BuildReport:  # noqa: ANN001 - a SiteOutputs
        stages = self.stages
        if self.cache is not None:
            self.cache.forget()
        with staged_output(self.out_dir) as staging:
            outputs.render(staging, stages)
            stages.done("write")
            if self.search:
                self._index(staging, previous=self.out_dir if (self.out_dir / "pagefind").is_dir() else None)
                stages.done("search")
        stages.done("swap")
        report = self._finish(outputs, "full")
        if self.cache is not None:
            self.cache.end_apply()  # whatever an interrupted build left, the whole site is new
        return report

    def _incremental(self, outputs) -> BuildReport:  # noqa: ANN001 - a SiteOutputs
        from site_builder.writer import apply_changes, undo_changes

        stages, cache = self.stages, self.cache
        assert cache is not None
        out = self.out_dir.absolute()
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
        # With search, the old versions wait aside until the index is done: a failing index
        # puts them back. Without, nothing can fail once the files start moving in.
        aside = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent)) if self.search else None
        try:
            outputs.render(staging, stages)
            cache.begin_apply()
            apply_changes(staging, out, outputs.written, outputs.removed, aside=aside)
            stages.done("write")
            if self.search:
                assert aside is not None
                html = [rel for rel in outputs.written + outputs.removed if rel.endswith(".html")]
                try:
                    self._index(out, previous=out, changed=html)
                except BaseException:
                    undo_changes(out, outputs.written, outputs.removed, aside)
                    cache.end_apply()
                    raise
                stages.done("search")
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            if aside is not None:
                shutil.rmtree(aside, ignore_errors=True)
        report = self._finish(outputs, "incremental")
        cache.end_apply()
        return report

    def _index(self, site_dir: Path, previous: Path | None = None, changed: list[str] | None = None) -> None:
        from site_builder.search import index_site  # the last stage; imported only when used

        cache_dir = self.cache.folder / "search" if self.cache is not None else None
        index_site(site_dir, log=self.log, previous=previous, changed=changed, cache_dir=cache_dir)

    def _finish(self, outputs, mode: str) -> BuildReport:  # noqa: ANN001 - a SiteOutputs
        manifest = outputs.manifest
        pages = Counter(outputs.page_kinds)
        report = BuildReport(
            out_dir=self.out_dir,
            pages={kind: pages[kind] for kind in PAGE_KINDS if pages[kind]},
            feeds=outputs.feed_count,
            files=len(manifest),
            bytes=sum(size for _, size, _ in manifest.values()),
            searched=self.search,
            seconds={},
            mode=mode,
            rendered=outputs.rendered,
            written=len(outputs.written),
            removed=len(outputs.removed),
            papers_read=outputs.papers_read,
        )
        if self.cache is not None:
            saved = {"pages": report.pages, "feeds": report.feeds, "files": report.files, "bytes": report.bytes,
                     "searched": self.search}
            self.cache.write_state(CacheState(self._settled_fingerprint(), out_id(self.out_dir), manifest, saved))
            self.stages.done("cache")
        return BuildReport(**{**report.__dict__, "seconds": dict(self.stages.seconds)})


    def _settled_fingerprint(self) -> str:
        """The fingerprint to record: the one taken at the start, if no input changed since and
        none is recent enough to change unseen (see `cache.input_fingerprint`); else "" (the
        next build is then never "up to date" without looking)."""
        if not self.racy:
            return self.fingerprint
        again, racy = input_fingerprint(self.content_dir, self.dirs, self._options)
        return again if again == self.fingerprint and not racy else ""


def summary(report: BuildReport) -> list[str]:
    """The lines `build` prints: pages per kind, feeds, files, time per stage (and, for a build
    that used the build cache, what it did again)."""
    kinds = ", ".join(f"{count:,} {kind}" for kind, count in report.pages.items())
    total = sum(report.seconds.values())
    times = ", ".join(f"{stage} {seconds:.2f}s" for stage, seconds in report.seconds.items())
    search = "with search index" if report.searched else "without search index"
    first = (f"Up to date: {report.total_pages:,} pages ({kinds}); nothing changed since the last build"
             if report.mode == "up to date" else f"Built {report.total_pages:,} pages ({kinds})")
    lines = [
        first,
        f"  {report.feeds:,} feeds, sitemap, {report.files:,} files ({report.bytes / 1e6:.1f} MB) {search}",
        f"  into {report.out_dir} in {total:.2f}s: {times}",
    ]
    if report.mode == "incremental":
        lines.append(f"  incremental: {report.papers_read:,} paper files read, {report.rendered:,} pages and feeds "
                     f"rendered, {report.written:,} files written, {report.removed:,} removed")
    return lines
