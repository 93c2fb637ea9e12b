"""Plain text rendering shared by the exporters and the command line."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def table(
    headers: Sequence[str], rows: Iterable[Sequence[object]], max_width: int | None = 60
) -> str:
    """A plain aligned text table; cells longer than ``max_width`` are shortened in the
    middle (``None``: never)."""

    def cell(v: object) -> str:
        s = "" if v is None else str(v)
        if max_width is not None and len(s) > max_width:
            keep = (max_width - 1) // 2
            s = s[:keep] + "…" + s[-(max_width - 1 - keep) :]
        return s

    body = [[cell(v) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in body:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in body
    )
    return "\n".join(lines)
