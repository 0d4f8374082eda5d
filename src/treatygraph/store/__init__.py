"""The store layer: open the configured engine once, reach it through one accessor.

The store serves data that was built before (``treatygraph build``, :mod:`treatygraph.build`):
files named by DATA_FILES, an on-disk store, or a remote SPARQL store loaded from those files.
It never builds anything itself, and never imports the layers above it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import current_app

from treatygraph.errors import ConfigError
from treatygraph.store import manifest
from treatygraph.store.base import QueryEngine, QueryResult
from treatygraph.store.cache import AnswerCache
from treatygraph.store.executor import Executor
from treatygraph.store.search import SearchIndex

ENGINE = "treatygraph.engine"
CACHE = "treatygraph.cache"
EXECUTOR = "treatygraph.executor"
FEDERATION_EXECUTOR = "treatygraph.executor.federation"
SEARCH = "treatygraph.search"

__all__ = [
    "QueryEngine",
    "QueryResult",
    "open_engine",
    "get_engine",
    "get_cache",
    "get_executor",
    "get_search",
    "all_executors",
]


def open_engine(config: Mapping[str, Any]) -> QueryEngine:
    """Open the engine named by the config: STORE_PATH, else the files of DATA_FILES.

    A STORE_PATH of ``sparql+http://...`` / ``sparql+https://...`` opens a
    :class:`~treatygraph.store.remote.RemoteEngine` on that SPARQL endpoint and (unless
    STORE_LOAD is false) loads DATA_FILES into it, graph by graph.

    An on-disk store is checked against the manifest ``build --store`` wrote
    (:func:`treatygraph.store.manifest.verify`) before it is opened, and its counts come from
    there. Raises :class:`~treatygraph.rdf.io.RDFSyntaxError` for unparsable data,
    :class:`~treatygraph.store.manifest.StoreDamaged` for a store that is not as built,
    :class:`ConfigError` otherwise.
    """
    from treatygraph.store.oxigraph import OxigraphEngine, load_files
    from treatygraph.store.remote import is_remote, open_remote

    if is_remote(config.get("STORE_PATH")):  # sparql+http(s)://...: a remote SPARQL store
        return open_remote(config, lambda: load_files(config.get("DATA_FILES") or []))
    if config.get("STORE_PATH"):
        path = Path(config["STORE_PATH"])
        if not path.is_dir():
            raise ConfigError(f"STORE_PATH {path} is not a directory holding an Oxigraph store")
        counts = manifest.verify(path, full=config.get("STORE_VERIFY") == "full")
        try:
            return OxigraphEngine(path=str(path), counts=counts)
        except OSError as err:
            raise ConfigError(f"cannot open the store at {path}: {err}") from None
    return OxigraphEngine(load_files(config.get("DATA_FILES") or []))


def get_engine() -> QueryEngine:
    """The engine of the current app (opened by ``treatygraph.web.app.init_engine``)."""
    return current_app.extensions[ENGINE]  # type: ignore[no-any-return]


def get_cache() -> AnswerCache:
    """The current app's one cache of answers (:mod:`treatygraph.store.cache`)."""
    return current_app.extensions[CACHE]  # type: ignore[no-any-return]


def get_search() -> SearchIndex:
    """The current app's entity search index (:mod:`treatygraph.store.search`)."""
    return current_app.extensions[SEARCH]  # type: ignore[no-any-return]


def get_executor(federated: bool = False) -> Executor:
    """The query process manager; ``federated``: the one that reaches allow-listed SERVICE
    endpoints (the plain one where there are none)."""
    extensions = current_app.extensions
    if federated and FEDERATION_EXECUTOR in extensions:
        return extensions[FEDERATION_EXECUTOR]  # type: ignore[no-any-return]
    return extensions[EXECUTOR]  # type: ignore[no-any-return]


def all_executors() -> list[Executor]:
    return [
        current_app.extensions[key]
        for key in (EXECUTOR, FEDERATION_EXECUTOR)
        if key in current_app.extensions
    ]
