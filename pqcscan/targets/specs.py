"""Target specs: what users type, checked up front, then streamed as endpoints.

Accepted specs (one per argument, or per whitespace-separated word of a target file line):

========================  ============================================================
``example.org``           a hostname: every address it resolves to, with SNI ``example.org``
``192.0.2.7``, ``::1``    IP literals
``10.0.0.0/16``           CIDR networks (host bits may be set); ``fd00::/120``
``10.0.0.1-20``           last-octet range; ``10.0.0.250-10.0.1.5`` and ``fd00::1-fd00::ff``
``host:443``              one port; ``host:443,8443`` or ``host:8000-8100`` a port list
``[2001:db8::1]:443``     IPv6 with ports (a bare IPv6 literal takes no port)
``@targets.txt``          a target file (also ``--targets-file``)
========================  ============================================================

A target file holds one or more specs per line, ``#`` comments and blank lines, or is an nmap
report (grepable ``-oG`` or XML ``-oX``, recognised by content; see :mod:`.nmap`): then its
open TCP ports are the endpoints, with nmap's service name as ``Endpoint.protocol``.

A spec with ports overrides the collector's default ports. IPv4 networks of /30 and shorter
skip their network and broadcast addresses (see :mod:`.addresses`); ranges written out keep
every address.

Validation: :class:`TargetPlan` reads every spec once before anything is contacted (files
line by line, nothing expanded) and raises :class:`~pqcscan.errors.UsageError` naming the
spec (and file line) for a malformed spec, a bad port, an unreadable file, or a spec that
lies outside the scope (below). Then it streams endpoints, reading files a second time.

Scope decisions (see :mod:`.scope`):

- a spec (an argument, a file line, or an nmap file as a whole) with no address inside the
  ``--allow`` list raises ``UsageError``: the allow list is the authorisation boundary and a
  target outside it is a mistake in the inputs;
- a spec every address of which is ``--exclude``-d raises ``UsageError`` when it is a
  command-line argument (the command line contradicts itself) and is skipped silently, and
  counted, when it is a file line or an nmap host (carving hosts out of a list is what
  ``--exclude`` is for);
- addresses of a partly in-scope range are skipped silently and counted
  (:attr:`PlanStats.skipped`): reporting each one would flood the results;
- a hostname is resolved only when streamed; each address outside the scope becomes a
  :class:`NotContacted` item (kind ``out-of-scope``), since DNS decides where a name points
  and the user should see that a name they gave was not scanned, and why.

Unresolvable names are per-target errors, not usage errors: names are resolved while
streaming (a file of 100,000 names is not resolved up front), so a name that does not
resolve becomes a :class:`NotContacted` item per port, of kind ``unresolved``. Resolution
is blocking (``getaddrinfo``) in the thread that iterates; inject ``resolver`` to change it.

Endpoints are not deduplicated across specs (that would need memory proportional to the
ranges); a range is streamed address by address, ports innermost.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pqcscan.errors import UsageError
from pqcscan.results import CollectedItem, ErrorKind, ScanError
from pqcscan.targets import nmap
from pqcscan.targets.addresses import AddressRange, parse_addresses, parse_ip
from pqcscan.targets.model import Endpoint
from pqcscan.targets.ports import parse_ports
from pqcscan.targets.scope import Scope, Verdict

#: The origin of a spec typed on the command line.
ARGUMENT = "argument"

_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")
_BRACKETED = re.compile(r"^\[([^\]]+)\](?::(.*))?$")
_SNIFF_BYTES = 4096


class SpecKind(StrEnum):
    ADDRESS = "address"
    NETWORK = "network"
    RANGE = "range"
    HOSTNAME = "hostname"
    NMAP = "nmap"  # one host of an nmap report


@dataclass(frozen=True, slots=True)
class TargetSpec:
    """One parsed spec: addresses (or a name to resolve) and optional ports. Never expanded."""

    text: str
    origin: str  # ARGUMENT, "targets.txt:3", "scan.xml (host 2)"
    kind: SpecKind
    addresses: AddressRange | None = None  # None for a hostname
    hostname: str | None = None
    ports: tuple[int, ...] | None = None  # None: the collector's defaults
    services: tuple[str | None, ...] = ()  # nmap service names, parallel to ports

    @property
    def where(self) -> str:
        """``"targets.txt:3: "`` for a file line, ``""`` for an argument (message prefix)."""
        return "" if self.origin == ARGUMENT else f"{self.origin}: "


def _hostname(text: str) -> str | None:
    """The name in ASCII (IDNA) form when ``text`` is a valid hostname, else None."""
    try:
        ascii_name = text.encode("idna").decode("ascii") if not text.isascii() else text
    except UnicodeError:
        return None
    name = ascii_name[:-1] if ascii_name.endswith(".") else ascii_name
    if not name or len(name) > 253:
        return None
    labels = name.split(".")
    if not all(_LABEL.match(label) for label in labels) or labels[-1].isdigit():
        return None
    return ascii_name


def parse_spec(text: str, origin: str = ARGUMENT) -> TargetSpec:
    """Parse one spec (not a file reference). Raises :class:`UsageError` naming it."""
    where = "" if origin == ARGUMENT else f"{origin}: "
    spec = text.strip()
    if not spec:
        raise UsageError(f"{where}empty target")
    m = _BRACKETED.match(spec)
    if m:
        host, port_text = m.group(1), m.group(2)
        if ":" not in host:
            raise UsageError(f"{where}invalid target {spec!r}: brackets are for IPv6 addresses")
    elif spec.count(":") >= 2:
        host, port_text = spec, None  # a bare IPv6 literal, network or range
    elif ":" in spec:
        host, port_text = spec.split(":", 1)
    else:
        host, port_text = spec, None
    try:
        ports = parse_ports(port_text, spec=spec) if port_text is not None else None
        addresses = parse_addresses(host)
    except UsageError as exc:
        raise UsageError(f"{where}{exc}") from None
    if addresses is not None:
        if "/" in host:
            kind = SpecKind.NETWORK
        elif addresses.size == 1 and "-" not in host:
            kind = SpecKind.ADDRESS
        else:
            kind = SpecKind.RANGE
        return TargetSpec(spec, origin, kind, addresses=addresses, ports=ports)
    name = _hostname(host)
    if name is None:
        raise UsageError(
            f"{where}invalid target {spec!r}: not a hostname, IP address, network or range"
        )
    return TargetSpec(spec, origin, SpecKind.HOSTNAME, hostname=name, ports=ports)


def _nmap_spec(host: nmap.NmapHost) -> TargetSpec:
    ip = parse_ip(host.address)
    assert ip is not None  # checked by the nmap reader
    return TargetSpec(
        host.address,
        host.origin,
        SpecKind.NMAP,
        addresses=AddressRange.single(ip),
        hostname=host.hostname,
        ports=tuple(p for p, _ in host.ports),
        services=tuple(s for _, s in host.ports),
    )


def read_target_file(path: str | Path) -> Iterator[TargetSpec]:
    """The specs of a target file (list or nmap report), streamed; errors are UsageErrors."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError as exc:
        raise UsageError(f"cannot read target file {path}: {exc.strerror or exc}") from None
    kind = nmap.sniff(head)
    if kind is not None:
        for host in nmap.iter_file(path, kind):
            yield _nmap_spec(host)
        return
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                for word in line.split("#", 1)[0].split():
                    origin = f"{path}:{number}"
                    if word.startswith("@"):
                        raise UsageError(f"{origin}: nested target files are not supported")
                    yield parse_spec(word, origin)
    except UnicodeDecodeError as exc:
        raise UsageError(f"cannot read target file {path}: not UTF-8 text ({exc})") from None
    except OSError as exc:
        raise UsageError(f"cannot read target file {path}: {exc.strerror or exc}") from None


def iter_specs(specs: Iterable[str], files: Iterable[str | Path] = ()) -> Iterator[TargetSpec]:
    """Every spec of the arguments (``@file`` read in place) then of the target files."""
    for text in specs:
        if text.startswith("@"):
            yield from read_target_file(text[1:])
        else:
            yield parse_spec(text)
    for path in files:
        yield from read_target_file(path)


class ResolveError(Exception):
    """A hostname did not resolve."""


Resolver = Callable[[str], Sequence[str]]


def resolve(name: str) -> tuple[str, ...]:
    """Every address of ``name`` (IPv4 and IPv6, in resolver order, each once)."""
    try:
        infos = socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise ResolveError(str(exc)) from None
    found: dict[str, None] = {}
    for info in infos:
        address = str(info[4][0])
        if "%" not in address:  # link-local with a zone: not reachable without it
            found.setdefault(address)
    if not found:
        raise ResolveError("no usable address")
    return tuple(found)


@dataclass(frozen=True, slots=True)
class NotContacted:
    """A target that will not be contacted, and why: out of scope, or a name that does not
    resolve. Becomes an error item so the user sees it in the results."""

    locator: str
    kind: ErrorKind
    message: str
    endpoint: Endpoint | None = None

    def item(self) -> CollectedItem:
        """The item to record for it (one :class:`ScanError`)."""
        return CollectedItem(
            self.locator, errors=(ScanError(self.locator, self.kind, self.message),)
        )


@dataclass(slots=True)
class PlanStats:
    """Counts from validation (``specs``, ``planned``) and from streaming (the rest)."""

    specs: int = 0
    #: Endpoints the plan will yield, hostnames counted as one address each (an estimate).
    planned: int = 0
    #: Endpoints of partly in-scope ranges (and excluded file lines) skipped silently.
    skipped: int = 0
    #: Endpoints streamed so far, and targets reported as :class:`NotContacted`.
    yielded: int = 0
    not_contacted: int = 0


class TargetPlan:
    """The endpoints of a list of specs within a scope: checked at construction, streamed
    by iteration (``Endpoint`` or :class:`NotContacted`). Iterate more than once to re-read.
    """

    def __init__(
        self,
        specs: Sequence[str],
        *,
        files: Sequence[str | Path] = (),
        default_ports: Sequence[int] = (),
        scope: Scope | None = None,
        resolver: Resolver = resolve,
    ) -> None:
        self.specs = tuple(specs)
        self.files = tuple(files)
        self.default_ports = tuple(dict.fromkeys(default_ports))
        self.scope = scope if scope is not None else Scope()
        self.resolver = resolver
        self.stats = PlanStats()
        if not self.specs and not self.files:
            raise UsageError("no targets given")
        self._validate()

    def _ports(self, spec: TargetSpec) -> tuple[int, ...]:
        if spec.ports is not None:
            return spec.ports
        if not self.default_ports:
            raise UsageError(f"{spec.where}{spec.text!r} names no port and there is no default")
        return self.default_ports

    def _validate(self) -> None:
        nmap_files: dict[str, list[int]] = {}  # file -> [hosts, hosts in scope]
        for spec in iter_specs(self.specs, self.files):
            self.stats.specs += 1
            ports = self._ports(spec)
            if spec.addresses is None:
                self.stats.planned += len(ports)
                continue
            verdict = self.scope.verdict(spec.addresses)
            if spec.kind is SpecKind.NMAP:
                counts = nmap_files.setdefault(spec.origin.split(" (host ", 1)[0], [0, 0])
                counts[0] += 1
                counts[1] += verdict is not Verdict.OUTSIDE
            elif verdict is Verdict.OUTSIDE:
                raise UsageError(
                    f"{spec.where}{spec.text} is outside the allowed scope "
                    f"({self.scope.describe_allow()})"
                )
            if verdict is Verdict.EXCLUDED and spec.origin == ARGUMENT:
                raise UsageError(
                    f"{spec.text} is excluded ({self.scope.describe_exclusion(spec.addresses)})"
                )
            inside = self.scope.in_scope_size(spec.addresses)
            self.stats.planned += inside * len(ports)
        for name, (hosts, inside_hosts) in nmap_files.items():
            if hosts and not inside_hosts:
                raise UsageError(
                    f"{name}: every host is outside the allowed scope "
                    f"({self.scope.describe_allow()})"
                )

    def __iter__(self) -> Iterator[Endpoint | NotContacted]:
        stats = self.stats
        stats.skipped = stats.yielded = stats.not_contacted = 0
        for spec in iter_specs(self.specs, self.files):
            for target in self._expand(spec):
                if isinstance(target, Endpoint):
                    stats.yielded += 1
                else:
                    stats.not_contacted += 1
                yield target

    def endpoints(self) -> Iterator[Endpoint]:
        """Only the endpoints to contact (what is not contacted is counted, not yielded)."""
        for target in self:
            if isinstance(target, Endpoint):
                yield target

    def _expand(self, spec: TargetSpec) -> Iterator[Endpoint | NotContacted]:
        ports = self._ports(spec)
        if spec.addresses is None:
            assert spec.hostname is not None
            yield from self._expand_name(spec.hostname, ports)
            return
        in_scope = 0
        for part in self.scope.parts(spec.addresses):
            in_scope += part.size
            if spec.kind is SpecKind.NMAP:
                for port, service in zip(ports, spec.services, strict=True):
                    yield Endpoint(spec.text, port, spec.hostname, service)
                continue
            for address in part:
                for port in ports:
                    yield Endpoint(address, port)
        self.stats.skipped += (spec.addresses.size - in_scope) * len(ports)

    def _expand_name(self, name: str, ports: tuple[int, ...]) -> Iterator[Endpoint | NotContacted]:
        try:
            addresses = self.resolver(name)
        except ResolveError as exc:
            for port in ports:
                locator = f"{name}:{port}"
                yield NotContacted(locator, ErrorKind.UNRESOLVED, f"{name} does not resolve: {exc}")
            return
        for address in addresses:
            inside = self.scope.contains(address)
            for port in ports:
                endpoint = Endpoint(address, port, name)
                if inside:
                    yield endpoint
                else:
                    yield NotContacted(
                        endpoint.locator,
                        ErrorKind.OUT_OF_SCOPE,
                        f"{name} resolves to {address}, {self.scope.why_out(address)}; "
                        "not contacted",
                        endpoint,
                    )
