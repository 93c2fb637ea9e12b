"""OpenSSH sshd_config / ssh_config: algorithm lists, prefixes, key files, blocks."""

from __future__ import annotations

from pqcscan.results import Usage
from tests.unit.code.config._util import by_rule, parse_file, parse_text, rows


def test_debian_default_sshd_config_has_no_hits() -> None:
    # Every algorithm and HostKey line is commented out: OpenSSH defaults apply.
    assert parse_file("sshd", "sshd_config") == ()


def test_hardened_sshd_config() -> None:
    hits = parse_file("sshd", "sshd_config.hardened")
    assert rows(hits, "sshd-host-key") == [("Ed25519", "", 4, 9), ("RSA", "", 5, 9)]
    assert {h.confidence for h in by_rule(hits, "sshd-host-key")} == {0.6}
    assert rows(hits, "sshd-kex-algorithms")[:2] == [
        ("sntrup761x25519", "", 7, 15),
        ("X25519", "", 7, 50),
    ]
    assert ("DH", "modp8192", 7, 127) in rows(hits, "sshd-kex-algorithms")
    # sntrup761x25519 is listed: no classic-only finding
    assert not by_rule(hits, "sshd-classic-groups-only")
    assert rows(hits, "sshd-ciphers")[2] == ("ChaCha20", "256", 8, 43)
    assert [h.algorithm for h in by_rule(hits, "sshd-macs")] == [
        "HMAC-SHA256",
        "HMAC-SHA512",
        "UMAC-128",
    ]
    assert {h.usage for h in by_rule(hits, "sshd-macs")} == {Usage.MAC}
    assert len(by_rule(hits, "sshd-host-key-algorithms")) == 5 + 1
    assert len(by_rule(hits, "sshd-ca-signature-algorithms")) == 4
    # "Keyword=value" form
    assert rows(hits, "sshd-pubkey-accepted-algorithms")[0] == ("Ed25519", "", 12, 26)


def test_match_block_append() -> None:
    hits = parse_file("sshd", "sshd_config.hardened")
    appended = [h for h in by_rule(hits, "sshd-kex-algorithms") if h.line == 16]
    assert [(h.algorithm, h.parameter, h.column) for h in appended] == [("DH", "modp2048", 20)]
    assert appended[0].message == (
        "KexAlgorithms adds diffie-hellman-group14-sha1 (DH modp2048) "
        "(in Match Address 10.99.0.0/16)"
    )
    assert rows(hits, "sshd-host-key-algorithms")[-1] == ("RSA", "", 17, 24)


def test_classic_kex_only_fires_and_not() -> None:
    classic = parse_text("sshd", "KexAlgorithms curve25519-sha256,ecdh-sha2-nistp256\n")
    found = by_rule(classic, "sshd-classic-groups-only")
    assert len(found) == 1
    assert found[0].message == (
        "KexAlgorithms allows only classical groups (curve25519-sha256, ecdh-sha2-nistp256): "
        "no mlkem768x25519-sha256 or sntrup761x25519-sha512"
    )
    pq = parse_text("sshd", "KexAlgorithms mlkem768x25519-sha256,curve25519-sha256\n")
    assert not by_rule(pq, "sshd-classic-groups-only")
    # "+" keeps the (post-quantum) defaults: no finding
    plus = parse_text("sshd", "KexAlgorithms +diffie-hellman-group14-sha256\n")
    assert not by_rule(plus, "sshd-classic-groups-only")
    assert rows(plus) == [("DH", "modp2048", 1, 16)]


def test_removal_prefix() -> None:
    removed = parse_text(
        "sshd",
        "KexAlgorithms -mlkem768x25519-sha256,sntrup761x25519-sha512@openssh.com,"
        "sntrup761x25519-sha512\n",
    )
    assert [(h.rule_id, h.confidence) for h in removed] == [("sshd-classic-groups-only", 0.8)]
    partial = parse_text("sshd", "KexAlgorithms -diffie-hellman-group14-sha1\nCiphers -3des-cbc\n")
    assert partial == ()


def test_ssh_client_config() -> None:
    hits = parse_file("ssh", "ssh_config")
    assert rows(hits, "ssh-kex-algorithms")[0] == ("DH", "modp1024", 4, 20)
    assert rows(hits, "ssh-host-key-algorithms") == [("RSA", "", 5, 24)]
    assert rows(hits, "ssh-pubkey-accepted-algorithms") == [("RSA", "", 6, 31)]
    assert rows(hits, "ssh-ciphers") == [("AES", "128", 7, 14)]
    assert rows(hits, "ssh-identity-file") == [("ECDSA", "", 10, 18), ("Ed25519", "", 14, 18)]
    classic = by_rule(hits, "ssh-classic-groups-only")
    assert [(h.line, h.column) for h in classic] == [(11, 19)]
    assert "Host bastion.example.net" in classic[0].message


def test_unknown_names_and_wildcards() -> None:
    hits = parse_text(
        "sshd", "Ciphers aes256-ctr,rijndael128-cbc\nMACs -hmac-*\nMACs hmac-sha2-*\n"
    )
    assert rows(hits) == [
        ("AES", "256", 1, 9),
        ("unknown", "", 1, 20),
        ("unknown", "", 3, 6),
    ]
