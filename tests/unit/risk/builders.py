"""Build inventory snapshots and business contexts directly (they are plain data)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pqcscan.catalog import get_catalog
from pqcscan.context.model import BusinessContext, DataClass, Ecosystem, Service
from pqcscan.inventory.snapshot import AssetView, FindingView, LinkView, Snapshot

SUBJECT = "X.509 SubjectPublicKeyInfo algorithm"
SIGNATURE = "X.509 signature algorithm"
DIGEST = "X.509 signature digest"


@dataclass
class SnapshotBuilder:
    """Adds assets, findings and links with fresh ids; statuses come from the catalog."""

    assets: list[AssetView] = field(default_factory=list)
    findings: list[FindingView] = field(default_factory=list)
    links: list[LinkView] = field(default_factory=list)

    def asset(
        self,
        type_: str,
        fingerprint: str,
        locator: str | None = None,
        name: str = "",
        **details: Any,
    ) -> int:
        asset_id = len(self.assets) + 1
        self.assets.append(
            AssetView(asset_id, type_, fingerprint, locator or fingerprint, name, dict(details))
        )
        return asset_id

    def finding(
        self,
        asset_id: int,
        algorithm: str,
        parameter: str = "",
        usage: str = "key",
        method: str = "test",
        status: str | None = None,
    ) -> int:
        c = get_catalog().classify(algorithm, parameter)
        finding_id = len(self.findings) + 1
        self.findings.append(
            FindingView(
                finding_id,
                asset_id,
                c.algorithm if c.algorithm != "unknown" else algorithm,
                c.parameter,
                usage,
                status or c.status.value,
                c.classical_bits,
                c.nist_category,
                None,
                self.assets[asset_id - 1].locator,
                method,
            )
        )
        return finding_id

    def link(self, source: int, relation: str, target: int) -> None:
        self.links.append(LinkView(source, relation, target))

    # -- shapes ----------------------------------------------------------------------------

    def endpoint(
        self,
        host: str,
        address: str,
        port: int = 443,
        groups: Iterable[tuple[str, str]] = (("ECDH", "P-256"),),
        versions: Iterable[str] = ("1.2",),
        protocol: str = "tls",
        **details: Any,
    ) -> int:
        versions = tuple(versions)
        e = self.asset(
            "endpoint",
            f"{address}:{port}",
            f"{host}:{port}",
            host,
            protocol=protocol,
            address=address,
            port=port,
            versions=[f"TLS {v}" for v in versions],
            **details,
        )
        for v in versions:
            self.finding(e, "TLS" if protocol == "tls" else "SSH", v, "protocol", "version probe")
        for alg, param in groups:
            self.finding(e, alg, param, "key-exchange", "group probe")
        return e

    def certificate(
        self,
        name: str,
        key: tuple[str, str],
        issuer: int | None = None,
        signature: tuple[str, str] = ("RSA", "2048"),
        not_after: str = "2027-12-31T00:00:00+00:00",
        ca: bool = False,
        usage: str | None = None,
        **details: Any,
    ) -> int:
        self_issued = issuer is None
        c = self.asset(
            "certificate",
            f"cert-{name}",
            f"/pki/{name}.pem",
            name,
            is_ca=ca,
            self_issued=self_issued,
            not_after=not_after,
            **details,
        )
        if self_issued:
            self.finding(c, *key, "signature" if ca else (usage or "authentication"), SIGNATURE)
        else:
            self.finding(c, *key, usage or ("signature" if ca else "authentication"), SUBJECT)
            self.finding(c, *signature, "signature", SIGNATURE)
            self.finding(c, "SHA-256", "", "hash", DIGEST)
            assert issuer is not None
            self.link(c, "issued-by", issuer)
        return c

    def build(self) -> Snapshot:
        return Snapshot(tuple(self.assets), tuple(self.findings), tuple(self.links))


def service(
    id_: str,
    impact: int,
    retention: float | None = None,
    ecosystem: Ecosystem = Ecosystem.INTERNAL,
    **kw: Any,
) -> Service:
    return Service(
        id_,
        id_.replace("-", " ").title(),
        kw.pop("owner", None),
        impact,
        retention_years=retention,
        ecosystem=ecosystem,
        **kw,
    )


def context(
    *services: Service, name: str = "test", data_classes: Iterable[DataClass] = ()
) -> BusinessContext:
    return BusinessContext(name, tuple(data_classes), tuple(services), (), sha256="0" * 64)


def attach(*pairs: tuple[int, str]) -> dict[int, tuple[tuple[str, str], ...]]:
    """A plain mapping: (asset id, service id) pairs -> {asset id: ((service, rule), ...)}."""
    out: dict[int, list[tuple[str, str]]] = {}
    for asset_id, service_id in pairs:
        out.setdefault(asset_id, []).append((service_id, f"test rule {service_id}"))
    return {k: tuple(v) for k, v in out.items()}


@dataclass(frozen=True)
class WorkedExample:
    """RISK_MODEL §9: three services, an internal RSA-2048 root issuing three server certs."""

    snapshot: Snapshot
    contexts: tuple[BusinessContext, ...]
    ids: dict[str, int]


def worked_example() -> WorkedExample:
    from pqcscan.context.model import MappingRule, MatchKind

    b = SnapshotBuilder()
    ids: dict[str, int] = {}
    ids["root"] = b.certificate(
        "internal-root", ("RSA", "2048"), ca=True, not_after="2040-12-31T00:00:00+00:00"
    )
    ids["core-cert"] = b.certificate("core-api", ("RSA", "2048"), ids["root"])
    ids["ib-cert"] = b.certificate("ib-web", ("ECDSA", "P-256"), ids["root"])
    ids["hr-cert"] = b.certificate("hr", ("RSA", "1024"), ids["root"])
    ids["core-api"] = b.endpoint("core-api", "10.1.0.5", 8443, [("ECDH", "P-256")], ["1.2"])
    ids["ib-web"] = b.endpoint("ib-web", "81.2.69.142", 443, [("X25519", "")], ["1.2", "1.3"])
    ids["hr"] = b.endpoint("hr", "10.3.0.7", 443, [("RSAES-PKCS1-v1_5", "1024")], ["1.2"])
    for endpoint, cert in (("core-api", "core-cert"), ("ib-web", "ib-cert"), ("hr", "hr-cert")):
        b.link(ids[endpoint], "presents", ids[cert])
    ids["openssl"] = b.asset(
        "package", "pkg:generic/openssl@1.1.1w", None, "openssl 1.1.1w", version="1.1.1w"
    )
    b.finding(ids["openssl"], "ECDH", "P-256", "key-exchange", "library API")
    b.finding(ids["openssl"], "RSA", "2048", "signature", "library API")
    rules = (
        MappingRule("core-banking", MatchKind.HOST, "core-api"),
        MappingRule("core-banking", MatchKind.PURL, "pkg:generic/openssl*"),
        MappingRule("internet-banking", MatchKind.HOST, "ib-web"),
        MappingRule("hr-portal", MatchKind.HOST, "hr"),
    )
    services = (
        service("core-banking", 5, 10, Ecosystem.INTERBANK, owner="core-team"),
        service("internet-banking", 4, 7, Ecosystem.CUSTOMER_FACING, owner="digital-team"),
        service("hr-portal", 2, 5, Ecosystem.INTERNAL, owner="hr-it"),
    )
    ctx = BusinessContext("bank", (), services, rules, sha256="1" * 64)
    return WorkedExample(b.build(), (ctx,), ids)
