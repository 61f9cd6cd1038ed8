"""Two pieces the build's speed rests on: how forked workers share tasks (`parallel`), and the
packed store of every paper's texts (`texts.TextStore`)."""

from __future__ import annotations

import gc
import os
import time

import pytest

from site_builder.errors import ContentError
from site_builder.parallel import _Claims, can_fork, fork_map, ranges, trim_heap
from site_builder.texts import TEXT_FIELDS, PackedRecords, PaperText, TextStore, pack_texts, paper_text, unpack_texts

needs_fork = pytest.mark.skipif(not can_fork(), reason="no fork on this platform")


def _slow_square(n: int) -> tuple[int, int]:
    time.sleep(0.002)
    return n * n, os.getpid()


@needs_fork
@pytest.mark.parametrize("contiguous", [False, True])
def test_fork_map_runs_every_task_once_on_several_processes(contiguous: bool) -> None:
    results = dict(fork_map(_slow_square, list(range(60)), jobs=2, contiguous=contiguous))
    assert sorted(results) == list(range(60))
    assert all(square == n * n for n, (square, _) in results.items())
    assert len({pid for _, pid in results.values()}) == 2
    assert os.getpid() not in {pid for _, pid in results.values()}


@needs_fork
def test_fork_map_unfreezes_what_it_froze_and_keeps_a_callers_freeze() -> None:
    gc.collect()
    assert gc.get_freeze_count() == 0
    list(fork_map(_slow_square, list(range(8)), jobs=2))
    assert gc.get_freeze_count() == 0
    gc.freeze()  # as a build does with its model
    try:
        frozen = gc.get_freeze_count()
        list(fork_map(_slow_square, list(range(8)), jobs=2))
        assert gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()


@needs_fork
def test_contiguous_workers_each_take_a_run_of_neighbouring_tasks() -> None:
    results = dict(fork_map(_slow_square, list(range(60)), jobs=2, contiguous=True))
    by_pid: dict[int, list[int]] = {}
    for n in range(60):  # in task order
        by_pid.setdefault(results[n][1], []).append(n)
    # Each worker's tasks form few runs of neighbours (its own stretch, then what it took from
    # the far end of the other's), where handing out the next task of the whole list alternates
    # the workers every task or two.
    runs = sum(1 + sum(1 for a, b in zip(tasks, tasks[1:]) if b != a + 1) for tasks in by_pid.values())
    assert runs <= 4, by_pid


def _wait_for_file(path: str) -> bool:
    """Whether `path` appears within 20 s (the parent's `meanwhile` makes it)."""
    deadline = time.monotonic() + 20
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


@needs_fork
def test_meanwhile_runs_here_once_while_the_workers_run(tmp_path) -> None:
    flag = str(tmp_path / "meanwhile-ran")
    calls: list[int] = []

    def meanwhile() -> None:
        calls.append(os.getpid())
        open(flag, "w").close()

    # Each task waits for the file `meanwhile` makes: called only after the tasks were done,
    # the tasks would report that they waited in vain.
    results = dict(fork_map(_wait_for_file, [flag] * 6, jobs=2, meanwhile=meanwhile))
    assert calls == [os.getpid()]
    assert results == {i: True for i in range(6)}


def _make_file(path: str) -> None:
    open(path, "w").close()


@needs_fork
def test_meanwhile_does_not_hold_up_tasks_beyond_the_window(tmp_path) -> None:
    # More tasks than are handed out at a time (two a worker): each makes a file, and
    # `meanwhile` waits for all of them. Were tasks handed out only as results are taken (after
    # `meanwhile`), the last ones would not run until it gave up.
    files = [str(tmp_path / f"task-{i}") for i in range(10)]
    seen: list[bool] = []
    results = dict(fork_map(_make_file, files, jobs=2, window=4,
                            meanwhile=lambda: seen.append(all(_wait_for_file(f) for f in files))))
    assert seen == [True]
    assert sorted(results) == list(range(10))


def test_meanwhile_runs_before_tasks_that_run_here() -> None:
    order: list[str] = []
    results = list(fork_map(order.append, ["task 1", "task 2"], jobs=1, meanwhile=lambda: order.append("meanwhile")))
    assert order == ["meanwhile", "task 1", "task 2"]
    assert [i for i, _ in results] == [0, 1]
    list(fork_map(order.append, [], jobs=2, meanwhile=lambda: order.append("no tasks")))
    assert order[-1] == "no tasks"


def test_claims_start_each_worker_on_its_stretch_then_steal_from_the_far_end() -> None:
    claims = _Claims(10, 2)
    first, second = _Claims.__new__(_Claims), _Claims.__new__(_Claims)
    for worker, view in enumerate((first, second)):
        view.ends, view.next_worker, view.workers, view.worker = claims.ends, claims.next_worker, 2, worker
    assert [second.claim() for _ in range(5)] == [5, 6, 7, 8, 9]
    assert first.claim() == 0
    assert [second.claim() for _ in range(2)] == [4, 3]  # the far end of the first stretch
    assert [first.claim() for _ in range(2)] == [1, 2]
    with pytest.raises(RuntimeError):
        first.claim()


def _fails_on_three(n: int) -> int:
    if n == 3:
        raise ContentError("bad paper", "content/papers/x.md", 4)
    return n


@needs_fork
def test_a_user_error_in_a_worker_is_raised_with_its_file_and_line() -> None:
    with pytest.raises(ContentError) as info:
        list(fork_map(_fails_on_three, list(range(8)), jobs=2, contiguous=True))
    assert (info.value.path, info.value.line) == ("content/papers/x.md", 4)


def test_text_store_gives_back_every_text_and_the_short_ones_alone() -> None:
    texts = {
        "a": ("Some *body* with $x^2$ and more words " * 20, "Title $\\alpha$"),
        "b": ("Short.", "B"),
    }
    records, expected = [], {}
    for slug, (body, title) in texts.items():
        text = paper_text(title, body)
        html = f"<p>{slug} html</p>"
        records.append(pack_texts(body, html, [getattr(text, name) for name in TEXT_FIELDS]))
        expected[slug] = PaperText(*(getattr(text, name) for name in TEXT_FIELDS), abstract_html=html)
        assert unpack_texts(records[-1])[0] == body
    store = TextStore(list(texts), records)
    assert len(store) == 2 and "a" in store and "c" not in store
    for slug, text in expected.items():
        assert store.get(slug) == text
        short = store.get_short(slug)
        assert (short.title_text, short.description, short.excerpt, short.excerpt_html) == (
            text.title_text, text.description, text.excerpt, text.excerpt_html)
        assert short.abstract_text == short.abstract_html == ""
        assert store.excerpt_html(slug) == text.excerpt_html
        assert store.title_and_abstract_html(slug) == (text.title_text, text.abstract_html)
    assert store.get("c") is None and store.get_short("c") is None
    assert store.excerpt_html("c") is None and store.title_and_abstract_html("c") is None


def test_packed_records_joined_from_parts_made_apart() -> None:
    values = [b"one", b"", "tr\u00e8s".encode(), b"four"]
    whole = PackedRecords(["a", "b", "c", "d"], values)
    parts = [PackedRecords.pack(values[lo:hi]) for lo, hi in ranges(len(values), 3)]
    assert ranges(4, 3) == [(0, 3), (3, 4)] and ranges(0, 3) == []
    joined = PackedRecords.from_parts(["a", "b", "c", "d"], parts)
    for store in (whole, joined):
        assert [bytes(store.record(k)) for k in "abcd"] == values
        assert store.record("e") is None and len(store) == 4 and "a" in store


def _resident_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024


@pytest.mark.skipif(not os.path.exists("/proc/self/status") or not hasattr(__import__("ctypes").CDLL(None), "malloc_trim"),
                    reason="glibc on Linux only")
def test_trim_heap_gives_freed_memory_back() -> None:
    # 1 KB objects come from the C heap (brk), whose free middle glibc keeps without a trim;
    # the last one, kept alive, stops the heap from shrinking at its top on its own.
    blocks = [bytes(1000 + i % 7) for i in range(150_000)]
    keep = bytes(1000)
    before = _resident_mb()
    del blocks
    kept = _resident_mb()
    trim_heap()
    after = _resident_mb()
    assert keep and kept - after > 0.5 * (before - after) > 0, (before, kept, after)
    assert before - after > 75  # about 150 MB was freed
