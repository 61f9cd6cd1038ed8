"""Decide what a content file becomes: the machine's new values merged with a person's edits.

The rule, per front-matter field (and likewise for the body), given the value ingest last wrote
(its hash, from the state file), the value in the file now, and the new machine value:

* no file yet: write the machine value;
* the file's value equals the new machine value: nothing to decide;
* the file's value is still what ingest last wrote (unedited): take the new machine value, so new
  dumps update upvotes, fill missing fields, and so on;
* ingest never wrote this field (a hand-made file, or a field it did not track) and the file
  leaves it empty (null, "", [], or no key): fill it;
* otherwise a person changed it (or deleted the key): keep it exactly as it is.

Keys a person added are kept after the known ones. `reconcile` is pure; `write_atomic` and
`create_new` are the only functions here that touch the disk.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from site_builder.ingest.state import FileState, bytes_hash, value_hash

BODY = "body"  # the name under which the body is reported in `edited`
_MISSING = object()


@dataclass(frozen=True)
class Current:
    """A content file as it is on disk, parsed."""

    fields: dict[str, Any]
    body: str | None  # None for files without a body (author profiles)


@dataclass(frozen=True)
class Reconciled:
    fields: dict[str, Any]  # what the file holds after this run
    body: str | None
    hashes: dict[str, str]  # field -> hash of the value ingest wrote (absent: never written)
    body_hash: str | None
    edited: tuple[str, ...]  # fields (and BODY) kept as a person wrote them
    changed: bool  # the values differ from the file's (or there is no file yet)


def reconcile(
    machine: Mapping[str, Any],
    machine_body: str | None,
    current: Current | None,
    previous: FileState | None,
) -> Reconciled:
    """Merge the machine's values into a file's current values (see the module docstring)."""
    if current is None:
        hashes = {name: value_hash(value) for name, value in machine.items()}
        body_hash = value_hash(machine_body) if machine_body is not None else None
        return Reconciled(dict(machine), machine_body, hashes, body_hash, (), True)

    written = previous.fields if previous else {}
    fields: dict[str, Any] = {}
    hashes: dict[str, str] = {}
    edited: list[str] = []
    for name, value in machine.items():
        kept, recorded = _decide(value, current.fields.get(name, _MISSING), written.get(name))
        if kept is not _MISSING:
            fields[name] = kept
        if recorded is not None:
            hashes[name] = recorded
        if kept is _MISSING or value_hash(kept) != value_hash(value):
            edited.append(name)
    extra = {name: value for name, value in current.fields.items() if name not in machine}
    fields.update(extra)
    edited.extend(extra)

    body, body_hash = current.body, None
    if machine_body is not None:
        kept, body_hash = _decide(machine_body, current.body or "", previous.body if previous else None)
        body = kept
        if kept != machine_body:
            edited.append(BODY)
    # Compared by canonical hash, not ==: `1 == True` in Python, but they are different YAML.
    changed = list(fields) != list(current.fields) or value_hash(fields) != value_hash(current.fields) or body != current.body
    return Reconciled(fields, body, hashes, body_hash, tuple(edited), changed)


def _decide(machine: Any, current: Any, written: str | None) -> tuple[Any, str | None]:
    """(value the file keeps, hash to record as last written) for one field."""
    machine_hash = value_hash(machine)
    if current is not _MISSING and value_hash(current) == machine_hash:
        return machine, machine_hash
    if written is None:
        if current is _MISSING or current is None or current == "" or current == [] or current == {}:
            return machine, machine_hash
        return current, None
    if current is not _MISSING and value_hash(current) == written:
        return machine, machine_hash
    return current, written


def unchanged_since(previous: FileState | None, data: bytes, hashes: Mapping[str, str], body_hash: str | None) -> bool:
    """True when the file is byte-for-byte what the last run left, had no edits, and the machine
    values are the ones written then: nothing to do, and no need to parse the file."""
    return (
        previous is not None
        and not previous.edited
        and previous.file == bytes_hash(data)
        and previous.fields == hashes
        and previous.body == body_hash
    )


def file_state(slug: str, data: bytes, result: Reconciled) -> FileState:
    return FileState(slug, bytes_hash(data), result.hashes, result.body_hash, result.edited)


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder and `os.replace`, so a crash never leaves
    half a file. A new file gets the usual mode (0666 less the umask), a rewritten one keeps its own."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with os.fdopen(_open_creating_folder(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), "wb") as handle:
            with contextlib.suppress(FileNotFoundError):
                os.fchmod(handle.fileno(), os.stat(path).st_mode & 0o7777)
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def create_new(path: Path, data: bytes) -> None:
    """Create `path` with `data`; FileExistsError when it exists (it is never overwritten).

    Written in place, without the temporary file and rename of `write_atomic`: that halves the
    file-system work of a first ingest (10,000 new files). A crash mid-way can leave a truncated
    file; the caller lists the files it creates beforehand (`writer`'s unfinished-files list) so
    that the next run knows them for its own and makes them again.
    """
    fd = _open_creating_folder(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    try:
        try:
            view = memoryview(data)
            while view:  # unbuffered: no file object, one write for a small file
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _open_creating_folder(path: Path, flags: int) -> int:
    """`os.open` with the usual mode (0666 less the umask); the folder is made only when missing
    (not checked for every file)."""
    try:
        return os.open(path, flags, 0o666)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, flags, 0o666)
