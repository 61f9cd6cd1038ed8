"""What the search stage keeps in the build cache between runs (`SearchCache`): each part's pages,
linked for Pagefind, and spare bundles for Pagefind to write over.

Pages. Pagefind indexes a whole folder and names each result by its path in that folder, so a
part is indexed from a folder holding just its pages, at their paths in the site. Made afresh
for every run and deleted after it, that is 2,000 folders made and removed for a part of 2,000
paper pages, ~1.2 s of a 4 s re-index after one edit on the benchmark machine. Kept here
(`pages/<part>/`), a part's folder is brought up to date before the part is indexed: a page whose
link is missing, or is not the site's file any more (the build replaced it), is linked again; a
page no longer in the part is unlinked. After one edit that is one link. The links are the
pages' own files: the folders cost their directories (one per page, as in the site), no page
data, as long as the links are the site's files. So after a full build (a new site folder whose
unchanged parts were reused from the previous one) the folders of all parts are brought up to
date, not only those indexed.

Spare bundles. Pagefind names most files of an index by a 7-digit prefix of their content's
hash and does not write one whose name exists, so an index made over an old one is much cheaper
than a new one (a part of 2,000 pages: 1.3-1.6 s instead of 2.7-3.7 s on the benchmark machine,
where ext4 without a journal also skips the inodes freed in the last minute; 2.5 s with only
the fragments kept, as below). When a build
indexes in place (after an edit, or a new day), the replaced version of each part it indexed is
kept here (`spares/<part>/`) with the digests of the pages it indexed, instead of being deleted.
The next time that part is indexed, Pagefind writes into it, the files the new index does not
use are deleted (search_bundle.prune_bundle), and the folder is moved into the site. Because an
existing name is never written again, and a 7-digit name may stand for other bytes, a spare
keeps only the fragments of pages unchanged since its version, which the run writes with the
same names and bytes (`spare_for`). A spare is never part of a published site, so writing into
it cannot change one, even if the run fails; a spare a run failed to finish is never used.

Without a cache, or with the cache on another file system than the site (`SearchCache.for_site`),
each run uses a scratch folder inside the site for the pages and writes fresh bundles. Whatever
a build, or a failed one, leaves here, the next run gives the cold index.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from site_builder.search_bundle import link_file
from site_builder.search_parts import Part

SCRATCH_PREFIX = ".pagefind-"  # our temporary folders inside the site, removed when done
_WRITING = ".writing-"  # a spare Pagefind is writing into
_RECORD = "site-builder-pages.json"  # in a spare: the digests of the pages its version indexed
_URL_FIELD = re.compile(rb'pagefind_dcd\{"url":("(?:[^"\\]|\\.)*")')


class SearchCache:
    """The search stage's folders in the build cache (`root`), or None for scratch folders."""

    def __init__(self, root: Path | None):
        self.root = root
        self.pages = root / "pages" if root is not None else None
        self.spares = root / "spares" if root is not None else None

    @classmethod
    def for_site(cls, root: Path | None, site_dir: Path) -> SearchCache:
        """The cache in `root` if it can serve `site_dir` (`usable_for`), else scratch folders."""
        cache = cls(root)
        return cache if cache.usable_for(site_dir) else cls(None)

    def usable_for(self, site_dir: Path) -> bool:
        """Whether the cache can hold links to `site_dir`'s pages (the same file system)."""
        if self.root is None:
            return False
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            return os.stat(self.root).st_dev == os.stat(site_dir).st_dev
        except OSError:
            return False

    @contextlib.contextmanager
    def pages_of(self, site_dir: Path, part: Part) -> Iterator[Path]:
        """A folder holding exactly `part`'s pages, linked from `site_dir` at their paths."""
        if self.pages is not None:
            self.relink(site_dir, [part])
            yield self.pages / folder_name(part.bundle)
            return
        folder = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX + "pages-", dir=site_dir))
        try:
            for page in part.pages:
                target = folder / page.path
                target.parent.mkdir(parents=True, exist_ok=True)
                link_file(site_dir / page.path, target)
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def relink(self, site_dir: Path, parts: Iterable[Part]) -> None:
        """Bring the page folders of `parts` up to date with `site_dir`'s pages."""
        assert self.pages is not None
        for part in parts:
            sync_links(site_dir, self.pages / folder_name(part.bundle), [page.path for page in part.pages])

    def spare_for(self, part: Part) -> Path | None:
        """The spare bundle of `part`, ready for Pagefind to write into, or None if there is none.

        Pagefind does not write a file whose name exists: the name is a 7-digit prefix of its
        content's hash, and Pagefind lengthens it only on a collision within its own run. So a
        spare keeps only files this run would write with the same bytes: the fragments of the
        pages that are the same as in the spare's version (by the page digests it was kept
        with). Its word index and filter files go (a few dozen), and so does everything else.
        The spare is renamed while Pagefind writes into it, and a run that fails leaves it under
        that name, to be deleted (`drop_others`), never used. A file also linked from elsewhere
        is removed too, so that nothing outside the spare can change."""
        if self.spares is None:
            return None
        kept = self.spares / folder_name(part.bundle)
        if not kept.is_dir() or kept.is_symlink():
            return None
        spare = self.spares / f"{_WRITING}{kept.name}"
        if spare.exists():
            shutil.rmtree(spare)
        kept.rename(spare)
        try:
            record = json.loads((spare / _RECORD).read_text(encoding="utf-8"))
            same = {_url(page.path) for page in part.pages if record.get(page.path) == [page.date, page.digest]}
        except (OSError, ValueError, TypeError, AttributeError):
            shutil.rmtree(spare)
            return None
        for entry in list(os.scandir(spare)):
            if entry.name != "fragment" or not entry.is_dir(follow_symlinks=False):
                _remove(entry)
                continue
            for inner in list(os.scandir(entry.path)):
                if not (inner.is_file(follow_symlinks=False) and inner.stat().st_nlink == 1
                        and _fragment_url(inner.path) in same):
                    _remove(inner)
        return spare

    def keep_spare(self, bundle_dir: Path, part: Part) -> None:
        """Keep `bundle_dir`, the replaced version of `part`'s bundle, as the part's spare, with
        the digests of the pages it indexed (`part` is that version)."""
        assert self.spares is not None
        record = {page.path: [page.date, page.digest] for page in part.pages}
        (bundle_dir / _RECORD).write_text(json.dumps(record, sort_keys=True), encoding="utf-8")
        spare = self.spares / folder_name(part.bundle)
        if spare.exists():
            shutil.rmtree(spare)
        self.spares.mkdir(parents=True, exist_ok=True)
        bundle_dir.rename(spare)

    def drop_others(self, parts: Iterable[Part]) -> None:
        """Delete the folders of parts that are not in `parts` (the index's current ones)."""
        wanted = {folder_name(part.bundle) for part in parts}
        for root in (self.pages, self.spares):
            if root is not None and root.is_dir():
                for entry in list(os.scandir(root)):
                    if entry.name not in wanted:
                        _remove(entry, ignore_errors=True)  # only a cache


def _url(path: str) -> str:
    """The URL Pagefind gives the page at `path` ("papers/x/index.html" -> "/papers/x/")."""
    return "/" + (path[: -len("index.html")] if path == "index.html" or path.endswith("/index.html") else path)


def _fragment_url(path: str) -> str | None:
    """The URL of the page whose fragment is at `path`: a gzipped "pagefind_dcd" + JSON object
    whose first key is "url" (only the start is inflated). None if it is not that."""
    try:
        with open(path, "rb") as file:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(file.read(), 4096)
        match = _URL_FIELD.match(head)
        url = json.loads(match.group(1)) if match else None
    except (OSError, ValueError, zlib.error):
        return None
    return url if isinstance(url, str) else None


def _remove(entry: os.DirEntry, ignore_errors: bool = False) -> None:
    """Delete a file or (without following links) a folder."""
    if entry.is_dir(follow_symlinks=False):
        shutil.rmtree(entry.path, ignore_errors=ignore_errors)
    else:
        with contextlib.suppress(*((OSError,) if ignore_errors else ())):
            os.unlink(entry.path)


def folder_name(bundle: str) -> str:
    """A part's folder name, from its bundle path: "pagefind/parts/2024-03-05/" ->
    "pagefind--parts--2024-03-05" (part names hold only letters, digits, "_" and "-")."""
    return bundle.strip("/").replace("/", "--")


def sync_links(site_dir: Path, folder: Path, paths: list[str]) -> None:
    """Make `folder` hold a hard link to `site_dir/<path>` at `<path>` for each of `paths`, and
    nothing else. A link is kept if it is the same file (inode) as the site's page."""
    present = _files_under(folder)
    for rel in paths:
        source = site_dir / rel
        target = folder / rel
        inode = present.pop(rel, None)
        if inode is not None:
            if inode == os.stat(source).st_ino:
                continue
            target.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
        link_file(source, target)
    for rel in sorted(present, reverse=True):
        (folder / rel).unlink()
        _remove_empty_parents(folder, Path(rel).parent)


def _files_under(folder: Path) -> dict[str, int]:
    """Every file under `folder` (recursively), by its path relative to it, with its inode."""
    found: dict[str, int] = {}
    if not folder.is_dir():
        return found

    def walk(directory: str, prefix: str) -> None:
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    walk(entry.path, f"{prefix}{entry.name}/")
                else:
                    # stat, not entry.inode(): some file systems (overlayfs) list other numbers
                    found[prefix + entry.name] = entry.stat(follow_symlinks=False).st_ino

    walk(str(folder), "")
    return found


def _remove_empty_parents(folder: Path, relative: Path) -> None:
    while relative.parts:
        try:
            (folder / relative).rmdir()
        except OSError:  # not empty
            return
        relative = relative.parent
