from __future__ import annotations

import copy

import pytest

from pqcscan.catalog.loader import read_rule_file
from pqcscan.errors import RuleError
from pqcscan.sharing.vocabulary import build_vocabulary, get_vocabulary


def test_shipped_vocabulary_maps_known_values_and_everything_else_to_other() -> None:
    v = get_vocabulary()
    assert v.term("kex_family", "X25519MLKEM768") == "hybrid-x25519-mlkem"
    assert v.term("kex_family", "ML-KEM-768") == "ml-kem"
    assert v.term("kex_family", "ECDH P-256") == "ecdh-nist"
    assert v.term("kex_family", "DH ffdhe2048") == "ffdhe"
    assert v.term("kex_family", "X25519 classic groups only") == "x25519"
    assert v.term("signature_family", "rsa3072_dilithium2") == "composite"
    assert v.term("signature_family", "RSA") == "rsa"
    assert v.term("signature_family", "ML-DSA-65") == "ml-dsa"
    assert v.term("protocol_version", "TLS 1.3") == "tls-1.3"
    assert v.term("asset_type", "ENDPOINT") == "endpoint"
    for raw in ("core-api.example-bank.test", "10.0.0.5", "/srv/app", "", None, "other"):
        assert v.term("kex_family", raw) == "other"
        assert v.term("profile", raw) == "other"


def test_every_table_dimension_exists_and_the_hash_is_stable() -> None:
    v = get_vocabulary()
    assert all(d in v.dimensions for t in v.tables for d in t.dimensions)
    doc = read_rule_file("stats", "vocabulary.yaml")
    assert build_vocabulary(doc).sha256 == v.sha256
    changed = copy.deepcopy(doc)
    changed["dimensions"]["wave"]["values"].append("someday")
    assert build_vocabulary(changed).sha256 != v.sha256


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("dimensions", "kex_family", "map", "x25519*"), "not-a-value", "is not one of its values"),
        (("dimensions", "wave", "values"), ["now", "Now Please"], "does not match"),
        (("tables",), [{"id": "t", "unit": "things", "dimensions": ["nope"]}], "unknown dimension"),
        (("policy", "dominance"), 1.5, "greater than the maximum"),
        (("dimensions", "wave", "values"), ["now", "other"], "should not be valid"),
    ],
)
def test_a_broken_vocabulary_is_refused(path: tuple[str, ...], value: object, message: str) -> None:
    doc = copy.deepcopy(read_rule_file("stats", "vocabulary.yaml"))
    node = doc
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    with pytest.raises(RuleError, match=message):
        build_vocabulary(doc)
