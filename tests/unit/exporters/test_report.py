"""The HTML report: SVG helpers, the Markdown subset and every section on constructed data,
with hostile names, empty inventories and no ranking. ``check_page`` (a strict parser) is
shared with the integration test."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from xml.etree.ElementTree import Element

import pytest
from defusedxml.ElementTree import fromstring

from pqcscan.context.mapping import map_assets
from pqcscan.exporters.report import ReportInput, markdown, render, svg
from pqcscan.exporters.report.html import (
    item_graph,
    section_backlog,
    section_dependencies,
    section_history,
    section_hybrid,
    section_mosca,
    section_summary,
)
from pqcscan.inventory.history import RunReadiness
from pqcscan.inventory.risk_store import RiskRunRecord
from pqcscan.inventory.snapshot import Snapshot
from pqcscan.risk import RankedItem, RiskResult, load_profile, rank
from pqcscan.risk.model import Dependant, Wave
from tests.unit.risk.builders import SnapshotBuilder, worked_example

HOSTILE = "<script>alert(\"x\")</script> & 'quoted' <b>"
VOID = {"meta", "br", "img", "hr", "input", "link", "area", "base", "col", "wbr", "source"}
URL_ATTRS = {"src", "href", "xlink:href", "action", "formaction", "poster", "data", "srcset"}
BARE_AMP = re.compile(r"&(?![A-Za-z][A-Za-z0-9]*;|#[0-9]+;|#x[0-9A-Fa-f]+;)")


class StrictParser(HTMLParser):
    """Checks nesting (every element closed in order), no script, no external reference."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "script":
            self.problems.append("a <script> element")
        for name, value in attrs:
            v = (value or "").strip().lower()
            if name in URL_ATTRS and not v.startswith("#"):
                self.problems.append(f"<{tag} {name}={value!r}>: not a fragment reference")
            if "url(" in v or "@import" in v or "http:" in v or "https:" in v:
                self.problems.append(f"<{tag} {name}={value!r}>: an external reference")
            if v.startswith("//"):
                self.problems.append(f"<{tag} {name}={value!r}>: a protocol-relative URL")
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}>: event handler")
        if tag not in VOID:
            self.stack.append(tag)
        self._in_style = tag == "style"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)
        else:
            self.text.append(data)


def check_page(page: str) -> StrictParser:
    """Fail unless ``page`` is well-formed, self-contained and every SVG is valid XML."""
    parser = StrictParser()
    parser.feed(page)
    parser.close()
    assert page.startswith("<!DOCTYPE html>")
    assert not parser.problems, parser.problems
    assert parser.stack == [], f"unclosed: {parser.stack}"
    assert not BARE_AMP.search(page), page[BARE_AMP.search(page).start() - 40 :][:80]  # type: ignore[union-attr]
    # Text may cite a URL (the deadlines do); markup and CSS may not reference one.
    assert parser.styles, "no inline CSS"
    for css in parser.styles:
        for needle in ("http:", "https:", "@import", "url(", "//"):
            assert needle not in css.lower(), needle
    svgs = re.findall(r"<svg\b.*?</svg>", page, flags=re.S)
    assert len(svgs) == parser.tags.count("svg")
    for chunk in svgs:
        root = fromstring(chunk)
        assert root.tag == "svg"
    return parser


def xml(chunk: str) -> Element:
    root: Element = fromstring(chunk)
    return root


# -- SVG helpers -----------------------------------------------------------------------------


def test_stacked_bars_proportional_escaped_and_valid() -> None:
    chart = svg.stacked_bars(
        [("all", [("a", 30), ("b", 10)]), (HOSTILE, [("a", 0), ("b", 20)])],
        {"a": "#111111", "b": "#222222"},
        "bars & <things>",
    )
    root = xml(chart)
    bars = [r for r in root.iter("rect") if r.find("title") is not None]
    assert len(bars) == 3  # the zero segment is not drawn
    widths = [float(r.get("width", "0")) for r in bars]
    assert widths[0] == pytest.approx(3 * widths[1], rel=0.01)
    assert widths[0] + widths[1] == pytest.approx(720 - 150 - 60, rel=0.01)  # the longest row
    assert "<script>" not in chart and "&lt;script&gt;" in chart
    titles = [t.text for t in root.iter("title")]
    assert f"{HOSTILE}: b 20" in titles  # the full text in the tooltip
    labels = [t.text or "" for t in root.iter("text")]
    assert any(label.endswith("…") for label in labels)  # the long label is shortened
    assert "40" in labels and "20" in labels
    legend = [r for r in root.iter("rect") if r.find("title") is None]
    assert [r.get("fill") for r in legend] == ["#111111", "#222222"]


def test_share_line_breaks_on_missing_values_and_scales() -> None:
    chart = svg.share_line([("r1", 0.0), ("r2", 1.0), ("r3", None), ("r4", 0.5)], "share")
    root = xml(chart)
    lines = list(root.iter("polyline"))
    assert len(lines) == 1  # r4 stands alone after the gap
    (p1, p2) = [tuple(map(float, p.split(","))) for p in lines[0].get("points", "").split()]
    assert p1[1] > p2[1]  # 0 % is lower on the page than 100 %
    circles = list(root.iter("circle"))
    assert [c.get("fill") for c in circles].count("none") == 1
    assert xml(svg.share_line([("only", 0.25)], "one")).find("circle") is not None
    assert xml(svg.share_line([], "none")).find("circle") is None


def test_mosca_bars_mark_late_items() -> None:
    chart = svg.mosca_bars(
        [svg.MoscaBar("late", 10, 5, 9), svg.MoscaBar("on time", 1, 2, 9)], "mosca"
    )
    root = xml(chart)
    marks = [ln.get("stroke") for ln in root.iter("line")]
    assert marks == ["#b00020", "#333333"]
    texts = [t.text for t in root.iter("text")]
    assert "+6.0 y late" in texts and "-6.0 y" in texts


def test_dependency_graph_layers_and_arrows() -> None:
    node = svg.GraphNode
    chart = svg.dependency_graph(
        node("item " + HOSTILE, HOSTILE, "item"),
        [node("provider", "p", "provider")],
        [node("svc a", "a", "service"), node("svc b", "b", "service"), node("x", "x", "blocked")],
        "graph",
    )
    root = xml(chart)
    assert len(list(root.iter("line"))) == 4 == len(list(root.iter("polygon")))
    boxes = [r.get("fill") for r in root.iter("rect")]
    assert boxes == [
        svg.NODE_COLORS[k] for k in ("provider", "item", "service", "service", "blocked")
    ]
    assert "url(" not in chart and " id=" not in chart  # no markers, no ids to clash


# -- Markdown --------------------------------------------------------------------------------


def test_markdown_subset_is_escaped() -> None:
    text = (
        f"**bold {HOSTILE}** and *em* and `code <x> **not bold**`\n\n"
        "| a | b |\n|---|---:|\n| x \\| y | <i>z</i> |\n\n- one & two\n- `three`\n"
    )
    html = markdown.to_html(text)
    assert "<strong>bold &lt;script&gt;" in html
    assert "<em>em</em>" in html
    assert "<code>code &lt;x&gt; **not bold**</code>" in html
    assert "<td>x | y</td><td>&lt;i&gt;z&lt;/i&gt;</td>" in html
    assert "<ul><li>one &amp; two</li><li><code>three</code></li></ul>" in html
    assert "<script>" not in html and "<i>" not in html
    assert markdown.inline("a `b") == "a `b"  # an unmatched backtick stays text


# -- sections on constructed data -------------------------------------------------------------


def hostile_snapshot() -> Snapshot:
    b = SnapshotBuilder()
    root = b.certificate(HOSTILE, ("RSA", "2048"), ca=True)
    cert = b.certificate("web & co", ("ECDSA", "P-256"), root)
    e1 = b.endpoint(
        HOSTILE, "10.0.0.1", groups=[("X25519MLKEM768", ""), ("X25519", "")], versions=["1.3"]
    )
    e2 = b.endpoint("plain", "10.0.0.2", groups=[("ECDH", "P-256")])
    b.endpoint("ssh", "10.0.0.3", 22, groups=[("sntrup761x25519", "")], protocol="ssh")
    b.link(e1, "presents", cert)
    b.link(e2, "presents", cert)
    return b.build()


@pytest.fixture(scope="module")
def ranked() -> RiskResult:
    w = worked_example()
    return rank(
        w.snapshot, w.contexts, map_assets(w.snapshot, w.contexts), load_profile(), date(2026, 1, 1)
    )


def risk_run_record(result: RiskResult) -> RiskRunRecord:
    return RiskRunRecord(
        7,
        datetime(2026, 1, 1, tzinfo=UTC),
        result.model_version,
        result.profile_name,
        result.profile_sha256,
        result.context_name,
        result.context_sha256,
        result.as_of.isoformat(),
        result.crqc_year,
        len(result.items),
        {},
    )


def history() -> list[RunReadiness]:
    at = datetime(2026, 1, 1, 10, tzinfo=UTC)
    return [
        RunReadiness(1, "certs", at, {"quantum-vulnerable": 3, "hybrid": 1}),
        RunReadiness(2, "tls", at, {}),
        RunReadiness(3, "code", at, {"quantum-safe": 2, "quantum-vulnerable": 2}),
    ]


def test_summary_counts_by_status_type_and_wave(ranked: RiskResult) -> None:
    snap = hostile_snapshot()
    html = section_summary(snap, ranked.items)
    n = len(snap.findings)
    assert f'<span class="kpi">{n}</span> findings on {len(snap.assets)} assets' in html
    ready = sum(1 for f in snap.findings if f.quantum_status in ("hybrid", "quantum-safe"))
    assert f"{ready / n:.0%}</span> quantum-safe or hybrid" in html
    waves = {w: sum(1 for i in ranked.items if i.wave is w) for w in Wave}
    for wave, count in waves.items():
        if count:
            assert f'<td>{wave.value}</td><td class="n">{count}</td>' in html
    assert html.count("<svg") == 2


def test_hybrid_adoption_counts_tls_endpoints_only() -> None:
    html = section_hybrid(hostile_snapshot())
    assert '<span class="kpi">1 of 2</span> TLS endpoints (50%)' in html
    assert "<td>X25519MLKEM768</td>" in html
    assert "sntrup761x25519" not in html  # an SSH endpoint is not a TLS endpoint
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "pqcscan scan tls" in section_hybrid(Snapshot((), (), ()))


def test_history_section_shares() -> None:
    html = section_history(history())
    assert '<td class="n">25%</td>' in html and '<td class="n">50%</td>' in html
    assert '<td class="n">-</td>' in html  # a run that saw nothing has no share
    assert "No completed scan run" in section_history([])


def test_backlog_dependencies_and_mosca_sections(ranked: RiskResult) -> None:
    run = risk_run_record(ranked)
    work = [i for i in ranked.items if i.wave is not Wave.MONITOR]
    html = section_backlog(run, ranked.items, 2)
    assert html.count('<article class="item"') == 2
    assert "risk run 7, model" in html and "<table>" in html  # the explanation's factor table
    assert work[0].title in html or svg.esc(work[0].title) in html
    deps = section_dependencies(ranked.items, 15)
    assert deps.count("<svg") == min(len(work), 5)
    mosca = section_mosca(ranked.items, 3)
    assert mosca.count("<g><title>") == 3
    gap = work[0].mosca.gap
    assert f'<td class="n">{gap:+g}</td>' in mosca


def test_item_graph_shows_services_providers_and_blocked(ranked: RiskResult) -> None:
    item = ranked.items[0]
    many = replace(
        item,
        dependants=tuple(Dependant(f"svc-{n}", 5 - n % 5, n == 0) for n in range(8)),
        service_count=12,
        blocks=tuple(f"k{n}" for n in range(5)),
        blocked_by=("p1",),
    )
    root = xml(item_graph(many, {"p1": "provider one", "k0": "blocked zero"}))
    labels = [t.text or "" for t in root.iter("text")]
    assert "provider one" in labels and "blocked zero" in labels
    assert "… and 10 more services" in labels and "… and 3 more items" in labels
    assert len(list(root.iter("rect"))) == 1 + 1 + 3 + 3  # provider, item, 2+more, 2+more


def test_whole_page_hostile_deterministic_and_well_formed(ranked: RiskResult) -> None:
    snap = hostile_snapshot()
    # Items carrying hostile text everywhere a person reads it.
    items: list[RankedItem] = [
        replace(i, title=f"{HOSTILE} {i.title}", locator=HOSTILE, evidence=(HOSTILE,))
        for i in ranked.items
    ]
    data = ReportInput(
        snap,
        history(),
        risk_run_record(ranked),
        items,
        15,
        "2026-01-01 10:00:00 UTC",
        source=HOSTILE,
    )
    page = render(data)
    assert page == render(data)
    parser = check_page(page)
    assert "script" not in parser.tags
    text = "".join(parser.text)
    assert HOSTILE in text  # shown as text, intact
    assert "Generated at 2026-01-01 10:00:00 UTC" in text
    for sid in ("summary", "hybrid", "history", "backlog", "dependencies", "mosca"):
        assert f'<section id="{sid}">' in page
    assert "@media print" in page and "break-before: page" in page


def test_empty_inventory_and_no_ranking_say_what_to_run() -> None:
    page = render(ReportInput(Snapshot((), (), ()), [], None, [], 15, "never"))
    check_page(page)
    assert "pqcscan scan certs PATH" in page
    assert page.count("No ranking yet: run pqcscan rank") == 4
    assert "No completed scan run yet" in page
    assert "<svg" not in page


@pytest.mark.parametrize(
    "bad",
    [
        '<img src="https://cdn.example/x.png">',
        '<a href="//cdn.example/x">x</a>',
        "<script>1</script>",
        '<div style="background: url(x.png)">x</div>',
        "<style>@import 'x.css';</style>",
        "<div><span></div></span>",
        "<p>a & b</p>",
        "<svg><rect></svg>",
    ],
)
def test_check_page_rejects_what_it_must(bad: str) -> None:
    good = render(ReportInput(Snapshot((), (), ()), [], None, [], 15, "never"))
    check_page(good)
    with pytest.raises(Exception):  # noqa: B017 (an assertion or an XML parse error)
        check_page(good.replace("<footer>", bad + "<footer>"))
