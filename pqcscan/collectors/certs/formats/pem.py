"""PEM armour: split a file into blocks and read each by its label.

A file may hold many blocks (CA bundles), with text between them. When it holds more than
one, each entry's locator gets ``#n``, the block's position in the file. A broken block
becomes an entry error and the other blocks still count.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence

from pqcscan.collectors.certs.formats.der import DerError, DerKind, der_kind, first_object
from pqcscan.collectors.certs.formats.keys import read_traditional_pem
from pqcscan.collectors.certs.formats.objects import der_entries
from pqcscan.collectors.certs.formats.ssh import read_openssh_private
from pqcscan.collectors.certs.formats.x509 import parse_certificate
from pqcscan.collectors.certs.parsed import Entry, EntryError, ParsedFile, ParseFailure
from pqcscan.results import ErrorKind

BEGIN = re.compile(rb"-----BEGIN ([A-Z0-9 #/_.-]{1,64})-----")
_HEADER = re.compile(rb"^([A-Za-z-]+):[ \t]*(.*)$")

#: The DER shape each label promises.
LABEL_KINDS: dict[str, tuple[DerKind, ...]] = {
    "CERTIFICATE": (DerKind.CERTIFICATE,),
    "X509 CERTIFICATE": (DerKind.CERTIFICATE,),
    "TRUSTED CERTIFICATE": (DerKind.CERTIFICATE,),
    "CERTIFICATE REQUEST": (DerKind.CSR,),
    "NEW CERTIFICATE REQUEST": (DerKind.CSR,),
    "PRIVATE KEY": (DerKind.PKCS8,),
    "ENCRYPTED PRIVATE KEY": (DerKind.ENCRYPTED_PKCS8,),
    "RSA PRIVATE KEY": (DerKind.PKCS1_PRIVATE,),
    "EC PRIVATE KEY": (DerKind.SEC1,),
    "DSA PRIVATE KEY": (DerKind.DSA_PRIVATE,),
    "PUBLIC KEY": (DerKind.SPKI,),
    "RSA PUBLIC KEY": (DerKind.PKCS1_PUBLIC,),
    "PKCS7": (DerKind.PKCS7,),
    "CMS": (DerKind.PKCS7,),
}
#: Labels that hold no inventory item (parameters, revocation lists): skipped silently.
IGNORED = frozenset(
    {"X509 CRL", "DH PARAMETERS", "X9.42 DH PARAMETERS", "EC PARAMETERS", "DSA PARAMETERS",
     "SSL SESSION PARAMETERS", "PARAMETERS"}
)  # fmt: skip


def _blocks(data: bytes) -> list[tuple[str, bytes | None]]:
    """(label, body) per BEGIN line, in order; body None when its END line is missing."""
    out: list[tuple[str, bytes | None]] = []
    for match in BEGIN.finditer(data):
        label = match.group(1).decode("ascii")
        end = data.find(b"-----END " + match.group(1) + b"-----", match.end())
        out.append((label, data[match.end() : end] if end >= 0 else None))
    return out


def _headers_and_base64(body: bytes) -> tuple[dict[str, str], bytes]:
    headers: dict[str, str] = {}
    lines = body.strip().splitlines()
    index = 0
    while index < len(lines):
        match = _HEADER.match(lines[index].strip())
        if match is None:
            break
        headers[match.group(1).decode("ascii", "replace")] = match.group(2).decode(
            "ascii", "replace"
        )
        index += 1
    return headers, b"".join(line.strip() for line in lines[index:])


def read_pem(data: bytes, passwords: Sequence[str]) -> ParsedFile:
    """Read every PEM block of a file."""
    blocks = _blocks(data)
    numbered = len(blocks) > 1
    entries: list[Entry] = []
    errors: list[EntryError] = []
    formats: set[str] = set()
    for index, (label, body) in enumerate(blocks, start=1):
        suffix = f"#{index}" if numbered else ""
        if label in IGNORED:
            continue
        try:
            if body is None:
                raise ParseFailure(ErrorKind.MALFORMED, f"'BEGIN {label}' has no END line")
            got, problems = _read_block(label, body, suffix, passwords)
        except ParseFailure as failure:
            errors.append(EntryError(suffix, failure.kind, failure.message))
            continue
        formats.add(label)
        entries.extend(got)
        errors.extend(problems)
    fmt = "openssh-private" if formats == {"OPENSSH PRIVATE KEY"} else "pem"
    return ParsedFile(fmt, tuple(entries), tuple(errors))


def _read_block(
    label: str, body: bytes, suffix: str, passwords: Sequence[str]
) -> tuple[tuple[Entry, ...], tuple[EntryError, ...]]:
    headers, text = _headers_and_base64(body)
    try:
        der = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ParseFailure(ErrorKind.MALFORMED, f"{label}: the base64 body is corrupt") from exc
    if not der:
        raise ParseFailure(ErrorKind.MALFORMED, f"{label}: empty body")
    if label == "OPENSSH PRIVATE KEY":
        return (Entry(suffix, read_openssh_private(der)),), ()
    if "ENCRYPTED" in headers.get("Proc-Type", "") and label.endswith(" PRIVATE KEY"):
        key_type = label.removesuffix(" PRIVATE KEY")
        block = b"-----BEGIN %s-----\n%s-----END %s-----\n" % (
            label.encode(),
            body.lstrip(b"\r\n"),
            label.encode(),
        )
        read = read_traditional_pem(block, key_type, headers.get("DEK-Info", ""), passwords)
        problems = (EntryError(suffix, *read.problem),) if read.problem else ()
        return (Entry(suffix, read.key),), problems
    expected = LABEL_KINDS.get(label)
    if expected is None:
        raise ParseFailure(ErrorKind.UNSUPPORTED, f"PEM block '{label}' is not read by pqcscan")
    if label == "TRUSTED CERTIFICATE":  # OpenSSL appends trust settings after the DER
        try:
            der = first_object(der)
        except DerError as exc:
            raise ParseFailure(ErrorKind.MALFORMED, f"{label}: {exc}") from None
    if expected[0] is DerKind.CERTIFICATE:
        return (Entry(suffix, parse_certificate(der)),), ()
    kind = der_kind(der)
    if kind is None or (kind not in expected and not _compatible(kind, expected)):
        raise ParseFailure(
            ErrorKind.MALFORMED, f"{label}: the content is not a valid {label.lower()}"
        )
    return der_entries(der, kind, suffix, passwords)


def _compatible(kind: DerKind, expected: tuple[DerKind, ...]) -> bool:
    """Private-key labels are used loosely in the wild (PKCS#8 under "RSA PRIVATE KEY")."""
    private = {DerKind.PKCS8, DerKind.PKCS1_PRIVATE, DerKind.SEC1, DerKind.DSA_PRIVATE}
    return kind in private and expected[0] in private
