"""``treatygraph stats``: counts per class and named graph, and the article's mention coverage."""

from __future__ import annotations

import argparse
import json

from treatygraph.build.compile import compile_graphs
from treatygraph.build.stats import class_counts, mention_coverage
from treatygraph.corpus.mentions import Coverage
from treatygraph.corpus.project import Project
from treatygraph.rdf.iris import GRAPHS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the statistics as JSON")
    parser.add_argument(
        "--uncovered", action="store_true", help="list capitalised words no mention covers"
    )


def run(args: argparse.Namespace) -> int:
    project = Project(args.root)
    graphs = compile_graphs(project)
    data = graphs["article"] + graphs["background"] + graphs["alignments"]
    stats: dict[str, object] = {
        "graphs": {str(GRAPHS[name]): len(g) for name, g in graphs.items()},
        "classes": dict(sorted(class_counts(data).items())),
    }
    cov: Coverage | None
    try:
        cov, dangling = mention_coverage(project, graphs)
    except FileNotFoundError as exc:
        stats["mention_coverage"] = f"skipped: no article at {exc}"
        cov, dangling = None, []
    if cov is not None:
        stats["mention_coverage"] = {
            "ratio": round(cov.ratio, 4),
            "candidates": len(cov.candidates),
            "uncovered": len(cov.uncovered),
            "linked_surfaces": sum(m.slug is not None for m in cov.mentions),
            "ignored_surfaces": sum(m.slug is None for m in cov.mentions),
            "dangling_links": dangling,
            "unused_surfaces": [m.surface for m in cov.unused],
        }
    if args.json:
        print(json.dumps(stats, indent=2, ensure_ascii=False))
    else:
        _print_text(stats, cov)
    if args.uncovered and cov is not None:
        for c in cov.uncovered:
            print(f"uncovered: {c.word!r} at {c.start}")
    return 1 if dangling else 0


def _print_text(stats: dict[str, object], cov: Coverage | None) -> None:
    print("Triples per named graph:")
    for name, n in stats["graphs"].items():  # type: ignore[attr-defined]
        print(f"  {n:>7}  {name}")
    print("Instances per class (article, background and alignments graphs):")
    for name, n in stats["classes"].items():  # type: ignore[attr-defined]
        print(f"  {n:>7}  {name}")
    if cov is None:
        print(f"Mention coverage: {stats['mention_coverage']}")
        return
    info = stats["mention_coverage"]
    print(
        f"Mention coverage: {cov.ratio:.1%} ({len(cov.candidates) - len(cov.uncovered)}"
        f"/{len(cov.candidates)} proper-name words covered; "
        f"{info['linked_surfaces']} surfaces linked, {info['ignored_surfaces']} ignored)"  # type: ignore[index]
    )
    for line in info["dangling_links"]:  # type: ignore[index]
        print(f"  error: {line}")
