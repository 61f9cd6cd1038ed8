"""New paper files are created in place, listed first in CONTENT/.ingest-unfinished: a run that
was interrupted leaves files that may be cut short, and the next run must make them again
rather than take them for a person's edits."""

from __future__ import annotations

import gc

import pytest
from ingest_helpers import SEEDS, add_source, paper, run, snapshot, write_topics

import site_builder.ingest.file_creator as file_creator
from site_builder.ingest.content_files import create_new
from site_builder.ingest.state import STATE_FILE, UNFINISHED_FILE


# Three papers from seed 001 (a profile list), as in test_reingest.
PROFILE_LIST = "\n".join((SEEDS / "001_f04deae0d2f5f7cf.txt").read_text(encoding="utf-8").split("\n")[:9]) + "\n"
UNSTABLE = "understanding-the-unstable-convergence-of-gradient-descent"
HYPER = "on-finding-small-hyper-gradients-in-bilevel-optimization-hardness-results-and"
DIVERSE = "iteratively-learn-diverse-strategies-with-state-distance-information"


def make_content(root):
    add_source(root, "001_list.txt", PROFILE_LIST)
    write_topics(root, [{"slug": "bilevel", "name": "Bilevel", "keywords": ["bilevel"]}])
    return root


@pytest.fixture
def clean(tmp_path):
    """What an uninterrupted first run writes."""
    root = make_content(tmp_path / "clean")
    report, _, err = run(root)
    assert report.exit_code == 0 and err == []
    return snapshot(root)


def contents(snap):
    return {name: data for name, (data, _) in snap.items()}


def test_a_finished_run_leaves_no_list(tmp_path):
    root = make_content(tmp_path / "content")
    run(root)
    assert (root / STATE_FILE).is_file()
    assert not (root / UNFINISHED_FILE).exists()
    assert gc.isenabled()  # paused during the run only


class Interrupted(BaseException):
    """Stands for the process being killed (not an Exception: nothing may catch it)."""


# The files are created by this process, or by a child process (from FORK_AT new files on).
modes = pytest.mark.parametrize("fork_at", [10**9, 1], ids=["here", "child"])


@modes
def test_files_an_interrupted_run_left_cut_short_are_made_again(tmp_path, monkeypatch, clean, fork_at):
    monkeypatch.setattr(file_creator, "FORK_AT", fork_at)
    root = make_content(tmp_path / "content")
    made = []

    def create_then_die(path, data):
        if len(made) == 2:  # the third file: half written, then the process dies
            path.write_bytes(data[: len(data) // 2])
            raise Interrupted
        create_new(path, data)
        made.append(path.stem)

    monkeypatch.setattr(file_creator, "create_new", create_then_die)
    # A child that dies is reported as an OSError; the run stops either way.
    with pytest.raises(Interrupted if fork_at > 1 else OSError):
        run(root)
    monkeypatch.undo()
    assert not (root / STATE_FILE).exists()
    assert sorted((root / UNFINISHED_FILE).read_text(encoding="utf-8").split()) == sorted([UNSTABLE, HYPER, DIVERSE])
    cut_short = next(p for p in (root / "papers").iterdir() if p.stem not in made)

    report, out, err = run(root)
    assert report.exit_code == 0 and err == []
    assert contents(snapshot(root)) == contents(clean)  # the cut-short file too, and no list left
    assert report.paper_counts.unfinished == 3 and report.paper_counts.edits_kept == 0
    assert "files an interrupted ingest left unfinished (deleted, made again): 3" in out
    assert paper(root, cut_short.stem)[1] == paper(tmp_path / "clean", cut_short.stem)[1]


def test_without_the_list_such_a_file_would_pass_for_a_persons_edit(tmp_path, clean):
    # Why the list exists: a file ingest never recorded is a person's, edits and all.
    root = make_content(tmp_path / "content")
    (root / "papers").mkdir()
    good = contents(clean)[f"papers/{HYPER}.md"]
    (root / "papers" / f"{HYPER}.md").write_bytes(good[: len(good) - 40])  # cut in the body
    report, _, _ = run(root)
    assert report.paper_counts.edits_kept == 1  # the short body is kept as a person's
    assert (root / "papers" / f"{HYPER}.md").read_bytes() == good[: len(good) - 40]


def test_listed_files_the_state_records_are_a_finished_runs(tmp_path):
    # Interrupted after the state was written but before the list was deleted: the files are
    # complete and recorded, and a person's later edit to one is kept.
    root = make_content(tmp_path / "content")
    run(root)
    (root / UNFINISHED_FILE).write_text(f"{UNSTABLE}\n{HYPER}\n", encoding="utf-8")
    path = root / "papers" / f"{HYPER}.md"
    path.write_text(path.read_text(encoding="utf-8").replace("bilevel", "my-own-tag"), encoding="utf-8")
    report, _, err = run(root)
    assert err == [] and report.paper_counts.unfinished == 0
    assert paper(root, HYPER)[0]["tags"] == ["my-own-tag"]
    assert not (root / UNFINISHED_FILE).exists()


@modes
def test_a_file_that_appears_while_ingest_runs_is_left_alone(tmp_path, monkeypatch, fork_at):
    monkeypatch.setattr(file_creator, "FORK_AT", fork_at)
    root = make_content(tmp_path / "content")

    def someone_was_quicker(path, data):
        if path.stem == HYPER:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("a person's file\n", encoding="utf-8")
        create_new(path, data)

    monkeypatch.setattr(file_creator, "create_new", someone_was_quicker)
    report, _, err = run(root)
    assert report.exit_code == 1
    assert err == [f"{root / 'papers' / HYPER}.md: this file appeared while ingest ran; left as it is"]
    assert (root / "papers" / f"{HYPER}.md").read_text(encoding="utf-8") == "a person's file\n"
    assert report.paper_counts.new == 2
    assert HYPER not in (root / STATE_FILE).read_text(encoding="utf-8")  # not ingest's: a person's file


def test_create_new_never_overwrites(tmp_path):
    path = tmp_path / "a" / "b.md"
    create_new(path, b"first")  # makes the folder when missing
    with pytest.raises(FileExistsError):
        create_new(path, b"second")
    assert path.read_bytes() == b"first"
