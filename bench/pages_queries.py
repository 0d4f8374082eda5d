"""Time the queries under an entity page (``describe``) and a listing page over synthetic data.

    nice -n 19 .venv/bin/python bench/pages_queries.py /tmp/s.nt [--repeat 5]

Loads the file with the project's ontology into an embedded store and prints the median time
of ``describe`` for a few well-connected entities, and of one page of ``/browse/people`` and of
the positions listing: the costs that must follow the entity's neighbourhood, not the dataset.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import pyoxigraph as ox

from treatygraph.linkeddata import cbd, listings
from treatygraph.linkeddata.describe import KINDS
from treatygraph.store.oxigraph import OxigraphEngine

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    store = ox.Store()
    store.bulk_load(path=str(args.data), format=ox.RdfFormat.N_TRIPLES)
    for ttl in sorted((ROOT / "ontology").glob("*.ttl")):
        store.bulk_load(path=str(ttl), format=ox.RdfFormat.TURTLE)
    engine = OxigraphEngine(store)
    print(f"{len(store)} quads")
    rows = engine.query(
        "SELECT ?o (COUNT(*) AS ?n) WHERE { ?s ?p ?o . FILTER(isIRI(?o) && "
        "STRSTARTS(STR(?o), 'https://w3id.org/treatygraph/id/')) } "
        "GROUP BY ?o ORDER BY DESC(?n) LIMIT 3"
    ).rows
    people = engine.query(
        "SELECT ?s WHERE { ?s a <https://w3id.org/treatygraph/ontology#Person> } LIMIT 1"
    ).rows
    targets = [(r[0].value, int(r[1].value)) for r in rows] + [(people[0][0].value, 0)]

    def timed(label: str, work: object) -> None:
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            work()  # type: ignore[operator]
            times.append(time.perf_counter() - t0)
        print(f"{label}: median {statistics.median(times) * 1000:.1f} ms")

    for iri, n in targets:
        name = iri.rsplit("/", 1)[-1]
        timed(f"describe {name} ({n} in-links)", lambda i=iri: cbd.describe(engine, i))
    people_kind = next(k for k in KINDS if k.name == "people")
    timed("browse/people page 1", lambda: listings.kind_page(engine, people_kind))


if __name__ == "__main__":
    main()
