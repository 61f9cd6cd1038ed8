"""Re-running ingest: idempotent, and whatever a person changed in a content file survives."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest
from ingest_helpers import AS_OF, SEEDS, add_source, age_files, daily_list, paper, run, snapshot, write_topics

from site_builder.ingest.frontmatter import parse_paper, render_paper
from site_builder.ingest.state import STATE_FILE

# Three papers from seed 001 (profile list): unstable GD (Apr 3, 2022), hyper-gradients (yearless
# "Apr 28"), diverse strategies (Oct 23, 2023, "et al. · cmu").
PROFILE_LIST = "\n".join((SEEDS / "001_f04deae0d2f5f7cf.txt").read_text(encoding="utf-8").split("\n")[:9]) + "\n"
UNSTABLE = "understanding-the-unstable-convergence-of-gradient-descent"
HYPER = "on-finding-small-hyper-gradients-in-bilevel-optimization-hardness-results-and"
DIVERSE = "iteratively-learn-diverse-strategies-with-state-distance-information"
# A daily list seen later: the unstable-GD paper again (with upvotes and a count), and a new paper.
DAILY = daily_list(
    "Feb 5",
    ("Understanding the Unstable Convergence of Gradient Descent", "A shorter daily abstract.", "  • 3 authors", "Sep 2, 2025 5"),
    ("A Brand New Paper on Federated Averaging", "We study federated averaging.", "univie University of Vienna", "May 8 1"),
)
NEW = "a-brand-new-paper-on-federated-averaging"


@pytest.fixture
def content(tmp_path):
    root = tmp_path / "content"
    add_source(root, "001_list.txt", PROFILE_LIST)
    write_topics(
        root,
        [
            {"slug": "bilevel", "name": "Bilevel", "keywords": ["bilevel"]},
            {"slug": "rl", "name": "RL", "keywords": ["reinforcement learning"]},
            {"slug": "federated", "name": "Federated", "keywords": ["federated"]},
        ],
    )
    return root


def edit(content, slug, body=None, **changes):
    path = content / "papers" / f"{slug}.md"
    fields, old_body = parse_paper(path.read_text(encoding="utf-8"), str(path))
    fields.update(changes)
    path.write_text(render_paper(fields, old_body if body is None else body), encoding="utf-8")


def test_first_run_writes_every_paper_and_the_state(content):
    report, out, err = run(content)
    assert report.exit_code == 0 and err == []
    assert sorted(p.stem for p in (content / "papers").iterdir()) == sorted([UNSTABLE, HYPER, DIVERSE])
    assert (report.paper_counts.new, report.paper_counts.updated, report.paper_counts.unchanged) == (3, 0, 0)
    state = json.loads((content / STATE_FILE).read_text(encoding="utf-8"))
    assert state["sources"]["001_list.txt"]["captured"] == "2026-11-24"
    assert state["sources"]["001_list.txt"]["format"] == "profile-list"
    assert {entry["slug"] for entry in state["papers"].values()} == {UNSTABLE, HYPER, DIVERSE}
    assert paper(content, HYPER)[0]["tags"] == ["bilevel"]


def test_second_run_writes_nothing(content):
    run(content)
    age_files(content)
    before = snapshot(content)
    report, out, _ = run(content)
    assert snapshot(content) == before  # same bytes, and not even rewritten (mtimes)
    assert (report.paper_counts.new, report.paper_counts.updated, report.paper_counts.unchanged) == (0, 0, 3)
    assert "files: 0 new, 0 updated, 3 unchanged" in out


def test_rerun_without_as_of_keeps_recorded_capture_dates(content):
    run(content)
    before = snapshot(content)
    run(content, as_of=None)  # today, whatever it is: the recorded date still applies
    assert snapshot(content) == before
    assert paper(content, HYPER)[0]["date"] == dt.date(2026, 4, 28)  # "Apr 28" before 2026-11-24
    assert paper(content, HYPER)[0]["added"] == AS_OF


def test_new_dump_updates_unedited_fields_and_keeps_edited_ones(content):
    run(content)
    edit(content, UNSTABLE, title="Understanding the Unstable Convergence of Gradient Descent (fixed)",
         tags=["rl", "my-own-tag"], body="My own summary.")
    add_source(content, "004_daily.txt", DAILY)
    report, _, err = run(content)
    assert report.exit_code == 0, err
    fields, body = paper(content, UNSTABLE)
    # Kept as the person wrote them:
    assert fields["title"] == "Understanding the Unstable Convergence of Gradient Descent (fixed)"
    assert fields["tags"] == ["rl", "my-own-tag"]
    assert body == "My own summary."
    # Updated from the new dump:
    assert fields["upvotes"] == 5
    assert fields["author_count"] == 3
    assert fields["sources"] == ["001_list.txt", "004_daily.txt"]
    assert fields["date"] == dt.date(2022, 4, 3)  # the earliest date stays
    assert fields["authors"] == ["Kwangjun Ahn", "Jingzhao Zhang", "Suvrit Sra"]
    assert report.paper_counts.edits_kept == 3
    assert (report.paper_counts.new, report.paper_counts.updated, report.paper_counts.unchanged) == (1, 1, 2)
    new_fields, new_body = paper(content, NEW)
    assert "University of Vienna" in new_fields["organization"] and new_fields["upvotes"] == 1
    assert new_fields["added"] == dt.date(2026, 2, 5)  # the daily list's own date
    assert new_fields["tags"] == ["federated"]

    # ... and again: the edits stay, nothing is rewritten.
    age_files(content)
    before = snapshot(content)
    report, _, _ = run(content)
    assert snapshot(content) == before
    assert report.paper_counts.edits_kept == 3 and report.paper_counts.unchanged == 4


def test_unedited_fields_follow_the_sources_both_ways(content):
    run(content)
    daily = add_source(content, "004_daily.txt", DAILY)
    run(content)
    assert paper(content, UNSTABLE)[0]["upvotes"] == 5
    daily.unlink()  # the sources are the truth: without the daily list there is no upvote count
    run(content)
    fields, _ = paper(content, UNSTABLE)
    assert fields["upvotes"] is None and fields["sources"] == ["001_list.txt"]


def test_a_field_set_back_to_what_ingest_wrote_follows_the_sources_again(content):
    run(content)
    original = paper(content, UNSTABLE)[0]["upvotes"]
    edit(content, UNSTABLE, upvotes=99)
    run(content)
    assert paper(content, UNSTABLE)[0]["upvotes"] == 99
    edit(content, UNSTABLE, upvotes=original)
    add_source(content, "004_daily.txt", DAILY)
    run(content)
    assert paper(content, UNSTABLE)[0]["upvotes"] == 5


def test_a_deleted_key_stays_deleted(content):
    run(content)
    path = content / "papers" / f"{DIVERSE}.md"
    path.write_text(path.read_text(encoding="utf-8").replace("organization: null\n", ""), encoding="utf-8")
    report, _, _ = run(content)
    assert "organization" not in paper(content, DIVERSE)[0]
    assert report.paper_counts.edits_kept == 1


def test_a_deleted_paper_file_is_not_recreated(content):
    run(content)
    (content / "papers" / f"{HYPER}.md").unlink()
    for _ in range(2):  # not on the next run, nor the one after
        report, out, _ = run(content)
        assert not (content / "papers" / f"{HYPER}.md").exists()
        assert report.paper_counts.deleted == 1
        assert "deleted by hand (not recreated): 1" in " ".join(out)
        assert report.exit_code == 0


def test_a_hand_made_file_is_left_alone(content):
    run(content)
    notes = content / "papers" / "my-notes.md"
    notes.write_text("---\ntitle: My Notes\ntags: [bilevel]\n---\n\nNot from any dump.\n", encoding="utf-8")
    age_files(content)
    before = snapshot(content)
    report, _, _ = run(content)
    assert snapshot(content) == before
    assert "my-notes" not in (content / STATE_FILE).read_text(encoding="utf-8")


def test_a_hand_made_file_for_a_dump_paper_only_gets_its_empty_fields_filled(content):
    hand = content / "papers" / "my-name-for-it.md"
    hand.parent.mkdir(parents=True)
    hand.write_text(
        "---\ntitle: 'ITERATIVELY learn diverse strategies with state-distance information'\n"
        "authors: [Someone Else]\nupvotes: null\ntags: []\n---\n\nMy own summary.\n",
        encoding="utf-8",
    )
    report, _, err = run(content)
    assert report.exit_code == 0, err
    assert not (content / "papers" / f"{DIVERSE}.md").exists()  # no second file for the paper
    fields, body = paper(content, "my-name-for-it")
    assert fields["title"] == "ITERATIVELY learn diverse strategies with state-distance information"
    assert fields["authors"] == ["Someone Else"]
    assert body == "My own summary."
    assert fields["tags"] == ["rl"]  # was empty: filled
    assert fields["affiliations"] == ["cmu"]  # was missing: filled
    assert fields["slug"] == "my-name-for-it"
    # From now on it is that paper's file: a later dump updates its unedited fields.
    add_source(content, "005_daily.txt", daily_list(
        "Feb 6", ("Iteratively Learn Diverse Strategies with State Distance Information", "Abs.", "cmu CMU", "Oct 23, 2023 9")))
    run(content)
    fields, body = paper(content, "my-name-for-it")
    assert fields["upvotes"] == 9 and fields["authors"] == ["Someone Else"] and body == "My own summary."


def test_a_file_that_does_not_parse_is_reported_and_left_alone(content):
    run(content)
    broken = content / "papers" / f"{HYPER}.md"
    broken.write_text(broken.read_text(encoding="utf-8").replace("authors:\n", "authors: [unclosed\n"), encoding="utf-8")
    text = broken.read_bytes()
    add_source(content, "004_daily.txt", DAILY)
    report, out, err = run(content)
    assert report.exit_code == 1
    assert any(line.startswith(f"{broken}:") and "invalid YAML" in line for line in err), err
    assert broken.read_bytes() == text
    assert paper(content, UNSTABLE)[0]["upvotes"] == 5  # the rest was ingested
    assert (content / "papers" / f"{NEW}.md").exists()
    # Once mended, it is updated like any other file.
    broken.write_text(text.decode().replace("authors: [unclosed\n", "authors:\n"), encoding="utf-8")
    report, _, _ = run(content)
    assert report.exit_code == 0


def test_author_profile_edits_are_kept(content):
    shutil.copy(SEEDS / "000_043ef1eb0ec81c75.txt", content / "sources")
    run(content)
    profile = content / "authors" / "cong-fang.yaml"
    edited = profile.read_text(encoding="utf-8").replace("h_index: 19", "h_index: 25")
    profile.write_text(edited, encoding="utf-8")
    report, _, _ = run(content)
    assert profile.read_text(encoding="utf-8") == edited
    assert report.author_counts.edits_kept == 1
    age_files(content)
    before = snapshot(content)
    run(content)
    assert snapshot(content) == before
    profile.unlink()
    report, _, _ = run(content)
    assert not profile.exists() and report.author_counts.deleted == 1


def test_named_dump_is_copied_into_sources_once(content, tmp_path):
    dump = tmp_path / "004_daily.txt"
    dump.write_text(DAILY, encoding="utf-8")
    report, out, _ = run(content, [dump], as_of=dt.date(2027, 3, 1))
    assert (content / "sources" / "004_daily.txt").read_bytes() == dump.read_bytes()
    assert report.exit_code == 0
    assert out[:2] == ["001_list.txt: profile-list, 3 papers", "004_daily.txt: daily-list, 2 papers"]
    # The new --as-of is for the named dump; the old source keeps its recorded capture date.
    assert paper(content, HYPER)[0]["date"] == dt.date(2026, 4, 28)
    report, _, _ = run(content, [dump], as_of=dt.date(2027, 3, 1))  # identical: fine, nothing changes
    assert report.exit_code == 0 and report.paper_counts.unchanged == 4


def test_named_dump_never_replaces_a_different_source_of_the_same_name(content, tmp_path):
    other = tmp_path / "001_list.txt"
    other.write_text(DAILY, encoding="utf-8")
    report, out, err = run(content, [other])
    assert report.exit_code == 1
    assert any(str(other) in line and str(content / "sources" / "001_list.txt") in line for line in err), err
    assert (content / "sources" / "001_list.txt").read_text(encoding="utf-8") == PROFILE_LIST
    assert len(list((content / "papers").iterdir())) == 3  # the sources were still ingested


def test_files_get_the_usual_permissions_and_keep_a_persons_choice(content):
    import os
    import stat

    umask = os.umask(0o022)
    os.umask(umask)
    run(content)
    written = content / "papers" / f"{HYPER}.md"
    assert stat.S_IMODE(written.stat().st_mode) == 0o666 & ~umask
    assert stat.S_IMODE((content / STATE_FILE).stat().st_mode) == 0o666 & ~umask
    written.chmod(0o640)
    add_source(content, "004_daily.txt", DAILY.replace("A Brand New Paper on Federated Averaging", "On Finding Small Hyper-Gradients in Bilevel Optimization: Hardness Results and Improved Analysis"))
    report, _, _ = run(content)
    assert report.paper_counts.updated >= 1 and paper(content, HYPER)[0]["upvotes"] == 1
    assert stat.S_IMODE(written.stat().st_mode) == 0o640


@pytest.mark.parametrize(
    "value",
    ["plain", 'quote " and \\ backslash\nnewline', "ünï 🙂", None, True, False, 0, -7, 10**20,
     dt.date(2023, 1, 2), ["a", "b"], ("x",), [], [1, "a"], {"b": 1, "a": [2]}, 1.5],
)
def test_value_hash_shortcut_is_canonical_json(value):
    from site_builder.ingest.state import _CANONICAL, canonical_json

    assert canonical_json(value) == _CANONICAL.encode(value)


def test_equal_values_hash_equal_whatever_their_python_type():
    from site_builder.ingest.state import value_hash

    assert value_hash(["a"]) == value_hash(("a",))
    assert value_hash(dt.date(2023, 1, 2)) == value_hash("2023-01-02")  # a person quoting a date
    assert value_hash(True) != value_hash(1) and value_hash(None) != value_hash([])


def test_state_file_is_sorted_one_entry_per_line_and_round_trips(content):
    from site_builder.ingest.state import load_state, render_state

    add_source(content, "004_daily.txt", DAILY)
    run(content)
    path = content / STATE_FILE
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    paper_lines = lines[lines.index('"papers": {') + 1 : lines.index('"sources": {') - 1]
    assert len(paper_lines) == 4
    keys = [json.loads("{" + line.rstrip(",") + "}") for line in paper_lines]
    assert [next(iter(k)) for k in keys] == sorted(next(iter(k)) for k in keys)
    assert render_state(load_state(path)) == text
    assert json.loads(text)["version"] == 1
