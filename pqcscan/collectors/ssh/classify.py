"""Map an :class:`~pqcscan.collectors.ssh.probe.SshProbe` to inventory results.

* one ``endpoint`` asset (fingerprint ``address:port``) whose details hold the banner, the
  software, every algorithm list in the server's order, the strict-kex / ext-info signals,
  the host keys and the capability matrix;
* findings on the endpoint, each classified through the catalog and located at the endpoint:
  ``protocol`` (the SSH version of the banner; SSH-1 is classically broken), ``key-exchange``
  per offered method (with its exchange-hash digest as a ``hash`` finding), ``authentication``
  per host-key algorithm (RSA sized from the fetched key; the signature digest as ``hash``),
  ``encryption`` per cipher and ``mac`` per MAC. Pseudo names (``ext-info-s``,
  ``kex-strict-*``, compression) are protocol detail, never findings; names the catalog does
  not know are ``unknown`` findings carrying the raw name;
* one ``key`` asset per fetched host key, built by the certificate collector's code (the same
  key in ``ssh_host_*_key.pub`` or ``known_hosts`` is the same asset), with its
  ``authentication`` finding and a ``presents`` link from the endpoint. A host certificate is
  a ``certificate`` asset issued by its CA key.
"""

from __future__ import annotations

from pqcscan.catalog import Catalog, Classification, QuantumStatus, get_catalog
from pqcscan.collectors.certs.classify import key_results
from pqcscan.collectors.certs.formats.ssh import SshWireError, key_from_blob
from pqcscan.collectors.certs.parsed import KeyKind, ParsedKey
from pqcscan.collectors.ssh.probe import HostKeyResult, SshProbe
from pqcscan.collectors.ssh.wire import Banner, KexInit
from pqcscan.results import (
    Asset,
    AssetKey,
    AssetType,
    Capability,
    CollectedItem,
    Details,
    DetailValue,
    Evidence,
    Finding,
    Link,
    Relation,
    ScanError,
    Support,
    Usage,
)

COLLECTOR = "ssh"
#: Key exchange statuses that protect against a quantum adversary recording traffic now.
PQ_STATUSES = frozenset({QuantumStatus.HYBRID, QuantumStatus.QUANTUM_SAFE})
_MAX_PRE_BANNER_SHOWN = 5


class _Builder:
    def __init__(self, probe: SshProbe, catalog: Catalog) -> None:
        self.probe = probe
        self.catalog = catalog
        self.locator = probe.endpoint.locator
        self.endpoint = AssetKey(AssetType.ENDPOINT, probe.endpoint.fingerprint)
        self.assets: dict[AssetKey, Asset] = {}
        self.findings: list[Finding] = []
        self.links: list[Link] = []
        self._hashes: set[tuple[str, str]] = set()

    def finding(
        self, c: Classification, usage: Usage, method: str, detail: str | None = None
    ) -> None:
        if not c.known and detail is None:
            detail = "not in the catalog: reported with its raw name"
        self.findings.append(
            Finding(
                asset=self.endpoint,
                algorithm=c.algorithm,
                parameter=c.parameter,
                usage=usage,
                quantum_status=c.status,
                evidence=Evidence(COLLECTOR, self.locator, method, c.identifier, detail),
                classical_bits=c.classical_bits,
                nist_category=c.nist_category,
            )
        )

    def digest(self, namespace: str, name: str, method: str) -> None:
        """A ``hash`` finding for the digest an SSH name carries, once per digest."""
        entry = self.catalog.named_identifier(namespace, name)
        if entry is None or not entry.hash:
            return
        c = self.catalog.classify(entry.hash, identifier=f"{namespace}:{name}")
        if (c.algorithm, c.parameter) in self._hashes:
            return
        self._hashes.add((c.algorithm, c.parameter))
        self.finding(c, Usage.HASH, method)

    # -- the parts ---------------------------------------------------------------------------

    def protocol(self, banner: Banner) -> None:
        version = banner.proto_version
        identifier = f"ssh-version:{version}"
        method = "SSH identification string"
        if version == "2.0":
            self.finding(
                self.catalog.classify("SSH", "2.0", identifier=identifier), Usage.PROTOCOL, method
            )
        elif version == "1.99":
            self.finding(
                self.catalog.classify("SSH", "2.0", identifier=identifier), Usage.PROTOCOL, method
            )
            self.finding(
                self.catalog.classify("SSH", "1.5", identifier=identifier),
                Usage.PROTOCOL,
                method,
                "SSH-1.99: the server accepts SSH-1 as well as SSH-2",
            )
        elif version.startswith("1."):
            self.finding(
                self.catalog.classify("SSH", "1.5", identifier=identifier),
                Usage.PROTOCOL,
                method,
                f"SSH-{version}: SSH-1 only",
            )
        else:
            self.finding(
                Classification("unknown", version, QuantumStatus.UNKNOWN, identifier=identifier),
                Usage.PROTOCOL,
                method,
                f"unknown SSH protocol version {version!r}",
            )

    def algorithms(self, kexinit: KexInit, sizes: dict[str, str]) -> None:
        cat = self.catalog
        for name in kexinit.kex:
            c = cat.classify_named("ssh-kex", name)
            if c.pseudo:
                continue
            self.finding(c, Usage.KEY_EXCHANGE, "SSH KEXINIT kex_algorithms")
            self.digest("ssh-kex", name, "SSH key exchange hash")
        for name in kexinit.host_key:
            c = cat.classify_named("ssh-host-key", name)
            size = sizes.get(name, "")
            if c.known and size and not c.parameter:
                c = cat.classify(c.algorithm, size, identifier=c.identifier)
            if c.pseudo:
                continue
            self.finding(c, Usage.AUTHENTICATION, "SSH KEXINIT server_host_key_algorithms")
            self.digest("ssh-host-key", name, "SSH host key signature digest")
        for name in kexinit.ciphers:
            c = cat.classify_named("ssh-cipher", name)
            if not c.pseudo:
                self.finding(c, Usage.ENCRYPTION, "SSH KEXINIT encryption_algorithms")
        for name in kexinit.macs:
            c = cat.classify_named("ssh-mac", name)
            if not c.pseudo:
                self.finding(c, Usage.MAC, "SSH KEXINIT mac_algorithms")

    def host_key(self, result: HostKeyResult) -> ParsedKey | None:
        if result.blob is None:
            return None
        try:
            parsed = key_from_blob(result.blob, KeyKind.PUBLIC, "ssh-host-key")
        except SshWireError:
            return None
        keys = key_results(parsed, self.locator, COLLECTOR, "SSH host key (key exchange reply)")
        for asset in keys.assets:
            self.assets.setdefault(AssetKey.of(asset), asset)
        self.findings.extend(keys.findings)
        self.links.extend(keys.links)
        self.links.append(Link(self.endpoint, Relation.PRESENTS, keys.primary))
        return parsed


def _pq_capability(catalog: Catalog, kexinit: KexInit) -> Capability:
    names = [n for n in kexinit.kex if catalog.classify_named("ssh-kex", n).status in PQ_STATUSES]
    if names:
        return Capability(Support.SUPPORTED, ", ".join(names))
    return Capability(Support.NOT_SUPPORTED, "no hybrid or post-quantum key exchange offered")


def _capabilities(probe: SshProbe, catalog: Catalog) -> tuple[tuple[str, str], ...]:
    caps: list[tuple[str, Capability]] = []
    banner, kexinit = probe.banner, probe.kexinit
    if banner is not None:
        caps.append(
            (
                "ssh-2",
                Capability(
                    Support.SUPPORTED if banner.ssh2 else Support.NOT_SUPPORTED,
                    f"SSH-{banner.proto_version}",
                ),
            )
        )
        caps.append(
            (
                "ssh-1",
                Capability(
                    Support.SUPPORTED if banner.ssh1 else Support.NOT_SUPPORTED,
                    f"SSH-{banner.proto_version}",
                ),
            )
        )
    if kexinit is None:
        reason = (
            probe.failure.kind.value + ": " + probe.failure.message
            if probe.failure is not None
            else probe.host_keys_note or "no KEXINIT"
        )
        for key in ("pq-key-exchange", "strict-kex", "ext-info"):
            caps.append((key, Capability(Support.NOT_TESTED, reason)))
    else:
        caps.append(("pq-key-exchange", _pq_capability(catalog, kexinit)))
        caps.append(("strict-kex", _signal(kexinit.strict_kex, "kex-strict-s-v00@openssh.com")))
        caps.append(("ext-info", _signal(kexinit.ext_info, "ext-info-s")))
    for result in probe.host_keys:
        caps.append((f"host-key:{result.group.key_type}", result.state))
        caps.append((f"host-key-signature:{result.group.key_type}", result.verified))
    return tuple((k, str(v)) for k, v in caps)


def _signal(present: bool, name: str) -> Capability:
    if present:
        return Capability(Support.SUPPORTED, name)
    return Capability(Support.NOT_SUPPORTED, f"{name} not in kex_algorithms")


def _details(
    probe: SshProbe, catalog: Catalog, fingerprints: tuple[tuple[str, str], ...]
) -> Details:
    banner, kexinit = probe.banner, probe.kexinit
    out: list[tuple[str, DetailValue]] = [("protocol", "ssh")]
    if banner is not None:
        out += [
            ("banner", banner.raw),
            ("ssh_version", banner.proto_version),
            ("software", banner.software),
            ("software_product", banner.product),
            ("software_version", banner.product_version or None),
            ("banner_comments", banner.comments or None),
        ]
    if probe.pre_banner:
        out.append(
            ("pre_banner", tuple(line[:200] for line in probe.pre_banner[:_MAX_PRE_BANNER_SHOWN]))
        )
    if kexinit is not None:
        out += [
            ("kex_algorithms", kexinit.kex),
            ("host_key_algorithms", kexinit.host_key),
            ("ciphers_client_to_server", kexinit.ciphers_c2s),
            ("ciphers_server_to_client", kexinit.ciphers_s2c),
            ("macs_client_to_server", kexinit.macs_c2s),
            ("macs_server_to_client", kexinit.macs_s2c),
            ("compression_client_to_server", kexinit.compression_c2s),
            ("compression_server_to_client", kexinit.compression_s2c),
            ("languages_client_to_server", kexinit.languages_c2s),
            ("languages_server_to_client", kexinit.languages_s2c),
            ("first_kex_packet_follows", kexinit.first_kex_follows),
            ("strict_kex", kexinit.strict_kex),
            ("ext_info", kexinit.ext_info),
        ]
    if fingerprints:
        out.append(("host_keys", fingerprints))
    gex = [r for r in probe.host_keys if r.kex and "group-exchange" in r.kex and r.group_bits]
    if gex:
        out.append(("gex_group_bits", gex[0].group_bits))
    out.append(("capabilities", _capabilities(probe, catalog)))
    return tuple((k, v) for k, v in out if v is not None)


def build_item(probe: SshProbe, catalog: Catalog | None = None) -> CollectedItem:
    """The inventory results of one probed endpoint."""
    cat = catalog or get_catalog()
    b = _Builder(probe, cat)
    errors: tuple[ScanError, ...] = ()
    if probe.failure is not None:
        errors = (ScanError(b.locator, probe.failure.kind, probe.failure.message),)
    if probe.banner is None:
        return CollectedItem(b.locator, errors=errors)
    b.protocol(probe.banner)
    # Host keys first: their sizes refine the RSA host-key algorithm findings.
    sizes: dict[str, str] = {}
    fingerprints: list[tuple[str, str]] = []
    for result in probe.host_keys:
        parsed = b.host_key(result)
        if parsed is None or parsed.public_key is None:
            continue
        pk = parsed.public_key
        shown = pk.ssh_fingerprint or ""
        if parsed.ssh_certificate is not None:
            shown += f" (certificate ssh:{parsed.ssh_certificate.blob_sha256})"
        fingerprints.append((result.group.key_type, shown))
        for name in result.group.algorithms:
            if pk.parameter.isdigit():
                sizes[name] = pk.parameter
    if probe.kexinit is not None:
        b.algorithms(probe.kexinit, sizes)
    endpoint = Asset(
        AssetType.ENDPOINT,
        probe.endpoint.fingerprint,
        b.locator,
        b.locator,
        _details(probe, cat, tuple(fingerprints)),
    )
    return CollectedItem(
        b.locator,
        assets=(endpoint, *b.assets.values()),
        findings=tuple(b.findings),
        links=tuple(dict.fromkeys(b.links)),
        errors=errors,
    )
