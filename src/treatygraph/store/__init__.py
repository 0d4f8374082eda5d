"""The store layer: open the configured engine once, reach it through one accessor."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import current_app

from treatygraph.errors import ConfigError
from treatygraph.store.base import DataLoadError, QueryEngine, QueryResult
from treatygraph.store.executor import Executor

ENGINE = "treatygraph.engine"
EXECUTOR = "treatygraph.executor"
FEDERATION_EXECUTOR = "treatygraph.executor.federation"

__all__ = [
    "DataLoadError",
    "QueryEngine",
    "QueryResult",
    "ConfigError",
    "open_engine",
    "get_engine",
    "get_executor",
    "all_executors",
]


def open_engine(config: Mapping[str, Any]) -> QueryEngine:
    """Open the engine named by the config: STORE_PATH, else DATA_FILES, else build.

    A STORE_PATH of ``sparql+http://...`` / ``sparql+https://...`` opens a
    :class:`~treatygraph.store.remote.RemoteEngine` on that SPARQL endpoint and (unless
    STORE_LOAD is false) loads DATA_FILES or the build into it, graph by graph.

    Raises :class:`DataLoadError` for unparsable data, :class:`ConfigError` otherwise.
    """
    from treatygraph.store.oxigraph import OxigraphEngine
    from treatygraph.store.remote import is_remote, open_remote

    if is_remote(config.get("STORE_PATH")):  # sparql+http(s)://...: a remote SPARQL store
        return open_remote(config, lambda: _local_store(config))
    if config.get("STORE_PATH"):
        path = Path(config["STORE_PATH"])
        if not path.is_dir():
            raise ConfigError(f"STORE_PATH {path} is not a directory holding an Oxigraph store")
        try:
            return OxigraphEngine(path=str(path))
        except OSError as err:
            raise ConfigError(f"cannot open the store at {path}: {err}") from None
    return OxigraphEngine(_local_store(config))


def _local_store(config: Mapping[str, Any]) -> Any:
    """DATA_FILES, else the project build (+ imports), as an in-memory pyoxigraph store."""
    from treatygraph.store.oxigraph import load_files, load_nquads

    if config.get("DATA_FILES"):
        return load_files(config["DATA_FILES"])
    root = Path(config.get("PROJECT_ROOT") or Path.cwd())
    from treatygraph.build.compile import build_nquads
    from treatygraph.integration.imports import imported_files

    store = load_nquads(build_nquads(root), label=f"build of {root}")
    for path in imported_files(root):  # datasets added with `treatygraph import`
        store.bulk_extend(load_files([str(path)]))
    return store


def get_engine() -> QueryEngine:
    """The engine of the current app (opened by ``treatygraph.web.app.init_engine``)."""
    return current_app.extensions[ENGINE]


def get_executor(federated: bool = False) -> Executor:
    """The query process manager; ``federated``: the one that reaches allow-listed SERVICE
    endpoints (the plain one where there are none)."""
    if federated:
        return current_app.extensions.get(FEDERATION_EXECUTOR) or current_app.extensions[EXECUTOR]
    return current_app.extensions[EXECUTOR]


def all_executors() -> list[Executor]:
    return [
        current_app.extensions[key]
        for key in (EXECUTOR, FEDERATION_EXECUTOR)
        if key in current_app.extensions
    ]
