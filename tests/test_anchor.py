"""The compact-anchor tool: placing quotes, its three failure cases, and safe rewriting."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from treatygraph.cli import main
from treatygraph.corpus.anchors import AnchorBlock, AnchorError, anchor_text, locate, scan
from treatygraph.corpus.documents import Article

TEXT = "Alpha said the treaty matters. Beta said the treaty failed.\nMost Popular\n- the treaty ad"
BODY_END = TEXT.index("Most Popular")


def make_article(path: Path = Path("article.txt")) -> Article:
    return Article(path, TEXT, "x", BODY_END, "2018-10-22", "https://example.org/a")


def block(exact: str, prefix: str | None = None) -> AnchorBlock:
    return AnchorBlock(Path("graph/x.ttl"), 3, (0, 0), exact, prefix)


def test_locate_unique_quote() -> None:
    start, end = locate(make_article(), block("Beta said"))
    assert (start, end) == (31, 40)
    assert TEXT[start:end] == "Beta said"


def test_not_found_names_file_and_quote() -> None:
    with pytest.raises(AnchorError, match=r"graph/x\.ttl:3: quote 'Gamma'.*not found"):
        locate(make_article(), block("Gamma"))


def test_ambiguous_without_prefix() -> None:
    with pytest.raises(AnchorError, match=r"occurs 2 times.*add an oa:prefix"):
        locate(make_article(), block("the treaty"))


def test_prefix_settles_ambiguity() -> None:
    start, _ = locate(make_article(), block("the treaty", prefix="Beta said "))
    assert start == TEXT.index("Beta said the treaty") + len("Beta said ")


def test_outside_body() -> None:
    with pytest.raises(AnchorError, match="falls outside the article body"):
        locate(make_article(), block("the treaty ad"))


def test_scan_reads_lists_and_escapes() -> None:
    source = (
        'tgid:x tg:anchor [ oa:exact "a \\"b\\" c" ] ,\n'
        '        [ oa:exact "d" ; oa:prefix "e" ; oa:start 4 ; oa:end 5 ] .\n'
    )
    blocks = scan(Path("s.ttl"), source)
    assert [b.exact for b in blocks] == ['a "b" c', "d"]
    assert (blocks[1].prefix, blocks[1].start, blocks[1].end, blocks[1].line) == ("e", 4, 5, 2)


def test_rewrite_is_idempotent() -> None:
    source = 'tgid:x tg:anchor [ oa:exact "Beta said" ] .\n'
    once, changed = anchor_text(Path("s.ttl"), source, make_article())
    assert changed == 1
    assert "oa:start 31 ; oa:end 40" in once
    # The suffix stops where the body ends: at the newline before "Most Popular".
    assert 'oa:suffix " the treaty failed.\\n" ;' in once
    twice, changed_again = anchor_text(Path("s.ttl"), once, make_article())
    assert (twice, changed_again) == (once, 0)


def test_failed_run_changes_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    article = tmp_path / "shared" / "article.txt"
    article.parent.mkdir()
    article.write_bytes(TEXT.encode())
    meta = {
        "sha256": hashlib.sha256(TEXT.encode()).hexdigest(),
        "article_body_ends_at_char": BODY_END,
        "published": "2018-10-22",
        "url": "u",
    }
    article.with_suffix(".json").write_text(json.dumps(meta))
    graph = tmp_path / "repo" / "graph" / "article"
    graph.mkdir(parents=True)
    good = graph / "a.ttl"
    bad = graph / "b.ttl"
    good.write_text('tgid:x tg:anchor [ oa:exact "Alpha said" ] .\n')
    bad.write_text('tgid:y tg:anchor [ oa:exact "the treaty" ] .\n')
    before = (good.read_text(), bad.read_text())
    monkeypatch.setenv("TREATYGRAPH_ARTICLE", str(article))
    assert main(["--root", str(tmp_path / "repo"), "anchor"]) == 1
    assert (good.read_text(), bad.read_text()) == before
    bad.write_text('tgid:y tg:anchor [ oa:exact "the treaty" ; oa:prefix "Alpha said " ] .\n')
    assert main(["--root", str(tmp_path / "repo"), "anchor"]) == 0
    assert "oa:start 0 ; oa:end 10" in good.read_text()
    assert "oa:start 11 ; oa:end 21" in bad.read_text()
