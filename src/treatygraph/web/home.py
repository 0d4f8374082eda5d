"""Home page (query editor + examples) and ``/healthz``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template

from treatygraph.store import get_engine

bp = Blueprint("home", __name__)
EXAMPLES = "treatygraph.examples"


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


@bp.route("/")
def index() -> str:
    return render_template(
        "index.html",
        examples=current_app.extensions[EXAMPLES],
        namespace=current_app.config["RESOURCE_NAMESPACE"],
    )


@bp.route("/healthz")
def healthz() -> Response:
    engine = get_engine()
    counts = engine.triple_counts()
    return jsonify(
        {
            "status": "ok",
            "triples": engine.union_triple_count(),
            "default_graph_triples": counts.get(None, 0),
            "graphs": {name: counts.get(name, 0) for name in engine.graph_names()},
            "read_only": engine.read_only or not current_app.config.get("UPDATE_TOKEN"),
        }
    )


def init_app(app: Flask) -> None:
    directory = app.config.get("COMPETENCY_DIR")
    if directory is None and app.config.get("PROJECT_ROOT"):
        directory = Path(app.config["PROJECT_ROOT"]) / "tests" / "competency"
    app.extensions[EXAMPLES] = load_examples(Path(directory) if directory else None)
    app.register_blueprint(bp)
