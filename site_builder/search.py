"""The last build stage: a client-side search index of the written site, made by Pagefind.

Pagefind reads the HTML pages (only those with `data-pagefind-body`: the paper pages) and writes a
static search bundle to `<site>/pagefind/`, which the `/search/` page loads in the browser.

We run the executable shipped in the `pagefind-bin` wheel with `subprocess`, rather than the
`pagefind` package's Python API: that API drives the same executable through an asyncio service
protocol and is meant for indexing records that are not on disk; our pages are on disk, and the
CLI gives one synchronous run, its exit status and its messages, with nothing downloaded.

Then we rewrite the bundle's filter files (a few small files; the word index and the per-page
fragments are left as Pagefind wrote them), for two reasons found in Pagefind 1.5.2:
- Safety: Pagefind stores a filter value as the element's text, markup characters included, and its
  Default UI inserts filter labels with innerHTML. An author named `<img src=x onerror=...>` in a
  scraped dump would run script on /search/. We store filter values HTML-escaped, so the UI shows
  them as text (titles and excerpts are already safe: the UI sets titles as text and Pagefind
  escapes excerpts). Escaping quotes too has a bonus: Pagefind cannot filter on a value with a
  `"` in it (its own bug), but can on `&quot;`.
- Reproducibility: Pagefind writes each filter's values in hash-map order (Pagefind/pagefind#638),
  so the same pages give filter files with other bytes and names on every run, hence another
  metadata file and `pagefind-entry.json`. We sort them and name files by a hash of the result.
If the bundle's layout is not the one we know (a future Pagefind), the build fails rather than
publish an index that is unsafe and differs run to run.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cbor2

from site_builder.errors import BuildError

BUNDLE_DIR = "pagefind"  # under the site root; the search page loads {base}pagefind/pagefind-ui.js
_SIGNATURE = b"pagefind_dcd"  # every Pagefind index file, once gunzipped, starts with this
_NO_BODY_NOTICE = "Did not find a data-pagefind-body element"
_SUPPORTED = "pip install 'pagefind-bin>=1.5.2,<1.6'"


@dataclass(frozen=True)
class SearchStats:
    """What indexing did: pages in the index and wall-clock seconds (Pagefind plus our rewrite)."""

    pages: int
    seconds: float


def index_site(site_dir: Path, log: Callable[[str], None] = print) -> SearchStats:
    """Index the built site in `site_dir` with Pagefind into `site_dir/pagefind/`.

    Raises BuildError with Pagefind's own message if it fails or is not installed.
    Logs one summary line on success (and a warning if no page was marked for indexing).
    """
    started = time.perf_counter()
    site_dir = Path(site_dir)
    if not site_dir.is_dir():
        raise BuildError(f"cannot index for search: {site_dir} is not a folder", path=site_dir)
    bundle = site_dir / BUNDLE_DIR
    if bundle.exists():  # hashed file names: a previous bundle's files would otherwise linger
        shutil.rmtree(bundle)
    result = _run_pagefind(site_dir)
    if _NO_BODY_NOTICE in result.stdout:
        log("warning: no page is marked data-pagefind-body (no paper pages?), so search covers every page")
    pages = _normalize_bundle(bundle)
    stats = SearchStats(pages=pages, seconds=time.perf_counter() - started)
    log(f"Indexed {stats.pages:,} pages for search in {stats.seconds:.2f}s")
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


def _run_pagefind(site_dir: Path) -> subprocess.CompletedProcess[str]:
    command = [str(pagefind_executable()), "--site", str(site_dir.resolve()), "--output-subdir", BUNDLE_DIR]
    # Pagefind also reads pagefind.{toml,yml,json} from its working folder and PAGEFIND_* variables;
    # run it in the site folder without those, so that only our arguments decide what it does.
    env = {key: value for key, value in os.environ.items() if not key.startswith("PAGEFIND_")}
    try:
        result = subprocess.run(
            command, cwd=site_dir, env=env, capture_output=True, text=True, encoding="utf-8", errors="replace"
        )
    except OSError as error:  # not executable, wrong architecture...
        raise BuildError(
            f"could not run Pagefind ({command[0]}): {error}; reinstall it with `pip install pagefind-bin`"
        ) from None
    if result.returncode != 0:
        message = "\n".join(part.strip() for part in (result.stderr, result.stdout) if part.strip())
        raise BuildError(f"Pagefind failed (exit status {result.returncode}):\n{message}", path=site_dir)
    return result


def _normalize_bundle(bundle: Path) -> int:
    """Escape and sort the filter values of Pagefind's fresh output; return the number of pages.

    Per language, `pagefind-entry.json` names a metadata file, which lists one file per filter.
    Everything is read and checked before anything is written. Run it once per Pagefind run:
    a second pass would escape the values again.
    """
    entry_path = bundle / "pagefind-entry.json"
    try:
        entry = json.loads(entry_path.read_text(encoding="utf-8"))
        version = entry.get("version", "unknown")
        pages = sum(int(language["page_count"]) for language in entry["languages"].values())
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise BuildError(f"Pagefind wrote no readable search index ({error})", path=entry_path) from None
    rewrites: list[_Rewrite] = []
    try:
        for language in entry["languages"].values():
            language["hash"] = _plan_language(bundle, language["hash"], rewrites).new_hash
    except (OSError, ValueError, KeyError, TypeError, cbor2.CBORError) as error:
        raise BuildError(
            f"cannot read the search index of Pagefind {version} ({error}); "
            f"site_builder knows the index of Pagefind 1.5: {_SUPPORTED}",
            path=bundle,
        ) from None
    for rewrite in rewrites:
        rewrite.apply()
    entry["languages"] = dict(sorted(entry["languages"].items()))
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return pages


@dataclass(frozen=True)
class _Rewrite:
    """One index file to replace by a new one named after its content hash."""

    old: Path
    new: Path
    new_hash: str
    raw: bytes  # uncompressed, signature included

    def apply(self) -> None:
        self.old.unlink()
        self.new.write_bytes(gzip.compress(self.raw, compresslevel=9, mtime=0))  # mtime=0: no date


def _plan_language(bundle: Path, meta_hash: str, rewrites: list[_Rewrite]) -> _Rewrite:
    """Plan the new filter files and metadata of one language (all appended to `rewrites`)."""
    meta_path = bundle / f"pagefind.{meta_hash}.pf_meta"
    meta = _read_index_file(meta_path)
    # [version, word-index chunks, ..., filters [[name, file hash]], sorts [[name, page order]], ...]
    if not (isinstance(meta, list) and len(meta) >= 5 and all(isinstance(part, list) for part in meta[3:5])):
        raise ValueError(f"unexpected layout of {meta_path.name}")
    prefix = meta_hash.rsplit("_", 1)[0]  # the language code, as Pagefind prefixes its file names
    filters = []
    for name, filter_hash in meta[3]:
        old = bundle / "filter" / f"{filter_hash}.pf_filter"
        filter_name, values = _read_index_file(old)
        if filter_name != name or not all(isinstance(value, str) for value, _pages in values):
            raise ValueError(f"unexpected layout of {old.name}")
        safe = sorted([html.escape(value), pages] for value, pages in values)  # one-to-one
        rewrite = _rewrite(old, bundle / "filter", "{}.pf_filter", prefix, 7, [name, safe])
        rewrites.append(rewrite)
        filters.append([name, rewrite.new_hash])
    meta[3] = sorted(filters)
    meta[4] = sorted(meta[4], key=lambda sort: sort[0])  # each sort's page order stays as it is
    rewrite = _rewrite(meta_path, bundle, "pagefind.{}.pf_meta", prefix, 10, meta)
    rewrites.append(rewrite)
    return rewrite


def _read_index_file(path: Path) -> object:
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(_SIGNATURE):
        raise ValueError(f"{path.name} is not a Pagefind index file")
    return cbor2.loads(raw[len(_SIGNATURE) :])


def _rewrite(old: Path, folder: Path, pattern: str, prefix: str, digits: int, data: object) -> _Rewrite:
    raw = _SIGNATURE + cbor2.dumps(data)
    new_hash = f"{prefix}_{hashlib.sha256(raw).hexdigest()[:digits]}"
    return _Rewrite(old=old, new=folder / pattern.format(new_hash), new_hash=new_hash, raw=raw)
