"""Go dependency files: go.mod and go.sum."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pqcscan.collectors.code.deps import parser_for
from pqcscan.collectors.code.deps.go import (
    MAX_WARNINGS,
    PARSERS,
    golang_purl,
    parse_go_mod,
    parse_go_sum,
)
from pqcscan.collectors.code.model import CodeParseError, DependencyFile, Package

DATA = Path(__file__).parent / "data" / "go"


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def by_name(result: DependencyFile) -> dict[str, Package]:
    return {p.name: p for p in result.packages}


# ---------------------------------------------------------------- purls and detection


@pytest.mark.parametrize(
    ("path", "version", "purl"),
    [
        ("golang.org/x/crypto", "v0.31.0", "pkg:golang/golang.org/x/crypto@v0.31.0"),
        ("github.com/cloudflare/circl", "v1.5.0", "pkg:golang/github.com/cloudflare/circl@v1.5.0"),
        ("github.com/jackc/pgx/v5", "v5.7.1", "pkg:golang/github.com/jackc/pgx/v5@v5.7.1"),
        (
            "github.com/docker/docker",
            "v27.1.1+incompatible",
            "pkg:golang/github.com/docker/docker@v27.1.1%2Bincompatible",
        ),
        ("stdlib", "1.24.1", "pkg:golang/stdlib@1.24.1"),
        ("rsc.io/quote", None, "pkg:golang/rsc.io/quote"),
    ],
)
def test_golang_purl(path: str, version: str | None, purl: str) -> None:
    assert golang_purl(path, version) == purl


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("go.mod", "go-mod"),
        ("services/gateway/go.mod", "go-mod"),
        ("go.sum", "go-sum"),
        ("vendor\\go.sum", "go-sum"),
        ("go.work", None),
        ("go.mod.bak", None),
        ("Go.mod", None),
        ("gomod", None),
    ],
)
def test_detection(name: str, kind: str | None) -> None:
    kinds = [p.kind for p in PARSERS if p.matches(name, b"")]
    assert kinds == ([kind] if kind else [])
    if kind:
        found = parser_for(name.replace("\\", "/").rsplit("/", 1)[-1], b"")
        assert found is not None and found.kind == kind


# ---------------------------------------------------------------- go.mod


def test_go_mod_module_stdlib_and_requires() -> None:
    result = parse_go_mod("go.mod", read("go.mod"))
    assert result.kind == "go-mod"
    assert result.project == "github.com/examplebank/settlement-gateway"
    packages = by_name(result)
    stdlib = packages["stdlib"]
    # The toolchain is what builds the module; the go directive is the minimum.
    assert stdlib.purl == "pkg:golang/stdlib@1.24.1"
    assert stdlib.version == "1.24.1"
    assert stdlib.requirement == ">=1.22.0"
    assert stdlib.direct is True
    assert stdlib.line == 3

    crypto = packages["golang.org/x/crypto"]
    assert crypto.purl == "pkg:golang/golang.org/x/crypto@v0.31.0"
    assert crypto.version == "v0.31.0"
    assert crypto.direct is True
    assert crypto.line == 12
    circl = packages["github.com/cloudflare/circl"]
    assert circl.purl == "pkg:golang/github.com/cloudflare/circl@v1.5.0"
    assert circl.direct is True and circl.line == 8
    assert packages["github.com/jackc/pgx/v5"].purl == "pkg:golang/github.com/jackc/pgx/v5@v5.7.1"

    assert packages["golang.org/x/text"].direct is False
    assert packages["github.com/jackc/pgservicefile"].version == (
        "v0.0.0-20240606120523-5a60cdf6a761"
    )
    assert len(result.packages) == 13
    assert all(p.ecosystem == "golang" for p in result.packages)


def test_go_mod_edges_are_the_direct_requirements() -> None:
    result = parse_go_mod("go.mod", read("go.mod"))
    direct = {p.purl for p in result.packages if p.direct}
    assert set(result.edges) == {("", purl) for purl in direct}
    assert ("", "pkg:golang/golang.org/x/text@v0.21.0") not in result.edges
    assert len(direct) == 6


def test_go_mod_replace_is_applied_and_noted() -> None:
    result = parse_go_mod("go.mod", read("go.mod"))
    packages = by_name(result)
    sys_pkg = packages["golang.org/x/sys"]
    assert sys_pkg.version == "v0.29.0"
    assert sys_pkg.requirement == "v0.28.0"
    assert sys_pkg.purl == "pkg:golang/golang.org/x/sys@v0.29.0"
    local = packages["github.com/examplebank/hsm-go"]
    assert local.version is None and local.requirement == "v0.4.2"
    assert local.purl == "pkg:golang/github.com/examplebank/hsm-go"
    assert any("hsm-go" in w and "local directory ../hsm-go" in w for w in result.warnings)
    assert any("golang.org/x/sys v0.28.0 is replaced by" in w for w in result.warnings)
    # exclude and retract change nothing
    assert "v0.17.0" not in {p.version for p in result.packages}


def test_go_mod_replace_by_another_module_and_version_specific() -> None:
    text = b"""module example.com/app

go 1.23

require (
\tgolang.org/x/crypto v0.25.0
\tgithub.com/foo/bar v1.0.0
)

replace golang.org/x/crypto => github.com/examplebank/crypto-fork v0.25.1-bank.1
replace github.com/foo/bar v0.9.0 => github.com/foo/bar v0.9.1
"""
    packages = by_name(parse_go_mod("go.mod", text))
    fork = packages["github.com/examplebank/crypto-fork"]
    assert fork.version == "v0.25.1-bank.1" and fork.requirement == "v0.25.0"
    # A replacement of another version does not apply.
    assert packages["github.com/foo/bar"].version == "v1.0.0"
    assert packages["stdlib"].version == "1.23"
    assert packages["stdlib"].requirement == ">=1.23"


def test_go_mod_single_line_requires_quotes_and_comments() -> None:
    text = b"""// Settlement tools
module "example.com/tools" // quoted module path

go 1.24
toolchain default
godebug default=go1.21

require golang.org/x/crypto v0.31.0
require "github.com/cloudflare/circl" v1.5.0 // indirect
require github.com/x/y v1.0.0 // indirect; used by tests
tool golang.org/x/tools/cmd/stringer
"""
    result = parse_go_mod("go.mod", text)
    assert result.project == "example.com/tools"
    packages = by_name(result)
    assert packages["golang.org/x/crypto"].direct is True
    assert packages["golang.org/x/crypto"].line == 8
    assert packages["github.com/cloudflare/circl"].direct is False
    assert packages["github.com/x/y"].direct is False
    assert packages["stdlib"].version == "1.24"  # "toolchain default" names no version


def test_go_mod_without_go_directive_has_no_stdlib() -> None:
    result = parse_go_mod("go.mod", b"module example.com/m\n\nrequire rsc.io/quote v1.5.2\n")
    assert [p.name for p in result.packages] == ["rsc.io/quote"]


def test_go_mod_empty_file() -> None:
    result = parse_go_mod("go.mod", b"")
    assert result.packages == () and result.project is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"module a\nrequire (\n\tgolang.org/x/crypto v0.31.0\n", "line 2: 'require (' block"),
        (b"module a\nrequire golang.org/x/crypto\n", "line 2: require needs"),
        (b"module a\nfrobnicate x\n", "line 2: unknown directive"),
        (b'module a\nrequire "golang.org/x/crypto v1\n', "line 2: unterminated"),
        (b"module a\ngo one.two\n", "line 2: invalid go version"),
        (b"module a b\n", "line 1: module needs one path"),
        (b"replace a => b\n", "line 1: replacement module needs a version"),
        (b"replace a b c d => e\n", "line 1: invalid replace"),
        (b"replace a v1\n", "line 1: replace needs '=>'"),
        (b"module a\x00\n", "binary"),
        (b"module caf\xe9\n", "invalid UTF-8"),
        (b"weird (\n)\n", "unknown block"),
    ],
)
def test_go_mod_broken(text: bytes, message: str) -> None:
    with pytest.raises(CodeParseError, match=message.replace("(", r"\(")):
        parse_go_mod("go.mod", text)


def test_go_mod_many_replacements_cap_warnings() -> None:
    lines = ["module m", "require ("]
    lines += [f"\texample.com/m{i} v1.0.0" for i in range(80)]
    lines += [")"]
    lines += [f"replace example.com/m{i} => ./m{i}" for i in range(80)]
    result = parse_go_mod("go.mod", "\n".join(lines).encode())
    assert len(result.warnings) == MAX_WARNINGS + 1
    assert result.warnings[-1] == "30 more warnings not shown"


# ---------------------------------------------------------------- go.sum


def test_go_sum_lists_module_versions_not_go_mod_lines() -> None:
    result = parse_go_sum("go.sum", read("go.sum"))
    assert result.kind == "go-sum" and result.project is None
    purls = [p.purl for p in result.packages]
    assert len(purls) == len(set(purls)) == 8
    packages = by_name(result)
    assert packages["golang.org/x/crypto"].version == "v0.31.0"
    assert packages["golang.org/x/crypto"].line == 10
    assert packages["github.com/cloudflare/circl"].purl == (
        "pkg:golang/github.com/cloudflare/circl@v1.5.0"
    )
    # Only a go.mod hash: the module's code is not in the build.
    assert "gopkg.in/yaml.v3" not in packages
    assert "github.com/davecgh/go-spew" not in packages
    assert all(p.direct is None for p in result.packages)


def test_go_sum_keeps_every_version() -> None:
    text = (
        b"golang.org/x/crypto v0.17.0 h1:r8bRNjWL3GshPW3gkd+RpvzWrZAwPS49OmTGZ/uhM4k=\n"
        b"golang.org/x/crypto v0.31.0 h1:ihbySMvVjLAeSH1IbfcRTkD/iNscyz8rGzjF/E5hV6U=\n"
    )
    versions = [p.version for p in parse_go_sum("go.sum", text).packages]
    assert versions == ["v0.17.0", "v0.31.0"]


@pytest.mark.parametrize(
    "text",
    [
        b"golang.org/x/crypto v0.31.0\n",
        b"golang.org/x/crypto v0.31.0 sha256:abc\n",
        b"golang.org/x/crypto v0.31.0 h1:a= extra\n",
        b"\xff\xfe\x00\x01",
    ],
)
def test_go_sum_broken(text: bytes) -> None:
    with pytest.raises(CodeParseError):
        parse_go_sum("go.sum", text)


def test_go_sum_truncated_is_an_error_with_line() -> None:
    data = read("go.sum")
    with pytest.raises(CodeParseError, match="line 18"):
        parse_go_sum("go.sum", data[: data.rindex(b" h1:")])


# ---------------------------------------------------------------- hostile input


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_fuzz_never_crashes(data: bytes) -> None:
    for parse in (parse_go_mod, parse_go_sum):
        with contextlib.suppress(CodeParseError):
            parse("go.mod", data)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=' \t\n()"`/=>abcv0123456789.', max_size=300))
def test_fuzz_go_mod_like_text(text: str) -> None:
    with contextlib.suppress(CodeParseError):
        parse_go_mod("go.mod", ("module a\nrequire (\n" + text).encode())


def test_huge_go_mod_is_linear() -> None:
    lines = ["module m", "go 1.24", "require ("]
    lines += [f"\texample.com/org/mod{i} v1.{i}.0 // indirect" for i in range(20000)]
    lines.append(")")
    result = parse_go_mod("go.mod", "\n".join(lines).encode())
    assert len(result.packages) == 20001


@pytest.mark.parametrize(
    ("parse", "text"),
    [
        (parse_go_mod, b'require "" v1.0.0\n'),
        (parse_go_mod, b"require example.com/m/ v1.0.0\n"),
        (parse_go_mod, b"require example.com//m v1.0.0\n"),
        (parse_go_mod, b'require a v1\nreplace a => "" v2\n'),
        (parse_go_sum, b"example.com/m/ v1.0.0 h1:abc=\n"),
    ],
)
def test_invalid_module_paths(parse: object, text: bytes) -> None:
    assert callable(parse)
    with pytest.raises(CodeParseError, match="invalid module path"):
        parse("go.mod", text)


def test_fixtures_route_to_their_parser_and_empty_go_sum() -> None:
    for name, kind in (("go.mod", "go-mod"), ("go.sum", "go-sum")):
        found = parser_for(name, read(name)[:4096])
        assert found is not None and found.kind == kind
    assert parse_go_sum("go.sum", b"").packages == ()
    assert parse_go_sum("go.sum", b"\n\n").packages == ()


def test_go_mod_replace_and_exclude_blocks() -> None:
    text = b"""module example.com/app

go 1.24.0

require (
\tgolang.org/x/crypto v0.31.0
\tgithub.com/cloudflare/circl v1.5.0
)

replace (
\tgolang.org/x/crypto v0.31.0 => golang.org/x/crypto v0.32.0
\tgithub.com/cloudflare/circl => ./third_party/circl
)

exclude (
\tgolang.org/x/crypto v0.17.0
)
"""
    result = parse_go_mod("go.mod", text)
    packages = by_name(result)
    assert packages["golang.org/x/crypto"].version == "v0.32.0"
    assert packages["github.com/cloudflare/circl"].version is None
    assert packages["stdlib"].version == "1.24.0"
    assert len(result.warnings) == 2
    assert result.warnings[0].startswith("line 11: ")


def test_go_mod_versioned_replace_wins() -> None:
    text = b"""module example.com/app
require golang.org/x/crypto v0.31.0
replace golang.org/x/crypto => golang.org/x/crypto v0.30.0
replace golang.org/x/crypto v0.31.0 => golang.org/x/crypto v0.32.0
"""
    result = parse_go_mod("go.mod", text)
    (crypto,) = result.packages
    assert crypto.version == "v0.32.0"
    assert result.warnings == (
        "line 4: golang.org/x/crypto v0.31.0 is replaced by golang.org/x/crypto v0.32.0",
    )


def test_go_mod_many_requires_and_replaces_is_fast() -> None:
    lines = ["module m", "require ("]
    lines += [f"\texample.com/m{i} v1.0.0" for i in range(20000)]
    lines += [")", "replace ("]
    lines += [f"\texample.com/m{i} => example.com/fork{i} v1.0.1" for i in range(20000)]
    lines += [")"]
    result = parse_go_mod("go.mod", "\n".join(lines).encode())
    assert result.packages[-1].name == "example.com/fork19999"
