"""Every rule in rules/source/python.yaml: its own match / no_match snippets, and the catalog."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pqcscan.catalog import get_catalog
from pqcscan.collectors.code.source.python import (
    compile_rules,
    detect_python,
    load_rules_document,
    rule_count,
)
from pqcscan.errors import RuleError

DOCUMENT = load_rules_document()
RULES: list[dict[str, Any]] = DOCUMENT["rules"]


def _cases(kind: str) -> Iterator[Any]:
    for rule in RULES:
        for i, test in enumerate(rule.get("tests", {}).get(kind, ())):
            yield pytest.param(rule["id"], test, id=f"{rule['id']}-{kind}-{i}")


def _code(test: str | dict[str, Any]) -> str:
    return test if isinstance(test, str) else str(test["code"])


def test_rule_count() -> None:
    assert rule_count() == len(RULES) >= 40


def test_rule_ids_are_unique() -> None:
    ids = [r["id"] for r in RULES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("rule", RULES, ids=[r["id"] for r in RULES])
def test_every_rule_has_tests(rule: dict[str, Any]) -> None:
    tests = rule.get("tests") or {}
    assert tests.get("match"), f"{rule['id']} has no match test"
    assert tests.get("no_match"), f"{rule['id']} has no no_match test"


@pytest.mark.parametrize(("rule_id", "test"), list(_cases("match")))
def test_match(rule_id: str, test: str | dict[str, Any]) -> None:
    hits = [h for h in detect_python("t.py", _code(test).encode()) if h.rule_id == rule_id]
    assert hits, f"{rule_id} did not match:\n{_code(test)}"
    first = hits[0]
    if isinstance(test, dict):
        for field in ("algorithm", "parameter", "confidence"):
            if field in test:
                assert getattr(first, field) == test[field], (field, first)
    catalog = get_catalog()
    for hit in hits:
        classification = catalog.classify(hit.algorithm, hit.parameter)
        assert classification.algorithm != "unknown", hit
        assert not classification.pseudo, hit
        assert "{" not in hit.message and hit.message, hit
        assert hit.snippet and len(hit.snippet) <= 200 and "\n" not in hit.snippet
        assert 0 < hit.confidence <= 1


@pytest.mark.parametrize(("rule_id", "test"), list(_cases("no_match")))
def test_no_match(rule_id: str, test: str | dict[str, Any]) -> None:
    hits = [h for h in detect_python("t.py", _code(test).encode()) if h.rule_id == rule_id]
    assert not hits, hits


def _declared_algorithms(rule: dict[str, Any]) -> Iterator[tuple[str, str]]:
    fixed_param = rule.get("parameter") if isinstance(rule.get("parameter"), str) else ""
    algorithm = rule["algorithm"]
    if isinstance(algorithm, str):
        yield algorithm, fixed_param or ""
        param = rule.get("parameter")
        if isinstance(param, dict):
            for value in (param.get("map") or {}).values():
                if isinstance(value, dict):
                    yield value.get("algorithm", algorithm), value.get("parameter", "")
                else:
                    yield algorithm, value
            if "default" in param:
                yield algorithm, param["default"]
        return
    for value in (algorithm.get("map") or {}).values():
        if isinstance(value, dict):
            yield value["algorithm"], value.get("parameter", "")
        else:
            yield value, ""


@pytest.mark.parametrize("rule", RULES, ids=[r["id"] for r in RULES])
def test_every_declared_algorithm_is_in_the_catalog(rule: dict[str, Any]) -> None:
    catalog = get_catalog()
    for algorithm, parameter in _declared_algorithms(rule):
        classification = catalog.classify(algorithm, parameter)
        assert classification.algorithm != "unknown", (rule["id"], algorithm, parameter)
        assert not classification.pseudo, (rule["id"], algorithm)


@pytest.mark.parametrize("rule", RULES, ids=[r["id"] for r in RULES])
def test_messages_only_use_known_fields(rule: dict[str, Any]) -> None:
    for key in ("message", "message_no_parameter"):
        if key in rule:
            assert rule[key].format(algorithm="A", parameter="P")


def test_duplicate_rule_ids_are_rejected() -> None:
    doc = dict(DOCUMENT)
    doc["rules"] = [RULES[0], RULES[0]]
    with pytest.raises(RuleError, match="twice"):
        compile_rules(doc)


def test_bad_regex_is_a_rule_error() -> None:
    rule = dict(RULES[0])
    rule["where"] = [{"arg": {"position": 0}, "regex": "("}]
    with pytest.raises(RuleError, match="regex"):
        compile_rules({**DOCUMENT, "rules": [rule]})
