"""Statistics on the pages: a state's warhead series as a chart drawn on the server, with its
table, and a Data Cube data set's structure (dimensions, measures, attributes).

The chart is plain SVG computed here and written by ``ld_chart.html``: no script and no CDN,
styled by classes of ``style.css`` (the Content-Security-Policy allows no inline style), and
accessible (``role="img"``, ``<title>``, ``<desc>``, labelled axes, the numbers in a table).
Only observations of the imported cubes (``qb:Observation`` with ``tg:refState``) are read:
without an import there is no section at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from treatygraph.linkeddata.cbd import _rows, _v
from treatygraph.linkeddata.describe import Link, PageBuilder

QB = "http://purl.org/linked-data/cube#"
PREFIX = f"PREFIX qb: <{QB}>\n"

WIDTH, HEIGHT = 640, 320  #: the SVG's coordinate box (it scales to its container)
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 48  #: room for the axes and their labels


@dataclass
class Series:
    label: str
    css: str  #: ``series-N`` (a colour in style.css)
    points: str  #: the polyline's ``points`` attribute
    dots: list[tuple[float, float, str]]  #: x, y and a tooltip per observation


@dataclass
class Tick:
    at: float
    label: str


@dataclass
class Chart:
    """A state's warhead counts by year, one line per warhead category, and the same as a table."""

    anchor: str
    title: str
    desc: str
    width: int
    height: int
    plot: tuple[float, float, float, float]  #: left, top, right, bottom of the plot area
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    x_label: str
    y_label: str
    series: list[Series]
    columns: list[str]  #: the table's measures (warhead categories)
    rows: list[tuple[str, list[str]]]  #: year -> one cell per column ('' when not estimated)
    datasets: list[Link]
    template: str = "ld_chart.html"


@dataclass
class Component:
    kind: str  #: dimension, measure or attribute
    property: Link
    range: Link | None
    unit: Link | None
    required: bool


@dataclass
class CubeStructure:
    """A ``qb:DataSet``'s structure: what each observation is indexed by and measures."""

    structure: Link
    components: list[Component]
    observations: int
    anchor: str = "structure"
    title: str = "Structure of the data"
    template: str = "ld_cube.html"
    kinds: list[str] = field(default_factory=lambda: ["dimension", "measure", "attribute"])


def warhead_chart(builder: PageBuilder, state: str) -> Chart | None:
    """The state's warhead observations as a chart and a table; None when there are none."""
    rows = _rows(
        builder.engine,
        PREFIX
        + f"""SELECT ?year ?cat ?n ?ds WHERE {{ ?o a qb:Observation ; tg:refState <{state}> ;
        tg:refYear ?year ; tg:warheadCategory ?cat ; tg:warheads ?n .
        OPTIONAL {{ ?o qb:dataSet ?ds }} }}""",
    )
    points: dict[str, dict[int, int]] = {}
    datasets: set[str] = set()
    for year, cat, n, ds in rows:
        try:
            y, count = int(year.value[:4]), int(n.value)
        except ValueError:
            continue  # not a year or not a count: left out of the picture, still in the RDF
        points.setdefault(cat.value, {})[y] = count
        if ds is not None:
            datasets.add(ds.value)
    if not points:
        return None
    builder.load_labels(set(points) | datasets | {state})
    cats = sorted(points, key=lambda c: (-len(points[c]), builder.link(c).label))
    years = sorted({y for c in cats for y in points[c]})
    top = max(v for c in cats for v in points[c].values())
    y_max = _nice_ceiling(top)
    x0, x1 = years[0], years[-1] if years[-1] > years[0] else years[0] + 1
    left, right, top_px, bottom = LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM

    def px(year: int) -> float:
        return round(left + (year - x0) / (x1 - x0) * (right - left), 1)

    def py(value: int) -> float:
        return round(bottom - value / y_max * (bottom - top_px), 1)

    series = []
    for i, c in enumerate(cats):
        label = builder.link(c).label
        pts = sorted(points[c].items())
        series.append(
            Series(
                label,
                f"series-{i % 6}",
                " ".join(f"{px(y)},{py(v)}" for y, v in pts),
                [(px(y), py(v), f"{y}: {v:,} {label}") for y, v in pts],
            )
        )
    step = _year_step(x1 - x0)
    x_ticks = [Tick(px(y), str(y)) for y in range(x0 - x0 % step + step, x1 + 1, step)]
    if not x_ticks or x_ticks[0].label != str(x0):
        x_ticks.insert(0, Tick(px(x0), str(x0)))
    y_ticks = [Tick(py(v), f"{v:,}") for v in range(0, y_max + 1, y_max // 4)]
    name = builder.link(state).label
    first, last = years[0], years[-1]
    peak_cat = cats[0]
    peak_year, peak = max(points[peak_cat].items(), key=lambda kv: kv[1])
    desc = (
        f"Estimated nuclear warheads of {name}, {first}–{last}, "
        f"{len(cats)} categor{'y' if len(cats) == 1 else 'ies'}; "
        f"{builder.link(peak_cat).label}: highest {peak:,} in {peak_year}, "
        f"{points[peak_cat][max(points[peak_cat])]:,} in {max(points[peak_cat])}."
    )
    table = [(str(y), [f"{points[c][y]:,}" if y in points[c] else "" for c in cats]) for y in years]
    return Chart(
        "warheads",
        f"Nuclear warheads of {name}",
        desc,
        WIDTH,
        HEIGHT,
        (left, top_px, right, bottom),
        x_ticks,
        y_ticks,
        "year",
        "warheads (estimated)",
        series,
        [builder.link(c).label for c in cats],
        table,
        sorted((builder.link(d) for d in datasets), key=lambda x: x.label),
    )


def _nice_ceiling(value: int) -> int:
    """The smallest 1, 2, 2.5 or 5 × 10^k at or above ``value``, divisible by 4 for the ticks."""
    scale = 1
    while scale * 10 < value:
        scale *= 10
    for m in (1, 2, 2.5, 4, 5, 8, 10):
        if m * scale >= value and int(m * scale) % 4 == 0:
            return int(m * scale)
    return max(4, 4 * (-(-value // 4)))


def _year_step(span: int) -> int:
    for step in (1, 2, 5, 10, 20, 50):
        if span / step <= 10:
            return step
    return 100


def cube_structure(builder: PageBuilder, dataset: str) -> CubeStructure | None:
    """The components of a data set's structure, each with its label, range and unit."""
    rows = _rows(
        builder.engine,
        PREFIX
        + f"""SELECT ?dsd ?kind ?p ?range ?required WHERE {{
        <{dataset}> a qb:DataSet ; qb:structure ?dsd . ?dsd qb:component ?c .
        {{ ?c qb:dimension ?p BIND("dimension" AS ?kind) }}
        UNION {{ ?c qb:measure ?p BIND("measure" AS ?kind) }}
        UNION {{ ?c qb:attribute ?p BIND("attribute" AS ?kind) }}
        OPTIONAL {{ ?p rdfs:range ?range }} OPTIONAL {{ ?c qb:componentRequired ?required }} }}""",
    )
    if not rows:
        return None
    units = {
        p.value: u.value
        for p, u in _rows(
            builder.engine,
            PREFIX
            + f"""SELECT ?p (SAMPLE(?u) AS ?unit) WHERE {{
            <{dataset}> qb:structure/qb:component/qb:measure ?p .
            ?o qb:dataSet <{dataset}> ; ?p ?v ; tg:unitOfMeasure ?u }} GROUP BY ?p""",
        )
        if u is not None
    }
    (count,), *_ = _rows(
        builder.engine,
        PREFIX + f"SELECT (COUNT(?o) AS ?n) WHERE {{ ?o qb:dataSet <{dataset}> }}",
    )
    iris = {r[0].value for r in rows} | {r[2].value for r in rows}
    iris |= {r[3].value for r in rows if r[3] is not None} | set(units.values())
    builder.load_labels(iris)
    order = {"dimension": 0, "measure": 1, "attribute": 2}
    components = sorted(
        (
            Component(
                str(kind.value),
                builder.link(p.value),
                builder.link(rng.value) if rng is not None else None,
                builder.link(units[p.value]) if p.value in units else None,
                _v(required) == "true" or kind.value != "attribute",
            )
            for _, kind, p, rng, required in rows
        ),
        key=lambda c: (order[c.kind], c.property.label),
    )
    unique = list({(c.kind, c.property.iri): c for c in components}.values())
    return CubeStructure(builder.link(rows[0][0].value), unique, int(count.value))
