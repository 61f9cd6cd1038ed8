"""Load `content/` into the frozen site model: papers, author profiles, topic names.

Each content file is read once. Every problem in every file is collected and reported together
as one `ProblemList` (a user fixing front matter should see all mistakes in one run, not one per
build). Titles and abstracts are rendered to HTML here, once per paper, through a render
function (default: `site_builder.markup`), together with the plain texts every page and feed
needs of a paper (`PaperText`: description, excerpt, ...), so no later stage parses Markdown.

Caches, each keyed so that a stale entry can never be used:
- `cache` (a dict the caller keeps, e.g. `serve`) and `cache_dir` (that dict in a file): rendered
  HTML by a hash of the renderer and the text;
- `store` (`PaperStore`, kept by the build cache between builds): every paper file's parsed and
  rendered row, by file name, reused while the file's size, mtime and inode are unchanged (and,
  when they changed, while a hash of its bytes is), so an incremental build reads only the
  files that changed.

Loading is linear in the number of files. Front matter in the simple form ingest writes is read
by a fast path (see `frontmatter.simple_front_matter`), anything else by PyYAML's C loader. With
`jobs` > 1 and enough files to read, reading, parsing and rendering (CPU-bound) run in forked
worker processes (`site_builder.parallel`), results in file order.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import importlib.metadata
import os
import pickle
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from site_builder.cache import PaperFiles, paper_file_stats
from site_builder.errors import Problem, ProblemList, SiteBuilderError
from site_builder.frontmatter import parse_paper_text
from site_builder.model import AuthorProfile, Paper, digest_order
from site_builder.parallel import chunks, default_jobs, fork_map
from site_builder.profiles import load_profiles, load_topic_names
from site_builder.progress import Progress
from site_builder.texts import (
    NO_TEXTS,
    RENDERED_LENGTH,
    TEXT_FIELDS,
    TextStore,
    pack_texts,
    paper_text,
    unpack_texts,
)

# (title, Markdown body) -> (title_html, abstract_html)
RenderFunction = Callable[[str, str], tuple[str, str]]
# cache key -> (title_html, abstract_html, *PaperText fields)
RenderCache = dict[str, tuple[str, ...]]

CACHE_FILE_NAME = "rendered-html.pickle"
_CACHE_FORMAT = 3
PARALLEL_MIN_RENDERS = 200  # fewer files to read than this: worker start-up costs more than it saves
_CHUNK_SIZE = 100  # files per task sent to a worker


def render_markup(title: str, body: str) -> tuple[str, str]:
    """The default renderer: `site_builder.markup` (imported here, at first use)."""
    from site_builder import markup

    return markup.render_title_html(title), markup.render_abstract_html(body)


@dataclass(frozen=True)
class LoadedContent:
    """Everything `content/` holds that the site model is assembled from."""

    papers: tuple[Paper, ...]
    profiles: dict[str, AuthorProfile] = field(default_factory=dict)
    topic_names: dict[str, str] = field(default_factory=dict)
    texts: TextStore = NO_TEXTS  # paper slug -> its texts
    tokens: dict[str, str] = field(default_factory=dict)  # paper slug -> `paper_token` of its file
    files_read: int = 0  # paper files read and parsed (the others came from the store)


def load_content(
    content_dir: Path,
    render: RenderFunction | None = None,
    jobs: int | None = None,
    cache: RenderCache | None = None,
    cache_dir: Path | None = None,
    store: PaperStore | None = None,
    progress: Progress | None = None,
    light: bool = False,
    paper_files: PaperFiles | None = None,
) -> LoadedContent:
    """Papers, profiles and topic names, with the problems of all three reported together.

    `store` (optional) is updated in place with the rows of this load; save it to reuse them.
    `progress` is told how many paper files are read as they are. With `light`, the papers come
    without their long texts (`body` and `abstract_html` are ""), which are in `texts` (packed):
    what a build renders from, in a fraction of the memory. `paper_files`: the paper files'
    `paper_file_stats`, if the caller listed them already (the build does, for its fingerprint)."""
    problems: list[Problem] = []
    loaded = _LoadedPapers((), NO_TEXTS, {}, 0)
    profiles: dict[str, AuthorProfile] = {}
    topic_names: dict[str, str] = {}
    try:
        with gc_paused():
            loaded = _load_papers(content_dir, render or render_markup, jobs, cache, cache_dir, store, progress, light,
                                  paper_files)
    except SiteBuilderError as exc:
        problems += exc.problems
    try:
        profiles = load_profiles(content_dir)
    except SiteBuilderError as exc:
        problems += exc.problems
    try:
        topic_names = load_topic_names(content_dir)
    except SiteBuilderError as exc:
        problems += exc.problems
    if problems:
        raise ProblemList(problems)
    return LoadedContent(loaded.papers, profiles, topic_names, loaded.texts, loaded.tokens, loaded.files_read)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building the model: it makes millions of small
    acyclic objects (tuples, lists, dicts) and the collector's repeated full passes over them
    cost about a third of the time at 100,000 papers. Reference counting still frees garbage."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --- papers -----------------------------------------------------------------------------------


def load_papers(
    content_dir: Path,
    render: RenderFunction | None = None,
    jobs: int | None = None,
    cache: RenderCache | None = None,
    cache_dir: Path | None = None,
) -> tuple[Paper, ...]:
    """Every `content_dir/papers/*.md` as a `Paper`, in file-name (= slug) order.

    `render(title, body) -> (title_html, abstract_html)` defaults to `render_markup`; files are
    read and rendered in `jobs` forked worker processes (None: one per core) when at least
    PARALLEL_MIN_RENDERS files need reading, else in this process. `cache` is a dict reused
    across calls (filled with what this call rendered); `cache_dir` keeps it in a file between
    runs, pruned to the current papers. Raises `ProblemList` with every problem of every file.
    """
    with gc_paused():
        return _load_papers(content_dir, render or render_markup, jobs, cache, cache_dir, None).papers


# A row: everything known about one paper file, in plain values (marshal-able, so a store of
# 100,000 rows loads in a fraction of a second): its stat key, its token, the render cache key,
# the `Paper` field values (dates as ordinals; `body` and `abstract_html` left empty) and the
# packed long texts (`pack_texts`: body, abstract HTML, `PaperText`).
Row = tuple[tuple[int, int, int], str, str, tuple[Any, ...], bytes]
_PAPER_FIELDS = tuple(f.name for f in fields(Paper))
_DATE_FIELDS = frozenset(i for i, name in enumerate(_PAPER_FIELDS) if name in ("date", "added"))
_BODY = _PAPER_FIELDS.index("body")
_ABSTRACT_HTML = _PAPER_FIELDS.index("abstract_html")


RACY_NS = 2_000_000_000
STORE_SHARDS = 64  # a rebuild that read a few files rewrites only their shards of the store


def store_shard(name: str) -> int:
    return zlib.crc32(name.encode()) % STORE_SHARDS


def shard_data(renderer: str, rows: dict[str, Row]) -> dict:
    """What a shard of the store holds (plain values): `PaperStore.from_shards` reads it back."""
    return {"renderer": renderer, "rows": rows}


@dataclass
class PaperStore:
    """Rows of the paper files of the last load (file name -> row), for the next one.

    `renderer` names the render function the rows were made with; rows of another renderer
    are never used. Kept in STORE_SHARDS shards by file name; `changed` lists the shards this
    load changed (the ones to save). With `save` (shard number, its data), the load saves each
    changed shard itself as soon as its files are read, while it reads the others (at 100,000
    papers, saving them all after the load took 1.4 s); `saved` lists those, and the caller
    saves the `unsaved` rest (shards changed only by files that are gone)."""

    renderer: str = ""
    rows: dict[str, Row] = field(default_factory=dict)
    changed: set[int] = field(default_factory=set)
    save: Callable[[int, dict], object] | None = None
    saved: set[int] = field(default_factory=set)

    @property
    def unsaved(self) -> set[int]:
        """The changed shards the load did not save itself."""
        return self.changed - self.saved

    def shards(self, which: Iterable[int] | None = None) -> dict[int, dict]:
        """Shard number -> its data (plain values), for `which` shards (default: the changed ones)."""
        wanted = set(self.changed if which is None else which)
        parts: dict[int, dict] = {n: {} for n in wanted}
        for name, row in self.rows.items():
            shard = store_shard(name)
            if shard in parts:
                parts[shard][name] = row
        return {n: shard_data(self.renderer, rows) for n, rows in sorted(parts.items())}

    @classmethod
    def from_shards(cls, shards: Iterable[object]) -> PaperStore:
        """The store of saved shards; empty if they do not agree on the renderer."""
        store = cls()
        renderers = set()
        for data in shards:
            if not isinstance(data, dict) or not isinstance(data.get("rows"), dict):
                return cls()
            renderers.add(str(data.get("renderer", "")))
            store.rows.update(data["rows"])
        if len(renderers) > 1:
            return cls()
        store.renderer = renderers.pop() if renderers else ""
        return store


@dataclass(frozen=True)
class _LoadedPapers:
    papers: tuple[Paper, ...]
    texts: TextStore
    tokens: dict[str, str]
    files_read: int


def _paper_from_row(row: Row, light: bool) -> Paper:
    values = list(row[3])
    for i in _DATE_FIELDS:
        if values[i] is not None:
            values[i] = dt.date.fromordinal(values[i])
    if not light:
        texts = unpack_texts(row[4])
        values[_BODY], values[_ABSTRACT_HTML] = texts[0], texts[1]
    return Paper(*values)


_DATE, _ADDED = _PAPER_FIELDS.index("date"), _PAPER_FIELDS.index("added")
_TITLE, _SLUG = _PAPER_FIELDS.index("title"), _PAPER_FIELDS.index("slug")


def _row_order(row: Row) -> tuple:
    """`digest_order` of a row's paper."""
    values = row[3]
    day = values[_DATE] if values[_DATE] is not None else values[_ADDED]  # `Paper.digest_day`
    return digest_order(dt.date.fromordinal(day) if day is not None else None, values[_TITLE], values[_SLUG])


def _row_values(paper: Paper) -> tuple[Any, ...]:
    values = [getattr(paper, name) for name in _PAPER_FIELDS]
    for i in _DATE_FIELDS:
        if values[i] is not None:
            values[i] = values[i].toordinal()
    values[_BODY] = values[_ABSTRACT_HTML] = ""
    return tuple(values)


def _load_papers(
    content_dir: Path, render: RenderFunction, jobs: int | None, cache: RenderCache | None,
    cache_dir: Path | None, store: PaperStore | None, progress: Progress | None = None, light: bool = False,
    paper_files: PaperFiles | None = None,
) -> _LoadedPapers:
    # A file changed in the last RACY_NS before the load may change again within the same
    # mtime tick and keep its size: its row is stored without an mtime, so the next load
    # re-reads it (and reuses the row if the bytes are the same).
    racy = time.time_ns() - RACY_NS
    renderer_id = _renderer_id(render)
    entries = paper_files if paper_files is not None else paper_file_stats(content_dir)
    previous = store.rows if store is not None and store.renderer == renderer_id else {}
    memory: RenderCache = cache if cache is not None else {}
    stored = _read_cache_file(cache_dir) if cache_dir is not None else {}

    rows: dict[str, Row] = {}
    todo: list[tuple[str, tuple[int, int, int]]] = []
    for name, stat in entries:
        row = previous.get(name)
        if row is not None and tuple(row[0]) == stat:
            rows[name] = row  # unchanged since the last load: not even read
        else:
            todo.append((name, stat))

    papers_dir = str(Path(content_dir) / "papers")
    reader = _FileReader(papers_dir, render, renderer_id, previous, memory, stored)
    workers = jobs if jobs is not None else default_jobs()
    if len(todo) < PARALLEL_MIN_RENDERS:
        workers = 1
    saver = None
    if store is not None and store.save is not None:
        saver = _ShardSaver(store.save, renderer_id, entries, todo, rows)
        todo.sort(key=lambda item: (store_shard(item[0]), item[0]))  # the shards' files one shard after another
    if progress is not None:
        progress.start("load", len(todo))

    # In the order the chunks arrive (rows go into a dict; the saver counts files per shard);
    # problems are reported in the files' order, whatever the workers' timing.
    problems_of: dict[int, list[Problem]] = {}
    for index, chunk_result in fork_map(reader.read_chunk, chunks(todo, _CHUNK_SIZE), workers):
        for name, row, found in chunk_result:
            if found:
                problems_of.setdefault(index, []).extend(found)
            else:
                rows[name] = _settled_row(row, racy)  # type: ignore[arg-type]
        if saver is not None:
            saver.read([name for name, _, _ in chunk_result])
        if progress is not None:
            progress.advance(len(chunk_result))
    if progress is not None:
        progress.finish()
    problems = [problem for index in sorted(problems_of) for problem in problems_of[index]]
    if problems:
        raise ProblemList(problems)

    # The papers (and their texts, packed in the same order) in the order the site lists them
    # and renders their pages: neighbours in a list are neighbours in memory. At 100,000 papers
    # the texts are 300 MB, far beyond the CPU caches, and a page read them from all over it.
    ordered = sorted((rows[name] for name, _ in entries), key=_row_order)
    papers = tuple(_paper_from_row(row, light) for row in ordered)
    texts = TextStore([p.slug for p in papers], [row[4] for row in ordered])
    tokens = {paper.slug: row[1] for paper, row in zip(papers, ordered)}
    if cache is not None:  # what the caller's cache should hold: every current paper's HTML and texts
        for row in ordered:
            if row[2] not in memory:
                memory[row[2]] = _rendered_of(row)
    if cache_dir is not None and stored.keys() != {row[2] for row in ordered}:
        _write_cache_file(cache_dir, {row[2]: _rendered_of(row) for row in ordered})
    if store is not None:
        gone = store.rows.keys() - rows.keys()
        if store.renderer != renderer_id:
            store.changed = set(range(STORE_SHARDS))
        else:
            store.changed = {store_shard(name) for name, _ in todo} | {store_shard(name) for name in gone}
        store.renderer = renderer_id
        store.rows = {name: rows[name] for name, _ in entries}
        store.saved = saver.saved if saver is not None else set()
    return _LoadedPapers(papers, texts, tokens, len(todo))


def _settled_row(row: Row, racy: int) -> Row:
    """The row as the store keeps it: without its mtime if the file changed after `racy`. (A row
    reused unread is older than that already: it was stored with its mtime by an earlier load.)"""
    return ((row[0][0], 0, row[0][2]), *row[1:]) if row[0][1] > racy else row  # type: ignore[return-value]


class _ShardSaver:
    """Saves each shard of the store whose files are read as soon as the last of them is (the
    files to read come shard after shard): the shard's rows of every current file, read now or
    unchanged. A file with problems has no row: the next load reads it again. Rows are saved
    before the load knows whether every file is valid, which does no harm: each row stands for
    its own file."""

    def __init__(self, save: Callable[[int, dict], object], renderer: str, entries: PaperFiles,
                 todo: list[tuple[str, tuple[int, int, int]]], rows: dict[str, Row]):
        self._save, self._renderer, self._rows = save, renderer, rows
        self._waiting: dict[int, int] = {}
        for name, _ in todo:
            shard = store_shard(name)
            self._waiting[shard] = self._waiting.get(shard, 0) + 1
        self._names: dict[int, list[str]] = {}
        for name, _ in entries:
            shard = store_shard(name)
            if shard in self._waiting:
                self._names.setdefault(shard, []).append(name)
        self.saved: set[int] = set()

    def read(self, names: Iterable[str]) -> None:
        """These files were read (or failed to be): save the shards they complete."""
        for name in names:
            shard = store_shard(name)
            self._waiting[shard] -= 1
            if not self._waiting[shard]:
                rows = self._rows
                self._save(shard, shard_data(self._renderer, {n: rows[n] for n in self._names[shard] if n in rows}))
                self.saved.add(shard)


def _rendered_of(row: Row) -> tuple[str, ...]:
    """The render cache entry of a row: (title_html, abstract_html, *texts)."""
    texts = unpack_texts(row[4])
    return (row[3][_PAPER_FIELDS.index("title_html")], *texts[1:])


@dataclass(frozen=True)
class _FileReader:
    """Reads, checks and renders paper files (in a worker process or this one)."""

    papers_dir: str
    render: RenderFunction
    renderer_id: str
    previous: dict[str, Row]  # last load's rows by file name
    memory: RenderCache
    stored: RenderCache

    def read_chunk(self, items: Sequence[tuple[str, tuple[int, int, int]]]) -> list[tuple[str, Row | None, list[Problem]]]:
        return [self.read(name, stat) for name, stat in items]

    def read(self, name: str, stat: tuple[int, int, int]) -> tuple[str, Row | None, list[Problem]]:
        path = os.path.join(self.papers_dir, name)
        try:
            data = read_bytes(path, stat[0])
        except OSError as exc:
            return name, None, [Problem(f"cannot read the file: {exc.strerror}", path)]
        token = paper_token(name, data)
        before = self.previous.get(name)
        if before is not None and before[1] == token:  # touched, not changed
            return name, (stat, *before[1:]), []  # type: ignore[return-value]
        fields_, problems = _parse_bytes(data, name[:-3], path)
        if problems:
            return name, None, problems
        assert fields_ is not None
        key = _cache_key(self.renderer_id, fields_["title"], fields_["body"])
        rendered = self.memory.get(key) or self.stored.get(key)
        if rendered is None and before is not None and before[2] == key:
            rendered = _rendered_of(before)
        if rendered is None or len(rendered) != RENDERED_LENGTH:
            rendered = self._render(fields_["title"], fields_["body"])
        paper = Paper(**fields_, title_html=rendered[0], abstract_html="")
        return name, (stat, token, key, _row_values(paper), pack_texts(fields_["body"], rendered[1], rendered[2:])), []

    def _render(self, title: str, body: str) -> tuple[str, ...]:
        try:
            title_html, abstract_html = self.render(title, body)
            text = paper_text(title, body)
        except Exception as exc:  # a renderer bug: keep the traceback, say which paper
            exc.add_note(f"while rendering the paper titled {title!r}")
            raise
        return (title_html, abstract_html, *(getattr(text, name) for name in TEXT_FIELDS))


def read_bytes(path: str, size: int) -> bytes:
    """The bytes of the file at `path`, whose size was `size` when listed: one `read` call when
    it still is. (A file object costs twice the time of these system calls: 6 us a paper file.)"""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))  # O_BINARY: no newline translation on Windows
    try:
        data = os.read(fd, size + 1)
        if len(data) == size:
            return data
        parts = [data]  # the file changed since it was listed, or a short read: read to the end
        while chunk := os.read(fd, 1 << 16):
            parts.append(chunk)
        return b"".join(parts)
    finally:
        os.close(fd)


def paper_token(name: str, data: bytes) -> str:
    """What stands for a paper file in the build cache: a hash of its name and bytes (a paper is
    a function of both). 64 bits: a collision among 100,000 papers has odds of about 1 in 10^9."""
    return hashlib.blake2b(name.encode() + b"\0" + data, digest_size=8).hexdigest()


def _parse_bytes(data: bytes, stem: str, path: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, [Problem(f"not UTF-8 text (byte {data[exc.start]:#04x}); save the file as UTF-8", path, line)]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return parse_paper_text(text, stem, path)


_MARKUP_MODULES = ("markup.py", "latex.py")


def _library_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return ""


def _renderer_id(render: RenderFunction) -> str:
    """What the cache key includes of the renderer, so a changed renderer never serves stale HTML.

    For the default renderer that is a hash of `markup.py` and `latex.py` and the versions of
    the Markdown and math libraries; for any
    other function, its qualified name (tests and callers pass a fresh cache when it changes).
    The plain texts (`paper_text`) come from `markup.py` whatever the renderer, so its source
    is part of every id.
    """
    h = hashlib.blake2b(digest_size=16)
    for name in _MARKUP_MODULES:  # markup.py delegates the math to latex.py
        path = Path(__file__).with_name(name)
        h.update(path.read_bytes() if path.exists() else b"")
    for library in ("markdown-it-py", "mdit-py-plugins", "latex2mathml"):
        h.update(_library_version(library).encode())
    markup_hash = h.hexdigest()
    if render is render_markup:
        return "markup:" + markup_hash
    return f"{getattr(render, '__module__', '')}.{getattr(render, '__qualname__', repr(render))}:{markup_hash}"


def _cache_key(renderer_id: str, title: str, body: str) -> str:
    data = f"{renderer_id}\0{title}\0{body}".encode("utf-8")
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _read_cache_file(cache_dir: Path) -> RenderCache:
    """The on-disk cache, or {} when it is missing, unreadable or of another format (it is
    only a cache: rebuilding it is always correct)."""
    path = Path(cache_dir) / CACHE_FILE_NAME
    try:
        with path.open("rb") as handle:
            stored = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError):
        return {}
    if not isinstance(stored, dict) or stored.get("format") != _CACHE_FORMAT or not isinstance(stored.get("entries"), dict):
        return {}
    return stored["entries"]


def _write_cache_file(cache_dir: Path, entries: RenderCache) -> None:
    path = Path(cache_dir) / CACHE_FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    with tmp.open("wb") as handle:
        pickle.dump({"format": _CACHE_FORMAT, "entries": entries}, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)  # readers see the old file or the new one, never half of one
