"""Progress of a long build on the terminal: one status line on stderr, rewritten in place.

Shown only when stderr is a terminal (a log file or CI output gets the build's summary lines
and nothing else), and only for a stage still running after SHOW_AFTER seconds, so small builds
print nothing extra. Updates are throttled to a few a second.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

SHOW_AFTER = 1.0  # seconds a stage runs before its progress is shown
INTERVAL = 0.2  # seconds between two updates of the line


class Progress:
    """`start(stage, total)`, `advance(n)` as work is done, `finish()` when the stage ends."""

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None):
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self._stage = ""
        self._total = 0
        self._done = 0
        self._started = 0.0
        self._last = 0.0
        self._shown = False

    def start(self, stage: str, total: int) -> None:
        self.finish()
        self._stage, self._total, self._done = stage, total, 0
        self._started = self._last = time.monotonic()

    def advance(self, count: int = 1) -> None:
        self._done += count
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._started < SHOW_AFTER or now - self._last < INTERVAL:
            return
        self._last = now
        self._draw(now)

    def finish(self) -> None:
        if self._shown:
            self.stream.write("\r\033[K")  # clear the line: the summary follows
            self.stream.flush()
            self._shown = False
        self._stage = ""

    def _draw(self, now: float) -> None:
        total = max(self._total, 1)
        share = min(self._done / total, 1.0)
        width = 24
        bar = "#" * int(share * width)
        rate = self._done / max(now - self._started, 1e-9)
        line = f"  {self._stage:<6} [{bar:<{width}}] {self._done:,}/{self._total:,} ({rate:,.0f}/s)"
        self.stream.write("\r" + line + "\033[K")
        self.stream.flush()
        self._shown = True
