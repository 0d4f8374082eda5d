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
_SERVER, _DATA, _QUERIES, _SITE = "serving", "data", "queries", "site"
SETTINGS: tuple[Setting, ...] = (
    S("HOST", "127.0.0.1", "interface to listen on", "--host"),
    S("PORT", 8000, "TCP port to listen on", "--port", int),
    S("WORKERS", None, "gunicorn workers (2-4 by CPU; 1 with updates)", "--workers", int),
    S(
        "WORKER_CLASS",
        "sync",
        "gunicorn worker class: sync (a slow query holds only its worker; put nginx in front "
        "for slow clients) or gthread (slow clients hold a thread; queries in a worker queue)",
        "--worker-class",
        choices=("gthread", "sync"),
    ),
    S(
        "WORKER_THREADS",
        64,
        "gthread: connections each worker serves at once (slow clients beyond it wait)",
        "--worker-threads",
        int,
    ),
    S("DEV", False, "Flask's development server with the reloader", "--dev", action="store_true"),
    S(
        "PROJECT_ROOT",
        None,
        "the checkout whose built graph is served (the command's --root; default: here)",
        group=_DATA,
    ),
    S(
        "DATA_FILES",
        [],
        "RDF files to serve instead (N-Quads and TriG keep graph names; others: default graph)",
        "--data",
        metavar="FILE",
        action="extend",
        nargs="+",
        group=_DATA,
    ),
    S(
        "DATA_GRAPHS",
        [],
        "a triples file to load into a named graph (repeatable)",
        "--data-graph",
        metavar=("IRI", "FILE"),
        action="append",
        nargs=2,
        group=_DATA,
    ),
    S(
        "STORE_PATH",
        None,
        "an on-disk store from `build --store`, or a remote store sparql+http://host:port/path",
        "--store",
        metavar="PATH|URL",
        group=_DATA,
    ),
    S(
        "STORE_VERIFY",
        "changed",
        "on-disk store: at start, hash only files whose size or time changed, or every file",
        "--store-verify",
        choices=("changed", "full"),
        group=_DATA,
    ),
    S("STORE_UPDATE_URL", None, "remote store: its Update endpoint", "--store-update", group=_DATA),
    S(
        "STORE_GRAPH_STORE_URL",
        None,
        "remote store: load with Graph Store Protocol PUTs here",
        "--store-graph-store",
        group=_DATA,
    ),
    S("STORE_USER", None, "remote store: user name", "--store-user", group=_DATA),
    S("STORE_PASSWORD", None, "remote store: password (environment only)", group=_DATA),
    S(
        "STORE_PASSWORD_FILE",
        None,
        "remote store: a file holding the password",
        "--store-password-file",
        group=_DATA,
    ),
    S(
        "STORE_AUTH",
        "basic",
        "remote store: HTTP authentication for STORE_USER",
        "--store-auth",
        choices=("basic", "digest"),
        group=_DATA,
    ),
    S(
        "STORE_GRAPHS",
        [],
        "remote store, not loaded: a graph of ours in it (repeatable; default: all but system)",
        "--store-graph",
        metavar="IRI",
        action="append",
        group=_DATA,
    ),
    S(
        "STORE_LOAD",
        True,
        "remote store: (re)load the data into it at start",
        "--no-load",
        action="store_false",
        group=_DATA,
    ),
    S(
        "REMOTE_ACCEPT_CHANGES",
        False,
        "remote store: serve even when it reads literals back changed (logged per datatype)",
        "--accept-remote-changes",
        action="store_true",
        group=_DATA,
    ),
    S(
        "CORPUS_DIR",
        None,
        "the documents' texts that pages quote anchors from, each in its own sentence (the "
        "command's --corpus; default: $TREATYGRAPH_CORPUS, else ../shared/sources beside "
        "PROJECT_ROOT; a text that is absent: the stored prefix and suffix)",
        group=_DATA,
    ),
    S(
        "QUERY_TIMEOUT",
        10.0,
        "seconds a query may run (then 503); raise it for heavy queries on large data",
        "--timeout",
        float,
        group=_QUERIES,
    ),
    S(
        "QUERY_MEMORY_LIMIT",
        1024,
        "megabytes one query may allocate (then 503); 0: no limit",
        "--memory-limit",
        int,
        group=_QUERIES,
    ),
    S(
        "RESULT_CAP",
        10_000,
        "most rows or triples in an answer (then 413, never a silent cut)",
        "--result-cap",
        int,
        group=_QUERIES,
    ),
    S(
        "BODY_CAP",
        1 << 20,
        "largest request body in bytes (then 413)",
        "--body-cap",
        int,
        group=_QUERIES,
    ),
    S(
        "URL_CAP",
        8000,
        "longest URL query string in bytes (then 414: use POST); at most 8100",
        "--url-cap",
        int,
        group=_QUERIES,
    ),
    S(
        "SERVICE_ALLOWLIST",
        [],
        "a SERVICE endpoint queries may call (repeatable)",
        "--allow-service",
        metavar="IRI",
        action="append",
        group=_QUERIES,
    ),
    S(
        "QUERY_ISOLATION",
        True,
        "confine query processes with the kernel (docs/security.md)",
        "--unsafe-no-isolation",
        action="store_false",
        group=_QUERIES,
    ),
    S(
        "UPDATE_TOKEN",
        None,
        "enables /update with this bearer token (environment only)",
        group=_QUERIES,
    ),
    S(
        "UPDATE_TOKEN_FILE",
        None,
        "enables /update with the bearer token in this file",
        "--update-token-file",
        group=_QUERIES,
    ),
    S("BASE_URL", None, "public base URL (default: the request's host)", "--base-url", group=_SITE),
    S(
        "RESOURCE_NAMESPACE",
        "https://w3id.org/treatygraph/id/",
        "IRIs under it link to /id/ pages in the query editor",
        "--resource-namespace",
        group=_SITE,
    ),
    S(
        "EXAMPLES_DIR",
        None,
        "example *.rq queries for the home page (default: PROJECT_ROOT/examples/queries)",
        "--examples-dir",
        group=_SITE,
    ),
    S(
        "SHARED_CACHE_SECONDS",
        300,
        "how long shared caches may keep an answer (s-maxage); 0: no-cache",
        "--shared-cache-seconds",
        int,
        group=_SITE,
    ),
    S(
        "CACHE_MB",
        64,
        "megabytes of answers each process keeps (0: none)",
        "--cache-mb",
        int,
        group=_SITE,
    ),
    S(
        "DATASET_LICENSE",
        "https://creativecommons.org/licenses/by/4.0/",
        "license IRI in VoID and DCAT",
        "--license",
        group=_SITE,
    ),
    S(
        "DATASET_PUBLISHER",
        "treatygraph contributors",
        "publisher in VoID and DCAT",
        "--publisher",
        group=_SITE,
    ),
)
BY_KEY: dict[str, Setting] = {s.key: s for s in SETTINGS}
GROUPS = {_SERVER: "The server", _DATA: "What is served", _QUERIES: "Queries", _SITE: "The site"}


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
