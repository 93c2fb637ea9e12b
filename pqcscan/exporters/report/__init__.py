"""The HTML report (``pqcscan report``): one self-contained page with inline CSS and SVG.

- :mod:`.html`: :class:`ReportInput` (plain records) and :func:`render`, one function per section;
- :mod:`.svg`: small hand-written charts (stacked bars, a share line, Mosca bars, a graph);
- :mod:`.markdown`: the risk explanations' Markdown subset as escaped HTML.
"""

from __future__ import annotations

from pqcscan.exporters.report.html import ReportInput, render

__all__ = ["ReportInput", "render"]
