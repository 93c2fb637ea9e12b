"""Scope: allow/exclude membership, interval arithmetic, scope files, and how a plan reports
targets outside the scope."""

from __future__ import annotations

import ipaddress
from itertools import islice
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pqcscan.errors import UsageError
from pqcscan.results import ErrorKind
from pqcscan.targets.addresses import AddressRange
from pqcscan.targets.model import Endpoint
from pqcscan.targets.scope import IntervalSet, Scope, Verdict, read_scope_file
from pqcscan.targets.specs import NotContacted, TargetPlan


def _r(text: str) -> AddressRange:
    net = ipaddress.ip_network(text)
    return AddressRange(net.version, int(net.network_address), int(net.broadcast_address))


def test_without_allow_everything_but_the_exclusions_is_in_scope() -> None:
    scope = Scope.build(exclude=["10.0.5.0/24", "2001:db8::/32"])
    assert scope.contains("10.0.4.255")
    assert not scope.contains("10.0.5.7")
    assert scope.contains("192.0.2.1")
    assert not scope.contains("2001:db8::1")
    assert scope.contains("::1")
    assert Scope().contains("203.0.113.9")


def test_allow_restricts_and_exclude_wins() -> None:
    scope = Scope.build(allow=["10.1.0.0/16", "fd00::/120"], exclude=["10.1.2.0/24"])
    assert scope.contains("10.1.0.1") and scope.contains("fd00::ff")
    assert not scope.contains("10.2.0.1")
    assert not scope.contains("10.1.2.3")
    assert not scope.contains("fd00::100")
    assert Scope.build(allow=["10.0.0.0/8"]).contains("10.255.255.255")
    # an IPv4-only allow list puts IPv6 out of scope
    assert not Scope.build(allow=["10.0.0.0/8"]).contains("::1")


def test_verdicts_and_in_scope_parts() -> None:
    scope = Scope.build(allow=["10.1.0.0/16"], exclude=["10.1.2.0/24", "10.1.4.0/24"])
    assert scope.verdict(_r("10.9.0.0/16")) is Verdict.OUTSIDE
    assert scope.verdict(_r("10.1.2.0/25")) is Verdict.EXCLUDED
    assert scope.verdict(_r("10.1.3.0/24")) is Verdict.INSIDE
    assert scope.verdict(_r("10.0.0.0/8")) is Verdict.PARTIAL
    parts = [str(p) for p in scope.parts(_r("10.1.0.0/21"))]
    assert parts == ["10.1.0.0-10.1.1.255", "10.1.3.0-10.1.3.255", "10.1.5.0-10.1.7.255"]
    assert scope.in_scope_size(_r("10.0.0.0/8")) == 2**16 - 2 * 256


def test_a_slash_64_with_a_small_allowed_part_is_cut_by_intervals_not_by_addresses() -> None:
    scope = Scope.build(allow=["fd00::/120"])
    plan = TargetPlan(["[fd00::/64]:443"], scope=scope)
    assert plan.stats.planned == 256
    endpoints = list(plan)  # would never end if each of the 2**64 addresses were checked
    assert len(endpoints) == 256
    assert plan.stats.skipped == 2**64 - 256


def test_out_of_scope_spec_is_a_usage_error_naming_it() -> None:
    scope = Scope.build(allow=["10.1.0.0/16"])
    with pytest.raises(UsageError) as caught:
        TargetPlan(["10.1.0.0/24", "10.9.0.0/16"], default_ports=[443], scope=scope)
    assert str(caught.value) == ("10.9.0.0/16 is outside the allowed scope (--allow 10.1.0.0/16)")


def test_out_of_scope_line_of_a_file_names_file_and_line(tmp_path: Path) -> None:
    listing = tmp_path / "t.txt"
    listing.write_text("10.1.0.5\n192.0.2.1:443\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"t\.txt:2: 192\.0\.2\.1:443 is outside the allowed"):
        TargetPlan([f"@{listing}"], default_ports=[443], scope=Scope.build(allow=["10.1.0.0/16"]))


def test_excluded_argument_is_refused_but_excluded_file_line_is_skipped(tmp_path: Path) -> None:
    scope = Scope.build(exclude=["10.0.0.5"])
    with pytest.raises(UsageError, match=r"10\.0\.0\.5 is excluded \(--exclude 10\.0\.0\.5\)"):
        TargetPlan(["10.0.0.5"], default_ports=[443], scope=scope)
    listing = tmp_path / "t.txt"
    listing.write_text("10.0.0.4\n10.0.0.5\n10.0.0.6\n", encoding="utf-8")
    plan = TargetPlan([f"@{listing}"], default_ports=[443], scope=scope)
    assert [e.address for e in plan.endpoints()] == ["10.0.0.4", "10.0.0.6"]
    assert plan.stats.skipped == 1


def test_partly_allowed_range_is_cut_silently_with_a_count() -> None:
    scope = Scope.build(allow=["10.0.0.0/29"], exclude=["10.0.0.3"])
    plan = TargetPlan(["10.0.0.0/28"], default_ports=[443, 8443], scope=scope)
    targets = list(plan)
    assert all(isinstance(t, Endpoint) for t in targets)
    assert sorted({t.address for t in targets if isinstance(t, Endpoint)}) == [
        "10.0.0.1",
        "10.0.0.2",
        "10.0.0.4",
        "10.0.0.5",
        "10.0.0.6",
        "10.0.0.7",
    ]
    assert plan.stats.skipped == (14 - 6) * 2
    assert plan.stats.planned == 6 * 2


def test_hostname_resolving_out_of_scope_is_an_out_of_scope_item() -> None:
    scope = Scope.build(allow=["10.1.0.0/16"])
    plan = TargetPlan(
        ["db.example:5432"],
        scope=scope,
        resolver=lambda name: ("10.1.0.7", "10.9.9.9"),
    )
    inside, outside = list(plan)
    assert inside == Endpoint("10.1.0.7", 5432, "db.example")
    assert isinstance(outside, NotContacted)
    assert outside.kind is ErrorKind.OUT_OF_SCOPE
    assert outside.endpoint == Endpoint("10.9.9.9", 5432, "db.example")
    assert outside.message == (
        "db.example resolves to 10.9.9.9, outside the allowed scope (--allow 10.1.0.0/16); "
        "not contacted"
    )
    assert outside.item().errors[0].kind is ErrorKind.OUT_OF_SCOPE
    assert list(plan.endpoints()) == [inside]


def test_localhost_excluded_is_never_yielded() -> None:
    plan = TargetPlan(["localhost:443"], scope=Scope.build(exclude=["127.0.0.0/8", "::1"]))
    targets = list(plan)
    assert targets and all(isinstance(t, NotContacted) for t in targets)
    assert all("excluded (--exclude" in t.message for t in targets if isinstance(t, NotContacted))


def test_scope_file(tmp_path: Path) -> None:
    path = tmp_path / "scope.txt"
    path.write_text(
        "# the lab\nallow 10.1.0.0/16\ndeny 10.1.2.0/24   # printers\n"
        "exclude 10.1.3.1-10.1.3.9\n10.2.0.0/16\n\n",
        encoding="utf-8",
    )
    rules = read_scope_file(path)
    assert [(r.allow, r.text) for r in rules] == [
        (True, "10.1.0.0/16"),
        (False, "10.1.2.0/24"),
        (False, "10.1.3.1-10.1.3.9"),
        (True, "10.2.0.0/16"),
    ]
    scope = Scope.build(files=[path])
    assert scope.contains("10.2.9.9") and not scope.contains("10.1.3.5")
    assert scope.describe_allow() == f"allow 10.1.0.0/16 in {path}:2, allow 10.2.0.0/16 in {path}:5"


@pytest.mark.parametrize(
    ("content", "phrase"),
    [
        ("allow\n", "expected 'allow NET'"),
        ("permit 10.0.0.0/8\n", "expected 'allow NET'"),
        ("allow 10.0.0.0/33\n", "at most /32"),
        ("allow example.org\n", "takes no hostnames"),
    ],
)
def test_bad_scope_file_lines(tmp_path: Path, content: str, phrase: str) -> None:
    path = tmp_path / "scope.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UsageError, match=rf"scope\.txt:1: .*{phrase}"):
        Scope.build(files=[path])


def test_bad_scope_options_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"--allow: invalid IP address '10\.0\.0\.300'"):
        Scope.build(allow=["10.0.0.300"])
    with pytest.raises(UsageError, match="cannot read scope file"):
        Scope.build(files=[tmp_path / "nope.txt"])


def test_many_networks_membership() -> None:
    allow = [f"10.{a}.{b}.0/24" for a in range(0, 200) for b in range(0, 256, 2)]
    scope = Scope.build(allow=allow)
    assert scope.contains("10.7.4.9") and not scope.contains("10.7.5.9")
    assert next(islice(scope.parts(_r("10.0.0.0/8")), 3, None)) == _r("10.0.6.0/24")


intervals = st.lists(
    st.tuples(st.integers(0, 300), st.integers(0, 40)).map(lambda t: (t[0], t[0] + t[1])),
    max_size=12,
)


@given(intervals, st.integers(0, 350), st.integers(0, 60))
def test_interval_set_matches_a_plain_set(
    spans: list[tuple[int, int]], first: int, length: int
) -> None:
    members = {v for a, b in spans for v in range(a, b + 1)}
    found = IntervalSet(spans)
    last = first + length
    for v in range(first, last + 1):
        assert found.contains(v) == (v in members)
    inside = {v for a, b in found.intersect(first, last) for v in range(a, b + 1)}
    outside = {v for a, b in found.subtract(first, last) for v in range(a, b + 1)}
    window = set(range(first, last + 1))
    assert inside == window & members
    assert outside == window - members
