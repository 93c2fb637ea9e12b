"""The demo's planning part: a sample business context and declared hardware, ranked.

Example Bank plc's context (``samples/bank-context.yaml``: services, data classes, mapping
rules that fit the demo tree and the loopback lab) and its HSMs, ATMs and appliances
(``samples/hardware.csv``) go into the demo inventory; the risk model ranks every item and the
demo prints the top of the backlog with each item's reason, and writes the Markdown plan.
"""

from __future__ import annotations

import textwrap
from datetime import date
from importlib import resources
from pathlib import Path

from pqcscan.collectors.declared import DeclaredCollector
from pqcscan.context.load import load_context_files
from pqcscan.context.mapping import map_assets
from pqcscan.exporters.backlog import BacklogHeader, to_markdown
from pqcscan.inventory import Inventory
from pqcscan.inventory.context_store import asset_locations, load_contexts, save_context
from pqcscan.inventory.risk_store import ranked_items, risk_run, save_result
from pqcscan.inventory.snapshot import load_snapshot
from pqcscan.risk import load_profile, rank
from pqcscan.risk.model import RankedItem, Wave
from pqcscan.scan import run_scan

SAMPLES = resources.files("pqcscan.demo").joinpath("samples")
CONTEXT_SAMPLE = "bank-context.yaml"
HARDWARE_SAMPLE = "hardware.csv"
BACKLOG_NAME = "backlog.md"
SHOWN = 8


def plan(inventory: Inventory, folder: Path, as_of: date | None = None) -> list[str]:
    """Load the samples, rank, write ``folder/backlog.md``; return the summary lines."""
    engine = inventory.engine
    with resources.as_file(SAMPLES) as samples:
        loaded = load_context_files([samples / CONTEXT_SAMPLE])
        save_context(engine, loaded.context, f"pqcscan demo sample {CONTEXT_SAMPLE}")
        hardware = run_scan(inventory, DeclaredCollector.open(samples / HARDWARE_SAMPLE))
    contexts = load_contexts(engine)
    snapshot = load_snapshot(engine)
    mapping = map_assets(snapshot, contexts, asset_locations(engine))
    profile = load_profile("default")
    result = rank(snapshot, contexts, mapping, profile, as_of or date.today())
    run_id = save_result(engine, result)
    run = risk_run(engine, run_id)
    assert run is not None  # just stored
    items = ranked_items(engine, run_id)
    path = folder / BACKLOG_NAME
    path.write_text(
        to_markdown(BacklogHeader.of(run), [i for i in items if i.wave is not Wave.MONITOR]),
        encoding="utf-8",
    )
    waves = {w: sum(1 for i in items if i.wave is w) for w in Wave}
    context = loaded.context
    lines = [
        "",
        f"Migration backlog (risk run {run_id}, profile {run.profile_name}, "
        f"assumed CRQC year {run.crqc_year}):",
        f"  business context {context.name}: {len(context.services)} services, "
        f"{len(context.rules)} mapping rules; {hardware.findings} declared algorithms on "
        f"{hardware.items} hardware and supplier rows",
        f"  {len(items)} items: " + ", ".join(f"{w.value} {n}" for w, n in waves.items()),
        f"  {len(result.unmapped_assets)} assets reach no service and rank on flagged defaults",
        "",
    ]
    for n, item in enumerate(items[:SHOWN], start=1):
        title = item.title.replace(f"{folder}/", "")
        lines.append(f"  {n:>2}. {item.score:5.1f}  {item.wave.value:<5}  {title}")
        lines += _wrapped("why: " + reason(item))
        if item.remediation:
            lines += _wrapped("do: " + item.remediation[0].replace(f"{folder}/", ""), 2)
    lines += ["", f"  the whole plan, item by item: {path}"]
    return lines


def reason(item: RankedItem) -> str:
    """The rule that placed the item, Mosca's numbers and who depends on it, in one line."""
    m = item.mosca
    relation = ">" if m.gap > 0 else "<="
    text = f"{item.wave_rule}; X {m.x:g} + Y {m.y:g} {relation} Z {m.z:g} years"
    if m.gap > 0:
        text += f" ({m.gap:.1f} y late)"
    if item.dependants:
        worst = item.dependants[0]
        text += f"; {item.service_count} service(s), worst {worst.service} (impact {worst.impact})"
    if item.needs_context:
        text += "; default business context"
    return text


def _wrapped(text: str, max_lines: int = 3) -> list[str]:
    indent = " " * 18
    return textwrap.wrap(
        text,
        width=100,
        initial_indent=indent,
        subsequent_indent=indent + "  ",
        max_lines=max_lines,
        placeholder=" …",
    )
