"""The worked example of RISK_MODEL §9, reproduced with this model's documented choices.

Services: core-banking (impact 5, retention 10 y, interbank), internet-banking (4, 7 y,
customer-facing), hr-portal (2, 5 y, internal). An internal RSA-2048 root CA (valid to
2040-12-31) issues the three server certificates. As of 2026-01-01, CRQC 2035-01-01: Z = 9.0.

Where the numbers differ from the proposal's table, it is on purpose (docs/risk-model.md):

- D = sum of dependant impacts / (5 x number of services) (= 15 here), not / sum of all impacts
  (11): the proposal's normalisation lets one service's impact change move every other item's
  D, which breaks monotonicity. The root CA: 11 / 15 = 0.73 (proposal 1.00).
- A counts from the regime's effective date (NIST "after 2030" = 2031-01-01) and takes the EU
  roadmap's high-risk scope (end of 2030) for impact >= 4: core-api kex 5.0 y - Y 2 = 3.0 y of
  slack -> A 0.70 (proposal 0.30, from the 2035 NIST date alone).
"""

from __future__ import annotations

from datetime import date

import pytest

from pqcscan.context.mapping import map_assets
from pqcscan.risk import RankedItem, RiskResult, Wave, load_profile, rank
from tests.unit.risk.builders import worked_example

AS_OF = date(2026, 1, 1)

# key: (score, wave, rule, gap, {factor: value})
GOLDEN = {
    # CA: forgery; X = validity to 2040-12-31 = 15.0 y (observed), Y = 4 (y-root-ca),
    # gap 15 + 4 - 9 = +10 -> T 1.0; I 5/5; D 11/15; E interbank 3/3;
    # A: RSA-2048 deprecated 2031 (NIST) and EU high-risk 2031: 5.0 - 4 = 1.0 slack -> 0.9;
    # V 0.8 (Shor signature). 30 + 25 + 11 + 10 + 9 + 8 = 93.0
    "certificate:cert-internal-root#subject-key": (
        93.0,
        Wave.NOW,
        "N2",
        10.0,
        {"T": 1.0, "I": 1.0, "D": 0.7333, "E": 1.0, "A": 0.9, "V": 0.8},
    ),
    # core-api:8443 ECDHE P-256, TLS 1.2 only: hndl; X 10 (user), Y = 1 (y-tls-endpoint)
    # x 2 (m-counterparty: interbank protocol) = 2; gap 10 + 2 - 9 = +3 -> T 0.8; I 1; D 5/15;
    # E 1; A: EU high-risk 2031: 5.0 - 2 = 3.0 -> 0.7; V 0.9. 24 + 25 + 5 + 10 + 7 + 9 = 80.0
    "endpoint:10.1.0.5:8443#key-exchange": (
        80.0,
        Wave.NOW,
        "N2",
        3.0,
        {"T": 0.8, "I": 1.0, "D": 0.3333, "E": 1.0, "A": 0.7, "V": 0.9},
    ),
    # openssl 1.1.1 used by core-banking: Y 1 (y-package); gap +2 -> T 0.7; A 5.0 - 1 -> 0.6;
    # V 0.9 (ECDH key exchange). 21 + 25 + 5 + 10 + 6 + 9 = 76.0
    "package:pkg:generic/openssl@1.1.1w#crypto": (
        76.0,
        Wave.NOW,
        "N2",
        2.0,
        {"T": 0.7, "I": 1.0, "D": 0.3333, "E": 1.0, "A": 0.6, "V": 0.9},
    ),
    # ib-web:443 X25519, TLS 1.3, public address: X 7, Y 0.5 (y-tls-current) -> gap -1.5 ->
    # T 0.35; I 4/5; D 4/15; E customer-facing 2/3 (also the observed-public floor);
    # A 5.0 - 0.5 = 4.5 -> 0.55; V 0.9. 10.5 + 20 + 4 + 6.67 + 5.5 + 9 = 55.7:
    # below every score rule, but a quick win (N4: hndl, Y <= 0.5, exposed): now
    "endpoint:81.2.69.142:443#key-exchange": (
        55.7,
        Wave.NOW,
        "N4",
        -1.5,
        {"T": 0.35, "I": 0.8, "D": 0.2667, "E": 0.6667, "A": 0.55, "V": 0.9},
    ),
    # hr:443 static RSA-1024 key transport: broken today (weak); X 5, Y 1 -> gap -3 -> T 0.2;
    # I 2/5; D 2/15; E internal 0; A 1 (NIST: disallowed already); V 1.
    # 6 + 10 + 2 + 0 + 10 + 10 = 38.0: low score, but hygiene (N1) puts it in now
    "endpoint:10.3.0.7:443#key-exchange": (
        38.0,
        Wave.NOW,
        "N1",
        -3.0,
        {"T": 0.2, "I": 0.4, "D": 0.1333, "E": 0.0, "A": 1.0, "V": 1.0},
    ),
}

# The whole backlog, in order: wave, providers before consumers, urgency (the highest score
# an item unlocks), score, key.
BACKLOG = [
    ("certificate:cert-internal-root#subject-key", Wave.NOW),
    ("endpoint:10.1.0.5:8443#protocol", Wave.NOW),  # TLS 1.3 first: the kex requires it
    ("endpoint:10.1.0.5:8443#key-exchange", Wave.NOW),
    ("package:pkg:generic/openssl@1.1.1w#crypto", Wave.NOW),
    ("endpoint:81.2.69.142:443#key-exchange", Wave.NOW),
    ("endpoint:10.3.0.7:443#protocol", Wave.NOW),  # pulled forward from next (P1); urgency 38
    ("endpoint:10.3.0.7:443#key-exchange", Wave.NOW),
    ("certificate:cert-hr#subject-key", Wave.NOW),
    ("certificate:cert-core-api#signature", Wave.NEXT),
    ("certificate:cert-core-api#subject-key", Wave.NEXT),
    ("certificate:cert-ib-web#signature", Wave.NEXT),
    ("certificate:cert-ib-web#subject-key", Wave.NEXT),
    ("certificate:cert-hr#signature", Wave.LATER),
    ("endpoint:81.2.69.142:443#protocol", Wave.MONITOR),  # TLS 1.3 there: V 0
]


@pytest.fixture(scope="module")
def result() -> RiskResult:
    w = worked_example()
    return rank(w.snapshot, w.contexts, map_assets(w.snapshot, w.contexts), load_profile(), AS_OF)


def _item(result: RiskResult, key: str) -> RankedItem:
    return next(i for i in result.items if i.key == key)


@pytest.mark.parametrize("key", sorted(GOLDEN))
def test_golden_item(result: RiskResult, key: str) -> None:
    score, wave, rule, gap, factors = GOLDEN[key]
    item = _item(result, key)
    assert item.score == score
    assert item.wave is wave
    assert item.wave_rule.split()[0] == rule
    assert item.mosca.gap == gap
    assert item.mosca.z == 9.0
    assert {f.factor: f.value for f in item.factors} == factors
    assert round(sum(f.points for f in item.factors), 1) == score


def test_golden_backlog_order(result: RiskResult) -> None:
    assert [(i.key, i.wave) for i in result.items] == BACKLOG


def test_the_shared_ca_wins_through_dependency(result: RiskResult) -> None:
    ca = result.items[0]
    assert ca.key == "certificate:cert-internal-root#subject-key"
    assert ca.service_count == 3
    assert ca.services == ("core-banking", "internet-banking", "hr-portal")
    assert "3 of 3 services (100% of impact) depend on it; highest: core-banking (5)" in (
        ca.wave_reason
    )
    assert sorted(ca.blocks) == [
        "certificate:cert-core-api#signature",
        "certificate:cert-hr#signature",
        "certificate:cert-ib-web#signature",
    ]
    assert ca.mosca.x_source == "observed: certificate valid until 2040-12-31"
    assert ca.mosca.y_source.startswith("rule y-root-ca")
    assert ca.deadlines[0].startswith("EU Coordinated Implementation Roadmap")
    assert not ca.needs_context


def test_hygiene_beats_score(result: RiskResult) -> None:
    hr = _item(result, "endpoint:10.3.0.7:443#key-exchange")
    assert hr.threat.value == "weak"
    assert hr.wave_rule.startswith("N1")
    assert any("[tls-disable-static-rsa]" in r for r in hr.remediation)


def test_quick_win_is_enable_hybrid(result: RiskResult) -> None:
    ib = _item(result, "endpoint:81.2.69.142:443#key-exchange")
    assert "public" in ib.signals and "public-address" in ib.signals
    assert ib.remediation and ib.remediation[0].startswith("enable the hybrid group X25519MLKEM768")
    assert ib.mosca.y_source.startswith("rule y-tls-current")


def test_precedence_pulls_tls13_upgrade_forward(result: RiskResult) -> None:
    protocol = _item(result, "endpoint:10.3.0.7:443#protocol")
    assert protocol.wave is Wave.NOW
    assert protocol.rule_wave is Wave.NEXT
    assert protocol.wave_rule.startswith("P1 precedence")
    assert protocol.blocks == ("endpoint:10.3.0.7:443#key-exchange",)
    assert "blocks 1 item(s) in wave now" in protocol.wave_reason
