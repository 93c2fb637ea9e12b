"""SBOMs: CycloneDX JSON/XML, SPDX JSON/tag-value."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packageurl import PackageURL

from pqcscan.collectors.code.deps import DependencyParser
from pqcscan.collectors.code.deps.sbom import (
    PARSERS,
    package_from_purl,
    parse_cyclonedx_json,
    parse_cyclonedx_xml,
    parse_spdx_json,
    parse_spdx_tag_value,
)
from pqcscan.collectors.code.model import CodeParseError, DependencyFile, Package

DATA = Path(__file__).parent / "data" / "sbom"
DEMO_SBOM = (
    Path(__file__).parents[4]
    / "pqcscan/demo/samples/repos/vendor-sboms/swift-alliance-access-7.7.cdx.json"
)


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def by_name(result: DependencyFile) -> dict[str, Package]:
    return {p.name: p for p in result.packages}


def parser(kind: str) -> DependencyParser:
    return next(p for p in PARSERS if p.kind == kind)


def claimed(name: str, head: bytes = b"") -> str | None:
    kinds = [p.kind for p in PARSERS if p.matches(name, head)]
    assert len(kinds) <= 1, kinds
    return kinds[0] if kinds else None


# ---------------------------------------------------------------- detection

CDX_HEAD = b'{\n  "bomFormat": "CycloneDX",\n  "specVersion": "1.5",\n'
SPDX_HEAD = b'{\n "spdxVersion": "SPDX-2.3",\n "SPDXID": "SPDXRef-DOCUMENT",\n'
CDX_XML_HEAD = (
    b'<?xml version="1.0"?>\n<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1">'
)


@pytest.mark.parametrize(
    ("name", "head", "kind"),
    [
        # by name
        ("bom.json", b"{}", "cyclonedx-json"),
        ("sbom.json", b"{}", "cyclonedx-json"),
        ("app.cdx.json", b"", "cyclonedx-json"),
        ("app.cyclonedx.json", b"", "cyclonedx-json"),
        ("app-1.0.sbom.json", b"", "cyclonedx-json"),
        ("App.CDX.JSON", b"", "cyclonedx-json"),
        ("app.spdx.json", b"", "spdx-json"),
        ("bom.xml", b"", "cyclonedx-xml"),
        ("app.cdx.xml", b"", "cyclonedx-xml"),
        ("app.spdx", b"", "spdx-tag-value"),
        ("sboms/app.spdx", b"", "spdx-tag-value"),
        # content decides for the generic SBOM names
        ("sbom.json", SPDX_HEAD, "spdx-json"),
        ("bom.json", SPDX_HEAD, "spdx-json"),
        # by content, other names
        ("vendor-export-2025.json", CDX_HEAD, "cyclonedx-json"),
        ("vendor-export-2025.json", b'{"bomFormat":"CycloneDX"}', "cyclonedx-json"),
        ("export.json", SPDX_HEAD, "spdx-json"),
        ("report.xml", CDX_XML_HEAD, "cyclonedx-xml"),
        (
            "report.xml",
            b'<cdx:bom xmlns:cdx="http://cyclonedx.org/schema/bom/1.6" version="1">',
            "cyclonedx-xml",
        ),
        ("app.spdx.txt", b"SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n", "spdx-tag-value"),
        # look-alikes are not claimed
        ("package.json", CDX_HEAD, None),
        ("composer.json", SPDX_HEAD, None),
        ("package-lock.json", CDX_HEAD, None),
        ("packages.lock.json", CDX_HEAD, None),
        ("pom.xml", CDX_XML_HEAD, None),
        ("package.json", b'{"name": "bom", "version": "1.0.0"}', None),
        ("settings.json", b'{"bomFormat": "other"}', None),
        ("data.json", b'{"description": "we export CycloneDX"}', None),
        ("web.xml", b'<web-app xmlns="http://xmlns.jcp.org/xml/ns/javaee">', None),
        ("report.xml", b'<bom xmlns="http://example.com/bom">', None),
        ("notes.txt", b"SPDXVersion: SPDX-2.3\n", None),
        ("requirements.txt", b"SPDXVersion: SPDX-2.3\n", None),
        ("bom.yaml", b"bomFormat: CycloneDX\n", None),
        ("bom.json.bak", CDX_HEAD, None),
        ("spdx.py", b"", None),
        ("CycloneDX.md", b"", None),
    ],
)
def test_detection(name: str, head: bytes, kind: str | None) -> None:
    assert claimed(name, head) == kind


def test_demo_vendor_sbom_is_claimed_and_parsed() -> None:
    data = DEMO_SBOM.read_bytes()
    assert claimed(DEMO_SBOM.name, data[:4096]) == "cyclonedx-json"
    result = parse_cyclonedx_json(DEMO_SBOM.name, data)
    assert result.project == "Alliance Access"
    assert {p.purl: p.direct for p in result.packages} == {
        "pkg:generic/openssl@1.1.1w": True,
        "pkg:maven/org.bouncycastle/bcprov-jdk15on@1.70": True,
        "pkg:maven/org.apache.santuario/xmlsec@2.3.4": True,
    }
    assert (
        "pkg:maven/org.apache.santuario/xmlsec@2.3.4",
        "pkg:maven/org.bouncycastle/bcprov-jdk15on@1.70",
    ) in result.edges


# ---------------------------------------------------------------- purls


@pytest.mark.parametrize(
    ("purl", "name", "version", "expected", "ecosystem", "display"),
    [
        ("pkg:pypi/cryptography@43.0.1", "cryptography", "43.0.1", None, "pypi", "cryptography"),
        (
            "pkg:maven/org.bouncycastle/bcprov-jdk18on",
            "bcprov-jdk18on",
            "1.78.1",
            "pkg:maven/org.bouncycastle/bcprov-jdk18on@1.78.1",
            "maven",
            "org.bouncycastle:bcprov-jdk18on",
        ),
        ("pkg:npm/%40noble/curves@1.4.0", "curves", None, None, "npm", "@noble/curves"),
        (
            "pkg:golang/golang.org/x/crypto@v0.28.0",
            "x",
            None,
            None,
            "golang",
            "golang.org/x/crypto",
        ),
        ("pkg:deb/debian/openssl@3.0.14-1", "openssl", None, None, "deb", "openssl"),
        (None, "openssl", "3.0.13", "pkg:generic/openssl@3.0.13", "generic", "openssl"),
        (None, "Luna Client", None, "pkg:generic/Luna%20Client", "generic", "Luna Client"),
        ("garbage", "libfoo", "1.0", "pkg:generic/libfoo@1.0", "generic", "libfoo"),
    ],
)
def test_package_from_purl(
    purl: str | None,
    name: str,
    version: str | None,
    expected: str | None,
    ecosystem: str,
    display: str,
) -> None:
    package, warning = package_from_purl(purl, name, version)
    assert package.purl == (expected or purl)
    assert package.ecosystem == ecosystem
    assert package.name == display
    assert (warning is not None) == (purl == "garbage")


# ---------------------------------------------------------------- CycloneDX JSON


def test_cyclonedx_json_as_cyclonedx_py_writes_it() -> None:
    result = parse_cyclonedx_json("bom.json", read("risk-analytics.cdx.json"))
    assert result.kind == "cyclonedx-json"
    assert result.project == "risk-analytics"
    assert result.warnings == ()
    pkgs = by_name(result)
    assert set(pkgs) == {"cffi", "cryptography", "paramiko", "pycparser", "pynacl", "pytest"}
    crypto = pkgs["cryptography"]
    assert (crypto.purl, crypto.ecosystem, crypto.version, crypto.direct, crypto.line) == (
        "pkg:pypi/cryptography@43.0.1",
        "pypi",
        "43.0.1",
        True,
        44,
    )
    assert pkgs["paramiko"].direct is True
    assert pkgs["cffi"].direct is False
    assert pkgs["pytest"].scope == "excluded"
    assert pkgs["cffi"].scope is None
    # bom-refs like "cffi==1.17.1" are mapped to purls
    edges = set(result.edges)
    assert edges == {
        ("pkg:pypi/cffi@1.17.1", "pkg:pypi/pycparser@2.22"),
        ("pkg:pypi/cryptography@43.0.1", "pkg:pypi/cffi@1.17.1"),
        ("pkg:pypi/paramiko@3.5.0", "pkg:pypi/cryptography@43.0.1"),
        ("pkg:pypi/paramiko@3.5.0", "pkg:pypi/pynacl@1.5.0"),
        ("pkg:pypi/pynacl@1.5.0", "pkg:pypi/cffi@1.17.1"),
        ("", "pkg:pypi/cryptography@43.0.1"),
        ("", "pkg:pypi/paramiko@3.5.0"),
        ("", "pkg:pypi/pytest@8.3.3"),
    }


def test_cyclonedx_json_as_syft_writes_it() -> None:
    result = parse_cyclonedx_json("payments-image.syft.json", read("payments-image.syft.json"))
    assert result.project == "registry.bank.internal/payments/gateway"
    pkgs = by_name(result)
    openssl = pkgs["openssl"]
    assert openssl.ecosystem == "apk"
    assert openssl.purl == "pkg:apk/alpine/openssl@3.3.2-r0?arch=x86_64&distro=alpine-3.20.3"
    assert openssl.version == "3.3.2-r0"
    assert openssl.line == 29
    assert pkgs["org.bouncycastle:bcprov-jdk18on"].ecosystem == "maven"
    # a nested component (a shaded jar inside the gateway jar) is a package too
    assert pkgs["org.bouncycastle:bcpkix-jdk18on"].version == "1.78.1"
    assert pkgs["@noble/curves"].purl == "pkg:npm/%40noble/curves@1.4.0"
    # the operating system has no purl: generic; the file component is skipped
    assert pkgs["alpine"].purl == "pkg:generic/alpine@3.20.3"
    assert "/usr/lib/libcrypto.so.3" not in pkgs
    assert len(result.packages) == 6
    assert result.warnings == ("1 components that are not packages (files, data) skipped",)
    # no dependencies entry for the image itself: direct is not known
    assert all(p.direct is None for p in result.packages)
    assert set(result.edges) == {
        (
            "pkg:maven/com.bank.payments/gateway@4.2.0",
            "pkg:maven/org.bouncycastle/bcprov-jdk18on@1.78.1",
        ),
        (
            "pkg:maven/com.bank.payments/gateway@4.2.0",
            "pkg:maven/org.bouncycastle/bcpkix-jdk18on@1.78.1",
        ),
        (
            "pkg:maven/org.bouncycastle/bcpkix-jdk18on@1.78.1",
            "pkg:maven/org.bouncycastle/bcprov-jdk18on@1.78.1",
        ),
    }


def test_cyclonedx_1_2_scopes_generic_and_bad_purl() -> None:
    result = parse_cyclonedx_json("legacy-1.2.bom.json", read("legacy-1.2.bom.json"))
    assert result.project == "teller-console"
    assert [(p.purl, p.scope, p.direct) for p in result.packages] == [
        ("pkg:npm/jsrsasign@10.5.1", "runtime", None),
        ("pkg:generic/node-forge@1.3.1", "optional", None),
        ("pkg:generic/acme/hsm-bridge@2.0", None, None),
    ]
    assert len(result.warnings) == 1
    assert "node-forge" in result.warnings[0]
    assert result.edges == ()


def test_cyclonedx_json_duplicates_and_unknown_refs() -> None:
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.4",
        "metadata": {"component": {"bom-ref": "app", "name": "app"}},
        "components": [
            {"bom-ref": "a", "name": "a", "version": "1", "purl": "pkg:cargo/a@1"},
            {"bom-ref": "a2", "name": "a", "version": "1", "purl": "pkg:cargo/a@1"},
        ],
        "dependencies": [
            {"ref": "app", "dependsOn": ["a2", "ghost"]},
            {"ref": "ghost", "dependsOn": ["a"]},
        ],
    }
    result = parse_cyclonedx_json("bom.json", json.dumps(doc).encode())
    assert [(p.purl, p.direct) for p in result.packages] == [("pkg:cargo/a@1", True)]
    assert result.edges == (("", "pkg:cargo/a@1"),)


def test_cyclonedx_json_empty_bom() -> None:
    result = parse_cyclonedx_json("bom.json", b'{"bomFormat": "CycloneDX", "specVersion": "1.6"}')
    assert result == DependencyFile(kind="cyclonedx-json", project=None, packages=())


def test_cyclonedx_json_deeply_nested_components_are_walked_without_recursion() -> None:
    depth = 400  # json itself refuses much deeper documents
    component: dict[str, object] = {"name": f"c{depth}", "version": "1"}
    for level in range(depth - 1, 0, -1):
        component = {"name": f"c{level}", "version": "1", "components": [component]}
    doc = {"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [component]}
    result = parse_cyclonedx_json("bom.json", json.dumps(doc).encode())
    assert len(result.packages) == depth


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"[]",
        b'{"bomFormat": "SPDX"}',
        b'{"specVersion": "1.5", "components": []}',
        b'{"bomFormat": "CycloneDX", "components": {"name": "x"}}',
        b'{"bomFormat": "CycloneDX", "components": ["x"]}',
        b'{"bomFormat": "CycloneDX", "components": [{"version": "1"}]}',
        b'{"bomFormat": "CycloneDX", "components": [{"name": 5}]}',
        b'{"bomFormat": "CycloneDX", "components": [{"name": "a", "purl": 5}]}',
        b'{"bomFormat": "CycloneDX", "components": [{"name": "a", "components": "b"}]}',
        b'{"bomFormat": "CycloneDX", "metadata": []}',
        b'{"bomFormat": "CycloneDX", "metadata": {"component": "app"}}',
        b'{"bomFormat": "CycloneDX", "dependencies": {"ref": "a"}}',
        b'{"bomFormat": "CycloneDX", "dependencies": [{"dependsOn": ["a"]}]}',
        b'{"bomFormat": "CycloneDX", "dependencies": [{"ref": "a", "dependsOn": "b"}]}',
        b'{"bomFormat": "CycloneDX", "dependencies": [{"ref": "a", "dependsOn": [3]}]}',
        b'{"bomFormat": "CycloneDX", "specVersion": 1.5}',
        b'{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"na',
        b'{"bomFormat": "CycloneDX", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"bomFormat": "CycloneDX", "components": [{"name": "caf\xe9"}]}',
        b"\x00\x00\x00\x01binary",
    ],
)
def test_cyclonedx_json_broken_raises(data: bytes) -> None:
    with pytest.raises(CodeParseError):
        parse_cyclonedx_json("bom.json", data)


# ---------------------------------------------------------------- CycloneDX XML


def test_cyclonedx_xml_maven_plugin() -> None:
    result = parse_cyclonedx_xml("bom.xml", read("bom.xml"))
    assert result.kind == "cyclonedx-xml"
    assert result.project == "payments-gateway"
    pkgs = by_name(result)
    bcprov = pkgs["org.bouncycastle:bcprov-jdk15on"]
    assert (bcprov.purl, bcprov.version, bcprov.scope, bcprov.direct, bcprov.line) == (
        "pkg:maven/org.bouncycastle/bcprov-jdk15on@1.70?type=jar",
        "1.70",
        "runtime",
        False,
        29,
    )
    assert pkgs["org.bouncycastle:bcpkix-jdk15on"].direct is True
    assert pkgs["org.apache.santuario:xmlsec"].direct is True
    assert pkgs["junit:junit"].scope == "excluded"
    assert pkgs["com.fasterxml.woodstox:woodstox-core"].line == 48
    luna = pkgs["Thales Luna Client"]
    assert (luna.purl, luna.ecosystem, luna.line) == (
        "pkg:generic/Thales%20Luna%20Client@10.7.1",
        "generic",
        None,
    )
    assert len(result.packages) == 6
    assert set(result.edges) == {
        ("", "pkg:maven/org.bouncycastle/bcpkix-jdk15on@1.70?type=jar"),
        ("", "pkg:maven/org.apache.santuario/xmlsec@2.3.4?type=jar"),
        ("", "pkg:maven/junit/junit@4.13.2?type=jar"),
        (
            "pkg:maven/org.bouncycastle/bcpkix-jdk15on@1.70?type=jar",
            "pkg:maven/org.bouncycastle/bcprov-jdk15on@1.70?type=jar",
        ),
        (
            "pkg:maven/org.apache.santuario/xmlsec@2.3.4?type=jar",
            "pkg:maven/com.fasterxml.woodstox/woodstox-core@6.5.1?type=jar",
        ),
    }


def test_cyclonedx_xml_prefixed_namespace_1_6_skips_crypto_assets() -> None:
    result = parse_cyclonedx_xml("vendor-appliance.xml", read("vendor-appliance.xml"))
    assert result.project == "Luna Network HSM firmware"
    assert len(result.packages) == 1
    openssl = result.packages[0]
    assert openssl.name == "openssl"
    assert openssl.ecosystem == "generic"
    assert openssl.version == "3.0.13"
    assert openssl.direct is True
    # the purl's "&amp;" is unescaped before it is looked up: the line is found
    assert openssl.line == 13
    assert "download_url=" in openssl.purl
    assert result.warnings == ("1 components that are not packages (files, data) skipped",)


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6"])
def test_cyclonedx_xml_every_namespace(version: str) -> None:
    data = (
        f'<bom xmlns="http://cyclonedx.org/schema/bom/{version}" version="1"><components>'
        '<component type="library"><name>libsodium</name><version>1.0.20</version>'
        "</component></components></bom>"
    ).encode()
    result = parse_cyclonedx_xml("bom.xml", data)
    assert [p.purl for p in result.packages] == ["pkg:generic/libsodium@1.0.20"]


def test_cyclonedx_xml_deep_nesting_is_walked_without_recursion() -> None:
    depth = 5000
    ns = "http://cyclonedx.org/schema/bom/1.5"
    opening = "".join(
        f'<component type="library"><name>c{i}</name><components>' for i in range(depth)
    )
    closing = "</components></component>" * depth
    data = f'<bom xmlns="{ns}"><components>{opening}{closing}</components></bom>'.encode()
    result = parse_cyclonedx_xml("bom.xml", data)
    assert len(result.packages) == depth


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE bom [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components><component type="library">
<name>&lol9;</name></component></components></bom>
"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE bom [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components><component type="library">
<name>&xxe;</name></component></components></bom>
"""


@pytest.mark.parametrize(
    "data",
    [
        BILLION_LAUGHS,
        XXE,
        b'<?xml version="1.0" encoding="UT"?><bom xmlns="http://cyclonedx.org/schema/bom/1.4"/>',
        b'<?xml version="1.0" encoding="UTF-16"?><bom xmlns="http://cyclonedx.org/schema/bom/1.4"/>',
        b'<?xml version="1.0" encoding="utf-7"?><bom xmlns="http://cyclonedx.org/schema/bom/1.4"/>',
        b"",
        b"not xml at all",
        b'<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components><component>',
        b'<project xmlns="http://maven.apache.org/POM/4.0.0"></project>',
        b'<bom xmlns="http://cyclonedx.org/schema/bom/2.0"></bom>',
        b"<bom></bom>",
        b'<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components>'
        b'<component type="library"><version>1</version></component></components></bom>',
        b'<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><dependencies>'
        b"<dependency/></dependencies></bom>",
        b'<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components><component>'
        b"<name>caf\xe9</name></component></components></bom>",
    ],
)
def test_cyclonedx_xml_broken_or_hostile_raises(data: bytes) -> None:
    with pytest.raises(CodeParseError):
        parse_cyclonedx_xml("bom.xml", data)


# ---------------------------------------------------------------- SPDX JSON


def test_spdx_json_github_dependency_graph() -> None:
    result = parse_spdx_json("sbom.spdx.json", read("internet-banking-web.spdx.json"))
    assert result.kind == "spdx-json"
    assert result.project == "com.github.bank/internet-banking-web"
    pkgs = {p.purl: p for p in result.packages}
    # the described package is the project, not a dependency
    assert "pkg:github/bank/internet-banking-web@main" not in pkgs
    jwt = pkgs["pkg:npm/jsonwebtoken@9.0.2"]
    assert (jwt.name, jwt.ecosystem, jwt.version, jwt.direct, jwt.line) == (
        "jsonwebtoken",
        "npm",
        "9.0.2",
        True,
        38,
    )
    assert pkgs["pkg:npm/jws@3.2.2"].direct is False  # PACKAGE_MANAGER spelling
    assert pkgs["pkg:npm/%40noble/curves@1.4.0"].name == "@noble/curves"
    assert pkgs["pkg:npm/jest@29.7.0"].scope == "dev"
    assert pkgs["pkg:npm/jest@29.7.0"].direct is True
    # no purl: generic; CONTAINS is not a dependency
    assert pkgs["pkg:generic/vendored-sjcl@1.0.8"].direct is False
    assert len(pkgs) == 5
    assert set(result.edges) == {
        ("", "pkg:npm/jsonwebtoken@9.0.2"),
        ("", "pkg:npm/%40noble/curves@1.4.0"),
        ("", "pkg:npm/jest@29.7.0"),
        ("pkg:npm/jsonwebtoken@9.0.2", "pkg:npm/jws@3.2.2"),
    }


def test_spdx_2_2_document_describes_and_dependency_of() -> None:
    result = parse_spdx_json("core-ledger.spdx.json", read("core-ledger-2.2.spdx.json"))
    assert result.project == "core-ledger"
    assert [(p.name, p.version, p.direct) for p in result.packages] == [
        ("golang.org/x/crypto", "v0.28.0", True),
        ("github.com/cloudflare/circl", "v1.5.0", True),
        ("golang.org/x/sys", "v0.26.0", False),
    ]
    assert all(p.ecosystem == "golang" for p in result.packages)
    assert set(result.edges) == {
        ("", "pkg:golang/golang.org/x/crypto@v0.28.0"),
        ("", "pkg:golang/github.com/cloudflare/circl@v1.5.0"),
        ("pkg:golang/golang.org/x/crypto@v0.28.0", "pkg:golang/golang.org/x/sys@v0.26.0"),
        ("pkg:golang/github.com/cloudflare/circl@v1.5.0", "pkg:golang/golang.org/x/sys@v0.26.0"),
    }


def test_spdx_json_without_relationships() -> None:
    doc = {
        "spdxVersion": "SPDX-2.3",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": "x",
        "packages": [{"SPDXID": "SPDXRef-a", "name": "openssl", "versionInfo": "3.0.13"}],
    }
    result = parse_spdx_json("x.spdx.json", json.dumps(doc).encode())
    assert result.project is None
    assert [(p.purl, p.direct) for p in result.packages] == [("pkg:generic/openssl@3.0.13", None)]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"{}",
        b'{"spdxVersion": "2.3"}',
        b'{"spdxVersion": 2.3}',
        b'{"spdxVersion": "SPDX-2.3", "packages": {}}',
        b'{"spdxVersion": "SPDX-2.3", "packages": [{"SPDXID": "SPDXRef-a"}]}',
        b'{"spdxVersion": "SPDX-2.3", "packages": [{"name": "a", "versionInfo": 1}]}',
        b'{"spdxVersion": "SPDX-2.3", "packages": [{"name": "a", "externalRefs": {}}]}',
        b'{"spdxVersion": "SPDX-2.3", "packages": [{"name": "a", "externalRefs": ['
        b'{"referenceType": "purl", "referenceLocator": 7}]}]}',
        b'{"spdxVersion": "SPDX-2.3", "relationships": [{"relationshipType": "DEPENDS_ON"}]}',
        b'{"spdxVersion": "SPDX-2.3", "relationships": "none"}',
        b'{"spdxVersion": "SPDX-2.3", "documentDescribes": [1]}',
        b'{"spdxVersion": "SPDX-2.3", "packages": [{"name": "a"',
        b'{"spdxVersion": "SPDX-2.3", "x": ' + b"{" * 50_000,
    ],
)
def test_spdx_json_broken_raises(data: bytes) -> None:
    with pytest.raises(CodeParseError):
        parse_spdx_json("x.spdx.json", data)


# ---------------------------------------------------------------- SPDX tag-value


def test_spdx_tag_value() -> None:
    result = parse_spdx_tag_value("branch-kiosk.spdx", read("branch-kiosk.spdx"))
    assert result.kind == "spdx-tag-value"
    assert result.project == "BranchKiosk"
    assert [(p.purl, p.name, p.version, p.direct, p.scope, p.line) for p in result.packages] == [
        (
            "pkg:nuget/BouncyCastle.Cryptography@2.4.0",
            "BouncyCastle.Cryptography",
            "2.4.0",
            True,
            None,
            27,
        ),
        (
            "pkg:nuget/System.Security.Cryptography.Pkcs@8.0.0",
            "System.Security.Cryptography.Pkcs",
            "8.0.0",
            True,
            None,
            40,
        ),
        ("pkg:nuget/xunit@2.9.0", "xunit", "2.9.0", True, "test", 55),
    ]
    assert set(result.edges) == {
        ("", "pkg:nuget/BouncyCastle.Cryptography@2.4.0"),
        ("", "pkg:nuget/System.Security.Cryptography.Pkcs@8.0.0"),
        ("", "pkg:nuget/xunit@2.9.0"),
        (
            "pkg:nuget/System.Security.Cryptography.Pkcs@8.0.0",
            "pkg:nuget/BouncyCastle.Cryptography@2.4.0",
        ),
    }


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"", None),
        (b"DataLicense: CC0-1.0\n", "line 1"),
        (b"SPDXVersion: 2.3\n", "line 1"),
        (b"SPDXVersion: SPDX-2.3\nthis is not tag value\n", "line 2"),
        (b"SPDXVersion: SPDX-2.3\nRelationship: SPDXRef-A DEPENDS_ON\n", "line 2"),
        (b"SPDXVersion: SPDX-2.3\nPackageName: caf\xe9\n", "line 2"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00", None),
        (b"SPDXVersion: SPDX-2.3\nPackageName:\nPackageVersion: 1.0\n", "line 2"),
    ],
)
def test_spdx_tag_value_broken_raises(data: bytes, line: str | None) -> None:
    with pytest.raises(CodeParseError, match=line):
        parse_spdx_tag_value("x.spdx", data)


# ---------------------------------------------------------------- all parsers

FIXTURES = {
    "cyclonedx-json": [
        "risk-analytics.cdx.json",
        "payments-image.syft.json",
        "legacy-1.2.bom.json",
    ],
    "cyclonedx-xml": ["bom.xml", "vendor-appliance.xml"],
    "spdx-json": ["internet-banking-web.spdx.json", "core-ledger-2.2.spdx.json"],
    "spdx-tag-value": ["branch-kiosk.spdx"],
}


@pytest.mark.parametrize(("kind", "fixture"), [(k, f) for k, fs in FIXTURES.items() for f in fs])
def test_fixtures_detected_with_valid_purls_and_edges(kind: str, fixture: str) -> None:
    data = read(fixture)
    assert claimed(fixture, data[:4096]) == kind
    result = parser(kind).parse(fixture, data)
    assert result.kind == kind
    assert result.packages
    assert result.project
    purls = [p.purl for p in result.packages]
    assert len(purls) == len(set(purls))
    for package in result.packages:
        parsed = PackageURL.from_string(package.purl)
        assert parsed.type == package.ecosystem
        assert parsed.version == package.version
    for source, target in result.edges:
        assert source == "" or source in purls
        assert target in purls


@pytest.mark.parametrize("kind", sorted(FIXTURES))
@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=300))
def test_random_bytes_never_crash(kind: str, data: bytes) -> None:
    with contextlib.suppress(CodeParseError):
        parser(kind).parse("x", data)


@pytest.mark.parametrize("kind", sorted(FIXTURES))
@settings(max_examples=40, deadline=None)
@given(cut=st.integers(min_value=0, max_value=10_000))
def test_truncated_fixtures_never_crash(kind: str, cut: int) -> None:
    data = read(FIXTURES[kind][0])
    with contextlib.suppress(CodeParseError):
        parser(kind).parse(FIXTURES[kind][0], data[: cut % (len(data) + 1)])


@settings(max_examples=80, deadline=None)
@given(
    doc=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(
                st.sampled_from(
                    ["name", "purl", "components", "dependencies", "ref", "dependsOn", "metadata"]
                ),
                children,
                max_size=4,
            )
        ),
        max_leaves=20,
    )
)
def test_cyclonedx_structure_fuzz(doc: object) -> None:
    data = json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": doc})
    with contextlib.suppress(CodeParseError):
        parse_cyclonedx_json("bom.json", data.encode())
