"""The folders Pagefind reads: for each part of the index, its pages hard-linked at their paths.

Pagefind indexes a whole folder and names each result by its path in that folder, so a part is
indexed from a folder holding just its pages, at the same paths as in the site. Such a folder
used to be made afresh for every run and deleted after it. For a part of 2,000 paper pages that
is 2,000 folders made and removed, ~1.2 s of a 4 s re-index after one edit on the benchmark
machine (more while ext4 without a journal skips the inodes freed in the last minute).

So a build with a build cache keeps these folders there (`PageFolders(root)`), one per part, and
brings one up to date before its part is indexed: a page whose link is missing, or points at
another file than the site's (the build replaced it), is linked again; a page no longer in the
part is unlinked. After one edit that is one link. Without a cache (`PageFolders(None)`), or if
the cache is on another file system than the site, a scratch folder inside the site is made and
deleted per run, as before.

The links are the pages' own files, not copies: the folders cost their directories (one per
paper page, as in the site) and no page data, as long as their links are the site's files. So a
part's folder is brought up to date whenever the site's files may have been replaced under it:
when the part is indexed, and, after a full build (a new site folder whose unchanged parts were
reused), for every part. Folders of parts that no longer exist are deleted.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from site_builder.search_bundle import link_file
from site_builder.search_parts import Part

SCRATCH_PREFIX = ".pagefind-"  # our temporary folders inside the site, removed when done


class PageFolders:
    """Where each part's pages are linked for Pagefind: kept under `root`, or scratch folders."""

    def __init__(self, root: Path | None):
        self.root = root

    def usable_for(self, site_dir: Path) -> bool:
        """Whether the kept folders can hold links to `site_dir`'s pages (same file system)."""
        if self.root is None:
            return False
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            return os.stat(self.root).st_dev == os.stat(site_dir).st_dev
        except OSError:
            return False

    @contextlib.contextmanager
    def pages_of(self, site_dir: Path, part: Part, kept: bool) -> Iterator[Path]:
        """A folder holding exactly `part`'s pages, linked from `site_dir` at their paths."""
        if kept:
            assert self.root is not None
            self.relink(site_dir, [part])
            yield self.root / folder_name(part.bundle)
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
        """Bring the kept folders of `parts` up to date with `site_dir`'s pages."""
        assert self.root is not None
        for part in parts:
            sync_links(site_dir, self.root / folder_name(part.bundle), [page.path for page in part.pages])

    def drop_others(self, parts: Iterable[Part]) -> None:
        """Delete the kept folders of parts that are not in `parts` (the index's current ones)."""
        if self.root is None or not self.root.is_dir():
            return
        wanted = {folder_name(part.bundle) for part in parts}
        for folder in sorted(self.root.iterdir()):
            if folder.name not in wanted:
                if folder.is_dir() and not folder.is_symlink():
                    shutil.rmtree(folder, ignore_errors=True)
                else:
                    folder.unlink(missing_ok=True)


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
