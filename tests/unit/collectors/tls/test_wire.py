"""The hand-written TLS wire format: round trips, real limits, and hostile bytes.

Every parser either returns a value or raises WireError with an error kind: the fuzzers feed
random and mutated input and accept nothing else.
"""

from __future__ import annotations

import contextlib
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pqcscan.collectors.tls import wire
from pqcscan.collectors.tls.wire import (
    HRR_RANDOM,
    ClientHelloSpec,
    ContentType,
    Ext,
    HandshakeBuffer,
    HandshakeType,
    KeyExchangeKind,
    KeyShareEntry,
    Reader,
    TlsVersion,
    WireError,
)
from pqcscan.results import ErrorKind


def _parse_client_hello(msg: bytes) -> dict[str, object]:
    """An independent reading of our ClientHello, to check the builder."""
    assert msg[0] == HandshakeType.CLIENT_HELLO
    r = Reader(msg[4:])
    assert int.from_bytes(msg[1:4], "big") == len(msg) - 4
    out: dict[str, object] = {"version": r.u16(), "random": r.take(32), "session": r.vec8()}
    out["suites"] = wire.u16_list(r.vec16(), "suites")
    out["compression"] = r.vec8()
    out["extensions"] = dict(wire.parse_extensions(r.vec16(), "ch")) if r.remaining else {}
    r.end()
    return out


def test_client_hello_offers_exactly_what_the_spec_says() -> None:
    spec = ClientHelloSpec(
        legacy_version=TlsVersion.TLS12,
        cipher_suites=(0x1301, 0x1302),
        server_name="api.example.test",
        supported_versions=(TlsVersion.TLS13,),
        groups=(0x11EC, 0x001D),
        key_shares=(KeyShareEntry(0x001D, b"\x01" * 32),),
        signature_schemes=(0x0905, 0x0804),
        psk_modes=True,
    )
    ch = _parse_client_hello(wire.encode_client_hello(spec))
    assert ch["version"] == 0x0303
    assert ch["suites"] == (0x1301, 0x1302)
    assert ch["compression"] == b"\x00"
    ext = ch["extensions"]
    assert isinstance(ext, dict)
    assert ext[Ext.SUPPORTED_VERSIONS] == b"\x02\x03\x04"
    assert wire.u16_list(ext[Ext.SUPPORTED_GROUPS][2:], "g") == (0x11EC, 0x001D)
    assert ext[Ext.KEY_SHARE] == b"\x00\x24\x00\x1d\x00\x20" + b"\x01" * 32
    assert wire.u16_list(ext[Ext.SIGNATURE_ALGORITHMS][2:], "s") == (0x0905, 0x0804)
    assert ext[Ext.SERVER_NAME] == b"\x00\x13\x00\x00\x10api.example.test"
    assert ext[Ext.PSK_KEY_EXCHANGE_MODES] == b"\x01\x01"
    # No GREASE unless asked.
    assert not any(wire.GREASE_VALUES.count(t) for t in ext)


def test_empty_key_share_and_padding() -> None:
    spec = ClientHelloSpec(
        legacy_version=0x0303, cipher_suites=(0x1301,), key_shares=(), pad_to=1400
    )
    msg = wire.encode_client_hello(spec)
    assert len(msg) == 1400
    ext = _parse_client_hello(msg)["extensions"]
    assert isinstance(ext, dict)
    assert ext[Ext.KEY_SHARE] == b"\x00\x00"
    assert set(ext[Ext.PADDING]) == {0}


def test_ssl3_hello_has_no_extensions_and_the_scsv() -> None:
    spec = ClientHelloSpec(
        legacy_version=TlsVersion.SSL3, cipher_suites=(0x000A,), extensions=False
    )
    ch = _parse_client_hello(wire.encode_client_hello(spec))
    assert ch["version"] == 0x0300
    assert ch["suites"] == (0x000A, 0x00FF)
    assert ch["extensions"] == {}


def test_grease_when_asked() -> None:
    spec = ClientHelloSpec(
        legacy_version=0x0303, cipher_suites=(0x1301,), groups=(0x1D,), grease=True
    )
    ch = _parse_client_hello(wire.encode_client_hello(spec))
    suites = ch["suites"]
    assert isinstance(suites, tuple) and suites[0] in wire.GREASE_VALUES


def test_records_split_long_payloads() -> None:
    payload = os.urandom(40000)
    data = wire.encode_records(ContentType.HANDSHAKE, payload)
    pos, out = 0, b""
    while pos < len(data):
        header = wire.parse_record_header(data[pos : pos + 5])
        assert header.length <= 2**14
        out += data[pos + 5 : pos + 5 + header.length]
        pos += 5 + header.length
    assert out == payload


def test_server_hello_and_hrr_round_trip() -> None:
    sh = wire.parse_server_hello(
        wire.encode_server_hello(
            cipher_suite=0x1302, version=0x0304, group=0x11EC, key_exchange=b"k" * 1120
        )
    )
    assert not sh.is_hrr and sh.version == 0x0304 and sh.group == 0x11EC
    assert sh.key_exchange == b"k" * 1120 and sh.cipher_suite == 0x1302
    hrr = wire.parse_server_hello(
        wire.encode_server_hello(cipher_suite=0x1301, version=0x0304, group=0x0201, hrr=True)
    )
    assert hrr.is_hrr and hrr.random == HRR_RANDOM and hrr.group == 0x0201
    old = wire.parse_server_hello(
        wire.encode_server_hello(cipher_suite=0x002F, legacy_version=0x0301)
    )
    assert old.version == 0x0301 and old.extensions == ()


@pytest.mark.parametrize(
    "body, message",
    [
        (wire.encode_server_hello(cipher_suite=0x1301, hrr=True), "HelloRetryRequest without"),
        (
            wire.encode_server_hello(cipher_suite=0x1301, version=0x0304, hrr=True),
            "neither a group",
        ),
        (
            wire.encode_server_hello(cipher_suite=0x1301, version=0x0304, random=bytes(32)),
            "without a key share",
        ),
        (
            wire.encode_server_hello(
                cipher_suite=0x1301, extra=[(Ext.KEY_SHARE, b"\x00"), (Ext.KEY_SHARE, b"\x00")]
            ),
            "duplicate extension",
        ),
        (b"\x03\x03" + b"\x00" * 10, "truncated"),
        (b"\x07\x03" + b"\x00" * 40, "version"),
    ],
    ids=["hrr-tls12", "hrr-empty", "no-share", "duplicate", "truncated", "version"],
)
def test_server_hello_errors(body: bytes, message: str) -> None:
    with pytest.raises(WireError, match=message) as info:
        wire.parse_server_hello(body)
    assert info.value.kind is ErrorKind.PROTOCOL_ERROR


def test_certificate_round_trip_both_versions() -> None:
    chain = (b"\x30\x03leaf", b"\x30\x05issuer")
    for tls13 in (False, True):
        assert wire.parse_certificate(wire.encode_certificate(chain, tls13), tls13) == chain


def test_server_key_exchange_ecdhe_and_dhe() -> None:
    point = b"\x04" + b"\x11" * 64
    params = b"\x03\x00\x17" + bytes([len(point)]) + point
    body = params + b"\x04\x03" + b"\x00\x03sig"
    ske = wire.parse_server_key_exchange(body, KeyExchangeKind.ECDHE, 0x0303, False)
    assert ske.group == 0x0017 and ske.signature_scheme == 0x0403 and ske.params == params
    p = (2**1023 + 1).to_bytes(128, "big")
    dh_params = b"\x00\x80" + p + b"\x00\x01\x02" + b"\x00\x02\x12\x34"
    ske = wire.parse_server_key_exchange(
        dh_params + b"\x00\x03sig", KeyExchangeKind.DHE, 0x0301, False
    )
    assert ske.dh_bits == 1024 and ske.dh_g == 2 and ske.signature_scheme is None
    anon = wire.parse_server_key_exchange(dh_params, KeyExchangeKind.DHE, 0x0303, True)
    assert anon.signature == b""
    with pytest.raises(WireError, match="named curves"):
        wire.parse_server_key_exchange(b"\x01" + body[1:], KeyExchangeKind.ECDHE, 0x0303, False)


def test_record_header_classifies_not_tls() -> None:
    with pytest.raises(WireError) as info:
        wire.parse_record_header(b"HTTP/", first=True)
    assert info.value.kind is ErrorKind.NOT_TLS
    with pytest.raises(WireError) as info:
        wire.parse_record_header(b"HTTP/", first=False)
    assert info.value.kind is ErrorKind.PROTOCOL_ERROR
    with pytest.raises(WireError, match="exceeds the TLS maximum"):
        wire.parse_record_header(b"\x16\x03\x03\xff\xff")


def test_handshake_buffer_refuses_a_10mb_message_from_its_header() -> None:
    buffer = HandshakeBuffer()
    with pytest.raises(WireError, match="exceeds"):
        buffer.feed(b"\x0b" + (10 * 1024 * 1024).to_bytes(3, "big"))
    buffer = HandshakeBuffer()
    buffer.feed(b"\x02\x00\x00\x05ab")
    assert list(buffer.messages()) == []
    buffer.feed(b"cde\x0e\x00\x00\x00")
    msgs = list(buffer.messages())
    assert [(m.msg_type, m.body) for m in msgs] == [(2, b"abcde"), (14, b"")]


def test_alerts() -> None:
    alert = wire.parse_alert(b"\x02\x28")
    assert alert.name == "handshake_failure" and str(alert) == "handshake_failure (40)"
    for bad in (b"", b"\x02", b"\x09\x28", b"\x02\x28\x00"):
        with pytest.raises(WireError):
            wire.parse_alert(bad)


# -- fuzzing: every bad input is a WireError, never anything else ---------------------------

_PARSERS = (
    lambda b: wire.parse_server_hello(b),
    lambda b: wire.parse_certificate(b, True),
    lambda b: wire.parse_certificate(b, False),
    lambda b: wire.parse_server_key_exchange(b, KeyExchangeKind.ECDHE, 0x0303, False),
    lambda b: wire.parse_server_key_exchange(b, KeyExchangeKind.DHE, 0x0303, False),
    lambda b: wire.parse_server_key_exchange(b, KeyExchangeKind.DHE_PSK, 0x0301, False),
    lambda b: wire.parse_server_key_exchange(b, KeyExchangeKind.ECDHE_PSK, 0x0303, True),
    lambda b: wire.parse_encrypted_extensions(b),
    lambda b: wire.parse_certificate_verify(b),
    lambda b: wire.parse_alert(b),
    lambda b: wire.parse_record_header(b[:5], first=True),
    lambda b: list(_buffer(b).messages()),
)


def _buffer(data: bytes) -> HandshakeBuffer:
    buffer = HandshakeBuffer(limit=4096)
    buffer.feed(data)
    return buffer


def _valid_samples() -> list[bytes]:
    return [
        wire.encode_server_hello(
            cipher_suite=0x1301, version=0x0304, group=0x001D, key_exchange=b"x" * 32
        ),
        wire.encode_server_hello(cipher_suite=0x1301, version=0x0304, group=0x11EC, hrr=True),
        wire.encode_certificate((b"\x30\x01a", b"\x30\x02bc"), True),
        b"\x03\x00\x17\x03\x04ab\x04\x03\x00\x02xy",
        b"\x08\x04\x00\x03sig",
    ]


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=300))
def test_parsers_never_raise_anything_but_wire_errors(data: bytes) -> None:
    for parse in _PARSERS:
        try:
            parse(data)
        except WireError as exc:
            assert exc.kind in (ErrorKind.PROTOCOL_ERROR, ErrorKind.NOT_TLS, ErrorKind.TOO_LARGE)


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(_valid_samples()),
    st.integers(min_value=0, max_value=400),
    st.integers(min_value=0, max_value=255),
    st.integers(min_value=0, max_value=400),
)
def test_mutated_messages_never_escape(sample: bytes, pos: int, value: int, cut: int) -> None:
    mutated = bytearray(sample)
    if mutated:
        mutated[pos % len(mutated)] = value
    for data in (bytes(mutated), bytes(mutated[: cut % (len(mutated) + 1)])):
        for parse in _PARSERS:
            with contextlib.suppress(WireError):
                parse(data)
