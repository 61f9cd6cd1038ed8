"""Accessibility (axe-core in the browser) and HTML validity (the Nu HTML Checker) of every page kind."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.browser.conftest import PAGE_KINDS
from tests.conftest import require_tool


@pytest.mark.parametrize("kind", PAGE_KINDS)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_or_critical_violation(site, page, node_tools, kind, scheme) -> None:
    page.emulate_media(color_scheme=scheme)
    site.open(page, kind)
    page.add_script_tag(path=str(node_tools / "node_modules" / "axe-core" / "axe.min.js"))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == []


def test_nu_html_checker_reports_no_error_on_any_page_kind(site, node_tools) -> None:
    java = require_tool("java", "the Nu HTML Checker (vnu.jar) runs on Java")
    files = [site.out / "404.html"]
    for kind in (k for k in PAGE_KINDS if k != "404"):  # the first two of each kind, and the richest
        files += [site.file(url) for url in dict.fromkeys([*site.pages[kind][:2], site.richest(kind)])]
    vnu = node_tools / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    result = subprocess.run(
        [java, "-jar", str(vnu), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True, text=True, timeout=300,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    errors = [f"{m.get('url', '').rsplit('/', 3)[-3:]}:{m.get('lastLine')}: {m['message']}" for m in messages if m["type"] == "error"]
    assert errors == [], "\n".join(errors[:30])
