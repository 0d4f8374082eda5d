"""Reading W3C CSVW metadata (https://www.w3.org/TR/tabular-metadata/) with the ``csvw`` package.

Where a table's metadata is (CSVW's own locations), one table out of a file, the base URL its
``url`` resolves against (the context's ``@base``, else the metadata file), CURIEs of CSVW's
initial context and of the project, and common properties' JSON-LD values as RDF terms.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import csvw
from rdflib import Literal, URIRef

from treatygraph.errors import InputError
from treatygraph.rdf.iris import PREFIXES

#: Prefixes of CSVW's initial context that our mappings use, plus the project's own.
CSVW_PREFIXES = {
    "dc": "http://purl.org/dc/terms/",
    "dcterms": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "qb": "http://purl.org/linked-data/cube#",
    "csvw": "http://www.w3.org/ns/csvw#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "http://schema.org/",
    **{k: str(v) for k, v in PREFIXES.items() if k != "schema"},
}


def find_metadata(source: str) -> Path | None:
    """CSVW's places for a file's metadata: ``FILE-metadata.json``, then ``csv-metadata.json``."""
    if "://" in source:
        return None
    path = Path(source)
    for candidate in (
        path.with_name(path.name + "-metadata.json"),
        path.with_name("csv-metadata.json"),
    ):
        if candidate.is_file():
            return candidate
    return None


def load_table(path: Path) -> csvw.Table:
    """Read CSVW metadata for one table (a table group must hold exactly one)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from exc
    if not isinstance(data, dict):
        raise InputError(f"{path}: CSVW metadata is a JSON object")
    tables = data.get("tables")
    if tables is not None:
        if not isinstance(tables, list) or len(tables) != 1:
            raise InputError(f"{path}: describe one table per metadata file for an import")
        table_data = {**{k: v for k, v in data.items() if k != "tables"}, **tables[0]}
    else:
        table_data = data
    try:
        table = csvw.Table.fromvalue(table_data)
    except (ValueError, TypeError, KeyError) as exc:
        raise InputError(f"{path}: not valid CSVW metadata: {exc}") from exc
    if table.url is None or table.tableSchema is None or not table.tableSchema.columns:
        raise InputError(f"{path}: CSVW metadata needs a url and a tableSchema with columns")
    table._fname = path  # noqa: SLF001 - csvw's own attribute for relative links
    return table


def base_url(table: csvw.Table, metadata: Path) -> str:
    for entry in table.at_props.get("context", []) or []:
        if isinstance(entry, dict) and "@base" in entry:
            return str(entry["@base"])
    return metadata.resolve().as_uri()


def expand_curie(text: str) -> str:
    prefix, sep, rest = text.partition(":")
    if sep and prefix in CSVW_PREFIXES and not rest.startswith("//"):
        return CSVW_PREFIXES[prefix] + rest
    return text


def json_ld(value: Any) -> list[URIRef | Literal]:
    """A common property's JSON-LD value as RDF terms."""
    if isinstance(value, list):
        return [t for v in value for t in json_ld(v)]
    if isinstance(value, dict):
        if "@id" in value:
            return [URIRef(expand_curie(str(value["@id"])))]
        if "@value" in value:
            kind = value.get("@type")
            if kind:
                return [Literal(str(value["@value"]), datatype=URIRef(expand_curie(kind)))]
            return [Literal(str(value["@value"]), lang=value.get("@language"))]
        return []
    if isinstance(value, bool | int | float):
        return [Literal(value)]
    return [Literal(str(value))]
