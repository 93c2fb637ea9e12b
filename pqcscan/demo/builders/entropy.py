"""Where fixture randomness comes from: the operating system, or one seeded stream.

By default every fixture key, salt and serial is fresh from the OS. Inside
``with deterministic(seed):`` everything the builders would draw at random comes from a
SHAKE-256 stream of ``seed``, the label of the draw and a counter instead, so the same
sequence of builder calls produces the same keys, certificates and files byte for byte
(``scripts/make_sample_inventory.py`` relies on it). The stream is process-wide, not per
thread: the lab builds its chains from a helper thread.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class SeededStream:
    """A deterministic source of bytes: each draw is SHAKE-256(seed, counter, label)."""

    def __init__(self, seed: bytes) -> None:
        self.seed = seed
        self.draws = 0
        self._lock = threading.Lock()

    def take(self, label: str, n: int) -> bytes:
        with self._lock:
            self.draws += 1
            counter = self.draws
        message = b"\x00".join((self.seed, str(counter).encode(), label.encode()))
        return hashlib.shake_256(message).digest(n)


_stream: SeededStream | None = None


@contextmanager
def deterministic(seed: bytes) -> Iterator[SeededStream]:
    """Draw every fixture random value from a stream of ``seed`` inside the block."""
    global _stream
    previous, _stream = _stream, SeededStream(seed)
    try:
        yield _stream
    finally:
        _stream = previous


def seeded() -> bool:
    """True inside :func:`deterministic`."""
    return _stream is not None


def current_stream() -> SeededStream | None:
    """The active stream (None outside :func:`deterministic`): part of the key of any cache
    of built fixtures, so a seeded block never reuses what was built at random before it."""
    return _stream


def random_bytes(label: str, n: int) -> bytes:
    """``n`` random bytes: from the seeded stream when one is active, else from the OS."""
    stream = _stream
    return stream.take(label, n) if stream is not None else os.urandom(n)


def random_function(label: str) -> Callable[[int], bytes]:
    """A ``randfunc(n) -> bytes`` for PyCryptodome key generation and signing, drawing from
    the seeded stream (one draw per call, all labelled ``label``)."""
    return lambda n: random_bytes(label, n)
