"""Declared collector: hardware and supplier items that no scanner can see, from a CSV file.

HSMs, payment HSMs, network appliances, ATMs and POS terminals, mainframe crypto cards and
vendor products are declared by the people who run them (``pqcscan import assets FILE.csv``).
Each CSV row becomes one ``hardware`` asset whose details hold what was declared (never
secrets: unknown columns are refused), and one finding per declared algorithm, classified
through the catalog like any observed one (``RSA-2048``, ``ECDSA P-256``, ``AES-256``,
``3DES``, ``ML-DSA-65``, optionally with its use: ``RSA-2048 (signature)``). A name the
catalog does not know becomes an ``unknown`` finding carrying the raw text, never a guess;
a row declaring no algorithm gets one ``unknown`` finding too (an evidence gap to close with
the vendor).

Units are the CSV's rows (``FILE:LINE``), so an import is a scan run with history and
``--resume``. A bad row (unknown kind, bad date, unknown usage, duplicate id) becomes an
error item naming its line; the other rows still import. The file format is in
``docs/context.md``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import ClassVar

from pqcscan.catalog import Catalog, Classification, QuantumStatus, get_catalog
from pqcscan.context.problems import ContextError, Problem, suggest
from pqcscan.results import (
    USAGE_BY_PRIMITIVE,
    Asset,
    AssetKey,
    AssetType,
    CollectedItem,
    DetailValue,
    ErrorKind,
    Evidence,
    Finding,
    ScanError,
    Usage,
)

COLLECTOR = "declared"

COLUMNS = (
    "id",
    "kind",
    "name",
    "vendor",
    "product",
    "version",
    "location",
    "algorithms",
    "support_end",
    "pqc_roadmap",
    "tags",
    "owner",
    "vendor_controlled",
    "count",
    "notes",
)
#: What a declared item may be. The risk model's default migration times key on these.
KINDS = (
    "hsm",
    "payment-hsm",
    "appliance",
    "load-balancer",
    "firewall",
    "vpn",
    "router",
    "atm",
    "pos",
    "mainframe",
    "crypto-card",
    "smartcard",
    "embedded",
    "product",
    "other",
)
#: Words accepted for a declared algorithm's use, besides the usage names themselves.
USAGE_ALIASES = {
    "kex": Usage.KEY_EXCHANGE,
    "key-agreement": Usage.KEY_EXCHANGE,
    "key-transport": Usage.KEY_EXCHANGE,
    "key-establishment": Usage.KEY_EXCHANGE,
    "sign": Usage.SIGNATURE,
    "signing": Usage.SIGNATURE,
    "auth": Usage.AUTHENTICATION,
    "key-wrapping": Usage.ENCRYPTION,
    "wrapping": Usage.ENCRYPTION,
    "pin": Usage.ENCRYPTION,
    "digest": Usage.HASH,
}
#: Families that both sign and encrypt: without a declared use, the use is not known.
_DUAL_USE = frozenset({"RSA"})
_USAGE = re.compile(r"^(?P<name>.*?)\s*\((?P<usage>[^()]*)\)\s*$")
_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})


@dataclass(frozen=True, slots=True)
class DeclaredRow:
    """One CSV row: the unit of the declared collector."""

    path: str  # the file, absolute
    line: int
    cells: tuple[tuple[str, str], ...]  # (column, value), non-empty values only
    #: Line of an earlier row with the same id (a duplicate), or 0.
    duplicate_of: int = 0
    #: A problem found while reading the file itself (an unreadable or changed file).
    problem: str = ""


def read_header(path: Path) -> list[str]:
    """The normalised header of a declared-assets CSV; raises ContextError when unusable.

    Called before a scan run starts, so a wrong file is a usage error (exit 2), not a run.
    """
    display = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ContextError([Problem(display, "no such file")]) from None
    except UnicodeDecodeError as exc:
        raise ContextError([Problem(display, f"not UTF-8 text ({exc.reason})")]) from None
    except OSError as exc:
        raise ContextError([Problem(display, f"cannot read: {exc.strerror}")]) from None
    for line, row in _rows(text, display):
        header = [_column(c) for c in row]
        problems = _header_problems(header)
        if problems:
            raise ContextError(Problem(f"{display}:{line}", p) for p in problems)
        return header
    raise ContextError([Problem(f"{display}:1", "empty CSV file: no header")])


def _column(name: str) -> str:
    return re.sub(r"[\s-]+", "_", name.strip().lower())


def _header_problems(header: list[str]) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for column in header:
        if not column:
            out.append("a column without a name")
        elif column in seen:
            out.append(f"duplicate column {column!r}")
        elif column not in COLUMNS:
            out.append(f"unknown column {column!r}{suggest(column, COLUMNS)}")
        seen.add(column)
    if "kind" not in seen:
        out.append("missing required column 'kind'")
    if "id" not in seen and not {"vendor", "product"} <= seen:
        out.append("needs an 'id' column, or 'vendor' and 'product' columns")
    return out


def _rows(text: str, display: str) -> Iterator[tuple[int, list[str]]]:
    """(first line, cells) of each non-blank, non-comment CSV record; ContextError for text
    the csv module cannot read (a field over its size limit, a NUL byte)."""
    reader = csv.reader(io.StringIO(text))
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ContextError([Problem(f"{display}:{start}", f"not valid CSV: {exc}")]) from None
        if any(c.strip() for c in row) and not row[0].lstrip().startswith("#"):
            yield start, row


def _usage(word: str) -> Usage | None:
    key = re.sub(r"[\s_]+", "-", word.strip().lower())
    try:
        return Usage(key)
    except ValueError:
        return USAGE_ALIASES.get(key)


def classify_declared(catalog: Catalog, text: str) -> Classification:
    """Classify a declared algorithm name: ``RSA-2048``, ``RSA 2048``, ``ECDSA P-256``,
    ``AES-256-GCM``, ``3DES``, ``ML-DSA-65``, ``2048-bit RSA``...

    Only an exact catalog name, or a catalog algorithm with a parameter it knows, is
    accepted; anything else is ``unknown`` with the raw text as its parameter.
    """
    raw = " ".join(text.split())
    cleaned = re.sub(r"(?i)[\s-]*bits?\b", "", raw).strip()
    m = re.match(r"^(\d+)\s+(.+)$", cleaned)  # "2048 RSA" (after "2048-bit RSA")
    if m:
        cleaned = f"{m.group(2)} {m.group(1)}"
    ident = f"declared:{raw}"
    for candidate in dict.fromkeys((cleaned, cleaned.replace(" ", "-"))):
        c = catalog.classify(candidate, identifier=ident)
        if c.known:
            return c
    # "ECDSA P-256", "ECDSA-P-384", "RSA 4096": an algorithm, then a parameter it knows
    for m in re.finditer(r"[\s-]", cleaned):
        head, tail = cleaned[: m.start()], cleaned[m.end() :].replace(" ", "-")
        alg = catalog.algorithm(head)
        if alg is None or not tail:
            continue
        known = any(
            tail.lower() in (p.name.lower(), *(a.lower() for a in p.aliases))
            for p in alg.parameter_sets
        ) or (alg.size_rule is not None and tail.isdigit())
        if known:
            return catalog.classify(head, tail, identifier=ident)
    return Classification("unknown", raw, QuantumStatus.UNKNOWN, identifier=ident)


def _default_usage(c: Classification) -> Usage:
    if not c.known or c.family in _DUAL_USE or c.primitive is None:
        return Usage.KEY
    return USAGE_BY_PRIMITIVE.get(c.primitive, Usage.KEY)


def _date(text: str) -> str:
    """``2029-06-30``, ``2029-06`` or ``2029``, as an ISO date (a partial date means its
    first day: the earliest the support may end)."""
    t = text.strip()
    for pattern, fill in (
        (r"\d{4}-\d{2}-\d{2}", ""),
        (r"\d{4}-\d{2}", "-01"),
        (r"\d{4}", "-01-01"),
    ):
        if re.fullmatch(pattern, t):
            return date.fromisoformat(t + fill).isoformat()
    raise ValueError(t)


class DeclaredCollector:
    """Reads a declared-assets CSV; one unit per row."""

    name: ClassVar[str] = COLLECTOR

    def __init__(self, path: Path) -> None:
        self.path = path.absolute()

    @classmethod
    def open(cls, path: Path) -> DeclaredCollector:
        """A collector for ``path`` after checking its header (ContextError if unusable)."""
        read_header(path)
        return cls(path)

    def arguments(self) -> dict[str, object]:
        return {"path": str(self.path)}

    def unit_key(self, unit: object) -> str:
        assert isinstance(unit, DeclaredRow)
        return f"{unit.path}:{unit.line}"

    def units(self) -> Iterator[DeclaredRow]:
        path = str(self.path)
        try:
            text = self.path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            yield DeclaredRow(path, 1, (), problem=f"cannot read the file: {exc}")
            return
        header: list[str] | None = None
        ids: dict[str, int] = {}
        try:
            rows = list(_rows(text, path))
        except ContextError as exc:
            yield DeclaredRow(path, 1, (), problem=str(exc))
            return
        for line, row in rows:
            if header is None:
                header = [_column(c) for c in row]
                problems = _header_problems(header)
                if problems:
                    yield DeclaredRow(path, line, (), problem="; ".join(problems))
                    return
                continue
            if len(row) > len(header):
                yield DeclaredRow(
                    path,
                    line,
                    (),
                    problem=f"{len(row)} cells but the header has {len(header)} columns",
                )
                continue
            cells = tuple(
                (column, value.strip())
                for column, value in zip(header, row, strict=False)
                if value.strip()
            )
            ident = dict(cells).get("id", "")
            first = ids.setdefault(ident, line) if ident else line
            yield DeclaredRow(path, line, cells, duplicate_of=first if first != line else 0)

    def collect_one(self, unit: object) -> CollectedItem:
        assert isinstance(unit, DeclaredRow)
        return build_item(unit)


def build_item(row: DeclaredRow) -> CollectedItem:
    """The hardware asset and its findings, or an error item naming what is wrong."""
    locator = f"{row.path}:{row.line}"
    declared_at = f"{Path(row.path).name}:{row.line}"
    if row.problem:
        return CollectedItem(
            locator, errors=(ScanError(locator, ErrorKind.MALFORMED, row.problem),)
        )
    problems: list[str] = []
    if row.duplicate_of:
        problems.append(f"duplicate id (first declared at line {row.duplicate_of})")
    cells = dict(row.cells)
    kind = cells.get("kind", "").lower()
    if not kind:
        problems.append("kind: missing (one of " + ", ".join(KINDS) + ")")
    elif kind not in KINDS:
        problems.append(f"kind: unknown kind {kind!r}{suggest(kind, KINDS)}")
    if not cells.get("id") and not (cells.get("vendor") and cells.get("product")):
        problems.append("needs an id, or a vendor and a product")
    support_end = None
    if "support_end" in cells:
        try:
            support_end = _date(cells["support_end"])
        except ValueError:
            problems.append(
                f"support_end: not a date (YYYY-MM-DD, YYYY-MM or YYYY): {cells['support_end']!r}"
            )
    vendor_controlled = None
    if "vendor_controlled" in cells:
        word = cells["vendor_controlled"].lower()
        if word in _TRUE | _FALSE:
            vendor_controlled = word in _TRUE
        else:
            problems.append(f"vendor_controlled: true or false, got {cells['vendor_controlled']!r}")
    count = None
    if "count" in cells:
        if cells["count"].isdigit() and int(cells["count"]) > 0:
            count = int(cells["count"])
        else:
            problems.append(f"count: a whole number of units, got {cells['count']!r}")
    algorithms: list[tuple[str, Usage | None]] = []
    for part in cells.get("algorithms", "").split(";"):
        part = part.strip()
        if not part:
            continue
        m = _USAGE.match(part)
        usage = None
        if m:
            usage = _usage(m.group("usage"))
            if usage is None:
                choices = [u.value for u in Usage]
                problems.append(
                    f"algorithms: unknown use {m.group('usage')!r} in {part!r}"
                    + suggest(m.group("usage").strip().lower(), choices)
                )
            part = m.group("name").strip()
        if part:
            algorithms.append((part, usage))
    if problems:
        return CollectedItem(
            locator, errors=(ScanError(locator, ErrorKind.MALFORMED, "; ".join(problems)),)
        )

    fingerprint = cells.get("id") or "/".join(
        cells.get(k, "") for k in ("vendor", "product", "version", "location")
    )
    label = " ".join(cells[k] for k in ("vendor", "product", "version") if k in cells)
    name = cells.get("name") or label or fingerprint
    details: list[tuple[str, DetailValue]] = [
        ("kind", kind),
        ("declared_id", cells.get("id")),
        ("vendor", cells.get("vendor")),
        ("product", cells.get("product")),
        ("version", cells.get("version")),
        ("location", cells.get("location")),
        ("algorithms", tuple(f"{a} ({u.value})" if u else a for a, u in algorithms)),
        ("support_end", support_end),
        ("support_end_declared", cells.get("support_end")),
        ("pqc_roadmap", cells.get("pqc_roadmap")),
        (
            "tags",
            tuple(
                dict.fromkeys(
                    t.strip().lower() for t in cells.get("tags", "").split(";") if t.strip()
                )
            ),
        ),
        ("owner", cells.get("owner")),
        ("vendor_controlled", vendor_controlled),
        ("count", count),
        ("notes", cells.get("notes")),
        ("declared_in", declared_at),
    ]
    asset = Asset(
        AssetType.HARDWARE,
        fingerprint,
        fingerprint,
        name,
        tuple((k, v) for k, v in details if v not in (None, "", ())),
    )
    key = AssetKey.of(asset)
    catalog = get_catalog()
    method = f"declared in {declared_at}"
    findings: dict[tuple[str, str, Usage], Finding] = {}
    for text, declared_usage in algorithms:
        c = classify_declared(catalog, text)
        if c.pseudo:
            continue
        usage = declared_usage or _default_usage(c)
        detail = None if declared_usage else "use not declared"
        findings.setdefault(
            (c.algorithm, c.parameter, usage),
            Finding(
                asset=key,
                algorithm=c.algorithm,
                parameter=c.parameter,
                usage=usage,
                quantum_status=c.status,
                evidence=Evidence(COLLECTOR, locator, method, c.identifier, detail),
                classical_bits=c.classical_bits,
                nist_category=c.nist_category,
            ),
        )
    if not algorithms:
        findings[("unknown", "", Usage.KEY)] = Finding(
            asset=key,
            algorithm="unknown",
            parameter="",
            usage=Usage.KEY,
            quantum_status=QuantumStatus.UNKNOWN,
            evidence=Evidence(
                COLLECTOR,
                locator,
                method,
                "declared:none",
                "no algorithms declared: ask the vendor",
            ),
        )
    return CollectedItem(locator, assets=(asset,), findings=tuple(findings.values()))


__all__ = ["COLUMNS", "KINDS", "DeclaredCollector", "DeclaredRow", "classify_declared"]
