"""Explanations: the one-line wave reason for tables and the Markdown paragraph per item.

:func:`explain_markdown` works from a :class:`~pqcscan.risk.model.RankedItem` alone (what is
stored with a ranking), so a stored item can be explained later exactly as it was ranked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pqcscan.risk.model import Dependant, RankedItem, Threat, Wave

if TYPE_CHECKING:
    from pqcscan.risk.items import WorkItem
    from pqcscan.risk.services import Services
    from pqcscan.risk.waves import Schedule

_USE_NOUN = {
    "key-exchange": "key exchange",
    "authentication": "authentication",
    "protocol": "protocol version support",
    "ciphers": "bulk encryption",
    "subject-key": "key",
    "signature": "issuer signature",
    "key": "key",
    "host-key": "SSH host key",
    "protection": "key protection",
    "algorithms": "declared cryptography",
    "crypto": "cryptography",
}


def dependants_phrase(
    count: int,
    total: int,
    impact_sum: int,
    listed: Sequence[Dependant],
    services: Services,
) -> str:
    """``9 of 14 services (64 % of impact) depend on it; highest: core-banking (5)``."""
    if not count:
        return "no service depends on it (default business context)"
    all_impact = services.total_impact or 1
    top = listed[0]
    noun = "service" if total == 1 else "services"
    return (
        f"{count} of {total} {noun} ({impact_sum / all_impact:.0%} of impact) depend on it; "
        f"highest: {top.service} ({top.impact})"
    )


def wave_reason(item: WorkItem, s: Schedule, dependants: str, v_raw: str) -> str:
    """One line a person reads in a table."""
    if s.wave is Wave.MONITOR:
        return f"V = 0: {v_raw}"
    if s.pulled == "precedence":
        return (
            f"precedence: blocks {s.pulled_by} item(s) in wave {s.wave.value} "
            f"(own rule {s.rule_id}: {s.rule_wave.value})"
        )
    if s.pulled == "cycle":
        return (
            f"dependency cycle: {s.cycle_size} items share wave {s.wave.value} "
            f"(own rule {s.rule_id}: {s.rule_wave.value})"
        )
    return (
        f"{s.rule_id} {s.rule_label}: score {item.score:.1f}, gap {item.gap:+.1f} y; {dependants}"
    )


def _threat_sentence(item: RankedItem) -> str:
    noun = _USE_NOUN.get(item.usage, item.usage)
    algs = ", ".join(item.algorithms[:4])
    if item.threat is Threat.HNDL:
        return f"{noun} is Shor-vulnerable ({algs}): recorded traffic can be decrypted later"
    if item.threat is Threat.FORGERY:
        return f"{noun} relies on Shor-vulnerable signatures ({algs}): forgeable once a CRQC exists"
    if item.threat is Threat.WEAK:
        return f"{noun} uses cryptography that is broken today (among {algs})"
    if item.score > 0:
        return (
            f"{noun} is not broken but falls short of an enabled regime ({algs}): "
            "strength or approval, not Shor"
        )
    return f"{noun} is quantum-safe under this profile ({algs})"


def _mosca_sentence(item: RankedItem) -> str:
    m = item.mosca
    gap = m.gap
    crqc = f" ({m.crqc_year})" if m.crqc_year else ""
    if item.threat is Threat.FORGERY:
        lead = f"signatures must stay trustworthy {m.x:g} y ({m.x_source})"
    else:
        lead = f"data must stay secret {m.x:g} y ({m.x_source})"
    total = round(m.x + m.y, 2)
    relation = ">" if gap > 0 else "=" if gap == 0 else "<"
    verdict = (
        f"{gap:.1f} years late"
        if gap > 0
        else "exactly on time"
        if gap == 0
        else f"{-gap:.1f} years to spare"
    )
    return (
        f"{lead} and migration takes ~{m.y:g} y ({m.y_source}) → {total:g} y {relation} "
        f"{m.z:g} y to the assumed CRQC{crqc}: {verdict}"
    )


def summary_line(item: RankedItem) -> str:
    """The §8 paragraph's first sentence, without Markdown."""
    if item.wave is Wave.MONITOR:
        return f"{item.wave.value} ({item.score:g}): {_threat_sentence(item)}"
    return (
        f"{item.wave.value} ({item.score:g}, {item.wave_rule}): {_threat_sentence(item)}; "
        f"{_mosca_sentence(item)}"
    )


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def explain_markdown(item: RankedItem) -> str:
    """The item's full explanation as Markdown: the §8 paragraph, then every number."""
    out: list[str] = []
    head = f"**{item.wave.value}** ({item.score:g})"
    if item.wave is Wave.MONITOR:
        out.append(f"{head}: {_threat_sentence(item)}.")
    else:
        parts = [f"{head}, {item.wave_rule}: {_threat_sentence(item)}; {_mosca_sentence(item)}."]
        if item.service_count:
            top = item.dependants[0] if item.dependants else None
            who = f"; highest: {top.service} (impact {top.impact})" if top else ""
            parts.append(f"{item.service_count} service(s) depend on it{who}.")
        else:
            parts.append("No service depends on it: business context is the profile default.")
        if item.deadlines:
            parts.append(f"Strictest deadline: {item.deadlines[0].split(' — ')[0]}.")
        if item.blocked_by:
            parts.append(f"Waits for {len(item.blocked_by)} provider item(s).")
        if item.blocks:
            parts.append(f"Blocks {len(item.blocks)} item(s).")
        out.append(" ".join(parts))
    out += ["", f"*{item.title}* — `{item.key}`", ""]
    out.append(f"Why this wave: {item.wave_reason}.")
    flags = [f"confidence {item.confidence:.0%}"]
    if item.needs_context:
        flags.append("**needs business context** (defaults stood in)")
    if item.due:
        flags.append(f"due {item.due.isoformat()} ({item.due_basis})")
    if item.owner:
        flags.append(f"owner {item.owner}")
    line = "; ".join(flags)
    out += ["", line[:1].upper() + line[1:] + ".", ""]
    out += [
        "| factor | FSC | 中文 | input | source | value | weight | points |",
        "|---|---|---|---|---|---:|---:|---:|",
    ]
    for f in item.factors:
        out.append(
            f"| {f.factor} | {f.name} | {f.name_zh} | {_cell(f.raw)} | {f.source.value} "
            f"| {f.value:.2f} | {f.weight:.2f} | {f.points:.1f} |"
        )
    m = item.mosca
    out += [
        "",
        f"**Mosca** X {m.x:g} y ({m.x_source}) + Y {m.y:g} y ({m.y_source}) − Z {m.z:g} y "
        f"({m.z_source}) = gap {m.gap:+g} y.",
    ]
    if item.dependants:
        shown = ", ".join(
            f"{d.service} ({d.impact}{', direct' if d.direct else ''})" for d in item.dependants
        )
        more = item.service_count - len(item.dependants)
        out += [
            "",
            f"**Depends on it** ({item.service_count}): {shown}"
            + (f", and {more} more" if more > 0 else ""),
        ]
    if item.blocked_by:
        out += ["", "**Blocked by**: " + ", ".join(f"`{k}`" for k in item.blocked_by)]
    if item.blocks:
        out += ["", "**Blocks**: " + ", ".join(f"`{k}`" for k in item.blocks)]
    for title, lines in (
        ("Deadlines", item.deadlines),
        ("What to do", item.remediation),
        ("Evidence", item.evidence),
    ):
        if lines:
            out += ["", f"**{title}**", "", *(f"- {_cell(line)}" for line in lines)]
    if item.signals:
        out += ["", "Signals: " + ", ".join(item.signals)]
    return "\n".join(out) + "\n"
