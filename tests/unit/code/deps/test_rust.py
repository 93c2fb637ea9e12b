"""Rust dependency files: Cargo.toml and Cargo.lock."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pqcscan.collectors.code.deps import parser_for
from pqcscan.collectors.code.deps.rust import (
    PARSERS,
    cargo_purl,
    parse_cargo_lock,
    parse_cargo_toml,
)
from pqcscan.collectors.code.model import CodeParseError, DependencyFile, Package

DATA = Path(__file__).parent / "data" / "rust"


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def direct_by_name(result: DependencyFile) -> dict[str, Package]:
    return {p.name: p for p in result.packages if p.direct}


@pytest.mark.parametrize(
    ("name", "version", "purl"),
    [
        ("rustls", "0.23.10", "pkg:cargo/rustls@0.23.10"),
        ("aws-lc-rs", None, "pkg:cargo/aws-lc-rs"),
        ("pqc_kyber", "0.7.1", "pkg:cargo/pqc_kyber@0.7.1"),
    ],
)
def test_cargo_purl(name: str, version: str | None, purl: str) -> None:
    assert cargo_purl(name, version) == purl


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Cargo.toml", "cargo-toml"),
        ("crates/hsm-bridge/Cargo.toml", "cargo-toml"),
        ("Cargo.lock", "cargo-lock"),
        ("cargo.toml", None),
        ("Cargo.toml.orig", None),
        (".cargo/config.toml", None),
    ],
)
def test_detection(name: str, kind: str | None) -> None:
    kinds = [p.kind for p in PARSERS if p.matches(name, b"")]
    assert kinds == ([kind] if kind else [])
    if kind:
        found = parser_for(name.rsplit("/", 1)[-1], b"")
        assert found is not None and found.kind == kind


# ---------------------------------------------------------------- Cargo.toml


def test_cargo_toml_dependencies_and_scopes() -> None:
    result = parse_cargo_toml("Cargo.toml", read("Cargo.toml"))
    assert result.kind == "cargo-toml"
    assert result.project == "ledger-signer"
    packages = direct_by_name(result)
    rustls = packages["rustls"]
    assert rustls.purl == "pkg:cargo/rustls"
    assert rustls.requirement == "0.23.10" and rustls.version is None
    assert rustls.scope == "runtime" and rustls.line == 18
    assert packages["aws-lc-rs"].requirement == "1.7.3"
    # An exact requirement is a version.
    x509 = packages["x509-parser"]
    assert x509.version == "0.16.0" and x509.purl == "pkg:cargo/x509-parser@0.16.0"
    assert x509.requirement == "=0.16.0"
    assert packages["pqc_kyber"].scope == "optional"
    assert packages["sha2"].requirement == "0.10.8" and packages["sha2"].line == 29
    assert packages["criterion"].scope == "dev"
    assert packages["hex-literal"].scope == "dev"
    assert packages["cc"].scope == "build" and packages["cc"].line == 44
    assert packages["openssl-probe"].scope == "runtime"
    assert packages["openssl-probe"].line == 34
    assert packages["schannel"].line == 37
    assert all(p.ecosystem == "cargo" for p in result.packages)


def test_cargo_toml_renames_workspace_inheritance_path_and_git() -> None:
    result = parse_cargo_toml("Cargo.toml", read("Cargo.toml"))
    packages = direct_by_name(result)
    # openssl-crate = { package = "openssl", ... }: the real crate
    assert "openssl-crate" not in packages
    assert packages["openssl"].requirement == "0.10.64"
    assert packages["openssl"].line == 25
    # ring = { workspace = true } and tokio.workspace = true
    assert packages["ring"].requirement == "0.17.8"
    assert packages["tokio"].requirement == "1.38"
    assert packages["tokio"].line == 21
    assert packages["serde"].requirement == "1.0.203"
    # path: skipped with a warning; git: kept without version, with a warning
    assert "hsm-bridge" not in {p.name for p in result.packages}
    assert packages["rcgen"].version is None and packages["rcgen"].requirement is None
    assert any("hsm-bridge: path dependency" in w for w in result.warnings)
    assert any("rcgen: git dependency" in w and "line 27" in w for w in result.warnings)
    # [workspace.dependencies]: the definitions, not direct dependencies of this crate
    workspace = [p for p in result.packages if p.direct is None]
    assert sorted(p.name for p in workspace) == ["ring", "serde", "tokio"]
    assert {p.line for p in workspace} == {13, 14, 15}


def test_cargo_toml_edges() -> None:
    result = parse_cargo_toml("Cargo.toml", read("Cargo.toml"))
    assert ("", "pkg:cargo/rustls") in result.edges
    assert ("", "pkg:cargo/x509-parser@0.16.0") in result.edges
    assert len(result.edges) == len(set(result.edges))
    assert all(source == "" for source, _ in result.edges)


def test_cargo_toml_virtual_workspace_and_legacy_tables() -> None:
    text = b"""[workspace]
resolver = "2"
members = ["signer", "verifier"]

[workspace.dependencies]
rustls = { version = "0.23", default-features = false }
"""
    result = parse_cargo_toml("Cargo.toml", text)
    assert result.project is None
    assert [(p.name, p.requirement, p.direct) for p in result.packages] == [
        ("rustls", "0.23", None)
    ]
    legacy = parse_cargo_toml(
        "Cargo.toml", b'[package]\nname = "old"\n[dev_dependencies]\nring = "0.16"\n'
    )
    assert [(p.name, p.scope) for p in legacy.packages] == [("ring", "dev")]


@pytest.mark.parametrize(
    "text",
    [
        b"[dependencies]\nring = 5\n",
        b"[dependencies]\nring = { version = 5 }\n",
        b"[dependencies]\nring = { package = 7 }\n",
        b"dependencies = 3\n",
        b"workspace = 3\n",
        b"[workspace]\ndependencies = []\n",
        b"[dependencies\nring = '1'\n",
        b'[dependencies]\nring = "0.17\n',
        b"\x00\x01\x02",
        b'[package]\nname = "caf\xe9"\n',
        b"a = " + b"[" * 5000 + b"]" * 5000 + b"\n",
    ],
)
def test_cargo_toml_broken(text: bytes) -> None:
    with pytest.raises(CodeParseError):
        parse_cargo_toml("Cargo.toml", text)


def test_cargo_toml_empty_file() -> None:
    result = parse_cargo_toml("Cargo.toml", b"")
    assert result.packages == () and result.project is None


# ---------------------------------------------------------------- Cargo.lock


def test_cargo_lock_v4_packages_direct_and_project() -> None:
    result = parse_cargo_lock("Cargo.lock", read("Cargo.lock"))
    assert result.kind == "cargo-lock"
    # Two workspace crates (no source): no single project name.
    assert result.project is None
    purls = {p.purl: p for p in result.packages}
    assert len(purls) == len(result.packages) == 21
    assert "pkg:cargo/ledger-signer@0.9.2" not in purls
    assert "pkg:cargo/hsm-bridge@0.1.0" not in purls
    assert purls["pkg:cargo/rustls@0.23.10"].direct is True
    assert purls["pkg:cargo/rustls@0.23.10"].line == 146
    assert purls["pkg:cargo/aws-lc-rs@1.7.3"].direct is True
    assert purls["pkg:cargo/ring@0.16.20"].direct is True
    assert purls["pkg:cargo/ring@0.17.8"].direct is True
    assert purls["pkg:cargo/ring@0.17.8"].line == 134
    assert purls["pkg:cargo/aws-lc-sys@0.18.0"].direct is False
    assert purls["pkg:cargo/untrusted@0.9.0"].direct is False


def test_cargo_lock_edges_resolve_name_and_name_version() -> None:
    edges = set(parse_cargo_lock("Cargo.lock", read("Cargo.lock")).edges)
    assert ("", "pkg:cargo/rustls@0.23.10") in edges
    assert ("", "pkg:cargo/ring@0.16.20") in edges
    assert ("pkg:cargo/rustls@0.23.10", "pkg:cargo/ring@0.17.8") in edges
    assert ("pkg:cargo/rustls@0.23.10", "pkg:cargo/aws-lc-rs@1.7.3") in edges
    assert ("pkg:cargo/aws-lc-rs@1.7.3", "pkg:cargo/aws-lc-sys@0.18.0") in edges
    assert ("pkg:cargo/rustls-webpki@0.102.4", "pkg:cargo/untrusted@0.9.0") in edges
    # The hsm-bridge crate is local: its dependency on ring is a direct one.
    assert not any("hsm-bridge" in a or "hsm-bridge" in b for a, b in edges)


def test_cargo_lock_v1_with_sources_in_references() -> None:
    result = parse_cargo_lock("Cargo.lock", read("Cargo-v1.lock"))
    assert result.project == "token-vault"
    assert [(p.name, p.version, p.direct) for p in result.packages] == [
        ("cc", "1.0.50", False),
        ("libc", "0.2.67", False),
        ("ring", "0.16.11", True),
    ]
    assert set(result.edges) == {
        ("", "pkg:cargo/ring@0.16.11"),
        ("pkg:cargo/ring@0.16.11", "pkg:cargo/cc@1.0.50"),
        ("pkg:cargo/ring@0.16.11", "pkg:cargo/libc@0.2.67"),
    }


def test_cargo_lock_dangling_reference_is_a_warning() -> None:
    text = b"""version = 3

[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "ring",
 "missing-crate",
]

[[package]]
name = "ring"
version = "0.17.8"
source = "registry+https://github.com/rust-lang/crates.io-index"
"""
    result = parse_cargo_lock("Cargo.lock", text)
    assert result.project == "app"
    assert [p.name for p in result.packages] == ["ring"]
    assert any("missing-crate" in w for w in result.warnings)


def test_cargo_lock_without_local_crates_does_not_say_direct() -> None:
    text = b"""version = 4

[[package]]
name = "ring"
version = "0.17.8"
source = "registry+https://github.com/rust-lang/crates.io-index"
"""
    (ring,) = parse_cargo_lock("Cargo.lock", text).packages
    assert ring.direct is None


@pytest.mark.parametrize(
    "text",
    [
        b"",
        b"# nothing here\n",
        b"package = 3\n",
        b'[[package]]\nname = "ring"\n',
        b'[[package]]\nname = 1\nversion = "1"\n',
        b'[[package]]\nname = "a"\nversion = "1"\ndependencies = "b"\n',
        b'[[package]]\nname = "a"\nversion = "1"\ndependencies = [1]\n',
        b'[[package]]\nname = "a"\nversion = "1"\nsource = 5\n',
        b'[[package]]\nname = "a"\nversion = ',
        b"\xff\xfe",
    ],
)
def test_cargo_lock_broken(text: bytes) -> None:
    with pytest.raises(CodeParseError):
        parse_cargo_lock("Cargo.lock", text)


def test_cargo_lock_truncated() -> None:
    data = read("Cargo.lock")
    with pytest.raises(CodeParseError):
        parse_cargo_lock("Cargo.lock", data[: data.index(b"0.23.10") + 3])


# ---------------------------------------------------------------- hostile input


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_never_crashes(data: bytes) -> None:
    for parse in (parse_cargo_toml, parse_cargo_lock):
        with contextlib.suppress(CodeParseError):
            parse("Cargo.toml", data)


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "version",
                        "package",
                        "workspace",
                        "git",
                        "path",
                        "optional",
                        "name",
                        "source",
                        "dependencies",
                    ]
                ),
                children,
                max_size=4,
            )
        ),
        max_leaves=12,
    )
)
def test_fuzz_structured_values(value: object) -> None:
    def toml(v: object) -> str:
        if v is None:
            return '""'
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int):
            return str(v)
        if isinstance(v, str):
            return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if isinstance(v, list):
            return "[" + ", ".join(toml(x) for x in v) + "]"
        assert isinstance(v, dict)
        return "{" + ", ".join(f'"{k}" = {toml(x)}' for k, x in v.items()) + "}"

    manifest = (
        f"[dependencies]\nring = {toml(value)}\n[workspace.dependencies]\nring = {toml(value)}\n"
    )
    lock = f'[[package]]\nname = "a"\nversion = "1"\ndependencies = {toml(value)}\n'
    for parse, text in ((parse_cargo_toml, manifest), (parse_cargo_lock, lock)):
        with contextlib.suppress(CodeParseError):
            parse("Cargo.toml", text.encode())


@pytest.mark.parametrize(
    ("parse", "text"),
    [
        (parse_cargo_toml, b'[dependencies]\nring = { package = " " }\n'),
        (parse_cargo_toml, b'[dependencies]\n"ring core" = "1"\n'),
        (parse_cargo_lock, b'[[package]]\nname = " "\nversion = "1.0.0"\n'),
        (parse_cargo_lock, b'[[package]]\nname = "a/b"\nversion = "1.0.0"\n'),
    ],
)
def test_invalid_crate_names(parse: object, text: bytes) -> None:
    assert callable(parse)
    with pytest.raises(CodeParseError, match="invalid crate name"):
        parse("Cargo.toml", text)


@pytest.mark.parametrize(
    ("fixture", "name", "kind"),
    [
        ("Cargo.toml", "Cargo.toml", "cargo-toml"),
        ("Cargo.lock", "Cargo.lock", "cargo-lock"),
        ("Cargo-v1.lock", "Cargo.lock", "cargo-lock"),
    ],
)
def test_fixtures_route_to_their_parser(fixture: str, name: str, kind: str) -> None:
    found = parser_for(name, read(fixture)[:4096])
    assert found is not None and found.kind == kind


def test_cargo_lock_many_versions_of_one_crate_is_fast() -> None:
    entries = "".join(
        f'[[package]]\nname = "c"\nversion = "1.0.{i}"\nsource = "registry+x"\n'
        f'dependencies = ["c 1.0.{(i + 1) % 30000}"]\n\n'
        for i in range(30000)
    )
    result = parse_cargo_lock("Cargo.lock", ("version = 4\n" + entries).encode())
    assert len(result.packages) == 30000 and len(result.edges) == 30000
