"""OpenSSH ``sshd_config`` (kind ``sshd``) and ``ssh_config`` / ``~/.ssh/config`` (``ssh``):
``KexAlgorithms``, ``HostKeyAlgorithms``, ``PubkeyAcceptedAlgorithms`` (and the old
``...KeyTypes`` names), ``CASignatureAlgorithms``, ``Ciphers``, ``MACs``, and key files
(``HostKey``, ``IdentityFile``) typed by their file name.

Lists may start with ``+`` (append to the default), ``-`` (remove) or ``^`` (put first):
hits report what the line names; a ``-`` line names algorithms being removed, so it yields
no algorithm hits, only a classic-only finding when it removes every post-quantum default.
Settings inside ``Match``/``Host`` blocks are reported with the block as context.
``Include`` is not followed.
"""

from __future__ import annotations

import re

from pqcscan.collectors.code.config import ConfigFormat
from pqcscan.collectors.code.config._base import Engine, Token, decode, logical_lines, words
from pqcscan.collectors.code.model import CodeHit

_SSHD_MARKERS = re.compile(
    rb"^\s*(?:PermitRootLogin|PasswordAuthentication|UsePAM|Subsystem|HostKey|ChallengeResponse"
    rb"Authentication|KbdInteractiveAuthentication|AuthorizedKeysFile)\b",
    re.M | re.I,
)
_SSH_MARKERS = re.compile(
    rb"^\s*(?:Host\s+\S|HostName\s|IdentityFile\s|ForwardAgent\s|StrictHostKeyChecking\s|"
    rb"SendEnv\s|HashKnownHosts\s)",
    re.M | re.I,
)


def _parser(kind: str) -> ConfigFormat:
    block = ("match",) if kind == "sshd" else ("host", "match")

    def parse(name: str, data: bytes) -> tuple[CodeHit, ...]:
        text = decode(name, data)
        engine = Engine(kind)
        context = ""
        for pieces in logical_lines(text, continuation=False):
            loose = words(pieces, strict=False)
            if not loose:
                continue
            first = loose[0]
            keyword, eq, rest = first.text.partition("=")
            lower = keyword.lower()
            if lower in block:
                context = "in " + " ".join(t.text for t in loose)[:100]
                continue
            if engine.rule_for(lower) is None:
                continue
            found = words(pieces)
            args = found[1:]
            if eq:
                if rest:
                    start = len(keyword) + 1
                    args = [first.part(start, len(first.text)), *args]
            elif args and args[0].text.startswith("="):
                eq_tok = args[0]
                args = ([eq_tok.part(1, len(eq_tok.text))] if len(eq_tok.text) > 1 else []) + args[
                    1:
                ]
            args = [a for a in args if a.text]
            name_tok = Token(
                keyword, first.line, first.column, first.line, first.column + len(keyword)
            )
            engine.setting(lower, name_tok.text, args, context)
        return engine.result()

    def matches(name: str, path: str, head: bytes) -> bool:
        lower = name.lower()
        parts = path.lower().split("/")
        folder = parts[-2] if len(parts) >= 2 else ""
        if kind == "sshd":
            if lower == "sshd_config" or (folder == "sshd_config.d" and lower.endswith(".conf")):
                return True
            return lower.startswith("sshd_config") and bool(_SSHD_MARKERS.search(head))
        if lower == "ssh_config" or (folder == "ssh_config.d" and lower.endswith(".conf")):
            return True
        if lower == "config" and folder == ".ssh":
            return True
        return lower.startswith("ssh_config") and bool(_SSH_MARKERS.search(head))

    return ConfigFormat(kind, matches, parse)


FORMATS = (_parser("sshd"), _parser("ssh"))
