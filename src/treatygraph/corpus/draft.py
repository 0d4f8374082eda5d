"""``treatygraph draft SLUG``: a draft of a registered document's facts, for a person to review.

The draft (``graph/<slug>/draft.ttl``, with a draft ``mentions.tsv`` beside it) proposes every
direct quotation with a speaker from the attribution nearby, every proper name matched to the
graph's entities or listed as a new-entity candidate, and every date phrase resolved against the
document's publication date, each anchored with offsets. Its first line marks it as a draft,
and the build refuses any file so marked: a person reviews every fact, then deletes that line.

``treatygraph draft --evaluate`` drafts each curated document against the rest of the graph and
prints precision and recall against what was curated (:mod:`treatygraph.corpus.evaluation`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from rdflib import URIRef
from rdflib.namespace import RDFS, SKOS

from treatygraph.corpus.anchors import AnchorBlock, escape, render
from treatygraph.corpus.documents import Document, DocumentText, is_document, is_record
from treatygraph.corpus.evaluation import Score, score_dates, score_mentions, score_quotes
from treatygraph.corpus.mentions import MENTIONS_FILE, read_mentions
from treatygraph.corpus.project import DRAFT_MARKER, Project, load_graph, read_all
from treatygraph.corpus.proposals import (
    DateProposal,
    MentionProposal,
    Names,
    QuoteProposal,
    propose_dates,
    propose_mentions,
    propose_quotes,
    sentence_bounds,
)
from treatygraph.errors import InputError
from treatygraph.rdf.iris import slug_of

DRAFT_FILE = "draft.ttl"
#: Slug prefixes of fact nodes (docs/graph.md), whose labels are sentences, not names.
FACT_PREFIXES = (
    "event-", "claim-", "position-", "quote-", "tenure-", "affiliation-", "status-",
    "quantity-", "option-", "link-", "anchor-", "range-band-",
)  # fmt: skip
PREFIXES = """@prefix tg:    <https://w3id.org/treatygraph/ontology#> .
@prefix tgid:  <https://w3id.org/treatygraph/id/> .
@prefix oa:    <http://www.w3.org/ns/oa#> .
@prefix xsd:   <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs:  <http://www.w3.org/2000/01/rdf-schema#> .
"""


class DraftError(InputError):
    """A draft that cannot be written: unknown document, missing text, a file in the way."""


@dataclass
class Draft:
    """Everything proposed for one document."""

    document: Document
    text: DocumentText
    quotes: list[QuoteProposal]
    mentions: list[MentionProposal]
    dates: list[DateProposal]


def known_names(project: Project, document: Document) -> dict[str, str]:
    """Labels and altLabels of the resources of every document's graph and the background,
    leaving out the document's own facts (its record stays: its publisher and author are known)."""
    files = [
        path
        for name in [*project.document_names(), "background"]
        for path in project.graph_files(name)
        if name != document.slug or is_record(path)
    ]
    data = read_all(files)
    names: dict[str, str] = {}
    for predicate in (SKOS.altLabel, RDFS.label):
        for subject, label in data.subject_objects(predicate):
            slug = slug_of(str(subject)) if isinstance(subject, URIRef) else None
            if slug and not slug.startswith(FACT_PREFIXES) and not is_document(data, subject):
                names[str(label)] = slug
    return names


def make_draft(project: Project, slug: str) -> Draft:
    registry = project.registry()
    document = registry.get(slug)
    if document is None:
        known = ", ".join(d.slug for d in registry) or "none"
        raise DraftError(f"no registered document {slug!r} (registered: {known})")
    text = registry.text(document)
    if text is None:
        places = " or ".join(str(p) for p in registry.text_locations(document))
        raise DraftError(f"the text of tgid:{slug} is not at {places}")
    names = Names(known_names(project, document))
    return Draft(
        document,
        text,
        propose_quotes(text, names),
        propose_mentions(text, names),
        propose_dates(text, document.issued, document.language),
    )


def _anchor(text: DocumentText, start: int, end: int) -> str:
    block = AnchorBlock(Path(DRAFT_FILE), 0, (0, 0), text.text[start:end])
    return render(block, text, start, end)


def _date_lines(date: DateProposal) -> list[str]:
    return [
        f'    tg:date "{date.value}"^^xsd:{date.datatype} ;',
        f'    tg:datePhrase "{escape(date.phrase)}" ;',
        f"    tg:dateBasis tg:{date.basis} ;",
    ]


def render_draft(draft: Draft) -> str:
    """The draft source file: quotations, dated events and new-entity stubs, all anchored."""
    text, slug = draft.text, draft.document.slug
    today = dt.date.today().isoformat()
    out = [
        f"{DRAFT_MARKER} written by `treatygraph draft {slug}` on {today}: never built until "
        "reviewed; check every fact, then delete this line.",
        PREFIXES,
    ]
    dated: dict[int, DateProposal] = {}
    for quote in draft.quotes:
        left, right = sentence_bounds(text.body, quote.start, quote.end, len(text.body))
        for date in draft.dates:
            if left <= date.start < right and id(date) not in {id(d) for d in dated.values()}:
                dated[quote.start] = date
                break
    stubs: dict[str, tuple[str, int, int]] = {}
    for mention in draft.mentions:
        if mention.kind == "new" and mention.slug:
            stubs.setdefault(mention.slug, (mention.surface, mention.start, mention.end))
    out.append(f"# ---- Quotations ({len(draft.quotes)}): speakers proposed from the attribution")
    for n, quote in enumerate(draft.quotes, start=1):
        speaker = quote.speaker
        if speaker is not None and quote.basis.endswith("(a new entity)") and quote.who:
            at = text.body.find(quote.who)
            span = (at, at + len(quote.who)) if at >= 0 else (quote.start, quote.end)
            stubs.setdefault(speaker, (quote.who, *span))
        if speaker is None:
            speaker = slug_of(draft.document.creator or "") or "speaker-unknown"
            basis = "no attribution nearby: the document's author"
        else:
            basis = f"from {quote.who!r}, {quote.basis}"
        words = " ".join(quote.text.split()[:8])
        out += [
            "",
            f"tgid:quote-{slug}-{n} a tg:Quotation ;",
            f'    rdfs:label "{escape(words)}" ;',
            f'    tg:quotedText "{escape(quote.text)}" ;',
            f"    tg:speaker tgid:{speaker} ;  # proposed {basis}",
        ]
        if quote.start in dated:
            out += _date_lines(dated[quote.start])
        out.append(f"    tg:anchor {_anchor(text, quote.start, quote.end)} .")
    rest = [d for d in draft.dates if d not in dated.values()]
    out += ["", f"# ---- Date phrases ({len(rest)}) not in a quotation's sentence, resolved "
            f"against {draft.document.issued.isoformat()}: say what happened, or attach the date "
            "to the fact it dates"]  # fmt: skip
    for n, date in enumerate(rest, start=1):
        left, right = sentence_bounds(text.body, date.start, date.end, len(text.body))
        out += [
            "",
            f"tgid:event-{slug}-{n} a tg:Event ;",
            f'    rdfs:label "TODO: what happened {escape(date.phrase)}" ;',
            *_date_lines(date),
            f"    tg:anchor {_anchor(text, left, right)} .",
        ]
    out += ["", f"# ---- New-entity candidates ({len(stubs)}): no label or altLabel matched; "
            "choose each one's class (tg:Person, tg:State, tg:Organization, tg:Place, ...), "
            "link it to an existing resource instead, or delete it"]  # fmt: skip
    for stub, (label, start, end) in stubs.items():
        out += [
            "",
            f"tgid:{stub} a tg:Agent ;",
            f'    rdfs:label "{escape(label)}" ;',
            f"    tg:anchor {_anchor(text, start, end)} .",
        ]
    return "\n".join(out) + "\n"


def render_mentions(draft: Draft) -> str:
    """The draft mentions file: one line per surface, linked, near miss, new or ignored."""
    lines = [
        f"{DRAFT_MARKER} written by `treatygraph draft {draft.document.slug}`: check each line "
        "(near misses and new entities above all), then delete this line.",
        "surface\tresource\treason",
    ]
    seen = set()
    for mention in draft.mentions:
        if mention.surface in seen:
            continue
        seen.add(mention.surface)
        resource = mention.slug if mention.kind != "ignored" and mention.slug else "-"
        reason = {
            "label": "",
            "near miss": f"NEAR MISS: {mention.reason}",
            "new": "NEW ENTITY CANDIDATE: define it in the draft or ignore it",
            "ignored": mention.reason,
        }[mention.kind]
        lines.append(f"{mention.surface}\t{resource}\t{reason}")
    return "\n".join(lines) + "\n"


def evaluate(project: Project, slugs: list[str]) -> list[tuple[str, Score, Score, Score, Score]]:
    """(slug, quotations, speakers, mentions, dates) for each curated document."""
    rows = []
    registry = project.registry()
    for slug in slugs or [d.slug for d in registry]:
        draft = make_draft(project, slug)
        graph = load_graph(project, slug)
        quotes, speakers = score_quotes(draft.quotes, graph)
        names = set(known_names(project, draft.document).values())
        curated = read_mentions(draft.document.folder / MENTIONS_FILE)
        mentions = score_mentions(draft.mentions, draft.text.body, curated, names)
        dates = score_dates(draft.dates, graph, draft.text)
        rows.append((slug, quotes, speakers, mentions, dates))
    return rows
