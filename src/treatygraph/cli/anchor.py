"""``treatygraph anchor``: compute the offsets and context of every quote in graph/."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from treatygraph.corpus.anchors import AnchorError, anchor_text, scan


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files", nargs="*", type=Path, help="source files to anchor (default: graph/**/*.ttl)"
    )
    parser.add_argument(
        "--check", action="store_true", help="only report what would change; write nothing"
    )


def run(args: argparse.Namespace) -> int:
    """Locate every quote first; write files only when all of them were placed."""
    from treatygraph.build.compile import write_atomically
    from treatygraph.corpus.documents import default_article_path, find_article
    from treatygraph.corpus.project import Project

    article = find_article(args.root)
    if article is None:
        print(
            f"error: the article is needed to anchor, and {default_article_path(args.root)} "
            "does not exist (set TREATYGRAPH_ARTICLE)",
            file=sys.stderr,
        )
        return 2
    project = Project(args.root)
    files = args.files or [
        p for p in project.all_source_files if p.is_relative_to(args.root / "graph")
    ]
    errors: list[str] = []
    rewritten: dict[Path, str] = {}
    total = changed = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        try:
            new_text, n = anchor_text(path, text, article)
        except AnchorError as exc:
            errors.append(str(exc))
            continue
        total += len(scan(path, text))
        changed += n
        if new_text != text:
            rewritten[path] = new_text
    if errors:
        print("\n".join(f"error: {e}" for e in errors), file=sys.stderr)
        print(f"{len(errors)} anchor(s) could not be placed; no file was changed", file=sys.stderr)
        return 1
    if args.check:
        print(f"{total} anchors, {changed} would change", file=sys.stderr)
        return 1 if changed else 0
    for path, new_text in rewritten.items():
        write_atomically(path, new_text.encode("utf-8"))
    print(f"{total} anchors in {len(files)} files, {changed} updated", file=sys.stderr)
    return 0
