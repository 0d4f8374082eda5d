"""The compact-anchor tool: placing quotes in their own document, its failure cases (with the
look-alike character named), and safe rewriting."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from treatygraph.cli import main
from treatygraph.corpus.anchors import AnchorBlock, AnchorError, anchor_text, locate, scan
from treatygraph.corpus.documents import Document, DocumentText, render_record

TEXT = "Alpha said the treaty matters. Beta said the treaty failed.\nMost Popular\n- the treaty ad"
BODY_END = TEXT.index("Most Popular")


def make_document(slug: str = "doc-a", text: str = TEXT, body_end: int = BODY_END) -> Document:
    return Document(
        slug=slug,
        record=Path("graph") / slug / "document.ttl",
        title="A",
        url=f"https://example.org/{slug}",
        publisher="https://w3id.org/treatygraph/id/example-publisher",
        creator=None,
        genre=None,
        language="en",
        issued=dt.date(2020, 6, 15),
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        body_end=body_end,
        rights="test text",
        text_file=f"{slug}.txt",
        redistributable=False,
    )


def make_article() -> DocumentText:
    return DocumentText(make_document(), Path("doc-a.txt"), TEXT)


def block(exact: str, prefix: str | None = None) -> AnchorBlock:
    return AnchorBlock(Path("graph/x.ttl"), 3, (0, 0), exact, prefix)


def test_locate_unique_quote() -> None:
    start, end = locate(make_article(), block("Beta said"))
    assert (start, end) == (31, 40)
    assert TEXT[start:end] == "Beta said"


def test_not_found_names_file_and_quote() -> None:
    with pytest.raises(
        AnchorError, match=r"graph/x\.ttl:3: quote 'Gamma'.*not found in tgid:doc-a"
    ):
        locate(make_article(), block("Gamma"))


LOOKALIKE_CASES = [
    (
        "Treaty.\u00a0 In",
        "Treaty.  In",
        "at offset 7 the text has U+00A0 NO-BREAK SPACE where the quote has U+0020 SPACE "
        "(write it as \\u00A0)",
    ),
    (
        "Russia – another",
        "Russia - another",
        "at offset 7 the text has U+2013 EN DASH where the quote has U+002D HYPHEN-MINUS",
    ),
    (
        "Russia’s war",
        "Russia's war",
        "at offset 6 the text has U+2019 RIGHT SINGLE QUOTATION MARK where the quote has "
        "U+0027 APOSTROPHE",
    ),
]


@pytest.mark.parametrize(("text", "quote", "message"), LOOKALIKE_CASES)
def test_look_alike_characters_are_named(text: str, quote: str, message: str) -> None:
    document = DocumentText(make_document(text=text, body_end=len(text)), Path("t.txt"), text)
    with pytest.raises(AnchorError) as caught:
        locate(document, block(quote))
    assert caught.value.message.endswith(f"not found in tgid:doc-a: {message}")


def test_ambiguous_without_prefix() -> None:
    with pytest.raises(AnchorError, match=r"occurs 2 times.*add an oa:prefix"):
        locate(make_article(), block("the treaty"))


def test_prefix_settles_ambiguity() -> None:
    start, _ = locate(make_article(), block("the treaty", prefix="Beta said "))
    assert start == TEXT.index("Beta said the treaty") + len("Beta said ")


def test_outside_body() -> None:
    with pytest.raises(AnchorError, match="falls outside the body of tgid:doc-a"):
        locate(make_article(), block("the treaty ad"))


def test_scan_reads_lists_and_escapes() -> None:
    source = (
        'tgid:x tg:anchor [ oa:exact "a \\"b\\" c" ] ,\n'
        '        [ oa:exact "d" ; oa:prefix "e" ; oa:start 4 ; oa:end 5 ] .\n'
    )
    blocks = scan(Path("s.ttl"), source)
    assert [b.exact for b in blocks] == ['a "b" c', "d"]
    assert (blocks[1].prefix, blocks[1].start, blocks[1].end, blocks[1].line) == ("e", 4, 5, 2)


def test_scan_reads_the_document() -> None:
    (first,) = scan(Path("s.ttl"), 'x tg:anchor [ oa:hasSource tgid:doc-b ; oa:exact "d" ] .')
    assert first.source == "doc-b"


def test_rewrite_is_idempotent() -> None:
    source = 'tgid:x tg:anchor [ oa:exact "Beta said" ] .\n'
    once, changed, errors = anchor_text(Path("s.ttl"), source, lambda b: make_article())
    assert (changed, errors) == (1, [])
    assert "[ oa:hasSource tgid:doc-a ; oa:exact" in once
    assert "oa:start 31 ; oa:end 40" in once
    # The suffix stops where the body ends: at the newline before "Most Popular".
    assert 'oa:suffix " the treaty failed.\\n" ;' in once
    twice, changed_again, _ = anchor_text(Path("s.ttl"), once, lambda b: make_article())
    assert (twice, changed_again) == (once, 0)


def write_project(root: Path, docs: dict[str, str], redistributable: bool = False) -> Path:
    """A checkout with one record per text (texts in ``root/texts``), returned as its root."""
    repo = root / "repo"
    texts = root / "texts"
    texts.mkdir(parents=True, exist_ok=True)
    for slug, text in docs.items():
        document = make_document(slug, text, len(text))
        (texts / document.text_file).write_bytes(text.encode())
        folder = repo / "graph" / slug
        folder.mkdir(parents=True)
        (folder / "document.ttl").write_text(render_record(document, slug, []))
    return repo


def test_failed_run_changes_no_file(tmp_path: Path) -> None:
    repo = write_project(tmp_path, {"doc-a": TEXT[:BODY_END]})
    corpus = str(tmp_path / "texts")
    graph = repo / "graph" / "doc-a"
    good = graph / "a.ttl"
    bad = graph / "b.ttl"
    good.write_text('tgid:x tg:anchor [ oa:exact "Alpha said" ] .\n')
    bad.write_text('tgid:y tg:anchor [ oa:exact "the treaty" ] .\n')
    before = (good.read_text(), bad.read_text())
    assert main(["--root", str(repo), "--corpus", corpus, "anchor"]) == 1
    assert (good.read_text(), bad.read_text()) == before
    bad.write_text('tgid:y tg:anchor [ oa:exact "the treaty" ; oa:prefix "Alpha said " ] .\n')
    assert main(["--root", str(repo), "--corpus", corpus, "anchor"]) == 0
    assert "oa:start 0 ; oa:end 10" in good.read_text()
    assert "oa:start 11 ; oa:end 21" in bad.read_text()


def test_each_quote_is_placed_in_its_own_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two documents with a quote at the same offsets: two anchors, each on its document."""
    repo = write_project(tmp_path, {"doc-a": "Alpha said so.", "doc-b": "Gamma said no."})
    monkeypatch.setenv("TREATYGRAPH_CORPUS", str(tmp_path / "texts"))
    (repo / "graph" / "doc-a" / "f.ttl").write_text('x tg:anchor [ oa:exact "Alpha" ] .\n')
    (repo / "graph" / "doc-b" / "f.ttl").write_text('x tg:anchor [ oa:exact "Gamma" ] .\n')
    assert main(["--root", str(repo), "anchor"]) == 0
    for slug in ("doc-a", "doc-b"):
        text = (repo / "graph" / slug / "f.ttl").read_text()
        assert f"oa:hasSource tgid:{slug} ;" in text and "oa:start 0 ; oa:end 5" in text
