"""Backlog renderings of the golden worked example: tracker CSVs, JSON and the Markdown plan."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import date

import pytest

from pqcscan.context.mapping import map_assets
from pqcscan.exporters import backlog
from pqcscan.risk import RiskResult, Wave, load_profile, rank
from tests.unit.risk.builders import worked_example


@pytest.fixture(scope="module")
def result() -> RiskResult:
    w = worked_example()
    mapping = map_assets(w.snapshot, w.contexts)
    return rank(w.snapshot, w.contexts, mapping, load_profile(), date(2026, 1, 1))


def header(result: RiskResult) -> backlog.BacklogHeader:
    return backlog.BacklogHeader(
        7,
        result.model_version,
        result.profile_name,
        result.profile_sha256,
        result.context_name,
        result.context_sha256,
        result.as_of.isoformat(),
        result.crqc_year,
    )


def test_jira_csv_has_one_row_per_item_with_priority_labels_and_due(result: RiskResult) -> None:
    rows = list(csv.reader(io.StringIO(backlog.to_csv(result.items, "jira"))))
    head, body = rows[0], rows[1:]
    assert len(body) == len(result.items)
    assert head[:3] == ["Summary", "Description", "Priority"]
    assert head[-5:] == ["Due Date", "Owner", "Wave", "Score", "Item Key"]
    first, item = body[0], result.items[0]
    assert first[0].startswith(f"[PQC {item.wave.value}] ")
    assert first[2] == backlog.JIRA_PRIORITY[item.wave]
    assert "pqc-migration" in first and f"wave-{item.wave.value}" in first
    assert first[-1] == item.key and first[-2] == f"{item.score:.1f}"
    assert item.due is not None and first[-5] == item.due.isoformat()
    assert "Mosca" in first[1] and item.key in first[1]


def test_azure_csv_uses_only_importable_fields(result: RiskResult) -> None:
    rows = list(csv.reader(io.StringIO(backlog.to_csv(result.items, "azure"))))
    assert rows[0] == ["Work Item Type", "Title", "Description", "Priority", "Tags"]
    assert {r[0] for r in rows[1:]} == {"Task"}
    assert {r[3] for r in rows[1:]} <= {"1", "2", "3", "4"}
    assert all("\n" not in r[2] and "<br>" in r[2] for r in rows[1:])


def test_unknown_tracker_is_refused(result: RiskResult) -> None:
    with pytest.raises(ValueError, match="jira or azure"):
        backlog.to_csv(result.items, "trello")


def test_description_is_cut_to_the_tracker_limit(result: RiskResult) -> None:
    item = result.items[0]
    huge = dataclasses.replace(
        item, evidence=tuple(f"finding {n}: " + "x" * 200 for n in range(400))
    )
    text = backlog.description(huge)
    assert len(text) <= backlog.DESCRIPTION_LIMIT
    assert text.endswith(f"pqcscan explain {item.key})")
    assert backlog.description(item) == backlog.description(item)  # short ones are whole
    assert "cut to" not in backlog.description(item)


def test_markdown_plan_groups_waves_in_order_and_states_its_provenance(
    result: RiskResult,
) -> None:
    text = backlog.to_markdown(header(result), result.items)
    assert "risk run 7" in text and result.profile_sha256[:12] in text
    present = [w for w in Wave if any(i.wave is w for i in result.items)]
    positions = [text.find(f"## Wave {w.value} (") for w in present]
    assert -1 not in positions and positions == sorted(positions)
    assert text.index(result.items[0].title) < text.index(result.items[-1].title)


def test_json_round_trips_every_item(result: RiskResult) -> None:
    document = json.loads(backlog.to_json(header(result), result.items))
    assert document["schema"] == "pqcscan-backlog/1"
    assert [i["key"] for i in document["items"]] == [i.key for i in result.items]
    assert document["generated_by"]["crqc_year"] == result.crqc_year
