"""``treatygraph register``: add a document to the corpus from a saved web page or a text file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from treatygraph.corpus.register import register


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", type=Path, help="a saved web page (.html) or a UTF-8 text file")
    parser.add_argument("--slug", help="the document's slug (default: from its title)")
    parser.add_argument("--title", help="title (default: the page's)")
    parser.add_argument("--url", help="address of the document (default: the page's canonical)")
    parser.add_argument("--publisher", help="publisher's name (default: the page's site name)")
    parser.add_argument("--author", help="author's name, if any (default: the page's)")
    parser.add_argument("--date", help="publication date, YYYY-MM-DD (default: the page's)")
    parser.add_argument("--language", help="BCP 47 language tag (default: the page's lang)")
    parser.add_argument("--genre", help="news-article, official-statement, treaty-text, ...")
    parser.add_argument("--rights", help="the rights statement (license, copyright holder)")
    parser.add_argument(
        "--redistributable",
        action="store_true",
        help="the rights allow committing the text (it goes into the checkout's corpus/)",
    )
    parser.add_argument(
        "--body-end", type=int, help="where the document proper ends (default: the whole text)"
    )


def run(args: argparse.Namespace) -> int:
    document, notes = register(args)
    for note in notes:
        print(f"  {note}", file=sys.stderr)
    print(
        f"registered tgid:{document.slug} in {document.record}; next: "
        f"`treatygraph draft {document.slug}`, review the draft, then `treatygraph build`",
        file=sys.stderr,
    )
    return 0
