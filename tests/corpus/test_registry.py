"""The registry: records are data, texts are found through the corpus directory (or committed
when their rights allow), and a text is used only when its sha256 is the recorded one."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from treatygraph.corpus.documents import (
    CORPUS_ENV,
    RecordError,
    TextMismatch,
    corpus_directory,
    load_registry,
)


def test_the_two_records(root: Path) -> None:
    """Checked against ../shared/sources/*.json: url, date, sha256, body end, rights."""
    registry = load_registry(root)
    vox, cfe = registry.get("vox-inf-article"), registry.get("cfe-suspension-statement")
    assert vox is not None and cfe is not None and len(registry) == 2
    assert (
        vox.url
        == "https://www.vox.com/2018/10/22/18008726/trump-russia-inf-treaty-missile-arms-control"
    )
    assert (vox.issued.isoformat(), vox.body_end, vox.redistributable) == (
        "2018-10-22",
        10207,
        False,
    )
    assert vox.sha256 == "5f1ab09cf9d8c5830033f010a1af52464fd85b25a9fefe036e75967bbccedd01"
    assert (cfe.issued.isoformat(), cfe.body_end, cfe.redistributable) == ("2023-11-07", 2138, True)
    assert cfe.sha256 == "6ecfc7d8290c8a8eb8a6a0c009b2aad73c8ffea203c909b1008a8029bc752e89"
    assert cfe.rights.startswith("A work of the United States government: public domain")
    assert cfe.genre == "https://w3id.org/treatygraph/ontology#OfficialStatement"
    assert vox.genre == "https://w3id.org/treatygraph/ontology#NewsArticle"
    # The statement's publisher is the White House resource the Vox graph also has.
    assert cfe.publisher == "https://w3id.org/treatygraph/id/white-house"


def test_only_redistributable_texts_are_committed(root: Path) -> None:
    committed = {p.name for p in (root / "corpus").iterdir()}
    assert committed == {"cfe-suspension-statement.txt"}
    data = (root / "corpus" / "cfe-suspension-statement.txt").read_bytes()
    assert hashlib.sha256(data).hexdigest().startswith("6ecfc7d8")


def test_corpus_directory_order(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(CORPUS_ENV, raising=False)
    assert corpus_directory(root) == root / ".." / "shared" / "sources"
    monkeypatch.setenv(CORPUS_ENV, str(tmp_path))
    assert corpus_directory(root) == tmp_path
    assert corpus_directory(root, tmp_path / "flag") == tmp_path / "flag"


def test_a_committed_text_needs_no_corpus(root: Path, tmp_path: Path) -> None:
    """With an empty corpus directory, the committed CFE text is still found; the Vox one not."""
    registry = load_registry(root, tmp_path)
    cfe = registry.get("cfe-suspension-statement")
    vox = registry.get("vox-inf-article")
    assert cfe is not None and vox is not None
    found = registry.text(cfe)
    assert found is not None and found.path == root / "corpus" / "cfe-suspension-statement.txt"
    assert found.text[100] == "\u00a0" and found.body_end == len(found.text) == 2138
    assert registry.text(vox) is None
    assert registry.text_locations(vox) == [tmp_path / "inf-treaty-article.txt"]


def test_a_changed_text_is_refused(root: Path, tmp_path: Path) -> None:
    shutil.copytree(root / "graph", tmp_path / "repo" / "graph")
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "cfe-suspension-statement.txt").write_text("Today, nothing happened.")
    registry = load_registry(tmp_path / "repo", tmp_path / "texts")
    cfe = registry.get("cfe-suspension-statement")
    assert cfe is not None
    with pytest.raises(TextMismatch, match=r"document\.ttl:\d+: the text of tgid:cfe-suspension"):
        registry.text(cfe)


def test_a_record_must_match_its_folder(root: Path, tmp_path: Path) -> None:
    folder = tmp_path / "repo" / "graph" / "other-slug"
    folder.mkdir(parents=True)
    shutil.copy(root / "graph" / "cfe-suspension-statement" / "document.ttl", folder)
    with pytest.raises(RecordError, match="its folder says tgid:other-slug"):
        load_registry(tmp_path / "repo")


def test_a_record_must_be_complete(root: Path, tmp_path: Path) -> None:
    folder = tmp_path / "repo" / "graph" / "cfe-suspension-statement"
    folder.mkdir(parents=True)
    record = (root / "graph" / "cfe-suspension-statement" / "document.ttl").read_text()
    (folder / "document.ttl").write_text(
        record.replace("    tg:bodyEnd 2138 .", "    .").replace(
            'tg:sha256 "6ecfc7d8290c8a8eb8a6a0c009b2aad73c8ffea203c909b1008a8029bc752e89" ;',
            'tg:sha256 "6ecfc7d8290c8a8eb8a6a0c009b2aad73c8ffea203c909b1008a8029bc752e89"',
        )
    )
    with pytest.raises(RecordError, match="has no tg:bodyEnd"):
        load_registry(tmp_path / "repo")
