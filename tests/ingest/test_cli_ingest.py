"""`site-builder ingest` on the command line: defaults, options and the summary it prints."""

from __future__ import annotations

import subprocess
import sys

from ingest_helpers import REPO, SEEDS, add_source, daily_list

from site_builder.cli import main

LIST = "\n".join((SEEDS / "001_f04deae0d2f5f7cf.txt").read_text(encoding="utf-8").split("\n")[:9]) + "\n"  # 3 papers
DAILY = daily_list(
    "Feb 5",
    ("Understanding the Unstable Convergence of Gradient Descent", "Shorter.", "  • 3 authors", "Sep 2, 2025 5"),
    ("Federated Averaging Revisited", "We revisit federated averaging.", "  • 2 authors", "May 8 1"),
)


def cli(*args: str, cwd=REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "site_builder", *args], capture_output=True, text=True, cwd=cwd)


def test_summary_lines(tmp_path):
    content = tmp_path / "content"
    add_source(content, "001_list.txt", LIST)
    add_source(content, "004_daily.txt", DAILY)
    (content / "topics.yaml").write_text(
        "- slug: federated\n  name: Federated learning\n  keywords: [federated]\n", encoding="utf-8"
    )
    result = cli("ingest", "--content", str(content), "--as-of", "2026-11-24")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        "001_list.txt: profile-list, 3 papers",
        "004_daily.txt: daily-list, 2 papers",
        "papers: 4 from 5 entries (1 merged duplicates)",
        "files: 4 new, 0 updated, 0 unchanged",
        "edits kept: 0, deleted by hand (not recreated): 0",
        "topic coverage: 1/4 papers (25.0%) have at least one topic",
    ]
    again = cli("ingest", "--content", str(content))
    assert again.returncode == 0
    assert "files: 0 new, 0 updated, 4 unchanged" in again.stdout.splitlines()


def test_default_content_folder_is_content_in_the_working_directory(tmp_path):
    add_source(tmp_path / "content", "001_list.txt", LIST)
    result = cli("ingest", "--as-of", "2026-11-24", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(list((tmp_path / "content" / "papers").glob("*.md"))) == 3
    assert (tmp_path / "content" / ".ingest-state.json").is_file()


def test_dumps_named_on_the_command_line_are_added_to_sources(tmp_path, capsys):
    dump = tmp_path / "elsewhere" / "004_daily.txt"
    dump.parent.mkdir()
    dump.write_text(DAILY, encoding="utf-8")
    content = tmp_path / "content"
    add_source(content, "001_list.txt", LIST)
    assert main(["ingest", str(dump), "--content", str(content), "--as-of", "2026-11-24"]) == 0
    assert (content / "sources" / "004_daily.txt").read_text(encoding="utf-8") == DAILY
    out = capsys.readouterr().out
    assert "001_list.txt: profile-list, 3 papers\n004_daily.txt: daily-list, 2 papers\n" in out


def test_bad_as_of_is_a_usage_error(tmp_path):
    result = cli("ingest", "--content", str(tmp_path), "--as-of", "24/11/2026")
    assert result.returncode == 2
    assert "expected a date as YYYY-MM-DD" in result.stderr and "Traceback" not in result.stderr


def test_help_describes_the_options():
    result = cli("ingest", "--help")
    assert result.returncode == 0
    for option in ("DUMP", "--content", "--as-of"):
        assert option in result.stdout


def test_no_sources_at_all_is_fine(tmp_path):
    result = cli("ingest", "--content", str(tmp_path / "content"), "--as-of", "2026-11-24")
    assert result.returncode == 0, result.stderr
    assert "papers: 0 from 0 entries (0 merged duplicates)" in result.stdout
