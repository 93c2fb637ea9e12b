"""Probe one SSH endpoint: identification, KEXINIT, and one host key per key the server has.

Connection 1 reads the server's identification string and KEXINIT and, when host keys are
wanted, goes on to fetch the first host key; each further key (RSA's three signature names
count as one key) costs one more connection. Every connection is bounded by
``timeout`` seconds and all of them together by the endpoint's deadline; what the deadline
cuts off is reported as not tested ("out of time budget"), never as absent.

Nothing here raises for a bad server: :func:`probe` returns an :class:`SshProbe` holding what
was learned and, when the first connection failed, a :class:`ProbeFailure` with its kind.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from pqcscan.collectors.certs.formats.ssh import SshWireError, key_type_of
from pqcscan.collectors.ssh import hostkeys, kex, wire
from pqcscan.collectors.ssh.hostkeys import HostKeyGroup
from pqcscan.collectors.ssh.transport import Transport
from pqcscan.collectors.ssh.wire import Banner, KexInit, SshDisconnect, SshProtocolError
from pqcscan.net.pacing import open_connection
from pqcscan.results import Capability, ErrorKind, Support
from pqcscan.targets.model import Endpoint

#: Opens a TCP connection within ``timeout`` seconds. Failures raise an exception with an
#: ``ErrorKind`` in ``.kind`` (``pqcscan.net``'s ``ConnectFailure``), or ``OSError`` /
#: ``TimeoutError``. The default is :func:`pqcscan.net.pacing.open_connection` (unpaced).
Connector = Callable[
    [Endpoint, float], Awaitable[tuple[asyncio.StreamReader, asyncio.StreamWriter]]
]

#: The software version in our identification string.
CLIENT_SOFTWARE = "pqcscan_0.1"
_RETRYABLE = (ErrorKind.TIMEOUT, ErrorKind.RESET)


@dataclass(frozen=True, slots=True)
class ProbeFailure:
    kind: ErrorKind
    message: str


def failure_of(exc: BaseException) -> ProbeFailure:
    """Map an exception met while probing to an error kind and a message."""
    kind = getattr(exc, "kind", None)
    text = str(exc) or type(exc).__name__
    if isinstance(kind, ErrorKind):
        return ProbeFailure(kind, text)
    if isinstance(exc, TimeoutError):
        return ProbeFailure(ErrorKind.TIMEOUT, text if str(exc) else "timed out")
    if isinstance(exc, ConnectionRefusedError):
        return ProbeFailure(ErrorKind.REFUSED, "connection refused")
    if isinstance(exc, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
        return ProbeFailure(ErrorKind.RESET, "connection reset by the peer")
    if isinstance(exc, OSError):
        reason = os.strerror(exc.errno) if exc.errno else text
        if exc.errno == errno.ECONNREFUSED:
            return ProbeFailure(ErrorKind.REFUSED, reason)
        if exc.errno in (errno.ETIMEDOUT, errno.EHOSTUNREACH, errno.ENETUNREACH):
            return ProbeFailure(ErrorKind.TIMEOUT, reason)  # as pqcscan.net maps unreachable
        return ProbeFailure(ErrorKind.RESET, reason)
    return ProbeFailure(ErrorKind.PROTOCOL_ERROR, f"unexpected {type(exc).__name__}: {text}")


NOT_FETCHED = Capability(Support.NOT_TESTED, "host key not fetched")


@dataclass(frozen=True, slots=True)
class HostKeyResult:
    """The outcome of fetching one host key (one group of algorithm names)."""

    group: HostKeyGroup
    state: Capability  # supported: fetched; not-tested: why not
    algorithm: str | None = None  # the host-key algorithm that was negotiated
    kex: str | None = None  # the key exchange that carried it
    blob: bytes | None = None  # K_S: the host key or certificate blob
    signature_algorithm: str | None = None
    verified: Capability = NOT_FETCHED
    group_bits: int | None = None  # DH group size (group exchange: as the server chose)


@dataclass(frozen=True, slots=True)
class SshProbe:
    """Everything learned from one endpoint."""

    endpoint: Endpoint
    banner: Banner | None = None
    pre_banner: tuple[str, ...] = ()
    kexinit: KexInit | None = None
    host_keys: tuple[HostKeyResult, ...] = ()
    failure: ProbeFailure | None = None
    #: Why host keys were not fetched at all ("SSH-1 only server", "no common kex"...).
    host_keys_note: str = ""


@dataclass(frozen=True, slots=True)
class ProbeSettings:
    timeout: float = 10.0  # seconds per connection
    retries: int = 1  # extra attempts of the first connection after a timeout or reset
    fetch_host_keys: bool = True
    software: str = CLIENT_SOFTWARE


@dataclass(slots=True)
class _Session:
    transport: Transport
    identification: bytes  # ours, without CR LF
    banner: Banner
    pre_banner: tuple[str, ...]
    kexinit: KexInit | None = None
    kexinit_payload: bytes = b""


class _Prober:
    def __init__(
        self, endpoint: Endpoint, settings: ProbeSettings, connect: Connector, deadline: float
    ) -> None:
        self.endpoint = endpoint
        self.settings = settings
        self.connect = connect
        self.deadline = deadline

    def _left(self) -> float:
        return self.deadline - asyncio.get_running_loop().time()

    async def run(self) -> SshProbe:
        session: _Session | None = None
        banner: Banner | None = None
        attempts = 1 + max(0, self.settings.retries)
        failure: ProbeFailure | None = None
        for _ in range(attempts):
            try:
                session = await self._first_session()
                failure = None
                break
            except _PartialFailure as partial:
                banner, failure = partial.banner, partial.failure
                if banner is not None or failure.kind not in _RETRYABLE or self._left() <= 0:
                    break
        if session is None:
            assert failure is not None
            return SshProbe(self.endpoint, banner, (), None, failure=failure)
        if session.kexinit is None:  # SSH-1 only
            await session.transport.close()
            return SshProbe(
                self.endpoint,
                session.banner,
                session.pre_banner,
                host_keys_note=f"SSH-{session.banner.proto_version} server: no SSH-2 KEXINIT",
            )
        kexinit = session.kexinit
        if not self.settings.fetch_host_keys:
            await self._goodbye(session.transport)
            return SshProbe(self.endpoint, session.banner, session.pre_banner, kexinit)
        host_keys, note = await self._host_keys(session)
        return SshProbe(
            self.endpoint,
            session.banner,
            session.pre_banner,
            kexinit,
            host_keys,
            host_keys_note=note,
        )

    async def _first_session(self) -> _Session:
        """:meth:`_open_session`; a failure carries the banner if it was read before."""
        banner_seen: list[Banner] = []
        try:
            return await self._open_session(banner_seen)
        except Exception as exc:
            raise _PartialFailure(banner_seen[0] if banner_seen else None, failure_of(exc)) from exc

    async def _open_session(self, banner_seen: list[Banner]) -> _Session:
        """Connect, exchange identification strings and, for SSH-2, read the KEXINIT."""
        left = self._left()
        if left <= 0:
            raise TimeoutError("out of time budget")
        reader, writer = await self.connect(self.endpoint, min(self.settings.timeout, left))
        loop = asyncio.get_running_loop()
        t = Transport(reader, writer, min(loop.time() + self.settings.timeout, self.deadline))
        try:
            ours = wire.identification(self.settings.software)
            await t.send(ours)  # at once: an HTTP or TLS server answers it, so we learn fast
            banner, pre = await t.read_identification()
            banner_seen.append(banner)
            session = _Session(t, ours.rstrip(b"\r\n"), banner, pre)
            if not banner.ssh2:
                return session
            t.stage = "the server's KEXINIT"
            session.kexinit_payload = await t.read_message(wire.MSG_KEXINIT)
            session.kexinit = wire.parse_kexinit(session.kexinit_payload)
            return session
        except BaseException:
            await t.close()
            raise

    async def _goodbye(self, t: Transport) -> None:
        with contextlib.suppress(Exception):  # already gone: nothing to say goodbye to
            await t.send_packet(wire.disconnect(11, "pqcscan: inventory probe done"))
        await t.close()

    async def _host_keys(self, first: _Session) -> tuple[tuple[HostKeyResult, ...], str]:
        kexinit = first.kexinit
        assert kexinit is not None
        groups = hostkeys.group_algorithms(kexinit.host_key)
        method = kex.choose(kexinit.kex)
        if method is None:
            await self._goodbye(first.transport)
            offered = ", ".join(n for n in kexinit.kex if not _signal(n)) or "none"
            note = f"no key exchange method this scanner implements (server offers: {offered})"
            return tuple(
                HostKeyResult(g, Capability(Support.NOT_TESTED, note)) for g in groups
            ), note
        results: list[HostKeyResult] = []
        session: _Session | None = first
        for group in groups:
            if self._left() <= 0:
                results.append(
                    HostKeyResult(group, Capability(Support.NOT_TESTED, "out of time budget"))
                )
                continue
            try:
                if session is None:
                    session = await self._open_session([])
                results.append(await self._fetch(session, group, method))
            except Exception as exc:
                if self._left() <= 0:
                    state = Capability(Support.NOT_TESTED, f"out of time budget ({exc})")
                else:
                    state = _not_tested(exc)
                results.append(HostKeyResult(group, state))
            finally:
                if session is not None:
                    await self._goodbye(session.transport)
                session = None
        return tuple(results), ""

    async def _fetch(
        self, session: _Session, group: HostKeyGroup, method: kex.KexMethod
    ) -> HostKeyResult:
        server = session.kexinit
        if server is None:
            raise SshProtocolError("the server sent no KEXINIT on this connection")
        if method.name not in server.kex:  # the server changed its mind between connections
            raise SshProtocolError(f"{method.name} no longer offered")
        algorithm = group.request
        ours = KexInit(
            kex=(method.name,),
            host_key=(algorithm,),
            ciphers_c2s=server.ciphers_c2s,
            ciphers_s2c=server.ciphers_s2c,
            macs_c2s=server.macs_c2s,
            macs_s2c=server.macs_s2c,
            compression_c2s=server.compression_c2s,
            compression_s2c=server.compression_s2c,
            cookie=os.urandom(16),
        )
        payload = wire.build_kexinit(ours)
        t = session.transport
        await t.send_packet(payload)
        prefix = kex.exchange_prefix(
            session.identification, t.peer_identification, payload, session.kexinit_payload
        )
        reply = await method.run(t, prefix)
        try:
            blob_type = key_type_of(reply.host_key)
        except SshWireError:
            raise SshProtocolError("the server's host key blob is malformed") from None
        if blob_type != group.key_type:
            raise SshProtocolError(f"asked for {algorithm}, the server sent a {blob_type} key")
        sig_name, verified = hostkeys.verify(
            algorithm, reply.host_key, reply.signature, reply.exchange_hash
        )
        return HostKeyResult(
            group,
            Capability(Support.SUPPORTED, f"fetched with {method.name}"),
            algorithm,
            method.name,
            reply.host_key,
            sig_name or None,
            verified,
            reply.group_bits,
        )


class _PartialFailure(Exception):
    def __init__(self, banner: Banner | None, failure: ProbeFailure) -> None:
        super().__init__(failure.message)
        self.banner = banner
        self.failure = failure


def _signal(name: str) -> bool:
    return name.startswith(("ext-info-", "kex-strict-"))


def _not_tested(exc: BaseException) -> Capability:
    if isinstance(exc, SshDisconnect):
        return Capability(Support.NOT_TESTED, str(exc))
    f = failure_of(exc)
    return Capability(Support.NOT_TESTED, f"{f.kind.value}: {f.message}")


async def probe(
    endpoint: Endpoint,
    settings: ProbeSettings,
    connect: Connector = open_connection,
    budget: float = 60.0,
) -> SshProbe:
    """Probe ``endpoint`` within ``budget`` seconds in all. Never raises for a bad server."""
    deadline = asyncio.get_running_loop().time() + budget
    try:
        return await _Prober(endpoint, settings, connect, deadline).run()
    except Exception as exc:  # a bug of ours must not end a scan of thousands of endpoints
        return SshProbe(endpoint, failure=failure_of(exc))
