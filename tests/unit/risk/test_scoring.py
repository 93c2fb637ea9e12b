"""Factors, provenance, defaults, Y rules and overrides, waves and due dates."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from pqcscan.catalog.loader import read_rule_file
from pqcscan.codec import from_jsonable, to_jsonable
from pqcscan.context.model import BusinessContext, DataClass, Ecosystem
from pqcscan.inventory.snapshot import Snapshot
from pqcscan.risk import (
    MODEL_VERSION,
    Provenance,
    RankedItem,
    RiskResult,
    Threat,
    Wave,
    load_profile,
    profile_from_document,
    rank,
)
from pqcscan.risk.factors import cdf
from pqcscan.risk.profile import RiskProfile
from tests.unit.risk.builders import SnapshotBuilder, attach, context, service

AS_OF = date(2026, 1, 1)


def _rank(
    snapshot: Snapshot,
    ctx: BusinessContext | None = None,
    mapping: dict[int, tuple[tuple[str, str], ...]] | None = None,
    profile: RiskProfile | None = None,
) -> RiskResult:
    return rank(snapshot, [ctx] if ctx else [], mapping or {}, profile or load_profile(), AS_OF)


def _get(result: RiskResult, key: str) -> RankedItem:
    return next(i for i in result.items if i.key == key)


def _factor(item: RankedItem, name: str) -> Any:
    return next(f for f in item.factors if f.factor == name)


def _profile(**changes: Any) -> RiskProfile:
    document = read_rule_file("risk", "default.yaml")
    for path, value in changes.items():
        node = document
        parts = path.split("__")
        for part in parts[:-1]:
            node = node[part]
        node[parts[-1]] = value
    return profile_from_document(document, "test-profile")


def _endpoint(groups: list[tuple[str, str]], versions: list[str] = ["1.3"]) -> Snapshot:  # noqa: B006
    b = SnapshotBuilder()
    b.endpoint("app", "10.0.0.1", 443, groups, versions)
    return b.build()


KEX = "endpoint:10.0.0.1:443#key-exchange"


def test_quantum_safe_items_score_zero_and_stay_visible_in_monitor() -> None:
    b = SnapshotBuilder()
    root = b.certificate("pq-root", ("ML-DSA-87", ""), ca=True)
    b.certificate("pq-leaf", ("ML-DSA-65", ""), root, signature=("ML-DSA-87", ""))
    b.endpoint("pq", "10.0.0.2", 443, [("X25519MLKEM768", "")], ["1.3"])
    result = _rank(b.build())
    assert result.items and all(i.wave is Wave.MONITOR for i in result.items)
    for item in result.items:
        assert item.score == 0 and item.threat is Threat.NONE and item.due is None
        assert all(f.points == 0 for f in item.factors)
        assert item.wave_rule.startswith("M0") and item.wave_reason.startswith("V = 0")
    kex = _get(result, "endpoint:10.0.0.2:443#key-exchange")
    assert any("[hybrid-in-place]" in r for r in kex.remediation)


def test_missing_context_is_flagged_not_hidden() -> None:
    result = _rank(_endpoint([("ECDH", "P-256")]))
    kex = _get(result, KEX)
    assert kex.needs_context and kex.service_count == 0 and kex.owner is None
    assert _factor(kex, "I").source is Provenance.DEFAULT
    assert _factor(kex, "I").raw == "3 (default: no service depends on this item)"
    assert _factor(kex, "D").source is Provenance.DEFAULT and _factor(kex, "D").value == 0
    assert _factor(kex, "E").source is Provenance.DEFAULT
    assert kex.mosca.x == 10 and kex.mosca.x_source.startswith("default:")
    assert kex.confidence == 0.25  # only Y (rule) is not a default
    assert "unmapped" in kex.signals
    assert result.unmapped_assets == ("endpoint:10.0.0.1:443",)
    assert any("no business context loaded" in n for n in result.notes)
    assert result.model_version == MODEL_VERSION and result.context_name is None


def test_service_without_retention_is_a_flagged_default() -> None:
    ctx = context(service("app", 4))
    kex = _get(_rank(_endpoint([("ECDH", "P-256")]), ctx, attach((1, "app"))), KEX)
    assert kex.needs_context  # retention defaulted for a confidentiality item
    assert kex.mosca.x_source == "default: app states no retention (profile default)"
    assert _factor(kex, "I").source is Provenance.USER
    assert kex.confidence == 0.75


def test_retention_from_data_classes_and_profile_table() -> None:
    ctx = BusinessContext(
        "bank",
        (DataClass("ledger", 12.0),),
        (
            service("a", 3, data_classes=("ledger", "cards")),
            service("b", 3, data_classes=("cards",)),
        ),
        (),
    )
    profile = _profile(defaults__data_class_retention={"cards": 2})
    snap = _endpoint([("ECDH", "P-256")])
    item = _get(_rank(snap, ctx, attach((1, "a")), profile), KEX)
    assert (item.mosca.x, item.mosca.x_source) == (12, "user: a, data class ledger")
    item = _get(_rank(snap, ctx, attach((1, "b")), profile), KEX)
    assert item.mosca.x == 2 and item.mosca.x_source.startswith("rule: b, data class cards")


def test_mosca_timing_scale() -> None:
    ctx = context(service("app", 3, 3.0))
    kex = _get(_rank(_endpoint([("ECDH", "P-256")]), ctx, attach((1, "app"))), KEX)
    # X 3 + Y 0.5 (TLS 1.3 stack) - Z 9 = -5.5: clamp(0.5 - 0.55) = 0
    assert kex.mosca.gap == -5.5 and _factor(kex, "T").value == 0
    assert kex.mosca.z_source.startswith("profile default: CRQC assumed from 2035-01-01")
    assert kex.mosca.crqc_year == 2035


def test_signature_lifetime_and_validity() -> None:
    b = SnapshotBuilder()
    root = b.certificate("root", ("RSA", "3072"), ca=True, not_after="2031-01-01T00:00:00+00:00")
    ctx = context(service("esign", 5, 1.0, signature_lifetime_years=10.0))
    result = _rank(b.build(), ctx, attach((root, "esign")))
    ca = _get(result, "certificate:cert-root#subject-key")
    assert ca.threat is Threat.FORGERY
    assert ca.mosca.x == 10 and ca.mosca.x_source == "user: esign, signature lifetime"
    plain = _get(_rank(b.build()), "certificate:cert-root#subject-key")
    assert plain.mosca.x == 5.0 and plain.mosca.x_source.startswith("observed: certificate valid")


def test_cdf_model() -> None:
    assert cdf([(5, 0.1), (10, 0.27)], 0) == 0
    assert cdf([(5, 0.1), (10, 0.27)], 2.5) == pytest.approx(0.05)
    assert cdf([(5, 0.1), (10, 0.27)], 15) == pytest.approx(0.44)
    assert cdf([(5, 0.1), (10, 0.9)], 100) == 1
    profile = _profile(crqc__model="cdf")
    ctx = context(service("app", 3, 10.0))
    kex = _get(_rank(_endpoint([("ECDH", "P-256")]), ctx, attach((1, "app")), profile), KEX)
    # X 10 + Y 0.5 = 10.5 y: 0.27 + (0.53 - 0.27) * 0.5 / 5 = 0.296
    assert _factor(kex, "T").value == pytest.approx(0.296)
    assert "P(CRQC within X + Y = 10.5 y)" in _factor(kex, "T").raw


def test_alignment_in_force_and_deadline_slack() -> None:
    weak = _get(_rank(_endpoint([("DH", "1024")], ["1.2"])), KEX)
    assert _factor(weak, "A").value == 1.0 and "already in force" in _factor(weak, "A").raw
    assert weak.wave_rule.startswith("N1") and weak.threat is Threat.WEAK
    kex = _get(_rank(_endpoint([("ECDH", "P-256")])), KEX)
    # impact 3 (default): EU medium-risk 2036 and NIST 2036: 10.0 y - Y 0.5 = 9.5 -> 0.05
    assert _factor(kex, "A").value == pytest.approx(0.05)
    assert kex.deadlines[0].startswith("NIST IR 8547") or kex.deadlines[0].startswith("EU")


def test_migration_time_rules_multipliers_and_overrides() -> None:
    snap = _endpoint([("X25519MLKEM768", ""), ("X25519", "")])
    kex = _get(_rank(snap), KEX)
    assert kex.mosca.y == 0.25  # 0.5 (TLS 1.3 stack) x 0.5 (hybrid already accepted)
    assert "m-hybrid-accepted" in kex.mosca.y_source
    vendor = context(service("saas", 3, 5.0, vendor_controlled=True))
    kex = _get(_rank(snap, vendor, attach((1, "saas"))), KEX)
    assert kex.mosca.y == 0.38 and "m-vendor" in kex.mosca.y_source
    override = context(service("core", 5, 5.0, migration_years=3.0))
    kex = _get(_rank(snap, override, attach((1, "core"))), KEX)
    assert kex.mosca.y == 3 and kex.mosca.y_source == "user: migration_years of core"
    assert _factor(kex, "T").source is Provenance.USER


def test_observed_public_exposure_raises_ecosystem() -> None:
    b = SnapshotBuilder()
    leaf = b.certificate("www", ("ECDSA", "P-256"), b.certificate("ca", ("RSA", "2048"), ca=True))
    e = b.endpoint("www", "81.2.69.142", 443, [("X25519", "")], ["1.3"])
    b.link(e, "presents", leaf)
    result = _rank(b.build())
    for key in (KEX.replace("10.0.0.1", "81.2.69.142"), "certificate:cert-ca#subject-key"):
        item = _get(result, key)
        assert _factor(item, "E").value == 0.6667
        assert _factor(item, "E").source is Provenance.OBSERVED
        assert "public" in item.signals
    kex = _get(result, "endpoint:81.2.69.142:443#key-exchange")
    assert kex.wave_rule.startswith("N4")  # quick win even without business context


def test_regime_only_concerns_under_cnsa() -> None:
    snap = _endpoint([("X25519MLKEM768", "")])
    default = _get(_rank(snap), KEX)
    assert default.wave is Wave.MONITOR and default.score == 0
    strict = _get(_rank(snap, profile=load_profile("cnsa")), KEX)
    assert _factor(strict, "V").value == 0.2 and strict.threat is Threat.NONE
    assert strict.wave is Wave.NOW and strict.wave_rule.startswith("N5")  # not approved
    assert any("CNSA" in d for d in strict.deadlines)


def test_hardware_support_ends_before_migration() -> None:
    b = SnapshotBuilder()
    hw = b.asset(
        "hardware",
        "hsm-7",
        "dc1",
        "Payment HSM",
        kind="payment-hsm",
        vendor="Acme",
        product="PayShield X",
        support_end="2028-12-31",
    )
    b.finding(hw, "RSA", "2048", "signature")
    late = b.asset(
        "hardware", "hsm-8", "dc2", "Payment HSM", kind="payment-hsm", support_end="2030-06-30"
    )
    b.finding(late, "RSA", "2048", "signature")
    later = b.asset(
        "hardware", "hsm-9", "dc3", "Payment HSM", kind="payment-hsm", support_end="2035-06-30"
    )
    b.finding(later, "RSA", "2048", "signature")
    result = _rank(b.build())
    item = _get(result, "hardware:hsm-7#algorithms")
    assert item.mosca.y == 3 and "support-ends-before-migration" in item.signals
    assert item.remediation[0].startswith("replace this appliance: support ends 2028-12-31")
    # due: the NIST 2031 deadline minus Y 3 = 2028-01-01; finishing 3 y later: 2031
    assert item.due == date(2028, 1, 1) and "(2031)" in item.remediation[0]
    # even starting today the migration ends after 2029-06-30; starting at the due date, later
    assert "support-ends-before-migration" in _get(result, "hardware:hsm-8#algorithms").signals
    assert "support-ends-before-migration" not in _get(result, "hardware:hsm-9#algorithms").signals


def test_owner_from_direct_service_then_declared() -> None:
    ctx = context(service("app", 3, 5.0, owner="team-a"))
    kex = _get(_rank(_endpoint([("ECDH", "P-256")]), ctx, attach((1, "app"))), KEX)
    assert kex.owner == "team-a"
    assert kex.dependants[0].direct and kex.dependants[0].service == "app"


def test_due_dates() -> None:
    ctx = context(service("core", 5, 10.0))
    snap = _endpoint([("ECDH", "P-256")], ["1.2"])
    kex = _get(_rank(snap, ctx, attach((1, "core"))), KEX)
    # now: 12 months, but the EU high-risk deadline 2031-01-01 - Y 1 y is later: wave wins
    assert kex.wave is Wave.NOW and kex.due == date(2027, 1, 1)
    assert kex.due_basis == "wave now: 12 months"
    late = _profile(waves__due_months={"now": 120, "next": 120, "later": 120})
    kex = _get(_rank(snap, ctx, attach((1, "core")), late), KEX)
    assert kex.due == date(2030, 1, 1)  # 2031-01-01 minus 1 y (365 days)
    assert kex.due_basis.startswith("EU Coordinated")


def test_betweenness_is_reported_when_enabled() -> None:
    profile = _profile(metrics__betweenness={"enabled": True, "k": 8, "seed": 1})
    result = _rank(_endpoint([("ECDH", "P-256")]), profile=profile)
    assert all(dict(i.metrics).keys() == {"betweenness"} for i in result.items)
    assert any("betweenness" in n for n in result.notes)
    assert not _rank(_endpoint([("ECDH", "P-256")])).items[0].metrics


def test_ranked_items_survive_the_json_codec(demo_snapshot: tuple[Snapshot, Path]) -> None:
    snapshot, _ = demo_snapshot
    result = _rank(snapshot)
    for item in result.items:
        assert from_jsonable(RankedItem, to_jsonable(item)) == item


def test_demo_inventory_ranks_end_to_end(demo_snapshot: tuple[Snapshot, Path]) -> None:
    snapshot, files = demo_snapshot
    from pqcscan.context.mapping import map_assets
    from pqcscan.context.model import MappingRule, MatchKind

    ctx = BusinessContext(
        "bank",
        (DataClass("card-data", 7.0),),
        (
            service(
                "payments", 5, data_classes=("card-data",), ecosystem=Ecosystem.PAYMENT_NETWORK
            ),
            service("legacy", 2, 3.0),
        ),
        (
            MappingRule("payments", MatchKind.PATH, f"{files}/opt/payments-gateway/*"),
            MappingRule("legacy", MatchKind.PATH, f"{files}/opt/legacy-app/*"),
        ),
        sha256="2" * 64,
    )
    result = rank(snapshot, [ctx], map_assets(snapshot, [ctx]), load_profile(), AS_OF)
    keys = [i.key for i in result.items]
    assert len(keys) == len(set(keys)) > 40
    assert result.context_name == "bank" and result.context_sha256 == "2" * 64
    first = result.items[0]
    assert first.title.startswith("root CA key RSA-4096 of Example Bank Root CA 2025")
    assert first.wave is Wave.NOW and "payments (5)" in first.wave_reason
    weak = next(
        i
        for i in result.items
        if "legacy-batch-rsa1024.crt" in i.locator and i.usage == "subject-key"
    )
    assert weak.wave is Wave.NOW and weak.wave_rule.startswith("N1")
    assert any("[cert-weak-key]" in r for r in weak.remediation)
    for item in result.items:
        assert item.evidence and item.factors and item.wave_reason
        assert len(item.factors) == 6
        assert round(sum(f.points for f in item.factors), 1) == item.score
        assert 0 <= item.confidence <= 1
