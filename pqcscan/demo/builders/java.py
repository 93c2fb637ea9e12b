"""Java keystores: JKS and JCEKS writers, and helpers that run the real ``keytool``.

File layout (both types): magic (0xFEEDFEED JKS / 0xCECECECE JCEKS), version 2, entry count,
entries, then SHA-1(password as UTF-16BE || "Mighty Aphrodite" || everything before). An entry
is tag (1 = private key, 2 = trusted certificate), alias (Java modified UTF-8, lower-cased as
Java does), timestamp (ms since 1970). A private-key entry holds the protected key
(:func:`pbe.jks_protect` or :func:`pbe.jceks_protect`) and a certificate chain; every
certificate is written as type "X.509", length, DER. A PKCS12-type Java keystore is a PKCS#12
file; build it with :func:`containers.pkcs12` (``java_trusted=True`` for trust stores).
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, Literal

from pqcscan.demo.builders.containers import CertLike, cert_der
from pqcscan.demo.builders.keys import FixtureKey, FixtureUnavailable
from pqcscan.demo.builders.pbe import java_keystore_digest, jceks_protect, jks_protect

JKS_MAGIC: Final = 0xFEEDFEED
JCEKS_MAGIC: Final = 0xCECECECE
DEFAULT_TIMESTAMP: Final = datetime(2025, 1, 1, tzinfo=UTC)
StoreType = Literal["JKS", "JCEKS"]


@dataclass(frozen=True)
class TrustedCertEntry:
    """A trusted-certificate entry (tag 2)."""

    alias: str
    cert: CertLike
    timestamp: datetime = DEFAULT_TIMESTAMP


@dataclass(frozen=True)
class PrivateKeyEntry:
    """A private-key entry (tag 1): the key, its chain (leaf first) and an optional key
    password (Java keystores allow one per entry; defaults to the store password)."""

    alias: str
    key: FixtureKey
    chain: Sequence[CertLike]
    key_password: str | None = None
    timestamp: datetime = DEFAULT_TIMESTAMP


KeystoreEntry = TrustedCertEntry | PrivateKeyEntry


def _utf(text: str) -> bytes:
    data = text.encode("utf-8")  # modified UTF-8 equals UTF-8 for the aliases we write
    return struct.pack(">H", len(data)) + data


def _cert(cert: CertLike) -> bytes:
    der = cert_der(cert)
    return _utf("X.509") + struct.pack(">I", len(der)) + der


def _millis(moment: datetime) -> bytes:
    return struct.pack(">q", int(moment.timestamp() * 1000))


def keystore(
    entries: Sequence[KeystoreEntry],
    password: str,
    store_type: StoreType = "JKS",
    *,
    jceks_iterations: int = 200_000,
    seed: bytes | None = None,
) -> bytes:
    """A JKS or JCEKS keystore with the given entries, protected by ``password``."""
    magic = JKS_MAGIC if store_type == "JKS" else JCEKS_MAGIC
    body = bytearray(struct.pack(">III", magic, 2, len(entries)))
    for index, entry in enumerate(entries):
        sub = None if seed is None else seed + f"/{index}".encode()
        if isinstance(entry, TrustedCertEntry):
            body += (
                struct.pack(">I", 2)
                + _utf(entry.alias.lower())
                + _millis(entry.timestamp)
                + _cert(entry.cert)
            )
            continue
        key_password = entry.key_password if entry.key_password is not None else password
        if store_type == "JKS":
            protected = jks_protect(entry.key.pkcs8_der, key_password, seed=sub)
        else:
            protected = jceks_protect(
                entry.key.pkcs8_der, key_password, iterations=jceks_iterations, seed=sub
            )
        body += struct.pack(">I", 1) + _utf(entry.alias.lower()) + _millis(entry.timestamp)
        body += struct.pack(">I", len(protected)) + protected
        body += struct.pack(">I", len(entry.chain)) + b"".join(_cert(c) for c in entry.chain)
    return bytes(body) + java_keystore_digest(password, bytes(body))


def jks(entries: Sequence[KeystoreEntry], password: str, *, seed: bytes | None = None) -> bytes:
    """A JKS keystore (magic 0xFEEDFEED, Sun KeyProtector for private keys)."""
    return keystore(entries, password, "JKS", seed=seed)


def jceks(
    entries: Sequence[KeystoreEntry],
    password: str,
    *,
    iterations: int = 200_000,
    seed: bytes | None = None,
) -> bytes:
    """A JCEKS keystore (magic 0xCECECECE, PBEWithMD5AndTripleDES for private keys)."""
    return keystore(entries, password, "JCEKS", jceks_iterations=iterations, seed=seed)


# --------------------------------------------------------------------------- the real keytool


def keytool_path() -> str | None:
    """Path of ``keytool``, or None."""
    return shutil.which("keytool")


def run_keytool(
    *args: str, password: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run keytool with ``args``; ``password`` goes through the environment (``:env``), never the
    command line. Raises :class:`FixtureUnavailable` when keytool is missing."""
    exe = keytool_path()
    if exe is None:
        raise FixtureUnavailable("keytool is not installed")
    env = dict(os.environ)
    argv = [exe, *args]
    if password is not None:
        env["PQCSCAN_KEYTOOL_PASS"] = password
        argv = [a.replace("{PASS}", "PQCSCAN_KEYTOOL_PASS") for a in argv]
    return subprocess.run(
        argv, capture_output=True, text=True, env=env, timeout=timeout, check=False
    )


def keytool_genkeypair(
    path: Path,
    alias: str,
    password: str,
    store_type: Literal["JKS", "JCEKS", "PKCS12"] = "JKS",
    *,
    keyalg: str = "RSA",
    keysize: int | None = 2048,
    dname: str = "CN=keytool.example.test, O=Example Bank, C=GB",
    sigalg: str | None = None,
) -> Path:
    """Create or extend a keystore with a key pair and self-signed certificate made by Java."""
    args = [
        "-genkeypair",
        "-alias",
        alias,
        "-keyalg",
        keyalg,
        "-dname",
        dname,
        "-validity",
        "365",
        "-keystore",
        str(path),
        "-storetype",
        store_type,
        "-storepass:env",
        "{PASS}",
        "-keypass:env",
        "{PASS}",
    ]
    if keysize is not None:
        args += ["-keysize", str(keysize)]
    if sigalg is not None:
        args += ["-sigalg", sigalg]
    result = run_keytool(*args, password=password)
    if result.returncode != 0:
        raise RuntimeError(f"keytool -genkeypair failed: {result.stdout}{result.stderr}")
    return path


def keytool_importcert(
    path: Path,
    alias: str,
    cert_file: Path,
    password: str,
    store_type: Literal["JKS", "JCEKS", "PKCS12"] = "JKS",
) -> Path:
    """Add a trusted certificate to a keystore with keytool (creates the store if needed)."""
    args = [
        "-importcert",
        "-noprompt",
        "-alias",
        alias,
        "-file",
        str(cert_file),
        "-keystore",
        str(path),
        "-storetype",
        store_type,
        "-storepass:env",
        "{PASS}",
    ]
    result = run_keytool(*args, password=password)
    if result.returncode != 0:
        raise RuntimeError(f"keytool -importcert failed: {result.stdout}{result.stderr}")
    return path


def keytool_list(path: Path, password: str, store_type: str = "JKS") -> str:
    """``keytool -list -v`` output (raises RuntimeError if keytool cannot read the store)."""
    result = run_keytool(
        "-list",
        "-v",
        "-keystore",
        str(path),
        "-storetype",
        store_type,
        "-storepass:env",
        "{PASS}",
        password=password,
    )
    if result.returncode != 0:
        raise RuntimeError(f"keytool -list failed: {result.stdout}{result.stderr}")
    return result.stdout
