"""Target specs: the parse table (good and bad), target files, streaming, resolution."""

from __future__ import annotations

import ipaddress
import sys
import tracemalloc
from itertools import islice
from pathlib import Path

import pytest

from pqcscan.errors import UsageError
from pqcscan.results import ErrorKind
from pqcscan.targets.addresses import AddressRange
from pqcscan.targets.model import Endpoint
from pqcscan.targets.ports import DEFAULT_SSH_PORTS, DEFAULT_TLS_PORTS, parse_ports
from pqcscan.targets.specs import (
    NotContacted,
    ResolveError,
    SpecKind,
    TargetPlan,
    iter_specs,
    parse_spec,
    read_target_file,
    resolve,
)


def _range(first: str, last: str) -> AddressRange:
    a, b = ipaddress.ip_address(first), ipaddress.ip_address(last)
    return AddressRange(a.version, int(a), int(b))


GOOD = [
    # text, kind, first, last, hostname, ports
    ("192.0.2.7", SpecKind.ADDRESS, "192.0.2.7", "192.0.2.7", None, None),
    ("::1", SpecKind.ADDRESS, "::1", "::1", None, None),
    ("2001:db8::1", SpecKind.ADDRESS, "2001:db8::1", "2001:db8::1", None, None),
    ("[2001:db8::1]:443", SpecKind.ADDRESS, "2001:db8::1", "2001:db8::1", None, (443,)),
    ("[2001:db8::1]", SpecKind.ADDRESS, "2001:db8::1", "2001:db8::1", None, None),
    ("192.0.2.7:443", SpecKind.ADDRESS, "192.0.2.7", "192.0.2.7", None, (443,)),
    # network and broadcast skipped for /30 and shorter, kept for /31 and /32
    ("10.0.0.0/16", SpecKind.NETWORK, "10.0.0.1", "10.0.255.254", None, None),
    ("10.0.0.0/30", SpecKind.NETWORK, "10.0.0.1", "10.0.0.2", None, None),
    ("10.0.0.0/31", SpecKind.NETWORK, "10.0.0.0", "10.0.0.1", None, None),
    ("10.0.0.9/32", SpecKind.NETWORK, "10.0.0.9", "10.0.0.9", None, None),
    ("10.1.2.3/24", SpecKind.NETWORK, "10.1.2.1", "10.1.2.254", None, None),  # host bits set
    ("10.0.0.0/24:22", SpecKind.NETWORK, "10.0.0.1", "10.0.0.254", None, (22,)),
    ("fd00::/120", SpecKind.NETWORK, "fd00::", "fd00::ff", None, None),
    ("[fd00::/120]:443,8443", SpecKind.NETWORK, "fd00::", "fd00::ff", None, (443, 8443)),
    ("10.0.0.1-20", SpecKind.RANGE, "10.0.0.1", "10.0.0.20", None, None),
    ("10.0.0.0-255", SpecKind.RANGE, "10.0.0.0", "10.0.0.255", None, None),  # all kept
    ("10.0.0.250-10.0.1.5", SpecKind.RANGE, "10.0.0.250", "10.0.1.5", None, None),
    ("10.0.0.1-20:443", SpecKind.RANGE, "10.0.0.1", "10.0.0.20", None, (443,)),
    ("fd00::1-fd00::ff", SpecKind.RANGE, "fd00::1", "fd00::ff", None, None),
    ("example.org", SpecKind.HOSTNAME, None, None, "example.org", None),
    ("example.org.", SpecKind.HOSTNAME, None, None, "example.org.", None),
    ("my-host_1.example", SpecKind.HOSTNAME, None, None, "my-host_1.example", None),
    ("localhost:443", SpecKind.HOSTNAME, None, None, "localhost", (443,)),
    ("mail.example:25,587,465", SpecKind.HOSTNAME, None, None, "mail.example", (25, 587, 465)),
    (
        "h.example:443,443,8000-8002",
        SpecKind.HOSTNAME,
        None,
        None,
        "h.example",
        (443, 8000, 8001, 8002),
    ),
    ("bücher.example", SpecKind.HOSTNAME, None, None, "xn--bcher-kva.example", None),
]


@pytest.mark.parametrize(("text", "kind", "first", "last", "hostname", "ports"), GOOD)
def test_good_specs(
    text: str,
    kind: SpecKind,
    first: str | None,
    last: str | None,
    hostname: str | None,
    ports: tuple[int, ...] | None,
) -> None:
    spec = parse_spec(text)
    assert spec.kind is kind
    assert spec.hostname == hostname
    assert spec.ports == ports
    if first is None:
        assert spec.addresses is None
    else:
        assert last is not None
        assert spec.addresses == _range(first, last)


BAD = [
    # text, a phrase the message must hold (the spec itself is always named)
    ("10.0.0.0/33", "at most /32"),
    ("fd00::/129", "at most /128"),
    ("10.0.0.0/x", "ADDRESS/PREFIX"),
    ("300.1.1.1", "invalid IP address"),
    ("1.2.3.256", "invalid IP address"),
    ("10.0.0.1-z", "invalid address range"),
    ("10.0.0.1-10.0.0.z", "invalid address range"),
    ("10.0.0.9-3", "invalid address range"),
    ("10.0.0.1-300", "invalid address range"),
    ("10.0.0.9-10.0.0.1", "before the start"),
    ("10.0.0.1-fd00::1", "mixes IPv4 and IPv6"),
    ("host:99999", "ports are 1-65535"),
    ("host:0", "ports are 1-65535"),
    ("host:", "empty entry"),
    ("host:443,", "empty entry"),
    ("host:https", "not a port or a range"),
    ("host:9000-8000", "9000 > 8000"),
    ("[2001:db8::1]:70000", "ports are 1-65535"),
    ("[host.example]:443", "brackets are for IPv6"),
    ("fe80::1%eth0", "scope IDs"),
    ("a..b", "not a hostname"),
    ("-bad.example", "not a hostname"),
    ("bad-.example", "not a hostname"),
    ("under score!", "not a hostname"),
    ("x" * 64 + ".example", "not a hostname"),
    ("1.2.3", "not a hostname"),
    ("example.org/24", "ADDRESS/PREFIX"),
    ("   ", "empty target"),
]


@pytest.mark.parametrize(("text", "phrase"), BAD)
def test_bad_specs_name_the_spec(text: str, phrase: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_spec(text)
    message = str(caught.value)
    assert phrase in message
    assert text.strip() in message


def test_ports_lists_and_defaults() -> None:
    assert parse_ports("443,8443,8000-8002,443") == (443, 8443, 8000, 8001, 8002)
    assert parse_ports("1-3") == (1, 2, 3)
    assert len(parse_ports("1-65535")) == 65535
    assert 443 in DEFAULT_TLS_PORTS and 3389 not in DEFAULT_TLS_PORTS
    assert DEFAULT_SSH_PORTS == (22,)
    assert len(set(DEFAULT_TLS_PORTS)) == len(DEFAULT_TLS_PORTS)


def test_a_spec_port_overrides_the_defaults() -> None:
    plan = TargetPlan(["192.0.2.1", "192.0.2.2:8443"], default_ports=[443, 993])
    assert [(e.address, e.port) for e in plan.endpoints()] == [
        ("192.0.2.1", 443),
        ("192.0.2.1", 993),
        ("192.0.2.2", 8443),
    ]


def test_no_port_and_no_default_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="names no port"):
        TargetPlan(["192.0.2.1"])
    assert list(TargetPlan(["192.0.2.1:22"])) == [Endpoint("192.0.2.1", 22)]


def test_no_targets_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="no targets"):
        TargetPlan([], default_ports=[443])


def test_target_file_lines_comments_and_at_file(tmp_path: Path) -> None:
    listing = tmp_path / "targets.txt"
    listing.write_text(
        "# inventory of the lab\n"
        "\n"
        "192.0.2.1   # the gateway\n"
        "192.0.2.8-9:8443  [2001:db8::5]:443\n"
        "   \n",
        encoding="utf-8",
    )
    plan = TargetPlan([f"@{listing}"], default_ports=[443])
    assert [e.locator for e in plan] == [
        "192.0.2.1:443",
        "192.0.2.8:8443",
        "192.0.2.9:8443",
        "[2001:db8::5]:443",
    ]
    same = TargetPlan([], files=[listing], default_ports=[443])
    assert list(same) == list(plan)
    origins = [s.origin for s in read_target_file(listing)]
    assert origins == [f"{listing}:3", f"{listing}:4", f"{listing}:4"]


def test_bad_line_in_a_target_file_names_file_and_line(tmp_path: Path) -> None:
    listing = tmp_path / "targets.txt"
    listing.write_text("192.0.2.1\n# fine\n10.0.0.0/33\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"targets\.txt:3: invalid network '10\.0\.0\.0/33'"):
        TargetPlan([f"@{listing}"], default_ports=[443])


def test_unreadable_and_missing_target_files(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"cannot read target file .*missing\.txt"):
        TargetPlan([f"@{tmp_path / 'missing.txt'}"], default_ports=[443])
    with pytest.raises(UsageError, match="cannot read target file"):
        TargetPlan([], files=[tmp_path], default_ports=[443])  # a folder
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"192.0.2.1\n\xff\xfe\x00garbage\n")
    with pytest.raises(UsageError, match="not UTF-8"):
        TargetPlan([f"@{binary}"], default_ports=[443])


def test_nested_target_files_are_refused(tmp_path: Path) -> None:
    listing = tmp_path / "outer.txt"
    listing.write_text("@inner.txt\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"outer\.txt:1: nested target files"):
        list(iter_specs([f"@{listing}"]))


def test_validation_happens_before_streaming(tmp_path: Path) -> None:
    """A bad spec anywhere stops the plan before any endpoint is produced."""
    with pytest.raises(UsageError, match=r"300\.1\.1\.1"):
        TargetPlan(["192.0.2.0/24", "300.1.1.1"], default_ports=[443])


def test_streaming_a_slash_8_and_an_ipv6_slash_64_stays_small() -> None:
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        plan = TargetPlan(["10.0.0.0/8", "[fd00::/64]:443"], default_ports=[443, 8443])
        assert plan.stats.planned == (2**24 - 2) * 2 + 2**64
        stream = iter(plan)
        head = list(islice(stream, 6))
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 256 * 1024  # a materialised /8 would be gigabytes
    assert [e.locator for e in head] == [
        "10.0.0.1:443",
        "10.0.0.1:8443",
        "10.0.0.2:443",
        "10.0.0.2:8443",
        "10.0.0.3:443",
        "10.0.0.3:8443",
    ]
    assert sys.getsizeof(stream) < 1024
    v6 = iter(TargetPlan(["[fd00::/64]:443"]))
    assert [e.address for e in islice(v6, 3) if isinstance(e, Endpoint)] == [
        "fd00::",
        "fd00::1",
        "fd00::2",
    ]


def test_hostnames_resolve_to_every_address_with_sni() -> None:
    calls: list[str] = []

    def resolver(name: str) -> tuple[str, ...]:
        calls.append(name)
        return ("192.0.2.10", "2001:db8::10")

    plan = TargetPlan(["www.example:443"], resolver=resolver)
    assert calls == []  # names resolve while streaming, not while validating
    endpoints = list(plan)
    assert endpoints == [
        Endpoint("192.0.2.10", 443, "www.example"),
        Endpoint("2001:db8::10", 443, "www.example"),
    ]
    assert all(isinstance(e, Endpoint) and e.sni == "www.example" for e in endpoints)


def test_unresolvable_names_are_per_target_errors() -> None:
    def resolver(name: str) -> tuple[str, ...]:
        raise ResolveError("Name or service not known")

    plan = TargetPlan(["nowhere.example", "192.0.2.1"], default_ports=[443, 993], resolver=resolver)
    targets = list(plan)
    errors = [t for t in targets if isinstance(t, NotContacted)]
    assert [e.locator for e in errors] == ["nowhere.example:443", "nowhere.example:993"]
    assert all("nowhere.example does not resolve" in e.message for e in errors)
    expected = {k.value: k for k in ErrorKind}.get("unresolved", ErrorKind.UNREADABLE)
    assert errors[0].kind is expected
    item = errors[0].item()
    assert item.locator == "nowhere.example:443" and item.errors[0].kind is errors[0].kind
    assert [t for t in targets if isinstance(t, Endpoint)] == [
        Endpoint("192.0.2.1", 443),
        Endpoint("192.0.2.1", 993),
    ]
    assert plan.stats.not_contacted == 2 and plan.stats.yielded == 2


def test_localhost_resolves_for_real() -> None:
    addresses = resolve("localhost")
    assert "127.0.0.1" in addresses or "::1" in addresses
    endpoints = list(TargetPlan(["localhost:8443"]).endpoints())
    assert endpoints and all(e.hostname == "localhost" for e in endpoints)


def test_the_plan_can_be_streamed_twice(tmp_path: Path) -> None:
    listing = tmp_path / "t.txt"
    listing.write_text("192.0.2.1-3\n", encoding="utf-8")
    plan = TargetPlan([f"@{listing}"], default_ports=[443])
    assert list(plan) == list(plan)
    assert plan.stats.yielded == 3
