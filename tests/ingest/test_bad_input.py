"""Bad dumps end to end: a message naming the file (and line), the good dumps still ingested,
exit code 1, nothing copied into sources/, no traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest
from ingest_helpers import REPO, SEEDS, add_source, daily_list, run

GOOD = "\n".join((SEEDS / "001_f04deae0d2f5f7cf.txt").read_text(encoding="utf-8").split("\n")[:6]) + "\n"  # 2 papers
GOOD_SLUGS = {
    "understanding-the-unstable-convergence-of-gradient-descent",
    "on-finding-small-hyper-gradients-in-bilevel-optimization-hardness-results-and",
}

BAD_DUMPS = {
    # name: (bytes, line the message must point at or None, words the message must contain)
    "non_utf8.txt": (GOOD.encode("utf-8").replace(b"Bilevel", b"Bil\xe9vel", 1), 5, "not UTF-8"),
    "empty.txt": (b"", None, "empty dump"),
    "blank.txt": (b"\n  \n\t\n", None, "empty dump"),
    "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), 3, "binary data"),  # the NUL is on line 3
    "unknown.txt": (b"Dear team,\n\nplease find the notes attached.\n", 1, "not a known dump format"),
}


@pytest.mark.parametrize("name", sorted(BAD_DUMPS))
def test_dump_rejected_as_a_whole_in_sources(tmp_path, name):
    data, line, words = BAD_DUMPS[name]
    content = tmp_path / "content"
    add_source(content, "001_good.txt", GOOD)
    bad = add_source(content, name, data)
    report, out, err = run(content)
    assert report.exit_code == 1
    where = f"{bad}:{line}: " if line else f"{bad}: "
    assert any(e.startswith(where) and words in e for e in err), err
    assert f"{name}: rejected" in out
    assert "001_good.txt: profile-list, 2 papers" in out
    assert {p.stem for p in (content / "papers").iterdir()} == GOOD_SLUGS


@pytest.mark.parametrize("name", sorted(BAD_DUMPS))
def test_dump_named_on_the_command_line_rejected_and_not_copied(tmp_path, name):
    data, line, words = BAD_DUMPS[name]
    content = tmp_path / "content"
    good = tmp_path / "001_good.txt"
    good.write_text(GOOD, encoding="utf-8")
    bad = tmp_path / name
    bad.write_bytes(data)
    report, out, err = run(content, [bad, good])
    assert report.exit_code == 1
    assert any(e.startswith(f"{bad}:") and words in e for e in err), err
    assert sorted(p.name for p in (content / "sources").iterdir()) == ["001_good.txt"]
    assert {p.stem for p in (content / "papers").iterdir()} == GOOD_SLUGS


def test_truncated_dump_keeps_its_complete_papers(tmp_path):
    content = tmp_path / "content"
    lines = GOOD.split("\n")
    truncated = add_source(content, "001_cut.txt", "\n".join(lines[:5]) + "\n")  # last abstract missing
    report, out, err = run(content)
    assert report.exit_code == 1
    assert "001_cut.txt: profile-list, 1 papers, 1 rejected" in out
    assert any(e.startswith(f"{truncated}:4: ") and "expected an abstract" in e for e in err), err
    assert {p.stem for p in (content / "papers").iterdir()} == {"understanding-the-unstable-convergence-of-gradient-descent"}


def test_block_broken_off_midway_in_a_daily_list(tmp_path):
    content = tmp_path / "content"
    text = daily_list(
        "May 25",
        ("First Paper on Sampling", "Abstract one.", "  • 2 authors", "Jul 7, 2023"),
        ("Second Paper on Sampling", "Abstract two.", "  • 3 authors", "Mar 16, 2025"),
    )
    broken = text.replace("·\nJul 7, 2023\n", "")  # the first block loses its '·' and date
    dump = add_source(content, "003_daily.txt", broken)
    report, out, err = run(content)
    assert report.exit_code == 1
    assert any(e.startswith(f"{dump}:") for e in err), err
    line = int(next(e for e in err if e.startswith(f"{dump}:")).split(":")[1])
    assert broken.split("\n")[line - 1].startswith(("First Paper", "Abstract one", "  •"))
    assert "second-paper-on-sampling" in {p.stem for p in (content / "papers").iterdir()}


def test_cli_reports_bad_dumps_without_traceback(tmp_path):
    content = tmp_path / "content"
    good = tmp_path / "001_good.txt"
    good.write_text(GOOD, encoding="utf-8")
    bad = tmp_path / "binary.txt"
    bad.write_bytes(BAD_DUMPS["binary.txt"][0])
    result = subprocess.run(
        [sys.executable, "-m", "site_builder", "ingest", str(bad), str(good), "--content", str(content), "--as-of", "2026-11-24"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert f"{bad}:3: binary data" in result.stderr
    assert "001_good.txt: profile-list, 2 papers" in result.stdout
    assert "binary.txt: rejected" in result.stdout
    assert len(list((content / "papers").iterdir())) == 2


def test_invalid_topics_file_stops_the_run_before_writing(tmp_path):
    content = tmp_path / "content"
    add_source(content, "001_good.txt", GOOD)
    (content / "topics.yaml").write_text("- slug: a\n  name: A\n  patterns: ['(']\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "site_builder", "ingest", "--content", str(content), "--as-of", "2026-11-24"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{content / 'topics.yaml'}:3: bad regular expression" in result.stderr
    assert not (content / "papers").exists()


def test_unreadable_state_file_is_an_error_naming_it(tmp_path):
    content = tmp_path / "content"
    add_source(content, "001_good.txt", GOOD)
    (content / ".ingest-state.json").write_text("{not json", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "site_builder", "ingest", "--content", str(content)],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{content / '.ingest-state.json'}:1: ingest state is unreadable" in result.stderr


def test_missing_dump_named_on_the_command_line(tmp_path):
    content = tmp_path / "content"
    add_source(content, "001_good.txt", GOOD)
    missing = tmp_path / "nowhere.txt"
    report, out, err = run(content, [missing])
    assert report.exit_code == 1
    assert any(e.startswith(f"{missing}: cannot read the dump") for e in err), err
    assert "nowhere.txt: rejected" in out
    assert len(list((content / "papers").iterdir())) == 2


def test_dump_name_must_end_in_txt(tmp_path):
    content = tmp_path / "content"
    dump = tmp_path / "dump.md"
    dump.write_text(GOOD, encoding="utf-8")
    report, _, err = run(content, [dump])
    assert report.exit_code == 1
    assert any(e.startswith(f"{dump}: ") and "must end in .txt" in e for e in err), err
    assert not (content / "sources" / "dump.md").exists()
