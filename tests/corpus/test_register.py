"""``treatygraph register``: a saved web page (via trafilatura) or a text file becomes a record
and a text, with its sha256 and body end; duplicates are refused; what is missing is said."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from treatygraph.cli import main
from treatygraph.corpus.documents import load_registry

PAGE = """<!doctype html>
<html lang="en-GB"><head>
<title>Allies agree on verification | Example News</title>
<meta name="author" content="Jane Doe">
<meta property="og:site_name" content="Example News">
<meta property="og:title" content="Allies agree on verification">
<link rel="canonical" href="https://news.example.org/2024/05/03/verification">
<meta property="article:published_time" content="2024-05-03T10:00:00Z">
</head><body>
<nav>Home | World | Sport</nav>
<article><h1>Allies agree on verification</h1>
<p>The parties agreed on Friday to extend the inspections for another five years, officials
said.</p>
<p>“This is a good day for arms control,” the chair of the talks told reporters in Vienna.</p>
</article>
<footer>Most read: a recipe, a crossword</footer>
</body></html>
"""


@pytest.fixture
def repo(root: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "repo"
    for name in ("ontology", "shapes", "graph"):
        shutil.copytree(root / name, dest / name)
    return dest


def register(repo: Path, corpus: Path, *args: object) -> int:
    return main(["--root", str(repo), "--corpus", str(corpus), "register", *map(str, args)])


def test_a_saved_page(repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "saved.html"
    page.write_text(PAGE)
    corpus = tmp_path / "texts"
    assert (
        register(
            repo, corpus, page, "--rights", "Copyright Example News", "--genre", "news article"
        )
        == 0
    )
    out = capsys.readouterr().err
    (document,) = [d for d in load_registry(repo, corpus) if d.slug.startswith("allies")]
    assert document.slug == "allies-agree-on-verification"
    assert document.title == "Allies agree on verification"
    assert document.url == "https://news.example.org/2024/05/03/verification"
    assert document.issued.isoformat() == "2024-05-03" and document.language == "en"
    assert document.genre == "https://w3id.org/treatygraph/ontology#NewsArticle"
    assert document.publisher == "https://w3id.org/treatygraph/id/example-news"
    assert document.creator == "https://w3id.org/treatygraph/id/jane-doe"
    # The body text is the article: no navigation, no footer; not redistributable, so the text
    # went to the corpus directory, not into the checkout.
    text = (corpus / "allies-agree-on-verification.txt").read_text()
    assert "agreed on Friday to extend the inspections" in text and "This is a good day" in text
    assert "Sport" not in text and "crossword" not in text
    assert not (repo / "corpus").exists()
    assert document.sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert document.body_end == len(text)
    assert "'Example News' is new: tgid:example-news (tg:Organization)" in out
    assert "outside the checkout: its rights do not allow it" in out


def test_a_text_with_existing_resources(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "briefing.txt"
    source.write_text("Today the United States and Russia met again.\n")
    corpus = tmp_path / "texts"
    code = register(
        repo, corpus, source, "--slug", "briefing", "--title", "Briefing", "--url",
        "https://example.gov/briefing", "--publisher", "White House", "--author", "Jake Sullivan",
        "--date", "2023-12-01", "--language", "en", "--rights", "Public domain",
        "--redistributable", "--genre", "official-statement",
    )  # fmt: skip
    assert code == 0
    out = capsys.readouterr().err
    registry = load_registry(repo, corpus)
    document = registry.get("briefing")
    assert document is not None and document.redistributable
    assert document.publisher == "https://w3id.org/treatygraph/id/white-house"
    assert document.creator == "https://w3id.org/treatygraph/id/jake-sullivan"
    assert "'White House' is the existing resource" in out and "author:" not in out
    # Redistributable: the text is committed in the checkout, and found there.
    assert (repo / "corpus" / "briefing.txt").read_bytes() == source.read_bytes()
    found = registry.text(document)
    assert found is not None and found.path == repo / "corpus" / "briefing.txt"
    record = (repo / "graph" / "briefing" / "document.ttl").read_text()
    assert "tg:redistributable true" in record and "tg:bodyEnd 46 ." in record


def test_duplicates_are_refused(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "texts"
    common = ["--title", "T", "--publisher", "P", "--date", "2024-01-01", "--language", "en",
              "--rights", "R"]  # fmt: skip
    source = tmp_path / "a.txt"
    source.write_text("Some text about a treaty.\n")
    assert (
        register(repo, corpus, source, "--slug", "doc-one", "--url", "https://x.org/1", *common)
        == 0
    )
    other = tmp_path / "b.txt"
    other.write_text("Other text.\n")
    assert (
        register(repo, corpus, other, "--slug", "doc-one", "--url", "https://x.org/2", *common) == 2
    )
    assert "tgid:doc-one is already registered" in capsys.readouterr().err
    copy = tmp_path / "c.txt"
    copy.write_bytes(source.read_bytes())
    assert (
        register(repo, corpus, copy, "--slug", "doc-two", "--url", "https://x.org/3", *common) == 2
    )
    assert "this text is already registered as tgid:doc-one" in capsys.readouterr().err
    assert (
        register(repo, corpus, other, "--slug", "doc-three", "--url", "https://x.org/1", *common)
        == 2
    )
    assert "https://x.org/1 is already registered as tgid:doc-one" in capsys.readouterr().err
    assert not (repo / "graph" / "doc-two").exists() and not (repo / "graph" / "doc-three").exists()


def test_what_is_missing_is_said(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "bare.txt"
    source.write_text("A text with no metadata.\n")
    assert register(repo, tmp_path / "texts", source) == 2
    err = capsys.readouterr().err
    for what in ("no title found: pass --title VALUE", "no url found: pass --url VALUE",
                 "no publisher found", "no date found: pass --date YYYY-MM-DD",
                 "no language found", "no rights found: pass --rights TEXT"):  # fmt: skip
        assert what in err
    assert not (tmp_path / "texts").exists()
