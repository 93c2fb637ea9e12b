"""A hand-written TLS 1.2 server for TLS_RSA_WITH_3DES_EDE_CBC_SHA (0x000A).

Neither OpenSSL on this platform serves 3DES any more (Debian's 3.0 and the 3.5 bundled with
``cryptography`` both answer "no cipher match" for ``DES-CBC3-SHA``), yet a scanner must
recognise a server that still accepts it. This is a complete, minimal TLS 1.2 server for that
one suite (RFC 5246): RSA key transport, 3DES-EDE-CBC with explicit IVs, HMAC-SHA1, the
P_SHA256 PRF, verified Finished messages both ways, one application-data exchange, then
close_notify. No resumption, no extensions but renegotiation_info (echoed when the client
signals it). Clients offering anything else get the alerts OpenSSL sends: protocol_version for
a ClientHello below TLS 1.2, handshake_failure when 0x000A is not offered.

The tests complete handshakes against it with nassl's OpenSSL 1.0.2 client, an independent
implementation.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import struct
from dataclasses import dataclass
from typing import ClassVar, Final

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, modes

from pqcscan.demo.lab.certs import RSA2048, CertProfile, chain
from pqcscan.demo.lab.loop import AsyncServer
from pqcscan.demo.lab.model import Engine, Expected, ServerKind, TlsFacts, TlsVersion
from pqcscan.demo.lab.spec import DEFAULT_HOST, AsyncRunning, Running, ServerSpec

SUITE: Final = 0x000A  # TLS_RSA_WITH_3DES_EDE_CBC_SHA
TLS12: Final = 0x0303
IO_TIMEOUT: Final = 10.0
MAX_RECORD: Final = 16384 + 2048

HANDSHAKE, CCS, ALERT, APPDATA = 22, 20, 21, 23
CLIENT_HELLO, SERVER_HELLO, CERTIFICATE, SERVER_HELLO_DONE = 1, 2, 11, 14
CLIENT_KEY_EXCHANGE, FINISHED = 16, 20
HANDSHAKE_FAILURE, PROTOCOL_VERSION, DECRYPT_ERROR, BAD_RECORD_MAC = 40, 70, 51, 20
UNEXPECTED_MESSAGE: Final = 10


class TlsAlert(Exception):
    """Ends the handshake with a fatal alert."""

    def __init__(self, description: int) -> None:
        super().__init__(f"alert {description}")
        self.description = description


def prf(secret: bytes, label: bytes, seed: bytes, size: int) -> bytes:
    """The TLS 1.2 PRF with SHA-256 (RFC 5246 §5)."""
    full_seed = label + seed
    out, a = b"", full_seed
    while len(out) < size:
        a = hmac.new(secret, a, hashlib.sha256).digest()
        out += hmac.new(secret, a + full_seed, hashlib.sha256).digest()
    return out[:size]


def _record(content_type: int, payload: bytes) -> bytes:
    return struct.pack("!BHH", content_type, TLS12, len(payload)) + payload


def _handshake(msg_type: int, body: bytes) -> bytes:
    return bytes([msg_type]) + len(body).to_bytes(3, "big") + body


class CbcState:
    """One direction of TLS 1.2 3DES-EDE-CBC + HMAC-SHA1 record protection."""

    def __init__(self, key: bytes, mac_key: bytes) -> None:
        self.key = key
        self.mac_key = mac_key
        self.seq = 0

    def _mac(self, content_type: int, payload: bytes) -> bytes:
        header = struct.pack("!QBHH", self.seq, content_type, TLS12, len(payload))
        return hmac.new(self.mac_key, header + payload, hashlib.sha1).digest()

    def seal(self, content_type: int, payload: bytes) -> bytes:
        data = payload + self._mac(content_type, payload)
        pad = 7 - len(data) % 8
        data += bytes([pad]) * (pad + 1)
        iv = os.urandom(8)
        encryptor = Cipher(TripleDES(self.key), modes.CBC(iv)).encryptor()
        self.seq += 1
        return _record(content_type, iv + encryptor.update(data) + encryptor.finalize())

    def open(self, content_type: int, fragment: bytes) -> bytes:
        if len(fragment) < 8 + 24 or len(fragment) % 8:
            raise TlsAlert(BAD_RECORD_MAC)
        decryptor = Cipher(TripleDES(self.key), modes.CBC(fragment[:8])).decryptor()
        data = decryptor.update(fragment[8:]) + decryptor.finalize()
        pad = data[-1]
        if pad + 1 + 20 > len(data) or data[-pad - 1 :] != bytes([pad]) * (pad + 1):
            raise TlsAlert(BAD_RECORD_MAC)
        content, mac = data[: -pad - 1 - 20], data[-pad - 1 - 20 : -pad - 1]
        if not hmac.compare_digest(mac, self._mac(content_type, content)):
            raise TlsAlert(BAD_RECORD_MAC)
        self.seq += 1
        return content


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.pending = b""  # handshake bytes not yet consumed
        self.incoming: CbcState | None = None

    async def record(self) -> tuple[int, bytes]:
        header = await asyncio.wait_for(self.reader.readexactly(5), IO_TIMEOUT)
        content_type, _, length = struct.unpack("!BHH", header)
        if content_type not in (HANDSHAKE, CCS, ALERT, APPDATA) or length > MAX_RECORD:
            raise TlsAlert(UNEXPECTED_MESSAGE)
        payload = await asyncio.wait_for(self.reader.readexactly(length), IO_TIMEOUT)
        if self.incoming is not None:
            payload = self.incoming.open(content_type, payload)
        if content_type == ALERT:
            raise EOFError("peer alert")
        return content_type, payload

    async def handshake_message(self, expected: int) -> bytes:
        while len(self.pending) < 4 or len(self.pending) < 4 + int.from_bytes(
            self.pending[1:4], "big"
        ):
            content_type, payload = await self.record()
            if content_type != HANDSHAKE:
                raise TlsAlert(UNEXPECTED_MESSAGE)
            self.pending += payload
        size = 4 + int.from_bytes(self.pending[1:4], "big")
        message, self.pending = self.pending[:size], self.pending[size:]
        if message[0] != expected:
            raise TlsAlert(UNEXPECTED_MESSAGE)
        return message

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await asyncio.wait_for(self.writer.drain(), IO_TIMEOUT)


@dataclass(frozen=True)
class _Hello:
    version: int
    random: bytes
    suites: tuple[int, ...]
    extensions: frozenset[int]


def _parse_hello(message: bytes) -> _Hello:
    body = message[4:]
    try:
        version = struct.unpack("!H", body[:2])[0]
        p = 34
        p += 1 + body[p]  # session id
        n = struct.unpack("!H", body[p : p + 2])[0]
        suites = struct.unpack(f"!{n // 2}H", body[p + 2 : p + 2 + n])
        p += 2 + n
        p += 1 + body[p]  # compression methods
        extensions: set[int] = set()
        if p + 2 <= len(body):
            end = p + 2 + struct.unpack("!H", body[p : p + 2])[0]
            p += 2
            while p + 4 <= end:
                ext_type, ext_len = struct.unpack("!HH", body[p : p + 4])
                extensions.add(ext_type)
                p += 4 + ext_len
    except (IndexError, struct.error):
        raise TlsAlert(HANDSHAKE_FAILURE) from None
    return _Hello(version, body[2:34], tuple(suites), frozenset(extensions))


async def serve_3des(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    key: rsa.RSAPrivateKey,
    certificates: tuple[bytes, ...],
    name: str,
) -> None:
    """One connection: the handshake, one request, one answer, close_notify."""
    conn = _Connection(reader, writer)
    try:
        await _handshake_and_answer(conn, key, certificates, name)
    except TlsAlert as alert:
        if conn.incoming is None:  # after the keys change an alert would need sealing
            await conn.send(_record(ALERT, bytes([2, alert.description])))


async def _handshake_and_answer(
    conn: _Connection, key: rsa.RSAPrivateKey, certificates: tuple[bytes, ...], name: str
) -> None:
    client_hello = await conn.handshake_message(CLIENT_HELLO)
    hello = _parse_hello(client_hello)
    if hello.version < TLS12:
        raise TlsAlert(PROTOCOL_VERSION)
    if SUITE not in hello.suites:
        raise TlsAlert(HANDSHAKE_FAILURE)
    server_random = os.urandom(32)
    extensions = b""
    if 0x00FF in hello.suites or 0xFF01 in hello.extensions:
        extensions = struct.pack("!HHB", 0xFF01, 1, 0)  # empty renegotiation_info
    server_hello = _handshake(
        SERVER_HELLO,
        struct.pack("!H", TLS12)
        + server_random
        + b"\x00"
        + struct.pack("!H", SUITE)
        + b"\x00"
        + (struct.pack("!H", len(extensions)) + extensions if extensions else b""),
    )
    cert_list = b"".join(len(der).to_bytes(3, "big") + der for der in certificates)
    certificate = _handshake(CERTIFICATE, len(cert_list).to_bytes(3, "big") + cert_list)
    done = _handshake(SERVER_HELLO_DONE, b"")
    transcript = client_hello + server_hello + certificate + done
    await conn.send(_record(HANDSHAKE, server_hello + certificate + done))

    key_exchange = await conn.handshake_message(CLIENT_KEY_EXCHANGE)
    transcript += key_exchange
    encrypted = key_exchange[6 : 6 + struct.unpack("!H", key_exchange[4:6])[0]]
    try:
        premaster = key.decrypt(encrypted, padding.PKCS1v15())
    except ValueError:
        premaster = os.urandom(48)  # RFC 5246 §7.4.7.1: fail later, at Finished
    if len(premaster) != 48:
        premaster = os.urandom(48)

    master = prf(premaster, b"master secret", hello.random + server_random, 48)
    block = prf(master, b"key expansion", server_random + hello.random, 2 * 20 + 2 * 24)
    client_mac, server_mac = block[:20], block[20:40]
    client_key, server_key = block[40:64], block[64:88]

    content_type, payload = await conn.record()
    if content_type != CCS or payload != b"\x01":
        raise TlsAlert(UNEXPECTED_MESSAGE)
    conn.incoming = CbcState(client_key, client_mac)
    finished = await conn.handshake_message(FINISHED)
    expected = prf(master, b"client finished", hashlib.sha256(transcript).digest(), 12)
    if not hmac.compare_digest(finished[4:], expected):
        conn.incoming = None
        raise TlsAlert(DECRYPT_ERROR)
    transcript += finished

    outgoing = CbcState(server_key, server_mac)
    verify = prf(master, b"server finished", hashlib.sha256(transcript).digest(), 12)
    await conn.send(_record(CCS, b"\x01") + outgoing.seal(HANDSHAKE, _handshake(FINISHED, verify)))

    content_type, request = await conn.record()
    if content_type == APPDATA and request:
        body = f"pqcscan lab: {name}\n".encode()
        head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        await conn.send(outgoing.seal(APPDATA, head.encode() + body))
    await conn.send(outgoing.seal(ALERT, b"\x01\x00"))  # close_notify


@dataclass(frozen=True)
class Legacy3desSpec(ServerSpec):
    """TLS 1.2 with TLS_RSA_WITH_3DES_EDE_CBC_SHA only, on the hand-written server above."""

    name: str
    description: str
    cert: CertProfile = RSA2048

    kind: ClassVar[ServerKind] = ServerKind.TLS
    engine: ClassVar[Engine] = Engine.HANDMADE

    def expected(self) -> Expected:
        return Expected(
            tls=TlsFacts(
                versions=frozenset({TlsVersion.TLS1_2}),
                groups=(),
                cipher_suites=("TLS_RSA_WITH_3DES_EDE_CBC_SHA",),
                tls13_cipher_suites=(),
                certificate=chain(self.cert).facts,
            )
        )

    def launch(self, host: str = DEFAULT_HOST, *, name: str | None = None) -> Running:
        lab_chain = chain(self.cert)
        key = lab_chain.leaf.key.classical
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("the 3DES server needs an RSA certificate (RSA key transport)")
        certificates = (lab_chain.leaf.der, lab_chain.root.der)
        label = name or self.name

        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await serve_3des(reader, writer, key, certificates, label)

        server = AsyncServer(host, handler)
        return AsyncRunning(server, lambda port: self.server(host, port, name))
