"""OpenSSH fixtures: private keys, public keys (incl. FIDO ``sk-`` keys and certificates),
``authorized_keys``, ``known_hosts`` and RFC 4716 public keys.

Encrypted ``openssh-key-v1`` keys use bcrypt-pbkdf + aes256-ctr, written by ``cryptography``
(with the ``bcrypt`` dependency). A key comment needs ``ssh-keygen -c``: ``cryptography`` cannot
write one, and :class:`FixtureUnavailable` is raised when ssh-keygen is missing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import shutil
import struct
import subprocess
import tempfile
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from pqcscan.demo.builders import _asn1 as asn1
from pqcscan.demo.builders.classical import ec_key, ed25519_private
from pqcscan.demo.builders.entropy import random_bytes, seeded
from pqcscan.demo.builders.keys import FixtureKey, FixtureUnavailable


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def _classical(key: FixtureKey) -> serialization.SSHPrivateKeyTypes:
    private = key.classical
    if key.is_pqc or private is None:
        raise ValueError(f"OpenSSH has no {key.algorithm} keys")
    return private  # type: ignore[return-value]


def openssh_private_key(
    key: FixtureKey, password: str | None = None, *, comment: str = ""
) -> bytes:
    """An ``-----BEGIN OPENSSH PRIVATE KEY-----`` file (``openssh-key-v1``), unencrypted or
    encrypted with bcrypt-pbkdf + aes256-ctr."""
    private = _classical(key)
    plain = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    )
    if password is None and not comment:
        return plain
    if password is not None and not comment:  # bcrypt (a dependency) does bcrypt-pbkdf
        return private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.BestAvailableEncryption(password.encode()),
        )
    return _ssh_keygen_rewrite(plain, password, comment)  # cryptography cannot set a comment


def _ssh_keygen_rewrite(plain: bytes, password: str | None, comment: str) -> bytes:
    exe = shutil.which("ssh-keygen")
    if exe is None:
        raise FixtureUnavailable("writing an OpenSSH key comment needs ssh-keygen")
    with tempfile.TemporaryDirectory(prefix="pqcscan-ssh-") as tmp:
        path = Path(tmp) / "id"
        path.write_bytes(plain)
        path.chmod(0o600)
        if comment:
            _run([exe, "-q", "-c", "-C", comment, "-P", "", "-f", str(path)])
        if password is not None:
            _run([exe, "-q", "-p", "-P", "", "-N", password, "-f", str(path)])
        return path.read_bytes()


def _run(argv: list[str]) -> None:
    result = subprocess.run(argv, capture_output=True, check=False, timeout=60)
    if result.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed: {result.stderr.decode(errors='replace')[:200]}")


def public_key_line(key: FixtureKey, comment: str = "") -> str:
    """``ssh-rsa AAAA... comment`` (also ecdsa-sha2-nistp256/384/521, ssh-ed25519, ssh-dss)."""
    private = _classical(key)
    blob = private.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    return f"{blob.decode()} {comment}".rstrip()


def sk_ed25519_public_line(
    key: FixtureKey | None = None, application: str = "ssh:", comment: str = ""
) -> str:
    """A FIDO ``sk-ssh-ed25519@openssh.com`` public key: type, pk, application strings."""
    private = key.classical if key is not None else ed25519_private()
    if not isinstance(private, ed25519.Ed25519PrivateKey):
        raise ValueError("sk-ssh-ed25519 needs an Ed25519 key")
    raw = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    kind = b"sk-ssh-ed25519@openssh.com"
    blob = _string(kind) + _string(raw) + _string(application.encode())
    return f"{kind.decode()} {base64.b64encode(blob).decode()} {comment}".rstrip()


def sk_ecdsa_public_line(
    key: FixtureKey | None = None, application: str = "ssh:", comment: str = ""
) -> str:
    """A FIDO ``sk-ecdsa-sha2-nistp256@openssh.com`` public key: type, curve, Q, application."""
    private = key.classical if key is not None else ec_key("P-256").classical
    if not isinstance(private, ec.EllipticCurvePrivateKey) or private.curve.name != "secp256r1":
        raise ValueError("sk-ecdsa needs a P-256 key")
    point = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    kind = b"sk-ecdsa-sha2-nistp256@openssh.com"
    blob = _string(kind) + _string(b"nistp256") + _string(point) + _string(application.encode())
    return f"{kind.decode()} {base64.b64encode(blob).decode()} {comment}".rstrip()


def user_certificate_line(
    ca: FixtureKey,
    subject: FixtureKey,
    *,
    principals: Sequence[str] = ("ops",),
    key_id: str = "ops@example.test",
    serial: int = 1,
    valid_after: int = 1735689600,  # 2025-01-01
    valid_before: int = 1767225600,  # 2026-01-01
    host: bool = False,
    comment: str = "",
) -> str:
    """An OpenSSH certificate line (e.g. ``ssh-ed25519-cert-v01@openssh.com``) for ``subject``
    signed by ``ca``, with the usual user extensions (``permit-pty`` ...)."""
    builder = (
        serialization.SSHCertificateBuilder()
        .public_key(_classical(subject).public_key())  # type: ignore[arg-type]
        .serial(serial)
        .type(
            serialization.SSHCertificateType.HOST if host else serialization.SSHCertificateType.USER
        )
        .key_id(key_id.encode())
        .valid_principals([p.encode() for p in principals])
        .valid_after(valid_after)
        .valid_before(valid_before)
    )
    if not host:
        for ext in (
            b"permit-X11-forwarding",
            b"permit-agent-forwarding",
            b"permit-port-forwarding",
            b"permit-pty",
        ):
            builder = builder.add_extension(ext, b"")
    cert = builder.sign(_classical(ca))  # type: ignore[arg-type]
    kind, blob = cert.public_bytes().split()
    if seeded():
        blob = base64.b64encode(_reseeded(base64.b64decode(blob), _classical(ca)))
    return f"{kind.decode()} {blob.decode()} {comment}".rstrip()


def _reseeded(blob: bytes, ca: object) -> bytes:
    """The certificate with its nonce from the seeded stream, signed again (``cryptography``
    draws the nonce from the OS). Ed25519 CAs only: their signature field has a fixed size."""
    if not isinstance(ca, ed25519.Ed25519PrivateKey):
        raise ValueError("deterministic OpenSSH certificates need an Ed25519 CA")
    type_end = 4 + int.from_bytes(blob[:4], "big")
    nonce_end = type_end + 4 + int.from_bytes(blob[type_end : type_end + 4], "big")
    signature_size = 4 + (4 + len(b"ssh-ed25519")) + (4 + 64)
    body = (
        blob[:type_end]
        + _string(random_bytes("ssh-cert-nonce", nonce_end - type_end - 4))
        + blob[nonce_end:-signature_size]
    )
    signature = _string(b"ssh-ed25519") + _string(ca.sign(body))
    return body + _string(signature)


@dataclass(frozen=True)
class AuthorizedKey:
    """One ``authorized_keys`` line: options (``from="10.0.0.0/8",command="..."``), key, comment."""

    key_line: str
    options: str = ""
    comment: str = ""

    def render(self) -> str:
        parts = [self.options, self.key_line, self.comment]
        return " ".join(p for p in parts if p)


def authorized_keys(entries: Sequence[AuthorizedKey | str], *, header: bool = True) -> bytes:
    """An ``authorized_keys`` file; plain strings are written as they are (comments, blanks)."""
    lines = ["# authorized_keys managed by config management", ""] if header else []
    lines += [e.render() if isinstance(e, AuthorizedKey) else e for e in entries]
    return ("\n".join(lines) + "\n").encode()


def hash_hostname(host: str, salt: bytes) -> str:
    """OpenSSH ``HashKnownHosts`` form: ``|1|base64(salt)|base64(HMAC-SHA1(salt, host))``."""
    digest = hmac.new(salt, host.encode(), "sha1").digest()
    return f"|1|{base64.b64encode(salt).decode()}|{base64.b64encode(digest).decode()}"


@dataclass(frozen=True)
class KnownHost:
    """A ``known_hosts`` line: hosts (``host``, ``[host]:2222``, wildcards), key, optional marker
    ``@cert-authority`` / ``@revoked``; ``hashed`` hashes each host (one line per host)."""

    hosts: Sequence[str]
    key_line: str
    marker: str = ""
    hashed: bool = False


def known_hosts(entries: Sequence[KnownHost | str], *, seed: bytes | None = None) -> bytes:
    """A ``known_hosts`` file; plain strings are written as they are."""
    lines: list[str] = []
    for index, entry in enumerate(entries):
        if isinstance(entry, str):
            lines.append(entry)
            continue
        key = " ".join(entry.key_line.split()[:2])
        prefix = f"{entry.marker} " if entry.marker else ""
        if entry.hashed:
            for n, host in enumerate(entry.hosts):
                salt = asn1.derive_bytes(seed, f"known-hosts-{index}-{n}", 20)
                lines.append(f"{prefix}{hash_hostname(host, salt)} {key}")
        else:
            lines.append(f"{prefix}{','.join(entry.hosts)} {key}")
    return ("\n".join(lines) + "\n").encode()


def rfc4716_public_key(key: FixtureKey, comment: str = "") -> bytes:
    """An SSH2 public key file (RFC 4716): ``---- BEGIN SSH2 PUBLIC KEY ----``, a quoted
    ``Comment:`` header and the key blob in 70-column base64."""
    blob = public_key_line(key).split()[1]
    lines = ["---- BEGIN SSH2 PUBLIC KEY ----"]
    if comment:
        lines.append(f'Comment: "{comment}"')
    lines += textwrap.wrap(blob, 70)
    lines.append("---- END SSH2 PUBLIC KEY ----")
    return ("\n".join(lines) + "\n").encode()


def fingerprint(key_line: str) -> str:
    """``SHA256:...`` fingerprint of a public key line (as ``ssh-keygen -l`` prints it)."""
    blob = base64.b64decode(key_line.split()[1])
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
