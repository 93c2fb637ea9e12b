"""Broken and hostile files. Each builder writes one file (or link) and says, in its docstring,
what a scanner must report about it. None of them may crash or hang a scan."""

from __future__ import annotations

import os
from pathlib import Path

from pqcscan.demo.builders import _asn1 as asn1
from pqcscan.demo.builders.containers import P12Encryption, pkcs12
from pqcscan.demo.builders.keys import FixtureKey
from pqcscan.demo.builders.pbe import encrypted_pkcs8
from pqcscan.demo.builders.ssh import openssh_private_key
from pqcscan.demo.builders.x509 import FixtureCert

TWO_GIB = 2 * 1024**3


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def truncated_der_certificate(path: Path, cert: FixtureCert, keep: float = 0.5) -> Path:
    """The first half of a DER certificate. Report: a certificate-looking DER file that does not
    parse (truncated); no certificate, no crash."""
    return _write(path, cert.der[: max(4, int(len(cert.der) * keep))])


def pem_with_garbage_body(
    path: Path, label: str = "CERTIFICATE", size: int = 600, seed: bytes | None = None
) -> Path:
    """A valid ``BEGIN``/``END`` pair around binary garbage. Report: a PEM block whose body is
    not base64 / not DER; a parse error for that block only."""
    garbage = asn1.derive_bytes(seed, "pem-garbage", size).replace(b"-", b"\x00")
    return _write(
        path,
        f"-----BEGIN {label}-----\n".encode() + garbage + f"\n-----END {label}-----\n".encode(),
    )


def pem_without_end(path: Path, cert: FixtureCert) -> Path:
    """A PEM certificate whose ``END`` line (and last base64 line) is missing. Report: an
    unterminated PEM block; no certificate."""
    lines = cert.pem.decode().splitlines()
    return _write(path, ("\n".join(lines[:-2]) + "\n").encode())


def empty_file(path: Path) -> Path:
    """Zero bytes (named like a certificate). Report: nothing, or "empty file"; never an error
    that stops the scan."""
    return _write(path, b"")


def random_garbage(path: Path, size: int = 4096, seed: bytes | None = None) -> Path:
    """Random bytes. Report: not a recognised format (skipped, or a format error if the name
    promised one, e.g. ``.der``/``.p12``)."""
    return _write(path, asn1.derive_bytes(seed, "garbage", size))


def text_named_pem(path: Path) -> Path:
    """A plain-text note with a ``.pem`` name and no PEM block. Report: no cryptographic
    content (at most "no PEM block found")."""
    text = (
        "This file used to hold the payments gateway certificate.\n"
        "It was moved to the HSM in 2023; ask the PKI team for the new location.\n"
    )
    return _write(path, text.encode())


def bad_asn1_length(path: Path, cert: FixtureCert) -> Path:
    """A DER certificate whose outer SEQUENCE claims one byte more than the file holds.
    Report: a DER/ASN.1 length error; no certificate."""
    der = bytearray(cert.der)
    if der[1] & 0x80:
        n = der[1] & 0x7F
        declared = int.from_bytes(der[2 : 2 + n], "big") + 1
        der[2 : 2 + n] = declared.to_bytes(n, "big")
    else:
        der[1] += 1
    return _write(path, bytes(der))


def pkcs12_wrong_password(
    path: Path,
    key: FixtureKey,
    certs: list[FixtureCert],
    actual_password: str = "not-the-scan-password",
) -> Path:
    """A valid PKCS#12 protected by a password the scan is not given. Report: an encrypted
    PKCS#12 that could not be opened (wrong or missing password); the file is still an asset."""
    return _write(path, pkcs12(key, certs, actual_password, P12Encryption.AES256))


def truncated_keystore(path: Path, keystore_bytes: bytes, keep: float = 0.6) -> Path:
    """A JKS/JCEKS cut in the middle of an entry. Report: a Java keystore (the magic is intact)
    that is truncated; entries before the cut may be listed, the file is an error."""
    return _write(path, keystore_bytes[: int(len(keystore_bytes) * keep)])


def keystore_bad_digest(path: Path, keystore_bytes: bytes) -> Path:
    """A JKS/JCEKS whose trailing SHA-1 integrity digest is wrong (last byte flipped). Report:
    keystore integrity check failed (tampered, or wrong password); keytool refuses it."""
    data = bytearray(keystore_bytes)
    data[-1] ^= 0xFF
    return _write(path, bytes(data))


def undecryptable_pkcs8(path: Path, key: FixtureKey, seed: bytes | None = None) -> Path:
    """An ``ENCRYPTED PRIVATE KEY`` whose password nobody knows (a random one). Report: an
    encrypted private key of unknown algorithm that could not be decrypted."""
    secret = asn1.derive_bytes(seed, "unknown-password", 24).hex()
    return _write(path, asn1.pem("ENCRYPTED PRIVATE KEY", encrypted_pkcs8(key.pkcs8_der, secret)))


def openssh_corrupted_base64(path: Path, key: FixtureKey) -> Path:
    """An ``OPENSSH PRIVATE KEY`` block whose base64 has invalid characters in the middle.
    Report: a corrupt OpenSSH private key (not base64 / not openssh-key-v1)."""
    lines = openssh_private_key(key).decode().splitlines()
    middle = len(lines) // 2
    lines[middle] = "!!**" + lines[middle][4:-4] + "%%$$"
    return _write(path, ("\n".join(lines) + "\n").encode())


def sparse_pem_file(path: Path, size: int = TWO_GIB) -> Path:
    """A 2 GiB sparse file (no disk blocks) that starts with a PEM header. Report: skipped as too
    large (size limit), without reading it; never an out-of-memory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        fh.write(b"-----BEGIN CERTIFICATE-----\nMIIB\n")
    os.truncate(path, size)
    return path


def symlink_loop(
    folder: Path, first: str = "loop-a.pem", second: str = "loop-b.pem"
) -> tuple[Path, Path]:
    """Two symlinks pointing at each other. Report: a symlink loop (ELOOP) per link, or skip
    them; the walk must terminate."""
    folder.mkdir(parents=True, exist_ok=True)
    a, b = folder / first, folder / second
    a.symlink_to(b.name)
    b.symlink_to(a.name)
    return a, b


def unreadable_file(path: Path, cert: FixtureCert) -> Path:
    """A real certificate with mode 000. Report: permission denied (for a non-root scan); the
    scan goes on. Root reads it anyway, so tests drop privileges first."""
    _write(path, cert.pem)
    path.chmod(0)
    return path


def base64_noise_pem(
    path: Path, label: str = "PRIVATE KEY", size: int = 300, seed: bytes | None = None
) -> Path:
    """A well-formed PEM block whose (valid) base64 body decodes to random bytes, not DER.
    Report: a PEM block that is not the structure its label promises."""
    return _write(path, asn1.pem(label, asn1.derive_bytes(seed, "b64-noise", size)))


__all__ = [
    "TWO_GIB",
    "bad_asn1_length",
    "base64_noise_pem",
    "empty_file",
    "keystore_bad_digest",
    "openssh_corrupted_base64",
    "pem_with_garbage_body",
    "pem_without_end",
    "pkcs12_wrong_password",
    "random_garbage",
    "sparse_pem_file",
    "symlink_loop",
    "text_named_pem",
    "truncated_der_certificate",
    "truncated_keystore",
    "undecryptable_pkcs8",
    "unreadable_file",
]
