"""Contexts in a real inventory: exact round trip, idempotent load, replacement,
listing and removal; the JSON document round trip; what changed between versions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pqcscan.context.document import FORMAT, from_document, to_document
from pqcscan.context.load import load_context_files, parse_context
from pqcscan.context.model import BusinessContext
from pqcscan.context.views import diff_contexts, effective_retention
from pqcscan.inventory import Inventory
from pqcscan.inventory.context_store import (
    SaveStatus,
    delete_context,
    list_contexts,
    load_context,
    load_contexts,
    save_context,
)

SAMPLE = Path(__file__).resolve().parents[3] / "pqcscan" / "demo" / "samples" / "bank-context.yaml"

SMALL = """\
name: small
data_classes:
  pii: {retention_years: 10, description: KYC}
  logs: 1
services:
  - {id: core, impact: 5, data_classes: [pii, logs], ecosystem: interbank}
  - {id: web, impact: 3, retention_years: 2, depends_on: [core]}
  - {id: hr, impact: 2}
mappings:
  - {service: core, cidr: 10.0.0.0/8}
  - {service: web, host: "*.example.test"}
"""


@pytest.fixture
def inv(inventory_url: str) -> Iterator[Inventory]:
    with Inventory.open(inventory_url) as inventory:
        yield inventory


def small(text: str = SMALL) -> BusinessContext:
    return parse_context([("small.yaml", text)]).context


def test_document_round_trip_is_exact_and_json_serialisable() -> None:
    ctx = load_context_files([SAMPLE]).context
    doc = json.loads(json.dumps(to_document(ctx)))
    assert doc["format"] == FORMAT
    assert from_document(doc) == ctx
    # stored documents outlive new optional fields: missing keys take their defaults
    del doc["services"][0]["tags"], doc["rules"][0]["asset_types"]
    assert from_document(doc).services[0].tags == ()


def test_storage_round_trip_rebuilds_the_context_exactly(inv: Inventory) -> None:
    ctx = load_context_files([SAMPLE]).context
    when = datetime(2026, 3, 1, tzinfo=UTC)
    assert save_context(inv.engine, ctx, str(SAMPLE), now=when).status is SaveStatus.ADDED
    assert load_contexts(inv.engine) == [ctx]
    assert load_context(inv.engine, ctx.name) == ctx
    assert load_context(inv.engine, "nope") is None
    (stored,) = list_contexts(inv.engine)
    assert (stored.name, stored.sha256, stored.source, stored.loaded_at) == (
        ctx.name,
        ctx.sha256,
        str(SAMPLE),
        when,
    )


def test_loading_the_same_content_twice_is_a_no_op(inv: Inventory) -> None:
    first = save_context(inv.engine, small(), "small.yaml", now=datetime(2026, 1, 1, tzinfo=UTC))
    again = save_context(inv.engine, small(), "small.yaml", now=datetime(2026, 2, 1, tzinfo=UTC))
    assert (first.status, again.status) == (SaveStatus.ADDED, SaveStatus.UNCHANGED)
    assert again.previous == small()
    (stored,) = list_contexts(inv.engine)
    assert stored.loaded_at == datetime(2026, 1, 1, tzinfo=UTC)  # nothing was written


def test_moved_lines_are_unchanged_but_refresh_the_stored_sources(inv: Inventory) -> None:
    save_context(inv.engine, small(), "small.yaml")
    moved = small("# comment\n" + SMALL)
    result = save_context(inv.engine, moved, "small.yaml")
    assert result.status is SaveStatus.UNCHANGED
    assert load_context(inv.engine, "small") == moved
    assert load_context(inv.engine, "small").services[0].source == "small.yaml:7"  # type: ignore[union-attr]


def test_a_changed_file_replaces_the_stored_version(inv: Inventory) -> None:
    old = small()
    save_context(inv.engine, old, "small.yaml")
    new = small(
        SMALL.replace("{id: core, impact: 5", "{id: core, impact: 4")
        .replace("  - {id: hr, impact: 2}\n", "  - {id: ops, impact: 3}\n")
        .replace("  logs: 1\n", "  logs: 2\n")
        .replace("cidr: 10.0.0.0/8", "cidr: 10.1.0.0/16")
    )
    result = save_context(inv.engine, new, "small.yaml")
    assert result.status is SaveStatus.REPLACED
    assert result.previous == old
    assert load_contexts(inv.engine) == [new]
    diff = diff_contexts(old, new)
    assert diff.services_added == ("ops",)
    assert diff.services_removed == ("hr",)
    assert diff.services_changed == (("core", ("impact 5 -> 4",)),)
    assert diff.data_classes_changed == (("logs", ("retention_years 1 -> 2",)),)
    assert [r.pattern for r in diff.rules_added] == ["10.1.0.0/16"]
    assert [r.pattern for r in diff.rules_removed] == ["10.0.0.0/8"]
    assert diff_contexts(new, new).empty
    assert not diff_contexts(None, new).empty


def test_several_contexts_list_by_name_and_remove(inv: Inventory) -> None:
    b = small(SMALL.replace("name: small", "name: b-unit"))
    a = small(SMALL.replace("name: small", "name: a-unit"))
    save_context(inv.engine, b, "b.yaml")
    save_context(inv.engine, a, "a.yaml")
    assert [c.name for c in load_contexts(inv.engine)] == ["a-unit", "b-unit"]
    assert delete_context(inv.engine, "a-unit") is True
    assert delete_context(inv.engine, "a-unit") is False
    assert [c.name for c in load_contexts(inv.engine)] == ["b-unit"]


def test_a_context_without_its_hash_is_refused(inv: Inventory) -> None:
    with pytest.raises(ValueError, match="sha256"):
        save_context(inv.engine, BusinessContext("x", (), (), ()), "x.yaml")


def test_effective_retention_prefers_the_service_then_its_longest_data_class() -> None:
    ctx = small()
    by_id = {s.id: s for s in ctx.services}
    assert effective_retention(ctx, by_id["core"]) == (10.0, "data class pii")
    assert effective_retention(ctx, by_id["web"]) == (2.0, "service")
    assert effective_retention(ctx, by_id["hr"]) == (None, "not declared")
