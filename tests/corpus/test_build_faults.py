"""Planted faults: each fails the build naming file:line and the quote, and changes nothing.

Checked by hand against the texts: the CFE statement keeps a no-break space (U+00A0) at
characters 100, 434 and 1962 (after "(CFE).", "treaty." and "security."); Trump's quote in
the Vox article is at 1852-1962 (graph/vox-inf-article/quotations.ttl).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from treatygraph.build.compile import build
from treatygraph.cli import main
from treatygraph.corpus.project import Project

TRUMP = "oa:start 1852 ; oa:end 1962"
QUOTES = Path("graph") / "vox-inf-article" / "quotations.ttl"


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def problems(checkout: Path, corpus_dir: Path) -> list[str]:
    return build(Project(checkout, corpus_dir), check_shapes=False).anchor_problems


def test_the_copy_builds_clean(checkout: Path, corpus_dir: Path) -> None:
    result = build(Project(checkout, corpus_dir), check_shapes=False)
    assert result.anchor_problems == []
    assert {c.document.slug: (c.verified, c.anchors) for c in result.documents} == {
        "vox-inf-article": (291, 291),
        "cfe-suspension-statement": (46, 46),
    }


def test_wrong_offset(checkout: Path, corpus_dir: Path) -> None:
    path = checkout / QUOTES
    line = line_of(path, TRUMP)
    path.write_text(path.read_text().replace(TRUMP, "oa:start 1853 ; oa:end 1963"))
    (problem,) = problems(checkout, corpus_dir)
    assert problem.startswith(f"{QUOTES}:{line}: quote '[W]e’re not going to let them violate")
    assert "tgid:vox-inf-article[1853:1963] is" in problem and "the quote is at 1852" in problem


def test_wrong_document(checkout: Path, corpus_dir: Path) -> None:
    path = checkout / QUOTES
    line = line_of(path, TRUMP)
    text = path.read_text().splitlines()
    text[line - 1] = text[line - 1].replace(
        "oa:hasSource tgid:vox-inf-article", "oa:hasSource tgid:cfe-suspension-statement"
    )
    path.write_text("\n".join(text) + "\n")
    (problem,) = problems(checkout, corpus_dir)
    assert problem.startswith(f"{QUOTES}:{line}: quote '[W]e’re not going")
    assert "names tgid:cfe-suspension-statement, but the file is in graph/vox-inf-article/" in (
        problem
    )


def test_unknown_document(checkout: Path, corpus_dir: Path) -> None:
    path = checkout / QUOTES
    line = line_of(path, TRUMP)
    path.write_text(
        path.read_text().replace(
            'oa:hasSource tgid:vox-inf-article ; oa:exact "[W]e’re',
            'oa:hasSource tgid:no-such-article ; oa:exact "[W]e’re',
        )
    )
    (problem,) = problems(checkout, corpus_dir)
    assert problem.startswith(f"{QUOTES}:{line}: quote '[W]e’re not going")
    assert "tgid:no-such-article is not a registered document" in problem


def test_changed_text(checkout: Path, corpus_dir: Path) -> None:
    text = corpus_dir / "inf-treaty-article.txt"
    text.write_bytes(text.read_bytes().replace(b"Trump", b"Trumq", 1))
    (problem,) = problems(checkout, corpus_dir)
    record = checkout / "graph" / "vox-inf-article" / "document.ttl"
    assert problem.startswith(f"{record}:{line_of(record, 'tg:sha256')}: the text of ")
    assert "tgid:vox-inf-article changed" in problem and str(text) in problem


def test_ordinary_space_for_a_no_break_space(checkout: Path, corpus_dir: Path) -> None:
    """The build, and `treatygraph anchor`, say which code point the text has, and where."""
    path = checkout / "graph" / "cfe-suspension-statement" / "agreements.ttl"
    exact = "(CFE).\\u00A0 The combination"
    path.write_text(
        path.read_text()
        + "\ntgid:cfe-treaty tg:anchor [ oa:hasSource tgid:cfe-suspension-statement ; "
        f'oa:exact "{exact.replace(chr(92) + "u00A0", " ")}" ; oa:start 94 ; oa:end 117 ] .\n'
    )
    (problem,) = problems(checkout, corpus_dir)
    assert "quote '(CFE).  The combination'" in problem
    assert "at offset 100 the text has U+00A0 NO-BREAK SPACE where the quote has U+0020 SPACE" in (
        problem
    )
    # Without offsets, `treatygraph anchor` cannot place it, and says the same.
    path.write_text(path.read_text().replace(" ; oa:start 94 ; oa:end 117 ]", " ]"))
    before = path.read_text()
    code = main(["--root", str(checkout), "--corpus", str(corpus_dir), "anchor"])
    assert code == 1 and path.read_text() == before


def test_anchor_counts_quotes_not_files(
    checkout: Path, corpus_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Three bad quotes in one file are three failures, not one."""
    path = checkout / "graph" / "cfe-suspension-statement" / "claims.ttl"
    path.write_text(
        path.read_text()
        + "\n".join(
            f'tgid:claim-x{n} tg:anchor [ oa:exact "not in the statement {n}" ] .' for n in range(3)
        )
        + "\n"
    )
    assert main(["--root", str(checkout), "--corpus", str(corpus_dir), "anchor"]) == 1
    err = capsys.readouterr().err
    assert len(re.findall(r"not found in tgid:cfe-suspension-statement", err)) == 3
    assert "3 of 340 quote(s) could not be placed; no file was changed" in err


def test_build_fails_with_the_quote_and_keeps_the_output(
    checkout: Path, corpus_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = checkout / "build" / "treatygraph.nq"
    out.parent.mkdir()
    out.write_text("last good\n")
    path = checkout / QUOTES
    path.write_text(path.read_text().replace(TRUMP, "oa:start 1853 ; oa:end 1963"))
    assert main(["--root", str(checkout), "--corpus", str(corpus_dir), "build"]) == 1
    err = capsys.readouterr().err
    assert "1 anchor problem(s) (one per quote)" in err and f"{QUOTES}:" in err
    assert out.read_text() == "last good\n"


def test_anchors_outside_a_document_folder_fail(checkout: Path, corpus_dir: Path) -> None:
    (checkout / "graph" / "background" / "zz-anchored.ttl").write_text(
        "@prefix tg: <https://w3id.org/treatygraph/ontology#> .\n"
        "@prefix tgid: <https://w3id.org/treatygraph/id/> .\n"
        "@prefix oa: <http://www.w3.org/ns/oa#> .\n"
        'tgid:russia tg:anchor [ oa:hasSource tgid:vox-inf-article ; oa:exact "Russia" ; '
        "oa:start 114 ; oa:end 120 ] .\n"
    )
    found = problems(checkout, corpus_dir)
    assert found == [
        "graph/background/zz-anchored.ttl:4: quote 'Russia': graph/background/ is no document's "
        "folder; facts anchored in a document belong in its folder, graph/<slug>/"
    ]
