"""OpenSSL configuration (``openssl.cnf`` and files in its include syntax): the SSL_CONF
commands ``Groups``/``Curves``, ``CipherString``, ``Ciphersuites``, ``MinProtocol``/
``MaxProtocol`` and ``(Client)SignatureAlgorithms``.

Only sections the file wires to libssl are read: ``openssl_conf`` -> its ``ssl_conf`` section
-> every section that names (``system_default = system_default_sect``), plus sections named
``*system_default*``. A file with no ``ssl_conf`` wiring at all (an included fragment) has all
its sections read. ``.include`` is not followed; ``$var`` references are not expanded.
"""

from __future__ import annotations

import re

from pqcscan.collectors.code.config import ConfigFormat
from pqcscan.collectors.code.config._base import Engine, Token, decode, logical_lines
from pqcscan.collectors.code.model import CodeHit, CodeParseError

_SECTION = re.compile(r"^\s*\[\s*([^\]]*?)\s*\]")
_PAIR = re.compile(r"^(\s*)([^=\s#]+)(\s*=\s*)(.*)$")
_MARKERS = re.compile(
    rb"^\s*(?:openssl_conf\s*=|ssl_conf\s*=|system_default\s*=|\[\s*system_default|"
    rb"CipherString\s*=|MinProtocol\s*=)",
    re.M | re.I,
)

Pairs = dict[str, list[tuple[Token, Token]]]


def _value(number: int, start: int, raw: str) -> Token | None:
    """The value after ``=``: comment and surrounding quotes removed."""
    text, quote, i = raw, "", 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            text = text[:i]
            break
        i += 1
    if quote:
        raise CodeParseError(f"line {number}: unterminated {quote} quote")
    stripped = text.rstrip()
    if not stripped:
        return None
    offset = start
    if len(stripped) >= 2 and stripped[0] == stripped[-1] and stripped[0] in "\"'":
        inner = stripped[1:-1]
        return Token(inner, number, offset + 2, number, offset + 2 + len(inner))
    return Token(stripped, number, offset + 1, number, offset + 1 + len(stripped))


def _sections(text: str) -> Pairs:
    sections: Pairs = {"default": []}
    current = "default"
    for pieces in logical_lines(text, continuation=True):
        number, line = pieces[0]
        if len(pieces) > 1:  # a continued value: read it as one line, placed at its start
            line = "".join(p for _, p in pieces)
        head = _SECTION.match(line)
        if head:
            current = head.group(1)
            sections.setdefault(current, [])
            continue
        m = _PAIR.match(line)
        if not m or m.group(2).startswith((".", "#")):
            continue
        key = m.group(2)
        col = len(m.group(1)) + 1
        value = _value(number, m.start(4), m.group(4))
        if value is None:
            continue
        key_tok = Token(key, number, col, number, col + len(key))
        if len(pieces) > 1:
            value = Token(value.text, number, value.column, pieces[-1][0], len(pieces[-1][1]) + 1,
                          False)  # fmt: skip
        sections.setdefault(current, []).append((key_tok, value))
    return sections


def _lookup(sections: Pairs, section: str, key: str) -> str | None:
    for k, v in sections.get(section, ()):
        if k.text.lower() == key:
            return v.text
    return None


def _ssl_sections(sections: Pairs) -> list[str]:
    init = _lookup(sections, "default", "openssl_conf")
    ssl_conf = _lookup(sections, init, "ssl_conf") if init else None
    wired = ssl_conf is not None or any(
        k.text.lower() in ("ssl_conf", "openssl_conf")
        for pairs in sections.values()
        for k, _ in pairs
    )
    if not wired:
        return list(sections)
    chosen: list[str] = []
    if ssl_conf is not None:
        chosen.extend(v.text for _, v in sections.get(ssl_conf, ()) if v.text in sections)
    chosen.extend(s for s in sections if "system_default" in s.lower() and s not in chosen)
    return chosen


def parse(name: str, data: bytes) -> tuple[CodeHit, ...]:
    """Hits of an OpenSSL configuration file."""
    text = decode(name, data)
    sections = _sections(text)
    engine = Engine("openssl")
    for section in _ssl_sections(sections):
        pairs = sections[section]
        engine.protocol_bounds = {
            k.text.lower()[:3]: v
            for k, v in pairs
            if k.text.lower() in ("minprotocol", "maxprotocol")
        }
        for key, value in pairs:
            engine.setting(key.text.lower(), key.text, [value], f"section [{section}]")
    return engine.result()


def matches(name: str, path: str, head: bytes) -> bool:
    """openssl.cnf (and ``openssl*.cnf``), or a ``*.cnf``/``*.conf`` with SSL_CONF settings."""
    lower = name.lower()
    if lower.endswith(".cnf") and lower.startswith("openssl"):
        return True
    if lower.endswith((".cnf", ".conf")):
        return bool(_MARKERS.search(head))
    return False


FORMATS = (ConfigFormat("openssl", matches, parse),)
