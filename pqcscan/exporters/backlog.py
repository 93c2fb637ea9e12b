"""The migration backlog: ranked items as a tracker CSV, JSON or a Markdown migration plan.

Every rendering is deterministic (the items come in backlog order; nothing depends on the
clock or the machine) and carries what produced it: the model version, the profile and its
hash, the business context and its hash, the date the scores hold for, the assumed CRQC year.

CSV flavours (``tracker``):

- ``jira``: Jira's CSV importer columns: Summary, Description, Priority (Highest/High/Medium/
  Low), Labels (one column per label, as Jira expects), Due Date (``yyyy-MM-dd``: set that
  date format in the importer), plus Owner, Wave, Score and Item Key to map or ignore.
- ``azure``: Azure DevOps' "Import from CSV" needs valid field names only: Work Item Type
  (Task), Title, Description, Priority (1-4), Tags (``;``-separated: wave, due date, owner,
  score live there and in the description).
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pqcscan.codec import to_jsonable
from pqcscan.inventory.risk_store import RiskRunRecord
from pqcscan.risk import explain_markdown
from pqcscan.risk.model import RankedItem, Wave

JIRA_PRIORITY = {Wave.NOW: "Highest", Wave.NEXT: "High", Wave.LATER: "Medium", Wave.MONITOR: "Low"}
AZURE_PRIORITY = {Wave.NOW: 1, Wave.NEXT: 2, Wave.LATER: 3, Wave.MONITOR: 4}
WAVE_TEXT = {
    Wave.NOW: "now: start within 12 months",
    Wave.NEXT: "next: within 1-3 years",
    Wave.LATER: "later",
    Wave.MONITOR: "monitor: quantum-safe, nothing to migrate",
}


@dataclass(frozen=True, slots=True)
class BacklogHeader:
    """What produced a backlog (printed at the top of every rendering)."""

    risk_run: int
    model_version: str
    profile_name: str
    profile_sha256: str
    context_name: str | None
    context_sha256: str | None
    as_of: str
    crqc_year: int

    def lines(self) -> list[str]:
        context = (
            f"{self.context_name} ({self.context_sha256[:12]})"
            if self.context_name and self.context_sha256
            else "none (defaults stand in for business context)"
        )
        return [
            f"risk run {self.risk_run}, model {self.model_version}",
            f"profile {self.profile_name} ({self.profile_sha256[:12]}); business context {context}",
            f"scores as of {self.as_of}; assumed CRQC year {self.crqc_year} "
            "(a precautionary planning assumption, not a forecast)",
        ]

    @classmethod
    def of(cls, run: RiskRunRecord) -> BacklogHeader:
        """The header of a stored risk run."""
        return cls(
            run.id,
            run.model_version,
            run.profile_name,
            run.profile_sha256,
            run.context_name,
            run.context_sha256,
            run.as_of,
            run.crqc_year,
        )


def labels(item: RankedItem) -> list[str]:
    """Tracker labels: no spaces (Jira), stable names."""
    out = ["pqc-migration", f"wave-{item.wave.value}", f"threat-{item.threat.value}"]
    out.append(f"use-{item.usage}")
    out.append(f"asset-{item.asset_type}")
    if item.needs_context:
        out.append("needs-business-context")
    return out


#: Jira rejects descriptions over 32,767 characters; long evidence lists are cut to fit.
DESCRIPTION_LIMIT = 32_000


def description(item: RankedItem) -> str:
    """The work item's description: the item's full explanation (why, factors, Mosca,
    dependants, blockers, deadlines, what to do, evidence), cut to the trackers' limit."""
    text = explain_markdown(item)
    if len(text) <= DESCRIPTION_LIMIT:
        return text
    note = f"\n\n(cut to {DESCRIPTION_LIMIT:,} characters: pqcscan explain {item.key})"
    return text[: DESCRIPTION_LIMIT - len(note)].rstrip() + note


def to_csv(items: Sequence[RankedItem], tracker: str = "jira") -> str:
    """A CSV the tracker's importer reads as it is."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if tracker == "azure":
        writer.writerow(["Work Item Type", "Title", "Description", "Priority", "Tags"])
        for item in items:
            tags = [*labels(item), f"score-{item.score:.0f}"]
            if item.due:
                tags.append(f"due-{item.due.isoformat()}")
            if item.owner:
                tags.append(f"owner-{item.owner}")
            writer.writerow(
                [
                    "Task",
                    _title(item),
                    description(item).replace("\n", "<br>"),
                    AZURE_PRIORITY[item.wave],
                    "; ".join(tags),
                ]
            )
        return buf.getvalue()
    if tracker != "jira":
        raise ValueError(f"unknown tracker {tracker!r}: jira or azure")
    label_columns = max((len(labels(i)) for i in items), default=5)
    headers = ["Summary", "Description", "Priority", *(["Labels"] * label_columns)]
    writer.writerow([*headers, "Due Date", "Owner", "Wave", "Score", "Item Key"])
    for item in items:
        row_labels = labels(item)
        writer.writerow(
            [
                _title(item),
                description(item),
                JIRA_PRIORITY[item.wave],
                *row_labels,
                *[""] * (label_columns - len(row_labels)),
                item.due.isoformat() if item.due else "",
                item.owner or "",
                item.wave.value,
                f"{item.score:.1f}",
                item.key,
            ]
        )
    return buf.getvalue()


def _title(item: RankedItem) -> str:
    return f"[PQC {item.wave.value}] {item.title}"[:250]


def to_json(header: BacklogHeader, items: Sequence[RankedItem]) -> str:
    document: dict[str, Any] = {
        "schema": "pqcscan-backlog/1",
        "generated_by": to_jsonable(header),
        "items": [to_jsonable(i) for i in items],
    }
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def to_markdown(header: BacklogHeader, items: Sequence[RankedItem]) -> str:
    """The backlog as a migration plan a person reads: waves, then items with reasons."""
    waves = Counter(i.wave for i in items)
    out = ["# Post-quantum migration plan", ""]
    out += [f"- {line}" for line in header.lines()]
    out += ["", "| wave | items | meaning |", "|---|---:|---|"]
    out += [f"| {w.value} | {waves[w]} | {WAVE_TEXT[w]} |" for w in Wave if waves[w]]
    needs = sum(1 for i in items if i.needs_context)
    if needs:
        out += [
            "",
            f"> {needs} item(s) rely on default business context (impact, retention, "
            "ecosystem): map them to services (`pqcscan context load`) to rank them on facts.",
        ]
    for wave in Wave:
        chosen = [i for i in items if i.wave is wave]
        if not chosen:
            continue
        out += ["", f"## Wave {wave.value} ({len(chosen)})", ""]
        if wave is Wave.MONITOR:
            out += [f"- {i.title} ({i.status})" for i in chosen]
            continue
        for n, item in enumerate(chosen, start=1):
            out += [f"### {n}. {item.title}", "", explain_markdown(item), ""]
    return "\n".join(out).rstrip() + "\n"
