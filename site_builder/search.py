"""The last build stage: a client-side search index of the written site, made by Pagefind.

Pagefind reads the HTML pages (only those with `data-pagefind-body`: the paper pages) and writes a
static search bundle to `<site>/pagefind/`, which the `/search/` page loads in the browser. A site
with more pages than one part holds is indexed in parts (`pagefind/parts/<name>/`, one Pagefind
run each, several at once), which the search page merges (`pagefind/parts.json` lists them); a
rebuild given the previous build re-indexes only the parts whose pages changed and reuses the
others, by hard links or by moving them (search_parts.py: the rule, and the manifest it keeps).
Given the build cache's folder, a part's pages stay linked there for Pagefind between builds, and
a part indexed again is written over its previous version (search_cache.py).

We run the executable shipped in the `pagefind-bin` wheel with `subprocess`, rather than the
`pagefind` package's Python API: that API drives the same executable through an asyncio service
protocol and is meant for indexing records that are not on disk; our pages are on disk, and the
CLI gives one synchronous run, its exit status and its messages, with nothing downloaded.

Each bundle's filter files and metadata are then rewritten (search_bundle.py): values escaped,
sorted so that the same pages give the same bytes, and the date order prepared for search.js to
sort results by date across parts.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from site_builder.errors import BuildError
from site_builder.search_bundle import link_file, link_tree, normalize_bundle, prune_bundle, write_new
from site_builder.search_cache import SCRATCH_PREFIX, SearchCache
from site_builder.search_parts import (
    BUNDLE_DIR,
    DEFAULT_MAX_PART_PAGES,
    MANIFEST_FILE,
    PARTS_DIR,
    PARTS_FILE,
    Manifest,
    PageEntry,
    Part,
    manifest_bytes,
    parts_listing,
    plan_parts,
    read_manifest,
    scan_page,
)

_NO_BODY_NOTICE = "Did not find a data-pagefind-body element"
# Top-level files a part's bundle needs in the browser (besides its index/, filter/ and fragment/
# folders); the rest of Pagefind's output (its UI scripts and styles, the same for every run) is
# kept once, at the top of pagefind/, where search.html loads them.
_INDEX_FILES = ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json")
# Concurrent Pagefind runs: one per core, while their memory (measured: ~150 KB per page indexed)
# stays within this budget, so 100,000 pages build within 2 GB.
_RUN_MEMORY_BUDGET = 1_200_000_000
_RUN_BYTES_PER_PAGE = 150_000


@dataclass(frozen=True)
class SearchStats:
    """What indexing did: pages in the index, wall-clock seconds (Pagefind plus our rewrite),
    parts of the index and how many of them were indexed afresh (the others were reused)."""

    pages: int
    seconds: float
    parts: int = 1
    reindexed: int = 1


def index_site(
    site_dir: Path,
    log: Callable[[str], None] = print,
    previous: Path | None = None,
    changed: Iterable[str] | None = None,
    *,
    max_part_pages: int = DEFAULT_MAX_PART_PAGES,
    jobs: int | None = None,
    cache_dir: Path | None = None,
) -> SearchStats:
    """Index the built site in `site_dir` with Pagefind into `site_dir/pagefind/`.

    Cold by default. Given `previous`, the previous build's site folder (intact; it may be
    `site_dir` itself), the parts whose pages are unchanged are hard-linked from its index rather
    than indexed again. `changed` lists the output-relative paths ("papers/x/index.html") of the
    pages added, changed or removed since that build; if it is None, every page is read and
    compared with the previous index's digests. Either way the result is byte-identical to a cold
    index of the same site. `max_part_pages` caps a part; `jobs` caps concurrent Pagefind runs
    (default: one per core, within a memory budget). `cache_dir`, if given, is a folder kept
    between runs (the build cache's), where each part's pages stay linked for Pagefind and the
    bundles an index in place replaces are kept for Pagefind to write over (search_cache.py).

    Raises BuildError with Pagefind's own message if it fails or is not installed.
    Logs one summary line on success (and a warning if no page was marked for indexing).
    """
    started = time.perf_counter()
    site_dir = Path(site_dir)
    if not site_dir.is_dir():
        raise BuildError(f"cannot index for search: {site_dir} is not a folder", path=site_dir)
    executable = pagefind_executable()
    bundle = site_dir / BUNDLE_DIR
    for scratch in site_dir.glob(SCRATCH_PREFIX + "*"):  # left by an interrupted run
        shutil.rmtree(scratch, ignore_errors=True)
    old = None
    cache = SearchCache.for_site(cache_dir, site_dir)
    indexed: list[Part] = []
    try:
        old = _previous_index(site_dir, Path(previous), max_part_pages) if previous is not None else None
        if bundle.exists():  # hashed file names: a previous bundle's files would otherwise linger
            shutil.rmtree(bundle)
        if old is None or changed is None:
            pages = _scan_site(site_dir)
        else:
            pages = _apply_changes(site_dir, old.manifest, changed)
        if pages:
            parts = plan_parts(pages.values(), max_part_pages)
            indexed = _index_parts(site_dir, executable, parts, old, jobs, cache)
            manifest = Manifest(_pagefind_version(), max_part_pages, False, tuple(parts))
            stats = SearchStats(len(pages), 0.0, len(parts), len(indexed))
        else:
            manifest = Manifest(_pagefind_version(), max_part_pages, True, (Part(f"{BUNDLE_DIR}/", ()),))
            stats = SearchStats(_index_whole_site(site_dir, executable, log), 0.0)
            cache.drop_others(())
        write_new(bundle / PARTS_FILE, parts_listing(list(manifest.parts)))
        write_new(bundle / MANIFEST_FILE, manifest_bytes(manifest))
    except BaseException:
        if old is not None and old.inside:  # indexing in place failed: put the old index back
            old.put_back(bundle)
            old = None
        raise
    finally:
        if old is not None and old.inside:
            old.keep_spares(cache, indexed)
            shutil.rmtree(old.root, ignore_errors=True)
    stats = SearchStats(stats.pages, time.perf_counter() - started, stats.parts, stats.reindexed)
    line = f"Indexed {stats.pages:,} pages for search in {stats.seconds:.2f}s"
    if stats.parts > 1 or previous is not None:
        count = f"{stats.parts} part" + ("s" if stats.parts > 1 else "")
        line += f" ({count}: {stats.reindexed} indexed, {stats.parts - stats.reindexed} reused)"
    log(line)
    return stats


def pagefind_executable() -> Path:
    """The Pagefind binary inside the installed `pagefind-bin` wheel."""
    try:
        from pagefind_bin import get_executable
    except ImportError:
        raise BuildError("Pagefind is not installed; run `pip install pagefind-bin`") from None
    try:
        return Path(get_executable())
    except FileNotFoundError as error:
        raise BuildError(
            f"the pagefind-bin package has no Pagefind executable ({error}); "
            "reinstall it with `pip install --force-reinstall pagefind-bin`"
        ) from None


def _pagefind_version() -> str:
    try:
        return importlib.metadata.version("pagefind-bin")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _reusable_manifest(root: Path, max_part_pages: int) -> Manifest | None:
    """The manifest of the index in `root`, if its parts can be reused by this run."""
    old = read_manifest(root / MANIFEST_FILE)
    if old is None or old.whole_site or old.max_pages != max_part_pages or old.pagefind_version != _pagefind_version():
        return None
    return old


@dataclass
class _PreviousIndex:
    """The previous build's index, whose unchanged parts this run reuses.

    If the site being indexed already holds that index (indexing in place, or a new build folder
    made as a hard-linked copy of the previous one), it is moved aside and its parts are moved
    back into place: a rename per part. Otherwise the parts are hard-linked file by file from the
    previous build's folder, which stays as it was.
    """

    root: Path  # its pagefind/ folder
    manifest: Manifest
    inside: bool  # moved aside within the site being indexed
    moved: list[tuple[Path, Path]] = field(default_factory=list)

    def bundle_dir(self, bundle: str) -> Path | None:
        """Where the previous bundle `bundle` ("pagefind/parts/x/") is; None if it is gone."""
        inside = bundle.removeprefix(f"{BUNDLE_DIR}/").strip("/")
        found = self.root / inside if inside else self.root
        return found if (found / "pagefind-entry.json").is_file() else None

    def reuse(self, bundle: str, target: Path) -> bool:
        """Put the previous bundle `bundle` at `target`; False if it is gone."""
        source = self.bundle_dir(bundle)
        if source is None:
            return False
        if self.inside:
            target.parent.mkdir(parents=True, exist_ok=True)
            source.rename(target)
            self.moved.append((source, target))
        else:
            link_tree(source, target, skip=(PARTS_DIR, PARTS_FILE, MANIFEST_FILE))
        return True

    def keep_spares(self, cache: SearchCache, indexed: list[Part]) -> None:
        """Keep the replaced bundles of the parts `indexed` (those this index has), for Pagefind to
        write over the next time (`SearchCache.keep_spare`)."""
        if cache.root is None:
            return
        replaced_parts = {part.bundle: part for part in self.manifest.parts}
        for part in indexed:
            replaced = self.bundle_dir(part.bundle) if part.bundle in replaced_parts else None
            if replaced is not None:
                with contextlib.suppress(OSError):  # only a cache: the index is done
                    cache.keep_spare(replaced, replaced_parts[part.bundle])

    def ui_files(self) -> list[Path]:
        return [path for path in sorted(self.root.iterdir()) if _is_ui_file(path)] if self.root.is_dir() else []

    def put_back(self, bundle: Path) -> None:
        """Undo the moves and make the previous index the site's again."""
        for source, target in reversed(self.moved):
            target.rename(source)
        shutil.rmtree(bundle, ignore_errors=True)
        self.root.rename(bundle)


def _previous_index(site_dir: Path, previous: Path, max_part_pages: int) -> _PreviousIndex | None:
    """The previous build's index, if it can be reused: the site's own (moved aside) when it is that
    index, else the one in the `previous` folder; None if neither can."""
    bundle, theirs = site_dir / BUNDLE_DIR, previous / BUNDLE_DIR
    own = _reusable_manifest(bundle, max_part_pages) if bundle.is_dir() else None
    if own is not None and (previous.resolve() == site_dir.resolve() or _same_file(bundle, theirs, MANIFEST_FILE)):
        aside = site_dir / f"{SCRATCH_PREFIX}previous"
        bundle.rename(aside)
        return _PreviousIndex(aside, own, inside=True)
    if theirs.resolve() == bundle.resolve():
        return None
    manifest = _reusable_manifest(theirs, max_part_pages)
    return _PreviousIndex(theirs, manifest, inside=False) if manifest is not None else None


def _same_file(first: Path, second: Path, name: str) -> bool:
    try:
        return (first / name).read_bytes() == (second / name).read_bytes()
    except OSError:
        return False


def _scan_site(site_dir: Path) -> dict[str, PageEntry]:
    """Every page of the site with a data-pagefind-body element (our own folders skipped).

    One thread: in four threads (a task per page) the 15,849 pages of a 10,000-paper site took
    3.3-4.6 s instead of 1.6-2.0 s, timed in turns with the pages in the page cache, as they are
    right after a build. With the cache dropped, four threads (200 pages a task) took 2.7-2.8 s
    against 2.8-3.2 s: not worth a pool (2 cores)."""
    top = str(site_dir)
    cut = len(os.path.join(top, ""))
    pages: dict[str, PageEntry] = {}
    for folder, dirs, files in os.walk(top):
        if folder == top:
            dirs[:] = [d for d in dirs if d != BUNDLE_DIR and not d.startswith(SCRATCH_PREFIX)]
        for name in files:
            if name.endswith(".html"):
                path = os.path.join(folder, name)
                with open(path, "rb") as file:
                    entry = scan_page(path[cut:].replace(os.sep, "/"), file.read())
                if entry is not None:
                    pages[entry.path] = entry
    return pages


def _apply_changes(site_dir: Path, old: Manifest, changed: Iterable[str]) -> dict[str, PageEntry]:
    """The previous index's pages, with the pages in `changed` read again (or dropped if gone)."""
    pages = old.pages()
    for rel in changed:
        rel = str(rel).replace(os.sep, "/").lstrip("/")
        if rel.split("/", 1)[0] == BUNDLE_DIR or not rel.endswith(".html"):
            continue
        path = site_dir / rel
        entry = scan_page(rel, path.read_bytes()) if path.is_file() else None
        if entry is None:
            pages.pop(rel, None)
        else:
            pages[rel] = entry
    return pages


def _index_whole_site(site_dir: Path, executable: Path, log: Callable[[str], None]) -> int:
    """No page is marked for search: Pagefind indexes every page, into one bundle."""
    result = _run_pagefind(executable, site_dir, site_dir, ["--output-subdir", BUNDLE_DIR])
    if _NO_BODY_NOTICE in result.stdout:
        log("warning: no page is marked data-pagefind-body (no paper pages?), so search covers every page")
    return normalize_bundle(site_dir / BUNDLE_DIR)


def _index_parts(site_dir: Path, executable: Path, parts: list[Part], old: _PreviousIndex | None, jobs: int | None,
                 cache: SearchCache) -> list[Part]:
    """Index each part, or reuse its previous bundle if its pages are the same (same signature).

    Returns the parts indexed. Several Pagefind runs go at once (`jobs`); each is a
    process of its own, so threads that wait on them are enough.
    """
    reusable = {(part.bundle, part.signature) for part in old.manifest.parts} if old is not None else set()
    fresh: list[Part] = []
    for part in parts:
        if not ((part.bundle, part.signature) in reusable and old.reuse(part.bundle, site_dir / part.bundle)):
            fresh.append(part)
    workers = jobs or _default_jobs(max(len(part.pages) for part in parts))
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(fresh)))) as pool:
        # Largest first, so that the last runs to finish are short ones (a newest part is often small)
        by_size = sorted(fresh, key=lambda part: -len(part.pages))
        list(pool.map(lambda part: _index_part(site_dir, executable, part, cache), by_size))
    if cache.root is not None:
        cache.drop_others(parts)
        if old is not None and not old.inside:
            # A new site folder (a full build's) with parts reused from the previous one: their
            # kept links still hold the previous folder's files, which go when it does.
            indexed = {id(part) for part in fresh}
            cache.relink(site_dir, [part for part in parts if id(part) not in indexed])
    if len(parts) > 1:
        _gather_ui_files(site_dir / BUNDLE_DIR, [site_dir / part.bundle for part in fresh], old)
    return fresh


def _index_part(site_dir: Path, executable: Path, part: Part, cache: SearchCache) -> int:
    """One Pagefind run over the part's pages, linked at their paths in a folder of their own (so
    result URLs are the pages' own), writing the part's bundle (into its spare, if the cache has
    one, then moved into place); returns its page count."""
    out = (site_dir / part.bundle).resolve()
    spare = cache.spare_for(part)
    with cache.pages_of(site_dir, part) as source:
        _run_pagefind(executable, source, site_dir, ["--output-path", str(spare or out)])
    if spare is None:
        return normalize_bundle(out)
    pages = normalize_bundle(spare)
    prune_bundle(spare)
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        spare.rename(out)
    except OSError:  # one file system by its device number, yet not one to rename across
        shutil.copytree(spare, out)
        shutil.rmtree(spare, ignore_errors=True)
    return pages


def _default_jobs(largest_part: int) -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, _RUN_MEMORY_BUDGET // max(1, largest_part * _RUN_BYTES_PER_PAGE)))


def _gather_ui_files(bundle: Path, fresh: list[Path], old: _PreviousIndex | None) -> None:
    """Keep one copy of Pagefind's UI files at the top of a split index (the previous build's if
    it has them: the same Pagefind version made them), none in the parts."""
    previous = old.ui_files() if old is not None else []
    for path in previous:
        link_file(path, bundle / path.name)
    for number, part_dir in enumerate(fresh):
        for path in sorted(part_dir.iterdir()):
            if _is_ui_file(path):
                if number == 0 and not previous:
                    path.rename(bundle / path.name)
                else:
                    path.unlink()


def _is_ui_file(path: Path) -> bool:
    return path.is_file() and path.name not in (PARTS_FILE, MANIFEST_FILE) and not _is_index_file(path.name)


def _is_index_file(name: str) -> bool:
    return name in _INDEX_FILES or name.endswith(".pf_meta") or (name.startswith("wasm.") and name.endswith(".pagefind"))


def _run_pagefind(executable: Path, site: Path, error_path: Path, extra: list[str]) -> subprocess.CompletedProcess[str]:
    command = [str(executable), "--site", str(site.resolve()), *extra]
    # Pagefind also reads pagefind.{toml,yml,json} from its working folder and PAGEFIND_* variables;
    # run it in the site folder without those, so that only our arguments decide what it does.
    env = {key: value for key, value in os.environ.items() if not key.startswith("PAGEFIND_")}
    try:
        result = subprocess.run(
            command, cwd=site, env=env, capture_output=True, text=True, encoding="utf-8", errors="replace"
        )
    except OSError as error:  # not executable, wrong architecture...
        raise BuildError(
            f"could not run Pagefind ({command[0]}): {error}; reinstall it with `pip install pagefind-bin`"
        ) from None
    if result.returncode != 0:
        message = "\n".join(part.strip() for part in (result.stderr, result.stdout) if part.strip())
        raise BuildError(f"Pagefind failed (exit status {result.returncode}):\n{message}", path=error_path)
    return result
