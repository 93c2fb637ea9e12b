"""Java keystores: JKS (magic ``FEEDFEED``) and JCEKS (magic ``CECECECE``).

Certificates are stored in clear, and a private-key entry keeps its certificate chain in
clear, so every key is classified without the store password. With the password the
store's SHA-1 integrity digest is verified, and JCEKS secret-key entries (AES, HMAC keys...)
are unsealed to learn their algorithm and size; the key bytes are dropped at once. The
serialized Java ``SealedObject`` of a secret-key entry is read with javaobj-py3.
"""

from __future__ import annotations

import hashlib
import io
import logging
import struct
from collections.abc import Sequence
from dataclasses import dataclass

from pyasn1.codec.der import decoder
from pyasn1.error import PyAsn1Error
from pyasn1.type import namedtype, univ

from pqcscan.collectors.certs.formats.der import DerError, spki_algorithm_oid
from pqcscan.collectors.certs.formats.x509 import parse_certificate
from pqcscan.collectors.certs.parsed import (
    Entry,
    EntryError,
    KeyKind,
    ParsedCertificate,
    ParsedFile,
    ParsedKey,
    ParseFailure,
)
from pqcscan.results import ErrorKind

JKS_MAGIC = b"\xfe\xed\xfe\xed"
JCEKS_MAGIC = b"\xce\xce\xce\xce"
JKS_KEY_PROTECTOR = "1.3.6.1.4.1.42.2.17.1.1"
JCEKS_PBE = "1.3.6.1.4.1.42.2.19.1"  # PBEWithMD5AndTripleDES
INTEGRITY_SALT = b"Mighty Aphrodite"
MAX_ENTRIES = 100_000

# javaobj logs every oddity of a hostile stream at ERROR; a bad entry is reported as data.
logging.getLogger("javaobj").setLevel(logging.CRITICAL)


class _Truncated(ValueError):
    pass


class _Stream:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, size: int) -> bytes:
        if size < 0 or self.pos + size > len(self.data):
            raise _Truncated(f"truncated at byte {self.pos}")
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def u16(self) -> int:
        return int(struct.unpack(">H", self.take(2))[0])

    def u32(self) -> int:
        return int(struct.unpack(">I", self.take(4))[0])

    def utf(self) -> str:
        return self.take(self.u16()).decode("utf-8", "replace")


class _PbeParameter(univ.Sequence):  # type: ignore[misc]
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("salt", univ.OctetString()),
        namedtype.NamedType("iterationCount", univ.Integer()),
    )


@dataclass(frozen=True, slots=True)
class _Sealed:
    """A JCEKS secret-key entry, still sealed."""

    seal_algorithm: str
    params: bytes
    content: bytes


def read_keystore(data: bytes, passwords: Sequence[str]) -> ParsedFile:
    """Read a JKS or JCEKS file; raise :class:`ParseFailure` when it is not one."""
    jceks = data.startswith(JCEKS_MAGIC)
    fmt = "jceks" if jceks else "jks"
    store_password = _integrity_password(data, passwords)
    stream = _Stream(data)
    entries: list[Entry] = []
    errors: list[EntryError] = []
    try:
        stream.take(4)
        version = stream.u32()
        if version not in (1, 2):
            raise ParseFailure(ErrorKind.UNSUPPORTED, f"{fmt} version {version}")
        count = stream.u32()
        if count > MAX_ENTRIES:
            raise ParseFailure(ErrorKind.MALFORMED, f"{fmt} claims {count} entries")
        for _ in range(count):
            _read_entry(stream, version, jceks, store_password, entries, errors)
    except _Truncated as exc:
        errors.append(EntryError("", ErrorKind.MALFORMED, f"{fmt} keystore is {exc}"))
    protection = ["jks-integrity:SHA-1"]
    if passwords and store_password is None:
        errors.append(
            EntryError(
                "",
                ErrorKind.WRONG_PASSWORD,
                "no given password verifies the keystore's integrity digest",
            )
        )
    if not entries and errors and all(e.kind is ErrorKind.MALFORMED for e in errors):
        raise ParseFailure(ErrorKind.MALFORMED, errors[0].message)
    return ParsedFile(fmt, tuple(entries), tuple(errors), True, tuple(protection))


def _integrity_password(data: bytes, passwords: Sequence[str]) -> str | None:
    """The password whose SHA-1 integrity digest matches, if any."""
    if len(data) < 20:
        return None
    body, digest = data[:-20], data[-20:]
    for password in passwords:
        check = hashlib.sha1(password.encode("utf-16-be") + INTEGRITY_SALT + body)
        if check.digest() == digest:
            return password
    return None


def _certificate(stream: _Stream, version: int) -> bytes:
    if version == 2:
        cert_type = stream.utf()
        if cert_type != "X.509":
            raise ParseFailure(ErrorKind.UNSUPPORTED, f"certificate type {cert_type!r}")
    return stream.take(stream.u32())


def _read_entry(
    stream: _Stream,
    version: int,
    jceks: bool,
    password: str | None,
    entries: list[Entry],
    errors: list[EntryError],
) -> None:
    tag = stream.u32()
    alias = stream.utf()
    stream.take(8)  # creation time
    suffix = f"!{alias}"
    if tag == 2:
        _add_certificate(entries, errors, suffix, _certificate(stream, version))
    elif tag == 1:
        protected = stream.take(stream.u32())
        chain = [_certificate(stream, version) for _ in range(stream.u32())]
        parsed_chain: list[ParsedCertificate] = []
        for index, der in enumerate(chain, start=1):
            cert = _add_certificate(entries, errors, f"{suffix}#{index}", der)
            if cert is not None:
                parsed_chain.append(cert)
        protection = (f"oid:{_protector_oid(protected)}",)
        public = parsed_chain[0].public_key if parsed_chain else None
        entries.append(
            Entry(suffix, ParsedKey(KeyKind.PRIVATE, "jks-key", public, True, protection))
        )
    elif tag == 3 and jceks:
        sealed = _read_sealed(stream)
        secret = _unseal(sealed, password) if password is not None else None
        entries.append(
            Entry(
                suffix,
                ParsedKey(
                    KeyKind.SECRET,
                    "jceks-secret",
                    None,
                    True,
                    (_seal_protection(sealed.seal_algorithm),),
                    secret=secret,
                ),
            )
        )
    else:
        raise ParseFailure(ErrorKind.MALFORMED, f"unknown keystore entry tag {tag}")


def _protector_oid(protected: bytes) -> str:
    """The algorithm OID of the EncryptedPrivateKeyInfo that holds a keystore's key."""
    try:
        return spki_algorithm_oid(protected)  # same shape: SEQUENCE { SEQUENCE { OID ...
    except DerError:
        return JKS_KEY_PROTECTOR


def _add_certificate(
    entries: list[Entry], errors: list[EntryError], suffix: str, der: bytes
) -> ParsedCertificate | None:
    try:
        cert = parse_certificate(der)
    except ParseFailure as failure:
        errors.append(EntryError(suffix, failure.kind, failure.message))
        return None
    entries.append(Entry(suffix, cert))
    return cert


def _seal_protection(algorithm: str) -> str:
    return (
        f"oid:{JCEKS_PBE}" if algorithm == "PBEWithMD5AndTripleDES" else f"jceks-seal:{algorithm}"
    )


def _read_sealed(stream: _Stream) -> _Sealed:
    import javaobj.v1 as javaobj

    buffer = io.BytesIO(stream.data[stream.pos :])
    try:
        obj = javaobj.load(buffer, ignore_remaining_data=True)
    except Exception as exc:  # javaobj raises plain exceptions on corrupt streams
        raise _Truncated(f"unreadable secret-key entry ({type(exc).__name__})") from exc
    stream.pos += buffer.tell()
    try:
        return _Sealed(
            seal_algorithm=str(obj.sealAlg),
            params=_java_bytes(obj.encodedParams),
            content=_java_bytes(obj.encryptedContent),
        )
    except AttributeError as exc:
        raise _Truncated("secret-key entry is not a SealedObject") from exc


def _java_bytes(value: object) -> bytes:
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    return bytes((b & 0xFF) for b in value)  # type: ignore[attr-defined]


def _unseal(sealed: _Sealed, password: str) -> tuple[str, str] | None:
    """(algorithm, key bits) of a sealed JCEKS secret key; the key itself is discarded."""
    if sealed.seal_algorithm != "PBEWithMD5AndTripleDES":
        return None
    try:
        params, _ = decoder.decode(sealed.params, asn1Spec=_PbeParameter())
        plain = jce_pbe_decrypt(
            sealed.content, password, bytes(params["salt"]), int(params["iterationCount"])
        )
        import javaobj.v1 as javaobj

        key = javaobj.loads(plain)
    except (PyAsn1Error, ValueError):
        return None
    except Exception:  # a corrupt serialized key: the entry stays unclassified
        return None
    algorithm = str(getattr(key, "algorithm", ""))
    encoded = getattr(key, "key", None) or getattr(key, "encoded", None)
    bits = str(len(_java_bytes(encoded)) * 8) if encoded is not None else ""
    del key, plain
    return (algorithm, bits) if algorithm else None


def _invert_salt_half(half: bytes) -> bytes:
    """Sun's PBECipherCore "inverts" equal salt halves with a typo: reproduce it exactly."""
    s = bytearray(half)
    for i in range(2):
        tmp = s[i]
        s[i] = s[3 - i]
        s[2] = tmp  # the JDK writes salt[3-1], not salt[3-i]
    return bytes(s)


def jce_pbe_decrypt(data: bytes, password: str, salt: bytes, iterations: int) -> bytes:
    """Decrypt Sun's PBEWithMD5AndTripleDES (JCEKS): MD5-iterated salt halves, 3DES-CBC."""
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, modes

    if len(salt) != 8 or not 0 < iterations <= 10_000_000:
        raise ValueError("bad PBEWithMD5AndTripleDES parameters")
    secret = password.encode("ascii")
    halves = [salt[:4], salt[4:]]
    if halves[0] == halves[1]:
        halves[0] = _invert_salt_half(halves[0])
    derived = b""
    for half in halves:
        value = half
        for _ in range(iterations):
            value = hashlib.md5(value + secret).digest()
        derived += value
    decryptor = Cipher(TripleDES(derived[:24]), modes.CBC(derived[24:])).decryptor()
    padded = decryptor.update(data) + decryptor.finalize()
    unpadder = padding.PKCS7(64).unpadder()
    return unpadder.update(padded) + unpadder.finalize()


def looks_like_keystore(head: bytes) -> bool:
    return head[:4] in (JKS_MAGIC, JCEKS_MAGIC)
