"""Tables, targets and the plot of ``bench/scale.py``, from its JSON results.

    .venv/bin/python bench/scale_report.py bench/results/scale-before.json   # print Markdown

The targets are issue #14, point 4, judged at the largest size measured (they are stated at
10M triples; a run that stops short says at which size it judged). "Heavy" queries, where
the engine does the work, are those the Oxigraph server needs 10 ms or more for (p50) at that
size; below that the fixed cost of a request decides.
"""

from __future__ import annotations

import json
import math
import statistics
import sys
from pathlib import Path
from typing import Any

HEAVY_MS = 10.0
TARGET_MIX_MS = 200.0
TARGET_START_S = 5.0
TARGET_RSS_MB = 2048.0
TARGET_IMPORT_RATE = 50_000.0
TARGET_HEAVY_RATIO = 0.8
STEPS = (
    ("import", "`treatygraph import`"),
    ("build", "`treatygraph build --store`"),
    ("oxigraph_load", "`oxigraph load` (same N-Quads)"),
    ("oxigraph_optimize", "`oxigraph optimize` (after its load, as ours)"),
)


def _mb(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value / 1024:.2f} GB" if value >= 1024 else f"{value:.0f} MB"


def _ms(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "–"
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.1f} ms"


def _step(step: dict[str, Any] | None, triples: int | None = None) -> str:
    if not step:
        return "–"
    size = _mb(step["peak_mb"])
    if step["status"] == "ok":
        rate = f", {triples / step['seconds'] / 1000:.1f}k triples/s" if triples else ""
        return f"{step['seconds']:.1f} s, {size}{rate}"
    if step["status"] in ("timeout", "memory cap"):
        return f"**killed at {step['seconds']:.0f} s, {size}** ({step['status']})"
    return f"**{step['status']}** after {step['seconds']:.1f} s, {size}"


def _query(entry: dict[str, Any] | None) -> str:
    if not entry:
        return "–"
    if "skipped" in entry:
        return f"**{entry['skipped']}**"
    ours, theirs = entry.get("ours"), entry.get("oxigraph")
    if not ours or not theirs or not ours["n"] or not theirs["n"]:
        return "–"
    text = f"{_ms(ours['p50_ms'])} / {_ms(theirs['p50_ms'])}"
    if ours["ok"] == ours["n"] and theirs["ok"] == theirs["n"]:
        return text + f" (**{speed_ratio(entry):.2f}×**)"
    bad = ", ".join(str(s) for s in ours["statuses"] if s != 200)
    return text + f" (ours answered {bad} to {ours['n'] - ours['ok']}/{ours['n']})"


def speed_ratio(entry: dict[str, Any]) -> float:
    """Median over rounds of Oxigraph's time ÷ ours for the same text (paired: the machine is
    shared, and a round's two requests see the same load)."""
    ours, theirs = entry["ours"], entry["oxigraph"]
    a = dict(zip(ours.get("rounds", range(len(ours["ms"]))), ours["ms"], strict=True))
    b = dict(zip(theirs.get("rounds", range(len(theirs["ms"]))), theirs["ms"], strict=True))
    pairs = [b[n] / a[n] for n in a if n in b and a[n] > 0]
    return statistics.median(pairs) if pairs else float("nan")


def _page(entry: dict[str, Any] | None) -> str:
    if not entry or not entry["n"]:
        return "–"
    if entry["ok"] == entry["n"]:
        return _ms(entry["p50_ms"])
    statuses = "/".join(str(s) if s else "closed" for s in entry["statuses"])
    return f"**{statuses}** ({_ms(entry['p50_ms'])})"


def _dump(entry: dict[str, Any] | None) -> str:
    if not entry:
        return "–"
    grew = entry["peak_mb"] - entry["memory_before_mb"]
    if entry["status"] != 200:
        what = entry["status"] or entry["error"][:40] or "connection closed, no answer"
        return f"**{what}** after {entry['seconds']:.0f} s, +{_mb(grew)}"
    lines = f", {entry['lines']:,} lines" if "dechunked" in entry else ""
    return f"{entry['seconds']:.1f} s, +{_mb(grew)} ({entry['bytes'] / 1e6:.0f} MB{lines})"


def rows(results: dict[str, Any]) -> list[tuple[str, list[str]]]:
    sizes = list(results["sizes"].values())
    out: list[tuple[str, list[str]]] = []

    def row(name: str, fn: Any) -> None:
        out.append((name, [fn(s) for s in sizes]))

    row("synthetic triples (quads served)", lambda s: f"{s['stats']['triples']:,} ({s['quads']:,})")
    for key, title in STEPS:
        row(f"{title}: wall, peak memory", lambda s, k=key: _step(s["steps"].get(k), _rate_n(s, k)))
    for who in ("ours", "oxigraph"):
        row(
            f"{who}: start to first answer",
            lambda s, w=who: _secs(s.get(f"{w}_start", {}).get("seconds")),
        )
    for who in ("ours", "oxigraph"):
        row(
            f"{who}: memory idle / under the mix / peak",
            lambda s, w=who: " / ".join(
                _mb(v)
                for v in (
                    s.get(f"{w}_start", {}).get("idle_mb"),
                    s.get(f"{w}_load_peak_mb"),
                    s.get(f"{w}_peak_mb"),
                )
            ),
        )
    names = next(iter(sizes)).get("queries", {}).keys() if sizes else []
    for name in names:
        row(
            f"query `{name}`: p50 ours / Oxigraph (speed ratio)",
            lambda s, n=name: _query(s.get("queries", {}).get(n)),
        )
    row(
        "query mix p50, ours / Oxigraph",
        lambda s: f"{_ms(mix_p50(s, 'ours'))} / {_ms(mix_p50(s, 'oxigraph'))}",
    )
    pages = next(iter(sizes)).get("pages", {}).keys() if sizes else []
    for name in pages:
        row(f"page `{name}` p50 (ours)", lambda s, n=name: _page(s.get("pages", {}).get(n)))
    for who in ("ours", "oxigraph"):
        row(
            f"dump download, {who}: time, memory growth (size)",
            lambda s, w=who: _dump(s.get("dumps", {}).get(w)),
        )
    return out


def _rate_n(size: dict[str, Any], key: str) -> int | None:
    return size["stats"]["triples"] if key == "import" else None


def _secs(value: float | None) -> str:
    return "**no answer**" if value is None else f"{value:.2f} s"


def mix_p50(size: dict[str, Any], who: str) -> float:
    """Median of the mix with every query equally frequent: each query's samples weigh 1/n,
    so that the slow ones, cut short by the time budget, count as much as the fast ones."""
    weighted = sorted(
        (t, 1.0 / len(q[who]["ms"]))
        for q in size.get("queries", {}).values()
        if who in q and q[who]["ms"]
        for t in q[who]["ms"]
    )
    if not weighted:
        return float("nan")
    half, seen = sum(w for _, w in weighted) / 2, 0.0
    for t, w in weighted:
        seen += w
        if seen >= half:
            return t
    return weighted[-1][0]


def targets(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(target, met/missed with the margin, the evidence) at the largest size measured."""
    sizes = list(results["sizes"].values())
    last, first = sizes[-1], sizes[0]
    at = f"at {last['label']}"
    out = []

    def judge(name: str, met: bool | None, margin: str, evidence: str) -> None:
        verdict = "–" if met is None else ("**met**" if met else "**missed**")
        out.append((name, f"{verdict} {at}: {margin}", evidence))

    mix = mix_p50(last, "ours")
    judge(
        "query-mix p50 < 200 ms",
        None if math.isnan(mix) else mix < TARGET_MIX_MS,
        f"{_ms(mix)} ({mix / TARGET_MIX_MS:.2f}× the target)",
        "median of the mix, every query equally frequent",
    )
    start = last.get("ours_start", {}).get("seconds")
    judge(
        "`serve --store` start < 5 s",
        None if start is None else start < TARGET_START_S,
        "no answer" if start is None else f"{start:.1f} s ({start / TARGET_START_S:.1f}×)",
        f"Oxigraph: {_secs(last.get('oxigraph_start', {}).get('seconds'))}",
    )
    peak = last.get("ours_peak_mb")
    judge(
        "server memory < 2 GB",
        None if peak is None else peak < TARGET_RSS_MB,
        f"{_mb(peak)} peak" if peak is not None else "not measured",
        f"under the mix and pages {_mb(last.get('ours_load_peak_mb'))}; "
        f"Oxigraph peak {_mb(last.get('oxigraph_peak_mb'))}",
    )
    growth = [
        (s["label"], s["dumps"]["ours"])
        for s in sizes
        if "dumps" in s and s["dumps"]["ours"]["status"] == 200
    ]
    last_dump = last.get("dumps", {}).get("ours")
    if last_dump and last_dump["status"] == 200:
        grew = last_dump["peak_mb"] - last_dump["memory_before_mb"]
        judge(
            "dumps stream in constant memory",
            grew < 100,
            f"+{_mb(grew)} while streaming",
            "; ".join(f"{k}: +{_mb(d['peak_mb'] - d['memory_before_mb'])}" for k, d in growth),
        )
    else:
        judge("dumps stream in constant memory", False, _dump(last_dump), "no complete dump")
    imp = last["steps"].get("import")
    if imp and imp["status"] == "ok":
        rate = last["stats"]["triples"] / imp["seconds"]
        judge(
            "`import` ≥ 50k triples/s",
            rate >= TARGET_IMPORT_RATE,
            f"{rate / 1000:.1f}k triples/s ({rate / TARGET_IMPORT_RATE:.2f}×)",
            _step(imp),
        )
    else:
        judge("`import` ≥ 50k triples/s", False if imp else None, _step(imp), "")
    peaks = [(s["label"], s["steps"]["import"]) for s in sizes if "import" in s["steps"]]
    if len(peaks) > 1:
        small, big = peaks[0][1]["peak_mb"], peaks[-1][1]["peak_mb"]
        flat = big <= 1.5 * small + 100 and peaks[-1][1]["status"] == "ok"
        judge(
            "`import` memory flat in the input size",
            flat,
            f"{_mb(big)} at {peaks[-1][0]} against {_mb(small)} at {peaks[0][0]}",
            "; ".join(f"{k}: {_mb(v['peak_mb'])}" for k, v in peaks),
        )
    heavy = []
    for name, q in last.get("queries", {}).items():
        if "ours" in q and "oxigraph" in q and q["oxigraph"]["p50_ms"] >= HEAVY_MS:
            heavy.append((name, speed_ratio(q), q["ours"]))
    if heavy:
        answered = [r for _, r, o in heavy if o["ok"] == o["n"]]
        failed = [n for n, _, o in heavy if o["ok"] < o["n"]]
        worst = f"worst {min(answered):.2f}×" if answered else "no query answered"
        judge(
            "heavy queries ≥ 0.8× the Oxigraph server, uncached",
            not failed and all(r >= TARGET_HEAVY_RATIO for r in answered),
            worst + (f"; {', '.join(failed)} not answered by ours" if failed else ""),
            ", ".join(
                f"{n} {r:.2f}×"
                if o["ok"] == o["n"]
                else f"{n}: ours {'/'.join(str(x) for x in o['statuses'])} after {_ms(o['p50_ms'])}"
                for n, r, o in heavy
            ),
        )
    del first
    return out


def markdown(results: dict[str, Any], label: str, plot: str | None) -> str:
    sizes = list(results["sizes"].values())
    lines = [f"### Scale run `{label}`", ""]
    for s in sizes:
        m = s["meta"]
        lines.append(f"- {s['label']}: {m['date']}, commit {m['commit']}, load {m['load_before']}")
    if sizes:
        lines += [f"- machine: {sizes[0]['meta']['machine']}", f"- {sizes[0]['meta']['versions']}"]
    lines += ["", "| cost | " + " | ".join(s["label"] for s in sizes) + " |"]
    lines.append("|---|" + "---:|" * len(sizes))
    lines += [f"| {name} | " + " | ".join(cells) + " |" for name, cells in rows(results)]
    lines += ["", "Answers checked identical before timing: " + _checks(sizes), ""]
    lines += ["| target (issue #14, point 4) | result | evidence |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in targets(results)] if sizes else []
    if plot:
        lines += ["", f"![growth of every cost, run {label}]({plot})"]
    return "\n".join(lines) + "\n"


def _checks(sizes: list[dict[str, Any]]) -> str:
    parts = []
    for s in sizes:
        checks = s.get("checks", {})
        same = sum(1 for c in checks.values() if c["identical"])
        differ = [n for n, c in checks.items() if c["identical"] is False]
        unknown = [n for n, c in checks.items() if c["identical"] is None]
        text = f"{s['label']} {same}/{len(checks)}"
        text += f" (differ: {', '.join(differ)})" if differ else ""
        text += f" (not comparable, an error status: {', '.join(unknown)})" if unknown else ""
        parts.append(text)
    return "; ".join(parts) + "."


def plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = list(results["sizes"].values())
    xs = [s["stats"]["triples"] for s in sizes]
    fig, axes = plt.subplots(2, 4, figsize=(18, 8.5))

    def line(ax: Any, values: list[float | None], label: str, style: str = "-o") -> None:
        pts = [(x, v) for x, v in zip(xs, values, strict=True) if v is not None and v == v]
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], style, label=label)

    def killed(ax: Any, key: str) -> None:
        for x, s in zip(xs, sizes, strict=True):
            step = s["steps"].get(key)
            if step and step["status"] != "ok":
                ax.plot([x], [step["seconds"]], "rx", markersize=12)

    def dump_failures(ax: Any, what: str) -> None:
        for x, s in zip(xs, sizes, strict=True):
            for d in s.get("dumps", {}).values():
                if d["status"] != 200:
                    y = d["seconds"] if what == "seconds" else d["peak_mb"] - d["memory_before_mb"]
                    ax.plot([x], [max(y, 1.0)], "rx", markersize=12)

    ax = axes[0][0]
    for key, title in STEPS:
        line(ax, [s["steps"].get(key, {}).get("seconds") for s in sizes], title.replace("`", ""))
        killed(ax, key)
    ax.set_title("commands: wall time (s); x = killed")
    ax = axes[0][1]
    for key, title in STEPS:
        line(ax, [s["steps"].get(key, {}).get("peak_mb") for s in sizes], title.replace("`", ""))
    ax.set_title("commands: peak memory (MB)")
    ax = axes[0][2]
    for who in ("ours", "oxigraph"):
        line(ax, [s.get(f"{who}_start", {}).get("seconds") for s in sizes], who)
    ax.axhline(TARGET_START_S, color="grey", ls=":", label="target")
    ax.set_title("server start to first answer (s)")
    ax = axes[0][3]
    for who in ("ours", "oxigraph"):
        line(ax, [s.get(f"{who}_load_peak_mb") for s in sizes], f"{who}, under the mix")
        line(ax, [s.get(f"{who}_peak_mb") for s in sizes], f"{who}, peak", "--^")
    ax.axhline(TARGET_RSS_MB, color="grey", ls=":", label="target")
    ax.set_title("server memory, PSS of the tree (MB)")
    ax = axes[1][0]
    names = list(sizes[-1].get("queries", {}))
    for n, name in enumerate(names):
        color = f"C{n}"
        for who, style in (("ours", "-o"), ("oxigraph", "--x")):
            values = [s.get("queries", {}).get(name, {}).get(who, {}).get("p50_ms") for s in sizes]
            pts = [(x, v) for x, v in zip(xs, values, strict=True) if v]
            if pts:
                ax.plot(*zip(*pts, strict=True), style, color=color, label=f"{name} ({who})")
    ax.axhline(TARGET_MIX_MS, color="grey", ls=":")
    ax.set_title("query p50 (ms): ours solid, Oxigraph dashed")
    for x, s in zip(xs, sizes, strict=True):  # ours with errors (e.g. 503 at the time limit)
        for q in s.get("queries", {}).values():
            if "ours" in q and q["ours"]["n"] and q["ours"]["ok"] < q["ours"]["n"]:
                ax.plot([x], [q["ours"]["p50_ms"]], "rx", markersize=12)
    ax = axes[1][1]
    for name in sizes[-1].get("pages", {}):
        entries = [s.get("pages", {}).get(name) for s in sizes]
        if not any(e and e["ok"] for e in entries):
            continue  # e.g. /search before it exists
        line(ax, [e["p50_ms"] if e and e["ok"] else None for e in entries], name)
        for x, e in zip(xs, entries, strict=True):
            if e and e["n"] and e["ok"] < e["n"]:
                ax.plot([x], [e["p50_ms"]], "rx", markersize=12)
    ax.set_title("pages p50 (ms, ours); x = errors")
    ax = axes[1][2]
    for who in ("ours", "oxigraph"):
        values = [s.get("dumps", {}).get(who, {}).get("seconds") for s in sizes]
        line(ax, values, who)
    dump_failures(ax, "seconds")
    ax.set_title("dump download (s); x = failed")
    ax = axes[1][3]
    for who in ("ours", "oxigraph"):
        values = [
            (d["peak_mb"] - d["memory_before_mb"]) if (d := s.get("dumps", {}).get(who)) else None
            for s in sizes
        ]
        line(ax, [max(v, 1.0) if v is not None else None for v in values], who)
    dump_failures(ax, "growth")
    ax.set_title("server memory growth while dumping (MB)")
    for row in axes:
        for ax in row:
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("synthetic triples")
            ax.grid(True, which="both", alpha=0.3)
            if ax.get_legend_handles_labels()[0]:
                ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def compare(before: dict[str, Any], after: dict[str, Any], label: str) -> str:
    """Each target's verdict before and after, at the sizes both runs measured."""
    common = [k for k in after["sizes"] if k in before["sizes"]]
    if not common:
        return ""
    pick = lambda r: {"sizes": {k: r["sizes"][k] for k in common}}  # noqa: E731
    old, new = targets(pick(before)), targets(pick(after))
    lines = ["", f"Targets before and `{label}` (sizes both measured: {', '.join(common)}):", ""]
    lines += ["| target | before | " + label + " |", "|---|---|---|"]
    new_by_name = {name: result for name, result, _ in new}
    lines += [f"| {name} | {result} | {new_by_name.get(name, '–')} |" for name, result, _ in old]
    return "\n".join(lines) + "\n"


def write_outputs(results: dict[str, Any], label: str, root: Path) -> str:
    """Plot into docs/, return the Markdown (which links the plot), compared with "before"."""
    name = f"benchmarks-scale-{label}.png"
    if results["sizes"]:
        plot(results, root / "docs" / name)
    text = markdown(results, label, name if results["sizes"] else None)
    before = root / "bench" / "results" / "scale-before.json"
    if label != "before" and before.exists() and results["sizes"]:
        text += compare(json.loads(before.read_text()), results, label)
    return text


def update_docs(doc: Path, label: str, text: str) -> None:
    """Replace the run's section between its markers in docs/benchmarks.md (or append it)."""
    begin, end = f"<!-- scale-{label}:begin -->", f"<!-- scale-{label}:end -->"
    page = doc.read_text(encoding="utf-8")
    block = f"{begin}\n{text}{end}"
    if begin in page and end in page:
        page = page[: page.index(begin)] + block + page[page.index(end) + len(end) :]
    else:
        page = page.rstrip("\n") + "\n\n" + block + "\n"
    doc.write_text(page, encoding="utf-8")


if __name__ == "__main__":
    data = json.loads(Path(sys.argv[1]).read_text())
    print(markdown(data, Path(sys.argv[1]).stem.removeprefix("scale-"), None))
