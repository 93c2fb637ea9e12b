"""Hypothesis strategies that turn real seed inputs into hostile ones, and the fuzz budget.

A fuzz target draws a seed (a real certificate, keystore, lockfile, ServerHello...) and applies
a few mutations: bit flips, byte overwrites with boundary values, truncation, deletion,
insertion, repetition of a slice (huge counts), splicing with another seed, and corruption of
length fields (any 1, 2 or 4 bytes, and for DER the length of one TLV found by walking it).
Near-valid inputs reach far deeper into a parser than random bytes do.

The budget: each target names its CI example count; ``PQCSCAN_FUZZ_EXAMPLES=N`` runs every
target N times instead (``PQCSCAN_FUZZ_EXAMPLES=5000 .venv/bin/pytest tests/fuzz``), and the
``fuzz-long`` hypothesis profile (``--hypothesis-profile=fuzz-long``) does the same with
10,000.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

F = TypeVar("F", bound=Callable[..., Any])

LONG_EXAMPLES = 10_000
"""Examples per target under the ``fuzz-long`` profile."""

_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]


def examples(ci: int) -> int:
    """The example count of a target whose CI budget is ``ci``."""
    override = os.environ.get("PQCSCAN_FUZZ_EXAMPLES", "").strip()
    if override:
        return int(override)
    if settings().max_examples == LONG_EXAMPLES:  # the fuzz-long profile is loaded
        return LONG_EXAMPLES
    return ci


def fuzz(ci: int) -> Callable[[F], F]:
    """Settings for one fuzz target: ``ci`` examples in CI, no deadline (the machine is shared),
    no health check that only says the inputs are big or slow to build."""
    return settings(max_examples=examples(ci), deadline=None, suppress_health_check=_HEALTH)


BOUNDARY = (0x00, 0x01, 0x7F, 0x80, 0x81, 0x82, 0x83, 0x84, 0xFE, 0xFF)
"""Byte values that sit on the edges parsers test (DER long-form length bytes among them)."""

WIDE = (0, 1, 0x7F, 0x80, 0xFF, 0x100, 0x3FFF, 0x4000, 0xFFFF, 0xFFFFFF, 0x7FFFFFFF, 0xFFFFFFFF)
"""Values written over 1-, 2-, 3- or 4-byte length fields."""


def der_lengths(data: bytes, limit: int = 400) -> list[tuple[int, int]]:
    """``(offset, size)`` of the length field of every DER TLV reachable from the start,
    descending into constructed values and into OCTET/BIT STRINGs that hold DER."""
    found: list[tuple[int, int]] = []

    def walk(start: int, end: int, depth: int) -> None:
        p = start
        while p + 2 <= end and len(found) < limit and depth < 40:
            tag = data[p]
            if tag & 0x1F == 0x1F:
                return  # high tag numbers: not in the seeds
            first = data[p + 1]
            size = 1 if first < 0x80 else 1 + (first & 0x7F)
            if first == 0x80 or size > 5 or p + 1 + size > end:
                return
            length = first if first < 0x80 else int.from_bytes(data[p + 2 : p + 1 + size], "big")
            body = p + 1 + size
            if body + length > end:
                return
            found.append((p + 1, size))
            if tag & 0x20 or (tag == 0x04 and length >= 2 and data[body] == 0x30):
                walk(body, body + length, depth + 1)
            elif tag == 0x03 and length >= 3 and data[body + 1] == 0x30:
                walk(body + 1, body + length, depth + 1)
            p = body + length

    walk(0, len(data), 0)
    return found


def _encode_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


@st.composite
def _mutation(draw: st.DrawFn, data: bytes, seeds: Sequence[bytes]) -> bytes:
    n = len(data)
    pos = draw(st.integers(0, max(n, 1) * 4)) % (n + 1)
    op = draw(st.integers(0, 10))
    if op == 0 and n:  # flip one bit
        bit = draw(st.integers(0, 7))
        p = pos % n
        return data[:p] + bytes([data[p] ^ (1 << bit)]) + data[p + 1 :]
    if op == 1 and n:  # a boundary byte
        p = pos % n
        return data[:p] + bytes([draw(st.sampled_from(BOUNDARY))]) + data[p + 1 :]
    if op == 2:  # truncate
        return data[:pos]
    if op == 3 and n:  # delete a slice
        size = draw(st.integers(1, 64))
        return data[:pos] + data[pos + size :]
    if op == 4:  # insert bytes
        return data[:pos] + draw(st.binary(min_size=1, max_size=16)) + data[pos:]
    if op == 5 and n:  # repeat a slice many times (huge counts, long lines)
        size = draw(st.integers(1, 32))
        times = draw(st.sampled_from((2, 3, 17, 256, 4096)))
        piece = data[pos : pos + size]
        return data[:pos] + piece * times + data[pos:]
    if op == 6 and seeds:  # splice with another seed
        other = draw(st.sampled_from(seeds))
        cut = draw(st.integers(0, max(len(other), 1) * 4)) % (len(other) + 1)
        return data[:pos] + other[cut:]
    if op in (7, 8) and n:  # overwrite a 1-4 byte big-endian length field
        width = draw(st.sampled_from((1, 2, 3, 4)))
        value = draw(st.sampled_from(WIDE)) & ((1 << (8 * width)) - 1)
        p = pos % n
        return data[:p] + value.to_bytes(width, "big") + data[p + width :]
    if op == 9:  # one DER length, re-encoded to another value
        fields = der_lengths(data)
        if fields:
            offset, size = draw(st.sampled_from(fields))
            old = data[offset] if size == 1 else int.from_bytes(data[offset + 1 : offset + size])
            new = draw(
                st.sampled_from((0, 1, old - 1, old + 1, old * 2, 0x7F, 0x80, 0xFFFF, 0xFFFFFFFF))
            )
            return data[:offset] + _encode_length(max(new, 0)) + data[offset + size :]
    # op 10 (and fallbacks): replace a slice with random bytes
    return data[:pos] + draw(st.binary(max_size=8)) + data[pos + draw(st.integers(0, 8)) :]


@st.composite
def mutated(draw: st.DrawFn, seeds: Sequence[bytes], max_mutations: int = 4) -> bytes:
    """A seed drawn from ``seeds`` after 0 to ``max_mutations`` mutations."""
    data = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(0, max_mutations))):
        data = draw(_mutation(data, seeds))
    return data


def nested(open_: bytes, close: bytes, depth: int, inner: bytes = b"") -> bytes:
    """``depth`` levels of nesting (deep-nesting inputs for JSON, XML, YAML, DER...)."""
    return open_ * depth + inner + close * depth


def der_nested(depth: int) -> bytes:
    """``depth`` nested definite-length SEQUENCEs around an INTEGER."""
    out = b"\x02\x01\x00"
    for _ in range(depth):
        out = b"\x30" + _encode_length(len(out)) + out
    return out
