"""The TLS wire format, written out by hand: records, handshake framing, ClientHello, parsers.

What it does: builds ClientHello messages that offer exactly the versions, cipher suites,
groups, key shares and signature schemes a probe chooses (SSL 3.0, TLS 1.0-1.3), frames them in
records, and parses what a server sends back before encryption starts: ServerHello and
HelloRetryRequest (RFC 8446 §4.1.3-4), alerts, the TLS <= 1.2 Certificate message,
ServerKeyExchange (the ECDHE curve, the DHE prime, the signature scheme; RFC 5246 §7.4.3,
RFC 8422 §5.4) and ServerHelloDone, plus the TLS 1.3 messages that arrive encrypted
(EncryptedExtensions, Certificate, CertificateVerify).

Inputs: bytes from an untrusted peer. Limits: every length is checked against what is left
and against protocol maxima; a record may carry at most 2^14 + 2048 bytes and a handshake
message at most :data:`MAX_HANDSHAKE_MESSAGE` (256 KiB): a 10 MB "certificate" fails when its
length field is read, before anything is buffered. Every malformed input raises
:class:`WireError` with an :class:`~pqcscan.results.ErrorKind` (``not-tls`` when the first
bytes are not a TLS record at all, ``too-large`` for a message over the limit,
``protocol-error`` otherwise) and never anything else.
No GREASE unless asked; no TLS library is involved.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import IntEnum

from pqcscan.results import ErrorKind

#: RFC 8446 §4.1.3: the ServerHello.random of a HelloRetryRequest (SHA-256 of "HelloRetryRequest").
HRR_RANDOM = bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")
#: RFC 8446 §4.1.3 downgrade sentinels in the last 8 bytes of ServerHello.random.
DOWNGRADE_TLS12 = b"DOWNGRD\x01"
DOWNGRADE_TLS11 = b"DOWNGRD\x00"

MAX_PLAINTEXT = 2**14
#: TLSCiphertext may exceed TLSPlaintext by 2048 bytes (RFC 5246 §6.2.3); TLS 1.3 by 256.
MAX_RECORD_PAYLOAD = 2**14 + 2048
#: Largest handshake message accepted (a certificate chain of a dozen PQC certificates fits).
MAX_HANDSHAKE_MESSAGE = 256 * 1024


class WireError(Exception):
    """Malformed or unexpected bytes from the peer."""

    def __init__(self, message: str, kind: ErrorKind = ErrorKind.PROTOCOL_ERROR) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class ContentType(IntEnum):
    CHANGE_CIPHER_SPEC = 20
    ALERT = 21
    HANDSHAKE = 22
    APPLICATION_DATA = 23
    HEARTBEAT = 24


class HandshakeType(IntEnum):
    HELLO_REQUEST = 0
    CLIENT_HELLO = 1
    SERVER_HELLO = 2
    NEW_SESSION_TICKET = 4
    END_OF_EARLY_DATA = 5
    ENCRYPTED_EXTENSIONS = 8
    CERTIFICATE = 11
    SERVER_KEY_EXCHANGE = 12
    CERTIFICATE_REQUEST = 13
    SERVER_HELLO_DONE = 14
    CERTIFICATE_VERIFY = 15
    CLIENT_KEY_EXCHANGE = 16
    FINISHED = 20
    CERTIFICATE_STATUS = 22
    KEY_UPDATE = 24
    COMPRESSED_CERTIFICATE = 25
    MESSAGE_HASH = 254


class Ext(IntEnum):
    """Extension code points used by the probes (IANA TLS ExtensionType Values)."""

    SERVER_NAME = 0
    STATUS_REQUEST = 5
    SUPPORTED_GROUPS = 10
    EC_POINT_FORMATS = 11
    SIGNATURE_ALGORITHMS = 13
    ALPN = 16
    PADDING = 21
    ENCRYPT_THEN_MAC = 22
    EXTENDED_MASTER_SECRET = 23
    SESSION_TICKET = 35
    SUPPORTED_VERSIONS = 43
    COOKIE = 44
    PSK_KEY_EXCHANGE_MODES = 45
    KEY_SHARE = 51
    RENEGOTIATION_INFO = 0xFF01


class TlsVersion(IntEnum):
    """Protocol versions the probes can offer, by their wire value."""

    SSL3 = 0x0300
    TLS10 = 0x0301
    TLS11 = 0x0302
    TLS12 = 0x0303
    TLS13 = 0x0304

    @property
    def label(self) -> str:
        """``"TLS 1.2"``, ``"SSL 3.0"``: how people and the catalog name it."""
        return _VERSION_LABELS[self]

    @property
    def catalog_name(self) -> tuple[str, str]:
        """(protocol, version) as :meth:`Catalog.classify` wants them: ("TLS", "1.2")."""
        protocol, _, number = self.label.partition(" ")
        return protocol, number


_VERSION_LABELS = {
    TlsVersion.SSL3: "SSL 3.0",
    TlsVersion.TLS10: "TLS 1.0",
    TlsVersion.TLS11: "TLS 1.1",
    TlsVersion.TLS12: "TLS 1.2",
    TlsVersion.TLS13: "TLS 1.3",
}


def version_label(value: int) -> str:
    """A readable name for any two-byte version value."""
    try:
        return TlsVersion(value).label
    except ValueError:
        return f"0x{value:04x}"


ALERT_NAMES: dict[int, str] = {
    0: "close_notify",
    10: "unexpected_message",
    20: "bad_record_mac",
    21: "decryption_failed",
    22: "record_overflow",
    30: "decompression_failure",
    40: "handshake_failure",
    41: "no_certificate",
    42: "bad_certificate",
    43: "unsupported_certificate",
    44: "certificate_revoked",
    45: "certificate_expired",
    46: "certificate_unknown",
    47: "illegal_parameter",
    48: "unknown_ca",
    49: "access_denied",
    50: "decode_error",
    51: "decrypt_error",
    60: "export_restriction",
    70: "protocol_version",
    71: "insufficient_security",
    80: "internal_error",
    86: "inappropriate_fallback",
    90: "user_canceled",
    100: "no_renegotiation",
    109: "missing_extension",
    110: "unsupported_extension",
    111: "certificate_unobtainable",
    112: "unrecognized_name",
    113: "bad_certificate_status_response",
    114: "bad_certificate_hash_value",
    115: "unknown_psk_identity",
    116: "certificate_required",
    120: "no_application_protocol",
}


# -- reading --------------------------------------------------------------------------------


class Reader:
    """A cursor over untrusted bytes: every read is bounds-checked."""

    __slots__ = ("data", "pos", "what")

    def __init__(self, data: bytes, what: str = "message") -> None:
        self.data = data
        self.pos = 0
        self.what = what

    @property
    def remaining(self) -> int:
        return len(self.data) - self.pos

    def take(self, n: int) -> bytes:
        if n < 0 or n > self.remaining:
            raise WireError(f"truncated {self.what}: wanted {n} bytes, {self.remaining} left")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def u8(self) -> int:
        return self.take(1)[0]

    def u16(self) -> int:
        return int.from_bytes(self.take(2), "big")

    def u24(self) -> int:
        return int.from_bytes(self.take(3), "big")

    def vec8(self) -> bytes:
        return self.take(self.u8())

    def vec16(self) -> bytes:
        return self.take(self.u16())

    def vec24(self) -> bytes:
        return self.take(self.u24())

    def end(self) -> None:
        if self.remaining:
            raise WireError(f"{self.remaining} unexpected trailing bytes in {self.what}")


def u16_list(data: bytes, what: str) -> tuple[int, ...]:
    if len(data) % 2:
        raise WireError(f"odd length in {what}")
    return tuple(int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2))


# -- records --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecordHeader:
    content_type: int
    version: int
    length: int


_KNOWN_CONTENT_TYPES = frozenset(int(t) for t in ContentType)


def parse_record_header(header: bytes, first: bool = False) -> RecordHeader:
    """Check a 5-byte record header. ``first``: the first bytes the peer sent on this stream,
    so anything that is not TLS-shaped (HTTP, an SSH banner, garbage) is ``not-tls``."""
    if len(header) != 5:
        raise WireError("truncated record header")
    ctype, major, minor, length = header[0], header[1], header[2], (header[3] << 8) | header[4]
    kind = ErrorKind.NOT_TLS if first else ErrorKind.PROTOCOL_ERROR
    if ctype not in _KNOWN_CONTENT_TYPES:
        raise WireError(f"not a TLS record (first bytes {header[:5].hex()})", kind)
    if major != 3 or minor > 4:
        raise WireError(f"not a TLS record version ({major}.{minor})", kind)
    if length > MAX_RECORD_PAYLOAD:
        raise WireError(f"record of {length} bytes exceeds the TLS maximum")
    if length == 0 and ctype != ContentType.APPLICATION_DATA:
        raise WireError("empty record")
    return RecordHeader(ctype, (major << 8) | minor, length)


def encode_records(content_type: int, payload: bytes, version: int = 0x0301) -> bytes:
    """``payload`` framed in records of at most 2^14 bytes each."""
    out = bytearray()
    for i in range(0, max(len(payload), 1), MAX_PLAINTEXT):
        chunk = payload[i : i + MAX_PLAINTEXT]
        out += struct.pack("!BHH", content_type, version, len(chunk)) + chunk
    return bytes(out)


@dataclass(frozen=True, slots=True)
class Alert:
    level: int
    description: int

    @property
    def name(self) -> str:
        return ALERT_NAMES.get(self.description, f"alert {self.description}")

    def __str__(self) -> str:
        return f"{self.name} ({self.description})"


def parse_alert(payload: bytes) -> Alert:
    if len(payload) != 2:
        raise WireError(f"alert of {len(payload)} bytes")
    if payload[0] not in (1, 2):
        raise WireError(f"alert with level {payload[0]}")
    return Alert(payload[0], payload[1])


# -- handshake framing ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HandshakeMessage:
    msg_type: int
    body: bytes

    @property
    def raw(self) -> bytes:
        """The message with its 4-byte header, as hashed into the transcript."""
        return bytes([self.msg_type]) + len(self.body).to_bytes(3, "big") + self.body


def encode_handshake(msg_type: int, body: bytes) -> bytes:
    return bytes([msg_type]) + len(body).to_bytes(3, "big") + body


class HandshakeBuffer:
    """Reassembles handshake messages from record fragments, refusing oversized ones early."""

    def __init__(self, limit: int = MAX_HANDSHAKE_MESSAGE) -> None:
        self.limit = limit
        self._buf = bytearray()

    def feed(self, fragment: bytes) -> None:
        self._buf += fragment
        if len(self._buf) >= 4:
            length = int.from_bytes(self._buf[1:4], "big")
            if length > self.limit:
                raise WireError(
                    f"handshake message of {length} bytes exceeds the {self.limit}-byte limit",
                    ErrorKind.TOO_LARGE,
                )

    def messages(self) -> Iterator[HandshakeMessage]:
        """Every complete message buffered so far (a partial one stays)."""
        while len(self._buf) >= 4:
            length = int.from_bytes(self._buf[1:4], "big")
            if length > self.limit:
                raise WireError(
                    f"handshake message of {length} bytes exceeds the {self.limit}-byte limit",
                    ErrorKind.TOO_LARGE,
                )
            if len(self._buf) < 4 + length:
                return
            msg = HandshakeMessage(self._buf[0], bytes(self._buf[4 : 4 + length]))
            del self._buf[: 4 + length]
            yield msg

    @property
    def pending(self) -> int:
        return len(self._buf)


# -- extensions -----------------------------------------------------------------------------


def parse_extensions(data: bytes, what: str) -> tuple[tuple[int, bytes], ...]:
    """(type, data) pairs of an extensions block; duplicates are a protocol error."""
    r = Reader(data, f"{what} extensions")
    out: list[tuple[int, bytes]] = []
    seen: set[int] = set()
    while r.remaining:
        ext_type = r.u16()
        body = r.vec16()
        if ext_type in seen:
            raise WireError(f"duplicate extension {ext_type} in {what}")
        seen.add(ext_type)
        out.append((ext_type, body))
    return tuple(out)


def _ext(ext_type: int, body: bytes) -> bytes:
    return struct.pack("!HH", ext_type, len(body)) + body


def _vec8(body: bytes) -> bytes:
    return bytes([len(body)]) + body


def _vec16(body: bytes) -> bytes:
    return len(body).to_bytes(2, "big") + body


def _u16s(values: Iterable[int]) -> bytes:
    return b"".join(v.to_bytes(2, "big") for v in values)


#: RFC 8701 GREASE values, used only when a hello asks for them.
GREASE_VALUES = tuple(0x0A0A + 0x1010 * i for i in range(16))


# -- ClientHello ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeyShareEntry:
    group: int
    key_exchange: bytes


@dataclass(frozen=True, slots=True)
class ClientHelloSpec:
    """Everything a probe's ClientHello offers; :func:`encode_client_hello` writes it.

    ``key_shares`` None leaves the key_share extension out; ``()`` sends it empty (the
    HelloRetryRequest technique). ``supported_versions`` empty leaves that extension out
    (a TLS <= 1.2 hello, whose ``legacy_version`` is then the offered version).
    """

    legacy_version: int
    cipher_suites: tuple[int, ...]
    server_name: str | None = None
    supported_versions: tuple[int, ...] = ()
    groups: tuple[int, ...] = ()
    key_shares: tuple[KeyShareEntry, ...] | None = None
    signature_schemes: tuple[int, ...] = ()
    ec_point_formats: bool = True
    renegotiation_info: bool = True
    psk_modes: bool = False
    extended_master_secret: bool = True
    session_ticket: bool = False
    #: Add a padding extension so the handshake message is at least this long.
    pad_to: int | None = None
    grease: bool = False
    #: SSL 3.0 hellos carry no extensions (the renegotiation SCSV stands in for one).
    extensions: bool = True
    session_id: bytes = field(default_factory=lambda: os.urandom(32))
    random: bytes = field(default_factory=lambda: os.urandom(32))
    record_version: int = 0x0301


def encode_client_hello(spec: ClientHelloSpec) -> bytes:
    """The ClientHello handshake message (with its 4-byte header)."""
    suites = list(spec.cipher_suites)
    if not spec.extensions and spec.renegotiation_info and 0x00FF not in suites:
        suites.append(0x00FF)  # TLS_EMPTY_RENEGOTIATION_INFO_SCSV
    if spec.grease:
        suites.insert(0, GREASE_VALUES[0])
    if not suites:
        raise ValueError("a ClientHello needs at least one cipher suite")
    body = bytearray()
    body += spec.legacy_version.to_bytes(2, "big")
    body += spec.random
    body += _vec8(spec.session_id)
    body += _vec16(_u16s(suites))
    body += _vec8(b"\x00")  # null compression only
    if spec.extensions:
        exts = _client_extensions(spec)
        if spec.pad_to is not None:
            current = 4 + len(body) + 2 + len(exts)
            missing = spec.pad_to - current
            if missing > 0:
                exts += _ext(Ext.PADDING, b"\x00" * max(0, missing - 4))
        body += _vec16(exts)
    return encode_handshake(HandshakeType.CLIENT_HELLO, bytes(body))


def _client_extensions(spec: ClientHelloSpec) -> bytes:
    grease = spec.grease
    out = bytearray()
    if grease:
        out += _ext(GREASE_VALUES[1], b"")
    if spec.server_name:
        host = spec.server_name.encode("idna")
        entry = b"\x00" + _vec16(host)
        out += _ext(Ext.SERVER_NAME, _vec16(entry))
    if spec.extended_master_secret:
        out += _ext(Ext.EXTENDED_MASTER_SECRET, b"")
    if spec.renegotiation_info:
        out += _ext(Ext.RENEGOTIATION_INFO, b"\x00")
    if spec.groups:
        groups = ((GREASE_VALUES[2],) if grease else ()) + spec.groups
        out += _ext(Ext.SUPPORTED_GROUPS, _vec16(_u16s(groups)))
    if spec.ec_point_formats:
        out += _ext(Ext.EC_POINT_FORMATS, _vec8(b"\x00"))  # uncompressed
    if spec.session_ticket:
        out += _ext(Ext.SESSION_TICKET, b"")
    if spec.signature_schemes:
        out += _ext(Ext.SIGNATURE_ALGORITHMS, _vec16(_u16s(spec.signature_schemes)))
    if spec.supported_versions:
        versions = ((GREASE_VALUES[3],) if grease else ()) + spec.supported_versions
        out += _ext(Ext.SUPPORTED_VERSIONS, _vec8(_u16s(versions)))
    if spec.psk_modes:
        out += _ext(Ext.PSK_KEY_EXCHANGE_MODES, _vec8(b"\x01"))  # psk_dhe_ke
    if spec.key_shares is not None:
        entries = b"".join(
            struct.pack("!H", ks.group) + _vec16(ks.key_exchange) for ks in spec.key_shares
        )
        if grease:
            entries = struct.pack("!H", GREASE_VALUES[4]) + _vec16(b"\x00") + entries
        out += _ext(Ext.KEY_SHARE, _vec16(entries))
    if grease:
        out += _ext(GREASE_VALUES[5], b"\x00")
    return bytes(out)


def client_hello_records(spec: ClientHelloSpec) -> bytes:
    """The ClientHello framed as it goes on the wire."""
    return encode_records(ContentType.HANDSHAKE, encode_client_hello(spec), spec.record_version)


# -- ServerHello ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ServerHello:
    """A ServerHello or HelloRetryRequest (``is_hrr``), decoded."""

    legacy_version: int
    random: bytes
    session_id: bytes
    cipher_suite: int
    compression: int
    extensions: tuple[tuple[int, bytes], ...]
    is_hrr: bool
    #: The negotiated version: supported_versions when present, else legacy_version.
    version: int
    #: HRR: the group asked for; ServerHello (TLS 1.3): the group of the server's share.
    group: int | None = None
    #: ServerHello (TLS 1.3): the server's key share.
    key_exchange: bytes | None = None
    cookie: bytes | None = None

    def extension(self, ext_type: int) -> bytes | None:
        for t, body in self.extensions:
            if t == ext_type:
                return body
        return None

    @property
    def downgrade_sentinel(self) -> bool:
        """The server speaks TLS 1.3 yet negotiated lower (RFC 8446 §4.1.3 sentinel)."""
        return self.random[-8:] in (DOWNGRADE_TLS12, DOWNGRADE_TLS11)


def parse_server_hello(body: bytes) -> ServerHello:
    r = Reader(body, "ServerHello")
    legacy_version = r.u16()
    if legacy_version >> 8 != 3:
        raise WireError(f"ServerHello with version 0x{legacy_version:04x}")
    random = r.take(32)
    session_id = r.vec8()
    if len(session_id) > 32:
        raise WireError("ServerHello session id longer than 32 bytes")
    cipher_suite = r.u16()
    compression = r.u8()
    extensions: tuple[tuple[int, bytes], ...] = ()
    if r.remaining:
        extensions = parse_extensions(r.vec16(), "ServerHello")
    r.end()
    is_hrr = random == HRR_RANDOM
    what = "HelloRetryRequest" if is_hrr else "ServerHello"
    version = legacy_version
    group: int | None = None
    key_exchange: bytes | None = None
    cookie: bytes | None = None
    for ext_type, data in extensions:
        if ext_type == Ext.SUPPORTED_VERSIONS:
            if len(data) != 2:
                raise WireError(f"{what} supported_versions of {len(data)} bytes")
            version = int.from_bytes(data, "big")
        elif ext_type == Ext.KEY_SHARE:
            kr = Reader(data, f"{what} key_share")
            group = kr.u16()
            if not is_hrr:
                key_exchange = kr.vec16()
                if not key_exchange:
                    raise WireError("ServerHello key_share is empty")
            kr.end()
        elif ext_type == Ext.COOKIE and is_hrr:
            cr = Reader(data, "HelloRetryRequest cookie")
            cookie = cr.vec16()
            cr.end()
    if is_hrr and version != TlsVersion.TLS13:
        raise WireError("HelloRetryRequest without supported_versions TLS 1.3")
    if is_hrr and group is None and cookie is None:
        raise WireError("HelloRetryRequest asks for neither a group nor a cookie")
    if version == TlsVersion.TLS13 and not is_hrr and key_exchange is None:
        raise WireError("TLS 1.3 ServerHello without a key share")
    if compression != 0 and version == TlsVersion.TLS13:
        raise WireError("TLS 1.3 ServerHello with compression")
    return ServerHello(
        legacy_version=legacy_version,
        random=random,
        session_id=session_id,
        cipher_suite=cipher_suite,
        compression=compression,
        extensions=extensions,
        is_hrr=is_hrr,
        version=version,
        group=group,
        key_exchange=key_exchange,
        cookie=cookie,
    )


# -- Certificate ----------------------------------------------------------------------------


def parse_certificate(body: bytes, tls13: bool) -> tuple[bytes, ...]:
    """The DER certificates of a Certificate message, leaf first (TLS 1.3 or earlier)."""
    r = Reader(body, "Certificate")
    if tls13:
        r.vec8()  # certificate_request_context (empty from a server)
    lr = Reader(r.vec24(), "certificate_list")
    r.end()
    chain: list[bytes] = []
    while lr.remaining:
        der = lr.vec24()
        if not der:
            raise WireError("empty certificate in the chain")
        chain.append(der)
        if tls13:
            lr.vec16()  # per-certificate extensions (OCSP, SCT)
    return tuple(chain)


def encode_certificate(chain: Sequence[bytes], tls13: bool) -> bytes:
    """A Certificate message body (for tests and the fuzzers' round trips)."""
    entries = b"".join(
        len(der).to_bytes(3, "big") + der + (b"\x00\x00" if tls13 else b"") for der in chain
    )
    head = b"\x00" if tls13 else b""
    return head + len(entries).to_bytes(3, "big") + entries


# -- ServerKeyExchange ----------------------------------------------------------------------


class KeyExchangeKind(IntEnum):
    """How a TLS <= 1.2 suite's ServerKeyExchange is laid out."""

    NONE = 0  # RSA key transport, static (EC)DH: no ServerKeyExchange
    DHE = 1
    ECDHE = 2
    DHE_PSK = 3
    ECDHE_PSK = 4
    PSK = 5  # identity hint only
    OTHER = 6  # SRP, ECCPWD, GOST...: kept raw


@dataclass(frozen=True, slots=True)
class ServerKeyExchange:
    kind: KeyExchangeKind
    #: ECDHE: the named group; None for DHE.
    group: int | None = None
    #: DHE: the prime and generator.
    dh_p: int | None = None
    dh_g: int | None = None
    public: bytes = b""
    #: TLS 1.2 SignatureAndHashAlgorithm; None before TLS 1.2 or for anonymous suites.
    signature_scheme: int | None = None
    signature: bytes = b""
    #: The signed parameters, as the signature covers them (with the two randoms).
    params: bytes = b""

    @property
    def dh_bits(self) -> int | None:
        return self.dh_p.bit_length() if self.dh_p is not None else None


def parse_server_key_exchange(
    body: bytes, kind: KeyExchangeKind, version: int, anonymous: bool
) -> ServerKeyExchange:
    """Decode a ServerKeyExchange for a suite of the given key-exchange kind."""
    r = Reader(body, "ServerKeyExchange")
    if kind in (KeyExchangeKind.NONE, KeyExchangeKind.OTHER):
        return ServerKeyExchange(kind, params=body)
    start = r.pos
    if kind in (KeyExchangeKind.PSK, KeyExchangeKind.DHE_PSK, KeyExchangeKind.ECDHE_PSK):
        r.vec16()  # psk_identity_hint
    group = dh_p = dh_g = None
    public = b""
    if kind in (KeyExchangeKind.DHE, KeyExchangeKind.DHE_PSK):
        p = r.vec16()
        g = r.vec16()
        public = r.vec16()
        if not p or not g or not public:
            raise WireError("ServerKeyExchange with an empty DH parameter")
        dh_p, dh_g = int.from_bytes(p, "big"), int.from_bytes(g, "big")
    elif kind in (KeyExchangeKind.ECDHE, KeyExchangeKind.ECDHE_PSK):
        curve_type = r.u8()
        if curve_type != 3:
            raise WireError(f"ServerKeyExchange with curve type {curve_type} (only named curves)")
        group = r.u16()
        public = r.vec8()
        if not public:
            raise WireError("ServerKeyExchange with an empty EC point")
    params = body[start : r.pos]
    scheme = None
    signature = b""
    psk = kind in (KeyExchangeKind.PSK, KeyExchangeKind.DHE_PSK, KeyExchangeKind.ECDHE_PSK)
    if not anonymous and not psk:
        if version >= TlsVersion.TLS12:
            scheme = r.u16()
        signature = r.vec16()
        if not signature:
            raise WireError("ServerKeyExchange with an empty signature")
    r.end()
    return ServerKeyExchange(kind, group, dh_p, dh_g, public, scheme, signature, params)


# -- TLS 1.3 encrypted handshake messages ---------------------------------------------------


def parse_encrypted_extensions(body: bytes) -> tuple[tuple[int, bytes], ...]:
    r = Reader(body, "EncryptedExtensions")
    exts = parse_extensions(r.vec16(), "EncryptedExtensions")
    r.end()
    return exts


def parse_certificate_verify(body: bytes) -> tuple[int, bytes]:
    """(signature scheme, signature) of a CertificateVerify message."""
    r = Reader(body, "CertificateVerify")
    scheme = r.u16()
    signature = r.vec16()
    r.end()
    if not signature:
        raise WireError("CertificateVerify with an empty signature")
    return scheme, signature


def encode_server_hello(
    *,
    cipher_suite: int,
    version: int | None = None,
    legacy_version: int = TlsVersion.TLS12,
    random: bytes | None = None,
    session_id: bytes = b"",
    group: int | None = None,
    key_exchange: bytes | None = None,
    hrr: bool = False,
    extra: Sequence[tuple[int, bytes]] = (),
) -> bytes:
    """A ServerHello / HelloRetryRequest body (for tests and round trips)."""
    exts = bytearray()
    if version is not None:
        exts += _ext(Ext.SUPPORTED_VERSIONS, version.to_bytes(2, "big"))
    if group is not None:
        share = group.to_bytes(2, "big")
        if key_exchange is not None:
            share += _vec16(key_exchange)
        exts += _ext(Ext.KEY_SHARE, share)
    for t, body in extra:
        exts += _ext(t, body)
    out = bytearray(legacy_version.to_bytes(2, "big"))
    out += HRR_RANDOM if hrr else (random or os.urandom(32))
    out += _vec8(session_id)
    out += cipher_suite.to_bytes(2, "big") + b"\x00"
    if exts:
        out += _vec16(bytes(exts))
    return bytes(out)
