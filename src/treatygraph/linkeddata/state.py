"""Per-app state of the linked-data layer: the documents' texts, for quote context on pages."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from treatygraph.corpus.documents import load_registry
from treatygraph.errors import Error
from treatygraph.linkeddata.describe import ArticleText

log = logging.getLogger(__name__)
STATE = "treatygraph.linkeddata"


@dataclass(frozen=True)
class LinkedDataState:
    texts: dict[str, tuple[str, int]]  #: document IRI -> (text, body end)

    @property
    def article_text(self) -> ArticleText:
        return ArticleText(None, None, self.texts)


def open_texts(config: Mapping[str, Any]) -> dict[str, tuple[str, int]]:
    """The verified text of every document registered in PROJECT_ROOT that CORPUS_DIR (or the
    default corpus directory) holds; a text that is absent or changed is left out, logged."""
    root = Path(config.get("PROJECT_ROOT") or Path.cwd())
    corpus = config.get("CORPUS_DIR")
    texts: dict[str, tuple[str, int]] = {}
    if not (root / "graph").is_dir():
        return texts
    try:
        registry = load_registry(root, Path(corpus) if corpus else None)
        for document in registry:
            found = registry.text(document)
            if found is not None:
                texts[str(document.iri)] = (found.text, found.body_end)
    except (Error, OSError) as err:
        log.warning("texts beside %s not used: %s", root, err)
    return texts


def init_state(app: Flask) -> None:
    app.extensions[STATE] = LinkedDataState(open_texts(app.config))


def get_state() -> LinkedDataState:
    return current_app.extensions[STATE]  # type: ignore[no-any-return]
