"""`CONTENT/.ingest-state.json`: what ingest last wrote, so a person's edits can be told apart.

Per source file: its sha256, format and capture date (so a later run resolves yearless dates and
`added` the same way). Per paper (by merge key) and per author profile: the slug of its file and,
for every field and the body, a short hash of the value ingest last wrote. A field whose value in
the file no longer has that hash was edited by a person and is never overwritten.

`file` (hash of the file's bytes after the last run) and `edited` (the fields kept as a person
wrote them) only let an unchanged file skip YAML parsing; they are rechecked from the file when
its bytes differ. The file is committed with the content: sorted keys, one entry per line, so
diffs stay small and the bytes are deterministic.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from site_builder.errors import ContentError

STATE_FILE = ".ingest-state.json"
STATE_VERSION = 1
# The paper files a run is creating, listed before it creates them and deleted once the state
# file records them: a file listed here but not in the state is an interrupted run's, maybe cut
# short (see `writer.ContentWriter`).
UNFINISHED_FILE = ".ingest-unfinished"


@dataclass(frozen=True)
class SourceState:
    sha256: str
    format: str
    captured: dt.date


@dataclass(frozen=True)
class FileState:
    """What ingest knows about one content file."""

    slug: str
    file: str  # hash of the file's bytes as the last run left them
    fields: dict[str, str]  # field name -> hash of the value ingest last wrote
    body: str | None = None  # hash of the body ingest last wrote (papers only)
    edited: tuple[str, ...] = ()  # fields (and "body") kept as a person wrote them


@dataclass
class IngestState:
    sources: dict[str, SourceState] = field(default_factory=dict)
    papers: dict[str, FileState] = field(default_factory=dict)  # merge key -> file
    authors: dict[str, FileState] = field(default_factory=dict)  # author slug -> file


def value_hash(value: Any) -> str:
    """8 hex digits of sha1 over the value as canonical JSON (dates as YYYY-MM-DD, tuples as lists)."""
    kind = type(value)
    if kind is str:  # titles, slugs, bodies: rarely the same twice, not worth a cache
        return _sha8(_encode_str(value))
    if kind is list or kind is tuple:
        if all(type(item) is str for item in value):
            return _cached_hash(tuple(value))
    elif kind in _HASHABLE_SCALARS:
        return _cached_hash(value)
    return _sha8(canonical_json(value))


_HASHABLE_SCALARS = frozenset({int, bool, type(None), dt.date})


# Names, categories, sources, counts and dates repeat from paper to paper: this runs 15 times
# for every paper written.
@functools.lru_cache(maxsize=1 << 16, typed=True)
def _cached_hash(value: Any) -> str:
    return _sha8(canonical_json(value))


def _sha8(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def canonical_json(value: Any) -> str:
    """Compact JSON with sorted keys; the values ingest writes take a shortcut around
    `JSONEncoder.encode` (same text, several times faster: it runs for every field of every paper)."""
    if isinstance(value, str):
        return _encode_str(value)
    if value is None or isinstance(value, (bool, int)):
        return _CANONICAL.encode(value)
    if type(value) is dt.date:
        return f'"{value.isoformat()}"'
    if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        return "[" + ",".join(map(_encode_str, value)) + "]"
    return _CANONICAL.encode(value)


def bytes_hash(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()[:12]


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return repr(value)


# Built once: json.dumps with options makes a new encoder on every call.
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_default)
_encode_str = json.encoder.encode_basestring  # what _CANONICAL uses for a str (ensure_ascii=False)


def load_state(path: Path) -> IngestState:
    """The recorded state; an absent file is an empty state (first ingest)."""
    if not path.exists():
        return IngestState()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != STATE_VERSION:
            raise ValueError(f"expected version {STATE_VERSION}, got {data.get('version')!r}")
        return IngestState(
            sources={
                name: SourceState(s["sha256"], s["format"], dt.date.fromisoformat(s["captured"]))
                for name, s in data.get("sources", {}).items()
            },
            papers={key: _file_state(f) for key, f in data.get("papers", {}).items()},
            authors={key: _file_state(f) for key, f in data.get("authors", {}).items()},
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        line = getattr(exc, "lineno", None)
        raise ContentError(
            f"ingest state is unreadable ({exc}); it is written by `site-builder ingest`: restore it "
            "from version control, or delete it to treat every content file as hand-made",
            path,
            line,
        ) from None


def _file_state(data: dict) -> FileState:
    return FileState(
        slug=data["slug"],
        file=data["file"],
        fields=dict(data["fields"]),
        body=data.get("body"),
        edited=tuple(data.get("edited", ())),
    )


def load_unfinished(path: Path) -> frozenset[str]:
    """The slugs in an unfinished-files list (one per line); none when there is no readable list."""
    try:
        return frozenset(line for line in path.read_text(encoding="utf-8").split("\n") if line)
    except (OSError, UnicodeDecodeError):
        return frozenset()


def render_unfinished(slugs: list[str]) -> bytes:
    return "".join(f"{slug}\n" for slug in sorted(slugs)).encode("utf-8")


def render_state(state: IngestState) -> str:
    """Deterministic JSON text: sorted keys, one source / paper / author per line."""
    sections = {
        "authors": {slug: _file_json(f) for slug, f in state.authors.items()},
        "papers": {key: _file_json(f) for key, f in state.papers.items()},
        "sources": {
            name: {"captured": s.captured.isoformat(), "format": s.format, "sha256": s.sha256}
            for name, s in state.sources.items()
        },
    }
    out = ["{"]
    for name in sorted(sections):
        entries = sections[name]
        out.append(f"{_dumps(name)}: {{")
        lines = [f"{_dumps(key)}: {_dumps(entries[key])}" for key in sorted(entries)]
        out.append(",\n".join(lines))
        out.append("},")
    out.append(f'"version": {STATE_VERSION}')
    out.append("}")
    return "\n".join(line for line in out if line) + "\n"


def _file_json(f: FileState) -> dict[str, Any]:
    data: dict[str, Any] = {"slug": f.slug, "file": f.file, "fields": f.fields}
    if f.body is not None:
        data["body"] = f.body
    if f.edited:
        data["edited"] = list(f.edited)
    return data


def _dumps(value: Any) -> str:
    return _STATE_ENCODER.encode(value)


_STATE_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(", ", ": "))
