"""The source article: its text, metadata and body limits, read from shared/ when present.

The repository never holds the article; building and serving need only the quotes and offsets
stored in graph/. Whatever needs the text (anchoring, verification, page context) asks here and
copes with its absence.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

ARTICLE_ENV = "TREATYGRAPH_ARTICLE"
DEFAULT_RELATIVE = Path("..") / "shared" / "sources" / "inf-treaty-article.txt"


@dataclass(frozen=True)
class Article:
    """The article text with the metadata that bounds it."""

    path: Path
    text: str
    sha256: str
    body_end: int
    published: str
    url: str

    @property
    def body(self) -> str:
        """The article proper, without the page's sidebar."""
        return self.text[: self.body_end]


def default_article_path(root: Path) -> Path:
    """Where the article is expected: $TREATYGRAPH_ARTICLE, else shared/ beside the checkout."""
    override = os.environ.get(ARTICLE_ENV)
    return Path(override) if override else (root / DEFAULT_RELATIVE)


def load_article(path: Path) -> Article:
    """Read the article and its JSON metadata (same name, .json); check the declared sha256."""
    raw = path.read_bytes()
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    digest = hashlib.sha256(raw).hexdigest()
    if digest != meta["sha256"]:
        raise ValueError(f"{path}: sha256 {digest} does not match its metadata ({meta['sha256']})")
    return Article(
        path=path,
        text=raw.decode("utf-8"),
        sha256=digest,
        body_end=int(meta["article_body_ends_at_char"]),
        published=meta["published"],
        url=meta["url"],
    )


def find_article(root: Path) -> Article | None:
    """The article if it is available beside this checkout, else None."""
    path = default_article_path(root)
    return load_article(path) if path.is_file() else None
