"""``treatygraph anchor``: compute the offsets and context of every quote in graph/, each
against its own document's text."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from treatygraph.corpus.anchors import (
    AnchorBlock,
    AnchorError,
    anchor_text,
    document_of,
    folder_document,
    scan,
)
from treatygraph.corpus.documents import DocumentText


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files",
        nargs="*",
        type=Path,
        help="source files to anchor (default: every file of every document's folder)",
    )
    parser.add_argument(
        "--check", action="store_true", help="only report what would change; write nothing"
    )


def run(args: argparse.Namespace) -> int:
    """Locate every quote first; write files only when all of them were placed."""
    from treatygraph.console import Progress, mode_for
    from treatygraph.corpus.project import Project
    from treatygraph.files import write_atomically

    project = Project(args.root, args.corpus)
    registry = project.registry()
    files = args.files or project.document_files()
    texts: dict[str, DocumentText | None] = {}

    def text_of(block: AnchorBlock) -> DocumentText:
        document = document_of(block, folder_document(block.path, registry), registry)
        if document.slug not in texts:
            texts[document.slug] = registry.text(document)
        found = texts[document.slug]
        if found is None:
            places = " or ".join(str(p) for p in registry.text_locations(document))
            raise AnchorError(
                f"{block.where()}: the text of tgid:{document.slug} is needed to anchor, and it "
                f"is not at {places} (set --corpus DIR or $TREATYGRAPH_CORPUS)"
            )
        return found

    errors: list[str] = []
    rewritten: dict[Path, str] = {}
    total = changed = 0
    progress = Progress(mode_for())
    progress.phase(f"locating quotes in {len(files)} files", len(files), "files")
    try:
        for done, path in enumerate(files, 1):
            text = path.read_text(encoding="utf-8")
            new_text, n, problems = anchor_text(path, text, text_of)
            errors += problems
            total += len(scan(path, text))
            changed += n
            if new_text != text:
                rewritten[path] = new_text
            progress.advance(done)
    finally:
        progress.close()
    if errors:
        print("\n".join(f"error: {e}" for e in errors), file=sys.stderr)
        print(
            f"{len(errors)} of {total} quote(s) could not be placed; no file was changed",
            file=sys.stderr,
        )
        return 1
    if args.check:
        print(f"{total} anchors, {changed} would change", file=sys.stderr)
        return 1 if changed else 0
    for path, new_text in rewritten.items():
        write_atomically(path, new_text.encode("utf-8"))
    print(f"{total} anchors in {len(files)} files, {changed} updated", file=sys.stderr)
    return 0
