"""Run a piece of work on the two halves of a list at once, the second half in a forked child.

Writing 10,000 content files is mostly CPU-bound Python (tagging, rendering, hashing, comparing
with the files there) that shares nothing between papers, so two processes do it in about half
the time on a two-core machine. Threads would not: the GIL. The child is forked, so it
starts with everything already in memory (nothing to import or send), and only its results
come back, pickled.

Below `min_items`, or where fork is unavailable (Windows, macOS by default) or unsafe (other
threads running), the whole list is done here, in this process, with the same results.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def run_in_halves(items: Sequence[T], work: Callable[[Sequence[T]], R], min_items: int) -> list[R]:
    """`[work(first half), work(second half)]`, the second computed by a forked child while this
    process computes the first; `[work(items)]` when there are fewer than `min_items` items or
    fork cannot be used. An exception in either half is raised here (the child's once the
    first half is done)."""
    if len(items) < max(min_items, 2) or not can_fork():
        return [work(items)]
    half = len(items) // 2
    context = multiprocessing.get_context("fork")
    ours, theirs = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(work, items[half:], theirs, ours), daemon=True)
    child.start()  # flushes stdout and stderr first, so nothing buffered is printed twice
    theirs.close()
    try:
        first = work(items[:half])
        try:
            status, second = ours.recv()
        except EOFError:
            child.join()
            raise RuntimeError(f"the process doing the second half ended unexpectedly (exit code {child.exitcode})") from None
    except BaseException:
        child.terminate()
        raise
    finally:
        ours.close()
        child.join()
    if status == "error":
        raise second
    return [first, second]


def can_fork() -> bool:
    # Forking a process that runs other threads can copy a lock one of them holds.
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def ignore_interrupts() -> None:
    """In a forked child: Ctrl-C reaches the whole process group, but only the parent should
    act on it (it stops its children); a child would print a traceback of its own."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _child(work: Callable[[Sequence[T]], R], items: Sequence[T], conn: Connection, parent_end: Connection) -> None:
    ignore_interrupts()
    parent_end.close()
    try:
        message: tuple[str, object] = ("ok", work(items))
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
        message = ("error", exc)
    try:
        conn.send(message)
    except Exception as exc:  # noqa: BLE001 - e.g. an exception that cannot be pickled
        conn.send(("error", RuntimeError(f"the second half failed: {message[1]!r} ({exc})")))
    conn.close()
