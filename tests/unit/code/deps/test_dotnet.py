""".NET dependency files: MSBuild projects, Directory.Packages.props, packages.lock.json."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pqcscan.collectors.code.deps import parser_for
from pqcscan.collectors.code.deps.dotnet import (
    PARSERS,
    nuget_purl,
    parse_csproj,
    parse_nuget_lock,
)
from pqcscan.collectors.code.model import CodeParseError, DependencyFile, Package

DATA = Path(__file__).parent / "data" / "dotnet"


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def by_name(result: DependencyFile) -> dict[str, Package]:
    return {p.name: p for p in result.packages}


@pytest.mark.parametrize(
    ("name", "version", "purl"),
    [
        ("BouncyCastle.Cryptography", "2.4.0", "pkg:nuget/BouncyCastle.Cryptography@2.4.0"),
        ("Portable.BouncyCastle", None, "pkg:nuget/Portable.BouncyCastle"),
        ("StyleCop.Analyzers", "1.2.0-beta.556", "pkg:nuget/StyleCop.Analyzers@1.2.0-beta.556"),
    ],
)
def test_nuget_purl(name: str, version: str | None, purl: str) -> None:
    assert nuget_purl(name, version) == purl


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Bank.Payments.Api.csproj", "csproj"),
        ("src/Bank.Payments.Api/Bank.Payments.Api.csproj", "csproj"),
        ("Pricing.fsproj", "csproj"),
        ("Teller.vbproj", "csproj"),
        ("Directory.Packages.props", "csproj"),
        ("Directory.Build.props", "csproj"),
        ("packages.lock.json", "nuget-lock"),
        ("src\\Api\\packages.lock.json", "nuget-lock"),
        ("Bank.sln", None),
        ("packages.config", None),
        ("package-lock.json", None),
        ("app.csproj.user", None),
    ],
)
def test_detection(name: str, kind: str | None) -> None:
    kinds = [p.kind for p in PARSERS if p.matches(name, b"")]
    assert kinds == ([kind] if kind else [])
    if kind:
        found = parser_for(name.replace("\\", "/").rsplit("/", 1)[-1], b"")
        assert found is not None and found.kind == kind


# ---------------------------------------------------------------- MSBuild projects


def test_sdk_project_references_properties_and_scopes() -> None:
    result = parse_csproj("Bank.Payments.Api.csproj", read("Bank.Payments.Api.csproj"))
    assert result.kind == "csproj"
    assert result.project == "Bank.Payments.Api"
    packages = by_name(result)
    bc = packages["BouncyCastle.Cryptography"]
    assert bc.purl == "pkg:nuget/BouncyCastle.Cryptography@2.4.0"
    assert bc.version == "2.4.0" and bc.direct is True and bc.scope is None
    assert bc.line == 14
    # $(JwtVersion) -> $(IdentityModelVersion) -> 7.6.2 (defined after its use)
    assert packages["System.IdentityModel.Tokens.Jwt"].version == "7.6.2"
    # <Version> as a child element
    vault = packages["Azure.Security.KeyVault.Keys"]
    assert vault.version == "4.6.0" and vault.line == 17
    # a range and a floating version are requirements only
    portable = packages["Portable.BouncyCastle"]
    assert portable.version is None and portable.requirement == "[1.9.0,2.0)"
    assert portable.purl == "pkg:nuget/Portable.BouncyCastle"
    assert packages["Serilog.AspNetCore"].requirement == "8.*"
    assert packages["Serilog.AspNetCore"].version is None
    # PrivateAssets all (element or attribute, any case) -> build
    assert packages["StyleCop.Analyzers"].scope == "build"
    assert packages["StyleCop.Analyzers"].version == "1.2.0-beta.556"
    assert packages["Microsoft.SourceLink.GitHub"].scope == "build"
    assert packages["Microsoft.SourceLink.GitHub"].line == 27
    # an undefined property: no version, raw text kept, a warning
    hsm = packages["Bank.Hsm.Client"]
    assert hsm.version is None and hsm.requirement == "$(HsmClientVersion)"
    assert any("line 22: Bank.Hsm.Client" in w for w in result.warnings)
    # ProjectReference is not a package
    assert len(result.packages) == 9
    assert set(result.edges) == {("", p.purl) for p in result.packages}


def test_directory_packages_props_central_versions() -> None:
    result = parse_csproj("Directory.Packages.props", read("Directory.Packages.props"))
    assert result.project is None
    packages = by_name(result)
    bc = packages["BouncyCastle.Cryptography"]
    assert bc.version == "2.4.0" and bc.direct is None and bc.line == 7
    assert packages["System.Security.Cryptography.Pkcs"].version == "8.0.0"
    nbgv = packages["Nerdbank.GitVersioning"]
    assert nbgv.direct is True and nbgv.scope == "build" and nbgv.line == 13
    assert result.edges == (("", "pkg:nuget/Nerdbank.GitVersioning@3.6.133"),)


def test_project_with_central_versions_and_override() -> None:
    result = parse_csproj("Bank.Settlement.csproj", read("Bank.Settlement.csproj"))
    assert result.project == "Bank.Settlement.Engine"  # AssemblyName
    packages = by_name(result)
    assert packages["BouncyCastle.Cryptography"].version == "2.3.1"
    assert packages["BouncyCastle.Cryptography"].line == 11
    assert packages["Newtonsoft.Json"].version == "13.0.1"  # VersionOverride wins
    xunit = packages["xunit"]
    assert xunit.version is None and xunit.requirement is None
    assert any("xunit: no version" in w for w in result.warnings)
    # PackageVersions used by a reference are not listed twice
    assert len(result.packages) == 3


def test_legacy_project_with_msbuild_namespace() -> None:
    result = parse_csproj("Legacy.Teller.csproj", read("Legacy.Teller.csproj"))
    assert result.project == "Legacy.Teller"
    assert [(p.name, p.version, p.line) for p in result.packages] == [
        ("BouncyCastle", "1.8.9", 15),
        ("System.Security.Cryptography.Xml", "4.7.1", 18),
    ]


def test_update_items_and_semicolon_lists() -> None:
    text = b"""<Project>
  <ItemGroup>
    <PackageReference Update="BouncyCastle.Cryptography" Version="2.4.0" />
    <PackageReference Include="A.Crypto;B.Crypto" Version="1.0.0" />
    <PackageReference Version="1.0.0" />
  </ItemGroup>
</Project>
"""
    result = parse_csproj("Directory.Build.props", text)
    assert [(p.name, p.version) for p in result.packages] == [
        ("BouncyCastle.Cryptography", "2.4.0"),
        ("A.Crypto", "1.0.0"),
        ("B.Crypto", "1.0.0"),
    ]
    assert result.packages[0].line == 3
    assert any("without Include" in w for w in result.warnings)


def test_self_referencing_properties_stay_unresolved() -> None:
    text = b"""<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <A>$(B)</A>
    <B>$(A)</B>
    <Grow>$(Grow)$(Grow)</Grow>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Loop" Version="$(A)" />
    <PackageReference Include="Bomb" Version="$(Grow)" />
  </ItemGroup>
</Project>
"""
    packages = by_name(parse_csproj("Loop.csproj", text))
    assert packages["Loop"].version is None and packages["Loop"].requirement == "$(A)"
    assert packages["Bomb"].version is None and packages["Bomb"].requirement == "$(Grow)"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"<Project><ItemGroup>", "invalid XML"),
        (b"<packages><package id='x' version='1'/></packages>", "not an MSBuild project"),
        (b"<Project xmlns='urn:other'/>", "not an MSBuild project"),
        (b"\x00\x01binary", "invalid XML"),
        (b"<Project>caf\xe9</Project>", "invalid XML"),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
            b'<Project><ItemGroup><PackageReference Include="&lol2;" /></ItemGroup></Project>',
            "refused XML",
        ),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
            b"<Project>&x;</Project>",
            "refused XML",
        ),
    ],
)
def test_csproj_broken(text: bytes, message: str) -> None:
    with pytest.raises(CodeParseError, match=message):
        parse_csproj("App.csproj", text)


def test_csproj_truncated() -> None:
    data = read("Bank.Payments.Api.csproj")
    with pytest.raises(CodeParseError, match="invalid XML"):
        parse_csproj("Bank.Payments.Api.csproj", data[: len(data) // 2])


def test_csproj_deep_nesting() -> None:
    text = b"<Project>" + b"<a>" * 20000 + b"</a>" * 20000 + b"</Project>"
    with contextlib.suppress(CodeParseError):
        assert parse_csproj("Deep.csproj", text).packages == ()


# ---------------------------------------------------------------- packages.lock.json


def test_nuget_lock_packages_direct_and_requirements() -> None:
    result = parse_nuget_lock("packages.lock.json", read("packages.lock.json"))
    assert result.kind == "nuget-lock" and result.project is None
    packages = by_name(result)
    bc = packages["BouncyCastle.Cryptography"]
    assert bc.purl == "pkg:nuget/BouncyCastle.Cryptography@2.4.0"
    assert bc.direct is True and bc.requirement == "[2.4.0, )" and bc.line == 5
    logging = packages["Microsoft.IdentityModel.Logging"]
    assert logging.direct is False and logging.requirement is None and logging.line == 42
    pkcs = packages["System.Security.Cryptography.Pkcs"]
    assert pkcs.direct is False and pkcs.version == "8.0.0" and pkcs.line == 64
    # a Project entry is another project of the solution, not a package
    assert "bank.payments.core" not in packages
    # the same package in two frameworks is one package
    assert len(result.packages) == 7


def test_nuget_lock_edges() -> None:
    edges = set(parse_nuget_lock("packages.lock.json", read("packages.lock.json")).edges)
    jwt = "pkg:nuget/System.IdentityModel.Tokens.Jwt@7.6.2"
    assert ("", "pkg:nuget/BouncyCastle.Cryptography@2.4.0") in edges
    assert ("", jwt) in edges
    assert (jwt, "pkg:nuget/Microsoft.IdentityModel.JsonWebTokens@7.6.2") in edges
    assert (
        "pkg:nuget/Microsoft.IdentityModel.Logging@7.6.2",
        "pkg:nuget/Microsoft.IdentityModel.Abstractions@7.6.2",
    ) in edges
    assert len(edges) == 7


def test_nuget_lock_transitive_in_one_framework_direct_in_another() -> None:
    doc = {
        "version": 2,
        "dependencies": {
            "net6.0": {"X": {"type": "Transitive", "resolved": "1.0.0"}},
            "net8.0": {"X": {"type": "Direct", "requested": "[1.0.0, )", "resolved": "1.0.0"}},
        },
    }
    (x,) = parse_nuget_lock("packages.lock.json", json.dumps(doc).encode()).packages
    assert x.direct is True and x.requirement == "[1.0.0, )"


@pytest.mark.parametrize(
    "text",
    [
        b"",
        b"[]",
        b'{"version": 1}',
        b'{"dependencies": {}}',
        b'{"version": 1, "dependencies": []}',
        b'{"version": 1, "dependencies": {"net8.0": []}}',
        b'{"version": 1, "dependencies": {"net8.0": {"X": 1}}}',
        b'{"version": 1, "dependencies": {"net8.0": {"X": {"type": "Direct"}}}}',
        b'{"version": 1, "dependencies": {"net8.0": {"X": {"type": 5, "resolved": "1"}}}}',
        b'{"version": 1, "dependencies": {"net8.0": {"X": {"resolved": 1.5}}}}',
        b'{"version": 1, "dependencies": {"net8.0": {"X": {"resolved": "1", "dependencies": []}}}}',
        b'{"version": 1, "dependencies": {"net8.0": {"X": {"resolved": "1", "requested": 2}}}}',
        b'{"version": 1, "dependencies": {"net8.0": {',
        b"[" * 100000,
        b"\xff\xfe{}",
    ],
)
def test_nuget_lock_broken(text: bytes) -> None:
    with pytest.raises(CodeParseError):
        parse_nuget_lock("packages.lock.json", text)


# ---------------------------------------------------------------- hostile input


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_never_crashes(data: bytes) -> None:
    for parse in (parse_csproj, parse_nuget_lock):
        with contextlib.suppress(CodeParseError):
            parse("x.csproj", data)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["type", "resolved", "requested", "dependencies", "X", "net8.0"]),
            children,
            max_size=4,
        )
    ),
    max_leaves=15,
)


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_fuzz_nuget_lock_structure(value: object) -> None:
    doc = {"version": 1, "dependencies": {"net8.0": {"X": value}, "net48": value}}
    with contextlib.suppress(CodeParseError):
        parse_nuget_lock("packages.lock.json", json.dumps(doc).encode())


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="$()ABab.;*[], 0123456789", max_size=40),
    st.text(alphabet="$()ABab.;* 0123456789", max_size=40),
)
def test_fuzz_csproj_values(include: str, version: str) -> None:
    from xml.sax.saxutils import quoteattr

    text = (
        f"<Project><PropertyGroup><A>{version}</A></PropertyGroup><ItemGroup>"
        f"<PackageReference Include={quoteattr(include)} Version={quoteattr(version)} />"
        "</ItemGroup></Project>"
    )
    with contextlib.suppress(CodeParseError):
        parse_csproj("x.csproj", text.encode())


def test_utf16_project_with_bom() -> None:
    text = (
        '<?xml version="1.0" encoding="utf-16"?>\n<Project Sdk="Microsoft.NET.Sdk">\n'
        "  <ItemGroup>\n"
        '    <PackageReference Include="BouncyCastle.Cryptography" Version="2.4.0" />\n'
        "  </ItemGroup>\n</Project>\n"
    )
    (package,) = parse_csproj("Old.csproj", b"\xff\xfe" + text.encode("utf-16-le")).packages
    assert package.version == "2.4.0" and package.line == 4


@pytest.mark.parametrize(
    "text",
    [
        b'<?xml version="1.0" encoding="no-such-codec"?><Project/>',
        b'{"version": 1, "dependencies": {"net8.0": {"": {"type": "Direct", "resolved": "1"}}}}',
        b'{"version": 1, "dependencies": {"net8.0": {"X": {"type": "Direct", "resolved": ""}}}}',
    ],
)
def test_unusable_names_and_encodings(text: bytes) -> None:
    parse = parse_csproj if text.startswith(b"<") else parse_nuget_lock
    with pytest.raises(CodeParseError):
        parse("x", text)


@pytest.mark.parametrize(
    "fixture",
    [
        "Bank.Payments.Api.csproj",
        "Bank.Settlement.csproj",
        "Legacy.Teller.csproj",
        "Directory.Packages.props",
        "packages.lock.json",
    ],
)
def test_fixtures_route_to_their_parser(fixture: str) -> None:
    found = parser_for(fixture, read(fixture)[:4096])
    assert found is not None
    assert found.kind == ("nuget-lock" if fixture.endswith(".json") else "csproj")


def test_property_names_ignore_case_and_remove_items() -> None:
    text = b"""<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <BouncyCastleVersion>2.4.0</BouncyCastleVersion>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Remove="Portable.BouncyCastle" />
    <PackageReference Include="BouncyCastle.Cryptography" Version="$(bouncycastleversion)" />
  </ItemGroup>
</Project>
"""
    result = parse_csproj("Api.csproj", text)
    assert [(p.name, p.version, p.line) for p in result.packages] == [
        ("BouncyCastle.Cryptography", "2.4.0", 7)
    ]
    assert result.warnings == ()
