"""HAProxy: ``ssl-default-bind-*`` / ``ssl-default-server-*`` (ciphers, ciphersuites, options,
curves) in ``global``, and the ``ciphers``/``ciphersuites``/``curves``/``ssl-min-ver``/
``ssl-max-ver``/``no-*``/``force-*`` options of ``bind``, ``server`` and ``default-server``
lines that use ``ssl``.

Syntax: one statement per line, ``#`` comments at a word start, quotes and backslash escapes.
Protocol versions are computed from min/max and exclusions (without ``ssl-min-ver`` the lower
bound is the oldest TLS version, with a lower confidence).
"""

from __future__ import annotations

import re

from pqcscan.collectors.code.config import ConfigFormat
from pqcscan.collectors.code.config._base import Engine, Token, decode, logical_lines, words
from pqcscan.collectors.code.model import CodeHit

_SECTION = re.compile(rb"^\s*(?:global|defaults|frontend|backend|listen)\b", re.M)
_MARKER = re.compile(rb"^\s*(?:bind\s|ssl-default-bind-|mode\s+(?:http|tcp)|balance\s)", re.M)
_VALUED = ("ciphers", "ciphersuites", "curves")
_SKIP = {"bind": 2, "server": 3, "default-server": 1}


def _line_options(engine: Engine, statement: str, found: list[Token], context: str) -> None:
    params = found[_SKIP[statement] :]
    if not any(p.text.lower() == "ssl" for p in params):
        return
    for i, tok in enumerate(params):
        word = tok.text.lower()
        if word in _VALUED and i + 1 < len(params):
            engine.setting(f"{statement} {word}", tok.text, [params[i + 1]], context)
    engine.setting(f"{statement} options", statement, params, context)


def parse(name: str, data: bytes) -> tuple[CodeHit, ...]:
    """Hits of an haproxy.cfg."""
    text = decode(name, data)
    engine = Engine("haproxy")
    section = ""
    for pieces in logical_lines(text, continuation=False):
        loose = words(pieces, strict=False)
        if not loose:
            continue
        keyword = loose[0].text.lower()
        if keyword in ("global", "defaults", "frontend", "backend", "listen"):
            section = " ".join(t.text for t in loose[:2])
            continue
        if keyword.startswith("ssl-default-"):
            found = words(pieces)
            engine.setting(keyword, found[0].text, found[1:])
        elif keyword in _SKIP:
            found = words(pieces)
            context = f"in {section}" if section else ""
            _line_options(engine, keyword, found, context)
    return engine.result()


def matches(name: str, path: str, head: bytes) -> bool:
    """haproxy.cfg, ``*.cfg`` under a haproxy folder, or a ``*.cfg`` with HAProxy sections."""
    lower = name.lower()
    if lower == "haproxy.cfg" or (lower.startswith("haproxy") and lower.endswith(".cfg")):
        return True
    if not lower.endswith((".cfg", ".conf")):
        return False
    if "haproxy" in path.lower().split("/")[:-1]:
        return True
    return bool(_SECTION.search(head)) and bool(_MARKER.search(head))


FORMATS = (ConfigFormat("haproxy", matches, parse),)
