"""Browsing pages: an index per class with counts, the timeline of events, and who stands
where on each policy option. Queries (on :mod:`cbd`'s helpers) and page models, as in
:mod:`describe`."""

from __future__ import annotations

from dataclasses import dataclass

from treatygraph.errors import BadRequest, NotFound
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
class Paging:
    """Where a page sits in a long listing: ``?page=N``, :data:`PAGE_SIZE` a page."""

    page: int
    pages: int
    total: int
    first: int  #: 1-based position of the page's first item (0 when empty)
    last: int
    prev: str | None = None  #: the previous and next pages' URLs (set by the view)
    next: str | None = None


@dataclass
class KindPage:
    kind: KindCount
    members: list[Member]
    paging: Paging


PAGE_SIZE = 100  #: items per page of a listing


def page_number(raw: str | None) -> int:
    """``?page=`` as a 1-based number; anything else is the client's error, named."""
    if raw is None or raw == "":
        return 1
    if not raw.isdigit() or int(raw) < 1:
        raise BadRequest(f"page={raw!r}: give a page number, 1 or more")
    return int(raw)


def paging(total: int, page: int) -> Paging:
    pages = max(1, -(-total // PAGE_SIZE))
    if page > pages:
        raise NotFound(f"page {page}: there are {pages} page(s) of {total} item(s)")
    first = (page - 1) * PAGE_SIZE
    return Paging(page, pages, total, first + 1 if total else 0, min(total, first + PAGE_SIZE))


def kind_by_name(name: str) -> Kind | None:
    return next((k for k in KINDS if k.name == name), None)


def kind_counts(engine: QueryEngine, linker: Linker = default_linker) -> list[KindCount]:
    values = " ".join(f"<{k.cls}>" for k in KINDS)
    rows = _rows(
        engine,
        f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ VALUES ?c {{ {values} }} "
        "?t rdfs:subClassOf* ?c . ?s a ?t . FILTER(isIRI(?s)) } GROUP BY ?c",
    )
    counts = {c.value: int(n.value) for c, n in rows}
    builder = PageBuilder(engine, ArticleText(None), linker)
    builder.load_labels(k.cls for k in KINDS)
    return [KindCount(k.name, k.title, builder.link(k.cls), counts.get(k.cls, 0)) for k in KINDS]


def kind_page(
    engine: QueryEngine, kind: Kind, linker: Linker = default_linker, page: int = 1
) -> KindPage:
    """One page of a class's members, by label: the subclasses are found first, so the
    closure runs over the class hierarchy, not over every typed node."""
    members_of = f"?t rdfs:subClassOf* <{kind.cls}> . ?s a ?t . FILTER(isIRI(?s))"
    ((n,),) = _rows(engine, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {members_of} }}")
    where = paging(int(n.value), page)
    rows = _rows(
        engine,
        f"""SELECT ?s (MIN(LCASE(STR(?l))) AS ?key) WHERE {{ {{ SELECT DISTINCT ?s WHERE {{
        {members_of} }} }} OPTIONAL {{ ?s rdfs:label ?l }} }}
        GROUP BY ?s ORDER BY ?key ?s LIMIT {PAGE_SIZE} OFFSET {max(where.first - 1, 0)}""",
    )
    shown = [r[0].value for r in rows]
    types: dict[str, set[str]] = {s: set() for s in shown}
    if shown:
        for s, t in _rows(
            engine,
            f"SELECT DISTINCT ?s ?t WHERE {{ VALUES ?s {{ {_values(shown)} }} ?s a ?t . "
            "FILTER(isIRI(?t)) }",
        ):
            types[s.value].add(t.value)
    builder = PageBuilder(engine, ArticleText(None), linker)
    builder.load_labels(set(shown) | {t for ts in types.values() for t in ts} | {kind.cls})
    members = [
        Member(builder.link(s), sorted((builder.link(t) for t in types[s]), key=lambda x: x.label))
        for s in shown
    ]
    count = KindCount(kind.name, kind.title, builder.link(kind.cls), where.total)
    return KindPage(count, members, where)


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
        ?t rdfs:subClassOf* tg:Event . ?e a ?t . FILTER(isIRI(?e))
        GRAPH ?g { ?e tg:date ?date }
        OPTIONAL { GRAPH ?g { ?e tg:datePhrase ?phrase } } }""",
    )
    undated_rows = _rows(
        engine,
        """SELECT DISTINCT ?e WHERE {
        ?t rdfs:subClassOf* tg:Event . ?e a ?t . FILTER(isIRI(?e))
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
    paging: Paging


def positions_page(
    engine: QueryEngine,
    agreement: str,
    article: ArticleText,
    linker: Linker = default_linker,
    page: int = 1,
) -> PositionsPage:
    """Who stands where on each policy option concerning ``agreement``, with quotes: one page
    of :data:`PAGE_SIZE` positions, ordered in the store (options with most positions first,
    then by stance and holder), so only that page's details are fetched."""
    on_option = f"""?option tg:concernsAgreement <{agreement}> .
        ?pos a tg:Position ; tg:option ?option ; tg:holder ?holder ; tg:stance ?stance ."""
    ((n,),) = _rows(
        engine,
        f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?pos ?option WHERE {{ {on_option} }} }}",
    )
    where = paging(int(n.value), page)
    ranks = " ".join(f"(<{s}> {i})" for i, s in enumerate(STANCE_ORDER))
    # The sort keys are projected: Virtuoso refuses aggregates in ORDER BY.
    chosen = _rows(
        engine,
        f"""SELECT ?pos ?option (MIN(LCASE(STR(?ol))) AS ?k1) (MIN(?r) AS ?k2)
        (MIN(LCASE(STR(?hl))) AS ?k3) WHERE {{
        {{ SELECT ?option (COUNT(DISTINCT ?p2) AS ?n) WHERE {{
            ?option tg:concernsAgreement <{agreement}> . ?p2 a tg:Position ; tg:option ?option }}
           GROUP BY ?option }}
        {on_option}
        OPTIONAL {{ VALUES (?stance ?r0) {{ {ranks} }} }}
        BIND(COALESCE(?r0, {len(STANCE_ORDER)}) AS ?r)
        OPTIONAL {{ ?option rdfs:label ?ol }} OPTIONAL {{ ?holder rdfs:label ?hl }} }}
        GROUP BY ?pos ?option ?n
        ORDER BY DESC(?n) ?k1 ?option ?k2 ?k3 ?pos
        LIMIT {PAGE_SIZE} OFFSET {max(where.first - 1, 0)}""",
    )
    order = {(p.value, o.value): i for i, (p, o, *_) in enumerate(chosen)}  # keys: sorting
    rows = (
        _rows(
            engine,
            f"""SELECT DISTINCT ?option ?pos ?holder ?stance ?attribution WHERE {{
        VALUES ?pos {{ {_values(p for p, _ in order)} }}
        {on_option}
        OPTIONAL {{ ?pos tg:attribution ?attribution }} }}""",
        )
        if order
        else []
    )
    rows = sorted(
        (r for r in rows if (r[1].value, r[0].value) in order),
        key=lambda r: order[(r[1].value, r[0].value)],
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

    options = [OptionGroup(builder.link(o), entries) for o, entries in groups.items()]
    return PositionsPage(builder.link(agreement), options, where)
