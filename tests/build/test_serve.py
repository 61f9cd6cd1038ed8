"""`serve`: builds, serves the site (404 page for missing paths), rebuilds on content changes,
keeps serving the last good site when a rebuild fails, and stops cleanly."""

from __future__ import annotations

import socket
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from build_checks import FIXTURE_SITE, copy_site
from site_builder.errors import BuildError
from site_builder.serve import scan, serve


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def _wait_for(predicate, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_serve_builds_serves_rebuilds_and_stops(tmp_path: Path) -> None:
    content = copy_site(FIXTURE_SITE, tmp_path / "site")
    out = tmp_path / "public"
    port = _free_port()
    base = f"http://127.0.0.1:{port}/sub/"
    stop = threading.Event()
    lines: list[str] = []
    thread = threading.Thread(target=serve, kwargs=dict(
        content_dir=content, out_dir=out, host="127.0.0.1", port=port, base_url=base, search=False,
        poll_seconds=0.05, stop=stop, log=lines.append,
    ))
    thread.start()
    try:
        assert _wait_for(lambda: any(line.startswith("Serving") for line in lines)), lines
        status, home = _get(base)
        assert status == 200 and "Fixture Digest" in home and 'href="/sub/papers/' in home
        status, page = _get(base + "no/such/page/")
        assert status == 404 and "Page not found" in page
        assert _get(f"http://127.0.0.1:{port}/outside-the-base/")[0] == 404

        paper = content / "papers" / "notes-on-min-max-optimization.md"
        paper.write_text("---\ntitle: Retitled While Serving\n---\n")
        paper_url = base + "papers/notes-on-min-max-optimization/"
        assert _wait_for(lambda: "Retitled While Serving" in _get(paper_url)[1]), lines
        assert _wait_for(lambda: sum(line.startswith("Built") for line in lines) == 2), lines
        time.sleep(0.3)
        assert sum(line.startswith("Built") for line in lines) == 2, lines  # one rebuild per change

        paper.write_text("---\ntitle: [broken\n---\n")
        assert _wait_for(lambda: any(line.startswith("error:") for line in lines)), lines
        status, page = _get(paper_url)
        assert status == 200 and "Retitled While Serving" in page  # the last good build stays
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public", "site"]


def test_scan_sees_changes_and_skips_the_output_folder(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.md").write_text("a")
    (tmp_path / "content" / "public").mkdir()
    (tmp_path / "content" / "public" / "index.html").write_text("x")
    first = scan([tmp_path / "content"], exclude=tmp_path / "content" / "public")
    assert list(first) == [str(tmp_path / "content" / "a.md")]
    (tmp_path / "content" / "a.md").write_text("changed, longer")
    assert scan([tmp_path / "content"], exclude=tmp_path / "content" / "public") != first


def test_a_busy_port_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(BuildError, match=f"cannot listen on 127.0.0.1:{port}"):
            serve(FIXTURE_SITE / "content", tmp_path / "public", port=port, search=False, log=lambda line: None)
    assert not (tmp_path / "public").exists()  # nothing was built
