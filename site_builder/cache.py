"""The build cache: what the last build of an output folder read and wrote, for the next build.

Where: `<the content folder's parent>/.site-builder-cache/<out name>-<hash of its path>-v<FORMAT>/` (the
repository's .gitignore lists `.site-builder-cache/`), one folder per output folder. It holds

- `state`: a fingerprint of every input's stat (content files, theme files, this package's
  code, installed libraries, options) and the manifest of the output (each file's inputs
  signature, bytes hash, size and mtime). Same fingerprint and an output folder whose files
  still have the recorded size and mtime: the site is up to date and nothing is loaded.
- `papers`: the paper files' parsed and rendered rows (`content.PaperStore`), so a rebuild
  reads only the files that changed.
- `assemble`: the last related papers and authors, with a hash of what they depend on
  (`memo.py`), reused while that is unchanged.
- `templates/`: the theme's compiled templates (Jinja2's bytecode cache).
- `search/`: with search, each part of the index's pages, hard-linked at their paths for
  Pagefind and brought up to date rather than made again (links, not copies: one folder per
  searchable page, no page data), and the bundles replaced by the last index in place, which
  Pagefind writes over the next time (`search_cache.py`).
- `applying`: present only while changed files are being moved into the output folder. Found
  at the start of a build (the last one was killed half way), the output is not trusted and
  is rebuilt from scratch.

Everything here is only a cache: a missing, unreadable or foreign file means a full build,
never a wrong one. Files are written to a temporary name and renamed, so a reader sees the old
file or the new one. Stored with `marshal` (plain values only), which loads a 100,000-paper
store in well under a second.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import marshal
import os
import shutil
import time
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

CACHE_DIR_NAME = ".site-builder-cache"
FORMAT = 6  # of everything in a cache folder: a new format gets a new folder
RACY_SECONDS = 2  # a file's stat is trusted only once it is older than this (see input_fingerprint)
KEEP_CACHES = 8  # per cache root: the most recently used output folders' caches
# Files of this FORMAT that no build reads any more, deleted when a cache folder is opened:
# "related" held the related papers' memo, which is part of "assemble" now.
RETIRED_FILES = ("related",)
# Libraries whose upgrade can change the output: their installation folder's stat is part of the
# fingerprint, their version of the global key.
OUTPUT_LIBRARIES = ("jinja2", "markupsafe", "markdown_it", "mdit_py_plugins", "latex2mathml", "slugify", "yaml")
_PACKAGE_DIR = Path(__file__).resolve().parent
# This package's code that cannot change a page or feed (the ingest, the search stage, which
# keeps its own record, the command line): left out of the keys, so that editing it does not
# make every page stale.
_NOT_OUTPUT_CODE = ("ingest", "search.py", "search_parts.py", "search_bundle.py", "serve.py", "cli.py",
                    "__main__.py", "progress.py")

# Output file -> (inputs signature, size, mtime_ns). No hash of the bytes: a page rendered
# again is compared with the file itself (`outputs.SiteOutputs`), which costs a read of the few
# files re-rendered by an incremental build instead of hashing every file of every build.
Manifest = dict[str, tuple[str, int, int]]


@dataclass
class CacheState:
    """What the last successful build recorded."""

    fingerprint: str = ""
    out_id: tuple[int, int] = (0, 0)  # (st_dev, st_ino) of the output folder it wrote
    manifest: Manifest = field(default_factory=dict)
    report: dict = field(default_factory=dict)  # what the build reported (for an up-to-date build)

    def to_data(self) -> dict:
        return {"format": FORMAT, "fingerprint": self.fingerprint, "out_id": self.out_id,
                "manifest": self.manifest, "report": self.report}

    @classmethod
    def from_data(cls, data: object) -> CacheState:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return cls()
        try:
            return cls(str(data["fingerprint"]), tuple(data["out_id"]), dict(data["manifest"]), dict(data["report"]))
        except (KeyError, TypeError, ValueError):
            return cls()


class BuildCache:
    """The cache folder of one output folder (see the module docstring)."""

    def __init__(self, folder: Path, out_dir: Path):
        self.folder = folder
        self.out_dir = out_dir

    @classmethod
    def for_build(cls, content_dir: Path, out_dir: Path) -> BuildCache | None:
        """The cache of building `content_dir` into `out_dir`; None where it cannot be kept
        (a read-only site folder, say): the build is then a full one every time."""
        out = Path(out_dir).absolute()
        root = Path(content_dir).absolute().parent / CACHE_DIR_NAME
        key = hashlib.blake2b(os.fsencode(out), digest_size=6).hexdigest()
        folder = root / f"{out.name or 'site'}-{key}-v{FORMAT}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "out").write_text(str(out) + "\n", encoding="utf-8")
        except OSError:
            return None
        for name in RETIRED_FILES:
            with contextlib.suppress(OSError):
                (folder / name).unlink()
        _prune(root, keep=folder)
        return cls(folder, out)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the cache (and so its output folder) against another build at the same time."""
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock, as before there was a cache
            yield
            return
        with open(self.folder / "lock", "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # -- state ---------------------------------------------------------------------------

    def read_state(self) -> CacheState:
        if self.applying():
            return CacheState()  # the output may hold a half-applied build: trust nothing
        return CacheState.from_data(_read(self.folder / "state"))

    def write_state(self, state: CacheState) -> None:
        _write(self.folder / "state", state.to_data())

    def forget(self) -> None:
        """Drop the recorded state (before a build that may fail half way through)."""
        with contextlib.suppress(FileNotFoundError):
            (self.folder / "state").unlink()

    def read_shards(self, name: str) -> list[object]:
        """Every saved shard of `name` (a folder of numbered files), in number order."""
        folder = self.folder / name
        try:
            files = sorted(folder.iterdir())
        except OSError:
            return []
        return [_read(path) for path in files if path.name.isdigit()]

    def write_shards(self, name: str, shards: dict[int, object]) -> None:
        for number, data in shards.items():
            self.write_shard(name, number, data)

    def write_shard(self, name: str, number: int, data: object) -> None:
        folder = self.folder / name
        folder.mkdir(exist_ok=True)
        _write(folder / f"{number:03d}", data)

    def compiled_templates(self, code: str) -> Path | None:
        """A folder for the theme's compiled templates (Jinja2's bytecode cache), for this
        package's code and theme (`code`: `code_key`), made if missing; the folders of other
        code are removed. Jinja2 recompiles a template whose source changed, but not one whose
        environment's options did (they are set by this package's code): hence one folder per
        code. None if it cannot be made (the build then compiles every template)."""
        root = self.folder / "templates"
        folder = root / code[:16]
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for other in root.iterdir():
                if other != folder:
                    shutil.rmtree(other, ignore_errors=True)
        except OSError:
            return None
        return folder

    def read_blob(self, name: str) -> object:
        return _read(self.folder / name)

    def write_blob(self, name: str, data: object) -> None:
        _write(self.folder / name, data)

    # -- the journal of an in-place update -----------------------------------------------

    def applying(self) -> bool:
        return (self.folder / "applying").exists()

    def begin_apply(self) -> None:
        self.forget()
        _fsync_write(self.folder / "applying", b"")

    def end_apply(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self.folder / "applying").unlink()


def out_id(out_dir: Path) -> tuple[int, int]:
    try:
        st = os.stat(out_dir)
    except OSError:
        return (0, 0)
    return (st.st_dev, st.st_ino)


def output_intact(out_dir: Path, manifest: Manifest) -> bool:
    """Whether every file the manifest lists is in `out_dir` with its recorded size and mtime
    (one stat a file: a tenth of a second for 20,000 files)."""
    root = os.fspath(out_dir) + os.sep
    stat = os.stat
    try:
        for rel, (_, size, mtime_ns) in manifest.items():
            st = stat(root + rel)
            if st.st_size != size or st.st_mtime_ns != mtime_ns:
                return False
    except OSError:
        return False
    return True


# --- fingerprints -------------------------------------------------------------------------------


def input_fingerprint(content_dir: Path, theme_dirs: Sequence[Path], options: Iterable[object],
                      paper_files: PaperFiles | None = None) -> tuple[str, bool]:
    """A hash of the stat (name, size, mtime, inode) of every input of a build: the content
    folder's files, the theme folders' files, this package's code, the libraries that shape
    the output, and `options` (base URL, search...). Reads no file, but stats every one:
    0.08 s at 10,000 papers and 0.7 s at 100,000 on the development VM (2026-12-07), most of
    it the paper files. `paper_files`: `paper_file_stats(content_dir)` if the caller has it
    (the build lists the paper files once, for this and for loading them); else made here.

    Returns (fingerprint, racy): racy when a file changed in the last RACY_SECONDS, so that it
    could change again within the same mtime tick and keep its size. A racy fingerprint must not
    be recorded as is (the build takes it again at its end, when the files may have settled)."""
    h = hashlib.blake2b(digest_size=16)
    h.update(repr(tuple(options)).encode())
    newest = [0]
    # The paper files as the load sees them (`paper_file_stats`: only *.md counts as a paper);
    # the rest of the content folder walked (its other files: site.yaml, authors, topics).
    if paper_files is None:
        paper_files = paper_file_stats(content_dir)
    h.update(repr(paper_files).encode())
    if paper_files:
        newest[0] = max(stat[1] for _, stat in paper_files)
    h.update(_tree_stats(Path(content_dir), skip={"sources", "papers"}, newest=newest))
    for folder in theme_dirs:
        h.update(_tree_stats(Path(folder), newest=newest))
    h.update(_tree_stats(_PACKAGE_DIR, skip=set(_NOT_OUTPUT_CODE), suffix=".py", newest=newest))
    for name in OUTPUT_LIBRARIES:
        h.update(repr(_library_stat(name)).encode())
    return h.hexdigest(), newest[0] > time.time_ns() - RACY_SECONDS * 1_000_000_000


def code_key(theme_dirs: Sequence[Path]) -> str:
    """A hash of the bytes of this package's code, the theme files and the libraries' versions:
    what every page and feed depends on besides the content and the config."""
    h = hashlib.blake2b(digest_size=16)
    for root in (_PACKAGE_DIR, *map(Path, theme_dirs)):
        for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            if root == _PACKAGE_DIR and (path.suffix != ".py" or path.relative_to(root).parts[0] in _NOT_OUTPUT_CODE):
                continue
            h.update(os.fsencode(path.relative_to(root)) + b"\0" + path.read_bytes() + b"\0")
    for name in OUTPUT_LIBRARIES:
        module = __import__(name)
        with warnings.catch_warnings():  # MarkupSafe deprecates __version__; it is still there
            warnings.simplefilter("ignore")
            version = getattr(module, "__version__", "")
        h.update(f"{name}={version}|{_library_stat(name)}".encode())
    return h.hexdigest()


PaperFiles = list[tuple[str, tuple[int, int, int]]]  # (file name, (size, mtime_ns, inode)), by name


def paper_file_stats(content_dir: Path) -> PaperFiles:
    """(file name, (size, mtime_ns, inode)) of every paper file (`content_dir/papers/*.md`), by
    name: what tells a changed file from an unchanged one without reading it."""
    papers_dir = Path(content_dir) / "papers"
    found = []
    try:
        with os.scandir(papers_dir) as entries:
            for entry in entries:
                name = entry.name
                if name.endswith(".md") and not name.startswith(".") and entry.is_file():
                    st = entry.stat()
                    found.append((name, (st.st_size, st.st_mtime_ns, st.st_ino)))
    except (FileNotFoundError, NotADirectoryError):
        return []
    found.sort()  # names sort in C; Path objects would not
    return found


def _tree_stats(root: Path, skip: frozenset[str] | set[str] = frozenset(), suffix: str = "",
                newest: list[int] | None = None) -> bytes:
    """(relative path, size, mtime_ns, inode) of every file under `root`, sorted, as bytes;
    `newest[0]` is raised to the newest mtime_ns seen."""
    rows: list[tuple[str, int, int, int]] = []
    base = len(os.fspath(root)) + 1

    def walk(folder: str) -> None:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return
        for entry in entries:
            if entry.name.startswith(".") or entry.name == "__pycache__":
                continue
            if entry.path[base:] in skip:
                continue
            if entry.is_dir(follow_symlinks=True):
                walk(entry.path)
            elif not suffix or entry.name.endswith(suffix):
                try:
                    st = entry.stat()
                except OSError:
                    continue
                rows.append((entry.path[base:], st.st_size, st.st_mtime_ns, st.st_ino))

    walk(os.fspath(root))
    rows.sort()
    if newest is not None and rows:
        newest[0] = max(newest[0], max(row[2] for row in rows))
    return repr(rows).encode()


def _library_stat(name: str) -> tuple:
    """Where a library is installed and when that folder last changed (an upgrade changes it),
    found without importing it."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return (name, None)
    if spec is None or not spec.origin:
        return (name, None)
    folder = os.path.dirname(os.path.dirname(spec.origin))
    try:
        st = os.stat(folder)
    except OSError:
        return (name, spec.origin)
    return (name, spec.origin, st.st_mtime_ns)


# --- files --------------------------------------------------------------------------------------


def _read(path: Path) -> object:
    """The value `_write` saved, or None (missing, cut short or damaged: a cache is only a cache).

    The bytes are read first and loaded from memory: `marshal.load` on a file calls the file's
    `readinto` for every object it reads, and a store of 10,000 papers holds hundreds of
    thousands (0.65-0.75 s to load a build's cache that way, 0.13-0.15 s from the bytes)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        return marshal.loads(data)
    except (OSError, EOFError, ValueError, TypeError):
        return None


def _write(path: Path, data: object) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        marshal.dump(data, handle)
    os.replace(tmp, path)


def _fsync_write(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def orphaned_caches(root: Path) -> list[Path]:
    """The caches in `root` (a CACHE_DIR_NAME folder) whose output folder does not exist, or
    that name none: left by a build that never wrote its output, or whose output was deleted."""
    try:
        return sorted(p for p in root.iterdir() if p.is_dir() and _orphaned(p))
    except OSError:
        return []


def output_of(folder: Path) -> Path | None:
    """The output folder a cache folder serves, as `BuildCache.for_build` recorded it (None:
    unreadable)."""
    try:
        return Path((folder / "out").read_text(encoding="utf-8").strip())
    except OSError:
        return None


def _orphaned(folder: Path) -> bool:
    served = output_of(folder)
    return served is None or not served.exists()


def _prune(root: Path, keep: Path) -> None:
    """Remove the caches of output folders that no longer exist, and all but the KEEP_CACHES
    most recently used ones (tests build into many temporary folders)."""
    try:
        folders = [p for p in root.iterdir() if p.is_dir() and p != keep]
    except OSError:
        return
    aged: list[tuple[float, Path]] = []
    for folder in folders:
        try:
            used = (folder / "out").stat().st_mtime
        except OSError:
            used = 0.0
        if _orphaned(folder) or used < time.time() - 90 * 86400:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            aged.append((used, folder))
    aged.sort(reverse=True)
    for _, folder in aged[KEEP_CACHES - 1:]:
        shutil.rmtree(folder, ignore_errors=True)
