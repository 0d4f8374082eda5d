"""Baseline: rdflib's own SPARQL engine behind the same HTTP stack as our endpoint.

Flask + gunicorn sync workers (started by ``bench/run.py`` with ``--preload`` so the
graph is parsed once and shared). The data file comes from ``RDFLIB_BENCH_DATA`` and is
loaded into ``rdflib.Dataset(default_union=True)``, so queries see the union of the
graphs as they do on our endpoint. Results are written by rdflib's own serialisers
(SPARQL JSON for SELECT/ASK, N-Triples for CONSTRUCT/DESCRIBE). No cache, no safety
checks, no timeout: this is the engine's best case over HTTP, not a safe endpoint.
"""

from __future__ import annotations

import os

import rdflib
from flask import Flask, Response, request

DATA = os.environ["RDFLIB_BENCH_DATA"]
dataset = rdflib.Dataset(default_union=True)
dataset.parse(DATA, format="nquads")

app = Flask(__name__)


@app.get("/sparql")
def sparql() -> Response:
    result = dataset.query(request.args["query"])
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return Response(result.serialize(format="nt"), mimetype="application/n-triples")
    return Response(result.serialize(format="json"), mimetype="application/sparql-results+json")
