"""The benchmarks' one summary table.

Each ``bench_*.py`` takes ``--json FILE`` (default: the ``PQCSCAN_BENCH_JSON`` environment
variable) and appends its headline figures to that file as JSON lines, one per figure::

    {"benchmark": "rank 1M", "figure": "peak RSS", "value": 812.0, "unit": "MiB",
     "baseline": "bare SQLite read 312 MiB", "ratio": 2.6, "target": "< 1024 MiB", "met": true}

``bench/run`` points every script at one file and ends with ``python bench/table.py FILE``,
which prints them as one table: benchmark, figure, value, baseline, ratio, target, met?.
Scripts stay runnable alone (without ``--json`` they write nothing).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

ENV = "PQCSCAN_BENCH_JSON"
COLUMNS = ("benchmark", "figure", "value", "baseline", "ratio", "target", "met?")


def add_json_option(parser: argparse.ArgumentParser) -> None:
    """``--json FILE``: append the headline figures there (default ``$PQCSCAN_BENCH_JSON``)."""
    parser.add_argument(
        "--json",
        metavar="FILE",
        type=Path,
        default=Path(os.environ[ENV]) if os.environ.get(ENV) else None,
        help=f"append headline figures as JSON lines (default: ${ENV})",
    )


def emit(
    path: Path | None,
    benchmark: str,
    figure: str,
    value: float,
    unit: str = "",
    *,
    baseline: str = "",
    ratio: float | None = None,
    target: str = "",
    met: bool | None = None,
) -> None:
    """Append one figure to ``path`` (nothing when ``path`` is None)."""
    if path is None:
        return
    record = {
        "benchmark": benchmark,
        "figure": figure,
        "value": value,
        "unit": unit,
        "baseline": baseline,
        "ratio": ratio,
        "target": target,
        "met": met,
    }
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(record) + "\n")


def _number(value: float) -> str:
    if value >= 100 or value == int(value):
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def rows(records: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    """The table's cells, in the order the records were written."""
    out: list[tuple[str, ...]] = []
    for r in records:
        value = f"{_number(float(r['value']))} {r.get('unit') or ''}".rstrip()
        ratio = r.get("ratio")
        met = r.get("met")
        out.append(
            (
                str(r["benchmark"]),
                str(r["figure"]),
                value,
                str(r.get("baseline") or ""),
                "" if ratio is None else f"{float(ratio):.2f}",
                str(r.get("target") or ""),
                "" if met is None else "yes" if met else "NO",
            )
        )
    return out


def render(records: list[dict[str, Any]]) -> str:
    """A plain-text table (Markdown pipes, so it can be pasted into docs/performance.md)."""
    cells = [COLUMNS, *rows(records)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(COLUMNS))]
    lines = []
    for n, row in enumerate(cells):
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
        if n == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def read(path: Path) -> list[dict[str, Any]]:
    """The records of a JSON-lines file (a missing file has none; bad lines are skipped)."""
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and "benchmark" in record and "value" in record:
            out.append(record)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description="print the benchmarks' JSON lines as one table")
    ap.add_argument("file", type=Path)
    args = ap.parse_args()
    records = read(args.file)
    if not records:
        print(f"no benchmark figures in {args.file}", file=sys.stderr)
        raise SystemExit(1)
    print(render(records))
    missed = sum(1 for r in records if r.get("met") is False)
    print(f"\n{len(records)} figures; {missed} target(s) not met")


if __name__ == "__main__":
    main()
