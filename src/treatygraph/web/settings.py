"""The one table of settings: it makes the defaults, the ``serve`` flags and the docs table.

Every setting is a key of the app's config, read from (lowest first) its default here, the
environment (``TREATYGRAPH_<KEY>``, JSON-decoded where that parses, as Flask does), the mapping
given to :func:`treatygraph.web.app.create_app`, and for ``treatygraph serve`` its flag.
Secrets (the update token, a store password) have no flag that takes their value, which
``ps`` would show: they come from the environment or from a file named by a ``*_FILE`` flag.

The README's settings table is :func:`markdown_table`'s output (``make settings`` writes it);
tests/test_readme.py checks that it is current and that the code reads every key.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Config

from treatygraph.errors import ConfigError

ENV_PREFIX = "TREATYGRAPH"


@dataclass(frozen=True)
class Setting:
    """One setting: its key, default and help, and how ``serve`` takes it on the command line."""

    key: str
    default: Any
    help: str
    flag: str | None = None  #: None: no flag (environment, config, or a ``*_FILE`` flag)
    type: Callable[[str], Any] = str
    metavar: str | tuple[str, ...] | None = None
    #: argparse action for the flag: "store" (default), "append", "extend", "store_true",
    #: "store_false" (a flag that turns a default-on setting off)
    action: str = "store"
    nargs: int | str | None = None
    choices: Sequence[str] | None = None
    group: str = "serving"

    @property
    def documented_default(self) -> str:
        if isinstance(self.default, bool):
            return "on" if self.default else "off"
        if self.default in (None, [], ""):
            return "-"
        return f"`{self.default}`"


S = Setting
SETTINGS: tuple[Setting, ...] = (
    # -- the server ------------------------------------------------------------------------
    S("HOST", "127.0.0.1", "interface to listen on", "--host"),
    S("PORT", 8000, "TCP port to listen on", "--port", int),
    S(
        "WORKERS",
        None,
        "gunicorn sync workers (default: 2-4 by CPU count; 1 when updates are enabled)",
        "--workers",
        int,
    ),
    S("DEV", False, "Flask's development server with the reloader", "--dev", action="store_true"),
    # -- what is served ----------------------------------------------------------------------
    S(
        "PROJECT_ROOT",
        None,
        "the checkout whose built graph is served when neither DATA_FILES nor STORE_PATH is "
        "set (the command's --root; default: the current directory)",
        group="data",
    ),
    S(
        "DATA_FILES",
        [],
        "RDF files to serve instead of the built graph; N-Quads and TriG keep their graph "
        "names, other formats load into the default graph",
        "--data",
        metavar="FILE",
        action="extend",
        nargs="+",
        group="data",
    ),
    S(
        "DATA_GRAPHS",
        [],
        "a triples file to load into the named graph IRI (repeatable)",
        "--data-graph",
        metavar=("IRI", "FILE"),
        action="append",
        nargs=2,
        group="data",
    ),
    S(
        "STORE_PATH",
        None,
        "an on-disk Oxigraph store written by `build --store` (served read-only), or a remote "
        "SPARQL 1.1 store as sparql+http://host:port/sparql (docs/scaling.md)",
        "--store",
        metavar="PATH|URL",
        group="data",
    ),
    S(
        "STORE_UPDATE_URL",
        None,
        "remote store: its SPARQL Update endpoint (default: the query URL)",
        "--store-update",
        metavar="URL",
        group="data",
    ),
    S(
        "STORE_GRAPH_STORE_URL",
        None,
        "remote store: load with Graph Store Protocol PUTs to this URL, not SPARQL Update",
        "--store-graph-store",
        metavar="URL",
        group="data",
    ),
    S("STORE_USER", None, "remote store: user name", "--store-user", metavar="NAME", group="data"),
    S(
        "STORE_PASSWORD",
        None,
        "remote store: password (environment only: TREATYGRAPH_STORE_PASSWORD)",
        group="data",
    ),
    S(
        "STORE_PASSWORD_FILE",
        None,
        "remote store: a file holding the password",
        "--store-password-file",
        metavar="FILE",
        group="data",
    ),
    S(
        "STORE_AUTH",
        "basic",
        "remote store: HTTP authentication scheme for STORE_USER",
        "--store-auth",
        choices=("basic", "digest"),
        group="data",
    ),
    S(
        "STORE_GRAPHS",
        [],
        "remote store, with STORE_LOAD off: a graph of ours in the store (repeatable; default: "
        "every graph but the store's system graphs)",
        "--store-graph",
        metavar="IRI",
        action="append",
        group="data",
    ),
    S(
        "STORE_LOAD",
        True,
        "remote store: (re)load the data into it at start",
        "--no-load",
        action="store_false",
        group="data",
    ),
    S(
        "ARTICLE_PATH",
        None,
        "the source article (with its .json metadata) that pages quote anchors from; default: "
        "the article beside PROJECT_ROOT, else the stored context",
        "--article",
        metavar="FILE",
        group="data",
    ),
    # -- queries -----------------------------------------------------------------------------
    S(
        "QUERY_TIMEOUT",
        10.0,
        "seconds a query may run before it is stopped with a 503; raise it per deployment for "
        "heavy queries on large data (docs/scaling.md)",
        "--timeout",
        float,
        "S",
        group="queries",
    ),
    S(
        "QUERY_MEMORY_LIMIT",
        1024,
        "megabytes one query may allocate; past it the query is stopped (503 naming the "
        "limit); 0: no limit",
        "--memory-limit",
        int,
        "MB",
        group="queries",
    ),
    S(
        "RESULT_CAP",
        10_000,
        "most rows (SELECT) or triples (CONSTRUCT/DESCRIBE) in an answer; a larger result is a "
        "413 that says so, never silently cut",
        "--result-cap",
        int,
        "N",
        group="queries",
    ),
    S(
        "BODY_CAP",
        1 << 20,
        "largest request body in bytes (413 past it)",
        "--body-cap",
        int,
        "BYTES",
        group="queries",
    ),
    S(
        "URL_CAP",
        8000,
        "longest URL query string in bytes (414 past it: send long queries with POST); at most "
        "8100, as gunicorn reads request lines of up to 8190 bytes",
        "--url-cap",
        int,
        "BYTES",
        group="queries",
    ),
    S(
        "SERVICE_ALLOWLIST",
        [],
        "a SERVICE endpoint IRI queries may call (repeatable); such queries run in a process "
        "that can reach only these endpoints' hosts",
        "--allow-service",
        metavar="IRI",
        action="append",
        group="queries",
    ),
    S(
        "QUERY_ISOLATION",
        True,
        "confine query processes with the kernel (no network but the allow-listed endpoints, no "
        "files); turning it off accepts that a query the checks miss may reach the network "
        "(docs/security.md)",
        "--unsafe-no-isolation",
        action="store_false",
        group="queries",
    ),
    S(
        "UPDATE_TOKEN",
        None,
        "enables /update with this bearer token (environment only: TREATYGRAPH_UPDATE_TOKEN)",
        group="queries",
    ),
    S(
        "UPDATE_TOKEN_FILE",
        None,
        "enables /update with the bearer token held in this file",
        "--update-token-file",
        metavar="FILE",
        group="queries",
    ),
    # -- the site ----------------------------------------------------------------------------
    S(
        "BASE_URL",
        None,
        "the public base URL (e.g. https://example.org), for the endpoint's own IRIs and "
        "links; default: the request's host",
        "--base-url",
        metavar="URL",
        group="site",
    ),
    S(
        "RESOURCE_NAMESPACE",
        "https://w3id.org/treatygraph/id/",
        "IRIs under it link to local /id/ pages in the query editor's results",
        "--resource-namespace",
        metavar="IRI",
        group="site",
    ),
    S(
        "EXAMPLES_DIR",
        None,
        "directory of example *.rq queries for the home page (first line: # title); default: "
        "PROJECT_ROOT/examples/queries",
        "--examples-dir",
        metavar="DIR",
        group="site",
    ),
    S(
        "SHARED_CACHE_SECONDS",
        300,
        "how long shared caches (nginx, a CDN) may keep an answer (s-maxage); browsers always "
        "revalidate; 0, or updates enabled: no-cache",
        "--shared-cache-seconds",
        int,
        "S",
        group="site",
    ),
    S(
        "CACHE_MB",
        64,
        "megabytes of finished answers each server process keeps (0: none)",
        "--cache-mb",
        int,
        "MB",
        group="site",
    ),
    S(
        "DATASET_LICENSE",
        "https://creativecommons.org/licenses/by/4.0/",
        "license IRI stated in VoID and DCAT",
        "--license",
        metavar="IRI",
        group="site",
    ),
    S(
        "DATASET_PUBLISHER",
        "treatygraph contributors",
        "publisher named in VoID and DCAT",
        "--publisher",
        metavar="NAME",
        group="site",
    ),
)
BY_KEY: dict[str, Setting] = {s.key: s for s in SETTINGS}
GROUPS = {
    "serving": "The server",
    "data": "What is served",
    "queries": "Queries",
    "site": "The site",
}


def defaults() -> dict[str, Any]:
    return {s.key: list(s.default) if isinstance(s.default, list) else s.default for s in SETTINGS}


def _coerce(setting: Setting, value: Any) -> Any:
    """An environment value as the setting's type (Flask JSON-decodes what it can)."""
    if isinstance(setting.default, bool):
        return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")
    if isinstance(setting.default, list):
        return list(value) if isinstance(value, list) else [str(value)]
    if setting.type is not str and value is not None:
        return setting.type(value)
    return value if value is None else str(value)


def from_environ(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The settings given as ``TREATYGRAPH_<KEY>`` environment variables."""
    config = Config(".")
    if environ is None:
        config.from_prefixed_env(ENV_PREFIX)
    else:
        prefix = ENV_PREFIX + "_"
        config.update({k[len(prefix) :]: v for k, v in environ.items() if k.startswith(prefix)})
    return {key: _coerce(BY_KEY[key], value) for key, value in config.items() if key in BY_KEY}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """One flag per setting that has one, grouped as in the docs; absent flags stay unset."""
    groups = {name: parser.add_argument_group(title) for name, title in GROUPS.items()}
    for s in SETTINGS:
        if s.flag is None:
            continue
        kwargs: dict[str, Any] = {"dest": s.key, "default": argparse.SUPPRESS, "help": s.help}
        if s.action in ("store_true", "store_false"):
            kwargs["action"] = s.action
        else:
            kwargs.update(action=s.action, type=s.type, metavar=s.metavar or s.key)
            if s.nargs is not None:
                kwargs["nargs"] = s.nargs
            if s.choices is not None:
                kwargs.update(choices=s.choices, metavar=None)
        groups[s.group].add_argument(s.flag, **kwargs)


def from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The settings given as flags (see :func:`add_arguments`)."""
    return {s.key: getattr(args, s.key) for s in SETTINGS if hasattr(args, s.key)}


def secret(config: Mapping[str, Any], key: str, file_key: str) -> str | None:
    """A secret setting: its value, else the contents of the file the ``file_key`` names."""
    value = config.get(key)
    if value:
        return str(value)
    path = config.get(file_key)
    if not path:
        return None
    try:
        text = Path(path).read_text(encoding="utf-8").strip()
    except OSError as err:
        raise ConfigError(f"{file_key} {path}: {err.strerror or err}") from None
    if not text:
        raise ConfigError(f"{file_key} {path} is empty")
    return text


def markdown_table(settings: Iterable[Setting] = SETTINGS) -> str:
    """The docs table: one row per setting, grouped."""
    lines: list[str] = []
    by_group: dict[str, list[Setting]] = {}
    for s in settings:
        by_group.setdefault(s.group, []).append(s)
    for group, title in GROUPS.items():
        lines += ["", f"**{title}**", "", "| setting | `serve` flag | default | meaning |"]
        lines.append("|---|---|---|---|")
        for s in by_group.get(group, []):
            flag = f"`{s.flag}`" if s.flag else "-"
            lines.append(f"| `{s.key}` | {flag} | {s.documented_default} | {s.help} |")
    return "\n".join(lines[1:]) + "\n"


TABLE_BEGIN = "<!-- settings:begin (generated: make settings) -->"
TABLE_END = "<!-- settings:end -->"


def with_table(text: str) -> str:
    """``text`` (the README) with :func:`markdown_table` between its two markers."""
    head, _, rest = text.partition(TABLE_BEGIN)
    _, _, tail = rest.partition(TABLE_END)
    return f"{head}{TABLE_BEGIN}\n{markdown_table()}{TABLE_END}{tail}"
