"""``--shard K/N``: a stable split; N shards cover every unit exactly once."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pqcscan.collectors.planned import PlannedCollector
from pqcscan.collectors.tls.collector import TlsCollector, TlsOptions
from pqcscan.errors import UsageError
from pqcscan.scan import sharded
from pqcscan.targets.model import Endpoint
from pqcscan.targets.shard import Shard, unit_hash
from pqcscan.targets.specs import TargetPlan

octets = st.integers(min_value=0, max_value=255)
endpoints = st.builds(
    lambda a, b, port: Endpoint(f"10.{a}.{b}.1", port),
    octets,
    octets,
    st.integers(min_value=1, max_value=65535),
)


@given(st.sets(endpoints, max_size=300), st.integers(min_value=1, max_value=12))
def test_n_shards_cover_every_unit_exactly_once(units: set[Endpoint], count: int) -> None:
    keys = [u.locator for u in units]
    shards = [Shard(k, count) for k in range(1, count + 1)]
    for key in keys:
        assert sum(s.takes(key) for s in shards) == 1
    taken = [k for s in shards for k in keys if s.takes(k)]
    assert sorted(taken) == sorted(keys)


network_specs = st.lists(
    st.builds(
        lambda a, b, bits, ports: f"10.{a}.{b}.0/{bits}:{','.join(map(str, sorted(ports)))}",
        octets,
        octets,
        st.integers(min_value=28, max_value=32),
        st.sets(st.integers(min_value=1, max_value=65535), min_size=1, max_size=3),
    ),
    min_size=1,
    max_size=5,
)


@given(network_specs, st.integers(min_value=1, max_value=8))
def test_sharded_scans_of_a_target_plan_cover_it_exactly_once(specs: list[str], count: int) -> None:
    """The runner's own filter over a real plan: the shards' units, put together, are the
    plan's units (duplicates across specs included), each in one shard."""
    plan = TargetPlan(specs)
    collector = PlannedCollector(TlsCollector((), TlsOptions()), plan, {})
    everything = [collector.unit_key(u) for u in plan]
    parts = [
        [collector.unit_key(u) for u in sharded(collector, iter(plan), Shard(k, count))]
        for k in range(1, count + 1)
    ]
    assert sorted(k for part in parts for k in part) == sorted(everything)
    for a in range(count):
        for b in range(a + 1, count):
            assert not set(parts[a]) & set(parts[b])


@given(st.lists(st.text(min_size=1, max_size=40), min_size=1, max_size=50))
def test_the_split_does_not_depend_on_order(keys: list[str]) -> None:
    shard = Shard(2, 3)
    forward = {k for k in keys if shard.takes(k)}
    backward = {k for k in reversed(keys) if shard.takes(k)}
    assert forward == backward


def test_the_hash_is_sha256_and_not_salted_per_process() -> None:
    # SHA-256("127.0.0.1:443"), first 8 bytes, computed in another interpreter whose str
    # hashes are salted differently: the same shard everywhere.
    code = "from pqcscan.targets.shard import unit_hash;print(unit_hash('127.0.0.1:443'))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345", "PATH": ""},
    )
    assert int(out.stdout) == unit_hash("127.0.0.1:443")
    expected = int.from_bytes(hashlib.sha256(b"127.0.0.1:443").digest()[:8], "big")
    assert unit_hash("127.0.0.1:443") == expected


def test_a_plan_split_in_three_is_the_plan() -> None:
    plan = TargetPlan(["127.0.0.0/26"], default_ports=[443, 8443])
    keys = [e.locator for e in plan.endpoints()]
    parts = [[k for k in keys if Shard(i, 3).takes(k)] for i in (1, 2, 3)]
    assert sorted(k for part in parts for k in part) == sorted(keys)
    assert all(part for part in parts)  # 124 endpoints: no shard is empty


@pytest.mark.parametrize(
    ("text", "expected"), [("1/1", Shard(1, 1)), ("3/4", Shard(3, 4)), (" 2 / 5 ", Shard(2, 5))]
)
def test_parse(text: str, expected: Shard) -> None:
    assert Shard.parse(text) == expected
    assert str(expected) == f"{expected.index}/{expected.count}"


@pytest.mark.parametrize("text", ["0/3", "4/3", "1/0", "1", "a/b", "-1/2", "1/2/3", ""])
def test_malformed_shards_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError, match="--shard"):
        Shard.parse(text)
