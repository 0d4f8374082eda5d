"""Per-app state of the linked-data layer: the article and a cache of generated documents.

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

from treatygraph.corpus.documents import Article, find_article, load_article
from treatygraph.linkeddata.describe import ArticleText
from treatygraph.store import get_engine

log = logging.getLogger(__name__)
STATE = "treatygraph.linkeddata"
T = TypeVar("T")


@dataclass
class LinkedDataState:
    article: Article | None
    loaded_at: datetime
    _version: Any = None
    _cache: dict[Any, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def article_text(self) -> ArticleText:
        if self.article is None:
            return ArticleText(None)
        return ArticleText(self.article.text, self.article.body_end)

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


def open_article(config: dict[str, Any]) -> Article | None:
    """ARTICLE_PATH when set (must load), else the article beside PROJECT_ROOT, if any."""
    path = config.get("ARTICLE_PATH")
    if path:
        return load_article(Path(path))
    root = Path(config.get("PROJECT_ROOT") or Path.cwd())
    try:
        return find_article(root)
    except (OSError, ValueError, KeyError) as err:
        log.warning("article beside %s not used: %s", root, err)
        return None


def init_state(app: Flask) -> None:
    app.extensions[STATE] = LinkedDataState(open_article(app.config), _now())


def get_state() -> LinkedDataState:
    return current_app.extensions[STATE]  # type: ignore[no-any-return]
