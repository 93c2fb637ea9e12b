"""X.509 certificates, PKCS#10 requests and PKCS#7 certificate bundles.

``cryptography`` parses the certificate; the public key is read by OID, so certificates
whose key ``cryptography`` cannot load (ML-DSA, SLH-DSA, ML-KEM, composite) keep their
algorithm, and a certificate ``cryptography`` refuses altogether (odd encodings found in
the wild) is still read for its OIDs, names and validity with pyasn1.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyasn1.codec.der import decoder
from pyasn1.error import PyAsn1Error
from pyasn1_modules import rfc5280

from pqcscan.collectors.certs.formats.der import DerError, field_at, spki_algorithm_oid
from pqcscan.collectors.certs.formats.pubkeys import info_from_spki, key_parameter, sha256_hex
from pqcscan.collectors.certs.parsed import (
    ParsedCertificate,
    ParsedCSR,
    ParseFailure,
    PublicKeyInfo,
)
from pqcscan.results import ErrorKind

T = TypeVar("T")

# Certificates in the wild have negative serials; cryptography warns on each. The scan
# records the serial as found, so the warning would only be noise on the user's terminal.
warnings.filterwarnings(
    "ignore", message="Parsed a serial number which wasn't positive", module=__name__
)

_EKU_NAMES = {
    ExtendedKeyUsageOID.SERVER_AUTH.dotted_string: "serverAuth",
    ExtendedKeyUsageOID.CLIENT_AUTH.dotted_string: "clientAuth",
    ExtendedKeyUsageOID.CODE_SIGNING.dotted_string: "codeSigning",
    ExtendedKeyUsageOID.EMAIL_PROTECTION.dotted_string: "emailProtection",
    ExtendedKeyUsageOID.TIME_STAMPING.dotted_string: "timeStamping",
    ExtendedKeyUsageOID.OCSP_SIGNING.dotted_string: "OCSPSigning",
    ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE.dotted_string: "anyExtendedKeyUsage",
}
_KEY_USAGE_FLAGS = (
    ("digital_signature", "digitalSignature"),
    ("content_commitment", "nonRepudiation"),
    ("key_encipherment", "keyEncipherment"),
    ("data_encipherment", "dataEncipherment"),
    ("key_agreement", "keyAgreement"),
    ("key_cert_sign", "keyCertSign"),
    ("crl_sign", "cRLSign"),
)
_SHORT_NAMES = {
    "2.5.4.3": "CN",
    "2.5.4.6": "C",
    "2.5.4.7": "L",
    "2.5.4.8": "ST",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "0.9.2342.19200300.100.1.25": "DC",
    "1.2.840.113549.1.9.1": "emailAddress",
}
_RSA_SIGNATURE_PREFIX = "1.2.840.113549.1.1."
RSASSA_PSS = "1.2.840.113549.1.1.10"


def _quiet(read: Callable[[], T], default: T) -> T:
    """Read one optional field; a malformed field must not lose the whole certificate."""
    try:
        return read()
    except Exception:
        return default


def _name(name: x509.Name) -> str:
    return _quiet(name.rfc4514_string, "")


def _common_name(name: x509.Name) -> str:
    try:
        attrs = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    except ValueError:
        return ""
    return str(attrs[0].value) if attrs else ""


def _tbs_spki(tbs: bytes) -> bytes:
    """The SubjectPublicKeyInfo DER inside a TBSCertificate (7th field, 6th without version)."""
    tag, _ = field_at(tbs, 0)
    return field_at(tbs, 6 if tag == 0xA0 else 5)[1]


def _public_key(cert: x509.Certificate | x509.CertificateSigningRequest) -> PublicKeyInfo:
    """Facts of the subject key, from the original SPKI bytes (exact, and no re-encoding)."""
    if isinstance(cert, x509.Certificate):
        spki = _tbs_spki(cert.tbs_certificate_bytes)
    else:
        spki = _csr_spki(cert.tbs_certrequest_bytes)
    try:
        key = cert.public_key()
    except Exception:  # PQC and other algorithms this cryptography cannot load
        return info_from_spki(spki)
    return PublicKeyInfo(
        algorithm_oid=spki_algorithm_oid(spki),
        parameter=key_parameter(key),
        spki_sha256=sha256_hex(spki),
    )


def _csr_spki(tbs: bytes) -> bytes:
    return field_at(tbs, 2)[1]


def _key_usage(usage: x509.KeyUsage) -> tuple[str, ...]:
    names = [name for attr, name in _KEY_USAGE_FLAGS if getattr(usage, attr)]
    if usage.key_agreement:  # encipher_only / decipher_only raise unless keyAgreement is set
        for attr, name in (("encipher_only", "encipherOnly"), ("decipher_only", "decipherOnly")):
            if getattr(usage, attr):
                names.append(name)
    return tuple(names)


def _extensions(cert: x509.Certificate) -> dict[str, Any]:
    out: dict[str, Any] = {}
    try:
        extensions = cert.extensions
    except Exception:
        return out  # duplicate or malformed extensions: keep the certificate, drop them
    for ext in extensions:
        value = ext.value
        if isinstance(value, x509.BasicConstraints):
            out["is_ca"] = value.ca
        elif isinstance(value, x509.KeyUsage):
            out["key_usage"] = _key_usage(value)
        elif isinstance(value, x509.ExtendedKeyUsage):
            out["extended_key_usage"] = tuple(
                _EKU_NAMES.get(o.dotted_string, o.dotted_string) for o in value
            )
        elif isinstance(value, x509.SubjectKeyIdentifier):
            out["ski"] = value.digest.hex()
        elif isinstance(value, x509.AuthorityKeyIdentifier) and value.key_identifier:
            out["aki"] = value.key_identifier.hex()
    return out


def _parameter_hash(cert: x509.Certificate, signature_oid: str) -> str | None:
    """The digest of an RSASSA-PSS signature, named in its parameters rather than its OID."""
    if signature_oid != RSASSA_PSS:
        return None
    digest = _quiet(lambda: cert.signature_hash_algorithm, None)
    return digest.name if digest is not None else None


def _signature_bits(signature_oid: str, signature: bytes) -> int | None:
    """An RSA signature is as long as the signer's modulus: the issuer key size."""
    if signature_oid.startswith(_RSA_SIGNATURE_PREFIX):
        return len(signature) * 8
    return None


def parse_certificate(der: bytes) -> ParsedCertificate:
    """Read one DER certificate; raise :class:`ParseFailure` if it is not one."""
    try:
        cert = x509.load_der_x509_certificate(der)
    except (ValueError, x509.InvalidVersion):  # InvalidVersion: a version field over v3
        return _parse_with_pyasn1(der)
    try:
        public_key = _public_key(cert)
    except DerError as exc:
        raise ParseFailure(ErrorKind.MALFORMED, f"certificate public key: {exc}") from exc
    ext = _extensions(cert)
    signature_oid = cert.signature_algorithm_oid.dotted_string
    version = _quiet(lambda: cert.version.value + 1, 3)
    subject = _quiet(lambda: cert.subject, None)
    issuer = _quiet(lambda: cert.issuer, None)  # names are decoded lazily, and may be invalid
    return ParsedCertificate(
        der_sha256=hashlib.sha256(der).hexdigest(),
        subject=_name(subject) if subject is not None else "",
        issuer=_name(issuer) if issuer is not None else "",
        serial=format(cert.serial_number, "x"),
        not_before=_quiet(lambda: cert.not_valid_before_utc, None),
        not_after=_quiet(lambda: cert.not_valid_after_utc, None),
        public_key=public_key,
        signature_oid=signature_oid,
        signature_bits=_signature_bits(signature_oid, cert.signature),
        signature_hash=_parameter_hash(cert, signature_oid),
        is_ca=bool(ext.get("is_ca", False)),
        key_usage=ext.get("key_usage", ()),
        extended_key_usage=ext.get("extended_key_usage", ()),
        ski=ext.get("ski"),
        aki=ext.get("aki"),
        version=version,
        subject_cn=_common_name(subject) if subject is not None else "",
    )


def _pyasn1_name(name: Any) -> str:
    parts = []
    for rdn in name[0]:
        for atv in rdn:
            oid = str(atv["type"])
            try:
                value, _ = decoder.decode(bytes(atv["value"]))
                text = str(value)
            except (PyAsn1Error, UnicodeDecodeError):
                text = bytes(atv["value"]).hex()
            parts.append(f"{_SHORT_NAMES.get(oid, oid)}={text}")
    return ",".join(reversed(parts))


def _pyasn1_time(value: Any) -> datetime | None:
    try:
        moment: datetime = value.getComponent().asDateTime
    except Exception:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _parse_with_pyasn1(der: bytes) -> ParsedCertificate:
    """Fallback for certificates ``cryptography`` refuses: OIDs, names and dates only."""
    try:
        cert, rest = decoder.decode(der, asn1Spec=rfc5280.Certificate())
    except PyAsn1Error as exc:
        raise ParseFailure(ErrorKind.MALFORMED, "not a valid X.509 certificate") from exc
    if rest:
        raise ParseFailure(ErrorKind.MALFORMED, "trailing bytes after the certificate")
    tbs = cert["tbsCertificate"]
    from pyasn1.codec.der import encoder

    try:
        public_key = info_from_spki(bytes(encoder.encode(tbs["subjectPublicKeyInfo"])))
    except DerError as exc:
        raise ParseFailure(ErrorKind.MALFORMED, f"certificate public key: {exc}") from exc
    subject = _pyasn1_name(tbs["subject"])
    signature_oid = str(cert["signatureAlgorithm"]["algorithm"])
    cn = next((p[3:] for p in subject.split(",") if p.startswith("CN=")), "")
    return ParsedCertificate(
        der_sha256=hashlib.sha256(der).hexdigest(),
        subject=subject,
        issuer=_pyasn1_name(tbs["issuer"]),
        serial=format(int(tbs["serialNumber"]) & ((1 << 1024) - 1), "x"),
        not_before=_pyasn1_time(tbs["validity"]["notBefore"]),
        not_after=_pyasn1_time(tbs["validity"]["notAfter"]),
        public_key=public_key,
        signature_oid=signature_oid,
        signature_bits=_signature_bits(signature_oid, cert["signature"].asOctets()),
        version=int(tbs["version"]) + 1,
        subject_cn=cn,
    )


def parse_csr(der: bytes) -> ParsedCSR:
    """Read one DER PKCS#10 request; raise :class:`ParseFailure` if it is not one."""
    try:
        csr = x509.load_der_x509_csr(der)
        public_key = _public_key(csr)
    except (ValueError, DerError, x509.InvalidVersion) as exc:
        raise ParseFailure(ErrorKind.MALFORMED, "not a valid certificate request") from exc
    return ParsedCSR(
        der_sha256=hashlib.sha256(der).hexdigest(),
        subject=_name(_quiet(lambda: csr.subject, x509.Name([]))),  # decoded lazily
        public_key=public_key,
        signature_oid=csr.signature_algorithm_oid.dotted_string,
    )


def pkcs7_certificates(data: bytes, pem: bool) -> list[bytes]:
    """The DER certificates inside a PKCS#7 / CMS SignedData (certificates only)."""
    from cryptography.hazmat.primitives.serialization import Encoding

    try:
        certs = (
            pkcs7.load_pem_pkcs7_certificates(data)
            if pem
            else pkcs7.load_der_pkcs7_certificates(data)
        )
    except ValueError as exc:
        raise ParseFailure(ErrorKind.MALFORMED, "not a valid PKCS#7 structure") from exc
    return [c.public_bytes(Encoding.DER) for c in certs]
