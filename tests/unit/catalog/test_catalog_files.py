"""Every catalog file validates and loads; a broken file fails naming the file and the path."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from pqcscan.catalog import get_catalog, load_catalog
from pqcscan.catalog.loader import rules_root, validate
from pqcscan.errors import RuleError

RULES = Path(__file__).resolve().parents[3] / "rules"
SCHEMA_OF = {"algorithms": "algorithms.schema.json", "identifiers": "identifiers.schema.json"}


def _catalog_files() -> list[Path]:
    files = sorted((RULES / "catalog").rglob("*.yaml"))
    assert files, "no catalog files found"
    return files


def _schema_for(path: Path) -> str:
    if path.name == "regimes.yaml":
        return "regimes.schema.json"
    return SCHEMA_OF[path.parent.name]


@pytest.mark.parametrize("path", _catalog_files(), ids=lambda p: p.name)
def test_every_file_validates_against_its_schema(path: Path) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    validate(document, _schema_for(path), str(path.relative_to(RULES)))


@pytest.mark.parametrize("path", _catalog_files(), ids=lambda p: p.name)
def test_every_file_has_a_source_or_references(path: Path) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    if "algorithms" in document:
        assert all(a["references"] for a in document["algorithms"])
    elif "regimes" in document:
        assert all("http" in r["citation"] for r in document["regimes"])
    else:
        assert document["source"].strip()
        entries = document.get("oids") or document.get("cipher_suites") or document["identifiers"]
        assert entries


def test_the_packaged_rules_are_the_checkout_rules() -> None:
    assert Path(str(rules_root())).resolve() == RULES.resolve()


def test_catalog_loads_and_has_every_part() -> None:
    cat = load_catalog()
    assert len(cat.algorithms) >= 200
    assert len(cat.oids) >= 300
    assert len(cat.cipher_suites) >= 330
    assert {item.namespace for item in cat.named.values()} == {
        "tls-group",
        "tls-signature-scheme",
        "ssh-kex",
        "ssh-host-key",
        "ssh-cipher",
        "ssh-mac",
        "ssh-compression",
    }
    assert {r.id for r in cat.regimes} == {"nist-ir-8547", "cnsa-2.0", "eu-pqc-roadmap", "asd-ism"}


def test_get_catalog_is_cached() -> None:
    assert get_catalog() is get_catalog()


def test_every_identifier_points_at_a_defined_algorithm() -> None:
    cat = get_catalog()
    for entry in cat.oids.values():
        assert entry.algorithm is None or cat.algorithm(entry.algorithm), entry.oid
        assert entry.algorithm is not None or entry.kind == "curve", entry.oid
    for suite in cat.cipher_suites.values():
        for _, part in suite.parts():
            assert cat.algorithm(part.algorithm), suite.name
    for item in cat.named.values():
        assert cat.algorithm(item.algorithm), item.name
        assert item.hash is None or cat.algorithm(item.hash), item.name
    for entry in cat.oids.values():
        assert entry.hash is None or cat.algorithm(entry.hash), entry.oid
    for alg in cat.algorithms.values():
        for comp in alg.components:
            assert cat.algorithm(comp), alg.name


# --- deliberately broken copies of the rules ----------------------------------------------


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    return target


def _edit(path: Path, change: Callable[[Any], None]) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def _fails(root: Path, *fragments: str) -> str:
    with pytest.raises(RuleError) as caught:
        load_catalog(root)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_the_copy_loads(rules_copy: Path) -> None:
    assert len(load_catalog(rules_copy).cipher_suites) == len(get_catalog().cipher_suites)


def test_algorithms_schema_rejects_a_bad_status(rules_copy: Path) -> None:
    path = rules_copy / "catalog" / "algorithms" / "pqc.yaml"
    _edit(path, lambda d: d["algorithms"][0].update(status="safe"))
    _fails(rules_copy, "rules/catalog/algorithms/pqc.yaml", "algorithms/0/status", "'safe'")


def test_algorithms_schema_rejects_an_unknown_field(rules_copy: Path) -> None:
    path = rules_copy / "catalog" / "algorithms" / "hash.yaml"
    _edit(path, lambda d: d["algorithms"][2].update(strength=128))
    _fails(rules_copy, "algorithms/hash.yaml", "algorithms/2", "strength")


def test_algorithms_schema_requires_references(rules_copy: Path) -> None:
    path = rules_copy / "catalog" / "algorithms" / "mac.yaml"
    _edit(path, lambda d: d["algorithms"][1].pop("references"))
    _fails(rules_copy, "algorithms/mac.yaml", "algorithms/1", "references")


def test_algorithms_schema_keeps_pseudo_entries_unknown(rules_copy: Path) -> None:
    path = rules_copy / "catalog" / "algorithms" / "pseudo.yaml"
    _edit(path, lambda d: d["algorithms"][0].update(status="quantum-safe"))
    _fails(rules_copy, "algorithms/pseudo.yaml", "algorithms/0/status")


def test_algorithms_schema_wants_two_components_for_a_hybrid(rules_copy: Path) -> None:
    path = rules_copy / "catalog" / "algorithms" / "hybrid.yaml"
    _edit(path, lambda d: d["algorithms"][0].update(components=["X25519"]))
    _fails(rules_copy, "algorithms/hybrid.yaml", "algorithms/0/components")


def test_identifiers_schema_rejects_a_malformed_oid(rules_copy: Path) -> None:
    path = rules_copy / "catalog" / "identifiers" / "oids_pqc.yaml"
    _edit(path, lambda d: d["oids"][1].update(oid="2.16.840.1.101.3.4.3.x18"))
    _fails(rules_copy, "identifiers/oids_pqc.yaml", "oids/1/oid")


def test_identifiers_schema_rejects_a_malformed_suite_code(rules_copy: Path) -> None:
    path = rules_copy / "catalog" / "identifiers" / "tls_cipher_suites.yaml"
    _edit(path, lambda d: d["cipher_suites"][5].update(code="0x0005"))
    _fails(rules_copy, "identifiers/tls_cipher_suites.yaml", "cipher_suites/5/code")


def test_identifiers_schema_keeps_tls13_suites_without_key_exchange(rules_copy: Path) -> None:
    def change(d: Any) -> None:
        tls13 = next(s for s in d["cipher_suites"] if s["name"] == "TLS_AES_128_GCM_SHA256")
        tls13["key_exchange"] = {"algorithm": "ECDH"}

    _edit(rules_copy / "catalog" / "identifiers" / "tls_cipher_suites.yaml", change)
    _fails(rules_copy, "identifiers/tls_cipher_suites.yaml", "cipher_suites/")


def test_identifiers_schema_keeps_signals_without_parts(rules_copy: Path) -> None:
    def change(d: Any) -> None:
        scsv = next(s for s in d["cipher_suites"] if s["name"] == "TLS_FALLBACK_SCSV")
        scsv["cipher"] = {"algorithm": "AES"}

    _edit(rules_copy / "catalog" / "identifiers" / "tls_cipher_suites.yaml", change)
    _fails(rules_copy, "identifiers/tls_cipher_suites.yaml", "cipher_suites/")


def test_identifiers_schema_needs_a_namespace_for_named_identifiers(rules_copy: Path) -> None:
    _edit(rules_copy / "catalog" / "identifiers" / "ssh_mac.yaml", lambda d: d.pop("namespace"))
    _fails(rules_copy, "identifiers/ssh_mac.yaml", "namespace")


def test_regimes_schema_rejects_an_unknown_action(rules_copy: Path) -> None:
    path = rules_copy / "catalog" / "regimes.yaml"
    _edit(path, lambda d: d["regimes"][0]["rules"][0].update(action="forbidden"))
    _fails(rules_copy, "rules/catalog/regimes.yaml", "regimes/0/rules/0/action")


def test_regimes_schema_wants_a_url_in_the_citation(rules_copy: Path) -> None:
    path = rules_copy / "catalog" / "regimes.yaml"
    _edit(path, lambda d: d["regimes"][1].update(citation="NSA, CNSA 2.0 advisory"))
    _fails(rules_copy, "catalog/regimes.yaml", "regimes/1/citation")


def test_regimes_reject_an_undeclared_scope(rules_copy: Path) -> None:
    path = rules_copy / "catalog" / "regimes.yaml"
    _edit(path, lambda d: d["regimes"][1]["rules"][1].update(scope="satellites"))
    _fails(rules_copy, "cnsa-2.0", "satellites")


def test_yaml_syntax_errors_name_the_file(rules_copy: Path) -> None:
    path = rules_copy / "catalog" / "identifiers" / "ssh_kex.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n  - {name: broken\n", encoding="utf-8")
    _fails(rules_copy, "rules/catalog/identifiers/ssh_kex.yaml")


def test_an_oid_naming_an_unknown_algorithm_is_rejected(rules_copy: Path) -> None:
    path = rules_copy / "catalog" / "identifiers" / "oids_pkix.yaml"
    _edit(path, lambda d: d["oids"][0].update(algorithm="RSA-9000"))
    _fails(rules_copy, "1.2.840.113549.1.1.1", "RSA-9000")


def test_a_suite_naming_an_unknown_algorithm_is_rejected(rules_copy: Path) -> None:
    path = rules_copy / "catalog" / "identifiers" / "tls_cipher_suites.yaml"
    _edit(path, lambda d: d["cipher_suites"][5]["cipher"].update(algorithm="RC5"))
    _fails(rules_copy, "TLS_RSA_WITH_RC4_128_SHA", "RC5")


def test_a_named_identifier_naming_an_unknown_algorithm_is_rejected(rules_copy: Path) -> None:
    path = rules_copy / "catalog" / "identifiers" / "ssh_cipher.yaml"
    _edit(path, lambda d: d["identifiers"][0].update(algorithm="TripleDESX"))
    _fails(rules_copy, "ssh-cipher", "3des-cbc", "TripleDESX")


def test_a_hybrid_with_an_unknown_component_is_rejected(rules_copy: Path) -> None:
    path = rules_copy / "catalog" / "algorithms" / "hybrid.yaml"
    _edit(path, lambda d: d["algorithms"][0].update(components=["X25519", "ML-KEM-769"]))
    _fails(rules_copy, "X25519MLKEM768", "ML-KEM-769")


def test_a_regime_naming_an_unknown_algorithm_is_rejected(rules_copy: Path) -> None:
    path = rules_copy / "catalog" / "regimes.yaml"
    _edit(path, lambda d: d["regimes"][0]["rules"][4]["match"].update(algorithms=["SHA-11"]))
    _fails(rules_copy, "nist-ir-8547", "SHA-11")


def test_duplicates_are_rejected(rules_copy: Path) -> None:
    path = rules_copy / "catalog" / "identifiers" / "oids_curves.yaml"
    _edit(path, lambda d: d["oids"].append(dict(d["oids"][0])))
    _fails(rules_copy, "1.2.840.10045.3.1.1", "twice")


def test_an_alias_used_by_two_algorithms_is_rejected(rules_copy: Path) -> None:
    path = rules_copy / "catalog" / "algorithms" / "hash.yaml"
    _edit(path, lambda d: d["algorithms"][3].setdefault("aliases", []).append("MD5"))
    _fails(rules_copy, "'MD5'")


def test_a_missing_schema_is_reported(rules_copy: Path) -> None:
    (rules_copy / "schema" / "regimes.schema.json").unlink()
    _fails(rules_copy, "regimes.schema.json")
