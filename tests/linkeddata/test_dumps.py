"""Dumps (server and ``treatygraph export``): they parse back, with rdflib and with
pyoxigraph, to exactly what the endpoint serves, and they are conditional-GET friendly."""

from __future__ import annotations

import functools
import gzip
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient
from integration import conftest as scratch
from rdflib import Dataset, Graph, URIRef

from treatygraph import cli
from treatygraph.linkeddata import dumps

from .conftest import (
    GRAPH,
    canonical,
    canonical_ox,
    count_in_graph,
    graph_names,
    isomorphic,
    maybe_gunzip,
    media_type,
    parse_oxigraph,
    parse_rdflib,
    served_graph,
)

GRAPHS = ["vox-inf-article", "cfe-suspension-statement", "background", "ontology", "alignments"]
GRAPH_EXTS = {
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
}
DATASET_EXTS = {"nq": "application/n-quads", "trig": "application/trig"}
#: a scratch copy of the checkout per test, as the import tests make it
pristine, checkout, examples = scratch.pristine, scratch.checkout, scratch.examples


def _dump(client: FlaskClient, filename: str) -> tuple[bytes, str]:
    resp = client.get(f"/dumps/{filename}")
    assert resp.status_code == 200, (filename, resp.data[:200])
    return resp.data, resp.headers["Content-Type"]


@pytest.fixture(scope="module")
def served(client: FlaskClient) -> dict[str, Graph]:
    return {name: served_graph(client, GRAPH + name) for name in GRAPHS}


@pytest.fixture(scope="module")
def served_canonical(served: dict[str, Graph]) -> dict[str, set[object]]:
    """Each served graph canonicalised once, for the many dumps compared with it."""
    return {name: canonical(graph) for name, graph in served.items()}


def test_the_project_graphs_are_all_served(client: FlaskClient) -> None:
    assert graph_names(client) == sorted(GRAPH + n for n in GRAPHS)


@pytest.mark.parametrize("gz", ["", ".gz"])
@pytest.mark.parametrize("ext", list(GRAPH_EXTS))
@pytest.mark.parametrize("graph", GRAPHS)
def test_graph_dump_round_trip(
    client: FlaskClient,
    served: dict[str, Graph],
    served_canonical: dict[str, set[object]],
    graph: str,
    ext: str,
    gz: str,
) -> None:
    body, content_type = _dump(client, f"{graph}.{ext}{gz}")
    assert media_type(content_type) == ("application/gzip" if gz else GRAPH_EXTS[ext])
    data = maybe_gunzip(body, content_type)
    expected = served[graph]
    count = count_in_graph(client, GRAPH + graph)
    assert len(expected) == count  # the CONSTRUCT we compare with is the whole graph
    parsed = parse_rdflib(data, GRAPH_EXTS[ext], client)
    assert len(parsed) == count
    assert canonical(parsed) == served_canonical[graph]
    from_ox = canonical_ox(parse_oxigraph(data, GRAPH_EXTS[ext], client))
    assert len(from_ox) == count
    assert from_ox == served_canonical[graph]


@pytest.mark.parametrize("gz", ["", ".gz"])
@pytest.mark.parametrize("ext", list(DATASET_EXTS))
def test_dataset_dump_round_trip(
    client: FlaskClient, served_canonical: dict[str, set[object]], ext: str, gz: str
) -> None:
    body, content_type = _dump(client, f"treatygraph.{ext}{gz}")
    data = maybe_gunzip(body, content_type)
    parsed = parse_rdflib(data, DATASET_EXTS[ext], client)
    assert isinstance(parsed, Dataset)
    names = sorted(str(g.identifier) for g in parsed.graphs() if len(g))
    assert names == sorted(GRAPH + n for n in GRAPHS)
    quads = parse_oxigraph(data, DATASET_EXTS[ext], client)
    for name in GRAPHS:
        count = count_in_graph(client, GRAPH + name)
        from_rdflib = parsed.graph(URIRef(GRAPH + name))
        assert len(from_rdflib) == count
        assert canonical(from_rdflib) == served_canonical[name]
        mine = [
            q
            for q in quads
            if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value == GRAPH + name
        ]
        assert len(mine) == count
        assert canonical_ox(mine) == served_canonical[name]


def test_dumps_are_deterministic(client: FlaskClient, ld_app: object, nquads_path: Path) -> None:
    """A second app over the same data serves byte-identical dumps (so the same ETags)."""
    from treatygraph.store import EXECUTOR
    from treatygraph.web.app import create_app

    other = create_app({"DATA_FILES": [str(nquads_path)], "TESTING": True})
    try:
        second = other.test_client()
        for name in (
            "treatygraph.nq",
            "treatygraph.trig.gz",
            "ontology.ttl",
            "alignments.jsonld",
            "vox-inf-article.rdf",
        ):
            a, b = client.get(f"/dumps/{name}"), second.get(f"/dumps/{name}")
            assert a.data == b.data, name
            assert a.headers["ETag"] == b.headers["ETag"]
    finally:
        other.extensions[EXECUTOR].shutdown()


def test_dump_conditional_get(client: FlaskClient) -> None:
    first = client.get("/dumps/vox-inf-article.ttl")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag and modified
    assert (
        client.get("/dumps/vox-inf-article.ttl", headers={"If-None-Match": etag}).status_code == 304
    )
    not_modified = client.get("/dumps/vox-inf-article.ttl", headers={"If-Modified-Since": modified})
    assert not_modified.status_code == 304 and not_modified.data == b""
    changed = client.get("/dumps/vox-inf-article.ttl", headers={"If-None-Match": '"other"'})
    assert changed.status_code == 200 and changed.data == first.data
    old = client.get(
        "/dumps/vox-inf-article.ttl", headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}
    )
    assert old.status_code == 200


@pytest.mark.parametrize("name", ["treatygraph.nq", "treatygraph.trig.gz"])
def test_streamed_dump_validators_and_ranges(client: FlaskClient, name: str) -> None:
    """The dumps sent from disk keep the one ETag (a BLAKE2b-128 of the body), 304s, and
    answer a Range request with exactly those bytes."""
    import hashlib

    first = client.get(f"/dumps/{name}")
    body, etag = first.data, first.headers["ETag"]
    assert etag == '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
    assert int(first.headers["Content-Length"]) == len(body)
    assert client.get(f"/dumps/{name}", headers={"If-None-Match": etag}).status_code == 304
    since = {"If-Modified-Since": first.headers["Last-Modified"]}
    assert client.get(f"/dumps/{name}", headers=since).status_code == 304
    part = client.get(f"/dumps/{name}", headers={"Range": "bytes=10-29"})
    try:
        assert part.status_code == 206
        assert part.data == body[10:30]
        assert part.headers["Content-Range"] == f"bytes 10-29/{len(body)}"
    finally:
        part.close()  # as a WSGI server does at the end of a response


def test_dump_index_lists_every_file(client: FlaskClient) -> None:
    listed = json.loads(client.get("/dumps/index.json").data)["dumps"]
    names = {d["filename"] for d in listed}
    expected = {f"treatygraph.{e}{gz}" for e in DATASET_EXTS for gz in ("", ".gz")}
    expected |= {f"{g}.{e}{gz}" for g in GRAPHS for e in GRAPH_EXTS for gz in ("", ".gz")}
    assert names == expected
    html = client.get("/dumps/").data.decode()
    assert all(f'href="/dumps/{n}"' in html for n in expected)


def test_unknown_dump_is_404(client: FlaskClient) -> None:
    assert client.get("/dumps/article.xlsx").status_code == 404
    assert client.get("/dumps/shapes.ttl").status_code == 404


# -- treatygraph export -------------------------------------------------------------------------
@functools.cache
def _built(nquads_path: Path) -> Dataset:
    """The built N-Quads as a store holds them, read once (the tests only read it).

    An export is written from a store, as the server's dumps are, and Oxigraph keeps a
    literal's value, not its spelling: ``"500.0"^^xsd:decimal`` comes back as ``"500"``. So
    the expected data is the built file as pyoxigraph's store reads it back."""
    store = ox.Store()
    store.load(path=str(nquads_path), format=ox.RdfFormat.N_QUADS)
    ds = Dataset()
    ds.parse(data=store.dump(format=ox.RdfFormat.N_QUADS), format="nquads")
    return ds


def main(argv: list[str]) -> int:
    """``treatygraph ARGV`` as the console script runs it."""
    return cli.main(argv)


def test_export_is_a_cli_command() -> None:
    assert "export" in cli.COMMANDS
    assert cli.module_of("export") == "treatygraph.cli.export"


def _export(root: Path, nquads_path: Path, out: Path, *args: str) -> int:
    return main(
        ["--root", str(root), "export", "--input", str(nquads_path), "--out", str(out), *args]
    )


@pytest.mark.parametrize(
    "fmt,suffix,mtype",
    [
        ("ttl", "ttl", "text/turtle"),
        ("nt", "nt", "application/n-triples"),
        ("jsonld", "jsonld", "application/ld+json"),
        ("rdfxml", "rdf", "application/rdf+xml"),
    ],
)
@pytest.mark.parametrize("graph", GRAPHS)
def test_export_one_graph(
    root: Path, nquads_path: Path, tmp_path: Path, fmt: str, suffix: str, mtype: str, graph: str
) -> None:
    out = tmp_path / f"{graph}.{suffix}"
    assert (
        _export(
            root,
            nquads_path,
            out,
            "--format",
            fmt,
            "--graph",
            graph,
            "--context-url",
            "http://localhost/context.jsonld",
        )
        == 0
    )
    data = out.read_bytes()
    if mtype == "application/ld+json":
        from treatygraph.linkeddata.context import build_context

        doc = json.loads(data)
        assert doc["@context"] == "http://localhost/context.jsonld"
        ontology = list(ox.parse(path=str(nquads_path), format=ox.RdfFormat.N_QUADS))
        doc["@context"] = build_context(
            [q for q in ontology if str(q.graph_name) == f"<{GRAPH}ontology>"]
        )
        data = json.dumps(doc).encode()
    parsed = Graph().parse(
        data=data,
        format={
            "text/turtle": "turtle",
            "application/n-triples": "nt",
            "application/ld+json": "json-ld",
            "application/rdf+xml": "xml",
        }[mtype],
    )
    expected = _built(nquads_path).graph(URIRef(GRAPH + graph))
    assert len(parsed) == len(expected)
    assert isomorphic(parsed, expected)


@pytest.mark.parametrize("fmt", ["trig", "nquads"])
def test_export_whole_dataset_gzipped(
    root: Path, nquads_path: Path, tmp_path: Path, fmt: str
) -> None:
    by_flag = tmp_path / f"all.{fmt}"
    by_suffix = tmp_path / f"all.{fmt}.gz"
    assert _export(root, nquads_path, by_flag, "--format", fmt, "--gzip") == 0
    assert _export(root, nquads_path, by_suffix, "--format", fmt) == 0
    assert by_flag.read_bytes() == by_suffix.read_bytes()  # deterministic, gzip mtime 0
    ds = Dataset()
    ds.parse(
        data=gzip.decompress(by_flag.read_bytes()), format="trig" if fmt == "trig" else "nquads"
    )
    built = _built(nquads_path)
    for name in GRAPHS:
        assert isomorphic(ds.graph(URIRef(GRAPH + name)), built.graph(URIRef(GRAPH + name)))


@pytest.mark.parametrize(
    "name,args",
    [
        ("treatygraph.nq", ["--format", "nq"]),
        ("treatygraph.trig.gz", ["--format", "trig"]),
        ("background.ttl", ["--format", "ttl", "--graph", "background"]),
        ("vox-inf-article.rdf.gz", ["--format", "rdfxml", "--graph", "vox-inf-article"]),
        ("ontology.jsonld", ["--format", "jsonld", "--graph", "ontology"]),
    ],
)
def test_an_export_holds_the_servers_dump(
    client: FlaskClient, root: Path, nquads_path: Path, tmp_path: Path, name: str, args: list[str]
) -> None:
    """One way to write a dump: ``export`` writes what ``/dumps/`` offers, statement for
    statement and graph for graph. (Not byte for byte: the server's in-memory store and the
    export's on-disk one list statements in different orders.)"""
    context = client.get("/dumps/").request.host_url + "context.jsonld"
    out = tmp_path / name
    assert _export(root, nquads_path, out, *args, "--context-url", context) == 0
    exported = _statements(out.read_bytes(), name, client)
    assert len(exported) > 100
    assert exported == _statements(_dump(client, name)[0], name, client)


def _statements(body: bytes, name: str, client: FlaskClient) -> set[object]:
    """A dump's quads with canonical blank nodes (RDFC-1.0), graph names kept."""
    if name.endswith(".gz"):
        body, name = gzip.decompress(body), name[: -len(".gz")]
    ext = name.rsplit(".", 1)[1]
    dataset = ox.Dataset(parse_oxigraph(body, {**GRAPH_EXTS, **DATASET_EXTS}[ext], client))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return set(dataset)


def test_export_graph_by_iri_equals_by_name(root: Path, nquads_path: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a.nt", tmp_path / "b.nt"
    assert _export(root, nquads_path, a, "--format", "nt", "--graph", "background") == 0
    assert _export(root, nquads_path, b, "--format", "nt", "--graph", GRAPH + "background") == 0
    assert a.read_bytes() == b.read_bytes() and a.stat().st_size > 0


def test_export_errors(
    root: Path, nquads_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x"
    assert _export(root, nquads_path, out, "--format", "ttl") == 2
    assert "--graph" in capsys.readouterr().err
    assert _export(root, nquads_path, out, "--format", "csv") == 2
    assert "unknown RDF format" in capsys.readouterr().err
    assert _export(root, nquads_path, out, "--format", "ttl", "--graph", "shapes") == 2
    assert "no named graph 'shapes'" in capsys.readouterr().err
    assert not out.exists()


def test_export_reads_the_built_artifact_by_default(
    root: Path, nquads_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --input the command exports the artifact, which is current: nothing is built."""
    out = tmp_path / "onto.ttl"
    assert (
        main(["--root", str(root), "export", "-f", "turtle", "-g", "ontology", "-o", str(out)]) == 0
    )
    assert "building" not in capsys.readouterr().err
    assert isomorphic(Graph().parse(out), _built(nquads_path).graph(URIRef(GRAPH + "ontology")))


def test_dump_specs_cover_only_present_graphs() -> None:
    specs = dumps.dump_specs([GRAPH + "article"])
    assert {s.filename for s in specs if s.graph} == {
        f"article.{e}{gz}" for e in GRAPH_EXTS for gz in ("", ".gz")
    }


# -- scale: the whole-dataset dump streams in constant memory (issue 14) ----------------------
SCALE_GRAPHS = 4
SCALE_TRIPLES = 200_000  #: per graph: 50_000, each with a 100-character literal


def _scale_nquads(path: Path) -> None:
    """200k triples in 4 named graphs; no blank nodes, so nothing is held to canonicalise."""
    per = SCALE_TRIPLES // SCALE_GRAPHS
    with path.open("w", encoding="utf-8") as out:
        for g in range(SCALE_GRAPHS):
            for i in range(per):
                out.write(
                    f'<http://example.org/s{i}> <http://example.org/p{i % 7}> "{"x" * 90}{i:010d}"'
                    f" <http://example.org/g{g}> .\n"
                )


def _peaks(pid: int) -> dict[int, int]:
    """VmHWM (peak resident kB) of a process and its descendants."""
    import subprocess

    pids = [pid]
    out = subprocess.run(["pgrep", "-g", str(pid)], capture_output=True, text=True).stdout
    pids += [int(p) for p in out.split()]
    peaks = {}
    for p in set(pids):
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        line = next((x for x in status.splitlines() if x.startswith("VmHWM:")), None)
        if line:
            peaks[p] = int(line.split()[1])
    return peaks


def test_dataset_dump_streams_in_constant_memory(tmp_path: Path) -> None:
    """Downloading a 200k-triple N-Quads dump (about 30 MB) grows no server process's peak
    memory by more than a fraction of the dump, and the dump holds exactly what /sparql counts."""
    import urllib.parse
    import urllib.request

    from treatygraph.testing import LiveServer

    data = tmp_path / "scale.nq"
    _scale_nquads(data)
    with LiveServer(["--data", str(data), "--workers", "1"], tmp_path / "server.log") as live:
        before = _peaks(live.process.pid)
        counts: dict[str, int] = {}
        size = 0
        with urllib.request.urlopen(live.url + "/dumps/treatygraph.nq", timeout=120) as resp:
            assert resp.headers["ETag"]
            for line in resp:
                size += len(line)
                graph = line.rsplit(b" ", 2)[-2].decode()
                counts[graph] = counts.get(graph, 0) + 1
        after = _peaks(live.process.pid)
        query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        url = live.url + "/sparql?" + urllib.parse.urlencode({"query": query})
        request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(request, timeout=60) as resp:
            rows = json.load(resp)["results"]["bindings"]
    per = SCALE_TRIPLES // SCALE_GRAPHS
    expected = {f"<http://example.org/g{g}>": per for g in range(SCALE_GRAPHS)}
    assert counts == expected
    assert {f"<{r['g']['value']}>": int(r["n"]["value"]) for r in rows} == expected
    assert size > 25_000_000  # 200k lines of about 150 bytes
    growth_kb = max(after.get(p, 0) - kb for p, kb in before.items())
    assert growth_kb * 1024 < size / 4, (growth_kb, size, before, after)


#: run the command line, then print the process's peak resident kB (VmHWM) to stderr
PEAK_AFTER_MAIN = """import re, sys
from treatygraph.cli import main
code = main(sys.argv[1:])
print(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read())[1], file=sys.stderr)
sys.exit(code)
"""


def test_export_streams_through_a_store_on_disk(tmp_path: Path) -> None:
    """``treatygraph export`` of 200k triples (36 MB) peaks less than 4x the file above the
    export of one statement: 39 MB here, where the export that rendered in memory took 383 MB."""
    import subprocess
    import sys

    big, small = tmp_path / "scale.nq", tmp_path / "one.nq"
    _scale_nquads(big)
    small.write_bytes(big.read_bytes()[:200].split(b"\n")[0] + b"\n")

    def peak_kb(data: Path) -> int:
        """The export's own peak (VmHWM, read as it ends: the rusage of a child forked from
        this worker would count this worker's memory too)."""
        out = tmp_path / f"out-{data.name}"
        argv = ["export", "--input", str(data), "--format", "nq", "--out", str(out)]
        run = subprocess.run([sys.executable, "-c", PEAK_AFTER_MAIN, *argv], capture_output=True)
        assert run.returncode == 0, run.stderr
        assert out.read_bytes().count(b"\n") == data.read_bytes().count(b"\n")
        return int(run.stderr.split()[-1])

    growth_kb = peak_kb(big) - peak_kb(small)
    assert 0 < growth_kb * 1024 < 4 * big.stat().st_size, (growth_kb, big.stat().st_size)


def _dump_counts(url: str) -> dict[str, int]:
    """Quads per named graph in the live server's /dumps/treatygraph.nq, read as it streams."""
    import urllib.request

    counts: dict[str, int] = {}
    with urllib.request.urlopen(url + "/dumps/treatygraph.nq", timeout=60) as resp:
        for quad in ox.parse(resp, format=ox.RdfFormat.N_QUADS):
            if isinstance(quad.graph_name, ox.NamedNode):
                counts[quad.graph_name.value] = counts.get(quad.graph_name.value, 0) + 1
    return counts


def test_the_dataset_dump_follows_a_live_import(checkout: Path, examples: Path) -> None:
    """A dump written before an import is not served after it: the reload drops it with the
    cache, and the next dump holds the imported graph, as the files loaded by pyoxigraph do."""
    import subprocess
    import sys
    import time

    from treatygraph.testing import LiveServer

    partner = "https://w3id.org/treatygraph/graph/partner"
    with LiveServer(["--workers", "1"], checkout.parent / "serve.log", cwd=checkout) as live:
        assert partner not in _dump_counts(live.url)
        done = subprocess.run(
            [sys.executable, "-m", "treatygraph.cli", "--root", str(checkout), "import",
             str(examples / "partner.ttl"), "--graph", "partner", "--quiet"],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        deadline = time.monotonic() + 10
        while partner not in (after := _dump_counts(live.url)):
            assert time.monotonic() < deadline, live.log_tail()
            time.sleep(0.2)
    files = scratch.counts_per_graph(checkout)
    assert after == {g: n for g, n in files.items() if g is not None}
    assert after[partner] > 0
