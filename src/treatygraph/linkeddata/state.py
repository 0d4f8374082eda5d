"""Per-app state of the linked-data layer: the documents' texts, for quote context on pages."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from treatygraph.corpus.documents import load_registry
from treatygraph.corpus.mentions import MENTIONS_FILE, coverage, read_mentions
from treatygraph.errors import Error
from treatygraph.linkeddata.describe import ArticleText, Coverage

log = logging.getLogger(__name__)
STATE = "treatygraph.linkeddata"


@dataclass(frozen=True)
class LinkedDataState:
    texts: dict[str, tuple[str, int]]  #: document IRI -> (text, body end)
    coverage: dict[str, Coverage] = field(default_factory=dict)  #: document IRI -> coverage

    @property
    def article_text(self) -> ArticleText:
        return ArticleText(None, None, self.texts)


def open_texts(config: Mapping[str, Any]) -> LinkedDataState:
    """The verified text of every document registered in PROJECT_ROOT that CORPUS_DIR (or the
    default corpus directory) holds, and each document's mention coverage (measured when its
    text is here); a text that is absent or changed is left out, logged."""
    root = Path(config.get("PROJECT_ROOT") or Path.cwd())
    corpus = config.get("CORPUS_DIR")
    state = LinkedDataState({})
    if not (root / "graph").is_dir():
        return state
    try:
        registry = load_registry(root, Path(corpus) if corpus else None)
        for document in registry:
            found = registry.text(document)
            iri = str(document.iri)
            if found is not None:
                state.texts[iri] = (found.text, found.body_end)
            path = document.folder / MENTIONS_FILE
            if not path.is_file():
                continue
            mentions = read_mentions(path)
            linked = sum(m.slug is not None for m in mentions)
            measured = coverage(found.body, mentions) if found is not None else None
            state.coverage[iri] = Coverage(
                round(measured.ratio, 4) if measured else None,
                len(measured.candidates) if measured else 0,
                linked,
                len(mentions) - linked,
            )
    except (Error, OSError) as err:
        log.warning("texts beside %s not used: %s", root, err)
    return state


def init_state(app: Flask) -> None:
    app.extensions[STATE] = open_texts(app.config)


def get_state() -> LinkedDataState:
    return current_app.extensions[STATE]  # type: ignore[no-any-return]
