"""Configuration parsers: TLS/SSH settings in configuration files -> :class:`CodeHit` values.

Formats: nginx, Apache httpd (mod_ssl), HAProxy, OpenSSL configuration (``openssl.cnf``),
OpenSSH ``sshd_config`` and ``ssh_config``, ``java.security`` and Spring Boot
``application*.properties|yml``. One module per format exposes ``FORMATS``, a tuple of
:class:`ConfigFormat`; this module is the one place they are registered.

What is read, and how, is data: ``rules/config/rules.yaml`` (settings, rule ids, messages) and
``rules/config/names.yaml`` (OpenSSL cipher names, group aliases, protocol spellings). Every
protocol version, cipher suite (each of its parts), group, signature algorithm and SSH
algorithm a setting names becomes a hit classified through the catalog, or ``unknown``.
Cipher-string keywords (``HIGH:!aNULL``) are not expanded: one ``unknown`` hit says so.
An explicit key-exchange list with no hybrid or ML-KEM entry also yields a
``<kind>-classic-groups-only`` hit. Includes are never followed (parsers see one file).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from pqcscan.collectors.code.config._base import all_rule_ids, rule_template
from pqcscan.collectors.code.model import CodeHit, CodeParseError

#: How many leading bytes ``config_kind`` needs to look at.
HEAD_BYTES = 4096


@dataclass(frozen=True, slots=True)
class ConfigFormat:
    """One configuration format."""

    kind: str
    #: ``matches(base name, path relative to the scan root, first HEAD_BYTES bytes)``.
    matches: Callable[[str, str, bytes], bool]
    #: ``parse(display name, whole content)``; raises CodeParseError on unusable content.
    parse: Callable[[str, bytes], tuple[CodeHit, ...]]


@cache
def all_formats() -> tuple[ConfigFormat, ...]:
    """Every registered format, in detection order (first match wins)."""
    from pqcscan.collectors.code.config import (
        apache,
        haproxy,
        javasec,
        nginx,
        openssh,
        openssl,
        spring,
    )

    modules = (openssh, javasec, spring, openssl, haproxy, apache, nginx)
    return tuple(f for m in modules for f in m.FORMATS)


def config_kind(name: str, path_hint: str, head: bytes) -> str | None:
    """The format of a file (``"nginx"``, ``"sshd"``...) from its name, path and first bytes.

    ``name`` is the base name, ``path_hint`` the path relative to the scan root (used to
    recognise ``*.conf`` files by folder: ``etc/nginx/conf.d/site.conf``). None: not a
    configuration file this collector reads.
    """
    hint = path_hint.replace("\\", "/")
    for fmt in all_formats():
        if fmt.matches(name, hint, head[:HEAD_BYTES]):
            return fmt.kind
    return None


def parse_config(kind: str, name: str, data: bytes) -> tuple[CodeHit, ...]:
    """The TLS/SSH hits of one configuration file of a known ``kind``.

    Raises :class:`CodeParseError` for content that cannot be read (binary, too large,
    unterminated quotes or blocks the format does not allow) and for an unknown ``kind``.
    """
    for fmt in all_formats():
        if fmt.kind == kind:
            return fmt.parse(name, data)
    raise CodeParseError(f"{name}: unknown configuration kind {kind!r}")


def rule_ids() -> tuple[str, ...]:
    """Every rule id a configuration hit can carry (stable; see rules/config/rules.yaml)."""
    return all_rule_ids()


def rule_message(rule_id: str) -> str:
    """The message template of a rule (``{setting}``, ``{name}``, ``{algorithm}`` ...).

    For SARIF rule descriptions; raises KeyError for an id :func:`rule_ids` does not list.
    """
    return rule_template(rule_id)
