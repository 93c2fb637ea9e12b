"""Mapping rules against a real inventory: certificates scanned from real files,
endpoints and packages recorded as collectors record them, hardware imported from a CSV.
Every rule kind matches what it should and nothing else; unmapped assets are listed."""

from __future__ import annotations

import fnmatch
import hashlib
import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from pqcscan.collectors.certs import CertificateCollector, CertScanOptions
from pqcscan.collectors.declared import DeclaredCollector
from pqcscan.context.load import parse_context
from pqcscan.context.mapping import Mapping, map_assets
from pqcscan.context.model import BusinessContext, MappingRule, MatchKind, Service
from pqcscan.inventory import Inventory
from pqcscan.inventory.context_store import asset_locations
from pqcscan.inventory.snapshot import AssetView, LinkView, Snapshot, load_snapshot
from pqcscan.results import Asset, AssetKey, AssetType, CollectedItem, Link, Relation
from pqcscan.scan import run_scan
from pqcscan.targets.model import Endpoint

HARDWARE = """\
id,kind,vendor,product,algorithms,tags
hsm-01,hsm,Thales,Luna 7,RSA-2048 (signature),hsm; pki
atm-01,atm,NCR,SelfServ 80,3DES,atm
"""


pytestmark = pytest.mark.both_backends  # the world is built on SQLite and PostgreSQL


def _cert(cn: str, key: Any, issuer: str, issuer_key: Any, ca: bool = False) -> x509.Certificate:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(issuer_key, hashes.SHA256())
    )


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _fingerprint(cert: x509.Certificate) -> str:
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


@dataclass
class World:
    root: Path
    inv: Inventory
    by_locator: dict[str, AssetView]
    snapshot: Snapshot

    def asset(self, locator: str) -> AssetView:
        return self.by_locator[locator]

    def file(self, relative: str) -> AssetView:
        return self.by_locator[str(self.root / relative)]


def _endpoint(ep: Endpoint, with_address: bool, presents: str | None = None) -> CollectedItem:
    details: tuple[tuple[str, Any], ...] = (("protocol", "tls"),)
    if with_address:
        details += (("address", ep.address), ("port", ep.port), ("sni", ep.sni))
    asset = Asset(AssetType.ENDPOINT, ep.fingerprint, ep.locator, ep.host, details)
    links: tuple[Link, ...] = ()
    if presents:
        links = (
            Link(
                AssetKey.of(asset),
                Relation.PRESENTS,
                AssetKey(AssetType.CERTIFICATE, presents),
            ),
        )
    return CollectedItem(ep.locator, (asset,), (), links)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, module_inventory_url: str) -> Iterator[World]:
    root = tmp_path_factory.mktemp("mapping")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _cert("Test Root CA", ca_key, "Test Root CA", ca_key, ca=True)
    api_key = ec.generate_private_key(ec.SECP256R1())
    api = _cert("api.example.test", api_key, "Test Root CA", ca_key)
    other_key = ec.generate_private_key(ec.SECP256R1())
    other = _cert("other.internal", other_key, "Test Root CA", ca_key)
    (root / "etc/pki").mkdir(parents=True)
    (root / "srv/app/certs").mkdir(parents=True)
    (root / "srv/app/private").mkdir(parents=True)
    (root / "opt/other").mkdir(parents=True)
    (root / "etc/pki/ca.pem").write_bytes(_pem(ca))
    (root / "srv/app/certs/api.crt").write_bytes(_pem(api))
    (root / "srv/app/certs/bundle.pem").write_bytes(_pem(api) + _pem(ca))  # #1 api, #2 ca
    (root / "srv/app/private/api.key").write_bytes(
        api_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (root / "opt/other/other.crt").write_bytes(_pem(other))
    (root / "hardware.csv").write_text(HARDWARE)
    inv = Inventory.open(module_inventory_url)
    # /etc first, then the rest: the CA is last seen in srv/app/certs/bundle.pem
    for paths in ((root / "etc",), (root / "srv", root / "opt")):
        run_scan(inv, CertificateCollector(CertScanOptions(paths)), jobs=1)
    with inv.record_run("tls", {"targets": ["lab"]}) as rec:
        rec.add(_endpoint(Endpoint("10.1.4.7", 443, "api.example.test"), True, _fingerprint(api)))
        rec.add(_endpoint(Endpoint("192.0.2.1", 443, "www.other.test"), True))
    with inv.record_run("ssh", {"targets": ["lab"]}) as rec:
        rec.add(_endpoint(Endpoint("10.2.0.5", 8443), False))  # address only in fingerprint
        rec.add(_endpoint(Endpoint("2001:db8::5", 22), False))
    with inv.record_run("code", {}) as rec:
        for purl in ("pkg:maven/org.bouncycastle/bcprov@1.70", "pkg:pypi/cryptography@42.0.0"):
            rec.add(CollectedItem(purl, (Asset(AssetType.PACKAGE, purl, purl, purl),)))
    run_scan(inv, DeclaredCollector.open(root / "hardware.csv"), jobs=1)
    snapshot = load_snapshot(inv.engine)
    yield World(root, inv, {a.locator: a for a in snapshot.assets}, snapshot)
    inv.close()


def context(world: World, mappings: str, name: str = "ctx") -> BusinessContext:
    text = (
        f"name: {name}\nservices:\n"
        "  - {id: svc, impact: 3}\n  - {id: other, impact: 2}\nmappings:\n"
        + mappings.replace("ROOT", str(world.root))
    )
    return parse_context([("ctx.yaml", text)]).context


def mapped(world: World, mappings: str, locations: bool = False) -> set[str]:
    """Locators of the assets the rules attach."""
    ctx = context(world, mappings)
    result = map_assets(
        world.snapshot, [ctx], asset_locations(world.inv.engine) if locations else None
    )
    ids = {a.id: a.locator for a in world.snapshot.assets}
    return {ids[i] for i in result.attachments}


def test_the_world_is_what_the_tests_expect(world: World) -> None:
    r = str(world.root)
    certs = {a.locator for a in world.snapshot.assets if a.type == "certificate"}
    assert certs == {
        f"{r}/srv/app/certs/bundle.pem#1",  # api, last seen in the bundle
        f"{r}/srv/app/certs/bundle.pem#2",  # the CA, last seen in the bundle
        f"{r}/opt/other/other.crt",
    }
    assert world.asset("10.2.0.5:8443").details == {"protocol": "tls"}
    assert world.asset("[2001:db8::5]:22").fingerprint == "[2001:db8::5]:22"
    assert world.asset("hsm-01").details["tags"] == ["hsm", "pki"]


def test_cidr_matches_endpoint_addresses_ipv4_and_ipv6(world: World) -> None:
    assert mapped(world, "  - {service: svc, cidr: 10.1.0.0/16}\n") == {"api.example.test:443"}
    # the address read from the fingerprint when the details have none
    assert mapped(world, "  - {service: svc, cidr: 10.2.0.5/32}\n") == {"10.2.0.5:8443"}
    assert mapped(world, "  - {service: svc, cidr: '2001:db8::/32'}\n") == {"[2001:db8::5]:22"}
    assert mapped(world, "  - {service: svc, cidr: 172.16.0.0/12}\n") == set()


def test_host_matches_endpoint_hosts_and_certificate_names(world: World) -> None:
    r = str(world.root)
    assert mapped(world, "  - {service: svc, host: '*.EXAMPLE.test'}\n") == {
        "api.example.test:443",
        f"{r}/srv/app/certs/bundle.pem#1",
    }
    assert mapped(
        world, "  - {service: svc, host: '*.example.test', asset_types: [certificate]}\n"
    ) == {f"{r}/srv/app/certs/bundle.pem#1"}
    assert mapped(world, "  - {service: svc, host: other.internal}\n") == {
        f"{r}/opt/other/other.crt"
    }
    assert mapped(world, "  - {service: svc, host: '10.2.0.*'}\n") == {"10.2.0.5:8443"}
    assert mapped(world, "  - {service: svc, host: '*.nowhere.test'}\n") == set()


def test_host_matches_subject_alternative_names_when_details_hold_them() -> None:
    cert = AssetView(1, "certificate", "fp", "/x.pem", "CN only", {"san": ["DNS:api.x.test"]})
    snapshot = Snapshot((cert,), (), ())
    ctx = parse_context(
        [
            (
                "c.yaml",
                "services:\n  - {id: s, impact: 3}\n"
                "mappings:\n  - {service: s, host: api.x.test}\n",
            )
        ]
    ).context
    assert map_assets(snapshot, [ctx]).services_of(1) == ("s",)


def test_port_matches_endpoint_ports_and_ranges(world: World) -> None:
    assert mapped(world, "  - {service: svc, port: 8443}\n") == {"10.2.0.5:8443"}
    assert mapped(world, "  - {service: svc, port: 20-25}\n") == {"[2001:db8::5]:22"}
    assert mapped(world, "  - {service: svc, port: 443}\n") == {
        "api.example.test:443",
        "www.other.test:443",
    }
    assert mapped(world, "  - {service: svc, port: 9999}\n") == set()


def test_path_globs_match_file_locators_with_and_without_suffixes(world: World) -> None:
    r = str(world.root)
    app = {
        f"{r}/srv/app/certs/bundle.pem",  # the bundle file
        f"{r}/srv/app/certs/bundle.pem#1",
        f"{r}/srv/app/certs/bundle.pem#2",
        f"{r}/srv/app/private/api.key",  # the key file and
        f"{r}/srv/app/private/api.key",  # the key located in it (same locator)
    }
    assert mapped(world, "  - {service: svc, path: '*/srv/app/*'}\n") == app
    assert mapped(world, "  - {service: svc, path: 'ROOT/srv/'}\n") == app  # a folder
    # an exact path matches the objects inside the file too (bundle.pem#1, #2)
    assert mapped(world, "  - {service: svc, path: 'ROOT/srv/app/certs/bundle.pem'}\n") == {
        f"{r}/srv/app/certs/bundle.pem",
        f"{r}/srv/app/certs/bundle.pem#1",
        f"{r}/srv/app/certs/bundle.pem#2",
    }
    assert mapped(world, "  - {service: svc, path: '*.crt'}\n") == {f"{r}/opt/other/other.crt"}
    assert mapped(world, "  - {service: svc, path: '*/SRV/*'}\n") == set()  # case-sensitive
    # endpoint-located certificates and endpoints are not paths
    assert mapped(world, "  - {service: svc, path: '*:443*'}\n") == set()


def test_path_rules_match_every_place_an_asset_was_seen_with_locations(world: World) -> None:
    r = str(world.root)
    rule = "  - {service: svc, path: '*/etc/pki/*'}\n"
    assert mapped(world, rule) == set()  # the CA is last seen in the bundle
    assert mapped(world, rule, locations=True) == {f"{r}/srv/app/certs/bundle.pem#2"}


def test_purl_globs_match_packages(world: World) -> None:
    assert mapped(world, "  - {service: svc, purl: 'pkg:maven/org.bouncycastle/*'}\n") == {
        "pkg:maven/org.bouncycastle/bcprov@1.70"
    }
    assert mapped(world, "  - {service: svc, purl: 'pkg:PYPI/*@42.*'}\n") == {
        "pkg:pypi/cryptography@42.0.0"
    }
    assert mapped(world, "  - {service: svc, purl: 'pkg:npm/*'}\n") == set()


def test_tags_match_declared_hardware(world: World) -> None:
    assert mapped(world, "  - {service: svc, tag: HSM}\n") == {"hsm-01"}
    assert mapped(world, "  - {service: svc, tag: [pki, atm]}\n") == {"hsm-01", "atm-01"}
    assert mapped(world, "  - {service: svc, tag: pos}\n") == set()


def test_asset_rules_match_a_fingerprint_or_a_locator_exactly(world: World) -> None:
    r = str(world.root)
    assert mapped(world, "  - {service: svc, asset: '10.2.0.5:8443'}\n") == {"10.2.0.5:8443"}
    assert mapped(world, "  - {service: svc, asset: 'ROOT/opt/other/other.crt'}\n") == {
        f"{r}/opt/other/other.crt"
    }
    assert mapped(world, "  - {service: svc, asset: 'ROOT/opt/other'}\n") == set()


def test_mapping_explains_and_lists_the_unmapped(world: World) -> None:
    ctx = context(
        world,
        "  - {service: svc, cidr: 10.0.0.0/8}\n"
        "  - {service: other, host: api.example.test}\n"
        "  - {service: svc, host: '*.example.test'}\n"
        "  - {service: svc, tag: hsm}\n",
    )
    result: Mapping = map_assets(world.snapshot, [ctx])
    api_ep = world.asset("api.example.test:443")
    attachments = result.attachments[api_ep.id]
    assert [(a.context, a.service) for a in attachments] == [("ctx", "other"), ("ctx", "svc")]
    assert [a.explain() for a in attachments] == [
        "host api.example.test (ctx.yaml:7) matched host api.example.test",
        "cidr 10.0.0.0/8 (ctx.yaml:6) matched address 10.1.4.7",  # the first rule of svc
    ]
    assert result.services_of(api_ep.id) == ("other", "svc")
    assert [(h.rule.kind.value, h.assets) for h in result.rule_hits] == [
        ("cidr", 2),
        ("host", 2),
        ("host", 2),
        ("tag", 1),
    ]
    assert result.service_assets == {("ctx", "svc"): 4, ("ctx", "other"): 2}
    by_id = {a.id: (a.type, a.locator) for a in world.snapshot.assets}
    r = str(world.root)
    unmapped = {by_id[i] for i in result.unmapped}
    assert unmapped == {
        ("certificate", f"{r}/srv/app/certs/bundle.pem#2"),  # the CA
        ("file", f"{r}/srv/app/certs/bundle.pem"),
        ("file", f"{r}/srv/app/private/api.key"),
        ("key", f"{r}/srv/app/private/api.key"),
        ("certificate", f"{r}/opt/other/other.crt"),
        ("endpoint", "www.other.test:443"),
        ("endpoint", "[2001:db8::5]:22"),
        ("package", "pkg:maven/org.bouncycastle/bcprov@1.70"),
        ("package", "pkg:pypi/cryptography@42.0.0"),
        ("hardware", "atm-01"),
    }
    assert list(result.unmapped) == sorted(result.unmapped)
    # the api certificate is attached: its issuer (issued-by) and its key (certifies) are
    # reached; the key's file (file -> contains -> key) is not
    assert {by_id[i] for i in result.reached} == {
        ("certificate", f"{r}/srv/app/certs/bundle.pem#2"),
        ("key", f"{r}/srv/app/private/api.key"),
    }
    assert set(result.uncovered) == set(result.unmapped) - result.reached


def test_several_contexts_attach_their_own_services(world: World) -> None:
    a = context(world, "  - {service: svc, tag: hsm}\n", name="unit-a")
    b = context(world, "  - {service: other, tag: hsm}\n", name="unit-b")
    result = map_assets(world.snapshot, [b, a])
    hsm = world.asset("hsm-01")
    assert [(x.context, x.service) for x in result.attachments[hsm.id]] == [
        ("unit-a", "svc"),
        ("unit-b", "other"),
    ]


def test_no_context_leaves_everything_unmapped(world: World) -> None:
    result = map_assets(world.snapshot, [])
    assert len(result.unmapped) == len(world.snapshot.assets)
    assert result.reached == frozenset()
    assert result.rule_hits == ()


def test_reached_follows_link_direction_only() -> None:
    assets = tuple(AssetView(i, "certificate", f"f{i}", f"/c{i}", f"c{i}", {}) for i in (1, 2, 3))
    links = (LinkView(1, "issued-by", 2), LinkView(3, "issued-by", 1))
    ctx = parse_context(
        [("c.yaml", "services:\n  - {id: s, impact: 3}\nmappings:\n  - {service: s, asset: f1}\n")]
    ).context
    result = map_assets(Snapshot(assets, (), links), [ctx])
    assert result.reached == frozenset({2})  # 3 depends on 1, so 1 does not give 3 context
    assert result.uncovered == (3,)


# -- the indexes find exactly what trying every rule finds ----------------------------------

_PARTS = ["a", "b", "ab", "pki", "srv", "x.y", ".", "/", "-", "*", "?", "[ab]", "[!a]"]


@settings(max_examples=200, deadline=None)
@given(
    paths=st.lists(
        st.lists(st.sampled_from(["a", "b", "ab", "pki", "srv", "x.y", "c.pem"]), min_size=1).map(
            lambda parts: "/" + "/".join(parts)
        ),
        min_size=1,
        max_size=8,
    ),
    globs=st.lists(
        st.lists(st.sampled_from(_PARTS), min_size=1, max_size=6).map("".join),
        min_size=1,
        max_size=8,
    ),
)
def test_path_index_agrees_with_trying_every_glob(paths: list[str], globs: list[str]) -> None:
    assets = tuple(AssetView(i, "file", p, p, p, {}) for i, p in enumerate(paths))
    rules = tuple(MappingRule("s", MatchKind.PATH, g) for g in globs if "[" not in g or "]" in g)
    ctx = BusinessContext("c", (), (Service("s", "s", None, 3),), rules)
    result = map_assets(Snapshot(assets, (), ()), [ctx])
    expected = {
        i
        for i, p in enumerate(paths)
        if any(
            fnmatch.fnmatchcase(p, r.pattern + ("*" if r.pattern.endswith("/") else ""))
            for r in rules
        )
    }
    assert set(result.attachments) == expected
    for hits, rule in zip(result.rule_hits, rules, strict=True):
        pattern = rule.pattern + ("*" if rule.pattern.endswith("/") else "")
        assert hits.assets == sum(fnmatch.fnmatchcase(p, pattern) for p in paths)


@settings(max_examples=100, deadline=None)
@given(
    addresses=st.lists(st.ip_addresses(v=4), min_size=1, max_size=10),
    networks=st.lists(
        st.builds(
            lambda a, prefix: ipaddress.ip_network(f"{a}/{prefix}", strict=False),
            st.ip_addresses(v=4),
            st.integers(0, 32),
        ),
        min_size=1,
        max_size=6,
    ),
)
def test_cidr_index_agrees_with_trying_every_network(
    addresses: list[ipaddress.IPv4Address], networks: list[ipaddress.IPv4Network]
) -> None:
    assets = tuple(
        AssetView(i, "endpoint", f"{a}:443", f"{a}:443", str(a), {"address": str(a), "port": 443})
        for i, a in enumerate(addresses)
    )
    rules = tuple(MappingRule("s", MatchKind.CIDR, n.with_prefixlen) for n in networks)
    ctx = BusinessContext("c", (), (Service("s", "s", None, 3),), rules)
    result = map_assets(Snapshot(assets, (), ()), [ctx])
    expected = {i for i, a in enumerate(addresses) if any(a in n for n in networks)}
    assert set(result.attachments) == expected
