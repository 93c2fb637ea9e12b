"""SSH server responses: the banner, binary packets, KEXINIT name-lists and key exchange
replies, replayed through the real Transport, and host keys and signatures.

The contract: reading a server (identification, KEXINIT, the chosen method's reply) ends in a
result or in SshProtocolError / ConnectionClosed (which the probe maps to error kinds); a host
key blob parses or raises SshWireError; ``hostkeys.verify`` answers a Capability, never raises.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import os

from hypothesis import given
from hypothesis import strategies as st

from pqcscan.collectors.certs.formats.ssh import SshWireError, key_from_blob
from pqcscan.collectors.certs.parsed import KeyKind
from pqcscan.collectors.ssh import hostkeys, kex, wire
from pqcscan.collectors.ssh.transport import Transport
from pqcscan.collectors.ssh.wire import ConnectionClosed, KexInit, SshProtocolError
from pqcscan.results import Capability
from tests.fuzz.mutate import fuzz, mutated
from tests.fuzz.replay import Sink
from tests.fuzz.seeds import demo_tree

BANNER = b"SSH-2.0-OpenSSH_9.9p1 Debian-3\r\n"
CLIENT = b"SSH-2.0-pqcscan_fuzz"
PRE_BANNER = (b"", b"Welcome\r\n", b"x" * 200 + b"\n", b"\r\n" * 50)


@functools.cache
def host_keys() -> list[bytes]:
    """Public host key blobs of the demo tree (Ed25519, ECDSA, RSA, a certificate)."""
    tree = demo_tree()
    blobs = []
    for name in (
        "etc/ssh/ssh_host_ed25519_key.pub",
        "etc/ssh/ssh_host_ecdsa_key.pub",
        "etc/ssh/ssh_host_rsa_key.pub",
        "home/ops/.ssh/id_ed25519-cert.pub",
    ):
        blobs.append(base64.b64decode(tree[name].split()[1]))
    return blobs


def _kexinit(kex_names: tuple[str, ...]) -> bytes:
    return wire.build_kexinit(
        KexInit(
            kex=kex_names,
            host_key=("ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512"),
            ciphers_c2s=("aes128-ctr",),
            ciphers_s2c=("aes128-ctr",),
            macs_c2s=("hmac-sha2-256",),
            macs_s2c=("hmac-sha2-256",),
            compression_c2s=("none",),
            compression_s2c=("none",),
        )
    )


@functools.cache
def exchanges() -> list[bytes]:
    """Whole server streams: identification, KEXINIT offering one method, and that method's
    reply built by our own server side (a valid host key, a signature of the right shape)."""
    streams = []
    key = host_keys()[0]
    signature = wire.string(b"ssh-ed25519") + wire.string(bytes(64))
    for name in sorted(kex.SERVER_METHODS):
        method = kex.METHODS[name]
        client = kex.METHODS[name]
        _private, public = client._keypair()  # type: ignore[attr-defined]
        init = bytes([wire.MSG_KEX_ECDH_INIT]) + client._encode(public)  # type: ignore[attr-defined]
        reply = method.respond(init, b"", key, lambda h: signature)
        streams.append(BANNER + wire.frame(_kexinit((name,))) + wire.frame(reply))
    gex_group = bytes([wire.MSG_KEX_ECDH_REPLY]) + wire.mpint(kex.modp_prime(2048)) + wire.mpint(2)
    streams.append(
        BANNER
        + wire.frame(_kexinit(("diffie-hellman-group-exchange-sha256",)))
        + wire.frame(gex_group)
        + wire.frame(
            bytes([wire.MSG_KEX_DH_GEX_REPLY])
            + wire.string(key)
            + wire.mpint(5)
            + wire.string(signature)
        )
    )
    return streams


async def _exchange(data: bytes) -> None:
    reader = asyncio.StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    deadline = asyncio.get_running_loop().time() + 5
    t = Transport(reader, Sink(), deadline)  # type: ignore[arg-type]
    try:
        banner, _ = await t.read_identification()
        assert banner is not None
        payload = await t.read_message(wire.MSG_KEXINIT)
        server = wire.parse_kexinit(payload)
        hostkeys.group_algorithms(server.host_key)
        method = kex.choose(server.kex)
        if method is None:
            return
        prefix = kex.exchange_prefix(CLIENT, t.peer_identification, b"\x14" + bytes(40), payload)
        reply = await method.run(t, prefix)
    except (SshProtocolError, ConnectionClosed):
        return
    check_host_key(reply.host_key, reply.signature, reply.exchange_hash)


def check_host_key(blob: bytes, signature: bytes, h: bytes) -> None:
    """What the probe does with a reply's host key: verify the signature, read the key."""
    for algorithm in ("ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-256", "ssh-dss"):
        _, capability = hostkeys.verify(algorithm, blob, signature, h)
        assert isinstance(capability, Capability)
    with contextlib.suppress(SshWireError):
        key_from_blob(blob, KeyKind.PUBLIC, "ssh-host-key")


@fuzz(300)
@given(data=st.deferred(lambda: mutated(exchanges(), max_mutations=3)))
def test_server_stream_ends_in_a_result_or_protocol_error(data: bytes) -> None:
    asyncio.run(_exchange(data))


@fuzz(150)
@given(
    pre=st.sampled_from(PRE_BANNER),
    count=st.sampled_from((0, 1, 100, 5000)),
    banner=st.binary(max_size=300),
)
def test_banner_lines(pre: bytes, count: int, banner: bytes) -> None:
    """Endless pre-banner lines, odd identification strings."""
    asyncio.run(_exchange(pre * count + b"SSH-" + banner + b"\r\n"))


@fuzz(300)
@given(payload=st.deferred(lambda: mutated([_kexinit(tuple(kex.METHODS))], max_mutations=4)))
def test_kexinit_parses_or_raises_protocol_error(payload: bytes) -> None:
    try:
        parsed = wire.parse_kexinit(payload)
    except SshProtocolError:
        return
    hostkeys.group_algorithms(parsed.host_key)
    kex.choose(parsed.kex)


@fuzz(100)
@given(
    names=st.sampled_from((1, 512, 513, 20_000)),
    size=st.sampled_from((1, 64, 1 << 10, 1 << 20)),
)
def test_huge_name_lists(names: int, size: int) -> None:
    """Many names, or one name of a MiB: a KEXINIT that big is refused or read, never more."""
    name = "a" * max(size // max(names, 1), 1)
    body = wire.string(",".join([name] * names).encode())
    payload = bytes([wire.MSG_KEXINIT]) + bytes(16) + body * 10 + b"\x00" + bytes(4)
    with contextlib.suppress(SshProtocolError):
        wire.parse_kexinit(payload)
    asyncio.run(_exchange(BANNER + wire.frame(payload)))


@fuzz(100)
@given(length=st.sampled_from((0, 1, 4, 5, 0x40000, 0x40001, 0x7FFFFFFF, 0xFFFFFFFF)))
def test_packet_lengths(length: int) -> None:
    asyncio.run(_exchange(BANNER + length.to_bytes(4, "big") + os.urandom(64)))


@fuzz(300)
@given(
    blob=st.deferred(lambda: mutated(host_keys(), max_mutations=3)),
    signature=st.binary(max_size=200),
)
def test_host_keys_and_signatures(blob: bytes, signature: bytes) -> None:
    check_host_key(blob, signature, bytes(32))
    check_host_key(blob, wire.string(b"ssh-ed25519") + wire.string(signature), bytes(32))
