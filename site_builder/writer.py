"""Putting the built site on disk safely.

- `staged_output(out_dir)`: the build writes into a fresh temporary folder next to `out_dir`;
  only when everything (pages, feeds, search index) succeeded is it swapped in, atomically where
  the OS allows (Linux `renameat2(RENAME_EXCHANGE)`), else by two renames. A failed build leaves
  the old site as it was and removes its temporary folder.
- `SiteWriter`: writes output files, refusing two writes to one path (an author and a tag with one
  slug, say). It does not stop at the first collision: it lists them all at the end (`check`).
Output bytes come only from the renderers (nothing here adds dates or other varying data), and
files are copied without their metadata, so the same content gives byte-identical output.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import posixpath
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from site_builder.errors import BuildError, Problem

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
        if self._claim(rel, origin):
            (self.root / rel).write_bytes(data)
            self.files += 1
            self.bytes += len(data)

    def copy(self, rel: str, source: Path, origin: str) -> None:
        """Copy a file's bytes (not its times or permissions) to `root/rel`."""
        if self._claim(rel, origin):
            shutil.copyfile(source, self.root / rel)
            self.files += 1
            self.bytes += source.stat().st_size

    def check(self) -> None:
        """Raise one BuildError listing every collision, if there was any."""
        if self._collisions:
            raise _error(self._collisions)

    def _claim(self, rel: str, origin: str) -> bool:
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
            (self.root / parent).mkdir(parents=True, exist_ok=True)
            while parent and parent not in self._dirs:
                self._dirs.add(parent)
                parent = posixpath.dirname(parent)
        return True


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
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    try:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
