"""Shared test helpers: paths, and the Node tools some tests drive (installed with npm on demand)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
JS_TOOLS = REPO / "tests" / "js"


def require_tool(name: str, why: str) -> str:
    """Path of an external program the test needs. Missing: a failure in CI, a skip elsewhere."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed ({why})"
        if os.environ.get("CI"):
            pytest.fail(message + "; .ci/run must install it")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def node_tools() -> Path:
    """tests/js with its npm packages installed (npm ci from the committed lock file, once)."""
    node = require_tool("node", "Node.js runs the JavaScript test tools")
    npm = require_tool("npm", "npm installs the JavaScript test tools")
    lock = JS_TOOLS / "package-lock.json"
    stamp = JS_TOOLS / "node_modules" / ".installed-lock"
    if not stamp.exists() or stamp.read_bytes() != lock.read_bytes():
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=JS_TOOLS, capture_output=True, text=True, timeout=600,
        )
        if result.returncode != 0:
            pytest.fail(f"npm ci in {JS_TOOLS} failed:\n{result.stdout}\n{result.stderr}")
        stamp.write_bytes(lock.read_bytes())
    assert Path(node).exists()
    return JS_TOOLS


def pytest_collection_modifyitems(config, items) -> None:
    """Browser tests run last: they leave threads running (a local server, the browser driver)
    for the rest of the session, and code that forks worker processes declines to fork then."""
    items.sort(key=lambda item: "tests/browser/" in item.nodeid)
