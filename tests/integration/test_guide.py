"""docs/integration.md's guide, run: the first metadata gives the report the guide shows, the
fixed one imports, and the observations are the table's numbers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from .conftest import loaded_store, tg

NAME = "deployed-warheads.csv"


def _draft(examples: Path, tmp_path: Path) -> Path:
    """The guide's first attempt: the source's typo in place, no aliases yet."""
    folder = tmp_path / "draft"
    folder.mkdir()
    text = (examples / "guide" / NAME).read_text("utf-8").replace("France,2023", "France,2O23")
    (folder / NAME).write_text(text, encoding="utf-8")
    metadata = json.loads((examples / "guide" / f"{NAME}-metadata.json").read_text("utf-8"))
    del metadata["tableSchema"]["columns"][0]["tg:reconcile"]["aliases"]
    (folder / f"{NAME}-metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    return folder / NAME


def test_the_report_is_the_one_the_guide_shows(
    root: Path,
    checkout: Path,
    examples: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = _draft(examples, tmp_path)
    monkeypatch.chdir(source.parent)
    assert tg("--root", checkout, "import", NAME, "--graph", "guide", "--report", "--quiet") == 2
    report = capsys.readouterr().err.rstrip("\n").splitlines()
    assert report == [
        f"problem: {NAME}:2:1: column 'country': 'Russian Fed.' names no tg:State of ours "
        "(no label or altLabel)",
        f"problem: {NAME}:3:1: column 'country': 'USA' names no tg:State of ours "
        "(no label or altLabel)",
        f"problem: {NAME}:5:2: column 'year': '2O23' is not a valid xsd:gYear: expected YYYY",
        "3 problem(s); nothing imported",
    ]
    guide = (root / "docs" / "integration.md").read_text("utf-8")
    assert "\n".join(report) in guide
    assert list((checkout / "imports").iterdir()) == []


def test_the_fixed_table_imports(checkout: Path, examples: Path, tmp_path: Path) -> None:
    shutil.copytree(examples / "guide", tmp_path / "guide")
    source = tmp_path / "guide" / NAME
    assert tg("--root", checkout, "import", source, "--graph", "guide", "--quiet") == 0
    rows = loaded_store(checkout).query(
        """PREFIX tg: <https://w3id.org/treatygraph/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?state ?n ?row WHERE {
          ?obs tg:refState ?state ; tg:warheads ?n ; prov:wasDerivedFrom ?row
        } ORDER BY ?row""",
        use_default_graph_as_union=True,
    )
    found = [(r["state"].value.rsplit("/", 1)[1], int(r["n"].value), r["row"].value) for r in rows]
    base = "https://w3id.org/treatygraph/source/guide/deployed-warheads.csv#row="
    assert found == [  # the table, row by row (checked by hand)
        ("russia", 1674, base + "2"),
        ("united-states", 1670, base + "3"),
        ("united-kingdom", 120, base + "4"),
        ("france", 280, base + "5"),
    ]
