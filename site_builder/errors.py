"""One error family for every user-facing problem, formatted in one place.

A user's mistake (a bad dump, bad front matter, an unknown config key) is a
`SiteBuilderError`: it carries the file and line it is about and says what was
expected. The CLI prints these without a traceback and exits non-zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One problem in one place: `path:line: message`."""

    message: str
    path: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = str(self.path)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        return where + self.message


class SiteBuilderError(Exception):
    """A user-facing error; `str()` gives `path:line: message` lines."""

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        self.problems: list[Problem] = [Problem(message, str(path) if path is not None else None, line)]
        super().__init__(str(self.problems[0]))

    @property
    def path(self) -> str | None:
        return self.problems[0].path

    @property
    def line(self) -> int | None:
        return self.problems[0].line

    def with_path(self, path: str | Path) -> "SiteBuilderError":
        """Fill in the file name of problems raised by a pure parser that only knew line numbers."""
        for i, p in enumerate(self.problems):
            if p.path is None:
                self.problems[i] = Problem(p.message, str(path), p.line)
        self.args = ("\n".join(map(str, self.problems)),)
        return self

    def __str__(self) -> str:
        return "\n".join(map(str, self.problems))


class ProblemList(SiteBuilderError):
    """Several problems collected and reported together (e.g. all bad content files at once)."""

    def __init__(self, problems: list[Problem]):
        if not problems:
            raise ValueError("ProblemList needs at least one problem")
        self.problems = list(problems)
        Exception.__init__(self, "\n".join(map(str, self.problems)))


class IngestError(SiteBuilderError):
    """A dump (or one block of it) could not be read."""


class ContentError(SiteBuilderError):
    """A content file or site.yaml is invalid."""


class BuildError(SiteBuilderError):
    """Rendering, writing or indexing the site failed."""
