"""The home page (query editor with example queries) and ``/healthz``.

The examples are ``*.rq`` files in EXAMPLES_DIR (default ``examples/queries/`` of the checkout,
the competency questions whose answers the tests check), titled by their first line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, current_app, jsonify, render_template, url_for

from treatygraph.rdf import formats
from treatygraph.rdf.iris import GRAPH_BASE, PREFIXES, TG
from treatygraph.store import get_cache, get_engine
from treatygraph.web import pipeline

EXAMPLES = "treatygraph.examples"
DEFAULT_EXAMPLES = Path("examples") / "queries"


@dataclass(frozen=True)
class Example:
    name: str
    title: str
    query: str


def load_examples(directory: Path | None) -> list[Example]:
    """``*.rq`` files, titled by their first line ``# title`` (else the file name)."""
    if directory is None or not directory.is_dir():
        return []
    examples = []
    for path in sorted(directory.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        first = text.splitlines()[0] if text else ""
        title = first.lstrip("#").strip() if first.startswith("#") else path.stem
        examples.append(Example(path.stem, title or path.stem, text))
    return examples


def page_config(namespace: str) -> dict[str, object]:
    """What the query editor (static/app.js) needs, as inert JSON in the page (the CSP runs no
    inline script): where our IRIs live, the prefixes for short names, the download formats."""
    return {
        "endpoint": url_for("sparql.sparql"),
        "namespace": namespace,
        "ontology": str(TG),
        "graphs": GRAPH_BASE,
        "prefixes": {name: str(iri) for name, iri in PREFIXES.items()},
        "formats": {
            "results": [f.name for f in formats.RESULTS],
            "graph": [f.name for f in formats.RDF],
        },
    }


def index() -> Response:
    root = pipeline.site_root()

    def make() -> pipeline.Answer:
        html = render_template(
            "index.html",
            examples=current_app.extensions[EXAMPLES],
            config=page_config(current_app.config["RESOURCE_NAMESPACE"]),
            endpoint_url=root + "/sparql",
        )
        return pipeline.answer(html.encode("utf-8"), "text/html; charset=utf-8")

    return pipeline.respond(("home", root), make, negotiated=False)


def healthz() -> Response:
    """Liveness and what is served; the counts are made once per data version."""
    engine = get_engine()
    counts = get_cache().get_or_make(("counts",), engine.triple_counts, lambda c: 64 * len(c))
    union = get_cache().get_or_make(("union-count",), engine.union_triple_count, lambda _: 64)
    resp = jsonify(
        {
            "status": "ok",
            "triples": union,
            "default_graph_triples": counts.get(None, 0),
            "graphs": {name: counts.get(name, 0) for name in engine.graph_names()},
            "read_only": engine.read_only or not current_app.config.get("UPDATE_TOKEN"),
        }
    )
    resp.headers["Cache-Control"] = "no-store"
    return resp


def init_app(app: Flask) -> None:
    directory = app.config.get("EXAMPLES_DIR")
    if directory is None and app.config.get("PROJECT_ROOT"):
        directory = Path(app.config["PROJECT_ROOT"]) / DEFAULT_EXAMPLES
    app.extensions[EXAMPLES] = load_examples(Path(directory) if directory else None)
