"""Public-key facts (algorithm OID, size or curve, SPKI SHA-256) from keys and SPKI bytes.

``cryptography`` does the work for the keys it can load; for the rest (ML-DSA, SLH-DSA,
ML-KEM, composite and other OIDs that ``cryptography`` 46 does not know) the algorithm OID
and parameters are read from the DER with pyasn1, so no key goes unclassified. Private keys
are only ever used to derive their public half; nothing secret leaves this module.
"""

from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dh, dsa, ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes
from pyasn1.codec.der import decoder, encoder
from pyasn1.error import PyAsn1Error
from pyasn1.type import univ
from pyasn1_modules import rfc5280, rfc8017

from pqcscan.collectors.certs.formats.der import DerError, spki_algorithm_oid
from pqcscan.collectors.certs.parsed import PublicKeyInfo

RSA_OIDS = frozenset({"1.2.840.113549.1.1.1", "1.2.840.113549.1.1.10", "1.2.840.113549.1.1.7"})
EC_PUBLIC_KEY = "1.2.840.10045.2.1"

#: ML-DSA OIDs (FIPS 204 / RFC 9881) and the dilithium-py parameter object names.
ML_DSA = {
    "2.16.840.1.101.3.4.3.17": "ML_DSA_44",
    "2.16.840.1.101.3.4.3.18": "ML_DSA_65",
    "2.16.840.1.101.3.4.3.19": "ML_DSA_87",
}
#: SLH-DSA OIDs (FIPS 205 / RFC 9909): the private key ends with the public key (2n bytes).
SLH_DSA = frozenset(f"2.16.840.1.101.3.4.3.{n}" for n in range(20, 32))
#: ML-KEM OIDs (FIPS 203 / RFC 9935) and k (the module rank).
ML_KEM = {
    "2.16.840.1.101.3.4.4.1": 2,
    "2.16.840.1.101.3.4.4.2": 3,
    "2.16.840.1.101.3.4.4.3": 4,
}


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def key_parameter(key: PublicKeyTypes) -> str:
    """Size (RSA, DSA, DH) or curve name (EC) of a loaded public key; "" when fixed."""
    if isinstance(key, rsa.RSAPublicKey | dsa.DSAPublicKey | dh.DHPublicKey):
        return str(key.key_size)
    if isinstance(key, ec.EllipticCurvePublicKey):
        return key.curve.name
    return ""


def info_from_key(key: PublicKeyTypes, spki: bytes | None = None) -> PublicKeyInfo:
    """Facts of a key ``cryptography`` loaded. ``spki``: the original DER, when at hand."""
    if spki is None:
        spki = key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    return PublicKeyInfo(
        algorithm_oid=spki_algorithm_oid(spki),
        parameter=key_parameter(key),
        spki_sha256=sha256_hex(spki),
    )


def info_from_private_key(key: PrivateKeyTypes) -> PublicKeyInfo:
    return info_from_key(key.public_key())


def info_from_spki(spki: bytes) -> PublicKeyInfo:
    """Facts of a DER SubjectPublicKeyInfo of any algorithm."""
    try:
        key = serialization.load_der_public_key(spki)
    except (ValueError, TypeError):
        return _info_from_unloadable_spki(spki)
    except Exception:  # cryptography raises UnsupportedAlgorithm for unknown OIDs
        return _info_from_unloadable_spki(spki)
    return info_from_key(key, spki)


def _info_from_unloadable_spki(spki: bytes) -> PublicKeyInfo:
    try:
        decoded, rest = decoder.decode(spki, asn1Spec=rfc5280.SubjectPublicKeyInfo())
    except PyAsn1Error as exc:
        raise DerError(f"malformed SubjectPublicKeyInfo: {exc}") from exc
    if rest:
        raise DerError("trailing bytes after SubjectPublicKeyInfo")
    oid = str(decoded["algorithm"]["algorithm"])
    params = decoded["algorithm"]["parameters"]
    parameter = ""
    if oid in RSA_OIDS:
        parameter = _rsa_size(decoded["subjectPublicKey"].asOctets())
    elif oid == EC_PUBLIC_KEY and params.isValue:
        parameter = _curve_parameter(params)
    return PublicKeyInfo(algorithm_oid=oid, parameter=parameter, spki_sha256=sha256_hex(spki))


def _rsa_size(key_bytes: bytes) -> str:
    try:
        rsa_key, _ = decoder.decode(key_bytes, asn1Spec=rfc8017.RSAPublicKey())
    except PyAsn1Error:
        return ""
    return str(int(rsa_key["modulus"]).bit_length())


def _curve_parameter(params: univ.Any) -> str:
    """``oid:<curve>`` for a named curve; ``explicit`` for explicit parameters."""
    try:
        raw = bytes(params)
        if raw[:1] == b"\x06":
            curve, _ = decoder.decode(raw, asn1Spec=univ.ObjectIdentifier())
            return f"oid:{curve}"
    except (PyAsn1Error, TypeError):
        return ""
    return "explicit"


def build_spki(oid: str, public_key: bytes) -> bytes:
    """DER SubjectPublicKeyInfo with absent parameters (the PQC convention)."""
    spki = rfc5280.SubjectPublicKeyInfo()
    spki["algorithm"]["algorithm"] = univ.ObjectIdentifier(oid)
    spki["subjectPublicKey"] = univ.BitString.fromOctetString(public_key)
    return bytes(encoder.encode(spki))


def pqc_public_key(oid: str, private_key: bytes) -> bytes | None:
    """Derive the public key from a PQC PKCS#8 ``privateKey`` field, where possible.

    ML-DSA (RFC 9881: seed ``[0]``, expandedKey, or both) through dilithium-py; SLH-DSA
    (RFC 9909: the secret key ends with the public key); ML-KEM expanded keys (RFC 9935:
    the decapsulation key embeds the encapsulation key). None when the form hides it.
    """
    if oid in ML_DSA:
        return _ml_dsa_public(ML_DSA[oid], private_key)
    if oid in SLH_DSA:
        raw = _octets(private_key)
        return raw[len(raw) // 2 :] if raw and len(raw) % 4 == 0 else None
    if oid in ML_KEM:
        return _ml_kem_public(ML_KEM[oid], private_key)
    return None


def _octets(data: bytes) -> bytes | None:
    """The content of an OCTET STRING, or the bytes themselves if not wrapped."""
    if data[:1] == b"\x04":
        try:
            value, rest = decoder.decode(data, asn1Spec=univ.OctetString())
        except PyAsn1Error:
            return None
        return bytes(value) if not rest else None
    return data


def _choice(private_key: bytes) -> tuple[bytes | None, bytes | None]:
    """(seed, expanded) of the RFC 9881 / RFC 9935 private-key CHOICE."""
    tag = private_key[:1]
    if tag == b"\x80" and len(private_key) >= 2:  # seed [0] IMPLICIT OCTET STRING
        return private_key[2 : 2 + private_key[1]], None
    if tag == b"\x04":
        return None, _octets(private_key)
    if tag == b"\x30":
        try:
            both, _ = decoder.decode(private_key)
            return bytes(both[0]), bytes(both[1])
        except (PyAsn1Error, IndexError, TypeError):
            return None, None
    return None, None


def _ml_dsa_public(variant: str, private_key: bytes) -> bytes | None:
    from dilithium_py import ml_dsa

    scheme = getattr(ml_dsa, variant)
    seed, expanded = _choice(private_key)
    try:
        if seed is not None and len(seed) == 32:
            public, _ = scheme.key_derive(seed)
            return bytes(public)
        if expanded is not None:
            return bytes(scheme.pk_from_sk(expanded))
    except (ValueError, IndexError, AssertionError):
        return None
    return None


def _ml_kem_public(k: int, private_key: bytes) -> bytes | None:
    _, expanded = _choice(private_key)
    size = 384 * k
    if expanded is None or len(expanded) != 768 * k + 96:
        return None
    return expanded[size : 2 * size + 32]
