"""Certificates, CSRs and bundles in every encoding, parsed before any classification."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from pqcscan.collectors.certs.formats import ParseOptions, parse, sniff
from pqcscan.collectors.certs.parsed import ParsedCertificate, ParsedCSR, ParseFailure
from pqcscan.demo import builders as b
from pqcscan.demo.builders import keys as k
from pqcscan.results import ErrorKind
from tests.unit.collectors.certs.conftest import Pki, spki_sha256

RSA = "1.2.840.113549.1.1.1"
EC = "1.2.840.10045.2.1"


def read(data: bytes, name: str = "file", passwords: tuple[str, ...] = ()) -> object:
    fmt = sniff(data[:65536], name, len(data))
    assert fmt is not None, "not recognised"
    return parse(data, fmt, ParseOptions(passwords), name)


def certs_of(parsed: object) -> dict[str, ParsedCertificate]:
    return {e.suffix: e.obj for e in parsed.entries if isinstance(e.obj, ParsedCertificate)}  # type: ignore[attr-defined]


def test_pem_certificate_has_every_field(pki: Pki) -> None:
    parsed = read(pki.rsa_leaf.pem)
    [(suffix, cert)] = certs_of(parsed).items()
    assert suffix == ""
    assert cert.der_sha256 == hashlib.sha256(pki.rsa_leaf.der).hexdigest()
    assert cert.subject == "CN=www.example.test"
    assert cert.subject_cn == "www.example.test"
    assert cert.issuer == "CN=Test Root,O=Example Bank"
    assert cert.public_key.algorithm_oid == RSA
    assert cert.public_key.parameter == "2048"
    assert cert.public_key.spki_sha256 == spki_sha256(pki.rsa_key)
    assert cert.signature_oid == "1.2.840.113549.1.1.11"  # sha256WithRSAEncryption
    assert cert.signature_bits == 3072  # the root's modulus, read off the signature
    assert cert.key_usage == ("digitalSignature", "keyEncipherment")
    assert cert.extended_key_usage == ("serverAuth",)
    assert not cert.is_ca and cert.version == 3
    assert cert.aki is not None and cert.aki == certs_of(read(pki.root.pem))[""].ski
    assert cert.not_before is not None and cert.not_before.tzinfo is not None


def test_der_certificate_and_ca_flags(pki: Pki) -> None:
    parsed = read(pki.issuing.der, "issuing.cer")
    assert parsed.format == "der-certificate"  # type: ignore[attr-defined]
    cert = certs_of(parsed)[""]
    assert cert.is_ca and cert.public_key.parameter == "secp384r1"
    assert cert.public_key.algorithm_oid == EC
    assert cert.signature_bits == 3072


@pytest.mark.parametrize("crlf", [False, True])
def test_bundle_with_text_between_blocks_numbers_entries(pki: Pki, crlf: bool) -> None:
    bundle = b.pem_bundle([pki.ec_leaf, pki.issuing, pki.root], commentary=True, crlf=crlf)
    got = certs_of(read(bundle, "chain.txt"))
    assert list(got) == ["#1", "#2", "#3"]
    assert [c.subject_cn for c in got.values()] == ["api.example.test", "Test Issuing", "Test Root"]


@pytest.mark.parametrize("encoding", [Encoding.PEM, Encoding.DER])
def test_pkcs7_bundle(pki: Pki, encoding: Encoding) -> None:
    data = b.pkcs7_certs([pki.ec_leaf, pki.issuing, pki.root], encoding)
    got = certs_of(read(data, "chain.p7b"))
    assert sorted(got) == ["#1", "#2", "#3"]
    assert {c.subject_cn for c in got.values()} == {"api.example.test", "Test Issuing", "Test Root"}


def test_trusted_certificate_label_with_aux_data(pki: Pki) -> None:
    import base64

    body = base64.encodebytes(pki.root.der + bytes.fromhex("3000")).decode()
    pem = f"-----BEGIN TRUSTED CERTIFICATE-----\n{body}-----END TRUSTED CERTIFICATE-----\n"
    assert certs_of(read(pem.encode()))[""].subject_cn == "Test Root"


def test_v1_certificate_and_sha1_signature() -> None:
    key = k.rsa_key(2048)
    cert = b.issue(key, "CN=mainframe", version=1, hash_name="sha1")
    parsed = certs_of(read(cert.pem))[""]
    assert parsed.version == 1
    assert parsed.signature_oid == "1.2.840.113549.1.1.5"
    assert parsed.ski is None and parsed.key_usage == ()


@pytest.mark.parametrize("pem", [True, False])
def test_csr(pki: Pki, pem: bool) -> None:
    request = b.csr(pki.ec_key, "CN=portal.example.test", san=("portal.example.test",))
    parsed = read(request.pem if pem else request.der, "portal.csr")
    [entry] = parsed.entries  # type: ignore[attr-defined]
    assert isinstance(entry.obj, ParsedCSR)
    assert entry.obj.public_key.spki_sha256 == spki_sha256(pki.ec_key)
    assert entry.obj.signature_oid == "1.2.840.10045.4.3.2"
    assert entry.obj.subject == "CN=portal.example.test"


def test_text_files_and_unknown_binaries_are_not_crypto() -> None:
    assert sniff(b"# settings\nport: 443\n", "gateway.yml", 22) is None
    noise = hashlib.sha512(b"x").digest() * 64
    assert sniff(noise, "blob.bin", len(noise)) is None
    assert sniff(b"", "README", 0) is None
    assert sniff(b"000 looks like DER? no\n", "numbers.txt", 23) is None


@pytest.mark.parametrize(
    ("data", "name", "kind", "message"),
    [
        (b"", "empty.pem", ErrorKind.MALFORMED, "empty file"),
        (b"\x00" * 32, "store.p12", ErrorKind.MALFORMED, "no known format"),
        (b"just a note: moved to the HSM\n", "moved.pem", ErrorKind.MALFORMED, "no known format"),
    ],
)
def test_files_named_like_crypto_but_unreadable_are_errors(
    data: bytes, name: str, kind: ErrorKind, message: str
) -> None:
    with pytest.raises(ParseFailure) as failure:
        read(data, name)
    assert failure.value.kind is kind and message in failure.value.message


def test_truncated_der_is_reported_by_size(pki: Pki) -> None:
    data = pki.root.der[: len(pki.root.der) // 2]
    with pytest.raises(ParseFailure, match="truncated DER"):
        read(data, "root.der")


def test_broken_pem_blocks_are_entry_errors_and_good_blocks_count(pki: Pki) -> None:
    garbage = b"-----BEGIN CERTIFICATE-----\nMIIB!!!garbage###\n-----END CERTIFICATE-----\n"
    no_end = b"-----BEGIN CERTIFICATE-----\nMIIB\n"
    binary = b"-----BEGIN CERTIFICATE-----\n" + bytes(range(256)) + b"\n-----END CERTIFICATE-----\n"
    data = pki.root.pem + garbage + binary + pki.ec_leaf.pem + no_end
    parsed = read(data, "mixed.pem")
    assert list(certs_of(parsed)) == ["#1", "#4"]
    errors = {(e.suffix, e.kind) for e in parsed.errors}  # type: ignore[attr-defined]
    assert errors == {
        ("#2", ErrorKind.MALFORMED),
        ("#3", ErrorKind.MALFORMED),
        ("#5", ErrorKind.MALFORMED),
    }


def test_a_valid_base64_body_that_is_not_a_certificate_is_malformed() -> None:
    import base64

    body = base64.encodebytes(b"\x30\x03\x02\x01\x05").decode()
    pem = f"-----BEGIN CERTIFICATE-----\n{body}-----END CERTIFICATE-----\n".encode()
    parsed = read(pem)
    assert parsed.entries == ()  # type: ignore[attr-defined]
    [error] = parsed.errors  # type: ignore[attr-defined]
    assert error.kind is ErrorKind.MALFORMED


def test_unsupported_and_ignored_pem_labels() -> None:
    data = (
        b"-----BEGIN PGP PUBLIC KEY BLOCK-----\nAAAA\n-----END PGP PUBLIC KEY BLOCK-----\n"
        b"-----BEGIN DH PARAMETERS-----\nMAYCAQICAQI=\n-----END DH PARAMETERS-----\n"
    )
    parsed = read(data)
    assert [(e.suffix, e.kind) for e in parsed.errors] == [("#1", ErrorKind.UNSUPPORTED)]  # type: ignore[attr-defined]


def test_certificate_that_cryptography_rejects_is_read_with_pyasn1(pki: Pki) -> None:
    """A certificate with an impossible date (month 13) still yields its OIDs and names."""
    from pyasn1.codec.der import decoder, encoder
    from pyasn1.type import useful
    from pyasn1_modules import rfc5280

    cert, _ = decoder.decode(pki.rsa_leaf.der, asn1Spec=rfc5280.Certificate())
    cert["tbsCertificate"]["validity"]["notBefore"]["utcTime"] = useful.UTCTime("991301000000Z")
    der = encoder.encode(cert)
    parsed = certs_of(read(der, "odd.der"))[""]
    assert parsed.public_key.algorithm_oid == RSA
    assert parsed.public_key.parameter == "2048"
    assert parsed.public_key.spki_sha256 == spki_sha256(pki.rsa_key)
    assert parsed.subject == "CN=www.example.test"
    assert parsed.not_before is None and parsed.not_after is not None
    assert parsed.signature_bits == 3072


def test_negative_serial_is_read(pki: Pki) -> None:
    from pyasn1.codec.der import decoder, encoder
    from pyasn1.type import univ
    from pyasn1_modules import rfc5280

    cert, _ = decoder.decode(pki.rsa_leaf.der, asn1Spec=rfc5280.Certificate())
    cert["tbsCertificate"]["serialNumber"] = univ.Integer(-5)
    parsed = certs_of(read(encoder.encode(cert), "odd.der"))[""]
    assert parsed.serial == "-5"
