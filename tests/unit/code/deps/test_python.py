"""Python dependency files: requirements, pyproject.toml, poetry.lock, Pipfile.lock, uv.lock,
pylock.toml."""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packageurl import PackageURL

from pqcscan.collectors.code.deps import DependencyParser
from pqcscan.collectors.code.deps.python import (
    MAX_WARNINGS,
    PARSERS,
    parse_pipfile_lock,
    parse_poetry_lock,
    parse_pylock,
    parse_pyproject,
    parse_requirements,
    parse_uv_lock,
    pypi_purl,
)
from pqcscan.collectors.code.model import CodeParseError, DependencyFile, Package

DATA = Path(__file__).parent / "data" / "python"


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def by_name(result: DependencyFile) -> dict[str, Package]:
    return {p.name.lower(): p for p in result.packages}


def parser(kind: str) -> DependencyParser:
    return next(p for p in PARSERS if p.kind == kind)


def claimed(name: str, head: bytes = b"") -> str | None:
    kinds = [p.kind for p in PARSERS if p.matches(name, head)]
    assert len(kinds) <= 1, kinds
    return kinds[0] if kinds else None


# ---------------------------------------------------------------- purls


@pytest.mark.parametrize(
    ("name", "version", "purl"),
    [
        ("cryptography", "43.0.1", "pkg:pypi/cryptography@43.0.1"),
        ("PyNaCl", "1.5.0", "pkg:pypi/pynacl@1.5.0"),
        ("zope.interface", None, "pkg:pypi/zope-interface"),
        ("ruamel_yaml", "0.18.6", "pkg:pypi/ruamel-yaml@0.18.6"),
        ("Foo__Bar..baz", "1.0+local", "pkg:pypi/foo-bar-baz@1.0%2Blocal"),
    ],
)
def test_pypi_purl_normalises_names(name: str, version: str | None, purl: str) -> None:
    assert pypi_purl(name, version) == purl


# ---------------------------------------------------------------- detection


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("requirements.txt", "requirements"),
        ("requirements-dev.txt", "requirements"),
        ("requirements_test.txt", "requirements"),
        ("dev-requirements.txt", "requirements"),
        ("requirements.in", "requirements"),
        ("requirements-dev.lock", "requirements"),
        ("constraints.txt", "requirements"),
        ("constraints-py311.txt", "requirements"),
        ("requirements/base.txt", "requirements"),
        ("Requirements.TXT", "requirements"),
        ("pyproject.toml", "pyproject"),
        ("poetry.lock", "poetry-lock"),
        ("Pipfile.lock", "pipfile-lock"),
        ("uv.lock", "uv-lock"),
        ("pylock.toml", "pylock"),
        ("pylock.dev.toml", "pylock"),
        # look-alikes
        ("requirements.md", None),
        ("requirements.txt.orig", None),
        ("myrequirements.txt", None),
        ("requires.txt", None),
        ("base.txt", None),
        ("setup.py", None),
        ("Pipfile", None),
        ("pyproject.toml.bak", None),
        ("pylock.a.b.toml", None),
        ("pylock.json", None),
        ("package.json", None),
        ("Cargo.lock", None),
        ("uv.toml", None),
    ],
)
def test_detection_by_name(name: str, kind: str | None) -> None:
    assert claimed(name, b"") == kind


def test_every_parser_is_registered_once() -> None:
    kinds = [p.kind for p in PARSERS]
    assert sorted(kinds) == sorted(
        ["requirements", "pyproject", "poetry-lock", "pipfile-lock", "uv-lock", "pylock"]
    )


# ---------------------------------------------------------------- requirements


def test_pip_compile_output_gives_direct_flags_edges_and_lines() -> None:
    result = parse_requirements("requirements.txt", read("requirements-compiled.txt"))
    assert result.kind == "requirements"
    assert result.project is None
    assert result.warnings == ()
    pkgs = by_name(result)
    assert list(pkgs) == ["bcrypt", "cffi", "cryptography", "paramiko", "pycparser", "pynacl"]
    crypto = pkgs["cryptography"]
    assert crypto.purl == "pkg:pypi/cryptography@43.0.1"
    assert crypto.version == "43.0.1"
    assert crypto.requirement == "==43.0.1"
    assert crypto.direct is True
    assert crypto.line == 18
    assert pkgs["paramiko"].direct is True
    assert pkgs["cffi"].direct is False
    assert pkgs["bcrypt"].line == 9
    assert pkgs["pynacl"].line == 29
    edges = set(result.edges)
    assert ("", "pkg:pypi/cryptography@43.0.1") in edges
    assert ("", "pkg:pypi/paramiko@3.5.0") in edges
    assert ("pkg:pypi/paramiko@3.5.0", "pkg:pypi/cryptography@43.0.1") in edges
    assert ("pkg:pypi/cryptography@43.0.1", "pkg:pypi/cffi@1.17.1") in edges
    assert ("pkg:pypi/pynacl@1.5.0", "pkg:pypi/cffi@1.17.1") in edges
    assert ("pkg:pypi/cffi@1.17.1", "pkg:pypi/pycparser@2.22") in edges
    assert len(edges) == 8


def test_pip_compile_line_annotation_style() -> None:
    result = parse_requirements("requirements.txt", read("requirements-line-style.txt"))
    assert [(p.name, p.direct, p.line) for p in result.packages] == [
        ("cffi", False, 7),
        ("cryptography", True, 8),
        ("paramiko", True, 9),
        ("pycparser", False, 10),
        ("pynacl", False, 11),
        ("requests", True, 12),
        ("urllib3", False, 13),  # a constraint is not a declaration
    ]
    assert set(result.edges) == {
        ("pkg:pypi/cryptography@43.0.1", "pkg:pypi/cffi@1.17.1"),
        ("pkg:pypi/pynacl@1.5.0", "pkg:pypi/cffi@1.17.1"),
        ("", "pkg:pypi/cryptography@43.0.1"),
        ("pkg:pypi/paramiko@3.5.0", "pkg:pypi/cryptography@43.0.1"),
        ("", "pkg:pypi/paramiko@3.5.0"),
        ("pkg:pypi/cffi@1.17.1", "pkg:pypi/pycparser@2.22"),
        ("pkg:pypi/paramiko@3.5.0", "pkg:pypi/pynacl@1.5.0"),
        ("", "pkg:pypi/requests@2.32.3"),
        ("pkg:pypi/requests@2.32.3", "pkg:pypi/urllib3@2.2.3"),
    }


def test_rye_lock() -> None:
    result = parse_requirements("requirements-dev.lock", read("requirements-dev.lock"))
    pkgs = by_name(result)
    assert list(pkgs) == ["cffi", "cryptography", "iniconfig", "pycparser", "pytest"]
    assert pkgs["cryptography"].version == "44.0.0"
    assert pkgs["cffi"].direct is False
    # rye names the project itself (not a file) as the source of a direct dependency, and
    # writes no "via" for some: the file does not say
    assert pkgs["cryptography"].direct is None
    assert pkgs["pytest"].direct is None
    assert pkgs["pytest"].scope == "dev"
    assert result.warnings == (
        "line 12: editable requirement 'file:.' does not name its project, skipped",
    )


def test_uv_pip_compile_via_pyproject_marks_direct() -> None:
    text = (
        b"# This file was autogenerated by uv via the following command:\n"
        b"#    uv pip compile pyproject.toml -o requirements.txt\n"
        b"cffi==1.17.1\n"
        b"    # via cryptography\n"
        b"cryptography==44.0.0\n"
        b"    # via risk-analytics (pyproject.toml)\n"
    )
    result = parse_requirements("requirements.txt", text)
    pkgs = by_name(result)
    assert pkgs["cryptography"].direct is True
    assert pkgs["cffi"].direct is False
    assert set(result.edges) == {
        ("", "pkg:pypi/cryptography@44.0.0"),
        ("pkg:pypi/cryptography@44.0.0", "pkg:pypi/cffi@1.17.1"),
    }


def test_via_after_a_skipped_line_does_not_attach_to_the_previous_package() -> None:
    text = (
        b"cffi==1.17.1\n    # via cryptography\n"
        b"cryptography==43.0.1\n    # via requests-oauthlib\n"
        b"-e ./libs/signer\n    # via -r requirements.in\n"
    )
    result = parse_requirements("requirements.txt", text)
    assert [(p.name, p.direct) for p in result.packages] == [
        ("cffi", False),
        ("cryptography", None),
    ]
    assert result.edges == (("pkg:pypi/cryptography@43.0.1", "pkg:pypi/cffi@1.17.1"),)


def test_hand_written_requirements() -> None:
    result = parse_requirements("requirements-dev.txt", read("requirements-dev.txt"))
    assert result.includes == ("requirements.txt", "requirements/lint.txt", "constraints.txt")
    pkgs = by_name(result)
    assert all(p.direct is True and p.scope == "dev" for p in result.packages)
    assert pkgs["pytest"].version is None
    assert pkgs["pytest"].requirement == ">=8.3,<9"
    assert pkgs["pytest"].purl == "pkg:pypi/pytest"
    assert pkgs["pytest"].line == 8
    assert pkgs["pytest-cov"].version == "5.0.0"
    # extras and markers do not get in the way
    assert pkgs["pyjwt"].purl == "pkg:pypi/pyjwt@2.9.0"
    assert pkgs["pyjwt"].name == "PyJWT"
    assert pkgs["pyopenssl"].requirement == ">=24.2.1"
    # continuation lines with hashes: the line where the requirement starts
    assert pkgs["cryptography"].version == "43.0.1"
    assert pkgs["cryptography"].line == 12
    assert pkgs["zope.interface"].purl == "pkg:pypi/zope-interface@7.0.3"
    assert pkgs["requests"].requirement is None
    # -e VCS with #egg=, name @ url, a local wheel: named, versionless unless the file says
    assert pkgs["hsm_client"].purl == "pkg:pypi/hsm-client"
    assert pkgs["hsm_client"].requirement is not None
    assert pkgs["hsm_client"].requirement.startswith("git+https://git.bank.internal/")
    assert pkgs["oqs"].purl == "pkg:pypi/oqs"
    assert pkgs["pycryptodome"].purl == "pkg:pypi/pycryptodome@3.20.0"
    assert pkgs["pycryptodome"].line == 21
    assert len(result.packages) == 10
    # -e . / an unnamed VCS URL / an unknown option are warnings with their line
    assert len(result.warnings) == 3
    assert result.warnings[0].startswith("line 18:")
    assert result.warnings[1].startswith("line 19:")
    assert "--unknown-flag" in result.warnings[2]
    assert result.edges == ()


def test_constraints_file_does_not_claim_direct() -> None:
    result = parse_requirements("constraints.txt", read("constraints.txt"))
    assert [(p.name, p.requirement, p.direct) for p in result.packages] == [
        ("cryptography", "<44", None),
        ("urllib3", ">=2.2.2", None),
    ]


@pytest.mark.parametrize(
    ("name", "scope"),
    [
        ("requirements.txt", None),
        ("requirements-test.txt", "test"),
        ("dev-requirements.txt", "dev"),
        ("requirements/docs.txt", "docs"),
        ("requirements-prod.txt", None),
    ],
)
def test_requirements_scope_from_name(name: str, scope: str | None) -> None:
    result = parse_requirements(name, b"cryptography==43.0.1\n")
    assert result.packages[0].scope == scope


def test_requirements_comment_and_url_fragment() -> None:
    text = b"cryptography==43.0.1#not-a-comment\npyjwt==2.9.0 # a comment\n"
    result = parse_requirements("requirements.txt", text)
    # pip only treats "#" after whitespace as a comment: the first line is not a requirement
    assert [p.name for p in result.packages] == ["pyjwt"]
    assert result.warnings[0].startswith("line 1:")


def test_requirements_wildcard_pin_is_not_a_version() -> None:
    result = parse_requirements("requirements.txt", b"cryptography==43.*\n")
    assert result.packages[0].version is None
    assert result.packages[0].requirement == "==43.*"


def test_requirements_empty_and_comment_only() -> None:
    assert parse_requirements("requirements.txt", b"").packages == ()
    assert parse_requirements("requirements.txt", b"# nothing yet\n\n").packages == ()


def test_requirements_crlf_and_bom() -> None:
    result = parse_requirements("requirements.txt", b"\xef\xbb\xbfbcrypt==4.2.0\r\npynacl\r\n")
    assert [(p.name, p.line) for p in result.packages] == [("bcrypt", 1), ("pynacl", 2)]


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"cryptography==43.0.1\n\xff\xfe broken\n",
        b"<<<<<<< HEAD\n!!! ??? ***\n>>>>>>> branch\n",
        b'{"not": "requirements"}\n',
    ],
)
def test_requirements_garbage_raises(data: bytes) -> None:
    with pytest.raises(CodeParseError):
        parse_requirements("requirements.txt", data)


def test_requirements_invalid_utf8_names_the_line() -> None:
    with pytest.raises(CodeParseError, match="line 2"):
        parse_requirements("requirements.txt", b"bcrypt==4.2.0\npyn\xe4cl\n")


def test_requirements_warnings_are_bounded() -> None:
    text = b"cryptography==43.0.1\n" + b"--weird-option\n" * 500
    result = parse_requirements("requirements.txt", text)
    assert len(result.warnings) == MAX_WARNINGS + 1
    assert result.warnings[-1] == "450 more warnings not shown"


def test_requirements_large_file() -> None:
    text = b"".join(
        b"package%d==1.0.%d \\\n    --hash=sha256:%064d\n" % (i, i, i) for i in range(20000)
    )
    result = parse_requirements("requirements.txt", text)
    assert len(result.packages) == 20000
    assert result.packages[-1].line == 39999


# ---------------------------------------------------------------- pyproject.toml


def test_pyproject_pep621_and_pep735() -> None:
    result = parse_pyproject("pyproject.toml", read("pyproject-pep621.toml"))
    assert result.kind == "pyproject"
    assert result.project == "risk-analytics"
    got = {(p.name, p.scope): p for p in result.packages}
    crypto = got[("cryptography", "runtime")]
    assert (crypto.requirement, crypto.version, crypto.direct, crypto.line) == (
        ">=42,<44",
        None,
        True,
        11,
    )
    assert crypto.purl == "pkg:pypi/cryptography"
    assert got[("PyJWT", "runtime")].purl == "pkg:pypi/pyjwt"
    assert got[("pandas", "runtime")].version == "2.2.3"
    assert got[("paramiko", "runtime")].requirement == ">=3.4"
    assert got[("paramiko", "runtime")].line == 14
    assert got[("pywin32", "runtime")].requirement == ">=306"
    assert got[("liboqs-python", "optional")].line == 19
    assert got[("python-pkcs11", "optional")].line == 21
    assert got[("pytest", "test")].line == 25
    assert got[("ruff", "lint")].version == "0.6.9"
    assert got[("ipython", "dev")].line == 27
    assert got[("hatchling", "build")].line == 2
    assert ("hatch-vcs", "build") in got
    assert len(result.packages) == 13
    assert result.warnings == ()
    assert result.edges == ()


def test_pyproject_poetry_1() -> None:
    result = parse_pyproject("pyproject.toml", read("pyproject-poetry1.toml"))
    assert result.project == "payments-signer"
    got = {p.name: p for p in result.packages}
    assert "python" not in got
    assert got["cryptography"].requirement == "^42.0.5"
    assert got["cryptography"].scope == "runtime"
    assert got["cryptography"].line == 9
    # a bare Poetry version is an exact pin
    assert got["pyopenssl"].version == "24.1.0"
    assert got["pyopenssl"].purl == "pkg:pypi/pyopenssl@24.1.0"
    assert got["ruamel.yaml"].purl == "pkg:pypi/ruamel-yaml"
    assert got["ruamel.yaml"].line == 11
    assert got["pycryptodomex"].scope == "optional"
    assert got["hsm-client"].requirement == "git:https://git.bank.internal/risk/hsm-client.git"
    assert got["local-utils"].version is None
    assert got["paramiko"].requirement == "^3.4 || ^2.12"
    assert got["pytest"].scope == "dev"
    assert got["pytest"].line == 21
    assert got["sphinx"].scope == "docs"
    assert got["poetry-core"].scope == "build"
    assert all(p.direct is True for p in result.packages)


def test_pyproject_poetry_2_prefers_pep621_entries() -> None:
    result = parse_pyproject("pyproject.toml", read("pyproject-poetry2.toml"))
    assert result.project == "fx-quotes"
    got = {(p.name, p.scope): p for p in result.packages}
    assert got[("cryptography", "runtime")].requirement == ">=44.0.0,<45.0.0"
    assert got[("httpx", "runtime")].line == 8
    assert got[("pytest", "test")].requirement == "^8.3.4"
    assert got[("hypothesis", "test")].version == "6.122.1"
    assert len(result.packages) == 5


def test_pyproject_without_dependencies() -> None:
    result = parse_pyproject("pyproject.toml", b"[tool.black]\nline-length = 100\n")
    assert result.packages == ()
    assert result.project is None


def test_pyproject_bad_requirement_is_a_warning() -> None:
    text = (
        b'[project]\nname = "x"\ndependencies = ["cryptography>=42", "not a requirement!!", 3]\n'
        b"[tool.poetry.dependencies]\npynacl = 42\n"
    )
    result = parse_pyproject("pyproject.toml", text)
    assert [p.name for p in result.packages] == ["cryptography"]
    assert len(result.warnings) == 3
    assert "pynacl" in result.warnings[2]
    assert all("\n" not in w for w in result.warnings)


def test_poetry_dependency_without_a_name_is_a_warning() -> None:
    text = b'[tool.poetry.dependencies]\n"" = "1.0"\ncryptography = "^42"\n'
    result = parse_pyproject("pyproject.toml", text)
    assert [p.name for p in result.packages] == ["cryptography"]
    assert "without a name" in result.warnings[0]


@pytest.mark.parametrize(
    "data",
    [
        b'[project]\nname = "x"\ndependencies = [\n  "cryptography>=42",\n',
        b'[project]\ndependencies = "cryptography"\n',
        b"[project]\nname = 3\n",
        b'project = "x"\n',
        b"[tool.poetry]\ngroup = 1\n",
        b"\x00\x01\x02\x03",
        b"a = " + b"[" * 5000 + b"]" * 5000 + b"\n",
        b"a = " + b"{b = " * 3000 + b"1" + b"}" * 3000 + b"\n",
    ],
)
def test_pyproject_broken_raises(data: bytes) -> None:
    with pytest.raises(CodeParseError):
        parse_pyproject("pyproject.toml", data)


def test_pyproject_truncated_toml_message_has_line() -> None:
    with pytest.raises(CodeParseError, match="line 5"):
        parse_pyproject("pyproject.toml", b'[project]\nname = "x"\ndependencies = ["a",\n\n[x')


# ---------------------------------------------------------------- poetry.lock


def test_poetry_1_8_lock() -> None:
    result = parse_poetry_lock("poetry.lock", read("poetry-1.8.lock"))
    assert result.kind == "poetry-lock"
    pkgs = by_name(result)
    assert [p.purl for p in result.packages] == [
        "pkg:pypi/cffi@1.16.0",
        "pkg:pypi/cryptography@42.0.5",
        "pkg:pypi/pycparser@2.22",
        "pkg:pypi/pycryptodomex@3.20.0",
        "pkg:pypi/pytest@7.4.4",
        "pkg:pypi/iniconfig@2.0.0",
    ]
    assert all(p.direct is None for p in result.packages)
    assert pkgs["cryptography"].line == 18
    assert pkgs["iniconfig"].line == 69
    assert pkgs["pycryptodomex"].scope == "optional"
    assert pkgs["cffi"].scope is None
    # colorama is not locked (win32 only): no edge to it
    assert set(result.edges) == {
        ("pkg:pypi/cffi@1.16.0", "pkg:pypi/pycparser@2.22"),
        ("pkg:pypi/cryptography@42.0.5", "pkg:pypi/cffi@1.16.0"),
        ("pkg:pypi/pytest@7.4.4", "pkg:pypi/iniconfig@2.0.0"),
    }


def test_poetry_2_lock_groups() -> None:
    result = parse_poetry_lock("poetry.lock", read("poetry-2.lock"))
    pkgs = by_name(result)
    assert pkgs["cryptography"].scope == "runtime"
    assert pkgs["cryptography"].version == "44.0.0"
    assert pkgs["cryptography"].line == 4
    assert pkgs["hypothesis"].scope == "test"
    assert pkgs["sortedcontainers"].line == 70
    assert ("pkg:pypi/hypothesis@6.122.1", "pkg:pypi/attrs@24.3.0") in result.edges
    assert len(result.edges) == 4


def test_poetry_old_lock_category() -> None:
    result = parse_poetry_lock("poetry.lock", read("poetry-1.4-category.lock"))
    assert [(p.name, p.scope, p.line) for p in result.packages] == [
        ("pyjwt", "runtime", 2),
        ("mypy", "dev", 10),
    ]


def test_poetry_lock_inline_array_has_no_lines() -> None:
    text = b'package = [{name = "a", version = "1.0"}, {name = "b", version = "2.0"}]\n'
    result = parse_poetry_lock("poetry.lock", text)
    assert [(p.purl, p.line) for p in result.packages] == [
        ("pkg:pypi/a@1.0", None),
        ("pkg:pypi/b@2.0", None),
    ]


@pytest.mark.parametrize(
    "data",
    [
        b'[[package]]\nname = "cffi"\n',  # no version
        b'[[package]]\nversion = "1.0"\n',  # no name
        b'[[package]]\nname = "cffi"\nversion = 1.0\n',
        b'package = "cffi"\n',
        b'[[package]]\nname = "cffi"\nversion = "1.0"\ndependencies = ["pycparser"]\n',
        b'[[package]]\nname = "cffi"\nversion = "1.16.0"\ndescription = "Foreign Fun',
    ],
)
def test_poetry_lock_broken_raises(data: bytes) -> None:
    with pytest.raises(CodeParseError):
        parse_poetry_lock("poetry.lock", data)


# ---------------------------------------------------------------- Pipfile.lock


def test_pipfile_lock() -> None:
    result = parse_pipfile_lock("Pipfile.lock", read("Pipfile.lock"))
    assert result.kind == "pipfile-lock"
    assert [(p.purl, p.scope, p.direct, p.line) for p in result.packages] == [
        ("pkg:pypi/cryptography@43.0.1", "runtime", None, 19),
        ("pkg:pypi/hsm-client", "runtime", None, 27),
        ("pkg:pypi/pyopenssl@24.2.1", "runtime", None, 31),
        ("pkg:pypi/pytest@8.3.3", "dev", None, 40),
    ]
    assert result.edges == ()
    assert result.warnings == ("default.hsm-client: git source, version not locked",)


@pytest.mark.parametrize(
    "data",
    [
        b"[]",
        b'{"name": "not-a-lock"}',
        b'{"_meta": {}, "default": []}',
        b'{"_meta": {}, "default": {"cryptography": "==43.0.1"}}',
        b'{"_meta": {}, "default": {"cryptography": {"version": 43}}}',
        b'{"_meta": {}, "default": {"": {"version": "==1.0"}}}',
        b'{"_meta": {"hash": {"sha256": "7f0c',
        b"[" * 100000,
        b"",
    ],
)
def test_pipfile_lock_broken_raises(data: bytes) -> None:
    with pytest.raises(CodeParseError):
        parse_pipfile_lock("Pipfile.lock", data)


# ---------------------------------------------------------------- uv.lock


def test_uv_lock_direct_scopes_edges() -> None:
    result = parse_uv_lock("uv.lock", read("uv.lock"))
    assert result.kind == "uv-lock"
    assert result.project == "risk-analytics"
    pkgs = by_name(result)
    assert "risk-analytics" not in pkgs
    assert len(result.packages) == 9
    crypto = pkgs["cryptography"]
    assert (crypto.version, crypto.direct, crypto.scope, crypto.requirement, crypto.line) == (
        "44.0.0",
        True,
        "runtime",
        ">=42,<45",
        21,
    )
    assert pkgs["paramiko"].direct is True
    assert pkgs["liboqs-python"].scope == "optional"
    assert pkgs["liboqs-python"].direct is True
    assert pkgs["pytest"].scope == "dev"
    assert pkgs["pytest"].requirement == ">=8.3"
    for transitive in ("cffi", "pycparser", "bcrypt", "pynacl", "iniconfig"):
        assert pkgs[transitive].direct is False
        assert pkgs[transitive].scope is None
    edges = set(result.edges)
    assert {e for e in edges if e[0] == ""} == {
        ("", "pkg:pypi/cryptography@44.0.0"),
        ("", "pkg:pypi/paramiko@3.5.0"),
        ("", "pkg:pypi/liboqs-python@0.10.0"),
        ("", "pkg:pypi/pytest@8.3.4"),
    }
    assert ("pkg:pypi/paramiko@3.5.0", "pkg:pypi/pynacl@1.5.0") in edges
    assert ("pkg:pypi/cryptography@44.0.0", "pkg:pypi/cffi@1.17.1") in edges
    assert len(edges) == 11


@pytest.mark.parametrize("requires", ["5", '"x"', "[1, {name = 2}]", "{}"])
def test_uv_lock_odd_metadata_only_loses_requirements(requires: str) -> None:
    text = (
        'version = 1\n[[package]]\nname = "app"\nsource = { editable = "." }\n'
        'dependencies = [{ name = "cryptography" }]\n'
        f"[package.metadata]\nrequires-dist = {requires}\n"
        "[package.metadata.requires-dev]\ndev = 3\n"
        '[[package]]\nname = "cryptography"\nversion = "44.0.0"\n'
    ).encode()
    result = parse_uv_lock("uv.lock", text)
    assert [(p.purl, p.direct, p.requirement) for p in result.packages] == [
        ("pkg:pypi/cryptography@44.0.0", True, None)
    ]


def test_uv_lock_multiple_versions_resolve_by_version() -> None:
    result = parse_uv_lock("uv.lock", read("uv-multi-version.lock"))
    assert result.project == "app"
    assert [(p.purl, p.direct) for p in result.packages] == [
        ("pkg:pypi/numpy@2.0.2", True),
        ("pkg:pypi/numpy@2.2.1", True),
    ]
    assert set(result.edges) == {("", "pkg:pypi/numpy@2.0.2"), ("", "pkg:pypi/numpy@2.2.1")}


@pytest.mark.parametrize(
    "data",
    [
        b'[[package]]\nname = "a"\nversion = "1"\n',  # no lock version
        b'version = 1\n[[package]]\nversion = "1.0"\n',
        b'version = 1\n[[package]]\nname = "a"\ndependencies = ["b"]\n',
        b'version = 1\n[[package]]\nname = "a"\ndependencies = [{ version = "1" }]\n',
        b"version = 1\npackage = 5\n",
        b'version = 1\n[[package]]\nname = "a"\n[package.dev-dependencies]\ndev = 3\n',
        b'version = 1\n[[package]]\nname = "a"\nsource = { editable = "." }\n'
        b"[package.optional-dependencies]\nx = [1]\n",
    ],
)
def test_uv_lock_broken_raises(data: bytes) -> None:
    with pytest.raises(CodeParseError):
        parse_uv_lock("uv.lock", data)


# ---------------------------------------------------------------- pylock.toml


def test_pylock() -> None:
    result = parse_pylock("pylock.toml", read("pylock.toml"))
    assert result.kind == "pylock"
    assert [(p.purl, p.direct, p.line) for p in result.packages] == [
        ("pkg:pypi/cffi@1.17.1", None, 6),
        ("pkg:pypi/cryptography@44.0.0", None, 13),
        ("pkg:pypi/pycparser@2.22", None, 23),
        ("pkg:pypi/hsm-client", None, 31),
    ]
    assert set(result.edges) == {
        ("pkg:pypi/cffi@1.17.1", "pkg:pypi/pycparser@2.22"),
        ("pkg:pypi/cryptography@44.0.0", "pkg:pypi/cffi@1.17.1"),
    }


@pytest.mark.parametrize(
    "data",
    [
        b'[[packages]]\nname = "a"\n',  # no lock-version
        b'lock-version = "1.0"\n[[packages]]\nversion = "1"\n',
        b'lock-version = "1.0"\npackages = {name = "a"}\n',
        b'lock-version = "1.0"\n[[packages]\nname = "a"\n',
    ],
)
def test_pylock_broken_raises(data: bytes) -> None:
    with pytest.raises(CodeParseError):
        parse_pylock("pylock.toml", data)


# ---------------------------------------------------------------- all parsers

FIXTURES = {
    "requirements": [
        "requirements-compiled.txt",
        "requirements-dev.txt",
        "constraints.txt",
        "requirements-line-style.txt",
    ],
    "pyproject": ["pyproject-pep621.toml", "pyproject-poetry1.toml", "pyproject-poetry2.toml"],
    "poetry-lock": ["poetry-1.8.lock", "poetry-2.lock", "poetry-1.4-category.lock"],
    "pipfile-lock": ["Pipfile.lock"],
    "uv-lock": ["uv.lock"],
    "pylock": ["pylock.toml"],
}
NAMES = {
    "requirements": "requirements.txt",
    "pyproject": "pyproject.toml",
    "poetry-lock": "poetry.lock",
    "pipfile-lock": "Pipfile.lock",
    "uv-lock": "uv.lock",
    "pylock": "pylock.toml",
}


@pytest.mark.parametrize(("kind", "fixture"), [(k, f) for k, fs in FIXTURES.items() for f in fs])
def test_fixtures_give_valid_purls_and_known_edges(kind: str, fixture: str) -> None:
    assert parser(kind).matches(NAMES[kind], read(fixture)[:4096])
    result = parser(kind).parse(NAMES[kind], read(fixture))
    assert result.kind == kind
    assert result.packages
    purls = {p.purl for p in result.packages}
    for package in result.packages:
        parsed = PackageURL.from_string(package.purl)
        assert parsed.type == package.ecosystem == "pypi"
        assert parsed.name == parsed.name.lower()
        assert "_" not in parsed.name and "." not in parsed.name
        assert parsed.version == package.version
        assert package.line is None or package.line >= 1
    for source, target in result.edges:
        assert source == "" or source in purls
        assert target in purls


@pytest.mark.parametrize("kind", sorted(NAMES))
def test_empty_files(kind: str) -> None:
    try:
        result = parser(kind).parse(NAMES[kind], b"")
    except CodeParseError:
        return
    assert result.packages == ()


@pytest.mark.parametrize("kind", sorted(NAMES))
@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=300))
def test_random_bytes_never_crash(kind: str, data: bytes) -> None:
    with contextlib.suppress(CodeParseError):
        parser(kind).parse(NAMES[kind], data)


@pytest.mark.parametrize("kind", sorted(NAMES))
@settings(max_examples=40, deadline=None)
@given(cut=st.integers(min_value=0, max_value=10_000))
def test_truncated_fixtures_never_crash(kind: str, cut: int) -> None:
    data = read(FIXTURES[kind][0])
    with contextlib.suppress(CodeParseError):
        parser(kind).parse(NAMES[kind], data[: cut % (len(data) + 1)])


# ---------------------------------------------------------------- size and lines at scale


def test_pyproject_escaped_quotes_still_get_a_line() -> None:
    text = (
        b'[project]\nname = "x"\ndependencies = [\n'
        b'  "pywin32>=306; sys_platform == \\"win32\\"",\n]\n'
    )
    result = parse_pyproject("pyproject.toml", text)
    assert [(p.name, p.line) for p in result.packages] == [("pywin32", 4)]


def test_large_lockfiles_are_linear() -> None:
    count = 20_000
    doc = {
        "_meta": {"hash": {"sha256": "0" * 64}, "pipfile-spec": 6},
        "default": {
            f"pkg{i}": {"hashes": ["sha256:" + "0" * 64], "version": "==1.0"} for i in range(count)
        },
        "develop": {"pkg0": {"version": "==2.0"}},
    }
    text = json.dumps(doc, indent=4).encode()
    start = time.monotonic()
    result = parse_pipfile_lock("Pipfile.lock", text)
    assert len(result.packages) == count + 1
    lines = [p.line for p in result.packages]
    assert all(isinstance(n, int) for n in lines)
    assert lines[:count] == sorted(lines[:count])
    assert result.packages[-1].line is not None
    assert result.packages[-1].line > lines[count - 1]
    deps = "\n".join(f'"dep{i}>=1.{i}",' for i in range(count))
    pyproject = f'[project]\nname = "big"\ndependencies = [\n{deps}\n]\n'.encode()
    result = parse_pyproject("pyproject.toml", pyproject)
    assert result.packages[-1].line == count + 3
    assert time.monotonic() - start < 20  # a quadratic line search takes minutes here


# ---------------------------------------------------------------- structure fuzzing

_KEYS = [
    "name",
    "version",
    "package",
    "packages",
    "project",
    "dependencies",
    "optional-dependencies",
    "dev-dependencies",
    "dependency-groups",
    "tool",
    "poetry",
    "group",
    "source",
    "editable",
    "metadata",
    "requires-dist",
    "lock-version",
    "groups",
    "optional",
]


def _toml_value(value: object) -> str:
    """A JSON-like value as an inline TOML value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    assert isinstance(value, dict)
    return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"


_VALUES = st.recursive(
    st.booleans() | st.integers(-5, 5) | st.sampled_from(["", "x", ".", "1.0", "==1.0", "a>=1"]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(_KEYS), children, max_size=4)
    ),
    max_leaves=25,
)


@pytest.mark.parametrize("kind", ["pyproject", "poetry-lock", "uv-lock", "pylock"])
@settings(max_examples=150, deadline=None)
@given(doc=st.dictionaries(st.sampled_from(_KEYS), _VALUES, max_size=5))
def test_toml_structure_fuzz_never_crashes(kind: str, doc: dict[str, object]) -> None:
    text = "".join(f"{json.dumps(k)} = {_toml_value(v)}\n" for k, v in doc.items())
    with contextlib.suppress(CodeParseError):
        parser(kind).parse(NAMES[kind], text.encode())


@settings(max_examples=150, deadline=None)
@given(doc=st.dictionaries(st.sampled_from(["_meta", "default", "develop"]), _VALUES, max_size=3))
def test_pipfile_lock_structure_fuzz_never_crashes(doc: dict[str, object]) -> None:
    with contextlib.suppress(CodeParseError):
        parse_pipfile_lock("Pipfile.lock", json.dumps(doc).encode())
