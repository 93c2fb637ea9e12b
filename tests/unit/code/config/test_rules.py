"""Rule data: schemas, name tables against the catalog, every rule matched, every hit known."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pqcscan.catalog import get_catalog
from pqcscan.catalog.loader import read_rule_file, validate
from pqcscan.collectors.code.config import config_kind, parse_config, rule_ids, rule_message
from pqcscan.collectors.code.config._base import protocol, protocols, rule_set
from pqcscan.collectors.code.model import CodeHit
from pqcscan.errors import RuleError
from tests.unit.code.config._util import DATA

NAMES = rule_set().names

#: One configuration per rule that makes it fire (and the rule is absent from the others).
TRIGGERS: dict[str, tuple[str, str]] = {
    "nginx-ssl-protocols": ("nginx", "ssl_protocols TLSv1.2;"),
    "nginx-ssl-ciphers": ("nginx", "ssl_ciphers AES128-SHA;"),
    "nginx-ssl-ecdh-curve": ("nginx", "ssl_ecdh_curve X25519MLKEM768;"),
    "nginx-ssl-conf-command-groups": ("nginx", "ssl_conf_command Curves X25519MLKEM768;"),
    "nginx-ssl-conf-command-ciphers": ("nginx", "ssl_conf_command CipherString AES128-SHA;"),
    "nginx-ssl-conf-command-protocol": ("nginx", "ssl_conf_command MinProtocol TLSv1.3;"),
    "nginx-ssl-conf-command-sigalgs": ("nginx", "ssl_conf_command SignatureAlgorithms mldsa65;"),
    "nginx-proxy-ssl-protocols": ("nginx", "grpc_ssl_protocols TLSv1.3;"),
    "nginx-proxy-ssl-ciphers": ("nginx", "proxy_ssl_ciphers RC4-MD5;"),
    "nginx-classic-groups-only": ("nginx", "ssl_ecdh_curve secp384r1;"),
    "apache-ssl-protocol": ("apache", "SSLProtocol TLSv1.3"),
    "apache-ssl-proxy-protocol": ("apache", "SSLProxyProtocol TLSv1.3"),
    "apache-ssl-cipher-suite": ("apache", "SSLCipherSuite AES256-SHA"),
    "apache-ssl-proxy-cipher-suite": ("apache", "SSLProxyCipherSuite AES256-SHA"),
    "apache-ssl-openssl-conf-cmd-groups": ("apache", "SSLOpenSSLConfCmd Groups MLKEM768"),
    "apache-ssl-openssl-conf-cmd-ciphers": ("apache", "SSLOpenSSLConfCmd Ciphersuites x"),
    "apache-ssl-openssl-conf-cmd-protocol": ("apache", "SSLOpenSSLConfCmd MaxProtocol TLSv1.3"),
    "apache-ssl-openssl-conf-cmd-sigalgs": (
        "apache", "SSLOpenSSLConfCmd SignatureAlgorithms ed25519"),
    "apache-classic-groups-only": ("apache", "SSLOpenSSLConfCmd Curves P-256"),
    "haproxy-ssl-default-bind-ciphers": ("haproxy", "ssl-default-bind-ciphers RC4-SHA"),
    "haproxy-ssl-default-bind-ciphersuites": ("haproxy", "ssl-default-bind-ciphersuites x"),
    "haproxy-ssl-default-bind-options": ("haproxy", "ssl-default-bind-options ssl-min-ver TLSv1.3"),
    "haproxy-ssl-default-bind-curves": ("haproxy", "ssl-default-bind-curves X25519MLKEM768"),
    "haproxy-ssl-default-server-ciphers": ("haproxy", "ssl-default-server-ciphers RC4-SHA"),
    "haproxy-ssl-default-server-ciphersuites": ("haproxy", "ssl-default-server-ciphersuites x"),
    "haproxy-ssl-default-server-options": ("haproxy", "ssl-default-server-options force-tlsv13"),
    "haproxy-ssl-default-server-curves": ("haproxy", "ssl-default-server-curves MLKEM1024"),
    "haproxy-bind-ciphers": ("haproxy", "bind :443 ssl crt a.pem ciphers RC4-SHA"),
    "haproxy-bind-curves": ("haproxy", "bind :443 ssl crt a.pem curves MLKEM1024"),
    "haproxy-bind-protocols": ("haproxy", "bind :443 ssl crt a.pem ssl-min-ver TLSv1.3"),
    "haproxy-server-ciphers": ("haproxy", "server s 1.2.3.4:443 ssl ciphers RC4-SHA"),
    "haproxy-server-curves": ("haproxy", "default-server ssl curves MLKEM1024"),
    "haproxy-server-protocols": ("haproxy", "server s 1.2.3.4:443 ssl force-tlsv13"),
    "haproxy-classic-groups-only": ("haproxy", "ssl-default-bind-curves P-384"),
    "openssl-groups": ("openssl", "[system_default_sect]\nGroups = MLKEM768"),
    "openssl-cipher-string": ("openssl", "[system_default_sect]\nCipherString = AES128-SHA"),
    "openssl-ciphersuites": ("openssl", "[system_default_sect]\nCiphersuites = x"),
    "openssl-min-protocol": ("openssl", "[system_default_sect]\nMinProtocol = TLSv1.3"),
    "openssl-max-protocol": ("openssl", "[system_default_sect]\nMaxProtocol = TLSv1.3"),
    "openssl-signature-algorithms": (
        "openssl", "[system_default_sect]\nSignatureAlgorithms = ed448"),
    "openssl-classic-groups-only": ("openssl", "[system_default_sect]\nCurves = X448"),
    "sshd-kex-algorithms": ("sshd", "KexAlgorithms +sntrup761x25519-sha512"),
    "sshd-host-key-algorithms": ("sshd", "HostKeyAlgorithms ssh-ed25519"),
    "sshd-pubkey-accepted-algorithms": ("sshd", "PubkeyAcceptedKeyTypes ssh-ed25519"),
    "sshd-ca-signature-algorithms": ("sshd", "CASignatureAlgorithms ssh-ed25519"),
    "sshd-ciphers": ("sshd", "Ciphers aes256-ctr"),
    "sshd-macs": ("sshd", "MACs hmac-sha2-512"),
    "sshd-host-key": ("sshd", "HostKey /etc/ssh/ssh_host_ecdsa_key"),
    "sshd-classic-groups-only": ("sshd", "KexAlgorithms=curve25519-sha256"),
    "ssh-kex-algorithms": ("ssh", "KexAlgorithms ^mlkem768x25519-sha256"),
    "ssh-host-key-algorithms": ("ssh", "HostKeyAlgorithms ssh-ed25519"),
    "ssh-pubkey-accepted-algorithms": ("ssh", "PubkeyAcceptedAlgorithms ssh-ed25519"),
    "ssh-ca-signature-algorithms": ("ssh", "CASignatureAlgorithms ssh-ed25519"),
    "ssh-ciphers": ("ssh", "Ciphers aes256-ctr"),
    "ssh-macs": ("ssh", "MACs hmac-sha2-512"),
    "ssh-identity-file": ("ssh", "IdentityFile ~/.ssh/id_rsa"),
    "ssh-classic-groups-only": ("ssh", "KexAlgorithms diffie-hellman-group16-sha512"),
    "java-security-tls-disabled-algorithms": ("java-security", "jdk.tls.disabledAlgorithms=SSLv3"),
    "java-security-certpath-disabled-algorithms": (
        "java-security", "jdk.certpath.disabledAlgorithms=MD2"),
    "java-security-named-groups": ("java-security", "jdk.tls.namedGroups=X25519MLKEM768"),
    "java-security-keystore-type": ("java-security", "keystore.type=JKS"),
    "java-security-classic-groups-only": ("java-security", "jdk.tls.namedGroups=secp521r1"),
    "spring-ssl-enabled-protocols": ("spring", "server.ssl.enabled-protocols=TLSv1.3"),
    "spring-ssl-ciphers": ("spring", "server.ssl.ciphers=TLS_AES_128_GCM_SHA256"),
    "spring-ssl-protocol": ("spring", "server.ssl.protocol=TLSv1.3"),
    "spring-ssl-key-store-type": ("spring", "server.ssl.trust-store-type=PKCS12"),
    "spring-ssl-bundle-enabled-protocols": (
        "spring", "spring.ssl.bundle.pem.a.options.enabled-protocols=TLSv1.3"),
    "spring-ssl-bundle-ciphers": ("spring", "spring.ssl.bundle.jks.a.options.ciphers=x"),
    "spring-ssl-bundle-protocol": ("spring", "spring.ssl.bundle.jks.a.protocol=TLSv1.3"),
    "spring-ssl-bundle-key-store-type": ("spring", "spring.ssl.bundle.jks.a.truststore.type=JKS"),
}  # fmt: skip


def test_rule_files_validate() -> None:
    validate(read_rule_file("config", "rules.yaml"), "config-rules.schema.json", "rules.yaml")
    validate(read_rule_file("config", "names.yaml"), "config-names.schema.json", "names.yaml")
    with pytest.raises(RuleError):
        validate({"messages": {}, "rules": []}, "config-rules.schema.json", "broken.yaml")


def test_rule_ids_are_stable_and_unique() -> None:
    ids = rule_ids()
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][a-z0-9-]*", i) for i in ids)
    kinds = {"nginx", "apache", "haproxy", "openssl", "sshd", "ssh", "java-security"}
    assert {f"{k}-classic-groups-only" for k in kinds} <= set(ids)
    assert set(TRIGGERS) == set(ids)
    for rule_id in ids:
        assert "{setting}" in rule_message(rule_id)
    assert rule_message("nginx-classic-groups-only").endswith("no {missing}")
    assert (
        rule_message("sshd-kex-algorithms")
        == "{setting} {detail} {name} ({algorithm}{parameter_text})"
    )
    with pytest.raises(KeyError):
        rule_message("no-such-rule")


@pytest.mark.parametrize("rule_id", sorted(TRIGGERS))
def test_every_rule_fires(rule_id: str) -> None:
    kind, text = TRIGGERS[rule_id]
    if kind == "haproxy" and not text.startswith("ssl-default"):
        text = "frontend f\n  " + text
    hits = parse_config(kind, "application.properties", (text + "\n").encode())
    assert rule_id in {h.rule_id for h in hits}
    # the rule is specific: the other rules' triggers do not fire it
    for other, (other_kind, other_text) in TRIGGERS.items():
        if other == rule_id or other_kind != kind or "classic" in rule_id + other:
            continue
        if kind == "haproxy" and not other_text.startswith("ssl-default"):
            other_text = "frontend f\n  " + other_text
        others = parse_config(kind, "application.properties", (other_text + "\n").encode())
        assert rule_id not in {h.rule_id for h in others}, other


def test_openssl_cipher_names_map_to_catalog_suites() -> None:
    catalog = get_catalog()
    for openssl_name, iana in NAMES["openssl_ciphers"].items():
        suite = catalog.cipher_suite(iana)
        assert suite is not None, f"{openssl_name} -> {iana} is not in the catalog"


def test_group_aliases_and_recommendations_resolve() -> None:
    catalog = get_catalog()
    for alias, group in NAMES["group_aliases"].items():
        assert catalog.named_identifier("tls-group", group) is not None, alias
    for name in NAMES["pq_recommended"]["tls"]:
        assert catalog.classify_named("tls-group", name).status.value in ("hybrid", "quantum-safe")
    for name in NAMES["pq_recommended"]["ssh"]:
        assert catalog.classify_named("ssh-kex", name).status.value in ("hybrid", "quantum-safe")


def test_protocols_and_other_tables_classify() -> None:
    catalog = get_catalog()
    for proto in protocols():
        c = catalog.classify(proto.algorithm, proto.parameter)
        assert (c.algorithm, c.parameter) == (proto.algorithm, proto.parameter)
    ranks = [p.rank for p in protocols()]
    assert ranks == sorted(ranks)
    for key in ("protocol_default_min", "protocol_default_max", "haproxy_default_min"):
        assert protocol(NAMES[key]) is not None
    for name in NAMES["apache_all"]:
        assert protocol(name) is not None
    for hint in NAMES["key_file_hints"]:
        assert catalog.algorithm(hint["algorithm"]) is not None
    for weak in (*NAMES["java_tls_weak"], *NAMES["java_certpath_weak"]):
        c = catalog.classify(weak["algorithm"], weak.get("parameter", ""))
        assert c.algorithm != "unknown", weak
    for alg in NAMES["java_key_size_algorithms"].values():
        assert catalog.algorithm(alg) is not None


def _fixture_hits() -> list[tuple[str, CodeHit]]:
    out: list[tuple[str, CodeHit]] = []
    for path in sorted(DATA.iterdir()):
        data = path.read_bytes()
        kind = config_kind(path.name, f"etc/{path.name}", data[:4096])
        assert kind is not None, path.name
        out.extend((path.name, h) for h in parse_config(kind, path.name, data))
    for kind, text in TRIGGERS.values():
        out.extend(("trigger", h) for h in parse_config(kind, "x.properties", text.encode()))
    return out


def test_every_hit_is_known_to_the_catalog_or_unknown() -> None:
    catalog = get_catalog()
    hits = _fixture_hits()
    assert len(hits) > 300
    for where, hit in hits:
        alg, param = hit.algorithm, hit.parameter
        if alg == "unknown":
            assert param == ""
            continue
        c = catalog.classify(alg, param)
        assert c.algorithm == alg, (where, alg, param)
        assert c.parameter == param, (where, alg, param)


def test_hit_shape() -> None:
    for where, hit in _fixture_hits():
        h = hit
        assert 0 < h.confidence <= 1.0
        assert len(h.snippet) <= 200 and "\n" not in h.snippet
        assert (h.line, h.column) <= (h.end_line, h.end_column)
        assert h.message and "{" not in h.message, where


def test_fixture_folder_is_complete() -> None:
    names = {p.name for p in Path(DATA).iterdir()}
    assert {"nginx.conf", "haproxy.cfg", "openssl.cnf", "sshd_config", "java.security"} <= names
