"""Entity search: labels and alternative labels in an SQLite FTS5 index, built with the store.

What Wikidata's search box does for its items: type a few letters, get the entities whose
label or alternative label starts with them, best first. A SPARQL ``FILTER(CONTAINS(...))``
scans every label (seconds at 10M triples); FTS5 answers from an inverted index with prefix
tables, in milliseconds at any size, and ships with Python's ``sqlite3``.

Ranking, in two steps that each stop early, so that a one-letter query costs what a precise
one does: an exact label first (a B-tree lookup); then the first :data:`CANDIDATES` labels
whose words start with the query's, from FTS5, which meets the shortest labels first (rows are
numbered by length): among them the shorter label, then one that starts with the query, then
BM25. So a short name ("John Bolton") comes before a sentence that starts with one of its
words ("Bolton calls New START ..."). A preferred label
(``rdfs:label``, ``skos:prefLabel``) beats an alternative one (``skos:altLabel``) on ties, and
each entity appears once, with the label that matched best. Diacritics and case are folded, so
"bolton" finds "Bolton" and "helene" finds "Hélène".

The index is a file written once (:func:`build_index`) and opened read-only by every server
process (:meth:`SearchIndex.open`), so gunicorn's forked workers share it without locking. An
on-disk store has its index beside it (:func:`index_path`, written with the store); for any
other store :func:`open_for` builds one at start in a private temporary folder.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import sqlite3
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from treatygraph.errors import InputError
from treatygraph.files import publish_mode
from treatygraph.store.base import QueryEngine

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS = "http://www.w3.org/2004/02/skos/core#"
#: label properties, preferred first
LABELS = (RDFS_LABEL, SKOS + "prefLabel", SKOS + "altLabel")
_PREFERRED = frozenset(LABELS[:2])
_WORD = re.compile(r"\w+", re.UNICODE)
#: word matches ranked per query at most (the exact and prefix steps are not capped)
CANDIDATES = 1000

_SCHEMA = """
CREATE TABLE incoming (norm TEXT, text TEXT, iri TEXT, kind TEXT, preferred INTEGER);
CREATE TABLE entry (id INTEGER PRIMARY KEY, norm TEXT, text TEXT, iri TEXT, kind TEXT,
                    preferred INTEGER);
CREATE VIRTUAL TABLE word USING fts5(
    text, content = 'entry', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'
);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
"""
#: rows numbered shortest label first, so that FTS5, which returns matches in row order, meets
#: the shortest ones first and a capped word search still sees the names before the sentences
_INDEXES = """
INSERT INTO entry (norm, text, iri, kind, preferred)
    SELECT norm, text, iri, kind, preferred FROM incoming
    ORDER BY length(norm), norm, preferred DESC, iri;
DROP TABLE incoming;
CREATE INDEX entry_norm ON entry (norm, preferred);
INSERT INTO word (rowid, text) SELECT id, text FROM entry;
INSERT INTO word (word) VALUES ('optimize');
"""


class SearchError(InputError):
    """A search the index cannot run (an empty query)."""


@dataclass(frozen=True)
class Hit:
    """One entity found: its IRI, the label that matched, and its kind (a class IRI)."""

    iri: str
    label: str
    kind: str | None
    preferred: bool


def _labels(engine: QueryEngine) -> Iterator[tuple[str, str, str | None, bool]]:
    """(iri, label, one class IRI or None, preferred) for every labelled IRI.

    An engine that can stream its quads (the embedded one: ``label_quads``) is read in constant
    memory; any other is asked one SPARQL query.
    """
    stream = getattr(engine, "label_quads", None)
    if stream is not None:
        yield from stream(LABELS, _PREFERRED)
        return
    values = " ".join(f"<{p}>" for p in LABELS)
    result = engine.query(
        f"SELECT ?s ?p ?l (SAMPLE(?c) AS ?kind) WHERE {{ VALUES ?p {{ {values} }} "
        "?s ?p ?l FILTER(isIRI(?s) && isLiteral(?l)) OPTIONAL { ?s a ?c FILTER(isIRI(?c)) } "
        "} GROUP BY ?s ?p ?l"
    )
    for s, p, label, kind in result.rows:
        yield (
            s.value,
            label.value,
            kind.value if kind is not None else None,
            (p.value in _PREFERRED),
        )


def build_index(engine: QueryEngine, path: Path) -> int:
    """Write the index of ``engine``'s labels to ``path`` (atomically); return the count."""
    return write_index(_labels(engine), path)


def write_index(rows: Iterable[tuple[str, str, str | None, bool]], path: Path) -> int:
    """Write an index of (iri, label, kind, preferred) rows to ``path``, replacing it whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    count = 0
    try:
        db = sqlite3.connect(tmp)
        try:
            db.executescript(_SCHEMA)
            batch: list[tuple[str, str, str, str | None, int]] = []
            insert = "INSERT INTO incoming VALUES (?, ?, ?, ?, ?)"
            for iri, label, kind, preferred in rows:
                batch.append((normalise(label), label, iri, kind, int(preferred)))
                if len(batch) >= 10_000:
                    db.executemany(insert, batch)
                    count += len(batch)
                    batch.clear()
            db.executemany(insert, batch)
            count += len(batch)
            db.executescript(_INDEXES)
            db.execute("INSERT INTO meta VALUES ('labels', ?)", (str(count),))
            db.commit()
        finally:
            db.close()
        publish_mode(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count


def normalise(text: str) -> str:
    """Words only, case and diacritics folded: how an exact or prefix match is judged."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_WORD.findall(plain))


def match_expression(query: str) -> str:
    """The FTS5 query for what a person typed: every word, the last one as a prefix.

    Words are quoted, so FTS5's own syntax (``AND``, ``*``, ``"``, ``:``) in the input is only
    text.
    """
    words = _WORD.findall(query)
    if not words:
        raise SearchError("type at least one letter or digit to search for")
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


class SearchIndex:
    """A read-only connection to an index file (one per process)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    @classmethod
    def open(cls, path: Path) -> SearchIndex:
        db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        return cls(db)

    def __len__(self) -> int:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'labels'").fetchone()
        return int(row[0]) if row else 0

    def search(self, query: str, limit: int = 20, offset: int = 0) -> list[Hit]:
        """Entities whose labels match ``query``, best first, each once with its best label."""
        expression, norm = match_expression(query), normalise(query)
        columns = "e.iri, e.text, e.kind, e.preferred, e.norm"
        exact = self._db.execute(
            f"SELECT {columns}, 0 FROM entry AS e WHERE norm = ? ORDER BY preferred DESC", (norm,)
        ).fetchall()
        words = self._db.execute(
            f"SELECT {columns}, w.score FROM (SELECT rowid AS id, bm25(word) AS score FROM word "
            "WHERE word MATCH ? LIMIT ?) AS w JOIN entry AS e USING (id)",
            (expression, CANDIDATES),
        ).fetchall()
        # names before sentences: the shorter label, then one that starts with the query
        words.sort(key=lambda r: (len(r[4]), not r[4].startswith(norm), not r[3], r[5]))
        hits: list[Hit] = []
        seen: set[str] = set()
        for iri, text, kind, preferred, _norm, _score in exact + words:
            if iri not in seen:
                seen.add(iri)
                hits.append(Hit(iri, text, kind, bool(preferred)))
        return hits[offset : offset + limit]


def index_path(store_path: str | os.PathLike[str]) -> Path:
    """Where the index of an on-disk store lives: beside it, ``<store>.search.sqlite``."""
    path = Path(store_path)
    return path.with_name(path.name + ".search.sqlite")


def open_for(engine: QueryEngine, store_path: str | None) -> SearchIndex:
    """The index for a served engine: the one beside an on-disk store, built there when
    missing; else a fresh one in a temporary folder removed when the process ends."""
    if store_path and Path(store_path).is_dir():
        path = index_path(store_path)
        if not path.exists():
            build_index(engine, path)
        return SearchIndex.open(path)
    folder = Path(tempfile.mkdtemp(prefix="treatygraph-search-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "labels.sqlite"
    build_index(engine, path)
    return SearchIndex.open(path)
