"""Private and public keys: PKCS#1, PKCS#8 (plain and encrypted), SEC1, DSA, SPKI.

Each key is reduced to its public facts (algorithm OID, size or curve, SPKI SHA-256) and, for
encrypted keys, the algorithms that protect it. A key that none of the given passwords opens
keeps what its structure reveals (the protection, and for traditional PEM the key type).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from pyasn1.codec.der import decoder
from pyasn1.error import PyAsn1Error
from pyasn1.type import univ
from pyasn1_modules import rfc5208, rfc5958, rfc8018

from pqcscan.collectors.certs.formats.der import DerError, DerKind, der_kind
from pqcscan.collectors.certs.formats.pubkeys import (
    build_spki,
    info_from_key,
    info_from_private_key,
    info_from_spki,
    pqc_public_key,
    sha256_hex,
)
from pqcscan.collectors.certs.parsed import KeyKind, ParsedKey, ParseFailure, PublicKeyInfo
from pqcscan.results import ErrorKind

PBES2 = "1.2.840.113549.1.5.13"
PBKDF2 = "1.2.840.113549.1.5.12"
SCRYPT = "1.3.6.1.4.1.11591.4.11"
HMAC_WITH_SHA1 = "1.2.840.113549.2.7"

#: Key type revealed by a traditional PEM label, even when the key is encrypted.
LABEL_OIDS = {
    "RSA": "1.2.840.113549.1.1.1",
    "EC": "1.2.840.10045.2.1",
    "DSA": "1.2.840.10040.4.1",
}
_FORMATS = {
    DerKind.PKCS8: "pkcs8",
    DerKind.SEC1: "sec1",
    DerKind.PKCS1_PRIVATE: "pkcs1",
    DerKind.DSA_PRIVATE: "dsa",
}


@dataclass(frozen=True, slots=True)
class KeyRead:
    """A key and, when part of it could not be read, why."""

    key: ParsedKey
    problem: tuple[ErrorKind, str] | None = None


def _load_private(data: bytes, password: bytes | None, pem: bool) -> object:
    loader = serialization.load_pem_private_key if pem else serialization.load_der_private_key
    return loader(data, password, unsafe_skip_rsa_key_validation=True)


def read_private_der(der: bytes, kind: DerKind) -> KeyRead:
    """An unencrypted private key in DER (PKCS#8, SEC1, PKCS#1, OpenSSL DSA)."""
    fmt = _FORMATS.get(kind, kind.value)
    try:
        key = _load_private(der, None, pem=False)
    except UnsupportedAlgorithm:
        return KeyRead(_pkcs8_by_oid(der, fmt))
    except (ValueError, TypeError) as exc:
        if kind is DerKind.PKCS8:
            return KeyRead(_pkcs8_by_oid(der, fmt))
        raise ParseFailure(ErrorKind.MALFORMED, f"not a valid {fmt} private key") from exc
    return KeyRead(ParsedKey(KeyKind.PRIVATE, fmt, info_from_private_key(key)))  # type: ignore[arg-type]


def _pkcs8_by_oid(der: bytes, fmt: str) -> ParsedKey:
    """A PKCS#8 key ``cryptography`` cannot load: classify it by OID (PQC, composite...)."""
    try:
        decoded, rest = decoder.decode(der, asn1Spec=rfc5958.OneAsymmetricKey())
    except PyAsn1Error as exc:
        raise ParseFailure(ErrorKind.MALFORMED, f"not a valid {fmt} private key") from exc
    if rest:
        raise ParseFailure(ErrorKind.MALFORMED, "trailing bytes after the private key")
    oid = str(decoded["privateKeyAlgorithm"]["algorithm"])
    public: bytes | None = None
    if decoded["publicKey"].isValue:
        public = decoded["publicKey"].asOctets()
    else:
        public = pqc_public_key(oid, bytes(decoded["privateKey"]))
    info = PublicKeyInfo(algorithm_oid=oid)
    if public is not None:
        info = PublicKeyInfo(algorithm_oid=oid, spki_sha256=sha256_hex(build_spki(oid, public)))
    return ParsedKey(KeyKind.PRIVATE, fmt, info)


def protection_oids(algorithm: Any) -> tuple[str, ...]:
    """The OIDs that protect an encrypted key: PBES2's KDF, PRF and cipher, or the PBE."""
    oid = str(algorithm["algorithm"])
    if oid != PBES2 or not algorithm["parameters"].isValue:
        return (f"oid:{oid}",)
    try:
        params, _ = decoder.decode(bytes(algorithm["parameters"]), asn1Spec=rfc8018.PBES2_params())
    except PyAsn1Error:
        return (f"oid:{oid}",)
    kdf = params["keyDerivationFunc"]
    kdf_oid = str(kdf["algorithm"])
    out = [f"oid:{kdf_oid}"]
    if kdf_oid == PBKDF2:
        prf = HMAC_WITH_SHA1
        try:
            kdf_params, _ = decoder.decode(
                bytes(kdf["parameters"]), asn1Spec=rfc8018.PBKDF2_params()
            )
            if kdf_params["prf"].isValue:
                prf = str(kdf_params["prf"]["algorithm"])
        except PyAsn1Error:
            pass
        out.append(f"oid:{prf}")
    out.append(f"oid:{params['encryptionScheme']['algorithm']}")
    return tuple(out)


def read_encrypted_pkcs8(der: bytes, passwords: Sequence[str]) -> KeyRead:
    """An EncryptedPrivateKeyInfo: its protection always; its key when a password opens it."""
    try:
        decoded, _ = decoder.decode(der, asn1Spec=rfc5208.EncryptedPrivateKeyInfo())
    except PyAsn1Error as exc:
        raise ParseFailure(ErrorKind.MALFORMED, "not a valid encrypted private key") from exc
    algorithm = decoded["encryptionAlgorithm"]
    protection = protection_oids(algorithm)
    locked = ParsedKey(KeyKind.PRIVATE, "encrypted-pkcs8", None, True, protection)
    if not passwords:
        return KeyRead(locked)
    for password in passwords:
        try:
            key = _load_private(der, password.encode(), pem=False)
        except UnsupportedAlgorithm:
            return KeyRead(
                locked,
                (ErrorKind.UNSUPPORTED, "the key's protection or algorithm is not supported"),
            )
        except (ValueError, TypeError):
            # cryptography also refuses keys it cannot load (PQC) after decrypting them:
            # decrypt PBES2 with its primitives and read the key by OID.
            inner = decrypt_pkcs8(algorithm, bytes(decoded["encryptedData"]), password)
            if inner is None:
                continue
            return KeyRead(
                ParsedKey(KeyKind.PRIVATE, "encrypted-pkcs8", inner.public_key, True, protection)
            )
        info = info_from_private_key(key)  # type: ignore[arg-type]
        return KeyRead(ParsedKey(KeyKind.PRIVATE, "encrypted-pkcs8", info, True, protection))
    return KeyRead(locked, _wrong_password(len(passwords)))


_PBES2_CIPHERS = {
    "2.16.840.1.101.3.4.1.2": 16,  # aes128-CBC
    "2.16.840.1.101.3.4.1.22": 24,  # aes192-CBC
    "2.16.840.1.101.3.4.1.42": 32,  # aes256-CBC
}
_PRF_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "1.2.840.113549.2.7": hashes.SHA1,
    "1.2.840.113549.2.8": hashes.SHA224,
    "1.2.840.113549.2.9": hashes.SHA256,
    "1.2.840.113549.2.10": hashes.SHA384,
    "1.2.840.113549.2.11": hashes.SHA512,
}


def decrypt_pbes2(algorithm: Any, ciphertext: bytes, password: str) -> bytes | None:
    """Decrypt PBES2 (PBKDF2 + AES-CBC) with ``cryptography``'s primitives.

    None when the scheme is another one or the padding is wrong (a wrong password, most
    likely; callers check that the plaintext has the structure they expect).
    """
    if str(algorithm["algorithm"]) != PBES2:
        return None
    try:
        params, _ = decoder.decode(bytes(algorithm["parameters"]), asn1Spec=rfc8018.PBES2_params())
        kdf = params["keyDerivationFunc"]
        scheme = params["encryptionScheme"]
        key_size = _PBES2_CIPHERS.get(str(scheme["algorithm"]))
        if str(kdf["algorithm"]) != PBKDF2 or key_size is None:
            return None
        kdf_params, _ = decoder.decode(bytes(kdf["parameters"]), asn1Spec=rfc8018.PBKDF2_params())
        prf = str(kdf_params["prf"]["algorithm"]) if kdf_params["prf"].isValue else HMAC_WITH_SHA1
        iterations = int(kdf_params["iterationCount"])
        iv, _ = decoder.decode(bytes(scheme["parameters"]), asn1Spec=univ.OctetString())
        salt = bytes(kdf_params["salt"]["specified"])
    except (PyAsn1Error, KeyError, TypeError, ValueError):
        return None
    if prf not in _PRF_HASHES or not 0 < iterations <= 10_000_000:
        return None
    secret = PBKDF2HMAC(_PRF_HASHES[prf](), key_size, salt, iterations).derive(password.encode())
    decryptor = Cipher(algorithms.AES(secret), modes.CBC(bytes(iv))).decryptor()
    try:
        padded = decryptor.update(ciphertext) + decryptor.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        plain = unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        return None
    return plain


def decrypt_pkcs8(algorithm: Any, ciphertext: bytes, password: str) -> ParsedKey | None:
    """The key inside a PBES2-encrypted PKCS#8, classified by OID; None if not opened."""
    plain = decrypt_pbes2(algorithm, ciphertext, password)
    if plain is None or der_kind(plain) is not DerKind.PKCS8:
        return None
    try:
        return read_private_der(plain, DerKind.PKCS8).key
    except ParseFailure:
        return None


def _wrong_password(count: int) -> tuple[ErrorKind, str]:
    given = "the password given" if count == 1 else f"any of the {count} passwords given"
    return ErrorKind.WRONG_PASSWORD, f"encrypted key: {given} does not open it"


def read_traditional_pem(
    block: bytes, key_type: str, dek_info: str, passwords: Sequence[str]
) -> KeyRead:
    """An OpenSSL "traditional" PEM key encrypted with ``Proc-Type``/``DEK-Info`` headers."""
    cipher = dek_info.split(",", 1)[0].strip()
    protection = (f"pem-dek:{cipher}",)
    oid = LABEL_OIDS.get(key_type)
    locked = ParsedKey(
        KeyKind.PRIVATE,
        "pem-encrypted",
        PublicKeyInfo(algorithm_oid=oid) if oid else None,
        True,
        protection,
    )
    for password in passwords:
        try:
            key = _load_private(block, password.encode(), pem=True)
        except UnsupportedAlgorithm:
            return KeyRead(locked, (ErrorKind.UNSUPPORTED, f"unsupported PEM cipher {cipher}"))
        except (ValueError, TypeError):
            continue
        info = info_from_private_key(key)  # type: ignore[arg-type]
        return KeyRead(ParsedKey(KeyKind.PRIVATE, "pem-encrypted", info, True, protection))
    return KeyRead(locked, _wrong_password(len(passwords)) if passwords else None)


def read_public_der(der: bytes, kind: DerKind) -> KeyRead:
    """A SubjectPublicKeyInfo or a PKCS#1 RSAPublicKey."""
    try:
        if kind is DerKind.SPKI:
            info = info_from_spki(der)
        else:
            info = info_from_key(serialization.load_der_public_key(der))
    except (ValueError, DerError, UnsupportedAlgorithm) as exc:
        raise ParseFailure(ErrorKind.MALFORMED, "not a valid public key") from exc
    fmt = "spki" if kind is DerKind.SPKI else "pkcs1-public"
    return KeyRead(ParsedKey(KeyKind.PUBLIC, fmt, info))
