"""Deterministic synthetic data for the endpoint benchmark, in the project's vocabulary.

Writes N-Quads: the project graph (``--base``, e.g. the output of ``treatygraph build``)
copied unchanged, followed by a synthetic named graph
``https://w3id.org/treatygraph/graph/synthetic`` of persons, organisations, affiliations
and positions shaped like the article's (``tg:Person`` ``tg:affiliatedWith`` an
organisation, ``tg:Affiliation`` with ``tg:member``/``tg:organization``/``tg:roleLabel``,
``tg:Position`` with ``tg:holder``/``tg:option``/``tg:stance``/``tg:rationale``).
Synthetic positions point at the project's real ``tg:PolicyOption`` IRIs and some
synthetic persons work for the project's real organisations, so the benchmark queries
touch both parts. Same arguments, same bytes (``random.Random(seed)``).

About 15 triples per person: ``--persons 10000`` gives ~150k synthetic triples.

    python bench/synth.py --base /tmp/bench.nq --persons 10000 --out /tmp/bench-large.nq
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ID = "https://w3id.org/treatygraph/id/"
TG = "https://w3id.org/treatygraph/ontology#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
GRAPH = "<https://w3id.org/treatygraph/graph/synthetic>"

#: real IRIs from the project graph (see graph/); synthetic data links to them
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
FIRST = [
    "Ada",
    "Boris",
    "Chen",
    "Dana",
    "Elif",
    "Farid",
    "Greta",
    "Hiro",
    "Ines",
    "Jonas",
    "Kira",
    "Luis",
    "Mara",
    "Nikolai",
    "Olga",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Tara",
]
LAST = [
    "Abel",
    "Brandt",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ivanov",
    "Jensen",
    "Kowalski",
    "Larsen",
    "Moreau",
    "Novak",
    "Okafor",
    "Petrov",
    "Quinn",
    "Rossi",
    "Schmidt",
    "Tanaka",
]


def _iri(local: str) -> str:
    return f"<{ID}{local}>"


def _tg(local: str) -> str:
    return f"<{TG}{local}>"


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def generate(persons: int, orgs: int, seed: int) -> list[str]:
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
        pos = _iri(f"synth-position-{i}")
        option = rng.choice(OPTIONS)
        stance = rng.choice(STANCES)
        quad(pos, RDF_TYPE, _tg("Position"))
        quad(pos, LABEL, _lit(f"{name} {stance.lower()} {option[len('option-') :]}"))
        quad(pos, _tg("holder"), person)
        quad(pos, _tg("option"), _iri(option))
        quad(pos, _tg("stance"), _tg(stance))
        quad(pos, _tg("rationale"), _lit(f"Synthetic rationale {rng.randrange(10**6)}."))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", type=Path, help="N-Quads file copied first (project graph)")
    parser.add_argument("--persons", type=int, default=10_000)
    parser.add_argument("--orgs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
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
