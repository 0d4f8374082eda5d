"""What an import was made from, as RDF: the provenance graph ``tgg:<NAME>-provenance``.

Source, retrieval time, SHA-256 of the bytes, triple and row counts about the imported graph's
IRI; for a CSV, the table (a ``csvw:Table`` with the same checksum) and each row IRI
``<table>#row=N`` that an observation is ``prov:wasDerivedFrom`` (``dcterms:isPartOf`` the
table), so every number leads to a checked cell.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from treatygraph.errors import InputError
from treatygraph.rdf.io import bind_prefixes
from treatygraph.rdf.iris import VOID, graph_iri

if TYPE_CHECKING:  # the pages read PROVENANCE_SUFFIX: they need not load the CSV reader
    from treatygraph.integration.fetch import Fetched
    from treatygraph.integration.tabular import Tabled

PROVENANCE_SUFFIX = "-provenance"
SPDX = "http://spdx.org/rdf/terms#"
CSVW = "http://www.w3.org/ns/csvw#"


def provenance_iri(name: str) -> URIRef:
    return graph_iri(name + PROVENANCE_SUFFIX)


def check_license(value: str) -> URIRef:
    """The licence as an IRI, or an error naming the value (a licence is what a catalog
    repeats and a reuser follows, so it must be dereferenceable: an absolute http(s) IRI)."""
    try:
        ox.NamedNode(value)
    except ValueError as err:
        raise InputError(f"--license {value!r}: not an IRI ({err})") from None
    if not value.startswith(("http://", "https://")):
        raise InputError(
            f"--license {value!r}: give an absolute http(s) IRI, "
            "e.g. https://creativecommons.org/licenses/by/4.0/"
        )
    return URIRef(value)


def provenance(
    name: str,
    fetched: Fetched,
    triples: int,
    rows: int | None,
    mapping: Path | None,
    tabled: Tabled | None = None,
    license: str | None = None,
) -> Graph:
    """What the import was made from, as triples about the imported graph's IRI (and its table)."""
    graph = bind_prefixes(Graph())
    graph.bind("spdx", SPDX)
    graph.bind("csvw", CSVW)
    subject = graph_iri(name)
    graph.add((subject, RDF.type, VOID.Dataset))
    graph.add((subject, RDF.type, PROV.Entity))
    graph.add((subject, RDFS.label, Literal(f"Imported graph {name}")))
    source = URIRef(fetched.location) if fetched.is_address else Literal(fetched.location)
    graph.add((subject, DCTERMS.source, source))
    if license is not None:
        graph.add((subject, DCTERMS.license, check_license(license)))
    graph.add(
        (
            subject,
            PROV.generatedAtTime,
            Literal(fetched.retrieved.isoformat().replace("+00:00", "Z"), datatype=XSD.dateTime),
        )
    )
    checksum = BNode(f"{name}-provenance-checksum")
    graph.add((subject, URIRef(SPDX + "checksum"), checksum))
    graph.add((checksum, URIRef(SPDX + "algorithm"), URIRef(SPDX + "checksumAlgorithm_sha256")))
    graph.add((checksum, URIRef(SPDX + "checksumValue"), Literal(fetched.sha256)))
    graph.add((subject, VOID.triples, Literal(triples)))
    if rows is not None:
        extent = BNode(f"{name}-provenance-rows")
        graph.add((subject, DCTERMS.extent, extent))
        graph.add((extent, RDF.type, DCTERMS.SizeOrDuration))
        graph.add((extent, RDF.value, Literal(rows)))
        graph.add((extent, RDFS.label, Literal(f"{rows} CSV data rows")))
    if mapping is not None:
        graph.add((subject, DCTERMS.conformsTo, Literal(str(mapping))))
    if tabled is not None:
        # The table the rows belong to: its bytes' SHA-256, so a row IRI leads to a checked file.
        table = URIRef(str(tabled.row_iris[0]).split("#", 1)[0]) if tabled.row_iris else None
        if table is not None:
            graph.add((subject, PROV.wasDerivedFrom, table))
            graph.add((table, RDF.type, URIRef(CSVW + "Table")))
            graph.add((table, RDF.type, PROV.Entity))
            graph.add((table, DCTERMS.source, source))
            graph.add((table, URIRef(SPDX + "checksum"), checksum))
            for row in tabled.row_iris:
                graph.add((row, RDF.type, URIRef(CSVW + "Row")))
                graph.add((row, DCTERMS.isPartOf, table))
    return graph


def nquads(graphs: dict[URIRef, Graph]) -> bytes:
    """Sorted N-Quads of several graphs."""
    lines: list[str] = []
    for iri, graph in graphs.items():
        text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
        lines += [line[: -len(" .")] + f" <{iri}> .\n" for line in text.splitlines() if line]
    return "".join(sorted(lines)).encode("utf-8")
