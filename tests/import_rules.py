"""A contract type for import-linter that the built-in ones cannot express: names, not modules.

The error family is one module (:mod:`treatygraph.errors`), so "the lexer never raises HTTP
errors" is a rule about which *names* a module takes from it. ``forbidden_names`` reads each
source module's own ``from <module> import ...`` statements (with :mod:`ast`, as written) and
fails on any of the listed names. ``lint-imports`` runs it from pyproject.toml (it puts the
working directory on ``sys.path``); tests/test_architecture.py runs ``lint-imports``.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from typing import Any

from importlinter import Contract, ContractCheck, fields, output


def _path_of(module: str) -> Path:
    """The file of a module, found without importing it (or its package's ``__init__``)."""
    top, *rest = module.split(".")
    spec = importlib.util.find_spec(top)
    assert spec is not None and spec.origin is not None, top
    base = Path(spec.origin).parent.joinpath(*rest)
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def _names_from(path: Path, module: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == module and node.level == 0
        for alias in node.names
    }


class ForbiddenNamesContract(Contract):
    type_name = "forbidden_names"

    source_modules = fields.ListField(subfield=fields.ModuleField())
    module = fields.ModuleField()
    names = fields.ListField(subfield=fields.StringField())
    #: modules excused, each with the reason in the contract's configuration
    ignore_modules = fields.ListField(subfield=fields.ModuleField(), required=False)

    def check(self, graph: Any, verbose: bool) -> ContractCheck:
        forbidden = set(self.names)  # type: ignore[call-overload]
        excused = {m.name for m in self.ignore_modules or []}  # type: ignore[attr-defined]
        source = self.module.name  # type: ignore[attr-defined]
        found: list[tuple[str, str]] = []
        for package in self.source_modules:  # type: ignore[attr-defined]
            for importer in sorted({package.name} | graph.find_descendants(package.name)):
                if importer in excused:
                    continue
                if not graph.direct_import_exists(importer=importer, imported=source):
                    continue
                names = _names_from(_path_of(importer), source) & forbidden
                found += [(importer, name) for name in sorted(names)]
        return ContractCheck(kept=not found, metadata={"found": found})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for importer, name in check.metadata["found"]:
            output.print_error(f"{importer} imports {name} from {self.module}")
            output.new_line()
