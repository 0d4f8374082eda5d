"""At least ten competency questions have answers from both documents (Must-show 6)."""

from __future__ import annotations

from pathlib import Path

DOCUMENTS = {
    "vox-inf-article": ("vox-inf-article", "2018-10-22"),
    "cfe-suspension-statement": ("cfe-suspension-statement", "2023-11-07", "cfe-treaty"),
}


def test_ten_questions_span_both_documents(root: Path) -> None:
    spanning = []
    for expected in sorted((root / "examples" / "queries").glob("*.expected.tsv")):
        answer = expected.read_text(encoding="utf-8")
        if all(any(mark in answer for mark in marks) for marks in DOCUMENTS.values()):
            spanning.append(expected.name)
    assert len(spanning) >= 10, spanning
