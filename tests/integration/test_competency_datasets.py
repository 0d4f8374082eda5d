"""Cross-dataset competency questions: the corpus joined with the FAS warhead cubes.

``competency/NN-name.rq`` runs over the union default graph of a project copy with both FAS
tables imported (no graph is named in the queries: graph names are per document and may change);
its answer must equal ``NN-name.expected.tsv``, checked by hand against the shipped CSV rows and
the source documents (see the comments in each query). Where a row quotes a document
(``?evidence`` with ``?start``/``?end`` and ``?document``), the
quote is checked against that document's text at those offsets.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from treatygraph.corpus.documents import load_registry
from treatygraph.testing import missing

from .conftest import loaded_store

HERE = Path(__file__).parent / "competency"
QUERIES = sorted(HERE.glob("*.rq"))
TGID = "https://w3id.org/treatygraph/id/"
TG = "https://w3id.org/treatygraph/ontology#"


def cell(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        if term.value.startswith(TGID):
            return term.value[len(TGID) :]
        if term.value.startswith(TG):
            return "tg:" + term.value[len(TG) :]
        return term.value
    if isinstance(term, ox.Literal):
        return term.value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return str(term)


@pytest.fixture(scope="module")
def dataset(fas_checkout: Path) -> ox.Store:
    """The built graph and both FAS imports, as served."""
    return loaded_store(fas_checkout)


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_cross_dataset_question(path: Path, dataset: ox.Store, root: Path) -> None:
    query = path.read_text("utf-8")
    assert query.startswith("# ")
    body = "\n".join(line for line in query.splitlines() if not line.lstrip().startswith("#"))
    assert not re.search(r"\b(GRAPH|FROM)\b", body, re.I), "no graph names: union default graph"
    solutions = dataset.query(query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    rows = [[cell(s[n]) for n in names] for s in solutions]
    lines = path.with_suffix(".expected.tsv").read_text("utf-8").rstrip("\n").split("\n")
    assert names == lines[0].split("\t")
    assert rows == [line.split("\t") for line in lines[1:]]
    if "evidence" in names and "start" in names:
        registry = load_registry(root)
        at = {n: i for i, n in enumerate(names)}
        for row in rows:
            if row[at["start"]]:
                slug = row[at["document"]]
                document = registry.get(slug)
                assert document is not None, row
                text = registry.text(document)
                if text is None:
                    missing(f"the text of {slug} is not in the corpus", "the source documents")
                start, end = int(row[at["start"]]), int(row[at["end"]])
                quote = row[at["evidence"]].replace("\\n", "\n").replace("\\t", "\t")
                assert text.text[start:end] == quote, row
