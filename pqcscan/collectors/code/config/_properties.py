"""Java ``.properties`` syntax (java.security, Spring ``application.properties``).

Keys end at the first unescaped ``=``, ``:`` or blank; ``#``/``!`` lines are comments; a line
ending in an odd number of backslashes continues (leading blanks of the next line dropped).
A value is returned as one token per physical line it spans, so list entries keep their lines.
"""

from __future__ import annotations

import re

from pqcscan.collectors.code.config._base import Token, logical_lines

_KEY_END = re.compile(r"(?<!\\)(?:\\\\)*[=:\s]")
_ESC = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.S)
_SIMPLE = {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}


def _unescape(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        code = m.group(1)
        if len(code) == 5 and code[0] == "u":
            return chr(int(code[1:], 16))
        return _SIMPLE.get(code, code)

    return _ESC.sub(one, text)


def _piece(text: str, number: int, col: int) -> Token | None:
    """A value piece (leading/trailing blanks dropped) at 1-based column ``col``."""
    stripped = text.lstrip()
    col += len(text) - len(stripped)
    stripped = stripped.rstrip()
    if not stripped:
        return None
    value = _unescape(stripped)
    return Token(value, number, col, number, col + len(stripped), value == stripped)


def _continues(line: str) -> bool:
    count = len(line) - len(line.rstrip("\\"))
    return count % 2 == 1


def properties(text: str) -> list[tuple[Token, list[Token]]]:
    """``(key, value pieces)`` of every property, in file order."""
    out: list[tuple[Token, list[Token]]] = []
    group: list[tuple[int, str]] = []
    for pieces in logical_lines(text, continuation=False):
        number, line = pieces[0]
        if not group:
            stripped = line.lstrip()
            if not stripped or stripped[0] in "#!":
                continue
        if _continues(line):
            group.append((number, line[:-1]))
            continue
        group.append((number, line))
        out.append(_property(group))
        group = []
    if group:
        out.append(_property(group))
    return [p for p in out if p[0].text]


def _property(group: list[tuple[int, str]]) -> tuple[Token, list[Token]]:
    number, line = group[0]
    indent = len(line) - len(line.lstrip())
    body = line[indent:]
    m = _KEY_END.search(body)
    raw_key = body[: m.end() - 1] if m else body
    key = Token(_unescape(raw_key), number, indent + 1, number, indent + 1 + len(raw_key))
    rest_start = indent + len(raw_key)
    rest = line[rest_start:]
    # separator: blanks, then at most one '=' or ':', then blanks
    sep = re.match(r"\s*[=:]?", rest)
    offset = rest_start + (sep.end() if sep else 0)
    values: list[Token] = []
    first = _piece(line[offset:], number, offset + 1)
    if first is not None:
        values.append(first)
    for num, text in group[1:]:
        piece = _piece(text, num, 1)
        if piece is not None:
            values.append(piece)
    return key, values
