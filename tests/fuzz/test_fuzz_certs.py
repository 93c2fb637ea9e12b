"""Certificate and keystore parsers against mutated real files.

Seeds: every file of the demo tree (PEM and DER certificates, CSRs, PKCS#7, PKCS#8 and
encrypted keys, PKCS#12, JKS, JCEKS, OpenSSH keys and certificates, authorized_keys,
known_hosts, RFC 4716, ML-DSA / SLH-DSA / ML-KEM material). The contract:

- ``formats.parse`` returns a ParsedFile or raises ParseFailure, whatever the format it is
  told (sniffing can be fooled, so every parser meets every input);
- ``classify.build_item`` never raises on what ``parse`` returned;
- ``scan_data`` and the collector's ``collect_one`` on a file never raise, and a failure is
  a recorded error of a known kind, never the collector's "unexpected ..." catch-all (which
  is how a parser bug shows up in a scan).
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from pqcscan.collectors.certs import (
    HEAD_SIZE,
    CertificateCollector,
    CertScanOptions,
    scan_data,
)
from pqcscan.collectors.certs.classify import build_item
from pqcscan.collectors.certs.formats import ParseOptions, parse, sniff
from pqcscan.collectors.certs.parsed import ParsedFile, ParseFailure
from pqcscan.collectors.walker import FoundFile
from pqcscan.demo.tree import DEMO_PASSWORD
from pqcscan.results import CollectedItem
from tests.fuzz.mutate import der_nested, fuzz, mutated, nested
from tests.fuzz.seeds import demo_tree

FORMATS = ("jks", "pem", "der", "ssh-lines", "rfc4716", "unrecognised")
PASSWORDS = ((), (DEMO_PASSWORD,), ("wrong", DEMO_PASSWORD))


@functools.cache
def seeds() -> list[bytes]:
    return [data for name, data in demo_tree().items() if not name.endswith(("README.txt",))]


@functools.cache
def names() -> list[str]:
    return [Path(name).name for name in demo_tree()]


SEEDS = st.deferred(lambda: mutated(seeds()))
NAMES = st.deferred(lambda: st.sampled_from(names()))


def check_parse(data: bytes, fmt: str, passwords: tuple[str, ...], name: str) -> None:
    try:
        parsed = parse(data, fmt, ParseOptions(passwords=passwords), name)
    except ParseFailure as failure:
        assert failure.message
        return
    assert isinstance(parsed, ParsedFile)
    item = build_item(Path("/fuzz") / (name or "f"), len(data), parsed)
    assert isinstance(item, CollectedItem)


def assert_recorded(item: CollectedItem) -> None:
    """The item is a result or a recorded error, never a parser crash caught by the net."""
    assert isinstance(item, CollectedItem)
    for error in item.errors:
        assert not error.message.startswith("unexpected "), error


@fuzz(400)
@given(data=SEEDS, name=NAMES, passwords=st.sampled_from(PASSWORDS))
def test_sniffed_parse_returns_or_raises_parse_failure(
    data: bytes, name: str, passwords: tuple[str, ...]
) -> None:
    fmt = sniff(data[:HEAD_SIZE], name, len(data))
    if fmt is not None:
        check_parse(data, fmt, passwords, name)


@fuzz(300)
@given(data=SEEDS, fmt=st.sampled_from(FORMATS), name=NAMES)
def test_every_parser_meets_every_input(data: bytes, fmt: str, name: str) -> None:
    check_parse(data, fmt, (DEMO_PASSWORD,), name)


@fuzz(300)
@given(data=SEEDS, name=NAMES)
def test_scan_data_records_failures(data: bytes, name: str) -> None:
    item = scan_data(Path("/fuzz") / name, data, CertScanOptions((), passwords=(DEMO_PASSWORD,)))
    assert_recorded(item)


@fuzz(200)
@given(data=st.binary(max_size=2048), fmt=st.sampled_from(FORMATS))
def test_random_bytes(data: bytes, fmt: str) -> None:
    check_parse(data, fmt, (), "x.pem")


@fuzz(30)
@given(
    depth=st.integers(1, 5000),
    wrap=st.sampled_from(("der", "pem", "indefinite", "set")),
)
def test_deep_nesting(depth: int, wrap: str) -> None:
    if wrap == "indefinite":
        data = nested(b"\x30\x80", b"\x00\x00", depth)
    elif wrap == "set":
        data = nested(b"\x31\x80", b"\x00\x00", depth, b"\x05\x00")
    else:
        data = der_nested(depth)
    if wrap == "pem":
        import base64

        data = (
            b"-----BEGIN CERTIFICATE-----\n"
            + base64.encodebytes(data)
            + (b"-----END CERTIFICATE-----\n")
        )
    for fmt in ("der", "pem", "jks"):
        check_parse(data, fmt, (DEMO_PASSWORD,), "deep.der")


@fuzz(60)
@given(data=SEEDS, name=NAMES)
def test_collector_on_a_file_records_failures(data: bytes, name: str) -> None:
    collector = CertificateCollector(CertScanOptions((), passwords=(DEMO_PASSWORD,)))
    with tempfile.TemporaryDirectory(prefix="pqcscan-fuzz-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        item = collector.collect_one(FoundFile(path, len(data)))
    assert_recorded(item)
    assert item.locator == str(path)
