"""Entity search: labels and alternative labels in an SQLite FTS5 index, built with the store.

What Wikidata's search box does for its items: type a few letters, get the entities whose
label or alternative label starts with them, best first. A SPARQL ``FILTER(CONTAINS(...))``
scans every label (seconds at 10M triples); FTS5 answers from an inverted index with prefix
tables, in milliseconds at any size, and ships with Python's ``sqlite3``.

Ranking, in three steps that each stop early, so that a one-letter query costs what a precise
one does: an exact label first; then labels that start with the query, in alphabetical order
(so shorter names of one stem come first), from a B-tree range scan; then labels containing the
words anywhere, from FTS5, ranked by BM25 among the first :data:`CANDIDATES`. A preferred label
(``rdfs:label``, ``skos:prefLabel``) beats an alternative one (``skos:altLabel``) on ties, and
each entity appears once, with the label that matched best. Diacritics and case are folded, so
"bolton" finds "Bolton" and "helene" finds "Hélène".

The index is a file written once (:func:`build_index`) and opened read-only by every server
process (:meth:`SearchIndex.open`), so gunicorn's forked workers share it without locking.
"""

from __future__ import annotations

import os
import re
import sqlite3
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from treatygraph.errors import InputError
from treatygraph.store.base import QueryEngine

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS = "http://www.w3.org/2004/02/skos/core#"
#: label properties, preferred first
LABELS = (RDFS_LABEL, SKOS + "prefLabel", SKOS + "altLabel")
_PREFERRED = frozenset(LABELS[:2])
_WORD = re.compile(r"\w+", re.UNICODE)
#: rows per SPARQL page while building: bounded memory whatever the size of the store
PAGE = 50_000

#: word matches ranked per query at most (the exact and prefix steps are not capped)
CANDIDATES = 1000

_SCHEMA = """
CREATE TABLE entry (id INTEGER PRIMARY KEY, norm TEXT, text TEXT, iri TEXT, kind TEXT,
                    preferred INTEGER);
CREATE VIRTUAL TABLE word USING fts5(
    text, content = 'entry', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'
);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
"""
_INDEXES = """
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
            insert = "INSERT INTO entry (norm, text, iri, kind, preferred) VALUES (?, ?, ?, ?, ?)"
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
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


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
        want = offset + limit
        columns = "iri, text, kind, preferred"
        steps = [
            (f"SELECT {columns} FROM entry WHERE norm = ? ORDER BY preferred DESC", (norm,)),
            (
                f"SELECT {columns} FROM entry WHERE norm > ? AND norm < ? "
                "ORDER BY norm, preferred DESC LIMIT ?",
                (norm, norm + "\U0010ffff", want * 4),
            ),
            (
                f"SELECT {columns} FROM (SELECT rowid AS id, bm25(word) AS score FROM word "
                "WHERE word MATCH ? LIMIT ?) JOIN entry USING (id) "
                "ORDER BY score, preferred DESC, length(text)",
                (expression, CANDIDATES),
            ),
        ]
        hits: list[Hit] = []
        seen: set[str] = set()
        for sql, params in steps:
            for iri, text, kind, preferred in self._db.execute(sql, params):
                if iri not in seen:
                    seen.add(iri)
                    hits.append(Hit(iri, text, kind, bool(preferred)))
            if len(hits) >= want:
                break
        return hits[offset:want]
