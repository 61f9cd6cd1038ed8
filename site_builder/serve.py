"""`site-builder serve`: build, serve the output on localhost, rebuild when content or themes change.

Changes are found by polling (an mtime/size scan about once a second: no extra dependency, works
on every file system). A failed rebuild prints its error and keeps serving the last good site,
which the writer left in place. Missing paths get the site's 404 page with status 404.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import urlsplit

from site_builder.build import build_site
from site_builder.config import load_config
from site_builder.content import RenderCache
from site_builder.errors import BuildError, SiteBuilderError
from site_builder.theme import theme_dirs
from site_builder.urls import Urls

Snapshot = dict[str, tuple[int, int]]  # path -> (mtime_ns, size)


def serve(
    content_dir: Path,
    out_dir: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    base_url: str | None = None,
    jobs: int | None = None,
    log: Callable[[str], object] = print,
    poll_seconds: float = 1.0,
    search: bool = True,
    stop: threading.Event | None = None,
) -> None:
    """Serve until Ctrl-C (or until `stop` is set, for tests). `base_url` defaults to the
    server's own address, so every link of the built site points at this server."""
    content_dir, out_dir = Path(content_dir), Path(out_dir)
    base_url = base_url or f"http://{_url_host(host)}:{port}/"
    cache: RenderCache = {}

    def build() -> None:
        build_site(content_dir, out_dir, base_url=base_url, search=search, jobs=jobs, log=log, render_cache=cache)

    try:  # bind first: a busy port should not cost a build
        server = http.server.ThreadingHTTPServer((host, port), _handler(out_dir, Urls.for_base(base_url).base_path))
    except OSError as exc:
        raise BuildError(f"cannot listen on {host}:{port}: {exc.strerror or exc} (try another --port)") from None
    try:
        build()  # a first build that fails is an error for the caller, not something to serve
    except BaseException:
        server.server_close()
        raise
    watched = _watched_folders(content_dir, base_url)
    snapshot = scan(watched, exclude=out_dir)
    thread = threading.Thread(target=server.serve_forever, name="site-builder-serve", daemon=True)
    thread.start()
    log(f"Serving {out_dir} at {base_url} (Ctrl-C to stop); watching {', '.join(map(str, watched))}")
    stop = stop or threading.Event()
    try:
        while not stop.wait(poll_seconds):
            current = scan(watched, exclude=out_dir)
            if current == snapshot:
                continue
            snapshot = current
            log("Change detected, rebuilding...")
            try:
                build()
                watched = _watched_folders(content_dir, base_url)  # site.yaml may name another theme
                snapshot = scan(watched, exclude=out_dir)
            except SiteBuilderError as exc:
                log(f"error: {exc}\n(still serving the last good build)")
    except KeyboardInterrupt:
        log("Stopped.")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _url_host(host: str) -> str:
    if host in ("", "0.0.0.0", "::"):
        return "localhost"
    return f"[{host}]" if ":" in host else host


def _watched_folders(content_dir: Path, base_url: str) -> list[Path]:
    """The content folder and every theme folder in use."""
    try:
        dirs = theme_dirs(content_dir, load_config(content_dir / "site.yaml", base_url))
    except SiteBuilderError:
        dirs = ()
    return [content_dir.resolve(), *dirs]


def scan(folders: Iterable[Path], exclude: Path | None = None) -> Snapshot:
    """(mtime, size) of every file under `folders`, skipping `exclude` and hidden folders."""
    skip = exclude.resolve() if exclude is not None else None
    found: Snapshot = {}
    for folder in folders:
        for root, subdirs, files in os.walk(folder):
            subdirs[:] = sorted(d for d in subdirs if not d.startswith(".") and Path(root, d).resolve() != skip
                                and d != "__pycache__")
            for name in files:
                path = os.path.join(root, name)
                try:
                    st = os.stat(path)
                except FileNotFoundError:  # removed while scanning: the next scan sees it
                    continue
                found[path] = (st.st_mtime_ns, st.st_size)
    return found


def _handler(out_dir: Path, base_path: str) -> type[http.server.SimpleHTTPRequestHandler]:
    """A request handler serving `out_dir` under `base_path`, with the site's 404 page."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def translate_path(self, path: str) -> str:
            url_path = urlsplit(path).path
            if not url_path.startswith(base_path):
                return str(out_dir / ".not-found")  # outside the site: a 404
            return super().translate_path("/" + url_path[len(base_path):])

        def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
            page = out_dir / "404.html"
            if code != 404 or not page.is_file():
                super().send_error(code, message, explain)
                return
            body = page.read_bytes()
            self.send_response(404, message)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def end_headers(self) -> None:
            self.send_header("Cache-Control", "no-store")  # always show the latest rebuild
            super().end_headers()

        def log_message(self, format: str, *args) -> None:  # noqa: A002 (http.server's name)
            pass  # keep the terminal for build output

    # directory= is read per request, so after a rebuild swaps the folder in, new files are served.
    return functools.partial(Handler, directory=str(out_dir))  # type: ignore[return-value]
