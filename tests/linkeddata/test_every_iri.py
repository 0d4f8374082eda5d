"""Every resource IRI of the dataset dereferences: as HTML for people and Turtle for machines."""

from __future__ import annotations

import pyoxigraph as ox
from flask.testing import FlaskClient

from treatygraph.rdf.iris import TGID

from .conftest import sparql_select


def test_every_resource_iri_dereferences(client: FlaskClient) -> None:
    rows = sparql_select(
        client,
        f"""SELECT DISTINCT ?r WHERE {{
        {{ ?r ?p ?o }} UNION {{ ?s ?p ?r }} FILTER(STRSTARTS(STR(?r), "{TGID}")) }}""",
    )
    iris = sorted(r["r"]["value"] for r in rows)
    assert len(iris) > 400  # the article graph alone has hundreds of resources
    failures = []
    for iri in iris:
        slug = iri[len(str(TGID)) :]
        html = client.get(f"/id/{slug}", headers={"Accept": "text/html"})
        turtle = client.get(f"/id/{slug}.ttl")
        if html.status_code != 200 or turtle.status_code != 200:
            failures.append(f"{slug}: {html.status_code}/{turtle.status_code}")
            continue
        triples = ox.parse(turtle.get_data(), format=ox.RdfFormat.TURTLE)
        if not any(t.subject == ox.NamedNode(iri) for t in triples):
            failures.append(f"{slug}: no triples about it in its own description")
    assert failures == []
