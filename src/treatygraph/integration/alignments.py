"""``treatygraph link``: identity links from our resources to verified Wikidata items.

The only source of identity is the shared verified list (``wikidata-verified.tsv``): a row is
linked when exactly one resource of the matching class carries the row's name as its
``rdfs:label`` or a ``skos:altLabel``. Nothing is guessed; rows without such a resource are
reported and left out. The output, ``graph/alignments/wikidata.ttl``, is written in one fixed
order so that the same inputs give the same bytes (see docs/integration.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from treatygraph.corpus.project import Project, read_all
from treatygraph.errors import InputError
from treatygraph.rdf.iris import TG, TGID, WD, slug_of

#: Kinds of row in the verified list that name individuals, and the class our resource must have.
KIND_CLASSES: dict[str, URIRef] = {
    "state": TG.State,
    "person": TG.Person,
    "organisation": TG.Organization,
    "office": TG.Post,
    "continent": TG.Region,
}
ALIGNMENTS_DIR = Path("graph") / "alignments"
WIKIDATA_FILE = ALIGNMENTS_DIR / "wikidata.ttl"
DEFAULT_VERIFIED = Path("..") / "shared" / "data" / "wikidata-verified.tsv"
LINKSET = TGID["linkset-wikidata-verified"]
VERIFIED_LIST = TGID["wikidata-verified-list"]
QID_RE = re.compile(r"^Q[1-9][0-9]*$")
# "President of the United States (office)": the list's own disambiguation, not part of the name.
KIND_SUFFIX_RE = re.compile(r"\s+\((office|class|property)\)$")

PREFIX_BLOCK = """\
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix spdx:    <http://spdx.org/rdf/terms#> .
@prefix tgid:    <https://w3id.org/treatygraph/id/> .
@prefix void:    <http://rdfs.org/ns/void#> .
@prefix wd:      <http://www.wikidata.org/entity/> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
"""


class VerifiedListError(InputError):
    """The verified list cannot be read; the message names file and line."""


@dataclass(frozen=True)
class VerifiedItem:
    """One row of the verified list."""

    name: str
    qid: str
    kind: str
    evidence: str
    line: int

    @property
    def iri(self) -> URIRef:
        return WD[self.qid]


@dataclass(frozen=True)
class Link:
    """A verified item matched to exactly one of our resources."""

    resource: URIRef
    item: VerifiedItem
    matched_by: URIRef  # rdfs:label or skos:altLabel

    @property
    def slug(self) -> str:
        return slug_of(str(self.resource)) or ""


def read_verified(path: Path) -> list[VerifiedItem]:
    """The rows of the verified list (comment lines skipped), with their line numbers."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise VerifiedListError(f"{path}: cannot read: {exc.strerror}") from exc
    items = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) < 3:
            raise VerifiedListError(f"{path}:{number}: expected entity, qid, kind, evidence")
        name, qid, kind = (c.strip() for c in cells[:3])
        evidence = cells[3].strip() if len(cells) > 3 else ""
        if not re.match(r"^[QP][1-9][0-9]*$", qid):
            raise VerifiedListError(f"{path}:{number}: {qid!r} is not a Wikidata id")
        items.append(VerifiedItem(KIND_SUFFIX_RE.sub("", name), qid, kind, evidence, number))
    return items


def instances_of(data: Graph, ontology: Graph, cls: URIRef) -> set[URIRef]:
    """Resources typed with ``cls`` or any of its subclasses (asserted hierarchy only)."""
    classes = set(ontology.transitive_subjects(RDFS.subClassOf, cls))
    found: set[URIRef] = set()
    for sub in classes:
        found |= {s for s in data.subjects(RDF.type, sub) if isinstance(s, URIRef)}
    return found


def match(
    items: Iterable[VerifiedItem], data: Graph, ontology: Graph
) -> tuple[list[Link], list[str]]:
    """Match verified items to our resources by exact label and class.

    Returns the links, sorted by our slug, and one line per verified item left unlinked.
    """
    links: list[Link] = []
    unmatched: list[str] = []
    for item in items:
        if item.kind not in KIND_CLASSES:
            continue
        cls = KIND_CLASSES[item.kind]
        typed = instances_of(data, ontology, cls)
        found: dict[URIRef, URIRef] = {}
        for predicate in (SKOS.altLabel, RDFS.label):  # a label wins over an altLabel
            for subject in data.subjects(predicate, None):
                if any(str(o) == item.name for o in data.objects(subject, predicate)):
                    if isinstance(subject, URIRef) and slug_of(str(subject)):
                        found[subject] = predicate
        candidates = {s: p for s, p in found.items() if s in typed}
        where = f"line {item.line}: {item.name!r} ({item.kind}, wd:{item.qid})"
        if len(candidates) == 1:
            ((resource, predicate),) = candidates.items()
            links.append(Link(resource, item, predicate))
        elif not found:
            unmatched.append(f"{where}: no resource has this label")
        elif not candidates:
            other = ", ".join(sorted(f"tgid:{slug_of(str(s))}" for s in found))
            unmatched.append(
                f"{where}: {other} has the label but is not a tg:{cls[len(str(TG)) :]}"
            )
        else:
            many = ", ".join(sorted(f"tgid:{slug_of(str(s))}" for s in candidates))
            unmatched.append(f"{where}: ambiguous, several resources match ({many})")
    by_resource: dict[URIRef, list[Link]] = {}
    for link in links:
        by_resource.setdefault(link.resource, []).append(link)
    for resource, several in by_resource.items():
        if len({link.item.qid for link in several}) > 1:
            names = ", ".join(f"line {x.item.line} wd:{x.item.qid}" for x in several)
            unmatched.append(f"tgid:{slug_of(str(resource))}: matched by several items ({names})")
            links = [link for link in links if link.resource != resource]
    unique = {(link.resource, link.item.qid): link for link in links}
    return sorted(unique.values(), key=lambda x: (x.slug, x.item.qid)), unmatched


def turtle_string(value: str) -> str:
    """A Turtle string literal (rdflib's own escaping, so both parsers agree)."""
    return Literal(value).n3()


def render(links: list[Link], list_name: str, list_sha256: str, created: str) -> str:
    """The alignments file: linkset description, then one link and its record per resource."""
    out = [
        "# Identity links from treatygraph resources to Wikidata items.",
        "# GENERATED by `treatygraph link --verified wikidata-verified.tsv`: do not edit by hand;",
        "# fix the labels in graph/ or the verified list and run the command again.",
        "",
        PREFIX_BLOCK,
        f"tgid:{slug_of(LINKSET)}",
        "    a void:Linkset ;",
        '    rdfs:label "Verified identity links to Wikidata" ;',
        "    rdfs:comment "
        + turtle_string(
            "Each of our resources whose Wikidata item is in the verified list, matched by exact "
            "rdfs:label or skos:altLabel and by class. One rdf:Statement per link records the "
            "evidence the list gives for the item."
        )
        + " ;",
        "    void:linkPredicate skos:exactMatch ;",
        f"    void:triples {len(links)} ;",
        f'    dcterms:created "{created}"^^xsd:date ;',
        f"    prov:wasDerivedFrom tgid:{slug_of(VERIFIED_LIST)} .",
        "",
        f"tgid:{slug_of(VERIFIED_LIST)}",
        "    a prov:Entity ;",
        f"    rdfs:label {turtle_string('Verified Wikidata items (' + list_name + ')')} ;",
        "    rdfs:comment "
        + turtle_string(
            "Wikidata items checked against at least one Wikidata-generated file or two "
            "independent sources; only these may be asserted as identity links."
        )
        + " ;",
        f"    dcterms:title {turtle_string(list_name)} ;",
        "    spdx:checksum [",
        "        spdx:algorithm spdx:checksumAlgorithm_sha256 ;",
        f'        spdx:checksumValue "{list_sha256}"',
        "    ] .",
    ]
    for link in links:
        slug, qid, item = link.slug, link.item.qid, link.item
        how = "rdfs:label" if link.matched_by == RDFS.label else "skos:altLabel"
        out += [
            "",
            f"tgid:{slug} skos:exactMatch wd:{qid} .",
            "",
            f"tgid:link-{slug}-wikidata",
            "    a rdf:Statement ;",
            f"    rdfs:label {turtle_string(f'{item.name} = wd:{qid}')} ;",
            f"    rdf:subject tgid:{slug} ;",
            "    rdf:predicate skos:exactMatch ;",
            f"    rdf:object wd:{qid} ;",
            f"    dcterms:isPartOf tgid:{slug_of(LINKSET)} ;",
            f"    prov:wasDerivedFrom tgid:{slug_of(VERIFIED_LIST)} ;",
            f"    dcterms:description {turtle_string(item.evidence)} ;",
            "    rdfs:comment "
            + turtle_string(
                f"Verified list line {item.line}: {item.name!r} ({item.kind}) is the {how} "
                f"of tgid:{slug}."
            )
            + " .",
        ]
    return "\n".join(out) + "\n"


def existing_created(path: Path) -> str | None:
    """The creation date recorded in an earlier alignments file, so a re-run keeps it."""
    if not path.is_file():
        return None
    pattern = r'dcterms:created "(\d{4}-\d{2}-\d{2})"\^\^xsd:date'
    match_ = re.search(pattern, path.read_text("utf-8"))
    return match_.group(1) if match_ else None


def link_project(
    project: Project, verified: Path, created: str | None = None
) -> tuple[str, list[Link], list[str]]:
    """Compute the alignments file for a checkout: (text, links, unmatched report lines)."""
    items = read_verified(verified)
    data = Graph()
    data += read_all(project.document_files() + project.graph_files("background"))
    ontology = read_all(project.ontology_files)
    links, unmatched = match(items, data, ontology)
    out = project.root / WIKIDATA_FILE
    when = created or existing_created(out) or dt.date.today().isoformat()
    sha = hashlib.sha256(verified.read_bytes()).hexdigest()
    return render(links, verified.name, sha, when), links, unmatched
