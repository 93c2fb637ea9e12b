"""Network failures as data: what went wrong with a connection, as an ErrorKind and a reason.

:class:`NetFailure` carries the :class:`~pqcscan.results.ErrorKind` stored with the scan error
and a finer :class:`Reason` (``unreachable`` and ``closed`` have no ErrorKind of their own:
they are stored as ``timeout`` and ``protocol-error``, with the reason in the message).
Local resource errors (out of file descriptors or ephemeral ports) are not a target's fault
and are not mapped: :func:`is_local_exhaustion` tells them apart so callers can wait and retry.
"""

from __future__ import annotations

import errno
from enum import StrEnum

from pqcscan.results import ErrorKind, ScanError


class Reason(StrEnum):
    REFUSED = "refused"  # RST to the SYN: nothing listens (a "closed" port)
    TIMEOUT = "timeout"  # no answer in time (a "filtered" port, or a silent server)
    RESET = "reset"  # the peer reset an established connection
    UNREACHABLE = "unreachable"  # no route, host down, or blocked by a local firewall rule
    CLOSED = "closed"  # the peer closed before sending what the protocol needs
    TOO_LARGE = "too-large"  # the peer sent more than the byte budget
    ERROR = "error"  # any other socket error


_KIND = {
    Reason.REFUSED: ErrorKind.REFUSED,
    Reason.TIMEOUT: ErrorKind.TIMEOUT,
    Reason.RESET: ErrorKind.RESET,
    Reason.UNREACHABLE: ErrorKind.TIMEOUT,
    Reason.CLOSED: ErrorKind.PROTOCOL_ERROR,
    Reason.TOO_LARGE: ErrorKind.TOO_LARGE,
    Reason.ERROR: ErrorKind.PROTOCOL_ERROR,
}

_UNREACHABLE = frozenset(
    {
        errno.EHOSTUNREACH,
        errno.ENETUNREACH,
        errno.EHOSTDOWN,
        errno.ENETDOWN,
        errno.EACCES,  # broadcast address, or a firewall REJECT with icmp-admin-prohibited
        errno.EPERM,  # a local firewall rule dropped the SYN
    }
)
_RESET = frozenset({errno.ECONNRESET, errno.ECONNABORTED, errno.EPIPE})
_LOCAL = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM, errno.EADDRNOTAVAIL})


class NetFailure(Exception):
    """A connection or read that failed, as data for a :class:`~pqcscan.results.ScanError`."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message

    @property
    def kind(self) -> ErrorKind:
        return _KIND[self.reason]

    def to_error(self, locator: str) -> ScanError:
        return ScanError(locator, self.kind, self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.reason.value!r}, {self.message!r})"


class ConnectFailure(NetFailure):
    """The TCP connection could not be opened."""


class ReadFailure(NetFailure):
    """The peer did not send what was expected in time, sent too much, closed or reset."""


def reason_of(exc: OSError) -> Reason:
    """The reason of a socket error (timeouts included)."""
    if isinstance(exc, TimeoutError) or exc.errno == errno.ETIMEDOUT:
        return Reason.TIMEOUT
    if isinstance(exc, ConnectionRefusedError) or exc.errno == errno.ECONNREFUSED:
        return Reason.REFUSED
    if isinstance(exc, ConnectionError) or exc.errno in _RESET:
        return Reason.RESET
    if exc.errno in _UNREACHABLE:
        return Reason.UNREACHABLE
    return Reason.ERROR


def is_local_exhaustion(exc: OSError) -> bool:
    """True for errors of this machine (no free descriptor, buffer or ephemeral port)."""
    return exc.errno in _LOCAL


def describe(exc: OSError) -> str:
    """A short text for a socket error: ``connection refused``, ``timed out``..."""
    if isinstance(exc, TimeoutError) and not exc.strerror:
        return "timed out"
    return (exc.strerror or str(exc) or type(exc).__name__).lower()
