"""No module names a document, and graph IRIs and document records are spelled in one module
each (Must-show 2 and 8 of issue #10): a second document, or a third, needs no code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

#: What would name one of the two documents: slugs, text file names, dates, addresses, digests.
DOCUMENT_NAMES = (
    "vox-inf-article",
    "cfe-suspension-statement",
    "inf-treaty-article",
    "2018-10-22",
    "2023-11-07",
    "22 October 2018",
    "October 22, 2018",
    "7 November 2023",
    "November 7, 2023",
    "vox.com/2018",
    "whitehouse.gov",
    "5f1ab09cf9d8c583",
    "6ecfc7d8290c8a8e",
)
GRAPH_NAMESPACE = "w3id.org/treatygraph/graph/"
RECORD_TERMS = {"SourceDocument", "sha256", "bodyEnd", "textFile", "redistributable", "genre"}
RECORD_STRINGS = ("document.ttl", "tg:SourceDocument", "tg:textFile", "tg:bodyEnd")


def package_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "src" / "treatygraph").rglob("*") if p.is_file())


def test_no_file_under_src_names_a_document(root: Path) -> None:
    files = [p for p in package_files(root) if p.suffix != ".pyc"]
    assert len(files) > 50
    found = [
        f"{p.relative_to(root)}: {name}"
        for p in files
        for name in DOCUMENT_NAMES
        if name.lower() in p.read_text(encoding="utf-8", errors="replace").lower()
    ]
    assert found == []


def test_no_ontology_or_shape_comment_names_a_document(root: Path) -> None:
    files = sorted((root / "ontology").glob("*.ttl")) + sorted((root / "shapes").glob("*.ttl"))
    names = (*DOCUMENT_NAMES, "Vox", "the article", "White House statement")
    found = [
        f"{p.relative_to(root)}: {name}"
        for p in files
        for name in names
        if name.lower() in p.read_text(encoding="utf-8").lower()
    ]
    assert found == []


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def spellings(source: str) -> tuple[set[str], set[str]]:
    """(graph-IRI spellings, record spellings) in a module's code, docstrings aside."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    graph, record = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            if GRAPH_NAMESPACE in node.value:
                graph.add(repr(node.value))
            record |= {s for s in RECORD_STRINGS if s in node.value}
        elif isinstance(node, ast.Name) and node.id == "TGG":
            graph.add("TGG")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id == "TG" and node.attr in RECORD_TERMS:
                record.add(f"TG.{node.attr}")
    return graph, record


def test_graph_iris_and_records_are_spelled_in_one_module_each(root: Path) -> None:
    graph_modules, record_modules = set(), set()
    for path in package_files(root):
        if path.suffix != ".py":
            continue
        graph, record = spellings(path.read_text(encoding="utf-8"))
        name = str(path.relative_to(root / "src"))
        if graph:
            graph_modules.add(name)
        if record:
            record_modules.add(name)
    assert graph_modules == {"treatygraph/rdf/iris.py"}
    assert record_modules == {"treatygraph/corpus/documents.py"}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('GRAPHS = {"article": TGG.article}', ({"TGG"}, set())),
        (
            'X = "https://w3id.org/treatygraph/graph/article"',
            ({"'https://w3id.org/treatygraph/graph/article'"}, set()),
        ),
        ("docs = graph.subjects(RDF.type, TG.SourceDocument)", (set(), {"TG.SourceDocument"})),
        ('RECORD = "document.ttl"', (set(), {"document.ttl"})),
        (
            '"""The record, graph/<slug>/document.ttl, in w3id.org/treatygraph/graph/x."""',
            (set(), set()),
        ),
    ],
)
def test_the_check_sees_each_spelling(source: str, expected: tuple[set[str], set[str]]) -> None:
    assert spellings(source) == expected
