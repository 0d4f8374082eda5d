"""The FAS warhead tables: both import, the cube passes the W3C Data Cube integrity constraints and
our shapes, every number leads back to its CSV cell, and planted faults fail their own check.

Everything is checked against the shipped CSV files (examples/fas-warheads/, copied unchanged from
shared/data/datasets/fas-nuclear-warheads-owid/) read here with the csv module, never against the
importer's own output.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from treatygraph.build.compile import compile_graphs
from treatygraph.corpus.project import Project

from .conftest import FAS_TABLES, counts_per_graph, loaded_store, tg

DATACUBE = Path(__file__).parent / "datacube"
IC_FILES = sorted(p for p in DATACUBE.glob("ic-*.rq") if ".instantiate" not in p.name)
TABLES = FAS_TABLES
TG = "https://w3id.org/treatygraph/ontology#"
TGID = "https://w3id.org/treatygraph/id/"
#: Warhead category -> the CSV column it was read from (the *_meta.csv labels, checked by hand).
COLUMN_OF = {
    "DeployedStrategicWarheads": "nuclear_weapons_depl_strat",
    "DeployedNonStrategicWarheads": "nuclear_weapons_depl_nonstrat",
    "RetiredWarheads": "nuclear_weapons_retired",
    "ReserveWarheads": "nuclear_weapons_reserve_nondepl",
    "WarheadInventory": "nuclear_weapons_inventory",
    "WarheadStockpile": "nuclear_weapons_stockpile",
}
#: CSV country name -> our state, by hand (Russia before 1992 is the Soviet Union).
STATE_OF = {
    "China": "china",
    "France": "france",
    "India": "india",
    "Israel": "israel",
    "North Korea": "north-korea",
    "Pakistan": "pakistan",
    "Russia": "russia",
    "United Kingdom": "united-kingdom",
    "United States": "united-states",
}


@pytest.fixture(scope="module")
def cube(fas_checkout: Path) -> ox.Store:
    """The ontology plus both imports in one default graph, normalised as §10 of the spec says."""
    store = ox.Store()
    for quad in loaded_store(fas_checkout):
        store.add(ox.Quad(quad.subject, quad.predicate, quad.object))
    store.update((DATACUBE / "normalize.ru").read_text("utf-8"))
    return store


def test_both_tables_import(fas_checkout: Path) -> None:
    counts = counts_per_graph(fas_checkout)
    # 158 stockpile rows x (10 observation triples + 1 row link) + 11 about the data set
    assert counts[TGID.replace("/id/", "/graph/") + "fas-stockpiles"] == 158 * 11 + 11
    # 18 inventory rows x 5 observations x 11 triples + 11 about the data set
    assert counts[TGID.replace("/id/", "/graph/") + "fas-inventories"] == 18 * 5 * 11 + 11


@pytest.mark.parametrize("ic", IC_FILES, ids=lambda p: p.stem)
def test_integrity_constraint_holds(ic: Path, cube: ox.Store) -> None:
    query = ic.read_text("utf-8")
    if "$p" in query:  # IC-20/21 are templates: one query per parent-child property found
        found = list(cube.query(ic.with_suffix(".instantiate.rq").read_text("utf-8")))
        assert found == []  # our code list is flat: the template has nothing to check
        return
    assert not bool(cube.query(query)), ic.stem


def _planted(cube: ox.Store, change: str) -> ox.Store:
    store = ox.Store()
    store.extend(cube)
    store.update(change)
    return store


PLANTED = {
    # fault: (SPARQL update on the good cube, the one constraint it must break)
    "duplicate-observation": (
        f"""INSERT {{ <{TGID}fas-stockpile-copy> ?p ?o }}
            WHERE {{ <{TGID}fas-stockpile-united-states-1987> ?p ?o }}""",
        "ic-12",
    ),
    "missing-measure": (
        f"DELETE WHERE {{ <{TGID}fas-stockpile-united-states-1987> <{TG}warheads> ?n }}",
        "ic-14",
    ),
}


@pytest.mark.parametrize("fault", list(PLANTED))
def test_a_planted_fault_breaks_its_own_constraint(fault: str, cube: ox.Store) -> None:
    change, own = PLANTED[fault]
    store = _planted(cube, change)
    broken = {
        ic.stem
        for ic in IC_FILES
        if "$p" not in ic.read_text() and bool(store.query(ic.read_text()))
    }
    assert broken == {own}


FAULTY_ROWS = {
    # fault: (line to append to the stockpile CSV, message, column number)
    "duplicate-observation": (
        "United States,1987,23575",
        "column 'year': <https://w3id.org/treatygraph/id/fas-stockpile-united-states-1987> "
        "repeats row 123: a duplicate observation",
        2,
    ),
    "missing-measure": ("United States,2024,", "column 'nuclear_weapons_stockpile': empty", 3),
    "unknown-country": (
        "Atlantis,2023,5",
        "column 'country_name': 'Atlantis' names no tg:State",
        1,
    ),
    "not-a-number": ("Russia,2024,many", "'many' is not a valid xsd:nonNegativeInteger", 3),
}


def _faulty_copy(examples: Path, tmp_path: Path, lines: list[str]) -> Path:
    folder = tmp_path / "faulty"
    folder.mkdir(exist_ok=True)
    name = TABLES["fas-stockpiles"]
    text = (examples / "fas-warheads" / name).read_text("utf-8") + "".join(
        f"{line}\n" for line in lines
    )
    (folder / name).write_text(text, encoding="utf-8")
    shutil.copy(examples / "fas-warheads" / f"{name}-metadata.json", folder)
    return folder / name


@pytest.mark.parametrize("fault", list(FAULTY_ROWS))
def test_a_faulty_row_is_refused_with_its_row_and_column(
    fault: str, checkout: Path, examples: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line, message, column = FAULTY_ROWS[fault]
    source = _faulty_copy(examples, tmp_path, [line])
    before = counts_per_graph(checkout)
    assert tg("--root", checkout, "import", source, "--graph", "fas-stockpiles") == 2
    err = capsys.readouterr().err
    assert f"{source}:160:{column}: " in err and message in err, err
    assert counts_per_graph(checkout) == before
    assert list((checkout / "imports").iterdir()) == []


def test_report_lists_every_problem_at_once(
    checkout: Path, examples: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _faulty_copy(examples, tmp_path, [v[0] for v in FAULTY_ROWS.values()])
    assert tg("--root", checkout, "import", source, "--graph", "fas-stockpiles", "--report") == 2
    problems = [
        line for line in capsys.readouterr().err.splitlines() if line.startswith("problem: ")
    ]
    assert [p.split(": ", 2)[1] for p in problems] == [
        f"{source}:160:2",
        f"{source}:161:3",
        f"{source}:162:1",
        f"{source}:163:3",
    ]
    assert list((checkout / "imports").iterdir()) == []


def test_an_unknown_state_in_rdf_fails_our_shape(
    checkout: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], fas_checkout: Path
) -> None:
    """The same fault in RDF (no CSV to point at): the observation shape names it."""
    good = [
        line
        for line in (fas_checkout / "imports" / "fas-stockpiles.nq").read_text().splitlines()
        if "fas-stockpile-united-states-1987>" in line.split(" ", 1)[0] and "provenance" not in line
    ]
    planted = [" ".join(line.split(" ")[:-2]) + " ." for line in good]
    planted = [line.replace(f"<{TGID}united-states>", f"<{TGID}atlantis>") for line in planted]
    planted = [line for line in planted if "dataSet" not in line]
    source = tmp_path / "planted.nt"
    source.write_text("\n".join(planted) + "\n", encoding="utf-8")
    assert tg("--root", checkout, "import", source, "--graph", "planted") == 1
    err = capsys.readouterr().err
    focus = "tgid:fas-stockpile-united-states-1987"
    assert f"{focus} tg:refState: An observation is about exactly one state" in err
    assert "[tgsh:Observation-refState] (value tgid:atlantis)" in err


def test_every_observation_leads_back_to_its_cell(fas_checkout: Path, examples: Path) -> None:
    """Must-show 3: for every observation, the row IRI names a row of the shipped file whose
    cell (in the column of the observation's category) is the observation's value."""
    store = loaded_store(fas_checkout)
    rows = store.query(
        f"""PREFIX tg: <{TG}> PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX spdx: <http://spdx.org/rdf/terms#>
        SELECT ?obs ?state ?year ?category ?n ?row ?sha WHERE {{
          ?obs tg:refState ?state ; tg:refYear ?year ; tg:warheadCategory ?category ;
               tg:warheads ?n ; prov:wasDerivedFrom ?row .
          ?row dcterms:isPartOf/spdx:checksum/spdx:checksumValue ?sha .
        }}""",
        use_default_graph_as_union=True,
    )
    tables = {}
    for file in TABLES.values():
        path = examples / "fas-warheads" / file
        with path.open(newline="", encoding="utf-8") as handle:
            lines = list(csv.reader(handle))
        tables[file] = (lines[0], lines, hashlib.sha256(path.read_bytes()).hexdigest())
    checked = 0
    for row in rows:
        table, _, number = row["row"].value.rpartition("#row=")
        header, lines, sha = tables[table.rsplit("/", 1)[1]]
        cells = dict(zip(header, lines[int(number) - 1], strict=True))
        assert row["sha"].value == sha
        column = COLUMN_OF[row["category"].value[len(TG) :]]
        assert int(cells[column]) == int(row["n"].value), row["obs"]
        assert cells["year"] == row["year"].value
        expected = STATE_OF[cells["country_name"]]
        if expected == "russia" and int(cells["year"]) < 1992:
            expected = "soviet-union"
        assert row["state"].value == TGID + expected
        checked += 1
    assert checked == 158 + 90


def test_states_the_tables_name_are_ours(root: Path) -> None:
    graphs = compile_graphs(Project(root))
    labels = {
        str(o) for g in graphs.values() for o in g.objects(None, None) if hasattr(o, "language")
    }
    assert set(STATE_OF) <= labels
