"""Caches for work done in a known order: keep a result only while a later unit will use it.

A build knows, before it renders anything, every page and feed it will render, in which order,
and which papers each shows (a paper's feed item is in the feed of each of its authors and tags;
its card is on its day, tag and author pages and next to the papers it is related to). A cache
that drops its least recently used results keeps some that nothing will ask for again and
forgets others a little before they are asked for; with the order known, it can follow the best
rule there is (Belady's): keep a result only while some later unit uses it, and when full drop
the one whose next use is furthest away.

Measured on the benchmark's 100,000-paper site, in the order the build renders them: the author
and tag feeds show 224,711 items of 78,734 papers; a least-recently-used cache of 30,000 items
rendered 125,036 of them, this one 78,734 (each once), holding at most about 26,000.

`next_uses` turns the schedule (the keys each unit uses, in order) into, for every use, the
position of the next unit using the same key; `ScheduledCache` is the cache, told at each use
where the build is and when that key is next needed. Nothing depends on it for correctness: a
result it dropped is made again, the same.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Hashable, Sequence
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

NEVER = -1  # no later unit uses the key


def next_uses(schedule: Sequence[Sequence[Hashable]]) -> list[tuple[int, ...]]:
    """For unit `i` of `schedule` (the keys each unit uses, in the order the units are done), the
    position of the next unit that uses each of its keys, or NEVER. A key a unit uses twice is
    next used by that same unit."""
    following: dict[Hashable, int] = {}
    result: list[tuple[int, ...]] = [()] * len(schedule)
    for position in range(len(schedule) - 1, -1, -1):
        keys = schedule[position]
        nexts = [NEVER] * len(keys)
        for i in range(len(keys) - 1, -1, -1):
            key = keys[i]
            nexts[i] = following.get(key, NEVER)
            following[key] = position
        result[position] = tuple(nexts)
    return result


class ScheduledCache(Generic[K, V]):
    """Results by key, kept while they will be used again (see the module docstring).

    Each `get` and `put` says where the build is now (`now`, a unit position) and when the key is
    next used after this use (`next_use`, NEVER for no more). At most `capacity` results are
    kept: beyond that, the one needed furthest ahead goes, after any whose planned next use has
    passed without them (a unit of the schedule that another process rendered)."""

    def __init__(self, capacity: int):
        self.capacity = max(1, capacity)
        self._entries: dict[K, list] = {}  # key -> [result, next use]
        self._heap: list[tuple[int, int, K]] = []  # (-next use, tie, key); stale items skipped when popped
        self._tie = itertools.count()  # keys need not be comparable
        self._evictions_since_sweep = self.capacity  # the first eviction sweeps
        self.made = 0  # results put (for tests and measurements)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def get(self, key: K, now: int, next_use: int) -> V | None:
        """The result kept for `key`, or None; a result that no later unit uses is let go."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if next_use == NEVER:
            del self._entries[key]
        elif next_use != entry[1]:
            entry[1] = next_use
            self._push(key, next_use)
        return entry[0]

    def put(self, key: K, value: V, now: int, next_use: int) -> None:
        """Keep `value` for `key` until its next use, if it has one."""
        self.made += 1
        if next_use == NEVER:
            self._entries.pop(key, None)
            return
        self._entries[key] = [value, next_use]
        self._push(key, next_use)
        while len(self._entries) > self.capacity:
            self._evict(now)

    def _push(self, key: K, next_use: int) -> None:
        heapq.heappush(self._heap, (-next_use, next(self._tie), key))
        if len(self._heap) > 3 * len(self._entries) + 1024:  # mostly superseded items: rebuild
            self._heap = [(-entry[1], next(self._tie), k) for k, entry in self._entries.items()]
            heapq.heapify(self._heap)

    def _evict(self, now: int) -> None:
        self._evictions_since_sweep += 1
        if self._evictions_since_sweep > self.capacity // 4:  # now and then: amortized O(1) a use
            self._evictions_since_sweep = 0
            passed = [k for k, entry in self._entries.items() if entry[1] < now]
            for k in passed:
                del self._entries[k]
            if passed:
                return
        while self._heap:
            negative_next, _, key = heapq.heappop(self._heap)
            entry = self._entries.get(key)
            if entry is not None and entry[1] == -negative_next:
                del self._entries[key]
                return
