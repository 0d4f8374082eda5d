"""Serve a new generation of the data without a restart.

``treatygraph import`` renames a whole file over ``imports/<NAME>.nq`` and ``import --remove``
deletes one; either changes the folder's mtime. Every request first compares that mtime with the
one seen last: one ``stat``. When it differs, the import files are listed with their inode and
mtime (a work folder of an import under way changes the folder but not that list); when the list
differs from the one loaded, the worker loads the data again and swaps the store between requests
(gunicorn's sync workers take one at a time, so every request in flight ends on the data it
began with). A load that fails leaves the last good data served. This works with
``preload_app``: workers forked after a SIGHUP catch up on their first request. Only where the
app serves the project's files (not DATA_FILES or STORE_PATH: a restart reopens those).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask

from treatygraph.corpus.project import IMPORTS_DIR, imported_files
from treatygraph.errors import Error
from treatygraph.store import EXECUTOR, FEDERATION_EXECUTOR
from treatygraph.store.executor import Executor

log = logging.getLogger(__name__)
RELOADER = "treatygraph.reloader"
SETTLED_NS = 1_000_000_000

Files = tuple[tuple[str, int, int], ...]


def folder_stamp(folder: Path) -> int | None:
    """The folder's mtime (None before the first import)."""
    try:
        return os.stat(folder).st_mtime_ns
    except FileNotFoundError:
        return None


def generation(root: Path) -> Files:
    """Which import files are there: (name, inode, mtime) each; a new import is a new inode."""
    found = []
    for path in imported_files(root):
        try:
            st = os.stat(path)
        except FileNotFoundError:  # removed while we looked: the next request looks again
            continue
        found.append((path.name, st.st_ino, st.st_mtime_ns))
    return tuple(found)


class Reloader:
    """Watches the generation mark of one app and swaps its store when it changes."""

    def __init__(self, app: Flask, root: Path, load: Callable[[Flask], None]) -> None:
        self.app = app
        self.root = root
        self.folder = root / IMPORTS_DIR
        self.load = load
        # taken before the data is loaded: a change made while it loads reloads it again
        self.folder_seen = folder_stamp(self.folder)
        self.loaded = generation(root)
        self._lock = threading.Lock()

    def check(self) -> None:
        """Before each request: reload when the import files changed."""
        now = folder_stamp(self.folder)
        if now == self.folder_seen:
            return
        with self._lock:
            # A folder changed less than a second ago may change again within the same clock
            # tick, leaving its mtime as it is: it is listed again until it has settled.
            if now is None or time.time_ns() - now > SETTLED_NS:
                self.folder_seen = now
            files = generation(self.root)
            if files != self.loaded:
                self.loaded = files
                swap(self.app, self.load)


def swap(app: Flask, load: Callable[[Flask], None]) -> bool:
    """Load the data again into ``app`` and retire the old query processes; on failure put the
    old store back. The one place a running app changes its store."""
    old = dict(app.extensions)
    retired: list[Executor] = [old[k] for k in (EXECUTOR, FEDERATION_EXECUTOR) if k in old]
    try:
        load(app)
    except (Error, OSError) as err:
        app.extensions.clear()
        app.extensions.update(old)
        log.error("reload failed, still serving the last good data: %s", err)
        return False
    for executor in retired:
        executor.shutdown()
    log.info("reloaded the data: %s", app.extensions.get(EXECUTOR))
    return True


def watched_root(app: Flask) -> Path | None:
    """The checkout whose imports are watched, where the app serves its build and imports."""
    config = app.config
    if config.get("DATA_FILES") or config.get("DATA_GRAPHS") or config.get("STORE_PATH"):
        return None
    return Path(config.get("PROJECT_ROOT") or Path.cwd())


def init_app(app: Flask, load: Callable[[Flask], None]) -> None:
    """Load the data with ``load`` and, where it can change, watch for new generations."""
    root = watched_root(app)
    reloader = Reloader(app, root, load) if root is not None else None
    load(app)
    if reloader is not None:
        app.extensions[RELOADER] = reloader
        app.before_request(reloader.check)
