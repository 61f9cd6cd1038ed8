"""The benchmark, run small so it cannot rot: the generator's corpus (deterministic, in the
content contract, readable by the real loader and ingest) and the runner end to end.

No timing is asserted here; the targets are checked by `python -m benchmarks.run --check`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # `benchmarks/` is a folder of the repository, not an installed package
    sys.path.insert(0, str(REPO))

from benchmarks import generate, hugo, measure, report, run  # noqa: E402
from benchmarks.corpus import Corpus  # noqa: E402
from site_builder.cache import CACHE_DIR_NAME, BuildCache  # noqa: E402
from site_builder.ingest.frontmatter import PAPER_FIELDS, parse_paper  # noqa: E402
from site_builder.slugs import make_slug  # noqa: E402

PAPERS = 300


def folder_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bench") / "content"
    generate.write_content(folder, PAPERS, seed=1)
    return folder


def test_generator_is_deterministic(content, tmp_path):
    again, other = tmp_path / "again", tmp_path / "other"
    generate.write_content(again, PAPERS, seed=1)
    generate.write_content(other, PAPERS, seed=2)
    assert folder_hash(again) == folder_hash(content)
    assert folder_hash(other) != folder_hash(content)
    generate.write_dumps(tmp_path / "d1", PAPERS, seed=1)
    generate.write_dumps(tmp_path / "d2", PAPERS, seed=1)
    assert folder_hash(tmp_path / "d1") == folder_hash(tmp_path / "d2")


def test_content_follows_the_contract(content):
    files = sorted((content / "papers").glob("*.md"))
    assert len(files) == PAPERS
    assert {p.name for p in (content / "authors").glob("*.yaml")}, "a few author profiles"
    assert (content / "topics.yaml").is_file() and (content / "site.yaml").is_file()
    titles, authors, categories, tags = set(), {}, set(), set()
    with_math = 0
    for path in files:
        fields, body = parse_paper(path.read_text(encoding="utf-8"), str(path))
        assert tuple(fields) == PAPER_FIELDS, path
        assert fields["slug"] == path.stem == make_slug(fields["title"])
        assert 120 <= len(body.split()) <= 260, path  # 120-250 words, plus a closing "Code is available" line
        assert 1 <= len(fields["tags"]) <= 4 and fields["categories"]
        assert fields["authors"] or fields["author_count"], "some authors or at least a count"
        if not fields["authors_complete"] and fields["authors"]:
            assert len(fields["authors"]) == 3  # "A, B, C et al."
        assert fields["added"] is not None and (fields["date"] is None or fields["date"] <= fields["added"])
        titles.add(fields["title"].casefold())
        for name in fields["authors"]:
            authors[name] = authors.get(name, 0) + 1
        categories.update(fields["categories"])
        tags.update(fields["tags"])
        with_math += "$" in body
    assert len(titles) == PAPERS
    assert max(authors.values()) >= 10 and min(authors.values()) == 1, "authors repeat, Zipf-like"
    assert len(categories) >= 8 and len(tags) >= 40
    assert PAPERS * 0.35 < with_math < PAPERS * 0.65


def test_the_next_day_brings_new_papers_by_the_corpus_authors(content):
    added = generate.next_day_files(PAPERS, seed=1)
    assert added == generate.next_day_files(PAPERS, seed=1)  # deterministic
    corpus = Corpus(PAPERS, 1)
    last_day = [len(papers) for _day, papers in corpus.days()][-1]
    assert len(added) == last_day
    existing = {p.name for p in (content / "papers").glob("*.md")}
    assert not existing & added.keys(), "new slugs"
    known = set(corpus.authors)
    for name, data in added.items():
        fields, _body = parse_paper(data.decode("utf-8"), name)
        assert fields["added"] > generate.END_DATE and fields["added"].weekday() < 5  # the next weekday
        assert set(fields["authors"]) <= known


def test_real_loader_reads_the_corpus(content):
    from site_builder.content import load_content

    loaded = load_content(content, jobs=1)
    assert len(loaded.papers) == PAPERS
    assert len(loaded.topic_names) == 60
    assert loaded.profiles


def test_ingest_of_the_dumps_gives_back_the_corpus(tmp_path):
    from site_builder.ingest import run_ingest

    dumps = tmp_path / "dumps"
    generate.write_dumps(dumps, PAPERS, seed=3)
    target = tmp_path / "content"
    target.mkdir()
    (target / "topics.yaml").write_text(generate.topics_yaml(), encoding="utf-8")
    result = run_ingest(generate.dump_files(dumps), target, as_of=generate.DUMPS_AS_OF, log=lambda _line: None)
    assert result.exit_code == 0

    corpus = Corpus(PAPERS, 3, end=generate.DUMPS_AS_OF, weekdays=generate.DUMP_WEEKDAYS)
    expected = {p.slug: p for _day, papers in corpus.days() for p in papers}
    written = sorted((target / "papers").glob("*.md"))
    assert len(written) == PAPERS
    for path in written:
        fields, body = parse_paper(path.read_text(encoding="utf-8"), str(path))
        paper = expected[path.stem]
        assert (fields["title"], body) == (paper.title, paper.abstract)
        assert fields["date"] == (paper.date or paper.added) and fields["added"] == paper.added
        from_profile = any(s.startswith("profile-") for s in fields["sources"])
        assert fields["categories"] == ([paper.categories[0]] if from_profile else [])  # daily lists show none
        assert tuple(fields["tags"]) == paper.tags  # the topic rules find exactly the paper's topics
        assert fields["upvotes"] == (paper.upvotes or None)  # the list shows no count of 0
        assert fields["code"] == (paper.code and from_profile)
        if fields["authors"]:  # from a profile page: three names, then "et al."
            assert tuple(fields["authors"]) == paper.all_authors[:3]
        if paper.organization is None:
            assert fields["author_count"] == len(paper.all_authors)
        else:
            assert paper.organization[1] in fields["organization"]


def test_stage_seconds_are_read_from_the_build_summary(tmp_path):
    from site_builder.build import BuildReport, summary

    built = BuildReport(tmp_path, {"paper": 3}, feeds=2, files=9, bytes=1000, searched=False,
                        seconds={"load": 1.25, "pages": 2.5, "write": 0.75})
    assert report.parse_stage_seconds("\n".join(summary(built))) == {"load": 1.25, "pages": 2.5, "write": 0.75}
    assert report.parse_stage_seconds("no timings here") == {}


def test_bytecode_is_kept_under_the_work_folder_only_where_it_would_not_be_written(tmp_path):
    environ = {"PATH": "/bin", "PYTHONDONTWRITEBYTECODE": "1"}
    env = run.with_bytecode(environ, tmp_path)
    assert env == {"PATH": "/bin", "PYTHONPYCACHEPREFIX": str(tmp_path.absolute() / "pycache")}
    assert environ == {"PATH": "/bin", "PYTHONDONTWRITEBYTECODE": "1"}, "the caller's mapping unchanged"
    assert run.with_bytecode({"PATH": "/bin"}, tmp_path) == {"PATH": "/bin"}


def test_check_compares_medians_with_the_targets():
    def scenario(name, seconds, mb=100.0, size=10000):
        return report.Scenario(size, name, 100, 100, seconds, mb, mb)

    verdicts = {v.target: v.passed for v in report.check_targets(
        [scenario("cold", [7.0, 7.2, 9.0]), scenario("no-op", [1.5]), scenario("cold", [70.0], mb=2500, size=100000)],
        search=False,
    )}
    assert verdicts["cold build of 10,000 papers <= 7.5 s"] is True  # the median, not the worst run
    assert verdicts["no-op rebuild of 10,000 papers <= 1 s"] is False
    assert verdicts["cold build of 100,000 papers <= 11x the 10,000-paper time"] is True
    assert verdicts["cold build of 100,000 papers <= 2 GB"] is False
    assert verdicts["one edit at 10,000 papers <= 2 s"] is None  # not measured


def test_growth_ratios_run_by_run_only_for_interleaved_runs():
    def cold(size, seconds, cpu, interleaved):
        return report.Scenario(size, "cold", 100, 100, seconds, 100.0, 100.0, run_cpu_seconds=cpu,
                               interleaved=interleaved)

    small = cold(10000, [7.0, 8.0, 7.5], [12.0, 14.0, 13.0], True)
    large = cold(100000, [77.0, 96.0, 80.0], [144.0, 150.0, 160.0], True)
    assert report.growth_ratios(small, large) == (
        "10.67x; CPU seconds 11.54x; run by run (interleaved) 11.00x, 12.00x, 10.67x; CPU run by run 12.00x, 10.71x, 12.31x")
    small.interleaved = False
    assert report.growth_ratios(small, large) == "10.67x; CPU seconds 11.54x"
    [growth] = [v for v in report.check_targets([small, large], search=False) if "11x" in v.target]
    assert growth.passed is True and growth.detail == "80.00s (limit 82.5s); 10.67x; CPU seconds 11.54x"


def test_interleaved_runs_take_the_sizes_in_turns(tmp_path, capsys, monkeypatch):
    small, large = 40, 60
    delete = run._delete_noted

    def logged_delete(work, doomed):
        if doomed:
            print("deleting", file=sys.stderr)
        delete(work, doomed)

    monkeypatch.setattr(run, "_delete_noted", logged_delete)
    evict, evicted = run.evict_kept_outputs, []

    def logged_evict(work, keep):
        evicted.append((invocation, keep.parent.name, keep.name, run.kept_outputs(work, keep)))
        return evict(work, keep)

    monkeypatch.setattr(run, "evict_kept_outputs", logged_evict)
    for invocation in range(2):  # the second time, the first time's outputs are there to delete
        exit_code = run.main(["--sizes", str(small), str(large), "--runs", "2", "--work", str(tmp_path), "--no-ingest",
                              "--settle", "0", "--interleave"])
        captured = capsys.readouterr()
        assert exit_code == 0, captured.out + captured.err
    steps = [line.split(" run ")[0] for line in captured.err.splitlines() if " run " in line or line == "deleting"]
    assert steps == ["deleting", "deleting",  # the build caches of the outputs deleted last time (`_clean_for_cold`)
                     f"[{small}] cold", f"[{large}] cold", f"[{large}] cold", f"[{small}] cold",  # A B, B A
                     f"[{small}] no-op", f"[{small}] no-op", f"[{small}] one edit", f"[{small}] one edit",
                     f"[{small}] new day", f"[{small}] new day",
                     f"[{large}] no-op", f"[{large}] no-op", f"[{large}] one edit", f"[{large}] one edit",
                     f"[{large}] new day", f"[{large}] new day",
                     "deleting", "deleting"], "old outputs deleted only after every build"
    # Before each run of the second time, every kept output but the one built was dropped from the page cache.
    second = [(run_dir, name, kept) for number, run_dir, name, kept in evicted if number == 1]
    assert [(run_dir, name) for run_dir, name, _kept in second[:4]] == [
        (f"corpus-{small}-s1", "public-cold-3"), (f"corpus-{large}-s1", "public-cold-3"),
        (f"corpus-{large}-s1", "public-cold-4"), (f"corpus-{small}-s1", "public-cold-4")]
    assert {(p.parent.name, p.name) for p in second[3][2] if CACHE_DIR_NAME not in p.parts} == {
        (f"corpus-{size}-s1", f"public-cold-{n}") for size in (small, large) for n in (2, 3, 4)} - {
        (f"corpus-{small}-s1", "public-cold-4")}, "every kept output but the one built"
    assert len(second) > 4 and all(name == "public-cold-4" for _d, name, _kept in second[4:]), "rebuilds of the last"
    rows = [line.split("|")[1:3] for line in captured.out.splitlines() if line.startswith("| ") and "scenario" not in line]
    assert [(int(n.strip()), name.strip()) for n, name in rows] == [
        (small, "cold"), (small, "no-op"), (small, "one edit"), (small, "new day"),
        (large, "cold"), (large, "no-op"), (large, "one edit"), (large, "new day")]
    for size in (small, large):  # the rebuilds used the last cold output, the only one kept
        corpus = tmp_path / f"corpus-{size}-s1"
        assert [p.name for p in corpus.glob("public*")] == ["public-cold-4"]
        assert (corpus / "public-cold-4" / "index.html").is_file()


def test_runner_end_to_end(tmp_path, capsys, monkeypatch):
    # As on a machine that keeps `__pycache__` out of checkouts: the timed builds still run
    # compiled bytecode, written under the work folder (`run.with_bytecode`).
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.delenv("PYTHONPYCACHEPREFIX", raising=False)
    exit_code = run.main(["--sizes", str(PAPERS), "--runs", "1", "--work", str(tmp_path), "--check"])
    table, log = capsys.readouterr()
    rows = [line for line in table.splitlines() if line.startswith(f"| {PAPERS} |")]
    assert [row.split("|")[2].strip() for row in rows] == ["cold", "no-op", "one edit", "new day", "ingest"], table
    header = [cell.strip() for cell in table.splitlines()[0].split("|")]
    cold = dict(zip(header, (cell.strip() for cell in rows[0].split("|"))))
    assert 0 < float(cold["CPU s"]) and 0 < float(cold["ref. loop s"]) and 0 <= float(cold["page us"]), table
    assert exit_code == 0, table  # nothing failed, and no target applies at this size

    corpus = tmp_path / f"corpus-{PAPERS}-s1"
    slugs = {p.stem for p in (corpus / "data" / "papers").glob("*.md")}
    assert [p.name for p in corpus.glob("public*")] == ["public-cold-1"], "only the last cold output is kept"
    built = {p.parent.name for p in (corpus / "public-cold-1" / "papers").glob("*/index.html")}
    assert built == slugs and len(slugs) == PAPERS, "the build wrote a page per paper"
    assert "(Benchmark edit" not in run.edited_paper(corpus / "data").read_text(encoding="utf-8"), "edit undone"
    assert len(list((tmp_path / f"dumps-{PAPERS}-s1" / "ingested-1" / "papers").glob("*.md"))) == PAPERS
    warm_up = tmp_path / f"warm-up-{run.WARM_UP_PAPERS}-s1"
    assert (warm_up / "data" / "papers").is_dir() and "warm-up build failed" not in log
    assert sorted(p.name for p in warm_up.iterdir()) == ["data", "generated.json"], "its output and cache deleted"
    compiled = {p.name.split(".")[0] for p in (tmp_path / "pycache").rglob("site_builder/*.pyc")}
    assert {"build", "render", "content"} <= compiled, "the builds' bytecode, kept under the work folder"
    assert os.environ.get("PYTHONDONTWRITEBYTECODE") == "1" and "PYTHONPYCACHEPREFIX" not in os.environ, \
        "this process's environment as it was"

    # Again in the same work folder: new output folders, the old ones deleted only at the end.
    assert run.main(["--sizes", str(PAPERS), "--runs", "2", "--work", str(tmp_path), "--no-ingest"]) == 0
    assert [p.name for p in corpus.glob("public*")] == ["public-cold-3"]
    assert (tmp_path / run.DELETED_MARKER).is_file()  # when, for the next invocation's --settle


def test_a_cold_run_finds_no_cache_left_by_an_interrupted_run(tmp_path, capsys):
    """An invocation stopped during a cold run leaves that run's build cache (with its store
    of parsed papers) but no output; the next invocation's cold run, given the same number,
    must not read it."""
    run.main(["--sizes", str(PAPERS), "--runs", "1", "--work", str(tmp_path), "--no-ingest"])
    corpus = tmp_path / f"corpus-{PAPERS}-s1"
    [kept] = list((corpus / CACHE_DIR_NAME).iterdir())
    assert (kept / "papers").is_dir(), "a build's cache holds the store of parsed papers"
    # What the interrupted run of public-cold-2 left: its cache, with a store, and no output.
    stale = BuildCache.for_build(corpus / "data", corpus / "public-cold-2")
    assert stale is not None
    shutil.copytree(kept / "papers", stale.folder / "papers")
    (stale.folder / "papers" / "left-by-the-interrupted-run").touch()

    assert run.main(["--sizes", str(PAPERS), "--runs", "1", "--work", str(tmp_path), "--no-ingest", "--settle", "0"]) == 0
    capsys.readouterr()
    assert [p.name for p in corpus.glob("public*")] == ["public-cold-2"]
    assert (tmp_path / run.DELETED_MARKER).is_file(), "the clean-up is noted, for --settle"
    assert (stale.folder / "papers").is_dir(), "the cold run made its own cache"
    assert not (stale.folder / "papers" / "left-by-the-interrupted-run").exists()


def test_cleaning_for_cold_runs_is_noted_for_the_settle_wait_only_when_it_deletes(tmp_path):
    corpus = tmp_path / "corpus-10-s1"
    (corpus / "data" / "papers").mkdir(parents=True)
    (corpus / "public-cold-1").mkdir()
    marker = tmp_path / run.DELETED_MARKER
    run._clean_for_cold(corpus, corpus / "data")
    assert not marker.exists(), "nothing to delete: nothing to wait for"
    kept = BuildCache.for_build(corpus / "data", corpus / "public-cold-1")
    stale = BuildCache.for_build(corpus / "data", corpus / "public-cold-2")  # no such output
    assert stale is not None and kept is not None
    run._clean_for_cold(corpus, corpus / "data")
    assert marker.is_file() and not stale.folder.exists() and kept.folder.is_dir()


def test_measuring_waits_for_the_file_system_to_settle_after_a_clean_up(tmp_path, monkeypatch):
    clock = [1_000_000.0]
    waits: list[float] = []
    marker = tmp_path / run.DELETED_MARKER
    deletions_meanwhile: list[float] = []  # another invocation deleting while this one waits

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock[0] += seconds
        if deletions_meanwhile:
            marker.write_text(f"{deletions_meanwhile.pop()}\n")

    monkeypatch.setattr(run.time, "sleep", sleep)
    monkeypatch.setattr(run.time, "time", lambda: clock[0])
    run.settle(tmp_path, 360, log=lambda _line: None)
    assert waits == []  # nothing deleted yet
    marker.write_text(f"{clock[0] - 60}\n")
    run.settle(tmp_path, 360, log=lambda _line: None)
    assert waits == [300]
    run.settle(tmp_path, 30, log=lambda _line: None)
    assert waits == [300]  # long enough ago
    marker.write_text(f"{clock[0]}\n")
    deletions_meanwhile.append(clock[0] + 100)  # ends 100 s into the wait
    run.settle(tmp_path, 360, log=lambda _line: None)
    assert waits == [300, 360, 100]

def test_the_reference_loop_takes_longer_for_more_iterations():
    assert measure.reference_seconds(2_000_000) > measure.reference_seconds(10_000) > 0


def test_a_fresh_page_costs_more_than_a_present_one(monkeypatch):
    # The figure is a fresh page's own cost, the loop's taken off: about nothing when the pages
    # "mapped" are ones the process has already touched.
    fresh = measure.page_touch_us(32)
    present = bytearray(32 << 20)
    present[::4096] = b"\1" * len(present[::4096])  # every page touched once already

    class Mapped:
        def __init__(self, *_args):
            pass

        def __enter__(self):
            return present

        def __exit__(self, *_exc):
            return False

    monkeypatch.setattr(measure.mmap, "mmap", Mapped)
    assert fresh > 0
    assert min(measure.page_touch_us(32) for _ in range(3)) < fresh / 2


def test_memory_samples_are_spaced_by_what_they_cost(monkeypatch):
    """A sample of three 1 GB processes took 80 ms: sampled every 0.25 s, they slowed the build
    they measured by a tenth. The sampler waits at least SAMPLE_COST_FACTOR times a sample's cost."""
    ticks = iter([0.0, 0.1, 10.0, 10.001])  # a slow sample (0.1 s), then a quick one (1 ms)
    monkeypatch.setattr(measure, "time", SimpleNamespace(perf_counter=lambda: next(ticks)))
    samples: list[int] = []
    monkeypatch.setattr(measure, "_descendants", lambda root: (samples.append(root), [root, root + 1])[1])
    monkeypatch.setattr(measure, "_memory_kb", lambda pid: 1000)
    sampler = measure._TreeSampler(12345)
    sampler.available = True
    waits: list[float] = []

    def wait(seconds):
        waits.append(seconds)
        if len(waits) == 2:
            sampler._stopping.set()
        return sampler._stopping.is_set()

    monkeypatch.setattr(sampler._stopping, "wait", wait)
    sampler.run()  # here, not as a thread
    assert waits == [pytest.approx(0.1 * measure.SAMPLE_COST_FACTOR), measure.SAMPLE_SECONDS]
    assert len(samples) == 2 and sampler.peak_kb == 2000
    assert measure.sample_wait(0.0) == measure.SAMPLE_SECONDS


def test_reclaimed_pages_are_read_from_vmstat(tmp_path):
    vmstat = tmp_path / "vmstat"
    vmstat.write_text("nr_free_pages 100\npgsteal_kswapd 1500\npgsteal_direct 25\npgsteal_proactive 300\n"
                      "pgsteal_khugepaged 7\npgscan_kswapd 9\n")
    assert measure.reclaimed_pages(vmstat) == 1825  # by the kernel thread, allocations and memory.reclaim, nothing else
    vmstat.write_text("nr_free_pages 100\n")
    assert measure.reclaimed_pages(vmstat) is None, "a kernel without the counters: unknown, not 0"
    assert measure.reclaimed_pages(tmp_path / "missing") is None


def _kdamond(root, number, state, schemes):
    """A fake /sys/kernel/mm/damon/admin/kdamonds/<number> with `schemes`: (action, sz_applied)."""
    daemon = root / str(number)
    (daemon / "contexts" / "0" / "schemes").mkdir(parents=True)
    (daemon / "state").write_text(state + "\n")
    for i, (action, applied) in enumerate(schemes):
        scheme = daemon / "contexts" / "0" / "schemes" / str(i)
        (scheme / "stats").mkdir(parents=True)
        (scheme / "action").write_text(action + "\n")
        (scheme / "stats" / "sz_applied").write_text(f"{applied}\n")
    return daemon


def test_damon_pageout_is_read_after_its_statistics_are_refreshed(tmp_path):
    root = tmp_path / "kdamonds"
    root.mkdir()
    (root / "nr_kdamonds").write_text("2\n")
    running = _kdamond(root, 0, "on", [("pageout", 4096), ("stat", 10**9), ("pageout", 8192)])
    _kdamond(root, 1, "off", [("pageout", 10**9)])
    assert measure.damon_paged_out_bytes(root) == 12288, "the pageout schemes of running kdamonds only"
    assert (running / "state").read_text() == "update_schemes_stats", "the statistics are refreshed before they are read"
    assert measure.damon_paged_out_bytes(tmp_path / "missing") is None
    idle = tmp_path / "idle"
    idle.mkdir()
    _kdamond(idle, 0, "on", [("stat", 5)])
    assert measure.damon_paged_out_bytes(idle) is None, "no pageout scheme: unknown, not 0"


def test_damon_pageout_is_unknown_where_its_statistics_cannot_be_refreshed(tmp_path, monkeypatch):
    root = tmp_path / "kdamonds"
    _kdamond(root, 0, "on", [("pageout", 4096)])
    assert measure.damon_paged_out_bytes(root) == 4096
    _kdamond(root, 1, "on", [("pageout", 4096)])

    def refused(path, text):  # what a user other than root gets from sysfs
        raise PermissionError(13, "Permission denied", str(path))
    monkeypatch.setattr(Path, "write_text", refused)
    assert measure.damon_paged_out_bytes(root) is None, "stale statistics would be counted as if fresh"


def test_reclaimed_memory_adds_damon_pageout_where_both_readings_have_it():
    page = measure._PAGE_BYTES
    mb = 2**20
    assert measure.reclaimed_between((10, 5 * mb), (10 + mb // page, 8 * mb)) == pytest.approx(4.0)
    assert measure.reclaimed_between((10, None), (10 + mb // page, 8 * mb)) == pytest.approx(1.0)
    assert measure.reclaimed_between((10, 9 * mb), (10, 2 * mb)) == 0.0, "a restarted kdamond counts from 0 again"
    assert measure.reclaimed_between((None, 0), (None, mb)) is None


def test_inputs_are_read_before_a_run(content):
    """Every file under the content (nested folders too) is read: the runs start alike."""
    files = [p for p in content.rglob("*") if p.is_file()]
    assert run.read_inputs(content) == (len(files), sum(p.stat().st_size for p in files))
    assert len(files) > PAPERS  # papers, author profiles, topics.yaml, site.yaml


# --- Hugo on the same corpus (`--hugo`) ----------------------------------------------------


def test_the_check_compares_the_cold_build_with_half_of_hugos_time():
    def cold(name, seconds):
        return report.Scenario(10000, name, 100, 100, seconds, 100.0, 100.0)

    def hugo_verdict(ours, hugo):
        return [v for v in report.check_targets([ours, hugo], search=False) if "Hugo" in v.target]

    [verdict] = hugo_verdict(cold("cold", [9.0, 10.0, 12.0]), cold(report.HUGO_COLD, [19.0, 22.0, 21.0]))
    assert verdict.passed is True  # 10.0 s against half of 21.0 s
    assert verdict.detail == "10.00s (limit 10.5s); Hugo 21.00s; 0.48 of it; run by run 0.47, 0.45, 0.57"
    [verdict] = hugo_verdict(cold("cold", [11.0, 12.0, 13.0]), cold(report.HUGO_COLD, [19.0, 22.0, 21.0]))
    assert verdict.passed is False
    assert not any("Hugo" in v.target for v in report.check_targets([cold("cold", [7.0])], search=False)), \
        "no Hugo runs: no such verdict"
    broken = cold(report.HUGO_COLD, [1.0])
    broken.failed = True
    [verdict] = hugo_verdict(cold("cold", [7.0]), broken)
    assert verdict.passed is None, "Hugo failing says nothing of site_builder"


def test_hugo_is_asked_for_but_not_installed(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(run.hugo, "find_hugo", lambda: None)
    with pytest.raises(SystemExit) as exit_info:
        run.main(["--sizes", "40", "--runs", "1", "--work", str(tmp_path), "--hugo"])
    assert exit_info.value.code == 2
    assert "apt-get install hugo" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("hugo") is None, reason="needs the hugo program (Debian: apt-get install hugo)")
def test_hugo_builds_the_same_corpus_in_turns_with_the_cold_runs(tmp_path, capsys):
    papers = 40
    exit_code = run.main(["--sizes", str(papers), "--runs", "2", "--work", str(tmp_path), "--no-ingest",
                          "--settle", "0", "--hugo"])
    table, log = capsys.readouterr()
    assert exit_code == 0, table + log
    steps = [line.split(" run ")[0] for line in log.splitlines() if " run " in line]
    assert steps[:4] == [f"[{papers}] cold", f"[{papers}] {report.HUGO_COLD}", f"[{papers}] {report.HUGO_COLD}",
                         f"[{papers}] cold"], "in turns: A B, B A"
    rows = {cells[2].strip(): cells for cells in (line.split("|") for line in table.splitlines())
            if len(cells) > 3 and cells[1].strip() == str(papers)}
    assert list(rows) == ["cold", report.HUGO_COLD, "no-op", "one edit", "new day"], table
    assert int(rows[report.HUGO_COLD][3].replace(",", "")) > papers, "Hugo wrote a page per paper and the lists"
    assert "Hugo: hugo v" in table, "the report names Hugo's version"
    corpus = tmp_path / f"corpus-{papers}-s1"
    assert not list(corpus.glob("hugo-cold-*")), "Hugo's outputs deleted after the runs"
    site = tmp_path / f"hugo-site-corpus-{papers}-s1"
    assert (site / "content" / "papers").resolve() == (corpus / "data" / "papers").resolve()
    assert not list(REPO.joinpath("benchmarks", "hugo_site").glob(".hugo_build.lock")), "nothing written in the repository"


@pytest.mark.parametrize("site", sorted(hugo.HUGO_SITES))
def test_hugo_site_option_picks_the_site_hugo_builds(tmp_path, monkeypatch, site):
    # `--hugo-site` reaches the site prepared for Hugo's runs (the runs themselves not made here).
    prepared = []
    monkeypatch.setattr(run.hugo, "prepare_site", lambda folder, content, chosen: prepared.append(chosen) or folder)
    monkeypatch.setattr(run._Runs, "measure", lambda self, out, before=None: None)
    options = run.Options(runs=1, search=False, jobs=None, hugo="hugo", hugo_site=site)
    run_dir = tmp_path / "corpus-10-s1"
    run_dir.mkdir()
    _ours, theirs = run.cold_in_turns([(10, run_dir, run_dir / "data")], options, lambda line: None)
    assert prepared == [hugo.HUGO_SITES[site]] and list(theirs) == [10]


@pytest.mark.skipif(shutil.which("hugo") is None, reason="needs the hugo program (Debian: apt-get install hugo)")
def test_hugos_same_pages_site_makes_the_pieces_of_site_builders_pages(content, tmp_path):
    # `--hugo-site same-pages`: the pieces site_builder's pages have, made by Hugo, so that the
    # comparison is of the same work. A template error in it would fail Hugo's build.
    site = hugo.prepare_site(tmp_path / "site", content, hugo.HUGO_SITES["same-pages"])
    out = tmp_path / "out"
    done = subprocess.run(hugo.hugo_command(shutil.which("hugo"), site, out), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    papers = sorted((content / "papers").glob("*.md"))
    pages = sorted(out.glob("papers/*/index.html"))
    assert len(pages) == len(papers)
    fields, _body = parse_paper(papers[0].read_text(encoding="utf-8"), papers[0].name)
    html = (out / "papers" / fields["slug"] / "index.html").read_text(encoding="utf-8")
    for piece in ('name="citation_title"', 'name="citation_author"', 'application/ld+json', '"@type":"ScholarlyArticle"',
                  'class="bibtex"', 'class="chips"'):
        assert piece in html, piece
    texts = [p.read_text(encoding="utf-8") for p in pages]
    assert sum('class="related"' in t for t in texts) > len(pages) // 2, "most papers have related papers"
    authors = [p.read_text(encoding="utf-8") for p in out.glob("authors/*/index.html")]
    assert authors and sum("Co-authors" in t for t in authors) > len(authors) // 2
    assert any('class="card-excerpt"' in t for t in authors)
    assert list(out.glob("days/*/index.html")), "a page per digest day"
    assert not any("<item>" in p.read_text(encoding="utf-8") for p in out.glob("days/*/index.xml")), \
        "no feed per day, as site_builder's"
    feed = next(out.glob("authors/*/index.xml")).read_text(encoding="utf-8")
    assert feed.count("<item>") >= 1 and "&lt;p&gt;" in feed, "feed items hold the abstract"
    assert not list(hugo.HUGO_SITES["same-pages"].glob(".hugo_build.lock")), "nothing written in the repository"


@pytest.mark.skipif(not hasattr(os, "posix_fadvise") or not Path("/proc/self/fd").is_dir(),
                    reason="the page cache is dropped with posix_fadvise; /proc names the files")
def test_kept_outputs_but_the_one_built_are_dropped_from_the_page_cache(tmp_path, monkeypatch):
    # The outputs kept until the runs are done stay on the disk, out of memory: all but the
    # one a run builds into, with their build caches (named by the output folder they serve).
    def output(run_dir: str, name: str) -> Path:
        out = tmp_path / run_dir / name
        (out / "papers" / "a").mkdir(parents=True)
        (out / "index.html").write_text("x")
        (out / "papers" / "a" / "index.html").write_text("x")
        cache = BuildCache.for_build(tmp_path / run_dir / "data", out)
        (cache.folder / "store").write_text("x")
        return out

    small_1, small_2 = output("corpus-10-s1", "public-cold-1"), output("corpus-10-s1", "public-cold-2")
    large_1, hugo_1 = output("corpus-20-s1", "public-cold-1"), output("corpus-20-s1", "hugo-cold-1")
    (tmp_path / "corpus-10-s1" / "data" / "papers").mkdir(parents=True)
    (tmp_path / "corpus-10-s1" / "data" / "papers" / "p.md").write_text("x")  # the content: read before each run
    kept = run.kept_outputs(tmp_path, keep=small_2)
    assert [p for p in kept if CACHE_DIR_NAME not in p.parts] == [small_1, hugo_1, large_1]
    caches = [p for p in kept if CACHE_DIR_NAME in p.parts]
    assert sorted((p / "out").read_text().strip() for p in caches) == sorted(map(str, (small_1, large_1, hugo_1)))

    dropped: list[str] = []
    monkeypatch.setattr(os, "posix_fadvise", lambda fd, offset, length, advice: dropped.append(os.readlink(f"/proc/self/fd/{fd}")))
    files = run.evict_kept_outputs(tmp_path, keep=small_2)
    assert files == len(dropped) == 3 * 2 + 3 * 2  # two pages an output; a cache's out and store
    assert not [path for path in dropped if path.startswith((str(small_2), str(tmp_path / "corpus-10-s1" / "data")))]
    assert {Path(path).parent.parent.parent for path in dropped if path.endswith("a/index.html")} == {small_1, large_1, hugo_1}
