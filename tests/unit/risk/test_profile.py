"""Risk profiles: shipped ones load, bad ones fail naming the file and the path."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from pqcscan.catalog.loader import read_rule_file, validate
from pqcscan.errors import RuleError
from pqcscan.risk import available_profiles, load_profile, profile_from_document
from pqcscan.risk.profile import canonical_json

RULES = Path(__file__).resolve().parents[3] / "rules"


def _default() -> dict[str, Any]:
    document = read_rule_file("risk", "default.yaml")
    assert isinstance(document, dict)
    return copy.deepcopy(document)


def _write(tmp_path: Path, document: dict[str, Any], name: str = "mine.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def test_shipped_profiles() -> None:
    assert set(available_profiles()) >= {"default", "cnsa", "eu"}
    assert "remediation" not in available_profiles()
    for name in available_profiles():
        profile = load_profile(name)
        assert profile.name == name
        assert abs(sum(w for _, w in profile.weights) - 1) < 1e-9
        assert len(profile.sha256) == 64
        assert profile.wave_rules[-1].when.empty


def test_default_profile_values() -> None:
    p = load_profile("default")
    assert p.crqc_year == 2035
    assert "precautionary" in p.crqc_assumption
    assert dict(p.weights) == {"T": 0.3, "I": 0.25, "D": 0.15, "E": 0.1, "A": 0.1, "V": 0.1}
    assert [r.id for r in p.regimes] == ["nist-ir-8547", "eu-pqc-roadmap"]
    assert p.default_impact == 3 and p.default_retention_years == 10


def test_stricter_profiles_extend_default() -> None:
    default, cnsa, eu = load_profile("default"), load_profile("cnsa"), load_profile("eu")
    assert cnsa.extends == "default" and eu.extends == "default"
    assert cnsa.crqc_year < default.crqc_year
    assert "cnsa-2.0" in {r.id for r in cnsa.regimes}
    assert cnsa.weights == default.weights  # inherited
    assert len({default.sha256, cnsa.sha256, eu.sha256}) == 3


def test_profile_by_path_and_hash_is_of_the_content(tmp_path: Path) -> None:
    document = _default()
    by_path = load_profile(_write(tmp_path, document))
    assert by_path.sha256 == load_profile("default").sha256
    assert by_path.source == str(tmp_path / "mine.yaml")
    # key order and formatting do not change the hash; a value does
    reordered = dict(reversed(list(document.items())))
    assert load_profile(_write(tmp_path, reordered, "b.yaml")).sha256 == by_path.sha256
    document["crqc"]["year"] = 2034
    assert load_profile(_write(tmp_path, document, "c.yaml")).sha256 != by_path.sha256
    assert canonical_json({"b": 1, "a": "é"}) == '{"a":"é","b":1}'


def test_extends_merges_mappings_and_replaces_lists(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        {
            "name": "mine",
            "version": 3,
            "extends": "default",
            "crqc": {"year": 2032},
            "waves": {"due_months": {"now": 6}},
        },
    )
    p = load_profile(path)
    assert (p.name, p.version, p.crqc_year) == ("mine", 3, 2032)
    assert "precautionary" in p.crqc_assumption  # merged from default
    assert dict(p.due_months) == {"now": 6, "next": 36, "later": 72}


def test_weights_must_sum_to_one(tmp_path: Path) -> None:
    document = _default()
    document["weights"]["T"] = 0.2  # sum 0.9
    path = _write(tmp_path, document)
    with pytest.raises(RuleError) as err:
        load_profile(path)
    message = str(err.value)
    assert message.startswith(f"{path}: weights:")
    assert "sum to 0.9" in message and "must sum to 1" in message


def test_schema_error_names_file_and_path(tmp_path: Path) -> None:
    document = _default()
    document["waves"]["rules"][1]["wave"] = "soon"
    path = _write(tmp_path, document)
    with pytest.raises(RuleError, match=rf"^{path}: waves/rules/1/wave: 'soon' is not one of"):
        load_profile(path)


def test_misspelt_condition_is_an_error() -> None:
    document = _default()
    document["waves"]["rules"][0]["when"] = {"min_vv": 1.0}
    with pytest.raises(RuleError, match=r"waves/rules/0/when: Additional properties"):
        profile_from_document(document, "rules/risk/x.yaml")


def test_unknown_signal_is_an_error() -> None:
    document = _default()
    document["migration"]["rules"][0]["when"]["signals"] = ["tls14"]
    with pytest.raises(RuleError, match=r"migration/rules/0/when/signals/0: 'tls14'"):
        profile_from_document(document, "rules/risk/x.yaml")


def test_wave_rule_on_score_is_refused_in_migration_table() -> None:
    document = _default()
    document["migration"]["rules"][0]["when"]["min_score"] = 50
    with pytest.raises(RuleError, match=r"migration/rules/0/when"):
        profile_from_document(document, "rules/risk/x.yaml")


@pytest.mark.parametrize("table", ["waves", "migration", "vulnerability"])
def test_last_rule_must_match_everything(table: str) -> None:
    document = _default()
    document[table]["rules"][-1]["when"] = {"statuses": ["unknown"]}
    with pytest.raises(RuleError, match=r"the last rule .* must match every item"):
        profile_from_document(document, "x.yaml")


def test_duplicate_rule_ids() -> None:
    document = _default()
    document["waves"]["rules"][1]["id"] = document["waves"]["rules"][0]["id"]
    with pytest.raises(RuleError, match=r"waves/rules/1/id: 'N1' is used twice"):
        profile_from_document(document, "x.yaml")


def test_unknown_regime_and_scope() -> None:
    document = _default()
    document["alignment"]["regimes"].append({"id": "made-up"})
    with pytest.raises(RuleError, match=r"alignment/regimes/2/id: no regime 'made-up'"):
        profile_from_document(document, "x.yaml")
    document = _default()
    document["alignment"]["regimes"][1]["scopes"][0]["scope"] = "web-cloud"
    with pytest.raises(RuleError, match=r"regime eu-pqc-roadmap has no scope 'web-cloud'"):
        profile_from_document(document, "x.yaml")


def test_cdf_points_must_rise() -> None:
    document = _default()
    document["crqc"]["cdf"] = [[5, 0.3], [10, 0.2]]
    with pytest.raises(RuleError, match=r"crqc/cdf/1: points must rise"):
        profile_from_document(document, "x.yaml")


def test_unknown_profile_name_lists_the_shipped_ones() -> None:
    with pytest.raises(
        RuleError, match=r"no risk profile named 'nope' \(shipped profiles: .*default"
    ):
        load_profile("nope")
    with pytest.raises(RuleError, match=r"no risk profile named 'remediation'"):
        load_profile("remediation")


def test_unreadable_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match=r"cannot read the risk profile"):
        load_profile(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(RuleError, match=rf"^{bad}:"):
        load_profile(bad)
    bad.write_text("- a list\n", encoding="utf-8")
    with pytest.raises(RuleError, match=r"a risk profile is a mapping"):
        load_profile(bad)


def test_extends_unknown_profile(tmp_path: Path) -> None:
    path = _write(tmp_path, {"name": "x", "version": 1, "extends": "nope"})
    with pytest.raises(RuleError, match=r"no risk profile named 'nope'"):
        load_profile(path)


@pytest.mark.parametrize("path", sorted((RULES / "risk").glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_rule_file_validates(path: Path) -> None:
    if path.name == "remediation.yaml":
        validate(
            yaml.safe_load(path.read_text(encoding="utf-8")),
            "risk-remediation.schema.json",
            "risk/remediation.yaml",
        )
    else:
        load_profile(path.stem)
