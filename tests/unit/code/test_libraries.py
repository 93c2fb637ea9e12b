"""Crypto-library knowledge (rules/packages/*.yaml) and its matcher."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from packageurl import PackageURL

from pqcscan.catalog import QuantumStatus, get_catalog
from pqcscan.catalog.loader import rules_root
from pqcscan.collectors.code.libraries import (
    ALL,
    ECOSYSTEMS,
    UNKNOWN,
    CryptoLibrary,
    compare_versions,
    libraries,
    library_for,
    load_libraries,
    normalise_name,
    package_findings,
    parse_version,
    pqc_capable,
)
from pqcscan.collectors.code.model import Package
from pqcscan.errors import RuleError
from pqcscan.results import AssetKey, AssetType, Usage

LIBRARIES = libraries()
BY_ID = {lib.id: lib for lib in LIBRARIES}
RULES = Path(str(rules_root()))


def _package(ecosystem: str, name: str, version: str | None = None) -> Package:
    """A Package as the dependency parsers build it (purl by packageurl-python)."""
    namespace = None
    short = name
    if ecosystem == "maven":
        namespace, short = name.split(":", 1)
    elif "/" in name and ecosystem in ("npm", "composer", "golang"):
        namespace, short = name.rsplit("/", 1)
    purl = PackageURL(type=ecosystem, namespace=namespace, name=short, version=version)
    return Package(purl=purl.to_string(), ecosystem=ecosystem, name=name, version=version)


# -- the data as a whole ----------------------------------------------------------------------


def test_at_least_sixty_libraries_across_every_ecosystem() -> None:
    assert len(LIBRARIES) >= 60
    assert {lib.ecosystem for lib in LIBRARIES} == set(ECOSYSTEMS)
    for ecosystem in ECOSYSTEMS:
        assert (RULES / "packages" / f"{ecosystem}.yaml").is_file()


def test_ids_and_names_are_unique() -> None:
    assert len(BY_ID) == len(LIBRARIES)
    seen: dict[tuple[str, str], str] = {}
    for lib in LIBRARIES:
        for name in lib.names:
            key = (lib.ecosystem, normalise_name(lib.ecosystem, name))
            assert key not in seen, f"{name} in {seen.get(key)} and {lib.id}"
            seen[key] = lib.id


def test_the_shipped_files_validate_against_the_schema() -> None:
    import jsonschema

    schema = json.loads((RULES / "schema" / "packages.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for ecosystem in ECOSYSTEMS:
        doc = yaml.safe_load((RULES / "packages" / f"{ecosystem}.yaml").read_text())
        assert not list(validator.iter_errors(doc)), ecosystem


# -- every entry ------------------------------------------------------------------------------


def _below(lib: CryptoLibrary, version: str) -> str:
    """A pre-release of ``version``: sorts just below it in the library's ecosystem."""
    return f"{version}rc1" if lib.ecosystem == "pypi" else f"{version}-rc1"


@pytest.mark.parametrize("lib", LIBRARIES, ids=lambda lib: lib.id)
def test_every_name_finds_its_library(lib: CryptoLibrary) -> None:
    for name in lib.names:
        assert library_for(lib.ecosystem, name) is lib
        assert library_for(lib.ecosystem, name.upper()) is lib
        assert library_for(lib.ecosystem, f" {name} ") is lib
    other = "npm" if lib.ecosystem != "npm" else "pypi"
    found = library_for(other, lib.names[0])
    assert found is None or found.ecosystem == other


@pytest.mark.parametrize("lib", LIBRARIES, ids=lambda lib: lib.id)
def test_every_algorithm_is_a_catalog_algorithm(lib: CryptoLibrary) -> None:
    catalog = get_catalog()
    for algorithm, parameter, usage in lib.provides:
        c = catalog.classify(algorithm, parameter)
        assert c.algorithm != "unknown", (lib.id, algorithm, parameter)
        assert not c.pseudo
        assert isinstance(usage, Usage)
        if parameter:  # a parameter the catalog rates, not free text
            assert c.classical_bits is not None, (lib.id, algorithm, parameter)
    for algorithm in lib.pqc_algorithms:
        c = catalog.classify(algorithm)
        assert c.algorithm == algorithm, (lib.id, algorithm)
        assert c.status in (QuantumStatus.QUANTUM_SAFE, QuantumStatus.HYBRID), algorithm
    assert len(set(lib.pqc_algorithms)) == len(lib.pqc_algorithms)
    for algorithm, _ in lib.pqc_algorithm_since:
        assert algorithm in lib.pqc_algorithms


@pytest.mark.parametrize("lib", LIBRARIES, ids=lambda lib: lib.id)
def test_every_entry_is_sourced_and_consistent(lib: CryptoLibrary) -> None:
    assert lib.source.startswith("https://")
    assert len(lib.note) >= 10
    assert lib.rule_file == f"rules/packages/{lib.ecosystem}.yaml"
    assert lib.role in ("library", "wrapper", "protocol", "pqc")
    assert lib.provides or lib.pqc_algorithms, "an entry must yield findings"
    if lib.pqc_since is None:
        assert not lib.pqc_algorithms, "algorithms without a PQC version"
    else:
        assert lib.pqc_algorithms, "a PQC version without algorithms"
    if lib.role == "wrapper":
        assert lib.binds, "a wrapper says what it binds"


@pytest.mark.parametrize("lib", LIBRARIES, ids=lambda lib: lib.id)
def test_every_entry_answers_pqc_capable_by_its_since(lib: CryptoLibrary) -> None:
    since = lib.pqc_since
    if since is None:
        assert pqc_capable(lib, "1.0.0") is False
        assert pqc_capable(lib, None) is False
    elif since == ALL:
        assert pqc_capable(lib, None) is True
        assert pqc_capable(lib, "0.1.0") is True
    elif since == UNKNOWN:
        assert pqc_capable(lib, "999.0") is None
        assert pqc_capable(lib, None) is None
    else:
        assert pqc_capable(lib, since) is True
        assert pqc_capable(lib, f"{since}.1") is True
        assert pqc_capable(lib, _below(lib, since)) is False
        assert pqc_capable(lib, None) is None
        assert pqc_capable(lib, "not a version") is None


# -- hand-written expectations for the important ones ------------------------------------------

EXPECTED = [
    # (ecosystem, name, version, pqc_capable)
    ("generic", "openssl", "3.4.1", False),
    ("generic", "openssl", "3.5.0", True),
    ("generic", "openssl", "3.5.1", True),
    ("generic", "openssl", "3.5.0-beta1", False),
    ("generic", "openssl", "1.1.1w", False),
    ("generic", "openssl", "3.0.13", False),
    ("golang", "stdlib", "1.23.6", False),
    ("golang", "stdlib", "1.24", True),
    ("golang", "stdlib", "1.24.0", True),
    ("golang", "stdlib", "go1.24.3", True),
    ("golang", "stdlib", "1.24rc1", False),
    ("golang", "stdlib", "1.25.1", True),
    ("maven", "org.bouncycastle:bcprov-jdk18on", "1.78.1", False),
    ("maven", "org.bouncycastle:bcprov-jdk18on", "1.79", True),
    ("maven", "org.bouncycastle:bcprov-jdk18on", "1.80", True),
    ("maven", "org.bouncycastle:bcprov-jdk15on", "1.70", False),
    ("maven", "org.bouncycastle:bcpkix-jdk18on", "1.81", True),
    ("nuget", "BouncyCastle.Cryptography", "2.4.0", False),
    ("nuget", "BouncyCastle.Cryptography", "2.5.0", True),
    ("nuget", "BouncyCastle.Cryptography", "2.6.1", True),
    ("nuget", "Portable.BouncyCastle", "1.9.0", False),
    ("golang", "github.com/cloudflare/circl", "v1.3.9", False),
    ("golang", "github.com/cloudflare/circl", "v1.4.0", True),
    ("golang", "github.com/cloudflare/circl", "v1.6.1", True),
    ("golang", "github.com/cloudflare/circl", "v1.3.10-0.20240710150000-abcdef123456", False),
    ("golang", "github.com/cloudflare/circl", "v1.4.1-0.20240901120000-0123456789ab", True),
    ("generic", "liboqs", "0.10.1", False),
    ("generic", "liboqs", "0.11.0", True),
    ("npm", "@noble/post-quantum", "0.1.0", False),
    ("npm", "@noble/post-quantum", "0.2.0", True),
    ("npm", "@noble/post-quantum", "0.5.2", True),
    ("generic", "openjdk", "21.0.5", False),
    ("generic", "openjdk", "23.0.2", False),
    ("generic", "openjdk", "24", True),
    ("generic", "openjdk", "24.0.1", True),
    ("generic", "dotnet", "9.0.1", False),
    ("generic", "dotnet", "10.0.0", True),
    ("generic", "openssh", "9.8p1", False),
    ("generic", "openssh", "9.9", True),
    ("generic", "openssh", "9.9p1", True),
    ("generic", "openssh", "10.0p2", True),
    ("cargo", "rustls-post-quantum", "0.1.0", False),
    ("cargo", "rustls-post-quantum", "0.2.0", True),
    ("cargo", "ml-kem", "0.1.1", False),
    ("cargo", "ml-kem", "0.2.0", True),
    ("cargo", "ml-kem", "0.3.0-pre.2", True),
    ("cargo", "pqcrypto-mlkem", None, True),
    ("cargo", "pqcrypto-kyber", "0.8.1", False),
    ("cargo", "ring", "0.17.8", False),
    ("cargo", "openssl", "0.10.66", None),
    ("pypi", "wolfcrypt", "5.7.4", False),
    ("pypi", "wolfcrypt", "5.8.2rc1", False),
    ("pypi", "wolfcrypt", "5.8.2", True),
    ("pypi", "cryptography", "44.0.0", None),
    ("pypi", "pycryptodome", "3.20.0", False),
    ("pypi", "pycryptodome", None, False),
    ("pypi", "paramiko", "3.4.0", False),
    ("pypi", "ecdsa", "0.19.0", False),
    ("npm", "jsonwebtoken", "9.0.2", False),
    ("npm", "node-forge", "1.3.1", False),
    ("composer", "phpseclib/phpseclib", "3.0.37", False),
    ("gem", "net-ssh", "7.2.3", False),
    ("generic", "libsodium", "1.0.20", None),
    ("generic", "mbedtls", "3.6.0", False),
    ("generic", "botan", "3.5.0", False),
    ("generic", "botan", "3.6.0", True),
]


@pytest.mark.parametrize(("ecosystem", "name", "version", "expected"), EXPECTED)
def test_pqc_capable_for_important_libraries(
    ecosystem: str, name: str, version: str | None, expected: bool | None
) -> None:
    lib = library_for(ecosystem, name)
    assert lib is not None
    assert pqc_capable(lib, version) is expected


# -- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ecosystem", "name", "library_id"),
    [
        ("pypi", "PyNaCl", "pynacl"),
        ("pypi", "pynacl", "pynacl"),
        ("pypi", "python_jose", "python-jose"),
        ("pypi", "Python.Jose", "python-jose"),
        ("pypi", "pycryptodomex", "pycryptodome"),
        ("pypi", "Liboqs_Python", "liboqs-python"),
        ("pypi", "pyjwt", "pyjwt"),
        ("maven", "org.bouncycastle/bcprov-jdk18on", "bouncycastle-java"),
        ("maven", "ORG.BOUNCYCASTLE:BCPROV-JDK18ON", "bouncycastle-java"),
        ("maven", "org.bouncycastle:bctls-jdk18on", "bouncycastle-java-tls"),
        ("cargo", "ed25519_dalek", "ed25519-dalek"),
        ("cargo", "sha1-smol", "rustcrypto-sha1"),
        ("nuget", "bouncycastle.cryptography", "bouncycastle-csharp"),
        ("npm", "@noble/post-quantum", "noble-post-quantum"),
        ("golang", "github.com/golang-jwt/jwt/v5", "golang-jwt"),
        ("golang", "github.com/golang-jwt/jwt/v4", "golang-jwt"),
        ("golang", "gopkg.in/square/go-jose.v2", "go-jose"),
        ("golang", "github.com/go-jose/go-jose/v4", "go-jose"),
        ("golang", "github.com/go-jose/go-jose/v4/jwt", "go-jose"),
        ("golang", "golang.org/x/crypto", "golang-x-crypto"),
        ("golang", "golang.org/x/crypto/ssh", "golang-x-crypto"),
        ("golang", "github.com/protonmail/go-crypto", "protonmail-go-crypto"),
        ("composer", "Phpseclib/Phpseclib", "phpseclib"),
        ("generic", "OpenSSL", "openssl"),
    ],
)
def test_names_match_the_ecosystem_way(ecosystem: str, name: str, library_id: str) -> None:
    lib = library_for(ecosystem, name)
    assert lib is not None and lib.id == library_id


@pytest.mark.parametrize(
    ("ecosystem", "name"),
    [
        ("pypi", "requests"),
        ("pypi", "py-nacl"),  # PEP 503 keeps the hyphen: a different project
        ("npm", "cryptography"),  # a PyPI name in npm
        ("maven", "org.bouncycastle:bcprov"),
        ("golang", "github.com/golang-jwt"),
        ("golang", "golang.org/x/net"),
        ("golang", "github.com/cloudflare/circl-extra"),
        ("cargo", "rustls-pemfile"),
        ("unknown-type", "openssl"),
        ("generic", ""),
    ],
)
def test_other_packages_are_not_crypto_libraries(ecosystem: str, name: str) -> None:
    assert library_for(ecosystem, name) is None
    assert package_findings(_package_or_plain(ecosystem, name), "/repo/x:1") == ((), ())


def _package_or_plain(ecosystem: str, name: str) -> Package:
    return Package(purl=f"pkg:{ecosystem}/{name or 'x'}", ecosystem=ecosystem, name=name)


# -- findings ---------------------------------------------------------------------------------


def test_package_findings_for_a_classic_library() -> None:
    pkg = _package("pypi", "cryptography", "42.0.5")
    assert pkg.purl == "pkg:pypi/cryptography@42.0.5"
    details, findings = package_findings(pkg, "/repo/poetry.lock:12")
    info = dict(details)
    assert info["crypto_library"] == "pyca-cryptography"
    assert info["role"] == "library"
    assert info["pqc_capable"] is None  # the first version with ML-KEM is not known
    assert info["pqc_since"] == UNKNOWN
    assert info["knowledge"] == (
        "rules/packages/pypi.yaml",
        "https://cryptography.io/en/latest/changelog/",
    )
    assert info["binds"] == "generic/openssl"
    lib = BY_ID["pyca-cryptography"]
    assert len(findings) == len(lib.provides)
    for finding in findings:
        assert finding.asset == AssetKey(AssetType.PACKAGE, "pkg:pypi/cryptography@42.0.5")
        assert finding.evidence.collector == "code"
        assert finding.evidence.location == "/repo/poetry.lock:12"
        assert finding.evidence.method == (
            "crypto-library knowledge (packages/pypi.yaml: pyca-cryptography)"
        )
        assert finding.evidence.identifier == pkg.purl
        assert finding.quantum_status is QuantumStatus.QUANTUM_VULNERABLE
    pairs = {(f.algorithm, f.usage) for f in findings}
    assert ("RSA", Usage.SIGNATURE) in pairs
    assert ("X25519", Usage.KEY_EXCHANGE) in pairs
    assert ("RSAES-OAEP", Usage.ENCRYPTION) in pairs


def test_package_findings_add_pqc_algorithms_from_the_first_version() -> None:
    old_details, old = package_findings(_package("generic", "openssl", "3.4.0"), "sbom.json")
    assert dict(old_details)["pqc_capable"] is False
    assert not [f for f in old if f.quantum_status is QuantumStatus.QUANTUM_SAFE]
    details, findings = package_findings(_package("generic", "openssl", "3.5.0"), "sbom.json")
    assert dict(details)["pqc_capable"] is True
    assert dict(details)["pqc_since"] == "3.5.0"
    by_name = {f.algorithm: f for f in findings}
    mlkem = by_name["ML-KEM-768"]
    assert mlkem.quantum_status is QuantumStatus.QUANTUM_SAFE
    assert mlkem.usage is Usage.KEY_EXCHANGE
    assert mlkem.nist_category == 3
    assert mlkem.evidence.detail == "available since 3.5.0"
    assert by_name["ML-DSA-65"].usage is Usage.SIGNATURE
    assert by_name["SLH-DSA-SHAKE-256f"].usage is Usage.SIGNATURE
    hybrid = by_name["X25519MLKEM768"]
    assert hybrid.quantum_status is QuantumStatus.HYBRID
    assert hybrid.usage is Usage.KEY_EXCHANGE
    assert by_name["RSA"].quantum_status is QuantumStatus.QUANTUM_VULNERABLE
    assert len(findings) == len(old) + len(BY_ID["openssl"].pqc_algorithms)


def test_a_pqc_algorithm_added_later_waits_for_its_own_version() -> None:
    _, first = package_findings(_package("generic", "liboqs", "0.11.0"), "sbom.json")
    names = {f.algorithm for f in first}
    assert {"ML-KEM-512", "ML-KEM-768", "ML-KEM-1024"} <= names
    assert not names & {"ML-DSA-44", "ML-DSA-65", "ML-DSA-87"}
    _, later = package_findings(_package("generic", "liboqs", "0.12.0"), "sbom.json")
    mldsa = [f for f in later if f.algorithm == "ML-DSA-65"]
    assert len(mldsa) == 1
    assert mldsa[0].evidence.detail == "available since 0.12.0"
    mlkem = next(f for f in later if f.algorithm == "ML-KEM-768")
    assert mlkem.evidence.detail == "available since 0.11.0"


def test_a_pqc_only_package_is_capable_without_a_version() -> None:
    details, findings = package_findings(_package("cargo", "pqcrypto-mlkem"), "Cargo.toml:9")
    assert dict(details)["pqc_capable"] is True
    assert {f.algorithm for f in findings} == {"ML-KEM-512", "ML-KEM-768", "ML-KEM-1024"}
    assert all(f.evidence.detail == "available in every version" for f in findings)


def test_unknown_version_gives_classic_findings_only() -> None:
    details, findings = package_findings(
        _package("maven", "org.bouncycastle:bcprov-jdk18on"), "pom.xml:40"
    )
    assert dict(details)["pqc_capable"] is None
    assert findings and all(f.quantum_status is not QuantumStatus.QUANTUM_SAFE for f in findings)


def test_go_stdlib_findings() -> None:
    pkg = _package("golang", "stdlib", "1.24.1")
    assert pkg.purl == "pkg:golang/stdlib@1.24.1"
    details, findings = package_findings(pkg, "/repo/go.mod:3")
    assert dict(details)["crypto_library"] == "go-stdlib"
    names = {f.algorithm for f in findings}
    assert {"ML-KEM-768", "ML-KEM-1024", "X25519MLKEM768", "RSA", "ECDSA"} <= names
    assert "ML-DSA-65" not in names


def test_broken_and_parameterised_algorithms_classify() -> None:
    _, findings = package_findings(_package("npm", "crypto-js", "4.2.0"), "package-lock.json")
    statuses = {f.algorithm: f.quantum_status for f in findings}
    assert statuses["MD5"] is QuantumStatus.CLASSICALLY_BROKEN
    assert statuses["DES"] is QuantumStatus.CLASSICALLY_BROKEN
    _, curve = package_findings(_package("npm", "@noble/secp256k1", "2.1.0"), "yarn.lock:5")
    ecdsa = [f for f in curve if f.algorithm == "ECDSA"]
    assert ecdsa[0].parameter == "secp256k1"
    assert ecdsa[0].classical_bits == 128
    assert curve[0].asset.fingerprint == "pkg:npm/%40noble/secp256k1@2.1.0"


def test_pre_standard_pqc_is_reported_as_provided() -> None:
    details, findings = package_findings(_package("cargo", "pqcrypto-kyber", "0.8.1"), "x")
    assert dict(details)["pqc_capable"] is False
    assert {f.algorithm for f in findings} == {"Kyber512", "Kyber768", "Kyber1024"}


# -- versions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("1.79", "1.79.0", 0),
        ("v1.4.0", "1.4", 0),
        ("go1.24", "1.24.0", 0),
        ("1.80", "1.79", 1),
        ("1.9", "1.10", -1),
        ("1.10.0", "1.9.9", 1),
        ("2.5.0-rc1", "2.5.0", -1),
        ("2.5.0rc1", "2.5.0", -1),
        ("2.5.0-alpha", "2.5.0-beta", -1),
        ("2.5.0-beta.2", "2.5.0-rc.1", -1),
        ("2.5.0-rc.1", "2.5.0-rc.2", -1),
        ("1.79-SNAPSHOT", "1.79", -1),
        ("1.0.0-dev", "1.0.0-alpha", -1),
        ("1.0-M1", "1.0", -1),
        ("5.3.Final", "5.3", 0),
        ("2.0.RELEASE", "2.0.0", 0),
        ("1.0-GA", "1.0", 0),
        ("1.2.3-foo", "1.2.3", -1),  # semver: any -word is a pre-release
        ("v2.0.0+incompatible", "v2.0.0", 0),
        ("1.0.0+build.7", "1.0.0", 0),
        ("v0.0.0-20240101120000-abcdef123456", "v0.0.1", -1),
        ("v0.0.0-20240101120000-abcdef123456", "v0.0.0", -1),
        ("v1.2.4-0.20240101120000-abcdef123456", "v1.2.3", 1),
        ("v1.2.4-0.20240101120000-abcdef123456", "v1.2.4", -1),
        ("v1.2.4-0.20240101120000-abcdef123456", "v1.2.4-0.20240201120000-abcdef123456", 0),
        ("3.0.2-0ubuntu1.15", "3.0.2", 1),
        ("3.0.2-0ubuntu1.15", "3.0.3", -1),
        ("9.9p1", "9.9", 1),
        ("9.8p1", "9.9", -1),
        ("1.1.1w", "1.1.1", 1),
        ("1.1.1w", "3.5.0", -1),
        ("24", "23.0.2", 1),
        ("1.24rc1", "1.24", -1),
        ("1.23.6", "1.24", -1),
    ],
)
def test_compare_versions_tolerant(left: str, right: str, expected: int) -> None:
    assert compare_versions("golang", left, right) == expected
    assert compare_versions("maven", right, left) == -expected


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("42.0.5", "42.0.5", 0),
        ("1.0rc1", "1.0", -1),
        ("1.0.post1", "1.0", 1),
        ("1.0.dev0", "1.0a1", -1),
        ("2!1.0", "3.0", 1),
        ("1.0", "1.0.0", 0),
    ],
)
def test_compare_versions_pypi_is_pep440(left: str, right: str, expected: int) -> None:
    assert compare_versions("pypi", left, right) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "latest",
        "*",
        "^1.2.3",
        "~> 2.0",
        ">=1.0,<2",
        "[1.70,)",
        "1.2.",
        "1.2-",
        "1..2",
        "v",
        "1.2.3 - 2.0",
        "1_2",
        "1.2.3!",
        "workspace:*",
        "git+https://example.org/x.git",
        "1" + ".1" * 200,
        "\x00\xff",
    ],
)
def test_unreadable_versions_are_unknown(text: str) -> None:
    assert parse_version(text) is None
    assert compare_versions("cargo", text, "1.0") is None
    assert compare_versions("pypi", text, "1.0") is None
    lib = BY_ID["openssl"]
    assert pqc_capable(lib, text) is None


def test_pypi_versions_do_not_use_the_tolerant_reader() -> None:
    lib = BY_ID["wolfcrypt-py"]
    assert pqc_capable(lib, "v5.8.2") is True  # PEP 440 allows a leading v
    assert pqc_capable(lib, "5.8.2-SNAPSHOT") is None  # not PEP 440


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60), st.text(max_size=60))
def test_version_reading_never_crashes(left: str, right: str) -> None:
    for eco in ("pypi", "npm"):
        order = compare_versions(eco, left, right)
        assert order in (-1, 0, 1, None)
        if order is not None:
            assert compare_versions(eco, right, left) == -order


_VERSIONS = st.from_regex(
    r"v?[0-9]{1,3}(\.[0-9]{1,3}){0,3}(-(rc|alpha|beta)\.?[0-9]?|p[0-9]|\.Final)?", fullmatch=True
)


@settings(max_examples=300, deadline=None)
@given(_VERSIONS, _VERSIONS, _VERSIONS)
def test_tolerant_order_is_a_total_preorder(a: str, b: str, c: str) -> None:
    ab, bc, ac = (compare_versions("npm", x, y) for x, y in ((a, b), (b, c), (a, c)))
    assert ab is not None and bc is not None and ac is not None
    if ab <= 0 and bc <= 0:
        assert ac <= 0


# -- the schema and the loader's own checks ---------------------------------------------------


def _broken_copy(tmp_path: Path, ecosystem: str, edit: object) -> Path:
    """A rules root with the real schema and one edited knowledge file."""
    root = tmp_path / "rules"
    (root / "schema").mkdir(parents=True)
    (root / "packages").mkdir()
    shutil.copy(RULES / "schema" / "packages.schema.json", root / "schema")
    doc = yaml.safe_load((RULES / "packages" / f"{ecosystem}.yaml").read_text())
    assert callable(edit)
    edit(doc)
    (root / "packages" / f"{ecosystem}.yaml").write_text(yaml.safe_dump(doc))
    return root


def test_an_intact_copy_loads(tmp_path: Path) -> None:
    root = _broken_copy(tmp_path, "pypi", lambda doc: None)
    loaded = load_libraries(root)
    assert {lib.id for lib in loaded} == {lib.id for lib in LIBRARIES if lib.ecosystem == "pypi"}


def _set(path: tuple[object, ...], value: object) -> object:
    def edit(doc: dict[str, object]) -> None:
        target: object = doc
        for step in path[:-1]:
            target = target[step]  # type: ignore[index]
        target[path[-1]] = value  # type: ignore[index]

    return edit


def _drop_source(doc: dict[str, object]) -> None:
    del doc["libraries"][0]["pqc"]["source"]  # type: ignore[index]


def _duplicate_name(doc: dict[str, object]) -> None:
    doc["libraries"][1]["names"].append("CRYPTOGRAPHY")  # type: ignore[index]


def _duplicate_id(doc: dict[str, object]) -> None:
    doc["libraries"][1]["id"] = doc["libraries"][0]["id"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_set(("libraries", 0, "vendor"), "pyca"), "Additional properties"),
        (_set(("libraries", 0, "pqc", "since_note"), "x"), "Additional properties"),
        (_drop_source, "'source' is a required property"),
        (_set(("libraries", 0, "pqc", "source"), "ftp://example.org"), "does not match"),
        (_set(("libraries", 0, "pqc", "since"), "1.x"), "libraries/0/pqc/since"),
        (_set(("libraries", 0, "pqc", "since"), 42), "libraries/0/pqc/since"),
        (_set(("libraries", 0, "role"), "framework"), "is not one of"),
        (_set(("libraries", 0, "names"), []), "libraries/0/names"),
        (_set(("libraries", 0, "provides", 0, "usage"), "magic"), "is not one of"),
        (_set(("ecosystem",), "npm"), "ecosystem is 'npm'"),
        (_duplicate_name, "is in both"),
        (_duplicate_id, "library id"),
    ],
)
def test_a_broken_copy_is_rejected(tmp_path: Path, edit: object, message: str) -> None:
    root = _broken_copy(tmp_path, "pypi", edit)
    with pytest.raises(RuleError, match=r"rules/packages/pypi\.yaml") as raised:
        load_libraries(root)
    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("purl_type", "name", "version", "capable"),
    [
        ("deb", "libssl3", "3.5.1-1", True),
        ("rpm", "openssl-libs", "1.1.1k-12.el8_9", False),
        ("apk", "libssl3", "3.3.2-r0", False),
        ("deb", "libc6", "2.36-9", None),  # not cryptography at all
    ],
)
def test_distribution_packages_match_the_native_libraries(
    purl_type: str, name: str, version: str, capable: bool | None
) -> None:
    package = Package(
        purl=f"pkg:{purl_type}/debian/{name}@{version}",
        ecosystem=purl_type,
        name=name,
        version=version,
    )
    details, findings = package_findings(package, "/sbom.json:3")
    if capable is None:
        assert details == () and findings == ()
        return
    assert dict(details)["crypto_library"] == "openssl"
    assert dict(details)["pqc_capable"] is capable
    assert ("ML-KEM-768" in {f.algorithm for f in findings}) is capable
