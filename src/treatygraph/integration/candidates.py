"""Wikidata candidates for our unlinked resources: which resources, the query, the score.

This is the asking side of ``treatygraph reconcile``, kept apart from the review file and the
accepting (:mod:`treatygraph.integration.reconcile`): it finds the persons, states, organisations,
agreements and posts without a Wikidata link, asks a Wikidata-compatible SPARQL endpoint one
bounded query each, and scores what comes back. It links nothing.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDFS, SKOS

from treatygraph.corpus.project import Project, read_all
from treatygraph.errors import UpstreamError
from treatygraph.http import Client, HttpError
from treatygraph.integration.alignments import QID_RE, instances_of
from treatygraph.rdf.iris import TG, WD, slug_of

#: Our class -> Wikidata classes a candidate must be an instance of (through P31/P279*).
#: These are query constraints, not identity claims: a wrong one only loses candidates.
WIKIDATA_TYPES: dict[URIRef, tuple[str, ...]] = {
    TG.Person: ("Q5",),  # human
    TG.State: ("Q6256", "Q3624078", "Q3024240"),  # country, sovereign state, historical country
    TG.Organization: ("Q43229",),  # organization
    TG.Agreement: ("Q131569",),  # treaty
    TG.Post: ("Q4164871",),  # position
}
MAX_ANSWER = 16 * 1024 * 1024  #: one candidate query answers a few kB; more is not Wikidata
SKIPPED_CLASSES = (TG.UnnamedPerson,)  # "a senior official" has no Wikidata item

QUERY = """\
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <http://schema.org/>
PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
SELECT DISTINCT ?item ?name ?itemLabel ?description WHERE {{
  VALUES ?name {{ {names} }}
  VALUES ?type {{ {types} }}
  ?item rdfs:label|skos:altLabel ?name .
  ?item wdt:P31/wdt:P279* ?type .
  OPTIONAL {{ ?item rdfs:label ?itemLabel FILTER(LANG(?itemLabel) = "en") }}
  OPTIONAL {{ ?item schema:description ?description FILTER(LANG(?description) = "en") }}
}}
LIMIT {limit}"""


class ReconcileError(UpstreamError):
    """A reconciliation that cannot go on; the message names the endpoint or file line."""


@dataclass(frozen=True)
class Unlinked:
    """One of our resources without a Wikidata link."""

    iri: URIRef
    label: str
    alt_labels: tuple[str, ...]
    cls: URIRef


@dataclass(frozen=True)
class Candidate:
    """One proposed Wikidata item for one of our resources."""

    resource: Unlinked
    qid: str
    label: str
    description: str
    score: float


def linked_resources(alignments: Graph) -> dict[URIRef, URIRef]:
    """Our resource -> its Wikidata item, from the alignments graph."""
    found = {}
    for predicate in (SKOS.exactMatch, OWL.sameAs):
        for ours, item in alignments.subject_objects(predicate):
            if str(item).startswith(str(WD)) and slug_of(str(ours)):
                found[ours] = item
    return found  # type: ignore[return-value]


def unlinked(project: Project) -> list[Unlinked]:
    """Persons, states, organisations, agreements and posts that have no Wikidata link yet."""
    data = read_all(project.document_files() + project.graph_files("background"))
    ontology = read_all(project.ontology_files)
    linked = linked_resources(read_all(project.graph_files("alignments")))
    skipped: set[URIRef] = set()
    for cls in SKIPPED_CLASSES:
        skipped |= instances_of(data, ontology, cls)
    found: dict[URIRef, Unlinked] = {}
    for cls in WIKIDATA_TYPES:
        for iri in sorted(instances_of(data, ontology, cls) - skipped - set(linked), key=str):
            label = data.value(iri, RDFS.label)
            if label is None or iri in found:
                continue
            alts = tuple(sorted(str(a) for a in data.objects(iri, SKOS.altLabel)))
            found[iri] = Unlinked(iri, str(label), alts, cls)
    return sorted(found.values(), key=lambda u: str(u.iri))


def _sparql_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False) + "@en"


def build_query(resource: Unlinked, limit: int) -> str:
    """The bounded query for one resource: its labels, its class's Wikidata types, a LIMIT."""
    names = " ".join(_sparql_string(n) for n in (resource.label, *resource.alt_labels))
    types = " ".join(f"wd:{q}" for q in WIKIDATA_TYPES[resource.cls])
    return QUERY.format(names=names, types=types, limit=limit * 4)


def ask(endpoint: str, query: str, timeout: float) -> list[dict[str, dict[str, str]]]:
    """Run one SELECT over HTTP GET and return the SPARQL JSON bindings."""
    url = endpoint + ("&" if "?" in endpoint else "?") + urllib.parse.urlencode({"query": query})
    try:
        answer = Client(max_bytes=MAX_ANSWER).get(
            url, {"Accept": "application/sparql-results+json"}, timeout
        )
    except HttpError as exc:
        raise ReconcileError(f"{endpoint}: {exc.message}") from exc
    if answer.status >= 400:
        body = answer.body[:300].decode("utf-8", "replace")
        raise ReconcileError(f"{endpoint}: HTTP {answer.status}: {body}")
    try:
        payload = json.loads(answer.body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ReconcileError(f"{endpoint}: the answer is not SPARQL JSON results: {exc}") from exc
    bindings = payload.get("results", {}).get("bindings", []) if isinstance(payload, dict) else None
    if not isinstance(bindings, list):
        raise ReconcileError(f"{endpoint}: the answer is not SPARQL JSON results (no bindings)")
    return bindings


def name_score(resource: Unlinked, candidate_label: str) -> float:
    """1.0: the item's English label is our label; 0.9: the same but for case and spacing;
    0.75: the match is only through an alias (our skos:altLabel or the item's)."""
    if candidate_label == resource.label:
        return 1.0
    if _fold(candidate_label) == _fold(resource.label):
        return 0.9
    return 0.75


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'")).strip().casefold()


def candidates_for(
    resource: Unlinked, bindings: list[dict[str, dict[str, str]]], limit: int
) -> list[Candidate]:
    """Score the items found for one resource; the score is shared out among them."""
    items: dict[str, tuple[str, str]] = {}
    for row in bindings:
        iri = row.get("item", {}).get("value", "")
        if not iri.startswith(str(WD)) or not QID_RE.match(iri[len(str(WD)) :]):
            continue
        qid = iri[len(str(WD)) :]
        label = row.get("itemLabel", {}).get("value", "")
        description = row.get("description", {}).get("value", "")
        previous = items.get(qid, ("", ""))
        items[qid] = (label or previous[0], description or previous[1])
    if not items:
        return []
    share = 1 / len(items)
    found = [
        Candidate(resource, qid, label, description, round(name_score(resource, label) * share, 2))
        for qid, (label, description) in items.items()
    ]
    found.sort(key=lambda c: (-c.score, int(c.qid[1:])))
    return found[:limit]
