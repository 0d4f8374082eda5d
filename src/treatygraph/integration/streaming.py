"""An RDF import in two streaming passes, with memory flat in the size of the input.

Pass 1 parses the source with pyoxigraph and writes every quad straight to a work file, in the
target graph, blank nodes relabelled ``<name>-bN`` by first appearance; on the way it notes what
validation will need: the subjects some shape targets (by class, predicate or node, as
:class:`~treatygraph.integration.checking.BatchValidator` knows them), and the identity links to
our resources. The work file is then sorted and made unique by ``sort -u`` (bounded memory,
spills to disk), which gives the triple count and the same bytes for the same input.

Pass 2 runs only when a shape targets something: it reads the sorted file back (parsing costs a
fraction of a microsecond per triple) and keeps, in a work store, the quads validation reads:
those of targeted subjects, of blank nodes, every ``rdf:type`` (for ``sh:class`` on values) and
the identity links. Data that no shape targets is never held anywhere but the sorted file. The
validation's batches are read from the file the same way (:func:`validated_quads`), grouped by
subject as it is sorted; the store answers the lookups around them (types, blank nodes, SPARQL).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import URIRef

from treatygraph.console import Progress
from treatygraph.integration.checking import BatchValidator
from treatygraph.integration.fetch import Fetched, ImportFailure
from treatygraph.rdf.io import FORMATS, PROLOG_BYTES, RDFSyntaxError, check_xml_entities
from treatygraph.rdf.iris import TGID

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
EXACT_MATCH = "http://www.w3.org/2004/02/skos/core#exactMatch"
#: Above this many quads to validate, the work store is on disk rather than in memory.
DISK_STORE_FROM = 200_000


@dataclass(frozen=True)
class Targeting:
    """Whether a subject of the sorted file is one some shape targets, told from its own lines
    (N-Quads tokens, as :func:`pass_one` writes them), so no set of every targeted subject is
    kept: that grew with the input (250 MB at 10M triples)."""

    every: bool  # a target that cannot be told from the data: every subject
    subjects: frozenset[bytes]  # target nodes, and our resources of a targeted class
    predicates: frozenset[bytes]  # of sh:targetSubjectsOf
    classes: frozenset[bytes]  # targeted classes, with their subclasses

    def targets(self, subject: bytes, lines: list[bytes]) -> bool:
        if self.every or subject in self.subjects:
            return True
        for line in lines:
            predicate, _, rest = line.partition(b" ")[2].partition(b" ")
            if predicate in self.predicates:
                return True
            if predicate == _TYPE_TOKEN and rest.partition(b" ")[0] in self.classes:
                return True
        return False


@dataclass
class Streamed:
    """What pass 1 found."""

    data: Path  # sorted, unique N-Quads of the target graph
    triples: int
    renamed: int
    linked: int
    targeting: Targeting
    #: whether any subject is targeted (else nothing needs validating)
    some_targeted: bool = False
    #: nodes targeted as objects (sh:targetObjectsOf, or a target node as a value)
    targeted: set[str] = field(default_factory=set)


def quads(fetched: Fetched, name: str) -> Iterator[tuple[Any, Any, Any, bool]]:
    """(subject, predicate, object, had_a_graph_name), blank nodes relabelled, in file order."""
    ox_format, _ = FORMATS[fetched.suffix]
    base = fetched.location if fetched.is_address else Path(fetched.location).resolve().as_uri()
    if ox_format == ox.RdfFormat.RDF_XML:
        with fetched.path.open("rb") as handle:
            check_xml_entities(fetched.location, handle.read(PROLOG_BYTES))
    blanks: dict[str, ox.BlankNode] = {}

    def blank(node: ox.BlankNode) -> ox.BlankNode:
        found = blanks.get(node.value)
        if found is None:
            found = blanks[node.value] = ox.BlankNode(f"{name}-b{len(blanks)}")
        return found

    try:
        for quad in ox.parse(path=fetched.path, format=ox_format, base_iri=base):
            subject, obj = quad.subject, quad.object
            if isinstance(subject, ox.BlankNode):
                subject = blank(subject)
            if isinstance(obj, ox.BlankNode):
                obj = blank(obj)
            elif isinstance(obj, ox.Triple) or isinstance(subject, ox.Triple):
                raise ImportFailure(f"{fetched.location}: RDF-star triple terms are not imported")
            yield subject, quad.predicate, obj, not isinstance(quad.graph_name, ox.DefaultGraph)
    except SyntaxError as exc:
        raise ImportFailure(
            str(RDFSyntaxError(fetched.location, exc.lineno, exc.offset, exc.msg or str(exc)))
        ) from None
    except ValueError as exc:
        raise ImportFailure(f"{fetched.location}: {exc}") from None


def pass_one(
    fetched: Fetched,
    name: str,
    target: ox.NamedNode,
    checker: BatchValidator,
    links: dict[URIRef, URIRef],
    same_as: set[str],
    work: Path,
    progress: Progress,
) -> Streamed:
    """Write the quads, find what shapes target and which nodes are ours; sort -u the file."""
    targets = checker.target_strings()
    classes, by_subject, by_object, nodes, ours = targets or (set(), set(), set(), set(), set())
    every = targets is None
    outside = {str(item): str(mine) for item, mine in links.items()}
    graph = f"{target}"
    raw = work / "raw.nq"
    targeted: set[str] = set()
    some_targeted = False
    link_lines: set[str] = set()
    renamed = count = 0
    with raw.open("w", encoding="utf-8") as handle:
        write = handle.write
        for subject, predicate, obj, named in quads(fetched, name):
            renamed += named
            s, p, o = str(subject), predicate.value, str(obj)
            write(f"{s} <{p}> {o} {graph} .\n")
            count += 1
            if count % 100_000 == 0:
                progress.advance(count)
            value = getattr(subject, "value", "")
            ovalue = getattr(obj, "value", "")
            if not some_targeted and (
                every
                or value in nodes
                or value in ours
                or p in by_subject
                or (p == RDF_TYPE and ovalue in classes)
            ):
                some_targeted = True
            if (
                not every
                and (p in by_object or ovalue in nodes)
                and not isinstance(obj, ox.Literal)
            ):
                targeted.add(o)
            # identity: a node that says it is an outside item we link to, or the item itself
            if p in same_as and ovalue in outside and not value.startswith(str(TGID)):
                link_lines.add(f"{s} <{EXACT_MATCH}> <{outside[ovalue]}> {graph} .\n")
            if value in outside:
                link_lines.add(f"{s} <{EXACT_MATCH}> <{outside[value]}> {graph} .\n")
        handle.writelines(sorted(link_lines))
    progress.advance(count)
    data = work / "data.nq"
    env = {**os.environ, "LC_ALL": "C"}
    try:
        subprocess.run(
            ["sort", "-u", "-S", "64M", "-T", str(work), "-o", str(data), str(raw)],
            check=True,
            env=env,
            capture_output=True,
        )
    except subprocess.CalledProcessError as exc:
        message = exc.stderr.decode("utf-8", "replace").strip()
        if "No space left" in message:
            raise OSError(28, "No space left on device") from None
        raise ImportFailure(f"sorting the import failed: {message}") from None
    raw.unlink()
    with data.open("rb") as handle:
        triples = sum(1 for _ in handle)
    targeting = Targeting(
        every,
        frozenset(f"<{n}>".encode() for n in nodes | ours),
        frozenset(f"<{p}>".encode() for p in by_subject),
        frozenset(f"<{c}>".encode() for c in classes),
    )
    some_targeted = some_targeted or bool(targeted)
    return Streamed(data, triples, renamed, len(link_lines), targeting, some_targeted, targeted)


def pass_two(streamed: Streamed, work: Path) -> tuple[ox.Store, int]:
    """The quads validation reads (:func:`validated_lines`) in a work store, and their count.

    They are read back from the sorted data file (relabelled and in the target graph already,
    identity links included), not parsed again from the source, and loaded by Oxigraph's bulk
    loader from the bytes, in chunks of 8 MB (the loader holds about five times its input in
    memory: 64 MB chunks took the import from 280 to 590 MB at 1M triples)."""
    store = ox.Store(str(work / "store")) if streamed.triples > DISK_STORE_FROM else ox.Store()
    kept = 0
    for chunk in validated_lines(streamed, 8 << 20):
        store.bulk_load(input=chunk, format=ox.RdfFormat.N_QUADS)
        kept += chunk.count(b"\n")
    return store, kept


#: the predicates of the quads validation reads whatever their subject (the N-Quads token)
_ALWAYS_READ = (f"<{RDF_TYPE}> ".encode(), f"<{EXACT_MATCH}> ".encode())
_TYPE_TOKEN = f"<{RDF_TYPE}>".encode()


def validated_lines(streamed: Streamed, size: int = 1 << 20) -> Iterator[bytes]:
    """The lines of the sorted data file that validation reads, in chunks of about ``size``
    bytes: all those of a targeted subject (:class:`Targeting`, or targeted as an object) or a
    blank node, and of the others their types and identity links.

    The file is as :func:`pass_one` wrote it and sorted (a subject's lines together, subject
    and predicate one N-Quads token each), so the test is on the bytes, without parsing."""
    rule, objects = streamed.targeting, streamed.targeted
    chunk: list[bytes] = []
    total = 0
    with streamed.data.open("rb") as handle:
        for subject, lines in _by_subject(handle):
            if not (
                subject.startswith(b"_:")
                or rule.targets(subject, lines)
                or (objects and subject.decode() in objects)
            ):
                lines = [li for li in lines if li.partition(b" ")[2].startswith(_ALWAYS_READ)]
            chunk += lines
            total += sum(len(line) for line in lines)
            if total >= size:
                yield b"".join(chunk)
                chunk, total = [], 0
    if chunk:
        yield b"".join(chunk)


def _by_subject(lines: Iterable[bytes]) -> Iterator[tuple[bytes, list[bytes]]]:
    """Sorted N-Quads lines, a subject's at a time."""
    current = b""
    group: list[bytes] = []
    for line in lines:
        subject = line[: line.index(b" ")]
        if subject != current:
            if group:
                yield current, group
            current, group = subject, []
        group.append(line)
    if group:
        yield current, group


def validated_quads(streamed: Streamed) -> Iterator[ox.Quad]:
    """The quads of :func:`validated_lines`, grouped by subject as the file is sorted. The
    batches read them this way: parsing the file costs a fourteenth of scanning an on-disk
    store."""
    for chunk in validated_lines(streamed):
        yield from ox.parse(input=chunk, format=ox.RdfFormat.N_QUADS)
