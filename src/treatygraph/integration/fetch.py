"""Getting an import's source: its bytes on local disk, its format, and its quads, with progress.

:mod:`treatygraph.integration.imports` decides what to do with a source (map, match, validate,
write); this module only reads it: a file, or an http(s) address downloaded through the project's
HTTP client (:mod:`treatygraph.http`: capped body, overall deadline) into the import's work folder
(:func:`fetch`); progress is told by :mod:`treatygraph.console`. The streamed
parse is :mod:`treatygraph.integration.streaming`'s.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from treatygraph.errors import CheckFailed, InputError
from treatygraph.http import Client, HttpError
from treatygraph.rdf import formats
from treatygraph.rdf.io import FORMATS

CSV = "text/csv"
#: What an address is asked for: the RDF formats in the table's order, then CSV, then anything
ACCEPT = ", ".join(
    [*(f.media_type for f in formats.RDF[:2]), *(f.media_type for f in formats.RDF[4:])]
    + [f"{f.media_type};q=0.9" for f in formats.RDF[2:4]]
    + [f"{CSV};q=0.5", "*/*;q=0.1"]
)


def _suffix_of_media_type(media_type: str) -> str | None:
    """The file suffix of a served media type, from the one format table (N3 and CSV aside:
    on the wire the table takes ``text/n3`` as Turtle, but a served N3 file is parsed as N3)."""
    if media_type == CSV:
        return ".csv"
    if media_type in ("text/n3", "text/rdf+n3"):
        return ".n3"
    fmt = formats.find(media_type, formats.RDF)
    return None if fmt is None else "." + fmt.extension


DEFAULT_MAX_BYTES = 2 * 1024**3


class ImportFailure(InputError):
    """An import that cannot go ahead (input that cannot be read or mapped); nothing was written."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code
        self.exit_code = code


class ImportViolations(CheckFailed):
    """The import reads, but breaks the shapes; nothing was written."""

    code = 1


# ------------------------------------------------------------------ fetching


@dataclass(frozen=True)
class Fetched:
    """A source on local disk and what we know about it."""

    location: str  # the address, or the file path as given
    path: Path  # where its bytes are (the file itself, or the download)
    suffix: str  # the format, as a key of rdf.io.FORMATS or ".csv"
    retrieved: dt.datetime
    is_address: bool
    sha256: str
    size: int

    @property
    def data(self) -> bytes:
        return self.path.read_bytes()


def _suffix_of(path: str) -> str:
    return Path(urllib.parse.urlparse(path).path if "://" in path else path).suffix.lower()


def fetch(
    source: str,
    fmt: str | None,
    timeout: float,
    workdir: Path,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Fetched:
    """Read a file where it is, or download an http(s) address into ``workdir``; pick the format."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    if "://" in source and not source.startswith("file:"):
        target = workdir / "download"
        with target.open("wb") as handle:
            try:
                answer = Client(max_bytes=max_bytes).get(
                    source, {"Accept": ACCEPT}, timeout, handle.write
                )
            except HttpError as exc:
                raise ImportFailure(exc.message, code=3) from None
        if answer.status >= 400:
            reason = answer.headers.get("reason", "")
            raise ImportFailure(
                f"{source}: HTTP {answer.status}{' ' + reason if reason else ''}", code=3
            )
        suffix = fmt or _suffix_of_media_type(answer.media_type) or _suffix_of(source)
        return Fetched(
            source, target, _known(suffix, source), now, True, answer.sha256, answer.size
        )
    if source.startswith("file:"):
        raise ImportFailure(f"{source}: give a file path, not a file: address")
    path = Path(source)
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
    except OSError as exc:
        raise ImportFailure(f"{source}: cannot read: {exc.strerror}") from exc
    return Fetched(
        source,
        path,
        _known(fmt or _suffix_of(source), source),
        now,
        False,
        digest.hexdigest(),
        size,
    )


def _known(suffix: str, source: str) -> str:
    suffix = suffix if suffix.startswith(".") else f".{suffix}"
    if suffix not in FORMATS and suffix != ".csv":
        known = ", ".join(sorted([*FORMATS, ".csv"]))
        raise ImportFailure(
            f"{source}: cannot tell the format ({suffix or 'no suffix'}); "
            f"use --format with one of {known}"
        )
    return suffix
