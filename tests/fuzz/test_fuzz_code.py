"""Lockfiles, manifests, SBOMs, configuration files and source code against mutated real files.

Seeds: the dependency fixtures of the unit tests (every ecosystem, lockfile version and SBOM
format), the configuration fixtures (nginx, Apache, HAProxy, OpenSSL, OpenSSH, java.security,
Spring) and the demo repositories. Each mutation keeps its seed's path, so the input reaches
the parser ``plan_for`` picks for that path, as in a scan. The contract: the parser returns or
raises CodeParseError; ``analyse`` and the collector's ``collect_one`` never raise.
"""

from __future__ import annotations

import functools
import json
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from pqcscan.collectors.certs import CertScanOptions
from pqcscan.collectors.code import config, source
from pqcscan.collectors.code.analyse import Limits, Pieces, analyse, plan_for
from pqcscan.collectors.code.collector import CodeCollector, CodeScanOptions
from pqcscan.collectors.code.model import CodeParseError
from pqcscan.collectors.walker import FoundFile
from pqcscan.results import CollectedItem
from tests.fuzz.mutate import fuzz, mutated, nested
from tests.fuzz.seeds import CONFIG_DATA, DEPS_DATA, SAMPLES, files_under

HEAD = 4096


#: Fixture names that stand for a version of a file with a fixed name: ``(prefix, name)``.
CANONICAL = (
    ("package-lock", "package-lock.json"),
    ("pnpm-lock", "pnpm-lock.yaml"),
    ("yarn", "yarn.lock"),
    ("Cargo-", "Cargo.lock"),
    ("poetry-", "poetry.lock"),
    ("pyproject-", "pyproject.toml"),
    ("uv-", "uv.lock"),
    ("pom-", "pom.xml"),
    ("sshd_config.", "sshd_config"),
)


def _scan_path(path: str) -> str:
    """The path a scan would meet: ``deps/javascript/pnpm-lock-v5.yaml`` becomes
    ``deps/javascript/pnpm-lock-v5/pnpm-lock.yaml``."""
    folder, _, name = path.rpartition("/")
    for prefix, canonical in CANONICAL:
        if name.startswith(prefix) and name != canonical:
            return f"{folder}/{name.rsplit('.', 1)[0]}/{canonical}"
    return path


@functools.cache
def named_seeds() -> list[tuple[str, bytes]]:
    """``(path, content)`` of every seed file that some parser reads."""
    found: dict[str, bytes] = {}
    for folder, prefix in ((DEPS_DATA, "deps"), (CONFIG_DATA, "etc"), (SAMPLES / "repos", "")):
        for rel, data in files_under(folder).items():
            path = _scan_path(f"{prefix}/{rel}" if prefix else rel)
            if plan_for(path.rsplit("/", 1)[-1], path, data[:HEAD], Limits()) is not None:
                found[path] = data
    return sorted(found.items())


@st.composite
def named_inputs(draw: st.DrawFn) -> tuple[str, bytes]:
    seeds = named_seeds()
    path, data = draw(st.sampled_from(seeds))
    same_kind = [d for p, d in seeds if p.rsplit("/", 1)[-1] == path.rsplit("/", 1)[-1]]
    return path, draw(mutated([data, *same_kind]))


def run_parser(path: str, data: bytes) -> None:
    """Call the parser a scan would call; only CodeParseError may come out."""
    name = path.rsplit("/", 1)[-1]
    plan = plan_for(name, path, data[:HEAD], Limits())
    if plan is None or plan.kind == "certs":
        return
    try:
        if plan.parser is not None:
            result: object = plan.parser.parse(name, data)
        elif plan.kind == "source":
            result = source.detect(plan.detail, name, data)
        else:
            result = config.parse_config(plan.detail, name, data)
    except CodeParseError as exc:
        assert str(exc)
        return
    assert result is not None


def run_analyse(path: str, data: bytes) -> CollectedItem:
    """What the collector does with one file's content; never raises."""
    name = path.rsplit("/", 1)[-1]
    plan = plan_for(name, path, data[:HEAD], Limits())
    pieces = Pieces()
    if plan is not None:
        analyse(plan, f"/fuzz/{path}", data, pieces, CertScanOptions(()))
    return pieces.item(f"/fuzz/{path}")


@fuzz(500)
@given(named=named_inputs())
def test_parsers_return_or_raise_code_parse_error(named: tuple[str, bytes]) -> None:
    run_parser(*named)


@fuzz(200)
@given(named=named_inputs())
def test_analyse_records_failures(named: tuple[str, bytes]) -> None:
    assert isinstance(run_analyse(*named), CollectedItem)


DEEP = {
    "package-lock.json": (b'{"lockfileVersion": 3, "packages": ', b"[", b"]", b"}"),
    "composer.lock": (b'{"packages": ', b"[", b"]", b"}"),
    "bom.json": (b'{"bomFormat": "CycloneDX", "components": ', b"[", b"]", b"}"),
    "pom.xml": (b"<project>", b"<a>", b"</a>", b"</project>"),
    "bom.xml": (b'<bom xmlns="http://cyclonedx.org/schema/bom/1.5">', b"<c>", b"</c>", b"</bom>"),
    "pnpm-lock.yaml": (b"lockfileVersion: '9.0'\npackages: ", b"[", b"]", b"\n"),
    "Cargo.lock": (b"version = 3\n[[package]]\nname = ", b"[", b"]", b"\n"),
    "uv.lock": (b"version = 1\n[[package]]\nname = ", b"[", b"]", b"\n"),
    "app.py": (b"x = ", b"(", b")", b"\n"),
    "App.java": (b"class A { int x = ", b"(", b")", b"; }"),
    "nginx.conf": (b"", b"http {", b"}", b"\n"),
    "application.yml": (b"server:\n  ssl: ", b"[", b"]", b"\n"),
}


@fuzz(30)
@given(name=st.sampled_from(sorted(DEEP)), depth=st.sampled_from((50, 500, 5000, 30_000)))
def test_deep_nesting(name: str, depth: int) -> None:
    head, open_, close, tail = DEEP[name]
    data = head + nested(open_, close, depth) + tail
    run_parser(name, data)
    assert isinstance(run_analyse(name, data), CollectedItem)


@fuzz(40)
@given(
    name=st.sampled_from(
        ("package-lock.json", "composer.lock", "Pipfile.lock", "bom.json", "packages.lock.json")
    ),
    count=st.sampled_from((0, 1, 1000, 20_000)),
    value=st.sampled_from((None, 1, "x", [], {}, {"version": None}, {"name": 1})),
)
def test_json_shapes(name: str, count: int, value: object) -> None:
    """Huge counts and wrong types where the lockfiles hold objects."""
    docs = [
        {"lockfileVersion": 3, "packages": {f"node_modules/p{i}": value for i in range(count)}},
        {"packages": [value] * count},
        {"default": {f"p{i}": value for i in range(count)}},
        {"bomFormat": "CycloneDX", "components": [value] * count},
        {"version": 1, "dependencies": {"net8.0": {f"P{i}": value for i in range(count)}}},
        value,
    ]
    for doc in docs:
        data = json.dumps(doc).encode()
        run_parser(name, data)


@fuzz(40)
@given(named=named_inputs())
def test_collector_on_a_file_records_failures(named: tuple[str, bytes]) -> None:
    path, data = named
    with tempfile.TemporaryDirectory(prefix="pqcscan-fuzz-") as folder:
        root = Path(folder)
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        item = CodeCollector(CodeScanOptions((root,))).collect_one(FoundFile(target, len(data)))
    assert isinstance(item, CollectedItem)
    assert item.locator == str(target)
