"""Two processes write the papers of a large ingest, each half of them, and a third creates the
new files; the result must be the one process's, byte for byte, with the same summary and the
same problems in the same order."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import time

import pytest
from ingest_helpers import SEEDS, age_files, run, snapshot

import site_builder.ingest.file_creator as file_creator
import site_builder.ingest.writer as writer_module
from site_builder.ingest.frontmatter import parse_paper, render_paper
from site_builder.ingest.halves import can_fork, run_in_halves

@pytest.fixture
def needs_fork():
    # Checked when the test runs, not at collection: threads started by other tests (a local
    # server, the browser driver) make run_in_halves decline to fork, by design.
    if not can_fork():
        pytest.skip("no fork here (or other threads running): everything runs in one process")


def pids(items):
    return [(item, os.getpid()) for item in items]


@pytest.mark.usefixtures("needs_fork")
def test_the_second_half_runs_in_another_process():
    first, second = run_in_halves(list(range(7)), pids, min_items=2)
    assert [i for i, _ in first + second] == list(range(7))
    assert {pid for _, pid in first} == {os.getpid()}
    assert {pid for _, pid in second} != {os.getpid()}


def test_few_items_are_done_here():
    assert run_in_halves([1, 2, 3], pids, min_items=4) == [[(1, os.getpid()), (2, os.getpid()), (3, os.getpid())]]


def fail_on_six(items):
    if 6 in items:
        raise ValueError("six")
    return list(items)


@pytest.mark.parametrize("items", [[1, 2, 3, 4, 5, 6], [6, 1, 2, 3, 4, 5]])
@pytest.mark.usefixtures("needs_fork")
def test_an_exception_in_either_half_is_raised(items):
    with pytest.raises(ValueError, match="six"):
        run_in_halves(items, fail_on_six, min_items=2)


def seeds_content(root):
    (root / "sources").mkdir(parents=True)
    for dump in SEEDS.glob("*.txt"):
        shutil.copy(dump, root / "sources" / dump.name)
    shutil.copy(SEEDS.parent / "topics.yaml", root / "topics.yaml")
    return root


def edit_some(root):
    """A person's edits spread over both halves, files that no longer parse, one deleted."""
    papers = sorted((root / "papers").iterdir())
    for path in papers[5::97]:
        fields, body = parse_paper(path.read_text(encoding="utf-8"), str(path))
        fields["tags"] = ["my-tag"]
        path.write_text(render_paper(fields, body + "\n\nMy note."), encoding="utf-8")
    for broken in (papers[-3], papers[2], papers[200]):  # problems from both halves, in paper order
        broken.write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    (root / "papers" / papers[10].name).unlink()


@pytest.mark.parametrize(
    "parallel_at, fork_at",
    [(2, 10**9), (2, 1), (10**9, 1), (10**9, 10**9)],
    ids=["halves", "halves+creator", "creator", "one-process"],
)
def test_two_processes_write_what_one_writes(tmp_path, monkeypatch, parallel_at, fork_at):
    one = seeds_content(tmp_path / "one")
    monkeypatch.setattr(writer_module, "PARALLEL_AT", 10**9)
    monkeypatch.setattr(file_creator, "FORK_AT", 10**9)
    runs_one = [run(one)]
    edit_some(one)
    runs_one.append(run(one))

    two = seeds_content(tmp_path / "two")
    monkeypatch.setattr(writer_module, "PARALLEL_AT", parallel_at)
    monkeypatch.setattr(file_creator, "FORK_AT", fork_at)
    workers = tmp_path / "pids"
    write_jobs = writer_module.ContentWriter._write_jobs

    def noting_the_process(self, jobs, **kwargs):
        with workers.open("a") as notes:
            notes.write(f"{os.getpid()}\n")
        return write_jobs(self, jobs, **kwargs)

    monkeypatch.setattr(writer_module.ContentWriter, "_write_jobs", noting_the_process)
    runs_two = [run(two)]
    edit_some(two)
    age_files(two)
    runs_two.append(run(two))

    for (report_one, out_one, err_one), (report_two, out_two, err_two) in zip(runs_one, runs_two):
        assert out_two == out_one
        assert [line.replace(str(two), "ROOT") for line in err_two] == [line.replace(str(one), "ROOT") for line in err_one]
        assert report_two.paper_counts == report_one.paper_counts and report_two.tagged == report_one.tagged
    assert runs_two[1][0].paper_counts.edits_kept > 0 and len(runs_two[1][2]) == 3  # the edits were seen
    assert {k: v[0] for k, v in snapshot(two).items()} == {k: v[0] for k, v in snapshot(one).items()}
    children = set(workers.read_text().split()) - {str(os.getpid())}
    assert len(children) == (2 if parallel_at == 2 and can_fork() else 0)  # one child a run


def slow_unless_first(items):
    if items[0] == 0:  # the first half, here: interrupted at once
        raise KeyboardInterrupt
    time.sleep(30)


@pytest.mark.usefixtures("needs_fork")
def test_an_interrupt_here_stops_the_child_at_once():
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        run_in_halves([0, 1, 2, 3], slow_unless_first, min_items=2)
    assert time.monotonic() - started < 10
    assert multiprocessing.active_children() == []
