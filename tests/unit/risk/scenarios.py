"""Random but realistic inventories and contexts for property tests (hypothesis)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from hypothesis import strategies as st

from pqcscan.context.model import BusinessContext, Ecosystem, Service
from pqcscan.inventory.snapshot import Snapshot
from tests.unit.risk.builders import SnapshotBuilder, attach, context, service

CA_KEYS = [("RSA", "2048"), ("RSA", "4096"), ("ECDSA", "P-384"), ("ML-DSA-65", "")]
LEAF_KEYS = [
    ("RSA", "1024"),
    ("RSA", "2048"),
    ("ECDSA", "P-256"),
    ("Ed25519", ""),
    ("ML-DSA-44", ""),
]
GROUPS = [
    ("ECDH", "P-256"),
    ("X25519", ""),
    ("X25519MLKEM768", ""),
    ("DH", "1024"),
    ("RSAES-PKCS1-v1_5", "2048"),
]
VERSIONS = ["1.0", "1.2", "1.3"]
ADDRESSES = ["10.0.0.{}", "81.2.69.{}"]
HARDWARE = ["hsm", "atm", "vpn", "product"]


@dataclass(frozen=True)
class Scenario:
    snapshot: Snapshot
    context: BusinessContext
    attachments: tuple[tuple[int, str], ...]  # (asset id, service id)

    @property
    def mapping(self) -> dict[int, tuple[tuple[str, str], ...]]:
        return attach(*self.attachments)

    def with_service(self, index: int, **changes: object) -> Scenario:
        services = list(self.context.services)
        services[index] = replace(services[index], **changes)  # type: ignore[arg-type]
        return replace(self, context=replace(self.context, services=tuple(services)))

    def with_attachment(self, asset_id: int, service_id: str) -> Scenario:
        return replace(self, attachments=(*self.attachments, (asset_id, service_id)))


@st.composite
def scenarios(draw: st.DrawFn, cycles: bool = True) -> Scenario:
    b = SnapshotBuilder()
    cas = []
    for n in range(draw(st.integers(1, 2))):
        cas.append(
            b.certificate(
                f"root{n}",
                draw(st.sampled_from(CA_KEYS)),
                ca=True,
                not_after=f"{draw(st.integers(2027, 2045))}-06-30T00:00:00+00:00",
            )
        )
    for n in range(draw(st.integers(0, 2))):
        cas.append(
            b.certificate(
                f"ca{n}", draw(st.sampled_from(CA_KEYS)), draw(st.sampled_from(cas)), ca=True
            )
        )
    if cycles and len(cas) >= 2 and draw(st.booleans()):
        b.link(cas[0], "issued-by", cas[-1])  # cross-signed: a cycle when cas[-1] -> cas[0]
    leaves = [
        b.certificate(
            f"leaf{n}",
            draw(st.sampled_from(LEAF_KEYS)),
            draw(st.sampled_from(cas)),
            signature=draw(st.sampled_from([("RSA", "2048"), ("ECDSA", "P-384")])),
        )
        for n in range(draw(st.integers(1, 4)))
    ]
    for n in range(draw(st.integers(1, 4))):
        groups = draw(st.lists(st.sampled_from(GROUPS), min_size=1, max_size=3, unique=True))
        versions = draw(st.lists(st.sampled_from(VERSIONS), min_size=1, max_size=3, unique=True))
        address = draw(st.sampled_from(ADDRESSES)).format(n + 1)
        e = b.endpoint(f"host{n}", address, 443, groups, versions)
        b.finding(e, "ECDSA", "P-256", "authentication", "scheme probe")
        b.link(e, "presents", draw(st.sampled_from(leaves)))
    packages: list[int] = []
    for n in range(draw(st.integers(0, 3))):
        p = b.asset("package", f"pkg:generic/lib{n}@1.0", name=f"lib{n}")
        b.finding(p, *draw(st.sampled_from(GROUPS)), "key-exchange")
        linked = draw(st.booleans())
        if packages and linked:
            b.link(p, "depends-on", draw(st.sampled_from(packages)))
        packages.append(p)
    if cycles and len(packages) >= 2 and draw(st.booleans()):
        b.link(packages[0], "depends-on", packages[-1])
    for n in range(draw(st.integers(0, 2))):
        h = b.asset(
            "hardware",
            f"hw{n}",
            f"dc{n}",
            f"device {n}",
            kind=draw(st.sampled_from(HARDWARE)),
            support_end=f"{draw(st.integers(2026, 2040))}-12-31",
        )
        b.finding(h, "RSA", "2048", "signature")
    snapshot = b.build()
    n_services = draw(st.integers(1, 5))
    services: list[Service] = []
    for n in range(n_services):
        deps = draw(st.lists(st.integers(0, n_services - 1), max_size=2, unique=True))
        services.append(
            service(
                f"svc{n}",
                draw(st.integers(1, 5)),
                draw(st.sampled_from([1.0, 3.0, 5.0, 7.0, 10.0, 15.0])),
                draw(st.sampled_from(list(Ecosystem))),
                depends_on=tuple(f"svc{d}" for d in deps if d != n),
                vendor_controlled=draw(st.booleans()),
                signature_lifetime_years=draw(st.one_of(st.none(), st.sampled_from([1.0, 10.0]))),
            )
        )
    ids = [a.id for a in snapshot.assets]
    pairs = draw(
        st.lists(st.tuples(st.sampled_from(ids), st.integers(0, n_services - 1)), max_size=8)
    )
    attachments = tuple(sorted({(a, f"svc{s}") for a, s in pairs}))
    return Scenario(snapshot, context(*services), attachments)
