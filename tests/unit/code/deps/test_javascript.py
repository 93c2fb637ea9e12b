"""JavaScript dependency files: package.json, package-lock.json, yarn.lock, pnpm-lock.yaml."""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from packageurl import PackageURL

from pqcscan.collectors.code.deps.javascript import (
    MAX_WARNINGS,
    PARSERS,
    npm_purl,
    parse_package_json,
    parse_package_lock,
    parse_pnpm_lock,
    parse_yarn_lock,
)
from pqcscan.collectors.code.model import CodeParseError, DependencyFile, Package

DATA = Path(__file__).parent / "data" / "javascript"

Row = tuple[str | None, str | None, bool | None, str | None]  # version, requirement, direct, scope


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def rows(result: DependencyFile) -> dict[str, Row]:
    return {p.purl: (p.version, p.requirement, p.direct, p.scope) for p in result.packages}


def by_purl(result: DependencyFile) -> dict[str, Package]:
    return {p.purl: p for p in result.packages}


def assert_lines_name_package(result: DependencyFile, fixture: str) -> None:
    """Every package has a line, and that line names the package."""
    lines = read(fixture).decode().splitlines()
    for package in result.packages:
        assert package.line is not None, package
        assert package.name in lines[package.line - 1], (package, lines[package.line - 1])


def claimed(name: str) -> str | None:
    kinds = [p.kind for p in PARSERS if p.matches(name, b"")]
    assert len(kinds) <= 1, kinds
    return kinds[0] if kinds else None


# ---------------------------------------------------------------- purls and detection


@pytest.mark.parametrize(
    ("name", "version", "purl"),
    [
        ("@noble/curves", "1.4.0", "pkg:npm/%40noble/curves@1.4.0"),
        ("jsonwebtoken", "9.0.2", "pkg:npm/jsonwebtoken@9.0.2"),
        ("@types/node", None, "pkg:npm/%40types/node"),
        ("semver", "1.0.0-rc.1+build.5", "pkg:npm/semver@1.0.0-rc.1%2Bbuild.5"),
        ("lodash.merge", "4.6.2", "pkg:npm/lodash.merge@4.6.2"),
    ],
)
def test_npm_purl(name: str, version: str | None, purl: str) -> None:
    assert npm_purl(name, version) == purl
    parsed = PackageURL.from_string(purl)
    assert parsed.type == "npm"
    assert (f"{parsed.namespace}/{parsed.name}" if parsed.namespace else parsed.name) == name


@pytest.mark.parametrize("bad", ["", "@scope", "@scope/", "a b", "x/y/z", "@a/b/c", "x" * 500])
def test_npm_purl_refuses_non_names(bad: str) -> None:
    assert npm_purl(bad, "1.0.0") is None


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("package.json", "package-json"),
        ("package-lock.json", "package-lock"),
        ("npm-shrinkwrap.json", "package-lock"),
        ("yarn.lock", "yarn-lock"),
        ("pnpm-lock.yaml", "pnpm-lock"),
        ("package.json5", None),
        ("Package.json", None),
        ("yarn.lock.bak", None),
        ("pnpm-lock.yml", None),
        ("composer.lock", None),
        ("tsconfig.json", None),
        ("pnpm-workspace.yaml", None),
    ],
)
def test_detection_by_exact_name(name: str, kind: str | None) -> None:
    assert claimed(name) == kind


def test_parsers_have_their_kinds() -> None:
    assert [p.kind for p in PARSERS] == ["package-json", "package-lock", "yarn-lock", "pnpm-lock"]


# ---------------------------------------------------------------- package.json


def test_package_json() -> None:
    result = parse_package_json("package.json", read("package.json"))
    assert result.kind == "package-json"
    assert result.project == "payments-api"
    assert rows(result) == {
        "pkg:npm/%40noble/curves": (None, "^1.4.0", True, "runtime"),
        "pkg:npm/jsonwebtoken": (None, "^9.0.2", True, "runtime"),
        "pkg:npm/node-forge@1.3.1": ("1.3.1", "1.3.1", True, "runtime"),
        # an alias names the real package
        "pkg:npm/crypto-js@4.2.0": ("4.2.0", "4.2.0", True, "runtime"),
        "pkg:npm/internal-hsm": (
            None,
            "git+ssh://git@github.example.com/bank/internal-hsm.git#v2.1.0",
            True,
            "runtime",
        ),
        "pkg:npm/make-dir": (None, "^3.1.0", True, "dev"),
        "pkg:npm/typescript": (None, "~5.4.5", True, "dev"),
        "pkg:npm/%40peculiar/webcrypto": (None, ">=1.4.0 <2", True, "optional"),
        "pkg:npm/express": (None, "4.x", True, "peer"),
    }
    assert by_purl(result)["pkg:npm/%40noble/curves"].name == "@noble/curves"
    assert by_purl(result)["pkg:npm/%40noble/curves"].line == 15
    assert by_purl(result)["pkg:npm/express"].line == 29
    assert set(result.edges) == {("", p.purl) for p in result.packages}
    assert "pkg:npm/node" not in rows(result)  # engines.node is not a package


@pytest.mark.parametrize(
    ("spec", "version"),
    [
        ("1.2.3", "1.2.3"),
        ("=1.2.3", "1.2.3"),
        ("v1.2.3", "1.2.3"),
        ("1.2.3-beta.1", "1.2.3-beta.1"),
    ],
)
def test_package_json_exact_versions(spec: str, version: str) -> None:
    doc = {"name": "x", "dependencies": {"a": spec}}
    result = parse_package_json("package.json", json.dumps(doc).encode())
    assert result.packages[0].version == version
    assert result.packages[0].requirement == spec


@pytest.mark.parametrize("spec", ["^1.2.3", "~1.2.3", "1.x", "*", "latest", ">=1.2.3", "1.2"])
def test_package_json_ranges_have_no_version(spec: str) -> None:
    result = parse_package_json("package.json", json.dumps({"dependencies": {"a": spec}}).encode())
    assert result.packages[0].version is None
    assert result.packages[0].purl == "pkg:npm/a"


def test_package_json_without_dependencies() -> None:
    result = parse_package_json("package.json", b'{"name": "empty", "version": "1.0.0"}\n')
    assert result.project == "empty"
    assert result.packages == ()


def test_package_json_bad_values_warn() -> None:
    doc = {"dependencies": {"ok": "^1.0.0", "bad": 5, "a b": "^1"}}
    result = parse_package_json("package.json", json.dumps(doc).encode())
    assert [p.name for p in result.packages] == ["ok"]
    assert len(result.warnings) == 2


@pytest.mark.parametrize(
    "content", [b"[]", b'"package"', b"42", b"null", b'{"dependencies": ["a"]}']
)
def test_package_json_not_an_object(content: bytes) -> None:
    with pytest.raises(CodeParseError, match=r"package\.json"):
        parse_package_json("package.json", content)


# ---------------------------------------------------------------- package-lock.json

V3_PURLS = {
    "pkg:npm/%40noble/curves@1.4.0": ("1.4.0", "^1.4.0", True, "runtime"),
    "pkg:npm/%40noble/hashes@1.4.0": ("1.4.0", None, False, "runtime"),
    "pkg:npm/buffer-equal-constant-time@1.0.1": ("1.0.1", None, False, "runtime"),
    "pkg:npm/ecdsa-sig-formatter@1.0.11": ("1.0.11", None, False, "runtime"),
    "pkg:npm/jsonwebtoken@9.0.2": ("9.0.2", "^9.0.2", True, "runtime"),
    "pkg:npm/jwa@1.4.1": ("1.4.1", None, False, "runtime"),
    "pkg:npm/jws@3.2.2": ("3.2.2", None, False, "runtime"),
    "pkg:npm/lru-cache@6.0.0": ("6.0.0", None, False, "runtime"),
    "pkg:npm/make-dir@3.1.0": ("3.1.0", "^3.1.0", True, "dev"),
    "pkg:npm/semver@6.3.1": ("6.3.1", None, False, "dev"),
    "pkg:npm/ms@2.1.3": ("2.1.3", None, False, "runtime"),
    "pkg:npm/node-forge@1.3.1": ("1.3.1", "1.3.1", True, "runtime"),
    "pkg:npm/safe-buffer@5.2.1": ("5.2.1", None, False, "runtime"),
    "pkg:npm/semver@7.6.0": ("7.6.0", None, False, "runtime"),
    "pkg:npm/typescript@5.4.5": ("5.4.5", "~5.4.5", True, "dev"),
    "pkg:npm/yallist@4.0.0": ("4.0.0", None, False, "runtime"),
}

#: The dependency graph of the payments-api fixtures (npm, Yarn 1), without the root's edges.
TREE_EDGES = {
    ("pkg:npm/%40noble/curves@1.4.0", "pkg:npm/%40noble/hashes@1.4.0"),
    ("pkg:npm/ecdsa-sig-formatter@1.0.11", "pkg:npm/safe-buffer@5.2.1"),
    ("pkg:npm/jsonwebtoken@9.0.2", "pkg:npm/jws@3.2.2"),
    ("pkg:npm/jsonwebtoken@9.0.2", "pkg:npm/ms@2.1.3"),
    ("pkg:npm/jsonwebtoken@9.0.2", "pkg:npm/semver@7.6.0"),
    ("pkg:npm/jwa@1.4.1", "pkg:npm/buffer-equal-constant-time@1.0.1"),
    ("pkg:npm/jwa@1.4.1", "pkg:npm/ecdsa-sig-formatter@1.0.11"),
    ("pkg:npm/jwa@1.4.1", "pkg:npm/safe-buffer@5.2.1"),
    ("pkg:npm/jws@3.2.2", "pkg:npm/jwa@1.4.1"),
    ("pkg:npm/jws@3.2.2", "pkg:npm/safe-buffer@5.2.1"),
    ("pkg:npm/lru-cache@6.0.0", "pkg:npm/yallist@4.0.0"),
    # the nested node_modules/make-dir/node_modules/semver, not the hoisted 7.6.0
    ("pkg:npm/make-dir@3.1.0", "pkg:npm/semver@6.3.1"),
    ("pkg:npm/semver@7.6.0", "pkg:npm/lru-cache@6.0.0"),
}
ROOTS = {
    "pkg:npm/%40noble/curves@1.4.0",
    "pkg:npm/jsonwebtoken@9.0.2",
    "pkg:npm/node-forge@1.3.1",
    "pkg:npm/make-dir@3.1.0",
    "pkg:npm/typescript@5.4.5",
}


def test_package_lock_v3() -> None:
    result = parse_package_lock("package-lock.json", read("package-lock-v3.json"))
    assert result.kind == "package-lock"
    assert result.project == "payments-api"
    assert rows(result) == V3_PURLS
    assert set(result.edges) == TREE_EDGES | {("", r) for r in ROOTS}
    assert len(result.edges) == len(set(result.edges))
    assert result.warnings == ()
    assert by_purl(result)["pkg:npm/%40noble/curves@1.4.0"].line == 23
    assert by_purl(result)["pkg:npm/semver@6.3.1"].line == 117
    assert_lines_name_package(result, "package-lock-v3.json")


def test_package_lock_v1() -> None:
    result = parse_package_lock("package-lock.json", read("package-lock-v1.json"))
    assert result.project == "payments-api"
    # v1 does not record direct dependencies: unrequired top-level packages must be direct,
    # the other top-level ones are unknown, nested ones are transitive; no requirements.
    expected = {
        purl: (
            version,
            None,
            True if purl in ROOTS else (False if purl == "pkg:npm/semver@6.3.1" else None),
            scope,
        )
        for purl, (version, _, _, scope) in V3_PURLS.items()
    }
    assert rows(result) == expected
    assert set(result.edges) == TREE_EDGES | {("", r) for r in ROOTS}
    assert by_purl(result)["pkg:npm/semver@6.3.1"].line == 79
    assert by_purl(result)["pkg:npm/semver@7.6.0"].line == 102
    assert_lines_name_package(result, "package-lock-v1.json")


def test_package_lock_v2_workspaces() -> None:
    result = parse_package_lock("package-lock.json", read("package-lock-v2-workspaces.json"))
    assert result.project == "bank-monorepo"
    # workspace folders and their links are the project, not packages
    assert rows(result) == {
        "pkg:npm/bn.js@4.12.0": ("4.12.0", None, False, "runtime"),
        "pkg:npm/tweetnacl@1.0.3": ("1.0.3", "^1.0.3", True, "runtime"),
        "pkg:npm/typescript@5.4.5": ("5.4.5", "^5.4.5", True, "dev"),
        "pkg:npm/elliptic@6.5.5": ("6.5.5", "^6.5.5", True, "runtime"),
    }
    assert set(result.edges) == {
        ("", "pkg:npm/typescript@5.4.5"),
        ("", "pkg:npm/tweetnacl@1.0.3"),
        ("", "pkg:npm/elliptic@6.5.5"),
        # packages/web/node_modules/elliptic finds bn.js hoisted at the root
        ("pkg:npm/elliptic@6.5.5", "pkg:npm/bn.js@4.12.0"),
    }
    assert_lines_name_package(result, "package-lock-v2-workspaces.json")


def test_package_lock_npm_resolution_prefers_the_nearest_copy() -> None:
    lock = {
        "lockfileVersion": 3,
        "packages": {
            "": {"dependencies": {"a": "^1", "b": "^1"}},
            "node_modules/a": {"version": "1.0.0", "dependencies": {"c": "^2"}},
            "node_modules/a/node_modules/c": {"version": "2.0.0"},
            "node_modules/b": {"version": "1.0.0", "dependencies": {"c": "^1", "d": "*"}},
            "node_modules/b/node_modules/d": {"version": "1.0.0", "dependencies": {"c": "^3"}},
            "node_modules/b/node_modules/d/node_modules/c": {"version": "3.0.0"},
            "node_modules/c": {"version": "1.0.0"},
            "node_modules/@s/e": {"version": "1.0.0", "dependencies": {"@s/f": "1"}},
            "node_modules/@s/e/node_modules/@s/f": {"version": "1.0.0"},
        },
    }
    result = parse_package_lock("package-lock.json", json.dumps(lock, indent=2).encode())
    assert set(result.edges) == {
        ("", "pkg:npm/a@1.0.0"),
        ("", "pkg:npm/b@1.0.0"),
        ("pkg:npm/a@1.0.0", "pkg:npm/c@2.0.0"),
        ("pkg:npm/b@1.0.0", "pkg:npm/c@1.0.0"),
        ("pkg:npm/b@1.0.0", "pkg:npm/d@1.0.0"),
        ("pkg:npm/d@1.0.0", "pkg:npm/c@3.0.0"),
        ("pkg:npm/%40s/e@1.0.0", "pkg:npm/%40s/f@1.0.0"),
    }


def test_package_lock_alias_and_git_versions() -> None:
    lock = {
        "lockfileVersion": 1,
        "dependencies": {
            "legacy": {"version": "npm:crypto-js@4.2.0"},
            "hsm": {"version": "git+ssh://git@github.example.com/bank/hsm.git#0123abcd"},
        },
    }
    result = parse_package_lock("package-lock.json", json.dumps(lock).encode())
    assert [p.purl for p in result.packages] == ["pkg:npm/crypto-js@4.2.0", "pkg:npm/hsm"]
    assert len(result.warnings) == 1
    assert "registry version" in result.warnings[0]


@pytest.mark.parametrize(
    "content",
    [
        b"{}",
        b'{"lockfileVersion": "3"}',
        b'{"lockfileVersion": true}',
        b'{"lockfileVersion": 3, "packages": []}',
        b'{"lockfileVersion": 3, "packages": {"node_modules/a": 1}}',
        b'{"lockfileVersion": 1, "dependencies": {"a": "1.0.0"}}',
        b"[]",
    ],
)
def test_package_lock_broken_structure(content: bytes) -> None:
    with pytest.raises(CodeParseError, match="package-lock"):
        parse_package_lock("package-lock.json", content)


def test_package_lock_deep_v1_nesting_is_bounded() -> None:
    inner: dict[str, object] = {"version": "1.0.0"}
    for i in range(200):
        inner = {"version": f"1.0.{i}", "dependencies": {"x": inner}}
    lock = {"lockfileVersion": 1, "dependencies": {"x": inner}}
    result = parse_package_lock("package-lock.json", json.dumps(lock).encode())
    assert len(result.packages) == 128
    assert result.warnings == ("x: dependencies nested too deeply; not followed",)


def test_package_lock_deep_node_modules_paths_are_bounded() -> None:
    packages: dict[str, object] = {"": {"dependencies": {"a": "1"}}}
    key = "node_modules/a"
    for i in range(200):
        packages[key] = {"version": f"1.0.{i}", "dependencies": {"a": "1"}}
        key += "/node_modules/a"
    lock = {"lockfileVersion": 3, "packages": packages}
    result = parse_package_lock("package-lock.json", json.dumps(lock).encode())
    assert len(result.packages) == 128
    assert len(result.warnings) == MAX_WARNINGS + 1
    # each copy resolves "a" to the copy nested inside it
    assert ("pkg:npm/a@1.0.0", "pkg:npm/a@1.0.1") in result.edges
    assert ("pkg:npm/a@1.0.1", "pkg:npm/a@1.0.0") not in result.edges


# ---------------------------------------------------------------- yarn.lock


def test_yarn_v1() -> None:
    result = parse_yarn_lock("yarn.lock", read("yarn-v1.lock"))
    assert result.kind == "yarn-lock"
    assert result.project is None
    expected = {purl: (version, None, None, None) for purl, (version, *_) in V3_PURLS.items()}
    expected["pkg:npm/crypto-js@4.2.0"] = ("4.2.0", None, None, None)  # the npm: alias
    assert rows(result) == expected
    assert set(result.edges) == TREE_EDGES  # Yarn 1 does not say which are direct
    assert by_purl(result)["pkg:npm/%40noble/curves@1.4.0"].line == 5
    assert by_purl(result)["pkg:npm/semver@7.6.0"].line == 94
    assert result.warnings == ()


def test_yarn_berry() -> None:
    result = parse_yarn_lock("yarn.lock", read("yarn-berry.lock"))
    assert result.project == "payments-api"
    direct = {
        "pkg:npm/%40noble/curves@1.4.0": "^1.4.0",
        "pkg:npm/jsonwebtoken@9.0.2": "^9.0.2",
        "pkg:npm/resolve@1.22.8": "^1.22.8",  # the plain and the patch: entry are one package
    }
    for package in result.packages:
        assert package.direct is (package.purl in direct), package
        assert package.requirement == direct.get(package.purl)
        assert package.scope is None
    assert len(result.packages) == 13
    edges = set(result.edges)
    assert {("", p) for p in direct} <= edges
    assert ("pkg:npm/jws@3.2.2", "pkg:npm/jwa@1.4.1") in edges
    assert ("pkg:npm/semver@7.6.0", "pkg:npm/lru-cache@6.0.0") in edges
    assert ("pkg:npm/lru-cache@6.0.0", "pkg:npm/yallist@4.0.0") in edges
    assert len(edges) == 3 + 12
    assert_lines_name_package(result, "yarn-berry.lock")
    assert result.warnings == ()


def test_yarn_v1_quoted_multi_spec_headers() -> None:
    text = b"""# yarn lockfile v1


"@babel/highlight@^7.22.13", "@babel/highlight@^7.23.4":
  version "7.23.4"
  resolved "https://registry.yarnpkg.com/@babel/highlight/-/highlight-7.23.4.tgz#edaadf4d8232e1a961432db785091207ead0621b"
  dependencies:
    chalk "^2.4.2"

"@babel/code-frame@^7.22.13":
  version "7.23.5"
  dependencies:
    "@babel/highlight" "^7.23.4"

chalk@^2.4.2:
  version "2.4.2"
"""
    result = parse_yarn_lock("yarn.lock", text)
    assert set(result.edges) == {
        ("pkg:npm/%40babel/highlight@7.23.4", "pkg:npm/chalk@2.4.2"),
        ("pkg:npm/%40babel/code-frame@7.23.5", "pkg:npm/%40babel/highlight@7.23.4"),
    }
    assert [p.line for p in result.packages] == [4, 10, 15]


def test_yarn_empty_and_header_only() -> None:
    header = (
        b"# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n"
    )
    for content in (b"", header):
        result = parse_yarn_lock("yarn.lock", content)
        assert result.packages == ()


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (b'lodash@^4.17.21:\n  version "4.17.21"\nnot a header\n', 3),
        (b'lodash@^4.17.21\n  version "4.17.21"\n', 1),
        (b'lodash@^4.17.21:\n  resolved "https://x"\n', 1),
        (b'\t"lodash@^1":\n', 1),
    ],
)
def test_yarn_broken(content: bytes, line: int) -> None:
    with pytest.raises(CodeParseError, match=f"line {line}"):
        parse_yarn_lock("yarn.lock", content)


# ---------------------------------------------------------------- pnpm-lock.yaml

PNPM_DIRECT = {
    "pkg:npm/%40noble/curves@1.4.0": ("1.4.0", "^1.4.0", True, "runtime"),
    "pkg:npm/%40tanstack/react-query@5.28.0": ("5.28.0", "^5.28.0", True, "runtime"),
    "pkg:npm/jose@5.2.4": ("5.2.4", "5.2.4", True, "runtime"),
    "pkg:npm/react@18.2.0": ("18.2.0", "^18.2.0", True, "runtime"),
    "pkg:npm/react-dom@18.2.0": ("18.2.0", "^18.2.0", True, "runtime"),
    "pkg:npm/typescript@5.4.5": ("5.4.5", "~5.4.5", True, "dev"),
}
PNPM_TRANSITIVE = {
    "pkg:npm/%40noble/hashes@1.4.0": ("1.4.0", None, False, "runtime"),
    "pkg:npm/%40tanstack/query-core@5.28.0": ("5.28.0", None, False, "runtime"),
    "pkg:npm/js-tokens@4.0.0": ("4.0.0", None, False, "runtime"),
    "pkg:npm/loose-envify@1.4.0": ("1.4.0", None, False, "runtime"),
    "pkg:npm/scheduler@0.23.0": ("0.23.0", None, False, "runtime"),
}
PNPM_EDGES = {
    ("pkg:npm/%40noble/curves@1.4.0", "pkg:npm/%40noble/hashes@1.4.0"),
    ("pkg:npm/%40tanstack/react-query@5.28.0", "pkg:npm/%40tanstack/query-core@5.28.0"),
    ("pkg:npm/%40tanstack/react-query@5.28.0", "pkg:npm/react@18.2.0"),
    ("pkg:npm/loose-envify@1.4.0", "pkg:npm/js-tokens@4.0.0"),
    ("pkg:npm/react-dom@18.2.0", "pkg:npm/loose-envify@1.4.0"),
    ("pkg:npm/react-dom@18.2.0", "pkg:npm/react@18.2.0"),
    ("pkg:npm/react-dom@18.2.0", "pkg:npm/scheduler@0.23.0"),
    ("pkg:npm/react@18.2.0", "pkg:npm/loose-envify@1.4.0"),
    ("pkg:npm/scheduler@0.23.0", "pkg:npm/loose-envify@1.4.0"),
}


@pytest.mark.parametrize("fixture", ["pnpm-lock-v5.yaml", "pnpm-lock-v6.yaml"])
def test_pnpm_v5_v6(fixture: str) -> None:
    result = parse_pnpm_lock("pnpm-lock.yaml", read(fixture))
    assert result.kind == "pnpm-lock"
    assert rows(result) == PNPM_DIRECT | PNPM_TRANSITIVE
    assert set(result.edges) == PNPM_EDGES | {("", p) for p in PNPM_DIRECT}
    assert result.warnings == ()
    assert_lines_name_package(result, fixture)


def test_pnpm_v9_importers_and_snapshots() -> None:
    result = parse_pnpm_lock("pnpm-lock.yaml", read("pnpm-lock-v9.yaml"))
    alias = {"pkg:npm/crypto-js@4.2.0": ("4.2.0", "^4.2.0", True, "runtime")}
    assert rows(result) == PNPM_DIRECT | PNPM_TRANSITIVE | alias
    # the workspace link (link:packages/crypto) is a project, not a package
    assert not any("bank" in p.purl for p in result.packages)
    assert set(result.edges) == PNPM_EDGES | {("", p) for p in PNPM_DIRECT | alias}
    assert by_purl(result)["pkg:npm/%40noble/curves@1.4.0"].line == 42
    assert by_purl(result)["pkg:npm/react-dom@18.2.0"].line == 70
    assert_lines_name_package(result, "pnpm-lock-v9.yaml")


def test_pnpm_v9_dev_only_transitive_is_dev() -> None:
    text = """lockfileVersion: '9.0'

importers:

  .:
    devDependencies:
      a:
        specifier: ^1.0.0
        version: 1.0.0

packages:

  a@1.0.0:
    resolution: {integrity: sha512-aa==}

  b@2.0.0:
    resolution: {integrity: sha512-bb==}

snapshots:

  a@1.0.0:
    dependencies:
      b: 2.0.0

  b@2.0.0: {}
"""
    result = parse_pnpm_lock("pnpm-lock.yaml", text.encode())
    assert rows(result) == {
        "pkg:npm/a@1.0.0": ("1.0.0", "^1.0.0", True, "dev"),
        "pkg:npm/b@2.0.0": ("2.0.0", None, False, "dev"),
    }


def test_pnpm_unquoted_numbers_are_versions() -> None:
    text = "lockfileVersion: 5.4\nspecifiers:\n  a: 1\ndependencies:\n  a: 1.0\npackages:\n"
    result = parse_pnpm_lock("pnpm-lock.yaml", text.encode())
    assert [(p.name, p.requirement, p.direct) for p in result.packages] == [("a", "1", True)]


BILLION_LAUGHS = b"""lockfileVersion: '9.0'
a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
packages: &p {x@1.0.0: {dependencies: {a: 1.0.0}}}
snapshots: {x@1.0.0: *g}
"""


@pytest.mark.parametrize(
    "content",
    [
        BILLION_LAUGHS,
        b"lockfileVersion: '6.0'\ndeps: &d {a: 1}\ndependencies: *d\n",
        b"lockfileVersion: '6.0'\npackages: [1, 2]\n",
        b"lockfileVersion: '6.0'\npackages:\n  /a@1.0.0: 5\n",
        b"lockfileVersion: '9.0'\nimporters:\n  .: [a]\n",
        b"lockfileVersion: '6.0'\ndependencies: 7\n",
        b"lockfileVersion: '6.0'\nx: !!python/object/apply:os.system ['true']\n",
        b"lockfileVersion: '6.0'\nx: 2024-13-45\n",
        b"lockfileVersion: '6.0'\n  bad: indentation\n x: [\n",
        b"dependencies: {}\n",
        b"- just\n- a list\n",
        b"",
    ],
)
def test_pnpm_hostile(content: bytes) -> None:
    start = time.monotonic()
    with pytest.raises(CodeParseError, match=r"pnpm-lock\.yaml"):
        parse_pnpm_lock("pnpm-lock.yaml", content)
    assert time.monotonic() - start < 5


@pytest.mark.parametrize(
    "content",
    [
        b"lockfileVersion: '6.0'\nx: " + b"[" * 20000 + b"]" * 20000 + b"\n",
        b"lockfileVersion: '6.0'\npackages:\n  /a@1.0.0: {dependencies: {b: "
        + b"{c: " * 5000
        + b"1"
        + b"}" * 5000
        + b"}}\n",
        b"lockfileVersion: '9.0'\nimporters: {'.': {dependencies: {a: "
        + b"[" * 5000
        + b"]" * 5000
        + b"}}}\n",
    ],
)
def test_pnpm_deep_nesting_is_bounded(content: bytes) -> None:
    start = time.monotonic()
    try:
        result = parse_pnpm_lock("pnpm-lock.yaml", content)
    except CodeParseError:
        pass
    else:
        assert len(result.packages) <= 1
    assert time.monotonic() - start < 5


# ---------------------------------------------------------------- hostile input, every parser

JS_FIXTURES = {
    "package-json": ["package.json"],
    "package-lock": [
        "package-lock-v1.json",
        "package-lock-v2-workspaces.json",
        "package-lock-v3.json",
    ],
    "yarn-lock": ["yarn-v1.lock", "yarn-berry.lock"],
    "pnpm-lock": ["pnpm-lock-v5.yaml", "pnpm-lock-v6.yaml", "pnpm-lock-v9.yaml"],
}
ALL = [(p, f) for p in PARSERS for f in JS_FIXTURES[p.kind]]


@pytest.mark.parametrize(("parser", "fixture"), ALL, ids=[f for _, f in ALL])
def test_truncated_fixtures_never_crash(parser: object, fixture: str) -> None:
    data = read(fixture)
    for cut in range(0, len(data), max(1, len(data) // 60)):
        try:
            result = parser.parse(fixture, data[:cut])  # type: ignore[attr-defined]
        except CodeParseError:
            continue
        assert isinstance(result, DependencyFile)


@pytest.mark.parametrize("parser", PARSERS, ids=[p.kind for p in PARSERS])
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00garbage", "NUL"),
        (b'{"name": "caf\xe9"}\n', "line 1: invalid UTF-8"),
        (b"\n\n\x80\n", "line 3: invalid UTF-8"),
    ],
)
def test_binary_and_invalid_utf8(parser: object, content: bytes, message: str) -> None:
    with pytest.raises(CodeParseError, match=message):
        parser.parse("file", content)  # type: ignore[attr-defined]


@pytest.mark.parametrize("parser", PARSERS[:2], ids=["package-json", "package-lock"])
@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"   ",
        b"{",
        b'{"a": ',
        b"[" * 100000 + b"]" * 100000,
        b"{" + b'"a":{' * 50000,
        b"1" * 5000,
    ],
)
def test_json_garbage(parser: object, content: bytes) -> None:
    with pytest.raises(CodeParseError):
        parser.parse("file.json", content)  # type: ignore[attr-defined]


def test_big_package_json_is_fast() -> None:
    doc = {
        "dependencies": {f"p{i}": "^1.0.0" for i in range(20000)},
        "devDependencies": {f"p{i}": "^2.0.0" for i in range(20000)},
    }
    start = time.monotonic()
    result = parse_package_json("package.json", json.dumps(doc, indent=2).encode())
    assert time.monotonic() - start < 10
    assert len(result.packages) == 20000
    assert result.packages[5].line == 8  # the first section's copy, not the second's


def test_pnpm_ampersand_without_alias_is_fine() -> None:
    text = b"""lockfileVersion: '6.0'

dependencies:
  a:
    specifier: '*'
    version: 1.0.0

packages:

  /a@1.0.0:
    resolution: {tarball: 'https://npm.example.com/a.tgz?x=1&y=2'}
    dev: false
"""
    result = parse_pnpm_lock("pnpm-lock.yaml", text)
    assert [(p.purl, p.requirement, p.direct) for p in result.packages] == [
        ("pkg:npm/a@1.0.0", "*", True)
    ]


def test_warnings_are_bounded() -> None:
    deps = {f"bad{i}": i for i in range(MAX_WARNINGS + 30)}
    result = parse_package_json("package.json", json.dumps({"dependencies": deps}).encode())
    assert len(result.warnings) == MAX_WARNINGS + 1
    assert result.warnings[-1] == "30 more warnings not shown"


def test_big_lockfile_is_fast() -> None:
    packages: dict[str, object] = {"": {"dependencies": {f"p{i}": "^1" for i in range(3000)}}}
    for i in range(3000):
        packages[f"node_modules/p{i}"] = {
            "version": "1.0.0",
            "dependencies": {f"p{(i + j) % 3000}": "^1" for j in range(1, 6)},
        }
        packages[f"node_modules/p{i}/node_modules/q"] = {"version": "2.0.0"}
    data = json.dumps({"lockfileVersion": 3, "packages": packages}, indent=2).encode()
    start = time.monotonic()
    result = parse_package_lock("package-lock.json", data)
    assert time.monotonic() - start < 10
    assert len(result.packages) == 3001
    assert len(result.edges) == 3000 + 3000 * 5


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=600))
def test_fuzz_bytes(data: bytes) -> None:
    for parser in PARSERS:
        try:
            result = parser.parse("fuzz", data)
        except CodeParseError:
            continue
        assert isinstance(result, DependencyFile)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="ab@/:^~ \n\"'{}[],-.0123456789_()*&!#", max_size=400))
def test_fuzz_text(text: str) -> None:
    for parser in PARSERS:
        try:
            result = parser.parse("fuzz", text.encode())
        except CodeParseError:
            continue
        assert isinstance(result, DependencyFile)


@settings(max_examples=100, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=12),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    ["", "node_modules/a", "a", "dependencies", "packages", "version", "requires"]
                )
                | st.text(max_size=8),
                inner,
                max_size=4,
            )
        ),
        max_leaves=30,
    )
)
def test_fuzz_json_structures(value: object) -> None:
    for doc in (
        value,
        {"lockfileVersion": 3, "packages": value},
        {"lockfileVersion": 1, "dependencies": value},
    ):
        data = json.dumps(doc).encode()
        for parser in PARSERS[:2]:
            with contextlib.suppress(CodeParseError):
                parser.parse("fuzz.json", data)


@pytest.mark.parametrize(
    "version", [".inf", "-.inf", ".nan", "'abc'", "[5]", "{a: 1}", "~", "true"]
)
def test_pnpm_odd_lockfile_versions(version: str) -> None:
    text = f"lockfileVersion: {version}\ndependencies:\n  a: 1.0.0\n"
    try:
        result = parse_pnpm_lock("pnpm-lock.yaml", text.encode())
    except CodeParseError:
        return
    assert isinstance(result, DependencyFile)


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "lockfileVersion",
                        "importers",
                        ".",
                        "dependencies",
                        "devDependencies",
                        "specifiers",
                        "specifier",
                        "version",
                        "packages",
                        "snapshots",
                        "/a@1.0.0",
                        "a@1.0.0",
                        "/a/1.0.0",
                        "a",
                        "name",
                        "dev",
                    ]
                )
                | st.text(max_size=8),
                inner,
                max_size=4,
            )
        ),
        max_leaves=30,
    ),
    st.sampled_from(["5.4", "'6.0'", "'9.0'"]),
)
def test_fuzz_pnpm_structures(value: object, version: str) -> None:
    body = yaml.safe_dump(value)
    for text in (
        f"lockfileVersion: {version}\n{body}",
        yaml.safe_dump({"lockfileVersion": 9, "x": value}),
    ):
        if not isinstance(value, dict) and text.endswith(body):
            text = f"lockfileVersion: {version}\npackages:\n  /a@1.0.0:\n    dependencies: {body}"
        try:
            result = parse_pnpm_lock("pnpm-lock.yaml", text.encode())
        except CodeParseError:
            continue
        assert isinstance(result, DependencyFile)
