"""One lab of every catalogue server per test session (per xdist worker), stopped at the end,
with a check that no server process and no loop thread outlives it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pqcscan.demo.lab import Lab, LabServer
from pqcscan.demo.lab.loop import LabLoop


def assert_gone(pids: tuple[int, ...] | list[int]) -> None:
    """Every pid is dead (stop() reaps them, so a live pid is a leaked server)."""
    alive = []
    for pid in pids:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        alive.append(pid)
    assert not alive, f"lab processes still running: {alive}"


@pytest.fixture(scope="session")
def lab() -> Iterator[Lab]:
    everything = Lab.everything()
    with everything:
        pids = everything.pids
        assert pids
        yield everything
    assert_gone(pids)
    assert not LabLoop.running()


@pytest.fixture
def ca_file(tmp_path: Path) -> object:
    """A function writing a server's root certificate to a file and returning its path."""

    def write(server: LabServer) -> Path:
        path = tmp_path / f"{server.name}-root.pem"
        path.write_bytes(server.ca_pem)
        return path

    return write
