"""A canary inventory: every identifier in it is unique, so a leak is a string match.

``canary_files`` writes real files (certificates, a code repository, a hardware CSV, a
business context) for the CLI; ``canary_snapshot`` builds the same kinds of identifiers as a
plain snapshot (with endpoints) and ranks it, for the pure export. ``leaks`` looks for every
canary in every encoding: raw, lower, upper, hex, base64, SHA-256/SHA-1/MD5 hex, URL-encoded.
"""

from __future__ import annotations

import base64
import hashlib
import json
import textwrap
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from pqcscan.context.model import BusinessContext, DataClass, Ecosystem, Service
from pqcscan.inventory.snapshot import AssetView, FindingView, LinkView, Snapshot
from pqcscan.risk.engine import rank
from pqcscan.risk.model import RankedItem
from pqcscan.risk.profile import load_profile

HOSTS = ("zqx-canary-core-ledger.corp.example-bank.test", "qvw-canary-payhub.example-bank.test")
ADDRESSES = ("10.213.77.191", "198.51.100.213", "fd12:3456:789a::d1e5")
SERIALS = (987654321987654321123457, 555000111222333444555667)
SUBJECT_O = "Canary Quixotic Holdings Zq7"
SUBJECT_OU = "Vault Squad Xylophone"
PATH_PART = "srv/zqcanary-private-repos/ledger-zq7"
PRIVATE_PACKAGES = ("zq7-canary-ledger-core", "acme-zq7-private-payments-sdk")
SERVICES = ("zq7-canary-settlement", "zq7-canary-fx-desk")
SERVICE_NAMES = ("Quixotic Settlement Engine Zq7", "Xylophone FX Desk Zq7")
OWNERS = ("Zq7 Canary Owner Team", "Vault Squad Zq7 Owners")
CONTEXT_NAME = "zq7-canary-bank-context"
DATA_CLASS = "zq7-canary-secret-ledger-records"
HARDWARE = ("zq7-canary-hsm-01", "Zq7 Canary Vendor GmbH", "QuixoticHSM Zq7", "Zq7 DC rack Q9")


@dataclass(frozen=True)
class Canaries:
    strings: tuple[str, ...]


def _base() -> list[str]:
    return [
        *HOSTS,
        *ADDRESSES,
        *(str(s) for s in SERIALS),
        *(format(s, "x") for s in SERIALS),
        SUBJECT_O,
        SUBJECT_OU,
        PATH_PART,
        *PRIVATE_PACKAGES,
        *SERVICES,
        *SERVICE_NAMES,
        *OWNERS,
        CONTEXT_NAME,
        DATA_CLASS,
        *HARDWARE,
    ]


def encodings(value: str) -> set[str]:
    """Every form of ``value`` the output must not contain (compared lower-case)."""
    raw = value.encode("utf-8")
    forms = {
        value,
        value.lower(),
        value.upper(),
        raw.hex(),
        base64.b64encode(raw).decode().rstrip("="),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
        hashlib.sha256(raw).hexdigest(),
        hashlib.sha1(raw).hexdigest(),
        hashlib.md5(raw).hexdigest(),
        urllib.parse.quote(value),
        urllib.parse.quote_plus(value),
        urllib.parse.quote(value, safe=""),
    }
    for variant in (value.lower(), value.upper()):
        forms.add(hashlib.sha256(variant.encode()).hexdigest())
        forms.add(base64.b64encode(variant.encode()).decode().rstrip("="))
    return forms


def leaks(text: str, canaries: Canaries) -> list[str]:
    """The canaries (in any encoding) found in ``text``; base64 is matched case-sensitively."""
    found = []
    lowered = text.lower()
    for value in canaries.strings:
        for form in encodings(value):
            if form.lower() in lowered or form in text:
                found.append(f"{value!r} as {form!r}")
    return found


# -- real files for the CLI -------------------------------------------------------------------


def _cert(folder: Path, host: str, serial: int) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, host),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, SUBJECT_O),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, SUBJECT_OU),
        ]
    )
    now = datetime(2026, 1, 1, tzinfo=UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    der = cert.public_bytes(serialization.Encoding.DER)
    (folder / f"{host}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return der


def canary_files(root: Path) -> tuple[Canaries, dict[str, Path]]:
    """Write the canary inventory's inputs below ``root``; return the canaries and paths."""
    certs = root / PATH_PART / "pki"
    certs.mkdir(parents=True)
    strings = _base()
    for host, serial in zip(HOSTS, SERIALS, strict=True):
        der = _cert(certs, host, serial)
        strings.append(hashlib.sha256(der).hexdigest())
        strings.append(hashlib.sha1(der).hexdigest())
    repo = root / PATH_PART / "code"
    repo.mkdir(parents=True)
    (repo / "requirements.txt").write_text(
        f"{PRIVATE_PACKAGES[0]}==1.2.3\ncryptography==41.0.7\nrsa==4.9\n", encoding="utf-8"
    )
    (repo / "package.json").write_text(
        json.dumps(
            {
                "name": PRIVATE_PACKAGES[1],
                "version": "1.0.0",
                "dependencies": {"node-forge": "1.3.1", PRIVATE_PACKAGES[0]: "2.0.0"},
            }
        ),
        encoding="utf-8",
    )
    (repo / "sign.py").write_text(
        "from cryptography.hazmat.primitives.asymmetric import rsa\n"
        "KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)\n",
        encoding="utf-8",
    )
    hardware = root / "hardware.csv"
    hardware.write_text(
        "id,kind,vendor,product,version,location,algorithms,support_end,pqc_roadmap,tags,owner,"
        "vendor_controlled,count,notes\n"
        f"{HARDWARE[0]},hsm,{HARDWARE[1]},{HARDWARE[2]},1.0,{HARDWARE[3]},RSA-2048 (signature),"
        f"2029-12-31,,zq7tag,{OWNERS[0]},yes,1,{SERVICE_NAMES[0]}\n",
        encoding="utf-8",
    )
    context = root / "context.yaml"
    context.write_text(
        textwrap.dedent(
            f"""\
            name: {CONTEXT_NAME}
            data_classes:
              {DATA_CLASS}:
                retention_years: 12
                description: {SUBJECT_OU}
            services:
              - id: {SERVICES[0]}
                name: {SERVICE_NAMES[0]}
                owner: {OWNERS[0]}
                impact: 5
                data_classes: [{DATA_CLASS}]
                ecosystem: interbank
              - id: {SERVICES[1]}
                name: {SERVICE_NAMES[1]}
                owner: {OWNERS[1]}
                impact: 3
                ecosystem: customer-facing
                depends_on: [{SERVICES[0]}]
            mappings:
              - service: {SERVICES[0]}
                path: "*/{PATH_PART}/*"
              - service: {SERVICES[1]}
                host: "{HOSTS[1]}"
              - service: {SERVICES[0]}
                tag: zq7tag
            """
        ),
        encoding="utf-8",
    )
    return Canaries(tuple(strings)), {
        "files": root / PATH_PART,
        "hardware": hardware,
        "context": context,
    }


# -- a plain snapshot for the pure export -----------------------------------------------------


def canary_snapshot(
    copies: int = 6,
) -> tuple[Snapshot, list[RankedItem], list[BusinessContext], Canaries]:
    """Endpoints, certificates, packages and files full of canaries, ``copies`` of each so
    that cells pass k, ranked against a canary business context."""
    assets: list[AssetView] = []
    findings: list[FindingView] = []
    links: list[LinkView] = []
    strings = _base()

    def asset(type_: str, fp: str, locator: str, name: str, **details: object) -> int:
        assets.append(AssetView(len(assets) + 1, type_, fp, locator, name, dict(details)))
        strings.extend((fp, locator))
        return len(assets)

    def finding(
        aid: int,
        alg: str,
        param: str,
        usage: str,
        status: str,
        bits: int | None = None,
        cat: int | None = None,
    ) -> None:
        where = assets[aid - 1].locator
        findings.append(
            FindingView(
                len(findings) + 1,
                aid,
                alg,
                param,
                usage,
                status,
                bits,
                cat,
                f"oid:1.2.840.{aid}",
                where,
                f"probe of {where}",
            )
        )

    mapping: dict[int, tuple[tuple[str, str], ...]] = {}
    for i in range(copies):
        host, address = HOSTS[i % 2], ADDRESSES[i % 3]
        e = asset(
            "endpoint",
            f"{address}:{8400 + i}:{host}",
            f"{host}:{8400 + i}",
            host,
            protocol="tls",
            address=address,
            port=8400 + i,
            sni=host,
            preferred_groups={"TLS 1.3": "X25519MLKEM768"},
        )
        finding(e, "TLS", "1.3", "protocol", "quantum-safe")
        finding(e, "TLS", "1.2", "protocol", "quantum-vulnerable")
        finding(e, "X25519MLKEM768", "", "key-exchange", "hybrid")
        finding(e, "ECDH", "P-256", "key-exchange", "quantum-vulnerable", 128)
        serial = SERIALS[i % 2] + i
        strings.append(str(serial))
        fp = hashlib.sha256(f"cert-{host}-{i}".encode()).hexdigest()
        c = asset(
            "certificate",
            fp,
            f"/{PATH_PART}/pki/{host}-{i}.pem",
            host,
            subject=f"CN={host},O={SUBJECT_O},OU={SUBJECT_OU}",
            issuer=f"CN={HOSTS[0]},O={SUBJECT_O}",
            serial=str(serial),
            spki_sha256=hashlib.sha256(fp.encode()).hexdigest(),
            san=[host, address],
        )
        finding(c, "ECDSA", "P-256", "authentication", "quantum-vulnerable", 128)
        finding(c, "RSA", "2048", "signature", "quantum-vulnerable", 112)
        links.append(LinkView(e, "presents", c))
        pkg = PRIVATE_PACKAGES[i % 2]
        p = asset(
            "package",
            f"pkg:pypi/{pkg}@1.{i}",
            f"pkg:pypi/{pkg}@1.{i}",
            pkg,
            ecosystem="pypi",
            package=pkg,
            version=f"1.{i}",
            declared_in=f"/{PATH_PART}/code/requirements.txt:{i + 1}",
        )
        lib = asset(
            "package",
            f"pkg:pypi/cryptography@41.0.{i}",
            f"pkg:pypi/cryptography@41.0.{i}",
            "cryptography",
            ecosystem="pypi",
            package="cryptography",
            version=f"41.0.{i}",
            crypto_library="pyca-cryptography",
            pqc_capable=False,
            pqc_since="46.0.0",
            declared_in=f"/{PATH_PART}/code/requirements.txt:{i + 1}",
        )
        finding(lib, "RSA", "2048", "signature", "quantum-vulnerable", 112)
        links.append(LinkView(p, "depends-on", lib))
        f = asset(
            "file",
            f"/{PATH_PART}/code/{SERVICES[0]}_{i}.py",
            f"/{PATH_PART}/code/{SERVICES[0]}_{i}.py",
            "",
            code_hits=[{"snippet": HOSTS[0]}],
        )
        finding(f, "RSA", "2048", "signature", "quantum-vulnerable", 112)
        mapping[e] = ((SERVICES[i % 2], f"host {host}"),)
        mapping[f] = ((SERVICES[0], f"path {PATH_PART}"),)
    snapshot = Snapshot(tuple(assets), tuple(findings), tuple(links))
    services = (
        Service(
            SERVICES[0],
            SERVICE_NAMES[0],
            OWNERS[0],
            5,
            (DATA_CLASS,),
            ecosystem=Ecosystem.INTERBANK,
        ),
        Service(
            SERVICES[1],
            SERVICE_NAMES[1],
            OWNERS[1],
            3,
            retention_years=4,
            ecosystem=Ecosystem.CUSTOMER_FACING,
            depends_on=(SERVICES[0],),
        ),
    )
    ctx = BusinessContext(
        CONTEXT_NAME, (DataClass(DATA_CLASS, 12, SUBJECT_OU),), services, (), sha256="2" * 64
    )
    result = rank(snapshot, [ctx], mapping, load_profile("default"), date(2026, 11, 24))
    return snapshot, list(result.items), [ctx], Canaries(tuple(strings))
