"""Replaying a server's side of a connection: the client writes into a sink."""

from __future__ import annotations


class Sink:
    """A writer that accepts everything: the server's side is replayed, not live."""

    def write(self, data: bytes) -> None:
        pass

    async def drain(self) -> None:
        pass

    def close(self) -> None:
        pass

    async def wait_closed(self) -> None:
        pass
