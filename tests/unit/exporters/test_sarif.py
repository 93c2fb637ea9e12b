"""SARIF logs validate against the SARIF 2.1.0 schema and carry every hit exactly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from pqcscan.exporters.sarif import CodeFile, code_files, to_sarif

SCHEMA = json.loads(
    (Path(__file__).parents[2] / "data" / "schemas" / "sarif-2.1.0-rtm.5.json").read_text()
)


def hit(rule: str, algorithm: str, parameter: str, line: int, **extra: Any) -> str:
    value = {
        "rule": rule,
        "algorithm": algorithm,
        "parameter": parameter,
        "usage": "signature",
        "line": line,
        "column": 5,
        "end_line": line,
        "end_column": 40,
        "confidence": 1.0,
        "snippet": f"call_{line}()",
        "message": f"{algorithm} key generation",
    }
    value.update(extra)
    return json.dumps(value)


@pytest.fixture()
def files(tmp_path: Path) -> list[CodeFile]:
    assets = [
        (
            "file",
            str(tmp_path / "src" / "keys.py"),
            {
                "kind": "source",
                "code_hits": [
                    hit("py-rsa", "RSA", "1024", 3),
                    hit("py-mlkem", "ML-KEM-768", "", 9),
                ],
            },
        ),
        (
            "file",
            str(tmp_path / "app.jar") + "!/conf/ssh_config",
            {"kind": "config", "code_hits": [hit("ssh-kex", "ECDH", "P-256", 2)]},
        ),
        ("file", str(tmp_path / "requirements.txt"), {"kind": "requirements"}),
        ("certificate", "x", {"code_hits": [hit("nope", "RSA", "2048", 1)]}),
    ]
    return code_files(assets)


def test_the_log_is_valid_sarif_2_1_0(files: list[CodeFile], tmp_path: Path) -> None:
    log = to_sarif(files, base=tmp_path)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    unrooted = to_sarif(files)
    jsonschema.Draft4Validator(SCHEMA).validate(unrooted)
    assert unrooted["runs"][0]["results"][0]["locations"][0]["physicalLocation"][
        "artifactLocation"
    ]["uri"].startswith("file:///")


def test_every_hit_is_a_result_with_its_region_level_and_rule(
    files: list[CodeFile], tmp_path: Path
) -> None:
    run = to_sarif(files, base=tmp_path)["runs"][0]
    results = run["results"]
    assert [r["ruleId"] for r in results] == ["ssh-kex", "py-rsa", "py-mlkem"]
    by_rule = {r["ruleId"]: r for r in results}
    rsa = by_rule["py-rsa"]
    assert rsa["level"] == "error"  # RSA-1024 is broken today
    location = rsa["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "src/keys.py", "uriBaseId": "SRCROOT"}
    assert location["region"]["startLine"] == 3 and location["region"]["startColumn"] == 5
    assert location["region"]["snippet"]["text"] == "call_3()"
    assert by_rule["py-mlkem"]["level"] == "note"
    assert by_rule["py-mlkem"]["properties"]["quantumStatus"] == "quantum-safe"
    assert by_rule["ssh-kex"]["level"] == "warning"
    assert by_rule["ssh-kex"]["properties"]["archiveMember"] == "conf/ssh_config"
    assert by_rule["ssh-kex"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "app.jar"
    )
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["py-mlkem", "py-rsa", "ssh-kex"]
    assert run["originalUriBaseIds"]["SRCROOT"]["uri"] == tmp_path.as_uri() + "/"


def test_fingerprints_are_stable_and_distinct(files: list[CodeFile], tmp_path: Path) -> None:
    first = to_sarif(files, base=tmp_path)["runs"][0]["results"]
    again = to_sarif(list(reversed(files)), base=tmp_path)["runs"][0]["results"]
    prints = {r["partialFingerprints"]["pqcscanHit/v1"] for r in first}
    assert len(prints) == 3
    assert prints == {r["partialFingerprints"]["pqcscanHit/v1"] for r in again}


def test_rule_help_describes_rules_and_garbage_hits_are_dropped(tmp_path: Path) -> None:
    files = code_files(
        [
            (
                "file",
                "/x/a.go",
                {"kind": "source", "code_hits": ["{not json", hit("go-rsa", "RSA", "2048", 1)]},
            )
        ]
    )
    log = to_sarif(files, rule_help=lambda rule: "RSA key generation in Go")
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    run = log["runs"][0]
    assert len(run["results"]) == 1
    assert run["tool"]["driver"]["rules"][0]["shortDescription"]["text"] == (
        "RSA key generation in Go"
    )
    empty = to_sarif([])
    jsonschema.Draft4Validator(SCHEMA).validate(empty)
    assert empty["runs"][0]["results"] == []
