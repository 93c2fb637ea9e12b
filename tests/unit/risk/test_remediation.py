"""Every remediation rule has a matching and a non-matching item, and its text renders."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from pqcscan.catalog.loader import read_rule_file
from pqcscan.errors import RuleError
from pqcscan.inventory.snapshot import AssetView
from pqcscan.risk.items import WorkItem
from pqcscan.risk.model import Threat, Wave
from pqcscan.risk.remediation import parse_rules, remediate, remediation_rules

AS_OF = date(2026, 1, 1)
HNDL, FORGERY, WEAK, NONE = Threat.HNDL, Threat.FORGERY, Threat.WEAK, Threat.NONE
VULNERABLE, BROKEN, WEAKENED = "quantum-vulnerable", "classically-broken", "quantum-weakened"


def item(
    asset_type: str = "endpoint",
    use: str = "key-exchange",
    signals: tuple[str, ...] = (),
    status: str = VULNERABLE,
    threat: Threat = HNDL,
    wave: Wave = Wave.NOW,
    v: float = 0.9,
    **details: Any,
) -> WorkItem:
    asset = AssetView(1, asset_type, "fp", "host.example:443", "Host", dict(details))
    w = WorkItem(f"{asset_type}:fp#{use}", asset, use, [], [1], set(signals))
    w.status, w.threat, w.wave, w.v, w.y = status, threat, wave, v, 3.0
    w.displays = ("X25519", "RSA-2048")
    return w


# rule id: (an item it matches, a similar item it does not match)
CASES: dict[str, tuple[WorkItem, WorkItem]] = {
    "tls-enable-hybrid": (
        item(signals=("tls", "tls13")),
        item(signals=("tls", "tls13", "hybrid-accepted")),
    ),
    "tls-enable-tls13": (
        item(use="protocol", signals=("tls",)),
        item(use="protocol", signals=("tls", "tls13")),
    ),
    "tls-prefer-hybrid": (
        item(signals=("tls", "hybrid-accepted", "classical-fallback")),
        item(signals=("tls", "hybrid-accepted")),
    ),
    "tls-disable-legacy": (
        item(use="protocol", signals=("tls", "legacy-protocol"), status=BROKEN, threat=WEAK),
        item(use="protocol", signals=("ssh", "legacy-protocol"), status=BROKEN, threat=WEAK),
    ),
    "tls-disable-static-rsa": (
        item(signals=("tls", "static-rsa")),
        item(use="authentication", signals=("tls", "static-rsa"), threat=FORGERY),
    ),
    "tls-remove-broken-ciphers": (
        item(use="ciphers", status=BROKEN, threat=WEAK, v=1.0),
        item(use="ciphers", status=WEAKENED, threat=NONE, v=0.0),
    ),
    "aes256-sha384": (
        item(use="ciphers", status=WEAKENED, threat=NONE, v=0.2),
        item(use="ciphers", status=WEAKENED, threat=NONE, v=0.0, wave=Wave.MONITOR),
    ),
    "ssh-enable-hybrid": (
        item(signals=("ssh",)),
        item(signals=("tls",)),
    ),
    "ssh-disable-v1": (
        item(use="protocol", signals=("ssh", "legacy-protocol"), status=BROKEN, threat=WEAK),
        item(use="protocol", signals=("ssh",), status="quantum-safe", threat=NONE, v=0.0),
    ),
    "ssh-rotate-host-key": (
        item("key", "host-key", threat=FORGERY),
        item("key", "host-key", status="quantum-safe", threat=NONE, v=0.0),
    ),
    "cert-reissue-ml-dsa": (
        item("certificate", "subject-key", ("leaf",), threat=FORGERY),
        item("certificate", "subject-key", ("ca",), threat=FORGERY),
    ),
    "cert-weak-key": (
        item("certificate", "subject-key", ("leaf",), status=BROKEN, threat=WEAK),
        item("certificate", "subject-key", ("leaf",), threat=FORGERY),
    ),
    "cert-weak-signature": (
        item("certificate", "signature", status=BROKEN, threat=WEAK),
        item("certificate", "signature", threat=FORGERY),
    ),
    "ca-pqc-hierarchy": (
        item("certificate", "subject-key", ("ca", "root"), threat=FORGERY),
        item("certificate", "subject-key", ("leaf",), threat=FORGERY),
    ),
    "code-signing-lms": (
        item("certificate", "subject-key", ("leaf", "code-signing"), threat=FORGERY),
        item("certificate", "subject-key", ("leaf", "code-signing"), threat=NONE, v=0.0),
    ),
    "key-replace": (
        item("key", "key", threat=FORGERY),
        item("key", "host-key", threat=FORGERY),
    ),
    "key-reencrypt": (
        item("key", "protection", status=BROKEN, threat=WEAK),
        item("key", "protection", status=WEAKENED, threat=NONE, v=0.0),
    ),
    "hardware-replace": (
        item("hardware", "algorithms", ("support-ends-before-migration",), support_end="2028"),
        item("hardware", "algorithms"),
    ),
    "hardware-vendor-roadmap": (
        item("hardware", "algorithms", vendor="Acme", product="HSM 9"),
        item("hardware", "algorithms", ("pqc-capable",)),
    ),
    "hardware-enable-pqc": (
        item("hardware", "algorithms", ("pqc-capable",), product="HSM 9"),
        item("hardware", "algorithms"),
    ),
    "code-replace-calls": (
        item("file", "crypto", ("source-code",)),
        item("file", "crypto", ("configuration",)),
    ),
    "config-enable-pqc": (
        item("file", "crypto", ("configuration",), status=BROKEN, threat=WEAK),
        item("file", "crypto", ("source-code",), status=BROKEN, threat=WEAK),
    ),
    "library-upgrade": (
        item("package", "crypto"),
        item("package", "crypto", ("pqc-capable",)),
    ),
    "library-enable-pqc": (
        item("package", "crypto", ("pqc-capable",)),
        item("hardware", "crypto", ("pqc-capable",)),
    ),
    "evidence-gap": (
        item("key", "key", ("evidence-gap",), status="unknown", threat=FORGERY, v=0.5),
        item("key", "key", threat=FORGERY),
    ),
    "hybrid-in-place": (
        item(status="hybrid", threat=NONE, v=0.0, wave=Wave.MONITOR),
        item(status="hybrid", threat=NONE, v=0.2, wave=Wave.NOW),
    ),
}


def _ids(lines: tuple[str, ...]) -> set[str]:
    return {line.rsplit("[", 1)[1].rstrip("]") for line in lines}


def test_every_rule_has_cases() -> None:
    assert sorted(CASES) == sorted(r.id for r in remediation_rules())


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_matches_and_does_not_match(rule_id: str) -> None:
    matching, other = CASES[rule_id]
    lines = remediate(matching, AS_OF)
    assert rule_id in _ids(lines)
    line = next(x for x in lines if x.endswith(f"[{rule_id}]"))
    assert "{" not in line and "}" not in line
    rule = next(r for r in remediation_rules() if r.id == rule_id)
    assert f"({rule.reference})" in line
    assert rule_id not in _ids(remediate(other, AS_OF))


def test_placeholders() -> None:
    hw = item(
        "hardware", "algorithms", ("support-ends-before-migration",), vendor="Acme", product="HSM 9"
    )
    hw.support_end = date(2028, 12, 31)
    lines = remediate(hw, AS_OF)
    assert lines[0].startswith(
        "replace this appliance: support ends 2028-12-31, before a migration of ~3 y could "
        "finish (2029)"
    )
    assert any(x.startswith("ask Acme for its PQC roadmap for HSM 9") for x in lines)


def test_duplicate_rule_ids_are_refused() -> None:
    document = read_rule_file("risk", "remediation.yaml")
    document["rules"].append(dict(document["rules"][0]))
    with pytest.raises(RuleError, match=r"is used twice"):
        parse_rules(document)
    document["rules"] = [
        {"id": "x", "when": {"wavez": ["now"]}, "text": "t" * 20, "reference": "ref ref"}
    ]
    with pytest.raises(RuleError, match=r"rules/0/when: Additional properties"):
        parse_rules(document)
