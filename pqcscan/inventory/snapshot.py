"""A plain, read-only snapshot of the inventory for the risk model and the exporters.

ORM rows never leave the inventory package: :func:`load_snapshot` reads assets, findings and
links once, in id order, into frozen values. Rows are streamed (``yield_per``: a server-side
cursor on PostgreSQL). Findings are stored in columns (:class:`FindingTable`: ids in arrays,
each distinct string once; ~50 bytes a finding where a view and its id cost ~190); a
:class:`FindingView` is made when one is read. In assets and links, repeated strings (types,
relations, detail keys and short values) are interned, links hold their assets' own id
``int`` objects, and a locator equal to the fingerprint (a name equal to the locator) is the
same ``str``. Everything downstream is pure functions over it.
"""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

from sqlalchemy import Engine, select

from pqcscan.inventory.models import ASSET_LINKS, ASSETS, FINDINGS


@dataclass(frozen=True, slots=True)
class AssetView:
    id: int
    type: str  # pqcscan.results.AssetType values
    fingerprint: str
    locator: str
    name: str
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class FindingView:
    id: int
    asset_id: int
    algorithm: str
    parameter: str
    usage: str  # pqcscan.results.Usage values
    quantum_status: str  # pqcscan.catalog.QuantumStatus values
    classical_bits: int | None
    nist_category: int | None
    identifier: str | None
    location: str  # where it was seen (evidence location)
    method: str  # how (evidence method)


#: ``classical_bits`` / ``nist_category`` of None in a :class:`FindingTable` column.
_NONE = -1


class FindingTable(Sequence[FindingView]):
    """Findings in columns: ids in ``array``s, repeated strings as codes into one list of
    distinct strings. Reads as a sequence of :class:`FindingView` (made on each read)."""

    __slots__ = (
        "_algorithm",
        "_asset_id",
        "_bits",
        "_codes",
        "_id",
        "_identifier",
        "_location",
        "_method",
        "_nist",
        "_parameter",
        "_status",
        "_strings",
        "_usage",
    )

    def __init__(self, findings: Iterable[FindingView] = ()) -> None:
        self._strings: list[str | None] = [None]
        self._codes: dict[str | None, int] | None = {None: 0}
        self._id = array("q")
        self._asset_id = array("q")
        self._algorithm = array("I")
        self._parameter = array("I")
        self._usage = array("I")
        self._status = array("I")
        self._bits = array("q")
        self._nist = array("b")
        self._identifier = array("I")
        self._location = array("I")
        self._method = array("I")
        for f in findings:
            self.append(f)
        self.freeze()

    def _code(self, text: str | None) -> int:
        codes = self._codes
        if codes is None:
            raise TypeError("a FindingTable is read-only once frozen")
        code = codes.get(text)
        if code is None:
            code = codes[text] = len(self._strings)
            self._strings.append(text)
        return code

    def append(self, f: FindingView) -> None:
        """Add a finding (while loading; see :meth:`freeze`)."""
        code = self._code
        self._id.append(f.id)
        self._asset_id.append(f.asset_id)
        self._algorithm.append(code(f.algorithm))
        self._parameter.append(code(f.parameter))
        self._usage.append(code(f.usage))
        self._status.append(code(f.quantum_status))
        self._bits.append(_NONE if f.classical_bits is None else f.classical_bits)
        self._nist.append(_NONE if f.nist_category is None else f.nist_category)
        self._identifier.append(code(f.identifier))
        self._location.append(code(f.location))
        self._method.append(code(f.method))

    def freeze(self) -> None:
        """Drop the string index used while appending."""
        self._codes = None

    def __len__(self) -> int:
        return len(self._id)

    @overload
    def __getitem__(self, index: int) -> FindingView: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[FindingView]: ...
    def __getitem__(self, index: int | slice) -> FindingView | Sequence[FindingView]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self))))
        text = self._strings
        bits, nist = self._bits[index], self._nist[index]
        return FindingView(
            self._id[index],
            self._asset_id[index],
            text[self._algorithm[index]],  # type: ignore[arg-type]
            text[self._parameter[index]],  # type: ignore[arg-type]
            text[self._usage[index]],  # type: ignore[arg-type]
            text[self._status[index]],  # type: ignore[arg-type]
            None if bits == _NONE else bits,
            None if nist == _NONE else nist,
            text[self._identifier[index]],
            text[self._location[index]],  # type: ignore[arg-type]
            text[self._method[index]],  # type: ignore[arg-type]
        )

    def __iter__(self) -> Iterator[FindingView]:
        for i in range(len(self)):
            yield self[i]

    def ids(self) -> Sequence[int]:
        """The id column (do not change it)."""
        return self._id

    def asset_ids(self) -> Sequence[int]:
        """The asset id column (do not change it)."""
        return self._asset_id

    def by_id(self, finding_id: int) -> FindingView:
        """The finding with this id (the table must be in id order, as loaded)."""
        ids = self._id
        index = bisect_left(ids, finding_id)
        if index == len(ids) or ids[index] != finding_id:
            raise KeyError(finding_id)
        return self[index]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"FindingTable({len(self)} findings)"


@dataclass(frozen=True, slots=True)
class LinkView:
    source_id: int
    relation: str  # pqcscan.results.Relation values
    target_id: int


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything the risk model reads from the inventory."""

    assets: tuple[AssetView, ...]
    #: A :class:`FindingTable` from :func:`load_snapshot`; any sequence in tests.
    findings: Sequence[FindingView]
    links: tuple[LinkView, ...]


#: Rows fetched per round trip while streaming.
YIELD_PER = 10_000
#: Detail values up to this length are interned (types, protocols, dates, vendors...).
_INTERN_MAX = 64


def _interned(value: Any) -> Any:
    intern = sys.intern
    if isinstance(value, str):
        return intern(value) if len(value) <= _INTERN_MAX else value
    if isinstance(value, dict):
        return {intern(str(k)): _interned(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_interned(v) for v in value]
    return value


def load_snapshot(engine: Engine) -> Snapshot:
    """Read the whole inventory, deterministically ordered by id."""
    a, f, lk = ASSETS, FINDINGS, ASSET_LINKS
    intern = sys.intern
    #: Each asset id once: findings and links refer to the same ``int`` objects.
    ids: dict[int, int] = {}
    with engine.connect() as conn:
        conn = conn.execution_options(yield_per=YIELD_PER)
        assets = tuple(
            AssetView(
                ids.setdefault(row.id, row.id),
                intern(row.type),
                row.fingerprint,
                row.fingerprint if row.locator == row.fingerprint else row.locator,
                row.locator if row.name == row.locator and row.name else row.name,
                _interned(row.details or {}),
            )
            for row in conn.execute(
                select(
                    a.c.id, a.c.type, a.c.fingerprint, a.c.locator, a.c.name, a.c.details
                ).order_by(a.c.id)
            )
        )
        findings = FindingTable(
            FindingView(
                row.id,
                row.asset_id,
                row.algorithm,
                row.parameter,
                row.usage,
                row.quantum_status,
                row.classical_bits,
                row.nist_category,
                row.identifier,
                str(row.evidence.get("location", "")),
                str(row.evidence.get("method", "")),
            )
            for row in conn.execute(
                select(
                    f.c.id,
                    f.c.asset_id,
                    f.c.algorithm,
                    f.c.parameter,
                    f.c.usage,
                    f.c.quantum_status,
                    f.c.classical_bits,
                    f.c.nist_category,
                    f.c.identifier,
                    f.c.evidence,
                ).order_by(f.c.id)
            )
        )
        links = tuple(
            LinkView(
                ids.get(row.source_id, row.source_id),
                intern(row.relation),
                ids.get(row.target_id, row.target_id),
            )
            for row in conn.execute(
                select(lk.c.source_id, lk.c.relation, lk.c.target_id).order_by(
                    lk.c.source_id, lk.c.relation, lk.c.target_id
                )
            )
        )
    return Snapshot(assets, findings, links)
