"""Checks of the scale corpus (``bench/synth.py --triples``): it conforms, and its anchors are real.

Not part of the test suite (the suite times nothing and generates no corpora); run it when the
generator, the shapes or the anchor model change::

    .venv/bin/pytest bench/check_synth.py -q      # or: .venv/bin/python bench/check_synth.py

1. ``treatygraph validate`` over the 10k output against ``shapes/``: exit 0, 0 violations.
2. Every anchor read back from the N-Triples (with pyoxigraph, not the generator's code):
   ``text[start:end] == oa:exact``, prefix and suffix around it, the end within the body end,
   the document's ``tg:sha256`` equal to the sha256 of its text file.
3. Same arguments, same bytes; and memory flat in size (peak RSS of 10k vs 300k).
"""

from __future__ import annotations

import hashlib
import json
import resource
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
BIN = Path(sys.executable).parent
TG = "https://w3id.org/treatygraph/ontology#"
OA = "http://www.w3.org/ns/oa#"
sys.path.insert(0, str(BENCH))
from synth_corpus import BODY_END  # noqa: E402


def _synth(size: str, out: Path, texts: Path | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, str(BENCH / "synth.py"), "--triples", size, "--out", str(out)]
    cmd += ["--texts", str(texts)] if texts else []
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=True)


def test_10k_conforms_to_the_shapes(tmp_path: Path) -> None:
    out = tmp_path / "s.nt"
    _synth("10k", out)
    lines = out.read_text(encoding="utf-8").count("\n")
    assert 10_000 <= lines < 10_500, lines
    run = subprocess.run(
        [str(BIN / "treatygraph"), "--root", str(ROOT), "validate", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "Conforms: 0 violations" in run.stdout, run.stdout[-2000:]


def test_anchors_are_real(tmp_path: Path) -> None:
    out, texts = tmp_path / "s.nt", tmp_path / "texts"
    _synth("10k", out, texts)
    values: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for quad in ox.parse(path=str(out), format=ox.RdfFormat.N_TRIPLES):
        values[quad.subject.value][quad.predicate.value].append(quad.object.value)
    anchors = [s for s, p in values.items() if f"{TG}SourceAnchor" in p.get(_type(), [])]
    documents = [s for s, p in values.items() if f"{TG}SourceDocument" in p.get(_type(), [])]
    assert len(anchors) > 500 and len(documents) > 20, (len(anchors), len(documents))
    bodies = {}
    for doc in documents:
        slug = doc.rsplit("/", 1)[1]
        raw = (texts / f"{slug}.txt").read_bytes()
        meta = json.loads((texts / f"{slug}.json").read_text(encoding="utf-8"))
        assert values[doc][f"{TG}sha256"] == [hashlib.sha256(raw).hexdigest()] == [meta["sha256"]]
        assert values[doc][BODY_END] == [str(meta["article_body_ends_at_char"])]
        bodies[doc] = (raw.decode("utf-8"), meta["article_body_ends_at_char"])
    non_ascii = 0
    for anchor in anchors:
        (doc,) = values[anchor][f"{OA}hasSource"]
        text, body_end = bodies[doc]
        selectors = values[anchor][f"{OA}hasSelector"]
        quote = next(values[s] for s in selectors if f"{OA}exact" in values[s])
        where = next(values[s] for s in selectors if f"{OA}start" in values[s])
        start, end = int(where[f"{OA}start"][0]), int(where[f"{OA}end"][0])
        exact = quote[f"{OA}exact"][0]
        assert text[start:end] == exact, (anchor, text[start:end], exact)
        assert text[:start].endswith(quote[f"{OA}prefix"][0]), anchor
        assert text[end:].startswith(quote[f"{OA}suffix"][0]), anchor
        assert end <= body_end, anchor
        assert anchor.endswith(f"/anchor-{doc.rsplit('/', 1)[1]}-{start}-{end}"), anchor
        non_ascii += any(ord(c) > 127 for c in exact)
    assert non_ascii > 100, "offsets must be checked on code points, not only on ASCII"


def test_deterministic_and_flat_in_memory(tmp_path: Path) -> None:
    peaks = {}
    for size in ("10k", "300k"):
        code = (
            "import resource, runpy, sys; sys.argv = sys.argv[1:]; "
            "sys.path.insert(0, sys.argv[0].rsplit('/', 1)[0])\n"
            "try:\n    runpy.run_path(sys.argv[0], run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
        )
        run = subprocess.run(
            [sys.executable, "-c", code, str(BENCH / "synth.py"), "--triples", size]
            + ["--out", str(tmp_path / f"{size}.nt")],
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )
        peaks[size] = int(run.stdout.split()[-1])
    assert peaks["300k"] < peaks["10k"] + 8 * 1024, peaks  # KiB: within 8 MiB
    _synth("10k", tmp_path / "again.nt")
    assert (tmp_path / "again.nt").read_bytes() == (tmp_path / "10k.nt").read_bytes()


def _type() -> str:
    return "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


if __name__ == "__main__":
    for name, test in list(globals().items()):
        if name.startswith("test_") and callable(test):
            with tempfile.TemporaryDirectory() as tmp:
                test(Path(tmp))
            print(f"ok {name}", file=sys.stderr)
    print(f"max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss} KiB", file=sys.stderr)
