"""The scale corpus of ``bench/synth.py --triples N``: documents whose texts make every anchor real.

Shared pools (states, organisations, publishers, treaties, policy options, the Data Cube
structure) are sized from N and written first; then document after document until N triples
are reached. Each document is a text with its record and the facts read from it: four new
people (each anchored on the first mention of the name) with their affiliations, an event,
three positions, three claims and three quotations, each anchored on its own sentence; and
four statistical observations. Nothing but counters is kept between documents, so memory is
constant in N. Offsets count code points; names and quotes use non-ASCII letters on purpose.
"""

from __future__ import annotations

import datetime
import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass

ID = "https://w3id.org/treatygraph/id/"
TG = "https://w3id.org/treatygraph/ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OA = "http://www.w3.org/ns/oa#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "https://schema.org/"
QB = "http://purl.org/linked-data/cube#"
SDMX_DIM = "http://purl.org/linked-data/sdmx/2009/dimension#"
SDMX_MEASURE = "http://purl.org/linked-data/sdmx/2009/measure#"

#: the document record's body end (code points); the term the corpus work settles on goes here
BODY_END = TG + "bodyEnd"
CONTEXT = 32  # characters of oa:prefix / oa:suffix, as `treatygraph anchor` writes them
SOURCE_URL = "https://example.org/synthetic/"
YEARS = (1900, 2025)

FIRST = "Ada Boris Chen Dana Elif Farid Greta Hiro Inès Jonas Kira Luis Mara Nikolai Olga".split()
FIRST += "Priya Quentin Rosa Sven Tara Zoë José Łucja Ümit Björn Aiko Omar Leila Ivan Noor".split()
LAST = "Abel Brandt Costa Dubois Eriksen Fischer García Haddad Ivanov Jensen Kowalski".split()
LAST += "Larsen Moreau Novak Okafor Petrov Quinn Rossi Schmidt Tanaka Müller Núñez Øberg".split()
LAST += "Yilmaz Sato Mensah Park Silva Horváth Lindqvist".split()
SYLLABLES = "val or ia mar kes tan dor lin bra vos ter ul nev ast ron ka mi sel por en".split()
ROLES = "analyst|adviser|senior fellow|professor|official|arms control expert".split("|")
ORG_KINDS = [
    ("ThinkTank", "Institute for Strategic Studies"),
    ("University", "University"),
    ("GovernmentBody", "Ministry of Defence"),
    ("Organization", "Arms Control Association"),
]
EVENTS = [
    ("Statement", "spoke about"),
    ("Meeting", "met officials on"),
    ("Announcement", "announced a review of"),
]
STANCES = [("Supports", "supports"), ("Opposes", "opposes"), ("Mixed", "has mixed views on")]
CLAIM_TYPES = [
    ("ViolationClaim", "has violated"),
    ("Denial", "has not violated"),
    ("ThreatAssessment", "threatens"),
    ("Prediction", "will soon leave"),
    ("Assessment", "still complies with"),
]
SERIES = ["deployed strategic", "deployed non-strategic", "reserve", "retired"]
#: the warhead category of each series (tgsh:Observation-warheadCategory's list)
CATEGORIES = [
    "DeployedStrategicWarheads",
    "DeployedNonStrategicWarheads",
    "ReserveWarheads",
    "RetiredWarheads",
]
UNIT_NUM = "http://qudt.org/vocab/unit/NUM"
LICENSE = "https://creativecommons.org/publicdomain/zero/1.0/"


def parse_size(text: str) -> int:
    """``10k``, ``1M``, ``2.5M`` or a plain integer."""
    text = text.strip().lower().replace("_", "")
    scale = {"k": 1_000, "m": 1_000_000, "g": 1_000_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


def iri(local: str) -> str:
    return f"<{ID}{local}>"


def lit(text: str, datatype: str | None = None) -> str:
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{body}"^^<{datatype}>' if datatype else f'"{body}"'


def word(n: int) -> str:
    """A pronounceable, unique capitalised name for the number ``n``."""
    parts = []
    n += len(SYLLABLES)  # at least two syllables
    while n:
        n, r = divmod(n, len(SYLLABLES))
        parts.append(SYLLABLES[r])
    return "".join(parts).capitalize()


@dataclass
class Document:
    slug: str
    text: str
    body_end: int


class Text:
    """A text built sentence by sentence; ``add`` returns code-point spans."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0

    def add(self, sentence: str) -> tuple[int, int]:
        start = self.length
        self.parts.append(sentence)
        self.length += len(sentence)
        return start, self.length

    def value(self) -> str:
        return "".join(self.parts)


class Corpus:
    """Streams ``s p o`` lines (no terminator) until about ``target`` triples."""

    def __init__(self, target: int, seed: int) -> None:
        self.target = target
        self.rng = random.Random(seed)
        clamp = lambda x, lo, hi: max(lo, min(hi, x))  # noqa: E731
        self.states = clamp(target // 5_000, 10, 195)
        self.orgs = clamp(target // 2_500, 8, 4_000)
        self.publishers = clamp(target // 100_000, 3, 100)
        self.agreements = clamp(target // 200_000, 3, 60)
        self.options = clamp(target // 50_000, 6, 200)
        self.count = 0
        self.documents = 0
        self.persons = 0
        self.observations = 0
        self.counts = {k: 0 for k in ("position", "claim", "quotation", "event")}
        self._ready: list[Document] = []

    def take_documents(self) -> list[Document]:
        ready, self._ready = self._ready, []
        return ready

    def triples(self) -> Iterator[str]:
        for line in self._pools():
            self.count += 1
            yield line
        while self.count < self.target:
            for line in self._document():
                self.count += 1
                yield line

    # -- shared pools ------------------------------------------------------------------------
    def state_label(self, i: int) -> str:
        return f"Republic of {word(i)}"

    def org_label(self, i: int) -> str:
        return f"{word(i + 500)} {ORG_KINDS[i % len(ORG_KINDS)][1]}"

    def agreement_label(self, i: int) -> str:
        return f"{word(i + 900)} Treaty on Intermediate-Range Forces"

    def option_label(self, i: int) -> str:
        state, agreement = self.option_parts(i)
        verbs = ["withdraws from", "extends", "renegotiates", "ratifies"]
        return f"{self.state_label(state)} {verbs[i % 4]} the {self.agreement_label(agreement)}"

    def option_parts(self, i: int) -> tuple[int, int]:
        return i % self.states, i % self.agreements

    def _pools(self) -> Iterator[str]:
        t = self._t
        for i in range(self.states):
            s = iri(f"synth-state-{i}")
            code = "".join(chr(65 + (i // 26**k) % 26) for k in (2, 1, 0))
            yield from t(s, RDF + "type", f"<{TG}State>")
            yield from t(s, RDFS + "label", lit(self.state_label(i)))
            yield from t(s, SKOS + "altLabel", lit(word(i)))
            yield from t(s, SKOS + "altLabel", lit(f"X{code}"))
        for i in range(self.orgs):
            o = iri(f"synth-org-{i}")
            label = self.org_label(i)
            yield from t(o, RDF + "type", f"<{TG}{ORG_KINDS[i % len(ORG_KINDS)][0]}>")
            yield from t(o, RDFS + "label", lit(label))
            yield from t(o, SKOS + "altLabel", lit("".join(w[0] for w in label.split()).upper()))
        for i in range(self.publishers):
            p = iri(f"synth-publisher-{i}")
            yield from t(p, RDF + "type", f"<{TG}NewsOrganization>")
            yield from t(p, RDFS + "label", lit(f"The {word(i + 700)} Ledger"))
        for i in range(self.agreements):
            a = iri(f"synth-treaty-{i}")
            yield from t(a, RDF + "type", f"<{TG}Treaty>")
            yield from t(a, RDFS + "label", lit(self.agreement_label(i)))
            yield from t(a, SKOS + "altLabel", lit(f"{word(i + 900)[:3].upper()} Treaty"))
            yield from t(a, TG + "party", iri(f"synth-state-{i % self.states}"))
            yield from t(a, TG + "party", iri(f"synth-state-{(i + 1) % self.states}"))
            yield from t(a, TG + "dateSigned", lit(str(1960 + i % 60), XSD + "gYear"))
        for i in range(self.options):
            o = iri(f"synth-option-{i}")
            state, agreement = self.option_parts(i)
            yield from t(o, RDF + "type", f"<{TG}PolicyOption>")
            yield from t(o, RDFS + "label", lit(self.option_label(i)))
            yield from t(o, TG + "actingAgent", iri(f"synth-state-{state}"))
            yield from t(o, TG + "concernsAgreement", iri(f"synth-treaty-{agreement}"))
        dsd = iri("synth-warheads-structure")
        yield from t(dsd, RDF + "type", f"<{QB}DataStructureDefinition>")
        yield from t(dsd, RDFS + "label", lit("Synthetic warhead estimates: structure"))
        for n, (kind, prop) in enumerate(
            [("dimension", SDMX_DIM + "refArea"), ("dimension", SDMX_DIM + "refPeriod")]
            + [("measure", SDMX_MEASURE + "obsValue")]
        ):
            c = iri(f"synth-warheads-structure-component-{n}")
            yield from t(dsd, QB + "component", c)
            yield from t(c, QB + kind, f"<{prop}>")
            yield from t(c, QB + "order", lit(str(n + 1), XSD + "integer"))

    def _t(self, s: str, p: str, o: str) -> Iterator[str]:
        yield f"{s} <{p}> {o}"

    # -- one document ----------------------------------------------------------------------
    def _document(self) -> Iterator[str]:
        rng, t, d = self.rng, self._t, self.documents
        self.documents += 1
        slug = f"synth-doc-{d}"
        doc = iri(slug)
        issued = datetime.date(1985, 1, 1) + datetime.timedelta(days=rng.randrange(40 * 365))
        option = rng.randrange(self.options)
        title = f"Experts weigh whether the {self.option_label(option)}"
        text = Text()
        text.add(f"{title}\n\n")
        facts: list[str] = []
        anchors: list[tuple[str, int, int]] = []

        def anchor(span: tuple[int, int]) -> str:
            local = f"anchor-{slug}-{span[0]}-{span[1]}"
            anchors.append((local, *span))
            return iri(local)

        people = []
        for _ in range(4):
            p = self.persons
            self.persons += 1
            first, last = rng.choice(FIRST), rng.choice(LAST)
            name = f"{first} {chr(65 + p % 26)}. {last}"
            org, role = rng.randrange(self.orgs), rng.choice(ROLES)
            start, end = text.add(f"{name}, {role} at the {self.org_label(org)}, ")
            said = text.add("followed the talks closely. ")
            person, aff = iri(f"synth-person-{p}"), iri(f"synth-affiliation-{p}")
            people.append((person, name))
            facts += t(person, RDF + "type", f"<{TG}Person>")
            facts += t(person, RDFS + "label", lit(name))
            facts += t(person, SKOS + "altLabel", lit(f"{last}, {first}"))
            facts += t(person, TG + "description", lit(f"{role.capitalize()}, synthetic."))
            facts += t(person, TG + "affiliatedWith", iri(f"synth-org-{org}"))
            facts += t(person, TG + "anchor", anchor((start, start + len(name))))
            facts += t(aff, RDF + "type", f"<{TG}Affiliation>")
            facts += t(aff, RDFS + "label", lit(f"{name}, {role}"))
            facts += t(aff, TG + "member", person)
            facts += t(aff, TG + "organization", iri(f"synth-org-{org}"))
            facts += t(aff, TG + "roleLabel", lit(role))
            facts += t(aff, TG + "anchor", anchor((start, said[1] - 1)))
        text.add("\n")
        ev = iri(f"synth-event-{self.counts['event']}")
        self.counts["event"] += 1
        kind, phrase = EVENTS[d % len(EVENTS)]
        when = issued - datetime.timedelta(days=rng.randrange(1, 30))
        host, host_name = people[0]
        span = text.add(f"On {when.isoformat()}, {host_name} {phrase} the treaty.")
        text.add(" ")
        facts += t(ev, RDF + "type", f"<{TG}{kind}>")
        facts += t(ev, RDFS + "label", lit(f"{host_name} {phrase} the treaty ({when})"))
        facts += t(ev, TG + "agent", host)
        facts += t(ev, TG + "date", lit(when.isoformat(), XSD + "date"))
        facts += t(ev, TG + "anchor", anchor(span))
        for _ in range(3):
            pos = iri(f"synth-position-{self.counts['position']}")
            self.counts["position"] += 1
            holder, holder_name = rng.choice(people)
            stance, verb = rng.choice(STANCES)
            opt = rng.choice((option, rng.randrange(self.options)))
            reason = f"the {rng.choice(['verification', 'deterrence', 'cost', 'alliance'])} case"
            span = text.add(f"{holder_name} {verb} the idea that the {self.option_label(opt)}")
            text.add(f", citing {reason}. ")
            facts += t(pos, RDF + "type", f"<{TG}Position>")
            facts += t(pos, RDFS + "label", lit(f"{holder_name} {verb} option {opt}"))
            facts += t(pos, TG + "holder", holder)
            facts += t(pos, TG + "option", iri(f"synth-option-{opt}"))
            facts += t(pos, TG + "stance", f"<{TG}{stance}>")
            facts += t(pos, TG + "rationale", lit(f"Cites {reason}."))
            facts += t(pos, TG + "anchor", anchor(span))
        text.add("\n")
        for _ in range(3):
            claim = iri(f"synth-claim-{self.counts['claim']}")
            self.counts["claim"] += 1
            claimant, claimant_name = rng.choice(people)
            ctype, verb = rng.choice(CLAIM_TYPES)
            state, agreement = rng.randrange(self.states), rng.randrange(self.agreements)
            claimed = f"the {self.state_label(state)} {verb} the {self.agreement_label(agreement)}"
            span = text.add(f"{claimant_name} said that {claimed}.")
            text.add(" ")
            facts += t(claim, RDF + "type", f"<{TG}Claim>")
            facts += t(claim, RDFS + "label", lit(f"{claimant_name}: {claimed}"))
            facts += t(claim, TG + "claimant", claimant)
            facts += t(claim, TG + "claimText", lit(claimed[0].upper() + claimed[1:] + "."))
            facts += t(claim, TG + "claimType", f"<{TG}{ctype}>")
            facts += t(claim, TG + "date", lit(issued.isoformat(), XSD + "date"))
            facts += t(claim, TG + "anchor", anchor(span))
        text.add("\n")
        for _ in range(3):
            quote = iri(f"synth-quotation-{self.counts['quotation']}")
            self.counts["quotation"] += 1
            speaker, speaker_name = rng.choice(people)
            words = f"We cannot verify what we cannot see — series {rng.randrange(10**6)}"
            text.add("“")
            span = text.add(words)
            text.add(f",” {speaker_name} said. ")
            facts += t(quote, RDF + "type", f"<{TG}Quotation>")
            facts += t(quote, RDFS + "label", lit(f"{speaker_name} on verification"))
            facts += t(quote, TG + "quotedText", lit(words))
            facts += t(quote, TG + "speaker", speaker)
            facts += t(quote, TG + "occasion", ev)
            facts += t(quote, TG + "date", lit(when.isoformat(), XSD + "date"))
            facts += t(quote, TG + "anchor", anchor(span))
        text.add("\n")
        body_end = text.length
        text.add(f"Most Popular\nRelated synthetic story {d + 1}\nRelated story {d + 2}\n")
        body = text.value()
        raw = body.encode("utf-8")
        yield from t(doc, RDF + "type", f"<{TG}SourceDocument>")
        yield from t(doc, RDFS + "label", lit(f"Synthetic document {d} ({issued})"))
        yield from t(doc, DCT + "title", lit(title))
        yield from t(doc, SCHEMA + "url", f"<{SOURCE_URL}doc/{d}>")
        yield from t(doc, DCT + "publisher", iri(f"synth-publisher-{d % self.publishers}"))
        yield from t(doc, DCT + "issued", lit(issued.isoformat(), XSD + "date"))
        yield from t(doc, DCT + "language", lit("en"))
        yield from t(doc, TG + "sha256", lit(hashlib.sha256(raw).hexdigest()))
        yield from t(doc, DCT + "rights", lit("Synthetic text, free to redistribute"))
        yield from t(doc, TG + "redistributable", lit("false", XSD + "boolean"))
        yield from t(doc, TG + "textFile", lit(f"{slug}.txt"))
        yield from t(doc, BODY_END, lit(str(body_end), XSD + "nonNegativeInteger"))
        for local, start, end in anchors:
            yield from self._anchor(local, doc, body, start, end)
        yield from facts
        yield from self._observations(4)
        self._ready.append(Document(slug, body, body_end))

    def _anchor(self, local: str, doc: str, body: str, start: int, end: int) -> Iterator[str]:
        t, a, q, p = self._t, iri(local), iri(f"{local}-quote"), iri(f"{local}-position")
        offset = XSD + "nonNegativeInteger"
        yield from t(a, RDF + "type", f"<{TG}SourceAnchor>")
        yield from t(a, OA + "hasSource", doc)
        yield from t(a, OA + "hasSelector", q)
        yield from t(a, OA + "hasSelector", p)
        yield from t(q, RDF + "type", f"<{OA}TextQuoteSelector>")
        yield from t(q, OA + "exact", lit(body[start:end]))
        yield from t(q, OA + "prefix", lit(body[max(0, start - CONTEXT) : start]))
        yield from t(q, OA + "suffix", lit(body[end : end + CONTEXT]))
        yield from t(p, RDF + "type", f"<{OA}TextPositionSelector>")
        yield from t(p, OA + "start", lit(str(start), offset))
        yield from t(p, OA + "end", lit(str(end), offset))

    def _observations(self, n: int) -> Iterator[str]:
        """Warhead-count shaped observations: unique (state, year) within each series."""
        t = self._t
        per_series = self.states * (YEARS[1] - YEARS[0] + 1)
        for _ in range(n):
            o = self.observations
            self.observations += 1
            series, cell = divmod(o, per_series)
            year_index, state = divmod(cell, self.states)
            year = YEARS[0] + year_index
            ds = iri(f"synth-warheads-{series}")
            if cell == 0:
                label = f"Synthetic {SERIES[series % len(SERIES)]} warhead estimates, set {series}"
                yield from t(ds, RDF + "type", f"<{QB}DataSet>")
                yield from t(ds, RDFS + "label", lit(label))
                yield from t(ds, QB + "structure", iri("synth-warheads-structure"))
                yield from t(ds, DCT + "source", f"<{SOURCE_URL}warheads-{series}.csv>")
                yield from t(ds, DCT + "license", f"<{LICENSE}>")
            obs = iri(f"synth-warheads-{series}-{state}-{year}")
            csv = f"{SOURCE_URL}warheads-{series}.csv"
            yield from t(obs, RDF + "type", f"<{QB}Observation>")
            yield from t(obs, QB + "dataSet", ds)
            yield from t(obs, TG + "refState", iri(f"synth-state-{state}"))
            yield from t(obs, TG + "refYear", lit(str(year), XSD + "gYear"))
            yield from t(obs, TG + "warheadCategory", f"<{TG}{CATEGORIES[series % len(SERIES)]}>")
            value = str((state * 37 + year * 11 + series) % 6000)
            yield from t(obs, TG + "warheads", lit(value, XSD + "integer"))
            yield from t(obs, TG + "unitOfMeasure", f"<{UNIT_NUM}>")
            yield from t(obs, TG + "estimateSource", f"<{csv}>")
            yield from t(obs, TG + "estimateLicense", f"<{LICENSE}>")
            yield from t(obs, TG + "estimatedBy", iri(f"synth-org-{series % self.orgs}"))
            label = f"{self.state_label(state)}, {year}, set {series}"
            yield from t(obs, RDFS + "label", lit(label))
            yield from t(obs, DCT + "source", f"<{csv}>")
            yield from t(obs, PROV + "wasDerivedFrom", f"<{csv}#row={cell + 2}>")
