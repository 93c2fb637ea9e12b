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
from pyasn1.type import univ
from pyasn1_modules import rfc5652, rfc7292

from pqcscan.collectors.certs.formats.der import DerKind
from pqcscan.collectors.certs.formats.keys import protection_oids, read_private_der
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
    shrouded_keys: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
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
                    return str(_decode(bytes(value), univ.Any()).asOctets().decode("utf-16-be"))
                except (PyAsn1Error, UnicodeDecodeError, AttributeError):
                    try:
                        return str(decoder.decode(bytes(value))[0])
                    except PyAsn1Error:
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
            into.shrouded_keys.append((name, protection_oids(shrouded["encryptionAlgorithm"])))
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
            algorithm = encrypted["encryptedContentInfo"]["contentEncryptionAlgorithm"]
            contents.protection.extend(protection_oids(algorithm))
            contents.encrypted_parts += 1
        else:
            contents.encrypted_parts += 1
            contents.errors.append(
                EntryError("", ErrorKind.UNSUPPORTED, f"PKCS#12 part of type {kind} not read")
            )
    return contents


def _open(data: bytes, passwords: Sequence[str]) -> pkcs12.PKCS12KeyAndCertificates | None:
    for password in (None, *(p.encode() for p in dict.fromkeys(("", *passwords)))):
        try:
            return pkcs12.load_pkcs12(data, password)
        except (ValueError, TypeError):
            continue
    return None


def read_pkcs12(data: bytes, passwords: Sequence[str]) -> ParsedFile:
    """Read a PFX: protection always, clear contents always, the rest with a password."""
    try:
        contents = _read_structure(data)
    except (PyAsn1Error, ValueError) as exc:
        raise ParseFailure(ErrorKind.MALFORMED, "not a valid PKCS#12 file") from exc
    protection = tuple(dict.fromkeys(contents.protection))
    certs: dict[str, tuple[str, bytes]] = {}
    keys: list[Entry] = []
    errors = list(contents.errors)
    opened = _open(data, passwords) if contents.encrypted_parts or contents.shrouded_keys else None
    for name, der in contents.clear_certs:
        certs.setdefault(hashlib.sha256(der).hexdigest(), (name, der))
    for name, raw in contents.clear_keys:
        keys.append(Entry(_suffix(name, "key", 1), read_private_der(raw, DerKind.PKCS8).key))
    key_protection = tuple(p for _, prot in contents.shrouded_keys for p in prot)
    if opened is not None:
        for item in (opened.cert, *opened.additional_certs):
            if item is None:
                continue
            der = item.certificate.public_bytes(Encoding.DER)
            label = (item.friendly_name or b"").decode("utf-8", "replace")
            certs.setdefault(hashlib.sha256(der).hexdigest(), (label, der))
        if opened.key is not None:
            label = (
                (opened.cert.friendly_name or b"").decode("utf-8", "replace") if opened.cert else ""
            )
            info = info_from_private_key(opened.key)
            keys.append(
                Entry(
                    _suffix(label, "key", 1),
                    ParsedKey(KeyKind.PRIVATE, "pkcs12", info, True, key_protection),
                )
            )
    elif contents.encrypted_parts or contents.shrouded_keys:
        for index, (name, prot) in enumerate(contents.shrouded_keys, start=1):
            locked = ParsedKey(KeyKind.PRIVATE, "pkcs12", None, True, prot)
            keys.append(Entry(_suffix(name, "key", index), locked))
        readable = f"; {len(certs)} certificate(s) readable without it" if certs else ""
        if passwords:
            errors.append(
                EntryError("", ErrorKind.WRONG_PASSWORD, f"no given password opens it{readable}")
            )
        else:
            errors.append(
                EntryError(
                    "", ErrorKind.PASSWORD_REQUIRED, f"encrypted parts need a password{readable}"
                )
            )
    entries: list[Entry] = []
    for index, (name, der) in enumerate(certs.values(), start=1):
        try:
            entries.append(Entry(_suffix(name, "cert", index), parse_certificate(der)))
        except ParseFailure as failure:
            errors.append(EntryError(_suffix(name, "cert", index), failure.kind, failure.message))
    entries.extend(keys)
    return ParsedFile("pkcs12", tuple(entries), tuple(errors), keystore=True, protection=protection)


def _suffix(name: str, what: str, index: int) -> str:
    return f"!{name}" if name else f"#{what}{index}"
