"""``java.security`` (the JDK's security properties, ``$JAVA_HOME/conf/security``).

- ``jdk.tls.disabledAlgorithms`` / ``jdk.certpath.disabledAlgorithms``: the JDK accepts
  everything the property does *not* list, so the hits are the weak algorithms and protocol
  versions of ``rules/config/names.yaml`` that it leaves enabled (none for a current JDK
  default), plus one hit per ``<alg> keySize < N`` constraint for the smallest key size still
  accepted (``DH keySize < 1024`` -> DH 1024, classically broken).
- ``jdk.tls.namedGroups``: each group, and the classic-groups-only finding.
- ``keystore.type``: the default key store format (JKS is classically broken key protection).

Syntax: Java properties (``\\`` continuations); includes (``include``) are not followed.
"""

from __future__ import annotations

import re

from pqcscan.collectors.code.config import ConfigFormat
from pqcscan.collectors.code.config._base import Engine, Token, decode
from pqcscan.collectors.code.config._properties import properties
from pqcscan.collectors.code.model import CodeHit

_MARKERS = re.compile(
    rb"^\s*(?:jdk\.tls\.|jdk\.certpath\.|keystore\.type\s*=|security\.provider\.)", re.M
)


def _unquote(values: list[Token]) -> list[Token]:
    """Drop the double quotes the JDK strips from a jdk.tls.* value (``"x25519, secp256r1"``)."""
    if not values or not values[0].text.startswith('"') or not values[-1].text.endswith('"'):
        return values
    first, last = values[0], values[-1]
    if first is last:
        return [first.part(1, len(first.text) - 1)] if len(first.text) >= 2 else []
    return [first.part(1, len(first.text)), *values[1:-1], last.part(0, len(last.text) - 1)]


def parse(name: str, data: bytes) -> tuple[CodeHit, ...]:
    """Hits of a java.security file."""
    text = decode(name, data)
    engine = Engine("java-security")
    for key, values in properties(text):
        engine.setting(key.text.lower(), key.text, _unquote(values))
    return engine.result()


def matches(name: str, path: str, head: bytes) -> bool:
    """java.security, or a ``*.security`` file with JDK security properties."""
    lower = name.lower()
    if lower == "java.security":
        return True
    return lower.endswith(".security") and bool(_MARKERS.search(head))


FORMATS = (ConfigFormat("java-security", matches, parse),)
