"""Files of a Pagefind bundle: making Pagefind's fresh output safe and reproducible, and sharing
a previous build's bundle files by hard links.

After each Pagefind run we rewrite the bundle's filter files and metadata (a few small files; the
word index and the per-page fragments are left as Pagefind wrote them), for reasons found in
Pagefind 1.5.2:
- Safety: Pagefind stores a filter value as the element's text, markup characters included, and its
  Default UI inserts filter labels with innerHTML. An author named `<img src=x onerror=...>` in a
  scraped dump would run script on /search/. We store filter values HTML-escaped, so the UI shows
  them as text (titles and excerpts are already safe: the UI sets titles as text and Pagefind
  escapes excerpts). Escaping quotes too has a bonus: Pagefind cannot filter on a value with a
  `"` in it (its own bug), but can on `&quot;`.
- Reproducibility: Pagefind writes each filter's values in hash-map order (Pagefind/pagefind#638),
  so the same pages give filter files with other bytes and names on every run, hence another
  metadata file and `pagefind-entry.json`. We sort them and name files by a hash of the result.
- Sorting across parts: under a sort, Pagefind scores a result by its page's position in the
  sort's page order (oldest first; the position negated when sorting oldest first), and a merged
  search orders the results of all parts by score times the part's `indexWeight`. The oldest page of a part has position 0, so
  its score would be 0 whatever the weight; we put a page number no page has first in each sort's
  order, so every real position is at least 1, and search.js can weight the parts so that every
  score of a newer part exceeds every score of an older one (see search.js).
If the bundle's layout is not the one we know (a future Pagefind), the build fails rather than
publish an index that is unsafe and differs run to run.

Bundles reused from the previous build are hard-linked, so this module never rewrites a file in
place: it writes a new file instead (`write_new`), leaving the previous build's copy as it was.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import cbor2

from site_builder.errors import BuildError

_SIGNATURE = b"pagefind_dcd"  # every Pagefind index file, once gunzipped, starts with this
NO_PAGE = 0xFFFFFFFF  # a page number no page has (Pagefind numbers pages 0, 1, ... as u32)
_SUPPORTED = "pip install 'pagefind-bin>=1.5.2,<1.6'"


def normalize_bundle(bundle: Path) -> int:
    """Escape and sort the filter values of Pagefind's fresh output, and put NO_PAGE first in each
    sort's page order; return the number of pages.

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
    write_new(entry_path, json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
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
        write_new(self.new, gzip.compress(self.raw, compresslevel=9, mtime=0))  # mtime=0: no date


def _plan_language(bundle: Path, meta_hash: str, rewrites: list[_Rewrite]) -> _Rewrite:
    """Plan the new filter files and metadata of one language (all appended to `rewrites`)."""
    meta_path = bundle / f"pagefind.{meta_hash}.pf_meta"
    meta = _read_index_file(meta_path)
    # [version, word-index chunks, ..., filters [[name, file hash]], sorts [[name, page order]], ...]
    if not (isinstance(meta, list) and len(meta) >= 5 and all(isinstance(part, list) for part in meta[3:5])):
        raise ValueError(f"unexpected layout of {meta_path.name}")
    if not all(isinstance(order, list) and NO_PAGE not in order for _name, order in meta[4]):
        raise ValueError(f"unexpected sorts in {meta_path.name}")
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
    meta[4] = [[name, [NO_PAGE, *order]] for name, order in sorted(meta[4], key=lambda sort: sort[0])]
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


def prune_bundle(bundle: Path) -> None:
    """Delete the files of `bundle`'s fragment/, index/ and filter/ folders that its index does
    not use: left from an earlier index, when Pagefind wrote over an old bundle (search_cache.py).
    Run it after normalize_bundle."""
    used: set[str] = set()
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    for language in entry["languages"].values():
        meta = _read_index_file(bundle / f"pagefind.{language['hash']}.pf_meta")
        # [version, pages [[fragment hash, words]], word-index chunks [[from, to, hash]], filters [[name, hash]], ...]
        assert isinstance(meta, list)
        used.update(f"fragment/{page[0]}.pf_fragment" for page in meta[1])
        used.update(f"index/{chunk[2]}.pf_index" for chunk in meta[2])
        used.update(f"filter/{item[1]}.pf_filter" for item in meta[3])
    for folder in ("fragment", "index", "filter"):
        if not (bundle / folder).is_dir():
            continue
        with os.scandir(bundle / folder) as entries:
            stale = [item.path for item in entries if f"{folder}/{item.name}" not in used]
        for path in stale:
            os.unlink(path)


def link_tree(source: Path, target: Path, skip: tuple[str, ...] = ()) -> None:
    """Hard-link (or copy) every file under `source` to the same place under `target`; names in
    `skip` are left out at the top level. Nothing is ever rewritten in place (see write_new), so
    the previous build's files, shared this way, are never changed."""
    for folder, dirs, files in os.walk(source):
        here = Path(folder)
        if here == source:
            dirs[:] = [d for d in dirs if d not in skip]
            files = [f for f in files if f not in skip]
        destination = target / here.relative_to(source)
        destination.mkdir(parents=True, exist_ok=True)
        for name in files:
            link_file(here / name, destination / name)


def link_file(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system, or links not allowed: a copy does as well
        shutil.copyfile(source, target)


def write_new(path: Path, data: bytes) -> None:
    """Write a file as a new one: if the path was a hard link shared with the previous build, that
    build's file is left untouched."""
    path.unlink(missing_ok=True)
    path.write_bytes(data)
