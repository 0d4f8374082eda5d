"""The scale benchmark's synthetic corpus (``bench/synth.py``) conforms to the project's shapes.

An outside run found 1,280 "Needs a source" violations at 10k, and later shape changes added
more (documents' rights and text file, the statistics vocabulary of observations): a benchmark of
an import that fails validation measures the wrong thing. A small corpus (about 3,000 triples)
is validated with ``treatygraph validate``; the same file without one document's
``dcterms:rights`` fails with exactly that shape, so the check can fail.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
RIGHTS = "http://purl.org/dc/terms/rights"
TG = "https://w3id.org/treatygraph/ontology#"


def _validate(root: Path, data: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "treatygraph.cli", "--root", str(root), "validate"]
    return subprocess.run([*command, str(data)], capture_output=True, text=True, timeout=300)


def test_the_synthetic_corpus_conforms(root: Path, tmp_path: Path) -> None:
    data = tmp_path / "synth.nt"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "synth.py"), "--triples", "3k", "--out", str(data)]
        + ["--texts", str(tmp_path / "texts")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    triples = list(ox.parse(path=str(data), format=ox.RdfFormat.N_TRIPLES))
    kinds = {t.object.value for t in triples if t.predicate.value.endswith("#type")}
    # not vacuous: the kinds that shapes target are there
    assert {TG + "SourceDocument", "http://purl.org/linked-data/cube#Observation"} <= kinds
    done = _validate(root, data)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 violations" in done.stdout + done.stderr

    first = next(t for t in triples if t.predicate.value == RIGHTS)
    broken = tmp_path / "broken.nt"
    broken.write_text("".join(f"{t} .\n" for t in triples if t != first), encoding="utf-8")
    failed = _validate(root, broken)
    out = failed.stdout + failed.stderr
    assert failed.returncode == 1, out
    assert "1 violation" in out and "SourceDocument-rights" in out, out
