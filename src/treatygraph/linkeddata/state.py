"""Per-app state of the linked-data layer: the source article, for quote context on pages."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from treatygraph.corpus.documents import Article, find_article, load_article
from treatygraph.linkeddata.describe import ArticleText

log = logging.getLogger(__name__)
STATE = "treatygraph.linkeddata"


@dataclass(frozen=True)
class LinkedDataState:
    article: Article | None

    @property
    def article_text(self) -> ArticleText:
        if self.article is None:
            return ArticleText(None)
        return ArticleText(self.article.text, self.article.body_end)


def open_article(config: Mapping[str, Any]) -> Article | None:
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
    app.extensions[STATE] = LinkedDataState(open_article(app.config))


def get_state() -> LinkedDataState:
    return current_app.extensions[STATE]  # type: ignore[no-any-return]
