"""`site-builder build`: run the stages in order and report what was built and how long each took.

config -> load content -> assemble the site model -> render pages, feeds, sitemap -> write them
into a temporary folder -> index it with Pagefind -> swap it in for the old site. Any failure
(bad content, a template error, two outputs on one path, Pagefind failing) raises before the
swap, so the previous site stays as it was.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from site_builder.config import load_config
from site_builder.content import RenderCache, load_content
from site_builder.errors import ContentError
from site_builder.feeds import render_feeds
from site_builder.render import PAGE_KINDS, Renderer, page_specs, page_url, sitemap_urls
from site_builder.site import assemble_site
from site_builder.sitemap import render_robots, render_sitemap
from site_builder.theme import static_files, theme_dirs
from site_builder.urls import Urls
from site_builder.writer import SiteWriter, check_output_folder, staged_output

Log = Callable[[str], object]


@dataclass(frozen=True)
class BuildReport:
    """What a build wrote (counts are deterministic; seconds are not)."""

    out_dir: Path
    pages: dict[str, int]  # page kind -> pages written, in PAGE_KINDS order
    feeds: int
    files: int  # every file written, pages, feeds, sitemap and assets included (not the search index)
    bytes: int
    searched: bool
    seconds: dict[str, float] = field(default_factory=dict)  # stage -> wall seconds

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
    render_cache: RenderCache | None = None,
) -> BuildReport:
    """Build the site of `content_dir` into `out_dir` (replacing it only if everything succeeds).

    `base_url` overrides site.yaml's; `search=False` skips the Pagefind index; `render_cache`
    (a dict kept by the caller, e.g. `serve`) spares re-rendering unchanged titles and abstracts.
    """
    content_dir, out_dir = Path(content_dir), Path(out_dir)
    stages = _Stages()
    if not content_dir.is_dir():
        raise ContentError(f"the content folder {content_dir} does not exist")
    config = load_config(content_dir / "site.yaml", base_url)
    dirs = theme_dirs(content_dir, config)
    check_output_folder(out_dir, [content_dir, *dirs])
    stages.done("config")

    loaded = load_content(content_dir, jobs=jobs, cache=render_cache)
    stages.done("load")
    site = assemble_site(loaded.papers, loaded.profiles, loaded.topic_names, config)
    stages.done("assemble")

    urls = Urls.for_base(config.base_url)
    renderer = Renderer(site, config, dirs)
    specs = list(page_specs(site, config))
    pages: Counter[str] = Counter()
    with staged_output(out_dir) as staging:
        writer = SiteWriter(staging)
        stages.done("prepare")
        write_seconds = 0.0
        for spec in specs:
            path, data = renderer.render(spec)
            started = time.perf_counter()
            writer.write(path, data, _origin(spec))
            write_seconds += time.perf_counter() - started
            pages[spec.kind] += 1
        stages.done("pages")
        stages.seconds["pages"] -= write_seconds

        feeds = render_feeds(site, config, urls)
        for path, data in feeds:
            writer.write(path, data, f"feed {path}")
        stages.done("feeds")

        for path, data in render_sitemap(sitemap_urls(specs), urls):
            writer.write(path, data, f"sitemap {path}")
        writer.write("robots.txt", render_robots(urls), "robots.txt")
        for path, source in static_files(dirs).items():
            writer.copy(path, source, f"theme file {source}")
        writer.check()
        stages.done("write")
        stages.seconds["write"] += write_seconds

        if search:
            from site_builder.search import index_site  # the last stage; imported only when used

            index_site(staging, log=log)
            stages.done("search")
    stages.done("swap")

    report = BuildReport(
        out_dir=out_dir,
        pages={kind: pages[kind] for kind in PAGE_KINDS if pages[kind]},
        feeds=len(feeds),
        files=writer.files,
        bytes=writer.bytes,
        searched=search,
        seconds=dict(stages.seconds),
    )
    for line in summary(report):
        log(line)
    return report


def _origin(spec) -> str:
    """How a collision message names a page: "paper page papers/x/"."""
    return f"{spec.kind} page /{page_url(spec)}"


def summary(report: BuildReport) -> list[str]:
    """The lines `build` prints: pages per kind, feeds, files, time per stage."""
    kinds = ", ".join(f"{count:,} {kind}" for kind, count in report.pages.items())
    total = sum(report.seconds.values())
    times = ", ".join(f"{stage} {seconds:.2f}s" for stage, seconds in report.seconds.items())
    search = "with search index" if report.searched else "without search index"
    return [
        f"Built {report.total_pages:,} pages ({kinds})",
        f"  {report.feeds:,} feeds, sitemap, {report.files:,} files ({report.bytes / 1e6:.1f} MB) {search}",
        f"  into {report.out_dir} in {total:.2f}s: {times}",
    ]
