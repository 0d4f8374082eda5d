"""Per-app state of the linked-data layer: the documents' texts and a cache of generated pages.

Generated documents (dumps, the context, VoID, DCAT, the ontology page) are built on
first use and kept for the life of the app. Each entry is tied to a *data version*:
the store's per-graph triple counts. An update through ``/update`` that changes them
makes the next request regenerate (and moves ``Last-Modified``); an update that keeps
every count the same is not noticed (documented limitation; restart the server).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, current_app

from treatygraph.corpus.documents import load_registry
from treatygraph.errors import Error
from treatygraph.linkeddata.describe import ArticleText
from treatygraph.store import get_engine

log = logging.getLogger(__name__)
STATE = "treatygraph.linkeddata"
T = TypeVar("T")


@dataclass
class LinkedDataState:
    texts: dict[str, tuple[str, int]]  #: document IRI -> (text, body end)
    loaded_at: datetime
    _version: Any = None
    _cache: dict[Any, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def article_text(self) -> ArticleText:
        return ArticleText(None, None, self.texts)

    def cached(self, key: Any, make: Callable[[], T]) -> T:
        """``make()`` once per key and data version."""
        version = tuple(sorted(get_engine().triple_counts().items(), key=lambda kv: kv[0] or ""))
        with self._lock:
            if version != self._version:
                if self._version is not None:
                    self.loaded_at = _now()
                self._cache.clear()
                self._version = version
            if key in self._cache:
                return self._cache[key]  # type: ignore[no-any-return]
        value = make()
        with self._lock:
            self._cache[key] = value
        return value


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def open_texts(config: dict[str, Any]) -> dict[str, tuple[str, int]]:
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
    app.extensions[STATE] = LinkedDataState(open_texts(app.config), _now())


def get_state() -> LinkedDataState:
    return current_app.extensions[STATE]  # type: ignore[no-any-return]
