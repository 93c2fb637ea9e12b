"""The bytes detection sends, and the pure readers of what comes back.

- :func:`client_hello`: a real TLS ClientHello made by Python's ``ssl`` module through memory
  BIOs (no socket): ``do_handshake()`` stops with ``SSLWantReadError`` and the outgoing BIO
  holds the hello. It offers TLS 1.0 to 1.3 and a broad suite list, so old servers answer
  with a ServerHello or an alert rather than silence.
- :func:`tls_record_info`: whether bytes start with a TLS handshake or alert record.
- :data:`POSTGRES_SSL_REQUEST`, :func:`ldap_starttls_request`, :func:`ldap_extended_result`,
  :func:`xmpp_stream_header`: the client-first probes of PostgreSQL, LDAP and XMPP.
- :func:`banner_text`: server bytes as a short printable string for the record.
"""

from __future__ import annotations

import contextlib
import ssl
import warnings
from functools import cache
from xml.sax.saxutils import quoteattr

#: PostgreSQL SSLRequest: length 8, code 80877103 (1234 << 16 | 5679). The answer is one
#: byte: ``S`` (go ahead with TLS) or ``N`` (no TLS).
POSTGRES_SSL_REQUEST = b"\x00\x00\x00\x08\x04\xd2\x16\x2f"

#: The LDAP StartTLS extended operation (RFC 4511 section 4.14).
LDAP_STARTTLS_OID = b"1.3.6.1.4.1.1466.20037"

_ALERTS = {
    0: "close_notify",
    10: "unexpected_message",
    20: "bad_record_mac",
    22: "record_overflow",
    40: "handshake_failure",
    42: "bad_certificate",
    47: "illegal_parameter",
    50: "decode_error",
    51: "decrypt_error",
    70: "protocol_version",
    71: "insufficient_security",
    80: "internal_error",
    86: "inappropriate_fallback",
    90: "user_canceled",
    109: "missing_extension",
    110: "unsupported_extension",
    112: "unrecognized_name",
    116: "certificate_required",
    120: "no_application_protocol",
}
_RECORD_VERSIONS = {0: "SSL 3.0", 1: "TLS 1.0", 2: "TLS 1.1", 3: "TLS 1.2", 4: "TLS 1.3"}


@cache
def _hello_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with warnings.catch_warnings():  # offering TLS 1.0 is the point: old servers answer
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = ssl.TLSVersion.TLSv1
        context.set_ciphers("ALL:@SECLEVEL=0")
    except (ValueError, ssl.SSLError):  # a build without the old versions: keep its defaults
        pass
    return context


def client_hello(server_name: str | None = None) -> bytes:
    """A fresh ClientHello (its own random and key shares), with SNI when a name is given."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = _hello_context().wrap_bio(incoming, outgoing, server_hostname=server_name)
    with contextlib.suppress(ssl.SSLWantReadError):  # it waits for the ServerHello
        tls.do_handshake()
    hello = outgoing.read()
    if not hello:
        raise RuntimeError("the ssl module produced no ClientHello")
    return hello


def tls_record_info(data: bytes) -> str | None:
    """A description when ``data`` starts with a TLS handshake or alert record, else None."""
    if len(data) < 3 or data[0] not in (0x15, 0x16) or data[1] != 3 or data[2] > 4:
        return None
    version = _RECORD_VERSIONS[data[2]]
    if data[0] == 0x15:
        if len(data) >= 7:
            name = _ALERTS.get(data[6], "unknown")
            return f"TLS alert {data[6]} ({name}), record version {version}"
        return f"TLS alert, record version {version}"
    if len(data) >= 6 and data[5] == 2:
        return f"TLS ServerHello, record version {version}"
    return f"TLS handshake record, record version {version}"


def _ber_length(value: int) -> bytes:
    if value < 0x80:
        return bytes([value])
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _tlv(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + _ber_length(len(content)) + content


def ldap_starttls_request(message_id: int = 1) -> bytes:
    """LDAPMessage { messageID, extendedReq [APPLICATION 23] { requestName [0] OID } }."""
    extended = _tlv(0x77, _tlv(0x80, LDAP_STARTTLS_OID))
    return _tlv(0x30, _tlv(0x02, bytes([message_id])) + extended)


def _read_tlv(data: bytes, at: int) -> tuple[int, int, int] | None:
    """(tag, content start, content end) of the BER element at ``at``, or None if short."""
    if at + 2 > len(data):
        return None
    tag, first = data[at], data[at + 1]
    at += 2
    if first & 0x80:
        count = first & 0x7F
        if count == 0 or count > 4 or at + count > len(data):
            return None
        length = int.from_bytes(data[at : at + count], "big")
        at += count
    else:
        length = first
    if at + length > len(data):
        return None
    return tag, at, at + length


def ldap_message_complete(data: bytes) -> bool:
    """True when ``data`` holds one whole BER SEQUENCE (an LDAP message) or is not one."""
    if data[:1] != b"\x30":
        return True
    return _read_tlv(data, 0) is not None


def ldap_extended_result(data: bytes) -> tuple[int, int] | None:
    """(protocolOp tag, resultCode) of an LDAP response, or None when not an LDAP message."""
    message = _read_tlv(data, 0)
    if message is None or message[0] != 0x30:
        return None
    message_id = _read_tlv(data, message[1])
    if message_id is None or message_id[0] != 0x02:
        return None
    operation = _read_tlv(data, message_id[2])
    if operation is None or not 0x60 <= operation[0] <= 0x7F:
        return None
    code = _read_tlv(data, operation[1])
    if code is None or code[0] != 0x0A or code[2] - code[1] != 1:
        return None
    return operation[0], data[code[1]]


def xmpp_stream_header(to: str, *, server: bool = False) -> bytes:
    """The opening ``<stream:stream>`` a client (or a server, on 5269) sends first."""
    namespace = "jabber:server" if server else "jabber:client"
    return (
        "<?xml version='1.0'?>"
        f"<stream:stream to={quoteattr(to)} xmlns='{namespace}' "
        "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"
    ).encode()


def banner_text(data: bytes, limit: int = 512) -> str:
    """Printable text of server bytes: control characters dropped, lines kept, capped."""
    text = data[: limit * 2].decode("utf-8", errors="replace")
    lines = ["".join(ch for ch in line if ch.isprintable()) for line in text.splitlines()]
    joined = "\n".join(line.rstrip() for line in lines).strip()
    return joined[:limit]
