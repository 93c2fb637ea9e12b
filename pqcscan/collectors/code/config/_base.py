"""Shared machinery of the configuration parsers: text, tokens, rule data and hit building.

Each format module turns its syntax into *settings*: a lower-case setting key (``ssl_ciphers``,
``sslopensslconfcmd groups``, ``kexalgorithms``) with the value tokens as written, each knowing
its place in the file. :class:`Engine` looks the key up in ``rules/config/rules.yaml`` and runs
the rule's handler, which classifies every named protocol version, cipher suite, group or SSH
algorithm through the catalog (with the spellings of ``rules/config/names.yaml``) and records
one :class:`CodeHit` per name. Nothing here reads files other than the packaged rule data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pqcscan.catalog import Catalog, Classification, QuantumStatus, get_catalog
from pqcscan.catalog.loader import read_rule_file, validate
from pqcscan.collectors.code.model import CodeHit, CodeParseError
from pqcscan.errors import RuleError
from pqcscan.results import Usage

#: Largest configuration file read (bytes); real ones are a few KB.
MAX_BYTES = 8 * 1024 * 1024
#: Most hits one file may produce; more means the file is not a real configuration.
MAX_HITS = 5000
#: Most entries one value list is split into.
MAX_LIST = 1000
#: Longest snippet kept on a hit (the model's limit).
SNIPPET = 200

UNKNOWN = "unknown"

#: Cipher-suite part -> what it is used for (TLS 1.2 PRF / TLS 1.3 HKDF hashes are KDFs).
_ROLE_USAGE = {
    "key_exchange": Usage.KEY_EXCHANGE,
    "authentication": Usage.AUTHENTICATION,
    "cipher": Usage.ENCRYPTION,
    "mac": Usage.MAC,
}
_ROLE_WORDS = {
    "key_exchange": "key exchange",
    "authentication": "authentication",
    "cipher": "cipher",
    "mac": "MAC",
}
_PQ_STATUSES = frozenset({QuantumStatus.HYBRID, QuantumStatus.QUANTUM_SAFE})

#: The parameter of a classic-groups-only hit: it makes the pinning a finding of its own,
#: apart from the findings of the groups the list names.
CLASSIC_ONLY = "classic groups only"


def decode(name: str, data: bytes) -> str:
    """The text of a configuration file; binary or oversized content raises CodeParseError.

    Invalid UTF-8 is replaced (configuration files written in Latin-1 still parse; the
    settings themselves are ASCII), a byte-order mark is dropped.
    """
    if len(data) > MAX_BYTES:
        raise CodeParseError(f"{name}: {len(data)} bytes is too large for a configuration file")
    if b"\x00" in data:
        raise CodeParseError(f"{name}: binary content (NUL bytes), not a configuration file")
    text = data.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


@dataclass(frozen=True, slots=True)
class Token:
    """A value as written, with its place: 1-based line/column, end exclusive (SARIF)."""

    text: str
    line: int
    column: int
    end_line: int
    end_column: int
    #: True when ``text`` is exactly the source characters from (line, column) on one line,
    #: so parts of it can be located by offset.
    exact: bool = True

    def part(self, start: int, end: int) -> Token:
        """The sub-token ``text[start:end]`` (the whole token's place if not exact)."""
        piece = self.text[start:end]
        if not self.exact or self.line != self.end_line:
            return Token(piece, self.line, self.column, self.end_line, self.end_column, False)
        return Token(piece, self.line, self.column + start, self.line, self.column + end)

    def split(self, separators: str) -> list[Token]:
        """Non-empty parts between any of the separator characters."""
        out: list[Token] = []
        start = None
        for i, ch in enumerate(self.text):
            if ch in separators:
                if start is not None:
                    out.append(self.part(start, i))
                    start = None
            elif start is None:
                start = i
        if start is not None:
            out.append(self.part(start, len(self.text)))
        if len(out) > MAX_LIST:
            raise CodeParseError(f"line {self.line}: a list of {len(out)} entries is too long")
        return out


def join_tokens(tokens: list[Token], sep: str = " ") -> Token:
    """One token spanning several (their texts joined)."""
    first, last = tokens[0], tokens[-1]
    if len(tokens) == 1:
        return tokens[0]
    text = sep.join(t.text for t in tokens)
    return Token(text, first.line, first.column, last.end_line, last.end_column, False)


# -- rule data -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rule:
    """One configuration rule of ``rules/config/rules.yaml``."""

    id: str
    kind: str
    usage: Usage
    #: setting key -> handler name
    settings: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Every configuration rule and name table, validated."""

    rules: tuple[Rule, ...]
    messages: Mapping[str, str]
    handler_messages: Mapping[str, str]
    names: Mapping[str, Any]
    by_setting: Mapping[tuple[str, str], Rule] = field(default_factory=dict)


@cache
def rule_set() -> RuleSet:
    """Load and validate ``rules/config/*.yaml`` once."""
    doc = read_rule_file("config", "rules.yaml")
    validate(doc, "config-rules.schema.json", "config/rules.yaml")
    names = read_rule_file("config", "names.yaml")
    validate(names, "config-names.schema.json", "config/names.yaml")
    rules = tuple(
        Rule(r["id"], r["kind"], Usage(r["usage"]), dict(r["settings"])) for r in doc["rules"]
    )
    by_setting: dict[tuple[str, str], Rule] = {}
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise RuleError(f"rules/config/rules.yaml: rule {rule.id} is defined twice")
        seen.add(rule.id)
        for key in rule.settings:
            if (rule.kind, key) in by_setting:
                raise RuleError(f"rules/config/rules.yaml: {rule.kind} setting {key!r} twice")
            by_setting[(rule.kind, key)] = rule
    handler_messages = dict(doc["handler_messages"])
    for handler, template in handler_messages.items():
        if template not in doc["messages"]:
            raise RuleError(f"rules/config/rules.yaml: {handler} uses unknown message {template}")
    return RuleSet(rules, dict(doc["messages"]), handler_messages, names, by_setting)


@dataclass(frozen=True, slots=True)
class Protocol:
    """A protocol version: catalog algorithm/parameter and its rank (lowest first)."""

    algorithm: str
    parameter: str
    rank: int
    haproxy: str


@cache
def protocols() -> tuple[Protocol, ...]:
    """The protocol versions of names.yaml, lowest first."""
    return tuple(
        Protocol(p["algorithm"], p["parameter"], i, p.get("haproxy", ""))
        for i, p in enumerate(rule_set().names["protocols"])
    )


@cache
def _protocol_index() -> dict[str, Protocol]:
    out: dict[str, Protocol] = {}
    for proto, raw in zip(protocols(), rule_set().names["protocols"], strict=True):
        for name in raw["names"]:
            out[name.lower()] = proto
    return out


def protocol(name: str) -> Protocol | None:
    """The protocol version a spelling (``TLSv1.2``, ``sslv3``) names, or None."""
    return _protocol_index().get(name.strip().lower())


@cache
def _openssl_ciphers() -> dict[str, str]:
    return {k.upper(): v for k, v in rule_set().names["openssl_ciphers"].items()}


@cache
def _group_aliases() -> dict[str, str]:
    return {k.lower(): v for k, v in rule_set().names["group_aliases"].items()}


def pq_recommended(family: str) -> tuple[str, ...]:
    """The post-quantum names a classic-only finding says are missing (``tls``/``ssh``)."""
    return tuple(rule_set().names["pq_recommended"][family])


def is_pq(c: Classification) -> bool:
    """True for an ML-KEM (or other PQC) or hybrid key exchange."""
    return c.status in _PQ_STATUSES


# -- hits ------------------------------------------------------------------------------------


class _Fields(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def _snippet(text: str) -> str:
    one = " ".join(text.split())
    return one if len(one) <= SNIPPET else one[: SNIPPET - 3] + "..."


class Engine:
    """Collects the hits of one file, running the rule of each setting it is given."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.rules = rule_set()
        self.catalog: Catalog = get_catalog()
        self.hits: list[CodeHit] = []
        self._handlers: dict[str, Callable[[Rule, str, list[Token], str], None]] = {
            "protocols": self._protocols,
            "ciphers": self._ciphers,
            "apache-ciphers": self._apache_ciphers,
            "groups": self._groups,
            "sigalgs": self._sigalgs,
            "min-protocol": self._min_protocol,
            "max-protocol": self._max_protocol,
            "apache-protocol": self._apache_protocol,
            "haproxy-options": self._haproxy_options,
            "ssh-kex": self._ssh_kex,
            "ssh-host-key": self._ssh_list,
            "ssh-cipher": self._ssh_list,
            "ssh-mac": self._ssh_list,
            "key-file": self._key_file,
            "java-disabled-tls": self._java_disabled,
            "java-disabled-certpath": self._java_disabled,
            "keystore-type": self._keystore,
        }
        #: Per-section state for MinProtocol/MaxProtocol pairs (set by the format module).
        self.protocol_bounds: dict[str, Token] = {}
        self._handler = ""

    # -- entry points ------------------------------------------------------------------------

    def rule_for(self, key: str) -> Rule | None:
        """The rule reading this (lower-case) setting key in this format, if any."""
        return self.rules.by_setting.get((self.kind, key))

    def setting(self, key: str, written: str, values: list[Token], context: str = "") -> None:
        """Run the rule for ``key`` (if any) over the value tokens of one setting.

        ``written`` is the setting's name as the file spells it (for messages); ``context``
        an optional clause appended to messages (``in Match User backup``).
        """
        rule = self.rule_for(key)
        if rule is None or not values:
            return
        self._handler = rule.settings[key]
        self._handlers[self._handler](rule, written, values, context)

    def result(self) -> tuple[CodeHit, ...]:
        """The hits, in file order."""
        return tuple(sorted(self.hits, key=lambda h: (h.line, h.column, h.rule_id)))

    # -- building ----------------------------------------------------------------------------

    def add(
        self,
        rule: Rule | str,
        token: Token,
        algorithm: str,
        parameter: str,
        template: str,
        *,
        setting: str,
        usage: Usage | None = None,
        confidence: float = 1.0,
        context: str = "",
        **fields: str,
    ) -> None:
        """Record one hit; the message comes from a names template of rules.yaml."""
        if isinstance(rule, str):
            rule_id, rule_usage = rule, Usage.KEY_EXCHANGE
        else:
            rule_id, rule_usage = rule.id, rule.usage
        if len(self.hits) >= MAX_HITS:
            raise CodeParseError(
                f"line {token.line}: more than {MAX_HITS} TLS/SSH settings, "
                "not a real configuration file"
            )
        values = _Fields(
            setting=setting,
            name=_snippet(token.text)[:120],
            algorithm=algorithm,
            parameter=parameter,
        )
        values.update(fields)
        message = self.rules.messages[template].format_map(values)
        if context:
            message = f"{message} ({context})"
        self.hits.append(
            CodeHit(
                rule_id=rule_id,
                algorithm=algorithm,
                parameter=parameter,
                usage=usage or rule_usage,
                line=token.line,
                column=token.column,
                end_line=token.end_line,
                end_column=token.end_column,
                snippet=_snippet(token.text),
                confidence=confidence,
                message=message,
            )
        )

    def _unknown(self, rule: Rule, setting: str, token: Token, context: str, conf: float) -> None:
        self.add(
            rule, token, UNKNOWN, "", "unknown_name", setting=setting, confidence=conf,
            context=context,
        )  # fmt: skip

    # -- protocols ---------------------------------------------------------------------------

    def _protocol_hit(
        self,
        rule: Rule,
        setting: str,
        token: Token,
        proto: Protocol,
        context: str,
        confidence: float = 1.0,
        detail: str = "",
    ) -> None:
        self.add(
            rule,
            token,
            proto.algorithm,
            proto.parameter,
            "protocol",
            setting=setting,
            confidence=confidence,
            context=context,
            detail=detail,
            version=f" {proto.parameter}",
        )

    def _protocols(self, rule: Rule, setting: str, values: list[Token], context: str) -> None:
        for value in values:
            for tok in value.split(" ,\t"):
                proto = protocol(tok.text)
                if proto is not None:
                    self._protocol_hit(rule, setting, tok, proto, context)
                elif tok.text.upper() in ("TLS", "SSL"):
                    # A generic SSLContext protocol (Java "TLS"): the library picks versions.
                    self.add(
                        rule, tok, "TLS", "", "protocol", setting=setting, confidence=0.5,
                        context=context, detail=" (versions left to the library)",
                    )  # fmt: skip
                else:
                    self._unknown(rule, setting, tok, context, 0.5)

    def protocol_range(
        self,
        rule: Rule,
        setting: str,
        token: Token,
        low: Protocol,
        high: Protocol,
        context: str,
        confidence: float,
    ) -> None:
        """One hit per version from ``low`` to ``high`` inclusive, all at ``token``."""
        for proto in protocols():
            if low.rank <= proto.rank <= high.rank:
                detail = f" (through {token.text})"
                self._protocol_hit(rule, setting, token, proto, context, confidence, detail)

    def _default_bound(self, key: str) -> Protocol:
        found = protocol(self.rules.names[key])
        if found is None:  # pragma: no cover - guarded by the rule data tests
            raise RuleError(f"rules/config/names.yaml: {key} is not a known protocol")
        return found

    def _min_protocol(self, rule: Rule, setting: str, values: list[Token], context: str) -> None:
        token = values[0]
        low = protocol(token.text)
        if low is None:
            self._unknown(rule, setting, token, context, 0.5)
            return
        high_tok = self.protocol_bounds.get("max")
        high = protocol(high_tok.text) if high_tok is not None else None
        confidence = 1.0 if high is not None else 0.9
        high = high or self._default_bound("protocol_default_max")
        self.protocol_range(rule, setting, token, low, high, context, confidence)

    def _max_protocol(self, rule: Rule, setting: str, values: list[Token], context: str) -> None:
        token = values[0]
        high = protocol(token.text)
        if high is None:
            self._unknown(rule, setting, token, context, 0.5)
            return
        if "min" in self.protocol_bounds:
            return  # the MinProtocol line reports the range
        low = self._default_bound("protocol_default_min")
        self.protocol_range(rule, setting, token, low, high, context, 0.7)

    def _apache_protocol(self, rule: Rule, setting: str, values: list[Token], context: str) -> None:
        """mod_ssl semantics: a bare word sets the list, ``+x`` adds, ``-x`` removes."""
        enabled: dict[int, tuple[Protocol, Token, float, str]] = {}
        all_names = [protocol(n) for n in self.rules.names["apache_all"]]
        for tok in values:
            sign = tok.text[:1] if tok.text[:1] in "+-" else ""
            word = tok.part(len(sign), len(tok.text)) if sign else tok
            if word.text.lower() == "all":
                members = [(p, 0.8 if p is not None and p.algorithm == "SSL" else 0.9)
                           for p in all_names]  # fmt: skip
            else:
                proto = protocol(word.text)
                if proto is None:
                    self._unknown(rule, setting, tok, context, 0.5)
                    continue
                members = [(proto, 1.0)]
            if not sign:
                enabled.clear()
            via = f" (through {tok.text})" if word.text.lower() == "all" else ""
            for proto_or_none, conf in members:
                if proto_or_none is None:
                    continue
                if sign == "-":
                    enabled.pop(proto_or_none.rank, None)
                else:
                    enabled[proto_or_none.rank] = (proto_or_none, tok, conf, via)
        for rank in sorted(enabled):
            proto, tok, conf, via = enabled[rank]
            self._protocol_hit(rule, setting, tok, proto, context, conf, via)

    def _haproxy_options(self, rule: Rule, setting: str, values: list[Token], ctx: str) -> None:
        """``ssl-min-ver``/``ssl-max-ver``/``no-*``/``force-*``: the enabled versions."""
        by_suffix = {p.haproxy: p for p in protocols() if p.haproxy}
        low: tuple[Protocol, Token] | None = None
        high: tuple[Protocol, Token] | None = None
        excluded: set[int] = set()
        forced: list[tuple[Protocol, Token]] = []
        anchor: Token | None = None
        i = 0
        while i < len(values):
            tok = values[i]
            word = tok.text.lower()
            if word in ("ssl-min-ver", "ssl-max-ver") and i + 1 < len(values):
                value = values[i + 1]
                proto = protocol(value.text)
                if proto is None:
                    self._unknown(rule, setting, value, ctx, 0.5)
                elif word == "ssl-min-ver":
                    low = (proto, value)
                else:
                    high = (proto, value)
                i += 2
                continue
            if word.startswith("no-") and word[3:] in by_suffix:
                excluded.add(by_suffix[word[3:]].rank)
                anchor = anchor or tok
            elif word.startswith("force-") and word[6:] in by_suffix:
                forced.append((by_suffix[word[6:]], tok))
            i += 1
        if forced:
            for proto, tok in forced:
                self._protocol_hit(rule, setting, tok, proto, ctx)
            return
        if low is None and high is None and anchor is None:
            return
        lo = low[0] if low else self._default_bound("haproxy_default_min")
        hi = high[0] if high else self._default_bound("protocol_default_max")
        bound = low or high
        at = bound[1] if bound is not None else anchor
        if at is None:  # pragma: no cover - excluded above
            return
        conf = 1.0 if low else 0.8
        via = f" (through {at.text})"
        for proto in protocols():
            if lo.rank <= proto.rank <= hi.rank and proto.rank not in excluded:
                self._protocol_hit(rule, setting, at, proto, ctx, conf, via)

    # -- cipher suites -----------------------------------------------------------------------

    def _suite_hits(self, rule: Rule, setting: str, tok: Token, context: str) -> bool:
        name = tok.text.strip()
        suite = self.catalog.cipher_suite(name)
        if suite is None:
            iana = _openssl_ciphers().get(name.upper())
            suite = self.catalog.cipher_suite(iana) if iana else None
        if suite is None:
            return False
        parts = self.catalog.classify_suite(suite.code) or ()
        modes = dict(suite.parts())
        for role, c in parts:
            usage = _ROLE_USAGE[role]
            mode = modes[role].mode if role in modes else ""
            if role == "mac" and mode in ("PRF", "HKDF"):
                usage = Usage.KDF
            alg = c.algorithm
            param = c.parameter if alg != UNKNOWN else ""
            word = mode if usage is Usage.KDF else _ROLE_WORDS[role]
            what = f"{word} {alg}{'-' + param if param else ''}"
            iana = f" ({suite.name})" if suite.name.upper() != name.upper() else ""
            self.add(
                rule, tok, alg, param, "cipher", setting=setting, usage=usage,
                context=context, detail=f"{what}{iana}",
            )  # fmt: skip
        return True

    def cipher_list(
        self, rule: Rule, setting: str, value: Token, context: str, separators: str = ":, \t"
    ) -> None:
        """An OpenSSL cipher string or a list of IANA/Java suite names."""
        keywords: list[Token] = []
        for tok in value.split(separators):
            text = tok.text
            if text[:1] in "!-":
                continue  # excluded: enables nothing
            if text[:1] == "+":
                tok = tok.part(1, len(text))  # moved to the end: still enabled
            if tok.text and not self._suite_hits(rule, setting, tok, context):
                keywords.append(tok)
        if keywords:
            listed = ", ".join(k.text for k in keywords[:8]) + (
                ", ..." if len(keywords) > 8 else ""
            )
            self.add(
                rule, value, UNKNOWN, "", "cipher_keywords", setting=setting, confidence=0.3,
                context=context, keywords=listed[:160],
            )  # fmt: skip

    def _ciphers(self, rule: Rule, setting: str, values: list[Token], context: str) -> None:
        for value in values:
            self.cipher_list(rule, setting, value, context)

    def _apache_ciphers(self, rule: Rule, setting: str, values: list[Token], context: str) -> None:
        """``SSLCipherSuite [protocol] cipher-spec``: the first word may be SSL or TLSv1.3."""
        if len(values) >= 2 and values[0].text.upper() in ("SSL", "TLSV1.3"):
            values = values[1:]
        for value in values:
            self.cipher_list(rule, setting, value, context)

    # -- groups and signature algorithms ------------------------------------------------------

    def group(self, name: str) -> Classification | None:
        """Classification of a TLS group spelling, or None if the catalog does not know it."""
        key = _group_aliases().get(name.lower(), name)
        if self.catalog.named_identifier("tls-group", key) is None:
            return None
        return self.catalog.classify_named("tls-group", key)

    def _groups(self, rule: Rule, setting: str, values: list[Token], context: str) -> None:
        keywords = {k.lower() for k in self.rules.names["group_keywords"]}
        named: list[tuple[Token, Classification | None]] = []
        has_keyword = False
        for value in values:
            for tok in value.split(":,/ \t"):
                if tok.text[:1] == "-":
                    continue  # removed from a default list
                while tok.text[:1] in ("?", "*"):
                    tok = tok.part(1, len(tok.text))
                if not tok.text:
                    continue
                if tok.text.lower() in keywords:
                    has_keyword = True
                    self.add(
                        rule, tok, UNKNOWN, "", "group_keywords", setting=setting,
                        confidence=0.3, context=context,
                    )  # fmt: skip
                    continue
                c = self.group(tok.text)
                named.append((tok, c))
                if c is None:
                    self._unknown(rule, setting, tok, context, 0.5)
                    continue
                detail = f" {c.parameter}" if c.parameter else ""
                self.add(
                    rule, tok, c.algorithm, c.parameter, "group", setting=setting,
                    context=context, detail=detail,
                )  # fmt: skip
        if not has_keyword:
            self.classic_only(setting, join_tokens(values), named, "tls", context)

    def classic_only(
        self,
        setting: str,
        value: Token,
        named: list[tuple[Token, Classification | None]],
        family: str,
        context: str,
        confidence: float = 1.0,
    ) -> None:
        """The ``<kind>-classic-groups-only`` hit for an explicit list with no PQC entry."""
        known = [(t, c) for t, c in named if c is not None and not c.pseudo]
        if not known or any(is_pq(c) for _, c in known):
            return
        if len(known) < len(named):
            confidence = min(confidence, 0.7)  # an unknown name might be a PQC one
        first = known[0][1]
        listed = ", ".join(t.text for t, _ in known)
        self.add(
            f"{self.kind}-classic-groups-only",
            value,
            first.algorithm,
            CLASSIC_ONLY,
            "classic_only",
            setting=setting,
            usage=Usage.KEY_EXCHANGE,
            confidence=confidence,
            context=context,
            missing=" or ".join(pq_recommended(family)),
            name=listed,
        )

    def _sigalgs(self, rule: Rule, setting: str, values: list[Token], context: str) -> None:
        for value in values:
            for tok in value.split(":, \t"):
                c = self._sigalg(tok.text)
                if c is None:
                    self._unknown(rule, setting, tok, context, 0.5)
                    continue
                detail = f" {c.parameter}" if c.parameter else ""
                self.add(
                    rule, tok, c.algorithm, c.parameter, "sigalg", setting=setting,
                    context=context, detail=detail,
                )  # fmt: skip

    def _sigalg(self, name: str) -> Classification | None:
        if self.catalog.named_identifier("tls-signature-scheme", name) is not None:
            return self.catalog.classify_named("tls-signature-scheme", name)
        alg, plus, _hash = name.partition("+")
        if plus:
            c = self.catalog.classify(alg)
            return None if c.algorithm == UNKNOWN else c
        return None

    # -- SSH ---------------------------------------------------------------------------------

    def _ssh_names(
        self, rule: Rule, setting: str, values: list[Token], context: str
    ) -> tuple[str, Token | None, list[tuple[Token, Classification | None]]]:
        """Classify an SSH algorithm list; returns (prefix, list token, named entries)."""
        namespace = self._handler  # the handler is named after the SSH namespace
        value = join_tokens(values, ",") if len(values) > 1 else values[0]
        prefix = value.text[:1] if value.text[:1] in "+-^" else ""
        body = value.part(1, len(value.text)) if prefix else value
        named: list[tuple[Token, Classification | None]] = []
        if prefix == "-":
            for tok in body.split(", \t"):
                named.append((tok, self.catalog.classify_named(namespace, tok.text)))
            return prefix, body, named
        verb = {"+": "adds", "^": "puts first", "": "allows"}[prefix]
        for tok in body.split(", \t"):
            if "*" in tok.text or "?" in tok.text:
                self._unknown(rule, setting, tok, context, 0.3)
                named.append((tok, None))
                continue
            item = self.catalog.named_identifier(namespace, tok.text)
            if item is None:
                self._unknown(rule, setting, tok, context, 0.5)
                named.append((tok, None))
                continue
            c = self.catalog.classify_named(namespace, tok.text)
            named.append((tok, c))
            param = f" {c.parameter}" if c.parameter else ""
            self.add(
                rule, tok, c.algorithm, c.parameter, "ssh", setting=setting, context=context,
                detail=verb, parameter_text=param,
            )  # fmt: skip
        return prefix, body, named

    def _ssh_list(self, rule: Rule, setting: str, values: list[Token], context: str) -> None:
        self._ssh_names(rule, setting, values, context)

    def _ssh_kex(self, rule: Rule, setting: str, values: list[Token], context: str) -> None:
        prefix, body, named = self._ssh_names(rule, setting, values, context)
        if body is None:
            return
        if prefix == "":
            self.classic_only(setting, body, named, "ssh", context)
        elif prefix == "-":
            removed = {t.text.lower() for t, c in named}
            wanted = {n.lower() for n in pq_recommended("ssh")}
            if wanted <= {r.removesuffix("@openssh.com") for r in removed}:
                # Every post-quantum default removed: what remains of the default is classical.
                self.add(
                    f"{self.kind}-classic-groups-only", body, "X25519", CLASSIC_ONLY,
                    "classic_only", setting=setting, usage=Usage.KEY_EXCHANGE, confidence=0.8,
                    context=context,
                    missing=" or ".join(pq_recommended("ssh")),
                )  # fmt: skip

    def _key_file(self, rule: Rule, setting: str, values: list[Token], context: str) -> None:
        token = values[0]
        base = token.text.replace("\\", "/").rsplit("/", 1)[-1].lower()
        for hint in self.rules.names["key_file_hints"]:
            if hint["contains"] in base:
                self.add(
                    rule, token, hint["algorithm"], "", "key_file", setting=setting,
                    confidence=0.6, context=context,
                )  # fmt: skip
                return

    # -- Java --------------------------------------------------------------------------------

    def _java_disabled(self, rule: Rule, setting: str, values: list[Token], context: str) -> None:
        """Report weak algorithms the property does *not* disable, and key-size floors."""
        value = join_tokens(values)
        table = "java_tls_weak" if "tls" in setting.lower() else "java_certpath_weak"
        entries = [e for v in values for e in v.split(",")]
        disabled = {e.text.split()[0].lower() for e in entries if e.text.split()}
        for weak in self.rules.names[table]:
            if weak["name"].lower() in disabled:
                continue
            param = weak.get("parameter", "")
            self.add(
                rule, value, weak["algorithm"], param, "weak_not_disabled", setting=setting,
                confidence=0.9, context=context, name=weak["name"],
                usage=Usage(weak["usage"]) if "usage" in weak else None,
                version=f" {param}" if param else "",
            )  # fmt: skip
        sizes = self.rules.names["java_key_size_algorithms"]
        for entry in entries:
            words = entry.text.split()
            if len(words) >= 4 and words[1] == "keySize" and words[2] in ("<", "<="):
                alg = sizes.get(words[0])
                bits = words[3]
                if alg is None or not bits.isdigit():
                    continue
                floor = str(int(bits) + 1) if words[2] == "<=" else bits
                self.add(
                    rule, entry, alg, floor, "key_size", setting=setting, confidence=0.9,
                    context=context, usage=Usage.KEY,
                )  # fmt: skip

    def _keystore(self, rule: Rule, setting: str, values: list[Token], context: str) -> None:
        token = values[0]
        c = self.catalog.classify(token.text.strip())
        if c.algorithm == UNKNOWN:
            # PKCS12 and friends: a container, its protection is not visible here.
            self.add(
                rule, token, UNKNOWN, "", "keystore", setting=setting, confidence=0.5,
                context=context, detail=": a key store format, its protection is not visible here",
            )  # fmt: skip
            return
        self.add(
            rule, token, c.algorithm, c.parameter, "keystore", setting=setting, confidence=0.8,
            context=context, detail=f" (protected with {c.algorithm})",
        )  # fmt: skip


def rule_template(rule_id: str) -> str:
    """The main message template of a rule; KeyError for an unknown id."""
    data = rule_set()
    for rule in data.rules:
        if rule.id == rule_id:
            if not rule.settings:
                return data.messages["classic_only"]
            handler = next(iter(rule.settings.values()))
            return data.messages[data.handler_messages[handler]]
    raise KeyError(rule_id)


def all_rule_ids() -> tuple[str, ...]:
    """Every configuration rule id, in rules.yaml order."""
    return tuple(r.id for r in rule_set().rules)


# -- line-oriented lexing (Apache, HAProxy, OpenSSH, properties) -------------------------------

_WORD = re.compile(
    r"""(?P<ws>[ \t\r\f\v]+)
      | (?P<dq>"(?:[^"\\]|\\.)*")
      | (?P<sq>'(?:[^'\\]|\\.)*')
      | (?P<bad>["'])
      | (?P<word>(?:[^\s"'\\]|\\.|\\$)+)""",
    re.X | re.S,
)
_ESCAPE = re.compile(r"\\(.)", re.S)


def logical_lines(text: str, continuation: bool) -> Iterator[list[tuple[int, str]]]:
    """Physical lines grouped into logical ones: ``[(line number, text), ...]``.

    With ``continuation`` a line ending in a backslash continues on the next (the backslash
    is dropped). Line numbers are 1-based.
    """
    group: list[tuple[int, str]] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw[:-1] if raw.endswith("\r") else raw
        if continuation and line.endswith("\\") and not line.endswith("\\\\"):
            group.append((number, line[:-1]))
            continue
        group.append((number, line))
        yield group
        group = []
    if group:
        yield group


def words(
    pieces: list[tuple[int, str]],
    comments: str = "#",
    anywhere: bool = True,
    strict: bool = True,
) -> list[Token]:
    """The words of a logical line, quotes removed, each with its place.

    ``comments``: characters starting a comment (at a word start if ``anywhere``, else only
    as the line's first non-blank character). An unterminated quote raises CodeParseError
    when ``strict``; otherwise the quote is read as an ordinary character.
    """
    out: list[Token] = []
    first_piece = True
    for number, line in pieces:
        stripped = line.lstrip()
        if first_piece and stripped[:1] and stripped[0] in comments:
            return out
        first_piece = False
        for m in _WORD.finditer(line):
            kind = m.lastgroup
            col = m.start() + 1
            if kind == "ws":
                continue
            raw = m.group()
            if kind == "bad":
                if strict:
                    raise CodeParseError(f"line {number}: unterminated {raw} quote")
                kind = "word"
            if kind == "word" and raw[0] in comments and anywhere:
                return out
            if kind in ("dq", "sq"):
                inner = raw[1:-1]
                text = _ESCAPE.sub(r"\1", inner)
                exact = text == inner
                out.append(Token(text, number, col + 1, number, col + 1 + len(inner), exact))
            else:
                out.append(Token(raw, number, col, number, col + len(raw)))
    return out
