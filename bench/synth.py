"""Deterministic synthetic data in the project's own vocabulary, for the benchmarks.

Two generators, both seeded (same arguments, same bytes):

* ``--triples N`` (the scale corpus, ``bench/scale.py``): a self-contained corpus that conforms
  to ``shapes/``. Documents (``tg:SourceDocument`` records with sha256 and body end, and their
  texts written beside the output so that every anchor is real: ``text[start:end] == exact``),
  anchors ``tgid:anchor-<doc>-<start>-<end>`` with ``oa:hasSource`` and quote + position
  selectors, people with affiliations, states, organisations, treaties, policy options,
  positions, claims, quotations, events, and W3C Data Cube ``qb:Observation``s (warhead-count
  shaped), with labels and altLabels for search. Written streaming as N-Triples (or N-Quads
  with ``--graph``) in constant memory: 10M triples take one pass and a few MB of RAM.
* ``--persons N`` (the endpoint benchmark, ``bench/run.py``): the project graph (``--base``)
  followed by persons, affiliations and positions on the project's real policy options. Its
  facts cite ``dcterms:source`` so that they, too, pass the shapes.

    python bench/synth.py --triples 1M --out /tmp/s.nt --texts /tmp/s-texts
    python bench/synth.py --base build/treatygraph.nq --persons 10000 --out /tmp/bench-large.nq
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path

from synth_corpus import Corpus, parse_size

ID = "https://w3id.org/treatygraph/id/"
TG = "https://w3id.org/treatygraph/ontology#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
SOURCE = "<http://purl.org/dc/terms/source>"
GRAPH = "<https://w3id.org/treatygraph/graph/synthetic>"
LEGACY_SOURCE = '"bench/synth.py: synthetic benchmark data"'

#: real IRIs from the project graph (see graph/); the --persons data links to them
OPTIONS = [
    "option-us-withdraws-from-inf-treaty",
    "option-us-acquires-ground-launched-cruise-missiles",
    "option-us-coerces-russia-into-inf-compliance",
    "option-us-leaves-iran-nuclear-deal",
    "option-us-pursues-arms-control-agreements",
    "option-extend-new-start",
    "option-us-acts-on-russian-inf-violation",
    "option-us-deploys-ground-launched-cruise-missiles-near-china",
    "option-us-deploys-longer-range-cruise-missiles-along-china-periphery",
    "option-us-enters-iran-nuclear-deal",
    "option-us-fields-sea-launched-nuclear-cruise-missiles",
]
REAL_ORGS = [
    "atlantic-council",
    "center-for-a-new-american-security",
    "hudson-institute",
    "kings-college-london",
    "mit",
    "white-house",
]
STANCES = ["Supports", "Opposes", "Mixed"]
ORG_TYPES = ["ThinkTank", "GovernmentBody", "University", "Organization"]
ROLES = [
    "nuclear expert",
    "arms control expert",
    "defense expert",
    "analyst",
    "adviser",
    "senior fellow",
    "professor",
    "official",
]
FIRST = "Ada Boris Chen Dana Elif Farid Greta Hiro Ines Jonas Kira Luis Mara Nikolai Olga".split()
FIRST += "Priya Quentin Rosa Sven Tara".split()
LAST = "Abel Brandt Costa Dubois Eriksen Fischer Garcia Haddad Ivanov Jensen Kowalski".split()
LAST += "Larsen Moreau Novak Okafor Petrov Quinn Rossi Schmidt Tanaka".split()


def _iri(local: str) -> str:
    return f"<{ID}{local}>"


def _tg(local: str) -> str:
    return f"<{TG}{local}>"


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def generate(persons: int, orgs: int, seed: int) -> list[str]:
    """The endpoint benchmark's graph: ~16 quads a person (the --persons mode)."""
    rng = random.Random(seed)
    lines: list[str] = []

    def quad(s: str, p: str, o: str) -> None:
        lines.append(f"{s} {p} {o} {GRAPH} .\n")

    org_iris = [_iri(o) for o in REAL_ORGS]
    for i in range(orgs):
        org = _iri(f"synth-org-{i}")
        org_iris.append(org)
        quad(org, RDF_TYPE, _tg(rng.choice(ORG_TYPES)))
        quad(org, LABEL, _lit(f"Synthetic Institute {i}"))
    for i in range(persons):
        person = _iri(f"synth-person-{i}")
        org = rng.choice(org_iris)
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}"
        role = rng.choice(ROLES)
        quad(person, RDF_TYPE, _tg("Person"))
        quad(person, LABEL, _lit(name))
        quad(person, _tg("affiliatedWith"), org)
        quad(person, _tg("description"), _lit(f"{role.capitalize()} (synthetic person {i})."))
        aff = _iri(f"synth-affiliation-{i}")
        quad(aff, RDF_TYPE, _tg("Affiliation"))
        quad(aff, LABEL, _lit(f"{name} affiliation"))
        quad(aff, _tg("member"), person)
        quad(aff, _tg("organization"), org)
        quad(aff, _tg("roleLabel"), _lit(role))
        quad(aff, SOURCE, LEGACY_SOURCE)
        pos = _iri(f"synth-position-{i}")
        option = rng.choice(OPTIONS)
        stance = rng.choice(STANCES)
        quad(pos, RDF_TYPE, _tg("Position"))
        quad(pos, LABEL, _lit(f"{name} {stance.lower()} {option[len('option-') :]}"))
        quad(pos, _tg("holder"), person)
        quad(pos, _tg("option"), _iri(option))
        quad(pos, _tg("stance"), _tg(stance))
        quad(pos, _tg("rationale"), _lit(f"Synthetic rationale {rng.randrange(10**6)}."))
        quad(pos, SOURCE, LEGACY_SOURCE)
    return lines


def write_corpus(
    target: int, out: Path, texts: Path | None, seed: int, graph: str | None
) -> tuple[int, int]:
    """Stream the scale corpus to ``out`` (texts to ``texts``, counts to ``out.stats.json``)."""
    corpus = Corpus(target, seed)
    suffix = f" <{graph}> .\n" if graph else " .\n"
    if texts is not None:
        texts.mkdir(parents=True, exist_ok=True)
    count = 0
    with out.open("w", encoding="utf-8", newline="\n") as handle:
        lines: Iterator[str] = corpus.triples()
        batch: list[str] = []
        for line in lines:
            batch.append(line + suffix)
            if len(batch) >= 10_000:
                handle.writelines(batch)
                count += len(batch)
                batch.clear()
            for document in corpus.take_documents():
                if texts is not None:
                    _write_text(texts, document.slug, document.text, document.body_end)
        handle.writelines(batch)
        count += len(batch)
    for document in corpus.take_documents():
        if texts is not None:
            _write_text(texts, document.slug, document.text, document.body_end)
    stats = {
        "triples": count,
        "documents": corpus.documents,
        "persons": corpus.persons,
        "observations": corpus.observations,
        "states": corpus.states,
        "organisations": corpus.orgs,
        "agreements": corpus.agreements,
        "options": corpus.options,
        **{f"{kind}s": n for kind, n in corpus.counts.items()},
    }
    stats_path = out.with_name(out.name + ".stats.json")
    stats_path.write_text(json.dumps(stats, indent=1) + "\n", encoding="utf-8")
    return count, corpus.documents


def _write_text(folder: Path, slug: str, text: str, body_end: int) -> None:
    """The text and its metadata, in the layout of ``shared/sources/*.txt`` + ``.json``."""
    raw = text.encode("utf-8")
    (folder / f"{slug}.txt").write_bytes(raw)
    meta = {
        "file": f"{slug}.txt",
        "sha256": hashlib.sha256(raw).hexdigest(),
        "encoding": "utf-8",
        "characters": len(text),
        "bytes": len(raw),
        "article_body_ends_at_char": body_end,
        "offsets": "Character offsets count Unicode code points of the decoded text.",
    }
    (folder / f"{slug}.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--triples", type=parse_size, help="scale corpus of about N triples (10k, 1M, 10M, ...)"
    )
    parser.add_argument("--texts", type=Path, help="folder for the documents' texts (--triples)")
    parser.add_argument("--graph", help="write N-Quads in this graph IRI instead of N-Triples")
    parser.add_argument("--base", type=Path, help="N-Quads file copied first (--persons)")
    parser.add_argument("--persons", type=int, default=10_000)
    parser.add_argument("--orgs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.triples:
        count, documents = write_corpus(args.triples, args.out, args.texts, args.seed, args.graph)
        print(f"wrote {args.out}: {count} triples, {documents} documents", file=sys.stderr)
        return 0
    lines = generate(args.persons, args.orgs, args.seed)
    with args.out.open("w", encoding="utf-8") as out:
        if args.base:
            out.write(args.base.read_text(encoding="utf-8"))
        out.writelines(lines)
    print(
        f"wrote {args.out}: {len(lines)} synthetic quads"
        + (f" + {args.base}" if args.base else ""),
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
