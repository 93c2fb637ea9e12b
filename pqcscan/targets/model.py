"""The endpoint: one address and port to contact, with the name the user gave for it."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Endpoint:
    """An address and TCP port, plus the hostname it came from (used as SNI).

    ``protocol`` is a hint from the input (an nmap service name, ``smtp`` for STARTTLS on 25,
    ``ssh`` on 22...) or from discovery; collectors may ignore it.
    """

    address: str  # an IP literal: "127.0.0.2", "::1"
    port: int
    hostname: str | None = None  # the name the user gave, when it was a name
    protocol: str | None = None

    @property
    def host(self) -> str:
        """The name when there is one, else the address (IPv6 in brackets)."""
        if self.hostname:
            return self.hostname
        return f"[{self.address}]" if ":" in self.address else self.address

    @property
    def sni(self) -> str | None:
        """The TLS server name to send: the hostname, never an IP literal."""
        if not self.hostname:
            return None
        try:
            ipaddress.ip_address(self.hostname)
        except ValueError:
            return self.hostname
        return None

    @property
    def locator(self) -> str:
        """``host:port`` as a person reads it; the locator of everything seen there."""
        return f"{self.host}:{self.port}"

    @property
    def fingerprint(self) -> str:
        """The endpoint asset's fingerprint: ``address:port[:sni]`` (stable across names)."""
        address = f"[{self.address}]" if ":" in self.address else self.address
        return f"{address}:{self.port}:{self.sni}" if self.sni else f"{address}:{self.port}"
