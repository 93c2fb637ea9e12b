"""Files a user hands pqcscan: CycloneDX SBOM/CBOM imports, business context (YAML/CSV),
declared hardware CSVs, risk profiles, target specs, port lists, scope files and nmap output.

The contract: each reader returns or raises its documented error (ContextError, RuleError,
UsageError: a message, never a traceback), and the importing collectors turn a bad file or
row into a recorded error.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from pqcscan.catalog.loader import read_rule_file
from pqcscan.collectors.cbom import collect_file
from pqcscan.collectors.declared import DeclaredCollector
from pqcscan.context.load import parse_context
from pqcscan.context.problems import ContextError
from pqcscan.errors import RuleError, UsageError
from pqcscan.results import CollectedItem
from pqcscan.risk.profile import load_profile, profile_from_document
from pqcscan.targets.ports import parse_ports
from pqcscan.targets.scope import read_scope_file
from pqcscan.targets.specs import parse_spec, read_target_file
from tests.fuzz.mutate import fuzz, mutated, nested
from tests.fuzz.seeds import DEPS_DATA, REPO, SAMPLES
from tests.unit.context.test_load import DATA_CLASSES_CSV, MAPPINGS_CSV, SERVICES_CSV


def _write(data: bytes, name: str) -> tuple[tempfile.TemporaryDirectory[str], Path]:
    folder = tempfile.TemporaryDirectory(prefix="pqcscan-fuzz-")
    path = Path(folder.name) / name
    path.write_bytes(data)
    return folder, path


# -- CycloneDX import --------------------------------------------------------------------------


@functools.cache
def bom_seeds() -> list[bytes]:
    paths = [
        *sorted((REPO / "tests/unit/exporters/data/cbom").iterdir()),
        DEPS_DATA / "sbom/bom.xml",
        DEPS_DATA / "sbom/risk-analytics.cdx.json",
        DEPS_DATA / "sbom/legacy-1.2.bom.json",
        SAMPLES / "repos/vendor-sboms/swift-alliance-access-7.7.cdx.json",
    ]
    return [p.read_bytes() for p in paths]


@fuzz(300)
@given(data=st.deferred(lambda: mutated(bom_seeds())), xml=st.booleans())
def test_cbom_import_records_failures(data: bytes, xml: bool) -> None:
    folder, path = _write(data, "bom.xml" if xml else "bom.json")
    with folder:
        item = collect_file(path)
    assert isinstance(item, CollectedItem)
    for error in item.errors:  # the importer's safety net is not how a bad BOM is reported
        assert not error.message.startswith("unexpected CycloneDX structure"), error


@fuzz(20)
@given(depth=st.sampled_from((100, 5000, 100_000)), xml=st.booleans())
def test_cbom_deep_nesting(depth: int, xml: bool) -> None:
    if xml:
        data = (
            b'<bom xmlns="http://cyclonedx.org/schema/bom/1.6">'
            + nested(b"<c>", b"</c>", depth)
            + b"</bom>"
        )
    else:
        data = b'{"bomFormat": "CycloneDX", "components": ' + nested(b"[", b"]", depth) + b"}"
    folder, path = _write(data, "bom.xml" if xml else "bom.json")
    with folder:
        item = collect_file(path)
    for error in item.errors:
        assert not error.message.startswith("unexpected CycloneDX structure"), error


# -- business context, declared hardware ---------------------------------------------------


@functools.cache
def context_seeds() -> list[tuple[str, bytes]]:
    return [
        ("context.yaml", (SAMPLES / "bank-context.yaml").read_bytes()),
        ("services.csv", SERVICES_CSV.encode()),
        ("classes.csv", DATA_CLASSES_CSV.encode()),
        ("mappings.csv", MAPPINGS_CSV.encode()),
    ]


@st.composite
def context_files(draw: st.DrawFn) -> tuple[str, str]:
    name, data = draw(st.sampled_from(context_seeds()))
    return name, draw(mutated([data])).decode("utf-8", "replace")


@fuzz(300)
@given(files=st.lists(context_files(), min_size=1, max_size=3))
def test_context_parses_or_raises_context_error(files: list[tuple[str, str]]) -> None:
    try:
        parse_context(files)
    except ContextError as exc:
        assert str(exc)


@fuzz(20)
@given(depth=st.sampled_from((100, 1000, 30_000)), block=st.booleans())
def test_context_deep_nesting(depth: int, block: bool) -> None:
    nesting = "- " * depth if block else "[" * depth + "]" * depth
    text = ("services:\n  a: " if block else "services: ") + nesting + "\n"
    with contextlib.suppress(ContextError):
        parse_context([("deep.yaml", text)])


@fuzz(150)
@given(data=st.deferred(lambda: mutated([(SAMPLES / "hardware.csv").read_bytes()])))
def test_declared_rows_are_items_or_recorded_errors(data: bytes) -> None:
    folder, path = _write(data, "hardware.csv")
    with folder:
        try:
            collector = DeclaredCollector.open(path)
        except ContextError:
            return
        items = [collector.collect_one(unit) for unit in collector.units()]
    assert all(isinstance(item, CollectedItem) for item in items)


# -- risk profiles ---------------------------------------------------------------------------


ODD: tuple[Any, ...] = (
    None,
    True,
    -1,
    0,
    2,
    1e308,
    float("nan"),
    "",
    "x",
    "default",
    [],
    {},
    [None],
    {"": None},
)


@functools.cache
def default_profile() -> Any:
    return read_rule_file("risk", "default.yaml")


@st.composite
def profile_documents(draw: st.DrawFn) -> Any:
    """The shipped default profile with a few values replaced by values of the wrong kind."""
    doc = copy.deepcopy(default_profile())
    for _ in range(draw(st.integers(1, 4))):
        node, key = doc, None
        for _ in range(draw(st.integers(0, 5))):
            children = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
            children = [(k, v) for k, v in children if isinstance(v, dict | list)] or children
            if not children or not isinstance(node, dict | list):
                break
            key, child = draw(st.sampled_from(children))
            if not isinstance(child, dict | list):
                break
            node = child
        if isinstance(node, dict) and node:
            key = draw(st.sampled_from(sorted(node, key=str)))
            node[key] = copy.deepcopy(draw(st.sampled_from(ODD)))
        elif isinstance(node, list) and node:
            node[draw(st.integers(0, len(node) - 1))] = copy.deepcopy(draw(st.sampled_from(ODD)))
    return doc


@fuzz(300)
@given(doc=profile_documents())
def test_profile_document_builds_or_raises_rule_error(doc: Any) -> None:
    try:
        profile_from_document(doc)
    except RuleError as exc:
        assert str(exc)


@fuzz(100)
@given(data=st.deferred(lambda: mutated([yaml.safe_dump(default_profile()).encode()])))
def test_profile_file_loads_or_raises_rule_error(data: bytes) -> None:
    folder, path = _write(data, "profile.yaml")
    with folder:
        try:
            load_profile(path)
        except RuleError as exc:
            assert str(exc)


# -- targets -------------------------------------------------------------------------------

SPECS = (
    "192.0.2.10", "192.0.2.10:443", "192.0.2.0/24", "192.0.2.1-20", "[2001:db8::1]:8443",
    "2001:db8::/64", "www.example.test", "www.example.test:443,8443", "host:1-1024",
    "10.0.0.0-10.0.1.255:22",
)  # fmt: skip
GREPABLE = (
    b"# Nmap 7.94 scan initiated as: nmap -oG - 192.0.2.0/24\n"
    b"Host: 192.0.2.10 (www.example.test)\tStatus: Up\n"
    b"Host: 192.0.2.10 (www.example.test)\tPorts: 443/open/tcp//https///, 22/open/tcp//ssh///\n"
    b"# Nmap done at Mon Jan  1 00:00:00 2026 -- 256 IP addresses (1 host up)\n"
)
XML = (
    b'<?xml version="1.0"?>\n<!DOCTYPE nmaprun>\n<nmaprun scanner="nmap" args="nmap -oX -">'
    b'<host><status state="up"/><address addr="192.0.2.10" addrtype="ipv4"/>'
    b'<ports><port protocol="tcp" portid="443"><state state="open"/></port>'
    b'<port protocol="tcp" portid="22"><state state="closed"/></port></ports></host>'
    b'<host><address addr="2001:db8::1" addrtype="ipv6"/><ports><port protocol="tcp" '
    b'portid="8443"><state state="open"/></port></ports></host></nmaprun>\n'
)


@fuzz(400)
@given(text=st.deferred(lambda: mutated([s.encode() for s in SPECS], max_mutations=3)))
def test_target_specs_parse_or_raise_usage_error(text: bytes) -> None:
    spec = text.decode("utf-8", "replace")
    for parse in (lambda: parse_spec(spec), lambda: parse_ports(spec, spec=spec)):
        try:
            parse()
        except UsageError as exc:
            assert str(exc)


@fuzz(200)
@given(
    data=st.deferred(
        lambda: mutated([GREPABLE, XML, "\n".join(SPECS).encode(), b"allow 192.0.2.0/24\n"])
    )
)
def test_target_scope_and_nmap_files_read_or_raise_usage_error(data: bytes) -> None:
    folder, path = _write(data, "targets.txt")
    with folder:
        for read in (lambda: list(read_target_file(path)), lambda: read_scope_file(path)):
            try:
                read()
            except UsageError as exc:
                assert str(exc)
