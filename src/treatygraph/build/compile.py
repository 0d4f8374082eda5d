"""The build: compile the sources, verify anchors, validate, and give sorted N-Quads.

Every anchor is verified against its own document's text (and that text's sha256) wherever the
text is available; a document whose text is absent is built unverified, and the build says so.
A failed build raises before anything is written, and the output is replaced atomically, so the
last good dataset stays in place. The output is byte-identical for the same input: blank nodes
get canonical labels and lines are sorted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph
from rdflib.compare import to_canonical_graph
from rdflib.namespace import RDF, SH

from treatygraph.build.validate import Report, validate
from treatygraph.corpus.anchors import AnchorError, document_of, scan, verify_block
from treatygraph.corpus.documents import Document, Registry, TextMismatch
from treatygraph.corpus.mentions import MENTIONS_FILE, Coverage, coverage, read_mentions
from treatygraph.corpus.project import Project, load_graph, read_all
from treatygraph.errors import CheckFailed
from treatygraph.rdf.iris import graph_iri


class BuildError(CheckFailed):
    """The build cannot produce a dataset; the message says why."""


@dataclass
class DocumentCheck:
    """What the build found for one document: its anchors, its mentions, its shapes."""

    document: Document
    anchors: int = 0  #: quotes (anchor blocks) in the document's sources
    verified: int | None = None  #: quotes that match the text; None when the text is absent
    skipped: str = ""  #: why the text checks did not run
    coverage: Coverage | None = None
    violations: int = 0
    warnings: int = 0

    def summary(self) -> str:
        slug = self.document.slug
        if self.verified is None:
            return f"{slug}: anchors not verified ({self.skipped}); shapes {self._shapes()}"
        cov = self.coverage
        mentions = (
            "no mentions file"
            if cov is None
            else f"mention coverage {cov.ratio:.1%} "
            f"({len(cov.candidates) - len(cov.uncovered)}/{len(cov.candidates)})"
        )
        return (
            f"{slug}: anchors verified {self.verified}/{self.anchors}, {mentions}, "
            f"shapes {self._shapes()}"
        )

    def _shapes(self) -> str:
        state = "conform" if not self.violations else "do not conform"
        return f"{state} ({self.violations} violations, {self.warnings} warnings)"


@dataclass
class BuildResult:
    """The compiled named graphs and what the checks found."""

    graphs: dict[str, Graph]
    report: Report | None = None
    documents: list[DocumentCheck] = field(default_factory=list)
    anchor_problems: list[str] = field(default_factory=list)

    def dataset(self) -> Dataset:
        """All named graphs in one rdflib Dataset."""
        dataset = Dataset()
        for name, graph in self.graphs.items():
            target = dataset.graph(graph_iri(name))
            for triple in graph:
                target.add(triple)
        return dataset

    def nquads(self) -> bytes:
        """Sorted, canonical N-Quads of every named graph."""
        lines: list[str] = []
        for name, graph in self.graphs.items():
            canonical = to_canonical_graph(graph)
            text = canonical.serialize(format="nt", encoding="utf-8").decode("utf-8")
            suffix = f" <{graph_iri(name)}> .\n"
            lines += [line[: -len(" .")] + suffix for line in text.splitlines() if line.strip()]
        return "".join(sorted(lines)).encode("utf-8")

    def data(self) -> Graph:
        """Every graph of instance data merged (all but the ontology)."""
        merged = Graph()
        for name, graph in self.graphs.items():
            if name != "ontology":
                merged += graph
        return merged


def compile_graphs(project: Project) -> dict[str, Graph]:
    """Compile every named graph from its sources."""
    return {name: load_graph(project, name) for name in project.graph_names()}


def relative(path: Path, root: Path) -> Path:
    return path.relative_to(root) if path.is_relative_to(root) else path


def check_document(project: Project, registry: Registry, document: Document) -> DocumentCheck:
    """Verify one document's anchors against its text, and measure its mention coverage.

    Problems are returned one per quote (each names file:line and the quote); a text whose
    sha256 is not the recorded one is one problem naming the record.
    """
    check = DocumentCheck(document)
    problems: list[str] = []
    blocks = []
    for path in project.graph_files(document.slug):
        blocks += scan(relative(path, project.root), path.read_text(encoding="utf-8"))
    check.anchors = len(blocks)
    placed = []
    for block in blocks:
        try:
            document_of(block, document, registry)
            placed.append(block)
        except AnchorError as exc:
            problems.append(str(exc))
    try:
        text = registry.text(document)
    except TextMismatch as exc:
        check.skipped = "the text is not the recorded one"
        raise _Problems([*problems, exc.message], check) from exc
    if text is None:
        places = " or ".join(str(p) for p in registry.text_locations(document))
        check.skipped = f"no text at {places}"
        if problems:
            raise _Problems(problems, check)
        return check
    wrong = 0
    for block in placed:
        found = verify_block(block, text)
        problems += found
        wrong += bool(found)
    check.verified = len(placed) - wrong
    mentions = document.folder / MENTIONS_FILE
    if mentions.is_file():
        check.coverage = coverage(text.body, read_mentions(mentions))
    if problems:
        raise _Problems(problems, check)
    return check


class _Problems(Exception):
    """Problems found for one document, carried back with its partial check."""

    def __init__(self, problems: list[str], check: DocumentCheck) -> None:
        super().__init__(problems)
        self.problems, self.check = problems, check


def build(project: Project, *, check_shapes: bool = True) -> BuildResult:
    """Compile, verify anchors where texts are present, and validate against the shapes."""
    drafts = project.drafts()
    if drafts:
        names = ", ".join(str(relative(p, project.root)) for p in drafts)
        raise BuildError(
            f"{len(drafts)} unreviewed draft file(s): {names}. A draft (first line "
            "'# DRAFT') is never built: review every fact, then delete that line"
        )
    registry = project.registry()
    result = BuildResult(graphs=compile_graphs(project))
    for name in set(project.data_graph_names()) - set(project.document_names()):
        for path in project.graph_files(name):
            for block in scan(relative(path, project.root), path.read_text(encoding="utf-8")):
                result.anchor_problems.append(
                    f"{block.where()}: graph/{name}/ is no document's folder; facts anchored in "
                    "a document belong in its folder, graph/<slug>/"
                )
    for document in registry:
        try:
            check = check_document(project, registry, document)
        except _Problems as found:
            check = found.check
            result.anchor_problems += found.problems
        result.documents.append(check)
    if check_shapes:
        check_shapes_of(project, result)
    return result


def check_shapes_of(project: Project, result: BuildResult) -> None:
    """Validate the compiled data with the shapes, and count the results per document."""
    result.report = validate(
        result.data(), read_all(project.shapes_files), result.graphs["ontology"]
    )
    _shape_counts(result)


def _shape_counts(result: BuildResult) -> None:
    """Attribute each SHACL result to the documents whose graph has its focus node."""
    assert result.report is not None
    report = result.report.graph
    for check in result.documents:
        subjects = set(result.graphs[check.document.slug].subjects())
        for node in report.subjects(RDF.type, SH.ValidationResult):
            if report.value(node, SH.focusNode) in subjects:
                if report.value(node, SH.resultSeverity) == SH.Violation:
                    check.violations += 1
                else:
                    check.warnings += 1


def build_nquads(root: Path, corpus: Path | None = None) -> bytes:
    """The project's dataset as sorted N-Quads, built and checked in memory."""
    return checked(Project(root, corpus)).nquads()


def checked(project: Project) -> BuildResult:
    """Build, failing on the first kind of problem found (anchors before the slower shapes)."""
    result = build(project, check_shapes=False)
    if result.anchor_problems:
        n = len(result.anchor_problems)
        raise BuildError(
            f"{n} anchor problem(s) (one per quote):\n" + "\n".join(result.anchor_problems)
        )
    check_shapes_of(project, result)
    if result.report is not None and not result.report.conforms:
        lines = [f"{r.focus} {r.path}: {r.message} [{r.shape}]" for r in result.report.violations]
        raise BuildError(f"{len(lines)} SHACL violations:\n" + "\n".join(lines))
    return result
