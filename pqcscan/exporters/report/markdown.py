"""Safe rendering of the small Markdown subset the risk explanations use.

:func:`pqcscan.risk.explain_markdown` writes paragraphs, ``**bold**``, ``*italics*``,
`` `code` ``, pipe tables (``\\|`` escapes a pipe inside a cell) and ``- `` lists. Every piece
of text is HTML-escaped *before* markup is added, so a hostile asset name stays text; no raw
HTML passes through and no link is ever produced.
"""

from __future__ import annotations

import re
from html import escape

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_ALIGN_ROW = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def inline(text: str) -> str:
    """One line of Markdown as safe HTML: code spans first (their content stays literal),
    then bold and italics in the rest."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unmatched backtick stays a backtick
        last = parts.pop()
        parts[-1] += "`" + last
    out: list[str] = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(f"<code>{escape(part, quote=True)}</code>")
        else:
            html = escape(part, quote=True)
            html = _BOLD.sub(r"<strong>\1</strong>", html)
            html = _ITALIC.sub(r"<em>\1</em>", html)
            out.append(html)
    return "".join(out)


def _cells(line: str) -> list[str]:
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    return [c.strip().replace("\\|", "|") for c in _CELL_SPLIT.split(body)]


def _table(lines: list[str]) -> str:
    rows = [line for line in lines if not _ALIGN_ROW.match(line)]
    if not rows:
        return ""
    head, body = rows[0], rows[1:]
    out = ["<table>", "<thead><tr>"]
    out += [f"<th>{inline(c)}</th>" for c in _cells(head)]
    out.append("</tr></thead><tbody>")
    for row in body:
        out.append("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in _cells(row)) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def to_html(text: str) -> str:
    """Blocks (paragraphs, tables, lists) separated by blank lines, as safe HTML."""
    out: list[str] = []
    block: list[str] = []

    def flush() -> None:
        if not block:
            return
        if all(line.lstrip().startswith("|") for line in block):
            out.append(_table(block))
        elif all(line.startswith("- ") for line in block):
            out.append("<ul>" + "".join(f"<li>{inline(x[2:])}</li>" for x in block) + "</ul>")
        else:
            out.append("<p>" + "<br>".join(inline(x) for x in block) + "</p>")
        block.clear()

    for raw in text.splitlines():
        line = raw.rstrip()
        if not line.strip():
            flush()
            continue
        block.append(line)
    flush()
    return "\n".join(out)
