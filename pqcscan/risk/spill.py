"""Work items kept on disk while ranking: an append-only temporary file of pickled records.

At a million findings the work items, their findings and their scores are most of a
ranking's memory, yet each is read only twice: once to score it, once to render it.
:class:`Spill` keeps them in an unnamed temporary file (``tempfile.TemporaryFile``: removed
when it is closed or the process ends; ``TMPDIR`` chooses the folder) and hands back an
index per record; scheduling works on the small :class:`~pqcscan.risk.items.ItemHead` of
each item instead. Records are plain values (:meth:`~pqcscan.risk.items.WorkItem.packed`):
pickling them is all C; what many items share is numbered in a :class:`Shared`.
"""

from __future__ import annotations

import io
import os
import pickle
import tempfile
from array import array
from collections.abc import Hashable
from pathlib import Path
from typing import Any

from pqcscan.errors import SpillError

#: Bytes buffered before a write.
_BUFFER = 1 << 20


class Shared:
    """Records that many spilled items share (a service's ``Dependant``, a set of
    deadlines): kept once in memory, stored in a record by number."""

    __slots__ = ("_numbers", "_records")

    def __init__(self) -> None:
        self._numbers: dict[Hashable, int] = {}
        self._records: list[Any] = []

    def number(self, record: Hashable) -> int:
        found = self._numbers.get(record)
        if found is None:
            found = self._numbers[record] = len(self._records)
            self._records.append(record)
        return found

    def __getitem__(self, number: int) -> Any:
        return self._records[number]


class Spill:
    """Records appended to a temporary file, read back by index (any order, any times)."""

    def __init__(self, folder: Path | None = None) -> None:
        """A new spill in ``folder`` (default: the temporary folder, ``TMPDIR``)."""
        self._folder = str(folder) if folder is not None else tempfile.gettempdir()
        try:
            self._file = tempfile.TemporaryFile(prefix="pqcscan-rank-", dir=self._folder)  # noqa: SIM115 (closed by close())
        except OSError as exc:
            raise self._error(exc) from exc
        self._ends = array("Q", [0])
        self._written = 0  # bytes in the file; the rest of the records are in ``_pending``
        self._pending = io.BytesIO()

    def __len__(self) -> int:
        return len(self._ends) - 1

    def put(self, record: Any) -> int:
        """Append ``record``; returns its index."""
        pickle.dump(record, self._pending, protocol=pickle.HIGHEST_PROTOCOL)
        buffered = self._pending.tell()
        self._ends.append(self._written + buffered)
        if buffered >= _BUFFER:
            self._flush()
        return len(self._ends) - 2

    def _error(self, exc: OSError) -> SpillError:
        return SpillError(
            f"ranking: cannot write its temporary file in {self._folder} "
            f"({exc.strerror or exc}); set TMPDIR to a folder with room (~1 KB per item)"
        )

    def _flush(self) -> None:
        data = self._pending.getbuffer()
        try:
            self._file.write(data)
            self._file.flush()
        except OSError as exc:
            raise self._error(exc) from exc
        self._written += len(data)
        del data
        self._pending.seek(0)
        self._pending.truncate()

    def get(self, index: int) -> Any:
        """The record ``put`` returned ``index`` for (a new copy)."""
        start, end = self._ends[index], self._ends[index + 1]
        if end > self._written:
            self._flush()
        data = os.pread(self._file.fileno(), end - start, start)
        return pickle.loads(data)

    def close(self) -> None:
        self._file.close()
