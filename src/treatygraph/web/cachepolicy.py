"""What shared caches (nginx in front, a CDN) may do with our answers: one Cache-Control value.

Query results and pages are pure functions of the data, and the data cannot change while the
server runs unless updates are enabled. So, like the Wikidata Query Service, we let shared caches
keep an answer for ``SHARED_CACHE_SECONDS`` (``s-maxage``) while browsers revalidate every time
with the ETag (``max-age=0, must-revalidate``). With ``/update`` enabled, or the setting at 0, the
answer is ``no-cache``: every cache must ask us first, so an update is seen at once.
Errors never carry this header, so no cache keeps them.

The same reasoning sets how long a server process reuses its own finished answers
(:func:`reuse_seconds`): for as long as it runs when only it can change the data, and
``SHARED_CACHE_SECONDS`` for a remote store, which other writers may change underneath.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from treatygraph.store.remote import is_remote

NO_CACHE = "no-cache"


def cache_control(config: Mapping[str, Any], age: float | None = None) -> str:
    """The Cache-Control value for a successful, cacheable answer under ``config``.

    ``age``: how old the answer already is, for answers reused from a store others write
    to; shared caches then get only what is left of the lifetime, so that no layer adds
    its own full lifetime to another's.
    """
    seconds = int(config.get("SHARED_CACHE_SECONDS") or 0) - int(age or 0)
    if seconds <= 0 or config.get("UPDATE_TOKEN"):
        return NO_CACHE
    return f"public, max-age=0, must-revalidate, s-maxage={seconds}"


def reuse_seconds(config: Mapping[str, Any]) -> float | None:
    """How long this process may reuse an answer: None (no limit) unless the store is remote."""
    if is_remote(config.get("STORE_PATH")):
        return max(0.0, float(config.get("SHARED_CACHE_SECONDS") or 0))
    return None
