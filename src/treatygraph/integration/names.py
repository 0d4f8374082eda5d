"""Names in a table to our resources: exact label or altLabel of one resource of a class.

Nothing is guessed: a name that no resource of the class carries, or that several carry, is a
problem for the caller to report with its row and column. An alias, written in the mapping by
a person, maps a spelling of the table ("USA") to a resource. An exception maps a name to another
resource while another column of the row is below a bound: FAS and OWID file the Soviet arsenal
under "Russia", and the graph keeps ``tgid:soviet-union`` apart from ``tgid:russia``
(docs/integration.md).
"""

from __future__ import annotations

import re
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from treatygraph.errors import InputError
from treatygraph.integration.csvw_metadata import expand_curie
from treatygraph.rdf.iris import PREFIXES


class Reconciler:
    """Names to our resources of one class, by exact label or altLabel; never a guess."""

    def __init__(self, project: Graph, spec: dict[str, Any], where: str) -> None:
        cls = URIRef(expand_curie(str(spec.get("class", ""))))
        classes = {cls, *project.transitive_subjects(RDFS.subClassOf, cls)}
        self.cls = cls
        self.names: dict[str, set[URIRef]] = {}
        for member in {s for c in classes for s in project.subjects(RDF.type, c)}:
            for predicate in (RDFS.label, SKOS.altLabel):
                for name in project.objects(member, predicate):
                    self.names.setdefault(_fold(str(name)), set()).add(member)  # type: ignore[arg-type]
        aliases = spec.get("aliases", {})
        if not isinstance(aliases, dict):
            raise InputError(f"{where}: tg:reconcile aliases map a name to a resource")
        #: Names the table uses for a resource whose labels say it otherwise, stated by a person.
        self.aliases = {_fold(str(k)): URIRef(expand_curie(str(v))) for k, v in aliases.items()}
        self.exceptions = []
        for rule in spec.get("exceptions", []):
            try:
                self.exceptions.append(
                    (
                        _fold(str(rule["name"])),
                        str(rule["column"]),
                        int(rule["below"]),
                        URIRef(expand_curie(str(rule["resource"]))),
                    )
                )
            except (KeyError, ValueError) as exc:
                raise InputError(
                    f"{where}: a tg:reconcile exception needs name, column, below (an integer) "
                    f"and resource ({exc})"
                ) from exc

    def resolve(self, name: str, cells: dict[str, str]) -> tuple[URIRef | None, str]:
        folded = _fold(name)
        for rule_name, column, below, resource in self.exceptions:
            other = cells.get(column, "")
            if folded == rule_name and re.fullmatch(r"-?\d+", other) and int(other) < below:
                return resource, ""
        if folded in self.aliases:
            return self.aliases[folded], ""
        found = self.names.get(folded, set())
        if len(found) == 1:
            return next(iter(found)), ""
        if not found:
            return None, f"{name!r} names no {_short(self.cls)} of ours (no label or altLabel)"
        listed = ", ".join(sorted(f"<{r}>" for r in found))
        return None, f"{name!r} is the name of several resources ({listed}); say which"


def _fold(text: str) -> str:
    return " ".join(text.split())


def _short(iri: URIRef) -> str:
    for prefix, ns in PREFIXES.items():
        if str(iri).startswith(str(ns)):
            return f"{prefix}:{str(iri)[len(str(ns)) :]}"
    return f"<{iri}>"
