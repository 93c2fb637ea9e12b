"""The probe engine: what one TLS endpoint accepts, one fresh connection per question.

What it detects, in phases (independent probes of a phase run in parallel, at most
``parallel`` connections at once per endpoint):

1. protocol versions SSL 3.0, TLS 1.0, 1.1, 1.2 and 1.3 (a ClientHello offering only that
   version; a long suite list is retried with a short one before a version counts as refused);
2. cipher suites per version (offer every catalog suite of the version, note the one chosen,
   remove it, repeat: the list is split into chains run in parallel), the ServerKeyExchange of
   each TLS <= 1.2 suite (ECDHE curve, DHE prime size, signature scheme) and its certificate;
   every TLS 1.3 group of the catalog with the HelloRetryRequest technique (one group in
   supported_groups, an empty key_share: HRR naming it means supported, handshake_failure
   means not), PQC and hybrid groups included; the PQ-intolerance check (a full-size
   ClientHello with a real X25519MLKEM768 key share against the same hello without it);
   whether SNI is required;
3. the server's preferred suite and group (offer the accepted ones, then the same reversed:
   the same answer twice means the server enforces its order), TLS 1.2 ECDHE curves (one curve
   offered, the ServerKeyExchange names it), signature schemes (TLS 1.3: one scheme offered,
   ServerHello vs alert; TLS 1.2: the ServerKeyExchange names the scheme used), and the
   certificate chain through a real TLS 1.3 handshake (:mod:`.tls13`) whatever the group;
4. trust validation of the chain (:mod:`.trust`).

Decided things are skipped (no TLS 1.3: its groups and schemes are "not-tested: no TLS 1.3").
Each connection has ``timeout`` seconds for everything; the endpoint has ``budget`` seconds in
all, and what was not reached is "not-tested: out of time budget". Timeouts and resets are
retried ``retries`` times. Inputs: an :class:`~pqcscan.targets.model.Endpoint` and options;
output: a :class:`~pqcscan.collectors.tls.report.TlsReport`. Never raises for a bad server.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache
from typing import TypeVar

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from pqcscan.catalog import CipherSuite, get_catalog
from pqcscan.collectors.tls import keyshare
from pqcscan.collectors.tls.conn import (
    Channel,
    Connect,
    ConnectionStats,
    Limiter,
    ProbeError,
    open_tcp,
)
from pqcscan.collectors.tls.hello import HelloReply, Until, send_hello
from pqcscan.collectors.tls.keyshare import KeyShareError, make_key_share
from pqcscan.collectors.tls.report import (
    SUPPORTED,
    CertificateCheck,
    KeyExchange,
    TlsReport,
    TrustResult,
    VersionReport,
    refused,
    tested,
)
from pqcscan.collectors.tls.starttls import negotiate, protocol_for
from pqcscan.collectors.tls.tls13 import (
    TLS13_SUITES,
    HelloRetry,
    SignatureCheck,
    handshake,
    verify_signature,
)
from pqcscan.collectors.tls.wire import (
    ClientHelloSpec,
    HandshakeType,
    KeyExchangeKind,
    KeyShareEntry,
    ServerHello,
    TlsVersion,
    WireError,
    encode_client_hello,
    parse_certificate,
    parse_server_key_exchange,
    version_label,
)
from pqcscan.results import Capability, ErrorKind, Support
from pqcscan.targets.model import Endpoint

T = TypeVar("T")

#: cryptography curve names -> TLS groups, for ECDSA certificates.
_CURVE_GROUPS = {
    "secp256r1": 0x0017,
    "secp384r1": 0x0018,
    "secp521r1": 0x0019,
    "brainpoolP256r1": 0x001A,
    "brainpoolP384r1": 0x001B,
    "brainpoolP512r1": 0x001C,
    "secp256k1": 0x0016,
    "secp224r1": 0x0015,
    "secp192r1": 0x0013,
}

ALL_VERSIONS = (
    TlsVersion.TLS13,
    TlsVersion.TLS12,
    TlsVersion.TLS11,
    TlsVersion.TLS10,
    TlsVersion.SSL3,
)
OUT_OF_BUDGET = "out of time budget"
_AMBIGUOUS_CURVE = (
    "ambiguous: offered before the certificate's curve, the server chose the certificate's"
)
#: A short list of widely deployed suites, for servers that choke on a long list.
COMMON_SUITES = (
    0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8, 0xC009, 0xC013, 0xC00A, 0xC014,
    0xC023, 0xC027, 0xC024, 0xC028, 0x009E, 0x009F, 0xCCAA, 0x0033, 0x0039, 0x0067,
    0x006B, 0x009C, 0x009D, 0x002F, 0x0035, 0x003C, 0x003D, 0xC012, 0xC008, 0x0016,
    0x000A, 0x0005, 0x0004, 0xC011, 0xC007, 0x0041, 0x0084, 0x0045, 0x0088, 0x0032,
    0x0038, 0x0013, 0x00A2, 0x00A3, 0x0040, 0x006A,
)  # fmt: skip
#: Alerts that may mean "your hello is too long/odd", worth one retry with a short list.
_LIST_TROUBLE_ALERTS = frozenset({22, 47, 50, 80})
#: Fallback order of groups for the real TLS 1.3 handshake.
_SHARE_PREFERENCE = (
    keyshare.X25519,
    keyshare.SECP256R1,
    keyshare.X25519MLKEM768,
    keyshare.SECP384R1,
    keyshare.SECP521R1,
    keyshare.X448,
    keyshare.SECP256R1MLKEM768,
    keyshare.SECP384R1MLKEM1024,
    keyshare.MLKEM768,
    keyshare.MLKEM1024,
    keyshare.MLKEM512,
    0x0100,
    0x0101,
    0x0102,
    0x0103,
    0x0104,
    0x001F,
    0x0020,
    0x0021,
)

# -- what the catalog offers -----------------------------------------------------------------


@cache
def tls13_suites() -> tuple[int, ...]:
    """Every TLS 1.3 suite in the catalog (0x1301-0x1307, SM4, GOST, integrity-only)."""
    return tuple(sorted(c for c, s in get_catalog().cipher_suites.items() if s.tls13))


def _suite_rank(code: int) -> tuple[int, int, int, int]:
    """Strong suites first, as a real client orders them (ECDHE, AEAD, larger keys)."""
    suite = get_catalog().cipher_suite(code)
    if suite is None:
        return (9, 9, 0, code)
    kind, _, anonymous = kx_kind(suite)
    kx = {KeyExchangeKind.ECDHE: 0, KeyExchangeKind.DHE: 1, KeyExchangeKind.NONE: 2}.get(kind, 3)
    mode = suite.cipher.mode if suite.cipher else ""
    cipher = 0 if mode in ("GCM", "CCM", "CHACHA20-POLY1305") else 1 if mode == "CBC" else 2
    bits = suite.cipher.parameter if suite.cipher else ""
    return (kx + (4 if anonymous else 0), cipher, -int(bits) if bits.isdigit() else 0, code)


@cache
def legacy_suites() -> tuple[int, ...]:
    """Every TLS <= 1.2 suite in the catalog, signals (SCSV) excluded, strongest first."""
    codes = [c for c, s in get_catalog().cipher_suites.items() if not s.tls13 and not s.signal]
    return tuple(sorted(codes, key=_suite_rank))


#: Groups a client would list first; the rest follow in code order.
_GROUP_FIRST = (0x11EC, 0x11EB, 0x11ED, 0x001D, 0x0017, 0x0018, 0x0019, 0x001E)


@cache
def all_groups() -> tuple[int, ...]:
    """Every named group in the catalog (classic, ffdhe, ML-KEM, hybrids, drafts)."""
    codes = {
        int(item.key, 16) for (ns, _), item in get_catalog().named.items() if ns == "tls-group"
    }
    first = [g for g in _GROUP_FIRST if g in codes]
    return (*first, *sorted(codes - set(first)))


@cache
def tls12_curves() -> tuple[int, ...]:
    """Groups usable with TLS <= 1.2 ECDHE suites (RFC 8422 curves, X25519, X448)."""
    out = []
    for code in all_groups():
        item = get_catalog().named_identifier("tls-group", code)
        if item is None or item.algorithm not in ("ECDH", "X25519", "X448"):
            continue
        if 0x001F <= code <= 0x0021 or code >= 0xFF00:  # TLS 1.3 brainpool; explicit curves
            continue
        out.append(code)
    return tuple(out)


_SCHEME_FIRST = (
    0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809, 0x080A, 0x080B,
    0x0904, 0x0905, 0x0906, 0x081A, 0x081B, 0x081C, 0x0401, 0x0501, 0x0601,
)  # fmt: skip


@cache
def all_schemes() -> tuple[int, ...]:
    """Every signature scheme in the catalog (TLS 1.2 pairs, TLS 1.3 schemes, ML-DSA),
    modern ones first, then the rest with the SHA-1 and MD5 pairs last."""
    codes = {
        int(item.key, 16)
        for (ns, _), item in get_catalog().named.items()
        if ns == "tls-signature-scheme"
    }
    first = [c for c in _SCHEME_FIRST if c in codes]
    rest = sorted(codes - set(first), key=lambda c: (c >> 8 in (0x01, 0x02), -(c >> 8), c))
    return (*first, *rest)


def kx_kind(suite: CipherSuite | None) -> tuple[KeyExchangeKind, str, bool]:
    """(ServerKeyExchange layout, label, anonymous) for a TLS <= 1.2 suite."""
    if suite is None or suite.key_exchange is None:
        return KeyExchangeKind.OTHER, "unknown", False
    kx = suite.key_exchange
    anonymous = suite.authentication is not None and suite.authentication.algorithm == "anon"
    psk = "PSK" in kx.mode
    if kx.algorithm == "ECDH" and kx.mode.startswith("ephemeral"):
        return (KeyExchangeKind.ECDHE_PSK if psk else KeyExchangeKind.ECDHE), "ECDHE", anonymous
    if kx.algorithm == "DH" and kx.mode.startswith("ephemeral"):
        return (KeyExchangeKind.DHE_PSK if psk else KeyExchangeKind.DHE), "DHE", anonymous
    if kx.algorithm == "RSAES-PKCS1-v1_5":
        return (KeyExchangeKind.PSK if psk else KeyExchangeKind.NONE), "RSA", anonymous
    if kx.mode == "static":
        return KeyExchangeKind.NONE, f"static-{kx.algorithm}", anonymous
    if kx.algorithm == "PSK":
        return KeyExchangeKind.PSK, "PSK", anonymous
    return KeyExchangeKind.OTHER, kx.algorithm, anonymous


def _signed(code: int) -> bool:
    kind, _, anonymous = kx_kind(get_catalog().cipher_suite(code))
    return kind in (KeyExchangeKind.ECDHE, KeyExchangeKind.DHE) and not anonymous


# -- options and attempts ---------------------------------------------------------------------

TrustCheck = Callable[[Sequence[bytes], "str | None", "datetime | None"], TrustResult]


@dataclass(frozen=True, slots=True)
class ProbeOptions:
    """How hard to probe one endpoint."""

    timeout: float = 5.0  # seconds per connection, everything included
    retries: int = 1  # extra attempts after a timeout or reset
    parallel: int = 8  # connections in flight at once for one endpoint
    budget: float = 120.0  # seconds for the whole endpoint
    real_key_share: bool = True  # run the full-size X25519MLKEM768 (PQ-intolerance) check
    starttls: str | None = None  # force a STARTTLS protocol ("none" disables)
    versions: tuple[TlsVersion, ...] = ALL_VERSIONS
    sni: str | None = None  # overrides the endpoint's hostname as SNI
    grease: bool = False
    #: Number of parallel chains a long suite list is split into for enumeration.
    suite_chains: int = 4
    now: datetime | None = None  # validation time for trust checks (default: now)


@dataclass(slots=True)
class Attempt:
    """One ClientHello's fate: a reply (accepted or alert), an error, or no budget left."""

    spec: ClientHelloSpec | None = None
    reply: HelloReply | None = None
    error: ProbeError | None = None
    out_of_budget: bool = False

    @property
    def hello(self) -> ServerHello | None:
        return self.reply.server_hello if self.reply is not None else None

    @property
    def answered(self) -> bool:
        """The server spoke TLS back: a ServerHello/HRR or an alert."""
        return self.reply is not None


@dataclass(slots=True)
class _SuiteRun:
    found: list[int] = field(default_factory=list)
    key_exchanges: dict[int, KeyExchange] = field(default_factory=dict)
    stop: Capability = SUPPORTED


class Prober:
    """Probes one endpoint; ``await Prober(endpoint, options).run()`` gives its report."""

    def __init__(
        self,
        endpoint: Endpoint,
        options: ProbeOptions | None = None,
        *,
        connect: Connect = open_tcp,
        limiter: Limiter | None = None,
        trust: TrustCheck | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.options = options or ProbeOptions()
        self.connect = connect
        self.limiter = limiter
        self.trust = trust
        self.notes: list[str] = []
        self.sni = _sendable_name(self.options.sni or endpoint.sni, self.notes)
        self.starttls = protocol_for(endpoint, self.options.starttls)
        self.stats = ConnectionStats()
        self.errors: dict[tuple[ErrorKind, str], None] = {}
        self.chains: list[tuple[bytes, ...]] = []
        self.tls12_check: CertificateCheck | None = None
        self._deadline = 0.0
        self._slots = asyncio.Semaphore(max(1, self.options.parallel))
        self._long_list_ok: dict[TlsVersion, bool] = {}

    # -- plumbing ---------------------------------------------------------------------------

    def _remaining(self) -> float:
        return self._deadline - asyncio.get_running_loop().time()

    def _note_error(self, error: ProbeError) -> None:
        if error.kind in (ErrorKind.PROTOCOL_ERROR, ErrorKind.NOT_TLS, ErrorKind.TOO_LARGE):
            self.errors.setdefault((error.kind, error.message), None)

    async def _channel(self) -> Channel:
        timeout = min(self.options.timeout, self._remaining())
        channel = await Channel.open(
            self.endpoint, timeout, self.connect, self.limiter, stats=self.stats
        )
        if self.starttls:
            try:
                await negotiate(channel, self.starttls, self.sni or self.endpoint.host)
            except BaseException:
                channel.close()
                raise
        return channel

    async def _attempt(self, build: Callable[[], ClientHelloSpec], until: Until) -> Attempt:
        """One hello on a fresh connection, retried after timeouts and resets."""
        last: ProbeError | None = None
        for _ in range(1 + max(0, self.options.retries)):
            if self._remaining() <= 0.05:
                return Attempt(out_of_budget=True, error=last)
            spec = build()
            try:
                async with self._slots:
                    if self._remaining() <= 0.05:
                        return Attempt(out_of_budget=True, error=last)
                    async with await self._channel() as channel:
                        reply = await send_hello(channel, spec, until)
                return Attempt(spec=spec, reply=reply)
            except ProbeError as exc:
                last = exc
            except (WireError, ValueError, KeyShareError) as exc:  # defensive: never escape
                last = ProbeError(ErrorKind.PROTOCOL_ERROR, str(exc))
            self._note_error(last)
            if last.kind not in (ErrorKind.TIMEOUT, ErrorKind.RESET) or last.closed:
                break
        return Attempt(error=last)

    async def _gather(self, jobs: Sequence[Awaitable[T]]) -> list[T]:
        return list(await asyncio.gather(*jobs))

    # -- ClientHello shapes -----------------------------------------------------------------

    def _hello12(
        self,
        version: TlsVersion,
        suites: Sequence[int],
        *,
        groups: Sequence[int] | None = None,
        schemes: Sequence[int] | None = None,
        sni: bool = True,
    ) -> ClientHelloSpec:
        ssl3 = version == TlsVersion.SSL3
        return ClientHelloSpec(
            legacy_version=version,
            record_version=TlsVersion.SSL3 if ssl3 else TlsVersion.TLS10,
            cipher_suites=tuple(suites),
            server_name=self.sni if sni else None,
            groups=tuple(groups) if groups is not None else (*tls12_curves(), *keyshare.FFDHE),
            signature_schemes=(
                tuple(schemes if schemes is not None else all_schemes())
                if version >= TlsVersion.TLS12
                else ()
            ),
            extensions=not ssl3,
            session_ticket=True,
            grease=self.options.grease,
        )

    def _hello13(
        self,
        *,
        suites: Sequence[int] | None = None,
        groups: Sequence[int] | None = None,
        shares: Sequence[KeyShareEntry] = (),
        schemes: Sequence[int] | None = None,
        versions: Sequence[int] = (TlsVersion.TLS13,),
        sni: bool = True,
    ) -> ClientHelloSpec:
        return ClientHelloSpec(
            legacy_version=TlsVersion.TLS12,
            cipher_suites=tuple(suites if suites is not None else tls13_suites()),
            server_name=self.sni if sni else None,
            supported_versions=tuple(versions),
            groups=tuple(groups if groups is not None else all_groups()),
            key_shares=tuple(shares),
            signature_schemes=tuple(schemes if schemes is not None else all_schemes()),
            psk_modes=True,
            grease=self.options.grease,
        )

    def _short13(self, sni: bool = True) -> ClientHelloSpec:
        share = make_key_share(keyshare.X25519)
        return self._hello13(shares=(KeyShareEntry(share.group, share.public),), sni=sni)

    # -- classification helpers -------------------------------------------------------------

    @staticmethod
    def _refusal(a: Attempt) -> Capability:
        """The capability of a probe that got no ServerHello, on an endpoint that speaks TLS."""
        if a.out_of_budget:
            return tested(OUT_OF_BUDGET)
        if a.reply is not None and a.reply.alert is not None:
            return refused(f"alert {a.reply.alert}")
        if a.reply is not None:
            return refused("no ServerHello")
        if a.error is not None and a.error.closed:
            return refused("connection closed without a reply")
        if a.error is not None and a.error.kind is ErrorKind.RESET:
            return refused("connection reset")
        if a.error is not None:
            return tested(str(a.error))
        return tested("no answer")

    # -- the run ----------------------------------------------------------------------------

    async def run(self) -> TlsReport:
        """Probe the endpoint; never raises for anything the server does."""
        started = time.monotonic()
        self._deadline = asyncio.get_running_loop().time() + self.options.budget
        try:
            report = await self._run()
        except Exception as exc:  # a bug must not kill a mass scan: report it as data
            report = TlsReport(
                endpoint=self.endpoint,
                sni=self.sni,
                starttls=self.starttls,
                errors=(
                    (ErrorKind.PROTOCOL_ERROR, f"internal error: {type(exc).__name__}: {exc}"),
                ),
            )
        return replace(
            report, connections=self.stats.opened, elapsed=round(time.monotonic() - started, 3)
        )

    async def _run(self) -> TlsReport:
        wanted = [v for v in ALL_VERSIONS if v in self.options.versions]
        attempts = await self._gather([self._version_attempt(v) for v in wanted])
        by_version = dict(zip(wanted, attempts, strict=True))
        accepted = {
            v for v, a in by_version.items() if a.hello is not None and a.hello.version == v
        }
        if not accepted:
            return self._failed(by_version)
        versions: dict[TlsVersion, VersionReport] = {}
        for v in ALL_VERSIONS:
            if v not in by_version:
                versions[v] = VersionReport(v, tested("not requested"))
                continue
            a = by_version[v]
            if v in accepted:
                versions[v] = VersionReport(v, SUPPORTED)
                self._take_flight(v, a)
            elif a.hello is not None:
                chosen = version_label(a.hello.version)
                versions[v] = VersionReport(v, refused(f"the server chose {chosen}"))
            else:
                versions[v] = VersionReport(v, self._refusal(a))
        has13 = TlsVersion.TLS13 in accepted
        has12 = TlsVersion.TLS12 in accepted
        #: The version ECDHE curves are probed in: the highest accepted one below TLS 1.3.
        legacy = max((v for v in accepted if v != TlsVersion.TLS13), default=None)

        # Phase 2: suites, TLS 1.3 groups, PQ tolerance, SNI.
        suite_jobs = {v: self._suites(v) for v in ALL_VERSIONS if v in accepted}
        suite_results, groups13, pq, sni = await asyncio.gather(
            self._gather(list(suite_jobs.values())),
            self._groups13() if has13 else _value(None),
            self._pq_tolerance(by_version, has13),
            self._sni_required(accepted),
        )
        suites = dict(zip(suite_jobs, suite_results, strict=True))

        # Phase 3: preferences, TLS 1.2 curves and schemes, TLS 1.3 schemes, certificate.
        supported13 = tuple(g for g, c in (groups13 or ()) if c.state is Support.SUPPORTED)
        ecdhe12 = [
            c
            for c in (suites[legacy].found if legacy is not None else [])
            if kx_kind(get_catalog().cipher_suite(c))[0] is KeyExchangeKind.ECDHE
        ]
        signed12 = [c for c in (suites[TlsVersion.TLS12].found if has12 else []) if _signed(c)]
        pref_jobs = {v: self._suite_preference(v, suites[v].found) for v in suite_jobs}
        pref_results, group_pref13, curves12, schemes12 = await asyncio.gather(
            self._gather(list(pref_jobs.values())),
            self._group_preference13(supported13)
            if has13
            else _value((None, tested("no TLS 1.3"))),
            self._curves12(legacy, ecdhe12) if legacy is not None else _value(None),
            self._schemes12(signed12) if has12 else _value(None),
        )
        preferred13 = group_pref13[0]
        share_group = self._share_group(supported13, preferred13)
        # Scheme probes never finish a handshake: any accepted group will do, the cheapest
        # for both sides first (the certificate is fetched with the preferred group).
        probe_group = self._share_group(supported13, None)
        schemes13, check13 = await asyncio.gather(
            self._schemes13(probe_group) if has13 else _value(None),
            self._fetch13(supported13, share_group) if has13 else _value(None),
        )
        curve_pref12: tuple[int | None, Capability] = (None, tested("no ECDHE curve"))
        if curves12 and legacy is not None:
            found_curves = [g for g, c in curves12 if c.state is Support.SUPPORTED]
            curve_pref12 = await self._group_preference12(legacy, found_curves, ecdhe12)
            if curve_pref12[1].state is Support.NOT_SUPPORTED:
                # The server follows the client's order: listed first and not chosen means
                # not supported.
                curves12 = [
                    (g, refused("not chosen when offered first"))
                    if c.reason == _AMBIGUOUS_CURVE
                    else (g, c)
                    for g, c in curves12
                ]

        # Assemble.
        for v, run in suites.items():
            preferred, order = dict(zip(pref_jobs, pref_results, strict=True))[v]
            versions[v] = replace(
                versions[v],
                suites=tuple(run.found),
                suite_enumeration=run.stop,
                offered_suites=len(tls13_suites() if v == TlsVersion.TLS13 else legacy_suites()),
                preferred_suite=preferred,
                server_suite_order=order,
                key_exchanges=tuple(sorted(run.key_exchanges.items())),
            )
        no13 = tested("no TLS 1.3")
        versions[TlsVersion.TLS13] = replace(
            versions[TlsVersion.TLS13],
            groups=tuple(groups13)
            if groups13 is not None
            else tuple((g, no13) for g in all_groups()),
            preferred_group=preferred13,
            server_group_order=group_pref13[1],
            signature_schemes=(
                tuple(schemes13)
                if schemes13 is not None
                else tuple((s, no13) for s in all_schemes())
            ),
        )
        no12 = tested("no TLS 1.2")
        no_legacy = tested("no TLS 1.2 or earlier")
        if legacy is not None and curves12 is not None:
            versions[legacy] = replace(
                versions[legacy],
                groups=tuple(curves12),
                preferred_group=curve_pref12[0],
                server_group_order=curve_pref12[1],
            )
        elif legacy is None:
            versions[TlsVersion.TLS12] = replace(
                versions[TlsVersion.TLS12], groups=tuple((g, no_legacy) for g in tls12_curves())
            )
        versions[TlsVersion.TLS12] = replace(
            versions[TlsVersion.TLS12],
            signature_schemes=(
                tuple(schemes12)
                if schemes12 is not None
                else tuple((s, no12) for s in all_schemes())
            ),
        )
        chain = self.chains[0] if self.chains else ()
        certificate = check13 or self.tls12_check
        trust = TrustResult(None, "no certificate")
        if chain and self.trust is not None:
            trust = self.trust(chain, self.sni, self.options.now)
        return TlsReport(
            endpoint=self.endpoint,
            sni=self.sni,
            starttls=self.starttls,
            versions=tuple(versions[v] for v in ALL_VERSIONS),
            certificate_chain=chain,
            other_chains=tuple(self.chains[1:]),
            certificate=certificate,
            trust=trust,
            pq_key_share=pq,
            sni_required=sni,
            errors=tuple(self.errors),
            notes=tuple(self.notes),
        )

    def _failed(self, by_version: dict[TlsVersion, Attempt]) -> TlsReport:
        """No version was accepted: the endpoint's error, and what the versions said.

        Versions refused with an alert are "not-supported" (the endpoint speaks TLS, so an
        endpoint asset is kept); everything else is "not-tested" with the failure.
        """
        versions = []
        alerts: list[str] = []
        for v in ALL_VERSIONS:
            a = by_version.get(v)
            if a is None:
                versions.append(VersionReport(v, tested("not requested")))
            elif a.reply is not None and a.reply.alert is not None:
                alerts.append(str(a.reply.alert))
                versions.append(VersionReport(v, self._refusal(a)))
            elif a.hello is not None:
                chosen = version_label(a.hello.version)
                versions.append(VersionReport(v, tested(f"answered with {chosen}, which failed")))
            else:
                versions.append(
                    VersionReport(v, tested(str(a.error) if a.error else OUT_OF_BUDGET))
                )
        errors = [a.error for a in by_version.values() if a.error is not None]
        if any(e.kind in _SERIOUS for e in errors) or not alerts:
            error = _worst(errors) if errors else (ErrorKind.TIMEOUT, OUT_OF_BUDGET)
        else:
            names = ", ".join(sorted(set(alerts)))
            error = (ErrorKind.HANDSHAKE_FAILURE, f"every version refused: {names}")
        all_errors = dict.fromkeys([error, *self.errors])
        return TlsReport(
            endpoint=self.endpoint,
            sni=self.sni,
            starttls=self.starttls,
            versions=tuple(versions),
            errors=tuple(all_errors),
            notes=tuple(self.notes),
        )

    # -- versions ---------------------------------------------------------------------------

    async def _version_attempt(self, v: TlsVersion) -> Attempt:
        if v == TlsVersion.TLS13:
            return await self._attempt(self._short13, Until.SERVER_HELLO)
        a = await self._attempt(lambda: self._hello12(v, legacy_suites()), Until.SERVER_HELLO_DONE)
        self._long_list_ok[v] = a.hello is not None
        trouble = (a.error is not None and (a.error.kind is ErrorKind.RESET or a.error.closed)) or (
            a.reply is not None
            and a.reply.alert is not None
            and a.reply.alert.description in _LIST_TROUBLE_ALERTS
        )
        if a.hello is None and trouble:
            short = await self._attempt(
                lambda: self._hello12(v, COMMON_SUITES), Until.SERVER_HELLO_DONE
            )
            if short.hello is not None:
                self.notes.append(f"{v.label}: the server refused a long suite list")
                return short
        return a

    def _take_flight(self, v: TlsVersion, a: Attempt) -> None:
        """Keep the certificate chain and key exchange a TLS <= 1.2 flight showed."""
        if a.reply is None or a.hello is None or v == TlsVersion.TLS13:
            return
        chain = self._chain_of(a.reply)
        if chain and a.spec is not None and self.tls12_check is None:
            kx = self._key_exchange(v, a)
            ske = a.reply.message(HandshakeType.SERVER_KEY_EXCHANGE)
            scheme = kx.signature_scheme
            check = SignatureCheck(None, "no signed ServerKeyExchange (RSA key transport)")
            if ske is not None and scheme is None:
                check = SignatureCheck(None, f"{v.label} ServerKeyExchange signature not checked")
            if ske is not None and scheme is not None:
                try:
                    parsed = parse_server_key_exchange(
                        ske.body,
                        kx_kind(get_catalog().cipher_suite(a.hello.cipher_suite))[0],
                        v,
                        False,
                    )
                    signed = a.spec.random + a.hello.random + parsed.params
                    check = verify_signature(chain[0], scheme, parsed.signature, signed)
                except WireError as exc:
                    check = SignatureCheck(False, exc.message)
            self.tls12_check = CertificateCheck(
                version=v,
                cipher_suite=a.hello.cipher_suite,
                group=kx.group,
                signature_scheme=scheme,
                signature_valid=check.valid,
                detail=check.detail,
            )

    def _chain_of(self, reply: HelloReply) -> tuple[bytes, ...]:
        msg = reply.message(HandshakeType.CERTIFICATE)
        if msg is None:
            return ()
        try:
            chain = parse_certificate(msg.body, tls13=False)
        except WireError as exc:
            self._note_error(ProbeError(exc.kind, exc.message))
            return ()
        self._add_chain(chain)
        return chain

    def _add_chain(self, chain: tuple[bytes, ...], primary: bool = False) -> None:
        if not chain:
            return
        for i, known in enumerate(self.chains):
            if known[0] == chain[0]:
                if primary and i:
                    self.chains.insert(0, self.chains.pop(i))
                return
        if primary:
            self.chains.insert(0, chain)
        else:
            self.chains.append(chain)

    def _key_exchange(self, v: TlsVersion, a: Attempt) -> KeyExchange:
        assert a.hello is not None and a.reply is not None
        suite = get_catalog().cipher_suite(a.hello.cipher_suite)
        kind, label, anonymous = kx_kind(suite)
        ske = a.reply.message(HandshakeType.SERVER_KEY_EXCHANGE)
        if ske is None or kind in (KeyExchangeKind.NONE, KeyExchangeKind.OTHER):
            return KeyExchange(label)
        try:
            parsed = parse_server_key_exchange(ske.body, kind, v, anonymous)
        except WireError as exc:
            self._note_error(ProbeError(exc.kind, f"ServerKeyExchange: {exc.message}"))
            return KeyExchange(label)
        return KeyExchange(
            kind=label,
            group=parsed.group,
            dh_bits=parsed.dh_bits,
            dh_group=keyshare.ffdhe_name(parsed.dh_p) if parsed.dh_p else None,
            signature_scheme=parsed.signature_scheme,
        )

    # -- suites -----------------------------------------------------------------------------

    def _suite_hello(self, v: TlsVersion, suites: Sequence[int]) -> ClientHelloSpec:
        if v == TlsVersion.TLS13:
            return self._hello13(suites=suites)
        return self._hello12(v, suites)

    async def _suites(self, v: TlsVersion) -> _SuiteRun:
        candidates = list(tls13_suites() if v == TlsVersion.TLS13 else legacy_suites())
        if v == TlsVersion.TLS13:
            chains = 1
        else:
            chains = max(1, self.options.suite_chains)
            if not self._long_list_ok.get(v, True):
                chains = max(chains, (len(candidates) + 39) // 40)
        parts = [candidates[i::chains] for i in range(chains)]
        runs = await self._gather([self._suite_chain(v, part) for part in parts])
        total = _SuiteRun()
        for run in runs:
            total.found.extend(run.found)
            total.key_exchanges.update(run.key_exchanges)
            if run.stop.state is not Support.SUPPORTED:
                total.stop = run.stop
        return total

    async def _suite_chain(self, v: TlsVersion, candidates: list[int]) -> _SuiteRun:
        run = _SuiteRun()
        remaining = list(candidates)
        until = Until.SERVER_HELLO if v == TlsVersion.TLS13 else Until.KEY_EXCHANGE
        while remaining:
            offered = tuple(remaining)
            a = await self._attempt(functools.partial(self._suite_hello, v, offered), until)
            sh = a.hello
            if sh is None:
                refusal = self._refusal(a)
                if refusal.state is Support.NOT_TESTED:
                    run.stop = tested(f"enumeration stopped: {refusal.reason}")
                return run
            if sh.version != v:
                run.stop = tested(f"the server switched to {version_label(sh.version)}")
                return run
            if sh.cipher_suite not in remaining:
                error = ProbeError(
                    ErrorKind.PROTOCOL_ERROR,
                    f"{v.label}: the server chose suite 0x{sh.cipher_suite:04x}, not offered",
                )
                self._note_error(error)
                run.stop = tested(error.message)
                return run
            remaining.remove(sh.cipher_suite)
            run.found.append(sh.cipher_suite)
            if v != TlsVersion.TLS13 and a.reply is not None:
                self._chain_of(a.reply)
                run.key_exchanges[sh.cipher_suite] = self._key_exchange(v, a)
        return run

    async def _suite_preference(
        self, v: TlsVersion, found: Sequence[int]
    ) -> tuple[int | None, Capability]:
        if not found:
            return None, tested("no suite accepted")
        if len(found) == 1:
            return found[0], tested("only one suite accepted")
        forward = sorted(found)
        first, second = await self._gather(
            [
                self._attempt(lambda: self._suite_hello(v, forward), Until.SERVER_HELLO),
                self._attempt(lambda: self._suite_hello(v, forward[::-1]), Until.SERVER_HELLO),
            ]
        )
        if first.hello is None or second.hello is None:
            return None, self._refusal(first if first.hello is None else second)
        if first.hello.cipher_suite == second.hello.cipher_suite:
            return first.hello.cipher_suite, SUPPORTED
        return None, refused("the server follows the client's order")

    # -- groups -----------------------------------------------------------------------------

    async def _groups13(self) -> list[tuple[int, Capability]]:
        async def one(group: int) -> tuple[int, Capability]:
            a = await self._attempt(lambda: self._hello13(groups=(group,)), Until.SERVER_HELLO)
            sh = a.hello
            if sh is None:
                return group, self._refusal(a)
            if sh.version != TlsVersion.TLS13:
                return group, refused(f"the server chose {version_label(sh.version)}")
            if sh.group == group:
                return group, SUPPORTED
            error = ProbeError(
                ErrorKind.PROTOCOL_ERROR,
                f"the server asked for group {sh.group} when offered only 0x{group:04x}",
            )
            self._note_error(error)
            return group, tested(error.message)

        return await self._gather([one(g) for g in all_groups()])

    async def _group_preference13(self, supported: Sequence[int]) -> tuple[int | None, Capability]:
        if not supported:
            return None, tested("no TLS 1.3 group accepted")
        if len(supported) == 1:
            return supported[0], tested("only one group accepted")
        forward = list(supported)
        first, second = await self._gather(
            [
                self._attempt(lambda: self._hello13(groups=forward), Until.SERVER_HELLO),
                self._attempt(lambda: self._hello13(groups=forward[::-1]), Until.SERVER_HELLO),
            ]
        )
        if first.hello is None or second.hello is None:
            return None, self._refusal(first if first.hello is None else second)
        if first.hello.group == second.hello.group:
            return first.hello.group, SUPPORTED
        return None, refused("the server follows the client's order")

    def _certificate_curve(self) -> int | None:
        """The TLS group of the leaf's ECDSA curve (RFC 8422: the client's curve list must
        include it, so a one-curve probe of another curve fails on an ECDSA server)."""
        if not self.chains:
            return None
        try:
            key = x509.load_der_x509_certificate(self.chains[0][0]).public_key()
        except Exception:
            return None
        if not isinstance(key, ec.EllipticCurvePublicKey):
            return None
        return _CURVE_GROUPS.get(key.curve.name)

    async def _curves12(
        self, version: TlsVersion, ecdhe: Sequence[int]
    ) -> list[tuple[int, Capability]]:
        if not ecdhe:
            reason = tested(f"no ECDHE suite accepted in {version.label}")
            return [(g, reason) for g in tls12_curves()]
        cert_curve = self._certificate_curve()

        async def ask(groups: tuple[int, ...]) -> Attempt:
            return await self._attempt(
                lambda: self._hello12(version, ecdhe, groups=groups),
                Until.KEY_EXCHANGE,
            )

        async def one(group: int) -> tuple[int, Capability]:
            a = await ask((group,))
            if a.hello is None and cert_curve is not None and cert_curve != group:
                first = self._refusal(a)
                if first.state is not Support.NOT_SUPPORTED:
                    return group, first
                # An ECDSA certificate needs its own curve listed too (RFC 8422 §5.1).
                a = await ask((group, cert_curve))
                if a.hello is None:
                    return group, self._refusal(a)
                used = self._key_exchange(version, a).group
                if used == group:
                    return group, Capability(
                        Support.SUPPORTED, "used when the certificate's curve is offered too"
                    )
                return group, tested(_AMBIGUOUS_CURVE)
            if a.hello is None:
                return group, self._refusal(a)
            kx = self._key_exchange(version, a)
            if kx.group == group:
                return group, SUPPORTED
            if kx.group is None:
                return group, tested("no ServerKeyExchange curve")
            return group, refused(f"the server used curve 0x{kx.group:04x} instead")

        return await self._gather([one(g) for g in tls12_curves()])

    async def _group_preference12(
        self, version: TlsVersion, curves: Sequence[int], ecdhe: Sequence[int]
    ) -> tuple[int | None, Capability]:
        if not curves:
            return None, tested("no ECDHE curve accepted")
        if len(curves) == 1:
            return curves[0], tested("only one curve accepted")
        forward = list(curves)

        def build(order: Sequence[int]) -> Callable[[], ClientHelloSpec]:
            return lambda: self._hello12(version, ecdhe, groups=order)

        first, second = await self._gather(
            [
                self._attempt(build(forward), Until.KEY_EXCHANGE),
                self._attempt(build(forward[::-1]), Until.KEY_EXCHANGE),
            ]
        )
        if first.hello is None or second.hello is None:
            return None, self._refusal(first if first.hello is None else second)
        g1 = self._key_exchange(version, first).group
        g2 = self._key_exchange(version, second).group
        if g1 is not None and g1 == g2:
            return g1, SUPPORTED
        return None, refused("the server follows the client's order")

    def _share_group(self, supported: Sequence[int], preferred: int | None) -> int | None:
        """A supported TLS 1.3 group this client can compute: the preferred one if possible."""
        computable = keyshare.computable_groups()
        if preferred is not None and preferred in computable:
            return preferred
        for g in _SHARE_PREFERENCE:
            if g in supported:
                return g
        return next((g for g in supported if g in computable), None)

    # -- signature schemes ------------------------------------------------------------------

    async def _schemes13(self, group: int | None) -> list[tuple[int, Capability]]:
        if group is None:
            reason = tested("no TLS 1.3 group this client can compute")
            return [(s, reason) for s in all_schemes()]

        # One share for every probe: none of them completes a handshake, and a fresh ML-KEM
        # key pair per probe would cost more than the probe.
        share = KeyShareEntry(group, make_key_share(group).public)

        def build(scheme: int) -> Callable[[], ClientHelloSpec]:
            return lambda: self._hello13(groups=(group,), shares=(share,), schemes=(scheme,))

        async def one(scheme: int) -> tuple[int, Capability]:
            a = await self._attempt(build(scheme), Until.SERVER_HELLO)
            sh = a.hello
            if sh is None:
                return scheme, self._refusal(a)
            if sh.is_hrr or sh.version != TlsVersion.TLS13:
                return scheme, tested("unexpected HelloRetryRequest or version")
            return scheme, SUPPORTED

        return await self._gather([one(s) for s in all_schemes()])

    async def _schemes12(self, signed: Sequence[int]) -> list[tuple[int, Capability]]:
        if not signed:
            reason = tested("no signed (EC)DHE suite accepted in TLS 1.2")
            return [(s, reason) for s in all_schemes()]

        async def one(scheme: int) -> tuple[int, Capability]:
            a = await self._attempt(
                lambda: self._hello12(TlsVersion.TLS12, signed, schemes=(scheme,)),
                Until.KEY_EXCHANGE,
            )
            if a.hello is None:
                return scheme, self._refusal(a)
            used = self._key_exchange(TlsVersion.TLS12, a).signature_scheme
            if used == scheme:
                return scheme, SUPPORTED
            if used is None:
                return scheme, tested("no signed ServerKeyExchange")
            return scheme, refused(f"the server signed with 0x{used:04x} instead")

        return await self._gather([one(s) for s in all_schemes()])

    # -- certificate through TLS 1.3 --------------------------------------------------------

    async def _fetch13(
        self, supported: Sequence[int], first: int | None
    ) -> CertificateCheck | None:
        computable = keyshare.computable_groups()
        order = [g for g in (first, *_SHARE_PREFERENCE) if g is not None and g in supported]
        order = list(dict.fromkeys(g for g in order if g in computable))[:3]
        if not order:
            self.notes.append("TLS 1.3 certificate not fetched: no group this client can compute")
            return None
        suites = tuple(TLS13_SUITES)
        for group in order:
            if self._remaining() <= 0.05:
                self.notes.append(f"TLS 1.3 certificate not fetched: {OUT_OF_BUDGET}")
                return None
            share = make_key_share(group)
            spec = self._hello13(
                suites=suites, groups=(group,), shares=(KeyShareEntry(group, share.public),)
            )
            try:
                async with self._slots, await self._channel() as channel:
                    result = await handshake(channel, spec, {group: share})
            except HelloRetry as retry:
                self.notes.append(f"TLS 1.3 handshake with 0x{group:04x}: HelloRetryRequest")
                if retry.group is not None and retry.group not in order:
                    order.append(retry.group)
                continue
            except ProbeError as exc:
                self._note_error(exc)
                self.notes.append(f"TLS 1.3 handshake with group 0x{group:04x} failed: {exc}")
                continue
            self._add_chain(result.chain, primary=True)
            return CertificateCheck(
                version=TlsVersion.TLS13,
                cipher_suite=result.cipher_suite,
                group=result.group,
                signature_scheme=result.signature_scheme,
                signature_valid=result.signature_check.valid,
                detail=result.signature_check.detail,
                finished_ok=result.finished_ok,
            )
        return None

    # -- PQ tolerance and SNI ---------------------------------------------------------------

    async def _pq_tolerance(self, by_version: dict[TlsVersion, Attempt], has13: bool) -> Capability:
        if not self.options.real_key_share:
            return tested("real key share mode off")
        versions = (TlsVersion.TLS13, TlsVersion.TLS12, TlsVersion.TLS11, TlsVersion.TLS10)
        suites = (*tls13_suites(), *COMMON_SUITES)
        sizes: dict[str, int] = {}

        def build(pq: bool) -> Callable[[], ClientHelloSpec]:
            def make() -> ClientHelloSpec:
                shares = []
                if pq:
                    hybrid = make_key_share(keyshare.X25519MLKEM768)
                    shares.append(KeyShareEntry(hybrid.group, hybrid.public))
                x = make_key_share(keyshare.X25519)
                shares.append(KeyShareEntry(x.group, x.public))
                spec = self._hello13(suites=suites, shares=shares, versions=versions)
                sizes["pq" if pq else "short"] = len(encode_client_hello(spec))
                return spec

            return make

        big, small = await self._gather(
            [
                self._attempt(build(True), Until.SERVER_HELLO),
                self._attempt(build(False), Until.SERVER_HELLO),
            ]
        )
        if big.answered:
            return Capability(
                Support.SUPPORTED,
                f"a {sizes.get('pq', 0)}-byte ClientHello with an X25519MLKEM768 key share "
                "was answered",
            )
        if big.out_of_budget or small.out_of_budget:
            return tested(OUT_OF_BUDGET)
        if not small.answered:
            return tested(f"the {sizes.get('short', 0)}-byte control hello failed too")
        why = "no reply"
        if big.error is not None:
            why = "connection closed" if big.error.closed else big.error.kind.value
        return refused(
            f"PQ-intolerant: {why} on a {sizes.get('pq', 0)}-byte ClientHello with an "
            f"X25519MLKEM768 key share; the same {sizes.get('short', 0)}-byte hello without "
            "it was answered"
        )

    async def _sni_required(self, accepted: set[TlsVersion]) -> Capability:
        if not self.sni:
            return tested("no hostname to send")
        if TlsVersion.TLS13 in accepted:
            a = await self._attempt(lambda: self._short13(sni=False), Until.SERVER_HELLO)
        else:
            best = max(accepted)
            suites = legacy_suites() if self._long_list_ok.get(best, True) else COMMON_SUITES
            a = await self._attempt(
                lambda: self._hello12(best, suites, sni=False), Until.SERVER_HELLO_DONE
            )
        if a.hello is not None:
            return refused("the server answers without SNI")
        capability = self._refusal(a)
        if capability.state is Support.NOT_SUPPORTED:
            return Capability(Support.SUPPORTED, f"refused without SNI ({capability.reason})")
        return capability


def _sendable_name(name: str | None, notes: list[str]) -> str | None:
    """``name`` if it can go in a server_name extension (IDNA), else None with a note."""
    if not name:
        return None
    try:
        name.encode("idna")
    except UnicodeError:
        notes.append(f"hostname {name!r} cannot be sent as SNI; probed without")
        return None
    return name


async def _value(value: T) -> T:
    return value


#: Failures that say the endpoint misbehaves, whatever else it answered.
_SERIOUS = frozenset({ErrorKind.TOO_LARGE, ErrorKind.NOT_TLS, ErrorKind.PROTOCOL_ERROR})
_ERROR_PRIORITY = (
    ErrorKind.TOO_LARGE,
    ErrorKind.NOT_TLS,
    ErrorKind.PROTOCOL_ERROR,
    ErrorKind.HANDSHAKE_FAILURE,
    ErrorKind.RESET,
    ErrorKind.TIMEOUT,
    ErrorKind.REFUSED,
)


def _worst(errors: Sequence[ProbeError]) -> tuple[ErrorKind, str]:
    """The most telling error of several (garbage beats a timeout, which beats a refusal)."""
    for kind in _ERROR_PRIORITY:
        for e in errors:
            if e.kind is kind:
                return kind, e.message
    return errors[0].kind, errors[0].message


async def probe(
    endpoint: Endpoint,
    options: ProbeOptions | None = None,
    *,
    connect: Connect = open_tcp,
    limiter: Limiter | None = None,
    trust: TrustCheck | None = None,
) -> TlsReport:
    """Probe one endpoint (see the module docstring); never raises for a bad server."""
    return await Prober(endpoint, options, connect=connect, limiter=limiter, trust=trust).run()
