"""Linked-data pages and files: resource IRIs, the ontology, browse indexes, timeline,
positions, dumps, the JSON-LD context, VoID and DCAT.

``init_app(app)`` registers the blueprint (:mod:`treatygraph.linkeddata.views`) and the
per-app state it needs: the article text for quote context and a cache for generated
documents. Importing this package is cheap; the Flask parts load in ``init_app``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from flask import Flask


def init_app(app: Flask) -> None:
    from treatygraph.linkeddata import views

    views.init_app(app)
