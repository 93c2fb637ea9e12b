"""One DER object of any kind (certificate, CSR, key, PKCS#7, PKCS#12) to parsed entries."""

from __future__ import annotations

from collections.abc import Sequence

from pqcscan.collectors.certs.formats.der import DerKind, declared_size, der_kind
from pqcscan.collectors.certs.formats.keys import (
    read_encrypted_pkcs8,
    read_private_der,
    read_public_der,
)
from pqcscan.collectors.certs.formats.pkcs12 import read_pkcs12
from pqcscan.collectors.certs.formats.x509 import parse_certificate, parse_csr, pkcs7_certificates
from pqcscan.collectors.certs.parsed import Entry, EntryError, ParsedFile, ParseFailure
from pqcscan.results import ErrorKind


def read_der(data: bytes, passwords: Sequence[str]) -> ParsedFile:
    """A file holding one DER object of any kind pqcscan reads."""
    kind = der_kind(data)
    if kind is None:
        announced = declared_size(data)
        if announced is not None and announced > len(data):
            raise ParseFailure(
                ErrorKind.MALFORMED,
                f"truncated DER: {announced} bytes announced, {len(data)} present",
            )
        raise ParseFailure(ErrorKind.MALFORMED, "DER content of no known certificate/key type")
    if kind is DerKind.PKCS12:
        return read_pkcs12(data, passwords)
    return ParsedFile(f"der-{kind.value}", *der_entries(data, kind, "", passwords))


def der_entries(
    der: bytes, kind: DerKind, suffix: str, passwords: Sequence[str]
) -> tuple[tuple[Entry, ...], tuple[EntryError, ...]]:
    """The entries of one DER object (a certificate, a key, a PKCS#7 bundle...)."""
    if kind is DerKind.CERTIFICATE:
        return (Entry(suffix, parse_certificate(der)),), ()
    if kind is DerKind.CSR:
        return (Entry(suffix, parse_csr(der)),), ()
    if kind is DerKind.CRL:
        return (), ()  # revocation lists are not inventoried (yet)
    if kind is DerKind.PKCS7:
        entries: list[Entry] = []
        errors: list[EntryError] = []
        for index, cert in enumerate(pkcs7_certificates(der, pem=False), start=1):
            try:
                entries.append(Entry(f"{suffix}#{index}", parse_certificate(cert)))
            except ParseFailure as failure:
                errors.append(EntryError(f"{suffix}#{index}", failure.kind, failure.message))
        return tuple(entries), tuple(errors)
    if kind is DerKind.PKCS12:
        raise ParseFailure(ErrorKind.UNSUPPORTED, "PKCS#12 inside PEM")
    if kind is DerKind.ENCRYPTED_PKCS8:
        read = read_encrypted_pkcs8(der, passwords)
    elif kind in (DerKind.SPKI, DerKind.PKCS1_PUBLIC):
        read = read_public_der(der, kind)
    else:
        read = read_private_der(der, kind)
    errors_out = (EntryError(suffix, *read.problem),) if read.problem else ()
    return (Entry(suffix, read.key),), errors_out
