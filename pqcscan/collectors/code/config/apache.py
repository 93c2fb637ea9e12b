"""Apache httpd (mod_ssl): ``SSLProtocol``/``SSLProxyProtocol`` (the enabled set is computed
from ``all -SSLv3 +TLSv1.2`` words), ``SSLCipherSuite``/``SSLProxyCipherSuite`` (with the
optional ``TLSv1.3``/``SSL`` first argument) and ``SSLOpenSSLConfCmd`` Groups, Curves,
CipherString, Ciphersuites, Min/MaxProtocol and SignatureAlgorithms.

Syntax: one directive per line, case-insensitive names, ``\\`` continues a line, ``#``
comments a whole line, arguments may be quoted. Sections (``<VirtualHost>``) are read through;
``Include`` is not followed.
"""

from __future__ import annotations

import re

from pqcscan.collectors.code.config import ConfigFormat
from pqcscan.collectors.code.config._base import Engine, decode, logical_lines, words
from pqcscan.collectors.code.model import CodeHit

_MARKERS = re.compile(
    rb"^\s*(?:<VirtualHost\b|<IfModule\b|SSLEngine\s|SSLProtocol\s|SSLCipherSuite\s|"
    rb"SSLCertificateFile\s|ServerRoot\s|LoadModule\s|DocumentRoot\s)",
    re.M | re.I,
)
_NAMES = frozenset({"httpd.conf", "apache2.conf", "httpd-ssl.conf", "ssl.conf", "mod_ssl.conf"})


def parse(name: str, data: bytes) -> tuple[CodeHit, ...]:
    """Hits of an Apache httpd configuration file."""
    text = decode(name, data)
    engine = Engine("apache")
    for pieces in logical_lines(text, continuation=True):
        loose = words(pieces, anywhere=False, strict=False)
        if not loose or loose[0].text.startswith("<"):
            continue
        directive = loose[0].text.lower()
        if not directive.startswith("ssl"):
            continue
        found = words(pieces, anywhere=False)
        args = found[1:]
        if directive == "sslopensslconfcmd" and len(args) >= 2:
            key = f"{directive} {args[0].text.lower()}"
            engine.setting(key, f"{found[0].text} {args[0].text}", args[1:])
        else:
            engine.setting(directive, found[0].text, args)
    return engine.result()


def matches(name: str, path: str, head: bytes) -> bool:
    """httpd.conf/apache2.conf, ``*.conf`` under an apache2/httpd folder, or Apache content."""
    lower = name.lower()
    parts = path.lower().split("/")[:-1]
    in_apache = any(p in ("apache2", "httpd", "apache") for p in parts)
    if lower in ("httpd.conf", "apache2.conf", "httpd-ssl.conf"):
        return True
    if in_apache and (lower.endswith(".conf") or lower in _NAMES):
        return True
    if lower.endswith(".conf") or lower == ".htaccess":
        return bool(_MARKERS.search(head))
    return False


FORMATS = (ConfigFormat("apache", matches, parse),)
