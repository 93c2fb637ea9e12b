"""Explanations: the §8 paragraph, the factor table, and stored items explained alike."""

from __future__ import annotations

from datetime import date

import pytest

from pqcscan.codec import from_jsonable, to_jsonable
from pqcscan.context.mapping import map_assets
from pqcscan.risk import RankedItem, RiskResult, explain_markdown, load_profile, rank, summary_line
from tests.unit.risk.builders import worked_example


@pytest.fixture(scope="module")
def result() -> RiskResult:
    w = worked_example()
    mapping = map_assets(w.snapshot, w.contexts)
    return rank(w.snapshot, w.contexts, mapping, load_profile(), date(2026, 1, 1))


def _item(result: RiskResult, key: str) -> RankedItem:
    return next(i for i in result.items if i.key == key)


def test_paragraph_for_a_harvest_now_item(result: RiskResult) -> None:
    text = explain_markdown(_item(result, "endpoint:10.1.0.5:8443#key-exchange"))
    first = text.splitlines()[0]
    assert first.startswith(
        "**now** (80), N2 score >= 70: key exchange is Shor-vulnerable (ECDH P-256): recorded "
        "traffic can be decrypted later; data must stay secret 10 y (user: core-banking, "
        "retention stated) and migration takes ~2 y (rule y-tls-endpoint"
    )
    assert "→ 12 y > 9 y to the assumed CRQC (2035): 3.0 years late." in first
    assert "1 service(s) depend on it; highest: core-banking (impact 5)." in first
    for factor, name, name_zh in (
        ("T", "data confidentiality period", "資料保密期限"),
        ("I", "business impact", "業務影響"),
        ("D", "business dependency", "業務依賴"),
        ("E", "ecosystem relatedness", "生態系關聯"),
        ("A", "international alignment", "國際接軌"),
        ("V", "cryptographic vulnerability", "密碼弱點"),
    ):
        assert f"| {factor} | {name} | {name_zh} |" in text
    assert "**Mosca** X 10 y" in text and "= gap +3 y." in text
    assert "**Depends on it** (1): core-banking (5, direct)" in text
    assert "**What to do**" in text and "[tls-enable-tls13]" in text
    assert "**Evidence**" in text and "finding " in text
    assert "due 2027-01-01 (wave now: 12 months)" in text and "owner core-team" in text


def test_paragraph_for_a_forgery_item_and_blockers(result: RiskResult) -> None:
    ca = _item(result, "certificate:cert-internal-root#subject-key")
    text = explain_markdown(ca)
    assert "relies on Shor-vulnerable signatures (RSA-2048)" in text
    assert (
        "signatures must stay trustworthy 15 y (observed: certificate valid until 2040-12-31)"
        in text
    )
    assert "Blocks 3 item(s)." in text and "**Blocks**:" in text
    leaf = _item(result, "certificate:cert-core-api#signature")
    assert "**Blocked by**: `certificate:cert-internal-root#subject-key`" in explain_markdown(leaf)
    assert "years to spare" in summary_line(leaf)


def test_monitor_and_pulled_items(result: RiskResult) -> None:
    monitor = _item(result, "endpoint:81.2.69.142:443#protocol")
    text = explain_markdown(monitor)
    assert text.startswith("**monitor** (0):")
    assert "TLS 1.3 is available" in monitor.wave_reason
    pulled = _item(result, "endpoint:10.3.0.7:443#protocol")
    assert "precedence: blocks 1 item(s) in wave now (own rule X2: next)" in explain_markdown(
        pulled
    )


def test_stored_items_explain_identically(result: RiskResult) -> None:
    for item in result.items:
        restored = from_jsonable(RankedItem, to_jsonable(item))
        assert explain_markdown(restored) == explain_markdown(item)
