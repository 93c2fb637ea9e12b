"""X.509 certificates and PKCS#10 requests for any subject key signed by any issuer key.

One code path for every algorithm: the TBSCertificate / CertificationRequestInfo is built with
pyasn1-modules (RFC 5280, RFC 2986); names and extension values are DER-encoded by
``cryptography`` (``Name.public_bytes``, ``ExtensionType.public_bytes``); the TBS DER is signed
by :meth:`FixtureKey.sign`. So an RSA CA can issue an ML-DSA leaf, an ML-DSA root signs itself
with a real ML-DSA signature, and v1 certificates (which ``cryptography``'s builder cannot make)
come out of the same function.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Final, TypeVar

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, ObjectIdentifier
from pyasn1.codec.der import decoder, encoder
from pyasn1.type import univ
from pyasn1_modules import rfc2986, rfc5280

from pqcscan.demo.builders import _asn1 as asn1
from pqcscan.demo.builders import oids
from pqcscan.demo.builders.keys import FixtureKey, HashName

DEFAULT_NOT_BEFORE: Final = datetime(2025, 1, 1, tzinfo=UTC)
"""Fixed so fixtures are reproducible."""

KEY_USAGES: Final = (
    "digital_signature",
    "content_commitment",
    "key_encipherment",
    "data_encipherment",
    "key_agreement",
    "key_cert_sign",
    "crl_sign",
    "encipher_only",
    "decipher_only",
)
EKU_NAMES: Final[dict[str, ObjectIdentifier]] = {
    "serverAuth": ExtendedKeyUsageOID.SERVER_AUTH,
    "clientAuth": ExtendedKeyUsageOID.CLIENT_AUTH,
    "codeSigning": ExtendedKeyUsageOID.CODE_SIGNING,
    "emailProtection": ExtendedKeyUsageOID.EMAIL_PROTECTION,
    "timeStamping": ExtendedKeyUsageOID.TIME_STAMPING,
    "OCSPSigning": ExtendedKeyUsageOID.OCSP_SIGNING,
}


@dataclass(frozen=True, eq=False)
class FixtureCert:
    """A built certificate, its subject key and the facts a test wants back."""

    der: bytes
    key: FixtureKey = field(repr=False)
    subject: x509.Name
    issuer: x509.Name
    serial: int
    tbs_der: bytes = field(repr=False)
    signature: bytes = field(repr=False)

    @property
    def pem(self) -> bytes:
        return asn1.pem("CERTIFICATE", self.der)

    def load(self) -> x509.Certificate:
        """The certificate as ``cryptography`` reads it (works for PQC OIDs too)."""
        return x509.load_der_x509_certificate(self.der)


@dataclass(frozen=True, eq=False)
class FixtureCSR:
    """A built PKCS#10 certification request."""

    der: bytes
    key: FixtureKey = field(repr=False)
    info_der: bytes = field(repr=False)
    signature: bytes = field(repr=False)

    @property
    def pem(self) -> bytes:
        return asn1.pem("CERTIFICATE REQUEST", self.der)


def name(value: str | x509.Name) -> x509.Name:
    """An X.509 name from an RFC 4514 string ("CN=api.example.test,O=Example Bank,C=GB")."""
    return value if isinstance(value, x509.Name) else x509.Name.from_rfc4514_string(value)


def _time(moment: datetime) -> rfc5280.Time:
    t = rfc5280.Time()
    if moment.year < 2050:
        t["utcTime"] = moment.strftime("%y%m%d%H%M%SZ")
    else:
        t["generalTime"] = moment.strftime("%Y%m%d%H%M%SZ")
    return t


_T = TypeVar("_T")


def _decode(der: bytes, spec: _T) -> _T:
    value, rest = decoder.decode(der, asn1Spec=spec)
    if rest:
        raise ValueError("trailing bytes after DER value")
    return value  # type: ignore[no-any-return]


def _general_name(entry: str) -> x509.GeneralName:
    if "://" in entry:
        return x509.UniformResourceIdentifier(entry)
    if "@" in entry:
        return x509.RFC822Name(entry)
    try:
        return x509.IPAddress(ipaddress.ip_address(entry))
    except ValueError:
        return x509.DNSName(entry)


def _extension(ext: x509.ExtensionType, critical: bool) -> rfc5280.Extension:
    e = rfc5280.Extension()
    e["extnID"] = univ.ObjectIdentifier(ext.oid.dotted_string)
    e["critical"] = critical
    e["extnValue"] = univ.OctetString(ext.public_bytes())
    return e


def build_extensions(
    subject_key: FixtureKey,
    issuer_key_id: bytes | None,
    ca: bool | None,
    path_length: int | None,
    key_usage: Iterable[str] | None,
    extended_key_usage: Iterable[str] | None,
    san: Sequence[str],
    ski: bool,
    extra: Sequence[x509.Extension[x509.ExtensionType]] = (),
) -> list[tuple[x509.ExtensionType, bool]]:
    """The (extension, critical) pairs a certificate or request carries."""
    out: list[tuple[x509.ExtensionType, bool]] = []
    if ca is not None:
        out.append((x509.BasicConstraints(ca=ca, path_length=path_length if ca else None), True))
    if key_usage is not None:
        wanted = set(key_usage)
        unknown = wanted - set(KEY_USAGES)
        if unknown:
            raise ValueError(f"unknown key usages {sorted(unknown)}; use {KEY_USAGES}")
        out.append((x509.KeyUsage(**{u: u in wanted for u in KEY_USAGES}), True))
    if extended_key_usage is not None:
        out.append(
            (
                x509.ExtendedKeyUsage(
                    [EKU_NAMES.get(u) or ObjectIdentifier(u) for u in extended_key_usage]
                ),
                False,
            )
        )
    if san:
        out.append((x509.SubjectAlternativeName([_general_name(s) for s in san]), False))
    if ski:
        out.append((x509.SubjectKeyIdentifier(subject_key.key_identifier), False))
    if issuer_key_id is not None:
        out.append((x509.AuthorityKeyIdentifier(issuer_key_id, None, None), False))
    out += [(e.value, e.critical) for e in extra]
    return out


def default_serial(subject: x509.Name, key: FixtureKey) -> int:
    """A positive 63-bit serial derived from the subject and key, stable across runs for PQC
    keys built from a seed."""
    digest = hashlib.sha256(subject.public_bytes() + key.spki_der).digest()
    return int.from_bytes(digest[:8], "big") >> 1 or 1


def issue(
    subject_key: FixtureKey,
    subject: str | x509.Name,
    issuer: FixtureCert | None = None,
    *,
    serial: int | None = None,
    not_before: datetime = DEFAULT_NOT_BEFORE,
    days: int = 365,
    not_after: datetime | None = None,
    ca: bool | None = None,
    path_length: int | None = None,
    key_usage: Iterable[str] | None = None,
    extended_key_usage: Iterable[str] | None = None,
    san: Sequence[str] = (),
    ski: bool = True,
    aki: bool = True,
    version: int = 3,
    hash_name: HashName | None = None,
    pss: bool = False,
    extra_extensions: Sequence[x509.Extension[x509.ExtensionType]] = (),
) -> FixtureCert:
    """Issue a certificate for ``subject_key`` signed by ``issuer`` (self-signed when None).

    Extensions are written only when asked for: ``ca`` (basicConstraints, critical), ``key_usage``
    (names from :data:`KEY_USAGES`, critical), ``extended_key_usage`` (names from
    :data:`EKU_NAMES` or dotted OIDs), ``san`` (DNS names, IPs, e-mail, URIs), SKI/AKI (on by
    default; AKI only when the issuer has a key identifier). ``version=1`` writes a v1
    certificate, which has no extensions at all. ``hash_name``/``pss`` choose the RSA/ECDSA/DSA
    signature variant; PQC and EdDSA ignore them.
    """
    subject_name = name(subject)
    signer_key = issuer.key if issuer is not None else subject_key
    issuer_name = issuer.subject if issuer is not None else subject_name
    if not signer_key.can_sign:
        raise ValueError(f"{signer_key.algorithm} keys cannot sign certificates")
    serial = serial if serial is not None else default_serial(subject_name, subject_key)
    sig_alg = signer_key.signature_algorithm(hash_name, pss)

    tbs = rfc5280.TBSCertificate()
    if version == 3:
        tbs["version"] = "v3"
    elif version != 1:
        raise ValueError("version must be 1 or 3")
    tbs["serialNumber"] = serial
    tbs["signature"] = _decode(sig_alg, rfc5280.AlgorithmIdentifier())
    tbs["issuer"] = _decode(issuer_name.public_bytes(), rfc5280.Name())
    tbs["validity"]["notBefore"] = _time(not_before)
    tbs["validity"]["notAfter"] = _time(not_after or not_before + timedelta(days=days))
    tbs["subject"] = _decode(subject_name.public_bytes(), rfc5280.Name())
    tbs["subjectPublicKeyInfo"] = _decode(subject_key.spki_der, rfc5280.SubjectPublicKeyInfo())
    if version == 3:
        issuer_ski = (
            (signer_key.key_identifier if issuer is None else _ski_of(issuer)) if aki else None
        )
        exts = build_extensions(
            subject_key,
            issuer_ski,
            ca,
            path_length,
            key_usage,
            extended_key_usage,
            san,
            ski,
            extra_extensions,
        )
        if exts:
            extensions = tbs.setComponentByName("extensions").getComponentByName("extensions")
            for ext, critical in exts:
                extensions.append(_extension(ext, critical))
    tbs_der = bytes(encoder.encode(tbs))
    signature = signer_key.sign(tbs_der, hash_name, pss)
    der = asn1.seq(tbs_der, sig_alg, asn1.bits(signature))
    return FixtureCert(der, subject_key, subject_name, issuer_name, serial, tbs_der, signature)


def _ski_of(cert: FixtureCert) -> bytes | None:
    try:
        ext = cert.load().extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    except x509.ExtensionNotFound:
        return None
    return ext.value.digest


def csr(
    key: FixtureKey,
    subject: str | x509.Name,
    *,
    san: Sequence[str] = (),
    key_usage: Iterable[str] | None = None,
    extended_key_usage: Iterable[str] | None = None,
    hash_name: HashName | None = None,
    pss: bool = False,
) -> FixtureCSR:
    """A PKCS#10 request for any signing key (RFC 2986), with an extensionRequest attribute
    when SAN, key usage or EKU are given."""
    if not key.can_sign:
        raise ValueError(f"{key.algorithm} keys cannot sign a request (no proof of possession)")
    info = rfc2986.CertificationRequestInfo()
    info["version"] = 0
    info["subject"] = _decode(name(subject).public_bytes(), rfc2986.Name())
    info["subjectPKInfo"] = _decode(key.spki_der, rfc2986.SubjectPublicKeyInfo())
    attributes = info.setComponentByName("attributes").getComponentByName("attributes")
    exts = build_extensions(key, None, None, None, key_usage, extended_key_usage, san, ski=False)
    if exts:
        ext_seq = asn1.seq(*(bytes(encoder.encode(_extension(e, c))) for e, c in exts))
        attr = rfc2986.Attribute()
        attr["type"] = univ.ObjectIdentifier(oids.PKCS9_EXTENSION_REQUEST)
        attr["values"].append(univ.Any(ext_seq))
        attributes.append(attr)
    info_der = bytes(encoder.encode(info))
    sig_alg = key.signature_algorithm(hash_name, pss)
    signature = key.sign(info_der, hash_name, pss)
    return FixtureCSR(asn1.seq(info_der, sig_alg, asn1.bits(signature)), key, info_der, signature)
