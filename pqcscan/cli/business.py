"""``pqcscan context load|show|remove`` (business context) and ``pqcscan import assets``
(declared hardware and supplier products). Registers its groups on import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from pqcscan.cli import cli
from pqcscan.cli.context import AppContext
from pqcscan.cli.options import fail_on_option
from pqcscan.cli.output import table, to_json
from pqcscan.cli.progress import ProgressLine
from pqcscan.cli.scan import finish, resume_option, resumed_arguments
from pqcscan.collectors.declared import DeclaredCollector
from pqcscan.context.document import service_document
from pqcscan.context.load import load_context_files
from pqcscan.context.mapping import Mapping, map_assets
from pqcscan.context.model import BusinessContext
from pqcscan.context.views import ContextDiff, diff_contexts, effective_retention
from pqcscan.errors import UsageError
from pqcscan.inventory.context_store import (
    SaveStatus,
    asset_locations,
    delete_context,
    list_contexts,
    load_context,
    load_contexts,
    save_context,
)
from pqcscan.inventory.snapshot import Snapshot, load_snapshot
from pqcscan.scan import run_scan

FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)


def _mapping(app: AppContext, contexts: list[BusinessContext]) -> tuple[Snapshot, Mapping]:
    engine = app.inventory.engine
    snapshot = load_snapshot(engine)
    return snapshot, map_assets(snapshot, contexts, asset_locations(engine))


def _coverage(snapshot: Snapshot, mapping: Mapping) -> str:
    unmapped, reached = len(mapping.unmapped), len(mapping.reached)
    attached = len(snapshot.assets) - unmapped
    text = (
        f"inventory: {len(snapshot.assets)} assets; {attached} attached to a service by a rule, "
        f"{unmapped} not"
    )
    if unmapped:
        text += (
            f" ({reached} reached through links from attached assets, "
            f"{unmapped - reached} without business context)"
        )
    return text


# -- pqcscan context ------------------------------------------------------------------------


@click.group("context")
def context() -> None:
    """Business context: services, what they are worth, and which assets they use."""


def _diff_lines(diff: ContextDiff) -> list[str]:
    lines = []

    def names(label: str, items: tuple[str, ...]) -> None:
        if items:
            lines.append(f"  {label}: {', '.join(items)}")

    names("services added", diff.services_added)
    names("services removed", diff.services_removed)
    for sid, changes in diff.services_changed:
        lines.append(f"  service {sid} changed: {'; '.join(changes)}")
    names("data classes added", diff.data_classes_added)
    names("data classes removed", diff.data_classes_removed)
    for name, changes in diff.data_classes_changed:
        lines.append(f"  data class {name} changed: {'; '.join(changes)}")
    for rule in diff.rules_added:
        lines.append(f"  rule added: {rule.service} <- {rule.kind.value} {rule.pattern}")
    for rule in diff.rules_removed:
        lines.append(f"  rule removed: {rule.service} <- {rule.kind.value} {rule.pattern}")
    return lines


@context.command("load")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--name", metavar="NAME", help="The context's name [default: the YAML name, else the file's]."
)
@click.option("--check", is_flag=True, help="Validate and show what would change; store nothing.")
@click.pass_obj
def load(app: AppContext, files: tuple[Path, ...], name: str | None, check: bool) -> None:
    """Validate context files (YAML, CSV) and store them as one business context.

    Prints what changed and how many inventory assets each mapping rule attaches. Loading the
    same content again changes nothing; a new version replaces the old one.
    """
    loaded = load_context_files(files, name)
    for warning in loaded.warnings:
        click.echo(f"pqcscan: warning: {warning}", err=True)
    new = loaded.context
    engine = app.inventory.engine
    source = ", ".join(str(f) for f in files)
    if check:
        previous = load_context(engine, new.name)
        if previous is None:
            status = SaveStatus.ADDED
        elif previous.sha256 == new.sha256:
            status = SaveStatus.UNCHANGED
        else:
            status = SaveStatus.REPLACED
    else:
        result = save_context(engine, new, source)
        status, previous = result.status, result.previous
    verb = {
        SaveStatus.ADDED: "would be added" if check else "added",
        SaveStatus.REPLACED: "would replace the stored version" if check else "replaced",
        SaveStatus.UNCHANGED: "unchanged",
    }[status]
    head = f"context {new.name} {verb} (sha256 {new.sha256[:12]}"
    if status is SaveStatus.REPLACED and previous is not None:
        head += f", was {previous.sha256[:12]}"
    head += f") from {source}"
    click.echo(head)
    click.echo(
        f"  {len(new.data_classes)} data classes, {len(new.services)} services, "
        f"{len(new.rules)} mapping rules"
    )
    if status is SaveStatus.UNCHANGED:
        click.echo("  same content as the stored version: nothing to store")
    elif status is SaveStatus.REPLACED:
        for line in _diff_lines(diff_contexts(previous, new)):
            click.echo(line)
    contexts = [c for c in load_contexts(engine) if c.name != new.name] + [new]
    snapshot, mapping = _mapping(app, contexts)
    rows = [
        (h.rule.service, f"{h.rule.kind.value} {h.rule.pattern}", h.rule.source, h.assets)
        for h in mapping.rule_hits
        if h.context == new.name
    ]
    if rows:
        click.echo(table(("service", "rule", "declared at", "assets"), rows))
    click.echo(_coverage(snapshot, mapping))
    if mapping.uncovered:
        click.echo("  list them with: pqcscan context show --unmapped")


def _service_json(context: BusinessContext, mapping: Mapping) -> list[dict[str, Any]]:
    out = []
    for s in context.services:
        years, why = effective_retention(context, s)
        row = service_document(s)
        row |= {
            "effective_retention_years": years,
            "effective_retention_source": why,
            "ecosystem_level": s.ecosystem.level,
            "assets": mapping.service_assets.get((context.name, s.id), 0),
        }
        out.append(row)
    return out


def _unmapped_rows(snapshot: Snapshot, mapping: Mapping) -> list[dict[str, Any]]:
    by_id = {a.id: a for a in snapshot.assets}
    rows = [
        {
            "id": i,
            "type": by_id[i].type,
            "locator": by_id[i].locator,
            "name": by_id[i].name,
            "fingerprint": by_id[i].fingerprint,
            "reached": i in mapping.reached,
        }
        for i in mapping.unmapped
    ]
    return sorted(rows, key=lambda r: (r["reached"], r["type"], r["locator"], r["id"]))


@context.command("show")
@click.argument("name", required=False)
@click.option("--unmapped", is_flag=True, help="List the assets no mapping rule attaches.")
@FORMAT
@click.pass_obj
def show(app: AppContext, name: str | None, unmapped: bool, fmt: str) -> None:
    """Loaded contexts: services with impact, retention, ecosystem and mapped-asset counts.

    With --unmapped, the inventory assets no rule attaches to a service ("reached": a link
    from an attached asset still gives them business context).
    """
    stored = list_contexts(app.inventory.engine)
    if name is not None:
        stored = [s for s in stored if s.name == name]
        if not stored:
            raise UsageError(_no_such(app, name))
    snapshot, mapping = _mapping(app, [s.context for s in list_contexts(app.inventory.engine)])
    counts = {
        "assets": len(snapshot.assets),
        "attached": len(snapshot.assets) - len(mapping.unmapped),
        "unmapped": len(mapping.unmapped),
        "reached": len(mapping.reached),
        "without_context": len(mapping.uncovered),
    }
    if unmapped:
        rows = _unmapped_rows(snapshot, mapping)
        if fmt == "json":
            click.echo(to_json({"unmapped": rows, "inventory": counts}))
            return
        click.echo(
            table(
                ("id", "type", "locator", "name", "business context"),
                [
                    (
                        r["id"],
                        r["type"],
                        r["locator"],
                        r["name"],
                        "through links" if r["reached"] else "none",
                    )
                    for r in rows
                ],
                max_width=70,
            )
        )
        if not app.quiet:
            click.echo(
                f"{counts['unmapped']} assets no rule attaches: {counts['reached']} reached "
                f"through links from attached assets, {counts['without_context']} without "
                "business context",
                err=True,
            )
        return
    if fmt == "json":
        click.echo(
            to_json(
                {
                    "contexts": [
                        {
                            "name": s.name,
                            "sha256": s.sha256,
                            "source": s.source,
                            "loaded_at": s.loaded_at.isoformat(),
                            "data_classes": [
                                {
                                    "name": d.name,
                                    "retention_years": d.retention_years,
                                    "description": d.description,
                                }
                                for d in s.context.data_classes
                            ],
                            "services": _service_json(s.context, mapping),
                            "rules": [
                                {
                                    "service": h.rule.service,
                                    "kind": h.rule.kind.value,
                                    "pattern": h.rule.pattern,
                                    "asset_types": list(h.rule.asset_types),
                                    "source": h.rule.source,
                                    "assets": h.assets,
                                }
                                for h in mapping.rule_hits
                                if h.context == s.name
                            ],
                        }
                        for s in stored
                    ],
                    "inventory": counts,
                }
            )
        )
        return
    if not stored:
        click.echo("no business context loaded: pqcscan context load FILE")
        return
    for s in stored:
        click.echo(
            f"context {s.name} (sha256 {s.sha256[:12]}, loaded "
            f"{s.loaded_at.isoformat(timespec='seconds')} from {s.source})"
        )
        lines: list[tuple[object, ...]] = []
        for svc in _service_json(s.context, mapping):
            years = svc["effective_retention_years"]
            lines.append(
                (
                    svc["id"],
                    svc["impact"],
                    "-" if years is None else f"{years:g}",
                    svc["ecosystem"],
                    "yes" if svc["vendor_controlled"] else "no",
                    svc["owner"] or "-",
                    ", ".join(svc["depends_on"]) or "-",
                    svc["assets"],
                )
            )
        click.echo(
            table(
                (
                    "service",
                    "impact",
                    "retention",
                    "ecosystem",
                    "vendor",
                    "owner",
                    "depends on",
                    "assets",
                ),
                lines,
            )
        )
    if not app.quiet:
        click.echo(_coverage(snapshot, mapping), err=True)


def _no_such(app: AppContext, name: str) -> str:
    names = [s.name for s in list_contexts(app.inventory.engine)]
    loaded = f" (loaded: {', '.join(names)})" if names else " (none is loaded)"
    return f"no business context named {name!r}{loaded}"


@context.command("remove")
@click.argument("name")
@click.pass_obj
def remove(app: AppContext, name: str) -> None:
    """Remove a stored business context."""
    if not delete_context(app.inventory.engine, name):
        raise UsageError(_no_such(app, name))
    click.echo(f"context {name} removed")


# -- pqcscan import -------------------------------------------------------------------------


@click.group("import")
def import_group() -> None:
    """Import what no scanner can see: declared hardware and supplier products (assets),
    CycloneDX CBOMs and SBOMs from other tools and suppliers (cbom)."""


@import_group.command("assets")
@click.argument("file", required=False, type=click.Path(path_type=Path))
@resume_option()
@fail_on_option()
@click.pass_obj
def assets(
    app: AppContext, file: Path | None, resume: int | None, fail_on: tuple[str, ...]
) -> None:
    """Import HSMs, appliances, ATMs/POS, mainframe parts and vendor products from a CSV.

    One hardware asset per row, one finding per declared algorithm (classified through the
    catalog; unknown names are recorded as unknown). A bad row is recorded as an error with
    its line (exit 3) and the other rows still import. The format is in docs/context.md.
    """
    recorded = resumed_arguments(app, resume, DeclaredCollector.name)
    if file is None and recorded:
        file = Path(str(recorded.get("path", "")))
    if file is None:
        raise UsageError("give the CSV file to import (or --resume RUN)")
    collector = DeclaredCollector.open(file)
    summary = run_scan(
        app.inventory,
        collector,
        ProgressLine(DeclaredCollector.name, app.interactive),
        jobs=1,
        resume=resume,
    )
    finish(app, summary, fail_on)


cli.add_command(context)
cli.add_command(import_group)
