"""The runner's network path: units in flight on an event loop, budgets, failures as data."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from pqcscan.errors import UsageError
from pqcscan.inventory import Inventory
from pqcscan.results import Asset, AssetType, CollectedItem, ErrorKind
from pqcscan.scan import run_scan


class LoopbackServers:
    """Real asyncio servers on loopback: one answers, one stays silent."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.answering = self._start(self._answer)
        self.silent = self._start(self._silent)

    def _start(self, handler: object) -> int:
        async def start() -> int:
            server = await asyncio.start_server(handler, "127.0.0.1", 0)  # type: ignore[arg-type]
            return int(server.sockets[0].getsockname()[1])

        return asyncio.run_coroutine_threadsafe(start(), self.loop).result(10)

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"hello\n")
        await writer.drain()
        writer.close()

    async def _silent(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # until the client goes away

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture
def servers() -> Iterator[LoopbackServers]:
    lab = LoopbackServers()
    yield lab
    lab.stop()


class GreetingCollector:
    """Reads a greeting from each port; a unit "boom" raises, like a collector bug."""

    name: ClassVar[str] = "greeting"

    def __init__(self, ports: list[object], budget: float, concurrency: int = 4) -> None:
        self.ports = ports
        self.budget = budget
        self.concurrency = concurrency
        self.peak = 0
        self._in_flight = 0

    def units(self) -> Iterator[object]:
        return iter(self.ports)

    def unit_key(self, unit: object) -> str:
        return f"127.0.0.1:{unit}"

    def arguments(self) -> dict[str, object]:
        return {"ports": [str(p) for p in self.ports]}

    async def collect_one_async(self, unit: object) -> CollectedItem:
        self._in_flight += 1
        self.peak = max(self.peak, self._in_flight)
        try:
            if unit == "boom":
                raise RuntimeError("collector bug")
            reader, writer = await asyncio.open_connection("127.0.0.1", int(str(unit)))
            line = await reader.readline()
            writer.close()
            key = self.unit_key(unit)
            asset = Asset(AssetType.ENDPOINT, key, key, line.decode().strip())
            return CollectedItem(key, assets=(asset,))
        finally:
            self._in_flight -= 1


def test_async_units_run_concurrently_and_failures_are_items(
    servers: LoopbackServers, tmp_path: Path
) -> None:
    ports: list[object] = [servers.answering] * 12 + [servers.silent, "boom"]
    collector = GreetingCollector(ports, budget=1.0)
    with Inventory.open(str(tmp_path / "inv.db")) as inv:
        summary = run_scan(inv, collector)
        errors = {(e.locator, e.kind) for e in inv.errors(summary.run_id)}
    assert summary.status == "completed"
    assert summary.items == 3  # twelve units share one key: one finished unit
    assert errors == {
        (f"127.0.0.1:{servers.silent}", ErrorKind.TIMEOUT.value),
        ("127.0.0.1:boom", ErrorKind.PROTOCOL_ERROR.value),
    }
    assert 1 < collector.peak <= collector.concurrency


def test_resume_skips_finished_units(servers: LoopbackServers, tmp_path: Path) -> None:
    done = f"127.0.0.1:{servers.answering}"
    with Inventory.open(str(tmp_path / "inv.db")) as inv:
        with inv.record_run("greeting", {}) as rec:
            rec.add(CollectedItem(done))
            rec.flush()
            rec.finish("interrupted")
        resumed = GreetingCollector([servers.answering, servers.silent], budget=0.5)
        summary = run_scan(inv, resumed, resume=rec.run_id)
        assert summary.run_id == rec.run_id and summary.status == "completed"
        assert summary.items == 2
        assert resumed.peak == 1  # only the unfinished unit ran
        assert [e.locator for e in inv.errors(rec.run_id)] == [f"127.0.0.1:{servers.silent}"]
        with pytest.raises(UsageError, match="already complete"):
            run_scan(inv, resumed, resume=rec.run_id)
        with pytest.raises(UsageError, match="no scan run"):
            run_scan(inv, resumed, resume=999)
