"""Competency questions: each examples/queries/NN-name.rq must return its hand-checked answer.

The queries are what a researcher, journalist or data engineer would ask of the graph; the
expected answers (NN-name.expected.tsv) were checked by hand against the source documents and
the Turtle sources, so a failure means either the data or the question changed.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from treatygraph.corpus.documents import DocumentText

HERE = Path(__file__).resolve().parent
COMPETENCY = HERE.parent / "examples" / "queries"  # also the home page's examples
QUERIES = sorted(COMPETENCY.glob("[0-9][0-9]-*.rq"))

TGID = "https://w3id.org/treatygraph/id/"
TG = "https://w3id.org/treatygraph/ontology#"
EVIDENCE_VARS = ("evidence", "supportingText")
MIN_QUESTIONS = 30
MIN_EVIDENCE_QUESTIONS = 5


def term_to_string(term: object) -> str:
    """The TSV form of a result term: our IRIs as slugs, ontology terms as tg:Local."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        iri = term.value
        if iri.startswith(TGID):
            return iri[len(TGID) :]
        if iri.startswith(TG):
            return "tg:" + iri[len(TG) :]
        return iri
    if isinstance(term, ox.Literal):
        return term.value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return str(term)


def unescape(cell: str) -> str:
    """Undo the TSV escaping of term_to_string (to compare with the article text)."""
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), cell)


def run_query(store: ox.Store, query: str) -> tuple[list[str], list[list[str]]]:
    """Run a SELECT over the union default graph; return the variable names and string rows."""
    solutions = store.query(query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions), "competency queries must be SELECT queries"
    names = [v.value for v in solutions.variables]
    rows = [[term_to_string(solution[name]) for name in names] for solution in solutions]
    return names, rows


def read_expected(path: Path) -> tuple[list[str], list[list[str]]]:
    """The expected TSV: a header of variable names, then one row per solution."""
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    assert lines, f"{path.name} has no header row"
    return lines[0].split("\t"), [line.split("\t") for line in lines[1:]]


def _strip_strings_and_comments(query: str) -> str:
    """The query with string literals, IRIs and comments blanked, so braces can be counted."""
    pattern = (
        r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
        r"|<[^<>\s{}]*>|#[^\n]*"
    )
    return re.sub(pattern, " ", query)


def has_top_level_order_by(query: str) -> bool:
    """True when ORDER BY applies to the whole result (not only to a subquery)."""
    text = _strip_strings_and_comments(query)
    depth = 0
    for match in re.finditer(r"[{}]|\bORDER\s+BY\b", text, flags=re.IGNORECASE):
        token = match.group(0)
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0:
            return True
    return False


def evidence_columns(names: list[str]) -> list[int]:
    """Positions of the projected variables that hold verbatim article text."""
    return [i for i, name in enumerate(names) if name in EVIDENCE_VARS]


def _returns_supporting_text(path: Path) -> bool:
    expected = path.with_suffix(".expected.tsv")
    return expected.is_file() and bool(evidence_columns(read_expected(expected)[0]))


EVIDENCE_QUERIES = [p for p in QUERIES if _returns_supporting_text(p)]


@pytest.fixture(scope="session")
def competency_store(exported_nquads: Path) -> ox.Store:
    """The dataset exactly as `treatygraph build` publishes it, loaded once."""
    store = ox.Store()
    store.load(path=str(exported_nquads), format=ox.RdfFormat.N_QUADS)
    return store


def test_enough_questions() -> None:
    assert len(QUERIES) >= MIN_QUESTIONS, f"only {len(QUERIES)} competency questions"


def test_enough_questions_return_supporting_text() -> None:
    names = [p.name for p in EVIDENCE_QUERIES]
    assert len(names) >= MIN_EVIDENCE_QUESTIONS, f"only {names} project ?evidence/?supportingText"


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_question_is_titled(path: Path) -> None:
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    assert first.startswith("# ") and len(first) > 10, f"{path.name}: first line must be '# title'"
    assert re.fullmatch(r"\d{2}-[a-z0-9]+(-[a-z0-9]+)*", path.stem), path.name
    assert path.with_suffix(".expected.tsv").is_file(), f"{path.name} has no expected answer"


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_competency_question(path: Path, competency_store: ox.Store) -> None:
    query = path.read_text(encoding="utf-8")
    names, rows = run_query(competency_store, query)
    expected_names, expected_rows = read_expected(path.with_suffix(".expected.tsv"))
    assert names == expected_names, f"{path.name}: projected variables differ"
    for row in expected_rows:
        assert len(row) == len(expected_names), f"{path.name}: bad expected row {row}"
    if has_top_level_order_by(query):
        assert rows == expected_rows, f"{path.name}: ordered answer differs"
    else:
        got = Counter(tuple(r) for r in rows)
        want = Counter(tuple(r) for r in expected_rows)
        missing, extra = want - got, got - want
        assert not missing and not extra, (
            f"{path.name}: missing {sorted(missing.elements())}, extra {sorted(extra.elements())}"
        )


@pytest.mark.parametrize("path", EVIDENCE_QUERIES, ids=[p.stem for p in EVIDENCE_QUERIES])
def test_supporting_text_is_verbatim(path: Path, texts: dict[str, DocumentText]) -> None:
    """Every ?evidence / ?supportingText answer is copied exactly from a document's body."""
    names, rows = read_expected(path.with_suffix(".expected.tsv"))
    columns = evidence_columns(names)
    assert rows, f"{path.name}: no rows to check"
    bodies = [t.body for t in texts.values()]
    for row in rows:
        for i in columns:
            text = unescape(row[i])
            assert text and any(text in body for body in bodies), (
                f"{path.name}: in no document's body: {text!r}"
            )
