"""Create many new files from one child process, while others go on rendering them.

A first ingest creates one file per paper, and creating a file can cost the kernel more than
rendering it costs Python: 100-500 µs on a busy disk (ext4 without a journal, for one, looks at
every recently deleted inode before it hands out a new one, and does so holding the folder's
lock). One process that only creates files runs beside the rendering; two processes creating
in one folder would only wait for each other. Threads would not help: every system call hands
the GIL back and forth.

With few files, or where fork is unavailable or unsafe, files are created right away by the
caller, with the same results.
"""

from __future__ import annotations

import multiprocessing
import os
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType

from site_builder.ingest.content_files import create_new
from site_builder.ingest.halves import can_fork, ignore_interrupts

FORK_AT = 1000  # new files from which a creating process pays (forking costs ~10-30 ms)
_BATCH = 32  # files per message (~50 kB)


class FileCreator:
    """`create(path, data)` makes a new file, never overwriting one. In the creating process's
    mode it returns at once; `close()` then waits until every file is made and returns the paths
    that existed already (left as they are), or raises the OSError that stopped the creating.

    `create` may also be called from processes forked after this object was made; each calls
    `flush()` when it is done, before `close()` is called here. Use as a context manager.
    """

    def __init__(self, expected: int) -> None:
        self._batch: list[tuple[str, bytes]] = []
        self._conn: Connection | None = None
        self._process: multiprocessing.process.BaseProcess | None = None
        if expected >= FORK_AT and can_fork():
            context = multiprocessing.get_context("fork")
            self._lock = context.Lock()  # several processes send: one message at a time
            ours, theirs = context.Pipe()
            self._process = context.Process(target=_serve, args=(theirs, ours), daemon=True)
            self._process.start()  # flushes stdout and stderr first, so nothing is printed twice
            theirs.close()
            self._conn = ours

    def create(self, path: Path, data: bytes) -> bool:
        """False when `path` exists already (known at once only without a creating process)."""
        if self._conn is None:
            try:
                create_new(path, data)
            except FileExistsError:
                return False
            return True
        self._batch.append((os.fspath(path), data))
        if len(self._batch) >= _BATCH:
            self.flush()
        return True

    def flush(self) -> None:
        if self._conn is not None and self._batch:
            with self._lock:
                self._conn.send(self._batch)
            self._batch = []

    def close(self) -> list[Path]:
        if self._conn is None:
            return []
        self.flush()
        conn, self._conn = self._conn, None
        try:
            conn.send(None)  # done: report back
            existing, error = conn.recv()
        except (EOFError, OSError) as exc:
            raise OSError(f"the process creating the content files stopped unexpectedly ({exc!r})") from None
        finally:
            conn.close()
            self._join()
        if error is not None:
            errno, strerror, path = error
            raise OSError(errno, strerror, path)
        return [Path(p) for p in existing]

    def __enter__(self) -> FileCreator:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._conn is not None:  # left early, by an exception: stop creating (the next run cleans up)
            self._conn.close()
            self._conn = None
            if self._process is not None:
                self._process.terminate()
            self._join()

    def _join(self) -> None:
        if self._process is not None:
            self._process.join()
            self._process = None


def _serve(conn: Connection, parent_end: Connection) -> None:
    """The creating process: make every file sent until None, then send (existing, error) back."""
    ignore_interrupts()
    parent_end.close()  # so that the parent closing its end reads as EOF here
    existing: list[str] = []
    error: tuple[int, str, str] | None = None
    while True:
        try:
            batch = conn.recv()
        except EOFError:  # the parent gave up
            return
        if batch is None:
            break
        for path, data in batch if error is None else ():
            try:
                create_new(Path(path), data)
            except FileExistsError:
                existing.append(path)
            except OSError as exc:  # e.g. a full disk: stop, and say why
                error = (exc.errno or 0, exc.strerror or str(exc), path)
                break
    conn.send((existing, error))
    conn.close()
