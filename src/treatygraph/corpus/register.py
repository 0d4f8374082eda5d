"""``treatygraph register``: add a document to the corpus from a saved web page or a text file.

For a web page, trafilatura extracts the body text and the metadata it can find (title, author,
date, url, site name); flags fill in or override what it found. The command computes the text's
sha256 and body end, refuses a document the corpus already has (same slug, text or url), says
what it could not find, and writes the record (``graph/<slug>/document.ttl``) and the text: into
the checkout's ``corpus/`` when the rights allow redistribution, else into the corpus directory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from treatygraph.corpus.documents import (
    COMMITTED_TEXTS,
    Document,
    NewResource,
    Registry,
    record_path,
    render_record,
    sha256_of,
)
from treatygraph.corpus.project import Project, read_all
from treatygraph.errors import InputError
from treatygraph.rdf.iris import SLUG_RE, TG, TGID

HTML_SUFFIXES = {".html", ".htm", ".xhtml"}


class RegisterError(InputError):
    """A document that cannot be registered; the message says what is missing or duplicated."""


@dataclass
class Found:
    """What the source gave (text and metadata), and where each value came from."""

    text: str
    title: str | None = None
    author: str | None = None
    date: str | None = None
    url: str | None = None
    publisher: str | None = None
    language: str | None = None
    notes: list[str] = field(default_factory=list)


def slugify(value: str) -> str:
    """A slug for a name: ASCII letters and digits joined by single hyphens."""
    value = re.sub(r"[’']", "", value)
    ascii_only = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_only.lower()).strip("-")


def read_source(path: Path) -> Found:
    """The body text and metadata of a saved web page (via trafilatura) or a plain text file."""
    raw = path.read_bytes()
    try:
        content = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RegisterError(f"{path}: not UTF-8 ({exc})") from exc
    if path.suffix.lower() not in HTML_SUFFIXES:
        return Found(text=content, notes=[f"plain text: the whole of {path.name} is the text"])
    import lxml.html
    import trafilatura

    document = trafilatura.bare_extraction(content, with_metadata=True, include_comments=False)
    extracted = document if isinstance(document, dict) or document is None else document.as_dict()
    if not isinstance(extracted, dict) or not extracted.get("text"):
        raise RegisterError(f"{path}: trafilatura found no body text in this page")
    language = lxml.html.fromstring(raw).get("lang")
    found = Found(
        text=str(extracted["text"]),
        title=extracted.get("title"),
        author=extracted.get("author"),
        date=extracted.get("date"),
        url=extracted.get("url"),
        publisher=extracted.get("sitename"),
        language=language.split("-")[0].lower() if language else None,
    )
    for name in ("title", "author", "date", "url", "publisher", "language"):
        value = getattr(found, name)
        found.notes.append(
            f"{name}: {value!r} (from the page)" if value else f"{name}: not found in the page"
        )
    return found


def labelled_resources(project: Project) -> dict[str, URIRef]:
    """Every resource of the data graphs by lower-cased label and altLabel."""
    files = [p for name in project.data_graph_names() for p in project.graph_files(name)]
    data = read_all(files)
    names: dict[str, URIRef] = {}
    for predicate in (SKOS.altLabel, RDFS.label):  # labels win over altLabels
        for subject, label in data.subject_objects(predicate):
            if isinstance(subject, URIRef) and str(subject).startswith(str(TGID)):
                names[str(label).lower()] = subject
    return names


def genres(ontology: Graph) -> dict[str, URIRef]:
    """The genres the ontology defines, by slugified label (``news-article``, ...)."""
    return {
        slugify(str(ontology.value(g, RDFS.label))): g
        for g in ontology.subjects(RDF.type, TG.Genre)
        if isinstance(g, URIRef)
    }


def resource_for(
    name: str, kind: str, known: dict[str, URIRef], new: list[NewResource], notes: list[str]
) -> URIRef:
    """An existing resource with this name, else a new one (recorded in ``new``)."""
    existing = known.get(name.lower())
    if existing is not None:
        notes.append(f"{name!r} is the existing resource <{existing}>")
        return existing
    slug = slugify(name)
    if not slug or str(TGID[slug]) in {str(v) for v in known.values()}:
        raise RegisterError(f"cannot make a new resource for {name!r}: slug {slug!r} is taken")
    new.append(NewResource(slug, kind, name))
    notes.append(f"{name!r} is new: tgid:{slug} ({kind}) is added to the record; review its type")
    return TGID[slug]


def check_duplicates(registry: Registry, slug: str, sha: str, url: str) -> None:
    """Refuse a document the corpus already has, naming the record it duplicates."""
    for document in registry:
        if document.slug == slug:
            raise RegisterError(f"tgid:{slug} is already registered ({document.record})")
        if document.sha256 == sha:
            raise RegisterError(f"this text is already registered as tgid:{document.slug}")
        if document.url == url:
            raise RegisterError(f"{url} is already registered as tgid:{document.slug}")
    if (registry.root / "graph" / slug).exists():
        raise RegisterError(f"graph/{slug}/ already exists; choose another --slug")


def register(args: argparse.Namespace) -> tuple[Document, list[str]]:
    """Build and write the record and the text; return the document and what to tell the user."""
    project = Project(args.root, args.corpus)
    registry = project.registry()
    found = read_source(args.source)
    notes = list(found.notes)
    values = {
        "title": args.title or found.title,
        "url": args.url or found.url,
        "publisher": args.publisher or found.publisher,
        "date": args.date or found.date,
        "language": args.language or found.language,
        "rights": args.rights,
    }
    flags = {"date": "--date YYYY-MM-DD", "rights": "--rights TEXT"}
    missing = [
        f"no {name} found: pass {flags.get(name, '--' + name + ' VALUE')}"
        for name, value in values.items()
        if not value
    ]
    if missing:
        raise RegisterError(f"{args.source}: " + "; ".join(missing))
    try:
        issued = dt.date.fromisoformat(str(values["date"])[:10])
    except ValueError as exc:
        raise RegisterError(f"date {values['date']!r} is not YYYY-MM-DD") from exc
    slug = args.slug or slugify(f"{values['title']}")[:60].strip("-")
    if not SLUG_RE.match(slug):
        raise RegisterError(f"--slug {slug!r}: use lowercase letters, digits and single hyphens")
    text = found.text
    data = text.encode("utf-8")
    sha = sha256_of(data)
    check_duplicates(registry, slug, sha, str(values["url"]))
    body_end = args.body_end if args.body_end is not None else len(text)
    if not 0 < body_end <= len(text):
        raise RegisterError(f"--body-end {body_end} is outside the text (1..{len(text)})")
    kinds = genres(read_all(project.ontology_files))
    genre = None
    if args.genre:
        genre = kinds.get(slugify(args.genre))
        if genre is None:
            raise RegisterError(f"--genre {args.genre!r}: choose one of {', '.join(sorted(kinds))}")
    else:
        notes.append(f"genre: not given (--genre: {', '.join(sorted(kinds))})")
    known = labelled_resources(project)
    new: list[NewResource] = []
    publisher = resource_for(str(values["publisher"]), "tg:Organization", known, new, notes)
    author = args.author or found.author
    creator = resource_for(author, "tg:Person", known, new, notes) if author else None
    if creator is None:
        notes.append("author: not found (pass --author NAME if the text has one)")
    name = args.source.name if args.source.suffix.lower() not in HTML_SUFFIXES else f"{slug}.txt"
    document = Document(
        slug=slug,
        record=record_path(project.root, slug),
        title=str(values["title"]),
        url=str(values["url"]),
        publisher=str(publisher),
        creator=None if creator is None else str(creator),
        genre=None if genre is None else str(genre),
        language=str(values["language"]),
        issued=issued,
        sha256=sha,
        body_end=body_end,
        rights=str(values["rights"]),
        text_file=name,
        redistributable=args.redistributable,
    )
    target = (
        project.root / COMMITTED_TEXTS / name if args.redistributable else registry.corpus / name
    )
    notes.append(
        f"text: {len(text)} characters, body end {body_end}, sha256 {sha}; written to {target}"
        + ("" if args.redistributable else " (outside the checkout: its rights do not allow it)")
    )
    label = f"{document.title} ({issued.isoformat()})"
    write_document(document, render_record(document, label, new), target, data)
    return document, notes


def write_document(document: Document, record: str, target: Path, data: bytes) -> None:
    """Write the text, then the record; a failure leaves neither behind."""
    from treatygraph.files import write_atomically

    wrote_text = False
    if not (target.is_file() and target.read_bytes() == data):
        if target.exists():
            raise RegisterError(f"{target} exists and holds another text; move it or rename")
        write_atomically(target, data)
        wrote_text = True
    try:
        write_atomically(document.record, record.encode("utf-8"))
    except BaseException:
        if wrote_text:
            target.unlink(missing_ok=True)
        raise
