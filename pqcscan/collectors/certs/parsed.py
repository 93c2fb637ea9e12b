"""What the format parsers extract from a file, before any classification.

Parsers (``formats/*.py``) turn bytes into these values and know nothing about the catalog
or the inventory; :mod:`pqcscan.collectors.certs.classify` turns them into findings. Raw
identifiers (OIDs, SSH key type names) are kept as found, so a key that the installed
``cryptography`` cannot load (ML-DSA, SLH-DSA, composite) is still classified by its OID.
No private-key bytes and no password ever appear here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pqcscan.results import ErrorKind


class KeyKind(StrEnum):
    PRIVATE = "private"
    PUBLIC = "public"
    SECRET = "secret"  # a symmetric key (JCEKS secret-key entry)


@dataclass(frozen=True, slots=True)
class PublicKeyInfo:
    """A public key, identified by OID (PKIX) or by SSH key type name."""

    #: PKIX algorithm OID from SubjectPublicKeyInfo / PrivateKeyInfo, e.g. "1.2.840.113549.1.1.1".
    algorithm_oid: str | None = None
    #: SSH key type, e.g. "ssh-rsa", "ecdsa-sha2-nistp256", "ssh-ed25519".
    ssh_type: str | None = None
    #: Size or curve: "2048" for RSA/DSA/DH, "P-256" or a curve OID "oid:1.3.132.0.34" for EC,
    #: "" when the algorithm fixes it (Ed25519, ML-DSA-65).
    parameter: str = ""
    #: SHA-256 of the DER SubjectPublicKeyInfo, hex; None when it cannot be derived.
    spki_sha256: str | None = None
    #: OpenSSH-style SHA256 fingerprint ("SHA256:base64...") for SSH keys.
    ssh_fingerprint: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedCertificate:
    der_sha256: str  # hex
    subject: str  # RFC 4514 string
    issuer: str
    serial: str  # hex, no leading 0x
    not_before: datetime | None  # timezone-aware UTC
    not_after: datetime | None
    public_key: PublicKeyInfo
    signature_oid: str
    #: Signature size in bits when it reveals the issuer key size (RSA: the modulus length).
    signature_bits: int | None = None
    #: The signature's digest when the OID does not name it (RSASSA-PSS parameters): "sha384".
    signature_hash: str | None = None
    is_ca: bool = False
    key_usage: tuple[str, ...] = ()  # "digitalSignature", "keyEncipherment", "keyCertSign"...
    extended_key_usage: tuple[str, ...] = ()  # dotted OIDs or names
    ski: str | None = None  # hex
    aki: str | None = None  # hex
    version: int = 3
    subject_cn: str = ""  # for display


@dataclass(frozen=True, slots=True)
class SshCertificateInfo:
    """An OpenSSH certificate (``*-cert-v01@openssh.com``): who signed it, for whom, how long."""

    blob_sha256: str  # hex SHA-256 of the certificate blob: its identity
    cert_type: str  # "user" | "host"
    key_id: str
    principals: tuple[str, ...]
    valid_after: datetime | None
    valid_before: datetime | None
    #: The certificate authority's key, which signed the certificate.
    signature_key: PublicKeyInfo


@dataclass(frozen=True, slots=True)
class ParsedKey:
    kind: KeyKind
    #: pkcs1 | pkcs8 | encrypted-pkcs8 | sec1 | spki | openssh | openssh-public | dsa | pvk...
    format: str
    #: None when the key is encrypted and its structure does not reveal the public part.
    public_key: PublicKeyInfo | None
    encrypted: bool = False
    #: OIDs of the protection (PBES2 scheme, KDF, cipher; PKCS#12 PBE), or OpenSSH cipher/KDF
    #: names as "openssh-cipher:aes256-ctr" / "openssh-kdf:bcrypt".
    protection: tuple[str, ...] = ()
    comment: str = ""  # OpenSSH key comment / authorized_keys comment (may identify a person)
    #: Where the key sits in a line-based file: known_hosts marker and hosts ("hashed" when
    #: hashed), authorized_keys option names. Never option values or private data.
    context: tuple[tuple[str, str | tuple[str, ...]], ...] = ()
    ssh_certificate: SshCertificateInfo | None = None
    #: (algorithm name, key bits) of a secret key, when its container reveals them.
    secret: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class ParsedCSR:
    der_sha256: str
    subject: str
    public_key: PublicKeyInfo
    signature_oid: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One object inside a file: ``suffix`` makes its locator (``#3``, ``!alias``, ``:12``)."""

    suffix: str
    obj: ParsedCertificate | ParsedKey | ParsedCSR


@dataclass(frozen=True, slots=True)
class EntryError:
    """A part of a file that could not be read (the rest of the file still counts)."""

    suffix: str
    kind: ErrorKind
    message: str


@dataclass(frozen=True, slots=True)
class ParsedFile:
    """Everything a parser found in one file."""

    #: pem | der-certificate | der-key | pkcs7 | pkcs12 | jks | jceks | openssh-private |
    #: openssh-public | authorized_keys | known_hosts | csr ...
    format: str
    entries: tuple[Entry, ...] = ()
    errors: tuple[EntryError, ...] = ()
    #: True for containers (PKCS#12, JKS): the file itself becomes a keystore asset.
    keystore: bool = False
    #: Protection of the container itself (PKCS#12 MAC / PBE OIDs, "jks-sha1-integrity").
    protection: tuple[str, ...] = ()


class ParseFailure(Exception):
    """A parser recognised the format but could not read the file as a whole."""

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
