"""Fast bulk writes for the run recorder's hot statements.

SQLAlchemy's ``execute(stmt, rows)`` re-processes every bound value of every row in Python,
which costs more than SQLite's own work when a scan writes tens of thousands of rows a
second. :class:`BulkStatement` compiles the Core statement once for the dialect, converts
values with the dialect's own bind processors (so stored values are exactly what
SQLAlchemy would store), fits text to the length of its ``VARCHAR`` column
(:func:`~pqcscan.inventory.rows.fit`), converts values shared by the whole batch (run id,
timestamps) once per batch, and hands the rows to the DB-API ``executemany``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, String
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.expression import Executable

from pqcscan.inventory.rows import fit

Processor = Callable[[Any], Any]


def _fitting(length: int, then: Processor | None) -> Processor:
    """A processor that fits text to a ``VARCHAR(length)`` column (:func:`rows.fit`): the
    same stored value on SQLite, which would take any length, and PostgreSQL, which would
    refuse the batch."""

    def process(value: Any) -> Any:
        if isinstance(value, str) and len(value) * 4 > length:
            value = fit(value, length)
        return then(value) if then is not None else value

    return process


class BulkStatement:
    """A statement compiled once per dialect, executed with many rows."""

    def __init__(self, dialect: Dialect, stmt: Executable, encoded: Sequence[str] = ()) -> None:
        """``encoded``: JSON columns whose values arrive already encoded as JSON text (the
        very text SQLAlchemy's JSON type would produce), so their processor is skipped."""
        compiled = stmt.compile(dialect=dialect)  # type: ignore[attr-defined]
        self.sql: str = compiled.string
        self.positional: bool = bool(compiled.positional)
        self.names: list[str] = (
            list(compiled.positiontup) if compiled.positional else list(compiled.binds)
        )
        self.processors: dict[str, Processor] = {}
        for name in self.names:
            bind = compiled.binds[name]
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None and name not in encoded:
                self.processors[name] = processor
            length = getattr(bind.type, "length", None)
            if isinstance(bind.type, String) and length:
                self.processors[name] = _fitting(length, self.processors.get(name))

    def execute(
        self,
        conn: Connection,
        rows: Sequence[Mapping[str, Any]],
        shared: Mapping[str, Any] | None = None,
    ) -> None:
        """Insert ``rows``; ``shared`` holds values common to every row (converted once)."""
        if not rows:
            return
        common = {
            name: self.processors[name](value) if name in self.processors else value
            for name, value in (shared or {}).items()
        }
        per_row = [n for n in self.names if n not in common and n in self.processors]
        params: list[Any] = []
        for row in rows:
            values = {**row, **common}
            for name in per_row:
                values[name] = self.processors[name](values[name])
            params.append(tuple(values[n] for n in self.names) if self.positional else values)
        conn.exec_driver_sql(self.sql, params)
