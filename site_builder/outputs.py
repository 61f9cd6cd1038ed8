"""Every output file of a build: what it is, whether it must be rendered again, rendering and
writing it (on every core), and the manifest the build cache keeps of it.

Pages and feeds are "units": each has an output path and an inputs signature, a hash of the
code and theme (`cache.code_key`), the config and what its view reads of the model
(`Renderer.inputs`, `FeedRenderer.inputs`). Given the last build's manifest (incremental build),
a unit whose signature is unchanged is not rendered, and a rendered unit whose bytes are
unchanged (the same size as the file in the output folder, then the same bytes) is not
written. Sitemap, robots.txt and theme assets are cheap: always produced, written only when
their bytes changed.

Rendering runs in forked workers (`parallel.fork_map`) that inherit the model, the renderers and
the compiled templates; a task is a range of unit numbers and a worker writes the files itself,
returning only (signature, size, mtime) per unit, so nothing large crosses a pipe. A worker
writes into the staging folder (a full new site, or just the changed files) and only reads the
output folder (the files it compares with).
"""

from __future__ import annotations

import hashlib
import marshal
import os
from collections.abc import Sequence
from pathlib import Path

from site_builder.cache import BuildCache, Manifest, code_key
from site_builder.config import SiteConfig
from site_builder.content import LoadedContent
from site_builder.feeds import FeedRenderer, FeedSpec, feed_specs
from site_builder.model import Site
from site_builder.parallel import chunk_size, fork_map, ordered_map, ranges
from site_builder.progress import Progress
from site_builder.render import PageSpec, Renderer, output_path, page_specs, page_url, sitemap_urls
from site_builder.sitemap import render_robots, render_sitemap
from site_builder.texts import PackedRecords
from site_builder.theme import MACRO_CACHE_SIZE, static_files
from site_builder.urls import Urls
from site_builder.views import list_page_bounds
from site_builder.writer import SiteWriter, paths_conflict_free, write_file

PARALLEL_MIN_UNITS = 300  # fewer units to render than this: forking workers costs more than it saves
PARALLEL_MIN_SIGNATURES = 10_000  # units whose inputs signatures are computed on every core (~20 us each)


class SiteOutputs:
    """The output files of one build (see the module docstring). `previous` is the manifest of
    the last build of the output folder `out_dir` (which holds its files), None for a full
    build. `cache`, the build cache of that folder, keeps the theme's compiled templates."""

    def __init__(self, site: Site, loaded: LoadedContent, config: SiteConfig, dirs: Sequence[Path],
                 previous: Manifest | None, jobs: int, progress: Progress, out_dir: Path | None = None,
                 cache: BuildCache | None = None):
        self.site, self.config, self.dirs = site, config, tuple(dirs)
        self._code = code_key(self.dirs)
        self.previous = previous
        self._out_root = os.fspath(out_dir) if out_dir is not None else ""
        assert previous is None or out_dir is not None, "an incremental build compares with the output folder"
        self.jobs, self.progress = jobs, progress
        self.urls = Urls.for_base(config.base_url)
        compiled = cache.compiled_templates(self._code) if cache is not None else None
        self.renderer = Renderer(site, config, dirs, loaded.texts, loaded.tokens, compiled)
        self.feed_renderer = FeedRenderer(site, config, self.urls, loaded.texts, loaded.tokens)
        self.papers_read = loaded.files_read
        self.page_specs: list[PageSpec] = []
        self.feed_specs: list[FeedSpec] = []
        self.paths: list[str] = []  # unit number -> output path (pages first, then feeds)
        self.signatures: list[str | None] = []
        self.todo: list[int] = []  # units to render
        # Results
        self.manifest: Manifest = {}
        self.written: list[str] = []
        self.removed: list[str] = []
        self.rendered = 0
        self._stage_root = ""
        self._cards_forgotten = False

    # -- planning ------------------------------------------------------------------------

    def plan(self) -> None:
        """List the units, check that no two outputs share a path, and find the stale units."""
        self.page_specs = list(page_specs(self.site, self.config))
        self.feed_specs = feed_specs(self.site)
        self.paths = [output_path(page_url(s)) for s in self.page_specs]
        self.paths += [self.feed_renderer.path(s) for s in self.feed_specs]
        self._check_paths()
        topic_names = sorted((t.key, t.name) for t in self.site.tags if t.kind == "topic")
        shared = f"{self._code}|{self.config!r}|{topic_names!r}"
        self._key = hashlib.blake2b(shared.encode(), digest_size=16).digest()
        count = len(self.paths)
        if self.previous is None:
            self.signatures = [None] * count  # computed by the workers, with the rendering
            self.todo = list(range(count))
            return
        self.signatures = self._all_signatures()
        previous = self.previous
        self.todo = [i for i, (path, sig) in enumerate(zip(self.paths, self.signatures))
                     if (entry := previous.get(path)) is None or entry[0] != sig]

    def _check_paths(self) -> None:
        """Raise one BuildError listing every two outputs that would share a path (a file, or a
        file where another needs a folder). Skipped when every path was written by the last
        build (which checked them) and none repeats; only when some collide are they claimed one
        by one, for the messages."""
        statics = static_files(self.dirs)
        every = [*self.paths, *self._sitemap_paths(), "robots.txt", *statics]
        previous = self.previous
        if previous is not None and len(set(every)) == len(every) and all(p in previous for p in every):
            return
        if paths_conflict_free(every):
            return
        claims = SiteWriter(Path("."))
        for spec, path in zip(self.page_specs, self.paths):
            claims.claim(path, f"{spec.kind} page /{page_url(spec)}")
        for path in self.paths[len(self.page_specs):]:
            claims.claim(path, f"feed {path}")
        for path in self._sitemap_paths():
            claims.claim(path, f"sitemap {path}")
        claims.claim("robots.txt", "robots.txt")
        for path, source in statics.items():
            claims.claim(path, f"theme file {source}")
        claims.check()

    def _sitemap_paths(self) -> list[str]:
        from site_builder.sitemap import MAX_URLS_PER_FILE, SITEMAP_PATH

        pages = sum(1 for s in self.page_specs if s.kind != "404")
        extra = -(-pages // MAX_URLS_PER_FILE) if pages > MAX_URLS_PER_FILE else 0
        return [SITEMAP_PATH, *(f"sitemap-{n}.xml" for n in range(1, extra + 1))]

    def _all_signatures(self) -> list[str]:
        """Every unit's signature, on every core from PARALLEL_MIN_SIGNATURES units: at 100,000
        papers (178,000 units) they took 2.9-4 s in this process, a quarter of an edit's rebuild."""
        count = len(self.paths)
        jobs = self.jobs if count >= PARALLEL_MIN_SIGNATURES else 1
        signatures: list[str] = []
        for part in ordered_map(self._signatures_of, ranges(count, chunk_size(count, jobs, largest=2_000)), jobs):
            signatures += part
        return signatures

    def _signatures_of(self, bounds: tuple[int, int]) -> list[str]:
        return [self._signature(unit) for unit in range(*bounds)]

    def _signature(self, unit: int) -> str:
        pages = len(self.page_specs)
        if unit < pages:
            spec = self.page_specs[unit]
            what = (spec.kind, spec.key, spec.page, self.renderer.inputs(spec))
        else:
            feed = self.feed_specs[unit - pages]
            what = ("feed", feed.kind, feed.key, self.feed_renderer.inputs(feed))
        # marshal writes the plain values about twice as fast as repr (hashing all units at
        # 10,000 papers: ~0.08 s against ~0.17 s in one process, besides ~0.1 s of inputs);
        # version 0 for the same bytes in every process (see memo.key).
        return hashlib.blake2b(self._key + marshal.dumps(what, 0), digest_size=16).hexdigest()

    # -- rendering and writing -----------------------------------------------------------

    def render(self, stage_root: Path, stages) -> None:  # noqa: ANN001 - build._Stages
        """Render the stale units into `stage_root` (pages, then feeds), then the sitemap,
        robots.txt and theme assets; fill `manifest`, `written`, `removed`."""
        self._stage_root = os.fspath(stage_root)
        pages = len(self.page_specs)
        locality = self._locality()
        todo_pages = sorted((i for i in self.todo if i < pages), key=locality)
        todo_feeds = sorted((i for i in self.todo if i >= pages), key=locality)
        self.feed_renderer.plan([self.feed_specs[unit - pages] for unit in todo_feeds])
        results: dict[int, tuple[str, int, int, bool]] = {}
        if len(self.site.papers) > MACRO_CACHE_SIZE and len(todo_pages) >= len(self.site.papers) // 2:
            self._make_card_details()
        self._run(todo_pages, todo_feeds, results)
        stages.done("render")
        self.rendered = len(results)

        previous = self.previous or {}
        manifest: Manifest = {}
        written: list[str] = []
        for unit, path in enumerate(self.paths):
            found = results.get(unit)
            if found is None:  # unchanged inputs: the file stays as it was
                manifest[path] = previous[path]
                continue
            sig, size, mtime, wrote = found
            manifest[path] = (sig, size, mtime)
            if wrote:
                written.append(path)
        for path, data in self._small_files():
            old = previous.get(path)
            if old is not None and self._unchanged(path, data, old):
                manifest[path] = old
            else:
                manifest[path] = ("", len(data), write_file(self._stage_root, path, data))
                written.append(path)
        self.manifest = manifest
        self.written = written
        self.removed = sorted(path for path in previous if path not in manifest)

    def _run(self, pages: list[int], feeds: list[int], results: dict) -> None:
        """Render the page units, then the feed units, in one pool of workers: a worker whose
        stretch of pages is done goes on to the feeds while the other finishes its pages (no
        second pool to start, no core idle at the end of the pages), and the feeds' items are
        rendered by fewer workers (one starts on them, the other takes the last ones)."""
        units = [*pages, *feeds]
        if not units:
            return
        jobs = self.jobs if len(units) >= PARALLEL_MIN_UNITS else 1
        if jobs > 1:
            self._warm_up()
        tasks = ranges(len(units), chunk_size(len(units), jobs))
        self._units = units
        self.progress.start("pages and feeds", len(units))
        for _, chunk in fork_map(self._render_range, tasks, jobs, contiguous=True):
            for unit, result in chunk:
                results[unit] = result
            self.progress.advance(len(chunk))
        self.progress.finish()

    def _make_card_details(self) -> None:
        """Render every paper's card details once, on every core, before the pages that show
        them. For sites with more papers than a worker's cache of cards holds: there a worker
        forgets cards it needs again (a card is on about 13 pages: its day, tags, authors,
        related papers), and rendering them again cost more than this pass (at 100,000 papers,
        55 s of pages became 50 s). Below, the pass costs about what it saves (the workers
        render some cards twice, never one twice in the same worker)."""
        papers = self.site.papers
        jobs = self.jobs if len(papers) >= PARALLEL_MIN_UNITS else 1
        if jobs > 1:
            self._warm_up()
        tasks = ranges(len(papers), chunk_size(len(papers), jobs))

        def make(bounds: tuple[int, int]) -> tuple[list[int], bytes] | None:
            details = self.renderer.render_card_details(papers[bounds[0]:bounds[1]])
            return None if details is None else PackedRecords.pack(details)

        made: list = [None] * len(tasks)
        for index, part in fork_map(make, tasks, jobs, contiguous=True):
            if part is None:  # the theme has no card details to share
                return
            made[index] = part
        self.renderer.card_fragments = PackedRecords.from_parts([p.slug for p in papers], made)

    def _warm_up(self) -> None:
        """Compile every template here, before the workers fork, so that they inherit them."""
        env = self.renderer.env
        for name in env.list_templates(filter_func=lambda n: n.endswith(".html")):
            env.get_template(name)

    def _locality(self):  # noqa: ANN202 - a sort key over unit numbers
        """Pages in the order of the newest paper they show (digest order), so that a worker's
        bounded caches of cards (a paper's card is on ~7 pages) keep the cards it needs next;
        author and tag feeds in the order of the middle one of the papers they show, so that the
        feeds sharing an item come close together (in the order of their newest paper, a feed
        showing 30 papers is far from the ones showing its oldest; simulated at 100,000 papers
        with the feeds' cache of items, `reuse.ScheduledCache`, the middle paper's order renders
        each item once, the newest paper's 5% more). Any order writes the same files."""
        position = {p.slug: i for i, p in enumerate(self.site.papers)}
        index = self.renderer.index
        size = self.config.page_size
        pages = len(self.page_specs)
        units = len(self.paths)

        def first_paper(unit: int) -> int:
            """(position of the unit's first paper, a feed's middle one, + 1) * units + unit:
            ordered as that pair (-1 for none), as an int (sorting 180,000 tuples took twice as
            long)."""
            if unit < pages:
                spec = self.page_specs[unit]
                kind, key, page = spec.kind, spec.key, spec.page
            else:
                feed = self.feed_specs[unit - pages]
                middle = self.feed_renderer.middle(feed)
                if middle is not None:
                    return (position[middle.slug] + 1) * units + unit
                kind, key, page = feed.kind, feed.key, 0
            if kind == "paper":
                return (position[key] + 1) * units + unit
            papers: Sequence = ()
            skip = 0
            if kind == "author":
                papers = index.authors_by_slug[key].papers
            elif kind == "tag":
                papers = index.tags_by_slug[key].papers  # indexed, not sliced: a slice per page
                # copies the rest of the tag's list (quadratic in a large tag's pages)
                skip = list_page_bounds(len(papers), size, page)[0]
            elif kind == "day":
                papers = index.days_by_iso[key].papers
            return ((position[papers[skip].slug] + 1) if skip < len(papers) else 0) * units + unit

        return first_paper

    def _fresh(self, unit: int) -> bool:
        """Whether the unit is a page in a folder of its own that the last build did not write."""
        path = self.paths[unit]
        return path.endswith("/index.html") and (self.previous is None or path not in self.previous)

    def _render_range(self, bounds: tuple[int, int]) -> list[tuple[int, tuple]]:
        """Render units `self._units[lo:hi]` and write those whose bytes changed (in a worker:
        measured, writing in the parent instead is no faster)."""
        lo, hi = bounds
        pages = len(self.page_specs)
        previous = self.previous or {}
        root = self._stage_root
        out = []
        for unit in self._units[lo:hi]:
            if unit < pages:
                _, data = self.renderer.render(self.page_specs[unit])
            else:
                if not self._cards_forgotten:  # this process is done with pages (mostly: see forget_cards)
                    self.renderer.forget_cards()
                    self._cards_forgotten = True
                data = self.feed_renderer.render(self.feed_specs[unit - pages])
            sig = self.signatures[unit] or self._signature(unit)
            path = self.paths[unit]
            old = previous.get(path)
            if old is not None and self._unchanged(path, data, old):
                out.append((unit, (sig, len(data), old[2], False)))
            else:
                out.append((unit, (sig, len(data), write_file(root, path, data, self._fresh(unit)), True)))
        return out

    def _unchanged(self, path: str, data: bytes, old: tuple[str, int, int]) -> bool:
        """Whether the output folder's file (as the last build wrote it: the build checked
        sizes and mtimes first) holds `data` already."""
        if old[1] != len(data):
            return False
        try:
            with open(f"{self._out_root}/{path}", "rb") as handle:
                return handle.read(len(data) + 1) == data
        except OSError:
            return False

    def _small_files(self) -> list[tuple[str, bytes]]:
        files = render_sitemap(sitemap_urls(self.page_specs), self.urls)
        files.append(("robots.txt", render_robots(self.urls)))
        files += [(path, source.read_bytes()) for path, source in static_files(self.dirs).items()]
        return files

    # -- what the report shows -------------------------------------------------------------

    @property
    def page_kinds(self) -> list[str]:
        return [s.kind for s in self.page_specs]

    @property
    def feed_count(self) -> int:
        return len(self.feed_specs)
