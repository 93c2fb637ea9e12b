"""Recognise certificate and key files by content, and parse them into :mod:`..parsed` values.

:func:`sniff` looks at the first bytes of a file (and its size) and names its format, or
returns None for files that hold no cryptography, so most files cost one small read.
:func:`parse` reads the whole file. Each module handles one family of formats:

========== ================================================================================
``pem``     PEM armour: certificates, CSRs, keys of every kind, PKCS#7, OpenSSH private keys
``der``     DER shape recognition (no decoding)
``objects`` one DER object of any kind to entries
``x509``    certificates, CSRs, PKCS#7 certificate bundles
``keys``    PKCS#1, PKCS#8 (plain and encrypted), SEC1, DSA, SPKI, traditional encrypted PEM
``pubkeys`` public-key facts by OID, including keys ``cryptography`` cannot load (PQC)
``pkcs12``  PKCS#12 / PFX
``jks``     JKS and JCEKS keystores
``ssh``     OpenSSH keys and certificates, authorized_keys, known_hosts, RFC 4716
========== ================================================================================
"""

from __future__ import annotations

from dataclasses import dataclass

from pqcscan.collectors.certs.formats.der import declared_size
from pqcscan.collectors.certs.formats.jks import looks_like_keystore, read_keystore
from pqcscan.collectors.certs.formats.objects import read_der
from pqcscan.collectors.certs.formats.pem import read_pem
from pqcscan.collectors.certs.formats.ssh import (
    KEY_LINE,
    RFC4716_BEGIN,
    read_key_lines,
    read_rfc4716,
)
from pqcscan.collectors.certs.parsed import ParsedFile, ParseFailure
from pqcscan.results import ErrorKind

#: File name endings that promise a certificate or key: a file so named whose content is not
#: recognised is reported (a corrupt keystore matters), other unrecognised files are skipped.
CRYPTO_SUFFIXES = (
    ".pem", ".crt", ".cer", ".der", ".csr", ".p7b", ".p7c", ".p12", ".pfx",
    ".jks", ".jceks", ".keystore", ".truststore", ".p8", ".pk8",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ParseOptions:
    #: Passwords to try on keystores and encrypted keys (never recorded).
    passwords: tuple[str, ...] = ()


def _crypto_name(name: str) -> bool:
    return name.lower().endswith(CRYPTO_SUFFIXES)


def sniff(head: bytes, name: str, size: int) -> str | None:
    """The format of a file from its first bytes, or None if it holds no cryptography.

    ``head`` is the start of the file (the whole file when ``size <= len(head)``).
    """
    if looks_like_keystore(head):
        return "jks"
    if b"-----BEGIN " in head:
        return "pem"
    if RFC4716_BEGIN.encode() in head:
        return "rfc4716"
    if head[:1] == b"\x30":
        announced = declared_size(head)
        if announced is not None and announced <= size:
            tail = head[announced:] if size <= len(head) else b""
            if announced == size or not tail.strip(b"\x00\r\n\t "):
                return "der"
        if _crypto_name(name):
            return "der"  # truncated or damaged: worth an error, not a silent skip
    if b"AAAA" in head and KEY_LINE.search(head):
        return "ssh-lines"
    if _crypto_name(name):
        return "unrecognised"
    return None


def parse(data: bytes, fmt: str, options: ParseOptions, name: str = "") -> ParsedFile:
    """Parse a whole file of the format :func:`sniff` named.

    Raises :class:`ParseFailure` when the file as a whole cannot be read; problems with one
    entry of a bundle or keystore are returned in :attr:`ParsedFile.errors` instead.
    """
    passwords = options.passwords
    if fmt == "jks":
        return read_keystore(data, passwords)
    if fmt == "pem":
        return read_pem(data, passwords)
    if fmt == "der":
        return read_der(data, passwords)
    if fmt == "ssh-lines":
        return read_key_lines(data.decode("utf-8", "replace"), name)
    if fmt == "rfc4716":
        return read_rfc4716(data.decode("utf-8", "replace"))
    if fmt == "unrecognised":
        if not data.strip():
            raise ParseFailure(ErrorKind.MALFORMED, "empty file")
        raise ParseFailure(
            ErrorKind.MALFORMED, "named like a certificate or key file, but no known format"
        )
    raise ValueError(f"unknown format {fmt!r}")


__all__ = ["ParseOptions", "parse", "sniff"]
