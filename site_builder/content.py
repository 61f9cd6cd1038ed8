"""Load `content/` into the frozen site model: papers, author profiles, topic names.

Each content file is read once. Every problem in every file is collected and reported together
as one `ProblemList` (a user fixing front matter should see all mistakes in one run, not one per
build). Titles and abstracts are rendered to HTML here, once per paper, through a render
function (default: `site_builder.markup`), with a cache keyed by a hash of the renderer and the
text, in memory and optionally on disk, so an unchanged paper is never re-rendered.

Loading is linear in the number of files. Front matter in the simple form ingest writes is read
by a fast path (see `frontmatter.simple_front_matter`), anything else by PyYAML's C loader; with
`jobs` > 1 and enough papers to render, rendering (Markdown and math, CPU-bound) runs in worker
processes, results in file order.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import pickle
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from site_builder.errors import Problem, ProblemList, SiteBuilderError
from site_builder.frontmatter import (
    SLUG_RE,
    SLUG_RULE,
    FrontMatterLoader,
    Invalid,
    check_count,
    check_date,
    check_optional_text,
    check_text,
    parse_paper_text,
)
from site_builder.model import AuthorProfile, Paper
from site_builder.slugs import author_slug

# (title, Markdown body) -> (title_html, abstract_html)
RenderFunction = Callable[[str, str], tuple[str, str]]
RenderCache = dict[str, tuple[str, str]]  # cache key -> (title_html, abstract_html)

CACHE_FILE_NAME = "rendered-html.pickle"
_CACHE_FORMAT = 1
PARALLEL_MIN_RENDERS = 200  # fewer papers to render than this: worker start-up costs more than it saves
_CHUNK_SIZE = 100  # papers per task sent to a rendering worker


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


def load_content(
    content_dir: Path,
    render: RenderFunction | None = None,
    jobs: int | None = None,
    cache: RenderCache | None = None,
    cache_dir: Path | None = None,
) -> LoadedContent:
    """Papers, profiles and topic names, with the problems of all three reported together."""
    problems: list[Problem] = []
    papers: tuple[Paper, ...] = ()
    profiles: dict[str, AuthorProfile] = {}
    topic_names: dict[str, str] = {}
    try:
        papers = load_papers(content_dir, render=render, jobs=jobs, cache=cache, cache_dir=cache_dir)
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
    return LoadedContent(papers, profiles, topic_names)


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

    `render(title, body) -> (title_html, abstract_html)` defaults to `render_markup`; it runs
    in `jobs` worker processes (None: one per core) when it is a module-level function and at
    least PARALLEL_MIN_RENDERS papers need rendering, else in this process. `cache` is a dict reused across calls (filled with what this
    call rendered); `cache_dir` keeps it in a file between runs, pruned to the current papers.
    Raises `ProblemList` with every problem of every file.
    """
    with gc_paused():
        return _load_papers(content_dir, render or render_markup, jobs, cache, cache_dir)


def _load_papers(
    content_dir: Path, render: RenderFunction, jobs: int | None, cache: RenderCache | None, cache_dir: Path | None
) -> tuple[Paper, ...]:
    # Parsing stays in this process: with the simple-front-matter fast path it costs ~50 us a
    # file, less than shipping the parsed fields back from a worker would (measured).
    parsed = [_parse_file(str(p), p.name[:-3]) for p in iter_paper_files(content_dir)]
    problems = [problem for _, found in parsed for problem in found]
    if problems:
        raise ProblemList(problems)
    records = [fields for fields, _ in parsed]

    renderer_id = _renderer_id(render)
    stored = _read_cache_file(cache_dir) if cache_dir is not None else {}
    memory: RenderCache = cache if cache is not None else {}
    keys = [_cache_key(renderer_id, r["title"], r["body"]) for r in records]
    misses: dict[str, tuple[str, str]] = {}
    for key, record in zip(keys, records):
        if key not in memory and key not in misses:
            if key in stored:
                memory[key] = stored[key]
            else:
                misses[key] = (record["title"], record["body"])
    if misses:
        workers = max(1, jobs if jobs is not None else (os.cpu_count() or 1))
        if len(misses) < PARALLEL_MIN_RENDERS or not _picklable(render):
            workers = 1
        memory.update(_map_chunks(_RenderChunk(render), list(misses.items()), workers))
    if cache_dir is not None and stored.keys() != set(keys):  # new papers, or entries to prune
        _write_cache_file(cache_dir, {key: memory[key] for key in keys})
    return tuple(Paper(**r, title_html=memory[k][0], abstract_html=memory[k][1]) for k, r in zip(keys, records))


def _picklable(render: RenderFunction) -> bool:
    """Worker processes need the renderer by reference; a lambda or closure renders here."""
    try:
        pickle.dumps(render)
    except (pickle.PicklingError, AttributeError, TypeError):
        return False
    return True


def _parse_file(path: str, stem: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        return None, [Problem(f"cannot read the file: {exc.strerror}", path)]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, [Problem(f"not UTF-8 text (byte {data[exc.start]:#04x}); save the file as UTF-8", path, line)]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return parse_paper_text(text, stem, path)


@dataclass(frozen=True)
class _RenderChunk:
    """Renders (key, (title, body)) items; a class so it pickles for worker processes."""

    render: RenderFunction

    def __call__(self, items: Sequence[tuple[str, tuple[str, str]]]) -> list[tuple[str, tuple[str, str]]]:
        out = []
        for key, (title, body) in items:
            try:
                out.append((key, tuple(self.render(title, body))))
            except Exception as exc:  # a renderer bug: keep the traceback, say which paper
                exc.add_note(f"while rendering the paper titled {title!r}")
                raise
        return out  # type: ignore[return-value]


def _map_chunks(func: Callable[[Sequence[Any]], list[Any]], items: list[Any], jobs: int) -> list[Any]:
    """`func` over chunks of `items`, concatenated in order; in `jobs` processes when > 1."""
    if jobs <= 1 or len(items) <= _CHUNK_SIZE:
        return func(items)
    chunks = [items[i : i + _CHUNK_SIZE] for i in range(0, len(items), _CHUNK_SIZE)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return [result for chunk_result in pool.map(func, chunks) for result in chunk_result]


def _renderer_id(render: RenderFunction) -> str:
    """What the cache key includes of the renderer, so a changed renderer never serves stale HTML.

    For the default renderer that is a hash of `site_builder/markup.py`'s source; for any
    other function, its qualified name (tests and callers pass a fresh cache when it changes).
    """
    if render is render_markup:
        spec_path = Path(__file__).with_name("markup.py")
        source = spec_path.read_bytes() if spec_path.exists() else b""
        return "markup:" + hashlib.blake2b(source, digest_size=16).hexdigest()
    return f"{getattr(render, '__module__', '')}.{getattr(render, '__qualname__', repr(render))}"


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


# --- author profiles and topics -------------------------------------------------------------

_PROFILE_FIELDS: dict[str, Callable[[str, Any], Any]] = {
    "name": check_text,
    "primary_category": check_optional_text,
    "h_index": check_count,
    "papers": check_count,
    "citations": check_count,
    "novelty": check_count,
    "ai_score": check_count,
    "source": check_optional_text,
    "captured": check_date,
}


def load_profiles(content_dir: Path) -> dict[str, AuthorProfile]:
    """`content_dir/authors/<author-slug>.yaml` -> {slug: AuthorProfile}, sorted by slug.

    The file name must be the author's slug (`author_slug(name)`), so the profile lands on
    the author's page; raises `ProblemList` with every problem of every file.
    """
    authors_dir = Path(content_dir) / "authors"
    files = sorted(p for p in authors_dir.glob("*.yaml") if not p.name.startswith(".")) if authors_dir.is_dir() else []
    profiles: dict[str, AuthorProfile] = {}
    problems: list[Problem] = []
    for path in files:
        data, text, found = _read_yaml(path)
        problems += found
        if found:
            continue
        if not isinstance(data, dict):
            problems.append(Problem("expected profile fields (key: value), at least 'name: ...'", str(path), 1))
            continue
        values: dict[str, Any] = {}
        bad: list[tuple[str, str]] = []
        for key, value in data.items():
            checker = _PROFILE_FIELDS.get(key) if isinstance(key, str) else None
            if checker is None:
                bad.append((str(key), f"unknown field {str(key)!r} (known fields: {', '.join(_PROFILE_FIELDS)})"))
                continue
            try:
                values[key] = checker(key, value)
            except Invalid as exc:
                bad.append((key, str(exc)))
        if "name" not in data:
            bad.append(("", "missing required field 'name' (the author's name as written on papers)"))
        elif "name" in values and author_slug(values["name"]) != path.stem:
            bad.append(("name", f"the file of {values['name']!r} must be named {author_slug(values['name'])}.yaml "
                                "(the author's slug), so the profile appears on the author's page"))
        if bad:
            lines = _yaml_key_lines(text)
            problems += [Problem(message, str(path), lines.get(key, 1)) for key, message in bad]
            continue
        profiles[path.stem] = AuthorProfile(slug=path.stem, **values)
    if problems:
        raise ProblemList(problems)
    return profiles


def load_topic_names(content_dir: Path) -> dict[str, str]:
    """Topic slug -> display name from `content_dir/topics.yaml` ({} when there is none).

    The file is a list of rules `{slug, name, keywords, patterns}` (or `{topics: [...]}`);
    only `slug` and `name` matter here: the rules themselves are the ingest's business.
    """
    path = Path(content_dir) / "topics.yaml"
    if not path.is_file():
        return {}
    data, text, problems = _read_yaml(path)
    if problems:
        raise ProblemList(problems)
    if isinstance(data, dict) and isinstance(data.get("topics"), list):
        data = data["topics"]
    if data is None:
        return {}
    if not isinstance(data, list):
        raise ProblemList([Problem("expected a list of topics (- slug: ..., name: ...)", str(path), 1)])
    item_lines = _yaml_item_lines(text)
    names: dict[str, str] = {}
    for index, item in enumerate(data):
        line = item_lines[index] if index < len(item_lines) else 1
        slug = item.get("slug") if isinstance(item, dict) else None
        if not isinstance(slug, str) or not SLUG_RE.match(slug):
            problems.append(Problem(f"each topic needs a 'slug' ({SLUG_RULE}), got {slug!r}", str(path), line))
            continue
        name = item.get("name", slug)
        if not isinstance(name, str) or not name.strip():
            problems.append(Problem(f"topic {slug!r}: 'name' must be non-empty text, got {name!r}", str(path), line))
        elif slug in names:
            problems.append(Problem(f"topic {slug!r} is defined twice", str(path), line))
        else:
            names[slug] = name.strip()
    if problems:
        raise ProblemList(problems)
    return dict(sorted(names.items()))


def _read_yaml(path: Path) -> tuple[Any, str, list[Problem]]:
    """(data, text, problems) of a small YAML file; dates stay text for the checkers."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, "", [Problem(f"not UTF-8 text ({exc.reason}); save the file as UTF-8", str(path))]
    except OSError as exc:
        return None, "", [Problem(f"cannot read the file: {exc.strerror}", str(path))]
    try:
        return yaml.load(text, Loader=FrontMatterLoader), text, []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or str(exc)
        return None, text, [Problem(f"invalid YAML: {reason}", str(path), mark.line + 1 if mark else 1)]
    except (ValueError, TypeError, AttributeError, OverflowError) as exc:  # e.g. `!!timestamp x`
        return None, text, [Problem(f"invalid YAML: {exc}", str(path), 1)]


def _yaml_key_lines(text: str) -> dict[str, int]:
    try:
        node = yaml.compose(text, Loader=FrontMatterLoader)
    except yaml.YAMLError:
        return {}
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): k.start_mark.line + 1 for k, _ in node.value}


def _yaml_item_lines(text: str) -> list[int]:
    try:
        node = yaml.compose(text, Loader=FrontMatterLoader)
    except yaml.YAMLError:
        return []
    if isinstance(node, yaml.MappingNode):
        node = next((v for k, v in node.value if k.value == "topics"), None)
    if not isinstance(node, yaml.SequenceNode):
        return []
    return [item.start_mark.line + 1 for item in node.value]


def iter_paper_files(content_dir: Path) -> list[Path]:
    """The paper files `load_papers` reads, in its order (for watchers and incremental builds)."""
    papers_dir = Path(content_dir) / "papers"
    if not papers_dir.is_dir():
        return []
    with os.scandir(papers_dir) as entries:  # names sort in C; Path objects would not
        names = sorted(e.name for e in entries if e.name.endswith(".md") and not e.name.startswith(".") and e.is_file())
    return [papers_dir / name for name in names]
