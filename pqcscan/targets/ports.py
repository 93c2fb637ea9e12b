"""Port lists: parsing what users type, and the default ports of the network collectors.

Input: ``"443"``, ``"443,8443,8000-8100"``. Output: a tuple of ints in the order first given,
each once. Every port is checked (1-65535); a bad list raises :class:`~pqcscan.errors.UsageError`
naming the list and the bad part. Ranges are small (at most 65535 ports), so a parsed list is
materialised.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from pqcscan.errors import UsageError

#: Ports where TLS starts at the first byte (implicit TLS), scanned by the TLS collector when a
#: spec names no port. Chosen for how often they carry certificates worth inventorying:
#: HTTPS (443, 8443), SMTP submission (465), LDAPS (636), DNS over TLS (853), FTPS (990),
#: IMAPS (993), POP3S (995), SIP-TLS (5061), WinRM over HTTPS (5986). Left out: 3389 (RDP
#: negotiates TLS inside X.224, so a bare ClientHello gets no TLS answer) and the STARTTLS
#: ports, listed apart in :data:`STARTTLS_PORTS`.
DEFAULT_TLS_PORTS: tuple[int, ...] = (443, 8443, 465, 993, 995, 636, 990, 853, 5061, 5986)

#: The SSH collector's default.
DEFAULT_SSH_PORTS: tuple[int, ...] = (22,)

#: Well-known ports of services that upgrade a plain connection to TLS (STARTTLS and kin),
#: mapped to the protocol name used by :mod:`pqcscan.net.detect`. Client-first services
#: (PostgreSQL, LDAP, XMPP) are recognised by this port hint or an nmap service name.
STARTTLS_PORTS: Mapping[int, str] = MappingProxyType(
    {
        21: "ftp",
        25: "smtp",
        110: "pop3",
        143: "imap",
        389: "ldap",
        587: "smtp",
        5222: "xmpp",
        5269: "xmpp",
        5432: "postgresql",
    }
)

_PART = re.compile(r"^(\d{1,5})(?:-(\d{1,5}))?$")


def _check(port_text: str, spec: str) -> int:
    port = int(port_text)
    if not 1 <= port <= 65535:
        raise UsageError(f"invalid port {port_text} in {spec!r}: ports are 1-65535")
    return port


def parse_ports(text: str, *, spec: str | None = None) -> tuple[int, ...]:
    """Parse ``443,8443,8000-8100`` into ports in the order given, each once.

    ``spec`` is the text to name in messages (the whole target, ``host:99999``), by default
    ``text``. Raises :class:`UsageError` for an empty list, a non-number, a port outside
    1-65535 or a reversed range.
    """
    name = text if spec is None else spec
    parts = [p.strip() for p in text.split(",")]
    if not text.strip() or any(not p for p in parts):
        raise UsageError(f"invalid port list in {name!r}: empty entry")
    seen: dict[int, None] = {}
    for part in parts:
        m = _PART.match(part)
        if not m:
            raise UsageError(f"invalid port {part!r} in {name!r}: not a port or a range")
        low = _check(m.group(1), name)
        high = _check(m.group(2), name) if m.group(2) else low
        if high < low:
            raise UsageError(f"invalid port range {part!r} in {name!r}: {low} > {high}")
        for port in range(low, high + 1):
            seen.setdefault(port)
    return tuple(seen)
