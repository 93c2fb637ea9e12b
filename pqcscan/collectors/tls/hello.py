"""Send one ClientHello and read what the server answers in clear.

The answer is one of: a ServerHello (with, for TLS <= 1.2, the Certificate,
ServerKeyExchange, CertificateRequest and ServerHelloDone that follow it in clear), a
HelloRetryRequest, an alert, or the connection closing without a word. Anything else
(malformed messages, a handshake message other than ServerHello first, application data
before the handshake) is a ``protocol-error``; bytes that are not TLS at all are ``not-tls``.
TLS 1.3 records after the ServerHello are left on the channel for :mod:`.tls13`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from pqcscan.collectors.tls.conn import Channel, ProbeError
from pqcscan.collectors.tls.wire import (
    Alert,
    ClientHelloSpec,
    ContentType,
    HandshakeBuffer,
    HandshakeMessage,
    HandshakeType,
    ServerHello,
    TlsVersion,
    WireError,
    encode_client_hello,
    encode_records,
    parse_alert,
    parse_server_hello,
)


class Until(Enum):
    """How far to read the server's first flight."""

    SERVER_HELLO = "server-hello"
    #: TLS <= 1.2: up to ServerHelloDone (certificate and key exchange included).
    SERVER_HELLO_DONE = "server-hello-done"
    #: TLS <= 1.2: up to the ServerKeyExchange (or ServerHelloDone when there is none).
    KEY_EXCHANGE = "key-exchange"


@dataclass(slots=True)
class HelloReply:
    """What came back for one ClientHello."""

    client_hello: bytes  # the handshake message sent (for the TLS 1.3 transcript)
    server_hello: ServerHello | None = None
    server_hello_raw: bytes = b""
    #: TLS <= 1.2 messages after the ServerHello, in order.
    messages: list[HandshakeMessage] = field(default_factory=list)
    alert: Alert | None = None
    #: The alert came after the ServerHello (TLS <= 1.2 flight).
    late_alert: bool = False

    @property
    def accepted(self) -> bool:
        return self.server_hello is not None

    def message(self, msg_type: int) -> HandshakeMessage | None:
        for msg in self.messages:
            if msg.msg_type == msg_type:
                return msg
        return None


async def send_hello(channel: Channel, spec: ClientHelloSpec, until: Until) -> HelloReply:
    """Send ``spec`` and read the reply; raises :class:`ProbeError` for non-answers.

    A clean close before any byte raises ``ProbeError(closed=True)``; an alert is an answer.
    """
    hello = encode_client_hello(spec)
    await channel.write(encode_records(ContentType.HANDSHAKE, hello, spec.record_version))
    reply = HelloReply(client_hello=hello)
    buffer = HandshakeBuffer()
    try:
        while True:
            header, payload = await channel.read_record()
            if header.content_type == ContentType.ALERT:
                reply.alert = parse_alert(payload)
                reply.late_alert = reply.server_hello is not None
                return reply
            if header.content_type == ContentType.CHANGE_CIPHER_SPEC:
                if reply.server_hello is None or payload != b"\x01":
                    raise WireError("ChangeCipherSpec before the ServerHello")
                continue
            if header.content_type != ContentType.HANDSHAKE:
                raise WireError(f"record type {header.content_type} during the handshake")
            buffer.feed(payload)
            for msg in buffer.messages():
                if _take(reply, msg, until):
                    return reply
    except WireError as exc:
        raise ProbeError(exc.kind, exc.message) from exc


def _take(reply: HelloReply, msg: HandshakeMessage, until: Until) -> bool:
    """Record one message; True when the reply is complete."""
    if reply.server_hello is None:
        if msg.msg_type == HandshakeType.HELLO_REQUEST and not msg.body:
            return False
        if msg.msg_type != HandshakeType.SERVER_HELLO:
            raise WireError(f"handshake message {msg.msg_type} instead of ServerHello")
        sh = parse_server_hello(msg.body)
        reply.server_hello = sh
        reply.server_hello_raw = msg.raw
        return sh.is_hrr or sh.version == TlsVersion.TLS13 or until is Until.SERVER_HELLO
    if msg.msg_type in (HandshakeType.SERVER_HELLO, HandshakeType.CLIENT_HELLO):
        raise WireError("a second hello in one flight")
    reply.messages.append(msg)
    if msg.msg_type == HandshakeType.SERVER_HELLO_DONE:
        return True
    return until is Until.KEY_EXCHANGE and msg.msg_type == HandshakeType.SERVER_KEY_EXCHANGE
