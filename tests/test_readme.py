"""README.md stays true: its first two commands are the install+build and install+test commands CI
runs, and every command and file it shows exists."""

from __future__ import annotations

import importlib.util
import re
import shlex

import pytest

from site_builder.cli import _parser
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
CODE_LINES = [line.strip() for line in README.splitlines() if line.startswith("    ") and line.strip()]
INLINE_CODE = re.findall(r"`([^`\n]+)`", README)


def _site_builder_invocations() -> list[list[str]]:
    found = []
    for text in CODE_LINES + INLINE_CODE:
        for part in re.split(r"&&|;", text):
            argv = shlex.split(part.split("#", 1)[0]) if "site-builder" in part else []
            # synopsis lines ("[--out DIR]") are checked by test_every_option_in_the_synopsis_exists
            if argv and argv[0].endswith("site-builder") and len(argv) > 1 and "[" not in part and argv[1] != "COMMAND":
                found.append(argv[1:])
    return found


def test_readme_opens_with_the_build_command_and_the_ci_test_command() -> None:
    commands = CODE_LINES[:2]
    assert commands[0].endswith("site-builder build") and "pip install ." in commands[0]
    assert "pip install -e '.[test]'" in commands[1] and "pytest" in commands[1]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci.splitlines(), ".ci/run must run the README's test command verbatim"


SYNOPSIS = [line for line in CODE_LINES if line.startswith("site-builder ") and "[" in line]


@pytest.mark.parametrize("synopsis", SYNOPSIS)
def test_every_option_in_the_synopsis_exists(synopsis: str) -> None:
    command = synopsis.split()[1]
    help_text = _parser()._subparsers._group_actions[0].choices[command].format_help()
    for option in re.findall(r"--[a-z-]+", synopsis):
        assert option in help_text, f"{synopsis}: {option} is not an option of {command}"


def test_synopsis_covers_every_command() -> None:
    commands = set(_parser()._subparsers._group_actions[0].choices)
    assert {line.split()[1] for line in SYNOPSIS} == commands


@pytest.mark.parametrize("argv", _site_builder_invocations(), ids=" ".join)
def test_every_site_builder_command_shown_parses(argv: list[str]) -> None:
    try:
        _parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits on an unknown command or option
        pytest.fail(f"`site-builder {' '.join(argv)}` is not a valid command ({exc})")


def test_every_python_module_shown_exists() -> None:
    modules = set(re.findall(r"python -m ([\w.]+)", README))
    assert modules >= {"pytest", "benchmarks.run"}
    for module in modules:
        assert importlib.util.find_spec(module) is not None, f"README runs `python -m {module}`, which does not exist"


def test_every_repository_path_shown_exists() -> None:
    paths = {p for p in INLINE_CODE if re.fullmatch(r"(?:\.?[\w-]+/)+[\w.-]*", p) or re.fullmatch(r"[\w-]+\.(?:md|yml|yaml|json|toml)", p)}
    checked = 0
    for path in sorted(paths):
        # placeholders, and folders the build and the tests create
        if any(token in path for token in ("<", "USER", "mytheme", "YYYY")) or path.startswith(("/", "public", "test-artifacts")):
            continue
        checked += 1
        assert (REPO / path).exists(), f"README mentions {path}, which does not exist"
    assert checked >= 8
