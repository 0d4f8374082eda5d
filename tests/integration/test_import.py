"""``treatygraph import``: named graphs from files and addresses, provenance, matching, checks.

Every broken input must leave the loaded dataset (built graph + imports/) exactly as it was:
each of those tests counts the triples per graph before and after.
"""

from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path

import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from treatygraph.corpus.project import imported_files
from treatygraph.integration.imports import Progress
from treatygraph.rdf.iris import TGG, TGID, VOID, WD

from .conftest import FIXTURES, counts_per_graph, loaded_store, tg

PARTNER = "https://example.org/partner/"
STATUS = "https://example.org/treaty-status/"
SPDX = "http://spdx.org/rdf/terms#"


def read_import(checkout: Path, name: str) -> Dataset:
    dataset = Dataset()
    dataset.parse(checkout / "imports" / f"{name}.nq", format="nquads")
    return dataset


def import_treaty_status(checkout: Path, examples: Path) -> int:
    return tg(
        "--root",
        checkout,
        "import",
        examples / "treaty-status" / "treaty-status.csv",
        "--graph",
        "treaty-status",
        "--quiet",
    )


def test_csv_import_with_mapping_and_provenance(checkout: Path, examples: Path) -> None:
    assert import_treaty_status(checkout, examples) == 0
    dataset = read_import(checkout, "treaty-status")
    data = dataset.graph(TGG["treaty-status"])
    prov = dataset.graph(TGG["treaty-status-provenance"])
    assert {str(g.identifier) for g in dataset.graphs() if len(g)} == {
        str(TGG["treaty-status"]),
        str(TGG["treaty-status-provenance"]),
    }
    withdrawal = URIRef(STATUS + "inf-treaty-us-withdrawal-effective")
    assert (
        withdrawal,
        RDF.type,
        URIRef("https://w3id.org/treatygraph/ontology#Withdrawal"),
    ) in data
    assert data.value(withdrawal, URIRef("https://w3id.org/treatygraph/ontology#date")) == Literal(
        "2019-08-02", datatype=XSD.date
    )
    # The Wikidata column became our resource: no duplicate node, no wd: IRI left.
    agent = URIRef("https://w3id.org/treatygraph/ontology#agent")
    assert data.value(withdrawal, agent) == TGID["united-states"]
    assert not [o for o in data.objects() if str(o).startswith(str(WD))]
    # A citation without an address stays a string; an address becomes an IRI.
    assert data.value(withdrawal, DCTERMS.source) == Literal(
        "US Secretary of Defense statement, 2 August 2019"
    )
    assert data.value(URIRef(STATUS + "new-start-signed"), DCTERMS.source) == URIRef(
        "https://nuclearforces.org/new-start"
    )
    # Provenance: source, retrieval time, sha256 of the bytes, rows and triples.
    graph = TGG["treaty-status"]
    source = examples / "treaty-status" / "treaty-status.csv"
    assert prov.value(graph, DCTERMS.source) == Literal(str(source))
    assert (
        prov.value(graph, URIRef("http://www.w3.org/ns/prov#generatedAtTime")).datatype
        == XSD.dateTime
    )
    checksum = prov.value(graph, URIRef(SPDX + "checksum"))
    assert (
        str(prov.value(checksum, URIRef(SPDX + "checksumValue")))
        == hashlib.sha256(source.read_bytes()).hexdigest()
    )
    assert int(prov.value(graph, VOID.triples)) == len(data) == 62  # 54 + 7 rows + title
    assert int(prov.value(prov.value(graph, DCTERMS.extent), RDF.value)) == 7


def test_rdf_import_links_shared_identifiers(checkout: Path, examples: Path) -> None:
    assert (
        tg("--root", checkout, "import", examples / "partner.ttl", "--graph", "partner", "--quiet")
        == 0
    )
    data = read_import(checkout, "partner").graph(TGG.partner)
    links = {
        (str(s)[len(PARTNER) :], str(o)[len(str(TGID)) :])
        for s, o in data.subject_objects(SKOS.exactMatch)
    }
    assert {("russian-federation", "russia"), ("ussr", "soviet-union")} <= links
    assert ("usa", "united-states") in links, "needs tgid:united-states linked to wd:Q30"
    assert len(links) == 3


def test_import_from_an_address(
    checkout: Path, examples: Path, file_server: tuple[str, Path]
) -> None:
    base, folder = file_server
    shutil.copy(examples / "partner.ttl", folder / "partner.data")  # only the type says Turtle
    shutil.copy(examples / "treaty-status" / "treaty-status.csv", folder / "treaty-status.csv")
    assert (
        tg("--root", checkout, "import", f"{base}/partner.data", "--graph", "partner", "--quiet")
        == 0
    )
    prov = read_import(checkout, "partner").graph(TGG["partner-provenance"])
    assert prov.value(TGG.partner, DCTERMS.source) == URIRef(f"{base}/partner.data")
    assert (
        tg(
            "--root",
            checkout,
            "import",
            f"{base}/treaty-status.csv",
            "--graph",
            "treaty-status",
            "--mapping",
            examples / "treaty-status" / "treaty-status.csv-metadata.json",
            "--quiet",
        )
        == 0
    )
    assert len(read_import(checkout, "treaty-status").graph(TGG["treaty-status"])) == 62


def test_an_address_that_fails_changes_nothing(
    checkout: Path,
    examples: Path,
    file_server: tuple[str, Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert import_treaty_status(checkout, examples) == 0
    before = counts_per_graph(checkout)
    base, _ = file_server
    assert tg("--root", checkout, "import", f"{base}/missing.ttl", "--graph", "treaty-status") == 3
    assert f"{base}/missing.ttl: HTTP 404" in capsys.readouterr().err
    assert counts_per_graph(checkout) == before


def test_reimport_replaces_the_graph(checkout: Path, examples: Path, tmp_path: Path) -> None:
    assert import_treaty_status(checkout, examples) == 0
    assert import_treaty_status(checkout, examples) == 0
    assert counts_per_graph(checkout)[str(TGG["treaty-status"])] == 62
    shorter = tmp_path / "treaty-status.csv"
    lines = (examples / "treaty-status" / "treaty-status.csv").read_text("utf-8").splitlines()
    shorter.write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    assert (
        tg(
            "--root",
            checkout,
            "import",
            shorter,
            "--graph",
            "treaty-status",
            "--mapping",
            examples / "treaty-status" / "treaty-status.csv-metadata.json",
            "--quiet",
        )
        == 0
    )
    counts = counts_per_graph(checkout)
    # rows 1-2 only (17 triples, 2 row links, the title): nothing of the old graph
    assert counts[str(TGG["treaty-status"])] == 20
    assert sorted(p.name for p in imported_files(checkout)) == ["treaty-status.nq"]


def test_graph_names_of_quads_are_replaced(
    checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        tg("--root", checkout, "import", FIXTURES / "partner-quads.trig", "--graph", "offices") == 0
    )
    assert "graph names of 3 quads replaced by the target" in capsys.readouterr().err
    graphs = {g for g in counts_per_graph(checkout) if "example.org" in g}
    assert graphs == set()
    assert counts_per_graph(checkout)[str(TGG.offices)] == 3


def test_reserved_graph_names_are_refused(checkout: Path, examples: Path) -> None:
    for name in ("vox-inf-article", "alignments", "partner-provenance", "Not_A_Slug"):
        assert tg("--root", checkout, "import", examples / "partner.ttl", "--graph", name) == 2
    assert imported_files(checkout) == []


def test_progress_reports_every_phase(
    checkout: Path, examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not on a terminal: one plain line per phase (validating and writing too), then the
    summary; --quiet: nothing."""
    assert tg("--root", checkout, "import", examples / "partner.ttl", "--graph", "partner") == 0
    err = capsys.readouterr().err
    lines = err.splitlines()
    phases = [line.split(":", 1)[0] for line in lines[:-1]]
    assert phases == [
        "fetching",
        "reading the project graph",
        "parsing",
        "reading what the shapes target",
        "validating",
        "writing",
    ]
    assert all(" in " in line and "/s)" in line for line in lines[:-1])
    assert lines[-1].startswith("imported ") and " triples into " in lines[-1] and "\r" not in err
    assert (
        tg("--root", checkout, "import", examples / "partner.ttl", "--graph", "partner", "--quiet")
        == 0
    )
    assert capsys.readouterr().err == ""


def test_progress_on_a_terminal_uses_rich() -> None:
    stream = io.StringIO()
    progress = Progress("plain", stream=stream)
    progress.phase("validating", 1000, "triples")
    progress.advance(500)
    progress.end_phase()
    assert stream.getvalue().startswith("validating: 500 triples in ")
    assert Progress("rich").mode == "rich"


# ------------------------------------------------------------------ broken inputs

BROKEN = {
    # id: (source, mapping, exit code, expected text in the message)
    "syntax-error": ("broken-syntax.ttl", None, 2, "broken-syntax.ttl:7:"),
    "missing-column": (
        "EXAMPLES/treaty-status/treaty-status.csv",
        "missing-column.csv-metadata.json",
        2,
        "treaty-status.csv:1: column 'agreemnt': named by",
    ),
    "invalid-date": (
        "invalid-date/treaty-status.csv",
        "EXAMPLES/treaty-status/treaty-status.csv-metadata.json",
        2,
        "invalid-date/treaty-status.csv:3:5: column 'date': '2019-02-30' is not a tg:PartialDate",
    ),
    "not-a-date": (
        "soon-date/treaty-status.csv",
        "EXAMPLES/treaty-status/treaty-status.csv-metadata.json",
        2,
        "soon-date/treaty-status.csv:2:5: column 'date': 'soon' is not a tg:PartialDate",
    ),
    "violates-shapes": ("violates-shapes.ttl", None, 1, "SHACL violation(s); nothing imported"),
}


def _path(name: str | None, examples: Path) -> Path | None:
    if name is None:
        return None
    return examples / name[len("EXAMPLES/") :] if name.startswith("EXAMPLES/") else FIXTURES / name


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_input_changes_nothing(
    case: str, checkout: Path, examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A good import first; then a broken one aimed at the same graph must leave it as it was."""
    assert (
        tg("--root", checkout, "import", examples / "partner.ttl", "--graph", "partner", "--quiet")
        == 0
    )
    existing = (checkout / "imports" / "partner.nq").read_bytes()
    before = counts_per_graph(checkout)
    assert before[str(TGG.partner)] > 0
    capsys.readouterr()
    source, mapping, code, message = BROKEN[case]
    argv: list[str | Path] = [
        "--root",
        checkout,
        "import",
        _path(source, examples),
        "--graph",
        "partner",
    ]  # type: ignore[list-item]
    mapping_path = _path(mapping, examples)
    if mapping_path is not None:
        argv += ["--mapping", mapping_path]
    assert tg(*argv) == code
    err = capsys.readouterr().err
    assert message in err
    assert counts_per_graph(checkout) == before
    assert (checkout / "imports" / "partner.nq").read_bytes() == existing
    assert [p.name for p in (checkout / "imports").iterdir()] == ["partner.nq"]


def test_shape_violations_name_node_and_shape(
    checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert tg("--root", checkout, "import", FIXTURES / "violates-shapes.ttl", "--graph", "bad") == 1
    err = capsys.readouterr().err
    bad = "<https://example.org/partner/bad-event>"
    assert f"{bad} rdfs:label: A named resource has exactly one" in err
    assert (
        f"{bad} tg:date: tg:date is one xsd:date, xsd:gYearMonth or xsd:gYear. "
        '[tgsh:DateProperty] (value "soon"^^xsd:date)' in err
    )
    assert (
        f"{bad} tg:agreement: tg:agreement points at a tg:Agreement. [tgsh:Event-agreement] "
        "(value tgid:donald-trump)" in err
    )
    assert imported_files(checkout) == []


def test_an_import_that_breaks_one_of_our_resources_is_refused(
    checkout: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Triples about our resources are checked together with what the graph says of them."""
    source = tmp_path / "relabel.ttl"
    source.write_text(
        "<https://w3id.org/treatygraph/id/russia> "
        '<http://www.w3.org/2000/01/rdf-schema#label> "Russian Federation" .\n',
        encoding="utf-8",
    )
    assert tg("--root", checkout, "import", source, "--graph", "relabel") == 1
    assert "tgid:russia rdfs:label: A named resource has exactly one" in capsys.readouterr().err


# ------------------------------------------------------------------ the cross-dataset queries


def run_query(checkout: Path, query_file: Path) -> list[tuple[str, ...]]:
    store = loaded_store(checkout)
    rows = store.query(query_file.read_text("utf-8"))
    names = [v.value for v in rows.variables]
    return [tuple(row[n].value if row[n] is not None else "" for n in names) for row in rows]


def test_documented_queries_are_the_tested_ones(root: Path, examples: Path) -> None:
    docs = (root / "docs" / "integration.md").read_text("utf-8")
    for name in ("after-publication.rq", "partner-signatories.rq"):
        assert (examples / "queries" / name).read_text("utf-8").strip() in docs, name


def test_what_happened_after_the_article(checkout: Path, examples: Path) -> None:
    """Checked by hand against shared/data/background-facts.tsv: the three INF rows dated after
    2018-10-22, with their sources as given there; New START's rows are earlier."""
    assert import_treaty_status(checkout, examples) == 0
    assert (
        tg("--root", checkout, "import", examples / "partner.ttl", "--graph", "partner", "--quiet")
        == 0
    )
    asil = "American Society of International Law, International Law in Brief, 1 February 2019"
    inf = "Intermediate-Range Nuclear Forces Treaty"
    assert run_query(checkout, examples / "queries" / "after-publication.rq") == [
        (inf, "US withdrawal from the INF Treaty announced", "2019-02-01", "United States", asil),
        (
            inf,
            "US formal notice of withdrawal from the INF Treaty delivered",
            "2019-02-02",
            "United States",
            asil,
        ),
        (
            inf,
            "US withdrawal from the INF Treaty effective",
            "2019-08-02",
            "United States",
            "US Secretary of Defense statement, 2 August 2019",
        ),
    ]


def test_partner_signatories_through_matched_states(checkout: Path, examples: Path) -> None:
    assert import_treaty_status(checkout, examples) == 0
    assert (
        tg("--root", checkout, "import", examples / "partner.ttl", "--graph", "partner", "--quiet")
        == 0
    )
    assert run_query(checkout, examples / "queries" / "partner-signatories.rq") == [
        ("INF Treaty", "1987-12-08", "Soviet Union"),
        ("INF Treaty", "1987-12-08", "United States"),
        ("New START", "2010-04-08", "Russia"),
        ("New START", "2010-04-08", "United States"),
    ]
