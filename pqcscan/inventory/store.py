"""Writing a scan run: scan results (as rows, :mod:`pqcscan.inventory.rows`) into the tables.

:class:`RunRecorder` opens a scan run, takes :class:`~pqcscan.results.CollectedItem` values
(or their rows, :mod:`pqcscan.inventory.rows`, rendered in a worker process) as they stream
in, and writes them in batches, each batch in its own transaction, so an
interrupted scan keeps everything written before the interruption. Rows are upserted on their
natural keys (asset type + fingerprint; finding asset + algorithm + parameter + usage), so
scanning the same things again moves ``last_seen`` and adds no duplicates.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    Engine,
    Table,
    bindparam,
    cast,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import SQLAlchemyError

from pqcscan import __version__
from pqcscan.errors import InventoryError, UsageError
from pqcscan.inventory.bulk import BulkStatement
from pqcscan.inventory.database import one_line, run_write
from pqcscan.inventory.models import (
    ASSET_LINKS,
    ASSET_SIGHTINGS,
    ASSETS,
    FINDING_SIGHTINGS,
    FINDINGS,
    SCAN_ERRORS,
    SCAN_ITEMS,
    SCAN_RUNS,
)
from pqcscan.inventory.rows import (
    FINGERPRINT_LENGTH,
    AssetRow,
    FindingRow,
    ItemRows,
    LinkRow,
    fit,
    render,
    storable,
)
from pqcscan.results import AssetType, CollectedItem, Relation

Clock = Callable[[], datetime]
#: An asset's natural key: (type, fingerprint).
Key = tuple[str, str]


TIMES = ("first_seen", "last_seen")
RUNS = ("first_run_id", "last_run_id")
ASSET_COLUMNS = ("type", "fingerprint", "locator", "name", "details")
FINDING_COLUMNS = (
    "asset_id", "algorithm", "parameter", "usage", "quantum_status", "classical_bits",
    "nist_category", "identifier", "evidence",
)  # fmt: skip
LINK_COLUMNS = ("source_id", "relation", "target_id")


def _key(asset_type: str, fingerprint: str) -> Key:
    """An asset's natural key as stored (a fingerprint too long for its column is
    shortened the way :class:`BulkStatement` stores it)."""
    if len(fingerprint) * 4 > FINGERPRINT_LENGTH:
        fingerprint = fit(fingerprint, FINGERPRINT_LENGTH)
    return asset_type, fingerprint


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class RunSummary:
    """Counts of one finished scan run."""

    run_id: int
    status: str
    items: int
    assets: int
    findings: int
    new_findings: int
    errors: int


def _insert(conn: Connection, table: Table, columns: Sequence[str] = ()) -> Any:
    """A dialect insert that supports ``on_conflict_do_*`` (SQLite and PostgreSQL).

    With ``columns``, the insert binds exactly those (for :class:`BulkStatement`).
    """
    name = conn.dialect.name
    stmt: Any
    if name == "sqlite":
        stmt = sqlite.insert(table)
    elif name == "postgresql":
        stmt = postgresql.insert(table)
    else:
        raise InventoryError(f"unsupported database backend {name!r} (use SQLite or PostgreSQL)")
    return stmt.values({c: bindparam(c) for c in columns}) if columns else stmt


class RunRecorder:
    """Records one scan run. Use as a context manager or call :meth:`finish`."""

    def __init__(
        self,
        engine: Engine,
        collector: str,
        arguments: dict[str, Any],
        *,
        clock: Clock = utcnow,
        batch_size: int = 1000,
        resume: int | None = None,
        join: int | None = None,
        flush_every: float = 2.0,
    ) -> None:
        """Start a new run, or with ``resume`` reopen an unfinished one to complete it, or
        with ``join`` write into a running run that other writers share (distributed
        workers): a joined run is neither reopened nor closed on leaving the context, only
        flushed; whoever sees it done calls :meth:`finish`.

        Items are written every ``batch_size`` items or ``flush_every`` seconds, whichever
        comes first, so a slow network scan killed mid-way loses seconds, not a batch.
        """
        self.engine = engine
        self.clock = clock
        self.batch_size = batch_size
        self.flush_every = flush_every
        self._flushed_at = time.monotonic()
        self._buffer: list[ItemRows] = []
        self._statements: dict[str, BulkStatement] = {}
        self._finished = False
        self._joined = join is not None
        self.summary: RunSummary | None = None
        if join is not None:
            self.run_id = join
            return
        if resume is not None:
            self.run_id = self._reopen(resume, collector)
            return
        started = SCAN_RUNS.insert().values(
            collector=collector,
            status="running",
            started_at=clock(),
            arguments=arguments,
            tool_version=__version__,
        )
        try:
            self.run_id = run_write(
                engine,
                lambda conn: int(conn.execute(started.returning(SCAN_RUNS.c.id)).scalar_one()),
            )
        except SQLAlchemyError as exc:
            raise InventoryError(f"cannot start a scan run: {one_line(exc)}") from exc

    def _reopen(self, run_id: int, collector: str) -> int:
        runs = SCAN_RUNS

        def reopen(conn: Connection) -> None:
            row = conn.execute(
                select(runs.c.collector, runs.c.status).where(runs.c.id == run_id)
            ).first()
            if row is None:
                raise UsageError(f"--resume: there is no scan run {run_id}")
            if row.collector != collector:
                raise UsageError(
                    f"--resume: run {run_id} is a {row.collector} scan, not {collector}"
                )
            if row.status == "completed":
                raise UsageError(f"--resume: run {run_id} is already complete")
            conn.execute(
                update(runs)
                .where(runs.c.id == run_id)
                .values(status="running", finished_at=None, message="resumed")
            )

        try:
            run_write(self.engine, reopen)
        except SQLAlchemyError as exc:
            raise InventoryError(f"cannot resume scan run {run_id}: {one_line(exc)}") from exc
        return run_id

    def __enter__(self) -> RunRecorder:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        if self._finished:
            return
        if self._joined:
            if exc_type is None:
                self.flush()
            return
        if exc_type is None:
            self.finish("completed")
        elif issubclass(exc_type, KeyboardInterrupt):
            self.finish("interrupted", "interrupted by the user")
        else:
            self.finish("failed", exc_type.__name__)

    # -- writing ----------------------------------------------------------------------------

    def add(self, item: CollectedItem | ItemRows) -> None:
        """Queue one item (as collected, or already rendered by :func:`rows.render`)."""
        self._buffer.append(item if isinstance(item, ItemRows) else render(item))
        if (
            len(self._buffer) >= self.batch_size
            or time.monotonic() - self._flushed_at >= self.flush_every
        ):
            self.flush()

    def flush(self) -> None:
        """Write the queued items in one transaction."""
        self._flushed_at = time.monotonic()
        if not self._buffer:
            return
        batch, self._buffer = self._buffer, []
        try:
            run_write(self.engine, lambda conn: self._write(conn, batch))
        except SQLAlchemyError as exc:
            raise InventoryError(f"cannot write to the inventory: {one_line(exc)}") from exc

    def _write(self, conn: Connection, batch: Sequence[ItemRows]) -> None:
        now = self.clock()
        assets: dict[Key, AssetRow] = {}
        sightings: set[tuple[Key, str]] = set()
        for item in batch:
            for asset in item.assets:
                key = _key(asset[0], asset[1])
                assets[key] = asset
                sightings.add((key, asset[2]))
        ids = self._upsert_assets(conn, assets, now)
        self._statement(
            conn,
            "asset_sightings",
            lambda: _insert(
                conn, ASSET_SIGHTINGS, ("run_id", "asset_id", "locator")
            ).on_conflict_do_nothing(),
        ).execute(
            conn,
            [{"asset_id": ids[key], "locator": locator} for key, locator in sorted(sightings)],
            {"run_id": self.run_id},
        )
        findings: dict[tuple[int, str, str, str], FindingRow] = {}
        for item in batch:
            for f in item.findings:
                asset_id = ids.get(_key(f[0], f[1]))
                if asset_id is None:
                    raise InventoryError(f"finding for an asset not in its item: {f[0]} {f[1]}")
                findings[(asset_id, f[2], f[3], f[4])] = f
        self._upsert_findings(conn, findings, now)
        self._upsert_links(conn, {lk for item in batch for lk in item.links}, ids, now)
        self._statement(
            conn,
            "items",
            lambda: _insert(
                conn, SCAN_ITEMS, ("run_id", "key_sha", "unit_key")
            ).on_conflict_do_nothing(),
        ).execute(
            conn,
            [
                {"key_sha": key_sha(item.locator), "unit_key": storable(item.locator)}
                for item in batch
            ],
            {"run_id": self.run_id},
        )
        errors = [
            {"locator": loc, "kind": kind, "message": msg}
            for item in batch
            for loc, kind, msg in item.errors
        ]
        self._statement(
            conn,
            "errors",
            lambda: SCAN_ERRORS.insert().values(
                {c: bindparam(c) for c in ("run_id", "locator", "kind", "message", "created_at")}
            ),
        ).execute(conn, errors, {"run_id": self.run_id, "created_at": now})

    def _seen(self, now: datetime) -> dict[str, Any]:
        """The values every row of a batch shares: seen now, by this run."""
        return {
            "first_seen": now,
            "last_seen": now,
            "first_run_id": self.run_id,
            "last_run_id": self.run_id,
        }

    def _statement(self, conn: Connection, name: str, build: Callable[[], Any]) -> BulkStatement:
        """A bulk statement compiled once per recorder; JSON columns arrive encoded."""
        stmt = self._statements.get(name)
        if stmt is None:
            stmt = self._statements[name] = BulkStatement(
                conn.dialect, build(), encoded=("details", "evidence")
            )
        return stmt

    def _upsert_assets(
        self, conn: Connection, assets: dict[Key, AssetRow], now: datetime
    ) -> dict[Key, int]:
        if not assets:
            return {}

        def build() -> Any:
            stmt = _insert(conn, ASSETS, (*ASSET_COLUMNS, *TIMES, *RUNS))
            return stmt.on_conflict_do_update(
                index_elements=["type", "fingerprint"],
                set_={
                    "locator": stmt.excluded.locator,
                    "name": stmt.excluded.name,
                    "details": _merged_details(conn, stmt.excluded.details),
                    "last_seen": stmt.excluded.last_seen,
                    "last_run_id": stmt.excluded.last_run_id,
                },
            )

        # Rows in key order: concurrent writers then lock shared rows in the same order, so
        # two PostgreSQL transactions upserting the same assets cannot deadlock.
        rows = [dict(zip(ASSET_COLUMNS, asset, strict=True)) for _, asset in sorted(assets.items())]
        self._statement(conn, "assets", build).execute(conn, rows, self._seen(now))
        return _asset_ids(conn, assets)

    def _upsert_findings(
        self,
        conn: Connection,
        findings: dict[tuple[int, str, str, str], FindingRow],
        now: datetime,
    ) -> None:
        if not findings:
            return

        def build() -> Any:
            stmt = _insert(conn, FINDINGS, (*FINDING_COLUMNS, *TIMES, *RUNS))
            return stmt.on_conflict_do_update(
                index_elements=["asset_id", "algorithm", "parameter", "usage"],
                set_={
                    name: getattr(stmt.excluded, name)
                    for name in (
                        "quantum_status",
                        "classical_bits",
                        "nist_category",
                        "identifier",
                        "evidence",
                        "last_seen",
                        "last_run_id",
                    )
                },
            )

        rows = [
            dict(zip(FINDING_COLUMNS, (asset_id, *f[2:]), strict=True))
            for (asset_id, *_), f in sorted(findings.items())
        ]
        self._statement(conn, "findings", build).execute(conn, rows, self._seen(now))
        # This run saw every finding of these assets that now carries its run id.
        asset_ids = sorted({asset_id for asset_id, *_ in findings})
        f = FINDINGS
        for chunk in _chunks(asset_ids):
            seen = select(literal(self.run_id), f.c.id).where(
                f.c.asset_id.in_(chunk), f.c.last_run_id == self.run_id
            )
            conn.execute(
                _insert(conn, FINDING_SIGHTINGS)
                .from_select(["run_id", "finding_id"], seen)
                .on_conflict_do_nothing()
            )

    def _upsert_links(
        self, conn: Connection, links: set[LinkRow], ids: dict[Key, int], now: datetime
    ) -> None:
        if not links:
            return
        links = {(a, _key(a, b)[1], r, c, _key(c, d)[1]) for a, b, r, c, d in links}
        wanted = {k for lk in links for k in ((lk[0], lk[1]), (lk[3], lk[4]))}
        known = {**ids, **_asset_ids(conn, (k for k in wanted if k not in ids))}
        rows = [
            {
                "source_id": known[(src_type, src_fp)],
                "relation": relation,
                "target_id": known[(dst_type, dst_fp)],
            }
            for src_type, src_fp, relation, dst_type, dst_fp in sorted(links)
            if (src_type, src_fp) in known and (dst_type, dst_fp) in known
        ]

        def build() -> Any:
            stmt = _insert(conn, ASSET_LINKS, (*LINK_COLUMNS, *TIMES, "last_run_id"))
            return stmt.on_conflict_do_update(
                index_elements=["source_id", "relation", "target_id"],
                set_={
                    "last_seen": stmt.excluded.last_seen,
                    "last_run_id": stmt.excluded.last_run_id,
                },
            )

        shared = {"first_seen": now, "last_seen": now, "last_run_id": self.run_id}
        self._statement(conn, "links", build).execute(conn, rows, shared)

    # -- finishing --------------------------------------------------------------------------

    def finish(self, status: str = "completed", message: str | None = None) -> RunSummary:
        """Flush, link certificates to their issuers, and close the run with its counts."""
        if self._finished:
            raise InventoryError("scan run already finished")
        self._finished = True
        try:
            self.flush()
        except InventoryError:
            status, message = "failed", message or "could not write the last batch"
            raise
        finally:
            self.summary = self._close(status, message)
        return self.summary

    def _close(self, status: str, message: str | None) -> RunSummary:
        try:
            summary = run_write(self.engine, lambda conn: self._close_in(conn, status, message))
        except SQLAlchemyError as exc:
            raise InventoryError(f"cannot close scan run {self.run_id}: {one_line(exc)}") from exc
        if summary.items >= ANALYZE_AFTER and self.engine.dialect.name == "postgresql":
            _analyze(self.engine)
        return summary

    def _close_in(self, conn: Connection, status: str, message: str | None) -> RunSummary:
        run = self.run_id
        link_certificates(conn, run, self.clock())
        assets = conn.execute(
            select(func.count(ASSET_SIGHTINGS.c.asset_id.distinct())).where(
                ASSET_SIGHTINGS.c.run_id == run
            )
        ).scalar_one()
        items = conn.execute(
            select(func.count()).select_from(SCAN_ITEMS).where(SCAN_ITEMS.c.run_id == run)
        ).scalar_one()
        errors = conn.execute(
            select(func.count()).select_from(SCAN_ERRORS).where(SCAN_ERRORS.c.run_id == run)
        ).scalar_one()
        findings = conn.execute(
            select(func.count())
            .select_from(FINDING_SIGHTINGS)
            .where(FINDING_SIGHTINGS.c.run_id == run)
        ).scalar_one()
        new = conn.execute(
            select(func.count()).select_from(FINDINGS).where(FINDINGS.c.first_run_id == run)
        ).scalar_one()
        conn.execute(
            update(SCAN_RUNS)
            .where(SCAN_RUNS.c.id == run)
            .values(
                status=status,
                finished_at=self.clock(),
                items=items,
                assets=assets,
                findings=findings,
                new_findings=new,
                errors=errors,
                message=message,
            )
        )
        return RunSummary(run, status, items, assets, findings, new, errors)


CHUNK = 500
#: A PostgreSQL run of this many items refreshes the planner's statistics when it ends.
ANALYZE_AFTER = 1000
ANALYZED = ("assets", "findings", "asset_links", "asset_sightings", "finding_sightings")


def _analyze(engine: Engine) -> None:
    """Refresh PostgreSQL's statistics of the tables a run fills. Without them (a new
    inventory, before autovacuum's next pass) the planner looks up fingerprints by asset type
    alone, and a rescan right after a first large scan is several times slower. Only an
    optimisation: a failure is ignored."""
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"ANALYZE {', '.join(ANALYZED)}")
    except SQLAlchemyError:
        pass


def key_sha(unit_key: str) -> str:
    """The bounded-size key of a unit in ``scan_items``."""
    return hashlib.sha256(unit_key.encode("utf-8", "surrogatepass")).hexdigest()


def finished_units(engine: Engine, run_id: int, keys: Sequence[str]) -> set[str]:
    """Which of ``keys`` the run has already finished (a chunk at a time, for --resume)."""
    done: set[str] = set()
    shas = {key_sha(k): k for k in keys}
    items = SCAN_ITEMS
    with engine.connect() as conn:
        for chunk in _chunks(sorted(shas)):
            rows = conn.execute(
                select(items.c.key_sha).where(items.c.run_id == run_id, items.c.key_sha.in_(chunk))
            )
            done.update(shas[sha] for (sha,) in rows)
    return done


def _chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _asset_ids(conn: Connection, keys: Iterable[Key]) -> dict[Key, int]:
    """Ids of assets by (type, fingerprint), in chunks that stay under parameter limits."""
    by_type: dict[str, set[str]] = {}
    for asset_type, fingerprint in keys:
        by_type.setdefault(asset_type, set()).add(fingerprint)
    found: dict[Key, int] = {}
    table = ASSETS
    for asset_type, fingerprints in by_type.items():
        for chunk in _chunks(sorted(fingerprints)):
            rows = conn.execute(
                select(table.c.id, table.c.fingerprint).where(
                    table.c.type == asset_type, table.c.fingerprint.in_(chunk)
                )
            )
            for asset_id, fingerprint in rows:
                found[(asset_type, fingerprint)] = asset_id
    return found


def _link_order(row: dict[str, Any]) -> tuple[int, str, int]:
    """Links inserted in key order (concurrent writers lock them in the same order)."""
    return row["source_id"], row["relation"], row["target_id"]


def link_certificates(conn: Connection, run_id: int, now: datetime) -> None:
    """Derive the links that span files and runs: issuer chains and certified keys."""
    rows = conn.execute(
        select(ASSETS.c.id, ASSETS.c.type, ASSETS.c.details).where(
            ASSETS.c.type.in_((AssetType.CERTIFICATE.value, AssetType.CSR.value))
        )
    ).all()
    certificates = [(i, d) for i, t, d in rows if t == AssetType.CERTIFICATE.value]
    link_issuers(conn, certificates, run_id, now)
    link_subject_keys(conn, [(i, d) for i, _, d in rows], run_id, now)


def link_subject_keys(
    conn: Connection, rows: Sequence[tuple[int, dict[str, Any]]], run_id: int, now: datetime
) -> int:
    """Link certificates and CSRs to the key assets holding their subject key (same SPKI)."""
    by_spki: dict[str, list[int]] = {}
    for asset_id, details in rows:
        spki = details.get("spki_sha256")
        if spki:
            by_spki.setdefault(spki, []).append(asset_id)
    keys = _asset_ids(conn, ((AssetType.KEY.value, fp) for fp in by_spki))
    new_links = [
        {
            "source_id": source,
            "relation": Relation.CERTIFIES.value,
            "target_id": key_id,
            "first_seen": now,
            "last_seen": now,
            "last_run_id": run_id,
        }
        for (_, fingerprint), key_id in keys.items()
        for source in by_spki[fingerprint]
    ]
    if new_links:
        new_links.sort(key=_link_order)
        conn.execute(_insert(conn, ASSET_LINKS).on_conflict_do_nothing(), new_links)
    return len(new_links)


def link_issuers(
    conn: Connection, rows: Sequence[tuple[int, dict[str, Any]]], run_id: int, now: datetime
) -> int:
    """Link certificates without an issuer link to the certificate that issued them.

    A candidate issuer has the child's issuer name as its subject; when the child carries an
    Authority Key Identifier, the issuer's Subject Key Identifier must equal it.
    """
    links = ASSET_LINKS
    linked = {
        r[0]
        for r in conn.execute(
            select(links.c.source_id).where(links.c.relation == Relation.ISSUED_BY.value)
        )
    }
    by_subject: dict[str, list[tuple[int, str | None]]] = {}
    for asset_id, details in rows:
        subject = details.get("subject")
        if subject is not None:
            by_subject.setdefault(subject, []).append((asset_id, details.get("ski")))
    new_links = []
    for asset_id, details in rows:
        if asset_id in linked:
            continue
        issuer, aki = details.get("issuer"), details.get("aki")
        if issuer is None or (issuer == details.get("subject") and aki == details.get("ski")):
            continue  # self-issued root
        for candidate, ski in by_subject.get(issuer, ()):
            if candidate == asset_id:
                continue
            if aki is not None and ski is not None and aki != ski:
                continue
            new_links.append(
                {
                    "source_id": asset_id,
                    "relation": Relation.ISSUED_BY.value,
                    "target_id": candidate,
                    "first_seen": now,
                    "last_seen": now,
                    "last_run_id": run_id,
                }
            )
    if new_links:
        new_links.sort(key=_link_order)
        conn.execute(_insert(conn, links).on_conflict_do_nothing(), new_links)
    return len(new_links)


def _merged_details(conn: Connection, incoming: Any) -> Any:
    """An asset's stored details merged with a new sighting's (RFC 7396: the new values win,
    keys the new sighting does not know stay): a CBOM import or a scan that sees less of an
    asset (a certificate seen on an endpoint after its file) never erases what was learned."""
    if conn.dialect.name == "postgresql":  # the function of migration 0004
        merged = func.pqcscan_json_patch(cast(ASSETS.c.details, JSONB), cast(incoming, JSONB))
        return cast(merged, JSON)
    return func.json_patch(ASSETS.c.details, incoming)
