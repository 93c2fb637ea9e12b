"""Ruby dependency files: Gemfile.lock / gems.locked."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packageurl import PackageURL

from pqcscan.collectors.code.deps.ruby import PARSERS, gem_purl, parse_gemfile_lock
from pqcscan.collectors.code.model import CodeParseError, DependencyFile

DATA = Path(__file__).parent / "data" / "ruby"
HSM = (
    "pkg:gem/hsm-client@0.9.2?vcs_url=git%2Bhttps://github.com/bank/hsm-client.git"
    "%404f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39"
)


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


@pytest.mark.parametrize(
    ("args", "purl"),
    [
        (("jwt", "2.8.1"), "pkg:gem/jwt@2.8.1"),
        (("nokogiri", "1.16.2", "x86_64-linux"), "pkg:gem/nokogiri@1.16.2?platform=x86_64-linux"),
        (("nokogiri", "1.16.2", "ruby"), "pkg:gem/nokogiri@1.16.2"),
        (("rails", "7.2.0.alpha"), "pkg:gem/rails@7.2.0.alpha"),
        (("mini_portile2", None), "pkg:gem/mini_portile2"),
    ],
)
def test_gem_purl(args: tuple[str, ...], purl: str) -> None:
    assert gem_purl(*args) == purl
    assert PackageURL.from_string(purl).name == args[0]


@pytest.mark.parametrize("bad", ["", "a b", "-x", "x/y", "é"])
def test_gem_purl_refuses_non_names(bad: str) -> None:
    assert gem_purl(bad, "1.0") is None


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Gemfile.lock", "gemfile-lock"),
        ("gems.locked", "gemfile-lock"),
        ("Gemfile", None),
        ("gemfile.lock", None),
        ("Gemfile.lock.orig", None),
        ("gems.rb", None),
    ],
)
def test_detection(name: str, kind: str | None) -> None:
    kinds = [p.kind for p in PARSERS if p.matches(name, b"GEM\n")]
    assert kinds == ([kind] if kind else [])


def test_gemfile_lock() -> None:
    result = parse_gemfile_lock("Gemfile.lock", read("Gemfile.lock"))
    assert result.kind == "gemfile-lock"
    assert result.project is None
    assert result.warnings == ()
    got = {p.purl: (p.version, p.requirement, p.direct, p.line) for p in result.packages}
    assert got == {
        HSM: ("0.9.2", None, True, 6),
        "pkg:gem/base64@0.2.0": ("0.2.0", None, False, 12),
        "pkg:gem/bcrypt@3.1.20": ("3.1.20", "~> 3.1", True, 13),
        "pkg:gem/ed25519@1.3.0": ("1.3.0", ">= 1.2, < 2.0", True, 14),
        "pkg:gem/ffi@1.16.3": ("1.16.3", None, False, 15),
        "pkg:gem/jwt@2.8.1": ("2.8.1", "~> 2.8", True, 16),
        "pkg:gem/mini_portile2@2.8.5": ("2.8.5", None, False, 18),
        "pkg:gem/net-ssh@7.2.1": ("7.2.1", "~> 7.2", True, 19),
        "pkg:gem/nokogiri@1.16.2": ("1.16.2", None, True, 20),
        "pkg:gem/nokogiri@1.16.2?platform=arm64-darwin": ("1.16.2", None, True, 23),
        "pkg:gem/nokogiri@1.16.2?platform=x86_64-linux": ("1.16.2", None, True, 25),
        "pkg:gem/openssl@3.2.0": ("3.2.0", ">= 3.0", True, 27),
        "pkg:gem/racc@1.7.3": ("1.7.3", None, False, 28),
        "pkg:gem/rbnacl@7.1.1": ("7.1.1", None, True, 29),
        "pkg:gem/rspec-core@3.13.0": ("3.13.0", None, True, 31),
        "pkg:gem/rspec-support@3.13.1": ("3.13.1", None, False, 33),
    }
    assert all(p.ecosystem == "gem" and p.scope is None for p in result.packages)
    assert {p.name for p in result.packages if "nokogiri" in p.purl} == {"nokogiri"}
    direct = {p.purl for p in result.packages if p.direct}
    assert set(result.edges) == {("", p) for p in direct} | {
        (HSM, "pkg:gem/ffi@1.16.3"),
        ("pkg:gem/jwt@2.8.1", "pkg:gem/base64@0.2.0"),
        ("pkg:gem/nokogiri@1.16.2", "pkg:gem/mini_portile2@2.8.5"),
        ("pkg:gem/nokogiri@1.16.2", "pkg:gem/racc@1.7.3"),
        ("pkg:gem/nokogiri@1.16.2?platform=arm64-darwin", "pkg:gem/racc@1.7.3"),
        ("pkg:gem/nokogiri@1.16.2?platform=x86_64-linux", "pkg:gem/racc@1.7.3"),
        ("pkg:gem/rbnacl@7.1.1", "pkg:gem/ffi@1.16.3"),
        ("pkg:gem/rspec-core@3.13.0", "pkg:gem/rspec-support@3.13.1"),
    }


def test_gems_locked_with_path_project_and_checksums() -> None:
    result = parse_gemfile_lock("gems.locked", read("gems.locked"))
    assert result.project == "bank-crypto"
    assert result.warnings == ()
    got = {p.purl: (p.version, p.requirement, p.direct) for p in result.packages}
    assert got == {
        "pkg:gem/ffi@1.16.3": ("1.16.3", None, False),
        "pkg:gem/ffi@1.16.3?platform=x64-mingw-ucrt": ("1.16.3", None, False),
        # the gemspec's runtime dependencies are direct, with their requirements
        "pkg:gem/openssl@3.2.0": ("3.2.0", ">= 3.0", True),
        "pkg:gem/rake@13.1.0": ("13.1.0", "~> 13.0", True),
        "pkg:gem/rbnacl@7.1.1": ("7.1.1", "~> 7.1", True),
    }
    assert set(result.edges) == {
        ("", "pkg:gem/openssl@3.2.0"),
        ("", "pkg:gem/rake@13.1.0"),
        ("", "pkg:gem/rbnacl@7.1.1"),
        ("pkg:gem/rbnacl@7.1.1", "pkg:gem/ffi@1.16.3"),
        ("pkg:gem/rbnacl@7.1.1", "pkg:gem/ffi@1.16.3?platform=x64-mingw-ucrt"),
    }


def test_crlf_and_unknown_sections() -> None:
    text = (
        "GEM\r\n  remote: https://rubygems.org/\r\n  specs:\r\n    jwt (2.8.1)\r\n\r\n"
        "FUTURE SECTION\r\n  anything (goes) here\r\n\r\n"
        "DEPENDENCIES\r\n  jwt\r\n"
    )
    result = parse_gemfile_lock("Gemfile.lock", text.encode())
    assert [(p.purl, p.direct, p.line) for p in result.packages] == [("pkg:gem/jwt@2.8.1", True, 4)]


def test_dependencies_only() -> None:
    result = parse_gemfile_lock("Gemfile.lock", b"PLATFORMS\n  ruby\n\nDEPENDENCIES\n  rails\n")
    assert result.packages == ()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not a Gemfile.lock"),
        (b"\n\n", "not a Gemfile.lock"),
        (b"SOMETHING\n  else\n", "not a Gemfile.lock"),
        (b"hello world\n", "line 1: expected a section name"),
        (b"  specs:\n", "line 1: content before the first section"),
        (
            b"GEM\n  remote: x\n  specs:\n    jwt (2.8.1\n",
            "line 4: not a 'name \\(version\\)' spec",
        ),
        (b"GEM\n  specs:\n    jwt (2.8.1)\n        deep (1)\n", "line 4: unexpected indentation"),
        (b"GEM\n  remote: x\n  garbage\n", "line 3: unexpected"),
        (b"GEM\n  specs:\n    a (1)\n      b (>= 1\n", "line 4: not a dependency"),
        (b"DEPENDENCIES\n  a (>= 1\n", "line 2: not a dependency"),
        (b"GEM\n\x00\n", "NUL"),
        (b"GEM\n  specs:\n    caf\xe9 (1.0)\n", "line 3: invalid UTF-8"),
        (b"\x89PNG\r\n\x1a\n", "line 1"),
    ],
)
def test_broken(content: bytes, message: str) -> None:
    with pytest.raises(CodeParseError, match=message):
        parse_gemfile_lock("Gemfile.lock", content)


def test_odd_names_warn() -> None:
    text = b"GEM\n  remote: x\n  specs:\n    ok (1.0)\n    b@d (1.0)\n    nover\n"
    result = parse_gemfile_lock("Gemfile.lock", text)
    assert [p.purl for p in result.packages] == ["pkg:gem/ok@1.0", "pkg:gem/nover"]
    assert len(result.warnings) == 2


@pytest.mark.parametrize("fixture", ["Gemfile.lock", "gems.locked"])
def test_truncated_fixtures_never_crash(fixture: str) -> None:
    data = read(fixture)
    for cut in range(len(data)):
        try:
            result = parse_gemfile_lock(fixture, data[:cut])
        except CodeParseError:
            continue
        assert isinstance(result, DependencyFile)


def test_big_lock_is_fast() -> None:
    lines = ["GEM", "  remote: https://rubygems.org/", "  specs:"]
    for i in range(5000):
        lines.append(f"    g{i} (1.0.{i})")
        lines.extend(f"      g{(i + j) % 5000} (>= 1)" for j in range(1, 6))
    lines += ["", "DEPENDENCIES"] + [f"  g{i}" for i in range(0, 5000, 10)]
    start = time.monotonic()
    result = parse_gemfile_lock("Gemfile.lock", "\n".join(lines).encode())
    assert time.monotonic() - start < 10
    assert len(result.packages) == 5000
    assert len(result.edges) == 5000 * 5 + 500


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=500))
def test_fuzz_bytes(data: bytes) -> None:
    try:
        result = parse_gemfile_lock("Gemfile.lock", data)
    except CodeParseError:
        return
    assert isinstance(result, DependencyFile)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "GEM",
                "GIT",
                "PATH",
                "DEPENDENCIES",
                "PLATFORMS",
                "  remote: .",
                "  remote: https://rubygems.org/",
                "  revision: abc",
                "  specs:",
                "    a (1.0)",
                "    a (1.0-x86_64-linux)",
                "    b (2.0)",
                "      a",
                "      b (>= 1, < 3)",
                "  a!",
                "  b (~> 2.0)",
                "",
                "   2.5.6",
                "    (",
                "      )",
            ]
        ),
        max_size=30,
    )
)
def test_fuzz_lines(lines: list[str]) -> None:
    try:
        result = parse_gemfile_lock("Gemfile.lock", "\n".join(lines).encode())
    except CodeParseError:
        return
    assert isinstance(result, DependencyFile)
    purls = {p.purl for p in result.packages}
    assert all(target in purls for _, target in result.edges)
