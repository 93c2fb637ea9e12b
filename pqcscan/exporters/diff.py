"""Scan diffs: what appeared, disappeared and changed between two scan runs (``pqcscan diff``).

Pure functions over :class:`pqcscan.inventory.diff.RunPair` (what each run sighted):
:func:`choose_runs` picks the runs, :func:`compare` pairs the records into a :class:`Diff`,
:func:`to_table`, :func:`to_json` and :func:`to_markdown` render it. Nothing depends on the
clock or the machine; every list is sorted.

Change kinds (stable names and wording; ``direction`` is ``better``, ``worse``, ``mixed`` or
``neutral`` for the post-quantum posture):

==================================  ==========================================================
kind                                when, and its text
==================================  ==========================================================
``endpoint-key-exchange-added``     an endpoint seen by both runs now offers a group / kex
                                    method: "now offers X25519MLKEM768 (hybrid)"
``endpoint-key-exchange-removed``   ... no longer offers it: "no longer offers X25519 (...)"
``endpoint-protocol-added``         a protocol version now accepted: "now accepts TLS 1.3 (...)"
``endpoint-protocol-removed``       "no longer accepts TLS 1.0 (...)"
``endpoint-algorithm-added``        another capability (cipher, MAC, signature scheme, host key):
                                    "now supports AES 128 for encryption (...)"
``endpoint-algorithm-removed``      "no longer supports ..."
``certificate-reissued``            a certificate gone and one new with the same subject (same
                                    place first): "re-issued: key RSA 2048 -> ML-DSA-65
                                    (post-quantum); signature ... (stronger | weaker | as
                                    strong | changed | unchanged)"
``library-upgraded``                same ecosystem and package, higher version in the purl:
``library-downgraded``              "1.78 -> 1.80 (upgraded); now PQC-capable (PQC since 1.79)"
``library-version-changed``         versions that cannot be ordered
``reprotected``                     a key or keystore seen by both runs whose protection
                                    (cipher, KDF, MAC, digest) changed: "protection encryption
                                    3DES 168, mac SHA-1 -> encryption AES 256, kdf PBKDF2, ..."
``finding-added``                   any other finding new on an asset seen by both runs:
                                    "new ML-KEM 768 (key-exchange, quantum-safe)"
``finding-removed``                 "... no longer seen"
``location-improved``               the worst quantum status of what a place (file, endpoint,
``location-worsened``               purl) holds changed: "worst status quantum-vulnerable ->
                                    quantum-safe"
==================================  ==========================================================

Changes are sorted by kind (in :data:`KINDS` order), subject, location and text. A library
change is ``better`` when it became PQC-capable (``details.pqc_capable``), ``worse`` when it
stopped being so, else ``neutral``; a re-issued certificate is ``better``/``worse`` by its key
and signature together (``mixed`` when one got stronger and the other weaker); a location and
a re-protection by the worst status before and after. A single finding gained is ``better``
when it is hybrid or quantum-safe, ``worse`` when classically broken, else ``neutral`` (and
the reverse when lost). Statuses are ranked, worst first: classically-broken,
quantum-vulnerable, unknown, quantum-weakened, hybrid, quantum-safe.

JSON schema ``pqcscan-diff/1`` (keys are added in later versions, never renamed)::

    {
      "schema": "pqcscan-diff/1",
      "run_a": RUN, "run_b": RUN,     # id, collector, status, started_at, finished_at, arguments
      "summary": {
        "verdict": "safer" | "less-safe" | "unchanged" | "mixed",
        "statuses": [{"status", "before", "after", "delta"}],      # worst first
        "assets":   {"before", "after", "appeared", "disappeared", "changed"},
        "findings": {"before", "after", "appeared", "disappeared"},
        "changes":  {"better", "worse", "mixed", "neutral"}
      },
      "changes": [{"kind", "direction", "asset_type", "subject", "location", "before",
                   "after", "text", "fingerprints"}],
      "assets": {"appeared": [ASSET], "disappeared": [ASSET]},
          # ASSET: type, fingerprint, name, locators, worst_status (null: no finding)
          # assets paired into a change (re-issued certificate, upgraded library) are not here
      "findings": {"appeared": [FINDING], "disappeared": [FINDING]}
          # FINDING: asset_type, fingerprint, asset_name, location, algorithm, parameter,
          #          usage, quantum_status  (every finding, paired assets included)
    }

Verdict: with ``bad`` = classically-broken + quantum-vulnerable findings and ``ready`` =
hybrid + quantum-safe findings, ``safer`` when bad did not grow and ready did not shrink and
one of them moved the right way; ``less-safe`` the reverse; ``unchanged`` when neither moved;
otherwise ``mixed``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pqcscan.collectors.code.libraries import compare_versions
from pqcscan.errors import UsageError
from pqcscan.exporters.text import table
from pqcscan.inventory.diff import RunPair, SightedAsset, SightedFinding
from pqcscan.inventory.query import RunRecord

SCHEMA = "pqcscan-diff/1"

#: Quantum statuses, worst first (the rank used to say better or worse).
STATUS_ORDER = (
    "classically-broken",
    "quantum-vulnerable",
    "unknown",
    "quantum-weakened",
    "hybrid",
    "quantum-safe",
)
READY = frozenset({"hybrid", "quantum-safe"})
BAD = frozenset({"classically-broken", "quantum-vulnerable"})

#: Change kinds in report order.
KINDS = (
    "certificate-reissued",
    "library-upgraded",
    "library-downgraded",
    "library-version-changed",
    "endpoint-protocol-added",
    "endpoint-protocol-removed",
    "endpoint-key-exchange-added",
    "endpoint-key-exchange-removed",
    "endpoint-algorithm-added",
    "endpoint-algorithm-removed",
    "reprotected",
    "finding-added",
    "finding-removed",
    "location-improved",
    "location-worsened",
)
DIRECTIONS = ("better", "worse", "mixed", "neutral")
_PROTECTED = frozenset({"key", "keystore"})


def rank(status: str) -> int:
    """Position of a status from worst (0) to best; unknown statuses count as ``unknown``."""
    try:
        return STATUS_ORDER.index(status)
    except ValueError:
        return STATUS_ORDER.index("unknown")


# -- choosing the runs ------------------------------------------------------------------------


def choose_runs(
    runs: Sequence[RunRecord],
    run_a: int | None,
    run_b: int | None,
    any_collector: bool = False,
) -> tuple[RunRecord, RunRecord]:
    """The runs to compare: given ids; by default the newest completed run that has an older
    completed run of the same collector, and the newest such older run (a newer one-off scan
    of another collector does not get in the way); with only RUN_A, it against the newest
    completed run of its collector. Raises :class:`UsageError` for unknown or incomparable
    runs."""
    by_id = {r.id: r for r in runs}
    completed = sorted((r for r in runs if r.status == "completed"), key=lambda r: -r.id)

    def known(run_id: int) -> RunRecord:
        run = by_id.get(run_id)
        if run is None:
            raise UsageError(f"there is no scan run {run_id} (see `pqcscan scans`)")
        if run.status != "completed":
            raise UsageError(
                f"scan run {run_id} is {run.status}, not completed: a partial run cannot be "
                "compared (resume it with --resume)"
            )
        return run

    if run_a is not None and run_b is not None:
        a, b = known(run_a), known(run_b)
    elif run_a is not None:
        a = known(run_a)
        newer = [r for r in completed if r.collector == a.collector and r.id != a.id]
        if not newer or newer[0].id < a.id:
            raise UsageError(
                f"scan run {a.id} is the newest completed {a.collector} scan: give RUN_B"
            )
        b = newer[0]
    else:
        if not completed:
            raise UsageError("no completed scan run to compare")
        pair = next(
            (
                (older, newer)
                for newer in completed
                for older in completed
                if older.collector == newer.collector and older.id < newer.id
            ),
            None,
        )
        if pair is None:
            newest = completed[0]
            raise UsageError(
                f"only one completed {newest.collector} scan (run {newest.id}) and no "
                "collector with two: scan again, or give two run ids"
            )
        a, b = pair
    if a.id == b.id:
        raise UsageError(f"cannot compare scan run {a.id} with itself")
    if a.collector != b.collector and not any_collector:
        raise UsageError(
            f"scan run {a.id} is a {a.collector} scan and run {b.id} a {b.collector} scan: "
            "pass --any-collector to compare them anyway"
        )
    return a, b


# -- the diff ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Change:
    """One change, as people think of it."""

    kind: str
    direction: str
    asset_type: str
    subject: str
    location: str
    before: str | None
    after: str | None
    text: str
    fingerprints: tuple[str, ...] = ()

    def sort_key(self) -> tuple[int, str, str, str]:
        return (KINDS.index(self.kind), self.subject, self.location, self.text)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "direction": self.direction,
            "asset_type": self.asset_type,
            "subject": self.subject,
            "location": self.location,
            "before": self.before,
            "after": self.after,
            "text": self.text,
            "fingerprints": list(self.fingerprints),
        }


@dataclass(frozen=True, slots=True)
class AssetEntry:
    """An asset only one run saw."""

    type: str
    fingerprint: str
    name: str
    locators: tuple[str, ...]
    worst_status: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "fingerprint": self.fingerprint,
            "name": self.name,
            "locators": list(self.locators),
            "worst_status": self.worst_status,
        }


@dataclass(frozen=True, slots=True)
class FindingEntry:
    """A finding only one run saw."""

    asset_type: str
    fingerprint: str
    asset_name: str
    location: str
    algorithm: str
    parameter: str
    usage: str
    quantum_status: str

    def to_json(self) -> dict[str, Any]:
        return {
            "asset_type": self.asset_type,
            "fingerprint": self.fingerprint,
            "asset_name": self.asset_name,
            "location": self.location,
            "algorithm": self.algorithm,
            "parameter": self.parameter,
            "usage": self.usage,
            "quantum_status": self.quantum_status,
        }


@dataclass(frozen=True, slots=True)
class Diff:
    """The comparison of run ``a`` (before) with run ``b`` (after)."""

    a: RunRecord
    b: RunRecord
    statuses: tuple[tuple[str, int, int], ...]  # (status, before, after), worst first
    assets_before: int
    assets_after: int
    assets_changed: int
    findings_before: int
    findings_after: int
    changes: tuple[Change, ...]
    appeared: tuple[AssetEntry, ...]
    disappeared: tuple[AssetEntry, ...]
    findings_appeared: tuple[FindingEntry, ...]
    findings_disappeared: tuple[FindingEntry, ...]

    @property
    def verdict(self) -> str:
        bad = sum(after - before for s, before, after in self.statuses if s in BAD)
        ready = sum(after - before for s, before, after in self.statuses if s in READY)
        if bad == 0 and ready == 0:
            return "unchanged"
        if bad <= 0 and ready >= 0:
            return "safer"
        if bad >= 0 and ready <= 0:
            return "less-safe"
        return "mixed"

    def direction_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(DIRECTIONS, 0)
        for change in self.changes:
            counts[change.direction] += 1
        return counts


def label(f: SightedFinding) -> str:
    """``RSA 2048``, ``ML-DSA-65``, ``X25519MLKEM768``."""
    return f"{f.algorithm} {f.parameter}".strip()


def _stronger(old: SightedFinding, new: SightedFinding) -> int | None:
    """1 when ``new`` is stronger, -1 weaker, 0 as strong; None when the catalog does not
    say (an ECDSA signature without a curve against RSA-2048)."""
    a, b = rank(old.quantum_status), rank(new.quantum_status)
    if a != b:
        return (b > a) - (b < a)
    for x, y in ((old.nist_category, new.nist_category), (old.classical_bits, new.classical_bits)):
        if x is not None and y is not None and x != y:
            return (y > x) - (y < x)
    known = (old.classical_bits is not None and new.classical_bits is not None) or (
        old.nist_category is not None and new.nist_category is not None
    )
    return 0 if known else None


def _worst(findings: Iterable[SightedFinding]) -> str | None:
    statuses = [f.quantum_status for f in findings]
    return min(statuses, key=rank) if statuses else None


def _gained(status: str) -> str:
    if status in READY:
        return "better"
    if status == "classically-broken":
        return "worse"
    return "neutral"


def _lost(status: str) -> str:
    return {"better": "worse", "worse": "better"}.get(_gained(status), "neutral")


def _combine(directions: Iterable[str]) -> str:
    moved = {d for d in directions if d != "neutral"}
    if not moved:
        return "neutral"
    return moved.pop() if len(moved) == 1 else "mixed"


class _Index:
    """The run pair indexed by asset, with what each run saw."""

    def __init__(self, pair: RunPair) -> None:
        self.assets = {a.id: a for a in pair.assets}
        self.by_asset: dict[int, list[SightedFinding]] = defaultdict(list)
        for f in pair.findings:
            self.by_asset[f.asset_id].append(f)

    def seen(self, asset: SightedAsset, run: str) -> list[SightedFinding]:
        return [f for f in self.by_asset.get(asset.id, []) if (f.in_a if run == "a" else f.in_b)]


def _subject(asset: SightedAsset) -> str:
    if asset.type in ("endpoint", "package", "file", "keystore"):
        return (asset.locators_b or asset.locators_a or (asset.fingerprint,))[0]
    return asset.name or asset.fingerprint


def _location(asset: SightedAsset) -> str:
    return (asset.locators_b or asset.locators_a or (asset.fingerprint,))[0]


def _pair_by_place(
    old: list[SightedAsset], new: list[SightedAsset]
) -> list[tuple[SightedAsset, SightedAsset]]:
    """Pair old with new assets: sharing a place first, then in order."""
    old, new = sorted(old, key=_place_key), sorted(new, key=_place_key)
    pairs: list[tuple[SightedAsset, SightedAsset]] = []
    for o in list(old):
        match = next((n for n in new if set(n.locators_b) & set(o.locators_a)), None)
        if match is not None:
            pairs.append((o, match))
            old.remove(o)
            new.remove(match)
    pairs.extend(zip(old, new, strict=False))
    return pairs


def _place_key(asset: SightedAsset) -> tuple[tuple[str, ...], str]:
    return (asset.locators_a or asset.locators_b, asset.fingerprint)


# -- certificates -----------------------------------------------------------------------------


def _cert_parts(findings: list[SightedFinding]) -> tuple[SightedFinding | None, ...]:
    key = next((f for f in findings if "SubjectPublicKeyInfo" in f.method), None)
    sig = next((f for f in findings if "signature algorithm" in f.method), None)
    if key is None:
        key = next((f for f in findings if f.usage not in ("hash", "signature")), sig)
    if sig is None:
        sig = next((f for f in findings if f.usage == "signature"), key)
    return key, sig


def _compare_part(
    what: str, old: SightedFinding | None, new: SightedFinding | None
) -> tuple[str, str]:
    if old is None or new is None:
        return f"{what} {_opt(old)} -> {_opt(new)}", "neutral"
    if label(old) == label(new):
        return f"{what} {label(new)} (unchanged)", "neutral"
    order = _stronger(old, new)
    if new.quantum_status in READY and old.quantum_status not in READY:
        word, direction = "post-quantum", "better"
    elif order is None:
        word, direction = "changed", "neutral"
    elif order > 0:
        word, direction = "stronger", "better"
    elif order < 0:
        word, direction = "weaker", "worse"
    else:
        word, direction = "as strong", "neutral"
    return f"{what} {label(old)} -> {label(new)} ({word})", direction


def _opt(f: SightedFinding | None) -> str:
    return label(f) if f is not None else "none"


def _certificates(idx: _Index, old: list[SightedAsset], new: list[SightedAsset]) -> list[Change]:
    by_subject: dict[str, tuple[list[SightedAsset], list[SightedAsset]]] = defaultdict(
        lambda: ([], [])
    )
    for asset in old:
        by_subject[str(asset.details.get("subject") or asset.name)][0].append(asset)
    for asset in new:
        by_subject[str(asset.details.get("subject") or asset.name)][1].append(asset)
    changes = []
    for subject, (gone, came) in sorted(by_subject.items()):
        for o, n in _pair_by_place(gone, came):
            ok, osig = _cert_parts(idx.seen(o, "a"))
            nk, nsig = _cert_parts(idx.seen(n, "b"))
            key_text, key_dir = _compare_part("key", ok, nk)
            sig_text, sig_dir = _compare_part("signature", osig, nsig)
            changes.append(
                Change(
                    "certificate-reissued",
                    _combine((key_dir, sig_dir)),
                    "certificate",
                    n.name or subject,
                    _location(n),
                    _cert_summary(ok, osig),
                    _cert_summary(nk, nsig),
                    f"re-issued: {key_text}; {sig_text}",
                    (o.fingerprint, n.fingerprint),
                )
            )
    return changes


def _cert_summary(key: SightedFinding | None, sig: SightedFinding | None) -> str:
    return f"key {_opt(key)}, signature {_opt(sig)}"


# -- libraries --------------------------------------------------------------------------------


def _package_identity(asset: SightedAsset) -> tuple[str, str, str | None]:
    """(ecosystem, package, version) from the details, else from the purl."""
    purl = asset.fingerprint
    base, _, version = purl.partition("@")
    eco = str(asset.details.get("ecosystem") or base.removeprefix("pkg:").split("/", 1)[0])
    name = str(asset.details.get("package") or base.split("/", 1)[-1])
    detail_version = asset.details.get("version")
    return eco, name, str(detail_version) if detail_version else (version or None)


def _order(ecosystem: str, old: str | None, new: str | None) -> int | None:
    """1 when ``new`` is higher, -1 lower, 0 equal, None when they cannot be ordered (the
    comparison that decides ``pqc_capable``: PEP 440 for PyPI, tolerant elsewhere)."""
    if old is None or new is None:
        return None
    return compare_versions(ecosystem, new, old)


def _libraries(idx: _Index, old: list[SightedAsset], new: list[SightedAsset]) -> list[Change]:
    groups: dict[tuple[str, str], tuple[list[SightedAsset], list[SightedAsset]]] = defaultdict(
        lambda: ([], [])
    )
    for asset in old:
        groups[_package_identity(asset)[:2]][0].append(asset)
    for asset in new:
        groups[_package_identity(asset)[:2]][1].append(asset)
    changes = []
    for (eco, name), (gone, came) in sorted(groups.items()):
        gone.sort(key=lambda a: a.fingerprint)
        came.sort(key=lambda a: a.fingerprint)
        for o, n in _pair_by_place(gone, came):
            v_old, v_new = _package_identity(o)[2], _package_identity(n)[2]
            order = _order(eco, v_old, v_new)
            kind, word = {
                1: ("library-upgraded", "upgraded"),
                -1: ("library-downgraded", "downgraded"),
            }.get(order or 0, ("library-version-changed", "version changed"))
            text = f"{v_old or '?'} -> {v_new or '?'} ({word})"
            before_pqc, after_pqc = o.details.get("pqc_capable"), n.details.get("pqc_capable")
            since = n.details.get("pqc_since") or o.details.get("pqc_since")
            direction = "neutral"
            if after_pqc is True and before_pqc is not True:
                text += f"; now PQC-capable (PQC since {since})"
                direction = "better"
            elif before_pqc is True and after_pqc is not True:
                text += f"; no longer PQC-capable (PQC since {since})"
                direction = "worse"
            changes.append(
                Change(
                    kind,
                    direction,
                    "package",
                    f"{eco}:{name}",
                    str(n.details.get("declared_in") or _location(n)),
                    o.fingerprint,
                    n.fingerprint,
                    text,
                    (o.fingerprint, n.fingerprint),
                )
            )
    return changes


# -- assets seen by both runs -----------------------------------------------------------------


def _is_protection(asset: SightedAsset, f: SightedFinding) -> bool:
    return asset.type == "keystore" or (asset.type == "key" and "protection" in f.method)


def _same_asset(idx: _Index, asset: SightedAsset) -> list[Change]:
    findings = idx.by_asset.get(asset.id, [])
    moved = [f for f in findings if f.in_a != f.in_b]
    if not moved:
        return []
    subject, location = _subject(asset), _location(asset)
    changes: list[Change] = []
    if asset.type in _PROTECTED and any(_is_protection(asset, f) for f in moved):
        before = sorted(
            (f for f in findings if f.in_a and _is_protection(asset, f)), key=_finding_order
        )
        after = sorted(
            (f for f in findings if f.in_b and _is_protection(asset, f)), key=_finding_order
        )
        old_text = ", ".join(f"{f.usage} {label(f)}" for f in before) or "none"
        new_text = ", ".join(f"{f.usage} {label(f)}" for f in after) or "none"
        w_old, w_new = _worst(before), _worst(after)
        direction = "neutral"
        if w_old is not None and w_new is not None and rank(w_new) != rank(w_old):
            direction = "better" if rank(w_new) > rank(w_old) else "worse"
        changes.append(
            Change(
                "reprotected",
                direction,
                asset.type,
                subject,
                location,
                old_text,
                new_text,
                f"protection {old_text} -> {new_text}",
                (asset.fingerprint,),
            )
        )
        moved = [f for f in moved if not _is_protection(asset, f)]
    for f in sorted(moved, key=_finding_order):
        added = f.in_b
        direction = _gained(f.quantum_status) if added else _lost(f.quantum_status)
        what = f"{label(f)} ({f.quantum_status})"
        if asset.type == "endpoint" and f.usage == "key-exchange":
            kind = "endpoint-key-exchange"
            text = f"now offers {what}" if added else f"no longer offers {what}"
        elif asset.type == "endpoint" and f.usage == "protocol":
            kind = "endpoint-protocol"
            text = f"now accepts {what}" if added else f"no longer accepts {what}"
        elif asset.type == "endpoint":
            kind = "endpoint-algorithm"
            how = f"{label(f)} for {f.usage} ({f.quantum_status})"
            text = f"now supports {how}" if added else f"no longer supports {how}"
        else:
            kind = "finding"
            how = f"{label(f)} ({f.usage}, {f.quantum_status})"
            text = f"new {how}" if added else f"{how} no longer seen"
        changes.append(
            Change(
                f"{kind}-added" if added else f"{kind}-removed",
                direction,
                asset.type,
                subject,
                f.location or location,
                None if added else label(f),
                label(f) if added else None,
                text,
                (asset.fingerprint,),
            )
        )
    return changes


def _finding_order(f: SightedFinding) -> tuple[str, str, str, int]:
    return (f.usage, f.algorithm, f.parameter, f.id)


def _locations(idx: _Index, pair: RunPair) -> list[Change]:
    worst: dict[str, dict[str, int]] = {"a": {}, "b": {}}
    for asset in pair.assets:
        for run, locators in (("a", asset.locators_a), ("b", asset.locators_b)):
            status = _worst(idx.seen(asset, run))
            if status is None:
                continue
            for locator in locators:
                held = worst[run].get(locator)
                worst[run][locator] = rank(status) if held is None else min(held, rank(status))
    changes = []
    for locator in sorted(set(worst["a"]) & set(worst["b"])):
        old, new = worst["a"][locator], worst["b"][locator]
        if old == new:
            continue
        better = new > old
        changes.append(
            Change(
                "location-improved" if better else "location-worsened",
                "better" if better else "worse",
                "location",
                locator,
                locator,
                STATUS_ORDER[old],
                STATUS_ORDER[new],
                f"worst status {STATUS_ORDER[old]} -> {STATUS_ORDER[new]}",
            )
        )
    return changes


def _entry(idx: _Index, asset: SightedAsset, run: str) -> AssetEntry:
    return AssetEntry(
        asset.type,
        asset.fingerprint,
        asset.name,
        asset.locators_a if run == "a" else asset.locators_b,
        _worst(idx.seen(asset, run)),
    )


def _finding_entry(idx: _Index, f: SightedFinding) -> FindingEntry:
    asset = idx.assets.get(f.asset_id)
    return FindingEntry(
        asset.type if asset else "",
        asset.fingerprint if asset else "",
        asset.name if asset else "",
        f.location,
        f.algorithm,
        f.parameter,
        f.usage,
        f.quantum_status,
    )


def _entry_key(e: AssetEntry) -> tuple[str, tuple[str, ...], str]:
    return (e.type, e.locators, e.fingerprint)


def _finding_key(e: FindingEntry) -> tuple[str, str, str, str, str, str]:
    return (e.asset_type, e.location, e.usage, e.algorithm, e.parameter, e.fingerprint)


def compare(pair: RunPair) -> Diff:
    """Pair what run A and run B saw into changes, appeared and disappeared assets."""
    idx = _Index(pair)
    gone = [a for a in pair.assets if a.in_a and not a.in_b]
    came = [a for a in pair.assets if a.in_b and not a.in_a]
    both = [a for a in pair.assets if a.in_a and a.in_b]
    changes: list[Change] = []
    for kind, pairer in (("certificate", _certificates), ("package", _libraries)):
        changes.extend(
            pairer(idx, [a for a in gone if a.type == kind], [a for a in came if a.type == kind])
        )
    paired = {fp for c in changes for fp in c.fingerprints}
    changed_assets = 0
    for asset in both:
        own = _same_asset(idx, asset)
        changed_assets += bool(own)
        changes.extend(own)
    changes.extend(_locations(idx, pair))
    statuses_a: dict[str, int] = defaultdict(int)
    statuses_b: dict[str, int] = defaultdict(int)
    for f in pair.findings:
        if f.in_a:
            statuses_a[f.quantum_status] += 1
        if f.in_b:
            statuses_b[f.quantum_status] += 1
    names = sorted(set(statuses_a) | set(statuses_b) | set(STATUS_ORDER), key=_status_key)
    return Diff(
        a=pair.a,
        b=pair.b,
        statuses=tuple((s, statuses_a[s], statuses_b[s]) for s in names),
        assets_before=sum(a.in_a for a in pair.assets),
        assets_after=sum(a.in_b for a in pair.assets),
        assets_changed=changed_assets + sum(1 for c in changes if len(c.fingerprints) == 2),
        findings_before=sum(f.in_a for f in pair.findings),
        findings_after=sum(f.in_b for f in pair.findings),
        changes=tuple(sorted(changes, key=Change.sort_key)),
        appeared=tuple(
            sorted(
                (_entry(idx, a, "b") for a in came if a.fingerprint not in paired), key=_entry_key
            )
        ),
        disappeared=tuple(
            sorted(
                (_entry(idx, a, "a") for a in gone if a.fingerprint not in paired),
                key=_entry_key,
            )
        ),
        findings_appeared=tuple(
            sorted(
                (_finding_entry(idx, f) for f in pair.findings if f.in_b and not f.in_a),
                key=_finding_key,
            )
        ),
        findings_disappeared=tuple(
            sorted(
                (_finding_entry(idx, f) for f in pair.findings if f.in_a and not f.in_b),
                key=_finding_key,
            )
        ),
    )


def _status_key(status: str) -> tuple[int, str]:
    return (STATUS_ORDER.index(status) if status in STATUS_ORDER else len(STATUS_ORDER), status)


# -- rendering --------------------------------------------------------------------------------


def _run_json(run: RunRecord) -> dict[str, Any]:
    return {
        "id": run.id,
        "collector": run.collector,
        "status": run.status,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "arguments": run.arguments,
    }


def to_document(diff: Diff) -> dict[str, Any]:
    """The ``pqcscan-diff/1`` document (see the module docstring)."""
    return {
        "schema": SCHEMA,
        "run_a": _run_json(diff.a),
        "run_b": _run_json(diff.b),
        "summary": {
            "verdict": diff.verdict,
            "statuses": [
                {"status": s, "before": b, "after": a, "delta": a - b} for s, b, a in diff.statuses
            ],
            "assets": {
                "before": diff.assets_before,
                "after": diff.assets_after,
                "appeared": len(diff.appeared),
                "disappeared": len(diff.disappeared),
                "changed": diff.assets_changed,
            },
            "findings": {
                "before": diff.findings_before,
                "after": diff.findings_after,
                "appeared": len(diff.findings_appeared),
                "disappeared": len(diff.findings_disappeared),
            },
            "changes": diff.direction_counts(),
        },
        "changes": [c.to_json() for c in diff.changes],
        "assets": {
            "appeared": [e.to_json() for e in diff.appeared],
            "disappeared": [e.to_json() for e in diff.disappeared],
        },
        "findings": {
            "appeared": [e.to_json() for e in diff.findings_appeared],
            "disappeared": [e.to_json() for e in diff.findings_disappeared],
        },
    }


def to_json(diff: Diff) -> str:
    return json.dumps(to_document(diff), indent=2, ensure_ascii=False) + "\n"


def _title(diff: Diff) -> str:
    a, b = diff.a, diff.b
    collectors = a.collector if a.collector == b.collector else f"{a.collector} / {b.collector}"
    return f"Scan diff: run {a.id} -> run {b.id} ({collectors})"


def _verdict_line(diff: Diff) -> str:
    counts = diff.direction_counts()
    return (
        f"Verdict: {diff.verdict}. {len(diff.changes)} changes ({counts['better']} better, "
        f"{counts['worse']} worse, {counts['mixed']} mixed, {counts['neutral']} neutral); "
        f"assets {diff.assets_before} -> {diff.assets_after} ({len(diff.appeared)} new, "
        f"{len(diff.disappeared)} gone); findings {diff.findings_before} -> "
        f"{diff.findings_after}."
    )


def _delta(n: int) -> str:
    return f"{n:+d}" if n else "0"


def to_table(diff: Diff) -> str:
    """Plain text for a terminal."""
    out = [_title(diff), _verdict_line(diff), ""]
    out.append(
        table(
            ("status", "before", "after", "delta"),
            [(s, b, a, _delta(a - b)) for s, b, a in diff.statuses],
            max_width=None,
        )
    )
    out += ["", "Changes:"]
    if diff.changes:
        out.append(
            table(
                ("kind", "direction", "subject", "location", "change"),
                [(c.kind, c.direction, c.subject, c.location, c.text) for c in diff.changes],
                max_width=None,
            )
        )
    else:
        out.append("(none)")
    for title, entries in (("Appeared", diff.appeared), ("Disappeared", diff.disappeared)):
        out += ["", f"{title} assets:"]
        if entries:
            out.append(
                table(
                    ("type", "name", "where", "worst status"),
                    [
                        (e.type, e.name, ", ".join(e.locators), e.worst_status or "")
                        for e in entries
                    ],
                    max_width=None,
                )
            )
        else:
            out.append("(none)")
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


_KIND_TITLES = {
    "certificate-reissued": "Certificates re-issued",
    "library-upgraded": "Libraries upgraded",
    "library-downgraded": "Libraries downgraded",
    "library-version-changed": "Library versions changed",
    "endpoint-protocol-added": "Protocol versions enabled",
    "endpoint-protocol-removed": "Protocol versions disabled",
    "endpoint-key-exchange-added": "Key exchanges gained",
    "endpoint-key-exchange-removed": "Key exchanges dropped",
    "endpoint-algorithm-added": "Endpoint algorithms gained",
    "endpoint-algorithm-removed": "Endpoint algorithms dropped",
    "reprotected": "Keys and key stores re-protected",
    "finding-added": "Algorithms newly seen",
    "finding-removed": "Algorithms no longer seen",
    "location-improved": "Places that improved",
    "location-worsened": "Places that got worse",
}


def to_markdown(diff: Diff) -> str:
    """A change note."""
    out = [f"# {_title(diff)}", "", f"**{_verdict_line(diff)}**", ""]
    out += ["## Quantum status of the findings seen", ""]
    out += ["| status | before | after | delta |", "|---|---:|---:|---:|"]
    out += [f"| {s} | {b} | {a} | {_delta(a - b)} |" for s, b, a in diff.statuses]
    out += ["", "## Changes", ""]
    if not diff.changes:
        out += ["No change.", ""]
    for kind in KINDS:
        of_kind = [c for c in diff.changes if c.kind == kind]
        if not of_kind:
            continue
        out += [f"### {_KIND_TITLES[kind]}", ""]
        out += [
            f"- **{_md(c.subject)}** ({c.direction}): {_md(c.text)}"
            + (f" — `{_md(c.location)}`" if c.location != c.subject else "")
            for c in of_kind
        ]
        out.append("")
    for title, entries in (("New assets", diff.appeared), ("Assets gone", diff.disappeared)):
        out += [f"## {title}", ""]
        if not entries:
            out += ["None.", ""]
            continue
        out += ["| type | name | where | worst status |", "|---|---|---|---|"]
        out += [
            f"| {e.type} | {_md(e.name)} | {_md(', '.join(e.locators))} | {e.worst_status or ''} |"
            for e in entries
        ]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
