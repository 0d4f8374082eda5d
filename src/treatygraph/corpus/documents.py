"""The document registry: each source document is a record, ``graph/<slug>/document.ttl``.

A record is a ``tg:SourceDocument`` in Turtle, in the document's own named graph. It says what
the document is (title, url, publisher, author, genre, language, date), which text file the
anchors' offsets count in, that text's sha256 and body end, its rights, and whether the rights
let the text be committed. This module is the one place that reads records and spells their
vocabulary; everything else asks it for documents and their texts, so no other module names a
document.

Texts are looked up in the corpus directory (``--corpus DIR``, else ``$TREATYGRAPH_CORPUS``,
else ``../shared/sources`` beside the checkout) and, for a text whose rights allow it, in the
checkout's own ``corpus/`` folder. A text is checked against its record's sha256 before use.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF
from rdflib.term import Node

from treatygraph.errors import CheckFailed, InputError
from treatygraph.rdf.io import read_graph
from treatygraph.rdf.iris import SCHEMA, SLUG_RE, TG, TGID

RECORD_FILE = "document.ttl"
#: The class of a document's record, for code that finds documents in the store.
RECORD_CLASS = str(TG.SourceDocument)
CORPUS_ENV = "TREATYGRAPH_CORPUS"
DEFAULT_CORPUS = Path("..") / "shared" / "sources"
COMMITTED_TEXTS = Path("corpus")  #: texts whose rights allow committing, inside the checkout


class RecordError(InputError):
    """A document record that cannot be used; the message names the file."""


class TextMismatch(CheckFailed):
    """A text file that is not the text its record describes (its sha256 differs)."""


@dataclass(frozen=True)
class Document:
    """One registered source document, as its record describes it."""

    slug: str
    record: Path
    title: str
    url: str
    publisher: str
    creator: str | None
    genre: str | None
    language: str
    issued: dt.date
    sha256: str
    body_end: int
    rights: str
    text_file: str
    redistributable: bool

    @property
    def iri(self) -> URIRef:
        return TGID[self.slug]

    @property
    def folder(self) -> Path:
        """The folder of the document's named graph: its record and its fact files."""
        return self.record.parent

    def record_line(self, term: str) -> int:
        """The line of the record that states ``term`` (e.g. ``tg:sha256``), for messages."""
        for number, line in enumerate(self.record.read_text("utf-8").splitlines(), start=1):
            if term in line:
                return number
        return 1


@dataclass(frozen=True)
class DocumentText:
    """A document's text, verified against its record."""

    document: Document
    path: Path
    text: str

    @property
    def body_end(self) -> int:
        return self.document.body_end

    @property
    def body(self) -> str:
        """The document proper: anchors may point only here (not at page furniture after it)."""
        return self.text[: self.document.body_end]


def _one(
    graph: Graph, subject: URIRef, predicate: URIRef, path: Path, required: bool = True
) -> Node | None:
    values = list(graph.objects(subject, predicate))
    name = graph.namespace_manager.normalizeUri(predicate)
    if len(values) > 1:
        raise RecordError(f"{path}: the record states {name} {len(values)} times; give it once")
    if not values:
        if required:
            raise RecordError(f"{path}: the record of <{subject}> has no {name}")
        return None
    return values[0]


def read_record(path: Path) -> Document:
    """Read one record file; its document's slug must be its folder's name."""
    graph = read_graph(path)
    subjects = sorted(described_documents(graph))
    if len(subjects) != 1:
        raise RecordError(
            f"{path}: a record describes exactly one tg:SourceDocument, found {len(subjects)}"
        )
    (subject,) = subjects
    slug = str(subject)[len(str(TGID)) :] if str(subject).startswith(str(TGID)) else ""
    if slug != path.parent.name:
        raise RecordError(
            f"{path}: the document is <{subject}>, but its folder says tgid:{path.parent.name}; "
            "a document's slug is its folder's name"
        )
    issued = _one(graph, subject, DCTERMS.issued, path)
    if not isinstance(issued, Literal) or not isinstance(issued.toPython(), dt.date):
        raise RecordError(f'{path}: dcterms:issued must be an xsd:date ("YYYY-MM-DD"^^xsd:date)')
    body_end = _one(graph, subject, TG.bodyEnd, path)
    creator = _one(graph, subject, DCTERMS.creator, path, False)
    genre = _one(graph, subject, TG.genre, path, False)
    redistributable = _one(graph, subject, TG.redistributable, path)
    if not isinstance(redistributable, Literal) or not isinstance(redistributable.toPython(), bool):
        raise RecordError(f"{path}: tg:redistributable must be true or false")
    sha = str(_one(graph, subject, TG.sha256, path))
    if not re.fullmatch(r"[0-9a-f]{64}", sha):
        raise RecordError(f"{path}: tg:sha256 must be 64 lower-case hex digits")
    return Document(
        slug=slug,
        record=path,
        title=str(_one(graph, subject, DCTERMS.title, path)),
        url=str(_one(graph, subject, SCHEMA.url, path)),
        publisher=str(_one(graph, subject, DCTERMS.publisher, path)),
        creator=None if creator is None else str(creator),
        genre=None if genre is None else str(genre),
        language=str(_one(graph, subject, DCTERMS.language, path)),
        issued=issued.toPython(),
        sha256=sha,
        body_end=int(str(body_end)),
        rights=str(_one(graph, subject, DCTERMS.rights, path)),
        text_file=str(_one(graph, subject, TG.textFile, path)),
        redistributable=bool(redistributable.toPython()),
    )


def corpus_directory(root: Path, explicit: Path | None = None) -> Path:
    """Where texts are: ``explicit`` (``--corpus``), else $TREATYGRAPH_CORPUS, else shared/."""
    if explicit is not None:
        return explicit
    override = os.environ.get(CORPUS_ENV)
    return Path(override) if override else root / DEFAULT_CORPUS


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Registry:
    """Every registered document of a checkout, and where their texts are found."""

    root: Path
    corpus: Path
    documents: dict[str, Document]

    def __iter__(self) -> Iterator[Document]:
        return iter(self.documents.values())

    def __len__(self) -> int:
        return len(self.documents)

    def get(self, slug: str) -> Document | None:
        return self.documents.get(slug)

    def text_locations(self, document: Document) -> list[Path]:
        """Where the text may be, in order: committed in the checkout, then the corpus."""
        places = [self.corpus / document.text_file]
        if document.redistributable:
            places.insert(0, self.root / COMMITTED_TEXTS / document.text_file)
        return places

    def text(self, document: Document) -> DocumentText | None:
        """The document's verified text, or None when no location holds it."""
        for path in self.text_locations(document):
            if path.is_file():
                return load_text(document, path)
        return None


def load_text(document: Document, path: Path) -> DocumentText:
    """Read a text and check it is the one the record describes."""
    raw = path.read_bytes()
    digest = sha256_of(raw)
    if digest != document.sha256:
        line = document.record_line("tg:sha256")
        raise TextMismatch(
            f"{document.record}:{line}: the text of tgid:{document.slug} changed: {path} has "
            f"sha256 {digest}, the record says {document.sha256}; every anchor counts in the "
            "recorded text, so restore it (or re-register the document and re-anchor its facts)"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TextMismatch(f"{path}: not UTF-8 ({exc})") from exc
    if document.body_end > len(text):
        raise TextMismatch(
            f"{document.record}:{document.record_line('tg:bodyEnd')}: tg:bodyEnd "
            f"{document.body_end} is past the end of {path} ({len(text)} characters)"
        )
    return DocumentText(document, path, text)


def document_folders(graph_dir: Path) -> list[Path]:
    """The folders under ``graph/`` that hold a document record."""
    return sorted(p.parent for p in graph_dir.glob(f"*/{RECORD_FILE}"))


def is_record(path: Path) -> bool:
    return path.name == RECORD_FILE


def is_document(graph: Graph, node: Node) -> bool:
    return (node, RDF.type, TG.SourceDocument) in graph


def described_documents(graph: Graph) -> set[URIRef]:
    """The source documents a graph describes (for files validated outside a project)."""
    return {s for s in graph.subjects(RDF.type, TG.SourceDocument) if isinstance(s, URIRef)}


def load_registry(root: Path, corpus: Path | None = None) -> Registry:
    """Read every record under ``root/graph/``."""
    documents = {}
    for folder in document_folders(root / "graph"):
        if not SLUG_RE.match(folder.name):
            raise RecordError(f"{folder}: a document folder's name is a slug (a-z, 0-9, -)")
        document = read_record(folder / RECORD_FILE)
        documents[document.slug] = document
    return Registry(root, corpus_directory(root, corpus), documents)


@dataclass(frozen=True)
class NewResource:
    """A publisher or author the record introduces (no resource with its name exists yet)."""

    slug: str
    kind: str  #: a class CURIE, e.g. ``tg:Organization``
    label: str


def _string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + '"'


def render_record(document: Document, label: str, resources: list[NewResource]) -> str:
    """The Turtle of a new record, as ``treatygraph register`` writes it."""
    lines = [
        "@prefix tg:    <https://w3id.org/treatygraph/ontology#> .",
        "@prefix tgid:  <https://w3id.org/treatygraph/id/> .",
        "@prefix schema: <https://schema.org/> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix xsd:   <http://www.w3.org/2001/XMLSchema#> .",
        "@prefix rdfs:  <http://www.w3.org/2000/01/rdf-schema#> .",
        "",
        "# The record of this document, written by `treatygraph register`. The facts read from it",
        f"# go into the other files of this folder (the named graph of tgid:{document.slug}).",
        "",
        f"tgid:{document.slug} a tg:SourceDocument ;",
        f"    rdfs:label {_string(label)} ;",
        f"    dcterms:title {_string(document.title)} ;",
        f"    schema:url <{document.url}> ;",
        f"    dcterms:publisher <{document.publisher}> ;",
    ]
    if document.creator:
        lines.append(f"    dcterms:creator <{document.creator}> ;")
    if document.genre:
        lines.append(f"    tg:genre <{document.genre}> ;")
    lines += [
        f"    dcterms:language {_string(document.language)} ;",
        f'    dcterms:issued "{document.issued.isoformat()}"^^xsd:date ;',
        f"    dcterms:rights {_string(document.rights)} ;",
        f"    tg:textFile {_string(document.text_file)} ;",
        f"    tg:redistributable {'true' if document.redistributable else 'false'} ;",
        f"    tg:sha256 {_string(document.sha256)} ;",
        f"    tg:bodyEnd {document.body_end} .",
    ]
    for resource in resources:
        lines += ["", f"tgid:{resource.slug} a {resource.kind} ;"]
        lines.append(f"    rdfs:label {_string(resource.label)} .")
    return "\n".join(lines) + "\n"


def record_path(root: Path, slug: str) -> Path:
    """Where the record of ``slug`` lives."""
    return root / "graph" / slug / RECORD_FILE
