"""What the build cache keeps of the assembled model between builds (`site.assemble_site`).

The memo is a dict of parts ("authors", "related"), each holding the last result of one step
and a key: a hash of everything that result depends on and of the code that made it. A step
whose key is unchanged (after an edited abstract, say) rebuilds its result from the saved one
instead of computing it; the build saves the memo when a key changed (`keys`).
"""

from __future__ import annotations

import functools
import hashlib
import marshal
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import slugify

from site_builder import slugs

T = TypeVar("T")
# The code whose change must not reuse a memo: the steps' (site.py), the slugs they group
# authors by, and this module.
_CODE_FILES = ("site.py", "memo.py")


def part(memo: dict | None, name: str) -> dict | None:
    """The part `name` of `memo`, made empty if missing or damaged; None without a memo."""
    if memo is None:
        return None
    found = memo.get(name)
    if not isinstance(found, dict):
        found = memo[name] = {}
    return found


def keys(memo: dict | None) -> dict[str, object]:
    """The key of each part: a caller saves the memo when one changed."""
    return {name: found.get("key") for name, found in (memo or {}).items() if isinstance(found, dict)}


def recall(found: dict | None, key: str | None, name: str, make: Callable[[Any], T]) -> T | None:
    """`make(found[name])` if the part `found` holds a result saved under `key`; None if it does
    not, or if the saved result is damaged (the caller then computes it again)."""
    if found is None or found.get("key") != key:
        return None
    try:
        return make(found[name])
    except (LookupError, TypeError, ValueError):
        return None


@functools.cache
def code_key() -> str:
    """The code that makes the memos' results and python-slugify's version: part of every key,
    so that a changed way of making authors or related papers never reuses a memo."""
    h = hashlib.blake2b(digest_size=16)
    for path in (*(Path(__file__).with_name(name) for name in _CODE_FILES), Path(slugs.__file__)):
        h.update(path.read_bytes())
    h.update(getattr(slugify, "__version__", "").encode())
    return h.hexdigest()


def key(shape: object) -> str:
    """A hash of `shape` (plain values) and `code_key`. marshal's version 0 marks neither
    interned strings nor shared objects (later versions do, depending on where a string came
    from and on reference counts): the same papers give the same bytes, loaded from the files
    or from the build cache."""
    return hashlib.blake2b(marshal.dumps((code_key(), shape), 0), digest_size=16).hexdigest()
