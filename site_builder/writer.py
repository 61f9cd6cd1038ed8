"""Putting the built site on disk safely.

- `staged_output(out_dir)`: the build writes into a fresh temporary folder next to `out_dir`;
  only when everything (pages, feeds, search index) succeeded is it swapped in, atomically where
  the OS allows (Linux `renameat2(RENAME_EXCHANGE)`), else by two renames. A failed build leaves
  the old site as it was and removes its temporary folder.
- `SiteWriter`: writes output files, refusing two writes to one path (an author and a tag with one
  slug, say). It does not stop at the first collision: it lists them all at the end (`check`).
  `claim` does the bookkeeping alone, for files that worker processes write (`write_file`).
- `apply_changes(staging, out_dir, ...)`: an incremental build stages only the files that
  changed, then moves each into the existing site with a rename (atomic per file: a reader or a
  server sees the old file or the new one, never a partial one) and deletes the pages that are
  gone. Files are replaced, never modified in place.
Output bytes come only from the renderers (nothing here adds dates or other varying data), and
files are copied without their metadata, so the same content gives byte-identical output.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from site_builder.errors import BuildError, Problem
from site_builder.parallel import libc

_RENAME_EXCHANGE = 2  # linux/fs.h


class SiteWriter:
    """Writes files under `root` by output-relative path, each path at most once."""

    def __init__(self, root: Path):
        self.root = root
        self.files = 0
        self.bytes = 0
        self._origin: dict[str, str] = {}  # path written -> what wrote it
        self._dirs: set[str] = set()  # folders made so far (as output-relative paths)
        self._collisions: list[Problem] = []

    def write(self, rel: str, data: bytes, origin: str) -> None:
        """Write `data` to `root/rel`; `origin` names what the file is, for collision messages."""
        if self._claim(rel, origin, make_dirs=True):
            (self.root / rel).write_bytes(data)
            self.files += 1
            self.bytes += len(data)

    def copy(self, rel: str, source: Path, origin: str) -> None:
        """Copy a file's bytes (not its times or permissions) to `root/rel`."""
        if self._claim(rel, origin, make_dirs=True):
            shutil.copyfile(source, self.root / rel)
            self.files += 1
            self.bytes += source.stat().st_size

    def claim(self, rel: str, origin: str) -> bool:
        """Reserve `rel` for a file written elsewhere (by a worker process, or not at all when
        it is unchanged); False, with a collision recorded, when it is taken."""
        return self._claim(rel, origin, make_dirs=False)

    def check(self) -> None:
        """Raise one BuildError listing every collision, if there was any."""
        if self._collisions:
            raise _error(self._collisions)

    def _claim(self, rel: str, origin: str, make_dirs: bool) -> bool:
        _check_relative(rel)
        first = self._origin.get(rel)
        if first is None and rel in self._dirs:
            first = "a folder of other pages"
        parent = posixpath.dirname(rel)
        blocker = _first_file_among_parents(parent, self._origin)
        if first is None and blocker is not None:
            first, rel_shown = self._origin[blocker], blocker
        else:
            rel_shown = rel
        if first is not None:
            self._collisions.append(Problem(f"{origin} and {first} would both be written to {rel_shown}"))
            return False
        self._origin[rel] = origin
        if parent and parent not in self._dirs:
            if make_dirs:
                (self.root / parent).mkdir(parents=True, exist_ok=True)
            while parent and parent not in self._dirs:
                self._dirs.add(parent)
                parent = posixpath.dirname(parent)
        return True


def write_file(root: str, rel: str, data: bytes, new_folder: bool = False) -> int:
    """Write `data` to `root/rel` (a new file: `rel` must not be a hard link to keep), making
    its folders as needed; returns the file's mtime_ns (what the build cache records).
    `new_folder`: the file's folder most likely does not exist yet (a page of a fresh site),
    so it is made first rather than after a failed open (one system call less per page)."""
    path = f"{root}/{rel}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)
    if new_folder and "/" in rel:
        try:
            os.mkdir(os.path.dirname(path))
        except FileExistsError:
            pass
        except FileNotFoundError:
            os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        fd = os.open(path, flags, 0o666)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd = os.open(path, flags, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        return os.fstat(fd).st_mtime_ns
    finally:
        os.close(fd)


def apply_changes(staging: Path, out_dir: Path, written: list[str], removed: list[str],
                  aside: Path | None = None) -> None:
    """Move the files `written` (output-relative paths, staged under `staging`) into `out_dir`,
    each replacing its old version by a rename, then delete the `removed` files and the folders
    they leave empty. With `aside`, the old versions (replaced or removed) are moved there
    instead of being deleted, so that `undo_changes` can put them back. The caller has checked
    everything first: this only renames and deletes."""
    out, stage = os.fspath(out_dir), os.fspath(staging)
    made: set[str] = set()
    for rel in written:
        parent = posixpath.dirname(rel)
        if parent and parent not in made:
            os.makedirs(os.path.join(out, parent), exist_ok=True)
            made.add(parent)
        if aside is not None:
            _move_aside(out, rel, aside)
        os.replace(os.path.join(stage, rel), os.path.join(out, rel))
    emptied: set[str] = set()
    for rel in removed:
        if aside is not None:
            _move_aside(out, rel, aside)
        else:
            try:
                os.unlink(os.path.join(out, rel))
            except FileNotFoundError:
                pass
        emptied.add(posixpath.dirname(rel))
    for folder in sorted(emptied, key=lambda f: -f.count("/")):  # deepest first
        while folder:
            try:
                os.rmdir(os.path.join(out, folder))
            except OSError:  # not empty (other pages live there) or already gone
                break
            folder = posixpath.dirname(folder)


def undo_changes(out_dir: Path, written: list[str], removed: list[str], aside: Path) -> None:
    """Put back what `apply_changes(..., aside=aside)` replaced or removed."""
    for rel in [*written, *removed]:
        old, new = os.path.join(aside, rel), os.path.join(out_dir, rel)
        if os.path.exists(old):
            os.makedirs(os.path.dirname(new), exist_ok=True)
            os.replace(old, new)
        else:  # a file this build added
            try:
                os.unlink(new)
            except FileNotFoundError:
                pass


def _move_aside(out: str, rel: str, aside: Path) -> None:
    target = os.path.join(aside, rel)
    try:
        os.replace(os.path.join(out, rel), target)
    except FileNotFoundError:
        parent = os.path.dirname(target)
        if os.path.isdir(parent):
            return  # nothing to keep: a new file
        os.makedirs(parent, exist_ok=True)
        try:
            os.replace(os.path.join(out, rel), target)
        except FileNotFoundError:
            return


def paths_conflict_free(paths: Sequence[str]) -> bool:
    """Whether `paths` are safe output paths, none twice and none where another needs a folder:
    what claiming each with a `SiteWriter` checks, in a fraction of the time. When False, claim
    them one by one for the messages."""
    files = set(paths)
    if len(files) != len(paths):
        return False
    folders: set[str] = set()
    for rel in paths:
        if not rel or rel[0] in "/." or rel[-1] == "/" or "\\" in rel or "/." in rel or "//" in rel:
            _check_relative(rel)  # maybe unsafe: look closer (raises if it is)
        folder = rel.rpartition("/")[0]  # posixpath.dirname, without its checks (the path is relative)
        while folder and folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    return files.isdisjoint(folders)


def _first_file_among_parents(folder: str, files: dict[str, str]) -> str | None:
    """A file already written where `folder` (or one of its parents) must be a folder."""
    while folder:
        if folder in files:
            return folder
        folder = posixpath.dirname(folder)
    return None


def _check_relative(rel: str) -> None:
    # Paths come from slugs, which cannot hold these; this guards against a bug ever writing
    # outside the output folder.
    if (not rel or rel.startswith("/") or "\\" in rel or rel.endswith("/")
            or any(part in ("", ".", "..") for part in rel.split("/"))):
        raise BuildError(f"refusing to write to an unsafe output path {rel!r}")


def _error(problems: list[Problem]) -> BuildError:
    error = BuildError(problems[0].message)
    error.problems = list(problems)
    error.args = (str(error),)
    return error


def check_output_folder(out_dir: Path, keep: list[Path]) -> None:
    """Refuse an output folder whose replacement would destroy something else.

    The build replaces `out_dir` as a whole, so it must not hold (or be) the content or theme
    folders, and if it exists it must be empty or look like a site built before (an index.html):
    `--out ~/Documents` by mistake must not delete anyone's documents.
    """
    out = out_dir.resolve()
    for path in keep:
        path = path.resolve()
        if path == out or out in path.parents:
            raise BuildError(f"the output folder {out_dir} holds {path}; choose another --out")
    if out.exists():
        if not out.is_dir():
            raise BuildError(f"the output path {out_dir} exists and is not a folder")
        if any(out.iterdir()) and not (out / "index.html").is_file():
            raise BuildError(
                f"refusing to replace {out_dir}: it is not empty and does not look like a built site "
                "(no index.html); remove it or choose another --out"
            )


@contextmanager
def staged_output(out_dir: Path) -> Iterator[Path]:
    """Yield a fresh temporary folder next to `out_dir`; swap it in if the block succeeds.

    If the block raises, the temporary folder is removed and `out_dir` is left untouched.
    """
    out = out_dir.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        staging.chmod(0o777 & ~_umask())  # mkdtemp makes it private; a site must be readable
        yield staging
        swap_in(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def swap_in(staging: Path, out: Path) -> None:
    """Make `staging` the new `out` and delete the old one."""
    if not out.exists():
        os.rename(staging, out)
        return
    if _exchange(staging, out):  # atomic: `out` is never missing, even for a moment
        shutil.rmtree(staging, ignore_errors=True)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    os.rename(out, old / "site")
    try:
        os.rename(staging, out)
    except OSError:
        os.rename(old / "site", out)  # put the old site back
        shutil.rmtree(old, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False where the OS cannot."""
    renameat2 = getattr(libc(), "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
