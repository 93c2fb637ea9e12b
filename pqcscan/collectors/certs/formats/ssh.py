"""OpenSSH keys: private keys, public keys, certificates, authorized_keys, known_hosts, RFC 4716.

Every key is identified by its SSH key type name (``ssh-rsa``, ``ecdsa-sha2-nistp256``,
``sk-ssh-ed25519@openssh.com``, ``ssh-mldsa-65``...) and, where ``cryptography`` can load
it, also by its SPKI, so the same key in ``id_rsa``, ``id_rsa.pub`` and ``authorized_keys``
is one asset. An OpenSSH private key's public half is stored in clear, so it is classified
without the passphrase. Key types ``cryptography`` does not know are still reported by name.
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import SSHCertificate

from pqcscan.collectors.certs.formats.pubkeys import info_from_key
from pqcscan.collectors.certs.parsed import (
    Entry,
    EntryError,
    KeyKind,
    ParsedFile,
    ParsedKey,
    ParseFailure,
    PublicKeyInfo,
    SshCertificateInfo,
)
from pqcscan.results import ErrorKind

OPENSSH_MAGIC = b"openssh-key-v1\x00"
RFC4716_BEGIN = "---- BEGIN SSH2 PUBLIC KEY ----"
RFC4716_END = "---- END SSH2 PUBLIC KEY ----"

#: A key type name followed by a base64 key blob (every SSH blob starts with "AAAA").
KEY_LINE = re.compile(
    rb"(?:^|[\s,])(?:ssh-[a-z0-9-]+|ecdsa-sha2-[a-z0-9-]+|sk-[a-z0-9@.-]+|x509v3-[a-z0-9-]+"
    rb"|[a-z0-9-]+@openssh\.com)[ \t]+AAAA[0-9A-Za-z+/]",
    re.MULTILINE,
)
_TOKEN = re.compile(r'(?:[^\s"]|"(?:\\.|[^"\\])*")+')


class SshWireError(ValueError):
    """A malformed SSH wire-format blob."""


class _Reader:
    """Reads SSH wire-format fields (RFC 4251 §5)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def uint32(self) -> int:
        if self.pos + 4 > len(self.data):
            raise SshWireError("truncated")
        (value,) = struct.unpack_from(">I", self.data, self.pos)
        self.pos += 4
        return int(value)

    def string(self) -> bytes:
        size = self.uint32()
        if self.pos + size > len(self.data):
            raise SshWireError("truncated")
        value = self.data[self.pos : self.pos + size]
        self.pos += size
        return value


def key_type_of(blob: bytes) -> str:
    """The key type name that starts every SSH public-key blob."""
    try:
        name = _Reader(blob).string().decode("ascii")
    except (SshWireError, UnicodeDecodeError) as exc:
        raise SshWireError("not an SSH public-key blob") from exc
    if not name or not re.fullmatch(r"[A-Za-z0-9@._+-]+", name):
        raise SshWireError("not an SSH public-key blob")
    return name


def ssh_fingerprint(blob: bytes) -> str:
    """OpenSSH's ``SHA256:...`` fingerprint of a public-key blob."""
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    return f"SHA256:{digest}"


def _timestamp(value: int) -> datetime | None:
    if value <= 0 or value >= 2**63 - 1:
        return None  # "forever"
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def key_from_blob(blob: bytes, kind: KeyKind, fmt: str, **extra: object) -> ParsedKey:
    """Classify an SSH public-key blob (plain key or certificate)."""
    key_type = key_type_of(blob)
    fingerprint = ssh_fingerprint(blob)
    line = f"{key_type} {base64.b64encode(blob).decode()}".encode()
    certificate = None
    info = PublicKeyInfo(ssh_type=key_type, ssh_fingerprint=fingerprint)
    try:
        identity = serialization.load_ssh_public_identity(line)
    except Exception:  # a type this cryptography does not know (PQC, x509v3...): by name
        identity = None
    if isinstance(identity, SSHCertificate):
        try:  # cryptography reads some fields (the CA key) only when asked
            certificate = _certificate(identity, blob)
            info = _ssh_info(identity.public_key())
        except ValueError as exc:
            raise SshWireError(f"corrupt OpenSSH certificate: {exc}") from None
    elif identity is not None:
        info = _with_ssh(info_from_key(identity), key_type, fingerprint)
    return ParsedKey(kind, fmt, info, ssh_certificate=certificate, **extra)  # type: ignore[arg-type]


def _with_ssh(info: PublicKeyInfo, key_type: str, fingerprint: str) -> PublicKeyInfo:
    return PublicKeyInfo(
        algorithm_oid=info.algorithm_oid,
        ssh_type=key_type,
        parameter=info.parameter,
        spki_sha256=info.spki_sha256,
        ssh_fingerprint=fingerprint,
    )


def _ssh_info(key: serialization.SSHCertPublicKeyTypes) -> PublicKeyInfo:
    """Facts of a key met inside an OpenSSH certificate (the subject or the CA key)."""
    blob = base64.b64decode(
        key.public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        ).split()[1]
    )
    return _with_ssh(info_from_key(key), key_type_of(blob), ssh_fingerprint(blob))


def _certificate(cert: SSHCertificate, blob: bytes) -> SshCertificateInfo:
    return SshCertificateInfo(
        blob_sha256=hashlib.sha256(blob).hexdigest(),
        cert_type="host" if cert.type is serialization.SSHCertificateType.HOST else "user",
        key_id=cert.key_id.decode("utf-8", "replace"),
        principals=tuple(p.decode("utf-8", "replace") for p in cert.valid_principals),
        valid_after=_timestamp(cert.valid_after),
        valid_before=_timestamp(cert.valid_before),
        signature_key=_ssh_info(cert.signature_key()),
    )


def read_openssh_private(body: bytes) -> ParsedKey:
    """An ``openssh-key-v1`` private key (the PEM body, base64-decoded)."""
    if not body.startswith(OPENSSH_MAGIC):
        raise ParseFailure(ErrorKind.MALFORMED, "not an openssh-key-v1 private key")
    reader = _Reader(body)
    reader.pos = len(OPENSSH_MAGIC)
    try:
        cipher = reader.string().decode("ascii")
        kdf = reader.string().decode("ascii")
        reader.string()  # kdf options (salt, rounds)
        count = reader.uint32()
        if count < 1 or count > 64:
            raise SshWireError(f"{count} keys")
        public = reader.string()
        parsed = key_from_blob(public, KeyKind.PRIVATE, "openssh")
    except (SshWireError, UnicodeDecodeError) as exc:
        raise ParseFailure(ErrorKind.MALFORMED, f"corrupt OpenSSH private key: {exc}") from exc
    encrypted = cipher != "none"
    protection = (f"openssh-cipher:{cipher}", f"openssh-kdf:{kdf}") if encrypted else ()
    return ParsedKey(
        KeyKind.PRIVATE,
        "openssh",
        parsed.public_key,
        encrypted=encrypted,
        protection=protection,
    )


@dataclass(frozen=True, slots=True)
class _KeyLine:
    prefix: tuple[str, ...]  # options (authorized_keys) or marker + hosts (known_hosts)
    blob: bytes
    comment: str


def _split_line(line: str) -> _KeyLine | None:
    tokens = _TOKEN.findall(line)
    for i in range(len(tokens) - 1):
        if not tokens[i + 1].startswith("AAAA"):
            continue
        try:
            blob = base64.b64decode(tokens[i + 1], validate=True)
            if key_type_of(blob) != tokens[i]:
                continue
        except (ValueError, SshWireError):  # binascii.Error, or a non-ASCII character
            continue
        return _KeyLine(tuple(tokens[:i]), blob, " ".join(tokens[i + 2 :]))
    return None


def _option_names(options: tuple[str, ...]) -> tuple[str, ...]:
    names = []
    for token in options:
        for option in _TOKEN.findall(token.replace(",", " ")):
            name = option.split("=", 1)[0].strip().lower()
            if name and re.fullmatch(r"[a-z-]+", name):
                names.append(name)
    return tuple(dict.fromkeys(names))


def _looks_like_hosts(prefix: tuple[str, ...]) -> bool:
    if not prefix:
        return False
    if prefix[0] in ("@cert-authority", "@revoked"):
        return True
    hosts = prefix[0]
    return "=" not in hosts and '"' not in hosts


def read_key_lines(text: str, name: str) -> ParsedFile:
    """A file of one key per line: authorized_keys, known_hosts, or ``*.pub``."""
    lower = name.lower()
    found: list[tuple[int, _KeyLine]] = []
    errors: list[EntryError] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parsed = _split_line(line)
        if parsed is None:
            if KEY_LINE.search(line.encode("utf-8", "replace")):
                errors.append(EntryError(f":{number}", ErrorKind.MALFORMED, "unreadable key"))
            continue
        found.append((number, parsed))
    if lower.startswith("known_hosts") or lower.startswith("ssh_known_hosts"):
        fmt = "known_hosts"
    elif lower.startswith("authorized_keys"):
        fmt = "authorized_keys"
    elif any(_looks_like_hosts(k.prefix) for _, k in found):
        fmt = "known_hosts"
    elif any(k.prefix for _, k in found):
        fmt = "authorized_keys"
    else:
        fmt = "ssh-public"
    numbered = fmt != "ssh-public" or len(found) > 1
    entries = []
    for number, key_line in found:
        suffix = f":{number}" if numbered else ""
        try:
            key = key_from_blob(
                key_line.blob,
                KeyKind.PUBLIC,
                fmt,
                comment=key_line.comment,
                context=_context(fmt, key_line.prefix),
            )
        except SshWireError as exc:
            errors.append(EntryError(suffix, ErrorKind.MALFORMED, str(exc)))
            continue
        entries.append(Entry(suffix, key))
    if not entries and not errors:
        raise ParseFailure(ErrorKind.MALFORMED, "no readable SSH key")
    return ParsedFile(fmt, tuple(entries), tuple(errors))


def _context(fmt: str, prefix: tuple[str, ...]) -> tuple[tuple[str, str | tuple[str, ...]], ...]:
    if fmt == "known_hosts" and prefix:
        marker = prefix[0] if prefix[0].startswith("@") else ""
        hosts = prefix[1] if marker and len(prefix) > 1 else prefix[0]
        shown = "hashed" if hosts.startswith("|1|") else hosts
        out: list[tuple[str, str | tuple[str, ...]]] = [("hosts", shown)]
        if marker:
            out.append(("marker", marker))
        return tuple(out)
    if fmt == "authorized_keys" and prefix:
        return (("options", _option_names(prefix)),)
    return ()


def read_rfc4716(text: str) -> ParsedFile:
    """SSH2 public keys in RFC 4716 form (``---- BEGIN SSH2 PUBLIC KEY ----``)."""
    entries: list[Entry] = []
    errors: list[EntryError] = []
    blocks = text.split(RFC4716_BEGIN)[1:]
    for index, block in enumerate(blocks, start=1):
        suffix = f"#{index}" if len(blocks) > 1 else ""
        body, _, _ = block.partition(RFC4716_END)
        lines: list[str] = []
        comment, continued = "", False
        for raw in body.strip().splitlines():
            line = raw.strip()
            if continued or (":" in line and not line.startswith("AAAA") and not lines):
                if line.lower().startswith("comment:"):
                    comment = line.split(":", 1)[1].strip().strip('"')
                continued = line.endswith("\\")
                continue
            lines.append(line)
        try:
            blob = base64.b64decode("".join(lines), validate=True)
            entries.append(
                Entry(suffix, key_from_blob(blob, KeyKind.PUBLIC, "rfc4716", comment=comment))
            )
        except (ValueError, SshWireError) as exc:  # binascii.Error, or a non-ASCII character
            errors.append(EntryError(suffix, ErrorKind.MALFORMED, f"SSH2 public key: {exc}"))
    return ParsedFile("rfc4716", tuple(entries), tuple(errors))
