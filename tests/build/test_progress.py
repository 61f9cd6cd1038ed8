"""Progress on a terminal during long stages; nothing at all when stderr is not a terminal."""

from __future__ import annotations

import io

from site_builder import progress as progress_module
from site_builder.progress import Progress


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_counts_then_a_cleared_line(monkeypatch) -> None:
    monkeypatch.setattr(progress_module, "SHOW_AFTER", 0.0)
    monkeypatch.setattr(progress_module, "INTERVAL", 0.0)
    stream = FakeTerminal()
    bar = Progress(stream)
    bar.start("pages", 200)
    for _ in range(4):
        bar.advance(50)
    bar.finish()
    text = stream.getvalue()
    assert "pages" in text and "200/200" in text and "50/200" in text
    assert text.endswith("\r\033[K")  # the summary that follows starts on a clean line


def test_short_stages_and_non_terminals_print_nothing(monkeypatch) -> None:
    quiet = io.StringIO()  # a log file or a pipe
    monkeypatch.setattr(progress_module, "SHOW_AFTER", 0.0)
    bar = Progress(quiet)
    bar.start("pages", 10)
    bar.advance(10)
    bar.finish()
    assert quiet.getvalue() == ""
    monkeypatch.setattr(progress_module, "SHOW_AFTER", 60.0)
    terminal = FakeTerminal()
    bar = Progress(terminal)
    bar.start("feeds", 10)
    bar.advance(10)
    bar.finish()
    assert terminal.getvalue() == ""  # done before it was worth showing
