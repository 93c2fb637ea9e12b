"""Rendering records as an aligned table, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

from pqcscan.exporters.text import table

__all__ = ["table", "to_json"]


def to_json(document: Any) -> str:
    return json.dumps(document, indent=2, sort_keys=False, ensure_ascii=False)


def csv_text(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue()
