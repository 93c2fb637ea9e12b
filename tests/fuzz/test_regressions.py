"""The minimal inputs of the bugs the fuzz targets found, one plain test each."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from pqcscan.collectors.cbom import collect_file
from pqcscan.collectors.certs.formats import ParseOptions, parse
from pqcscan.collectors.certs.formats.ssh import SshWireError, key_from_blob
from pqcscan.collectors.certs.formats.x509 import parse_certificate
from pqcscan.collectors.certs.parsed import KeyKind
from pqcscan.collectors.code.deps.javascript import parse_pnpm_lock
from pqcscan.collectors.code.model import CodeParseError
from pqcscan.collectors.declared import DeclaredCollector
from pqcscan.collectors.tls.trust import TrustStore, TrustValidator
from pqcscan.context.load import parse_context
from pqcscan.context.problems import ContextError
from pqcscan.demo.builders import keys as k
from pqcscan.demo.builders import ssh
from pqcscan.errors import RuleError, UsageError
from pqcscan.results import CollectedItem, ErrorKind
from pqcscan.risk.profile import load_profile
from pqcscan.targets.specs import parse_spec, read_target_file
from tests.fuzz.seeds import demo_tree


def _pem(label: str, der: bytes) -> bytes:
    return b"-----BEGIN %s-----\n%s\n-----END %s-----\n" % (
        label.encode(),
        base64.encodebytes(der).strip(),
        label.encode(),
    )


def test_ssh_key_line_with_a_non_ascii_byte_in_its_base64() -> None:
    parsed = parse(b"ssh-rsa AAAAB\x80NzaC1yc2E= x@y\n", "ssh-lines", ParseOptions(), "id.pub")
    assert [e.kind for e in parsed.errors] == [ErrorKind.MALFORMED]


def test_rfc4716_key_with_a_non_ascii_body() -> None:
    text = b"---- BEGIN SSH2 PUBLIC KEY ----\nAAAA\xc3\xa9\n---- END SSH2 PUBLIC KEY ----\n"
    parsed = parse(text, "rfc4716", ParseOptions())
    assert [e.kind for e in parsed.errors] == [ErrorKind.MALFORMED]


def test_pkcs1_private_key_with_a_broken_fifth_element() -> None:
    # version 0 and three INTEGERs, then an element whose length runs past the SEQUENCE
    der = b"\x30\x0e\x02\x01\x00\x02\x01\x05\x02\x01\x03\x02\x01\x07\x02\x09\x01"
    parsed = parse(_pem("RSA PRIVATE KEY", der), "pem", ParseOptions())
    assert [e.kind for e in parsed.errors] == [ErrorKind.MALFORMED]


@pytest.mark.parametrize("body", [b"\x30\x85", b"\x30\x05\x01"])
def test_trusted_certificate_with_broken_der(body: bytes) -> None:
    parsed = parse(_pem("TRUSTED CERTIFICATE", body), "pem", ParseOptions())
    assert [e.kind for e in parsed.errors] == [ErrorKind.MALFORMED]


def _bad_name_certificate(issuer: bool, tag: int) -> bytes:
    """The demo root (self-signed) with one string of its issuer or subject name made
    invalid: a 0xFF byte in it (not UTF-8, not printable), and with ``tag`` 0x0D, a string
    type cryptography does not know."""
    der = x509.load_pem_x509_certificate(demo_tree()["etc/pki/CA/root-ca.crt.pem"]).public_bytes(
        Encoding.DER
    )
    marker = b"Example Bank"
    first = der.find(marker)
    at = first if issuer else der.find(marker, first + 1)
    assert at > 0
    out = bytearray(der)
    out[at] = 0xFF
    if tag != 0x0C:
        out[at - 2] = tag
    return bytes(out)


@pytest.mark.parametrize("tag", [0x0C, 0x0D])
@pytest.mark.parametrize("issuer", [True, False])
def test_certificate_with_an_invalid_name(issuer: bool, tag: int) -> None:
    der = _bad_name_certificate(issuer, tag)
    cert = parse_certificate(der)
    assert cert.der_sha256
    root = x509.load_pem_x509_certificate(demo_tree()["etc/pki/CA/root-ca.crt.pem"])
    result = TrustValidator(stores=(TrustStore("t", (root,)),)).validate([der], "example.test")
    assert result.trusted is None and "unreadable certificate" in result.reason


@pytest.mark.parametrize("text", [b"- " * 30000 + b"x\n", b"packages: " + b"[" * 50000])
def test_deeply_nested_pnpm_lock_is_refused_not_a_crash(text: bytes) -> None:
    with pytest.raises(CodeParseError, match="nested too deeply"):
        parse_pnpm_lock("pnpm-lock.yaml", b"lockfileVersion: '9.0'\n" + text)


@pytest.mark.parametrize(
    "text", ["services:\n  a: b\x00\n", "services: " + "[" * 1000 + "]" * 1000 + "\n"]
)
def test_context_yaml_nul_or_deep_nesting_is_a_context_error(text: str) -> None:
    with pytest.raises(ContextError, match="not valid YAML"):
        parse_context([("context.yaml", text)])


def test_declared_csv_with_a_huge_field(tmp_path: Path) -> None:
    path = tmp_path / "hardware.csv"
    header = "id,kind,vendor,product,algorithms\n"
    path.write_text(header + 'a,hsm,V,P,"' + "x" * 200_000 + '"\n')
    collector = DeclaredCollector.open(path)
    [row] = list(collector.units())
    item = collector.collect_one(row)
    assert isinstance(item, CollectedItem)
    assert "not valid CSV" in item.errors[0].message
    path.write_text('"' + "x" * 200_000 + '"\n')
    with pytest.raises(ContextError, match="not valid CSV"):
        DeclaredCollector.open(path)


@pytest.mark.parametrize("data", [b"\x80name: x\n", b"a: " + b"[" * 5000 + b"]" * 5000])
def test_profile_file_not_utf8_or_deeply_nested(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "profile.yaml"
    path.write_bytes(data)
    with pytest.raises(RuleError):
        load_profile(path)


def test_cbom_json_nested_too_deeply(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    deep = b"[" * 5000 + b"]" * 5000
    path.write_bytes(b'{"bomFormat": "CycloneDX", "components": ' + deep + b"}")
    [error] = collect_file(path).errors
    assert error.kind is ErrorKind.MALFORMED and "nested too deeply" in error.message


@pytest.mark.parametrize("spec", ["192.0.2.0/²", "192.0.2.0/" + "24" * 2500])
def test_network_prefix_not_a_small_ascii_number(spec: str) -> None:
    with pytest.raises(UsageError, match="expected ADDRESS/PREFIX"):
        parse_spec(spec)


def test_nmap_xml_with_an_entity_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "scan.xml"
    path.write_bytes(
        b'<?xml version="1.0"?><!DOCTYPE nmaprun [<!ENTITY a "192.0.2.1">]>'
        b'<nmaprun scanner="nmap"><host><address addr="&a;" addrtype="ipv4"/></host></nmaprun>'
    )
    with pytest.raises(UsageError, match="entities"):
        list(read_target_file(path))


def _der(name: str) -> bytes:
    data = demo_tree()[name]
    if "csr" in name:
        return x509.load_pem_x509_csr(data).public_bytes(Encoding.DER)
    return x509.load_pem_x509_certificate(data).public_bytes(Encoding.DER)


def test_certificate_with_version_v4() -> None:
    der = bytearray(_der("etc/pki/CA/root-ca.crt.pem"))
    at = der.find(b"\xa0\x03\x02\x01\x02")  # [0] EXPLICIT INTEGER 2 (v3)
    der[at + 4] = 3  # an X.509 version cryptography refuses with InvalidVersion
    cert = parse_certificate(bytes(der))
    assert cert.subject.startswith("CN=Example Bank Root CA")
    root = x509.load_der_x509_certificate(_der("etc/pki/CA/root-ca.crt.pem"))
    result = TrustValidator(stores=(TrustStore("t", (root,)),)).validate([bytes(der)], None)
    assert result.trusted is None and "unreadable certificate" in result.reason


def test_csr_with_an_invalid_subject() -> None:
    der = bytearray(_der("etc/pki/tls/csr/portal.example-bank.test.csr"))
    der[der.find(b"Example Bank")] = 0xFF
    parsed = parse(_pem("CERTIFICATE REQUEST", bytes(der)), "pem", ParseOptions())
    assert len(parsed.entries) == 1 and not parsed.errors


def test_ssh_certificate_with_a_corrupt_ca_key_is_a_wire_error() -> None:
    """cryptography reads an OpenSSH certificate's CA key only when asked: a corrupt one raised
    ValueError out of key_from_blob (found by the fuzzer on a seeded demo tree)."""
    line = ssh.user_certificate_line(k.ed25519_key(), k.ed25519_key())
    blob = bytearray(base64.b64decode(line.split()[1]))
    ca_type = blob.rindex(b"ssh-ed25519", 0, len(blob) - 83)  # the CA key, before the signature
    blob[ca_type + len(b"ssh-ed25519")] = 0x01  # its key length: now longer than the field
    with pytest.raises(SshWireError, match="corrupt OpenSSH certificate"):
        key_from_blob(bytes(blob), KeyKind.PUBLIC, "ssh-host-key")
