"""Run CPU-bound work on every core with forked worker processes.

Why fork: a build's inputs (the site model, compiled templates, caches filled so far) are
already in this process; a forked worker inherits them as they are, so nothing is pickled per
task but the task itself (a few indexes) and its small result. The function a worker runs may be
any callable, a closure included, since it is inherited rather than sent.

Results come back in task order whatever the scheduling, so the build's output never depends on
which worker ran what. Where `fork` does not exist (Windows), or with one job, the work runs in
this process instead, with the same results.
"""

from __future__ import annotations

import ctypes
import gc
import itertools
import multiprocessing
import queue
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from site_builder import errors
from site_builder.errors import BuildError, Problem, SiteBuilderError

T = TypeVar("T")
R = TypeVar("R")

_TASK: Callable[[Any], Any] | None = None  # what a forked worker runs; set just before forking
_TASKS: Sequence[Any] | None = None  # the tasks of that run
_CLAIMS: _Claims | None = None  # which task a worker runs next, when it chooses (contiguous=True)


def default_jobs() -> int:
    """Worker processes when the user did not say: one per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and sys.platform != "win32"


def fork_map(func: Callable[[T], R], tasks: Sequence[T], jobs: int, window: int = 0,
             contiguous: bool = False, meanwhile: Callable[[], object] | None = None) -> Iterator[tuple[int, R]]:
    """`(index, func(task))` for every task, as workers finish them (any order).

    With `jobs` > 1 and more than one task, `jobs` forked processes share the tasks (each takes
    the next one when it is done: a loaded machine or an uneven task costs no idle core); else
    they run here, in order. At most `window` tasks (default: 2 per worker) are handed out and
    not yet consumed here, so large results never pile up faster than the caller uses them.
    A user error raised in a worker (`SiteBuilderError`) is raised here with its problems; any
    other exception keeps the worker's traceback in its message.

    `contiguous`: neighbouring tasks share work that a worker caches (a paper's card is on the
    pages around it), so each worker takes its tasks in order from its own stretch of the list
    (worker i of n starts at i/n of it) and, once that is done, from the far end of the stretch
    with the most left. Taking the next task of the whole list instead would give every worker
    tasks from everywhere, and each would redo the others' cached work.

    `meanwhile`: other work of the caller's that the tasks do not need, done in this process
    while the workers run (called once, right after the tasks are handed out; before the tasks
    when they run here). With it, every task is handed out at once, whatever `window`: a task
    is handed out as a result is taken, and no result is taken until `meanwhile` is done (at
    100,000 papers the related papers' 40 tasks waited for the authors, 4.2 s, with only four
    handed out). So its tasks' results must be small enough to wait all together.
    """
    if jobs <= 1 or len(tasks) <= 1 or not can_fork():
        if meanwhile is not None:
            meanwhile()
        for index, task in enumerate(tasks):
            yield index, func(task)
        return
    global _TASK, _TASKS, _CLAIMS
    _TASK, _TASKS = func, tasks
    workers = min(jobs, len(tasks))
    _CLAIMS = _Claims(len(tasks), workers) if contiguous else None
    # Objects alive now are shared with the workers copy-on-write; moving them out of the
    # collector's reach keeps a worker's garbage collections from touching (so copying) them.
    # Unfrozen afterwards unless a caller had frozen objects already (a build freezes its model).
    frozen_before = gc.get_freeze_count()
    gc.freeze()
    trim_heap()
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(workers, initializer=_start_worker) as pool:
            done: queue.SimpleQueue = queue.SimpleQueue()
            pending = 0
            upcoming = iter(enumerate(tasks))
            for item in itertools.islice(upcoming, len(tasks) if meanwhile is not None else window or 2 * workers):
                pool.apply_async(_run, (item,), callback=done.put, error_callback=done.put)
                pending += 1
            if meanwhile is not None:
                meanwhile()
            while pending:
                result = done.get()
                pending -= 1
                if isinstance(result, BaseException):  # the pool's own failure (a result that cannot be sent)
                    raise result
                index, (ok, value) = result
                if not ok:
                    raise _error_from(value)
                for item in itertools.islice(upcoming, 1):
                    pool.apply_async(_run, (item,), callback=done.put, error_callback=done.put)
                    pending += 1
                yield index, value
    finally:
        _TASK = _TASKS = _CLAIMS = None
        if not frozen_before:
            gc.unfreeze()


def trim_heap() -> None:
    """Give the C heap's free pages back to the system (glibc's `malloc_trim`; elsewhere
    nothing). Loading 100,000 papers frees about 220 MB in the middle of the heap (the rows the
    workers sent), which glibc keeps; without this, the build and each worker it forks keep it
    resident too."""
    trim = getattr(libc(), "malloc_trim", None)
    if trim is not None:
        trim(0)


def libc() -> ctypes.CDLL | None:
    """The C library this process runs on, by its own symbols (Linux; None elsewhere):
    `ctypes.util.find_library` would import `subprocess` and run `ldconfig` for the same answer."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None)
    except OSError:
        return None


class _Claims:
    """Which task each worker runs next, for `fork_map(contiguous=True)`: the list cut into one
    stretch per worker, each stretch's next and last unclaimed task in shared memory. The pool
    still sends one job per task; a job runs the task its worker claims here, so every task
    runs exactly once whichever worker gets which job."""

    def __init__(self, count: int, workers: int):
        context = multiprocessing.get_context("fork")
        bounds = [count * i // workers for i in range(workers + 1)]
        # [front_0, back_0, front_1, back_1, ...]: stretch i has tasks front_i .. back_i - 1 left.
        self.ends = context.Array("q", [end for i in range(workers) for end in (bounds[i], bounds[i + 1])])
        self.next_worker = context.Value("i", 0)
        self.workers = workers
        self.worker = -1  # set in each worker by `join`

    def join(self) -> None:
        with self.next_worker.get_lock():
            self.worker = self.next_worker.value % self.workers
            self.next_worker.value += 1

    def claim(self) -> int:
        ends = self.ends
        with ends.get_lock():
            own = 2 * self.worker
            if ends[own] < ends[own + 1]:
                ends[own] += 1
                return ends[own] - 1
            largest = max(range(self.workers), key=lambda i: ends[2 * i + 1] - ends[2 * i])
            if ends[2 * largest] < ends[2 * largest + 1]:
                ends[2 * largest + 1] -= 1
                return ends[2 * largest + 1]
        raise RuntimeError("a worker was sent more jobs than there are tasks")  # a bug


def ordered_map(func: Callable[[T], R], tasks: Sequence[T], jobs: int,
                meanwhile: Callable[[], object] | None = None) -> list[R]:
    """`fork_map` with the results in task order."""
    results: list[Any] = [None] * len(tasks)
    for index, result in fork_map(func, tasks, jobs, meanwhile=meanwhile):
        results[index] = result
    return results


def chunks(items: Sequence[T], size: int) -> list[Sequence[T]]:
    """`items` cut into consecutive pieces of at most `size`."""
    return [items[i : i + size] for i in range(0, len(items), max(1, size))]


def ranges(count: int, size: int) -> list[tuple[int, int]]:
    """(start, end) of consecutive pieces of `range(count)`, each at most `size` long."""
    size = max(1, size)
    return [(lo, min(lo + size, count)) for lo in range(0, count, size)]


def chunk_size(count: int, jobs: int, per_worker: int = 8, smallest: int = 16, largest: int = 500) -> int:
    """Tasks small enough that every worker gets several (balance, progress), large enough that
    sending them costs nothing next to the work."""
    return max(smallest, min(largest, -(-count // max(1, jobs * per_worker))))


def _start_worker() -> None:
    # The parent may have paused the collector while building its model (content.gc_paused); a
    # worker makes garbage with reference cycles (parsers, templates) for as long as it runs, so
    # it collects, over its own objects only (the inherited ones are frozen). Rendering makes
    # few cycles but many objects: collecting every 20,000 allocations instead of every 700 (the
    # default) costs a few MB and saves about 4% of the rendering time.
    gc.set_threshold(20_000, 20, 20)
    gc.enable()
    if _CLAIMS is not None:
        _CLAIMS.join()


def _run(item: tuple[int, Any]) -> tuple[int, tuple[bool, Any]]:
    index, task = item
    assert _TASK is not None, "fork_map's function was not inherited"
    if _CLAIMS is not None:  # run the task this worker claims instead of the one sent
        assert _TASKS is not None
        index = _CLAIMS.claim()
        task = _TASKS[index]
    try:
        return index, (True, _TASK(task))
    except SiteBuilderError as exc:  # a user error: send its problems, not a traceback
        return index, (False, ("user", [(p.message, p.path, p.line) for p in exc.problems], type(exc).__name__))
    except Exception as exc:  # a bug: keep where it happened
        import traceback

        return index, (False, ("bug", "".join(traceback.format_exception(exc)), type(exc).__name__))


def _error_from(value: tuple[str, Any, str]) -> Exception:
    kind, detail, name = value
    if kind == "user":
        problems = [Problem(message, path, line) for message, path, line in detail]
        cls = getattr(errors, name, None)
        if not (isinstance(cls, type) and issubclass(cls, SiteBuilderError)) or cls is errors.ProblemList:
            return errors.ProblemList(problems) if cls is errors.ProblemList else _with_problems(BuildError, problems)
        return _with_problems(cls, problems)
    return RuntimeError(f"a build worker failed ({name}):\n{detail}")


def _with_problems(cls: type[SiteBuilderError], problems: list[Problem]) -> SiteBuilderError:
    error = cls(problems[0].message, problems[0].path, problems[0].line)
    error.problems = problems
    error.args = ("\n".join(map(str, problems)),)
    return error
