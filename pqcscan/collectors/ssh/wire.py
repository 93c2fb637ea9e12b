"""SSH wire format (RFC 4251 §5, RFC 4253 §4-§7): identification strings, the binary packet
protocol before encryption, and the KEXINIT message.

Pure functions over bytes; no I/O. Everything a server sends is bounded before it is
believed: identification lines (8 KiB each, 64 KiB of lines before the identification),
packet lengths (256 KiB, OpenSSH's own limit; RFC 4253 guarantees 35000 bytes), padding,
string and name-list lengths. A violation raises :class:`SshProtocolError` (or its subclass
:class:`NotSshError` when the peer is not speaking SSH at all), never anything else.
"""

from __future__ import annotations

import os
import re
import struct
from dataclasses import dataclass, fields

from pqcscan.results import ErrorKind

# Message numbers (RFC 4250 §4.1, RFC 4419 §5, RFC 5656 §7.1, draft-ietf-sshm-mlkem-hybrid-kex).
MSG_DISCONNECT = 1
MSG_IGNORE = 2
MSG_UNIMPLEMENTED = 3
MSG_DEBUG = 4
MSG_KEXINIT = 20
MSG_NEWKEYS = 21
MSG_KEX_ECDH_INIT = 30  # also KEXDH_INIT and KEX_HYBRID_INIT: the same number
MSG_KEX_ECDH_REPLY = 31  # also KEXDH_REPLY, KEX_HYBRID_REPLY and KEX_DH_GEX_GROUP
MSG_KEX_DH_GEX_INIT = 32
MSG_KEX_DH_GEX_REPLY = 33
MSG_KEX_DH_GEX_REQUEST = 34

#: Longest line accepted while looking for the identification string (OpenSSH: 8192).
MAX_LINE = 8192
#: Most bytes of other lines a server may send before its identification string.
MAX_PRE_BANNER = 64 * 1024
#: The identification line itself: 255 bytes with CR LF in RFC 4253 §4.2; a little slack.
MAX_IDENTIFICATION = 1024
#: Largest packet accepted (OpenSSH's PACKET_MAX_SIZE); a bigger length is an error, unread.
MAX_PACKET = 256 * 1024
#: Bounds of the padding (RFC 4253 §6: at least 4 bytes, at most 255).
MIN_PADDING = 4
#: Most names in one name-list (servers offer tens; a hostile list is cut short as an error).
MAX_NAMES = 512

DISCONNECT_REASONS = {
    1: "host not allowed to connect",
    2: "protocol error",
    3: "key exchange failed",
    4: "reserved",
    5: "MAC error",
    6: "compression error",
    7: "service not available",
    8: "protocol version not supported",
    9: "host key not verifiable",
    10: "connection lost",
    11: "by application",
    12: "too many connections",
    13: "auth cancelled by user",
    14: "no more auth methods available",
    15: "illegal user name",
}

_NAME = re.compile(rb"[\x21-\x2b\x2d-\x7e]+")  # printable US-ASCII except the comma


class SshProtocolError(Exception):
    """The peer broke the SSH protocol (or its bounds). Maps to ``protocol-error``."""

    kind = ErrorKind.PROTOCOL_ERROR


class NotSshError(SshProtocolError):
    """The peer is not an SSH server (an HTTP or TLS server, binary noise...)."""


class ConnectionClosed(Exception):
    """The peer closed the connection (a FIN, not a reset) before sending what SSH needs.

    Maps to ``protocol-error``, as the shared network layer maps a close (a reset is
    ``reset``)."""

    kind = ErrorKind.PROTOCOL_ERROR


class SshDisconnect(SshProtocolError):
    """The peer sent SSH_MSG_DISCONNECT (RFC 4253 §11.1)."""

    def __init__(self, code: int, description: str) -> None:
        reason = DISCONNECT_REASONS.get(code, f"reason {code}")
        text = f"disconnected by the peer: {reason}"
        super().__init__(f"{text} ({description})" if description else text)
        self.code = code
        self.description = description


# -- primitive encodings --------------------------------------------------------------------


class Reader:
    """Reads RFC 4251 §5 data types from a byte string, bounds-checked."""

    def __init__(self, data: bytes, what: str = "message") -> None:
        self.data = data
        self.pos = 0
        self.what = what

    def _take(self, size: int) -> bytes:
        if size < 0 or self.pos + size > len(self.data):
            raise SshProtocolError(f"truncated {self.what}")
        value = self.data[self.pos : self.pos + size]
        self.pos += size
        return value

    def byte(self) -> int:
        return self._take(1)[0]

    def boolean(self) -> bool:
        return self.byte() != 0

    def uint32(self) -> int:
        (value,) = struct.unpack(">I", self._take(4))
        return int(value)

    def raw(self, size: int) -> bytes:
        return self._take(size)

    def string(self) -> bytes:
        return self._take(self.uint32())

    def mpint(self) -> int:
        data = self.string()
        return int.from_bytes(data, "big", signed=True) if data else 0

    def name_list(self) -> tuple[str, ...]:
        return decode_name_list(self.string(), self.what)

    def rest(self) -> bytes:
        value = self.data[self.pos :]
        self.pos = len(self.data)
        return value

    @property
    def at_end(self) -> bool:
        return self.pos >= len(self.data)

    def end(self) -> None:
        """Require that nothing is left (trailing bytes are a malformed message)."""
        if not self.at_end:
            raise SshProtocolError(f"{len(self.data) - self.pos} trailing bytes in {self.what}")


def decode_name_list(data: bytes, what: str = "name-list") -> tuple[str, ...]:
    """A comma-separated list of US-ASCII names; empty elements are dropped."""
    if not data:
        return ()
    names = [n for n in data.split(b",") if n]
    if len(names) > MAX_NAMES:
        raise SshProtocolError(f"{what}: more than {MAX_NAMES} names in one list")
    for name in names:
        if not _NAME.fullmatch(name):
            raise SshProtocolError(f"{what}: name with bytes outside printable US-ASCII")
    return tuple(n.decode("ascii") for n in names)


def uint32(value: int) -> bytes:
    return struct.pack(">I", value)


def string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def mpint(value: int) -> bytes:
    """RFC 4251 §5 mpint: two's complement, big-endian, minimal, zero as empty."""
    if value == 0:
        return string(b"")
    size = (value.bit_length() + 8) // 8  # room for the sign bit
    data = value.to_bytes(size, "big", signed=True)
    # Minimal form: drop a redundant leading 0x00 / 0xff.
    while len(data) > 1 and (
        (data[0] == 0 and data[1] < 0x80) or (data[0] == 0xFF and data[1] >= 0x80)
    ):
        data = data[1:]
    return string(data)


def name_list(names: tuple[str, ...] | list[str]) -> bytes:
    return string(",".join(names).encode("ascii"))


# -- identification string (RFC 4253 §4.2) -----------------------------------------------


@dataclass(frozen=True, slots=True)
class Banner:
    """A parsed identification string: ``SSH-protoversion-softwareversion SP comments``."""

    raw: str  # the line without CR LF
    proto_version: str  # "2.0", "1.99", "1.5"
    software: str  # "OpenSSH_9.2p1"
    comments: str = ""  # "Debian-2"

    @property
    def ssh2(self) -> bool:
        """True when the peer speaks SSH-2 (``2.0``, or ``1.99``: both versions)."""
        return self.proto_version in ("2.0", "1.99")

    @property
    def ssh1(self) -> bool:
        """True when the peer accepts SSH-1 (``1.x``, including ``1.99``)."""
        return self.proto_version.startswith("1.")

    @property
    def product(self) -> str:
        """``OpenSSH`` from ``OpenSSH_9.2p1``."""
        return self.software.split("_", 1)[0]

    @property
    def product_version(self) -> str:
        """``9.2p1`` from ``OpenSSH_9.2p1``; "" when the software string has no ``_``."""
        _, _, version = self.software.partition("_")
        return version


def parse_banner(line: bytes) -> Banner:
    """Parse an identification line (CR LF or LF already removed, or not)."""
    line = line.rstrip(b"\r\n")
    if not line.startswith(b"SSH-"):
        raise NotSshError("not an SSH identification string")
    if len(line) > MAX_IDENTIFICATION:
        raise SshProtocolError(f"identification string longer than {MAX_IDENTIFICATION} bytes")
    if any(b < 0x20 or b == 0x7F for b in line):
        raise SshProtocolError("control characters in the identification string")
    text = line.decode("utf-8", "replace")
    body = text[4:]
    proto, sep, rest = body.partition("-")
    if not sep or not re.fullmatch(r"\d+\.\d+", proto):
        raise SshProtocolError(f"malformed identification string {text[:80]!r}")
    software, _, comments = rest.partition(" ")
    return Banner(text, proto, software, comments.strip())


def identification(software: str, comments: str = "") -> bytes:
    """Our identification line, with CR LF."""
    line = f"SSH-2.0-{software}" + (f" {comments}" if comments else "")
    return line.encode("ascii") + b"\r\n"


# -- binary packets (RFC 4253 §6, no encryption or MAC yet) ------------------------------


def frame(payload: bytes, block: int = 8) -> bytes:
    """One unencrypted binary packet holding ``payload``, padded to ``block`` bytes."""
    padding = block - (len(payload) + 5) % block
    if padding < MIN_PADDING:
        padding += block
    return struct.pack(">IB", len(payload) + padding + 1, padding) + payload + os.urandom(padding)


def check_packet_length(length: int) -> None:
    """Bounds on the 4-byte length a packet starts with, checked before reading the rest."""
    if length < 2:  # the padding-length byte and a message number at least
        raise SshProtocolError(f"packet length {length} is too small")
    if length > MAX_PACKET:
        raise SshProtocolError(f"packet length {length} is over the {MAX_PACKET}-byte limit")


def packet_payload(body: bytes) -> bytes:
    """The payload of a packet body (everything after the length field)."""
    padding = body[0]
    size = len(body) - padding - 1
    if size < 1:
        raise SshProtocolError(f"padding length {padding} leaves no payload")
    return body[1 : 1 + size]


# -- KEXINIT (RFC 4253 §7.1) -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KexInit:
    """An SSH_MSG_KEXINIT: every algorithm list, in the sender's order of preference."""

    kex: tuple[str, ...]
    host_key: tuple[str, ...]
    ciphers_c2s: tuple[str, ...]
    ciphers_s2c: tuple[str, ...]
    macs_c2s: tuple[str, ...]
    macs_s2c: tuple[str, ...]
    compression_c2s: tuple[str, ...]
    compression_s2c: tuple[str, ...]
    languages_c2s: tuple[str, ...] = ()
    languages_s2c: tuple[str, ...] = ()
    first_kex_follows: bool = False
    reserved: int = 0
    cookie: bytes = bytes(16)

    @property
    def ciphers(self) -> tuple[str, ...]:
        """Both directions' ciphers, without repeats, client-to-server order first."""
        return tuple(dict.fromkeys(self.ciphers_c2s + self.ciphers_s2c))

    @property
    def macs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.macs_c2s + self.macs_s2c))

    @property
    def compression(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.compression_c2s + self.compression_s2c))

    @property
    def strict_kex(self) -> bool:
        """The server signals OpenSSH strict key exchange (Terrapin countermeasure)."""
        return "kex-strict-s-v00@openssh.com" in self.kex

    @property
    def ext_info(self) -> bool:
        """The server signals RFC 8308 extension negotiation."""
        return "ext-info-s" in self.kex


_LISTS = tuple(f.name for f in fields(KexInit))[:10]


def parse_kexinit(payload: bytes) -> KexInit:
    """Parse an SSH_MSG_KEXINIT payload (message number included)."""
    r = Reader(payload, "KEXINIT")
    if r.byte() != MSG_KEXINIT:
        raise SshProtocolError("not a KEXINIT message")
    cookie = r.raw(16)
    lists = {name: r.name_list() for name in _LISTS}
    follows = r.boolean()
    reserved = r.uint32()
    # Trailing bytes are tolerated: RFC 4253 §7.1 fixes the layout, and ignoring extra data
    # costs nothing while rejecting it would hide an otherwise readable server.
    return KexInit(**lists, first_kex_follows=follows, reserved=reserved, cookie=cookie)


def build_kexinit(kexinit: KexInit) -> bytes:
    """The payload of an SSH_MSG_KEXINIT with ``kexinit``'s lists."""
    out = [bytes([MSG_KEXINIT]), kexinit.cookie]
    out.extend(name_list(getattr(kexinit, name)) for name in _LISTS)
    out.append(bytes([1 if kexinit.first_kex_follows else 0]))
    out.append(uint32(kexinit.reserved))
    return b"".join(out)


def disconnect(code: int, description: str) -> bytes:
    """An SSH_MSG_DISCONNECT payload."""
    return bytes([MSG_DISCONNECT]) + uint32(code) + string(description.encode()) + string(b"")


def parse_disconnect(payload: bytes) -> SshDisconnect:
    r = Reader(payload, "DISCONNECT")
    r.byte()
    try:
        code = r.uint32()
        description = r.string().decode("utf-8", "replace")
    except SshProtocolError:
        return SshDisconnect(0, "")
    return SshDisconnect(code, "".join(c for c in description[:200] if c.isprintable()))
