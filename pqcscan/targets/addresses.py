"""Address ranges as integer intervals: parsed from CIDR, ranges and literals, iterated lazily.

An :class:`AddressRange` is two integers and a family, whatever its size: ``10.0.0.0/8`` and
``fd00::/64`` cost the same few bytes, and iterating one produces address strings one at a
time. Parsing raises :class:`~pqcscan.errors.UsageError` naming the text.

IPv4 networks of prefix /30 or shorter skip their network and broadcast addresses (they are
not hosts on a real subnet, and a connect to a broadcast address fails locally); /31 and /32
keep every address (RFC 3021). Nmap keeps them all: write the range out (``10.0.0.0-255``)
to include them. IPv6 networks keep every address (there is no broadcast).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass

from pqcscan.errors import UsageError

_V4_BITS = 32
_V6_BITS = 128
_LAST_OCTET_RANGE = re.compile(r"^(\d{1,3}\.\d{1,3}\.\d{1,3}\.)(\d{1,3})-(\d{1,3})$")
#: Text that means to be IPv4 (four dotted labels, the first three numeric): never a hostname.
_V4_LIKE = re.compile(r"^\d+\.\d+\.\d+\.[^.]*$")


def address_text(version: int, value: int) -> str:
    """The canonical text of an address given as an integer (as :mod:`ipaddress` writes it)."""
    if version == 4:
        return socket.inet_ntoa(value.to_bytes(4, "big"))
    return str(ipaddress.IPv6Address(value))


@dataclass(frozen=True, slots=True, order=True)
class AddressRange:
    """Every address from ``first`` to ``last`` (inclusive) of one IP ``version``."""

    version: int  # 4 or 6
    first: int
    last: int

    @property
    def size(self) -> int:
        """How many addresses (may exceed ``sys.maxsize``: a /64 has 2**64)."""
        return self.last - self.first + 1

    def __iter__(self) -> Iterator[str]:
        """The addresses as text, lowest first, one at a time."""
        version = self.version
        value = self.first
        last = self.last
        while value <= last:
            yield address_text(version, value)
            value += 1

    def __str__(self) -> str:
        first = address_text(self.version, self.first)
        if self.first == self.last:
            return first
        return f"{first}-{address_text(self.version, self.last)}"

    @classmethod
    def single(cls, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> AddressRange:
        value = int(address)
        return cls(address.version, value, value)


def parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An IP literal, or None when ``text`` is not one. Scoped IPv6 (``%eth0``) is refused."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id:
        raise UsageError(f"{text!r}: IPv6 scope IDs (%zone) are not supported")
    return address


def looks_like_ipv4(text: str) -> bool:
    """True for text meant as IPv4 (``300.1.1.1``, ``10.0.0.1-z``): never a hostname."""
    return bool(_V4_LIKE.match(text))


def parse_network(text: str, *, hosts_only: bool) -> AddressRange:
    """``10.0.0.0/16`` or ``fd00::/120`` (host bits may be set, as nmap allows).

    With ``hosts_only``, IPv4 prefixes up to /30 drop their network and broadcast addresses.
    """
    address_part, _, prefix = text.partition("/")
    ip = parse_ip(address_part)
    if not (prefix.isascii() and prefix.isdigit()) or len(prefix) > 3 or ip is None:
        raise UsageError(f"invalid network {text!r}: expected ADDRESS/PREFIX")
    if int(prefix) > bits(ip.version):
        raise UsageError(
            f"invalid network {text!r}: an IPv{ip.version} prefix is at most /{bits(ip.version)}"
        )
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError as exc:
        raise UsageError(f"invalid network {text!r}: {exc}") from None
    first = int(network.network_address)
    last = int(network.broadcast_address)
    if hosts_only and network.version == 4 and network.prefixlen <= _V4_BITS - 2:
        first, last = first + 1, last - 1
    return AddressRange(network.version, first, last)


def parse_range(text: str) -> AddressRange | None:
    """``a.b.c.d-e`` or ``FIRST-LAST`` (both literals, same family); None when not a range.

    Raises :class:`UsageError` for a broken range that is clearly meant as one.
    """
    m = _LAST_OCTET_RANGE.match(text)
    if m:
        start = parse_ip(m.group(1) + m.group(2))
        end_octet = int(m.group(3))
        if start is None or end_octet > 255:
            raise UsageError(f"invalid address range {text!r}")
        first = int(start)
        last = (first & ~0xFF) | end_octet
        if last < first:
            raise UsageError(f"invalid address range {text!r}: {m.group(2)} > {m.group(3)}")
        return AddressRange(4, first, last)
    left, sep, right = text.partition("-")
    if not sep:
        return None
    start_ip = parse_ip(left)
    end_ip = parse_ip(right)
    if start_ip is None or end_ip is None:
        if start_ip is not None or looks_like_ipv4(text):
            raise UsageError(f"invalid address range {text!r}")
        return None
    if start_ip.version != end_ip.version:
        raise UsageError(f"invalid address range {text!r}: mixes IPv4 and IPv6")
    if int(end_ip) < int(start_ip):
        raise UsageError(f"invalid address range {text!r}: the end is before the start")
    return AddressRange(start_ip.version, int(start_ip), int(end_ip))


def parse_addresses(text: str, *, hosts_only: bool = True) -> AddressRange | None:
    """A literal, CIDR network or range as an :class:`AddressRange`; None for anything else
    (a hostname). Raises :class:`UsageError` for text that means to be addresses but is not.
    """
    if "/" in text:
        return parse_network(text, hosts_only=hosts_only)
    address = parse_ip(text)
    if address is not None:
        return AddressRange.single(address)
    found = parse_range(text)
    if found is not None:
        return found
    if looks_like_ipv4(text) or ":" in text:
        raise UsageError(f"invalid IP address {text!r}")
    return None


def bits(version: int) -> int:
    """Address width of an IP version."""
    return _V4_BITS if version == 4 else _V6_BITS
