"""SSH wire format: identification strings, packets, name-lists, mpints, KEXINIT."""

from __future__ import annotations

import contextlib
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pqcscan.collectors.ssh import wire
from pqcscan.collectors.ssh.wire import (
    KexInit,
    NotSshError,
    Reader,
    SshProtocolError,
    build_kexinit,
    parse_banner,
    parse_kexinit,
)

# A KEXINIT as Debian's OpenSSH 9.2 sends it (lists copied from a captured server KEXINIT).
OPENSSH_92 = KexInit(
    kex=(
        "sntrup761x25519-sha512@openssh.com",
        "curve25519-sha256",
        "curve25519-sha256@libssh.org",
        "ecdh-sha2-nistp256",
        "diffie-hellman-group14-sha256",
        "kex-strict-s-v00@openssh.com",
    ),
    host_key=("rsa-sha2-512", "rsa-sha2-256", "ecdsa-sha2-nistp256", "ssh-ed25519"),
    ciphers_c2s=("chacha20-poly1305@openssh.com", "aes128-ctr", "aes256-gcm@openssh.com"),
    ciphers_s2c=("chacha20-poly1305@openssh.com", "aes128-ctr", "aes256-gcm@openssh.com"),
    macs_c2s=("umac-64-etm@openssh.com", "hmac-sha2-256"),
    macs_s2c=("umac-64-etm@openssh.com", "hmac-sha2-256"),
    compression_c2s=("none", "zlib@openssh.com"),
    compression_s2c=("none", "zlib@openssh.com"),
    cookie=bytes(range(16)),
)


def kexinit_by_hand(lists: list[bytes], follows: int = 0) -> bytes:
    """A KEXINIT payload assembled field by field from RFC 4253 §7.1, not by the code."""
    out = bytes([20]) + b"C" * 16
    for item in lists:
        out += struct.pack(">I", len(item)) + item
    return out + bytes([follows]) + b"\0\0\0\0"


@pytest.mark.parametrize(
    ("line", "version", "software", "comments"),
    [
        (b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", "2.0", "OpenSSH_9.2p1", "Debian-2"),
        (b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10", "2.0", "OpenSSH_9.2p1", "Debian-2+deb12u10"),
        (b"SSH-1.99-Cisco-1.25\r\n", "1.99", "Cisco-1.25", ""),
        (b"SSH-1.5-OpenSSH_2.5.2p2\n", "1.5", "OpenSSH_2.5.2p2", ""),
        (b"SSH-2.0-dropbear_2022.83\r\n", "2.0", "dropbear_2022.83", ""),
        (b"SSH-2.0-\r\n", "2.0", "", ""),
    ],
)
def test_banner(line: bytes, version: str, software: str, comments: str) -> None:
    banner = parse_banner(line)
    assert (banner.proto_version, banner.software, banner.comments) == (version, software, comments)
    assert banner.raw == line.rstrip(b"\r\n").decode()
    assert banner.ssh2 == (version in ("2.0", "1.99"))
    assert banner.ssh1 == version.startswith("1.")


def test_banner_product_and_version() -> None:
    banner = parse_banner(b"SSH-2.0-OpenSSH_9.2p1 Debian-2")
    assert (banner.product, banner.product_version) == ("OpenSSH", "9.2p1")
    assert parse_banner(b"SSH-2.0-Cisco-1.25").product_version == ""


@pytest.mark.parametrize(
    ("line", "error"),
    [
        (b"HTTP/1.1 400 Bad Request\r\n", NotSshError),
        (b"SSH-2.0", SshProtocolError),  # no software part
        (b"SSH-two-OpenSSH\r\n", SshProtocolError),
        (b"SSH-2.0-Open\x00SSH\r\n", SshProtocolError),
        (b"SSH-2.0-" + b"A" * 2000 + b"\r\n", SshProtocolError),
    ],
)
def test_bad_banner(line: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        parse_banner(line)


def test_our_identification() -> None:
    assert wire.identification("pqcscan_0.1") == b"SSH-2.0-pqcscan_0.1\r\n"
    assert len(wire.identification("pqcscan_0.1")) <= 255


@pytest.mark.parametrize(
    ("value", "encoded"),
    [  # the examples of RFC 4251 §5
        (0, "00000000"),
        (0x9A378F9B2E332A7, "0000000809a378f9b2e332a7"),
        (0x80, "000000020080"),
        (-0x1234, "00000002edcc"),
        (-0xDEADBEEF, "00000005ff21524111"),
    ],
)
def test_mpint_rfc4251_examples(value: int, encoded: str) -> None:
    assert wire.mpint(value).hex() == encoded
    assert Reader(bytes.fromhex(encoded)).mpint() == value


@given(st.integers(min_value=-(2**600), max_value=2**600))
def test_mpint_roundtrip(value: int) -> None:
    assert Reader(wire.mpint(value)).mpint() == value


def test_name_lists() -> None:
    assert wire.decode_name_list(b"") == ()
    assert wire.decode_name_list(b"zlib,none") == ("zlib", "none")
    assert wire.decode_name_list(b"a,,b") == ("a", "b")  # empty names are dropped
    with pytest.raises(SshProtocolError):
        wire.decode_name_list(b"caf\xc3\xa9")
    with pytest.raises(SshProtocolError):
        wire.decode_name_list(b"a b")
    with pytest.raises(SshProtocolError):
        wire.decode_name_list(b",".join([b"x"] * (wire.MAX_NAMES + 1)))


def test_parse_kexinit_by_hand() -> None:
    lists = [
        b"mlkem768x25519-sha256,ext-info-s",
        b"ssh-ed25519",
        b"aes256-gcm@openssh.com",
        b"aes128-ctr",
        b"hmac-sha2-512",
        b"hmac-sha1",
        b"none",
        b"none,zlib",
        b"",
        b"en-US",
    ]
    k = parse_kexinit(kexinit_by_hand(lists, follows=1))
    assert k.kex == ("mlkem768x25519-sha256", "ext-info-s")
    assert k.host_key == ("ssh-ed25519",)
    assert (k.ciphers_c2s, k.ciphers_s2c) == (("aes256-gcm@openssh.com",), ("aes128-ctr",))
    assert k.ciphers == ("aes256-gcm@openssh.com", "aes128-ctr")
    assert (k.macs_c2s, k.macs_s2c) == (("hmac-sha2-512",), ("hmac-sha1",))
    assert k.compression == ("none", "zlib")
    assert (k.languages_c2s, k.languages_s2c) == ((), ("en-US",))
    assert k.first_kex_follows and k.ext_info and not k.strict_kex
    assert k.cookie == b"C" * 16


def test_kexinit_roundtrip() -> None:
    payload = build_kexinit(OPENSSH_92)
    assert payload[0] == wire.MSG_KEXINIT and payload[1:17] == bytes(range(16))
    assert parse_kexinit(payload) == OPENSSH_92
    assert OPENSSH_92.strict_kex and not OPENSSH_92.ext_info


@pytest.mark.parametrize("cut", [1, 17, 20, 40, -5, -1])
def test_truncated_kexinit_is_a_protocol_error(cut: int) -> None:
    payload = build_kexinit(OPENSSH_92)
    with pytest.raises(SshProtocolError, match="truncated"):
        parse_kexinit(payload[:cut])


def test_kexinit_name_list_longer_than_the_message() -> None:
    payload = bytes([20]) + bytes(16) + struct.pack(">I", 0x7FFFFFFF) + b"curve25519-sha256"
    with pytest.raises(SshProtocolError):
        parse_kexinit(payload)


def test_kexinit_wrong_message_number() -> None:
    with pytest.raises(SshProtocolError):
        parse_kexinit(bytes([21]) + build_kexinit(OPENSSH_92)[1:])


def test_frame() -> None:
    for size in range(1, 40):
        packet = wire.frame(b"x" * size)
        length, padding = struct.unpack(">IB", packet[:5])
        assert length == len(packet) - 4
        assert len(packet) % 8 == 0
        assert 4 <= padding < 4 + 8
        assert wire.packet_payload(packet[4:]) == b"x" * size


def test_packet_bounds() -> None:
    wire.check_packet_length(12)
    with pytest.raises(SshProtocolError):
        wire.check_packet_length(0x80000000)  # "2 GB"
    with pytest.raises(SshProtocolError):
        wire.check_packet_length(wire.MAX_PACKET + 1)
    with pytest.raises(SshProtocolError):
        wire.check_packet_length(1)
    with pytest.raises(SshProtocolError, match="no payload"):
        wire.packet_payload(bytes([10]) + b"\0" * 5)


def test_disconnect_roundtrip() -> None:
    error = wire.parse_disconnect(wire.disconnect(2, "bad packet"))
    assert error.code == 2 and "protocol error" in str(error) and "bad packet" in str(error)
    assert wire.parse_disconnect(bytes([1, 0])).code == 0  # truncated: still an error value


# -- fuzzing: whatever the bytes, only SshProtocolError -----------------------------------


@settings(max_examples=400)
@given(st.binary(max_size=600))
def test_fuzz_kexinit(data: bytes) -> None:
    with contextlib.suppress(SshProtocolError):
        parse_kexinit(bytes([20]) + data)


@settings(max_examples=200)
@given(
    st.lists(
        st.lists(st.sampled_from(["a", "b-c", "x@y.z", "ñ", "", ",", " "]), max_size=4),
        min_size=10,
        max_size=10,
    ),
    st.binary(max_size=8),
)
def test_fuzz_kexinit_lists(lists: list[list[str]], tail: bytes) -> None:
    payload = kexinit_by_hand([",".join(x).encode() for x in lists]) + tail
    try:
        k = parse_kexinit(payload)
    except SshProtocolError:
        return
    assert all("," not in name and name for name in k.kex + k.host_key)


@settings(max_examples=300)
@given(st.binary(max_size=300))
def test_fuzz_banner(data: bytes) -> None:
    with contextlib.suppress(SshProtocolError):
        parse_banner(b"SSH-" + data)


@settings(max_examples=300)
@given(st.binary(max_size=64))
def test_fuzz_reader(data: bytes) -> None:
    r = Reader(data)
    try:
        while True:
            r.string()
            r.mpint()
            r.name_list()
    except SshProtocolError:
        pass
