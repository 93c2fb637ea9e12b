"""Small hand-written SVG charts for the HTML report: stacked bars, a share-over-runs line,
Mosca's X + Y against Z, and a layered dependency graph.

Every helper returns one ``<svg>`` element as text that is well-formed XML on its own (no
namespace declaration: inline SVG in HTML needs none, and the report references no URL).
Every text is escaped here; labels are shortened *before* escaping and the full text goes
into a ``<title>`` (a tooltip on screen). Output depends only on the arguments.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

FONT = 'font-family="system-ui, sans-serif" font-size="12"'
MUTED = "#555555"
GRID = "#cccccc"


def esc(text: object) -> str:
    """Escape text for XML/HTML content and attribute values."""
    return escape(str(text), quote=True)


def shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters with an ellipsis."""
    return text if len(text) <= width else text[: max(width - 1, 1)].rstrip() + "…"


def num(value: float) -> str:
    """A coordinate with at most one decimal, stable across platforms."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _open(width: float, height: float, label: str) -> str:
    return (
        f'<svg class="chart" width="{num(width)}" height="{num(height)}" '
        f'viewBox="0 0 {num(width)} {num(height)}" role="img" aria-label="{esc(label)}" {FONT}>'
        f"<title>{esc(label)}</title>"
    )


def _text(x: float, y: float, text: str, anchor: str = "start", extra: str = "") -> str:
    return f'<text x="{num(x)}" y="{num(y)}" text-anchor="{anchor}"{extra}>{esc(text)}</text>'


def _legend(keys: Sequence[str], colors: Mapping[str, str], y: float, width: float) -> str:
    parts: list[str] = []
    x = 0.0
    for key in keys:
        step = 28 + 7.5 * len(key)
        if x + step > width and x > 0:
            x = 0.0
            y += 18
        parts.append(
            f'<rect x="{num(x)}" y="{num(y - 10)}" width="12" height="12" '
            f'fill="{esc(colors.get(key, GRID))}"/>' + _text(x + 16, y, key)
        )
        x += step
    return "".join(parts)


def _legend_height(keys: Sequence[str], width: float) -> float:
    rows, x = 1, 0.0
    for key in keys:
        step = 28 + 7.5 * len(key)
        if x + step > width and x > 0:
            rows, x = rows + 1, 0.0
        x += step
    return 18.0 * rows


def stacked_bars(
    rows: Sequence[tuple[str, Sequence[tuple[str, int]]]],
    colors: Mapping[str, str],
    label: str,
    width: float = 720,
) -> str:
    """Horizontal stacked bars: one row per label, one segment per (key, count), counts
    written at the row's end; a legend of the keys present below the bars."""
    label_w, bar_h, gap = 150.0, 18.0, 8.0
    count_w = 60.0
    bar_w = width - label_w - count_w
    top = max((sum(c for _, c in segments) for _, segments in rows), default=0) or 1
    keys: list[str] = []
    for _, segments in rows:
        for key, count in segments:
            if count and key not in keys:
                keys.append(key)
    keys = [k for k in colors if k in keys] + [k for k in keys if k not in colors]
    legend_h = _legend_height(keys, width) if keys else 0.0
    height = len(rows) * (bar_h + gap) + 10 + legend_h
    out = [_open(width, height, label)]
    for i, (name, segments) in enumerate(rows):
        y = i * (bar_h + gap)
        out.append(_text(label_w - 6, y + 13, shorten(name, 22), "end"))
        x = label_w
        total = 0
        for key, count in segments:
            if count <= 0:
                continue
            w = bar_w * count / top
            out.append(
                f'<rect x="{num(x)}" y="{num(y)}" width="{num(max(w, 0.5))}" '
                f'height="{num(bar_h)}" fill="{esc(colors.get(key, GRID))}">'
                f"<title>{esc(f'{name}: {key} {count}')}</title></rect>"
            )
            x += w
            total += count
        out.append(_text(x + 6, y + 13, str(total)))
    if keys:
        out.append(_legend(keys, colors, len(rows) * (bar_h + gap) + 14, width))
    out.append("</svg>")
    return "".join(out)


def share_line(
    points: Sequence[tuple[str, float | None]],
    label: str,
    width: float = 720,
    height: float = 220,
    color: str = "#1b7f3b",
) -> str:
    """A line of shares (0..1) over evenly spaced points (e.g. scan runs), with a 0-100 %
    axis; a point without a value (None) breaks the line and is drawn as an open circle."""
    left, right, top, bottom = 44.0, 16.0, 12.0, 40.0
    plot_w, plot_h = width - left - right, height - top - bottom
    out = [_open(width, height, label)]
    for pct in (0, 25, 50, 75, 100):
        y = top + plot_h * (1 - pct / 100)
        out.append(
            f'<line x1="{num(left)}" y1="{num(y)}" x2="{num(width - right)}" y2="{num(y)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        out.append(_text(left - 6, y + 4, f"{pct} %", "end"))
    n = len(points)

    def xpos(i: int) -> float:
        return left + (plot_w / 2 if n == 1 else plot_w * i / (n - 1))

    segment: list[str] = []
    lines: list[list[str]] = []
    for i, (_, share) in enumerate(points):
        if share is None:
            if segment:
                lines.append(segment)
            segment = []
            continue
        segment.append(f"{num(xpos(i))},{num(top + plot_h * (1 - share))}")
    if segment:
        lines.append(segment)
    for seg in lines:
        if len(seg) > 1:
            out.append(
                f'<polyline points="{" ".join(seg)}" fill="none" stroke="{color}" '
                'stroke-width="2"/>'
            )
    step = max(1, (n + 11) // 12)  # at most about 12 axis labels
    for i, (name, share) in enumerate(points):
        x = xpos(i)
        y = top + plot_h * (1 - (share or 0.0))
        tip = f"{name}: " + (f"{share:.0%}" if share is not None else "no findings")
        fill = color if share is not None else "none"
        out.append(
            f'<circle cx="{num(x)}" cy="{num(y)}" r="4" fill="{fill}" stroke="{color}">'
            f"<title>{esc(tip)}</title></circle>"
        )
        if i % step == 0 or i == n - 1:
            out.append(_text(x, height - bottom + 18, shorten(name, 14), "middle"))
    out.append("</svg>")
    return "".join(out)


@dataclass(frozen=True, slots=True)
class MoscaBar:
    """One item's Mosca numbers (years)."""

    label: str
    x: float
    y: float
    z: float


MOSCA_COLORS = {"X (secrecy)": "#3b6ea8", "Y (migration)": "#8fb3de", "Z (to CRQC)": "#9a9a9a"}


def mosca_bars(bars: Sequence[MoscaBar], label: str, width: float = 720) -> str:
    """Per item, X + Y (stacked) against Z on one year scale; a red mark when X + Y > Z."""
    label_w, row_h = 230.0, 34.0
    value_w = 90.0
    bar_w = width - label_w - value_w
    top = max((max(b.x + b.y, b.z) for b in bars), default=0.0) or 1.0
    legend_keys = list(MOSCA_COLORS)
    height = len(bars) * row_h + 12 + _legend_height(legend_keys, width)
    out = [_open(width, height, label)]
    xs, ys, zs = MOSCA_COLORS.values()
    for i, b in enumerate(bars):
        y0 = i * row_h
        out.append(_text(label_w - 6, y0 + 17, shorten(b.label, 30), "end"))
        wx, wy, wz = (bar_w * v / top for v in (b.x, b.y, b.z))
        tip = f"{b.label}: X {b.x:g} y + Y {b.y:g} y = {b.x + b.y:g} y; Z {b.z:g} y"
        out.append(
            f'<g><title>{esc(tip)}</title><rect x="{num(label_w)}" y="{num(y0 + 2)}" '
            f'width="{num(wx)}" height="13" fill="{xs}"/>'
            f'<rect x="{num(label_w + wx)}" y="{num(y0 + 2)}" width="{num(wy)}" height="13" '
            f'fill="{ys}"/><rect x="{num(label_w)}" y="{num(y0 + 17)}" width="{num(wz)}" '
            f'height="9" fill="{zs}"/></g>'
        )
        late = b.x + b.y > b.z
        out.append(
            f'<line x1="{num(label_w + wz)}" y1="{num(y0)}" x2="{num(label_w + wz)}" '
            f'y2="{num(y0 + 28)}" stroke="{"#b00020" if late else "#333333"}" stroke-width="2"/>'
        )
        gap = b.x + b.y - b.z
        verdict = f"{gap:+.1f} y" + (" late" if late else "")
        out.append(_text(width - value_w + 6, y0 + 17, verdict))
    out.append(_legend(legend_keys, MOSCA_COLORS, len(bars) * row_h + 12, width))
    out.append("</svg>")
    return "".join(out)


@dataclass(frozen=True, slots=True)
class GraphNode:
    """A node of the dependency picture: a short label, a tooltip and a kind (colour)."""

    label: str
    tip: str
    kind: str  # "item", "provider", "service", "blocked", "more"


NODE_COLORS = {
    "item": "#f3d9a4",
    "provider": "#d6e4f5",
    "service": "#d8efd8",
    "blocked": "#f5d6d6",
    "more": "#eeeeee",
}


def dependency_graph(
    center: GraphNode,
    left: Sequence[GraphNode],
    right: Sequence[GraphNode],
    label: str,
    width: float = 760,
) -> str:
    """Three layers: ``left`` (what must finish first) → ``center`` (the item) → ``right``
    (services depending on it, items waiting for it), with arrows between the layers."""
    box_w, box_h, gap = 220.0, 30.0, 10.0
    rows = max(len(left), len(right), 1)
    height = rows * (box_h + gap) + 34
    col_x = (0.0, (width - box_w) / 2, width - box_w)
    out = [_open(width, height, label)]
    out.append(_text(col_x[0], 12, "must finish first" if left else "", extra=' fill="#555555"'))
    out.append(_text(col_x[1], 12, "the item", extra=' fill="#555555"'))
    out.append(
        _text(
            col_x[2], 12, "depends on it / waits for it" if right else "", extra=' fill="#555555"'
        )
    )

    def ys(count: int) -> list[float]:
        block = count * (box_h + gap) - gap
        start = 24 + (rows * (box_h + gap) - gap - block) / 2
        return [start + i * (box_h + gap) for i in range(count)]

    cy = ys(1)[0]

    def box(x: float, y: float, node: GraphNode) -> str:
        return (
            f'<g><title>{esc(node.tip)}</title><rect x="{num(x + 1)}" y="{num(y)}" '
            f'width="{num(box_w - 2)}" height="{num(box_h)}" rx="5" '
            f'fill="{NODE_COLORS.get(node.kind, GRID)}" stroke="#777777"/>'
            + _text(x + 8, y + 19, shorten(node.label, 30))
            + "</g>"
        )

    def edge(x1: float, y1: float, x2: float, y2: float) -> str:
        # The arrowhead is drawn, not a <marker>: no ids to clash between charts, no url().
        length = math.hypot(x2 - x1, y2 - y1) or 1.0
        ux, uy = (x2 - x1) / length, (y2 - y1) / length
        bx, by = x2 - 8 * ux, y2 - 8 * uy
        head = (
            f"{num(x2)},{num(y2)} {num(bx - 4 * uy)},{num(by + 4 * ux)} "
            f"{num(bx + 4 * uy)},{num(by - 4 * ux)}"
        )
        return (
            f'<line x1="{num(x1)}" y1="{num(y1)}" x2="{num(bx)}" y2="{num(by)}" '
            f'stroke="#666666" stroke-width="1.2"/><polygon points="{head}" fill="#666666"/>'
        )

    for y in ys(len(left)):
        out.append(edge(col_x[0] + box_w, y + box_h / 2, col_x[1], cy + box_h / 2))
    for y in ys(len(right)):
        out.append(edge(col_x[1] + box_w, cy + box_h / 2, col_x[2], y + box_h / 2))
    for y, node in zip(ys(len(left)), left, strict=True):
        out.append(box(col_x[0], y, node))
    out.append(box(col_x[1], cy, center))
    for y, node in zip(ys(len(right)), right, strict=True):
        out.append(box(col_x[2], y, node))
    out.append("</svg>")
    return "".join(out)
