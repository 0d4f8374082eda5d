"""The build: compile the sources, verify anchors, validate, and give sorted N-Quads.

A failed build raises before anything is written, and the output is replaced atomically, so the
last good dataset stays in place. The output is byte-identical for the same input: blank nodes
get canonical labels and lines are sorted.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph, Literal
from rdflib.compare import to_canonical_graph
from rdflib.namespace import RDF

from treatygraph.build.validate import Report, validate
from treatygraph.corpus.documents import Article, default_article_path, find_article
from treatygraph.corpus.project import Project, load_graph, read_all
from treatygraph.errors import CheckFailed
from treatygraph.rdf.iris import GRAPHS, OA, TG


class BuildError(CheckFailed):
    """The build cannot produce a dataset; the message says why."""


@dataclass
class BuildResult:
    """The compiled named graphs and what the checks found."""

    graphs: dict[str, Graph]
    report: Report | None = None
    anchor_note: str = ""
    anchor_problems: list[str] = field(default_factory=list)

    def dataset(self) -> Dataset:
        """All named graphs in one rdflib Dataset."""
        dataset = Dataset()
        for name, graph in self.graphs.items():
            target = dataset.graph(GRAPHS[name])
            for triple in graph:
                target.add(triple)
        return dataset

    def nquads(self) -> bytes:
        """Sorted, canonical N-Quads of every named graph."""
        lines: list[str] = []
        for name, graph in self.graphs.items():
            canonical = to_canonical_graph(graph)
            text = canonical.serialize(format="nt", encoding="utf-8").decode("utf-8")
            suffix = f" <{GRAPHS[name]}> .\n"
            lines += [line[: -len(" .")] + suffix for line in text.splitlines() if line.strip()]
        return "".join(sorted(lines)).encode("utf-8")


@dataclass(frozen=True)
class Anchor:
    """One anchor as published: the quote and where it sits."""

    node: str
    exact: str
    prefix: str | None
    suffix: str | None
    start: int
    end: int


def anchors_in(graph: Graph) -> list[Anchor]:
    """Read every tg:SourceAnchor with its two selectors from a graph."""
    found = []
    for node in graph.subjects(RDF.type, TG.SourceAnchor):
        values: dict[str, object] = {}
        for selector in graph.objects(node, OA.hasSelector):
            for key in ("exact", "prefix", "suffix", "start", "end"):
                value = graph.value(selector, OA[key])
                if isinstance(value, Literal):
                    values[key] = value.toPython()
        found.append(
            Anchor(
                node=str(node),
                exact=str(values.get("exact", "")),
                prefix=values.get("prefix"),  # type: ignore[arg-type]
                suffix=values.get("suffix"),  # type: ignore[arg-type]
                start=int(values.get("start", -1)),  # type: ignore[call-overload]
                end=int(values.get("end", -1)),  # type: ignore[call-overload]
            )
        )
    return sorted(found, key=lambda a: (a.start, a.end))


def check_anchor(anchor: Anchor, article: Article) -> list[str]:
    """What is wrong with one anchor against the article text ([] when it matches)."""
    text, where = article.text, f"{anchor.node} ({anchor.exact!r})"
    problems = []
    if text[anchor.start : anchor.end] != anchor.exact:
        problems.append(
            f"{where}: article[{anchor.start}:{anchor.end}] is {text[anchor.start : anchor.end]!r}"
        )
    if anchor.end > article.body_end:
        problems.append(f"{where}: ends after the article body ({article.body_end})")
    if anchor.prefix is not None and not text[: anchor.start].endswith(anchor.prefix):
        problems.append(f"{where}: the stored prefix does not precede the quote")
    if anchor.suffix is not None and not text[anchor.end :].startswith(anchor.suffix):
        problems.append(f"{where}: the stored suffix does not follow the quote")
    return problems


def compile_graphs(project: Project) -> dict[str, Graph]:
    """Compile every named graph from its sources."""
    return {name: load_graph(project, name) for name in GRAPHS}


def build(project: Project, *, check_shapes: bool = True) -> BuildResult:
    """Compile, verify anchors where the article is present, and validate against the shapes."""
    result = BuildResult(graphs=compile_graphs(project))
    article = find_article(project.root)
    anchors = anchors_in(result.graphs["article"])
    if article is None:
        where = default_article_path(project.root)
        result.anchor_note = f"anchor verification skipped: no article at {where}"
    else:
        for anchor in anchors:
            result.anchor_problems += check_anchor(anchor, article)
        verified = len(anchors) - len({p.split(" ")[0] for p in result.anchor_problems})
        result.anchor_note = f"{verified}/{len(anchors)} anchors match the article"
    if check_shapes:
        data = Graph()
        for name in ("article", "background", "alignments"):
            data += result.graphs[name]
        result.report = validate(data, read_all(project.shapes_files), result.graphs["ontology"])
    return result


def build_nquads(root: Path) -> bytes:
    """The project's dataset as sorted N-Quads, built and checked in memory."""
    return checked(Project(root)).nquads()


def checked(project: Project) -> BuildResult:
    result = build(project)
    if result.anchor_problems:
        raise BuildError("anchors do not match the article:\n" + "\n".join(result.anchor_problems))
    if result.report is not None and not result.report.conforms:
        lines = [f"{r.focus} {r.path}: {r.message} [{r.shape}]" for r in result.report.violations]
        raise BuildError(f"{len(lines)} SHACL violations:\n" + "\n".join(lines))
    return result


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one rename, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
