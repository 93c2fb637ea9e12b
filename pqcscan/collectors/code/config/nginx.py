"""nginx: ``ssl_protocols``, ``ssl_ciphers``, ``ssl_ecdh_curve``, ``ssl_conf_command`` and the
``proxy_``/``grpc_``/``uwsgi_`` upstream variants, in any block (http, server, stream, mail).

Syntax: directives end at ``;`` and may span lines; ``#`` starts a comment at a word start;
values may be single- or double-quoted. ``include`` is not followed. An unterminated quote
raises CodeParseError; unbalanced braces are tolerated (the file may be a fragment).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pqcscan.collectors.code.config import ConfigFormat
from pqcscan.collectors.code.config._base import Engine, Token, decode
from pqcscan.collectors.code.model import CodeHit, CodeParseError

_LEX = re.compile(
    r"""(?P<ws>\s+)
      | (?P<comment>\#[^\n]*)
      | (?P<punct>[;{}])
      | (?P<dq>"(?:[^"\\]|\\.)*")
      | (?P<sq>'(?:[^'\\]|\\.)*')
      | (?P<bad>["'])
      | (?P<word>[^\s;{}"'][^\s;{}]*)""",
    re.X | re.S,
)
_ESCAPE = re.compile(r"\\(.)", re.S)

#: Directive names and contents that mark a file as nginx configuration.
_MARKERS = re.compile(
    rb"^\s*(?:server\s*\{|http\s*\{|upstream\s+\S+\s*\{|location\s+[^\n{]*\{|"
    rb"ssl_(?:certificate|protocols|ciphers)\s|listen\s+[^\n;]*;|proxy_pass\s|worker_processes\s)",
    re.M,
)


def _directives(text: str) -> Iterator[list[Token]]:
    """Each directive as its words (name first), in file order."""
    words: list[Token] = []
    line, line_start = 1, 0
    for m in _LEX.finditer(text):
        kind, raw, start = m.lastgroup, m.group(), m.start()
        col = start - line_start + 1
        if kind == "bad":
            raise CodeParseError(f"line {line}: unterminated {raw} quote")
        if kind == "punct":
            if words:
                yield words
            words = []
        elif kind in ("dq", "sq"):
            inner = raw[1:-1]
            value = _ESCAPE.sub(r"\1", inner)
            lines = raw.count("\n")
            if lines:
                end_col = len(raw) - raw.rfind("\n")
                words.append(Token(value, line, col + 1, line + lines, end_col, False))
            else:
                words.append(Token(value, line, col + 1, line, col + len(raw) - 1, value == inner))
        elif kind == "word":
            words.append(Token(raw, line, col, line, col + len(raw)))
        newlines = raw.count("\n")
        if newlines:
            line += newlines
            line_start = start + raw.rfind("\n") + 1
    if words:
        yield words


def parse(name: str, data: bytes) -> tuple[CodeHit, ...]:
    """Hits of an nginx configuration file (or an included fragment)."""
    text = decode(name, data)
    engine = Engine("nginx")
    for words in _directives(text):
        directive = words[0].text.lower()
        args = words[1:]
        if directive.endswith("ssl_conf_command") and len(args) >= 2:
            key = f"{directive} {args[0].text.lower()}"
            engine.setting(key, f"{words[0].text} {args[0].text}", args[1:])
        else:
            engine.setting(directive, words[0].text, args)
    return engine.result()


def matches(name: str, path: str, head: bytes) -> bool:
    """nginx.conf, files under an nginx folder, or ``*.conf`` with nginx directives."""
    lower = name.lower()
    if lower == "nginx.conf":
        return True
    parts = path.lower().split("/")
    parent = parts[-2] if len(parts) >= 2 else ""
    in_nginx = "nginx" in parts[:-1]
    named_like = lower.endswith(".conf") or "." not in lower
    if in_nginx and (named_like or parent in ("sites-available", "sites-enabled")):
        return b"<VirtualHost" not in head and b";" in head
    if lower.endswith(".conf") or lower.endswith(".nginx"):
        return bool(_MARKERS.search(head)) and b"<VirtualHost" not in head
    return False


FORMATS = (ConfigFormat("nginx", matches, parse),)
