"""SshCollector: options, units, the injected connector, and failures as data."""

from __future__ import annotations

import asyncio
import pickle
import socket
from typing import cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pqcscan.collectors.base import AsyncCollector
from pqcscan.collectors.ssh import Connector, SshCollector, SshOptions, parse_target, wire
from pqcscan.collectors.ssh.probe import failure_of
from pqcscan.results import ErrorKind
from pqcscan.targets.model import Endpoint


def test_is_an_async_collector() -> None:
    collector: AsyncCollector = SshCollector([Endpoint("127.0.0.1", 22)])
    assert collector.name == "ssh"
    assert collector.concurrency == 64 and collector.budget == 60.0


@pytest.mark.parametrize(
    ("spec", "address", "port"),
    [
        ("127.0.0.1", "127.0.0.1", 22),
        ("127.0.0.1:2222", "127.0.0.1", 2222),
        ("::1", "::1", 22),
        ("[::1]:2200", "::1", 2200),
        ("[::1]", "::1", 22),
    ],
)
def test_parse_target(spec: str, address: str, port: int) -> None:
    assert parse_target(spec) == Endpoint(address, port)


@pytest.mark.parametrize(
    "spec", ["bastion.example.test", "127.0.0.1:0", "127.0.0.1:99999", "[::1", "1.2.3.4:x"]
)
def test_parse_target_rejects(spec: str) -> None:
    with pytest.raises(ValueError):
        parse_target(spec)


def test_units_keys_and_arguments() -> None:
    c = SshCollector(["127.0.0.1", Endpoint("127.0.0.2", 2222), "not-an-ip"], SshOptions(port=2022))
    units = list(c.units())
    assert units[:2] == [Endpoint("127.0.0.1", 2022), Endpoint("127.0.0.2", 2222)]
    assert [c.unit_key(u) for u in units] == ["127.0.0.1:2022", "127.0.0.2:2222", "not-an-ip"]
    args = c.arguments()
    assert args["port"] == 2022 and args["targets"] == ["127.0.0.1", "127.0.0.2:2222", "not-an-ip"]
    assert pickle.loads(pickle.dumps(c)).options == c.options


def test_bad_unit_is_an_error_item() -> None:
    item = asyncio.run(SshCollector([]).collect_one_async("not-an-ip"))
    assert [e.kind for e in item.errors] == [ErrorKind.OUT_OF_SCOPE]


@pytest.mark.parametrize(
    "bad", [{"port": 0}, {"timeout": 0}, {"budget": -1}, {"concurrency": 0}, {"retries": -1}]
)
def test_options_are_checked(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        SshOptions(**bad)  # type: ignore[arg-type]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens once it is closed


def test_refused() -> None:
    endpoint = Endpoint("127.0.0.1", _closed_port())
    item = SshCollector([endpoint], SshOptions(retries=0)).collect_sync(endpoint)
    assert [(e.kind, e.locator) for e in item.errors] == [(ErrorKind.REFUSED, endpoint.locator)]
    assert item.assets == ()


class KindError(Exception):
    """What the shared network front end raises: a failure carrying its ErrorKind."""

    kind = ErrorKind.TIMEOUT


def test_injected_connector_is_used_and_retried_on_timeout() -> None:
    calls: list[tuple[Endpoint, float]] = []

    async def connect(
        endpoint: Endpoint, timeout: float
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        calls.append((endpoint, timeout))
        raise KindError("connect to 127.0.0.9:22 timed out after 2 s")

    endpoint = Endpoint("127.0.0.9", 22)
    c = SshCollector([endpoint], SshOptions(timeout=2, retries=2), connect=connect)
    item = c.collect_sync(endpoint)
    assert len(calls) == 3 and all(t <= 2 for _, t in calls)
    assert [(e.kind, e.message) for e in item.errors] == [
        (ErrorKind.TIMEOUT, "connect to 127.0.0.9:22 timed out after 2 s")
    ]


def test_refused_is_not_retried() -> None:
    calls = []

    async def connect(
        endpoint: Endpoint, timeout: float
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        calls.append(endpoint)
        raise ConnectionRefusedError(111, "Connection refused")

    endpoint = Endpoint("127.0.0.9", 22)
    item = SshCollector([endpoint], SshOptions(retries=3), connect=connect).collect_sync(endpoint)
    assert len(calls) == 1 and item.errors[0].kind is ErrorKind.REFUSED


def test_a_bug_never_escapes() -> None:
    async def connect(
        endpoint: Endpoint, timeout: float
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        raise ZeroDivisionError("oops")

    endpoint = Endpoint("127.0.0.9", 22)
    item = SshCollector([endpoint], connect=connect).collect_sync(endpoint)
    assert (
        item.errors[0].kind is ErrorKind.PROTOCOL_ERROR
        and "ZeroDivisionError" in item.errors[0].message
    )


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (TimeoutError(), ErrorKind.TIMEOUT),
        (ConnectionRefusedError(111, "refused"), ErrorKind.REFUSED),
        (ConnectionResetError(104, "reset"), ErrorKind.RESET),
        (BrokenPipeError(32, "pipe"), ErrorKind.RESET),
        (OSError(113, "No route to host"), ErrorKind.TIMEOUT),
        (KindError("x"), ErrorKind.TIMEOUT),
    ],
)
def test_failure_mapping(exc: BaseException, kind: ErrorKind) -> None:
    assert failure_of(exc).kind is kind


# -- the whole probe against arbitrary server bytes (no network) ----------------------------

_KEXINIT = wire.frame(
    wire.build_kexinit(
        wire.KexInit(
            ("curve25519-sha256", "mlkem768x25519-sha256", "diffie-hellman-group14-sha256"),
            ("ssh-ed25519", "rsa-sha2-512"),
            ("aes128-ctr",),
            ("aes128-ctr",),
            ("hmac-sha2-256",),
            ("hmac-sha2-256",),
            ("none",),
            ("none",),
        )
    )
)


class _Sink:
    def write(self, data: bytes) -> None:
        return None

    async def drain(self) -> None:
        return None

    def close(self) -> None:
        return None

    async def wait_closed(self) -> None:
        return None


def _replaying(server_bytes: bytes) -> Connector:
    async def connect(
        endpoint: Endpoint, timeout: float
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        reader = asyncio.StreamReader()
        reader.feed_data(server_bytes)
        reader.feed_eof()
        return reader, cast(asyncio.StreamWriter, _Sink())

    return connect


KINDS = {ErrorKind.PROTOCOL_ERROR, ErrorKind.RESET, ErrorKind.TIMEOUT}


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_probe_after_banner(data: bytes) -> None:
    endpoint = Endpoint("127.0.0.1", 22)
    c = SshCollector(
        [endpoint], SshOptions(timeout=5, retries=0), connect=_replaying(b"SSH-2.0-fuzz\r\n" + data)
    )
    item = c.collect_sync(endpoint)
    assert {e.kind for e in item.errors} <= KINDS
    assert item.assets  # the banner was read: the endpoint is known


@settings(max_examples=150, deadline=None)
@given(st.binary(min_size=1, max_size=400))
def test_fuzz_probe_key_exchange_reply(data: bytes) -> None:
    """A good KEXINIT, then an arbitrary key-exchange reply: host keys are not tested, the
    endpoint and its algorithm lists stand."""
    endpoint = Endpoint("127.0.0.1", 22)
    stream = b"SSH-2.0-fuzz\r\n" + _KEXINIT + wire.frame(bytes([31]) + data)
    c = SshCollector([endpoint], SshOptions(timeout=5, retries=0), connect=_replaying(stream))
    item = c.collect_sync(endpoint)
    assert not item.errors
    caps = dict(item.assets[0].details_dict()["capabilities"])  # type: ignore[arg-type]
    assert caps["host-key:ssh-ed25519"].startswith("not-tested")
