"""``treatygraph reconcile``: propose Wikidata candidates for unlinked resources, accept reviewed.

Proposing never links anything: it asks a Wikidata-compatible SPARQL endpoint for items whose
English label or alias equals one of our labels and whose type fits our class, and writes them to a
review TSV with a score. A person marks the right rows ``accept = yes``; ``--accept`` then turns
those rows, and only those, into links in ``graph/alignments/reconciled.ttl`` with who accepted
them, when, and the score they had. Finding and scoring the candidates is
:mod:`treatygraph.integration.candidates`'s; this module has the review file, the accepting and the
command.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from treatygraph.corpus.project import Project, read_all
from treatygraph.integration.alignments import ALIGNMENTS_DIR, QID_RE, turtle_string
from treatygraph.integration.candidates import (
    QUERY,
    SKIPPED_CLASSES,
    WIKIDATA_TYPES,
    Candidate,
    ReconcileError,
    Unlinked,
    ask,
    build_query,
    candidates_for,
    linked_resources,
    name_score,
    unlinked,
)
from treatygraph.rdf.iris import TGID, WD, slug_of

__all__ = [
    # re-exported: the candidate search and scoring moved to treatygraph.integration.candidates
    "WIKIDATA_TYPES",
    "SKIPPED_CLASSES",
    "QUERY",
    "ReconcileError",
    "Unlinked",
    "Candidate",
    "linked_resources",
    "unlinked",
    "build_query",
    "ask",
    "name_score",
    "candidates_for",
    "RECONCILED_FILE",
    "LINKSET",
    "SSSOM",
    "COLUMNS",
    "DEFAULT_TIMEOUT",
    "DEFAULT_LIMIT",
    "write_review",
    "Accepted",
    "read_review",
    "accepted_rows",
    "existing_accepted",
    "render_reconciled",
]

RECONCILED_FILE = ALIGNMENTS_DIR / "reconciled.ttl"
LINKSET = TGID["linkset-wikidata-reconciled"]
SSSOM = "https://w3id.org/sssom/"
COLUMNS = ["iri", "label", "qid", "candidate_label", "description", "score", "accept"]
DEFAULT_TIMEOUT = 20.0
DEFAULT_LIMIT = 5


def write_review(path: Path, endpoint: str, candidates: list[Candidate]) -> None:
    """The review TSV: one row per candidate, with an empty accept column to fill in."""
    from treatygraph.files import write_atomically

    buffer = io.StringIO()
    buffer.write(
        f"# treatygraph reconcile: endpoint={endpoint} "
        f"generated={dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()}\n"
    )
    buffer.write(
        "# set accept to yes on the right rows, then: treatygraph reconcile --accept THIS_FILE\n"
    )
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    writer.writerow(COLUMNS)
    for c in candidates:
        writer.writerow(
            [
                str(c.resource.iri),
                c.resource.label,
                c.qid,
                c.label,
                " ".join(c.description.split()),
                f"{c.score:.2f}",
                "",
            ]
        )
    write_atomically(path, buffer.getvalue().encode("utf-8"))


# ------------------------------------------------------------------ accepting


@dataclass(frozen=True)
class Accepted:
    """A reviewed link, with who accepted it, when and how it scored."""

    slug: str
    qid: str
    label: str
    candidate_label: str
    score: str
    creator: str
    created: str
    endpoint: str


def read_review(path: Path) -> tuple[str, list[tuple[int, dict[str, str]]]]:
    """The endpoint named in the review file's first line, and its rows with line numbers."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ReconcileError(f"{path}: cannot read: {exc.strerror}") from exc
    endpoint = ""
    found = re.search(r"endpoint=(\S+)", lines[0]) if lines else None
    if found:
        endpoint = found.group(1)
    body = [(n, line) for n, line in enumerate(lines, start=1) if not line.startswith("#")]
    if not body:
        raise ReconcileError(f"{path}: no header row")
    header_line, header = body[0][0], body[0][1].split("\t")
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ReconcileError(f"{path}:{header_line}: missing columns {', '.join(missing)}")
    rows = []
    for number, line in body[1:]:
        if not line.strip():
            continue
        cells = line.split("\t")
        cells += [""] * (len(header) - len(cells))
        rows.append((number, dict(zip(header, cells, strict=False))))
    return endpoint, rows


def accepted_rows(path: Path, project: Project, creator: str, now: str) -> list[Accepted]:
    """The rows marked ``accept = yes``, checked against our graph and existing links."""
    endpoint, rows = read_review(path)
    data = read_all(project.document_files() + project.graph_files("background"))
    linked = linked_resources(read_all(project.graph_files("alignments")))
    chosen: dict[str, Accepted] = {}
    for number, row in rows:
        decision = row["accept"].strip().lower()
        if decision in ("", "no"):
            continue
        where = f"{path}:{number}"
        if decision != "yes":
            raise ReconcileError(f"{where}: accept is {row['accept']!r}; write yes, no or nothing")
        iri, qid = URIRef(row["iri"].strip()), row["qid"].strip()
        slug = slug_of(str(iri))
        if not slug or (iri, RDFS.label, None) not in data:
            raise ReconcileError(f"{where}: {iri} is not a resource of this graph")
        if not QID_RE.match(qid):
            raise ReconcileError(f"{where}: {qid!r} is not a Wikidata item id")
        if iri in linked:
            if linked[iri] == WD[qid]:
                print(
                    f"{where}: tgid:{slug} is already linked to wd:{qid}; skipped", file=sys.stderr
                )
                continue
            raise ReconcileError(
                f"{where}: tgid:{slug} is already linked to <{linked[iri]}>; remove that link first"
            )
        if slug in chosen and chosen[slug].qid != qid:
            raise ReconcileError(
                f"{where}: a second accepted item for tgid:{slug} "
                f"(wd:{chosen[slug].qid} is accepted too)"
            )
        chosen[slug] = Accepted(
            slug,
            qid,
            row["label"],
            row["candidate_label"],
            row["score"].strip() or "0",
            creator,
            now,
            endpoint,
        )
    return list(chosen.values())


def existing_accepted(path: Path) -> list[Accepted]:
    """The links already in reconciled.ttl, read back so the file can be rewritten whole."""
    if not path.is_file():
        return []
    from treatygraph.rdf.io import read_graph

    graph = read_graph(path)
    found = []
    for node in graph.subjects(RDF.type, RDF.Statement):
        subject, item = graph.value(node, RDF.subject), graph.value(node, RDF.object)
        if subject is None or item is None:
            continue

        def text(predicate: URIRef, node: URIRef = node) -> str:  # type: ignore[assignment]
            value = graph.value(node, predicate)
            return "" if value is None else str(value)

        found.append(
            Accepted(
                slug=slug_of(str(subject)) or "",
                qid=str(item)[len(str(WD)) :],
                label=text(RDFS.label).split(" = ")[0],
                candidate_label=text(DCTERMS.description),
                score=text(URIRef(SSSOM + "confidence")),
                creator=text(DCTERMS.creator),
                created=text(DCTERMS.created),
                endpoint=text(DCTERMS.source),
            )
        )
    return found


def render_reconciled(links: list[Accepted]) -> str:
    """reconciled.ttl, sorted by our slug, so each accept only adds lines."""
    out = [
        "# Identity links to Wikidata that a person accepted from `treatygraph reconcile`",
        "# candidates. GENERATED by `treatygraph reconcile --accept REVIEW.tsv`; each link says",
        "# who accepted it, when, from which endpoint, and with which score.",
        "",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .",
        "@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix semapv:  <https://w3id.org/semapv/vocab/> .",
        "@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .",
        f"@prefix sssom:   <{SSSOM}> .",
        "@prefix tgid:    <https://w3id.org/treatygraph/id/> .",
        "@prefix void:    <http://rdfs.org/ns/void#> .",
        "@prefix wd:      <http://www.wikidata.org/entity/> .",
        "@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .",
        "",
        f"tgid:{slug_of(str(LINKSET))}",
        "    a void:Linkset ;",
        '    rdfs:label "Reviewed identity links to Wikidata" ;',
        "    rdfs:comment "
        + turtle_string(
            "Links proposed by `treatygraph reconcile` from label and type, each accepted by a "
            "person; not part of the verified list."
        )
        + " ;",
        "    void:linkPredicate skos:exactMatch ;",
        f"    void:triples {len(links)} .",
    ]
    for link in sorted(links, key=lambda x: (x.slug, x.qid)):
        node = f"tgid:link-{link.slug}-wikidata-reconciled"
        out += [
            "",
            f"tgid:{link.slug} skos:exactMatch wd:{link.qid} .",
            "",
            node,
            "    a rdf:Statement ;",
            f"    rdfs:label {turtle_string(f'{link.label} = wd:{link.qid}')} ;",
            f"    rdf:subject tgid:{link.slug} ;",
            "    rdf:predicate skos:exactMatch ;",
            f"    rdf:object wd:{link.qid} ;",
            f"    dcterms:isPartOf tgid:{slug_of(str(LINKSET))} ;",
            f"    dcterms:description {turtle_string(link.candidate_label)} ;",
            f"    dcterms:creator {turtle_string(link.creator)} ;",
            f'    dcterms:created "{link.created}"^^xsd:dateTime ;',
            f'    sssom:confidence "{float(link.score):.2f}"^^xsd:double ;',
            "    sssom:mapping_justification semapv:ManualMappingCuration"
            + (f" ;\n    dcterms:source <{link.endpoint}> ." if link.endpoint else " ."),
        ]
    return "\n".join(out) + "\n"
