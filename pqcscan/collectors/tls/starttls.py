"""STARTTLS preambles: the clear-text dialogue that turns a connection into a TLS one.

Protocols: SMTP (RFC 3207: greeting, EHLO, STARTTLS), IMAP (RFC 3501 §6.2.1: STARTTLS),
POP3 (RFC 2595: STLS), FTP (RFC 4217: AUTH TLS), LDAP (RFC 4511 §4.14: the StartTLS extended
operation, BER-encoded), XMPP (RFC 6120 §5: stream header, ``<starttls/>``, ``<proceed/>``)
and PostgreSQL (SSLRequest, answered by one byte). The protocol comes from the endpoint's
``protocol`` hint (an nmap service name), else from its well-known port, unless forced.

Limits: lines are capped at 64 KiB and a whole dialogue at 256 KiB, all within the
connection's deadline; a server that refuses STARTTLS gives a ``not-tls`` error, one that
answers gibberish a ``protocol-error``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pqcscan.collectors.tls.conn import Channel, ProbeError
from pqcscan.results import ErrorKind
from pqcscan.targets.model import Endpoint

#: Well-known ports of the protocols that upgrade in-band.
PORTS: dict[int, str] = {
    25: "smtp",
    587: "smtp",
    143: "imap",
    110: "pop3",
    21: "ftp",
    389: "ldap",
    5222: "xmpp",
    5269: "xmpp-server",
    5432: "postgresql",
}
#: nmap service names (and common spellings) mapped to our protocol names.
_ALIASES: dict[str, str] = {
    "smtp": "smtp",
    "submission": "smtp",
    "imap": "imap",
    "pop3": "pop3",
    "pop": "pop3",
    "ftp": "ftp",
    "ldap": "ldap",
    "xmpp": "xmpp",
    "xmpp-client": "xmpp",
    "jabber": "xmpp",
    "xmpp-server": "xmpp-server",
    "postgresql": "postgresql",
    "postgres": "postgresql",
}
PROTOCOLS = ("smtp", "imap", "pop3", "ftp", "ldap", "xmpp", "xmpp-server", "postgresql")
_DIALOGUE_LIMIT = 256 * 1024
CLIENT_NAME = "pqcscan.invalid"


def protocol_for(endpoint: Endpoint, forced: str | None = None) -> str | None:
    """The STARTTLS protocol to speak, or None for TLS from the first byte.

    ``forced`` (``--starttls``) wins; ``"none"`` disables STARTTLS. Then the endpoint's
    protocol hint; then the well-known port. A hint that names a TLS-wrapped service
    (``https``, ``imaps``, ``ssl/...``) means no STARTTLS.
    """
    if forced:
        forced = forced.lower()
        if forced in ("none", "off", "tls"):
            return None
        name = _ALIASES.get(forced)
        if name is None:
            raise ValueError(f"unknown STARTTLS protocol {forced!r}; use one of {PROTOCOLS}")
        return name
    hint = (endpoint.protocol or "").lower()
    if hint:
        if hint.startswith(("ssl/", "tls/")):
            return None
        return _ALIASES.get(hint)
    return PORTS.get(endpoint.port)


class _Dialogue:
    def __init__(self, channel: Channel, protocol: str) -> None:
        self.channel = channel
        self.protocol = protocol
        self.used = 0

    async def line(self) -> str:
        raw = await self.channel.read_line()
        self.used += len(raw)
        if self.used > _DIALOGUE_LIMIT:
            raise ProbeError(ErrorKind.PROTOCOL_ERROR, f"{self.protocol}: endless greeting")
        return raw.decode("utf-8", "replace").rstrip("\r\n")

    async def send(self, text: str) -> None:
        await self.channel.write(text.encode())

    def refused(self, what: str) -> ProbeError:
        return ProbeError(ErrorKind.NOT_TLS, f"{self.protocol}: STARTTLS refused ({what[:80]})")

    def garbled(self, what: str) -> ProbeError:
        return ProbeError(
            ErrorKind.PROTOCOL_ERROR, f"{self.protocol}: unexpected reply {what[:80]!r}"
        )

    async def reply(self) -> tuple[str, str]:
        """A possibly multi-line numeric reply (SMTP, FTP): (code, last line)."""
        while True:
            text = await self.line()
            if len(text) < 3 or not text[:3].isdigit():
                raise self.garbled(text)
            if len(text) == 3 or text[3] != "-":
                return text[:3], text


async def _smtp(d: _Dialogue, host: str) -> None:
    code, text = await d.reply()
    if code != "220":
        raise d.refused(text)
    await d.send(f"EHLO {CLIENT_NAME}\r\n")
    code, text = await d.reply()
    if code != "250":
        raise d.refused(text)
    await d.send("STARTTLS\r\n")
    code, text = await d.reply()
    if code != "220":
        raise d.refused(text)


async def _ftp(d: _Dialogue, host: str) -> None:
    code, text = await d.reply()
    if code != "220":
        raise d.refused(text)
    await d.send("AUTH TLS\r\n")
    code, text = await d.reply()
    if code != "234":
        raise d.refused(text)


async def _imap(d: _Dialogue, host: str) -> None:
    greeting = await d.line()
    if not greeting.startswith("* "):
        raise d.garbled(greeting)
    if not greeting.upper().startswith("* OK"):
        raise d.refused(greeting)
    await d.send("a001 STARTTLS\r\n")
    while True:
        text = await d.line()
        if text.startswith("* "):
            continue
        if text.upper().startswith("A001 OK"):
            return
        if text.upper().startswith(("A001 NO", "A001 BAD")):
            raise d.refused(text)
        raise d.garbled(text)


async def _pop3(d: _Dialogue, host: str) -> None:
    greeting = await d.line()
    if not greeting.startswith("+OK"):
        raise d.refused(greeting) if greeting.startswith("-ERR") else d.garbled(greeting)
    await d.send("STLS\r\n")
    text = await d.line()
    if not text.startswith("+OK"):
        raise d.refused(text) if text.startswith("-ERR") else d.garbled(text)


#: RFC 4511 StartTLS: LDAPMessage { messageID 1, extendedReq [APPLICATION 23] {
#: requestName [0] "1.3.6.1.4.1.1466.20037" } }
_LDAP_OID = b"1.3.6.1.4.1.1466.20037"
LDAP_STARTTLS = (
    b"\x30"
    + bytes([len(_LDAP_OID) + 7])
    + b"\x02\x01\x01"
    + b"\x77"
    + bytes([len(_LDAP_OID) + 2])
    + b"\x80"
    + bytes([len(_LDAP_OID)])
    + _LDAP_OID
)


def _ber_length(data: bytes, pos: int) -> tuple[int, int]:
    """(length, position after the length octets) of a BER definite length."""
    if pos >= len(data):
        raise ValueError("truncated")
    first = data[pos]
    if first < 0x80:
        return first, pos + 1
    count = first & 0x7F
    if count == 0 or count > 3 or pos + 1 + count > len(data):
        raise ValueError("unsupported length")
    return int.from_bytes(data[pos + 1 : pos + 1 + count], "big"), pos + 1 + count


def ldap_result_code(message: bytes) -> int:
    """The resultCode of an LDAP ExtendedResponse message (raises ValueError if not one)."""
    if not message or message[0] != 0x30:
        raise ValueError("not an LDAPMessage")
    _, pos = _ber_length(message, 1)
    if pos >= len(message) or message[pos] != 0x02:
        raise ValueError("no messageID")
    length, pos = _ber_length(message, pos + 1)
    pos += length
    if pos >= len(message) or message[pos] != 0x78:  # [APPLICATION 24] ExtendedResponse
        raise ValueError("not an ExtendedResponse")
    _, pos = _ber_length(message, pos + 1)
    if pos + 2 >= len(message) or message[pos] != 0x0A:  # resultCode ENUMERATED
        raise ValueError("no resultCode")
    length, pos = _ber_length(message, pos + 1)
    if length < 1 or pos + length > len(message):
        raise ValueError("bad resultCode")
    return int.from_bytes(message[pos : pos + length], "big")


async def _ldap(d: _Dialogue, host: str) -> None:
    await d.channel.write(LDAP_STARTTLS)
    head = await d.channel.read_exact(2)
    if head[0] != 0x30:
        raise d.garbled(head.hex())
    if head[1] < 0x80:
        rest = await d.channel.read_exact(head[1])
        message = head + rest
    else:
        count = head[1] & 0x7F
        if not 1 <= count <= 3:
            raise d.garbled(head.hex())
        size_bytes = await d.channel.read_exact(count)
        size = int.from_bytes(size_bytes, "big")
        if size > 64 * 1024:
            raise d.garbled("oversized LDAP message")
        message = head + size_bytes + await d.channel.read_exact(size)
    try:
        code = ldap_result_code(message)
    except ValueError as exc:
        raise d.garbled(f"{exc}: {message[:32].hex()}") from exc
    if code != 0:
        raise d.refused(f"LDAP resultCode {code}")


async def _xmpp(d: _Dialogue, host: str, namespace: str = "jabber:client") -> None:
    await d.send(
        "<?xml version='1.0'?><stream:stream xmlns='" + namespace + "' "
        "xmlns:stream='http://etherx.jabber.org/streams' "
        f"to='{_xml_attr(host)}' version='1.0'>"
    )
    text = await _xml_until(d, ("</stream:features>", "<stream:features/>"))
    if "urn:ietf:params:xml:ns:xmpp-tls" not in text:
        raise d.refused("no <starttls/> in the stream features")
    await d.send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
    text = await _xml_until(d, ("<proceed", "<failure", "</stream:stream>"))
    if "<proceed" not in text:
        raise d.refused(text[-80:])
    # The <proceed/> element may not end with a newline: read to its end.
    while not text.rstrip().endswith(">"):
        text += (await d.channel.read_exact(1)).decode("utf-8", "replace")


async def _xmpp_server(d: _Dialogue, host: str) -> None:
    await _xmpp(d, host, "jabber:server")


def _xml_attr(value: str) -> str:
    return value.replace("&", "&amp;").replace("'", "&apos;").replace("<", "&lt;")


async def _xml_until(d: _Dialogue, markers: tuple[str, ...]) -> str:
    text = ""
    while not any(m in text for m in markers):
        chunk = await d.channel.read_some(4096)
        if not chunk:
            raise ProbeError(ErrorKind.RESET, f"{d.protocol}: connection closed")
        d.used += len(chunk)
        if d.used > _DIALOGUE_LIMIT:
            raise ProbeError(ErrorKind.PROTOCOL_ERROR, f"{d.protocol}: endless stream header")
        text += chunk.decode("utf-8", "replace")
        if "<stream:error" in text and not any(m in text for m in markers):
            raise d.refused(text[-80:])
    return text


async def _postgresql(d: _Dialogue, host: str) -> None:
    await d.channel.write((8).to_bytes(4, "big") + (80877103).to_bytes(4, "big"))
    answer = await d.channel.read_exact(1)
    if answer == b"N":
        raise d.refused("SSLRequest answered N")
    if answer != b"S":
        raise d.garbled(answer.hex())


_HANDLERS: dict[str, Callable[[_Dialogue, str], Awaitable[None]]] = {
    "smtp": _smtp,
    "imap": _imap,
    "pop3": _pop3,
    "ftp": _ftp,
    "ldap": _ldap,
    "xmpp": _xmpp,
    "xmpp-server": _xmpp_server,
    "postgresql": _postgresql,
}


async def negotiate(channel: Channel, protocol: str, host: str) -> None:
    """Speak ``protocol`` until the server is ready for a ClientHello."""
    handler = _HANDLERS.get(protocol)
    if handler is None:
        raise ValueError(f"unknown STARTTLS protocol {protocol!r}")
    await handler(_Dialogue(channel, protocol), host)
