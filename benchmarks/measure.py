"""Run one command as a child process and measure it: wall time, peak memory, output.

Peak memory is measured two ways, because a build may use several processes (render workers,
Pagefind):
* `largest_mb`: the largest single process of the tree (`ru_maxrss` from `wait4`, which Linux
  reports as the maximum over the child and every descendant it waited for);
* `tree_mb`: the peak of the whole tree's memory added up (proportional set size, so pages the
  workers share with their parent are not counted twice), sampled from /proc. Short spikes
  between samples are missed, so the figure reported is max(tree, largest).
  A sample is not free: the kernel walks every page of every process for their proportional
  sizes, and holds each process's memory map while it does. With three processes of 1 GB (a
  100,000-paper build) one sample took 80 ms, 47 ms of it CPU, and sampled every 0.25 s they
  slowed that build by 7-10 s (63.4 -> 70.0 and 73.0 s, into tmpfs) against 0.1 s at 10,000
  papers: the benchmark inflated its own growth ratio by a tenth. So the sampler waits at
  least SAMPLE_SECONDS and at least SAMPLE_COST_FACTOR times what its last sample took
  (`sample_wait`), so it is busy a 40th of the time at most: a sample every 0.5-1 s at 10,000
  papers and every 3-4 s at 100,000, where memory grows over a minute.
Off Linux (no /proc) only `largest_mb` is known.

Two more figures help to compare runs made at different times: the CPU seconds of the tree
(user and system, from `wait4`: the child and every descendant it waited for), and `reference`,
the seconds a fixed pure-Python loop took just before the run. On a shared virtual machine the
same build is 10-40% slower at some hours than at others, and neither the load average nor
the steal time shows it. The loop is a rough gauge of that: it stays in the CPU's cache, so it
shows a smaller share of the CPU, not everything that slows a build with a large heap.
`page_us`, taken with it, is what a page of fresh memory costs (`page_touch_us`): the first
touch of a 4 KB page, a fault and a zeroed page. It is a few tenths of a microsecond on an
ordinary machine; the development VM is a nested hypervisor's guest, where it was 4-5 us on
2026-12-06 (a copy-on-write fault after a fork costs the same), and a build that touches more
memory pays more of it.

`reclaimed_mb` (Linux only) is the memory the kernel reclaimed during the run: `pgsteal_*` in
/proc/vmstat (by its background thread, by the build's own allocations, or asked for through
`memory.reclaim`), plus what DAMON's `pageout` schemes paged out, where DAMON runs and its
statistics can be refreshed (root). DAMON's reclaim is not counted in `pgsteal_*`: a VM that
pages out idle memory that way showed 0 there while it evicted gigabytes. A build that has to
evict cached files to get memory pays for it, in CPU taken from the build or in its own system
time. A cold run on a machine with enough free memory reclaims nothing.
"""

from __future__ import annotations

import mmap
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.25  # the shortest wait between two memory samples
SAMPLE_COST_FACTOR = 40  # and at least this many times the last sample's duration (see above)
_PROC = Path("/proc")


@dataclass(frozen=True)
class Measurement:
    seconds: float
    returncode: int
    largest_mb: float  # the largest single process
    tree_mb: float | None  # the whole process tree, summed (None where it cannot be sampled)
    output: str  # stdout and stderr, interleaved
    load: float | None = None  # the machine's 1-minute load average when the run started
    cpu_seconds: float | None = None  # user + system CPU of the tree (what was waited for)
    reference: float | None = None  # seconds of `reference_seconds()` just before the run
    reclaimed_mb: float | None = None  # memory the kernel reclaimed during the run (None: unknown)
    page_us: float | None = None  # microseconds of `page_touch_us()` just before the run

    @property
    def peak_mb(self) -> float:
        return max(self.largest_mb, self.tree_mb or 0.0)


REFERENCE_ITERATIONS = 5_000_000  # 0.14-0.26 s on the development VM (Python 3.11)


def reference_seconds(iterations: int = REFERENCE_ITERATIONS) -> float:
    """Seconds this process takes for a fixed pure-Python loop: how fast the machine runs
    Python code right now (see the module docstring)."""
    started = time.perf_counter()
    total = 0
    for number in range(iterations):
        total += number
    return time.perf_counter() - started


def page_touch_us(megabytes: int = 32) -> float:
    """Microseconds this process takes to touch a page of fresh memory for the first time (a
    page fault and a zeroed page), the loop's own time taken off (see the module docstring)."""
    size, step = megabytes << 20, mmap.PAGESIZE
    with mmap.mmap(-1, size) as memory:
        started = time.perf_counter()
        for offset in range(0, size, step):
            memory[offset] = 1  # the first write faults the page in
        first = time.perf_counter() - started
        started = time.perf_counter()
        for offset in range(0, size, step):
            memory[offset] = 2  # the same loop over pages now present: what the loop itself costs
        again = time.perf_counter() - started
    return max(0.0, first - again) / (size // step) * 1e6


def run_measured(command: list[str], cwd: Path | None = None) -> Measurement:
    """Run `command` to completion and measure it (see the module docstring)."""
    reference = reference_seconds()
    page_us = page_touch_us()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    reclaimed_before = reclaim_readings()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: chunks.extend(iter(lambda: process.stdout.read(65536), b"")), daemon=True)
    reader.start()
    sampler = _TreeSampler(process.pid)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait again
    sampler.stop()
    reclaimed = reclaimed_between(reclaimed_before, reclaim_readings())
    reader.join()
    process.stdout.close()
    # ru_maxrss is in kilobytes on Linux, bytes on macOS.
    largest = usage.ru_maxrss / (1024 * 1024) if sys.platform == "darwin" else usage.ru_maxrss / 1024
    output = b"".join(chunks).decode("utf-8", "replace")
    cpu = usage.ru_utime + usage.ru_stime
    return Measurement(seconds, process.returncode, largest, sampler.peak_mb, output, load, cpu, reference, reclaimed,
                       page_us)


_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
# pages reclaimed: by the kernel thread, by allocations, through memory.reclaim (Linux 6.16 on)
_RECLAIM_COUNTERS = ("pgsteal_kswapd", "pgsteal_direct", "pgsteal_proactive")
_DAMON = Path("/sys/kernel/mm/damon/admin/kdamonds")


def reclaimed_pages(vmstat: Path = _PROC / "vmstat") -> int | None:
    """Pages the kernel has reclaimed since boot (None where /proc/vmstat does not say)."""
    try:
        text = vmstat.read_text()
    except OSError:
        return None
    counts = dict(line.split(" ", 1) for line in text.splitlines() if " " in line)
    if not any(name in counts for name in _RECLAIM_COUNTERS):
        return None
    return sum(int(counts.get(name, 0)) for name in _RECLAIM_COUNTERS)


def damon_paged_out_bytes(kdamonds: Path = _DAMON) -> int | None:
    """Bytes the running DAMON `pageout` schemes have paged out since they started (None where
    no such scheme runs, or its statistics cannot be refreshed: writing `update_schemes_stats`
    to a kdamond's `state` takes root)."""
    try:
        daemons = [path for path in kdamonds.iterdir() if path.name.isdigit()]
    except OSError:
        return None
    total, found = 0, False
    for daemon in daemons:
        try:
            if (daemon / "state").read_text().strip() != "on":
                continue
            (daemon / "state").write_text("update_schemes_stats")
            for scheme in daemon.glob("contexts/*/schemes/*"):
                if scheme.name.isdigit() and (scheme / "action").read_text().strip() == "pageout":
                    total += int((scheme / "stats" / "sz_applied").read_text())
                    found = True
        except (OSError, ValueError):
            return None
    return total if found else None


def reclaim_readings() -> tuple[int | None, int | None]:
    """What `run_measured` reads before and after a run: (pages by `reclaimed_pages`, bytes by
    `damon_paged_out_bytes`)."""
    return reclaimed_pages(), damon_paged_out_bytes()


def reclaimed_between(before: tuple[int | None, int | None], after: tuple[int | None, int | None]) -> float | None:
    """The memory reclaimed between two `reclaim_readings`, in MB (None: unknown).
    DAMON's part counts only where both readings have it; a kdamond restarted in between starts
    its statistics again, so its part is never negative."""
    (pages_before, damon_before), (pages_after, damon_after) = before, after
    if pages_before is None or pages_after is None:
        return None
    total = (pages_after - pages_before) * _PAGE_BYTES
    if damon_before is not None and damon_after is not None:
        total += max(0, damon_after - damon_before)
    return total / 2**20


class _TreeSampler(threading.Thread):
    """Samples the summed memory of a process and its descendants until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.available = _PROC.is_dir()
        self._stopping = threading.Event()

    @property
    def peak_mb(self) -> float | None:
        return self.peak_kb / 1024 if self.available else None

    def stop(self) -> None:
        self._stopping.set()
        self.join()

    def run(self) -> None:
        while self.available and not self._stopping.is_set():
            started = time.perf_counter()
            # The tree is walked afresh every time: a short-lived child (Pagefind) must not be missed.
            self.peak_kb = max(self.peak_kb, sum(_memory_kb(pid) for pid in _descendants(self.pid)))
            self._stopping.wait(sample_wait(time.perf_counter() - started))


def sample_wait(cost: float) -> float:
    """Seconds to wait after a memory sample that took `cost` seconds (see the module docstring)."""
    return max(SAMPLE_SECONDS, SAMPLE_COST_FACTOR * cost)


def _descendants(root: int) -> list[int]:
    """`root` and every process below it (from each process's parent id in /proc/<pid>/stat)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir(_PROC):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # The command name (in parentheses) may hold spaces; the parent id is the second field after it.
        ppid = int(stat[stat.rindex(")") + 2 :].split(" ", 2)[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, queue = [], [root]
    while queue:
        pid = queue.pop()
        found.append(pid)
        queue.extend(children.get(pid, ()))
    return found


_PSS_RE = re.compile(r"^Pss:\s+(\d+) kB", re.MULTILINE)
_RSS_RE = re.compile(r"^VmRSS:\s+(\d+) kB", re.MULTILINE)


def _memory_kb(pid: int) -> int:
    """Proportional set size of `pid` (resident size where smaps_rollup is unavailable); 0 once gone."""
    for name, pattern in (("smaps_rollup", _PSS_RE), ("status", _RSS_RE)):
        try:
            match = pattern.search((_PROC / str(pid) / name).read_text())
        except OSError:
            continue
        if match:
            return int(match.group(1))
    return 0
