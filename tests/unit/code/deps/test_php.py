"""PHP dependency files: composer.lock."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packageurl import PackageURL

from pqcscan.collectors.code.deps.php import PARSERS, composer_purl, parse_composer_lock
from pqcscan.collectors.code.model import CodeParseError, DependencyFile

DATA = Path(__file__).parent / "data" / "php"


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def lock(*packages: dict[str, object], dev: tuple[dict[str, object], ...] = ()) -> bytes:
    doc = {"content-hash": "0", "packages": list(packages), "packages-dev": list(dev)}
    return json.dumps(doc, indent=4).encode()


@pytest.mark.parametrize(
    ("name", "version", "purl"),
    [
        ("firebase/php-jwt", "v6.10.0", "pkg:composer/firebase/php-jwt@v6.10.0"),
        ("phpseclib/phpseclib", "3.0.37", "pkg:composer/phpseclib/phpseclib@3.0.37"),
        (
            "Paragonie/Constant_Time_Encoding",
            "v2.6.3",
            "pkg:composer/paragonie/constant_time_encoding@v2.6.3",
        ),
        ("symfony/polyfill-php80", "dev-main", "pkg:composer/symfony/polyfill-php80@dev-main"),
        ("web-token/jwt-library", None, "pkg:composer/web-token/jwt-library"),
    ],
)
def test_composer_purl(name: str, version: str | None, purl: str) -> None:
    assert composer_purl(name, version) == purl
    parsed = PackageURL.from_string(purl)
    assert f"{parsed.namespace}/{parsed.name}" == name.lower()


@pytest.mark.parametrize(
    "bad", ["php", "ext-openssl", "lib-pcre", "a/b/c", "/x", "x/", "a b/c", ""]
)
def test_composer_purl_refuses_non_packages(bad: str) -> None:
    assert composer_purl(bad, "1.0") is None


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("composer.lock", "composer-lock"),
        ("composer.json", None),
        ("Composer.lock", None),
        ("composer.lock.dist", None),
        ("yarn.lock", None),
    ],
)
def test_detection(name: str, kind: str | None) -> None:
    kinds = [p.kind for p in PARSERS if p.matches(name, b"{")]
    assert kinds == ([kind] if kind else [])


def test_composer_lock() -> None:
    result = parse_composer_lock("composer.lock", read("composer.lock"))
    assert result.kind == "composer-lock"
    assert result.project is None
    assert result.warnings == ()
    got = {p.purl: (p.name, p.version, p.direct, p.scope) for p in result.packages}
    runtime_direct = {"firebase/php-jwt", "guzzlehttp/guzzle", "phpseclib/phpseclib"}
    versions = {
        "firebase/php-jwt": "v6.10.0",
        "guzzlehttp/guzzle": "7.8.1",
        "guzzlehttp/promises": "2.0.2",
        "guzzlehttp/psr7": "2.6.2",
        "paragonie/constant_time_encoding": "v2.6.3",
        "paragonie/random_compat": "v9.99.100",
        "phpseclib/phpseclib": "3.0.37",
        "psr/http-client": "1.0.3",
        "psr/http-factory": "1.0.2",
        "psr/http-message": "2.0",
        "ralouphie/getallheaders": "3.0.3",
        "symfony/deprecation-contracts": "v3.4.0",
    }
    expected = {
        f"pkg:composer/{n}@{v}": (n, v, True if n in runtime_direct else None, "runtime")
        for n, v in versions.items()
    }
    expected["pkg:composer/hamcrest/hamcrest-php@v2.0.1"] = (
        "hamcrest/hamcrest-php",
        "v2.0.1",
        None,
        "dev",
    )
    expected["pkg:composer/mockery/mockery@1.6.7"] = ("mockery/mockery", "1.6.7", True, "dev")
    assert got == expected
    # platform requirements (php, ext-json, lib-pcre) are not packages and have no edges
    assert not any(p.name in ("php", "ext-json", "lib-pcre") for p in result.packages)
    c = "pkg:composer/"
    assert set(result.edges) == {
        (f"{c}guzzlehttp/guzzle@7.8.1", f"{c}guzzlehttp/promises@2.0.2"),
        (f"{c}guzzlehttp/guzzle@7.8.1", f"{c}guzzlehttp/psr7@2.6.2"),
        (f"{c}guzzlehttp/guzzle@7.8.1", f"{c}psr/http-client@1.0.3"),
        (f"{c}guzzlehttp/guzzle@7.8.1", f"{c}symfony/deprecation-contracts@v3.4.0"),
        (f"{c}guzzlehttp/psr7@2.6.2", f"{c}psr/http-factory@1.0.2"),
        (f"{c}guzzlehttp/psr7@2.6.2", f"{c}psr/http-message@2.0"),
        (f"{c}guzzlehttp/psr7@2.6.2", f"{c}ralouphie/getallheaders@3.0.3"),
        (f"{c}phpseclib/phpseclib@3.0.37", f"{c}paragonie/constant_time_encoding@v2.6.3"),
        (f"{c}phpseclib/phpseclib@3.0.37", f"{c}paragonie/random_compat@v9.99.100"),
        (f"{c}psr/http-client@1.0.3", f"{c}psr/http-message@2.0"),
        (f"{c}psr/http-factory@1.0.2", f"{c}psr/http-message@2.0"),
        (f"{c}mockery/mockery@1.6.7", f"{c}hamcrest/hamcrest-php@v2.0.1"),
        ("", f"{c}firebase/php-jwt@v6.10.0"),
        ("", f"{c}guzzlehttp/guzzle@7.8.1"),
        ("", f"{c}phpseclib/phpseclib@3.0.37"),
        ("", f"{c}mockery/mockery@1.6.7"),
    }
    lines = read("composer.lock").decode().splitlines()
    for package in result.packages:
        assert package.line is not None
        assert lines[package.line - 1].strip() == f'"name": "{package.name}",'
    assert {p.purl: p.line for p in result.packages}[f"{c}firebase/php-jwt@v6.10.0"] == 10


def test_provide_and_replace_satisfy_requirements() -> None:
    data = lock(
        {
            "name": "app/client",
            "version": "1.0.0",
            "require": {"psr/http-client-implementation": "*"},
        },
        {
            "name": "guzzlehttp/guzzle",
            "version": "7.8.1",
            "provide": {"psr/http-client-implementation": "1.0"},
        },
        {"name": "app/user", "version": "1.0.0", "require": {"symfony/polyfill-php80": "^1.0"}},
        {
            "name": "symfony/symfony",
            "version": "v5.4.0",
            "replace": {"symfony/polyfill-php80": "self.version"},
        },
    )
    result = parse_composer_lock("composer.lock", data)
    assert ("pkg:composer/app/client@1.0.0", "pkg:composer/guzzlehttp/guzzle@7.8.1") in result.edges
    assert ("pkg:composer/app/user@1.0.0", "pkg:composer/symfony/symfony@v5.4.0") in result.edges
    assert {p.name: p.direct for p in result.packages} == {
        "app/client": True,
        "guzzlehttp/guzzle": None,
        "app/user": True,
        "symfony/symfony": None,
    }


def test_requirement_names_are_case_insensitive() -> None:
    data = lock(
        {"name": "a/one", "version": "1.0.0", "require": {"B/Two": "^2"}},
        {"name": "b/two", "version": "2.0.0"},
    )
    result = parse_composer_lock("composer.lock", data)
    assert set(result.edges) == {
        ("pkg:composer/a/one@1.0.0", "pkg:composer/b/two@2.0.0"),
        ("", "pkg:composer/a/one@1.0.0"),
    }


def test_bad_entries_warn() -> None:
    data = lock(
        {"name": "ok/pkg", "version": "1.0.0"},
        {"name": "no-vendor", "version": "1.0.0"},
        {"name": "no/version"},
    )
    result = parse_composer_lock("composer.lock", data)
    assert [p.purl for p in result.packages] == [
        "pkg:composer/ok/pkg@1.0.0",
        "pkg:composer/no/version",
    ]
    assert len(result.warnings) == 2


def test_empty_require_written_as_php_array() -> None:
    result = parse_composer_lock(
        "composer.lock", lock({"name": "a/b", "version": "1", "require": []})
    )
    assert [p.purl for p in result.packages] == ["pkg:composer/a/b@1"]


def test_empty_lock() -> None:
    result = parse_composer_lock("composer.lock", lock())
    assert result.packages == ()
    assert result.edges == ()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "invalid JSON"),
        (b"{", "invalid JSON"),
        (b"[]", "not a composer.lock"),
        (b'{"content-hash": "x"}', "not a composer.lock"),
        (b'{"packages": {}}', "packages must be an array"),
        (b'{"packages": [], "packages-dev": "x"}', "packages-dev must be an array"),
        (b'{"packages": [1]}', r"packages\[0\] must be an object"),
        (b'{"packages": [{"version": "1"}]}', "has no name"),
        (b'{"packages": [{"name": "a/b", "version": "1", "require": "x"}]}', "require"),
        (b"\x00\x01\x02", "NUL"),
        (b'{"packages": ["\xff"]}', "invalid UTF-8"),
        (b"[" * 100000 + b"]" * 100000, "nested too deeply"),
        (b'{"packages": [' + b"9" * 10000 + b"]}", "invalid JSON"),
    ],
)
def test_broken(content: bytes, message: str) -> None:
    with pytest.raises(CodeParseError, match=message):
        parse_composer_lock("composer.lock", content)


def test_truncated_fixture_never_crashes() -> None:
    data = read("composer.lock")
    for cut in range(0, len(data), max(1, len(data) // 80)):
        try:
            result = parse_composer_lock("composer.lock", data[:cut])
        except CodeParseError:
            continue
        assert isinstance(result, DependencyFile)


def test_big_lock_is_fast() -> None:
    packages = [
        {
            "name": f"v/p{i}",
            "version": "1.0.0",
            "require": {f"v/p{(i + j) % 4000}": "^1" for j in range(1, 6)},
        }
        for i in range(4000)
    ]
    start = time.monotonic()
    result = parse_composer_lock("composer.lock", lock(*packages))
    assert time.monotonic() - start < 10
    assert len(result.packages) == 4000
    assert len(result.edges) == 4000 * 5


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=500))
def test_fuzz_bytes(data: bytes) -> None:
    try:
        result = parse_composer_lock("composer.lock", data)
    except CodeParseError:
        return
    assert isinstance(result, DependencyFile)


@settings(max_examples=150, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.sampled_from(["name", "version", "require", "provide", "replace", "packages"])
                | st.text(max_size=6),
                inner,
                max_size=4,
            )
        ),
        max_leaves=30,
    )
)
def test_fuzz_structures(value: object) -> None:
    for doc in (
        value,
        {"packages": value},
        {"packages": [value]},
        {"packages-dev": [{"name": "a/b", "require": value}]},
    ):
        try:
            result = parse_composer_lock("composer.lock", json.dumps(doc).encode())
        except CodeParseError:
            continue
        assert isinstance(result, DependencyFile)
