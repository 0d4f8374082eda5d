"""Browsing pages: an index per class with counts, the timeline of events, and who stands
where on each policy option. Queries (on :mod:`cbd`'s helpers) and page models, as in
:mod:`describe`."""

from __future__ import annotations

from dataclasses import dataclass

from treatygraph.linkeddata.cbd import _rows, _v, _values, anchor_records
from treatygraph.linkeddata.describe import (
    KINDS,
    ArticleText,
    Kind,
    Link,
    Linker,
    PageBuilder,
    Snippet,
    compact,
    default_linker,
)
from treatygraph.linkeddata.text import date_precision, format_date
from treatygraph.rdf.iris import TG, graph_name
from treatygraph.store.base import QueryEngine


# -- browse ----------------------------------------------------------------------------------
@dataclass
class KindCount:
    name: str
    title: str
    cls: Link
    count: int


@dataclass
class Member:
    link: Link
    types: list[Link]


@dataclass
class KindPage:
    kind: KindCount
    members: list[Member]


def kind_by_name(name: str) -> Kind | None:
    return next((k for k in KINDS if k.name == name), None)


def kind_counts(engine: QueryEngine, linker: Linker = default_linker) -> list[KindCount]:
    values = " ".join(f"<{k.cls}>" for k in KINDS)
    rows = _rows(
        engine,
        f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ VALUES ?c {{ {values} }} "
        "?s a/rdfs:subClassOf* ?c . FILTER(isIRI(?s)) } GROUP BY ?c",
    )
    counts = {c.value: int(n.value) for c, n in rows}
    builder = PageBuilder(engine, ArticleText(None), linker)
    builder.load_labels(k.cls for k in KINDS)
    return [KindCount(k.name, k.title, builder.link(k.cls), counts.get(k.cls, 0)) for k in KINDS]


def kind_page(engine: QueryEngine, kind: Kind, linker: Linker = default_linker) -> KindPage:
    rows = _rows(
        engine,
        f"SELECT DISTINCT ?s ?t WHERE {{ ?s a/rdfs:subClassOf* <{kind.cls}> . "
        "FILTER(isIRI(?s)) ?s a ?t . FILTER(isIRI(?t)) }",
    )
    types: dict[str, set[str]] = {}
    for s, t in rows:
        types.setdefault(s.value, set()).add(t.value)
    builder = PageBuilder(engine, ArticleText(None), linker)
    builder.load_labels(set(types) | {t for ts in types.values() for t in ts} | {kind.cls})
    members = [
        Member(builder.link(s), sorted((builder.link(t) for t in ts), key=lambda x: x.label))
        for s, ts in types.items()
    ]
    members.sort(key=lambda m: (m.link.label.lower(), m.link.iri))
    count = KindCount(kind.name, kind.title, builder.link(kind.cls), len(members))
    return KindPage(count, members)


# -- timeline --------------------------------------------------------------------------------
@dataclass
class TimelineEntry:
    event: Link
    types: list[Link]
    date: str  #: lexical value, sorts chronologically across precisions
    date_display: str
    precision: str
    datatype: str
    phrase: str | None
    graph: str | None  #: short name of the graph that dates it (article, background)


@dataclass
class Timeline:
    entries: list[TimelineEntry]
    undated: list[Member]


def timeline(engine: QueryEngine, linker: Linker = default_linker) -> Timeline:
    rows = _rows(
        engine,
        """SELECT DISTINCT ?e ?date ?g ?phrase WHERE {
        ?e a/rdfs:subClassOf* tg:Event . FILTER(isIRI(?e))
        GRAPH ?g { ?e tg:date ?date }
        OPTIONAL { GRAPH ?g { ?e tg:datePhrase ?phrase } } }""",
    )
    undated_rows = _rows(
        engine,
        """SELECT DISTINCT ?e WHERE {
        ?e a/rdfs:subClassOf* tg:Event . FILTER(isIRI(?e))
        FILTER NOT EXISTS { ?e tg:date ?d } }""",
    )
    events = {r[0].value for r in rows} | {r[0].value for r in undated_rows}
    type_rows = (
        _rows(
            engine, f"SELECT DISTINCT ?e ?t WHERE {{ VALUES ?e {{ {_values(events)} }} ?e a ?t }}"
        )
        if events
        else []
    )
    types: dict[str, list[str]] = {}
    for e, t in type_rows:
        types.setdefault(e.value, []).append(t.value)
    builder = PageBuilder(engine, ArticleText(None), linker)
    builder.load_labels(events | {t for ts in types.values() for t in ts})

    def type_links(e: str) -> list[Link]:
        return sorted((builder.link(t) for t in types.get(e, [])), key=lambda x: x.label)

    entries = []
    for e, date, g, phrase in rows:
        datatype = date.datatype.value
        short = graph_name(g.value)
        entries.append(
            TimelineEntry(
                builder.link(e.value),
                type_links(e.value),
                date.value,
                format_date(date.value, datatype),
                date_precision(datatype) or "unknown",
                compact(datatype),
                _v(phrase),
                short,
            )
        )
    entries.sort(key=lambda x: (x.date, x.event.label.lower(), x.graph or ""))
    undated = sorted(
        (Member(builder.link(r[0].value), type_links(r[0].value)) for r in undated_rows),
        key=lambda m: m.link.label.lower(),
    )
    return Timeline(entries, undated)


# -- positions ---------------------------------------------------------------------------------
STANCE_ORDER = (str(TG.Supports), str(TG.Opposes), str(TG.Mixed))


@dataclass
class Evidence:
    link: Link
    text: str | None  #: quoted text of a quotation, or claim text
    by: Link | None


@dataclass
class PositionEntry:
    position: Link
    holder: Link
    stance: Link
    attribution: Link | None
    rationale: list[str]
    evidence: list[Evidence]
    snippets: list[Snippet]


@dataclass
class OptionGroup:
    option: Link
    positions: list[PositionEntry]


@dataclass
class PositionsPage:
    agreement: Link
    options: list[OptionGroup]


def positions_page(
    engine: QueryEngine, agreement: str, article: ArticleText, linker: Linker = default_linker
) -> PositionsPage:
    """Who stands where on each policy option concerning ``agreement``, with quotes."""
    rows = _rows(
        engine,
        f"""SELECT DISTINCT ?option ?pos ?holder ?stance ?attribution WHERE {{
        ?option tg:concernsAgreement <{agreement}> .
        ?pos a tg:Position ; tg:option ?option ; tg:holder ?holder ; tg:stance ?stance .
        OPTIONAL {{ ?pos tg:attribution ?attribution }} }}""",
    )
    positions = {r[1].value for r in rows}
    rationale: dict[str, list[str]] = {}
    evidence: dict[str, list[tuple[str, str | None, str | None]]] = {}
    if positions:
        for pos, text in _rows(
            engine,
            f"SELECT DISTINCT ?p ?r WHERE {{ VALUES ?p {{ "
            f"{_values(positions)} }} ?p tg:rationale ?r }}",
        ):
            rationale.setdefault(pos.value, []).append(text.value)
        for pos, e, text, by in _rows(
            engine,
            f"""SELECT DISTINCT ?p ?e ?text ?by WHERE {{
                VALUES ?p {{ {_values(positions)} }} ?p tg:evidence ?e .
                OPTIONAL {{ ?e tg:quotedText|tg:claimText ?text }}
                OPTIONAL {{ ?e tg:speaker|tg:claimant ?by }} }}""",
        ):
            evidence.setdefault(pos.value, []).append((e.value, _v(text), _v(by)))
    builder = PageBuilder(engine, article, linker)
    iris = {agreement} | {t.value for r in rows for t in r if t is not None}
    iris |= {x for items in evidence.values() for e, _, by in items for x in (e, by) if x}
    builder.load_labels(iris)
    anchors = anchor_records(engine, positions)
    groups: dict[str, list[PositionEntry]] = {}
    for option, pos, holder, stance, attribution in rows:
        groups.setdefault(option.value, []).append(
            PositionEntry(
                builder.link(pos.value),
                builder.link(holder.value),
                builder.link(stance.value),
                builder.link(attribution.value) if attribution is not None else None,
                sorted(rationale.get(pos.value, [])),
                sorted(
                    (
                        Evidence(builder.link(e), text, builder.link(by) if by else None)
                        for e, text, by in evidence.get(pos.value, [])
                    ),
                    key=lambda ev: ev.link.label.lower(),
                ),
                [builder.snippet(a) for a in anchors.get(pos.value, [])],
            )
        )

    def stance_rank(entry: PositionEntry) -> tuple[int, str]:
        iri = entry.stance.iri
        rank = STANCE_ORDER.index(iri) if iri in STANCE_ORDER else len(STANCE_ORDER)
        return rank, entry.holder.label.lower()

    options = [
        OptionGroup(builder.link(o), sorted(entries, key=stance_rank))
        for o, entries in groups.items()
    ]
    options.sort(key=lambda g: (-len(g.positions), g.option.label.lower()))
    return PositionsPage(builder.link(agreement), options)
