"""What ``build --store`` leaves beside an on-disk store so that ``serve --store`` starts at once.

Inside the store folder, ``treatygraph-manifest.json`` records the triple counts (per graph,
and of the union default graph that queries see) and, for every file of the store and of its
search index, the size, the modification time and the SHA-256. Counting 10M triples takes
tens of seconds; reading the counts takes microseconds, so start never scans the store.

At start :func:`verify` checks every file against the manifest before anything is answered:

* always: the file is there and has its size (one ``stat`` per file, microseconds);
* a file whose modification time changed (anything that wrote into it, e.g. a 4 KiB
  scribble) is hashed, and refused unless its content is what was built. A copy that did not
  keep the times (``cp`` without ``-p``) therefore costs one full hash, not a refusal;
* with STORE_VERIFY=full every file is hashed, whatever its time (a write that restored the
  time too). It costs what reading the store costs (measured in docs/benchmarks.md).

The manifest is written inside the staging folder before the store is renamed into place, so
a store and its manifest are swapped together: a crash leaves the old pair or the new one.
RocksDB's own ``LOG*`` files are not part of the data and are not checked.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from treatygraph.errors import ConfigError

NAME = "treatygraph-manifest.json"
VERSION = 1
_CHUNK = 1 << 20


class StoreDamaged(ConfigError):
    """An on-disk store that is not what ``build --store`` wrote: it is refused at start."""


@dataclass(frozen=True)
class Counts:
    """Triple counts written at build time (``None`` key: the store's own default graph)."""

    graphs: dict[str | None, int]
    union: int


def _data_files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and p.name != NAME and not p.name.startswith("LOG")
    )


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _entry(path: Path) -> dict[str, Any]:
    stat = path.stat()
    return {"bytes": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": sha256(path)}


def write(store: Path, counts: Counts, extra: dict[str, Path] | None = None) -> None:
    """Record ``store``'s files (and ``extra`` files, by the name they will have beside it)."""
    files = {p.relative_to(store).as_posix(): _entry(p) for p in _data_files(store)}
    beside = {name: _entry(path) for name, path in (extra or {}).items()}
    manifest = {
        "version": VERSION,
        "graphs": {"" if g is None else g: n for g, n in counts.graphs.items()},
        "union": counts.union,
        "files": files,
        "beside": beside,
    }
    tmp = store / f".{NAME}.tmp"
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, store / NAME)


def _check(path: Path, entry: dict[str, Any], full: bool) -> str | None:
    """Why ``path`` is not the file recorded, or None."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return "is missing"
    if stat.st_size != entry["bytes"]:
        return f"has {stat.st_size} bytes, {entry['bytes']} were written"
    if (full or stat.st_mtime_ns != entry["mtime_ns"]) and sha256(path) != entry["sha256"]:
        return "has changed since it was written (SHA-256 differs)"
    return None


def verify(store: Path, *, full: bool = False) -> Counts:
    """The build-time counts of ``store``, once every file is as written; else StoreDamaged."""
    try:
        manifest = json.loads((store / NAME).read_text(encoding="utf-8"))
        files: dict[str, dict[str, Any]] = manifest["files"]
        beside: dict[str, dict[str, Any]] = manifest.get("beside", {})
        counts = Counts(
            {(g or None): int(n) for g, n in manifest["graphs"].items()}, int(manifest["union"])
        )
    except FileNotFoundError:
        raise StoreDamaged(
            f"{store / NAME}: no manifest, so the store cannot be checked; rebuild it with "
            "`treatygraph build --store`"
        ) from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
        raise StoreDamaged(
            f"{store / NAME}: unreadable manifest ({err}); rebuild the store"
        ) from None
    wanted = [(store / name, entry) for name, entry in files.items()]
    wanted += [(store.with_name(name), entry) for name, entry in beside.items()]
    for path, entry in wanted:
        problem = _check(path, entry, full)
        if problem is not None:
            raise StoreDamaged(
                f"{path} {problem}: the store is damaged; rebuild it with "
                "`treatygraph build --store`"
            )
    extra = sorted(set(p.relative_to(store).as_posix() for p in _data_files(store)) - set(files))
    if extra:
        raise StoreDamaged(
            f"{store / extra[0]} is not part of the store that was built; rebuild the store"
        )
    return counts
