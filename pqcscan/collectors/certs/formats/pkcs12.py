"""PKCS#12 / PFX files (.p12, .pfx, and PKCS12-type Java keystores).

The outer structure is read with pyasn1 without a password: the MAC digest, the algorithms
that encrypt each part, and whatever is stored in clear (trust stores often keep their
certificates unencrypted). The encrypted parts are opened with ``cryptography`` when one of
the given passwords (or no password) fits. What stays locked is reported, not guessed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from pyasn1.codec.der import decoder
from pyasn1.error import PyAsn1Error
from pyasn1.type import char, univ
from pyasn1_modules import rfc5652, rfc7292

from pqcscan.collectors.certs.formats.der import DerKind
from pqcscan.collectors.certs.formats.keys import (
    decrypt_pbes2,
    decrypt_pkcs8,
    protection_oids,
    read_private_der,
)
from pqcscan.collectors.certs.formats.pubkeys import info_from_private_key
from pqcscan.collectors.certs.formats.x509 import parse_certificate
from pqcscan.collectors.certs.parsed import (
    Entry,
    EntryError,
    KeyKind,
    ParsedFile,
    ParsedKey,
    ParseFailure,
)
from pqcscan.results import ErrorKind

DATA = "1.2.840.113549.1.7.1"
ENCRYPTED_DATA = "1.2.840.113549.1.7.6"
ENVELOPED_DATA = "1.2.840.113549.1.7.3"
X509_CERTIFICATE = "1.2.840.113549.1.9.22.1"
FRIENDLY_NAME = "1.2.840.113549.1.9.20"


@dataclass
class _Contents:
    """What the PFX holds, as far as it could be read."""

    protection: list[str] = field(default_factory=list)
    clear_certs: list[tuple[str, bytes]] = field(default_factory=list)  # (friendly name, DER)
    clear_keys: list[tuple[str, bytes]] = field(default_factory=list)
    #: (friendly name, protection, encryption AlgorithmIdentifier, ciphertext)
    shrouded_keys: list[tuple[str, tuple[str, ...], Any, bytes]] = field(default_factory=list)
    #: (encryption AlgorithmIdentifier, ciphertext) of each encrypted SafeContents
    sealed_parts: list[tuple[Any, bytes]] = field(default_factory=list)
    encrypted_parts: int = 0
    errors: list[EntryError] = field(default_factory=list)


def _decode(data: bytes, spec: Any) -> Any:
    value, _ = decoder.decode(data, asn1Spec=spec)
    return value


def _friendly_name(bag: Any) -> str:
    for attribute in bag["bagAttributes"]:
        if str(attribute["attrType"]) == FRIENDLY_NAME:
            for value in attribute["attrValues"]:
                try:
                    return str(_decode(bytes(value), char.BMPString()))
                except (PyAsn1Error, UnicodeDecodeError):
                    return ""
    return ""


def _read_bags(raw: bytes, into: _Contents, depth: int = 0) -> None:
    for bag in _decode(raw, rfc7292.SafeContents()):
        bag_id = bag["bagId"]
        name = _friendly_name(bag)
        value = bytes(bag["bagValue"])
        if bag_id == rfc7292.id_certBag:
            cert_bag = _decode(value, rfc7292.CertBag())
            if str(cert_bag["certId"]) == X509_CERTIFICATE:
                der = bytes(_decode(bytes(cert_bag["certValue"]), univ.OctetString()))
                into.clear_certs.append((name, der))
        elif bag_id == rfc7292.id_keyBag:
            into.clear_keys.append((name, value))
        elif bag_id == rfc7292.id_pkcs8ShroudedKeyBag:
            shrouded = _decode(value, rfc7292.EncryptedPrivateKeyInfo())
            algorithm = shrouded["encryptionAlgorithm"]
            into.shrouded_keys.append(
                (name, protection_oids(algorithm), algorithm, bytes(shrouded["encryptedData"]))
            )
        elif bag_id == rfc7292.id_safeContentsBag and depth < 4:
            _read_bags(value, into, depth + 1)


def _read_structure(data: bytes) -> _Contents:
    contents = _Contents()
    pfx = _decode(data, rfc7292.PFX())
    if int(pfx["version"]) != 3:
        raise ParseFailure(ErrorKind.UNSUPPORTED, f"PKCS#12 version {int(pfx['version'])}")
    if pfx["macData"].isValue:
        contents.protection.append(f"oid:{pfx['macData']['mac']['digestAlgorithm']['algorithm']}")
    auth_safe = pfx["authSafe"]
    if str(auth_safe["contentType"]) != DATA:
        raise ParseFailure(ErrorKind.UNSUPPORTED, "public-key integrity mode PKCS#12")
    octets = bytes(_decode(bytes(auth_safe["content"]), univ.OctetString()))
    for info in _decode(octets, rfc7292.AuthenticatedSafe()):
        kind = str(info["contentType"])
        if kind == DATA:
            _read_bags(bytes(_decode(bytes(info["content"]), univ.OctetString())), contents)
        elif kind == ENCRYPTED_DATA:
            encrypted = _decode(bytes(info["content"]), rfc5652.EncryptedData())
            content_info = encrypted["encryptedContentInfo"]
            algorithm = content_info["contentEncryptionAlgorithm"]
            contents.protection.extend(protection_oids(algorithm))
            contents.encrypted_parts += 1
            if content_info["encryptedContent"].isValue:
                ciphertext = bytes(content_info["encryptedContent"])
                contents.sealed_parts.append((algorithm, ciphertext))
        else:
            contents.encrypted_parts += 1
            contents.errors.append(
                EntryError("", ErrorKind.UNSUPPORTED, f"PKCS#12 part of type {kind} not read")
            )
    return contents


@dataclass(frozen=True, slots=True)
class _Opened:
    """What the encrypted parts held, once a password opened them."""

    certs: tuple[tuple[str, bytes], ...]  # (friendly name, DER)
    keys: tuple[tuple[str, ParsedKey], ...]


def _open_with_cryptography(
    data: bytes, passwords: Sequence[str], key_protection: tuple[str, ...]
) -> _Opened | None:
    for password in (None, *(p.encode() for p in dict.fromkeys(("", *passwords)))):
        try:
            opened = pkcs12.load_pkcs12(data, password)
        except (ValueError, TypeError):
            continue
        certs = tuple(
            (
                (c.friendly_name or b"").decode("utf-8", "replace"),
                c.certificate.public_bytes(Encoding.DER),
            )
            for c in (opened.cert, *opened.additional_certs)
            if c is not None
        )
        keys: tuple[tuple[str, ParsedKey], ...] = ()
        if opened.key is not None:
            name = certs[0][0] if opened.cert is not None else ""
            info = info_from_private_key(opened.key)
            keys = ((name, ParsedKey(KeyKind.PRIVATE, "pkcs12", info, True, key_protection)),)
        return _Opened(certs, keys)
    return None


def _open_pbes2(contents: _Contents, passwords: Sequence[str]) -> _Opened | None:
    """Open PBES2-encrypted parts with ``cryptography``'s primitives: the way in for keys
    ``load_pkcs12`` refuses (ML-DSA, SLH-DSA, ML-KEM). None when no password opens them."""
    for password in dict.fromkeys(("", *passwords)):
        inner = _Contents()
        try:
            for algorithm, ciphertext in contents.sealed_parts:
                plain = decrypt_pbes2(algorithm, ciphertext, password)
                if plain is None:
                    raise ValueError("not opened")
                _read_bags(plain, inner)
        except (PyAsn1Error, ValueError):
            continue
        keys = []
        for name, protection, algorithm, ciphertext in (
            *contents.shrouded_keys,
            *inner.shrouded_keys,
        ):
            key = decrypt_pkcs8(algorithm, ciphertext, password)
            if key is None:
                break
            keys.append(
                (name, ParsedKey(KeyKind.PRIVATE, "pkcs12", key.public_key, True, protection))
            )
        else:
            return _Opened(tuple(inner.clear_certs), tuple(keys))
    return None


def read_pkcs12(data: bytes, passwords: Sequence[str]) -> ParsedFile:
    """Read a PFX: protection always, clear contents always, the rest with a password."""
    try:
        contents = _read_structure(data)
    except (PyAsn1Error, ValueError) as exc:
        raise ParseFailure(ErrorKind.MALFORMED, "not a valid PKCS#12 file") from exc
    certs: dict[str, tuple[str, bytes]] = {}
    keys: list[Entry] = []
    errors = list(contents.errors)
    for name, der in contents.clear_certs:
        certs.setdefault(hashlib.sha256(der).hexdigest(), (name, der))
    for index, (name, raw) in enumerate(contents.clear_keys, start=1):
        keys.append(Entry(_suffix(name, "key", index), read_private_der(raw, DerKind.PKCS8).key))
    if contents.sealed_parts or contents.shrouded_keys:
        key_protection = tuple(p for _, prot, _, _ in contents.shrouded_keys for p in prot)
        opened = _open_with_cryptography(data, passwords, key_protection) or _open_pbes2(
            contents, passwords
        )
        if opened is not None:
            for name, der in opened.certs:
                certs.setdefault(hashlib.sha256(der).hexdigest(), (name, der))
            for index, (name, key) in enumerate(opened.keys, start=1):
                keys.append(Entry(_suffix(name, "key", index), key))
        else:
            for index, (name, prot, _, _) in enumerate(contents.shrouded_keys, start=1):
                locked = ParsedKey(KeyKind.PRIVATE, "pkcs12", None, True, prot)
                keys.append(Entry(_suffix(name, "key", index), locked))
            errors.append(_locked_error(len(certs), bool(passwords)))
    entries: list[Entry] = []
    for index, (name, der) in enumerate(certs.values(), start=1):
        try:
            entries.append(Entry(_suffix(name, "cert", index), parse_certificate(der)))
        except ParseFailure as failure:
            errors.append(EntryError(_suffix(name, "cert", index), failure.kind, failure.message))
    entries.extend(keys)
    protection = tuple(dict.fromkeys(contents.protection))
    return ParsedFile("pkcs12", tuple(entries), tuple(errors), keystore=True, protection=protection)


def _locked_error(readable: int, passwords_given: bool) -> EntryError:
    also = f"; {readable} certificate(s) readable without it" if readable else ""
    if passwords_given:
        return EntryError("", ErrorKind.WRONG_PASSWORD, f"no given password opens it{also}")
    return EntryError("", ErrorKind.PASSWORD_REQUIRED, f"encrypted parts need a password{also}")


def _suffix(name: str, what: str, index: int) -> str:
    return f"!{name}" if name else f"#{what}{index}"
