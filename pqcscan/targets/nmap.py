"""Nmap output as targets: grepable (``-oG``) and XML (``-oX``), recognised by content.

Each host becomes an :class:`NmapHost`: its address, the name the user gave nmap (XML
``<hostname type="user">`` only; reverse-DNS names are not used as SNI), and its **open TCP**
ports with nmap's service name (``https``; ``ssl/http`` when nmap saw a TLS tunnel). Closed,
filtered, ``open|filtered`` and UDP ports are ignored. Both readers stream: the grepable one
line by line, the XML one host element by host element (each cleared once read), so a scan of
a /8 is never in memory. Nmap's normal output (``-oN``) is recognised only to be refused with
a clear message.

Limits: in grepable output the name in parentheses is nmap's reverse-DNS name, not the
user's, so grepable hosts carry no hostname (no SNI).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from pqcscan.errors import UsageError
from pqcscan.targets.addresses import parse_ip


class NmapFormat(StrEnum):
    GREPABLE = "nmap-grepable"
    XML = "nmap-xml"
    NORMAL = "nmap-normal"


@dataclass(frozen=True, slots=True)
class NmapHost:
    """One host of an nmap report with its open TCP ports and their service names."""

    address: str
    hostname: str | None
    ports: tuple[tuple[int, str | None], ...]
    origin: str  # "scan.gnmap:7", "scan.xml (host 3)"


def sniff(head: bytes) -> NmapFormat | None:
    """The nmap format of a file from its first bytes, or None for anything else."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<?xml") or text.startswith(b"<nmaprun") or text.startswith(b"<!DOCTYPE"):
        return NmapFormat.XML if b"<nmaprun" in head or b"DOCTYPE nmaprun" in head else None
    if re.match(rb"# Nmap \S+ scan initiated", text):
        if re.search(rb"^Host: \S+ \(", text, re.MULTILINE):
            return NmapFormat.GREPABLE
        if b"Nmap scan report for" in text:
            return NmapFormat.NORMAL
        return NmapFormat.GREPABLE  # no host line yet (or none at all)
    return None


# port/state/protocol/owner/service/rpc/version/ ; fields hold no "/" (nmap writes "|").
_GREP_PORT = re.compile(r"(?:^|,\s*)(\d+)/([^/,]*)/([^/]*)/[^/]*/([^/]*)/[^/]*/[^/]*/")


def _check_address(text: str, origin: str) -> str:
    ip = parse_ip(text)
    if ip is None:
        raise UsageError(f"{origin}: {text!r} is not an IP address")
    return str(ip)


def _port(text: str, origin: str) -> int:
    port = int(text) if text.isdigit() else 0
    if not 1 <= port <= 65535:
        raise UsageError(f"{origin}: invalid port {text!r}")
    return port


def iter_grepable(lines: Iterable[str], name: str) -> Iterator[NmapHost]:
    """Hosts with open TCP ports from grepable lines (``Host: A (N)\\tPorts: ...``)."""
    for number, line in enumerate(lines, 1):
        if not line.startswith("Host: "):
            continue
        origin = f"{name}:{number}"
        fields = line.rstrip("\r\n").split("\t")
        address = _check_address(fields[0][len("Host: ") :].split(" ", 1)[0], origin)
        ports: dict[int, str | None] = {}
        for field in fields[1:]:
            if not field.startswith("Ports: "):
                continue
            for m in _GREP_PORT.finditer(field[len("Ports: ") :]):
                port_text, state, protocol, service = m.groups()
                if state == "open" and protocol == "tcp":
                    ports.setdefault(_port(port_text, origin), service or None)
        if ports:
            yield NmapHost(address, None, tuple(ports.items()), origin)


def _xml_host(host: ET.Element, origin: str) -> NmapHost | None:
    address = None
    for element in host.iter("address"):
        if element.get("addrtype") in ("ipv4", "ipv6"):
            address = _check_address(element.get("addr", ""), origin)
            break
    if address is None:
        return None
    hostname = None
    for element in host.iter("hostname"):
        if element.get("type") == "user" and element.get("name"):
            hostname = element.get("name")
            break
    ports: dict[int, str | None] = {}
    for port in host.iter("port"):
        state = port.find("state")
        if port.get("protocol") != "tcp" or state is None or state.get("state") != "open":
            continue
        service = port.find("service")
        name = service.get("name") if service is not None else None
        if name and service is not None and service.get("tunnel") == "ssl":
            name = f"ssl/{name}"
        ports.setdefault(_port(port.get("portid", ""), origin), name or None)
    if not ports:
        return None
    return NmapHost(address, hostname, tuple(ports.items()), origin)


def iter_xml(path: Path) -> Iterator[NmapHost]:
    """Hosts with open TCP ports from an nmap XML report, host element by host element."""
    count = 0
    root: ET.Element | None = None
    try:
        for event, element in iterparse(path, events=("start", "end")):
            if event == "start":
                if root is None:
                    root = element
                    if element.tag != "nmaprun":
                        raise UsageError(f"{path}: not an nmap XML report (<{element.tag}>)")
                continue
            if element.tag != "host":
                continue
            count += 1
            found = _xml_host(element, f"{path} (host {count})")
            if root is not None:
                root.clear()  # keep memory flat: drop every host read so far
            if found is not None:
                yield found
    except ET.ParseError as exc:
        raise UsageError(f"{path}: malformed nmap XML: {exc}") from None
    except DefusedXmlException:
        raise UsageError(f"{path}: nmap XML declaring entities is refused") from None
    except OSError as exc:
        raise UsageError(f"cannot read target file {path}: {exc}") from None


def iter_file(path: Path, kind: NmapFormat) -> Iterator[NmapHost]:
    """The hosts of an nmap report file in the given (sniffed) format."""
    if kind is NmapFormat.NORMAL:
        raise UsageError(
            f"{path}: nmap normal output (-oN) is not supported; use grepable (-oG) or XML (-oX)"
        )
    if kind is NmapFormat.XML:
        yield from iter_xml(path)
        return
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            yield from iter_grepable(handle, str(path))
    except OSError as exc:
        raise UsageError(f"cannot read target file {path}: {exc}") from None
