"""``pqcscan rank`` and ``pqcscan explain``.

``rank`` reads the inventory, the loaded business contexts and a risk profile, ranks every
migration item, stores the ranking (a risk run) and prints the top of the backlog. ``explain``
(and ``export backlog``, in :mod:`pqcscan.cli.exports`) read a stored ranking (the newest by
default), so what is explained and exported is exactly what was ranked.
"""

from __future__ import annotations

from datetime import date, datetime

import click

from pqcscan.cli.context import AppContext
from pqcscan.cli.output import table, to_json
from pqcscan.errors import UsageError
from pqcscan.inventory.risk_store import (
    RiskRunRecord,
    find_items,
    ranked_items,
    risk_run,
    save_ranking,
)
from pqcscan.inventory.snapshot import load_snapshot
from pqcscan.risk.model import RankedItem, Wave


@click.command()
@click.option(
    "--profile",
    default="default",
    show_default=True,
    metavar="NAME|FILE",
    help="Risk profile: a name under rules/risk (default, cnsa, eu...) or a YAML file.",
)
@click.option(
    "--top",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    metavar="N",
    help="Show the first N items of the backlog; 0 shows all of them.",
)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="Rank as of this date [default: today].",
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_obj
def rank(app: AppContext, profile: str, top: int, as_of: object, fmt: str) -> None:
    """Rank every migration item by risk and store the ranking (a risk run).

    Factors (FSC measure 17): data confidentiality period (Mosca), business impact,
    business dependency, ecosystem relatedness, international alignment, cryptographic
    vulnerability. See docs/risk-model.md.
    """
    from pqcscan.context.mapping import map_assets
    from pqcscan.inventory.context_store import asset_locations, load_contexts
    from pqcscan.risk import load_profile, rank_lazily

    engine = app.inventory.engine
    chosen = load_profile(profile)
    snapshot = load_snapshot(engine)
    contexts = load_contexts(engine)
    mapping = map_assets(snapshot, contexts, asset_locations(engine))
    day = as_of.date() if isinstance(as_of, datetime) else date.today()
    # Items are rendered and stored in batches, never all in memory; what is shown is read
    # back from the stored ranking (exactly what explain and export will read).
    ranking = rank_lazily(snapshot, contexts, mapping, chosen, day)
    del snapshot, mapping
    result = ranking.header
    run_id = save_ranking(engine, result, ranking)
    stored = risk_run(engine, run_id)
    assert stored is not None
    items = ranked_items(engine, run_id, limit=top or None)
    if fmt == "json":
        from pqcscan.codec import to_jsonable

        click.echo(to_json({"risk_run": run_id, "items": [to_jsonable(i) for i in items]}))
        return
    click.echo(render_table(items))
    if not app.quiet:
        counted = stored.summary.get("waves", {})
        waves = {w: int(counted.get(w.value, 0)) for w in Wave}
        click.echo(
            f"risk run {run_id}: {stored.items} items — "
            + ", ".join(f"{w.value} {n}" for w, n in waves.items())
            + f"; profile {result.profile_name}, assumed CRQC {result.crqc_year}",
            err=True,
        )
        needs = int(stored.summary.get("needs_context", 0))
        if needs or result.unmapped_assets:
            click.echo(
                f"  {needs} items rank on default business context; "
                f"{len(result.unmapped_assets)} assets are mapped to no service "
                "(pqcscan context show --unmapped)",
                err=True,
            )
        click.echo("  next: pqcscan explain 1 | pqcscan export backlog --format md", err=True)


def render_table(items: tuple[RankedItem, ...] | list[RankedItem]) -> str:
    rows = [
        (n, f"{i.score:.1f}", i.wave.value, i.title, _short(i.wave_reason, 90))
        for n, i in enumerate(items, start=1)
    ]
    return table(("#", "score", "wave", "item", "why"), rows, max_width=90)


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def stored_run(app: AppContext, run_id: int | None) -> RiskRunRecord:
    run = risk_run(app.inventory.engine, run_id)
    if run is None:
        raise UsageError(
            f"there is no risk run {run_id}" if run_id else "nothing ranked yet: run pqcscan rank"
        )
    return run


def _item(app: AppContext, run: RiskRunRecord, which: str) -> RankedItem:
    engine = app.inventory.engine
    if which.isdigit():
        items = ranked_items(engine, run.id)
        position = int(which)
        if not 1 <= position <= len(items):
            raise UsageError(f"risk run {run.id} has items 1-{len(items)}, not {position}")
        return items[position - 1]
    exact = ranked_items(engine, run.id, key=which)
    if exact:
        return exact[0]
    found = find_items(engine, run.id, which)
    if len(found) == 1:
        return found[0]
    if not found:
        raise UsageError(f"no item of risk run {run.id} matches {which!r}")
    keys = "\n  ".join(f"{i.key}  ({i.title})" for i in found[:10])
    raise UsageError(f"{len(found)} items match {which!r}; be more precise:\n  {keys}")


@click.command()
@click.argument("item")
@click.option("--run", "run_id", type=int, metavar="ID", help="Risk run [default: the newest].")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md"]), default="text")
@click.pass_obj
def explain(app: AppContext, item: str, run_id: int | None, fmt: str) -> None:
    """Why ITEM (its position, key, or part of its key) ranks where it does: every factor,
    Mosca's numbers, dependants and blockers, deadlines, evidence, what to do."""
    from pqcscan.risk import explain_markdown

    run = stored_run(app, run_id)
    chosen = _item(app, run, item)
    if fmt == "json":
        from pqcscan.codec import to_jsonable

        click.echo(to_json(to_jsonable(chosen)))
        return
    if fmt == "md":
        click.echo(explain_markdown(chosen))
        return
    click.echo(explain_text(chosen, run))


def explain_text(item: RankedItem, run: RiskRunRecord) -> str:
    m = item.mosca
    lines = [
        item.title,
        f"  key {item.key}",
        f"  score {item.score:.1f} — wave {item.wave.value} ({item.wave_rule}): {item.wave_reason}",
        f"  status {item.status}, threat {item.threat.value}, confidence {item.confidence:.0%}"
        + (" — needs business context" if item.needs_context else ""),
        "",
        "Factors (FSC measure 17):",
        table(
            ("factor", "input", "value", "weight", "points", "source"),
            [
                (
                    f"{f.factor} {f.name} / {f.name_zh}",
                    f.raw,
                    f"{f.value:.2f}",
                    f"{f.weight:.2f}",
                    f"{f.points:.1f}",
                    f.source.value,
                )
                for f in item.factors
            ],
            max_width=60,
        ),
        "",
        "Mosca's inequality (X + Y > Z means the data outlives the migration deadline):",
        f"  X = {m.x:g} y  ({m.x_source})",
        f"  Y = {m.y:g} y  ({m.y_source})",
        f"  Z = {m.z:g} y  ({m.z_source})",
        f"  X + Y - Z = {m.gap:+g} y" + ("  -> already late" if m.gap > 0 else ""),
    ]
    if item.services:
        lines += ["", "Services depending on it: " + ", ".join(item.services)]
    if item.owner:
        lines.append(f"Owner: {item.owner}")
    if item.blocked_by:
        lines += ["", "Blocked by (migrate first):", *(f"  {k}" for k in item.blocked_by)]
    if item.blocks:
        lines += ["", f"Blocks {len(item.blocks)} item(s):", *(f"  {k}" for k in item.blocks[:15])]
    if item.deadlines:
        lines += ["", "Deadlines:", *(f"  {d}" for d in item.deadlines)]
    if item.remediation:
        lines += ["", "What to do:", *(f"  - {r}" for r in item.remediation)]
    if item.evidence:
        lines += ["", "Evidence:", *(f"  {e}" for e in item.evidence[:25])]
    lines += ["", f"risk run {run.id}, profile {run.profile_name} ({run.profile_sha256[:12]})"]
    return "\n".join(lines)
