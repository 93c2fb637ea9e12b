"""SSH collector: what an SSH server offers before anyone logs in, and its host keys.

Detects, per endpoint (an address and port):

* the identification string: protocol version (SSH-2.0, SSH-1.99, SSH-1.x), software and
  version (``OpenSSH_9.2p1``), comments, and any text lines sent before it;
* the server's KEXINIT, read in plain text right after the identification exchange: key
  exchange, host-key, cipher, MAC, compression and language lists in the server's order,
  and the strict-kex (Terrapin countermeasure) and RFC 8308 ext-info signals;
* each host key (one per key: RSA's ``rsa-sha2-512/256`` and ``ssh-rsa`` share one), fetched
  by running the key exchange just far enough to receive the server's reply, with the
  server's signature over the exchange hash checked (Ed25519, ECDSA, RSA, DSA). Key exchanges
  implemented: curve25519, curve448, ECDH P-256/384/521, the MODP groups 1/14/15/16/17/18,
  group exchange, and the ML-KEM-768 + X25519 hybrid ``mlkem768x25519-sha256``.

Inputs: :class:`~pqcscan.targets.model.Endpoint` values (or ``address[:port]`` strings).
Nothing authenticates and nothing is encrypted: every connection ends with a DISCONNECT
before NEWKEYS.

Limits: a server that offers only key exchanges this collector cannot run
(``sntrup761x25519-sha512`` alone, GSS-API) yields its algorithm lists, but its host keys are
reported as not tested with the reason. Every connection is bounded by ``timeout`` and each
endpoint by ``budget``; identification lines, packet sizes and name lists are capped. A
refused, silent, resetting, non-SSH or malformed server becomes a
:class:`~pqcscan.results.ScanError` (``refused``, ``timeout``, ``reset``,
``protocol-error``) in its item, keeping whatever was learned before the failure.
"""

from __future__ import annotations

from pqcscan.collectors.ssh.classify import build_item
from pqcscan.collectors.ssh.collector import SshCollector, SshOptions, parse_target
from pqcscan.collectors.ssh.probe import (
    Connector,
    HostKeyResult,
    ProbeFailure,
    ProbeSettings,
    SshProbe,
    probe,
)

__all__ = [
    "Connector",
    "HostKeyResult",
    "ProbeFailure",
    "ProbeSettings",
    "SshCollector",
    "SshOptions",
    "SshProbe",
    "build_item",
    "parse_target",
    "probe",
]
