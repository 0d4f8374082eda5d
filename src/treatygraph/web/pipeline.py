"""The one request pipeline: parse, negotiate, run through the store, serialise, respond.

Every answer of the site (a query, the service description, a page, a dump, a description)
goes through :func:`respond` in that order. The view has parsed the request and names what it
offers; :func:`choose` negotiates once, before any work (a URL suffix such as ``.ttl`` names
the format directly); ``make`` runs through the store and returns a body pyoxigraph (or a
template) wrote; the answer is kept in the one cache (:mod:`treatygraph.store.cache`); and the
response gets the one ETag, Cache-Control and Last-Modified, and 304 to a conditional request.
Errors are raised as members of :mod:`treatygraph.errors` and answered by
:mod:`treatygraph.web.errors`.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import Response, current_app, request
from werkzeug.wsgi import get_current_url

from treatygraph.errors import NotFound
from treatygraph.rdf.formats import Format
from treatygraph.store import get_cache
from treatygraph.web import cachepolicy, conneg, logs, metrics
from treatygraph.web.serving import HEARTBEAT

LOADED_AT = "treatygraph.loaded_at"


@dataclass(frozen=True)
class Answer:
    """A finished answer: the body, its Content-Type and its entity tag."""

    body: bytes
    content_type: str
    status: int = 200

    @property
    def etag(self) -> str:
        return etag(self.body)


def etag(body: bytes) -> str:
    """The one entity tag: a strong validator, a hash of the body."""
    return hashlib.blake2b(body, digest_size=16).hexdigest()


def public_location(resp: Response) -> Response:
    """Point a redirect at the public site, never at whatever Host header the client sent.

    Werkzeug builds the Location of its own redirects (``/dumps`` → ``/dumps/``) from the
    request's host; a forged Host would turn them into links elsewhere. With BASE_URL set the
    Location is rebuilt from it; without one it becomes a path, which clients resolve against
    the address they actually used.
    """
    location = resp.headers.get("Location")
    if location is None or not 300 <= resp.status_code < 400:
        return resp
    asked = get_current_url(request.environ, root_only=True).rstrip("/")
    if location.startswith(asked + "/"):
        base = current_app.config.get("BASE_URL")
        path = location[len(asked) :]
        resp.headers["Location"] = (str(base).rstrip("/") if base else "") + path
    return resp


def site_root() -> str:
    """The public root of the site: BASE_URL when configured, else the request's host."""
    base = current_app.config.get("BASE_URL")
    if base:
        return str(base).rstrip("/")
    return get_current_url(request.environ, root_only=True).rstrip("/")


def answer(body: bytes, fmt: Format | str, status: int = 200) -> Answer:
    return Answer(body, fmt if isinstance(fmt, str) else fmt.content_type, status)


def choose(
    offered: Mapping[str, Sequence[Format]],
    ext: str | None = None,
    format_values: Sequence[str] | None = None,
) -> conneg.Choice:
    """Negotiate: a URL suffix names the format; else ``format=`` and ``Accept`` decide."""
    if ext is not None:
        every = [f for formats in offered.values() for f in formats]
        picked = next((f for f in every if f.extension == ext), None)
        if picked is None:
            suffixes = ", ".join(dict.fromkeys("." + f.extension for f in every))
            raise NotFound(f"no .{ext} version here; try {suffixes}")
        return conneg.Choice(
            {kind: picked if picked in formats else None for kind, formats in offered.items()},
            offered,
            f"the suffix .{ext}",
        )
    values = request.args.getlist("format") if format_values is None else format_values
    return conneg.negotiate(request.accept_mimetypes, offered, values)


def choose_one(offered: Sequence[Format], ext: str | None = None) -> Format:
    return choose({"answer": offered}, ext).format_for("answer")


def respond(
    key: Hashable,
    make: Callable[[], Answer],
    *,
    negotiated: bool = True,
    location: str | None = None,
) -> Response:
    """The answer for ``key`` from the cache, else made (and kept when it is a 200)."""
    cache = get_cache()
    entry = cache.lookup(key)
    metrics.count_cache(entry is not None)
    if entry is not None:
        logs.note_cache_hit()
    else:
        made = make()
        if made.status != 200:
            return response(made, negotiated=negotiated, location=location)
        entry = cache.store(key, made, len(made.body))
    return response(entry.value, negotiated=negotiated, location=location, age=cache.age(entry))


def response(
    made: Answer, *, negotiated: bool, location: str | None = None, age: float | None = None
) -> Response:
    """The HTTP response for an answer; a 200 is conditional (ETag, Last-Modified, 304)."""
    resp = Response(made.body, status=made.status, content_type=made.content_type)
    if negotiated:
        resp.headers["Vary"] = "Accept"
        if location:
            resp.headers["Content-Location"] = location
    if made.status == 200:
        resp.set_etag(made.etag)
        resp.last_modified = loaded_at()
        resp.headers["Cache-Control"] = cachepolicy.cache_control(current_app.config, age)
        resp.make_conditional(request)  # 304, body dropped, when the client's copy is current
    return resp


class Heartbeat:
    """Tell gunicorn's arbiter that this worker is alive while one long response is made or
    sent (a sync worker reports only between requests, so a 2 GB dump would be killed at the
    worker timeout). Throttled to once a second; a no-op outside gunicorn."""

    def __init__(self, notify: Callable[[], None] | None) -> None:
        self.notify, self.last = notify, 0.0

    def __call__(self) -> None:
        now = time.monotonic()
        if self.notify is not None and now - self.last >= 1.0:
            self.last = now
            self.notify()


def heartbeat() -> Heartbeat:
    return Heartbeat(current_app.extensions.get(HEARTBEAT))


class FileChunks:
    """A file's bytes in chunks, closed as soon as the last one is read.

    Unlike werkzeug's FileWrapper it does not wait for the server to call ``close()`` (a
    test client, or a client that reads the body to its end, never leaves it open); it seeks,
    so Range requests skip to their start.
    """

    CHUNK = 1 << 16

    def __init__(self, path: Path, tick: Callable[[], None] = lambda: None) -> None:
        self.file, self.tick = path.open("rb"), tick

    def __iter__(self) -> FileChunks:
        return self

    def __next__(self) -> bytes:
        self.tick()
        chunk = self.file.read(self.CHUNK)
        if not chunk:
            self.close()
            raise StopIteration
        return chunk

    def __del__(self) -> None:
        # a body nobody read (a test client's unread response): release the handle quietly
        self.file.close()

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int) -> None:
        self.file.seek(offset)

    def tell(self) -> int:
        return self.file.tell()

    def close(self) -> None:
        self.file.close()


def file_response(path: Path, etag: str, content_type: str, size: int) -> Response:
    """A body too big for memory, streamed from disk, with the validators of :func:`response`
    plus Range requests. The file is opened now, so it may be removed while it is sent."""
    chunks = FileChunks(path, heartbeat())
    resp = Response(chunks, content_type=content_type, direct_passthrough=True)
    resp.content_length = size
    resp.set_etag(etag)
    resp.last_modified = loaded_at()
    resp.headers["Cache-Control"] = cachepolicy.cache_control(current_app.config, None)
    resp.make_conditional(request, accept_ranges=True, complete_length=size)
    if resp.status_code not in (200, 206):
        chunks.close()  # a 304 or 416 sends no body
    return resp


def loaded_at() -> datetime:
    """When the served data was loaded (or last changed by an update)."""
    return current_app.extensions[LOADED_AT]  # type: ignore[no-any-return]


def mark_loaded(extensions: dict[str, object]) -> None:
    extensions[LOADED_AT] = datetime.now(UTC).replace(microsecond=0)
