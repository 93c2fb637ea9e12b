"""The HTML report: one self-contained page (inline CSS and SVG, no script, no URL).

:func:`render` assembles the sections from plain records (an inventory snapshot, the scan
runs' readiness, a stored ranking); each ``section_*`` function returns one ``<section>``
and handles its empty case by saying which command to run. Every text from the inventory is
escaped; the page is deterministic apart from the one generated-at line it is given.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pqcscan.exporters.backlog import WAVE_TEXT, BacklogHeader
from pqcscan.exporters.report import markdown, svg
from pqcscan.exporters.report.svg import GraphNode, MoscaBar, esc, shorten
from pqcscan.inventory.history import READY_STATUSES, RunReadiness
from pqcscan.inventory.risk_store import RiskRunRecord
from pqcscan.inventory.snapshot import Snapshot
from pqcscan.risk import explain_markdown, summary_line
from pqcscan.risk.model import RankedItem, Wave

#: Worst first, as the inventory reads them.
STATUS_COLORS = {
    "classically-broken": "#7f0000",
    "quantum-vulnerable": "#d7301f",
    "quantum-weakened": "#fdae61",
    "unknown": "#9e9e9e",
    "hybrid": "#4393c3",
    "quantum-safe": "#1b7f3b",
}
WAVE_COLORS = {
    "now": "#b2182b",
    "next": "#ef8a62",
    "later": "#fddbc7",
    "monitor": "#67a9cf",
}
#: Items shown in the dependency pictures (the riskiest of the top).
GRAPH_ITEMS = 5
#: Nodes per graph column before "and N more".
GRAPH_COLUMN = 6
#: Endpoints listed by name in the hybrid-adoption section.
LISTED_ENDPOINTS = 25

CSS = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto;
  max-width: 1100px; padding: 1.5rem; color: #1a1a1a; background: #fafafa; line-height: 1.45; }
header { border-bottom: 3px solid #1b4f72; margin-bottom: 1rem; }
h1 { margin: 0 0 .3rem; font-size: 1.7rem; }
h2 { border-bottom: 1px solid #ccc; padding-bottom: .2rem; margin-top: 0; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
section { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 1rem 1.2rem;
  margin: 1rem 0; }
.meta { color: #444; font-size: .9rem; margin: .2rem 0; }
.empty { color: #6b4c00; background: #fff6dc; border-left: 4px solid #e0a800;
  padding: .5rem .8rem; }
.kpi { font-size: 1.6rem; font-weight: 600; }
table { border-collapse: collapse; margin: .5rem 0; font-size: .88rem; }
th, td { border: 1px solid #d0d0d0; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f0f3f6; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: .85em;
  background: #f3f3f3; padding: 0 .2em; word-break: break-all; }
article.item { border-top: 1px dashed #bbb; padding-top: .5rem; margin-top: 1rem; }
svg.chart { max-width: 100%; height: auto; display: block; margin: .5rem 0; }
.swatch { display: inline-block; width: .8em; height: .8em; margin-right: .3em;
  vertical-align: middle; }
footer { color: #666; font-size: .8rem; margin-top: 2rem; }
@media print {
  body { background: none; max-width: none; padding: 0; }
  section { background: none; border: none; padding: 0; break-before: page;
    page-break-before: always; }
  header + section { break-before: auto; page-break-before: auto; }
  th, code, .empty { background: none; }
  article.item, svg.chart, table { break-inside: avoid; page-break-inside: avoid; }
  svg.chart { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
"""


@dataclass(frozen=True, slots=True)
class ReportInput:
    """Everything the page is made of: plain records, read once."""

    snapshot: Snapshot
    history: Sequence[RunReadiness]
    risk_run: RiskRunRecord | None
    #: Every item of ``risk_run`` in backlog order (empty without a ranking).
    items: Sequence[RankedItem] = ()
    top: int = 15
    generated_at: str = ""
    title: str = "Post-quantum cryptography inventory report"
    source: str = ""  # the inventory it was made from (shown, escaped)
    notes: tuple[str, ...] = field(default=())


def _empty(text: str) -> str:
    return f'<p class="empty">{esc(text)}</p>'


def _section(sid: str, title: str, body: Iterable[str]) -> str:
    return f'<section id="{sid}">\n<h2>{esc(title)}</h2>\n' + "\n".join(body) + "\n</section>"


def _table(
    head: Sequence[str], rows: Iterable[Sequence[object]], numeric: Sequence[int] = ()
) -> str:
    def cls(i: int) -> str:
        return ' class="n"' if i in numeric else ""

    out = ["<table><thead><tr>"]
    out += [f"<th{cls(i)}>{esc(h)}</th>" for i, h in enumerate(head)]
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>" + "".join(f"<td{cls(i)}>{esc(v)}</td>" for i, v in enumerate(row)))
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _pct(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "-"


def _ordered(keys: Iterable[str], palette: dict[str, str]) -> list[str]:
    present = set(keys)
    return [k for k in palette if k in present] + sorted(present - set(palette))


# -- sections --------------------------------------------------------------------------------


def section_summary(snapshot: Snapshot, items: Sequence[RankedItem]) -> str:
    """Findings by quantum status and asset type; ranked items by wave and asset type."""
    body: list[str] = []
    if not snapshot.findings:
        body.append(
            _empty(
                "The inventory holds no finding yet: run pqcscan scan certs PATH, "
                "pqcscan scan tls HOST, pqcscan scan code PATH or pqcscan import assets FILE."
            )
        )
    else:
        types = {a.id: a.type for a in snapshot.assets}
        by_type: dict[str, Counter[str]] = defaultdict(Counter)
        for f in snapshot.findings:
            by_type[types.get(f.asset_id, "?")][f.quantum_status] += 1
        statuses = _ordered((s for c in by_type.values() for s in c), STATUS_COLORS)
        total: Counter[str] = Counter()
        for c in by_type.values():
            total.update(c)
        n = sum(total.values())
        ready = sum(total[s] for s in READY_STATUSES)
        body.append(
            f'<p><span class="kpi">{n}</span> findings on {len(snapshot.assets)} assets; '
            f'<span class="kpi">{_pct(ready, n)}</span> quantum-safe or hybrid.</p>'
        )
        rows = [("all findings", [(s, total[s]) for s in statuses])]
        rows += [(t, [(s, by_type[t][s]) for s in statuses]) for t in sorted(by_type)]
        body.append("<h3>Findings by quantum status and asset type</h3>")
        body.append(svg.stacked_bars(rows, STATUS_COLORS, "Findings by quantum status"))
        body.append(
            _table(
                ["asset type", *statuses, "total"],
                [
                    [t, *(by_type[t][s] for s in statuses), sum(by_type[t].values())]
                    for t in sorted(by_type)
                ]
                + [["all", *(total[s] for s in statuses), n]],
                numeric=range(1, len(statuses) + 2),
            )
        )
    body.append("<h3>Migration items by wave</h3>")
    if not items:
        body.append(_empty("No ranking yet: run pqcscan rank to sort the items into waves."))
    else:
        waves = [w.value for w in Wave]
        per_type: dict[str, Counter[str]] = defaultdict(Counter)
        for item in items:
            per_type[item.asset_type][item.wave.value] += 1
        all_waves = Counter(i.wave.value for i in items)
        rows = [("all items", [(w, all_waves[w]) for w in waves])]
        rows += [(t, [(w, per_type[t][w]) for w in waves]) for t in sorted(per_type)]
        body.append(svg.stacked_bars(rows, WAVE_COLORS, "Migration items by wave"))
        body.append(
            _table(
                ["wave", "items", "meaning"],
                [(w.value, all_waves[w.value], WAVE_TEXT[w]) for w in Wave if all_waves[w.value]],
                numeric=[1],
            )
        )
    return _section("summary", "Summary", body)


def _is_tls(details: dict[str, object]) -> bool:
    return str(details.get("protocol", "")).lower() == "tls"


def section_hybrid(snapshot: Snapshot) -> str:
    """Share of TLS endpoints offering a hybrid or pure ML-KEM key exchange."""
    endpoints = [a for a in snapshot.assets if a.type == "endpoint" and _is_tls(a.details)]
    body: list[str] = []
    if not endpoints:
        body.append(_empty("No TLS endpoint in the inventory: run pqcscan scan tls HOST."))
        return _section("hybrid", "Hybrid PQC adoption on TLS endpoints", body)
    ids = {a.id for a in endpoints}
    offered: dict[int, set[str]] = defaultdict(set)
    for f in snapshot.findings:
        if f.asset_id in ids and f.usage == "key-exchange" and f.quantum_status in READY_STATUSES:
            offered[f.asset_id].add(f.algorithm)
    pq = len(offered)
    n = len(endpoints)
    body.append(
        f'<p><span class="kpi">{pq} of {n}</span> TLS endpoints ({_pct(pq, n)}) offer a '
        "hybrid or pure ML-KEM key exchange (X25519MLKEM768 and others).</p>"
    )
    body.append(
        svg.stacked_bars(
            [("TLS endpoints", [("hybrid or ML-KEM offered", pq), ("classical only", n - pq)])],
            {"hybrid or ML-KEM offered": STATUS_COLORS["hybrid"], "classical only": "#d7301f"},
            "TLS endpoints offering post-quantum key exchange",
        )
    )
    groups: Counter[str] = Counter(g for gs in offered.values() for g in gs)
    if groups:
        body.append("<h3>Post-quantum groups offered</h3>")
        body.append(
            _table(
                ["group", "endpoints", "share of TLS endpoints"],
                [
                    (g, c, _pct(c, n))
                    for g, c in sorted(groups.items(), key=lambda x: (-x[1], x[0]))
                ],
                numeric=[1, 2],
            )
        )
    rows = sorted(
        (
            (a.locator, ", ".join(sorted(offered.get(a.id, ()))) or "classical only")
            for a in endpoints
        ),
    )
    body.append("<h3>Endpoints</h3>")
    body.append(_table(["endpoint", "post-quantum key exchange"], rows[:LISTED_ENDPOINTS]))
    if len(rows) > LISTED_ENDPOINTS:
        body.append(f"<p>… and {len(rows) - LISTED_ENDPOINTS} more endpoints.</p>")
    return _section("hybrid", "Hybrid PQC adoption on TLS endpoints", body)


def section_history(history: Sequence[RunReadiness]) -> str:
    """Share of quantum-safe or hybrid findings seen per completed scan run."""
    body: list[str] = []
    if not history:
        body.append(_empty("No completed scan run yet: run a pqcscan scan to start the history."))
        return _section("history", "Readiness over scan history", body)
    body.append(
        "<p>Per completed scan run: the share of the findings that run saw which are "
        "quantum-safe or hybrid.</p>"
    )
    points = [(f"run {r.run_id}", r.share) for r in history]
    body.append(svg.share_line(points, "Share of quantum-safe or hybrid findings per scan run"))
    body.append(
        _table(
            ["run", "collector", "finished", "findings seen", "quantum-safe or hybrid", "share"],
            [
                (
                    r.run_id,
                    r.collector,
                    r.at.strftime("%Y-%m-%d %H:%M UTC"),
                    r.total,
                    r.ready,
                    _pct(r.ready, r.total),
                )
                for r in history
            ],
            numeric=[0, 3, 4, 5],
        )
    )
    return _section("history", "Readiness over scan history", body)


def _top(items: Sequence[RankedItem], top: int) -> list[RankedItem]:
    """The first ``top`` items of the backlog proper (quantum-safe items are not work)."""
    return [i for i in items if i.wave is not Wave.MONITOR][:top]


def section_backlog(run: RiskRunRecord | None, items: Sequence[RankedItem], top: int) -> str:
    """The top of the backlog: a table, then each item's explanation."""
    title = "Top of the migration backlog"
    if run is None:
        return _section("backlog", title, [_empty(_NO_RANKING)])
    chosen = _top(items, top)
    body = ["<ul>" + "".join(f"<li>{esc(x)}</li>" for x in BacklogHeader.of(run).lines()) + "</ul>"]
    if not chosen:
        body.append(_empty("This ranking has no item to migrate: everything is quantum-safe."))
        return _section("backlog", title, body)
    body.append(
        _table(
            ["#", "score", "wave", "item", "summary"],
            [
                (n, f"{i.score:.1f}", i.wave.value, i.title, summary_line(i))
                for n, i in enumerate(chosen, start=1)
            ],
            numeric=[0, 1],
        )
    )
    for n, item in enumerate(chosen, start=1):
        body.append(
            f'<article class="item" id="item-{n}"><h3>{n}. {esc(item.title)}</h3>\n'
            f"{markdown.to_html(explain_markdown(item))}</article>"
        )
    return _section("backlog", title, body)


_NO_RANKING = "No ranking yet: run pqcscan rank (after pqcscan context load for business context)."


def _column(
    nodes: list[GraphNode], total: int, cap: int = GRAPH_COLUMN, noun: str = ""
) -> list[GraphNode]:
    """``nodes`` (the first of ``total``) fitted into ``cap`` boxes, the last saying how many
    more there are."""
    if len(nodes) == total and total <= cap:
        return nodes
    shown = nodes[: cap - 1] if total > cap else nodes
    rest = total - len(shown)
    more = f"… and {rest} more" + (f" {noun}" if noun else "")
    return [*shown, GraphNode(more, f"{rest} more not shown", "more")]


def item_graph(item: RankedItem, titles: dict[str, str]) -> str:
    """The dependency picture of one item: providers → item → services and blocked items."""
    center = GraphNode(
        f"{item.asset_type}: {item.locator}",
        f"{item.title} ({item.key}); asset {item.asset_type} {item.locator}",
        "item",
    )
    left = [
        GraphNode(titles.get(k, k), f"must finish first: {k}", "provider") for k in item.blocked_by
    ]
    services = [
        GraphNode(
            f"service {d.service} ({d.impact})",
            f"service {d.service}, impact {d.impact}" + (", mapped directly" if d.direct else ""),
            "service",
        )
        for d in item.dependants
    ]
    services_total = max(item.service_count, len(services))
    blocked = [GraphNode(titles.get(k, k), f"waits for it: {k}", "blocked") for k in item.blocks]
    # Both kinds stay visible: each gets what the other leaves, at least half a column.
    half = GRAPH_COLUMN // 2
    cap_s = max(half, GRAPH_COLUMN - len(blocked))
    cap_b = max(half, GRAPH_COLUMN - services_total)
    right = _column(services, services_total, cap_s, "services") + _column(
        blocked, len(blocked), cap_b, "items"
    )
    return svg.dependency_graph(
        center,
        _column(left, len(left), GRAPH_COLUMN, "items"),
        right,
        f"Dependencies of {item.title}",
    )


def section_dependencies(items: Sequence[RankedItem], top: int) -> str:
    """Dependency pictures of the riskiest items: their asset, services, blockers."""
    title = "Dependencies of the riskiest items"
    if not items:
        return _section("dependencies", title, [_empty(_NO_RANKING)])
    chosen = _top(items, min(top, GRAPH_ITEMS))
    if not chosen:
        return _section("dependencies", title, [_empty("No item to migrate.")])
    titles = {i.key: shorten(i.title, 60) for i in items}
    body = [
        "<p>Left: items that must finish first; middle: the item's asset; right: business "
        "services that depend on it and items that wait for it.</p>"
    ]
    for n, item in enumerate(chosen, start=1):
        body.append(f"<h3>{n}. {esc(item.title)}</h3>")
        body.append(
            f'<p class="meta">Asset: {esc(item.asset_type)} <code>{esc(item.locator)}</code>; '
            f"{item.service_count} service(s) depend on it; waits for {len(item.blocked_by)}, "
            f"blocks {len(item.blocks)} item(s).</p>"
        )
        if not (item.blocked_by or item.blocks or item.dependants or item.service_count):
            body.append(
                "<p>No service is mapped to it and it blocks nothing "
                "(map it with pqcscan context load).</p>"
            )
        body.append(item_graph(item, titles))
    return _section("dependencies", title, body)


def section_mosca(items: Sequence[RankedItem], top: int) -> str:
    """Mosca's X + Y against Z per top item."""
    title = "Mosca's inequality per top item"
    chosen = _top(items, top)
    if not chosen:
        return _section("mosca", title, [_empty(_NO_RANKING if not items else "No item.")])
    body = [
        "<p>X: years the data must stay secret (or a signature trusted); Y: years the "
        "migration takes; Z: years to the assumed CRQC. X + Y &gt; Z means already late.</p>",
        svg.mosca_bars(
            [
                MoscaBar(f"{n}. {i.title}", i.mosca.x, i.mosca.y, i.mosca.z)
                for n, i in enumerate(chosen, start=1)
            ],
            "Mosca X + Y against Z",
        ),
        _table(
            ["#", "item", "X", "Y", "Z", "X + Y − Z"],
            [
                (
                    n,
                    i.title,
                    f"{i.mosca.x:g}",
                    f"{i.mosca.y:g}",
                    f"{i.mosca.z:g}",
                    f"{i.mosca.gap:+g}",
                )
                for n, i in enumerate(chosen, start=1)
            ],
            numeric=[0, 2, 3, 4, 5],
        ),
    ]
    return _section("mosca", title, body)


def render(data: ReportInput) -> str:
    """The whole page."""
    items = list(data.items)
    meta = []
    if data.source:
        meta.append(f'<p class="meta">Inventory: {esc(data.source)}</p>')
    if data.risk_run is not None:
        r = data.risk_run
        meta.append(
            f'<p class="meta">Ranking: risk run {r.id}, profile {esc(r.profile_name)}, '
            f"as of {esc(r.as_of)}, assumed CRQC year {r.crqc_year}</p>"
        )
    meta.append(f'<p class="meta">Generated at {esc(data.generated_at or "unknown")}</p>')
    sections = [
        section_summary(data.snapshot, items),
        section_hybrid(data.snapshot),
        section_history(data.history),
        section_backlog(data.risk_run, items, data.top),
        section_dependencies(items, data.top),
        section_mosca(items, data.top),
    ]
    nav = " · ".join(
        f'<a href="#{sid}">{esc(name)}</a>'
        for sid, name in (
            ("summary", "Summary"),
            ("hybrid", "Hybrid adoption"),
            ("history", "History"),
            ("backlog", "Backlog"),
            ("dependencies", "Dependencies"),
            ("mosca", "Mosca"),
        )
    )
    notes = "".join(f"<p>{esc(n)}</p>" for n in data.notes)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(data.title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"<header>\n<h1>{esc(data.title)}</h1>\n" + "\n".join(meta) + f"\n<nav>{nav}</nav>\n"
        "</header>\n" + "\n".join(sections) + "\n"
        f"<footer>{notes}<p>Made by pqcscan. Quantum status and waves as defined in "
        "docs/data-model.md and docs/risk-model.md.</p></footer>\n</body>\n</html>\n"
    )
