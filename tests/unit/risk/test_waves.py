"""Waves: precedence pulls providers forward, cycles share a wave, done providers block nothing."""

from __future__ import annotations

from array import array
from datetime import date

from pqcscan.risk import RankedItem, RiskResult, Wave, load_profile, rank
from pqcscan.risk.waves import Schedules, add_months
from tests.unit.risk.builders import SnapshotBuilder, attach, context, service

AS_OF = date(2026, 1, 1)


def _by_key(result: RiskResult) -> dict[str, RankedItem]:
    return {i.key: i for i in result.items}


def test_issuer_is_pulled_forward_by_the_certificates_it_signs() -> None:
    b = SnapshotBuilder()
    ca = b.certificate("ca", ("ECDSA", "P-384"), ca=True, not_after="2027-01-01T00:00:00+00:00")
    b.certificate("leaf", ("ECDSA", "P-256"), ca, signature=("RSA", "1024"))  # broken today
    items = _by_key(rank(b.build(), [], {}, load_profile(), AS_OF))
    leaf_sig = items["certificate:cert-leaf#signature"]
    assert leaf_sig.wave is Wave.NOW and leaf_sig.wave_rule.startswith("N1")
    issuer = items["certificate:cert-ca#subject-key"]
    assert issuer.wave is Wave.NOW and issuer.rule_wave in (Wave.NEXT, Wave.LATER)
    assert issuer.wave_rule.startswith("P1 precedence")
    assert issuer.wave_reason.startswith("precedence: blocks 1 item(s) in wave now")
    assert issuer.blocks == ("certificate:cert-leaf#signature",)
    assert leaf_sig.blocked_by == ("certificate:cert-ca#subject-key",)
    keys = [i.key for i in rank(b.build(), [], {}, load_profile(), AS_OF).items]
    assert keys.index("certificate:cert-ca#subject-key") < keys.index(
        "certificate:cert-leaf#signature"
    )


def test_a_quantum_safe_provider_blocks_nothing() -> None:
    b = SnapshotBuilder()
    ca = b.certificate("pq", ("ML-DSA-87", ""), ca=True)
    b.certificate("leaf", ("RSA", "2048"), ca, signature=("ML-DSA-87", ""))
    e = b.endpoint("www", "10.0.0.1", 443)
    b.link(e, "presents", 2)
    items = _by_key(rank(b.build(), [], {}, load_profile(), AS_OF))
    pq = items["certificate:cert-pq#subject-key"]
    assert pq.wave is Wave.MONITOR and not pq.blocks
    assert items["certificate:cert-leaf#signature"].wave is Wave.MONITOR
    assert not items["certificate:cert-leaf#subject-key"].blocked_by


def test_a_dependency_cycle_shares_one_wave() -> None:
    b = SnapshotBuilder()
    a = b.certificate("a", ("RSA", "1024"), ca=True)  # broken: now
    c = b.certificate("c", ("ECDSA", "P-384"), a, ca=True, not_after="2026-06-30T00:00:00+00:00")
    b.link(a, "issued-by", c)  # cross-signed: a <-> c is one strongly connected group
    result = rank(b.build(), [], {}, load_profile(), AS_OF)
    items = _by_key(result)
    waves = {k: i.wave for k, i in items.items()}
    assert set(waves.values()) == {Wave.NOW}, waves
    c_key = items["certificate:cert-c#subject-key"]
    assert c_key.rule_wave is not None
    assert c_key.wave_rule.startswith(("S1", "P1"))
    assert any(i.wave_rule.startswith("S1") for i in result.items)


def test_a_cycle_of_services_shares_its_context() -> None:
    b = SnapshotBuilder()
    one = b.endpoint("one", "10.0.0.1", 443)
    two = b.endpoint("two", "10.0.0.2", 443)
    ctx = context(
        service("pay", 5, 10.0, depends_on=("ledger",)),
        service("ledger", 2, 3.0, depends_on=("pay",)),
    )
    result = rank(b.build(), [ctx], attach((one, "pay"), (two, "ledger")), load_profile(), AS_OF)
    items = _by_key(result)
    first = items["endpoint:10.0.0.1:443#key-exchange"]
    second = items["endpoint:10.0.0.2:443#key-exchange"]
    assert first.services == second.services == ("pay", "ledger")
    assert first.score == second.score and first.wave is second.wave
    assert {f.factor: f.value for f in first.factors} == {f.factor: f.value for f in second.factors}


def test_add_months() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 14) == date(2028, 1, 15)


def test_schedules_in_columns_read_back_as_records_with_sorted_links() -> None:
    s = Schedules()
    for wave, rule in (
        (Wave.NOW, "N1"),
        (Wave.LATER, "L1"),
        (Wave.NOW, "N1"),
        (Wave.MONITOR, "M0"),
    ):
        s.append(wave, rule, f"{rule} label")
    # 0 waits for 2 and for 1 (twice: two kinds of edge); 1 waits for 2
    s.link(array("i", [0, 0, 0, 1]), array("i", [2, 1, 1, 2]))
    s.sort_links(lambda m: -m)
    assert len(s) == 4 and list(s.blocked_by(0)) == [2, 1, 1] and list(s.blocks(2)) == [1, 0]
    s.wave_rank[1], s.pulled[1], s.urgency[1] = 0, 1, 42.5
    record = s[1]
    assert (record.rule_wave, record.rule_id, record.rule_label) == (Wave.LATER, "L1", "L1 label")
    assert (record.wave, record.pulled, record.urgency) == (Wave.NOW, "precedence", 42.5)
    assert record.blocks == (0, 0) and record.blocked_by == (2,)
    assert s[3].wave is Wave.MONITOR and s[3].blocks == s[3].blocked_by == ()
